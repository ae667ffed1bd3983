from __future__ import annotations

import copy
from typing import Any

import pytest

from greatwork.bot.schema import (
    ADMINISTRATOR,
    BOOLEAN,
    CHANNEL,
    COMMAND_SIZE_MAX,
    INTEGER,
    NUMBER,
    SETUP,
    STRING,
    SUB_COMMAND,
    TEXT_CHANNEL,
    autocompleted,
    check_schema,
    registration,
    schema_problems,
)
from greatwork.commands.catalogue import CATALOGUE
from greatwork.commands.spec import ADMIN_GROUP, Option, OptionType

TYPES = {
    OptionType.STRING: STRING,
    OptionType.INTEGER: INTEGER,
    OptionType.NUMBER: NUMBER,
    OptionType.BOOLEAN: BOOLEAN,
}


def _by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in items}


@pytest.fixture
def schema() -> list[dict[str, Any]]:
    return registration()


def test_the_generated_schema_obeys_discords_rules(schema: list[dict[str, Any]]) -> None:
    assert schema_problems(schema) == []
    assert check_schema(schema) is schema


def test_every_top_level_command_and_the_admin_group_are_registered(
    schema: list[dict[str, Any]],
) -> None:
    names = [c["name"] for c in schema]
    assert names == [s.name for s in CATALOGUE.top_level()] + [ADMIN_GROUP]
    assert all(c["type"] == SUB_COMMAND for c in schema)  # chat input commands
    group = _by_name(schema)[ADMIN_GROUP]
    subcommands = [o["name"] for o in group["options"]]
    assert subcommands == [s.name for s in CATALOGUE.group(ADMIN_GROUP)] + [SETUP]
    assert all(o["type"] == SUB_COMMAND for o in group["options"])
    assert len(CATALOGUE.top_level()) + len(CATALOGUE.group(ADMIN_GROUP)) == len(CATALOGUE)


def test_admin_commands_are_hidden_from_non_admins_by_default(
    schema: list[dict[str, Any]],
) -> None:
    commands = _by_name(schema)
    assert commands[ADMIN_GROUP]["default_member_permissions"] == str(ADMINISTRATOR)
    for spec in CATALOGUE.top_level():
        expected = str(ADMINISTRATOR) if spec.admin else None
        assert commands[spec.name].get("default_member_permissions") == expected, spec.name
    assert "telemetry_report" in {s.name for s in CATALOGUE.top_level() if s.admin}


def _registered(schema: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    commands = _by_name(schema)
    if " " in path:
        group, name = path.split()
        return _by_name(commands[group]["options"])[name].get("options", [])  # type: ignore[no-any-return]
    return commands[path]["options"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("spec", list(CATALOGUE), ids=lambda s: s.path)
def test_each_option_comes_straight_from_the_catalogue(
    schema: list[dict[str, Any]], spec: Any
) -> None:
    registered = _registered(schema, spec.path)
    assert [o["name"] for o in registered] == [o.name for o in spec.options]
    for option, data in zip(spec.options, registered, strict=True):
        _check_option(option, data)


def _check_option(option: Option, data: dict[str, Any]) -> None:
    assert data["type"] == TYPES[option.type]
    assert data["description"] == option.description
    assert data.get("required", False) == option.required
    assert data.get("autocomplete", False) == autocompleted(option)
    if option.choices and not option.many:
        assert data["choices"] == [{"name": c.name, "value": c.value} for c in option.choices]
    else:
        assert "choices" not in data
    for key in ("min_value", "max_value"):
        assert data.get(key) == getattr(option, key)
    if option.type is OptionType.INTEGER:
        assert all(isinstance(data[k], int) for k in ("min_value", "max_value") if k in data)
    for key in ("min_length", "max_length"):
        assert data.get(key) == (None if option.many else getattr(option, key))


def test_options_that_name_campaign_things_autocomplete(schema: list[dict[str, Any]]) -> None:
    recruit = _by_name(_registered(schema, "recruit"))
    assert recruit["scholar_id"]["autocomplete"] is True
    assert "autocomplete" not in recruit["faction"]  # fixed choices instead
    share = _by_name(_registered(schema, "share_press"))
    assert share["press_id"] == share["press_id"] | {"type": INTEGER, "autocomplete": True}
    # A list of fixed values autocompletes from them: Discord's choices take one value only.
    funding = _by_name(_registered(schema, "launch_expedition"))["funding"]
    assert funding["autocomplete"] is True
    assert "choices" not in funding
    looked_up = [o for s in CATALOGUE for o in s.options if o.lookup is not None]
    assert looked_up
    assert all(autocompleted(o) for o in looked_up)


def test_required_options_come_first_everywhere(schema: list[dict[str, Any]]) -> None:
    for spec in CATALOGUE:
        flags = [o.get("required", False) for o in _registered(schema, spec.path)]
        assert flags == sorted(flags, reverse=True), spec.path


def test_setup_takes_four_optional_text_channels(schema: list[dict[str, Any]]) -> None:
    setup = _registered(schema, f"{ADMIN_GROUP} {SETUP}")
    assert [o["name"] for o in setup] == ["gazette", "orders", "table_talk", "admin"]
    for option in setup:
        assert option["type"] == CHANNEL
        assert option["channel_types"] == [TEXT_CHANNEL]
        assert not option.get("required", False)


def test_the_admin_group_fits_discords_size_limit(schema: list[dict[str, Any]]) -> None:
    group = _by_name(schema)[ADMIN_GROUP]
    assert schema_problems([group]) == []
    doubled = copy.deepcopy(group)
    doubled["options"] += copy.deepcopy(group["options"])
    for n, sub in enumerate(doubled["options"]):
        sub["name"] = f"s{n}"
    problems = schema_problems([doubled])
    assert any(f"characters in all (at most {COMMAND_SIZE_MAX})" in p for p in problems)
    assert "/gw_admin: 40 options (at most 25)" in problems


def _command(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"type": 1, "name": "probe", "description": "A probe", "options": []}
    return base | changes


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        (_command(name="Probe"), "/Probe: name 'Probe' must match ^[-_a-z0-9]{1,32}$"),
        (_command(name="p" * 33), "must match"),
        (_command(description=""), "/probe: description has 0 characters (1 to 100)"),
        (_command(description="d" * 101), "/probe: description has 101 characters (1 to 100)"),
        (
            _command(options=[{"type": 3, "name": f"o{n}", "description": "o"} for n in range(26)]),
            "/probe: 26 options (at most 25)",
        ),
        (
            _command(
                options=[
                    {"type": 3, "name": "a", "description": "a"},
                    {"type": 3, "name": "b", "description": "b", "required": True},
                ]
            ),
            "/probe b: a required option after an optional one",
        ),
        (
            _command(
                options=[
                    {
                        "type": 3,
                        "name": "c",
                        "description": "c",
                        "choices": [{"name": f"n{n}", "value": f"v{n}"} for n in range(26)],
                    }
                ]
            ),
            "/probe c: 26 choices (at most 25)",
        ),
        (
            _command(
                options=[
                    {
                        "type": 4,
                        "name": "c",
                        "description": "c",
                        "choices": [{"name": "one", "value": "1"}],
                    }
                ]
            ),
            "/probe c: choice value '1' does not fit the option's type",
        ),
        (
            _command(
                options=[
                    {
                        "type": 3,
                        "name": "c",
                        "description": "c",
                        "autocomplete": True,
                        "choices": [{"name": "one", "value": "1"}],
                    }
                ]
            ),
            "/probe c: choices and autocomplete cannot go together",
        ),
        (
            _command(options=[{"type": 4, "name": "n", "description": "n", "min_length": 1}]),
            "/probe n: min_length 1 (text only, 0 to 6000)",
        ),
        (
            _command(
                options=[
                    {"type": 4, "name": "n", "description": "n", "min_value": 5, "max_value": 1}
                ]
            ),
            "/probe n: min_value 5 is above max_value 1",
        ),
        (
            _command(
                options=[
                    {"type": 3, "name": "dup", "description": "d"},
                    {"type": 3, "name": "dup", "description": "d"},
                ]
            ),
            "/probe: option name 'dup' is used more than once",
        ),
    ],
)
def test_each_broken_rule_is_named(command: dict[str, Any], problem: str) -> None:
    problems = schema_problems([command])
    assert any(problem in p for p in problems), problems
    with pytest.raises(ValueError, match="slash commands Discord would refuse"):
        check_schema([command])


def test_too_many_or_repeated_commands_are_named() -> None:
    many = [_command(name=f"c{n}") for n in range(101)]
    assert "101 commands (at most 100)" in schema_problems(many)
    assert "command name 'c0' is used more than once" in schema_problems(
        [_command(name="c0"), _command(name="c0")]
    )
