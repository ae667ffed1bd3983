from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import disnake
import pytest
from disnake.ext import commands
from disnake.http import Route

from greatwork.bot.app import create_bot
from greatwork.bot.schema import ADMINISTRATOR, autocompleted, registration
from greatwork.commands.catalogue import CATALOGUE
from greatwork.commands.spec import ADMIN_GROUP
from greatwork.config import Settings
from tests.bot.fakes import MemoryDirectory

API = "http://127.0.0.1:9/api/v10"


@pytest.fixture(autouse=True)
def _restore_route_base() -> Iterator[None]:
    previous = Route.BASE
    yield
    Route.BASE = previous


async def test_the_bot_registers_the_checked_schema_as_global_commands() -> None:
    bot = create_bot(None, Settings(discord_api=API), channels=MemoryDirectory())  # type: ignore[arg-type]
    try:
        expected = {c["name"]: c for c in registration()}
        assert {c.name for c in bot.slash_commands} == set(expected)
        for command in bot.slash_commands:
            sent = command.body.to_dict()
            for key in ("name", "description", "options"):
                assert sent[key] == expected[command.name][key], (command.name, key)
            assert sent["default_member_permissions"] == expected[command.name].get(
                "default_member_permissions"
            )
            assert command.guild_ids is None  # global: production and tests sync the same way
    finally:
        await bot.close()


async def test_gw_admin_is_hidden_from_clients_without_administrator() -> None:
    bot = create_bot(None, Settings(discord_api=API), channels=MemoryDirectory())  # type: ignore[arg-type]
    try:
        group = bot.get_slash_command(ADMIN_GROUP)
        assert isinstance(group, commands.InvokableSlashCommand)
        assert group.body.default_member_permissions == disnake.Permissions(ADMINISTRATOR)
        assert set(group.children) == {s.name for s in CATALOGUE.group(ADMIN_GROUP)} | {"setup"}
    finally:
        await bot.close()


async def test_every_autocompleted_option_has_an_autocompleter() -> None:
    bot = create_bot(None, Settings(discord_api=API), channels=MemoryDirectory())  # type: ignore[arg-type]
    try:
        for spec in CATALOGUE:
            command: Any = bot.get_slash_command(spec.path.split()[0])
            if spec.group:
                command = command.children[spec.name]
            wanted = {o.name for o in spec.options if autocompleted(o)}
            assert set(command.autocompleters) == wanted, spec.path
    finally:
        await bot.close()


async def test_the_client_mentions_nobody_and_asks_only_for_guilds() -> None:
    bot = create_bot(
        None,  # type: ignore[arg-type]
        Settings(discord_api=API + "/"),
        channels=MemoryDirectory(),
        guild_ready_timeout=0.02,
    )
    try:
        mentions = bot.allowed_mentions
        assert mentions is not None
        assert (mentions.everyone, mentions.users, mentions.roles) == (False, False, False)
        assert mentions.replied_user is False
        assert bot.intents == disnake.Intents(guilds=True)
        assert bot.loop is asyncio.get_running_loop()
        assert Route.BASE == API
        assert bot._connection.guild_ready_timeout == 0.02
    finally:
        await bot.close()


def test_the_bot_must_be_built_inside_the_running_loop() -> None:
    with pytest.raises(RuntimeError, match="no running event loop"):
        create_bot(None, Settings(discord_api=API), channels=MemoryDirectory())  # type: ignore[arg-type]
