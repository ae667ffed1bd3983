"""Messages, mentions, nonces, channels and injected faults, with raw HTTP (no bot)."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from tests.discord.emulator_fixtures import RawSetup, errors_at

# Message limits ------------------------------------------------------------------------------


def embed(**fields: Any) -> dict[str, Any]:
    return {"title": "t", **fields}


BAD_MESSAGES = [
    ("content over 2000", {"content": "x" * 2001}, ("content",), "BASE_TYPE_MAX_LENGTH"),
    ("11 embeds", {"embeds": [embed() for _ in range(11)]}, ("embeds",), "BASE_TYPE_MAX_LENGTH"),
    (
        "title over 256",
        {"embeds": [embed(title="t" * 257)]},
        ("embeds", "0", "title"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "description over 4096",
        {"embeds": [embed(description="d" * 4097)]},
        ("embeds", "0", "description"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "26 fields",
        {"embeds": [embed(fields=[{"name": "n", "value": "v"}] * 26)]},
        ("embeds", "0", "fields"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "field name over 256",
        {"embeds": [embed(fields=[{"name": "n" * 257, "value": "v"}])]},
        ("embeds", "0", "fields", "0", "name"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "field value over 1024",
        {"embeds": [embed(fields=[{"name": "n", "value": "v" * 1025}])]},
        ("embeds", "0", "fields", "0", "value"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "empty field value",
        {"embeds": [embed(fields=[{"name": "n", "value": ""}])]},
        ("embeds", "0", "fields", "0", "value"),
        "BASE_TYPE_REQUIRED",
    ),
    (
        "footer over 2048",
        {"embeds": [embed(footer={"text": "f" * 2049})]},
        ("embeds", "0", "footer", "text"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "author over 256",
        {"embeds": [embed(author={"name": "a" * 257})]},
        ("embeds", "0", "author", "name"),
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "embeds over 6000 in all",
        {"embeds": [{"description": "d" * 3000}, {"description": "d" * 3001}]},
        ("embeds",),
        "MAX_EMBED_SIZE_EXCEEDED",
    ),
    ("nonce over 25", {"content": "x", "nonce": "n" * 26}, ("nonce",), "BASE_TYPE_MAX_LENGTH"),
    (
        "unknown mention kind",
        {"content": "x", "allowed_mentions": {"parse": ["channels"]}},
        ("allowed_mentions", "parse", "0"),
        "BASE_TYPE_CHOICES",
    ),
    (
        "parse users beside a user list",
        {"content": "x", "allowed_mentions": {"parse": ["users"], "users": ["1"]}},
        ("allowed_mentions", "parse"),
        "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
    ),
]


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [case[1:] for case in BAD_MESSAGES],
    ids=[case[0] for case in BAD_MESSAGES],
)
async def test_a_message_over_a_limit_is_refused_with_the_field_named(
    setup: RawSetup, body: dict[str, Any], path: tuple[str, ...], code: str
) -> None:
    status, answer = await setup.api.call("POST", f"/channels/{setup.orders}/messages", body)

    assert (status, answer["code"]) == (400, 50035)
    assert code in errors_at(answer, path)
    assert setup.emu.messages(setup.orders) == []
    assert setup.emu.rejections[0].errors == answer["errors"]


@pytest.mark.parametrize("body", [{}, {"content": "   "}, {"content": "", "embeds": []}])
async def test_an_empty_message_is_refused(setup: RawSetup, body: dict[str, Any]) -> None:
    status, answer = await setup.api.call("POST", f"/channels/{setup.orders}/messages", body)

    assert (status, answer["code"]) == (400, 50006)
    assert setup.emu.messages(setup.orders) == []


async def test_a_message_exactly_at_the_limits_is_posted(setup: RawSetup) -> None:
    full = {"title": "t" * 256, "description": "d" * 4096, "footer": {"text": "f" * 1648}}
    body = {"content": "c" * 2000, "embeds": [full]}

    status, message = await setup.api.call("POST", f"/channels/{setup.orders}/messages", body)

    assert status == 200
    assert message["content"] == "c" * 2000
    assert message["embeds"] == [{"type": "rich", **full}]
    assert message["author"]["id"] == str(setup.emu.bot_user_id)
    assert setup.emu.messages(setup.orders) == [message]


async def test_files_come_as_multipart_attachments(setup: RawSetup) -> None:
    form = aiohttp.FormData(quote_fields=False)
    form.add_field("files[0]", b"a,b\n1,2\n", filename="scores.csv", content_type="text/csv")
    payload = {"content": "the scores", "attachments": [{"id": 0, "description": "scores"}]}
    form.add_field("payload_json", json.dumps(payload))
    url = f"{setup.emu.api_base}/channels/{setup.orders}/messages"

    async with setup.api.session.post(url, data=form) as response:
        message = await response.json(content_type="application/json")

    assert response.status == 200
    [attachment] = message["attachments"]
    assert (attachment["filename"], attachment["size"]) == ("scores.csv", 8)
    assert attachment["description"] == "scores"
    [call] = setup.emu.calls
    assert call.json == payload
    assert call.files[0].data == b"a,b\n1,2\n"


async def test_eleven_files_are_refused(setup: RawSetup) -> None:
    form = aiohttp.FormData(quote_fields=False)
    for n in range(11):
        form.add_field(f"files[{n}]", b"x", filename=f"{n}.txt")
    form.add_field("payload_json", json.dumps({"content": "many"}))
    url = f"{setup.emu.api_base}/channels/{setup.orders}/messages"

    async with setup.api.session.post(url, data=form) as response:
        answer = await response.json(content_type="application/json")

    assert response.status == 400
    assert errors_at(answer, ("attachments",)) == ["BASE_TYPE_MAX_LENGTH"]


# Channels, permissions, authentication -------------------------------------------------------


async def test_an_unknown_channel_is_404_unknown_channel(setup: RawSetup) -> None:
    status, answer = await setup.api.call("POST", "/channels/4242/messages", {"content": "x"})

    assert (status, answer) == (404, {"message": "Unknown Channel", "code": 10003})
    assert setup.emu.rejections[0].message == "Unknown Channel"


async def test_a_channel_denied_to_the_bot_is_403_until_allowed_again(setup: RawSetup) -> None:
    gazette = setup.guild.channels["gazette"]
    setup.emu.deny_posting(gazette)
    denied = await setup.api.call("POST", f"/channels/{gazette}/messages", {"content": "x"})
    setup.emu.deny_posting(gazette, denied=False)
    allowed = await setup.api.call("POST", f"/channels/{gazette}/messages", {"content": "x"})

    assert (denied[0], denied[1]["code"]) == (403, 50013)
    assert allowed[0] == 200
    assert len(setup.emu.messages(gazette)) == 1


async def test_requests_without_the_bot_token_are_401(setup: RawSetup) -> None:
    status, answer = await setup.api.call("GET", "/users/@me", auth=False)

    assert (status, answer["message"]) == (401, "401: Unauthorized")


async def test_an_unknown_route_is_404_and_recorded(setup: RawSetup) -> None:
    status, answer = await setup.api.call("GET", "/voice/regions")

    assert (status, answer) == (404, {"message": "404: Not Found", "code": 0})
    assert setup.emu.rejections[0].path == "/voice/regions"


async def test_an_unknown_webhook_token_is_404(setup: RawSetup) -> None:
    path = f"/webhooks/{setup.emu.application_id}/nope/messages/@original"

    status, answer = await setup.api.call("GET", path, auth=False)

    assert (status, answer["code"]) == (404, 10015)


# Mentions ------------------------------------------------------------------------------------


async def post(setup: RawSetup, body: dict[str, Any], channel: int | None = None) -> dict[str, Any]:
    path = f"/channels/{channel or setup.orders}/messages"
    status, message = await setup.api.call("POST", path, body)
    assert status == 200, message
    assert isinstance(message, dict)
    return message


async def test_without_allowed_mentions_everything_in_the_content_pings(setup: RawSetup) -> None:
    role = setup.guild.roles["Archivist"]
    text = f"@everyone <@{setup.alice.id}> <@!{setup.bob.id}> <@&{role}> <@424242>"

    message = await post(setup, {"content": text})

    assert message["mention_everyone"] is True
    assert [u["id"] for u in message["mentions"]] == [str(setup.alice.id), str(setup.bob.id)]
    assert message["mention_roles"] == [str(role)]


async def test_parse_nothing_pings_nobody(setup: RawSetup) -> None:
    role = setup.guild.roles["Archivist"]
    text = f"@everyone @here <@{setup.alice.id}> <@&{role}>"

    message = await post(setup, {"content": text, "allowed_mentions": {"parse": []}})

    assert message["mention_everyone"] is False
    assert message["mentions"] == []
    assert message["mention_roles"] == []


async def test_only_the_listed_users_and_roles_ping(setup: RawSetup) -> None:
    role = setup.guild.roles["Archivist"]
    text = f"@here <@{setup.alice.id}> <@{setup.bob.id}> <@&{role}>"
    allowed = {"users": [str(setup.bob.id)], "roles": [str(role)]}

    message = await post(setup, {"content": text, "allowed_mentions": allowed})

    assert message["mention_everyone"] is False
    assert [u["id"] for u in message["mentions"]] == [str(setup.bob.id)]
    assert message["mention_roles"] == [str(role)]


async def test_mentions_inside_embeds_never_ping(setup: RawSetup) -> None:
    message = await post(setup, {"embeds": [{"description": f"@everyone <@{setup.alice.id}>"}]})

    assert (message["mention_everyone"], message["mentions"]) == (False, [])


async def test_an_edit_reparses_mentions_with_the_default_rules(setup: RawSetup) -> None:
    quiet = await post(setup, {"content": "hello", "allowed_mentions": {"parse": []}})
    path = f"/channels/{setup.orders}/messages/{quiet['id']}"

    status, edited = await setup.api.call("PATCH", path, {"content": "@everyone hello"})

    assert status == 200
    assert edited["mention_everyone"] is True
    assert edited["edited_timestamp"] is not None


# Nonces --------------------------------------------------------------------------------------


async def test_an_enforced_nonce_posts_once_and_returns_the_first_message(setup: RawSetup) -> None:
    body = {"content": "digest 4", "nonce": "digest-4", "enforce_nonce": True}

    first = await post(setup, body)
    second = await post(setup, body)

    assert second == first
    assert setup.emu.messages(setup.orders) == [first]


async def test_a_nonce_without_enforce_nonce_deduplicates_nothing(setup: RawSetup) -> None:
    first = await post(setup, {"content": "x", "nonce": "same"})
    second = await post(setup, {"content": "x", "nonce": "same", "enforce_nonce": False})

    assert first["id"] != second["id"]
    assert len(setup.emu.messages(setup.orders)) == 2


async def test_an_enforced_nonce_expires_after_a_few_minutes(setup: RawSetup) -> None:
    body = {"content": "x", "nonce": "later", "enforce_nonce": True}
    first = await post(setup, body)
    setup.emu.advance(301)

    second = await post(setup, body)

    assert second["id"] != first["id"]


# Injected faults -----------------------------------------------------------------------------


async def test_fail_next_answers_the_matching_requests_then_stops(setup: RawSetup) -> None:
    setup.emu.fail_next("POST", r"/channels/\d+/messages$", status=500, times=2)
    path = f"/channels/{setup.orders}/messages"

    statuses = [(await setup.api.call("POST", path, {"content": "x"}))[0] for _ in range(3)]
    other = await setup.api.call("GET", "/users/@me")

    assert statuses == [500, 500, 200]
    assert other[0] == 200
    assert len(setup.emu.messages(setup.orders)) == 1
    assert [c.status for c in setup.emu.calls] == [500, 500, 200, 200]
    assert setup.emu.rejections == []


async def test_rate_limit_next_sends_a_discord_shaped_429(setup: RawSetup) -> None:
    setup.emu.rate_limit_next("POST", "/messages", retry_after=0.25)
    url = f"{setup.emu.api_base}/channels/{setup.orders}/messages"

    async with setup.api.session.post(url, json={"content": "x"}) as response:
        body = await response.json(content_type="application/json")
        headers = response.headers

    assert response.status == 429
    assert body == {"message": "You are being rate limited.", "retry_after": 0.25, "global": False}
    assert headers["Via"]
    assert headers["Retry-After"] == "1"
    assert headers["X-RateLimit-Remaining"] == "0"
    assert headers["X-RateLimit-Reset-After"] == "0.250"
    assert headers["Content-Type"] == "application/json"
    assert [(r.status, r.message) for r in setup.emu.rejections] == [
        (429, "rate limited (injected)")
    ]
    assert setup.emu.messages(setup.orders) == []


# Threads and reads ---------------------------------------------------------------------------


async def test_a_thread_from_a_message_takes_posts_of_its_own(setup: RawSetup) -> None:
    headline = await post(setup, {"content": "Digest 3"})
    path = f"/channels/{setup.orders}/messages/{headline['id']}/threads"

    status, thread = await setup.api.call("POST", path, {"name": "Digest 3 stories"})
    story = await setup.api.call("POST", f"/channels/{thread['id']}/messages", {"content": "A"})
    fetched = await setup.api.call("GET", f"/channels/{thread['id']}")

    assert status == 201
    assert (thread["type"], thread["parent_id"]) == (11, str(setup.orders))
    assert story[0] == 200
    assert [m["content"] for m in setup.emu.messages(int(thread["id"]))] == ["A"]
    assert [m["content"] for m in setup.emu.messages(setup.orders)] == ["Digest 3"]
    assert fetched == (200, thread)


async def test_a_thread_needs_a_name_of_one_to_a_hundred_characters(setup: RawSetup) -> None:
    status, answer = await setup.api.call(
        "POST", f"/channels/{setup.orders}/threads", {"name": "", "type": 11}
    )

    assert (status, answer["code"]) == (400, 50035)
    assert errors_at(answer, ("name",)) == ["BASE_TYPE_BAD_LENGTH"]


async def test_a_thread_without_a_type_is_private_and_refused(setup: RawSetup) -> None:
    path = f"/channels/{setup.orders}/threads"

    untyped = await setup.api.call("POST", path, {"name": "Table talk"})
    public = await setup.api.call("POST", path, {"name": "Table talk", "type": 11})

    assert untyped[0] == 400
    assert "not type 12" in untyped[1]["message"]  # API v10 makes it a private thread
    assert public[0] == 201
    assert [r.status for r in setup.emu.rejections] == [400]


async def test_a_dm_message_pings_only_the_two_people_in_it(setup: RawSetup) -> None:
    dm = setup.emu.dm_channel(setup.alice)
    content = f"@everyone <@{setup.alice.id}> <@{setup.bob.id}> <@{setup.emu.bot_user_id}>"

    message = await post(setup, {"content": content}, channel=dm)
    fetched = await setup.api.call("GET", f"/channels/{dm}")

    assert "guild_id" not in message
    assert message["mention_everyone"] is False
    assert {u["id"] for u in message["mentions"]} == {
        str(setup.alice.id),
        str(setup.emu.bot_user_id),
    }
    assert setup.emu.messages(dm) == [message]
    assert fetched[0] == 200
    assert (fetched[1]["type"], fetched[1]["recipients"][0]["id"]) == (1, str(setup.alice.id))


async def test_history_is_newest_first_and_honours_limit_and_before(setup: RawSetup) -> None:
    posted = [await post(setup, {"content": str(n)}) for n in range(4)]
    path = f"/channels/{setup.orders}/messages"

    _, newest = await setup.api.call("GET", f"{path}?limit=2")
    _, older = await setup.api.call("GET", f"{path}?before={posted[2]['id']}")
    _, one = await setup.api.call("GET", f"{path}/{posted[1]['id']}")

    assert [m["content"] for m in newest] == ["3", "2"]
    assert [m["content"] for m in older] == ["1", "0"]
    assert one == posted[1]


async def test_a_deleted_message_is_gone(setup: RawSetup) -> None:
    message = await post(setup, {"content": "oops"})
    path = f"/channels/{setup.orders}/messages/{message['id']}"

    deleted = await setup.api.call("DELETE", path)
    fetched = await setup.api.call("GET", path)

    assert deleted == (204, None)
    assert (fetched[0], fetched[1]["code"]) == (404, 10008)
    assert setup.emu.messages(setup.orders) == []


async def test_guild_members_and_roles_can_be_fetched(setup: RawSetup) -> None:
    guild_path = f"/guilds/{setup.guild.id}"

    _, guild = await setup.api.call("GET", guild_path)
    _, member = await setup.api.call("GET", f"{guild_path}/members/{setup.bob.id}")
    _, roles = await setup.api.call("GET", f"{guild_path}/roles")
    missing = await setup.api.call("GET", f"{guild_path}/members/4242")

    assert guild["name"] == "Academy"
    assert member["user"]["username"] == "Bob"
    assert member["roles"] == [str(setup.guild.roles["Archivist"])]
    assert {r["name"] for r in roles} >= {"@everyone", "Archivist"}
    assert all("colors" in r for r in roles)
    assert (missing[0], missing[1]["code"]) == (404, 10007)
