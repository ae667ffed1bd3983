"""Admin notices: a Gazette channel missing, a post refused or waiting for permissions, a stall.

The server's admin alerts (``alert:paused:12``, ``alert:blocked:40``...) go out through
:meth:`Notices.tell` too (see ``core.py``).

Each notice goes to the guild's admin channel through the outbox table under a key of its
own (``notice:missing:gazette:press:17``, ``notice:failed:press:3-22``,
``notice:held:CHANNEL:50013:digest:5``, ``notice:stalled:digest:5``), so it is posted once,
even across restarts. With no admin channel it is logged, once.

Which refusals wait and which fail is :func:`holds`: a 403 Missing Access (50001) or Missing
Permissions (50013) is a channel's permissions, which an admin can fix, so the post waits for
the fix; any other refusal (a 400 bad payload, another 403, a 404) fails the post for good.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Final

import disnake

from greatwork.bot.directory import DEFAULT_NAMES, ChannelDirectory, ChannelRole
from greatwork.bot.outbox.lane import Lane
from greatwork.bot.outbox.sending import Poster, describe
from greatwork.bot.outbox.units import Unit
from greatwork.bot.permissions import lacking, needed, words
from greatwork.bot.render import notice
from greatwork.bot.sender import SendError

__all__ = ["HOLD_CODES", "GuildLookup", "Notices", "holds", "lacking", "needed"]

log = logging.getLogger(__name__)

GuildLookup = Callable[[int], disnake.Guild | None]
"""The guild of a guild id, or None when the bot cannot see it (yet)."""

HOLD_CODES: Final = frozenset({50001, 50013})
"""Discord's codes for a 403 an admin fixes in the channel's permissions: 50001 Missing
Access, 50013 Missing Permissions."""


def holds(error: SendError) -> bool:
    """Tell whether a refused post waits for an admin's fix instead of failing for good.

    Only a 403 with Discord's code 50001 (Missing Access) or 50013 (Missing Permissions) waits:
    it repeats for every post in that channel until an admin grants the permission, and then
    the same post goes through.
    """
    return not error.retryable and error.status == HTTPStatus.FORBIDDEN and error.code in HOLD_CODES


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

    async def held(
        self,
        lane: Lane,
        unit: Unit,
        channel_id: int,
        error: SendError,
        *,
        files: bool,
        recheck: float,
    ) -> None:
        """Discord refused the post for the channel's permissions; it waits for an admin's fix.

        The post stays ``sending`` (its error is in the row). The admins are told once per held
        post, channel and error code (a partial fix that leaves another permission missing is
        told again), and the hold is logged once at WARNING.
        """
        key = f"notice:held:{channel_id}:{error.code}:{unit.key}"
        guild = self._guilds(lane.guild_id)
        missing = [] if guild is None else lacking(guild, channel_id, files=files)
        wanted = needed(files=files)
        why = f"the bot lacks {words(missing) if missing else 'a permission'} there"
        logged = f"log:{key}"  # (``tell`` logs under ``key`` when there is no admin channel)
        if logged not in lane.logged:
            lane.logged.add(logged)
            log.warning(
                "%s: the Gazette waits: Discord refused %s in channel %s (%s): %s; it is tried "
                "again every %g s and when the guild's channels or roles change",
                lane.campaign_id,
                unit.key,
                channel_id,
                describe(error),
                why,
                recheck,
            )
        await self.tell(
            lane,
            key,
            "The Gazette is waiting for permissions",
            f"Discord refused {unit.describe()} in <#{channel_id}>: {why} "
            f"({error.message}). Give the bot's role {words(wanted)} in <#{channel_id}> "
            "(channel settings, then Permissions). Posting resumes by itself, in order, once that "
            "is fixed; later posts wait behind this one and nothing is lost.",
            unit.released_at,
        )

    async def refused(self, lane: Lane, unit: Unit, channel_id: int, error: SendError) -> None:
        """Discord refused the post for good: mark it failed, log it, tell the admins once."""
        text = describe(error)
        await self._poster.fail(lane.campaign_id, unit.key, error)
        log.error("%s: Discord refused %s for good: %s", lane.campaign_id, unit.key, text)
        await self.tell(
            lane,
            f"notice:failed:{unit.key}",
            "A Gazette post was refused",
            f"Discord refused {unit.describe()} in <#{channel_id}> and it will not be retried: "
            f"{text}. {_advice(error)} The item stays in the Gazette's record "
            "(`/gazette`); later posts go on.",
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

    async def tell(
        self,
        lane: Lane,
        key: str,
        title: str,
        body: str,
        released_at: int,
        *,
        ok: bool = False,
    ) -> None:
        """Post an admin notice once (its row in the outbox remembers it across restarts).

        ``ok`` colours it as good news (a resume); a problem is the default.
        """
        if key in lane.told:
            return
        guild = self._guilds(lane.guild_id)
        channel_id = (
            None if guild is None else self._directory.channel_for(guild, ChannelRole.ADMIN)
        )
        if channel_id is None:
            self.log_once(lane, key, f"no admin channel to tell: {title}: {body}")
            return
        post = notice(title, body, ok=ok)
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


def _advice(error: SendError) -> str:
    """What an admin can do about a refusal that is not retried."""
    if error.status == HTTPStatus.NOT_FOUND:
        return "Discord no longer knows that channel: choose another with `/gw_admin setup`."
    if error.status == HTTPStatus.FORBIDDEN:
        return "Check the bot's permissions in that channel."
    return "This is a fault in greatwork or its limits: report it with the log line."
