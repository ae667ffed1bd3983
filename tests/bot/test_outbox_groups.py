"""Press released together goes out together: the outbox against a real server and journal."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from greatwork.bot.outbox import Outbox, nonce_of, part_nonce
from greatwork.config import Settings
from greatwork.store import OutboxState
from tests.bot.test_outbox import (
    CID,
    FOUNDING,
    GAZETTE,
    Message,
    World,
    full_guild,
    posted_order,
    until,
)


@pytest.fixture
async def fresh(tmp_path: Path) -> AsyncIterator[World]:
    """A running server whose guild has no campaign yet."""
    made = World(Settings(db_path=tmp_path / "journal" / "greatwork.db"))
    await made.start()
    made.guild = full_guild()
    try:
        yield made
    finally:
        await made.close()


@pytest.fixture
async def world(fresh: World) -> World:
    """The same, with the guild's campaign created before any outbox runs."""
    assert fresh.server is not None
    await fresh.server.ensure_campaign(CID, seed=5)
    return fresh


def numbers(messages: list[Message]) -> list[int]:
    """The press numbers in the messages' footers, in order."""
    found = []
    for message in messages:
        for embed in message.post.embeds:
            match = re.match(r"No\. (\d+) · ", embed.get("footer", {}).get("text", ""))
            if match:
                found.append(int(match.group(1)))
    return found


async def posted(world: World, *keys: str) -> None:
    """Wait until the outbox holds exactly ``keys``, each posted."""

    async def done() -> bool:
        rows = await world.rows()
        return sorted(rows) == sorted(keys) and all(
            r.state is OutboxState.POSTED for r in rows.values()
        )

    await until(done, f"{keys} posted")


def queued(outbox: Outbox) -> list[str]:
    lane = outbox._lanes.get(CID)
    return [] if lane is None else [u.key for u in lane.units]


async def test_a_new_campaigns_founding_roster_is_one_post(fresh: World) -> None:
    await fresh.outbox()
    assert fresh.server is not None
    await fresh.server.ensure_campaign(CID, seed=5)  # 20 items in one commit, seen live
    await until(fresh.all_posted, "the roster posted")
    rows = await fresh.rows()
    assert list(rows) == [FOUNDING]
    messages = fresh.discord.in_channel(GAZETTE)
    assert len(messages) == 2  # 20 stories, at most 10 embeds a message
    assert messages[0].post.content == "The Great Work Gazette · Anno 1920 · 20 stories"
    assert numbers(messages) == list(range(1, 21))
    roster = rows[FOUNDING]
    assert roster.message_ids == tuple(m.id for m in messages)
    assert [m.nonce for m in messages] == [part_nonce(roster.nonce, n) for n in (0, 1)]
    assert len(fresh.discord.calls) == 2


async def test_items_released_at_different_moments_are_separate_posts(world: World) -> None:
    await world.outbox()
    await world.mentor(3)  # a minute apart: one item each
    await until(world.all_posted, "every release posted")
    rows = await world.rows()
    assert posted_order(world, rows) == [FOUNDING, "press:21", "press:22", "press:23"]
    assert [len(rows[k].message_ids) for k in rows] == [2, 1, 1, 1]
    assert numbers(world.discord.in_channel(GAZETTE)) == list(range(1, 24))


async def test_items_of_one_moment_queued_together_share_a_post(world: World) -> None:
    roster = nonce_of(CID, FOUNDING)
    hold = world.discord.block(lambda _channel, nonce: nonce == roster, accept=False)
    outbox = await world.outbox()
    await hold.entered.wait()  # the roster's post has begun: later items cannot join it
    await world.mentor(3, apart=False)  # three commands at the roster's moment
    await until(lambda: queued(outbox) == ["press:21-23"], "the three items queued as one post")
    hold.gate.set()
    await posted(world, FOUNDING, "press:21-23")
    rows = await world.rows()
    assert posted_order(world, rows) == [FOUNDING, "press:21-23"]
    [three] = [m for m in world.discord.messages if m.id in rows["press:21-23"].message_ids]
    assert three.post.content == "The Great Work Gazette · Anno 1920 · 3 stories"
    assert numbers(world.discord.in_channel(GAZETTE)) == list(range(1, 24))

    calls = len(world.discord.calls)
    await world.restart()
    await world.outbox()
    assert world.server is not None
    await world.server.settle()
    assert await world.rows() == rows  # the rows fix the posts: nothing planned again
    assert len(world.discord.calls) == calls


@pytest.mark.parametrize("accepted", [True, False], ids=["accepted", "not-accepted"])
async def test_a_restart_in_the_middle_of_a_post_resumes_it_without_duplicates(
    world: World, accepted: bool
) -> None:
    second = part_nonce(nonce_of(CID, FOUNDING), 1)
    hold = world.discord.block(lambda _channel, nonce: nonce == second, accept=accepted)
    await world.outbox(stop_timeout=0.01)
    await hold.entered.wait()
    await world.restart()  # cancelled while sending the roster's second message
    roster = (await world.rows())[FOUNDING]
    assert roster.state is OutboxState.SENDING
    assert len(roster.message_ids) == 1  # the first message was accepted and recorded

    world.discord.hold = None
    await world.outbox()
    await until(world.all_posted, "the roster posted")
    roster = (await world.rows())[FOUNDING]
    nonces = [nonce for _, nonce, _ in world.discord.calls]
    assert nonces.count(roster.nonce) == 1  # the first message was not sent again
    assert nonces.count(second) == 2  # the second: once before the restart, once after
    messages = world.discord.in_channel(GAZETTE)
    assert len(messages) == 2
    assert roster.message_ids == tuple(m.id for m in messages)
    assert numbers(messages) == list(range(1, 21))


async def test_an_item_of_the_moment_after_its_post_began_goes_next_even_after_a_restart(
    world: World,
) -> None:
    roster = nonce_of(CID, FOUNDING)
    hold = world.discord.block(lambda _channel, nonce: nonce == roster, accept=False)
    outbox = await world.outbox(stop_timeout=0.01)
    await hold.entered.wait()
    await world.mentor(1, apart=False)  # No. 21, at the roster's moment
    await until(lambda: queued(outbox) == ["press:21"], "No. 21 queued")
    await world.restart()  # the roster's row is begun; No. 21 has none

    world.discord.hold = None
    await world.outbox()
    await posted(world, FOUNDING, "press:21")
    assert posted_order(world, await world.rows()) == [FOUNDING, "press:21"]
    assert numbers(world.discord.in_channel(GAZETTE)) == list(range(1, 22))


async def test_what_no_outbox_saw_is_grouped_by_the_journal_alone(world: World) -> None:
    await world.mentor(1, apart=False)  # No. 21 at the roster's moment, no outbox running
    await world.outbox()
    await until(world.all_posted, "every release posted")
    rows = await world.rows()
    assert list(rows) == ["press:1-21"] == await world.expected_keys()
    messages = world.discord.in_channel(GAZETTE)
    assert len(messages) == 3  # 21 stories: 10, 10 and 1
    assert numbers(messages) == list(range(1, 22))
