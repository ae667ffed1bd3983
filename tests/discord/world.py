"""The greatwork server and bot in front of the loopback Discord: the end-to-end harness.

``running_world()`` starts a :class:`DiscordEmulator` with one guild (#orders, #gazette,
#table-talk, #gw-admin) and the production wiring of ``greatwork serve``
(:class:`greatwork.serve.Service`: the game server on a journal in a temporary folder, the
bot, the Gazette outbox) on a virtual clock, with the emulator as the Discord API. It returns
once the bot is ready and its commands are synced, and on the way out stops what it started
and checks that nothing went wrong unseen: no slash-command, gateway or listener error, no
ERROR log from greatwork that the test did not claim (:meth:`World.take_errors`), no log
record at any level that contains the bot token, and no request the emulator refused unless the
test said it expected one. :meth:`World.restart` replaces the Service as a process restart
would; :meth:`World.slash` runs a command in any channel.
"""

from __future__ import annotations

import contextlib
import logging
import re
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


class LogRecorder(logging.Handler):
    """Keeps every record of the ``greatwork`` and ``disnake`` loggers, DEBUG included."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def _errors(self) -> list[logging.LogRecord]:
        return [
            r for r in self.records if r.levelno >= logging.ERROR and r.name.startswith("greatwork")
        ]

    def errors(self) -> list[str]:
        """The ERROR (or worse) records of greatwork, as ``logger: message`` lines."""
        return [f"{r.name}: {r.getMessage()}" for r in self._errors()]

    def take(self, pattern: str) -> list[str]:
        """Remove the greatwork ERROR records whose message matches ``pattern``; their messages."""
        taken = [r for r in self._errors() if re.search(pattern, r.getMessage()) is not None]
        self.records[:] = [r for r in self.records if r not in taken]
        return [r.getMessage() for r in taken]

    def mentioning(self, secret: str) -> list[str]:
        """Every record whose message or traceback contains ``secret``."""
        found = []
        for record in self.records:
            text = record.getMessage() + (self.format(record) if record.exc_info else "")
            if secret in text:
                found.append(f"{record.name}: {text[:200]}")
        return found


ServiceFactory = Callable[[Instant], Service]
"""Builds a Service on the world's journal and emulator whose game clock starts at an instant,
and lists it in the world's ``services``."""


@dataclass
class World:
    """A running emulator, server, bot and outbox, with one guild and its members.

    ``services`` lists every :class:`Service` this world started (the one that created a
    seeded campaign, the first to serve, then one per :meth:`restart`); ``running_world``
    stops exactly those on the way out.
    """

    emu: DiscordEmulator
    service: Service
    guild: Guild
    logs: LogRecorder
    new_service: ServiceFactory
    command_channel: str
    members: dict[str, Member] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    expected_rejections: int = 0
    services: list[Service] = field(default_factory=list)

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
        return self.guild.channel(name)

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

    async def slash(
        self, who: str, command: str, /, *, channel: str | int | None = None, **options: Any
    ) -> InteractionRecord:
        """Run ``/command`` as member ``who`` and wait for its final response.

        Args:
            who: The member's name (joining the guild on first use).
            command: ``name``, ``name sub`` or ``name group sub``.
            channel: Where the command is used: a channel name or id (default: the world's
                ``command_channel``, the first of ``running_world``'s channels).
            **options: The option values by name (a command option called ``channel`` would
                need ``emu.invoke``).
        """
        record = await self.emu.invoke(
            self.guild, self.member(who), command, options, channel=channel or self.command_channel
        )
        await record.done(timeout=15)
        return record

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 15.0) -> None:  # noqa: ASYNC109 (one deadline)
        """Wait until ``predicate()`` holds, waking on every request the emulator sees."""
        await self.emu.wait_for(predicate, timeout)

    def take_errors(self, pattern: str) -> list[str]:
        """Claim the greatwork ERROR logs matching the regex ``pattern``; return their messages.

        ``running_world`` fails a test that leaves any greatwork ERROR log behind; a test
        that provokes one on purpose takes the ones it expects, and the rest stay checked.
        """
        return self.logs.take(pattern)

    def logged_errors(self) -> list[str]:
        """The greatwork ERROR logs not claimed so far, as ``logger: message`` lines."""
        return self.logs.errors()

    async def restart(self) -> Service:
        """Stop this world's Service and start a new one on the same journal and emulator.

        The game clock goes on from where it was; the new bot connects to the same emulator
        (a fresh IDENTIFY), finds its commands in sync and resumes the Gazette outbox from
        the journal. Returns the new Service once its bot is ready and synced.
        """
        now = self.clock.now()
        await self.service.stop()
        seen = len(self.emu.calls)
        self.service = self.new_service(now)  # the factory lists it in self.services
        await self.service.start()
        await wait_synced(self.emu, self.bot, since=seen, timeout=10)
        return self.service


def text_of(message: dict[str, Any]) -> str:
    """Everything a reader sees in a message: content, embed titles, bodies, fields, footers."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts.append(embed.get("title", ""))
        parts.append(embed.get("description", ""))
        parts.extend(f"{f.get('name', '')} {f.get('value', '')}" for f in embed.get("fields", []))
        parts.append(embed.get("footer", {}).get("text", ""))
    return "\n".join(p for p in parts if p)


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
    written for ``greatwork play`` expect their ``!seed``). Commands are used in the first of
    ``channels`` unless a test names another. On the way out every Service this world started
    is stopped (nothing else) before the checks, so its shutdown is checked too; then the
    emulator stops and ``Route.BASE`` and the loggers are restored.
    """
    emu = DiscordEmulator()
    await emu.start()
    previous_base = Route.BASE
    logs = LogRecorder()
    watched = [logging.getLogger(name) for name in ("greatwork", "disnake")]
    levels = [logger.level for logger in watched]
    for logger in watched:
        logger.addHandler(logs)
        logger.setLevel(logging.DEBUG)
    errors: list[str] = []
    started: list[Service] = []
    try:
        guild = emu.add_guild("The Great Work", channels=channels)
        config = Settings(
            db_path=tmp_path / "journal.db",
            discord_token=emu.token,
            discord_api=emu.api_base,
            **{"metrics_port": 0, **(settings or {})},  # (never the operator's port 9464)
        )

        def new_service(now: Instant) -> Service:
            service = Service(
                config,
                clock=VirtualClock(now),
                guild_ready_timeout=0.02,
                on_bot=lambda bot: record_errors(bot, errors, emu.notifier.poke),
            )
            started.append(service)
            return service

        if seed is not None:
            seeding = new_service(start)
            await seeding.server.start()
            await seeding.server.ensure_campaign(campaign_of(guild.id), seed=seed, name=guild.name)
            await seeding.server.stop()
        service = new_service(start)  # a fresh process's worth, as after a restart
        await service.start()
        assert service.bot is not None
        await wait_synced(emu, service.bot, timeout=10)
        world = World(
            emu=emu,
            service=service,
            guild=guild,
            logs=logs,
            new_service=new_service,
            command_channel=channels[0],
            errors=errors,
            services=started,
        )
        yield world
        await _stop_all(started)  # before the checks: shutdown must go cleanly too
        assert errors == [], errors
        assert logs.errors() == [], logs.errors()
        # The token is never logged, at any level (disnake's DEBUG output included).
        assert logs.mentioning(emu.token) == []
        unexpected = len(emu.rejections) - world.expected_rejections
        assert unexpected == 0, emu.rejections
    finally:
        await _stop_all(started)
        for logger, level in zip(watched, levels, strict=True):
            logger.removeHandler(logs)
            logger.setLevel(level)
        await emu.stop()
        Route.BASE = previous_base


async def _stop_all(services: list[Service]) -> None:
    """Stop these services, newest first (stopping one twice does nothing)."""
    for service in reversed(services):
        await service.stop()
