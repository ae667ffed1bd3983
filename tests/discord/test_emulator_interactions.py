"""Interaction responses, followups and edits, answered by the emulator's book (no sockets)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.discord.emulator import (
    DiscordEmulator,
    DiscordHTTPError,
    EmulatorError,
    InteractionRecord,
    Rejection,
)
from tests.discord.emulator_core import Upload
from tests.discord.emulator_gateway import Session
from tests.discord.emulator_state import ADMINISTRATOR

COMMANDS = [
    {"name": "ping", "description": "Answer", "type": 1},
    {
        "name": "recruit",
        "description": "Recruit",
        "type": 1,
        "options": [
            {"name": "scholar", "description": "Who", "type": 3, "autocomplete": True},
            {"name": "rank", "description": "Rank", "type": 4, "autocomplete": True},
        ],
    },
    {
        "name": "greet",
        "description": "Greet someone",
        "type": 1,
        "default_member_permissions": "8",
        "options": [
            {"name": "who", "description": "Who", "type": 6},
            {"name": "where", "description": "Where", "type": 7},
        ],
    },
    {"name": "wipe", "description": "Admins only", "type": 1, "default_member_permissions": "0"},
    {"name": "servers", "description": "Guilds only", "type": 1, "contexts": [0]},
    {"name": "no_dms", "description": "Not in DMs", "type": 1, "dm_permission": False},
    {"name": "user_app", "description": "User installs", "type": 1, "integration_types": [1]},
]


@pytest.fixture
def emu() -> DiscordEmulator:
    """An emulator that is not listening, with a session whose bot is away (frames wait)."""
    emu = DiscordEmulator()
    emu.gateway.current = Session("away", intents=0)
    emu.registry.overwrite(COMMANDS)
    return emu


async def ping(emu: DiscordEmulator) -> InteractionRecord:
    guild = emu.add_guild("Academy")
    return await emu.slash(guild, emu.add_member(guild, "Alice"), "ping")


def answer(emu: DiscordEmulator, rec: InteractionRecord, body: dict[str, Any]) -> None:
    emu.book.callback(rec.id, rec.token, body, ())


def refusal(call: Callable[[], object]) -> DiscordHTTPError:
    with pytest.raises(DiscordHTTPError) as caught:
        call()
    return caught.value


async def test_an_initial_response_is_checked_against_message_limits(
    emu: DiscordEmulator,
) -> None:
    rec = await ping(emu)

    long = refusal(lambda: answer(emu, rec, {"type": 4, "data": {"content": "x" * 2001}}))
    empty = refusal(lambda: answer(emu, rec, {"type": 4, "data": {"content": ""}}))
    answer(emu, rec, {"type": 4, "data": {"content": "fine"}})

    assert (long.status, long.code) == (400, 50035)
    assert long.errors is not None
    assert long.errors["data"]["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert (empty.status, empty.code) == (400, 50006)
    assert rec.original is not None
    assert rec.original["content"] == "fine"


async def test_only_one_initial_response_within_three_seconds(emu: DiscordEmulator) -> None:
    late, twice = await ping(emu), await ping(emu)
    answer(emu, twice, {"type": 4, "data": {"content": "first"}})
    second = refusal(lambda: answer(emu, twice, {"type": 4, "data": {"content": "again"}}))
    emu.advance(3.01)

    expired = refusal(lambda: answer(emu, late, {"type": 5}))

    assert (second.status, second.code) == (400, 40060)
    assert (expired.status, expired.code, expired.message) == (404, 10062, "Unknown interaction")
    assert late.callback is None


async def test_a_wrong_token_or_callback_type_is_refused(emu: DiscordEmulator) -> None:
    rec = await ping(emu)

    wrong_token = refusal(lambda: emu.book.callback(rec.id, "forged", {"type": 5}, ()))
    wrong_type = refusal(lambda: answer(emu, rec, {"type": 8, "data": {"choices": []}}))

    assert wrong_token.code == 10062
    assert (wrong_type.status, wrong_type.code) == (400, 50035)
    assert wrong_type.errors is not None
    assert "type" in wrong_type.errors


@pytest.mark.parametrize(
    ("focused", "choices", "path"),
    [
        ("scholar", [{"name": f"s{i}", "value": f"s{i}"} for i in range(26)], ("choices",)),
        ("scholar", [{"name": "n" * 101, "value": "x"}], ("choices", "0", "name")),
        ("scholar", [{"name": "Ada", "value": 1}], ("choices", "0", "value")),
        ("rank", [{"name": "first", "value": "1"}], ("choices", "0", "value")),
    ],
)
async def test_autocomplete_choices_are_checked(
    emu: DiscordEmulator, focused: str, choices: list[dict[str, Any]], path: tuple[str, ...]
) -> None:
    guild = emu.add_guild("Academy")
    alice = emu.add_member(guild, "Alice")
    rec = emu._inject(
        guild, alice, "recruit", {}, channel=None, locale="en-US", focused=(focused, "a")
    )

    error = refusal(lambda: answer(emu, rec, {"type": 8, "data": {"choices": choices}}))

    assert error.errors is not None
    node = error.errors["data"]
    for part in path:
        node = node[part]
    assert node["_errors"]
    assert rec.payload["type"] == 4
    [typed] = rec.payload["data"]["options"]
    assert (typed["name"], typed["value"], typed["focused"]) == (focused, "a", True)


async def test_followups_need_an_initial_response_and_obey_limits(emu: DiscordEmulator) -> None:
    rec = await ping(emu)
    app = emu.application_id

    early = refusal(
        lambda: emu.book.followup(emu.book.webhook(app, rec.token), {"content": "x"}, ())
    )
    answer(emu, rec, {"type": 4, "data": {"content": "first", "flags": 64}})
    too_long = refusal(lambda: emu.book.followup(rec, {"content": "x" * 2001}, ()))
    followup = emu.book.followup(rec, {"content": "second"}, ())
    edited = emu.book.edit(rec, followup["id"], {"content": "second, edited"}, ())

    assert early.code == 10015
    assert too_long.errors == {
        "content": {
            "_errors": [
                {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}
            ]
        }
    }
    assert rec.ephemeral is True
    assert [m["content"] for m in rec.messages] == ["first", "second, edited"]
    assert edited is followup
    assert emu.messages(rec.channel.id) == [followup]


async def test_the_token_serves_edits_for_fifteen_minutes_only(emu: DiscordEmulator) -> None:
    rec = await ping(emu)
    app = emu.application_id
    answer(emu, rec, {"type": 5})
    emu.advance(14 * 60)
    emu.book.edit(emu.book.webhook(app, rec.token), "@original", {"content": "in time"}, ())
    emu.advance(61)

    dead = refusal(lambda: emu.book.webhook(app, rec.token))

    assert (dead.status, dead.code, dead.message) == (401, 50027, "Invalid Webhook Token")
    assert rec.original is not None
    assert rec.original["content"] == "in time"


async def test_deleting_the_original_resolves_a_deferral(emu: DiscordEmulator) -> None:
    rec = await ping(emu)
    answer(emu, rec, {"type": 5})
    pending = rec.final

    emu.book.delete(rec, "@original")

    assert (pending, rec.final) == (False, True)
    assert rec.original is None
    assert emu.messages(rec.channel.id) == []
    assert refusal(lambda: emu.book.message(rec, "@original")).code == 10008


async def test_waiting_for_a_response_that_never_comes_names_the_refusals(
    emu: DiscordEmulator,
) -> None:
    rec = await ping(emu)
    emu.rest.rejections.append(Rejection("POST", "/x", 404, 10062, "Unknown interaction"))

    with pytest.raises(TimeoutError, match=r"no response to /ping .*Unknown interaction"):
        await rec.first_response(timeout=0.01)


async def test_a_response_can_carry_a_file(emu: DiscordEmulator) -> None:
    rec = await ping(emu)
    upload = Upload("files[0]", "digest.txt", "text/plain", b"all the news")
    data = {"content": "attached", "attachments": [{"id": 0, "description": "the digest"}]}

    emu.book.callback(rec.id, rec.token, {"type": 4, "data": data}, (upload,))

    assert rec.original is not None
    [attachment] = rec.original["attachments"]
    assert (attachment["filename"], attachment["size"]) == ("digest.txt", 12)
    assert attachment["description"] == "the digest"


async def test_default_member_permissions_zero_is_for_administrators_only(
    emu: DiscordEmulator,
) -> None:
    guild = emu.add_guild("Academy")
    alice = emu.add_member(guild, "Alice")
    boss = emu.add_member(guild, "Boss", admin=True)
    owner = guild.members[guild.owner_id]

    with pytest.raises(EmulatorError, match="does not offer /wipe to 'Alice'"):
        await emu.slash(guild, alice, "wipe")
    by_admin = await emu.slash(guild, boss, "wipe")
    by_owner = await emu.slash(guild, owner, "wipe")

    assert [r.payload["member"]["user"]["id"] for r in (by_admin, by_owner)] == [
        str(boss.id),
        str(owner.id),
    ]


# Direct messages -----------------------------------------------------------------------------


async def test_a_dm_interaction_has_the_user_the_dm_channel_and_no_guild(
    emu: DiscordEmulator,
) -> None:
    guild = emu.add_guild("Academy")
    alice, bob = emu.add_member(guild, "Alice"), emu.add_member(guild, "Bob")
    # /greet needs Administrator in a guild; Discord ignores member permissions in a DM.
    rec = await emu.slash_dm(alice, "greet", who=bob)
    content = f"Hello <@{bob.id}> and <@{alice.id}>, @everyone"
    answer(emu, rec, {"type": 4, "data": {"content": content}})
    payload = rec.payload
    dm = emu.dm_channel(alice)

    assert rec.in_dm
    assert {"guild_id", "member", "guild_locale"}.isdisjoint(payload)
    assert payload["user"]["id"] == str(alice.id)
    assert payload["channel_id"] == payload["channel"]["id"] == str(dm)
    assert payload["channel"]["type"] == 1
    assert [u["id"] for u in payload["channel"]["recipients"]] == [str(alice.id)]
    assert payload["context"] == 1
    assert payload["authorizing_integration_owners"] == {"0": "0"}
    assert int(payload["app_permissions"]) & ADMINISTRATOR == 0
    assert "guild_id" not in payload["data"]
    assert list(payload["data"]["resolved"]) == ["users"]  # no guild, so no member
    assert emu.dm_channel(alice) == dm  # one DM channel per user
    assert rec.original is not None
    assert emu.messages(dm) == [rec.original]
    assert "guild_id" not in rec.original
    assert rec.original["mention_everyone"] is False
    assert [u["id"] for u in rec.original["mentions"]] == [str(alice.id)]  # Bob is not in it
    assert rec.original["mention_roles"] == []


@pytest.mark.parametrize(
    ("command", "options", "reason"),
    [
        ("servers", {}, r"/servers in a DM with the bot: its contexts are \[0\]"),
        ("no_dms", {}, "/no_dms in DMs: dm_permission is false"),
        ("user_app", {}, r"user installs only \(\[1\]\)"),
        ("greet", {"where": "orders"}, "option 'where' needs a guild"),
        ("nothing", {}, "no command /nothing is registered globally"),
    ],
)
async def test_what_discord_does_not_offer_in_a_dm_is_refused(
    emu: DiscordEmulator, command: str, options: dict[str, Any], reason: str
) -> None:
    guild = emu.add_guild("Academy")
    alice = emu.add_member(guild, "Alice")

    with pytest.raises(EmulatorError, match=reason):
        await emu.slash_dm(alice, command, **options)
    assert emu.book.by_id == {}
