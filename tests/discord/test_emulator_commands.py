"""Command registration as Discord validates and echoes it, with raw HTTP (no bot)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.discord.emulator_fixtures import RawSetup, errors_at

# Command registration ----------------------------------------------------------------------


def cmd(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "theory",
        "description": "Propose a theory",
        "type": 1,
        "options": [{"name": "text", "description": "The theory", "type": 3, "required": True}],
    }
    body.update(changes)
    return body


def opt(name: str = "text", kind: int = 3, **changes: Any) -> dict[str, Any]:
    return {"name": name, "description": f"The {name}", "type": kind, **changes}


def choices(count: int, name: str = "c") -> list[dict[str, Any]]:
    return [{"name": f"{name}{i}", "value": f"v{i}"} for i in range(count)]


BAD_COMMANDS = [
    ("upper-case name", [cmd(name="Theory")], ("0", "name"), "APPLICATION_COMMAND_INVALID_NAME"),
    (
        "space in name",
        [cmd(name="submit theory")],
        ("0", "name"),
        "APPLICATION_COMMAND_INVALID_NAME",
    ),
    ("33-character name", [cmd(name="t" * 33)], ("0", "name"), "BASE_TYPE_BAD_LENGTH"),
    ("empty description", [cmd(description="")], ("0", "description"), "BASE_TYPE_BAD_LENGTH"),
    (
        "long description",
        [cmd(description="d" * 101)],
        ("0", "description"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "26 options",
        [cmd(options=[opt(f"o{i}") for i in range(26)])],
        ("0", "options"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "26 choices",
        [cmd(options=[opt(choices=choices(26))])],
        ("0", "options", "0", "choices"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "101-character choice name",
        [cmd(options=[opt(choices=[{"name": "n" * 101, "value": "v"}])])],
        ("0", "options", "0", "choices", "0", "name"),
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "text choice on an integer option",
        [cmd(options=[opt(kind=4, choices=[{"name": "one", "value": "1"}])])],
        ("0", "options", "0", "choices", "0", "value"),
        "BASE_TYPE_CHOICES",
    ),
    (
        "required after optional",
        [cmd(options=[opt("a"), opt("b", required=True)])],
        ("0", "options"),
        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
    ),
    (
        "unknown option type",
        [cmd(options=[opt(kind=12)])],
        ("0", "options", "0", "type"),
        "BASE_TYPE_CHOICES",
    ),
    (
        "sub-command beside a plain option",
        [cmd(options=[opt("sub", 1), opt("text")])],
        ("0", "options"),
        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
    ),
    (
        "group inside a sub-command",
        [cmd(options=[opt("sub", 1, options=[opt("group", 2)])])],
        ("0", "options", "0", "options", "0", "type"),
        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
    ),
    (
        "plain option directly in a group",
        [cmd(options=[opt("group", 2, options=[opt("text")])])],
        ("0", "options", "0", "options", "0", "type"),
        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
    ),
    (
        "upper-case option name",
        [cmd(options=[opt("Text")])],
        ("0", "options", "0", "name"),
        "APPLICATION_COMMAND_INVALID_NAME",
    ),
    (
        "duplicate option names",
        [cmd(options=[opt("text"), opt("text")])],
        ("0", "options", "1", "name"),
        "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
    ),
    (
        "duplicate command names",
        [cmd(), cmd()],
        ("1", "name"),
        "APPLICATION_COMMANDS_DUPLICATE_NAME",
    ),
    (
        "autocomplete with choices",
        [cmd(options=[opt(autocomplete=True, choices=choices(2))])],
        ("0", "options", "0", "autocomplete"),
        "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID",
    ),
    (
        "min_value above max_value",
        [cmd(options=[opt(kind=4, min_value=5, max_value=1)])],
        ("0", "options", "0", "min_value"),
        "NUMBER_TYPE_MAX",
    ),
    (
        "more than 8000 characters",
        [
            cmd(
                description="d" * 100,
                options=[
                    opt(
                        f"o{i:02d}" + "x" * 29, description="d" * 100, choices=choices(25, "n" * 90)
                    )
                    for i in range(4)
                ],
            )
        ],
        ("0",),
        "APPLICATION_COMMAND_TOO_LARGE",
    ),
    (
        "101 commands",
        [cmd(name=f"c{i}", options=[]) for i in range(101)],
        (),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "description on a user command",
        [{"name": "Inspect", "type": 2, "description": "no"}],
        ("0", "description"),
        "APPLICATION_COMMAND_INVALID_DESCRIPTION",
    ),
    ("not a list", cmd(), (), "BASE_TYPE_ARRAY"),
    ("unknown context", [cmd(contexts=[0, 3])], ("0", "contexts", "1"), "BASE_TYPE_CHOICES"),
    (
        "unknown install type",
        [cmd(integration_types=[2])],
        ("0", "integration_types", "0"),
        "BASE_TYPE_CHOICES",
    ),
    (
        "dm_permission not a bool",
        [cmd(dm_permission="no")],
        ("0", "dm_permission"),
        "BASE_TYPE_BOOLEAN",
    ),
]


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [case[1:] for case in BAD_COMMANDS],
    ids=[case[0] for case in BAD_COMMANDS],
)
async def test_a_bad_registration_is_refused_with_the_field_named(
    setup: RawSetup, body: Any, path: tuple[str, ...], code: str
) -> None:
    status, answer = await setup.api.call("PUT", setup.commands_path, body)

    assert status == 400
    assert answer["code"] == 50035
    assert answer["message"] == "Invalid Form Body"
    assert code in errors_at(answer, path)
    assert setup.emu.commands() == []
    [rejection] = setup.emu.rejections
    assert (rejection.method, rejection.status, rejection.code) == ("PUT", 400, 50035)


async def test_registration_echoes_ids_and_keeps_them_for_an_unchanged_command(
    setup: RawSetup,
) -> None:
    body = [
        cmd(),
        cmd(name="admin", options=[opt("game", 2, options=[opt("pause", 1, options=[opt()])])]),
    ]
    status, first = await setup.api.call("PUT", setup.commands_path, body)
    assert status == 200
    assert [c["name"] for c in first] == ["theory", "admin"]
    for command in first:
        assert command["application_id"] == str(setup.emu.application_id)
        assert command["id"].isdigit()
        assert command["version"].isdigit()
        assert "guild_id" not in command

    _, again = await setup.api.call("PUT", setup.commands_path, body)
    changed = [cmd(description="Another text"), body[1]]
    _, third = await setup.api.call("PUT", setup.commands_path, changed)

    assert again == first
    assert third[0]["id"] == first[0]["id"]
    assert third[0]["version"] != first[0]["version"]
    assert third[1] == first[1]
    assert (await setup.api.call("GET", setup.commands_path))[1] == third
    assert setup.emu.commands() == third
    assert setup.emu.rejections == []


async def test_guild_commands_are_kept_apart_from_global_ones(setup: RawSetup) -> None:
    path = f"/applications/{setup.emu.application_id}/guilds/{setup.guild.id}/commands"
    status, stored = await setup.api.call("PUT", path, [cmd()])

    assert status == 200
    assert stored[0]["guild_id"] == str(setup.guild.id)
    assert setup.emu.commands(setup.guild) == stored
    assert setup.emu.commands() == []


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/applications/{app}/guilds/1234/commands", 404, 10004),
        ("/applications/999/commands", 404, 10002),
    ],
)
async def test_registration_in_an_unknown_scope_is_refused(
    setup: RawSetup, path: str, status: int, code: int
) -> None:
    answer = await setup.api.call("PUT", path.format(app=setup.emu.application_id), [cmd()])

    assert (answer[0], answer[1]["code"]) == (status, code)
