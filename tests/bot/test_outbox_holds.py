"""A post refused for the channel's permissions waits for the fix, then resumes in order.

Discord's 403 Missing Access (50001) and Missing Permissions (50013) hold the post: its row
stays ``sending``, the admins are told once, and the same post (the same nonce) is tried
again every ``recheck`` seconds or when the outbox is woken. Every other refusal fails the
post for good (``test_outbox.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import disnake
import pytest
from disnake.http import HTTPClient
from disnake.state import ConnectionState

from greatwork.bot.channel_setup import _missing_permissions
from greatwork.bot.directory import ChannelRole
from greatwork.bot.outbox.notices import HOLD_CODES, holds
from greatwork.bot.permissions import lacking, needed
from greatwork.bot.sender import SendError
from greatwork.config import Settings
from greatwork.rules.ids import CampaignId
from greatwork.store import OutboxState
from tests.bot.test_channels import TEXT, make_guild
from tests.bot.test_outbox import (
    ADMIN,
    CID,
    FOUNDING,
    GAZETTE,
    GUILD,
    REFUSALS,
    TABLE,
    World,
    bad_request,
    forbidden,
    full_guild,
    posted_order,
    unavailable,
    until,
)

BOT = 900_000_000_000_000_099
HELD = f"notice:held:{GAZETTE}:50013:{FOUNDING}"
VIEW = disnake.Permissions(view_channel=True).value
SEND = disnake.Permissions(send_messages=True).value
EMBED = disnake.Permissions(embed_links=True).value
ATTACH = disnake.Permissions(attach_files=True).value
EVERYONE = VIEW | SEND | EMBED | ATTACH


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    made = World(Settings(db_path=tmp_path / "journal" / "greatwork.db"))
    server = await made.start()
    made.guild = full_guild()
    try:
        await server.ensure_campaign(CID, seed=5)
        await server.ensure_campaign(CampaignId("c1"), seed=6)  # not a guild's: never posted
        yield made
    finally:
        await made.close()


def guild_with_bot(gazette_denies: int = 0) -> disnake.Guild:
    """The test guild as the logged-in bot sees it: its own member, and #gazette's overwrite.

    Everyone may view, send, embed and attach; #gazette denies the bot ``gazette_denies``.
    """
    loop = asyncio.get_running_loop()
    state = ConnectionState(
        dispatch=lambda *_args, **_kwargs: None,
        handlers={},
        hooks={},
        http=HTTPClient(loop=loop),
        loop=loop,
        intents=disnake.Intents.none(),
    )
    user = {"id": str(BOT), "username": "greatwork", "discriminator": "0", "avatar": None}
    state.user = disnake.ClientUser(state=state, data=cast("Any", user))
    colors = {"primary_color": 0, "secondary_color": None, "tertiary_color": None}
    overwrite = {"id": str(BOT), "type": 1, "allow": "0", "deny": str(gazette_denies)}
    channels = [
        (GAZETTE, "gazette", [overwrite]),
        (TABLE, "table-talk", []),
        (ADMIN, "gw-admin", []),
    ]
    data: dict[str, Any] = {
        "id": str(GUILD),
        "name": "A learned society",
        "owner_id": "1",
        "member_count": 1,
        "large": False,
        "roles": [
            {
                "id": str(GUILD),
                "name": "@everyone",
                "permissions": str(EVERYONE),
                "position": 0,
                "colors": colors,
            }
        ],
        "members": [{"user": user, "roles": [], "joined_at": "2026-01-01T00:00:00+00:00"}],
        "channels": [
            {"id": str(cid), "type": TEXT, "name": name, "position": n, "permission_overwrites": o}
            for n, (cid, name, o) in enumerate(channels)
        ],
    }
    return disnake.Guild(data=cast("Any", data), state=state)


def gazette_nonces(world: World) -> list[str]:
    """The nonce of every send to #gazette, refused or taken, in order."""
    return [nonce for channel, nonce, _ in world.discord.calls if channel == GAZETTE]


def records(caplog: pytest.LogCaptureFixture, level: int, text: str) -> list[str]:
    """The messages logged at exactly ``level`` that contain ``text``."""
    return [r.getMessage() for r in caplog.records if r.levelno == level and text in r.getMessage()]


# --- which refusals hold -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "held"),
    [
        (forbidden(50013, "Missing Permissions"), True),
        (forbidden(50001, "Missing Access"), True),
        (forbidden(50007, "Cannot send messages to this user"), False),
        (SendError(403, None, "Forbidden", retryable=False), False),
        (bad_request(), False),
        (SendError(404, 10003, "Unknown Channel", retryable=False), False),
        (SendError(403, 50013, "odd: a retryable 403", retryable=True), False),
        (unavailable(), False),
    ],
    ids=["50013", "50001", "403-50007", "403-no-code", "400", "404", "retryable", "503"],
)
def test_only_missing_access_or_permissions_hold_a_post(error: SendError, *, held: bool) -> None:
    assert holds(error) is held


def test_the_refusals_that_fail_for_good_are_not_holds() -> None:
    assert sorted(HOLD_CODES) == [50001, 50013]
    assert not any(holds(make()) for make in REFUSALS.values())


@pytest.mark.parametrize(
    ("denied", "files", "missing"),
    [
        (0, True, []),
        (VIEW, False, ["View Channel"]),  # Discord implies the rest: named alone
        (SEND, True, ["Send Messages"]),
        (EMBED, False, ["Embed Links"]),
        (EMBED | ATTACH, True, ["Embed Links", "Attach Files"]),
        (ATTACH, False, []),  # no file in the post: Attach Files is not needed
    ],
    ids=["none", "view", "send", "embed", "embed-attach", "attach-unneeded"],
)
async def test_the_permission_missing_is_named(
    denied: int, *, files: bool, missing: list[str]
) -> None:
    assert lacking(guild_with_bot(denied), GAZETTE, files=files) == missing


async def test_setup_names_what_the_bot_lacks_in_a_channel() -> None:
    guild = guild_with_bot(EMBED | ATTACH)
    assert _missing_permissions(guild, GAZETTE) == (
        ". The bot lacks Embed Links and Attach Files there."
    )
    assert _missing_permissions(guild, TABLE) == ""


async def test_without_the_bots_member_or_the_channel_nothing_is_named() -> None:
    assert lacking(full_guild(), GAZETTE, files=True) == []  # not logged in: no member
    assert lacking(guild_with_bot(SEND), 42, files=True) == []
    assert needed(files=False) == ["View Channel", "Send Messages", "Embed Links"]
    assert needed(files=True)[-1] == "Attach Files"


# --- a held post -------------------------------------------------------------------------------


async def test_a_post_refused_for_permissions_waits_until_woken_then_goes_through_in_order(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.guild = guild_with_bot(SEND)
    world.discord.denied[GAZETTE] = forbidden()
    with caplog.at_level(logging.DEBUG, logger="greatwork.bot.outbox"):
        outbox = await world.outbox(recheck=60.0)
        await until(lambda: bool(world.discord.in_channel(ADMIN)), "the admins told")
        await world.mentor(2)  # released while the founding post waits
        await world.talk("said while the Gazette waits")  # #table-talk works, yet waits too
        waiting = await world.rows()
        refused = gazette_nonces(world)
        del world.discord.denied[GAZETTE]  # the admin grants Send Messages...
        outbox.wake(GUILD)  # ...and the bot sees the channel or role change
        await until(world.all_posted, "every release posted")
    rows = await world.rows()

    assert waiting[FOUNDING].state is OutboxState.SENDING
    assert "Missing Permissions" in waiting[FOUNDING].last_error
    assert waiting[FOUNDING].message_ids == ()
    assert sorted(waiting) == sorted([FOUNDING, HELD])  # later posts not begun: they wait
    assert refused == [rows[FOUNDING].nonce]  # tried once, then waited for the wake
    assert gazette_nonces(world)[:2] == [rows[FOUNDING].nonce] * 2  # the same post again
    assert [m.nonce for m in world.discord.messages].count(rows[FOUNDING].nonce) == 1
    assert posted_order(world, rows) == [HELD, *await world.expected_keys()]
    [told] = world.discord.in_channel(ADMIN)
    assert told.post.embeds[0]["title"] == "The Gazette is waiting for permissions"
    text = told.post.embeds[0]["description"]
    assert "press items No. 1 to 20" in text
    assert "the bot lacks Send Messages there" in text
    assert "View Channel, Send Messages and Embed Links" in text
    assert "resumes by itself, in order" in text
    assert len(records(caplog, logging.WARNING, "the Gazette waits")) == 1
    assert records(caplog, logging.WARNING, "sending") == []  # the refusal is logged once
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert len(records(caplog, logging.INFO, "the Gazette resumed")) == 1


async def test_a_held_post_is_tried_again_every_recheck_and_told_once(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.discord.denied[GAZETTE] = forbidden(50001, "Missing Access")
    with caplog.at_level(logging.WARNING, logger="greatwork.bot.outbox"):
        await world.outbox()  # recheck: 5 ms
        await until(lambda: len(gazette_nonces(world)) >= 4, "the held post tried again")
        del world.discord.denied[GAZETTE]
        await until(world.all_posted, "every release posted")
    rows = await world.rows()

    first = rows[FOUNDING]
    assert gazette_nonces(world).count(first.nonce) == first.attempts  # one send per try
    assert first.attempts >= 5
    assert [m.nonce for m in world.discord.messages].count(first.nonce) == 1
    [told] = world.discord.in_channel(ADMIN)
    assert "the bot lacks a permission there" in told.post.embeds[0]["description"]
    assert f"notice:held:{GAZETTE}:50001:{FOUNDING}" in rows
    assert len(records(caplog, logging.WARNING, "the Gazette waits")) == 1


async def test_a_partial_fix_is_told_again_with_what_is_still_missing(world: World) -> None:
    world.discord.denied[GAZETTE] = forbidden(50001, "Missing Access")
    outbox = await world.outbox(recheck=60.0)
    await until(lambda: bool(world.discord.in_channel(ADMIN)), "the admins told")
    world.guild = guild_with_bot(EMBED)  # View Channel granted, Embed Links still denied
    world.discord.denied[GAZETTE] = forbidden()
    outbox.wake(GUILD)
    await until(lambda: len(world.discord.in_channel(ADMIN)) == 2, "the admins told again")
    del world.discord.denied[GAZETTE]
    outbox.wake(GUILD)
    await until(world.all_posted, "every release posted")

    first, second = (m.post.embeds[0]["description"] for m in world.discord.in_channel(ADMIN))
    assert "Missing Access" in first
    assert "the bot lacks Embed Links there" in second
    assert len(world.discord.in_channel(ADMIN)) == 2


async def test_a_restart_while_held_resumes_the_post_without_telling_again(world: World) -> None:
    world.discord.denied[GAZETTE] = forbidden()
    await world.outbox(recheck=60.0)
    await until(lambda: bool(world.discord.in_channel(ADMIN)), "the admins told")
    await world.restart()
    assert (await world.rows())[FOUNDING].state is OutboxState.SENDING

    outbox = await world.outbox(recheck=60.0)
    await until(lambda: len(gazette_nonces(world)) == 2, "the held post tried at start")
    del world.discord.denied[GAZETTE]
    outbox.wake(GUILD)
    await until(world.all_posted, "every release posted")
    rows = await world.rows()

    assert gazette_nonces(world)[:3] == [rows[FOUNDING].nonce] * 3  # before, at start, after
    assert [m.nonce for m in world.discord.messages].count(rows[FOUNDING].nonce) == 1
    assert len(world.discord.in_channel(ADMIN)) == 1  # the notice's row remembers it
    assert posted_order(world, rows) == [HELD, *await world.expected_keys()]


async def test_a_held_post_follows_the_gazette_to_a_new_channel(world: World) -> None:
    world.discord.denied[GAZETTE] = forbidden()
    news = 900_000_000_000_000_013
    await world.outbox(recheck=60.0)
    await until(lambda: bool(world.discord.in_channel(ADMIN)), "the admins told")
    world.guild = make_guild(
        GUILD,
        {
            GAZETTE: ("gazette", TEXT),
            news: ("news", TEXT),
            TABLE: ("table-talk", TEXT),
            ADMIN: ("gw-admin", TEXT),
        },
    )
    assert world.book is not None
    await world.book.set(GUILD, ChannelRole.GAZETTE, news, by="user:7")  # wakes the outbox
    await until(world.all_posted, "every release posted")
    rows = await world.rows()

    assert rows[FOUNDING].channel_id == news
    assert world.discord.in_channel(GAZETTE) == []
    assert [m.id for m in world.discord.in_channel(news)] == list(rows[FOUNDING].message_ids)


async def test_with_no_admin_channel_a_hold_is_logged_once_with_what_to_do(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.guild = make_guild(GUILD, {GAZETTE: ("gazette", TEXT), TABLE: ("table-talk", TEXT)})
    world.discord.denied[GAZETTE] = forbidden()
    with caplog.at_level(logging.WARNING, logger="greatwork.bot.outbox"):
        await world.outbox()  # recheck: 5 ms
        await until(lambda: len(gazette_nonces(world)) >= 3, "the held post tried again")

    told = records(caplog, logging.WARNING, "no admin channel to tell")
    assert len(told) == 1
    assert "The Gazette is waiting for permissions" in told[0]
    assert "Give the bot's role View Channel, Send Messages and Embed Links" in told[0]
    assert len(records(caplog, logging.WARNING, "the Gazette waits")) == 1
    assert world.discord.messages == []
