"""The persona voice and the admins' alerts through the real client and the loopback Discord.

The served game (``greatwork serve``'s wiring) is configured with ``llm_url`` pointing at the
fake OpenAI-compatible server on 127.0.0.1: a bulletin posts in the model's voice, a model down
for ten minutes pauses the game and the admins hear of it in #gw-admin, and a blocked theory
is refused and told to the admins with the line that lets it through.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from greatwork.rules.ids import Instant
from tests.discord.world import World, running_world, text_of
from tests.llm.fake_server import FakeLlmServer

COLOUR = "Extraordinary news reaches the Gazette."


@pytest.fixture
async def fake() -> AsyncIterator[FakeLlmServer]:
    async with FakeLlmServer() as server:
        yield server


def settings(fake: FakeLlmServer) -> dict[str, Any]:
    return {
        "llm_url": fake.base_url,
        "llm_model": "fake-model",
        "llm_attempts": 1,
        "llm_timeout": 1.0,
        "llm_retry_budget": 1.0,
        "llm_auto_resume": False,
    }


async def submit(world: World, who: str, theory: str) -> dict[str, Any]:
    record = await world.slash(who, "submit_theory", theory=theory, confidence="certain")
    assert record.original is not None
    return record.original


async def test_a_bulletin_posts_in_the_models_voice(tmp_path: Path, fake: FakeLlmServer) -> None:
    async with running_world(tmp_path, settings=settings(fake)) as world:
        await submit(world, "Ada", "Bronze Age flight")
        await world.wait_for(
            lambda: any("Bronze Age flight" in text_of(m) for m in world.posts("gazette"))
        )
        [bulletin] = [m for m in world.posts("gazette") if "Bronze Age flight" in text_of(m)]
        assert COLOUR in text_of(bulletin)
        [request] = fake.requests
        assert request.body["model"] == "fake-model"
        voice = world.service.server.voice
        assert voice is not None
        assert voice.stats.enhanced == 1


async def test_a_model_down_for_ten_minutes_pauses_and_the_admins_are_told(
    tmp_path: Path, fake: FakeLlmServer
) -> None:
    async with running_world(tmp_path, settings=settings(fake)) as world:
        fake.mode = "500"
        await submit(world, "Ada", "Bronze Age flight")
        await world.wait_for(
            lambda: any("Bronze Age flight" in text_of(m) for m in world.posts("gazette"))
        )
        [bulletin] = [m for m in world.posts("gazette") if "Bronze Age flight" in text_of(m)]
        assert COLOUR not in text_of(bulletin)  # the template stood
        # No further item needs the model: the probes a minute find it still down, and the
        # game pauses after ten minutes of continuous failure.
        server = world.service.server
        await server.advance(Instant(server.clock.now() + 601))
        await world.wait_for(
            lambda: any("paused itself" in text_of(m) for m in world.posts("gw-admin"))
        )
        [alert] = [m for m in world.posts("gw-admin") if "paused itself" in text_of(m)]
        assert "The language model has failed for 10 minutes" in text_of(alert)
        assert "/gw_admin resume_game" in text_of(alert)

        refused = await submit(world, "Ada", "Tin trade")
        assert "The game is paused" in text_of(refused)


async def test_a_blocked_theory_is_told_to_the_admins(tmp_path: Path, fake: FakeLlmServer) -> None:
    async with running_world(tmp_path, settings=settings(fake)) as world:
        refused = await submit(world, "Ada", "We kill the rival theory")
        assert "blocked by moderation" in text_of(refused)
        await world.wait_for(
            lambda: any("Moderation blocked" in text_of(m) for m in world.posts("gw-admin"))
        )
        [alert] = [m for m in world.posts("gw-admin") if "Moderation blocked" in text_of(m)]
        text = text_of(alert)
        assert "a theory (violence, blocklist)" in text
        assert "“We kill the rival theory”" in text
        assert "/gw_admin add_moderation_override text_hash:" in text
        assert fake.requests == []  # nothing was printed, so nothing was voiced
