"""``greatwork simulate``: a season of computer-driven players through the real server.

The bots (:func:`greatwork.sim.bot_move`) pick legal-looking moves; every move goes through
the actors and the journal exactly as a player's would, on a virtual clock, so a 14-day
season runs in seconds. The Gazette prints digest by digest (or, with ``--json``, every press
item and digest as JSON lines in the form of ``play --json``), with a progress bar on the
terminal, and a closing table shows standings, landmarks, defections and feuds.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import random
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import IO

from greatwork.actors import messages as m
from greatwork.actors.clock import VirtualClock
from greatwork.actors.runtime import GameServer, Notice, PressReleased
from greatwork.config import Settings
from greatwork.content import load_content
from greatwork.play.session import JsonOutput
from greatwork.press.item import PressItem
from greatwork.press.render import gazette_text
from greatwork.rules.constants import DAY
from greatwork.rules.errors import RuleError
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.state import CampaignState
from greatwork.sim import SEASON_START, bot_move

FEUD_FEELING = -2.0  # a scholar this cold toward a player is feuding with them
BAR = 30


@dataclasses.dataclass
class _Tally:
    accepted: Counter[str] = dataclasses.field(default_factory=Counter)
    refused: Counter[str] = dataclasses.field(default_factory=Counter)
    defections: Counter[str] = dataclasses.field(default_factory=Counter)
    digests: int = 0


async def run_simulation(
    args: argparse.Namespace, settings: Settings, out: IO[str], err: IO[str]
) -> int:
    """Play ``args.days`` days with ``args.players`` bots; returns the exit status."""
    with tempfile.TemporaryDirectory(prefix="greatwork-sim-") as scratch:
        db = args.db if args.db is not None else Path(scratch) / "season.db"
        settings = dataclasses.replace(settings, db_path=db)
        return await _season(args, settings, out, err)


async def _season(args: argparse.Namespace, settings: Settings, out: IO[str], err: IO[str]) -> int:
    clock = VirtualClock(SEASON_START)
    server = GameServer(settings, load_content(), clock=clock)
    campaign = CampaignId(f"sim-{args.seed}")
    tally = _Tally()
    json_out = JsonOutput(out) if args.json else None
    by_digest: dict[int, list[PressItem]] = defaultdict(list)
    progress = err.isatty() and not args.json
    try:
        await server.start()
        latest = await server.latest_time(campaign)
        if latest is not None:
            err.write(f"greatwork simulate: {db_note(settings)} already has {campaign}\n")
            return 2
        queue = server.subscribe(campaign)
        await server.ensure_campaign(campaign, seed=args.seed)
        rng = random.Random(args.seed)
        players = [PlayerId(f"p{i + 1}") for i in range(args.players)]
        end = Instant(SEASON_START + args.days * DAY)
        slots = server.schedule.slots_between(SEASON_START, end)
        last = clock.now()
        moves = 0
        for index, slot in enumerate(slots):
            times = sorted(
                rng.randint(last, slot.at - 1)
                for _ in players
                for _ in range(rng.randint(0, 2))
                if slot.at - 1 >= last
            )
            for when in times:
                if when > clock.now():
                    await server.advance(Instant(when))
                moves += 1
                player = rng.choice(players)
                await _move(server, campaign, player, rng, moves, tally)
            await server.advance(slot.at)
            last = slot.at
            _drain(queue, json_out, by_digest, out, tally)
            if progress:
                done = (index + 1) * BAR // len(slots)
                err.write(f"\r[{'#' * done}{'-' * (BAR - done)}] {index + 1}/{len(slots)} slots")
                err.flush()
        if progress:
            err.write("\n")
        async for row in server.events(campaign):
            if row.kind == "ScholarDefected":
                tally.defections[str(json.loads(row.data).get("scholar", "?"))] += 1
        if json_out is None:
            _closing_table(server.committed_state(campaign), tally, args, out)
        return 0
    finally:
        await server.stop()


def db_note(settings: Settings) -> str:
    """How to name the journal in a message."""
    return str(settings.db_path)


async def _move(
    server: GameServer,
    campaign: CampaignId,
    player: PlayerId,
    rng: random.Random,
    n: int,
    tally: _Tally,
) -> None:
    state = server.committed_state(campaign)
    command = bot_move(state, player, rng, server.clock.now(), n)
    if command is None:
        return
    name = type(command).__name__
    try:
        await server.execute(campaign, command)
    except RuleError:
        tally.refused[name] += 1
        return
    tally.accepted[name] += 1


def _drain(
    queue: asyncio.Queue[Notice],
    json_out: JsonOutput | None,
    by_digest: dict[int, list[PressItem]],
    out: IO[str],
    tally: _Tally,
) -> None:
    while not queue.empty():
        notice = queue.get_nowait()
        if isinstance(notice, PressReleased):
            item = notice.item
            if json_out is not None:
                json_out.press(item)
            else:
                by_digest[item.digest].append(item)
        elif isinstance(notice, m.DigestDone):
            tally.digests += 1
            if json_out is not None:
                json_out.digest(notice)
            else:
                items = by_digest.pop(notice.number, [])
                out.write(gazette_text(items, year=notice.year, digest=notice.number) + "\n")


def _closing_table(
    state: CampaignState, tally: _Tally, args: argparse.Namespace, out: IO[str]
) -> None:
    out.write(
        f"\nSeason of {args.days} days, {args.players} players, seed {args.seed}: "
        f"{tally.digests} digests, year {state.year}, {state.seq} events.\n"
    )
    standings = [
        f"{p.display_name:<10} reputation {p.reputation:>4}  "
        + " ".join(f"{f[:3]}={v}" for f, v in p.influence.items())
        for p in sorted(state.players.values(), key=lambda p: (-p.reputation, p.id))
    ]
    landmarks = [f"{lm.tag:<24} {lm.player} ({lm.expedition})" for lm in state.landmarks]
    names = {str(k): v.name for k, v in (*state.retired.items(), *state.scholars.items())}
    defections = [
        f"{names.get(scholar, scholar):<28} {count}"
        for scholar, count in tally.defections.most_common()
    ]
    moves = [
        f"{name:<20} {tally.accepted[name]:>5} / {tally.refused[name]:<5}"
        for name in sorted(set(tally.accepted) | set(tally.refused))
    ]
    _section(out, "Standings", standings)
    _section(out, "Landmarks", landmarks)
    _section(out, "Defections", defections)
    _section(out, "Feuds (scholars cold toward a player)", _feuds(state))
    _section(out, "Moves accepted / refused", moves)


def _feuds(state: CampaignState) -> list[str]:
    feuds = []
    for scholar in state.scholars.values():
        for key, feeling in scholar.memory.feelings.items():
            if key.startswith("p:") and feeling <= FEUD_FEELING:
                player = state.players.get(PlayerId(key[2:]))
                who = player.display_name if player is not None else key[2:]
                feuds.append((feeling, scholar.name, who))
    return [f"{s:<28} vs {p:<10} {f:+.1f}" for f, s, p in sorted(feuds)[:10]]


def _section(out: IO[str], title: str, lines: list[str]) -> None:
    out.write(f"\n{title}:\n")
    for line in lines or ["none"]:
        out.write(f"  {line}\n")
