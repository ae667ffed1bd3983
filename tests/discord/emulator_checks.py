"""Discord's validation rules for command registration, and the shape of its field errors.

Each check fills a :class:`FormErrors` with Discord's nested error shape (``{"0": {"options":
{"1": {"name": {"_errors": [...]}}}}}``), so a refused payload names the exact bad field. The
limits are written out here on purpose rather than imported from the bot: the emulator must
catch a bot whose own limits are wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, TypeGuard

from tests.discord.emulator_core import DiscordHTTPError

COMMAND_NAME: Final = re.compile(r"[-_a-z0-9]{1,32}")
COMMAND_TYPES: Final = (1, 2, 3, 4)
MAX_CHAT_COMMANDS: Final = 100
MAX_OPTIONS: Final = 25
MAX_CHOICES: Final = 25
COMMAND_SIZE: Final = 8000  # Discord's limit since 2024 (it was 4,000)
SUB_COMMAND: Final = 1
SUB_COMMAND_GROUP: Final = 2
STRING: Final = 3
INTEGER: Final = 4
BOOLEAN: Final = 5
USER: Final = 6
CHANNEL: Final = 7
ROLE: Final = 8
MENTIONABLE: Final = 9
NUMBER: Final = 10
ATTACHMENT: Final = 11
OPTION_TYPES: Final = tuple(range(1, 12))
CONTEXT_TYPES: Final = (0, 1, 2)  # a guild, the bot's DM, other private channels
INSTALL_TYPES: Final = (0, 1)  # installed to a guild, to a user
SAFE_INTEGER: Final = 2**53


Path = Sequence[str | int]


class FormErrors:
    """Field errors collected under their JSON path, in Discord's nested shape."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}
        self.problems: list[str] = []

    def add(self, path: Path, code: str, message: str) -> None:
        """Record an error at ``path``."""
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
        self.problems.append(f"{'.'.join(map(str, path)) or '(body)'}: {message}")

    def __bool__(self) -> bool:
        return bool(self.tree)

    def raise_if_any(self) -> None:
        """Raise Discord's 400 Invalid Form Body when anything was recorded."""
        if self.tree:
            raise DiscordHTTPError(400, 50035, "Invalid Form Body", errors=self.tree)


def check_length(errors: FormErrors, path: Path, value: object, low: int, high: int) -> None:
    """Record an error unless ``value`` is a string of ``low`` to ``high`` characters."""
    if not isinstance(value, str):
        errors.add(path, "BASE_TYPE_STRING", "Must be a string.")
    elif not low <= len(value) <= high:
        errors.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")


def check_at_most(errors: FormErrors, path: Path, value: object, high: int) -> None:
    """Record an error if ``value`` (a string or a list) is longer than ``high``."""
    if value is None:
        return
    if not isinstance(value, str | list):
        errors.add(path, "BASE_TYPE_STRING", "Must be a string or an array.")
    elif len(value) > high:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length.")


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


# Commands ----------------------------------------------------------------------------------


def check_commands(body: object) -> FormErrors:
    """Check a bulk-overwrite body (a list of commands) as Discord does."""
    errors = FormErrors()
    if not isinstance(body, list):
        errors.add([], "BASE_TYPE_ARRAY", "Must be an array.")
        return errors
    chat = sum(1 for c in body if isinstance(c, dict) and c.get("type", 1) == 1)
    if chat > MAX_CHAT_COMMANDS:
        errors.add([], "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CHAT_COMMANDS} or fewer in length.")
    seen: set[tuple[object, object]] = set()
    for index, command in enumerate(body):
        check_command(command, [index], errors)
        if isinstance(command, dict):
            key = (command.get("type", 1), command.get("name"))
            if key in seen:
                errors.add(
                    [index, "name"],
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique ({command.get('name')!r})",
                )
            seen.add(key)
    return errors


def check_command(command: object, path: Path, errors: FormErrors) -> None:
    """Check one command object."""
    if not isinstance(command, dict):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    kind = command.get("type", 1)
    if kind not in COMMAND_TYPES:
        errors.add([*path, "type"], "BASE_TYPE_CHOICES", f"Value must be one of {COMMAND_TYPES}.")
        return
    name = command.get("name")
    if name is None:
        errors.add([*path, "name"], "BASE_TYPE_REQUIRED", "This field is required")
    elif kind == 1:
        _check_name(errors, [*path, "name"], name)
    else:
        check_length(errors, [*path, "name"], name, 1, 32)
    for locale, localized in (command.get("name_localizations") or {}).items():
        _check_name(errors, [*path, "name_localizations", locale], localized)
    if kind == 1:
        _check_chat_input(errors, path, command)
    else:
        _check_context_menu(errors, path, command)
    permissions = command.get("default_member_permissions")
    if permissions is not None and not (isinstance(permissions, str) and permissions.isdigit()):
        errors.add([*path, "default_member_permissions"], "NUMBER_TYPE_COERCE", "Value is not int.")
    _check_where(errors, path, command)


def _check_where(errors: FormErrors, path: Path, command: dict[str, Any]) -> None:
    """Check ``contexts``, ``integration_types`` and the legacy ``dm_permission``."""
    for key, allowed in (("contexts", CONTEXT_TYPES), ("integration_types", INSTALL_TYPES)):
        values = command.get(key)
        if values is None:
            continue
        if not isinstance(values, list):
            errors.add([*path, key], "BASE_TYPE_ARRAY", "Must be an array.")
            continue
        for index, value in enumerate(values):
            if value not in allowed or isinstance(value, bool):
                errors.add(
                    [*path, key, index], "BASE_TYPE_CHOICES", f"Value must be one of {allowed}."
                )
    dm_permission = command.get("dm_permission")
    if dm_permission is not None and not isinstance(dm_permission, bool):
        errors.add([*path, "dm_permission"], "BASE_TYPE_BOOLEAN", "Must be either true or false.")


def _check_chat_input(errors: FormErrors, path: Path, command: dict[str, Any]) -> None:
    check_length(errors, [*path, "description"], command.get("description"), 1, 100)
    _check_options(errors, [*path, "options"], command.get("options") or [], 0)
    if _size(command) > COMMAND_SIZE:
        errors.add(
            path, "APPLICATION_COMMAND_TOO_LARGE", f"Command exceeds maximum size ({COMMAND_SIZE})"
        )


def _check_context_menu(errors: FormErrors, path: Path, command: dict[str, Any]) -> None:
    if command.get("description"):
        errors.add(
            [*path, "description"],
            "APPLICATION_COMMAND_INVALID_DESCRIPTION",
            "Context menu commands cannot have a description",
        )
    if command.get("options"):
        errors.add(
            [*path, "options"],
            "APPLICATION_COMMAND_INVALID_OPTIONS",
            "Context menu commands cannot have options",
        )


def _check_name(errors: FormErrors, path: Path, name: object) -> None:
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        check_length(errors, path, name, 1, 32)
    elif not COMMAND_NAME.fullmatch(name):
        errors.add(
            path,
            "APPLICATION_COMMAND_INVALID_NAME",
            f"Command name is invalid ({name!r}: lower-case letters, digits, - and _ only)",
        )


def _check_options(errors: FormErrors, path: Path, options: object, level: int) -> None:
    """Check an options list; ``level`` 0 = command, 1 = in a group, 2 = in a sub-command."""
    if not isinstance(options, list):
        errors.add(path, "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if len(options) > MAX_OPTIONS:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_OPTIONS} or fewer in length.")
    kinds = [o.get("type") for o in options if isinstance(o, dict)]
    nested = [k in (SUB_COMMAND, SUB_COMMAND_GROUP) for k in kinds]
    if any(nested) and not all(nested):
        errors.add(
            path,
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "Sub-command and sub-command group option types are mutually exclusive to all "
            "other types",
        )
    names: set[object] = set()
    optional_seen = False
    for index, option in enumerate(options):
        if not isinstance(option, dict):
            errors.add([*path, index], "DICT_TYPE_CONVERT", "Must be an object.")
            continue
        _check_option(errors, [*path, index], option, level)
        if option.get("name") in names:
            errors.add(
                [*path, index, "name"],
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                f"Option name {option.get('name')!r} is already used in these options",
            )
        names.add(option.get("name"))
        if option.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
            continue
        if option.get("required") and optional_seen:
            errors.add(
                path,
                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                "Required options must be placed before non-required options",
            )
        optional_seen = optional_seen or not option.get("required")


def _check_option(errors: FormErrors, path: Path, option: dict[str, Any], level: int) -> None:
    kind = option.get("type")
    if kind not in OPTION_TYPES:
        errors.add([*path, "type"], "BASE_TYPE_CHOICES", f"Value must be one of {OPTION_TYPES}.")
        return
    _check_name(errors, [*path, "name"], option.get("name"))
    check_length(errors, [*path, "description"], option.get("description"), 1, 100)
    if level == 1 and kind != SUB_COMMAND:
        errors.add(
            [*path, "type"],
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "A sub-command group may contain only sub-commands",
        )
    if level == 2 and kind in (SUB_COMMAND, SUB_COMMAND_GROUP):
        errors.add(
            [*path, "type"],
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "A sub-command may not contain sub-commands or groups",
        )
    children = option.get("options") or []
    if kind == SUB_COMMAND_GROUP:
        _check_options(errors, [*path, "options"], children, 1)
    elif kind == SUB_COMMAND:
        _check_options(errors, [*path, "options"], children, 2)
    elif children:
        errors.add([*path, "options"], "BASE_TYPE_MAX_LENGTH", "Only sub-commands have options.")
    _check_choices(errors, path, option, kind)
    _check_ranges(errors, path, option, kind)


def _check_choices(errors: FormErrors, path: Path, option: dict[str, Any], kind: int) -> None:
    choices = option.get("choices")
    if option.get("autocomplete"):
        if kind not in (STRING, INTEGER, NUMBER):
            errors.add(
                [*path, "autocomplete"],
                "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID",
                "Autocomplete is only for string, integer and number options",
            )
        if choices:
            errors.add(
                [*path, "autocomplete"],
                "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID",
                "Autocomplete may not be set on an option with choices",
            )
    if not choices:
        return
    if kind not in (STRING, INTEGER, NUMBER):
        errors.add(
            [*path, "choices"],
            "APPLICATION_COMMAND_OPTION_CHOICES_INVALID",
            "Choices are only for string, integer and number options",
        )
        return
    if not isinstance(choices, list) or len(choices) > MAX_CHOICES:
        check_at_most(errors, [*path, "choices"], choices, MAX_CHOICES)
        return
    for index, choice in enumerate(choices):
        where = [*path, "choices", index]
        if not isinstance(choice, dict):
            errors.add(where, "DICT_TYPE_CONVERT", "Must be an object.")
            continue
        check_length(errors, [*where, "name"], choice.get("name"), 1, 100)
        problem = value_problem(kind, choice.get("value"))
        if problem:
            errors.add([*where, "value"], "BASE_TYPE_CHOICES", problem)


def _check_ranges(errors: FormErrors, path: Path, option: dict[str, Any], kind: int) -> None:
    for key in ("min_value", "max_value"):
        if option.get(key) is None:
            continue
        if kind not in (INTEGER, NUMBER):
            errors.add([*path, key], "BASE_TYPE_INVALID", f"{key} is only for numbers")
        elif not _is_number(option[key]):
            errors.add([*path, key], "NUMBER_TYPE_COERCE", "Value is not a number.")
    low, high = option.get("min_value"), option.get("max_value")
    if _is_number(low) and _is_number(high) and low > high:
        errors.add([*path, "min_value"], "NUMBER_TYPE_MAX", f"Must be at most {high}.")
    _check_lengths(errors, path, option, kind)


def _check_lengths(errors: FormErrors, path: Path, option: dict[str, Any], kind: int) -> None:
    for key, bottom in (("min_length", 0), ("max_length", 1)):
        value = option.get(key)
        if value is None:
            continue
        if kind != STRING:
            errors.add([*path, key], "BASE_TYPE_INVALID", f"{key} is only for strings")
        elif not isinstance(value, int) or not bottom <= value <= 6000:
            errors.add([*path, key], "NUMBER_TYPE_MAX", f"Must be between {bottom} and 6000.")
    if option.get("channel_types") and kind != CHANNEL:
        errors.add(
            [*path, "channel_types"], "BASE_TYPE_INVALID", "channel_types is only for channels"
        )


def value_problem(kind: int, value: object) -> str | None:
    """Why ``value`` cannot be a choice value of an option of type ``kind`` (None if it can)."""
    if kind == STRING:
        if not isinstance(value, str):
            return f"Value {value!r} is not a string."
        if not 1 <= len(value) <= 100:
            return "Must be between 1 and 100 in length."
    elif kind == INTEGER:
        if not isinstance(value, int) or isinstance(value, bool):
            return f"Value {value!r} is not int."
        if abs(value) > SAFE_INTEGER:
            return f"int value should be between -{SAFE_INTEGER} and {SAFE_INTEGER}."
    elif kind == NUMBER and not _is_number(value):
        return f"Value {value!r} is not a number."
    return None


def _size(command: Mapping[str, Any]) -> int:
    """Characters Discord counts toward a command's 8,000 (names, descriptions, choices)."""
    size = len(str(command.get("name", ""))) + len(str(command.get("description", "")))
    for option in command.get("options") or []:
        if isinstance(option, dict):
            size += _size(option)
            for choice in option.get("choices") or []:
                if isinstance(choice, dict):
                    size += len(str(choice.get("name", ""))) + len(str(choice.get("value", "")))
    return size
