"""The Gazette of a new guild through the real client and the loopback Discord: no flood."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from greatwork.actors.clock import VirtualClock
from greatwork.bot.render import COLOUR_OK
from greatwork.serve import Service
from greatwork.store import OutboxRow, OutboxState
from tests.discord.emulator_fixtures import record_errors
from tests.discord.world import World, _synced, running_world, text_of

ROSTER_HEADING = "The Great Work Gazette · Anno 1920 · 20 stories"


def numbers(message: dict[str, Any]) -> list[int]:
    """The press numbers in a message's footers (``No. 12 · Academic Gossip``), in order."""
    found = []
    for embed in message.get("embeds") or []:
        match = re.match(r"No\. (\d+) · ", embed.get("footer", {}).get("text", ""))
        if match:
            found.append(int(match.group(1)))
    return found


async def rows(world: World) -> list[OutboxRow]:
    store = world.service.server.store
    assert store is not None
    return await store.outbox_rows(world.campaign_id)


async def settled(world: World, key: str) -> list[OutboxRow]:
    """Wait until ``key`` and every other row of the campaign are posted; return the rows."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while True:
        found = await rows(world)
        keys = [r.key for r in found]
        if key in keys and all(r.state is OutboxState.POSTED for r in found):
            return found
        if loop.time() > deadline:
            raise AssertionError(f"{key} not posted within 15 s; the rows: {found}")
        await asyncio.sleep(0.005)


async def restart(world: World) -> None:
    """Stop the served game and start it again on the same journal, clock and emulator."""
    settings = world.service.settings
    now = world.clock.now()
    await world.service.stop()
    world.service = Service(
        settings,
        clock=VirtualClock(now),
        guild_ready_timeout=0.02,
        on_bot=lambda bot: record_errors(bot, world.errors, world.emu.notifier.poke),
    )
    await world.service.start()
    await _synced(world.emu, world.bot)


async def command(world: World, who: str, name: str, **options: Any) -> dict[str, Any]:
    record = await world.slash(who, name, **options)
    assert record.original is not None
    assert record.original["embeds"][0]["color"] == COLOUR_OK, text_of(record.original)
    return record.original


async def test_a_new_guilds_gazette_is_a_post_per_release_and_nothing_twice(
    tmp_path: Path,
) -> None:
    async with running_world(tmp_path) as world:
        # The first command starts the campaign: 20 scholars in one commit, then the theory.
        await command(
            world, "Ada", "submit_theory", theory="Bronze Age flight", confidence="certain"
        )
        await world.wait_for(lambda: 21 in [n for m in world.posts("gazette") for n in numbers(m)])
        gazette = world.posts("gazette")
        *roster, theory = gazette
        assert 1 <= len(roster) <= 2
        assert roster[0]["content"] == ROSTER_HEADING
        assert [n for m in roster for n in numbers(m)] == list(range(1, 21))
        assert numbers(theory) == [21]  # the theory's bulletin posts alone
        assert len(theory["embeds"]) == 1
        assert not theory.get("content")
        assert "Bronze Age flight" in text_of(theory)

        await command(
            world,
            "Ada",
            "launch_expedition",
            code="AX-1",
            objective="Find the bronze wing",
            expedition_type="think_tank",
            confidence="suspect",
            theory="T-1",
        )
        await world.wait_for(lambda: len(world.posts("gazette")) == len(gazette) + 1)
        assert numbers(world.posts("gazette")[-1]) == [22]

        await world.service.server.advance_to_next_digest()
        await world.wait_for(
            lambda: any("Digest No. 1" in text_of(m) for m in world.posts("gazette"))
        )
        found = await settled(world, "digest:1")
        gazette = world.posts("gazette")
        [head] = [m for m in gazette if "Digest No. 1" in m["embeds"][0].get("title", "")]
        stories = gazette[gazette.index(head) + 1 :]
        told = re.search(r"(\d+) stor(?:y|ies) in this issue", text_of(head))
        assert told is not None
        assert "No news" not in text_of(head)
        carried = [n for m in stories for n in numbers(m)]
        assert len(carried) == int(told.group(1)) > 0
        assert "AX-1" in "\n".join(text_of(m) for m in stories)

        # Nothing twice: every released item once, in order; every message one row's.
        released = await world.service.server.press(world.campaign_id, limit=1000)
        printed = [n for m in gazette for n in numbers(m)]
        assert printed == sorted(i.id for i in released)
        assert [r.key for r in found] == ["press:1-20", "press:21", "press:22", "digest:1"]
        owned = [i for r in found for i in r.message_ids]
        assert sorted(owned) == sorted(int(m["id"]) for m in gazette)
        assert all(r.attempts == 1 for r in found)

        # After a restart the journal says all is posted: only a new release goes out.
        try:
            await restart(world)
            await command(world, "Bo", "recruit", scholar_id="proc-004", faction="academia")
            await world.wait_for(lambda: len(world.posts("gazette")) == len(gazette) + 1)
            after = await settled(world, f"press:{max(printed) + 1}")
            assert after[: len(found)] == found
            assert world.posts("gazette")[:-1] == gazette
            assert numbers(world.posts("gazette")[-1]) == [max(printed) + 1]
        finally:
            await world.service.stop()  # the first one is stopped by running_world (again)
