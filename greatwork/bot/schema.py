"""The slash commands Discord registers, as API JSON built from the command catalogue.

:func:`registration` is pure: every top-level catalogue command, and ``/gw_admin`` with every
admin subcommand plus the Discord-only ``setup``. The bot builds its disnake commands from this
JSON (so what it syncs is exactly what is checked here), and :func:`schema_problems` checks it
against Discord's rules the way Discord's API does, in words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from greatwork.bot.directory import ChannelRole
from greatwork.commands.catalogue import CATALOGUE
from greatwork.commands.spec import ADMIN_GROUP, Catalogue, CommandSpec, Option, OptionType

__all__ = [
    "ADMINISTRATOR",
    "GROUP_DESCRIPTION",
    "SETUP",
    "autocompleted",
    "check_schema",
    "registration",
    "schema_problems",
    "setup_json",
]

ADMINISTRATOR: Final = 1 << 3  # the Administrator permission bit
SETUP: Final = "setup"
GROUP_DESCRIPTION: Final = "Run the game (server admins and the game's admin role only)"

SUB_COMMAND: Final = 1
SUB_COMMAND_GROUP: Final = 2
STRING: Final = 3
INTEGER: Final = 4
BOOLEAN: Final = 5
CHANNEL: Final = 7
NUMBER: Final = 10
TEXT_CHANNEL: Final = 0
_TYPES: Final[Mapping[OptionType, int]] = {
    OptionType.STRING: STRING,
    OptionType.INTEGER: INTEGER,
    OptionType.NUMBER: NUMBER,
    OptionType.BOOLEAN: BOOLEAN,
}
_SETUP_OPTIONS: Final[Mapping[ChannelRole, str]] = {
    ChannelRole.GAZETTE: "Where the Gazette is posted at each digest",
    ChannelRole.ORDERS: "Where public moves are echoed",
    ChannelRole.TABLE_TALK: "Where /table_talk messages go",
    ChannelRole.ADMIN: "Where admin notices go (missing channels, failed posts)",
}

NAME: Final = re.compile(r"^[-_a-z0-9]{1,32}$")
DESCRIPTION_MAX: Final = 100
OPTIONS_MAX: Final = 25
CHOICES_MAX: Final = 25
CHOICE_NAME_MAX: Final = 100
CHOICE_VALUE_MAX: Final = 100
STRING_LENGTH_MAX: Final = 6000
COMMANDS_MAX: Final = 100  # top-level chat commands per application
COMMAND_SIZE_MAX: Final = 8000  # names, descriptions and choice names and values of a command


def autocompleted(option: Option) -> bool:
    """Whether Discord asks the bot for suggestions while the option is typed.

    Options that name something in the campaign (a ``lookup``) do; so do lists of fixed
    choices (``funding``), because Discord's own choices allow only one value.
    """
    return option.lookup is not None or (option.many and bool(option.choices))


def option_json(option: Option) -> dict[str, Any]:
    """One catalogue option as a Discord command option."""
    kind = _TYPES[option.type]
    out: dict[str, Any] = {"type": kind, "name": option.name, "description": option.description}
    if option.required:
        out["required"] = True
    if option.choices and not option.many:
        out["choices"] = [{"name": c.name, "value": c.value} for c in option.choices]
    if autocompleted(option):
        out["autocomplete"] = True
    if kind in {INTEGER, NUMBER}:
        for key, bound in (("min_value", option.min_value), ("max_value", option.max_value)):
            if bound is not None:
                out[key] = int(bound) if kind == INTEGER else float(bound)
    if kind == STRING and not option.many:  # a list's bounds are per item: checked on parse
        lengths = {"min_length": option.min_length, "max_length": option.max_length}
        out.update({k: v for k, v in lengths.items() if v is not None})
    return out


def _command(spec: CommandSpec, *, nested: bool = False) -> dict[str, Any]:
    command: dict[str, Any] = {
        "type": SUB_COMMAND,
        "name": spec.name,
        "description": spec.description,
        "options": [option_json(o) for o in spec.options],
    }
    if nested and not spec.options:
        del command["options"]  # as disnake sends a subcommand without options
    return command


def setup_json() -> dict[str, Any]:
    """The Discord-only ``/gw_admin setup`` subcommand: one optional text channel per role."""
    return {
        "type": SUB_COMMAND,
        "name": SETUP,
        "description": "Show or choose the game's channels (gazette, orders, table talk, admin)",
        "options": [
            {
                "type": CHANNEL,
                "name": str(role),
                "description": description,
                "channel_types": [TEXT_CHANNEL],
            }
            for role, description in _SETUP_OPTIONS.items()
        ],
    }


def registration(catalogue: Catalogue = CATALOGUE) -> list[dict[str, Any]]:
    """The JSON of every global slash command, in catalogue order, ``/gw_admin`` last."""
    commands: list[dict[str, Any]] = []
    for spec in catalogue.top_level():
        command = _command(spec)
        if spec.admin:
            command["default_member_permissions"] = str(ADMINISTRATOR)
        commands.append(command)
    subcommands = [_command(s, nested=True) for s in catalogue.group(ADMIN_GROUP)]
    commands.append(
        {
            "type": SUB_COMMAND,
            "name": ADMIN_GROUP,
            "description": GROUP_DESCRIPTION,
            "default_member_permissions": str(ADMINISTRATOR),
            "options": [*subcommands, setup_json()],
        }
    )
    return commands


def check_schema(commands: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
    """Return the commands, or raise ValueError naming every rule of Discord they break."""
    problems = schema_problems(commands)
    if problems:
        raise ValueError("slash commands Discord would refuse: " + "; ".join(problems))
    return commands


def schema_problems(commands: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every rule of Discord the commands break, in words (empty when Discord takes them)."""
    problems: list[str] = []
    if len(commands) > COMMANDS_MAX:
        problems.append(f"{len(commands)} commands (at most {COMMANDS_MAX})")
    problems.extend(_duplicates([c.get("name", "") for c in commands], "command"))
    for command in commands:
        where = f"/{command.get('name', '?')}"
        problems.extend(_named(command, where))
        problems.extend(_options(command.get("options", []), where))
        size = _size(command)
        if size > COMMAND_SIZE_MAX:
            problems.append(f"{where}: {size} characters in all (at most {COMMAND_SIZE_MAX})")
    return problems


def _named(item: Mapping[str, Any], where: str) -> list[str]:
    problems = []
    name = item.get("name", "")
    if not isinstance(name, str) or not NAME.match(name):
        problems.append(f"{where}: name {name!r} must match {NAME.pattern}")
    description = item.get("description", "")
    if not isinstance(description, str) or not 1 <= len(description) <= DESCRIPTION_MAX:
        problems.append(
            f"{where}: description has {len(description or '')} characters (1 to {DESCRIPTION_MAX})"
        )
    return problems


def _options(options: Sequence[Mapping[str, Any]], where: str) -> list[str]:
    problems: list[str] = []
    if len(options) > OPTIONS_MAX:
        problems.append(f"{where}: {len(options)} options (at most {OPTIONS_MAX})")
    problems.extend(_duplicates([o.get("name", "") for o in options], f"{where}: option"))
    nested = [o.get("type") in {SUB_COMMAND, SUB_COMMAND_GROUP} for o in options]
    if any(nested) and not all(nested):
        problems.append(f"{where}: subcommands cannot sit beside plain options")
    seen_optional = False
    for option in options:
        at = f"{where} {option.get('name', '?')}"
        problems.extend(_named(option, at))
        if option.get("type") in {SUB_COMMAND, SUB_COMMAND_GROUP}:
            problems.extend(_options(option.get("options", []), at))
            continue
        if option.get("required"):
            if seen_optional:
                problems.append(f"{at}: a required option after an optional one")
        else:
            seen_optional = True
        problems.extend(_option_rules(option, at))
    return problems


def _option_rules(option: Mapping[str, Any], at: str) -> list[str]:  # noqa: C901 (one rule a line)
    problems: list[str] = []
    kind = option.get("type")
    if kind not in {STRING, INTEGER, BOOLEAN, CHANNEL, NUMBER}:
        problems.append(f"{at}: unknown option type {kind!r}")
    choices = option.get("choices", [])
    if choices and option.get("autocomplete"):
        problems.append(f"{at}: choices and autocomplete cannot go together")
    if option.get("autocomplete") and kind not in {STRING, INTEGER, NUMBER}:
        problems.append(f"{at}: only text and number options can autocomplete")
    if len(choices) > CHOICES_MAX:
        problems.append(f"{at}: {len(choices)} choices (at most {CHOICES_MAX})")
    for choice in choices:
        name, value = choice.get("name", ""), choice.get("value")
        if not 1 <= len(name) <= CHOICE_NAME_MAX:
            problems.append(f"{at}: choice name {name!r} has {len(name)} characters (1 to 100)")
        if not _fits(kind, value):
            problems.append(f"{at}: choice value {value!r} does not fit the option's type")
    if ("min_value" in option or "max_value" in option) and kind not in {INTEGER, NUMBER}:
        problems.append(f"{at}: min_value and max_value are for numbers only")
    low, high = option.get("min_value"), option.get("max_value")
    if low is not None and high is not None and low > high:
        problems.append(f"{at}: min_value {low} is above max_value {high}")
    for key, least in (("min_length", 0), ("max_length", 1)):
        if key in option and (kind != STRING or not least <= option[key] <= STRING_LENGTH_MAX):
            problems.append(f"{at}: {key} {option[key]} (text only, {least} to 6000)")
    if "channel_types" in option and kind != CHANNEL:
        problems.append(f"{at}: channel_types is for channel options only")
    return problems


def _fits(kind: object, value: object) -> bool:
    if kind == STRING:
        return isinstance(value, str) and 1 <= len(value) <= CHOICE_VALUE_MAX
    if kind == INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return False


def _duplicates(names: Sequence[str], what: str) -> list[str]:
    repeated = sorted({n for n in names if names.count(n) > 1})
    return [f"{what} name {n!r} is used more than once" for n in repeated]


def _size(item: Mapping[str, Any]) -> int:
    """What Discord counts toward a command's size: names, descriptions, choice names and values."""
    size = len(item.get("name", "")) + len(item.get("description", ""))
    for choice in item.get("choices", []):
        size += len(str(choice.get("name", ""))) + len(str(choice.get("value", "")))
    return size + sum(_size(o) for o in item.get("options", []))
