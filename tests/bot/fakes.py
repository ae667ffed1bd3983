"""Test doubles for the bot: an in-memory channel directory, a recording responder, a bot world."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import disnake
from disnake.http import Route
from disnake.interactions.application_command import ApplicationCommandInteraction

from greatwork.actors.clock import VirtualClock
from greatwork.actors.runtime import GameServer
from greatwork.bot.app import GreatworkBot, create_bot
from greatwork.bot.directory import DEFAULT_NAMES, ChannelRole
from greatwork.bot.limits import Post
from greatwork.config import Settings
from tests.bot import payloads
from tests.bot.loopback import LoopbackDiscord
from tests.commands.local import T0, shared_content


class MemoryDirectory:
    """A :class:`~greatwork.bot.directory.ChannelDirectory` kept in a dict."""

    def __init__(self) -> None:
        self.chosen: dict[int, dict[ChannelRole, int]] = {}
        self.changes: list[tuple[int, ChannelRole, int | None, str]] = []
        self.broken = False

    def channel_for(self, guild: disnake.Guild, role: ChannelRole) -> int | None:
        if self.broken:
            raise RuntimeError("the directory is broken on purpose")
        chosen = self.chosen.get(guild.id, {}).get(role)
        if chosen is not None and guild.get_channel(chosen) is not None:
            return chosen
        named = disnake.utils.get(guild.text_channels, name=DEFAULT_NAMES[role])
        return None if named is None else named.id

    async def set(
        self, guild_id: int, role: ChannelRole, channel_id: int | None, *, by: str
    ) -> None:
        self.changes.append((guild_id, role, channel_id, by))
        if channel_id is None:
            self.chosen.get(guild_id, {}).pop(role, None)
        else:
            self.chosen.setdefault(guild_id, {})[role] = channel_id

    def configured(self, guild_id: int) -> Mapping[ChannelRole, int]:
        return dict(self.chosen.get(guild_id, {}))


@dataclass
class RecordingResponder:
    """A :class:`~greatwork.bot.respond.Responder` that records what it was asked to do."""

    calls: list[tuple[str, Post | None, bool | None]] = field(default_factory=list)
    fail_on: set[str] = field(default_factory=set)

    def _record(self, what: str, post: Post | None, ephemeral: bool | None) -> None:
        self.calls.append((what, post, ephemeral))
        if what in self.fail_on:
            raise RuntimeError(f"{what} failed on purpose")

    async def defer(self, *, ephemeral: bool) -> None:
        self._record("defer", None, ephemeral)

    async def send(self, post: Post, *, ephemeral: bool) -> None:
        self._record("send", post, ephemeral)

    async def edit_original(self, post: Post) -> None:
        self._record("edit", post, None)

    async def delete_original(self) -> None:
        self._record("delete", None, None)

    async def followup(self, post: Post, *, ephemeral: bool) -> None:
        self._record("followup", post, ephemeral)

    def kinds(self) -> list[str]:
        return [c[0] for c in self.calls]


@dataclass
class World:
    """A bot over a real game server, answering through a loopback Discord."""

    bot: GreatworkBot
    server: GameServer
    discord: LoopbackDiscord
    channels: MemoryDirectory
    guild: disnake.Guild

    def interaction(self, payload: dict[str, Any]) -> ApplicationCommandInteraction[Any]:
        return ApplicationCommandInteraction(data=payload, state=self.bot._connection)  # type: ignore[arg-type]

    async def slash(
        self, name: str, options: Mapping[str, object] | None = None, **kw: Any
    ) -> None:
        """Run one slash command through disnake's own dispatch, to the end."""
        inter = self.interaction(payloads.command(name, options, **kw))
        await self.bot.process_application_commands(inter)

    def answers(self) -> list[dict[str, Any]]:
        """Every message body the bot sent for interactions, in order."""
        return [
            c.json
            for c in self.discord.calls
            if c.path.startswith(("/interactions/", "/webhooks/")) and c.method != "DELETE"
        ]


@contextlib.asynccontextmanager
async def world(
    tmp_path: Path,
    *,
    defer_after: float = 1.5,
    channels: Mapping[str, int] = payloads.CHANNELS,
    **settings: Any,
) -> AsyncIterator[World]:
    """Start a loopback Discord, a game server on a journal in ``tmp_path`` and the bot."""
    discord = LoopbackDiscord()
    base = await discord.start()
    previous = Route.BASE
    config = Settings(db_path=tmp_path / "greatwork.db", discord_api=base)
    config = dataclasses.replace(config, **settings)
    server = GameServer(config, shared_content(), clock=VirtualClock(T0 + 9 * 3600))  # type: ignore[arg-type]
    await server.start()
    directory = MemoryDirectory()
    bot = create_bot(
        server, config, channels=directory, guild_ready_timeout=0.02, defer_after=defer_after
    )
    try:
        data = await bot.http.static_login("test-token")
        bot._connection.user = disnake.ClientUser(state=bot._connection, data=data)
        guild = bot._connection._add_guild_from_data(payloads.guild(channels))  # type: ignore[arg-type]
        yield World(bot, server, discord, directory, guild)
    finally:
        await bot.close()
        await server.stop()
        await discord.stop()
        Route.BASE = previous
