"""Measure a fresh server process on an existing journal; ``server_bench.py`` runs this.

A fresh process, so its RSS, threads and heap hold only what the server built from the
journal, never what the process that filled the journal left behind. It prints one JSON
object on stdout; times are seconds of ``time.perf_counter`` (wall) or ``time.process_time``
(CPU of every thread), memory in MB (10^6 bytes).

    server_child.py startup DB --at T          start, RSS, threads, one digest of all
    server_child.py recover DB --at T --campaign ID --spawned EPOCH
                                               cold start until the campaign answers
    server_child.py replay DB --campaign ID --repeats N
                                               Store.open, store.load and rebuild
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pykka
from server_load import PLAYERS, GcWatch, content, median, new_server, proc_status, rss_mb

from greatwork.actors import messages as m
from greatwork.actors.schedule import SlotKind
from greatwork.rules.constants import Confidence
from greatwork.rules.ids import CampaignId, Instant
from greatwork.rules.theory import SubmitTheory
from greatwork.store import Store, decode_snapshot, first_difference, rebuild


async def startup(db: Path, at: Instant) -> dict[str, Any]:
    """Start a server on the journal, then run one digest slot of every campaign."""
    loaded = time.perf_counter()
    content()
    out: dict[str, Any] = {"content_s": time.perf_counter() - loaded, "rss_before_mb": rss_mb()}
    server = new_server(db, at)
    with GcWatch() as watch:
        started = time.perf_counter()
        await server.start()
        out["start_s"] = time.perf_counter() - started
        out["start_gc"] = watch.summary()
    try:
        cids = server.campaign_ids()
        out["rss_mb"] = rss_mb()
        out["threads"] = proc_status("Threads")
        out["actors"] = len(pykka.ActorRegistry.get_all())
        out["campaigns"] = len(cids)
        scholars = sorted(len(server.committed_state(c).scholars) for c in cids)
        out["scholars"] = {"total": sum(scholars), "min": scholars[0], "max": scholars[-1]}
        before = {c: server.committed_state(c).seq for c in cids}
        out["events_before"] = sum(before.values())
        slot = server.schedule.next_slot(server.clock.now(), SlotKind.DIGEST)
        kinds = [s.kind.value for s in server.schedule.slots_between(server.clock.now(), slot.at)]
        with GcWatch() as watch:
            cpu = time.process_time()
            started = time.perf_counter()
            await server.advance_to_next_digest()
            out["digest_s"] = time.perf_counter() - started
            out["digest_cpu_s"] = time.process_time() - cpu
            out["digest_gc"] = watch.summary()
        out["digest_slots"] = kinds
        out["digest_events"] = sum(server.committed_state(c).seq - before[c] for c in cids)
        out["rss_after_digest_mb"] = rss_mb()
    finally:
        stopping = time.perf_counter()
        await server.stop()
        out["stop_s"] = time.perf_counter() - stopping
    return out


async def recover(db: Path, at: Instant, cid: CampaignId, spawned: float) -> dict[str, Any]:
    """Start a server on the journal and time it until the campaign answers a command."""
    out: dict[str, Any] = {"booted_s": time.time() - spawned}  # interpreter and imports
    loaded = time.perf_counter()
    content()
    out["content_s"] = time.perf_counter() - loaded
    server = new_server(db, at)
    started = time.perf_counter()
    await server.start()
    out["start_s"] = time.perf_counter() - started
    try:
        asked = time.perf_counter()
        seq = await server.ask(cid, m.Barrier())
        out["first_answer_s"] = time.perf_counter() - asked
        command = SubmitTheory(
            actor=PLAYERS[0],
            at=server.clock.now(),
            actor_name="Bench",
            theory="Recovery is quick",
            confidence=Confidence.SUSPECT,
        )
        sent = time.perf_counter()
        await server.execute(cid, command)
        out["first_command_s"] = time.perf_counter() - sent
        out["answered_after_spawn_s"] = time.time() - spawned
        out["events"] = seq
        out["rss_mb"] = rss_mb()
    finally:
        await server.stop()
    return out


def _timed(fn: Callable[[], object], repeats: int) -> tuple[float, Any]:
    times = []
    result: object = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return median(times), result


async def _timed_async(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times = []
    result: object = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = await fn()
        times.append(time.perf_counter() - started)
    return median(times), result


async def replay(db: Path, cid: CampaignId, repeats: int) -> dict[str, Any]:
    """Time the journal's open, ``store.load`` and ``rebuild``, with and without the snapshot."""
    out: dict[str, Any] = {"repeats": repeats}
    opened = time.perf_counter()
    store = await Store.open(db)
    out["open_s"] = time.perf_counter() - opened
    try:
        out["load_snapshot_s"], snap = await _timed_async(lambda: store.load(cid), repeats)
        out["load_all_s"], full = await _timed_async(
            lambda: store.load(cid, from_scratch=True), repeats
        )
    finally:
        await store.close()
    snapshot = snap.snapshot
    out["events"] = len(full.events)
    out["snapshot_seq"] = None if snapshot is None else snapshot.seq
    out["snapshot_kb"] = None if snapshot is None else len(snapshot.data) / 1000
    out["events_after_snapshot"] = len(snap.events)
    if snapshot is not None:
        out["decode_snapshot_s"], _ = _timed(lambda: decode_snapshot(snapshot), repeats)
    out["rebuild_snapshot_s"], quick = _timed(lambda: rebuild(snap), repeats)
    with GcWatch() as watch:
        # Once: it takes seconds, and its spread is small next to that.
        out["rebuild_all_s"], slow = _timed(lambda: rebuild(full, from_scratch=True), 1)
        out["rebuild_all_gc"] = watch.summary()
    out["same_state"] = first_difference(quick, slow) is None
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["startup", "recover", "replay"])
    parser.add_argument("db", type=Path)
    parser.add_argument("--at", type=int, default=0, help="the virtual clock's start")
    parser.add_argument("--campaign", default="")
    parser.add_argument("--spawned", type=float, default=time.time())
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.mode == "startup":
        out = asyncio.run(startup(args.db, Instant(args.at)))
    elif args.mode == "recover":
        out = asyncio.run(
            recover(args.db, Instant(args.at), CampaignId(args.campaign), args.spawned)
        )
    else:
        out = asyncio.run(replay(args.db, CampaignId(args.campaign), args.repeats))
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
