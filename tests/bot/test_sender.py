from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from disnake.http import HTTPClient, Route

from greatwork.bot.limits import Post
from greatwork.bot.sender import SendError, send_post
from greatwork.commands.spec import Attachment
from tests.bot.loopback import LoopbackDiscord

CHANNEL = 700_000_000_000_000_001
EMBED = {"title": "The Gazette", "description": "@everyone: comets are ice"}


@dataclass
class Bot:
    http: HTTPClient


@pytest.fixture
async def discord() -> AsyncIterator[LoopbackDiscord]:
    stub = LoopbackDiscord()
    previous = Route.BASE
    Route.BASE = await stub.start()
    try:
        yield stub
    finally:
        Route.BASE = previous
        await stub.stop()


@pytest.fixture
async def bot(discord: LoopbackDiscord) -> AsyncIterator[Bot]:
    del discord
    http = HTTPClient(loop=asyncio.get_running_loop())
    await http.static_login("test-token")
    try:
        yield Bot(http)
    finally:
        await http.close()


async def test_a_post_is_sent_as_json_with_mentions_disabled(
    bot: Bot, discord: LoopbackDiscord
) -> None:
    message_id = await send_post(bot, CHANNEL, Post(content="@everyone hi", embeds=(EMBED,)))
    (call,) = discord.matching(f"POST /channels/{CHANNEL}/messages")
    assert call.json == {
        "allowed_mentions": {"parse": [], "replied_user": False},
        "content": "@everyone hi",
        "embeds": [EMBED],
    }
    assert call.headers["Authorization"] == "Bot test-token"
    assert message_id > 0


async def test_a_nonce_asks_discord_to_deduplicate(bot: Bot, discord: LoopbackDiscord) -> None:
    await send_post(bot, CHANNEL, Post(embeds=(EMBED,)), nonce="gw-42-1")
    (call,) = discord.matching("/messages")
    assert call.json["nonce"] == "gw-42-1"
    assert call.json["enforce_nonce"] is True


@pytest.mark.parametrize("nonce", ["", "n" * 26])
async def test_a_nonce_must_fit_discords_limit(bot: Bot, nonce: str) -> None:
    with pytest.raises(ValueError, match="a nonce has 1 to 25 characters"):
        await send_post(bot, CHANNEL, Post(content="x"), nonce=nonce)


async def test_files_go_as_multipart(bot: Bot, discord: LoopbackDiscord) -> None:
    files = (
        Attachment(filename="digest.txt", content="Digest 1\nAll quiet."),
        Attachment(filename="data.json", content='{"n": 1}'),
    )
    await send_post(bot, CHANNEL, Post(embeds=(EMBED,), files=files), nonce="n1")
    (call,) = discord.matching("/messages")
    assert call.files == {"digest.txt": "Digest 1\nAll quiet.", "data.json": '{"n": 1}'}
    assert call.json["attachments"] == [
        {"id": 0, "filename": "digest.txt"},
        {"id": 1, "filename": "data.json"},
    ]
    assert call.json["nonce"] == "n1"
    assert call.json["allowed_mentions"] == {"parse": [], "replied_user": False}


async def test_a_post_over_the_limits_is_never_sent(bot: Bot, discord: LoopbackDiscord) -> None:
    with pytest.raises(SendError) as caught:
        await send_post(bot, CHANNEL, Post(content="x" * 2001))
    assert caught.value.retryable is False
    assert "content has 2001 characters (at most 2000)" in caught.value.message
    assert discord.matching("/messages") == []


@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [(400, 50035, False), (403, 50013, False), (404, 10003, False), (503, 0, True)],
)
async def test_refusals_say_whether_to_try_again(
    bot: Bot, discord: LoopbackDiscord, status: int, code: int, retryable: bool
) -> None:
    discord.fail("/messages", status, code, message=f"refused with {status}")
    with pytest.raises(SendError) as caught:
        await send_post(bot, CHANNEL, Post(content="x"))
    assert (caught.value.status, caught.value.code) == (status, code or None)
    assert caught.value.retryable is retryable
    assert f"refused with {status}" in caught.value.message


async def test_a_rate_limit_disnake_gives_up_on_is_retryable(
    bot: Bot, discord: LoopbackDiscord
) -> None:
    discord.fail("/messages", 429, 0, retry_after=0.01, **{"global": False})
    discord.failures[-1].times = 5  # disnake waits and tries five times, then gives up
    with pytest.raises(SendError) as caught:
        await send_post(bot, CHANNEL, Post(content="x"))
    assert caught.value.status == 429
    assert caught.value.retryable is True
    assert len(discord.matching("/messages")) == 5


async def test_a_rate_limit_disnake_retries_by_itself_posts_once(
    bot: Bot, discord: LoopbackDiscord
) -> None:
    discord.fail("/messages", 429, 0, retry_after=0.01, **{"global": False})
    assert await send_post(bot, CHANNEL, Post(content="x")) > 0
    assert len(discord.matching("/messages")) == 2


async def test_an_unreachable_discord_is_retryable(bot: Bot) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    Route.BASE = f"http://127.0.0.1:{port}/api/v10"  # nothing listens there
    with pytest.raises(SendError) as caught:
        await send_post(bot, CHANNEL, Post(content="x"))
    assert (caught.value.status, caught.value.retryable) == (0, True)
    assert "could not be reached" in caught.value.message
