"""The greatwork server and bot in front of the loopback Discord: the end-to-end harness.

``running_world()`` starts a :class:`DiscordEmulator` with one guild (#orders, #gazette,
#table-talk, #gw-admin) and the production wiring of ``greatwork serve``
(:class:`greatwork.serve.Service`: the game server on a journal in a temporary folder, the
bot, the Gazette outbox) on a virtual clock, with the emulator as the Discord API. It returns
once the bot is ready and its commands are synced, and on the way out checks that nothing went
wrong unseen: no slash-command, gateway or listener error, no ERROR log from greatwork, no log
record at any level that contains the bot token, and no request the emulator refused unless the
test said it expected one.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from disnake.http import Route

from greatwork.actors.clock import VirtualClock
from greatwork.bot.app import GreatworkBot
from greatwork.bot.guilds import campaign_of
from greatwork.config import Settings
from greatwork.play.session import SCRIPT_START
from greatwork.rules.ids import CampaignId, Instant
from greatwork.serve import Service
from tests.discord.emulator import DiscordEmulator, Guild, InteractionRecord, Member
from tests.discord.emulator_fixtures import record_errors, wait_synced


class _Logs(logging.Handler):
    """Keeps every record of the ``greatwork`` and ``disnake`` loggers, DEBUG included."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def errors(self) -> list[str]:
        """The ERROR (or worse) records of greatwork, as text."""
        return [
            f"{r.name}: {r.getMessage()}"
            for r in self.records
            if r.levelno >= logging.ERROR and r.name.startswith("greatwork")
        ]

    def mentioning(self, secret: str) -> list[str]:
        """Every record whose message or traceback contains ``secret``."""
        found = []
        for record in self.records:
            text = record.getMessage() + (self.format(record) if record.exc_info else "")
            if secret in text:
                found.append(f"{record.name}: {text[:200]}")
        return found


@dataclass
class World:
    """A running emulator, server, bot and outbox, with one guild and its members."""

    emu: DiscordEmulator
    service: Service
    guild: Guild
    members: dict[str, Member] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    expected_rejections: int = 0

    @property
    def bot(self) -> GreatworkBot:
        """The bot (always built: the world has a token)."""
        assert self.service.bot is not None
        return self.service.bot

    @property
    def campaign_id(self) -> CampaignId:
        """The guild's campaign."""
        return campaign_of(self.guild.id)

    @property
    def clock(self) -> VirtualClock:
        """The game clock."""
        clock = self.service.server.clock
        assert isinstance(clock, VirtualClock)
        return clock

    def channel(self, name: str) -> int:
        """A channel's id by name."""
        return self.guild.channels[name]

    def posts(self, name: str) -> list[dict[str, Any]]:
        """The messages in a channel by name, oldest first."""
        return self.emu.messages(self.channel(name))

    def member(self, name: str, *, admin: bool = False) -> Member:
        """The member called ``name``, joining the guild on first use."""
        found = self.members.get(name)
        if found is None:
            found = self.emu.add_member(self.guild, name, admin=admin)
            self.members[name] = found
        return found

    async def slash(self, who: str, command: str, /, **options: Any) -> InteractionRecord:
        """Run ``/command`` as member ``who`` and wait for its final response."""
        record = await self.emu.slash(self.guild, self.member(who), command, **options)
        await record.done(timeout=15)
        return record

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 15.0) -> None:  # noqa: ASYNC109 (one deadline)
        """Wait until ``predicate()`` holds, waking on every request the emulator sees."""
        await self.emu.wait_for(predicate, timeout)


def text_of(message: dict[str, Any]) -> str:
    """Everything a reader sees in a message: content, embed titles, bodies, fields, footers."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts.append(embed.get("title", ""))
        parts.append(embed.get("description", ""))
        parts.extend(f"{f.get('name', '')} {f.get('value', '')}" for f in embed.get("fields", []))
        parts.append(embed.get("footer", {}).get("text", ""))
    return "\n".join(p for p in parts if p)


async def _synced(emu: DiscordEmulator, bot: GreatworkBot) -> None:
    """Wait until disnake's start-up command sync is over (its lock is released)."""
    await wait_synced(emu, bot, timeout=10)


@contextlib.asynccontextmanager
async def running_world(
    tmp_path: Path,
    *,
    start: Instant = SCRIPT_START,
    seed: int | None = None,
    settings: dict[str, Any] | None = None,
    channels: tuple[str, ...] = ("orders", "gazette", "table-talk", "gw-admin"),
) -> AsyncIterator[World]:
    """An emulator, a guild and the served game on a virtual clock starting at ``start``.

    ``seed`` creates the guild's campaign with that seed before the bot starts (scripts
    written for ``greatwork play`` expect their ``!seed``).
    """
    emu = DiscordEmulator()
    await emu.start()
    previous_base = Route.BASE
    guild = emu.add_guild("The Great Work", channels=channels)
    logs = _Logs()
    watched = [logging.getLogger(name) for name in ("greatwork", "disnake")]
    levels = [logger.level for logger in watched]
    for logger in watched:
        logger.addHandler(logs)
        logger.setLevel(logging.DEBUG)
    config = Settings(
        db_path=tmp_path / "journal.db",
        discord_token=emu.token,
        discord_api=emu.api_base,
        **(settings or {}),
    )
    errors: list[str] = []

    def new_service() -> Service:
        return Service(
            config,
            clock=VirtualClock(start),
            guild_ready_timeout=0.02,
            on_bot=lambda bot: record_errors(bot, errors, emu.notifier.poke),
        )

    service = new_service()
    try:
        if seed is not None:
            await service.server.start()
            await service.server.ensure_campaign(campaign_of(guild.id), seed=seed, name=guild.name)
            await service.server.stop()
            service = new_service()  # a fresh process's worth, as after a restart
        await service.start()
        assert service.bot is not None
        await _synced(emu, service.bot)
        world = World(emu=emu, service=service, guild=guild, errors=errors)
        yield world
        assert errors == [], errors
        assert logs.errors() == [], logs.errors()
        # The token is never logged, at any level (disnake's DEBUG output included).
        assert logs.mentioning(emu.token) == []
        unexpected = len(emu.rejections) - world.expected_rejections
        assert unexpected == 0, emu.rejections
    finally:
        for logger, level in zip(watched, levels, strict=True):
            logger.removeHandler(logs)
            logger.setLevel(level)
        await service.stop()
        await emu.stop()
        Route.BASE = previous_base
