"""The Gazette of a new guild through the real client and the loopback Discord: no flood."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from greatwork.bot.render import COLOUR_OK
from greatwork.store import OutboxRow, OutboxState
from tests.discord.test_e2e_scenarios import eventually, outbox_rows, press_numbers
from tests.discord.world import World, running_world, text_of

ROSTER_HEADING = "The Great Work Gazette · Anno 1920 · 20 stories"


def numbers(message: dict[str, Any]) -> list[int]:
    """The press numbers in one message's footers, in order."""
    return press_numbers([message])


async def settled(world: World, key: str) -> list[OutboxRow]:
    """Wait until ``key`` and every other row of the campaign are posted; return the rows."""

    async def posted() -> bool:
        found = await outbox_rows(world)
        return key in [r.key for r in found] and all(r.state is OutboxState.POSTED for r in found)

    await eventually(posted, f"{key} and every other outbox row posted", timeout=15)
    return await outbox_rows(world)


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
        # The founding roster (20) and the two moves before the digest went out as they broke:
        # the headline counts them instead of pretending the digest is all there was.
        broke = re.search(
            r"and (\d+) stories posted as they broke since the last digest", text_of(head)
        )
        assert broke is not None
        assert int(broke.group(1)) == 22
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
        await world.restart()
        await command(world, "Bo", "recruit", scholar_id="proc-004", faction="academia")
        await world.wait_for(lambda: len(world.posts("gazette")) == len(gazette) + 1)
        # (Layered follow-ups still pending hold numbers in between: ask for the newest.)
        [report] = await world.service.server.press(world.campaign_id, limit=1)
        assert report.kind == "recruitment_report"
        after = await settled(world, f"press:{report.id}")
        assert after[: len(found)] == found
        assert world.posts("gazette")[:-1] == gazette
        assert numbers(world.posts("gazette")[-1]) == [report.id]
        assert len(world.services) == 2
