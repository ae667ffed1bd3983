"""Registered application commands, global and per guild, kept as Discord echoes them.

A stored command is the registered JSON plus ``id``, ``application_id``, ``version`` (and
``guild_id``); re-registering an unchanged command keeps its id and version, so a bot that
starts again against the same emulator finds nothing to sync and sends no PUT.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.discord.emulator_checks import FormErrors, check_command, check_commands
from tests.discord.emulator_core import DiscordHTTPError, EmulatorError
from tests.discord.emulator_state import World

_ECHO_IGNORES = ("id", "application_id", "version", "guild_id")


class CommandStore:
    """Global commands and guild commands, in registration order."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._global: list[dict[str, Any]] = []
        self._guild: dict[int, list[dict[str, Any]]] = {}

    def listing(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Copies of the stored commands of one scope (global when ``guild_id`` is None)."""
        return copy.deepcopy(self._scope(guild_id))

    def overwrite(self, body: object, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Replace every command of a scope (bulk overwrite), after Discord's checks."""
        self._guild_exists(guild_id)
        check_commands(body).raise_if_any()
        assert isinstance(body, list)  # check_commands refused anything else
        old = {(c["type"], c["name"]): c for c in self._scope(guild_id)}
        stored = [self._store(c, old.get((c.get("type", 1), c["name"])), guild_id) for c in body]
        self._set_scope(guild_id, stored)
        return copy.deepcopy(stored)

    def upsert(self, body: object, guild_id: int | None = None) -> tuple[dict[str, Any], bool]:
        """Create or replace one command by name; return it and whether it is new."""
        self._guild_exists(guild_id)
        errors = FormErrors()
        check_command(body, [], errors)
        errors.raise_if_any()
        assert isinstance(body, dict)  # check_command refused anything else
        scope = self._scope(guild_id)
        key = (body.get("type", 1), body["name"])
        old = next((c for c in scope if (c["type"], c["name"]) == key), None)
        command = self._store(body, old, guild_id)
        if old is None:
            if key[0] == 1 and sum(1 for c in scope if c["type"] == 1) >= 100:
                raise DiscordHTTPError(
                    400, 30032, "Maximum number of application commands reached (100)"
                )
            scope.append(command)
        else:
            scope[scope.index(old)] = command
        return copy.deepcopy(command), old is None

    def get(self, command_id: int, guild_id: int | None = None) -> dict[str, Any]:
        """One stored command (404 Unknown application command otherwise)."""
        for command in self._scope(guild_id):
            if int(command["id"]) == command_id:
                return command
        raise DiscordHTTPError(404, 10063, "Unknown application command")

    def delete(self, command_id: int, guild_id: int | None = None) -> None:
        """Delete one command."""
        self._scope(guild_id).remove(self.get(command_id, guild_id))

    def find(self, guild_id: int | None, name: str) -> dict[str, Any]:
        """The chat-input command ``/name`` as a member of ``guild_id`` sees it (or a DM: None).

        A guild's members see its guild commands and the global ones; a DM offers global
        commands only.
        """
        visible = [*self._guild.get(guild_id or 0, []), *self._global]
        for command in visible:
            if command["type"] == 1 and command["name"] == name:
                return command
        known = sorted(c["name"] for c in visible if c["type"] == 1)
        where = "globally (all a DM offers)" if guild_id is None else "for this guild"
        raise EmulatorError(
            f"no command /{name} is registered {where} (registered: {', '.join(known) or 'none'})"
        )

    def _store(
        self, body: dict[str, Any], old: dict[str, Any] | None, guild_id: int | None
    ) -> dict[str, Any]:
        command = {k: copy.deepcopy(v) for k, v in body.items() if k not in _ECHO_IGNORES}
        command.setdefault("type", 1)
        command.setdefault("description", "")
        command.setdefault("default_member_permissions", None)
        command.setdefault("nsfw", False)
        unchanged = old is not None and _same(old, command)
        command["id"] = old["id"] if old is not None else str(self._world.ids.next())
        command["application_id"] = str(self._world.application_id)
        command["version"] = old["version"] if unchanged and old else str(self._world.ids.next())
        if guild_id is not None:
            command["guild_id"] = str(guild_id)
        return command

    def _scope(self, guild_id: int | None) -> list[dict[str, Any]]:
        if guild_id is None:
            return self._global
        return self._guild.setdefault(guild_id, [])

    def _set_scope(self, guild_id: int | None, commands: list[dict[str, Any]]) -> None:
        if guild_id is None:
            self._global = commands
        else:
            self._guild[guild_id] = commands

    def _guild_exists(self, guild_id: int | None) -> None:
        if guild_id is not None:
            self._world.guild(guild_id)


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return {k: v for k, v in old.items() if k not in _ECHO_IGNORES} == new
