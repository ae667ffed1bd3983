"""The permissions the bot needs in a channel it posts to, and those it lacks there."""

from __future__ import annotations

from collections.abc import Sequence

import disnake

__all__ = ["lacking", "needed", "words"]


def needed(*, files: bool) -> list[str]:
    """The permissions the bot needs in a Gazette channel, as Discord names them."""
    names = ["View Channel", "Send Messages", "Embed Links"]
    return [*names, "Attach Files"] if files else names


def lacking(guild: disnake.Guild, channel_id: int, *, files: bool) -> list[str]:
    """The permissions the bot lacks in a channel, as its cached guild shows them.

    Discord implies the rest from View Channel and Send Messages (without them the others
    count as denied too), so the first of those missing is named alone. Empty when the cache
    shows nothing missing or does not know the channel or the bot's member.
    """
    channel = guild.get_channel_or_thread(channel_id)
    me = _me(guild)
    if channel is None or me is None:
        return []
    allowed = channel.permissions_for(me)
    if not allowed.view_channel:
        return ["View Channel"]
    if isinstance(channel, disnake.Thread):
        if not allowed.send_messages_in_threads:
            return ["Send Messages in Threads"]
    elif not allowed.send_messages:
        return ["Send Messages"]
    missing = [] if allowed.embed_links else ["Embed Links"]
    if files and not allowed.attach_files:
        missing.append("Attach Files")
    return missing


def _me(guild: disnake.Guild) -> disnake.Member | None:
    """The bot's own member of ``guild``, or None when it is not known (not logged in yet)."""
    try:
        me: disnake.Member | None = guild.me
    except AttributeError:  # (disnake has no user before login: ``state.user`` is a sentinel)
        return None
    return me


def words(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    *first, last = names
    return f"{', '.join(first)} and {last}" if first else last
