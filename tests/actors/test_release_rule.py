"""Released exactly once, invisible until due: the release rule through the real server.

An item is public when its ``release_at`` has come on the game clock, except a delayed item
(a layered follow-up) that fell due after a pause began: that one waits for the resume. The
press desk, the readers (``press``, ``press_item``, the searches) and a restarted server all
follow the one rule (:class:`greatwork.store.reader.Visibility`).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from greatwork.actors import messages as m
from greatwork.actors.clock import VirtualClock
from greatwork.actors.press_desk import Hold, NextRelease, PressDeskActor, Restore
from greatwork.actors.runtime import GameServer, Notice, PressReleased
from greatwork.config import Settings
from greatwork.press.item import PressItem
from greatwork.rules.ids import Instant
from greatwork.rules.pause import PauseGame, ResumeGame
from greatwork.store import PressRow, Visibility
from tests.actors.conftest import START, ServerFactory
from tests.actors.test_layer_release import (
    ADA,
    C1,
    DIGEST_1,
    DIGEST_2,
    FIRST_LAYER,
    HOUR,
    MINUTE,
    breaking_expedition,
    drain,
    items,
    layers,
    started,
)
from tests.commands.local import shared_content


class Recorder:
    """Every notice of a campaign with the game clock's time when it reached the loop."""

    def __init__(self, server: GameServer) -> None:
        self.server = server
        self.queue = server.subscribe(C1)
        self.seen: list[tuple[Notice, Instant]] = []
        self._task = asyncio.get_running_loop().create_task(self._listen())

    async def _listen(self) -> None:
        while True:
            notice = await self.queue.get()
            self.seen.append((notice, self.server.clock.now()))

    async def close(self) -> None:
        self._task.cancel()
        with suppress(asyncio.CancelledError):
            await self._task
        self.server.unsubscribe(self.queue)

    def press(self) -> list[tuple[PressItem, Instant]]:
        return [(n.item, at) for n, at in self.seen if isinstance(n, PressReleased)]


@asynccontextmanager
async def restarted(
    settings: Settings, at: int
) -> AsyncIterator[tuple[GameServer, asyncio.Queue[Notice]]]:
    """A server on the same journal, listened to from before it starts (and stopped after)."""
    server = GameServer(settings, shared_content(), clock=VirtualClock(Instant(at)))
    queue = server.subscribe(C1)  # before start: whatever start-up releases is seen
    await server.start()
    try:
        yield server, queue
    finally:
        await server.stop()


async def test_a_restart_after_a_layer_went_out_does_not_release_it_again(
    make_server: ServerFactory, settings: Settings
) -> None:
    server, queue = await started(make_server)
    first_run = items(drain(queue))
    restart_at = Instant(FIRST_LAYER + 20 * MINUTE)  # 14:20: two remarks out, nothing since 13:00
    await server.advance(restart_at)
    first_run += items(drain(queue))
    out_before = [p for p in layers(first_run) if p.release_at <= restart_at]
    assert [p.release_at for p in out_before] == [FIRST_LAYER, FIRST_LAYER + 15 * MINUTE]
    latest = (await server.journal(C1, limit=1))[0].at
    assert latest == DIGEST_1  # the journal's newest event is older than what went out
    await server.stop()

    async with restarted(settings, restart_at) as (again, queue):
        await again.settle()
        assert drain(queue) == []  # nothing comes out at start
        await again.advance(DIGEST_2)
        second_run = items(drain(queue))
        counts = Counter(p.id for p in first_run + second_run)
        assert sorted(counts) == list(range(min(counts), max(counts) + 1))  # none lost
        assert max(counts.values()) == 1  # each id once over both runs
        later = layers(second_run)
        assert len(later) == 5  # the other four remarks and the editorial, each at its time
        assert all(p.release_at > restart_at for p in later)
        assert {p.id for p in out_before} <= {p.id for p in await again.press(C1, limit=200)}


async def test_layers_a_pause_holds_are_hidden_until_the_resume_even_across_a_restart(
    make_server: ServerFactory, settings: Settings
) -> None:
    server, queue = await started(make_server)
    drain(queue)
    paused_at = Instant(FIRST_LAYER + 5 * MINUTE)  # 14:05: one remark out, five held
    await server.advance(paused_at)
    [out] = layers(drain(queue))
    await server.execute(C1, PauseGame(actor=ADA, at=paused_at, reason="Moving the server"))
    await server.advance(Instant(DIGEST_2 - MINUTE))  # every remark and the editorial fell due
    assert layers(drain(queue)) == []

    async def hidden(srv: GameServer) -> list[PressRow]:
        visible = await srv.press(C1, limit=500)
        assert out.id in [p.id for p in visible]  # released before the pause: public
        assert await srv.press_item(C1, out.id) is not None
        assert all(not p.meta.get("layer") or p.release_at <= paused_at for p in visible)
        assert await srv.press(C1, limit=500, query="(Context:") == [
            p for p in visible if "(Context:" in p.body
        ]
        store = srv.store
        assert store is not None
        due = [
            p
            for p in await store.press_between(C1, paused_at, srv.clock.now())
            if p.release_at > p.at
        ]
        assert len(due) >= 6  # the journal has them ...
        for row in due:
            assert await srv.press_item(C1, row.id) is None  # ... the readers do not show them
        admin = [p for p in visible if p.kind == "admin_action"]
        assert admin  # the pause notice, made while paused, prints at once
        return list(await store.press_between(C1, paused_at, srv.clock.now()))

    journal = await hidden(server)
    await server.stop()

    async with restarted(settings, DIGEST_2 - MINUTE) as (again, queue):
        await again.settle()
        assert drain(queue) == []
        assert await hidden(again) == journal
        await again.advance(Instant(DIGEST_2 + HOUR))  # still paused: no digest, no layer
        assert drain(queue) == []

        late = again.clock.now()
        await again.execute(C1, ResumeGame(actor=ADA, at=late))
        await again.settle()
        drain(queue)  # the resume notice
        await again.advance(Instant(late + MINUTE))
        after = drain(queue)
        held = layers(after)
        assert [p.meta["occasion"] for p in held].count("expedition_reaction") == 5
        assert [(p.release_at, p.id) for p in held] == sorted((p.release_at, p.id) for p in held)
        assert out.id not in [p.id for p in items(after)]
        digest_2 = next(
            n for n, x in enumerate(after) if isinstance(x, m.DigestDone) and x.number == 2
        )
        assert all(after.index(p) < digest_2 for p in held)
        visible = {p.id for p in await again.press(C1, limit=500)}
        assert {p.id for p in held} <= visible  # public once released
        await again.advance(Instant(late + 2 * HOUR))
        assert not {p.id for p in items(drain(queue))} & {p.id for p in held}


async def test_advance_stops_at_each_layers_minute(make_server: ServerFactory) -> None:
    server = await make_server()
    await server.ensure_campaign(C1, seed=3)
    recorder = Recorder(server)
    try:
        await breaking_expedition(server)
        await server.advance(DIGEST_2)  # one call across 13:00, every remark and 21:00
        await server.settle()
        released = recorder.press()
        later = [(p, at) for p, at in released if p.meta.get("layer")]
        assert len(later) == 7  # six remarks and the editorial
        assert all(at == p.release_at for p, at in later)  # each with the clock at its minute
        times = [at for _, at in released]
        assert times == sorted(times)
        digests = [(n.number, at) for n, at in recorder.seen if isinstance(n, m.DigestDone)]
        assert digests == [(1, DIGEST_1), (2, DIGEST_2)]
    finally:
        await recorder.close()


async def test_advance_while_paused_releases_no_held_layer(
    make_server: ServerFactory,
) -> None:
    server, queue = await started(make_server)
    drain(queue)
    await server.execute(C1, PauseGame(actor=ADA, at=server.clock.now(), reason="Away"))
    await server.settle()
    recorder = Recorder(server)
    try:
        await server.advance(DIGEST_2)
        assert recorder.press() == []
    finally:
        await recorder.close()
    assert server.clock.now() == DIGEST_2


async def test_after_a_short_pause_each_layer_still_goes_out_at_its_own_minute(
    make_server: ServerFactory,
) -> None:
    server, queue = await started(make_server)
    drain(queue)
    paused_at = Instant(DIGEST_1 + 30 * MINUTE)
    await server.advance(paused_at)
    await server.execute(C1, PauseGame(actor=ADA, at=paused_at, reason="A short break"))
    resumed_at = Instant(paused_at + 10 * MINUTE)  # before any layer fell due
    await server.advance(resumed_at)
    await server.execute(C1, ResumeGame(actor=ADA, at=resumed_at))
    await server.settle()
    drain(queue)
    recorder = Recorder(server)
    try:
        await server.advance(DIGEST_2)  # the desk hears of the resume only at the first tick
        await server.settle()
        later = [(p, at) for p, at in recorder.press() if p.meta.get("layer")]
        occasions = [p.meta["occasion"] for p, _ in later]
        assert occasions.count("expedition_reaction") == 6
        assert {"pause_gossip", "resume_gossip", "expedition_editorial"} <= set(occasions)
        assert all(at == p.release_at for p, at in later)
    finally:
        await recorder.close()


def test_the_rule_hides_only_delayed_items_due_after_the_pause_began() -> None:
    since = 1_000
    paused = Visibility(now=5_000, held_since=since)
    running = Visibility(now=5_000)
    assert running.shows(at=100, release_at=5_000)
    assert not running.shows(at=100, release_at=5_001)  # not due yet
    assert paused.shows(at=100, release_at=since)  # due before the pause began
    assert not paused.shows(at=100, release_at=since + 1)  # a layer due after: held
    assert paused.shows(at=3_000, release_at=3_000)  # made while paused, printed at once
    assert not paused.shows(at=3_000, release_at=3_060)  # a layer of a command while paused
    assert not paused.shows(at=4_000, release_at=6_000)  # and nothing not yet due
    assert Visibility(now=4_000, held_since=None) == Visibility(now=4_000)


def _item(n: int, at: int, release_at: int) -> PressItem:
    return PressItem(
        id=n,
        kind="academic_gossip",
        headline=f"item {n}",
        body="",
        at=Instant(at),
        release_at=Instant(release_at),
        seq=n,
        digest=1,
    )


def test_a_pause_releases_what_fell_due_before_it_and_holds_the_rest() -> None:
    released: list[int] = []
    desk = PressDeskActor.start(C1, lambda _c, out: released.extend(i.id for i in out))
    since = Instant(START + 45)
    try:
        desk.tell(m.Publish((_item(1, START, START + 30), _item(2, START, START + 50)), since))
        desk.tell(Hold(Instant(START + 60), since))  # no tick came between 30 and the pause
        assert desk.ask(m.Barrier(), timeout=1) == 1
        assert released == [1]  # public before the pause began: out at once
        assert desk.ask(NextRelease(Instant(START + 60)), timeout=1) is None  # nothing later
        desk.tell(m.Tick(Instant(START + 61)))
        assert desk.ask(m.Barrier(), timeout=1) == 0
        assert released == [1, 2]
    finally:
        desk.stop()


def test_a_restored_desk_holds_the_journals_items_once_and_tells_when_they_fall_due() -> None:
    released: list[int] = []
    desk = PressDeskActor.start(
        C1, lambda _c, out: released.extend(i.id for i in out), released_upto=9
    )
    try:
        waiting = (_item(4, START - 600, START + 60), _item(7, START - 60, START + 30))
        desk.tell(Restore(waiting, Instant(START)))
        desk.tell(Restore(waiting, Instant(START)))  # twice: still held once
        desk.tell(m.Publish((_item(10, START, START + 90),), Instant(START)))
        assert desk.ask(m.Barrier(), timeout=1) == 3
        assert desk.ask(NextRelease(Instant(START)), timeout=1) == START + 30
        assert desk.ask(NextRelease(Instant(START + 30)), timeout=1) == START + 60
        assert desk.ask(NextRelease(Instant(START + 90)), timeout=1) is None
        desk.tell(m.Tick(Instant(START + 60)))
        assert desk.ask(m.Barrier(), timeout=1) == 1
        assert released == [7, 4]  # (release time, number) order
        desk.tell(m.Publish((_item(4, START - 600, START + 60),), Instant(START + 60)))
        desk.tell(m.Tick(Instant(START + 90)))
        assert desk.ask(m.Barrier(), timeout=1) == 0
        assert released == [7, 4, 10]  # No. 4 again from a publish: never twice
    finally:
        desk.stop()
