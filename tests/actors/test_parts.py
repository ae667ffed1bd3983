"""The clock, the press desk, the supervisor and the bridge, each on real threads."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pykka
import pytest

from greatwork.actors import messages as m
from greatwork.actors.base import GreatworkActor, ask_async
from greatwork.actors.clock import WAKE_EVERY, ClockActor, SystemClock, VirtualClock
from greatwork.actors.press_desk import PressDeskActor
from greatwork.actors.schedule import Schedule
from greatwork.actors.supervisor import SupervisorActor, SupervisorHooks
from greatwork.actors.types import ActorFailedError, UnavailableError
from greatwork.config import Settings
from greatwork.press.item import PressItem
from greatwork.rules.errors import Conflict, InvalidInput
from greatwork.rules.ids import CampaignId, Instant
from tests.actors.conftest import START

C1 = CampaignId("c1")


class Recorder(GreatworkActor):
    """Remembers what it was told; fails on "boom"; refuses on "no"."""

    def __init__(self, key: str = "recorder", hook: Any = None) -> None:
        super().__init__(key, hook)
        self.seen: list[object] = []

    def handle(self, message: object) -> object:
        if message == "boom":
            raise RuntimeError("boom")
        if message == "no":
            raise Conflict("not now")
        if isinstance(message, m.Barrier):
            return list(self.seen)
        self.seen.append(message)
        return len(self.seen)


def item(n: int, release_at: int) -> PressItem:
    return PressItem(
        id=n,
        kind="academic_gossip",
        headline=f"item {n}",
        body="",
        at=Instant(START),
        release_at=Instant(release_at),
        seq=n,
        digest=1,
    )


async def test_ask_async_returns_replies_refusals_and_failures() -> None:
    ref = Recorder.start()
    try:
        assert await ask_async(ref, "a") == 1
        with pytest.raises(Conflict, match="not now"):
            await ask_async(ref, "no")
        assert await ask_async(ref, "b") == 2  # a refusal leaves the actor running
        with pytest.raises(ActorFailedError, match="nothing was applied"):
            await ask_async(ref, "boom")
        with pytest.raises(UnavailableError):
            await ask_async(ref, "c")  # failed: refused until restarted
    finally:
        ref.stop()
    with pytest.raises(UnavailableError, match="restarting"):
        await ask_async(ref, "d")


async def test_ask_async_gives_up_after_its_wait() -> None:
    release = threading.Event()

    class Slow(GreatworkActor):
        def handle(self, message: object) -> object:
            release.wait(5)
            return message

    ref = Slow.start("slow")
    try:
        with pytest.raises(UnavailableError, match=r"No answer within 0\.05 s"):
            await ask_async(ref, "x", 0.05)
    finally:
        release.set()
        ref.stop()


def test_the_virtual_clock_never_goes_back() -> None:
    clock = VirtualClock(Instant(100))
    clock.set(Instant(200))
    with pytest.raises(ValueError, match="cannot go back from 200 to 150"):
        clock.set(Instant(150))
    assert clock.now() == 200


def test_advance_ticks_every_registered_campaign_and_skips_dead_ones() -> None:
    schedule = Schedule.from_settings(Settings())
    clock = ClockActor.start(VirtualClock(Instant(START)), schedule)
    one, two, dead = Recorder.start("one"), Recorder.start("two"), Recorder.start("dead")
    try:
        for key, ref in (("one", one), ("two", two), ("dead", dead)):
            clock.tell(m.Register(key, ref))  # type: ignore[arg-type]
        dead.stop()
        assert clock.ask(m.Advance(Instant(START + 60)), timeout=1) == START + 60
        clock.tell(m.Unregister("two"))
        clock.ask(m.Advance(Instant(START + 120)), timeout=1)
        assert one.ask(m.Barrier(), timeout=1) == [
            m.Tick(Instant(START + 60)),
            m.Tick(Instant(START + 120)),
        ]
        assert two.ask(m.Barrier(), timeout=1) == [m.Tick(Instant(START + 60))]
        with pytest.raises(InvalidInput, match="cannot go back"):
            clock.ask(m.Advance(Instant(START)), timeout=1)  # refused; the clock runs on
        assert clock.ask(m.Barrier(), timeout=1) == START + 120
    finally:
        pykka.ActorRegistry.stop_all(timeout=5)


def test_the_system_clock_sets_its_own_wake_up() -> None:
    schedule = Schedule.from_settings(Settings())
    actor = ClockActor(SystemClock(), schedule)  # not started: its hooks run in this thread
    actor.start_up()
    timer = actor._timer
    try:
        assert timer is not None
        assert timer.daemon
        assert 0 < timer.interval <= WAKE_EVERY
    finally:
        actor.on_stop()
    assert timer.finished.is_set()  # cancelled


def test_a_wake_up_ticks_the_campaigns_with_the_system_time() -> None:
    schedule = Schedule.from_settings(Settings())
    clock = ClockActor.start(SystemClock(), schedule)
    target = Recorder.start("target")
    try:
        clock.tell(m.Register("target", target))  # type: ignore[arg-type]
        clock.tell(m.Wake())  # as the timer does
        clock.ask(m.Barrier(), timeout=1)
        (tick,) = target.ask(m.Barrier(), timeout=1)
        assert isinstance(tick, m.Tick)
        assert abs(tick.now - SystemClock().now()) <= 2
        with pytest.raises(InvalidInput, match="only a virtual clock"):
            clock.ask(m.Advance(Instant(START)), timeout=1)
    finally:
        pykka.ActorRegistry.stop_all(timeout=5)


def test_the_press_desk_releases_in_order_once_and_holds_delayed_items() -> None:
    released: list[int] = []
    desk = PressDeskActor.start(C1, lambda _c, items: released.extend(i.id for i in items))
    try:
        desk.tell(m.Publish((item(1, START), item(2, START + 600), item(3, START)), Instant(START)))
        desk.tell(m.Publish((item(3, START), item(1, START)), Instant(START)))  # again: ignored
        assert desk.ask(m.Barrier(), timeout=1) == 1  # one held
        assert released == [1, 3]
        desk.tell(m.Tick(Instant(START + 599)))
        assert desk.ask(m.Barrier(), timeout=1) == 1
        desk.tell(m.Tick(Instant(START + 600)))
        assert desk.ask(m.Barrier(), timeout=1) == 0
        assert released == [1, 3, 2]
    finally:
        desk.stop()


def test_a_restarted_press_desk_keeps_the_pending_items_it_is_given() -> None:
    released: list[int] = []
    desk = PressDeskActor.start(
        C1,
        lambda _c, items: released.extend(i.id for i in items),
        [item(7, START + 60), item(4, START + 30)],  # 4: a delayed item, numbered earlier
        released_upto=8,
    )
    try:
        released_before = item(5, START)  # released before the restart: never again
        desk.tell(m.Publish((released_before,), Instant(START)))
        desk.tell(m.Tick(Instant(START + 60)))
        desk.ask(m.Barrier(), timeout=1)
        assert released == [4, 7]
    finally:
        desk.stop()


class _Hooks:
    def __init__(self) -> None:
        self.restarted: list[str] = []
        self.gave_up: list[tuple[str, str]] = []
        self.done = threading.Event()

    def hooks(self) -> SupervisorHooks:
        def restarted(key: str, _ref: Any) -> None:
            self.restarted.append(key)
            self.done.set()

        def gave_up(key: str, reason: str) -> None:
            self.gave_up.append((key, reason))
            self.done.set()

        return SupervisorHooks(restarted=restarted, gave_up=gave_up)


def test_the_supervisor_restarts_within_its_budget_and_ignores_stale_reports() -> None:
    now = [0.0]
    seen = _Hooks()
    supervisor = SupervisorActor.start(
        seen.hooks(), budget=2, window=60.0, monotonic=lambda: now[0]
    )
    incarnations: list[pykka.ActorRef[Any]] = []

    def hook(key: str, urn: str, error: BaseException) -> None:
        supervisor.tell(m.Failed(key, urn, str(error)))

    def restart() -> pykka.ActorRef[Any]:
        ref = Recorder.start("child", hook)
        incarnations.append(ref)
        return ref

    try:
        first = restart()
        supervisor.tell(m.Watch("child", first, restart))
        for expected in (1, 2):
            seen.done.clear()
            incarnations[-1].tell("boom")
            assert seen.done.wait(5)
            assert seen.restarted == ["child"] * expected
        supervisor.tell(m.Failed("child", first.actor_urn, "late news"))  # stale urn
        assert supervisor.ask(m.Barrier(), timeout=1) == 2
        seen.done.clear()
        incarnations[-1].tell("boom")  # a third failure within the window: budget spent
        assert seen.done.wait(5)
        assert seen.gave_up
        assert "restarted 2 times in 60 s" in seen.gave_up[0][1]
        assert len(incarnations) == 3
    finally:
        pykka.ActorRegistry.stop_all(timeout=5)


def test_the_budget_renews_after_the_window() -> None:
    now = [0.0]
    seen = _Hooks()
    supervisor = SupervisorActor.start(
        seen.hooks(), budget=1, window=10.0, monotonic=lambda: now[0]
    )
    refs: list[pykka.ActorRef[Any]] = []

    def hook(key: str, urn: str, error: BaseException) -> None:
        supervisor.tell(m.Failed(key, urn, str(error)))

    def restart() -> pykka.ActorRef[Any]:
        refs.append(Recorder.start("child", hook))
        return refs[-1]

    try:
        supervisor.tell(m.Watch("child", restart(), restart))
        for when in (0.0, 11.0, 22.0):  # one failure per window: always restarted
            now[0] = when
            seen.done.clear()
            refs[-1].tell("boom")
            assert seen.done.wait(5)
        assert seen.restarted == ["child"] * 3
        assert seen.gave_up == []
    finally:
        pykka.ActorRegistry.stop_all(timeout=5)


async def test_bridged_replies_never_block_the_loop() -> None:
    ref = Recorder.start()
    try:
        replies = await asyncio.gather(*(ask_async(ref, n) for n in range(200)))
        assert sorted(replies) == list(range(1, 201))
    finally:
        ref.stop()
