"""The ``greatwork`` command line: simulate (more subcommands arrive with the server)."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence

from greatwork import __version__


def _whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in [low, high]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high}, got {value}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="greatwork", description="The Great Work: a research-drama game server."
    )
    parser.add_argument("--version", action="version", version=f"greatwork {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sim = sub.add_parser(
        "simulate",
        help="play a season with computer-driven players through the rules engine",
        description="Play a season with computer-driven players and report what happened.",
    )
    sim.add_argument("--players", type=_whole(1, 8), default=6, help="players, 1 to 8 (default 6)")
    sim.add_argument("--days", type=_whole(1, 3650), default=14, help="real days (default 14)")
    sim.add_argument("--seed", type=int, default=1, help="campaign seed (default 1)")
    sim.add_argument("--json", action="store_true", help="print every event as a JSON line")
    return parser


def _simulate(args: argparse.Namespace) -> int:
    from greatwork.rules.codec import encode_event  # noqa: PLC0415 (fast --help)
    from greatwork.sim import simulate  # noqa: PLC0415 (fast --help)

    report = simulate(players=args.players, days=args.days, seed=args.seed)
    out = sys.stdout
    if args.json:
        for event in report.events:
            out.write(json.dumps(encode_event(event), sort_keys=True) + "\n")
        return 0
    state = report.state
    out.write(
        f"Season of {args.days} days, {args.players} players, seed {args.seed}: "
        f"{report.digests} digests, year {state.year}, {len(report.events)} events.\n"
    )
    out.write("\nStandings:\n")
    for player in sorted(state.players.values(), key=lambda p: -p.reputation):
        balances = " ".join(f"{f[:3]}={v}" for f, v in player.influence.items())
        out.write(f"  {player.display_name:<10} reputation {player.reputation:>4}  {balances}\n")
    out.write("\nMoves accepted / refused:\n")
    for name in sorted(set(report.accepted) | set(report.refused)):
        out.write(f"  {name:<20} {report.accepted[name]:>5} / {report.refused[name]:<5}\n")
    kinds = Counter(type(e).__name__ for e in report.events)
    out.write("\nEvents:\n")
    for name, count in kinds.most_common():
        out.write(f"  {name:<26} {count:>6}\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        match args.command:
            case "simulate":
                return _simulate(args)
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        sys.stderr.close()
        return 0
    return 2  # pragma: no cover (argparse refuses unknown commands)


if __name__ == "__main__":
    sys.exit(main())
