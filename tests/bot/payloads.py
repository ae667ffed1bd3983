"""Discord gateway payloads for the bot's unit tests: a guild, its members, interactions.

The shapes follow ``/work/shared/notes/discord-emulator.md`` (section 5): every field disnake
2.12 needs, nothing more.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any, Final

from tests.bot.loopback import APP_ID, BOT_ID, snowflake

GUILD_ID: Final = 800_000_000_000_000_001
OWNER_ID: Final = 800_000_000_000_000_002
ALICE: Final = 800_000_000_000_000_010
BOB: Final = 800_000_000_000_000_011
CAROL: Final = 800_000_000_000_000_012
GM_ROLE: Final = 800_000_000_000_000_100  # named "Game Master"
MOD_ROLE: Final = 800_000_000_000_000_101  # named "Moderator", no admin rights
ADMINISTRATOR: Final = 1 << 3
SEND: Final = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15)  # view, send, embed, attach
CHANNELS: Final[Mapping[str, int]] = {
    "general": 800_000_000_000_001_000,
    "orders": 800_000_000_000_001_001,
    "gazette": 800_000_000_000_001_002,
    "table-talk": 800_000_000_000_001_003,
    "gw-admin": 800_000_000_000_001_004,
    "elsewhere": 800_000_000_000_001_005,
}
_IDS = itertools.count(1)


def role(role_id: int, name: str, permissions: int = 0, position: int = 1) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def user(user_id: int, name: str) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name.lower(),
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
    }


def member(user_id: int, name: str, roles: Sequence[int] = ()) -> dict[str, Any]:
    return {
        "user": user(user_id, name),
        "roles": [str(r) for r in roles],
        "nick": None,
        "joined_at": "2026-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
    }


def guild(channels: Mapping[str, int] = CHANNELS, name: str = "The Academy") -> dict[str, Any]:
    """A guild with @everyone (send rights), the Game Master and Moderator roles, the bot."""
    return {
        "id": str(GUILD_ID),
        "name": name,
        "owner_id": str(OWNER_ID),
        "roles": [
            role(GUILD_ID, "@everyone", SEND, position=0),
            role(GM_ROLE, "Game Master"),
            role(MOD_ROLE, "Moderator", 1 << 5),
        ],
        "channels": [
            {"id": str(cid), "type": 0, "name": cname, "position": n, "permission_overwrites": []}
            for n, (cname, cid) in enumerate(channels.items())
        ],
        "members": [member(BOT_ID, "greatwork")],
        "member_count": 1,
        "large": False,
        "emojis": [],
        "stickers": [],
        "features": [],
        "premium_tier": 0,
        "verification_level": 0,
        "explicit_content_filter": 0,
        "default_message_notifications": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "preferred_locale": "en-US",
        "system_channel_flags": 0,
    }


def command(
    name: str,
    options: Mapping[str, object] | None = None,
    *,
    caller: int = ALICE,
    caller_name: str = "Alice",
    sub: str | None = None,
    roles: Sequence[int] = (),
    permissions: int = SEND,
    in_guild: bool = True,
    focused: str | None = None,
    option_types: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload: a slash command (type 2), or autocomplete (type 4)."""
    types = option_types or {}
    leaves = [
        {"name": k, "type": types.get(k, _type_of(v)), "value": v}
        | ({"focused": True} if k == focused else {})
        for k, v in (options or {}).items()
    ]
    data: dict[str, Any] = {"id": str(snowflake(_IDS)), "name": name, "type": 1}
    data["options"] = [{"name": sub, "type": 1, "options": leaves}] if sub else leaves
    payload: dict[str, Any] = {
        "id": str(snowflake(_IDS)),
        "application_id": str(APP_ID),
        "type": 4 if focused else 2,
        "data": data,
        "token": f"token-{next(_IDS)}",
        "version": 1,
        "locale": "en-US",
        "channel": {"id": str(CHANNELS["general"]), "type": 0},
        "channel_id": str(CHANNELS["general"]),
        "attachment_size_limit": 10_485_760,
        "app_permissions": str(SEND),
    }
    if in_guild:
        payload["guild_id"] = str(GUILD_ID)
        payload["guild_locale"] = "en-US"
        payload["member"] = member(caller, caller_name, roles) | {"permissions": str(permissions)}
    else:
        payload["user"] = user(caller, caller_name)
        payload["channel"] = {"id": str(CHANNELS["general"] + 99), "type": 1}
    return payload


def _type_of(value: object) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3
