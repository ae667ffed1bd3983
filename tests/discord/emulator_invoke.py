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
    ATTACHMENT_SIZE_LIMIT,
    SEND_MESSAGES,
    Channel,
    Member,
    Role,
    User,
    World,
)

APPLICATION_COMMAND: Final = 2
AUTOCOMPLETE: Final = 4
_NESTING: Final = (SUB_COMMAND, SUB_COMMAND_GROUP)


def check_visible(world: World, command: Mapping[str, Any], member: Member) -> None:
    """Refuse a command that ``default_member_permissions`` hides from this member."""
    needed = command.get("default_member_permissions")
    if needed is None:
        return
    have = world.permissions(member)
    if int(needed) & ~have:
        raise EmulatorError(
            f"Discord does not offer /{command['name']} to {member.name!r}: it needs "
            f"permissions {needed} and the member has {have} (default_member_permissions)"
        )


def command_data(
    world: World,
    member: Member,
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
        member: Who uses the command (and in which guild).
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
    """Turns Python option values into wire values and fills ``resolved`` on the way."""

    def __init__(self, world: World, member: Member) -> None:
        self.world = world
        self.member = member
        self.guild = world.guilds[member.guild_id]
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
        member = self.guild.members.get(user_id)
        if member is not None:
            self.resolved["members"][str(user_id)] = self.world.member_json(
                member, with_user=False
            ) | {"permissions": str(self.world.permissions(member))}
        return user_id

    def channel(self, option: Mapping[str, Any], value: object) -> int:
        name = option["name"]
        key = value.id if isinstance(value, Channel) else value
        if isinstance(key, str):
            key = self.guild.channels.get(key, key)
        channel = self.world.channels.get(key) if isinstance(key, int) else None
        if channel is None or channel.guild_id != self.guild.id:
            raise EmulatorError(
                f"option {name!r} takes a channel of {self.guild.name!r}, not {value!r}"
            )
        allowed = option.get("channel_types")
        if allowed and channel.type not in allowed:
            raise EmulatorError(
                f"option {name!r} takes channel types {allowed}, not type {channel.type}"
            )
        self.resolved["channels"][str(channel.id)] = self.world.channel_json(channel) | {
            "permissions": str(self.world.permissions(self.member))
        }
        return channel.id

    def role(self, value: object, name: str) -> int:
        key = value.id if isinstance(value, Role) else value
        if isinstance(key, str):
            key = self.guild.roles.get(key, key)
        role = self.world.roles.get(key) if isinstance(key, int) else None
        if role is None or role.guild_id != self.guild.id:
            raise EmulatorError(
                f"option {name!r} takes a role of {self.guild.name!r}, not {value!r}"
            )
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
    member: Member,
    data: dict[str, Any],
    locale: str = "en-US",
) -> dict[str, Any]:
    """A complete INTERACTION_CREATE ``d`` for a member in a guild channel."""
    permissions = world.permissions(member)
    app_permissions = world.permissions(world.bot_member(channel.guild_id))
    if channel.posting_denied:
        app_permissions &= ~SEND_MESSAGES
    return {
        "id": str(interaction_id),
        "application_id": str(world.application_id),
        "type": kind,
        "data": data,
        "guild_id": str(channel.guild_id),
        "channel_id": str(channel.id),
        "channel": world.channel_json(channel) | {"permissions": str(permissions)},
        "member": world.member_json(member) | {"permissions": str(permissions)},
        "token": token,
        "version": 1,
        "locale": locale,
        "guild_locale": "en-US",
        "app_permissions": str(app_permissions),
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(channel.guild_id)},
        "context": 0,
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
