"""The handler path: real disnake dispatch of interactions built from payloads, a real game
server, and a loopback REST Discord that records every answer.

The gateway is not involved (the emulator in ``tests/discord/`` covers it end to end).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from greatwork.actors.types import ActorFailedError, UnavailableError
from greatwork.bot.directory import ChannelRole
from greatwork.bot.guilds import campaign_of, seed_of
from greatwork.bot.render import COLOUR_ERROR
from greatwork.bot.respond import Exchange
from tests.bot import payloads
from tests.bot.fakes import RecordingResponder, World, world
from tests.bot.loopback import Call

EPHEMERAL = 64
ORDERS = payloads.CHANNELS["orders"]
ADMIN_CHANNEL = payloads.CHANNELS["gw-admin"]


@pytest.fixture
async def w(tmp_path: Path) -> AsyncIterator[World]:
    async with world(tmp_path, admin_role="Game Master") as started:
        yield started


def _answers(w: World) -> list[tuple[str, dict[str, Any]]]:
    """What the bot sent for interactions: ``("reply" | "defer" | "edit" | "followup" |
    "delete", message body)``, in order.
    """
    out: list[tuple[str, dict[str, Any]]] = []
    for call in w.discord.calls:
        if call.path.startswith("/interactions/"):
            kind = {4: "reply", 5: "defer", 8: "choices"}[call.json["type"]]
            out.append((kind, call.json.get("data") or {}))
        elif call.path.startswith("/webhooks/"):
            kind = {"PATCH": "edit", "POST": "followup", "DELETE": "delete"}[call.method]
            out.append((kind, call.json or {}))
    return out


def _embed(body: dict[str, Any]) -> dict[str, Any]:
    return body["embeds"][0]  # type: ignore[no-any-return]


def _posts_to(w: World, channel_id: int) -> list[Call]:
    return w.discord.matching(f"POST /channels/{channel_id}/messages")


async def test_a_command_runs_in_the_guilds_campaign(w: World) -> None:
    await w.slash("status")
    ((kind, body),) = _answers(w)
    assert kind == "reply"
    assert body["flags"] == EPHEMERAL  # /status is private
    assert body["allowed_mentions"] == {"parse": []}
    assert _embed(body)["title"]
    assert w.server.store is not None
    (row,) = await w.server.store.campaigns()
    assert (row.campaign_id, row.name) == (campaign_of(payloads.GUILD_ID), "The Academy")
    assert row.seed == seed_of(payloads.GUILD_ID)


async def test_a_public_move_is_answered_and_echoed_to_orders(w: World) -> None:
    await w.slash("submit_theory", {"theory": "@everyone comets are ice", "confidence": "suspect"})
    ((kind, body),) = _answers(w)
    assert kind == "reply"
    assert "flags" not in body or not body["flags"] & EPHEMERAL
    (echo,) = _posts_to(w, ORDERS)
    embed = echo.json["embeds"][0]
    assert embed["author"] == {"name": "Alice"}
    assert embed["footer"] == {"text": "/submit_theory"}
    assert echo.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    state = w.server.committed_state(campaign_of(payloads.GUILD_ID))
    assert [t.text for t in state.theories.values()] == ["@everyone comets are ice"]


async def test_a_refusal_is_ephemeral_and_not_echoed(w: World) -> None:
    await w.slash("recruit", {"scholar_id": "nobody", "faction": "academia"})
    ((kind, body),) = _answers(w)
    assert kind == "reply"
    assert body["flags"] == EPHEMERAL
    assert _embed(body)["color"] == COLOUR_ERROR
    assert "Scholar `nobody` does not exist" in _embed(body)["description"]
    assert _posts_to(w, ORDERS) == []


async def test_a_direct_message_is_told_to_play_in_a_server(w: World) -> None:
    await w.slash("status", in_guild=False)
    ((kind, body),) = _answers(w)
    assert (kind, body["flags"]) == ("reply", EPHEMERAL)
    assert _embed(body)["title"] == "Play in a server"
    assert w.server.campaign_ids() == []


@pytest.mark.parametrize(
    ("roles", "permissions", "admin_role", "allowed"),
    [
        ((), payloads.SEND | payloads.ADMINISTRATOR, None, True),  # the Administrator bit
        ((payloads.GM_ROLE,), payloads.SEND, "game master", True),  # the role by name
        ((payloads.GM_ROLE,), payloads.SEND, "@Game Master", True),
        ((payloads.GM_ROLE,), payloads.SEND, str(payloads.GM_ROLE), True),  # the role by id
        ((payloads.MOD_ROLE,), payloads.SEND, "Game Master", False),  # neither
        ((payloads.GM_ROLE,), payloads.SEND, None, False),  # no admin role configured
    ],
)
async def test_admin_subcommands_check_the_member_on_the_server_side(
    tmp_path: Path, roles: tuple[int, ...], permissions: int, admin_role: str | None, allowed: bool
) -> None:
    async with world(tmp_path, admin_role=admin_role) as w:
        await w.slash(
            "gw_admin", {"reason": "tea"}, sub="pause_game", roles=roles, permissions=permissions
        )
        ((kind, body),) = _answers(w)
        assert (kind, body["flags"]) == ("reply", EPHEMERAL)
        paused = w.server.committed_state(campaign_of(payloads.GUILD_ID)).paused
        assert paused is allowed
        if not allowed:
            assert _embed(body)["description"] == "/gw_admin pause_game is for admins only."


async def test_slow_commands_are_deferred_up_front(w: World) -> None:
    await w.slash("gw_admin", {}, sub="run_digest", permissions=payloads.ADMINISTRATOR)
    kinds = [k for k, _ in _answers(w)]
    assert kinds[:2] == ["defer", "edit"]
    assert _answers(w)[0][1]["flags"] == EPHEMERAL
    assert w.server.committed_state(campaign_of(payloads.GUILD_ID)).last_digest == 1


async def test_a_command_not_answered_in_time_is_deferred_first(tmp_path: Path) -> None:
    async with world(tmp_path, defer_after=0.0) as w:
        await w.slash("status")
        assert [k for k, _ in _answers(w)] == ["defer", "edit"]
        assert _embed(_answers(w)[1][1])["title"]


async def test_a_refusal_after_a_public_deferral_stays_private(tmp_path: Path) -> None:
    async with world(tmp_path, defer_after=0.0) as w:
        await w.slash("recruit", {"scholar_id": "nobody", "faction": "academia"})
        answers = _answers(w)
        assert [k for k, _ in answers] == ["defer", "delete", "followup"]
        assert not answers[0][1].get("flags", 0) & EPHEMERAL  # /recruit answers in public
        assert answers[2][1]["flags"] == EPHEMERAL
        assert _embed(answers[2][1])["title"] == "Refused"


async def test_table_talk_needs_its_channel(tmp_path: Path) -> None:
    channels = {k: v for k, v in payloads.CHANNELS.items() if k != "table-talk"}
    async with world(tmp_path, channels=channels) as w:
        await w.slash("table_talk", {"message": "hello"})
        ((kind, body),) = _answers(w)
        assert (kind, body["flags"]) == ("reply", EPHEMERAL)
        assert "/gw_admin setup table_talk:" in _embed(body)["description"]
        assert w.server.campaign_ids() == []  # nothing changed, not even a campaign created


async def test_a_missing_orders_channel_is_reported_to_admins_once(tmp_path: Path) -> None:
    channels = {k: v for k, v in payloads.CHANNELS.items() if k != "orders"}
    async with world(tmp_path, channels=channels) as w:
        for text in ("first", "second"):
            await w.slash("submit_theory", {"theory": text, "confidence": "suspect"})
        assert [k for k, _ in _answers(w)] == ["reply", "reply"]
        (report,) = _posts_to(w, ADMIN_CHANNEL)
        assert report.json["embeds"][0]["title"] == "No #orders channel"
        assert "/gw_admin setup orders:" in report.json["embeds"][0]["description"]


async def test_a_refused_echo_is_reported_and_the_player_still_answered(w: World) -> None:
    w.discord.fail(f"/channels/{ORDERS}/messages", 403, 50013, message="Missing Permissions")
    await w.slash("submit_theory", {"theory": "Tides", "confidence": "suspect"})
    assert [k for k, _ in _answers(w)] == ["reply"]
    (report,) = _posts_to(w, ADMIN_CHANNEL)
    assert "Missing Permissions" in report.json["embeds"][0]["description"]


async def test_an_answer_discord_refuses_is_explained_and_the_move_still_echoed(
    w: World,
) -> None:
    w.discord.fail("/callback", 400, 50035, message="Invalid Form Body")
    await w.slash("submit_theory", {"theory": "Tides", "confidence": "suspect"})
    ((kind, body),) = _answers(w)[1:]  # the refused answer, then the explanation
    assert (kind, body["flags"]) == ("reply", EPHEMERAL)
    assert _embed(body)["title"] == "Discord refused the answer"
    assert len(_posts_to(w, ORDERS)) == 1


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (UnavailableError("Campaign x is restarting."), "Nothing changed"),
        (ActorFailedError("boom"), "will not be retried"),
        (RuntimeError("a bug"), "RuntimeError"),
    ],
)
async def test_failures_become_specific_ephemeral_answers(
    w: World,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
    words: str,
) -> None:
    async def broken(*_args: Any, **_kwargs: Any) -> None:
        raise error

    monkeypatch.setattr(w.server, "ensure_campaign", broken)
    with caplog.at_level(logging.ERROR, logger="greatwork.bot.interactions"):
        await w.slash("status")
    ((kind, body),) = _answers(w)
    assert (kind, body["flags"]) == ("reply", EPHEMERAL)
    assert _embed(body)["color"] == COLOUR_ERROR
    assert words in _embed(body)["description"]
    assert "/status failed in guild" in caplog.text
    assert "Traceback" in caplog.text
    assert not re.search(r"token-\d+|test-token", caplog.text)


async def test_a_command_that_takes_too_long_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    never = asyncio.Event()

    async def stuck(*_args: Any, **_kwargs: Any) -> None:
        await never.wait()

    async with world(tmp_path, defer_after=0.0) as w:
        monkeypatch.setattr(w.server, "ensure_campaign", stuck)
        w.bot.runner._timeout = 0.05
        await w.slash("status")
        answers = _answers(w)
        assert [k for k, _ in answers] == ["defer", "edit"]
        assert _embed(answers[1][1])["title"] == "The game is slow to answer"


async def test_an_error_outside_the_handler_is_answered_too(w: World) -> None:
    w.bot.add_app_command_check(lambda _inter: False, slash_commands=True)
    await w.slash("status")
    await w.discord.wait_until(lambda: bool(_answers(w)))  # the error handler is an event
    ((kind, body),) = _answers(w)
    assert (kind, body["flags"]) == ("reply", EPHEMERAL)
    assert "CheckFailure" in _embed(body)["description"]


async def test_setup_shows_the_channels_found_by_name(w: World) -> None:
    await w.slash("gw_admin", {}, sub="setup", permissions=payloads.ADMINISTRATOR)
    ((_, body),) = _answers(w)
    fields = {f["name"]: f["value"] for f in _embed(body)["fields"]}
    assert fields["Orders (public moves)"] == f"<#{ORDERS}> (found by its name #orders)"
    assert body["flags"] == EPHEMERAL


async def test_setup_stores_an_admins_choice(w: World) -> None:
    elsewhere = payloads.CHANNELS["elsewhere"]
    await w.slash(
        "gw_admin",
        {"orders": str(elsewhere)},
        sub="setup",
        permissions=payloads.ADMINISTRATOR,
        option_types={"orders": 7},
    )
    assert w.channels.changes == [
        (payloads.GUILD_ID, ChannelRole.ORDERS, elsewhere, str(payloads.ALICE))
    ]
    ((_, body),) = _answers(w)
    assert _embed(body)["title"] == "Channels updated"
    fields = {f["name"]: f["value"] for f in _embed(body)["fields"]}
    assert fields["Orders (public moves)"] == f"<#{elsewhere}> (chosen with setup)"


@pytest.mark.parametrize(
    ("options", "permissions", "message"),
    [
        ({}, payloads.SEND, "/gw_admin setup is for admins only."),
        ({"orders": "123"}, payloads.ADMINISTRATOR, "<#123> is not a text channel of this server"),
    ],
)
async def test_setup_refusals_change_nothing(
    w: World, options: dict[str, object], permissions: int, message: str
) -> None:
    await w.slash(
        "gw_admin", options, sub="setup", permissions=permissions, option_types={"orders": 7}
    )
    ((_, body),) = _answers(w)
    assert message in _embed(body)["description"]
    assert w.channels.changes == []


async def test_autocomplete_goes_through_disnake(w: World) -> None:
    inter = w.interaction(
        payloads.command("recruit", {"scholar_id": "", "faction": "academia"}, focused="scholar_id")
    )
    await w.bot.process_app_command_autocompletion(inter)
    assert _answers(w) == [("choices", {"choices": []})]  # no campaign yet
    await w.slash("status")
    inter = w.interaction(payloads.command("recruit", {"scholar_id": "s."}, focused="scholar_id"))
    await w.bot.process_app_command_autocompletion(inter)
    choices = _answers(w)[-1][1]["choices"]
    assert 0 < len(choices) <= 25
    assert all(c["value"].startswith("s.") for c in choices)


# --- the exchange alone ---------------------------------------------------------------------


async def test_an_exchange_answers_first_then_follows_up() -> None:
    from greatwork.bot.limits import Post  # noqa: PLC0415

    posts = [Post(content="one"), Post(content="two")]
    responder = RecordingResponder()
    exchange = Exchange(responder)
    await exchange.deliver(posts, ephemeral=True)
    await exchange.deliver([Post(content="three")], ephemeral=False)
    assert responder.calls == [
        ("send", posts[0], True),
        ("followup", posts[1], True),
        ("followup", Post(content="three"), False),
    ]


async def test_an_exchange_deferred_in_private_edits_its_answer() -> None:
    from greatwork.bot.limits import Post  # noqa: PLC0415

    responder = RecordingResponder()
    exchange = Exchange(responder)
    await exchange.defer(ephemeral=True)
    await exchange.defer(ephemeral=False)  # once only
    await exchange.deliver([Post(content="a"), Post(content="b")], ephemeral=True)
    assert responder.kinds() == ["defer", "edit", "followup"]


async def test_an_exchange_does_nothing_for_no_posts() -> None:
    responder = RecordingResponder()
    await Exchange(responder).deliver([], ephemeral=True)
    assert responder.calls == []
