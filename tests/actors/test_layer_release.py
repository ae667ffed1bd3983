"""Layered follow-ups through the real server (D10): each is released at its own minute, once,
in the digest where it falls due; a restart keeps what is held; a pause holds them all."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from greatwork.actors import messages as m
from greatwork.actors.press_desk import Hold, PressDeskActor
from greatwork.actors.runtime import GameServer, Notice, PressReleased
from greatwork.press.item import PressItem
from greatwork.rules.constants import Confidence, ExpeditionType
from greatwork.rules.expedition import LaunchExpedition
from greatwork.rules.ids import CampaignId, Instant, PlayerId, TheoryId
from greatwork.rules.pause import PauseGame, ResumeGame
from greatwork.rules.theory import SubmitTheory
from tests.actors.conftest import START, ServerFactory

C1 = CampaignId("c1")
ADA = PlayerId("ada")
HOUR = 3600
MINUTE = 60
DIGEST_1 = Instant(START + 4 * HOUR)  # 13:00: resolves the expedition
DIGEST_2 = Instant(START + 12 * HOUR)  # 21:00
FIRST_LAYER = Instant(DIGEST_1 + HOUR)  # 14:00: the first remark on it


def drain(queue: asyncio.Queue[Notice]) -> list[PressItem | m.DigestDone]:
    """Everything released so far, in order."""
    out: list[PressItem | m.DigestDone] = []
    while not queue.empty():
        notice = queue.get_nowait()
        out.append(notice.item if isinstance(notice, PressReleased) else notice)
    return out


def items(notices: Sequence[PressItem | m.DigestDone]) -> list[PressItem]:
    return [n for n in notices if isinstance(n, PressItem)]


def layers(notices: Sequence[PressItem | m.DigestDone]) -> list[PressItem]:
    return [n for n in items(notices) if n.meta.get("layer")]


async def breaking_expedition(server: GameServer) -> None:
    """A certain expedition testing a certain theory of its leader, rigged to succeed.

    It resolves at the 13:00 digest: +5 for the wager and +5 for the theory, a BREAKING story
    (six remarks from 14:00 to 15:15, an editorial at 15:00).
    """
    at = server.clock.now()
    await server.execute(
        C1,
        SubmitTheory(
            actor=ADA,
            at=at,
            actor_name="Ada",
            theory="The harbour was a temple",
            confidence=Confidence.CERTAIN,
        ),
    )
    await server.execute(
        C1,
        LaunchExpedition(
            actor=ADA,
            at=at,
            actor_name="Ada",
            code="DIG-1",
            objective="Dig by the harbour",
            expedition_type=ExpeditionType.THINK_TANK,
            confidence=Confidence.CERTAIN,
            theory=TheoryId("T-1"),
        ),
    )
    await server.ask(C1, m.ForceRoll(75))


async def started(make_server: ServerFactory) -> tuple[GameServer, asyncio.Queue[Notice]]:
    server = await make_server()
    await server.ensure_campaign(C1, seed=3)
    queue = server.subscribe(C1)
    await breaking_expedition(server)
    await server.advance(DIGEST_1)
    return server, queue


async def test_a_layer_is_released_at_its_own_minute_once_in_its_digest(
    make_server: ServerFactory,
) -> None:
    server, queue = await started(make_server)
    at_digest = drain(queue)
    assert [(d.number, d.at) for d in at_digest if isinstance(d, m.DigestDone)] == [(1, DIGEST_1)]
    report = next(i for i in items(at_digest) if i.meta.get("occasion") == "expedition_success")
    assert report.meta["code"] == "DIG-1"
    assert layers(at_digest) == []  # nothing of it before its time

    await server.advance(Instant(FIRST_LAYER - MINUTE))
    assert drain(queue) == []
    assert all(not p.meta.get("layer") for p in await server.press(C1, limit=100))

    await server.advance(FIRST_LAYER)
    [first] = drain(queue)
    assert isinstance(first, PressItem)
    assert first.meta["occasion"] == "expedition_reaction"
    assert first.meta["depth"] == "breaking"
    assert first.release_at == FIRST_LAYER  # at 14:00, not at the next digest
    assert first.at == DIGEST_1
    assert first.digest == 2  # 14:00 falls due in the Gazette of the 21:00 digest
    assert first.id > report.id
    assert first.id in [p.id for p in await server.press(C1, limit=100)]

    await server.advance(DIGEST_2)
    rest = drain(queue)
    later = layers(rest)
    assert [p.meta["occasion"] for p in later].count("expedition_reaction") == 5
    assert "expedition_editorial" in [p.meta["occasion"] for p in later]
    assert first.id not in [p.id for p in items(rest)]  # exactly once
    assert [(p.release_at, p.id) for p in later] == sorted((p.release_at, p.id) for p in later)
    assert all(p.digest == 2 for p in later)
    assert rest.index(later[-1]) < next(
        n for n, x in enumerate(rest) if isinstance(x, m.DigestDone) and x.number == 2
    )  # all released before the digest that carries them


async def test_a_restart_while_a_layer_is_held_releases_it_once_at_its_time(
    make_server: ServerFactory,
) -> None:
    server, queue = await started(make_server)
    before = {p.id for p in items(drain(queue))}
    await server.advance(Instant(DIGEST_1 + 30 * MINUTE))
    assert drain(queue) == []
    await server.stop()

    again = await make_server(at=DIGEST_1 + 30 * MINUTE)
    queue = again.subscribe(C1)
    await again.advance(Instant(FIRST_LAYER - MINUTE))
    assert drain(queue) == []  # the rebuilt desk holds them until their time
    await again.advance(FIRST_LAYER)
    [first] = drain(queue)
    assert isinstance(first, PressItem)
    assert first.release_at == FIRST_LAYER
    assert first.meta["layer"] is True
    await again.advance(DIGEST_2)
    released = [first.id, *(p.id for p in items(drain(queue)))]
    assert len(released) == len(set(released))  # once each
    assert not set(released) & before  # nothing released before the restart comes again


async def test_layers_wait_while_paused_and_go_out_in_order_after_the_resume(
    make_server: ServerFactory,
) -> None:
    server, queue = await started(make_server)
    drain(queue)
    paused_at = Instant(DIGEST_1 + 30 * MINUTE)
    await server.advance(paused_at)
    await server.execute(C1, PauseGame(actor=ADA, at=paused_at, reason="Moving the server"))
    await server.settle(C1)
    [notice] = items(drain(queue))
    assert notice.kind == "admin_action"  # the pause itself prints at once

    await server.advance(FIRST_LAYER)
    assert drain(queue) == []
    late = Instant(DIGEST_2 + HOUR)  # past every layer and past the 21:00 digest
    await server.advance(late)
    assert drain(queue) == []  # no press while paused

    await server.execute(C1, ResumeGame(actor=ADA, at=late))
    await server.settle(C1)
    [resumed] = drain(queue)
    assert isinstance(resumed, PressItem)
    assert resumed.kind == "admin_action"  # the resume notice first; the backlog waits a tick

    await server.advance(Instant(late + MINUTE))
    after = drain(queue)
    held = layers(after)
    occasions = [p.meta["occasion"] for p in held]
    assert occasions.count("expedition_reaction") == 6
    assert "expedition_editorial" in occasions
    assert "pause_gossip" in occasions  # composed with the pause, due at 14:15
    assert [(p.release_at, p.id) for p in held] == sorted((p.release_at, p.id) for p in held)
    assert all(p.digest == 2 for p in held)  # the digest they fall due in: the caught-up one
    digest_2 = next(n for n, x in enumerate(after) if isinstance(x, m.DigestDone) and x.number == 2)
    assert all(after.index(p) < digest_2 for p in held)  # released, then the digest runs
    ids = [p.id for p in items(after)]
    assert len(ids) == len(set(ids))
    await server.advance(Instant(late + 2 * HOUR))
    again = [p.id for p in items(drain(queue))]
    assert not set(again) & set(ids)  # none a second time
    assert [p.meta["occasion"] for p in layers(after)].count("resume_gossip") == 0


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


def test_the_desk_holds_only_delayed_items_while_told_to_hold() -> None:
    released: list[int] = []
    desk = PressDeskActor.start(C1, lambda _c, out: released.extend(i.id for i in out))
    try:
        desk.tell(m.Publish((_item(1, START, START + 600),), Instant(START)))
        paused = Instant(START + 60)
        desk.tell(Hold(paused, paused))
        desk.ask(m.Barrier(), timeout=1)
        assert desk.proxy().holding.get(timeout=1) is True
        # an admin's action while paused prints at once; the overdue layer waits
        late = START + 900
        desk.tell(m.Publish((_item(2, late, late), _item(3, late, late + 60)), Instant(late)))
        desk.tell(Hold(Instant(late + 120), paused))
        assert desk.ask(m.Barrier(), timeout=1) == 2
        assert released == [2]
        desk.tell(m.Tick(Instant(late + 120)))  # the first tick after the resume
        assert desk.ask(m.Barrier(), timeout=1) == 0
        assert released == [2, 1, 3]  # the backlog, in (release time, number) order
        assert desk.proxy().holding.get(timeout=1) is False
    finally:
        desk.stop()
