"""The ``greatwork`` command line: serve, play, simulate, export-log, replay, config, dashboards.

Every subcommand but ``dashboards`` takes ``--db PATH`` (default from the configuration) and
``--config FILE``.
Exit status: 0 done, 1 a runtime failure (the message says what), 2 bad usage or a bad script,
130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from greatwork import __version__

if TYPE_CHECKING:
    from greatwork.config import Settings
    from greatwork.store import Store

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


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


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=Path, metavar="PATH", help="the journal file (default: from the configuration)"
    )
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="a TOML configuration file (see docs)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="greatwork", description="The Great Work: a research-drama game server."
    )
    parser.add_argument("--version", action="version", version=f"greatwork {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser(
        "serve",
        help="run the game server (on Discord when a bot token is set)",
        description="Run the game server on the real clock: campaigns, digests and the "
        "journal. With a bot token (DISCORD_TOKEN, GREATWORK_DISCORD_TOKEN or the "
        "configuration file) it connects to Discord; without one the game runs without it. "
        "SIGINT or SIGTERM stops it cleanly.",
    )
    _common(serve)
    serve.add_argument(
        "--discord-api",
        metavar="URL",
        help="the Discord API base URL (default: from the configuration, else Discord's own)",
    )

    play = sub.add_parser(
        "play",
        help="play in the terminal, or run a script of commands",
        description="Play in the terminal (interactive), or run a script of commands "
        "(--script). Time is virtual: !digest and !advance move it.",
    )
    _common(play)
    play.add_argument("--script", type=Path, metavar="FILE", help="run this script ('-': stdin)")
    play.add_argument("--json", action="store_true", help="print one JSON object a line")
    play.add_argument("--campaign", default="local", help="the campaign id (default: local)")
    play.add_argument("--name", help="your player name (interactive)")
    play.add_argument(
        "--admin", action="append", default=[], metavar="NAME", help="make NAME an admin"
    )

    sim = sub.add_parser(
        "simulate",
        help="play a season with computer-driven players",
        description="Play a season with computer-driven players through the real server "
        "(actors and journal) on a virtual clock, printing the Gazette digest by digest.",
    )
    _common(sim)
    sim.add_argument("--players", type=_whole(1, 8), default=6, help="players, 1 to 8 (default 6)")
    sim.add_argument("--days", type=_whole(1, 3650), default=14, help="real days (default 14)")
    sim.add_argument("--seed", type=int, default=1, help="campaign seed (default 1)")
    sim.add_argument(
        "--json", action="store_true", help="print every press item and digest as JSON lines"
    )

    export = sub.add_parser(
        "export-log",
        help="write the journal as JSON lines",
        description="Write every journaled event as one JSON object a line, oldest first.",
    )
    _common(export)
    export.add_argument("--campaign", help="only this campaign")
    export.add_argument("--out", type=Path, metavar="FILE", help="write here (default: stdout)")

    replay = sub.add_parser(
        "replay",
        help="rebuild every campaign from its journal",
        description="Rebuild every campaign from the journal alone and compare it with the "
        "live state (latest snapshot + later events). Prints 'replay ok' or the first "
        "difference.",
    )
    _common(replay)
    replay.add_argument(
        "--verify", action="store_true", required=True, help="compare (required: the only mode)"
    )
    replay.add_argument("--campaign", help="only this campaign")

    config = sub.add_parser(
        "config",
        help="print the settings in effect (secrets hidden)",
        description="Print the settings in effect, from defaults, the file, the environment "
        "and flags, as JSON. Secrets show only as <set>.",
    )
    _common(config)

    dashboards = sub.add_parser(
        "dashboards",
        help="the Grafana dashboards: preview them as PNG files",
        description="Work with the Grafana dashboards of dashboards/*.json.",
    )
    actions = dashboards.add_subparsers(dest="action", required=True, metavar="ACTION")
    preview = actions.add_parser(
        "preview",
        help="draw each dashboard from a live Prometheus into a PNG file",
        description="Draw each dashboard's panels from a live Prometheus into DIR/<uid>.png: "
        "panels laid out as in Grafana, time series as lines, stat panels as their last "
        "value. Needs matplotlib (pip install 'greatwork[preview]'). Reads no game "
        "configuration.",
    )
    preview.add_argument(
        "--prometheus", required=True, metavar="URL", help="the Prometheus server's base URL"
    )
    preview.add_argument("--out", required=True, type=Path, metavar="DIR", help="write here")
    preview.add_argument(
        "--dashboards",
        type=Path,
        metavar="DIR",
        help="the dashboards' folder (default: ./dashboards, else the source checkout's)",
    )
    preview.add_argument(
        "--range", default="1h", metavar="DURATION", help="how far back to draw (default 1h)"
    )
    preview.add_argument(
        "--step", metavar="DURATION", help="seconds between points (default: range / 250)"
    )
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    from greatwork.config import load_settings  # noqa: PLC0415 (fast --help)

    overrides = {"db_path": args.db, "discord_api": getattr(args, "discord_api", None)}
    return load_settings(config_file=args.config, overrides=overrides)


def _run(main: Awaitable[int], *, stopped: int = EXIT_INTERRUPTED) -> int:
    """Run a coroutine; SIGTERM and SIGINT cancel it, so every ``finally`` runs.

    ``stopped`` is the exit status after such a signal: 130 for a run cut short, 0 for a
    server, whose normal end is a signal.
    """
    import pykka.debug  # noqa: PLC0415 (fast --help)

    async def guarded() -> int:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, task.cancel)  # type: ignore[union-attr]
        with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
            # kill -USR1 PID logs every thread's stack: the first look at a suspected deadlock.
            loop.add_signal_handler(signal.SIGUSR1, pykka.debug.log_thread_tracebacks)
        try:
            return await main
        except asyncio.CancelledError:
            sys.stderr.write("\ninterrupted: stopped cleanly, nothing confirmed was lost\n")
            return stopped

    return asyncio.run(guarded())


def _logging(settings: Settings, quiet: bool) -> None:  # noqa: FBT001 (one switch)
    level = logging.WARNING if quiet else getattr(logging, settings.log_level)
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("pykka").setLevel(logging.WARNING)


def _play(args: argparse.Namespace, settings: Settings) -> int:
    from greatwork.play import script as s  # noqa: PLC0415 (fast --help)

    statements: list[s.Statement] | None = None
    if args.script is not None:
        try:
            text = (
                sys.stdin.read()
                if str(args.script) == "-"
                else args.script.read_text(encoding="utf-8")
            )
        except OSError as error:
            sys.stderr.write(f"greatwork play: cannot read {args.script}: {error.strerror}\n")
            return EXIT_USAGE
        try:
            statements = s.parse_script(text.splitlines())
        except s.ScriptError as error:
            sys.stderr.write(f"{args.script}: {error}\n")
            return EXIT_USAGE
    for name in args.admin:
        if not s.NAME.match(name):
            sys.stderr.write(f"greatwork play: bad admin name {name!r}\n")
            return EXIT_USAGE
    _logging(settings, quiet=True)
    code = _run(_play_async(args, settings, statements))
    from greatwork.play.terminal import read_pending  # noqa: PLC0415 (fast --help)

    if read_pending():  # a signal came while the terminal waited for a line: all else is closed
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
    return code


async def _play_async(
    args: argparse.Namespace, settings: Settings, statements: Sequence[Any] | None
) -> int:
    from greatwork.actors.clock import VirtualClock  # noqa: PLC0415
    from greatwork.actors.runtime import GameServer  # noqa: PLC0415
    from greatwork.content import load_content  # noqa: PLC0415
    from greatwork.play.session import SCRIPT_START, JsonOutput, PlaySession, TextOutput  # noqa: PLC0415
    from greatwork.play.terminal import interactive  # noqa: PLC0415
    from greatwork.rules.errors import GreatworkError  # noqa: PLC0415
    from greatwork.rules.ids import CampaignId, Instant  # noqa: PLC0415

    start = SCRIPT_START if statements is not None else Instant(int(time.time()))
    clock = VirtualClock(start)
    server = GameServer(settings, load_content(), clock=clock)
    out: IO[str] = sys.stdout
    try:
        await server.start()
        campaign = CampaignId(args.campaign)
        latest = await server.latest_time(campaign)
        if latest is not None and latest > clock.now():
            await server.advance(latest)
        output = JsonOutput(out) if args.json else TextOutput(out)
        session = PlaySession(server, campaign, output, admins=args.admin)
        try:
            if statements is None:
                return await interactive(session, out, args.name)
            for statement in statements:
                try:
                    await session.run(statement)
                except GreatworkError as error:
                    sys.stderr.write(f"{args.script}: {error}\n")
                    return EXIT_USAGE
            return 0
        finally:
            await session.close()
    finally:
        await server.stop()


def _export_log(args: argparse.Namespace, settings: Settings) -> int:
    _logging(settings, quiet=True)
    return _run(_export_async(args, settings))


async def _open_journal(
    settings: Settings, command: str, wanted: str | None
) -> tuple[Store, list[str]] | None:
    """Open an existing journal and pick its campaigns; None (with a message) if impossible."""
    from greatwork.store import Store  # noqa: PLC0415

    if not settings.db_path.exists():
        sys.stderr.write(f"greatwork {command}: no journal at {settings.db_path}\n")
        return None
    store = await Store.open(settings.db_path)
    try:
        known = sorted(c.campaign_id for c in await store.campaigns())
    except BaseException:
        await store.close()
        raise
    if wanted is not None and wanted not in known:
        await store.close()
        listing = ", ".join(known) or "none"
        sys.stderr.write(f"greatwork {command}: no campaign {wanted!r} (campaigns: {listing})\n")
        return None
    return store, [wanted] if wanted is not None else known


async def _export_async(args: argparse.Namespace, settings: Settings) -> int:
    opened = await _open_journal(settings, "export-log", args.campaign)
    if opened is None:
        return EXIT_FAILURE
    store, _ = opened
    count = 0
    try:
        with contextlib.ExitStack() as stack:
            out: IO[str] = (
                stack.enter_context(args.out.open("w", encoding="utf-8"))
                if args.out is not None
                else sys.stdout
            )
            async for row in store.events(args.campaign):
                line = {
                    "campaign": row.campaign_id,
                    "seq": row.seq,
                    "at": row.at,
                    "kind": row.kind,
                    "data": json.loads(row.data),
                }
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                count += 1
    finally:
        await store.close()
    if args.out is not None:
        sys.stderr.write(f"wrote {count} events to {args.out}\n")
    return 0


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    _logging(settings, quiet=True)
    return _run(_replay_async(args, settings))


async def _replay_async(args: argparse.Namespace, settings: Settings) -> int:
    from greatwork.rules.errors import ReplayError  # noqa: PLC0415
    from greatwork.store import first_difference, rebuild  # noqa: PLC0415

    opened = await _open_journal(settings, "replay", args.campaign)
    if opened is None:
        return EXIT_FAILURE
    store, campaigns = opened
    try:
        for campaign in campaigns:
            try:
                live = rebuild(await store.load(campaign))
                scratch = rebuild(await store.load(campaign, from_scratch=True), from_scratch=True)
            except ReplayError as error:
                sys.stdout.write(f"replay FAILED for {campaign}: {error}\n")
                return EXIT_FAILURE
            difference = first_difference(scratch, live)
            if difference is not None:
                sys.stdout.write(f"replay FAILED for {campaign}: {difference}\n")
                return EXIT_FAILURE
        plural = "" if len(campaigns) == 1 else "s"
        sys.stdout.write(f"replay ok ({len(campaigns)} campaign{plural})\n")
        return 0
    finally:
        await store.close()


def _config(args: argparse.Namespace, settings: Settings) -> int:
    del args
    sys.stdout.write(json.dumps(settings.describe(), indent=2) + "\n")
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    del args
    from greatwork.serve import ServeError, serve  # noqa: PLC0415 (fast --help)

    _logging(settings, quiet=False)
    try:
        return _run(_served(serve(settings)), stopped=0)
    except ServeError as error:
        sys.stderr.write(f"greatwork serve: {error}\n")
        return EXIT_FAILURE


async def _served(running: Awaitable[None]) -> int:
    await running
    return 0


def _simulate(args: argparse.Namespace, settings: Settings) -> int:
    from greatwork.simulate import run_simulation  # noqa: PLC0415 (fast --help)

    _logging(settings, quiet=True)
    return _run(run_simulation(args, settings, sys.stdout, sys.stderr))


def _dashboards(args: argparse.Namespace) -> int:
    """``greatwork dashboards preview``: draw the dashboards from a live Prometheus."""
    from greatwork import preview as p  # noqa: PLC0415 (fast --help)

    try:
        range_seconds = p.parse_duration(args.range)
        step = None if args.step is None else p.parse_duration(args.step)
        window = p.Window.ending(time.time(), range_seconds, step)
        prometheus = p.Prometheus(args.prometheus)
        folder = args.dashboards if args.dashboards is not None else p.default_dashboards()
        boards = p.load_dashboards(folder)
    except p.PreviewError as error:
        sys.stderr.write(f"greatwork dashboards preview: {error}\n")
        return EXIT_USAGE
    if importlib.util.find_spec("matplotlib") is None:
        sys.stderr.write(
            "greatwork dashboards preview: needs matplotlib: pip install 'greatwork[preview]'\n"
        )
        return EXIT_FAILURE
    try:
        written = p.preview(boards, prometheus.query_range, args.out, window)
    except p.PreviewError as error:
        sys.stderr.write(f"greatwork dashboards preview: {error}\n")
        return EXIT_FAILURE
    for path, panels in written:
        sys.stdout.write(f"wrote {path} ({panels} panels)\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "dashboards":  # reads no game configuration
        return _dashboards(args)
    from greatwork.rules.errors import GreatworkError  # noqa: PLC0415 (fast --help)

    try:
        try:
            settings = _settings(args)
        except GreatworkError as error:
            sys.stderr.write(f"greatwork {args.command}: {error}\n")
            return EXIT_USAGE
        if args.command in {"serve", "play"}:  # the commands that take players' texts
            from greatwork.llm.moderation import configure  # noqa: PLC0415 (fast --help)

            configure(settings.moderation_checker)
        handlers: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
            "serve": _serve,
            "play": _play,
            "simulate": _simulate,
            "export-log": _export_log,
            "replay": _replay,
            "config": _config,
        }
        return handlers[args.command](args, settings)
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        sys.stderr.close()
        return 0
    except GreatworkError as error:
        sys.stderr.write(f"greatwork {args.command}: {error}\n")
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
