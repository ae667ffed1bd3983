"""A round of play through the real disnake client and the loopback Discord."""

from __future__ import annotations

from pathlib import Path

from greatwork.bot.render import COLOUR_ERROR, COLOUR_OK
from tests.discord.world import running_world, text_of


async def test_a_theory_is_answered_echoed_and_printed_in_the_gazette(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        record = await world.slash(
            "Ada", "submit_theory", theory="Bronze Age flight", confidence="certain"
        )
        reply = record.original
        assert reply is not None
        assert reply["embeds"][0]["color"] == COLOUR_OK
        assert "Bronze Age flight" in text_of(reply)
        await world.wait_for(
            lambda: any("Bronze Age flight" in text_of(m) for m in world.posts("orders"))
        )

        await world.service.server.advance_to_next_digest()
        await world.wait_for(
            lambda: any("Digest No. 1" in text_of(m) for m in world.posts("gazette"))
        )
        gazette = "\n".join(text_of(m) for m in world.posts("gazette"))
        assert "Bronze Age flight" in gazette


async def test_a_refusal_is_private_and_red(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        record = await world.slash("Ada", "recruit", scholar_id="Nobody", faction="academia")
        # On a loaded machine the first command (it creates the campaign) may be deferred
        # publicly first; the refusal itself is then a private followup.
        refusals = [
            message
            for message in record.messages
            if message and any(e.get("color") == COLOUR_ERROR for e in message.get("embeds", []))
        ]
        assert refusals
        assert all(int(m.get("flags", 0)) & 64 for m in refusals)  # ephemeral
        assert world.posts("orders") == []
