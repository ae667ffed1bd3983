"""The channel directory over the journal: configured channels, default names, wake-ups."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any, cast

import disnake
import pytest
from disnake.http import HTTPClient
from disnake.state import ConnectionState

from greatwork.bot.channels import ChannelBook
from greatwork.bot.directory import ChannelRole
from greatwork.store import InvalidRecordError, Store

GUILD = 900_000_000_000_000_001
GAZETTE = 900_000_000_000_000_010
OTHER = 900_000_000_000_000_011
ADMIN = 900_000_000_000_000_012
T = 1_767_225_600

TEXT, VOICE = 0, 2


def make_guild(guild_id: int, channels: Mapping[int, tuple[str, int]]) -> disnake.Guild:
    """A real disnake guild built from gateway-shaped data (no connection needed).

    ``channels`` maps a channel id to its name and Discord type (0 text, 2 voice), in order.
    """
    loop = asyncio.get_running_loop()
    state = ConnectionState(
        dispatch=lambda *_args, **_kwargs: None,
        handlers={},
        hooks={},
        http=HTTPClient(loop=loop),
        loop=loop,
        intents=disnake.Intents.default(),
    )
    data: dict[str, Any] = {
        "id": str(guild_id),
        "name": "A learned society",
        "roles": [],
        "owner_id": "1",
        "member_count": 0,
        "large": False,
        "channels": [
            {"id": str(cid), "type": kind, "name": name, "position": n}
            for n, (cid, (name, kind)) in enumerate(channels.items())
        ],
    }
    return disnake.Guild(data=cast("Any", data), state=state)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "greatwork.db")
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def book(store: Store) -> ChannelBook:
    loaded = ChannelBook(store, now=lambda: T)
    await loaded.load()
    return loaded


async def test_a_configured_channel_wins_while_the_guild_has_it(book: ChannelBook) -> None:
    guild = make_guild(GUILD, {GAZETTE: ("news", TEXT), OTHER: ("gazette", TEXT)})
    await book.set(GUILD, ChannelRole.GAZETTE, GAZETTE, by="user:7")
    assert book.channel_for(guild, ChannelRole.GAZETTE) == GAZETTE
    assert book.configured(GUILD) == {ChannelRole.GAZETTE: GAZETTE}

    gone = make_guild(GUILD, {OTHER: ("gazette", TEXT)})  # the configured one was deleted
    assert book.channel_for(gone, ChannelRole.GAZETTE) == OTHER


async def test_default_names_match_text_channels_ignoring_case(book: ChannelBook) -> None:
    guild = make_guild(
        GUILD,
        {
            1: ("gazette", VOICE),  # a voice channel never counts
            2: ("Table-Talk", TEXT),
            3: ("GW-Admin", TEXT),
            4: ("orders", TEXT),
            5: ("GAZETTE", TEXT),
            6: ("gazette", TEXT),
        },
    )
    assert book.channel_for(guild, ChannelRole.GAZETTE) == 5  # the first in the guild's order
    assert book.channel_for(guild, ChannelRole.TABLE_TALK) == 2
    assert book.channel_for(guild, ChannelRole.ADMIN) == 3
    assert book.channel_for(guild, ChannelRole.ORDERS) == 4
    bare = make_guild(GUILD, {7: ("general", TEXT), 8: ("gazette", VOICE)})
    assert all(book.channel_for(bare, role) is None for role in ChannelRole)


async def test_a_configured_voice_channel_is_not_used(book: ChannelBook) -> None:
    guild = make_guild(GUILD, {GAZETTE: ("radio", VOICE)})
    await book.set(GUILD, ChannelRole.GAZETTE, GAZETTE, by="user:7")
    assert book.channel_for(guild, ChannelRole.GAZETTE) is None


async def test_choices_are_journaled_and_loaded_again(tmp_path: Path) -> None:
    path = tmp_path / "greatwork.db"
    async with await Store.open(path) as store:
        book = ChannelBook(store, now=lambda: T)
        await book.load()
        await book.set(GUILD, ChannelRole.GAZETTE, GAZETTE, by="user:7")
        await book.set(GUILD, ChannelRole.ADMIN, ADMIN, by="user:7")
        await book.set(GUILD, ChannelRole.ADMIN, None, by="user:8")
        await store.set_channel("c1", "gazette", OTHER, "test", T)  # not a guild's campaign
        await store.set_channel(f"guild-{GUILD}", "upcoming", OTHER, "test", T)  # unknown role
    async with await Store.open(path) as store:
        rows = await store.channels(f"guild-{GUILD}")
        again = ChannelBook(store)
        await again.load()
    assert [(r.role, r.channel_id, r.set_by, r.set_at) for r in rows] == [
        ("admin", None, "user:8", T),
        ("gazette", GAZETTE, "user:7", T),
        ("upcoming", OTHER, "test", T),
    ]
    assert again.configured(GUILD) == {ChannelRole.GAZETTE: GAZETTE}
    assert again.configured(1) == {}


async def test_clearing_falls_back_to_the_default_name(book: ChannelBook) -> None:
    guild = make_guild(GUILD, {GAZETTE: ("news", TEXT), OTHER: ("gazette", TEXT)})
    await book.set(GUILD, ChannelRole.GAZETTE, GAZETTE, by="user:7")
    await book.set(GUILD, ChannelRole.GAZETTE, None, by="user:7")
    assert book.configured(GUILD) == {}
    assert book.channel_for(guild, ChannelRole.GAZETTE) == OTHER


async def test_setting_wakes_every_watcher_even_if_one_fails(book: ChannelBook) -> None:
    woken: list[int] = []

    def broken(guild_id: int) -> None:
        raise RuntimeError(f"watcher bug for {guild_id}")

    book.watch(broken)
    book.watch(woken.append)
    await book.set(GUILD, ChannelRole.TABLE_TALK, OTHER, by="user:7")
    assert woken == [GUILD]


async def test_a_bad_choice_changes_nothing(book: ChannelBook, store: Store) -> None:
    woken: list[int] = []
    book.watch(woken.append)
    with pytest.raises(ValueError, match="a guild id is a positive snowflake, got 0"):
        await book.set(0, ChannelRole.GAZETTE, GAZETTE, by="user:7")
    with pytest.raises(InvalidRecordError, match="a channel id must be a positive Discord id"):
        await book.set(GUILD, ChannelRole.GAZETTE, -3, by="user:7")
    with pytest.raises(InvalidRecordError, match="who set the channel must be text"):
        await book.set(GUILD, ChannelRole.GAZETTE, GAZETTE, by="")
    with pytest.raises(ValueError, match="'upcoming' is not a valid ChannelRole"):
        await book.set(GUILD, cast("ChannelRole", "upcoming"), GAZETTE, by="user:7")
    assert book.configured(GUILD) == {}
    assert await store.channels() == []
    assert woken == []


async def test_configured_is_a_read_only_copy(book: ChannelBook) -> None:
    await book.set(GUILD, ChannelRole.ORDERS, OTHER, by="user:7")
    seen = book.configured(GUILD)
    with pytest.raises(TypeError):
        cast("dict[ChannelRole, int]", seen)[ChannelRole.ADMIN] = ADMIN
    await book.set(GUILD, ChannelRole.ADMIN, ADMIN, by="user:7")
    assert dict(seen) == {ChannelRole.ORDERS: OTHER}
