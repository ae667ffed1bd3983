"""INTERACTION_CREATE payloads built from the registered schema, as Discord's client sends them.

The Discord client only lets a member send what the registered command allows: a known
sub-command, known options of the right type, every required option, a listed choice, a
value within min/max. Whatever it would not let through raises :class:`EmulatorError` here,
so a test that asks for something impossible fails at once with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from tests.discord.emulator_checks import (
    ATTACHMENT,
    BOOLEAN,
    CHANNEL,
    INTEGER,
    MENTIONABLE,
    NUMBER,
    ROLE,
    SAFE_INTEGER,
    STRING,
    SUB_COMMAND,
    SUB_COMMAND_GROUP,
    USER,
)
from tests.discord.emulator_core import EmulatorError
from tests.discord.emulator_state import (
    ADMINISTRATOR,
    ATTACHMENT_SIZE_LIMIT,
    DM_APP_PERMISSIONS,
    SEND_MESSAGES,
    Channel,
    Guild,
    Member,
    Role,
    User,
    World,
)

APPLICATION_COMMAND: Final = 2
AUTOCOMPLETE: Final = 4
GUILD: Final = 0
BOT_DM: Final = 1
"""Interaction context types: in a guild, in a DM with the bot (2 is other private channels)."""
GUILD_INSTALL: Final = 0
_NESTING: Final = (SUB_COMMAND, SUB_COMMAND_GROUP)


def check_visible(world: World, command: Mapping[str, Any], member: Member) -> None:
    """Refuse a command that ``default_member_permissions`` hides from this member.

    ``"0"`` hides a command from everyone but administrators (and the owner).
    """
    needed = command.get("default_member_permissions")
    if needed is None:
        return
    have = world.permissions(member)
    if int(needed) & ~have or (int(needed) == 0 and not have & ADMINISTRATOR):
        raise EmulatorError(
            f"Discord does not offer /{command['name']} to {member.name!r}: it needs "
            f"permissions {needed} and the member has {have} (default_member_permissions)"
        )


def check_dm_allowed(command: Mapping[str, Any]) -> None:
    """Refuse a command that Discord does not offer in a DM with the bot.

    Guild commands never reach DMs. A global command reaches the bot's DM when its
    ``contexts`` include 1 (BOT_DM); without ``contexts`` Discord's default is guilds and the
    bot's DM, unless the legacy ``dm_permission`` is false. The emulator models an app
    installed to guilds, so the command must also be a guild-install one (``integration_types``
    missing or holding 0). ``default_member_permissions`` does not apply in DMs.
    """
    name = command["name"]
    if "guild_id" in command:
        raise EmulatorError(f"/{name} is a guild command: Discord does not offer it in DMs")
    contexts = command.get("contexts")
    if contexts is not None and BOT_DM not in contexts:
        raise EmulatorError(
            f"Discord does not offer /{name} in a DM with the bot: its contexts are {contexts} "
            f"(the bot's DM is {BOT_DM})"
        )
    if contexts is None and command.get("dm_permission") is False:
        raise EmulatorError(f"Discord does not offer /{name} in DMs: dm_permission is false")
    installs = command.get("integration_types")
    if installs is not None and GUILD_INSTALL not in installs:
        raise EmulatorError(
            f"/{name} is for user installs only ({installs}); the emulator models a guild install"
        )


def command_data(
    world: World,
    member: Member | None,
    command: Mapping[str, Any],
    path: Sequence[str],
    given: Mapping[str, Any],
    *,
    focused: str | None = None,
    typed: str = "",
) -> tuple[dict[str, Any], int | None]:
    """The interaction ``data`` for ``/name sub ...`` with options; also the focused type.

    Args:
        world: The emulator's world.
        member: Who uses the command (and in which guild); None in a DM with the bot.
        command: The stored command.
        path: Sub-command group and/or sub-command names after the command name.
        given: Option values by name (Python values; members, channels, roles by object,
            id or name).
        focused: For autocomplete, the option being typed.
        typed: For autocomplete, what has been typed so far.
    """
    level = list(command.get("options") or [])
    chain: list[Mapping[str, Any]] = []
    for part in path:
        found = next((o for o in level if o["name"] == part and o["type"] in _NESTING), None)
        if found is None:
            raise EmulatorError(
                f"/{command['name']} has no sub-command {part!r} here "
                f"(choose from: {_names(level, _NESTING)})"
            )
        chain.append(found)
        level = list(found.get("options") or [])
    if any(o["type"] in _NESTING for o in level):
        raise EmulatorError(
            f"/{' '.join([command['name'], *path])} needs a sub-command "
            f"(choose from: {_names(level, _NESTING)})"
        )
    resolver = _Resolver(world, member)
    options, focused_type = resolver.leaves(level, given, focused, typed)
    for wrapper in reversed(chain):
        options = [{"name": wrapper["name"], "type": wrapper["type"], "options": options}]
    data: dict[str, Any] = {
        "id": command["id"],
        "name": command["name"],
        "type": command["type"],
        "options": options,
    }
    if "guild_id" in command:
        data["guild_id"] = command["guild_id"]
    if any(resolver.resolved.values()):
        data["resolved"] = {k: v for k, v in resolver.resolved.items() if v}
    return data, focused_type


def _names(options: Sequence[Mapping[str, Any]], kinds: Sequence[int]) -> str:
    return ", ".join(o["name"] for o in options if o["type"] in kinds) or "none"


class _Resolver:
    """Turns Python option values into wire values and fills ``resolved`` on the way.

    In a DM (no member) only users resolve: there is no guild to hold channels or roles.
    """

    def __init__(self, world: World, member: Member | None) -> None:
        self.world = world
        self.member = member
        self.guild = None if member is None else world.guilds[member.guild_id]
        self.resolved: dict[str, dict[str, Any]] = {
            "users": {},
            "members": {},
            "channels": {},
            "roles": {},
        }

    def leaves(
        self,
        schema: Sequence[Mapping[str, Any]],
        given: Mapping[str, Any],
        focused: str | None,
        typed: str,
    ) -> tuple[list[dict[str, Any]], int | None]:
        known = {o["name"]: o for o in schema}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise EmulatorError(
                f"unknown option(s) {', '.join(unknown)} (this command takes: "
                f"{', '.join(known) or 'no options'})"
            )
        focused_type = None
        if focused is not None:
            option = known.get(focused)
            if option is None or not option.get("autocomplete"):
                raise EmulatorError(f"option {focused!r} does not autocomplete")
            focused_type = int(option["type"])
        out: list[dict[str, Any]] = []
        for option in schema:
            name = option["name"]
            if name == focused:
                out.append({"name": name, "type": option["type"], "value": typed, "focused": True})
            elif given.get(name) is not None:
                value = self.wire_value(option, given[name])
                out.append({"name": name, "type": option["type"], "value": value})
            elif option.get("required") and focused is None:
                raise EmulatorError(f"the required option {name!r} is missing")
        return out, focused_type

    def wire_value(self, option: Mapping[str, Any], value: object) -> object:
        kind, name = option["type"], option["name"]
        if kind == USER or (kind == MENTIONABLE and isinstance(value, Member | User)):
            return str(self.user(value, name))
        if kind == CHANNEL:
            return str(self.channel(option, value))
        if kind in (ROLE, MENTIONABLE):
            return str(self.role(value, name))
        if kind == ATTACHMENT:
            raise EmulatorError(f"option {name!r} is an attachment: the emulator cannot upload one")
        _check_scalar(option, value)
        choices = option.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            listed = ", ".join(repr(c["value"]) for c in choices)
            raise EmulatorError(f"{value!r} is not a choice of option {name!r} ({listed})")
        return value

    def user(self, value: object, name: str) -> int:
        user_id = value.id if isinstance(value, Member | User) else value
        if not isinstance(user_id, int) or user_id not in self.world.users:
            raise EmulatorError(f"option {name!r} takes a known user, not {value!r}")
        self.resolved["users"][str(user_id)] = self.world.user_json(self.world.users[user_id])
        member = None if self.guild is None else self.guild.members.get(user_id)
        if member is not None:
            self.resolved["members"][str(user_id)] = self.world.interaction_member_json(
                member, with_user=False
            )
        return user_id

    def in_guild(self, name: str) -> tuple[Guild, Member]:
        """The guild and member behind a channel or role option (refused in a DM)."""
        if self.guild is None or self.member is None:
            raise EmulatorError(f"option {name!r} needs a guild: there is none in a DM")
        return self.guild, self.member

    def channel(self, option: Mapping[str, Any], value: object) -> int:
        name = option["name"]
        guild, member = self.in_guild(name)
        key = value.id if isinstance(value, Channel) else value
        if isinstance(key, str):
            key = guild.channels.get(key, key)
        channel = self.world.channels.get(key) if isinstance(key, int) else None
        if channel is None or channel.guild_id != guild.id:
            raise EmulatorError(f"option {name!r} takes a channel of {guild.name!r}, not {value!r}")
        allowed = option.get("channel_types")
        if allowed and channel.type not in allowed:
            raise EmulatorError(
                f"option {name!r} takes channel types {allowed}, not type {channel.type}"
            )
        self.resolved["channels"][str(channel.id)] = self.world.channel_json(channel) | {
            "permissions": str(self.world.permissions(member))
        }
        return channel.id

    def role(self, value: object, name: str) -> int:
        guild, _ = self.in_guild(name)
        key = value.id if isinstance(value, Role) else value
        if isinstance(key, str):
            key = guild.roles.get(key, key)
        role = self.world.roles.get(key) if isinstance(key, int) else None
        if role is None or role.guild_id != guild.id:
            raise EmulatorError(f"option {name!r} takes a role of {guild.name!r}, not {value!r}")
        self.resolved["roles"][str(role.id)] = self.world.role_json(role)
        return role.id


def _check_scalar(option: Mapping[str, Any], value: object) -> None:
    """Refuse a text, number or boolean value the Discord client would not accept."""
    kind, name = option["type"], option["name"]
    if kind == STRING:
        if not isinstance(value, str):
            raise EmulatorError(f"option {name!r} takes text, not {value!r}")
        low, high = option.get("min_length", 0), option.get("max_length", 6000)
        if not low <= len(value) <= high:
            raise EmulatorError(
                f"option {name!r} takes {low} to {high} characters, not {len(value)}"
            )
    elif kind in (INTEGER, NUMBER):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise EmulatorError(f"option {name!r} takes a number, not {value!r}")
        if kind == INTEGER and not isinstance(value, int):
            raise EmulatorError(f"option {name!r} takes a whole number, not {value!r}")
        low = option.get("min_value", -SAFE_INTEGER)
        high = option.get("max_value", SAFE_INTEGER)
        if not low <= value <= high:
            raise EmulatorError(f"option {name!r} takes {low} to {high}, not {value!r}")
    elif kind == BOOLEAN and not isinstance(value, bool):
        raise EmulatorError(f"option {name!r} takes True or False, not {value!r}")


def interaction_payload(
    world: World,
    *,
    kind: int,
    interaction_id: int,
    token: str,
    channel: Channel,
    user: Member | User,
    data: dict[str, Any],
    locale: str = "en-US",
) -> dict[str, Any]:
    """A complete INTERACTION_CREATE ``d``: from a member in a guild channel, or in a DM.

    In a DM with the bot, Discord sends ``user`` instead of ``member``, no ``guild_id``, the
    DM channel (type 1), context 1, and the guild-install owner "0".
    """
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(world.application_id),
        "type": kind,
        "data": data,
        "channel_id": str(channel.id),
        "token": token,
        "version": 1,
        "locale": locale,
        "entitlements": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if channel.guild_id is None:
        return payload | {
            "channel": world.channel_json(channel),
            "user": world.user_json(user),
            "app_permissions": str(DM_APP_PERMISSIONS),
            "authorizing_integration_owners": {str(GUILD_INSTALL): "0"},
            "context": BOT_DM,
        }
    if not isinstance(user, Member) or user.guild_id != channel.guild_id:
        raise EmulatorError(f"{user.name!r} is not a member of the channel's guild")
    permissions = str(world.permissions(user))
    app_permissions = world.permissions(world.bot_member(channel.guild_id))
    if channel.posting_denied:
        app_permissions &= ~SEND_MESSAGES
    return payload | {
        "guild_id": str(channel.guild_id),
        "channel": world.channel_json(channel) | {"permissions": permissions},
        "member": world.interaction_member_json(user),
        "guild_locale": "en-US",
        "app_permissions": str(app_permissions),
        "authorizing_integration_owners": {str(GUILD_INSTALL): str(channel.guild_id)},
        "context": GUILD,
    }
