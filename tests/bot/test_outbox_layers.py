"""Layered follow-ups through the Gazette outbox: each posted once, none before it is public.

A real server and journal, a fake Discord behind ``send``. A layer released before a restart
is not posted again after it; a layer a pause holds is not posted, not even by the outbox's
recovery after a restart during the pause, and goes out once, in order, after the resume.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from greatwork.actors import messages as m
from greatwork.actors.runtime import GameServer
from greatwork.config import Settings
from greatwork.rules.admin import AdjustReputation
from greatwork.rules.constants import Confidence, ExpeditionType
from greatwork.rules.expedition import LaunchExpedition
from greatwork.rules.ids import Instant, PlayerId, TheoryId
from greatwork.rules.pause import PauseGame, ResumeGame
from greatwork.rules.theory import SubmitTheory
from greatwork.store import OutboxState, PressRow
from tests.bot.test_outbox import CID, START, World, full_guild, until
from tests.bot.test_outbox_groups import numbers

ADA = PlayerId("ada")
HOST = PlayerId("host")
HOUR = 3600
MINUTE = 60
DIGEST_1 = Instant(START + 4 * HOUR)  # 13:00: the expedition resolves
DIGEST_2 = Instant(START + 12 * HOUR)  # 21:00
FIRST_LAYER = Instant(DIGEST_1 + HOUR)  # 14:00: the first of six remarks, 15 minutes apart


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    """A running server with the guild's campaign, its channels and a fake Discord."""
    made = World(Settings(db_path=tmp_path / "journal" / "greatwork.db"))
    server = await made.start()
    made.guild = full_guild()
    try:
        await server.ensure_campaign(CID, seed=5)
        yield made
    finally:
        await made.close()


async def breaking_expedition(server: GameServer) -> None:
    """A certain expedition testing its leader's certain theory, rigged to succeed.

    It resolves at the 13:00 digest; its BREAKING story brings six remarks (14:00 to 15:15)
    and an editorial (15:00).
    """
    at = server.clock.now()
    await server.execute(
        CID,
        SubmitTheory(
            actor=ADA,
            at=at,
            actor_name="Ada",
            theory="The harbour was a temple",
            confidence=Confidence.CERTAIN,
        ),
    )
    await server.execute(
        CID,
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
    await server.ask(CID, m.ForceRoll(75))


async def layer_rows(world: World) -> list[PressRow]:
    """Every layered follow-up in the journal, released or not, in release order."""
    rows = await world.store.press_between(CID, -1, DIGEST_2 + 10 * HOUR)
    return [r for r in rows if json.loads(r.meta).get("layer")]


def posted_numbers(world: World) -> Counter[int]:
    """How many times each press number reached Discord (in a post of its own or a digest)."""
    return Counter(numbers(world.discord.messages))


async def quiet(world: World) -> None:
    """Wait until every outbox row is posted."""

    async def done() -> bool:
        rows = await world.rows()
        return bool(rows) and all(r.state is OutboxState.POSTED for r in rows.values())

    await until(done, "every outbox row posted")


async def marker(world: World, server: GameServer) -> int:
    """Release an admin's action (public at once, even while paused) and wait until posted.

    The outbox posts in release order, so once it is posted everything the outbox had queued
    before it (the journal's recovery included) was handled. Returns its press number.
    """
    outcome = await server.execute(
        CID,
        AdjustReputation(actor=HOST, at=server.clock.now(), player=ADA, delta=1, reason="A marker"),
    )
    [item] = outcome.press
    await until(lambda: item.id in posted_numbers(world), f"press No. {item.id} posted")
    return item.id


async def test_a_layer_posted_before_a_restart_is_not_posted_again(world: World) -> None:
    server = world.server
    assert server is not None
    await world.outbox()
    await breaking_expedition(server)
    restart_at = Instant(
        FIRST_LAYER + 20 * MINUTE
    )  # two remarks out, nothing journaled since 13:00
    await server.advance(restart_at)
    layers = await layer_rows(world)
    out = [r.id for r in layers if r.release_at <= restart_at]
    assert len(out) == 2
    await until(lambda: set(out) <= set(posted_numbers(world)), "the two remarks posted")
    await quiet(world)

    await world.restart()
    await world.outbox()
    server = world.server
    assert server is not None
    await server.advance(DIGEST_2)
    await marker(world, server)
    counts = posted_numbers(world)
    assert {r.id for r in layers} <= set(counts)  # every layer posted ...
    assert max(counts.values()) == 1  # ... and everything once


async def test_held_layers_are_not_posted_during_a_pause_even_after_a_restart(
    world: World,
) -> None:
    server = world.server
    assert server is not None
    await world.outbox()
    await breaking_expedition(server)
    paused_at = Instant(FIRST_LAYER + 5 * MINUTE)  # one remark out, the rest held
    await server.advance(paused_at)
    await server.execute(CID, PauseGame(actor=HOST, at=paused_at, reason="Moving house"))
    await server.advance(Instant(DIGEST_2 - MINUTE))  # every layer fell due while paused
    await marker(world, server)
    layers = await layer_rows(world)
    held = [r.id for r in layers if r.release_at > paused_at]  # in (release time, id) order
    assert len(held) >= 6
    assert all(r.release_at < server.clock.now() for r in layers)
    assert not set(held) & set(posted_numbers(world))

    await world.restart()  # still paused: the journal's recovery must not post them
    await world.outbox()
    server = world.server
    assert server is not None
    await marker(world, server)
    assert not set(held) & set(posted_numbers(world))

    await server.execute(CID, ResumeGame(actor=HOST, at=server.clock.now()))
    await server.advance(Instant(server.clock.now() + MINUTE))  # the backlog, then digest 2
    await marker(world, server)
    counts = posted_numbers(world)
    assert all(counts[n] == 1 for n in held)
    assert max(counts.values()) == 1
    order = [n for n in numbers(world.discord.messages) if n in held]
    assert order == held  # in release order (the pause's own remark, No. 34, among them)
