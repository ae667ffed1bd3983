"""The server with real actors and a real journal: commits, digests, restarts, failures."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import pykka
import pytest

from greatwork.actors import messages as m
from greatwork.actors.entities import ScholarActor
from greatwork.actors.runtime import GameServer, PressReleased
from greatwork.actors.types import UnavailableError
from greatwork.rules.command import Command, Context, decides
from greatwork.rules.constants import Confidence, Faction
from greatwork.rules.errors import GamePaused, InsufficientInfluence, NotFound
from greatwork.rules.event import Tx
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.investment import Invest
from greatwork.rules.pause import PauseGame, ResumeGame
from greatwork.rules.theory import SubmitTheory
from greatwork.store import first_difference
from tests.actors.conftest import START, ServerFactory

C1 = CampaignId("c1")
ADA = PlayerId("ada")
DAY = 86_400


@dataclass(frozen=True, slots=True, kw_only=True)
class Explode(Command):
    """A command whose decider crashes: stands in for a bug in the rules."""

    delay: float = 0.0


@decides(Explode)
def _explode(tx: Tx, cmd: Explode, ctx: Context) -> None:
    del tx, ctx
    if cmd.delay:
        time.sleep(cmd.delay)  # a slow decider, to show the loop keeps running
        return
    raise RuntimeError("the rules engine tripped")


def theory(
    server: GameServer, text: str = "Bronze Age flight", who: PlayerId = ADA
) -> SubmitTheory:
    return SubmitTheory(
        actor=who,
        at=server.clock.now(),
        actor_name=who.title(),
        theory=text,
        confidence=Confidence.CERTAIN,
    )


async def test_a_reply_comes_only_after_its_events_are_committed(
    make_server: ServerFactory,
) -> None:
    server = await make_server()
    await server.ensure_campaign(C1, seed=3)
    outcome = await server.execute(C1, theory(server))
    assert server.store is not None
    last = outcome.first_seq + len(outcome.events) - 1
    assert server.store.durable_seq(C1) >= last
    assert [e.kind for e in outcome.events][:2] == ["PlayerJoined", "TheorySubmitted"]
    assert "T-1" in server.committed_state(C1).theories
    assert [p.kind for p in outcome.press] == ["academic_bulletin"]


async def test_a_refusal_changes_nothing_and_says_why(make_server: ServerFactory) -> None:
    server = await make_server()
    await server.ensure_campaign(C1)
    before = server.committed_state(C1)
    with pytest.raises(InsufficientInfluence, match="academia"):
        await server.execute(
            C1, Invest(actor=ADA, at=server.clock.now(), faction=Faction.ACADEMIA, amount=40)
        )
    await server.settle(C1)
    assert server.committed_state(C1) is before


async def test_a_restart_rebuilds_the_same_state_from_the_journal(
    make_server: ServerFactory,
) -> None:
    first = await make_server()
    await first.ensure_campaign(C1, seed=9)
    for n in range(30):
        await first.execute(C1, theory(first, f"Theory number {n}", PlayerId(f"p{n % 4}")))
    await first.advance(Instant(START + 2 * DAY))
    live = first.committed_state(C1)
    await first.stop()

    second = await make_server(at=START + 2 * DAY)
    again = second.committed_state(C1)
    assert first_difference(live, again) is None
    assert again.seq == live.seq
    assert again.last_digest == 4


async def test_each_digest_slot_runs_once_even_across_restarts(
    make_server: ServerFactory,
) -> None:
    first = await make_server()
    await first.ensure_campaign(C1)
    done = first.subscribe(C1)
    tomorrow_1300 = Instant(START + DAY + 4 * 3600)
    await first.advance(tomorrow_1300)  # 13:00 and 21:00 today, 13:00 tomorrow
    await first.advance(tomorrow_1300)  # the same time again: nothing new
    numbers = []
    while not done.empty():
        notice = done.get_nowait()
        if isinstance(notice, m.DigestDone):
            numbers.append(notice.number)
    assert numbers == [1, 2, 3]
    await first.stop()
    second = await make_server(at=START + DAY + 4 * 3600)
    assert second.committed_state(C1).last_digest == 3


async def test_missed_digests_are_caught_up_in_order_up_to_the_cap(
    make_server: ServerFactory,
) -> None:
    first = await make_server()
    await first.ensure_campaign(C1)
    await first.stop()
    # Five days later: ten digest slots were missed; the cap lets the last four run.
    second = await make_server(at=START + 5 * DAY, catch_up_cap=4)
    await second.settle(C1)
    state = second.committed_state(C1)
    assert state.last_digest == 4
    assert state.last_digest_at == START + 4 * DAY + 12 * 3600  # the last slot: day 5, 21:00


async def test_digests_wait_while_paused_and_catch_up_after_resume(
    make_server: ServerFactory,
) -> None:
    server = await make_server()
    await server.ensure_campaign(C1)
    await server.execute(C1, PauseGame(actor=ADA, at=server.clock.now(), reason="tea"))
    await server.advance(Instant(START + DAY))
    assert server.committed_state(C1).last_digest == 0
    with pytest.raises(GamePaused, match="paused"):
        await server.execute(C1, theory(server))
    await server.execute(C1, ResumeGame(actor=ADA, at=server.clock.now()))
    await server.advance(Instant(START + DAY + 60))
    assert server.committed_state(C1).last_digest == 2  # both of yesterday's slots


async def test_a_crashing_command_restarts_the_campaign_from_the_journal(
    make_server: ServerFactory,
) -> None:
    server = await make_server()
    await server.ensure_campaign(C1)
    await server.execute(C1, theory(server))
    before = server.committed_state(C1)
    with pytest.raises(UnavailableError, match="nothing was applied"):
        await server.execute(C1, Explode(actor=ADA, at=server.clock.now()))
    outcome = await server.execute(C1, theory(server, "Tin came by sea"))  # waits out the restart
    assert outcome.first_seq == before.seq
    assert set(server.committed_state(C1).theories) == {"T-1", "T-2"}


async def test_past_the_restart_budget_the_campaign_stays_down_with_a_clear_error(
    make_server: ServerFactory,
) -> None:
    server = await make_server(restart_budget=1)
    await server.ensure_campaign(C1)
    with pytest.raises(UnavailableError):
        await server.execute(C1, Explode(actor=ADA, at=server.clock.now()))
    await server.ask(C1, m.Barrier())  # restarted once
    with pytest.raises(UnavailableError):
        await server.execute(C1, Explode(actor=ADA, at=server.clock.now()))
    deadline = time.monotonic() + 5
    while server._campaigns[C1].failed is None:  # the supervisor gives up on its own thread
        assert time.monotonic() < deadline, "the supervisor never gave up"
        await asyncio.sleep(0.01)
    with pytest.raises(UnavailableError, match="repeated internal errors"):
        await server.ask(C1, m.Barrier())


async def test_entity_actors_start_on_first_use_and_stay_current(
    make_server: ServerFactory,
) -> None:
    server = await make_server()
    await server.ensure_campaign(C1)
    assert pykka.ActorRegistry.get_by_class(ScholarActor) == []  # virtual: none running yet
    state = server.committed_state(C1)
    sid = min(state.scholars)
    ref = await server.entity(C1, "scholar", sid)
    assert await server.entity(C1, "scholar", sid) is ref  # the same one, once running
    assert ref.ask(m.Get(), block=True, timeout=1) == state.scholars[sid]
    faction = await server.entity(C1, "faction", "academia")
    await server.execute(C1, theory(server))  # Ada joins: every faction knows her balance
    record = faction.ask(m.Get(), block=True, timeout=1)
    ada = server.committed_state(C1).players[ADA]
    assert record.influence == {ADA: ada.influence[Faction.ACADEMIA]}
    with pytest.raises(NotFound, match="no scholar 'nobody'"):
        await server.entity(C1, "scholar", "nobody")


async def test_a_failed_scholar_actor_is_restarted_from_its_campaign(
    make_server: ServerFactory,
) -> None:
    server = await make_server()
    await server.ensure_campaign(C1)
    sid = min(server.committed_state(C1).scholars)
    victim = await server.entity(C1, "scholar", sid)
    victim.tell("not a message it knows")  # handle() raises: the actor fails
    # The supervisor restarts it; asking for it meanwhile may start it on demand first.
    # Either way one fresh incarnation ends up running, with the current record.
    deadline = time.monotonic() + 5
    while True:
        await server.ask(C1, m.Barrier())
        fresh = await server.entity(C1, "scholar", sid)
        if fresh is not victim and fresh.is_alive():
            try:
                record = fresh.ask(m.Get(), block=True, timeout=1)
                break
            except (pykka.ActorDeadError, UnavailableError):
                pass  # replaced meanwhile: ask again
        assert time.monotonic() < deadline, f"{sid} was not restarted"
        await asyncio.sleep(0.01)
    assert not victim.is_alive()
    assert record == server.committed_state(C1).scholars[sid]


async def test_the_loop_keeps_running_while_a_campaign_is_busy(
    make_server: ServerFactory,
) -> None:
    server = await make_server()
    await server.ensure_campaign(C1)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        await server.execute(C1, Explode(actor=ADA, at=server.clock.now(), delay=0.3))
    finally:
        task.cancel()
    assert ticks >= 20  # the loop ran about 60 times in 0.3 s; a blocked loop runs 0 times


async def test_press_is_released_once_and_in_order(make_server: ServerFactory) -> None:
    server = await make_server()
    await server.ensure_campaign(C1)
    queue = server.subscribe(C1)
    for n in range(5):
        await server.execute(C1, theory(server, f"Claim {n}"))
    await server.advance(Instant(START + DAY))
    ids = []
    while not queue.empty():
        notice = queue.get_nowait()
        if isinstance(notice, PressReleased):
            ids.append(notice.item.id)
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids))
    newest = await server.press(C1, limit=100)
    assert [p.id for p in newest] == sorted((p.id for p in newest), reverse=True)
    assert set(ids) <= {p.id for p in newest}


async def test_stop_leaves_no_thread_and_is_idempotent(make_server: ServerFactory) -> None:
    server = await make_server()
    await server.ensure_campaign(C1)
    await server.execute(C1, theory(server))
    await server.stop()
    await server.stop()
    assert pykka.ActorRegistry.get_all() == []
    with pytest.raises(UnavailableError):
        await server.execute(C1, theory(server))
