"""Which channel of a guild plays which part: the roles, and the directory that answers.

The bot asks a :class:`ChannelDirectory` where public moves, the Gazette, table talk and admin
notices go. The outbox implements it over the journal (``channels.py``); unit tests use an
in-memory one. A guild's admins pick the channels with ``/gw_admin setup``; a role left unset
falls back to a text channel with the default name.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final, Protocol

import disnake

__all__ = ["DEFAULT_NAMES", "ChannelDirectory", "ChannelRole"]


class ChannelRole(enum.StrEnum):
    """The part a channel plays for the game."""

    ORDERS = "orders"
    GAZETTE = "gazette"
    TABLE_TALK = "table_talk"
    ADMIN = "admin"


DEFAULT_NAMES: Final[Mapping[ChannelRole, str]] = {
    ChannelRole.ORDERS: "orders",
    ChannelRole.GAZETTE: "gazette",
    ChannelRole.TABLE_TALK: "table-talk",
    ChannelRole.ADMIN: "gw-admin",
}
"""The name of the text channel a role falls back to when no channel is configured."""


class ChannelDirectory(Protocol):
    """Where each role's messages go, per guild."""

    def channel_for(self, guild: disnake.Guild, role: ChannelRole) -> int | None:
        """The channel of ``role`` in ``guild``, or None.

        The configured channel if it still exists, else a text channel with the role's default
        name (:data:`DEFAULT_NAMES`), else None.
        """
        ...

    async def set(
        self, guild_id: int, role: ChannelRole, channel_id: int | None, *, by: str
    ) -> None:
        """Configure (or, with None, clear) the channel of ``role``; ``by`` is who did it."""
        ...

    def configured(self, guild_id: int) -> Mapping[ChannelRole, int]:
        """The channels an admin configured for the guild (roles left unset are absent)."""
        ...
