"""Player commands about the press and the table: gazette, export, archive links, sharing, talk."""

from __future__ import annotations

import json

from greatwork.rules.ids import PlayerId
from greatwork.rules.pause import PauseGame
from greatwork.rules.social import PressShared, TableTalkPosted
from tests.commands.local import LocalGame
from tests.commands.player_helpers import ALICE, call, ok, refused


def printed(game: LocalGame, count: int) -> None:
    for i in range(1, count + 1):
        game.add_press("academic_bulletin", f"Academic Bulletin No. {i}", f"Body {i}")
        game.advance(60)


# --- /gazette ---------------------------------------------------------------------------------


async def test_gazette_shows_the_newest_headlines() -> None:
    game = LocalGame()
    printed(game, 7)
    reply = await call(game, "gazette")
    data = ok(reply)
    assert [p["id"] for p in data["press"]] == [7, 6, 5, 4, 3]
    assert data["press"][0]["headline"] == "Academic Bulletin No. 7"
    assert data["press"][0]["path"] == "/archive/press/7.html"
    assert "#7 · 2026-01-01 00:06 UTC · Academic Bulletin No. 7" in reply.body
    assert [p["id"] for p in ok(await call(game, "gazette", limit=2))["press"]] == [7, 6]


async def test_gazette_when_nothing_is_printed_and_with_a_bad_limit() -> None:
    game = LocalGame()
    reply = await call(game, "gazette")
    assert ok(reply)["press"] == []
    assert "printed nothing yet" in reply.body
    refused(await call(game, "gazette", limit=21), "invalid_input", "`limit`", "at most 20")
    refused(await call(game, "gazette", limit=0), "invalid_input", "at least 1")
    refused(await call(game, "gazette", limit="five"), "invalid_input", "whole number")


# --- /export_log ------------------------------------------------------------------------------


async def test_export_log_lists_events_and_press_and_attaches_the_json() -> None:
    game = LocalGame()
    ok(await call(game, "table_talk", message="First"))
    ok(await call(game, "table_talk", message="Second"))
    printed(game, 3)
    reply = await call(game, "export_log", limit=2)
    data = ok(reply)
    assert reply.ephemeral
    assert [e["kind"] for e in data["events"]] == ["TableTalkPosted", "TableTalkPosted"]
    assert data["events"][0]["data"]["message"] == "Second"
    assert data["events"][0]["seq"] == len(game.events) - 1
    assert [p["id"] for p in data["press"]] == [3, 2]
    assert data["press"][0]["body"] == "Body 3"
    (attachment,) = reply.files
    assert attachment.filename.endswith(".json")
    assert json.loads(attachment.content) == data
    assert "| Academic Bulletin No. 3" in reply.body


async def test_export_log_defaults_to_ten_and_refuses_over_fifty() -> None:
    game = LocalGame()
    data = ok(await call(game, "export_log"))
    assert len(data["events"]) == 10
    before = game.state()
    refused(await call(game, "export_log", limit=51), "invalid_input", "at most 50")
    assert game.state() is before


# --- /archive_link ----------------------------------------------------------------------------


async def test_archive_link_finds_up_to_five_headlines_any_case() -> None:
    game = LocalGame()
    printed(game, 7)
    game.add_press("discovery_report", "Discovery Report: AX-1", "bulletin in the body only")
    reply = await call(game, "archive_link", headline_search="BULLETIN")
    data = ok(reply)
    assert [m["id"] for m in data["matches"]] == [7, 6, 5, 4, 3]
    assert data["matches"][0]["path"] == "/archive/press/7.html"
    assert "#7 · Academic Bulletin No. 7 · /archive/press/7.html" in reply.body
    one = ok(await call(game, "archive_link", headline_search="ax-1"))
    assert [m["id"] for m in one["matches"]] == [8]


async def test_archive_link_without_a_match_is_refused() -> None:
    game = LocalGame()
    printed(game, 2)
    refused(
        await call(game, "archive_link", headline_search="treasure"),
        "not_found",
        "No released headline contains `treasure`",
    )
    refused(await call(game, "archive_link", headline_search="  "), "invalid_input", "blank")


# --- /share_press -----------------------------------------------------------------------------


async def test_share_press_records_the_share() -> None:
    game = LocalGame()
    printed(game, 2)
    reply = await call(game, "share_press", press_id=2)
    data = ok(reply)
    assert reply.public
    assert (data["press_id"], data["headline"], data["body"]) == (
        2,
        "Academic Bulletin No. 2",
        "Body 2",
    )
    assert game.events[-1] == PressShared(at=game.now(), player=ALICE, press_id=2)


async def test_share_press_of_an_unknown_item_is_refused() -> None:
    game = LocalGame()
    printed(game, 1)
    before = game.state()
    refused(
        await call(game, "share_press", press_id=9),
        "not_found",
        "Press item #9 does not exist",
        "/gazette",
    )
    refused(await call(game, "share_press", press_id=0), "invalid_input", "at least 1")
    assert game.state() is before


# --- /table_talk ------------------------------------------------------------------------------


async def test_table_talk_posts_and_joins_the_player() -> None:
    game = LocalGame()
    reply = await call(game, "table_talk", message="  Who found the tin?  ")
    data = ok(reply)
    assert reply.title == "Posted to table-talk"
    assert data["message"] == "Who found the tin?"
    assert game.events[-1] == TableTalkPosted(
        at=game.now(), player=ALICE, message="Who found the tin?"
    )
    assert game.state().players[ALICE].display_name == "Alice"


async def test_table_talk_refusals_change_nothing() -> None:
    game = LocalGame()
    before = game.state()
    refused(await call(game, "table_talk", message=" "), "invalid_input", "must not be blank")
    refused(await call(game, "table_talk", message="m" * 1001), "invalid_input", "at most 1000")
    refused(await call(game, "table_talk"), "invalid_input", "needs the option `message`")
    assert game.state() is before


# --- a paused game ----------------------------------------------------------------------------


async def test_while_paused_moves_are_refused_but_views_still_answer() -> None:
    game = LocalGame()
    ok(await call(game, "table_talk", message="Before the pause"))
    await game.execute(PauseGame(actor=PlayerId("admin"), at=game.now(), reason="Maintenance"))
    before = game.state()
    refused(await call(game, "table_talk", message="During"), "paused", "Maintenance")
    refused(await call(game, "submit_theory", theory="x", confidence="suspect"), "paused", "paused")
    assert game.state() is before
    assert ok(await call(game, "status"))["reputation"] == 0
    assert ok(await call(game, "gazette"))["press"] == []
