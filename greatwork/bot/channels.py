"""The channel directory of every guild, kept in the journal (``channels`` table).

:class:`ChannelBook` answers where each role's messages go: the channel an admin configured
with ``/gw_admin setup``, if the guild still has it; else a text channel with the role's
default name (``#gazette``...), matched without regard to case; else nothing. Choices are
journaled through the store's writer, loaded once at start, and answered from memory.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from types import MappingProxyType

import disnake

from greatwork.bot.directory import DEFAULT_NAMES, ChannelRole
from greatwork.bot.guilds import campaign_of, guild_of
from greatwork.store import Store

__all__ = ["ChannelBook", "Watcher"]

log = logging.getLogger(__name__)

Watcher = Callable[[int], None]
"""Called with a guild id after its channels changed (the outbox wakes up)."""


def _wall_clock() -> int:
    return int(time.time())


class ChannelBook:
    """A :class:`~greatwork.bot.directory.ChannelDirectory` over the journal.

    Args:
        store: the open journal.
        now: the clock that stamps each choice (epoch seconds).
    """

    def __init__(self, store: Store, *, now: Callable[[], int] = _wall_clock) -> None:
        self._store = store
        self._now = now
        self._chosen: dict[int, dict[ChannelRole, int]] = {}
        self._watchers: list[Watcher] = []

    async def load(self) -> None:
        """Read every guild's configured channels from the journal (once, at start)."""
        chosen: dict[int, dict[ChannelRole, int]] = {}
        for row in await self._store.channels():
            guild_id = guild_of(row.campaign_id)
            if guild_id is None or row.channel_id is None:
                continue
            try:
                role = ChannelRole(row.role)
            except ValueError:
                log.warning(
                    "the journal names an unknown channel role %r for %s; ignored",
                    row.role,
                    row.campaign_id,
                )
                continue
            chosen.setdefault(guild_id, {})[role] = row.channel_id
        self._chosen = chosen
        log.info("channel choices loaded for %d guilds", len(chosen))

    def channel_for(self, guild: disnake.Guild, role: ChannelRole) -> int | None:
        """The channel of ``role`` in ``guild``, or None.

        The configured channel if the guild still has it as a text channel, else the first
        text channel (in the guild's order) named like the role's default, ignoring case.
        """
        configured = self._chosen.get(guild.id, {}).get(role)
        if configured is not None and isinstance(
            guild.get_channel(configured), disnake.TextChannel
        ):
            return configured
        wanted = DEFAULT_NAMES[role].casefold()
        for channel in guild.text_channels:
            if channel.name.casefold() == wanted:
                return channel.id
        return None

    async def set(
        self, guild_id: int, role: ChannelRole, channel_id: int | None, *, by: str
    ) -> None:
        """Journal the channel of ``role`` (None clears it), then wake whoever watches.

        Raises:
            ValueError: ``guild_id`` is not a positive snowflake, or ``role`` is unknown.
            InvalidRecordError: the channel id or ``by`` is malformed; nothing changed.
            JournalError: the journal could not record it; nothing changed.
        """
        campaign = campaign_of(guild_id)
        role = ChannelRole(role)
        await self._store.set_channel(campaign, role.value, channel_id, by, self._now())
        roles = self._chosen.setdefault(guild_id, {})
        if channel_id is None:
            roles.pop(role, None)
        else:
            roles[role] = channel_id
        log.info("guild %s: the %s channel is now %s (by %s)", guild_id, role, channel_id, by)
        for watcher in list(self._watchers):
            try:
                watcher(guild_id)
            except Exception:
                log.exception("a channel watcher failed for guild %s", guild_id)

    def configured(self, guild_id: int) -> Mapping[ChannelRole, int]:
        """The channels an admin configured for the guild (unset roles are absent)."""
        return MappingProxyType(dict(self._chosen.get(guild_id, {})))

    def watch(self, watcher: Watcher) -> None:
        """Call ``watcher(guild_id)`` after each change of a guild's channels."""
        self._watchers.append(watcher)
