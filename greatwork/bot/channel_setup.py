"""``/gw_admin setup``: show or choose which channel plays which part, per guild.

With no option it shows the current set-up: each role's channel and how it was found (chosen
by an admin, or by its default name), and what the bot may not do there. With options it
stores each choice through the :class:`~greatwork.bot.directory.ChannelDirectory`, then shows
the new set-up. Only admins may run it; a bad choice changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import disnake

from greatwork.bot.directory import DEFAULT_NAMES, ChannelDirectory, ChannelRole
from greatwork.bot.permissions import lacking, words
from greatwork.commands.spec import ADMIN_GROUP, Field, Reply, refusal
from greatwork.rules.errors import InvalidInput, PermissionDenied

__all__ = ["LABELS", "run_setup"]

LABELS: Final[Mapping[ChannelRole, str]] = {
    ChannelRole.GAZETTE: "Gazette (digests)",
    ChannelRole.ORDERS: "Orders (public moves)",
    ChannelRole.TABLE_TALK: "Table talk",
    ChannelRole.ADMIN: "Admin notices",
}


async def run_setup(
    channels: ChannelDirectory,
    guild: disnake.Guild,
    *,
    by: str,
    is_admin: bool,
    options: Mapping[str, object],
) -> Reply:
    """Store the chosen channels (if any) and describe the guild's channel set-up."""
    path = f"{ADMIN_GROUP} setup"
    if not is_admin:
        return refusal(PermissionDenied(f"/{path} is for admins only.", command=path))
    chosen: dict[ChannelRole, int] = {}
    try:
        for name, value in options.items():
            if value is None:
                continue
            role = _role(name, path)
            chosen[role] = _text_channel(guild, name, value)
    except InvalidInput as error:
        return refusal(error)
    for role, channel_id in chosen.items():
        await channels.set(guild.id, role, channel_id, by=by)
    title = "Channels updated" if chosen else "Channel set-up"
    fields = tuple(
        Field(name=LABELS[role], value=_describe(channels, guild, role)) for role in LABELS
    )
    body = (
        "Each part falls back to a text channel with its default name when none is chosen. "
        f"Choose one with `/{path} <part>: #channel`."
    )
    return Reply(title=title, body=body, fields=fields, ephemeral=True)


def _role(name: str, path: str) -> ChannelRole:
    try:
        return ChannelRole(name)
    except ValueError:
        known = ", ".join(str(r) for r in ChannelRole)
        raise InvalidInput(
            f"/{path} has no option `{name}` (its options: {known}).", option=name
        ) from None


def _text_channel(guild: disnake.Guild, name: str, value: object) -> int:
    raw = getattr(value, "id", value)
    try:
        channel_id = int(str(raw))
    except ValueError:
        raise InvalidInput(
            f"Option `{name}`: expected a channel, got {value!r}.", option=name
        ) from None
    channel = guild.get_channel(channel_id)
    if not isinstance(channel, disnake.TextChannel):
        raise InvalidInput(
            f"Option `{name}`: <#{channel_id}> is not a text channel of this server.", option=name
        )
    return channel_id


def _describe(channels: ChannelDirectory, guild: disnake.Guild, role: ChannelRole) -> str:
    default = DEFAULT_NAMES[role]
    configured = channels.configured(guild.id).get(role)
    found = channels.channel_for(guild, role)
    if found is None:
        gone = " (the chosen channel no longer exists)" if configured is not None else ""
        return f"Not set{gone}: create #{default} or run `/{ADMIN_GROUP} setup {role}:`."
    if configured == found:
        how = "chosen with setup"
    elif configured is not None:
        how = f"found by its name #{default}; the chosen channel no longer exists"
    else:
        how = f"found by its name #{default}"
    return f"<#{found}> ({how}){_missing_permissions(guild, found)}"


def _missing_permissions(guild: disnake.Guild, channel_id: int) -> str:
    missing = lacking(guild, channel_id, files=True)
    return f". The bot lacks {words(missing)} there." if missing else ""
