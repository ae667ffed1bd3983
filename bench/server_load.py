"""What the server benchmarks share: a server on a journal, bots that play, an open-loop load.

Used by ``server_bench.py`` and ``server_child.py`` (run those; this module is a library).
Game time is a :class:`VirtualClock`; wall time is ``time.perf_counter``; CPU time is
``time.process_time`` (every thread of the process).
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import math
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from greatwork.actors import messages as m
from greatwork.actors.clock import VirtualClock
from greatwork.actors.runtime import GameServer
from greatwork.actors.types import UnavailableError
from greatwork.config import Settings
from greatwork.content import load_content
from greatwork.rules.command import Command
from greatwork.rules.content import Content
from greatwork.rules.errors import RuleError
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.sim import bot_move

PLAYERS = tuple(PlayerId(f"p{i}") for i in range(1, 9))
_CONTENT: list[Content] = []
_MOVE_NUMBERS = itertools.count(1)  # expedition codes must be unique within a campaign


def content() -> Content:
    """The packaged content, loaded once per process."""
    if not _CONTENT:
        _CONTENT.append(load_content())
    return _CONTENT[0]


def new_server(db: Path, at: Instant, *, sync: str = "full") -> GameServer:
    """A server (not started) on the journal at ``db`` with a virtual clock at ``at``."""
    settings = Settings(db_path=db, journal_sync=sync)
    return GameServer(settings, content(), clock=VirtualClock(at))


def fsync_probe(folder: Path, count: int = 500, rate: float = 100.0) -> list[float]:
    """Seconds each of ``count`` ``fsync`` calls took after a 4 KiB write, ``rate`` a second.

    What the disk under the journal gives a ``synchronous=FULL`` commit, which syncs the WAL
    once: the floor of a command's commit time, and the source of its slow tail.
    """
    path = folder / "fsync-probe"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    took = []
    try:
        for i in range(count):
            os.pwrite(fd, b"x" * 4096, (i % 64) * 4096)
            start = time.perf_counter()
            os.fsync(fd)
            took.append(time.perf_counter() - start)
            time.sleep(1 / rate)
    finally:
        os.close(fd)
        path.unlink()
    return took


def proc_status(name: str) -> int:
    """A number from ``/proc/self/status`` (``VmRSS`` is in kB, ``Threads`` a count)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        key, _, value = line.partition(":")
        if key == name:
            return int(value.split()[0])
    raise KeyError(f"/proc/self/status has no field {name!r}")


def machine_busy() -> float:
    """Seconds of CPU every process on the machine has used since boot (``/proc/stat``).

    The difference over a run, less this process's CPU time, is what other processes took:
    on a 2-core machine that is time the benchmark could not have.
    """
    fields = Path("/proc/stat").read_text(encoding="ascii").splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def rss_mb() -> float:
    """The resident set size of this process, in MB (10^6 bytes)."""
    return proc_status("VmRSS") * 1024 / 1e6


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 < q <= 100) of ``values``; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    """The median (the 50th percentile, nearest rank); NaN when empty."""
    return percentile(values, 50)


class GcWatch:
    """Record every collection of the cyclic garbage collector (any thread): when, how long.

    A collection holds the GIL throughout, so every thread of the process stops meanwhile.
    """

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float, float]] = []  # generation, start, end
        self._started = 0.0

    def __enter__(self) -> Self:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], self._started, time.perf_counter()))

    def full(self) -> list[tuple[float, float]]:
        """The (start, end) of every full collection (generation 2)."""
        return [(start, end) for generation, start, end in self.pauses if generation == 2]

    def summary(self) -> dict[str, float]:
        """How many collections, how many full ones, the longest full one and the total."""
        full = [end - start for start, end in self.full()]
        return {
            "collections": len(self.pauses),
            "gen2": len(full),
            "gen2_max_s": max(full, default=0.0),
            "total_s": sum(end - start for _, start, end in self.pauses),
        }


# --- bots playing through the server -----------------------------------------------------------


@dataclass(slots=True)
class Tally:
    """Commands the bots sent, by outcome."""

    accepted: int = 0
    refused: int = 0


async def move(server: GameServer, cid: CampaignId, player: PlayerId, rng: random.Random) -> str:
    """Send one bot move as ``player``; returns ``accepted``, ``refused`` or ``passed``."""
    state = server.committed_state(cid)
    command = bot_move(state, player, rng, server.clock.now(), next(_MOVE_NUMBERS))
    if command is None:
        return "passed"
    try:
        await server.execute(cid, command)
    except RuleError:
        return "refused"
    return "accepted"


async def _player(
    server: GameServer, cid: CampaignId, player: PlayerId, moves: int, rng: random.Random
) -> Counter[str]:
    return Counter([await move(server, cid, player, rng) for _ in range(moves)])


async def play_slot(
    server: GameServer, cids: Sequence[CampaignId], moves: tuple[int, int], rng: random.Random
) -> Tally:
    """Each of the 8 players of each campaign makes ``randint(*moves)`` moves, then time moves.

    A player's moves go one after the other; players and campaigns play at the same time,
    so the journal commits their batches in groups. Then the virtual clock advances to the
    next digest or symposium slot and the server settles.
    """
    games = [
        _player(server, cid, player, rng.randint(*moves), random.Random(rng.random()))
        for cid in cids
        for player in PLAYERS
    ]
    counts = sum(await asyncio.gather(*games), Counter[str]())
    slot = server.schedule.next_slot(server.clock.now())
    await server.advance(slot.at)
    return Tally(accepted=counts["accepted"], refused=counts["refused"])


async def play_days(
    server: GameServer,
    cids: Sequence[CampaignId],
    days: float,
    moves: tuple[int, int],
    rng: random.Random,
) -> Tally:
    """Play every slot of the next ``days`` days (see :func:`play_slot`)."""
    end = server.clock.now() + days * 86_400
    tally = Tally()
    while server.schedule.next_slot(server.clock.now()).at <= end:
        done = await play_slot(server, cids, moves, rng)
        tally.accepted += done.accepted
        tally.refused += done.refused
    return tally


# --- the open-loop load -----------------------------------------------------------------------


@dataclass(slots=True)
class Sample:
    """One command of the open-loop load; times in seconds of ``perf_counter``."""

    due: float
    started: float = math.nan
    built: float = math.nan
    done: float = math.nan
    outcome: str = "pending"
    first_seq: int = -1  # accepted: the journal seq of its first event
    events: int = 0  # accepted: how many events it journaled

    @property
    def latency(self) -> float:
        """From the scheduled time to the committed reply (or the refusal)."""
        return self.done - self.due


@dataclass(slots=True)
class LoadRun:
    """What an open-loop run measured."""

    rate: float
    seconds: float
    samples: list[Sample]
    refusals: Counter[str] = field(default_factory=Counter)
    digests: int = 0
    digest_windows: list[tuple[float, float]] = field(default_factory=list)  # start, end
    wall: float = 0.0
    cpu: float = 0.0
    others: float = 0.0  # CPU seconds other processes used meanwhile
    events: int = 0
    transactions: int = 0
    batches: int = 0
    snapshots: int = 0
    ask: list[float] = field(default_factory=list)  # accepted commands: until decided
    commit: list[float] = field(default_factory=list)  # then until committed


async def open_loop(
    server: GameServer,
    cid: CampaignId,
    rate: float,
    seconds: float,
    digest_every: float,
    *,
    stages: bool = False,
) -> LoadRun:
    """Send ``rate`` bot commands a second for ``seconds``, on a schedule, whatever the replies.

    A thread of its own plays the clients: it sleeps until command i's time ``t0 + i/rate``
    and hands it to the event loop with ``call_soon_threadsafe``, as a front end's socket
    would. The loop builds the command (:func:`bot_move` on the committed state) and sends
    it. Latency counts from the scheduled time, so any queueing (in the thread's wake-up,
    the loop, the actor's inbox or the journal) counts. With ``digest_every`` > 0, the virtual
    clock jumps to the next digest slot that often, so digests run under the load.

    With ``stages``, each command goes through the two steps of ``GameServer.execute``
    (ask the campaign to decide, then wait until the journal has committed), timed apart.
    """
    loop = asyncio.get_running_loop()
    store = server.store
    if store is None:
        raise UnavailableError("the server is not running")
    count = round(rate * seconds)
    t0 = time.perf_counter() + 0.1
    run = LoadRun(rate=rate, seconds=seconds, samples=[Sample(t0 + i / rate) for i in range(count)])
    rng = random.Random(count)
    tasks: list[asyncio.Task[None]] = []
    finished = asyncio.Event()
    seq0 = server.committed_state(cid).seq
    stats0 = store.stats()

    def spawn(index: int) -> None:
        sample = run.samples[index]
        tasks.append(loop.create_task(_send(server, cid, rng, run, sample, stages=stages)))
        if index == count - 1:
            finished.set()

    def clients() -> None:
        for index, sample in enumerate(run.samples):
            delay = sample.due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            loop.call_soon_threadsafe(spawn, index)

    cpu0 = time.process_time()
    busy0 = machine_busy()
    digests = (
        loop.create_task(_digests(server, run, t0, digest_every, t0 + seconds))
        if digest_every > 0
        else None
    )
    thread = threading.Thread(target=clients, name="bench-clients", daemon=True)
    thread.start()
    await finished.wait()
    await asyncio.gather(*tasks)
    if digests is not None:
        await digests
    run.cpu = time.process_time() - cpu0
    run.others = max(0.0, machine_busy() - busy0 - run.cpu)
    run.wall = max(s.done for s in run.samples) - t0
    thread.join()
    stats = store.stats()
    seq = server.committed_state(cid).seq
    run.events = seq - seq0
    every = server.settings.snapshot_every
    run.snapshots = seq // every - seq0 // every
    run.transactions = stats.transactions - stats0.transactions
    run.batches = stats.batches - stats0.batches
    return run


async def _send(
    server: GameServer,
    cid: CampaignId,
    rng: random.Random,
    run: LoadRun,
    sample: Sample,
    *,
    stages: bool,
) -> None:
    sample.started = time.perf_counter()
    player = PLAYERS[rng.randrange(len(PLAYERS))]
    command = bot_move(
        server.committed_state(cid), player, rng, server.clock.now(), next(_MOVE_NUMBERS)
    )
    sample.built = time.perf_counter()
    if command is None:
        sample.outcome = "pass"
        sample.done = sample.built
        return
    try:
        if stages:
            sample.first_seq, sample.events = await _two_stages(server, cid, command, run)
        else:
            outcome = await server.execute(cid, command)
            sample.first_seq, sample.events = outcome.first_seq, len(outcome.events)
    except RuleError as error:
        sample.outcome = "refused"
        run.refusals[f"{type(command).__name__}: {type(error).__name__}"] += 1
    except UnavailableError:
        sample.outcome = "failed"
    else:
        sample.outcome = "accepted"
    sample.done = time.perf_counter()


async def _two_stages(
    server: GameServer, cid: CampaignId, command: Command, run: LoadRun
) -> tuple[int, int]:
    """What ``GameServer.execute`` does, with a clock between deciding and committing.

    Returns the first seq and the number of the command's events.
    """
    store = server.store
    if store is None:
        raise UnavailableError("the server is not running")
    asked = time.perf_counter()
    accepted: m.Accepted = await server.ask(cid, m.Execute(command))
    decided = time.perf_counter()
    if accepted.events:
        await store.wait_durable(cid, accepted.last_seq)
    run.ask.append(decided - asked)
    run.commit.append(time.perf_counter() - decided)
    return accepted.first_seq, len(accepted.events)


async def _digests(server: GameServer, run: LoadRun, t0: float, every: float, until: float) -> None:
    """Move the virtual clock to the next digest slot every ``every`` seconds of the run."""
    at = t0 + every / 2
    while at < until:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        started = time.perf_counter()
        await server.advance_to_next_digest()
        run.digest_windows.append((started, time.perf_counter()))
        run.digests += 1
        at += every
