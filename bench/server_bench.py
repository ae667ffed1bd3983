"""Benchmarks of the game server (run by hand; the figures go in docs/benchmarks.md).

    .venv/bin/python bench/server_bench.py [latency|campaigns|recovery|all] [--quick]

1. latency: one campaign, 8 bot players, its roster grown by two weeks of play, the journal
   on disk. An open-loop load of 200 commands/s for 30 s: command i is due at t0 + i/200 and
   its latency runs from that time to its committed reply. Run A sends commands only, run B
   adds a digest every 5 s, run C repeats A timing the decision and the commit apart, run D
   repeats A with ``journal_sync = "normal"`` (no fsync per commit). A probe first times
   ``fsync`` on the journal's disk, the floor of a commit under the default ``full``.
   Target: p99 < 5 ms.
2. campaigns: 100 campaigns (seeds 1..100), each played for two weeks by 8 bots so its roster
   grows to ~30 scholars. A fresh process starts a server on that journal: start-up time, RSS
   (target < 300 MB), threads, and one digest slot across all of them (target < 1 s).
3. recovery: one campaign played by bots until its journal holds 100,000 events. Cold start
   of a fresh process until the campaign answers (target < 2 s); ``Store.open``,
   ``store.load`` and ``rebuild`` timed with and without the snapshot.

Every journal is a real SQLite file in a temporary folder; game time is a virtual clock.
Wall time is ``time.perf_counter``, CPU time ``time.process_time`` (all threads), memory
``VmRSS`` from ``/proc/self/status``. ``--quick`` runs each at a small scale in a few seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import random
import resource
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server_load import (
    GcWatch,
    LoadRun,
    Tally,
    fsync_probe,
    machine_busy,
    median,
    new_server,
    open_loop,
    percentile,
    play_days,
    play_slot,
)

from greatwork.config import Settings
from greatwork.rules.ids import CampaignId, Instant
from greatwork.rules.state import CampaignState
from greatwork.sim import SEASON_START
from greatwork.store import encode_snapshot

CHILD = Path(__file__).with_name("server_child.py")
CHILD_TIMEOUT = 600.0  # seconds; a child that takes longer is a finding of its own
LATENCY_TARGET_MS = 5.0
RSS_TARGET_MB = 300.0
DIGEST_TARGET_S = 1.0
RECOVERY_TARGET_S = 2.0


@dataclass(frozen=True, slots=True)
class Scale:
    """How big each benchmark is."""

    rate: float  # commands per second
    seconds: float  # length of each latency run
    digest_every: float  # seconds between digests in run B
    warm_days: float  # days of play before the latency runs
    campaigns: int
    campaign_days: float
    recovery_events: int
    repeats: int
    snapshot_every: int = Settings().snapshot_every  # the server's default


FULL = Scale(200, 30, 5, 14, 100, 14, 100_000, 3)
QUICK = Scale(200, 1, 0.5, 2, 4, 1, 2_000, 1)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f}"


def _verdict(value: float, target: float, unit: str) -> str:
    if value < target:
        return f"met ({value:.3g} {unit} < {target:g} {unit})"
    return f"MISSED by {value - target:.3g} {unit} ({value:.3g} {unit}, {value / target:.2f}x)"


# --- 1. command latency --------------------------------------------------------------------------


async def _latency(scale: Scale, folder: Path) -> dict[str, Any]:
    probe = fsync_probe(folder)
    row = [percentile(probe, q) for q in (50, 95, 99, 100)]
    print(
        f"  the disk: fsync after a 4 KiB write, {len(probe)} at 100/s (ms): p50 {_ms(row[0])}"
        f"  p95 {_ms(row[1])}  p99 {_ms(row[2])}  max {_ms(row[3])}"
    )
    out: dict[str, Any] = {"fsync_ms": [v * 1000 for v in row]}
    runs = (
        ("A", "commands only", 0.0, False, "full"),
        ("B", f"with a digest every {scale.digest_every:g} s", scale.digest_every, False, "full"),
        ("C", "commands only, timed in two stages", 0.0, True, "full"),
        ("D", 'commands only, journal_sync = "normal"', 0.0, False, "normal"),
    )
    for name, title, every, stages, sync in runs:
        out[name] = await _latency_run(
            scale, folder / f"latency-{name}.db", name, title, every, stages=stages, sync=sync
        )
    return out


async def _latency_run(
    scale: Scale,
    db: Path,
    name: str,
    title: str,
    every: float,
    *,
    stages: bool,
    sync: str,
) -> dict[str, Any]:
    """One run on a fresh journal and server: warm up, then the open-loop load."""
    cid = CampaignId("latency")
    server = new_server(db, SEASON_START, sync=sync)
    await server.start()
    try:
        await server.ensure_campaign(cid, seed=7)
        started = time.perf_counter()
        tally = await play_days(server, [cid], scale.warm_days, (0, 2), random.Random(7))
        state = server.committed_state(cid)
        warm = {
            "days": scale.warm_days,
            "s": time.perf_counter() - started,
            "commands": tally.accepted + tally.refused,
            "events": state.seq,
            "scholars": len(state.scholars),
            "players": len(state.players),
        }
        print(
            f"  run {name}, {title}. Fresh journal; warm-up: {scale.warm_days:g} days of bot "
            f"play ({warm['commands']} commands, {state.seq} events, {len(state.scholars)} "
            f"scholars, {len(state.players)} players, {warm['s']:.1f} s)"
        )
        with GcWatch() as watch:
            run = await open_loop(server, cid, scale.rate, scale.seconds, every, stages=stages)
        out = _load_report(run, watch, server.settings.snapshot_every)
        out["warm"] = warm
        state = server.committed_state(cid)
        out["snapshot_encode_s"] = median([_time(lambda: encode_snapshot(state)) for _ in range(5)])
        out["events_after"] = state.seq
        out["theories_after"] = len(state.theories)
        print(
            f"    encode_snapshot of the final state ({state.seq} events, {len(state.theories)} "
            f"theories), alone: {out['snapshot_encode_s'] * 1000:.1f} ms"
        )
    finally:
        await server.stop()
    return out


def _time(fn: Any) -> float:  # noqa: ANN401 (any callable)
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _load_report(run: LoadRun, watch: GcWatch, snapshot_every: int) -> dict[str, Any]:
    by: dict[str, list[float]] = {"accepted": [], "refused": [], "all": []}
    for sample in run.samples:
        by.setdefault(sample.outcome, []).append(sample.latency)
        by["all"].append(sample.latency)
    pickup = [s.started - s.due for s in run.samples]
    build = [s.built - s.started for s in run.samples]
    count = len(run.samples)
    accepted = len(by["accepted"])
    out: dict[str, Any] = {
        "commands": count,
        "accepted": accepted,
        "refused": len(by["refused"]),
        "failed": count - accepted - len(by["refused"]),
        "throughput_per_s": count / run.wall,
        "accepted_per_s": accepted / run.wall,
        "wall_s": run.wall,
        "cpu_s": run.cpu,
        "others_cpu_s": run.others,
        "events": run.events,
        "transactions": run.transactions,
        "batches": run.batches,
        "snapshots": run.snapshots,
        "digests": run.digests,
        "digest_s": [end - start for start, end in run.digest_windows],
        "gc": watch.summary(),
        "top_refusals": run.refusals.most_common(5),
    }
    print(
        f"    {count} commands due at {run.rate:g}/s for {run.seconds:g} s (open loop); "
        f"replies: {accepted} accepted ({accepted / count:.0%}), {out['refused']} refused, "
        f"{out['failed']} failed; throughput {out['throughput_per_s']:.1f} replies/s "
        f"({out['accepted_per_s']:.1f} accepted/s) over {run.wall:.2f} s"
    )
    print("    latency, scheduled time -> reply (ms):     p50      p95      p99      max")
    for outcome in ("accepted", "refused", "all"):
        values = by[outcome]
        row = [percentile(values, q) for q in (50, 95, 99, 100)]
        out[f"latency_{outcome}_ms"] = [v * 1000 for v in row]
        print(f"      {outcome:<38} {' '.join(_ms(v) for v in row)}")
    if run.ask:
        for stage, values in (("decided (ask)", run.ask), ("then committed", run.commit)):
            row = [percentile(values, q) for q in (50, 95, 99, 100)]
            out[f"stage_{stage.split()[0]}_ms"] = [v * 1000 for v in row]
            print(f"      accepted: {stage:<28} {' '.join(_ms(v) for v in row)}")
    row = [percentile(pickup, q) for q in (50, 95, 99, 100)]
    out["pickup_ms"] = [v * 1000 for v in row]
    print(f"      due -> loop starts it (queueing)       {' '.join(_ms(v) for v in row)}")
    out["build_median_ms"] = median(build) * 1000
    gc = out["gc"]
    print(
        f"    journal: {run.events} events in {run.transactions} transactions "
        f"({run.batches / max(1, run.transactions):.2f} batches each), {run.snapshots} "
        f"snapshot(s) (every {snapshot_every} events)\n"
        f"    CPU {run.cpu:.2f} s in {run.wall:.2f} s ({run.cpu / run.wall:.2f} cores; other "
        f"processes {run.others / run.wall:.2f} cores); "
        f"building a command (bot_move) median {out['build_median_ms']:.3f} ms; "
        f"GC: {gc['collections']} collections, {gc['gen2']} full, longest full "
        f"{gc['gen2_max_s'] * 1000:.1f} ms"
    )
    if run.digests:
        print(
            f"    digests: {run.digests}, advance + settle median "
            f"{median(out['digest_s']) * 1000:.1f} ms, max {max(out['digest_s']) * 1000:.1f} ms"
        )
    causes = _slow_causes(run, watch, snapshot_every, LATENCY_TARGET_MS / 1000)
    out["slow_accepted"] = causes
    slow = causes.pop("slow")
    print(
        f"    accepted commands slower than {LATENCY_TARGET_MS:g} ms: {slow} of {accepted}; "
        f"their time overlapped " + ", ".join(f"{name} ({count})" for name, count in causes.items())
    )
    causes["slow"] = slow
    refusals = ", ".join(f"{k} {v}" for k, v in out["top_refusals"])
    print(f"    most refused: {refusals}")
    p99 = out["latency_accepted_ms"][2]
    print(
        f"    target p99 < {LATENCY_TARGET_MS:g} ms (accepted): "
        f"{_verdict(p99, LATENCY_TARGET_MS, 'ms')}"
    )
    return out


def _slow_causes(run: LoadRun, watch: GcWatch, every: int, limit: float) -> dict[str, int]:
    """Which pauses the accepted commands slower than ``limit`` seconds overlapped.

    A full garbage collection stops every thread; the command whose batch carries a snapshot
    holds its campaign while the snapshot is encoded (from sending it to its reply), and a
    digest holds it while it runs. A command may overlap several; "none" is left to the
    rest (thread hand-offs under the GIL, fsync, other processes).
    """
    snapshots = [
        (s.built, s.done)
        for s in run.samples
        if s.outcome == "accepted" and (s.first_seq + s.events) // every > s.first_seq // every
    ]
    spans = {"a full GC": watch.full(), "a snapshot": snapshots, "a digest": run.digest_windows}
    slow = [s for s in run.samples if s.outcome == "accepted" and s.latency > limit]
    counts = {"slow": len(slow), **dict.fromkeys(spans, 0), "none of these": 0}
    for sample in slow:
        hit = [
            name
            for name, windows in spans.items()
            if any(start < sample.done and end > sample.due for start, end in windows)
        ]
        for name in hit:
            counts[name] += 1
        if not hit:
            counts["none of these"] += 1
    return counts


# --- 2. one hundred campaigns -------------------------------------------------------------------


async def _campaigns(scale: Scale, db: Path) -> tuple[dict[str, Any], Instant]:
    server = new_server(db, SEASON_START)
    await server.start()
    try:
        cids = [CampaignId(f"c{n:03d}") for n in range(1, scale.campaigns + 1)]
        started = time.perf_counter()
        for n, cid in enumerate(cids, start=1):
            await server.ensure_campaign(cid, seed=n)
        created = time.perf_counter() - started
        started = time.perf_counter()
        tally = await play_days(server, cids, scale.campaign_days, (0, 2), random.Random(100))
        played = time.perf_counter() - started
        events = sum(server.committed_state(c).seq for c in cids)
        out: dict[str, Any] = {
            "create_s": created,
            "play_s": played,
            "commands": tally.accepted + tally.refused,
            "accepted": tally.accepted,
            "events": events,
        }
        print(
            f"  built: {len(cids)} campaigns created in {created:.1f} s, then "
            f"{scale.campaign_days:g} days of play by 8 bots each in {played:.1f} s "
            f"({out['commands']} commands, "
            f"{tally.accepted} accepted); {events} events in the journal"
        )
        return out, server.clock.now()
    finally:
        await server.stop()


async def _child(*args: str) -> dict[str, Any]:
    """Run ``server_child.py`` with ``args``; its JSON answer."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(CHILD),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), CHILD_TIMEOUT)
    if process.returncode != 0:
        raise RuntimeError(
            f"{CHILD.name} {' '.join(args)} exited with {process.returncode}:\n"
            f"{stderr.decode(errors='replace')}"
        )
    answer: dict[str, Any] = json.loads(stdout.decode().splitlines()[-1])
    return answer


async def bench_campaigns(scale: Scale, folder: Path) -> dict[str, Any]:
    """Build 100 campaigns, then measure a fresh server on their journal."""
    print(f"\n2. {scale.campaigns} campaigns, one journal, one process")
    db = folder / "campaigns.db"
    out, at = await _campaigns(scale, db)
    child = await _child("startup", str(db), "--at", str(at))
    out["fresh"] = child
    print(
        f"  fresh process: content loaded in {child['content_s']:.2f} s (RSS "
        f"{child['rss_before_mb']:.0f} MB), then start() took {child['start_s']:.2f} s\n"
        f"    after start: RSS {child['rss_mb']:.0f} MB, {child['threads']} OS threads, "
        f"{child['actors']} actors, {child['campaigns']} campaigns, "
        f"{child['scholars']['total']} scholars ({child['scholars']['min']}.."
        f"{child['scholars']['max']} each), {child['events_before']} events\n"
        f"    one digest slot across all ({'+'.join(child['digest_slots'])}): "
        f"{child['digest_s'] * 1000:.0f} ms wall (advance + settle), "
        f"{child['digest_cpu_s'] * 1000:.0f} ms CPU, {child['digest_events']} events; "
        f"full GCs {child['digest_gc']['gen2']}, longest "
        f"{child['digest_gc']['gen2_max_s'] * 1000:.0f} ms; "
        f"RSS after {child['rss_after_digest_mb']:.0f} MB"
        f"\n    stop() {child['stop_s']:.2f} s"
    )
    print(f"  target RSS < {RSS_TARGET_MB:g} MB: {_verdict(child['rss_mb'], RSS_TARGET_MB, 'MB')}")
    print(
        f"  target digest < {DIGEST_TARGET_S:g} s: "
        f"{_verdict(child['digest_s'], DIGEST_TARGET_S, 's')}"
    )
    return out


# --- 3. recovery -------------------------------------------------------------------------------


async def _recovery(scale: Scale, db: Path, cid: CampaignId) -> tuple[dict[str, Any], Instant]:
    server = new_server(db, SEASON_START)
    await server.start()
    try:
        await server.ensure_campaign(cid, seed=11)
        rng = random.Random(11)
        tally = Tally()
        started = shown = time.perf_counter()
        slots = 0
        while server.committed_state(cid).seq < scale.recovery_events:
            done = await play_slot(server, [cid], (1, 3), rng)
            tally.accepted += done.accepted
            tally.refused += done.refused
            slots += 1
            if time.perf_counter() - shown > 10:
                shown = time.perf_counter()
                print(
                    f"    ... {server.committed_state(cid).seq} events after "
                    f"{shown - started:.0f} s",
                    file=sys.stderr,
                )
        built = time.perf_counter() - started
        state = server.committed_state(cid)
        out: dict[str, Any] = {
            "build_s": built,
            "events": state.seq,
            "slots": slots,
            "digests": state.last_digest,
            "commands": tally.accepted + tally.refused,
            "accepted": tally.accepted,
            "scholars": len(state.scholars),
            "retired": len(state.retired),
            "days": (server.clock.now() - SEASON_START) / 86_400,
        }
        encoded = [_time(lambda: encode_snapshot(state)) for _ in range(scale.repeats)]
        out["snapshot_encode_s"] = median(encoded)
        out["largest"] = _largest(state)
        print(
            f"  built by playing: {state.seq} events in {built:.1f} s "
            f"({state.seq / built:.0f} events/s): {slots} slots ({out['days']:.0f} game days, "
            f"{state.last_digest} digests), {out['commands']} commands ({tally.accepted} "
            f"accepted); {len(state.scholars)} scholars, {len(state.retired)} retired\n"
            f"    its state: largest collections "
            + ", ".join(f"{name} {size}" for name, size in out["largest"])
            + f"; encode_snapshot of it (on the campaign's thread every "
            f"{server.settings.snapshot_every} events) {out['snapshot_encode_s'] * 1000:.0f} ms"
        )
        return out, server.clock.now()
    finally:
        await server.stop()


def _largest(state: CampaignState) -> list[tuple[str, int]]:
    """The five largest collections of a campaign state, by number of entries."""
    sizes = []
    for field in dataclasses.fields(state):
        value = getattr(state, field.name)
        if isinstance(value, Mapping | tuple | frozenset):
            sizes.append((field.name, len(value)))
    return sorted(sizes, key=lambda pair: -pair[1])[:5]


def _size_mb(folder: Path, pattern: str) -> float:
    """The size of the files matching ``pattern`` (the journal and its WAL), in MB."""
    return sum(p.stat().st_size for p in folder.glob(pattern)) / 1e6


async def bench_recovery(scale: Scale, folder: Path) -> dict[str, Any]:
    """Build a long campaign, then time a cold start and the replay's stages."""
    print(f"\n3. Recovery of a campaign with {scale.recovery_events} journal events")
    db = folder / "recovery.db"
    cid = CampaignId("long")
    out, at = await _recovery(scale, db, cid)
    out["db_mb"] = _size_mb(folder, "recovery.db*")
    colds = []
    for _ in range(scale.repeats):
        spawned = time.time()
        colds.append(
            await _child(
                "recover", str(db), "--at", str(at), "--campaign", cid, "--spawned", str(spawned)
            )
        )
    out["cold"] = colds
    start = median([c["start_s"] for c in colds])
    answer = median([c["start_s"] + c["first_answer_s"] for c in colds])
    command = median([c["first_command_s"] for c in colds])
    process = median([c["answered_after_spawn_s"] for c in colds])
    out["cold_start_s"] = start
    out["cold_answer_s"] = answer
    print(
        f"  journal file {out['db_mb']:.1f} MB. Cold start, fresh process, median of "
        f"{len(colds)}:\n"
        f"    start() {start:.3f} s; start() + first answer (a Barrier ask) {answer:.3f} s; "
        f"then a first command committed in {command * 1000:.1f} ms\n"
        f"    from spawning the process to that reply: {process:.2f} s (interpreter, imports, "
        f"content {median([c['content_s'] for c in colds]):.2f} s, start, answer); "
        f"RSS {median([c['rss_mb'] for c in colds]):.0f} MB"
    )
    replay = await _child("replay", str(db), "--campaign", cid, "--repeats", str(scale.repeats))
    out["replay"] = replay
    print(
        f"  journal stages, fresh process, median of {replay['repeats']}:\n"
        f"    Store.open (checks the file, migrations, durable seqs) {replay['open_s']:.3f} s\n"
        f"    store.load with the snapshot (seq {replay['snapshot_seq']}, "
        f"{replay['snapshot_kb']:.0f} kB compressed, {replay['events_after_snapshot']} events "
        f"after it) {replay['load_snapshot_s'] * 1000:.1f} ms;"
        f" without (all {replay['events']} events) {replay['load_all_s'] * 1000:.0f} ms\n"
        f"    rebuild with the snapshot {replay['rebuild_snapshot_s'] * 1000:.1f} ms "
        f"(decoding the snapshot {replay.get('decode_snapshot_s', 0) * 1000:.1f} ms of it); "
        f"from scratch (once) {replay['rebuild_all_s']:.2f} s "
        f"({replay['rebuild_all_s'] / max(1, replay['events']) * 1e6:.1f} us an event); "
        f"same state: {replay['same_state']}"
    )
    per_event = replay["rebuild_all_s"] / max(1, replay["events"])
    every = scale.snapshot_every
    worst = answer + (every - 1 - replay["events_after_snapshot"]) * per_event
    out["cold_answer_worst_s"] = worst
    print(
        f"    worst case, {every - 1} events after the snapshot: about {worst:.2f} s "
        f"(the measured answer plus the missing events at {per_event * 1e6:.0f} us each)"
    )
    print(f"  target < {RECOVERY_TARGET_S:g} s: {_verdict(answer, RECOVERY_TARGET_S, 's')}")
    return out


# --- main ------------------------------------------------------------------------------------


async def bench_latency(scale: Scale, folder: Path) -> dict[str, Any]:
    """Measure command latency under an open-loop load."""
    print(
        f"\n1. Command latency: one campaign, 8 players, {scale.rate:g} commands/s for "
        f"{scale.seconds:g} s per run, journal on disk"
    )
    return await _latency(scale, folder)


BENCHES = {"latency": bench_latency, "campaigns": bench_campaigns, "recovery": bench_recovery}


async def _main(which: list[str], scale: Scale) -> dict[str, Any]:
    results: dict[str, Any] = {"scale": scale.__repr__(), "date": time.strftime("%Y-%m-%d")}
    with tempfile.TemporaryDirectory(prefix="greatwork-bench-") as scratch:
        for name in which:
            folder = Path(scratch) / name
            folder.mkdir()
            wall, busy, mine = time.perf_counter(), machine_busy(), _own_cpu()
            results[name] = await BENCHES[name](scale, folder)
            wall = time.perf_counter() - wall
            others = max(0.0, machine_busy() - busy - (_own_cpu() - mine))
            results[name]["others_cores"] = others / wall
            print(
                f"  ({name}: {wall:.0f} s; other processes on the machine used "
                f"{others / wall:.2f} cores on average meanwhile)"
            )
    return results


def _own_cpu() -> float:
    """CPU seconds of this process and of its finished children."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", maxsplit=1)[0] if __doc__ else None
    )
    parser.add_argument("bench", nargs="?", default="all", choices=[*BENCHES, "all"])
    parser.add_argument("--quick", action="store_true", help="a small scale, a few seconds")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    which = list(BENCHES) if args.bench == "all" else [args.bench]
    scale = QUICK if args.quick else FULL
    started = time.perf_counter()
    results = asyncio.run(_main(which, scale))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\n({'quick' if args.quick else 'full'} run: {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
