"""The /gw_admin operations: orders, moderation, calibration, press search, telemetry."""

from __future__ import annotations

import json

import pytest

from greatwork.actors.types import JournalEntry
from greatwork.commands.admin import activity, balance_figures, select_orders
from greatwork.rules.constants import DAY, HOUR
from greatwork.rules.event import Event, Tx
from greatwork.rules.ids import Instant, OrderId, ScholarId
from greatwork.rules.mentorship import Mentor
from greatwork.rules.moderation import moderation_event, text_hash
from greatwork.rules.state import OrderStatus
from tests.commands.local import LocalGame
from tests.commands.test_admin import ALICE, BOB, admin, launch, ok, refused, two_players

IRONQUILL = ScholarId("s.ironquill")
ZATHRAS = ScholarId("s.zathras")
HASH = text_hash("a perfectly innocent theory of skill")


async def with_orders() -> LocalGame:
    """Alice queues a mentorship (order O-1); an hour later Bob queues one (O-2)."""
    game = await two_players()
    await game.execute(Mentor(actor=ALICE, at=game.now(), scholar=IRONQUILL, track="Academia"))
    game.advance(HOUR)
    await game.execute(Mentor(actor=BOB, at=game.now(), scholar=ZATHRAS, track="Academia"))
    game.advance(2 * HOUR)
    return game


def record(game: LocalGame, *events: Event) -> None:
    """Apply events the way the moderation hook of issue 5 will (tests stand in for it)."""
    tx = Tx(game.state())
    for event in events:
        tx.emit(event)
    game._accept(tx.state, tx.events, game.state().seq)


# --- list_orders -----------------------------------------------------------------------------


async def test_list_orders_shows_pending_orders_oldest_first() -> None:
    game = await with_orders()
    reply = await admin(game, "gw_admin list_orders")
    data = ok(reply)
    assert (data["matching"], data["count"]) == (2, 2)
    assert [o["id"] for o in data["orders"]] == ["O-1", "O-2"]
    first = data["orders"][0]
    assert first["type"] == "mentorship_activation"
    assert first["actor"] == ALICE
    assert first["actor_name"] == "Alice"
    assert first["due"] == "next digest"
    assert "payload" not in first
    assert "O-1 · mentorship_activation · pending" in reply.body
    assert not reply.files


@pytest.mark.parametrize(
    ("options", "ids"),
    [
        ({"actor_id": "bob"}, ["O-2"]),
        ({"actor_id": str(ALICE)}, ["O-1"]),
        ({"subject_id": "m-2"}, ["O-2"]),
        ({"older_than_hours": 2.5}, ["O-1"]),
        ({"older_than_hours": 4}, []),
        ({"order_type": "mentorship_activation", "limit": 1}, ["O-1"]),
        ({"order_type": "conference_resolution"}, []),
        ({"status": "cancelled"}, []),
    ],
)
async def test_list_orders_filters(options: dict[str, object], ids: list[str]) -> None:
    game = await with_orders()
    data = ok(await admin(game, "gw_admin list_orders", **options))
    assert [o["id"] for o in data["orders"]] == ids


async def test_list_orders_with_payload_and_as_a_file() -> None:
    game = await with_orders()
    reply = await admin(game, "gw_admin list_orders", include_payload=True, as_file="yes")
    data = ok(reply)
    assert data["orders"][0]["payload"] == {}
    (attachment,) = reply.files
    assert attachment.filename == "orders.json"
    listed = json.loads(attachment.content)
    assert [o["id"] for o in listed] == ["O-1", "O-2"]
    assert "attached as orders.json" in reply.body


async def test_list_orders_any_status_after_a_cancellation() -> None:
    game = await with_orders()
    ok(await admin(game, "gw_admin cancel_order", order_id="1"))
    pending = ok(await admin(game, "gw_admin list_orders"))
    assert [o["id"] for o in pending["orders"]] == ["O-2"]
    everything = ok(await admin(game, "gw_admin list_orders", status="any"))
    assert [(o["id"], o["status"]) for o in everything["orders"]] == [
        ("O-1", "cancelled"),
        ("O-2", "pending"),
    ]


@pytest.mark.parametrize(
    ("options", "code", "needles"),
    [
        ({"order_type": "teleport"}, "invalid_input", ("`order_type`", "mentorship_activation")),
        ({"status": "lost"}, "invalid_input", ("`status`", "any")),
        ({"limit": 51}, "invalid_input", ("at most 50",)),
        ({"limit": 0}, "invalid_input", ("at least 1",)),
        ({"older_than_hours": -1}, "invalid_input", ("at least 0",)),
        ({"actor_id": "Nobody"}, "not_found", ("`Nobody`",)),
    ],
)
async def test_list_orders_refusals(
    options: dict[str, object], code: str, needles: tuple[str, ...]
) -> None:
    game = await with_orders()
    before = game.state()
    refused(await admin(game, "gw_admin list_orders", **options), code, *needles)
    assert game.state() is before


def test_select_orders_matches_an_actor_that_is_not_a_player() -> None:
    game = LocalGame()
    assert select_orders(game.state(), game.now(), actor="admin-1") == []


# --- cancel_order ----------------------------------------------------------------------------


async def test_cancel_order_by_number() -> None:
    game = await with_orders()
    reply = await admin(game, "gw_admin cancel_order", order_id="2", reason="Bob asked")
    assert ok(reply) == {"order": "O-2", "type": "mentorship_activation", "reason": "Bob asked"}
    order = game.state().orders[OrderId("O-2")]
    assert order.status is OrderStatus.CANCELLED
    assert order.reason == "Bob asked"


async def test_cancel_order_refusals() -> None:
    game = await with_orders()
    before = game.state()
    refused(
        await admin(game, "gw_admin cancel_order", order_id="O-9"),
        "not_found",
        "`O-9`",
        "/gw_admin list_orders",
    )
    assert game.state() is before
    ok(await admin(game, "gw_admin cancel_order", order_id="o-1"))
    cancelled = game.state()
    refused(
        await admin(game, "gw_admin cancel_order", order_id="O-1"), "conflict", "already cancelled"
    )
    assert game.state() is cancelled


# --- moderation overrides --------------------------------------------------------------------


async def test_add_list_and_remove_an_override() -> None:
    game = LocalGame()
    reply = await admin(
        game,
        "gw_admin add_moderation_override",
        text_hash=HASH.upper(),
        surface="Theory",
        category="violence",
        notes="Q-33 false positive",
        expires_hours=24,
    )
    data = ok(reply)
    assert data["override"] == "MOD-1"
    assert data["text_hash"] == HASH
    assert (data["surface"], data["stage"], data["category"]) == ("theory", None, "violence")
    assert data["expires_at"] == "2026-01-02T00:00:00Z"
    assert "MOD-1" in game.state().moderation_overrides
    listing = await admin(game, "gw_admin moderation_overrides")
    assert [o["id"] for o in ok(listing)["overrides"]] == ["MOD-1"]
    assert "surface theory, category violence" in listing.body
    removed = ok(await admin(game, "gw_admin remove_moderation_override", id="mod-1"))
    assert removed == {"override": "MOD-1", "text_hash": HASH}
    assert game.state().moderation_overrides == {}


async def test_expired_overrides_are_listed_only_on_request() -> None:
    game = LocalGame()
    ok(await admin(game, "gw_admin add_moderation_override", text_hash=HASH, expires_hours=1))
    ok(await admin(game, "gw_admin add_moderation_override", text_hash=HASH, surface="nickname"))
    game.advance(2 * HOUR)
    shown = ok(await admin(game, "gw_admin moderation_overrides"))
    assert [o["id"] for o in shown["overrides"]] == ["MOD-2"]
    reply = await admin(game, "gw_admin moderation_overrides", include_expired=True, as_file=True)
    everything = ok(reply)
    assert [(o["id"], o["expired"]) for o in everything["overrides"]] == [
        ("MOD-1", True),
        ("MOD-2", False),
    ]
    (attachment,) = reply.files
    assert json.loads(attachment.content) == everything["overrides"]


async def test_no_overrides_yet() -> None:
    reply = await admin(LocalGame(), "gw_admin moderation_overrides")
    assert ok(reply)["count"] == 0
    assert "No overrides." in reply.body


@pytest.mark.parametrize(
    ("options", "code", "needles"),
    [
        ({"text_hash": "abc"}, "invalid_input", ("64 hexadecimal characters", "got 3")),
        ({"text_hash": HASH, "surface": "forum"}, "invalid_input", ("`surface`",)),
        ({"text_hash": HASH, "stage": "guardian"}, "invalid_input", ("`stage`", "blocklist")),
        ({"text_hash": HASH, "category": "rude"}, "invalid_input", ("`category`",)),
        ({"text_hash": HASH, "notes": "n" * 201}, "invalid_input", ("at most 200",)),
        ({"text_hash": HASH, "expires_hours": 8761}, "invalid_input", ("at most 8760",)),
        ({"text_hash": HASH, "expires_hours": 0}, "invalid_input", ("at least 1",)),
    ],
)
async def test_add_override_refusals(
    options: dict[str, object], code: str, needles: tuple[str, ...]
) -> None:
    game = LocalGame()
    before = game.state()
    refused(await admin(game, "gw_admin add_moderation_override", **options), code, *needles)
    assert game.state() is before


async def test_a_duplicate_override_and_an_unknown_removal_are_refused() -> None:
    game = LocalGame()
    ok(await admin(game, "gw_admin add_moderation_override", text_hash=HASH))
    before = game.state()
    refused(
        await admin(game, "gw_admin add_moderation_override", text_hash=HASH),
        "conflict",
        "MOD-1 already covers",
    )
    refused(
        await admin(game, "gw_admin remove_moderation_override", id="MOD-7"),
        "not_found",
        "'MOD-7'",
        "/gw_admin moderation_overrides",
    )
    assert game.state() is before


async def test_moderation_recent_lists_the_log_newest_first() -> None:
    game = LocalGame()
    empty = await admin(game, "gw_admin moderation_recent")
    assert ok(empty)["entries"] == []
    assert "Nothing has been moderated yet." in empty.body
    record(
        game,
        moderation_event("Table talk one", "table_talk", game.now(), blocked=False),
        moderation_event(
            "A violent theory", "theory", game.now(), blocked=True, category="violence"
        ),
        moderation_event("Nick", "nickname", game.now(), blocked=False, override="MOD-1"),
    )
    reply = await admin(game, "gw_admin moderation_recent", limit=2)
    data = ok(reply)
    assert (data["count"], data["blocked"]) == (2, 1)
    assert [e["snippet"] for e in data["entries"]] == ["Nick", "A violent theory"]
    assert data["entries"][1]["at"] == "2026-01-01T00:00:00Z"
    assert "BLOCKED (violence)" in reply.body
    assert "override MOD-1" in reply.body


@pytest.mark.parametrize("limit", [0, 51, "ten"])
async def test_moderation_recent_refuses_a_bad_limit(limit: object) -> None:
    game = LocalGame()
    refused(
        await admin(game, "gw_admin moderation_recent", limit=limit), "invalid_input", "`limit`"
    )


# --- calibration snapshot and telemetry ------------------------------------------------------


async def test_calibration_snapshot_attaches_the_balance_figures() -> None:
    game = await two_players()
    await launch(game)
    ok(await admin(game, "gw_admin adjust_reputation", player_id="Bob", delta=12, reason="x"))
    reply = await admin(game, "gw_admin calibration_snapshot")
    data = ok(reply)
    (attachment,) = reply.files
    assert attachment.filename == "calibration_local_20260101T000000Z.json"
    assert json.loads(attachment.content) == data
    assert data["players"] == 2
    assert data["reputation"]["bands"] == {
        "-50 to -11": 0,
        "-10 to -6": 0,
        "-5 to -1": 0,
        "0 to 9": 1,
        "10 to 24": 1,
        "25 to 50": 0,
    }
    assert (data["reputation"]["min"], data["reputation"]["max"]) == (0, 12)
    assert data["reputation"]["median"] == 6
    # Alice paid 1 academia for the think tank.
    assert data["influence"]["totals"] == {
        "academia": 3,
        "government": 4,
        "industry": 4,
        "religion": 4,
        "foreign": 4,
    }
    assert data["expeditions"]["think_tank"]["pending"] == 1
    assert data["expeditions"]["field"]["total"] == 0
    scholars = data["scholars"]
    assert sum(scholars["by_employer"].values()) == scholars["total"] == 20
    assert data["offers"]["open"] == 0
    assert data["orders"]["pending"] == 0
    assert data["theories"] == {"open": 2}


def test_balance_figures_for_an_empty_campaign() -> None:
    game = LocalGame()
    figures = balance_figures(game.state(), game.now())
    assert figures["players"] == 0
    assert figures["reputation"]["mean"] is None
    assert figures["influence"]["total"] == 0
    assert figures["orders"]["oldest_pending_hours"] is None
    json.dumps(figures)


async def test_calibration_counts_pending_orders_by_type_and_age() -> None:
    game = await with_orders()
    orders = ok(await admin(game, "gw_admin calibration_snapshot"))["orders"]
    assert orders == {
        "pending": 2,
        "by_type": {"mentorship_activation": 2},
        "oldest_pending_hours": 3.0,
    }


async def test_telemetry_report_adds_activity() -> None:
    game = await two_players()
    reply = await admin(game, "telemetry_report")
    data = ok(reply)
    active = data["activity"]
    assert active["players_active_24h"] == 2
    assert active["events_24h"] == len(game.events)
    assert active["events_24h_complete"] is True
    assert active["events_by_kind_24h"]["TheorySubmitted"] == 2
    assert data["players"] == 2
    assert "2 of 2 players active" in reply.body
    assert "**Reputation**" in reply.body
    assert not reply.files
    game.advance(2 * DAY)
    later = ok(await admin(game, "telemetry_report"))["activity"]
    assert (later["players_active_24h"], later["events_24h"]) == (0, 0)
    assert later["players_active_7d"] == 2


async def test_telemetry_report_says_when_the_game_is_paused() -> None:
    game = LocalGame()
    ok(await admin(game, "gw_admin pause_game"))
    reply = await admin(game, "telemetry_report")
    assert ok(reply)["paused"] is True
    assert reply.body.startswith("**The game is paused.**")


def test_activity_is_a_lower_bound_when_the_scan_is_full() -> None:
    game = LocalGame()
    now = Instant(game.now() + 10)
    entries = [JournalEntry(seq=n, at=now, kind="X", data={}) for n in range(5_000)]
    assert activity(game.state(), entries, now)["events_24h_complete"] is False
    assert activity(game.state(), entries[:10], now)["events_24h_complete"] is True


# --- search_press ----------------------------------------------------------------------------


async def test_search_press_finds_headlines_and_bodies_any_case() -> None:
    game = LocalGame()
    game.add_press("academic_bulletin", "Bronze Age Flight proposed", "A daring claim.")
    game.add_press("academic_gossip", "Tea at the Institute", "Talk of bronze age gliders.")
    game.add_press("retraction_notice", "Retraction: Expedition X", "Nothing to see.")
    reply = await admin(game, "gw_admin search_press", query="BRONZE")
    data = ok(reply)
    assert data["count"] == 2
    assert [m["id"] for m in data["matches"]] == [2, 1]  # newest first
    assert data["matches"][1]["permalink"] == "/archive/press/1.html"
    assert data["matches"][1]["kind"] == "academic_bulletin"
    assert "#1 · academic_bulletin · Bronze Age Flight proposed" in reply.body
    limited = ok(await admin(game, "gw_admin search_press", query="bronze", limit=1))
    assert [m["id"] for m in limited["matches"]] == [2]


async def test_search_press_without_a_match() -> None:
    game = LocalGame()
    game.add_press("academic_bulletin", "Bronze Age Flight proposed")
    reply = await admin(game, "gw_admin search_press", query="zeppelin")
    assert ok(reply)["matches"] == []
    assert "No released press matches" in reply.body


@pytest.mark.parametrize(
    ("options", "needles"),
    [
        ({"query": "   "}, ("`query`", "blank")),
        ({"query": "q" * 201}, ("`query`", "at most 200")),
        ({"query": "x", "limit": 11}, ("`limit`", "at most 10")),
        ({"query": "x", "limit": 0}, ("`limit`", "at least 1")),
        ({}, ("`query`",)),
    ],
)
async def test_search_press_refusals(options: dict[str, object], needles: tuple[str, ...]) -> None:
    refused(await admin(LocalGame(), "gw_admin search_press", **options), "invalid_input", *needles)


@pytest.mark.parametrize(
    ("path", "options"),
    [
        ("gw_admin list_orders", {"status": "any", "as_file": True}),
        ("gw_admin moderation_overrides", {"include_expired": True}),
        ("gw_admin moderation_recent", {}),
        ("gw_admin calibration_snapshot", {}),
        ("gw_admin search_press", {"query": "first"}),
        ("telemetry_report", {}),
    ],
)
async def test_reading_commands_change_nothing(path: str, options: dict[str, object]) -> None:
    game = await with_orders()
    before = game.state()
    ok(await admin(game, path, **options))
    assert game.state() is before
