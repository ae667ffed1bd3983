"""Benchmark: Discord interactions through the loopback emulator and the real disnake client.

    .venv/bin/python bench/discord_bench.py [--seconds S] [--quick] [--think 2,1,0.5]
                                            [--one-process] [--json F]

Two processes. The bench's own holds the loopback Discord (``tests/discord/emulator.py``) and
the players; a second one, started with ``spawn`` (``bench/discord_bot_side.py``), runs the
production wiring of ``greatwork serve`` (:class:`greatwork.serve.Service`: the game server on
a real SQLite journal in a temporary folder, the disnake bot, the Gazette outbox) on a virtual
clock, connected to the emulator only by the Discord API over loopback, as a deployment is to
Discord. ``--one-process`` runs both in one process and one event loop instead (the first form
of this bench: the emulator's work and records then weigh on the bot's figures).

10 guilds of 5 players each: 50 players, each in a closed loop (send a command, wait for its
final answer, think, send the next) with a realistic mix of commands, autocomplete included.
Each guild is its own campaign, created by its players' first commands, and its first press is
posted, before the timing starts (the warm-up).

Phases of ``--seconds`` each (30 by default; ``--quick``: 3): one paced phase per think time
in ``--think`` (the mean pause between an answer and the next command, exponentially
distributed: 2 s, 1 s and 0.5 s by default, about 25, 50 and 100 interactions per second
from 50 players), then a saturated phase without think time: the most the bot handles.

Measured, on the emulator's side (as Discord, and so the player, sees it): interactions
handled per second, and the time from an interaction handed to the gateway to the bot's first
response (the emulator's ``rec.latency``: the callback of a reply, a deferral or autocomplete
choices), p50/p95/p99/max, overall and by command. Target: p99 < 50 ms on loopback. Also the
time to the final answer, the CPU time of the bot's process and of the bench's (every thread),
what other processes on the machine used meanwhile (``/proc/stat`` less both), and the garbage
collections of each process. In the two-process form the bench's process collects and freezes
its heap before each phase and runs without automatic collection during it, so that pauses of
the stand-in Discord (its records of every request) stay out of the figures; the bot's process
keeps Python's defaults (and ``GameServer``'s freeze after start-up), as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from discord_bot_side import BotSide, ChildBot, LocalBot
from server_load import GcWatch, machine_busy, percentile

from greatwork.bot.render import COLOUR_ERROR

ROOT: Final = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the emulator lives with the tests (the child inherits sys.path)

from tests.discord.emulator import DiscordEmulator, Guild, Member  # noqa: E402 (needs ROOT)

log = logging.getLogger("discord_bench")

P99_TARGET_MS: Final = 50.0
CHANNELS: Final = ("general", "orders", "gazette", "table-talk", "gw-admin")
FACTIONS: Final = ("academia", "government", "industry", "religion", "foreign")
CONFIDENCES: Final = ("suspect", "certain", "stake_my_career")

MIX: Final[Mapping[str, int]] = {
    "status": 20,
    "submit_theory": 12,
    "recruit": 8,
    "gazette": 10,
    "help": 8,
    "view_offers": 8,
    "scholar": 8,
    "theory_reference": 6,
    "table_talk": 5,
    "autocomplete scholar_id": 15,
}
"""Relative weights: views most, moves less, and autocomplete while a scholar is typed."""


@dataclass(slots=True)
class Sample:
    """One interaction: its command, first response and final answer (seconds), outcome."""

    kind: str
    first: float
    final: float
    outcome: str  # "ok", "refused", "deferred" (first response was a deferral)


@dataclass(slots=True)
class Table:
    """A guild and its players, and the scholar ids its campaign knows."""

    guild: Guild
    players: list[Member]
    scholars: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Run:
    """Everything one phase measured.

    ``cpu`` and ``gc`` are the bot's process's (in the one-process form: the whole process's);
    ``bench_cpu`` and ``bench_gc`` the bench's process's (emulator and players) when it is a
    separate one.
    """

    samples: list[Sample] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0
    bench_cpu: float | None = None
    others: float = 0.0
    calls: int = 0
    posts: int = 0
    gc: dict[str, float] = field(default_factory=dict)
    bench_gc: dict[str, float] | None = None
    tracked: int = 0


class Player:
    """One player: picks commands from the mix, sends them, and waits for each answer."""

    def __init__(self, emu: DiscordEmulator, table: Table, member: Member, seed: int) -> None:
        self._emu = emu
        self._table = table
        self._member = member
        self._rng = random.Random(seed)
        self._kinds = list(MIX)
        self._weights = list(MIX.values())
        self._sent = 0

    async def play(self, until: float, run: Run, think: float) -> None:
        """Send commands until the loop's clock passes ``until``.

        Between an answer and the next command the player thinks for a random time, on average
        ``think`` seconds (exponentially distributed; none when 0).
        """
        loop = asyncio.get_running_loop()
        if think > 0:  # players start apart, not all in the same millisecond
            await asyncio.sleep(self._rng.uniform(0, think))
        while loop.time() < until:
            kind = self._rng.choices(self._kinds, self._weights)[0]
            run.samples.append(await self.one(kind))
            if think > 0:
                await asyncio.sleep(min(self._rng.expovariate(1 / think), until - loop.time()))

    async def one(self, kind: str) -> Sample:
        """Send one interaction of ``kind`` and wait for its final answer."""
        self._sent += 1
        if kind.startswith("autocomplete"):
            loop = asyncio.get_running_loop()
            started = loop.time()
            typed = self._rng.choice(self._table.scholars)[2:4]
            await self._emu.autocomplete(
                self._table.guild, self._member, "recruit", focused="scholar_id", value=typed
            )
            took = loop.time() - started
            return Sample(kind, took, took, "ok")
        record = await self._emu.invoke(
            self._table.guild, self._member, kind, self._options(kind), channel="general"
        )
        await record.done(timeout=30)
        if record.callback is None or record.latency is None:  # pragma: no cover (done() waits)
            raise RuntimeError(f"/{kind} has no answer after done()")
        final = asyncio.get_running_loop().time() - record.injected
        if record.callback["type"] == 5:
            outcome = "deferred"
        else:
            colour = (record.original or {}).get("embeds", [{}])[0].get("color")
            outcome = "refused" if colour == COLOUR_ERROR else "ok"
        return Sample(kind, record.latency, final, outcome)

    def _options(self, kind: str) -> dict[str, Any]:
        rng = self._rng
        options: Mapping[str, Callable[[], dict[str, Any]]] = {
            "submit_theory": lambda: {
                "theory": f"{self._member.name}'s conjecture No. {self._sent}",
                "confidence": rng.choice(CONFIDENCES),
            },
            "recruit": lambda: {
                "scholar_id": rng.choice(self._table.scholars),
                "faction": rng.choice(FACTIONS),
            },
            "gazette": lambda: {"limit": 5},
            "help": lambda: rng.choice([{}, {"command": "submit_theory"}]),
            "scholar": lambda: {"scholar_id": rng.choice(self._table.scholars)},
            "theory_reference": lambda: {"limit": 8},
            "table_talk": lambda: {"message": f"{self._member.name} says hello ({self._sent})"},
        }
        make = options.get(kind)
        return {} if make is None else make()


def _emulator_world(emu: DiscordEmulator, guilds: int, players: int) -> list[Table]:
    tables = []
    for n in range(guilds):
        guild = emu.add_guild(f"Guild {n + 1}", channels=CHANNELS)
        members = [emu.add_member(guild, f"P{n + 1}-{k + 1}") for k in range(players)]
        tables.append(Table(guild, members))
    return tables


async def _synced(emu: DiscordEmulator, side: BotSide) -> None:
    """Wait until disnake's start-up command sync is over.

    The sync task holds its lock from before its first GET of the commands until after its
    PUT: once the emulator has seen that GET, the bot's side waits for the lock.
    """
    fetch = f"/applications/{emu.application_id}/commands"
    await emu.wait_for(lambda: any(c.method == "GET" and c.path == fetch for c in emu.calls), 30)
    await side.synced()


async def _warm_up(emu: DiscordEmulator, side: BotSide, tables: list[Table]) -> None:
    """Every player's first /status (it creates each guild's campaign); learn the scholars."""
    for table in tables:
        first = await emu.invoke(table.guild, table.players[0], "status", channel="general")
        await first.done(timeout=30)
    known = await side.scholars([t.guild.id for t in tables])
    for table in tables:
        table.scholars = known[table.guild.id]
    records = [
        await emu.invoke(t.guild, p, "status", channel="general") for t in tables for p in t.players
    ]
    await asyncio.gather(*(r.done(timeout=30) for r in records))
    # The campaigns' first press (some twenty items each) is posted before the timing starts.
    released = await side.released([t.guild.id for t in tables])
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while len(_footers(emu)) < released:
        if loop.time() > deadline:
            raise RuntimeError("the campaigns' first press was not posted within 60 s")
        await asyncio.sleep(0.05)


def _footers(emu: DiscordEmulator) -> list[str]:
    """The footers of the Gazette stories posted so far (``No. 12 · Academic Gossip``)."""
    return [
        embed["footer"]["text"]
        for message in emu.store.by_id.values()
        if "interaction_metadata" not in message
        for embed in message.get("embeds") or []
        if embed.get("footer", {}).get("text", "").startswith("No. ")
    ]


async def bench(
    seconds: float,
    guilds: int,
    players: int,
    thinks: list[float],
    seed: int,
    *,
    one_process: bool = False,
) -> dict[str, Any]:
    """Run a paced load for each think time, then the saturating one; return the figures."""
    with tempfile.TemporaryDirectory(prefix="discord-bench-") as tmp:
        emu = DiscordEmulator()
        await emu.start()
        tables = _emulator_world(emu, guilds, players)
        errors: list[str] = []
        side: BotSide | None = None
        try:
            kind = LocalBot if one_process else ChildBot
            side = await kind.start(Path(tmp), emu.api_base, emu.token)
            await _synced(emu, side)
            await _warm_up(emu, side, tables)
            crowd = [
                Player(emu, t, m, seed * 1000 + n)
                for n, (t, m) in enumerate((t, m) for t in tables for m in t.players)
            ]
            split = not one_process
            paced = [await _phase(emu, side, crowd, seconds, think, split) for think in thinks]
            saturated = await _phase(emu, side, crowd, seconds, 0.0, split)
            rejected = [str(r) for r in emu.rejections]
            heap = {"bot_tracked": saturated.tracked}
            heap |= _heap(emu) if one_process else {"bench_tracked": len(gc.get_objects())}
        finally:
            try:
                if side is not None:
                    errors = await side.stop()
            finally:
                await emu.stop()
                if errors:
                    log.warning("the bot reported errors: %s", errors[:5])
    return {
        "form": "one process" if one_process else "two processes",
        "guilds": guilds,
        "players": guilds * players,
        "paced": [_report(run, seconds, think) for run, think in zip(paced, thinks, strict=True)],
        "saturated": _report(saturated, seconds, 0.0),
        "errors": errors,
        "rejections": rejected,
        "heap": heap,
    }


def _heap(emu: DiscordEmulator) -> dict[str, int]:
    """Objects the garbage collector tracks, and how many go with the emulator's records.

    The emulator keeps every request, frame, interaction and message it saw; a full collection
    walks them all. Dropping those records (the run is over) shows their share of the heap.
    """
    gc.collect()
    tracked = len(gc.get_objects())
    emu.calls.clear()
    emu.gateway_log.clear()
    for session in emu.gateway.sessions.values():
        session.sent.clear()
    emu.store.by_id.clear()
    emu.store.by_channel.clear()
    emu.book.by_id.clear()
    emu.book.by_token.clear()
    gc.collect()
    return {"process_tracked": tracked, "emulator_records": tracked - len(gc.get_objects())}


async def _phase(
    emu: DiscordEmulator,
    side: BotSide,
    crowd: list[Player],
    seconds: float,
    think: float,
    split: bool,  # noqa: FBT001 (positional like the rest)
) -> Run:
    run = Run()
    calls, posted = len(emu.calls), _channel_posts(emu)
    loop = asyncio.get_running_loop()
    await side.begin()
    if split:  # the stand-in Discord's heap is frozen and left uncollected during the phase
        gc.collect()
        gc.freeze()
        gc.disable()
    try:
        busy, cpu, started = machine_busy(), time.process_time(), loop.time()
        with GcWatch() as watch:
            await asyncio.gather(*(p.play(started + seconds, run, think) for p in crowd))
        run.wall = loop.time() - started
        own = time.process_time() - cpu
        total = machine_busy() - busy
    finally:
        gc.enable()
    bot = await side.end()
    run.cpu, run.gc, run.tracked = bot["cpu_s"], bot["gc"], bot["tracked"]
    if split:
        run.bench_cpu, run.bench_gc = own, watch.summary()
        run.others = total - own - run.cpu
    else:
        run.others = total - run.cpu
    run.calls = len(emu.calls) - calls
    run.posts = _channel_posts(emu) - posted
    return run


def _channel_posts(emu: DiscordEmulator) -> int:
    return sum(1 for c in emu.calls if c.method == "POST" and c.path.startswith("/channels/"))


def _row(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": percentile(values, 50) * 1000,
        "p95_ms": percentile(values, 95) * 1000,
        "p99_ms": percentile(values, 99) * 1000,
        "max_ms": max(values) * 1000,
    }


def _report(run: Run, seconds: float, think: float) -> dict[str, Any]:
    samples = run.samples
    by_kind: dict[str, list[Sample]] = {}
    for sample in samples:
        by_kind.setdefault(sample.kind, []).append(sample)
    outcomes = ("ok", "refused", "deferred")
    out: dict[str, Any] = {
        "seconds": seconds,
        "think_s": think,
        "interactions": len(samples),
        "per_second": len(samples) / run.wall,
        "first_response": _row([s.first for s in samples]),
        "final_answer": _row([s.final for s in samples]),
        "outcomes": {o: sum(1 for s in samples if s.outcome == o) for o in outcomes},
        "rest_calls": run.calls,
        "channel_posts": run.posts,
        "cpu_s": run.cpu,
        "cpu_cores": run.cpu / run.wall,
        "cpu_ms_per_interaction": run.cpu / max(1, len(samples)) * 1000,
        "bench_cpu_cores": None if run.bench_cpu is None else run.bench_cpu / run.wall,
        "others_cpu_cores": run.others / run.wall,
        "machine_cores": os.cpu_count() or 1,
        "over_target": sum(1 for s in samples if s.first * 1000 >= P99_TARGET_MS),
        "gc": run.gc,
        "bench_gc": run.bench_gc,
        "by_kind": {
            kind: {"count": len(group), **_row([s.first for s in group])}
            for kind, group in sorted(by_kind.items(), key=lambda kv: -len(kv[1]))
        },
    }
    out["p99_met"] = out["first_response"]["p99_ms"] < P99_TARGET_MS
    return out


def _print_phase(title: str, out: dict[str, Any]) -> None:
    first, final = out["first_response"], out["final_answer"]
    verdict = "met" if out["p99_met"] else "MISSED"
    print(
        f"{title}: {out['interactions']} interactions in {out['seconds']:g} s, "
        f"{out['per_second']:.0f} per second; {out['outcomes']}"
    )
    print(
        f"  first response (ms): p50 {first['p50_ms']:.2f}  p95 {first['p95_ms']:.2f}  "
        f"p99 {first['p99_ms']:.2f}  max {first['max_ms']:.2f}"
    )
    print(
        f"  final answer   (ms): p50 {final['p50_ms']:.2f}  p95 {final['p95_ms']:.2f}  "
        f"p99 {final['p99_ms']:.2f}  max {final['max_ms']:.2f}"
    )
    if out["think_s"] > 0:
        print(f"  target p99 < {P99_TARGET_MS:g} ms: {verdict} ({first['p99_ms']:.2f} ms)")
    else:
        print(
            "  not a latency test: every player always has a command waiting, so the mean wait "
            f"is players / throughput (Little's law); p99 {first['p99_ms']:.2f} ms"
        )
    bench_cores = out["bench_cpu_cores"]
    where = "the process" if bench_cores is None else "the bot's process"
    beside = "" if bench_cores is None else f"; {bench_cores:.2f} cores for emulator and players"
    print(
        f"  CPU: {out['cpu_s']:.1f} s, {out['cpu_cores']:.2f} cores for {where} "
        f"({out['cpu_ms_per_interaction']:.1f} ms per interaction){beside}; "
        f"{out['others_cpu_cores']:.2f} cores for other processes ({out['machine_cores']} in all)"
    )
    gc, bench_gc = out["gc"], out["bench_gc"]
    print(
        f"  {out['over_target']} first responses took {P99_TARGET_MS:g} ms or more; garbage "
        f"collections in {where}: {gc['collections']:.0f}, {gc['gen2']:.0f} full, the longest "
        f"full one {gc['gen2_max_s'] * 1000:.1f} ms, {gc['total_s'] * 1000:.0f} ms in all"
        + ("" if bench_gc is None else f"; in the bench's: {bench_gc['collections']:.0f}")
    )
    print(
        f"  REST calls answered by the emulator: {out['rest_calls']} "
        f"({out['channel_posts']} channel posts)"
    )
    print(f"    {'command':<26}{'count':>7}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}")
    for kind, row in out["by_kind"].items():
        print(
            f"    {kind:<26}{row['count']:>7}{row['p50_ms']:>9.2f}{row['p95_ms']:>9.2f}"
            f"{row['p99_ms']:>9.2f}{row['max_ms']:>9.2f}"
        )


def _print(out: dict[str, Any]) -> None:
    print(
        f"{out['players']} players in {out['guilds']} guilds, each in a closed loop; "
        f"emulator and bot in {out['form']}"
    )
    for paced in out["paced"]:
        _print_phase(f"Paced (think {paced['think_s']:g} s on average between answers)", paced)
    _print_phase("Saturated (no think time: the most the bot handles)", out["saturated"])
    heap = out["heap"]
    if "emulator_records" in heap:
        print(
            f"Heap at the end: {heap['process_tracked']:,} objects tracked by the garbage "
            f"collector, {heap['emulator_records']:,} of them the emulator's records of the run"
        )
    else:
        print(
            f"Heap at the end: {heap['bot_tracked']:,} objects tracked by the garbage collector "
            f"in the bot's process, {heap['bench_tracked']:,} in the bench's"
        )
    if out["errors"] or out["rejections"]:
        print(f"PROBLEMS: errors {out['errors'][:5]}, rejections {out['rejections'][:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the run")
    parser.add_argument("--quick", action="store_true", help="a 3-second run")
    parser.add_argument("--guilds", type=int, default=10)
    parser.add_argument("--players", type=int, default=5, help="players per guild")
    parser.add_argument(
        "--think",
        default="2,1,0.5",
        help="mean seconds a player waits between answer and command, one paced phase each",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--one-process",
        action="store_true",
        help="run the bot in the bench's process and event loop, beside the emulator",
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    seconds = 3.0 if args.quick else args.seconds
    thinks = [float(t) for t in args.think.split(",") if t.strip()]
    if any(t <= 0 for t in thinks):
        parser.error(f"--think takes positive seconds, got {args.think!r}")
    out = asyncio.run(
        bench(seconds, args.guilds, args.players, thinks, args.seed, one_process=args.one_process)
    )
    _print(out)
    if args.json is not None:
        args.json.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
