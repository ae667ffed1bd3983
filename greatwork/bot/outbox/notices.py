"""Admin notices: a Gazette channel missing, a post refused for good, posting held up.

Each notice goes to the guild's admin channel through the outbox table under a key of its
own (``notice:missing:gazette:press:17``, ``notice:failed:press:3-22``,
``notice:stalled:digest:5``), so it is posted once, even across restarts. With no admin
channel it is logged, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import disnake

from greatwork.bot.directory import DEFAULT_NAMES, ChannelDirectory, ChannelRole
from greatwork.bot.outbox.lane import Lane
from greatwork.bot.outbox.sending import Poster, describe
from greatwork.bot.outbox.units import Unit
from greatwork.bot.render import notice
from greatwork.bot.sender import SendError

__all__ = ["GuildLookup", "Notices"]

log = logging.getLogger(__name__)

GuildLookup = Callable[[int], disnake.Guild | None]
"""The guild of a guild id, or None when the bot cannot see it (yet)."""


class Notices:
    """Tells a guild's admins what holds up its Gazette, once each.

    Args:
        poster: sends through the outbox table.
        directory: where the admin channel is.
        guilds: the ``disnake.Guild`` of a guild id, or None.
    """

    def __init__(self, poster: Poster, directory: ChannelDirectory, guilds: GuildLookup) -> None:
        self._poster = poster
        self._directory = directory
        self._guilds = guilds

    async def missing(self, lane: Lane, unit: Unit) -> None:
        """The guild has no channel for the post's role."""
        name = DEFAULT_NAMES[unit.role]
        await self.tell(
            lane,
            f"notice:missing:{unit.role}:{unit.key}",
            f"No #{name} channel",
            f"The Gazette cannot post {unit.describe()}: this server has no #{name} channel. "
            f"Create a text channel named #{name}, or choose one with `/gw_admin setup`; "
            f"posting resumes by itself, in order.",
            unit.released_at,
        )

    async def refused(self, lane: Lane, unit: Unit, channel_id: int, error: SendError) -> None:
        """Discord refused the post for good (it is marked failed first)."""
        text = describe(error)
        await self._poster.fail(lane.campaign_id, unit.key, error)
        log.error("%s: Discord refused %s for good: %s", lane.campaign_id, unit.key, text)
        # A refusal for missing permissions repeats for every post until an admin fixes the
        # channel: tell them once per channel, error and day, not once per post.
        if error.status == 403:
            day = unit.released_at // 86_400
            key = f"notice:refused:{channel_id}:{error.status}:{error.code}:{day}"
        else:
            key = f"notice:failed:{unit.key}"
        await self.tell(
            lane,
            key,
            "A Gazette post was refused",
            f"Discord refused {unit.describe()} in <#{channel_id}> and it will not be retried: "
            f"{text}. Check that the bot can send messages and embed links there.",
            unit.released_at,
        )

    async def stalled(
        self, lane: Lane, unit: Unit, channel_id: int, error: SendError, cooldown: float
    ) -> None:
        """Discord keeps failing to take the post; it is tried again after ``cooldown``."""
        await self.tell(
            lane,
            f"notice:stalled:{unit.key}",
            "The Gazette is held up",
            f"Discord keeps failing to take {unit.describe()} in <#{channel_id}> "
            f"({describe(error)}). The outbox tries again every {cooldown:g} s; later posts "
            f"wait behind it.",
            unit.released_at,
        )

    async def tell(self, lane: Lane, key: str, title: str, body: str, released_at: int) -> None:
        """Post an admin notice once (its row in the outbox remembers it across restarts)."""
        if key in lane.told:
            return
        guild = self._guilds(lane.guild_id)
        channel_id = (
            None if guild is None else self._directory.channel_for(guild, ChannelRole.ADMIN)
        )
        if channel_id is None:
            self.log_once(lane, key, f"no admin channel to tell: {title}: {body}")
            return
        post = notice(title, body, ok=False)
        try:
            await self._poster.post(lane.campaign_id, key, channel_id, [post], released_at)
        except SendError as error:
            log.warning("%s: the admin notice %s was not posted: %s", lane.campaign_id, key, error)
            await self._poster.fail(lane.campaign_id, key, error)
        lane.told.add(key)

    @staticmethod
    def log_once(lane: Lane, key: str, text: str) -> None:
        """Log a warning about the lane's guild once per ``key``."""
        if key not in lane.logged:
            lane.logged.add(key)
            log.warning("guild %s: %s", lane.guild_id, text)
