"""Best-effort posts to a guild's channels: public moves to #orders, notices to admins.

A player's move never fails because of these: a missing channel or a refused post is logged
and reported to the guild's admin channel (or only logged when that is missing too). Reports
of one kind are sent at most once an hour per guild, so a missing #orders does not flood the
admins with one notice per move.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Final

import disnake

from greatwork.bot.directory import DEFAULT_NAMES, ChannelDirectory, ChannelRole
from greatwork.bot.render import notice, render_reply
from greatwork.bot.sender import HasHttp, send_post
from greatwork.commands.spec import Reply

__all__ = ["REPORT_EVERY", "PublicPoster"]

log = logging.getLogger(__name__)

REPORT_EVERY: Final = 3600.0  # seconds between two admin reports of the same problem


class PublicPoster:
    """Posts to a guild's role channels, best effort."""

    def __init__(
        self,
        bot: HasHttp,
        channels: ChannelDirectory,
        *,
        report_every: float = REPORT_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bot = bot
        self._channels = channels
        self._every = report_every
        self._clock = clock
        self._reported: dict[tuple[int, str], float] = {}

    def channel(self, guild: disnake.Guild, role: ChannelRole) -> int | None:
        """The guild's channel for ``role``, or None (also when the directory fails)."""
        try:
            return self._channels.channel_for(guild, role)
        except Exception:
            log.exception("the channel directory failed for %s in guild %s", role, guild.id)
            return None

    async def echo(self, guild: disnake.Guild, reply: Reply, *, who: str, path: str) -> bool:
        """Post a public move to the guild's #orders; True if it was posted."""
        channel_id = self.channel(guild, ChannelRole.ORDERS)
        if channel_id is None:
            name = DEFAULT_NAMES[ChannelRole.ORDERS]
            await self.report(
                guild,
                "missing:orders",
                f"No #{name} channel",
                f"Public moves are echoed to #{name}, and this server has none, so /{path} by "
                f"{who} was not echoed. Create a text channel named #{name} or choose one with "
                f"`/gw_admin setup {ChannelRole.ORDERS}:`.",
            )
            return False
        shown = dataclasses.replace(reply, files=(), ephemeral=False)
        try:
            for post in render_reply(shown, author=who, footer=f"/{path}"):
                await send_post(self._bot, channel_id, post)
        except Exception as error:
            log.warning("/%s was not echoed in guild %s", path, guild.id, exc_info=True)
            await self.report(
                guild,
                f"echo:{channel_id}",
                "A public move was not echoed",
                f"/{path} by {who} could not be posted in <#{channel_id}>: {error}. Check that "
                "the bot can send messages and embed links there.",
            )
            return False
        return True

    async def report(self, guild: disnake.Guild, key: str, title: str, body: str) -> bool:
        """Tell the guild's admins about a problem (once an hour per ``key``); True if posted."""
        now = self._clock()
        last = self._reported.get((guild.id, key))
        if last is not None and now - last < self._every:
            return False
        self._reported[guild.id, key] = now
        channel_id = self.channel(guild, ChannelRole.ADMIN)
        if channel_id is None:
            log.warning(
                "guild %s has no admin channel; not reported: %s: %s", guild.id, title, body
            )
            return False
        try:
            await send_post(self._bot, channel_id, notice(title, body, ok=False))
        except Exception:
            log.warning(
                "could not report to the admins of guild %s: %s", guild.id, title, exc_info=True
            )
            return False
        return True
