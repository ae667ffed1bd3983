"""The Gazette outbox with the persona voice and the admins' alerts (issue 5).

A real server voiced by the fake OpenAI-compatible model on 127.0.0.1, a real journal, and the
fake Discord of ``test_outbox.py``: voiced items and digests post their voice, alerts reach the
admin channel once, and an item that waited for the model when the process went down is posted
once, as written, at the next start.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from greatwork.actors.clock import VirtualClock
from greatwork.actors.runtime import GameServer
from greatwork.bot.channels import ChannelBook
from greatwork.config import Settings
from greatwork.llm.client import ClientConfig, LlmClient
from greatwork.rules.constants import Confidence
from greatwork.rules.ids import Instant, PlayerId
from greatwork.rules.moderation import RecordModeration
from greatwork.rules.pause import PauseGame, ResumeGame
from greatwork.rules.theory import SubmitTheory
from greatwork.store import OutboxState
from tests.bot.test_outbox import ADMIN, CID, GAZETTE, START, World, full_guild, until
from tests.commands.local import shared_content
from tests.llm.fake_server import FakeLlmServer

COLOUR = "Extraordinary news reaches the Gazette."
HOST = PlayerId("900000000000000777")


async def no_sleep(_seconds: float) -> None:
    await asyncio.sleep(0)


class VoiceWorld(World):
    """The outbox test's world, its server voiced by the fake model."""

    def __init__(self, settings: Settings, fake: FakeLlmServer) -> None:
        super().__init__(settings)
        self.fake = fake
        self.clients: list[LlmClient] = []
        self.request_timeout = 0.3

    async def start(self, at: int = START) -> GameServer:
        config = ClientConfig(
            base_url=self.fake.base_url,
            model="configured",
            timeout=self.request_timeout,
            attempts=1,
            retry_budget=max(1.0, self.request_timeout * 2),
        )
        client = LlmClient(config, sleep=no_sleep)
        self.clients.append(client)
        server = GameServer(
            self.settings,
            shared_content(),
            clock=VirtualClock(Instant(at)),
            voice=client,
        )
        await server.start()
        self.server = server
        self.book = ChannelBook(self.store, now=server.clock.now)
        await self.book.load()
        return server

    async def close(self) -> None:
        await super().close()
        for client in self.clients:
            await client.close()

    async def theory(self, text: str) -> None:
        server = self.server
        assert server is not None
        await server.execute(
            CID,
            SubmitTheory(
                actor=PlayerId("p0"),
                at=server.clock.now(),
                actor_name="Ada",
                theory=text,
                confidence=Confidence.CERTAIN,
            ),
        )

    def texts(self, channel_id: int) -> list[str]:
        """Every embed's title and description in a channel, in order."""
        return [
            f"{embed.get('title', '')}\n{embed.get('description', '')}"
            for message in self.discord.in_channel(channel_id)
            for embed in message.post.embeds
        ]


@pytest.fixture
async def fake() -> AsyncIterator[FakeLlmServer]:
    async with FakeLlmServer(slow_seconds=30.0) as server:
        yield server


@pytest.fixture
async def world(tmp_path: Path, fake: FakeLlmServer) -> AsyncIterator[VoiceWorld]:
    made = VoiceWorld(Settings(db_path=tmp_path / "journal" / "greatwork.db"), fake)
    server = await made.start()
    made.guild = full_guild()
    try:
        await server.ensure_campaign(CID, seed=5)
        yield made
    finally:
        await made.close()


async def test_voiced_items_and_digests_post_the_voice(world: VoiceWorld) -> None:
    await world.outbox()
    await world.later()
    await world.theory("Bronze Age flight")
    await world.mentor(3)
    assert world.server is not None
    await world.server.advance_to_next_digest()
    await until(world.all_posted, "every release posted")
    stories = world.texts(GAZETTE)
    voiced = [s for s in stories if COLOUR in s]
    # The bulletin, three mentorships queued, and in the digest the three activated.
    assert len(voiced) == 7
    assert any("Bronze Age flight" in s for s in voiced)
    digest = (await world.rows())["digest:1"]
    in_digest = [m for m in world.discord.messages if m.id in digest.message_ids]
    carried = [e.get("description", "") for m in in_digest[1:] for e in m.post.embeds]
    assert sum(COLOUR in text for text in carried) == 3
    assert len(world.discord.calls) == len(world.discord.messages)  # nothing posted twice


async def test_a_pause_a_resume_and_a_block_are_told_to_the_admins_once(
    world: VoiceWorld,
) -> None:
    await world.outbox()
    await world.later()
    server = world.server
    assert server is not None
    await server.execute(CID, PauseGame(actor=HOST, at=server.clock.now(), reason="Moving house"))
    await until(lambda: len(world.discord.in_channel(ADMIN)) == 1, "the pause told")
    await world.later(6 * 3600)  # past 13:00: the digest waits
    await until(lambda: len(world.discord.in_channel(ADMIN)) == 2, "the waiting digest told")
    await world.later(9 * 3600)  # past 21:00: the same pause, told once
    await server.execute(CID, ResumeGame(actor=HOST, at=server.clock.now()))
    await until(lambda: len(world.discord.in_channel(ADMIN)) == 3, "the resume told")
    await server.execute(
        CID,
        RecordModeration(
            actor=PlayerId("p0"),
            at=server.clock.now(),
            text="kill the rival",
            surface="theory",
            stage="blocklist",
            category="violence",
        ),
    )
    await until(lambda: len(world.discord.in_channel(ADMIN)) == 4, "the block told")
    told = world.discord.in_channel(ADMIN)
    titles = [m.post.embeds[0]["title"] for m in told]
    assert titles == [
        "The game is paused",
        "A digest waits for the pause",
        "The game resumed",
        "Moderation blocked a text",
    ]
    paused, waiting, resumed, blocked = (m.post.embeds[0]["description"] for m in told)
    assert f"<@{HOST}> paused the game" in paused
    assert "Moving house" in paused
    assert "Digest No. 1" in waiting
    assert f"by <@{HOST}> after 15 h 00 min" in resumed
    assert "a theory (violence, blocklist)" in blocked
    assert "/gw_admin add_moderation_override text_hash:" in blocked
    assert told[2].post.embeds[0]["color"] != told[0].post.embeds[0]["color"]  # good news
    assert all(m.post.payload()["allowed_mentions"]["parse"] == [] for m in told)

    async def alerts_posted() -> bool:
        rows = await world.rows()
        alerts = [r for k, r in rows.items() if k.startswith("alert:")]
        return len(alerts) == 4 and all(r.state is OutboxState.POSTED for r in alerts)

    await until(alerts_posted, "the four alert rows posted")

    await world.later(60)
    await until(world.all_posted, "the digests caught up")
    calls = len(world.discord.calls)
    await world.restart()
    await world.outbox()
    await world.later(60)
    await until(world.all_posted, "nothing new")
    assert len(world.discord.calls) == calls
    assert len(world.discord.in_channel(ADMIN)) == 4


async def test_an_item_waiting_for_the_model_at_shutdown_posts_once_as_written(
    world: VoiceWorld, fake: FakeLlmServer
) -> None:
    world.request_timeout = 20.0  # the slow model holds the item until the stop
    await world.restart()
    await world.outbox()
    await until(world.all_posted, "the founding roster")
    fake.mode = "slow"
    await world.later()
    await world.theory("Held by a slow model")
    await until(lambda: len(fake.requests) == 1, "the model to be asked")
    store = world.store
    now = world.server.clock.now() if world.server is not None else START
    [row] = [r for r in await store.press_between(CID, -1, now) if "Held by" in r.body]
    assert not await world.settled()  # released, journaled, not posted: it waits
    # As ``greatwork serve`` stops: the outbox first, then the server (the call is cancelled).
    await world.restart()
    fake.mode = "ok"
    world.request_timeout = 0.3
    await world.outbox()
    await until(world.all_posted, "the waiting item posted")
    [posted] = [t for t in world.texts(GAZETTE) if "Held by a slow model" in t]
    assert COLOUR not in posted  # as the template wrote it: no voice was journaled
    assert row.body in posted
    template = await world.store.press_template(CID, row.id)
    voiced = await world.store.press_item(CID, row.id)
    assert template == voiced
    assert json.loads(row.meta).get("llm") is None
    assert len(world.discord.calls) == len(world.discord.messages)
