"""The /gw_admin catalogue: adjustments, defection, cancellation, pause, digests, economy."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Mapping
from typing import Any

import pytest

from greatwork.commands.admin import ADMIN_COMMANDS
from greatwork.commands.spec import ADMIN_GROUP, Catalogue, CommandSpec, Reply, invoke
from greatwork.rules.constants import Confidence, ExpeditionType, Faction
from greatwork.rules.expedition import LaunchExpedition
from greatwork.rules.ids import CommitmentId, ExpeditionCode, PlayerId, ProjectId, ScholarId
from greatwork.rules.state import EmployerKind, ExpeditionStatus, RecordStatus
from greatwork.rules.theory import SubmitTheory
from tests.commands.local import LocalGame

ADMINS = Catalogue(ADMIN_COMMANDS)
ADMIN = PlayerId("admin-1")
ALICE = PlayerId("1001")
BOB = PlayerId("1002")
NAME = re.compile(r"^[-_a-z0-9]{1,32}$")


async def admin(game: LocalGame, path: str, **options: object) -> Reply:
    """Run an admin command as the admin."""
    return await invoke(
        ADMINS.find(path),
        game,
        player=ADMIN,
        display_name="The Admin",
        is_admin=True,
        raw_options=options,
    )


def ok(reply: Reply) -> Mapping[str, Any]:
    """Assert the reply is a success with JSON-ready data; return the data."""
    assert reply.ok, reply.body
    assert reply.error is None
    assert reply.ephemeral
    json.dumps(reply.data)
    return reply.data


def refused(reply: Reply, code: str, *needles: str) -> None:
    """Assert the reply is a refusal with this code and a message naming each needle."""
    assert not reply.ok
    assert reply.error == code, reply.body
    for needle in needles:
        assert needle in reply.body, reply.body


async def join(game: LocalGame, player: PlayerId, name: str) -> None:
    """Bring a player into the campaign with a first move (a theory)."""
    await game.execute(
        SubmitTheory(
            actor=player,
            at=game.now(),
            actor_name=name,
            theory=f"{name}'s first theory",
            confidence=Confidence.SUSPECT,
        )
    )


async def two_players() -> LocalGame:
    """A campaign where Alice and Bob have joined."""
    game = LocalGame()
    await join(game, ALICE, "Alice")
    await join(game, BOB, "Bob")
    return game


async def launch(game: LocalGame, code: str = "DIG-1") -> ExpeditionCode:
    """Alice queues a think tank (it costs 1 academia)."""
    await game.execute(
        LaunchExpedition(
            actor=ALICE,
            at=game.now(),
            code=code,
            objective="the lost harbour",
            expedition_type=ExpeditionType.THINK_TANK,
            confidence=Confidence.SUSPECT,
        )
    )
    return ExpeditionCode(code)


# --- the catalogue ---------------------------------------------------------------------------


def test_every_entry_fits_discord_limits() -> None:
    assert len(ADMIN_COMMANDS) == 20
    for spec in ADMIN_COMMANDS:
        assert NAME.fullmatch(spec.name), spec.name
        assert 1 <= len(spec.description) <= 100, spec.name
        assert len(spec.options) <= 25, spec.name
        assert inspect.iscoroutinefunction(spec.handler), spec.name
        assert spec.admin, spec.name
        assert spec.ephemeral, spec.name
        required = [o.required for o in spec.options]
        assert required == sorted(required, reverse=True), f"{spec.name}: required first"
        assert len({o.name for o in spec.options}) == len(spec.options), spec.name
        for option in spec.options:
            assert NAME.fullmatch(option.name), (spec.name, option.name)
            assert 1 <= len(option.description) <= 100, (spec.name, option.name)
            assert len(option.choices) <= 25, (spec.name, option.name)
            for choice in option.choices:
                assert 1 <= len(choice.name) <= 100
                assert len(str(choice.value)) <= 100
            if not option.required and option.default is not None:
                assert option.parse(option.default) == option.default, (spec.name, option.name)


def test_subcommands_are_grouped_and_the_report_is_top_level() -> None:
    assert [s.name for s in ADMINS.top_level()] == ["telemetry_report"]
    group = {s.name for s in ADMINS.group(ADMIN_GROUP)}
    assert group == {
        "adjust_reputation",
        "adjust_influence",
        "force_defection",
        "cancel_expedition",
        "pause_game",
        "resume_game",
        "run_digest",
        "create_seasonal_commitment",
        "update_seasonal_commitment",
        "create_faction_project",
        "update_faction_project",
        "list_orders",
        "cancel_order",
        "moderation_overrides",
        "add_moderation_override",
        "remove_moderation_override",
        "moderation_recent",
        "calibration_snapshot",
        "search_press",
    }


def test_typed_ids_have_lookups() -> None:
    lookups = {(s.name, o.name): o.lookup for s in ADMIN_COMMANDS for o in s.options if o.lookup}
    assert {k for k, _ in lookups} >= {
        "adjust_reputation",
        "force_defection",
        "cancel_expedition",
        "update_seasonal_commitment",
        "update_faction_project",
        "cancel_order",
    }
    assert lookups["force_defection", "scholar_id"] == "scholar"
    assert lookups["list_orders", "actor_id"] == "player"


@pytest.mark.parametrize("spec", ADMIN_COMMANDS, ids=lambda s: s.path)
async def test_every_admin_command_is_refused_to_players(spec: CommandSpec) -> None:
    game = await two_players()
    before = game.state()
    reply = await invoke(
        spec,
        game,
        player=ALICE,
        display_name="Alice",
        is_admin=False,
        raw_options={},
    )
    refused(reply, "permission_denied", "for admins only")
    assert reply.ephemeral
    assert game.state() is before


# --- adjust_reputation -----------------------------------------------------------------------


async def test_adjust_reputation_by_display_name_any_case() -> None:
    game = await two_players()
    data = ok(
        await admin(
            game, "gw_admin adjust_reputation", player_id="aLiCe", delta="7", reason="Good show"
        )
    )
    assert data == {
        "player": ALICE,
        "display_name": "Alice",
        "requested": 7,
        "delta": 7,
        "before": 0,
        "after": 7,
        "reason": "Good show",
    }
    assert game.state().players[ALICE].reputation == 7
    assert ADMIN not in game.state().players  # admin commands create no player


async def test_adjust_reputation_says_when_the_bounds_cut_the_change() -> None:
    game = await two_players()
    reply = await admin(
        game, "gw_admin adjust_reputation", player_id=str(BOB), delta=80, reason="x"
    )
    assert ok(reply)["after"] == 50
    assert reply.data["delta"] == 50
    assert "+80 was asked" in reply.body
    assert game.state().players[BOB].reputation == 50


@pytest.mark.parametrize(
    ("options", "code", "needles"),
    [
        ({"player_id": "Carol", "delta": 3, "reason": "x"}, "not_found", ("`Carol`",)),
        ({"player_id": "Alice", "delta": 0, "reason": "x"}, "invalid_input", ("not 0",)),
        ({"player_id": "Alice", "delta": 101, "reason": "x"}, "invalid_input", ("at most 100",)),
        ({"player_id": "Alice", "delta": "lots", "reason": "x"}, "invalid_input", ("`delta`",)),
        ({"player_id": "Alice", "delta": 3}, "invalid_input", ("`reason`",)),
        ({"player_id": "Alice", "delta": 3, "reason": "r" * 201}, "invalid_input", ("200",)),
    ],
)
async def test_adjust_reputation_refusals_change_nothing(
    options: dict[str, object], code: str, needles: tuple[str, ...]
) -> None:
    game = await two_players()
    before = game.state()
    refused(await admin(game, "gw_admin adjust_reputation", **options), code, *needles)
    assert game.state() is before


async def test_a_shared_display_name_must_be_disambiguated() -> None:
    game = LocalGame()
    await join(game, ALICE, "Sam")
    await join(game, BOB, "sam")
    before = game.state()
    reply = await admin(game, "gw_admin adjust_reputation", player_id="SAM", delta=1, reason="x")
    refused(reply, "invalid_input", str(ALICE), str(BOB))
    assert game.state() is before


# --- adjust_influence ------------------------------------------------------------------------


async def test_adjust_influence_ignores_the_cap() -> None:
    game = await two_players()
    reply = await admin(
        game,
        "gw_admin adjust_influence",
        player_id="alice",
        faction="Religion",
        delta=10,
        reason="x",
    )
    data = ok(reply)
    assert (data["faction"], data["before"], data["after"]) == ("religion", 2, 12)
    assert data["influence"] == {
        "academia": 2,
        "government": 2,
        "industry": 2,
        "religion": 12,
        "foreign": 2,
    }
    assert game.state().players[ALICE].influence[Faction.RELIGION] == 12  # cap is 6


async def test_adjust_influence_floors_at_zero() -> None:
    game = await two_players()
    reply = await admin(
        game, "gw_admin adjust_influence", player_id="Bob", faction="foreign", delta=-9, reason="x"
    )
    assert ok(reply)["delta"] == -2
    assert "never goes below 0" in reply.body
    assert game.state().players[BOB].influence[Faction.FOREIGN] == 0


async def test_adjust_influence_refuses_an_unknown_faction() -> None:
    game = await two_players()
    before = game.state()
    reply = await admin(
        game, "gw_admin adjust_influence", player_id="Bob", faction="church", delta=1, reason="x"
    )
    refused(reply, "invalid_input", "`faction`", "church", "academia")
    assert game.state() is before


# --- force_defection -------------------------------------------------------------------------


async def test_force_defection_by_scholar_name() -> None:
    game = LocalGame()
    reply = await admin(
        game,
        "gw_admin force_defection",
        scholar_id="Ironquill",
        new_faction="government",
        reason="Orders",
    )
    data = ok(reply)
    assert data["scholar"] == "s.ironquill"
    assert data["new_faction"] == "government"
    assert data["old_employer"] == "Royal Institute"
    assert 0 < float(data["probability"]) <= 1
    contract = game.state().scholars[ScholarId("s.ironquill")].contract
    assert (contract.kind, contract.faction) == (EmployerKind.FACTION, Faction.GOVERNMENT)


async def test_force_defection_refusals() -> None:
    game = LocalGame()
    before = game.state()
    reply = await admin(
        game, "gw_admin force_defection", scholar_id="s.nobody", new_faction="industry", reason="x"
    )
    refused(reply, "not_found", "`s.nobody`", "/roster")
    assert game.state() is before
    ok(
        await admin(
            game,
            "gw_admin force_defection",
            scholar_id="s.zathras",
            new_faction="industry",
            reason="x",
        )
    )
    moved = game.state()
    reply = await admin(
        game, "gw_admin force_defection", scholar_id="s.zathras", new_faction="industry", reason="x"
    )
    refused(reply, "conflict", "already serves industry")
    assert game.state() is moved


# --- cancel_expedition -----------------------------------------------------------------------


async def test_cancel_expedition_refunds_the_cost() -> None:
    game = await two_players()
    code = await launch(game)
    assert game.state().players[ALICE].influence[Faction.ACADEMIA] == 1
    reply = await admin(
        game, "gw_admin cancel_expedition", expedition_code="dig-1", reason="Flooded"
    )
    data = ok(reply)
    assert data["refund"] == {"academia": 1}
    assert data["code"] == code
    assert "Refunded to Alice: academia 1" in reply.body
    state = game.state()
    assert state.expeditions[code].status is ExpeditionStatus.CANCELLED
    assert state.players[ALICE].influence[Faction.ACADEMIA] == 2


async def test_cancel_expedition_refusals() -> None:
    game = await two_players()
    await launch(game)
    before = game.state()
    reply = await admin(game, "gw_admin cancel_expedition", expedition_code="NOPE", reason="x")
    refused(reply, "not_found", "`NOPE`", "pending expeditions: DIG-1")
    assert game.state() is before
    ok(await admin(game, "gw_admin cancel_expedition", expedition_code="DIG-1", reason="x"))
    cancelled = game.state()
    reply = await admin(game, "gw_admin cancel_expedition", expedition_code="DIG-1", reason="x")
    refused(reply, "conflict", "already cancelled")
    assert game.state() is cancelled


# --- pause, resume, run_digest ---------------------------------------------------------------


async def test_pause_and_resume() -> None:
    game = await two_players()
    paused = ok(await admin(game, "gw_admin pause_game", reason="Server move"))
    assert paused["paused"] is True
    assert paused["reason"] == "Server move"
    assert game.state().pause is not None
    game.advance(7200)
    reply = await admin(game, "gw_admin resume_game")
    data = ok(reply)
    assert data["paused"] is False
    assert data["paused_seconds"] == 7200
    assert data["reason"] == "Server move"
    assert "2.0 hours" in reply.body
    assert game.state().pause is None


async def test_pause_without_a_reason_uses_the_default() -> None:
    game = LocalGame()
    assert ok(await admin(game, "gw_admin pause_game"))["reason"] == "Paused for maintenance"


async def test_pause_and_resume_refusals() -> None:
    game = LocalGame()
    before = game.state()
    refused(await admin(game, "gw_admin resume_game"), "conflict", "not paused")
    assert game.state() is before
    ok(await admin(game, "gw_admin pause_game"))
    paused = game.state()
    refused(await admin(game, "gw_admin pause_game"), "conflict", "already paused")
    assert game.state() is paused


async def test_run_digest_reports_what_it_resolved() -> None:
    game = await two_players()
    code = await launch(game)
    game.advance(3600)
    before = game.state().players[ALICE].reputation
    reply = await admin(game, "gw_admin run_digest")
    data = ok(reply)
    net = game.state().players[ALICE].reputation - before
    assert data["reputation_changes"].get(ALICE, 0) == net
    assert reply.title == "Digest 1 complete"
    assert data["digest"] == 1
    (expedition,) = data["expeditions"]
    assert expedition["code"] == code
    assert expedition["player"] == ALICE
    assert expedition["outcome"] in {"failure", "partial", "success", "landmark"}
    assert code in reply.body
    assert data["events"] == sum(data["kinds"].values())
    assert game.state().last_digest == 1
    assert game.state().expeditions[code].status is ExpeditionStatus.RESOLVED
    again = ok(await admin(game, "gw_admin run_digest"))
    assert again["digest"] == 2
    assert again["expeditions"] == []


async def test_run_digest_waits_while_paused() -> None:
    game = LocalGame()
    ok(await admin(game, "gw_admin pause_game", reason="Audit"))
    before = game.state()
    refused(await admin(game, "gw_admin run_digest"), "paused", "Audit")
    assert game.state() is before
    assert before.last_digest == 0


# --- seasonal commitments --------------------------------------------------------------------


async def test_create_and_end_a_seasonal_commitment() -> None:
    game = await two_players()
    reply = await admin(
        game, "gw_admin create_seasonal_commitment", player_id="Alice", faction="industry"
    )
    data = ok(reply)
    assert data["commitment"] == "COM-1"
    assert (data["tier"], data["base_cost"], data["faction"]) == ("standard", 3, "industry")
    assert data["ends_at"] == "2026-01-29T00:00:00Z"  # 28 days
    commitment = game.state().commitments[CommitmentId("COM-1")]
    assert commitment.player == ALICE
    ended = ok(
        await admin(
            game, "gw_admin update_seasonal_commitment", id="1", status="Cancelled", reason="Truce"
        )
    )
    assert ended == {
        "commitment": "COM-1",
        "player": ALICE,
        "faction": "industry",
        "status": "cancelled",
        "reason": "Truce",
    }
    assert game.state().commitments[CommitmentId("COM-1")].status is RecordStatus.CANCELLED


async def test_create_commitment_takes_tier_cost_and_duration() -> None:
    game = await two_players()
    data = ok(
        await admin(
            game,
            "gw_admin create_seasonal_commitment",
            player_id="bob",
            faction="foreign",
            tier="gold",
            base_cost=5,
            duration_days=7,
            reason="Embassy",
        )
    )
    assert (data["tier"], data["base_cost"], data["reason"]) == ("gold", 5, "Embassy")
    assert data["ends_at"] == "2026-01-08T00:00:00Z"


@pytest.mark.parametrize(
    ("options", "code", "needles"),
    [
        ({"player_id": "Zed", "faction": "industry"}, "not_found", ("`Zed`",)),
        ({"player_id": "Alice", "faction": "guild"}, "invalid_input", ("`faction`",)),
        (
            {"player_id": "Alice", "faction": "industry", "base_cost": 0},
            "invalid_input",
            ("at least 1",),
        ),
        (
            {"player_id": "Alice", "faction": "industry", "base_cost": 21},
            "invalid_input",
            ("at most 20",),
        ),
        (
            {"player_id": "Alice", "faction": "industry", "duration_days": 366},
            "invalid_input",
            ("365",),
        ),
        ({"player_id": "Alice", "faction": "industry", "tier": "t" * 33}, "invalid_input", ("32",)),
    ],
)
async def test_create_commitment_refusals(
    options: dict[str, object], code: str, needles: tuple[str, ...]
) -> None:
    game = await two_players()
    before = game.state()
    refused(await admin(game, "gw_admin create_seasonal_commitment", **options), code, *needles)
    assert game.state() is before


async def test_update_commitment_refusals() -> None:
    game = await two_players()
    before = game.state()
    reply = await admin(game, "gw_admin update_seasonal_commitment", id="COM-4", status="completed")
    refused(reply, "not_found", "`COM-4`", "/seasonal_commitments")
    assert game.state() is before
    ok(
        await admin(
            game, "gw_admin create_seasonal_commitment", player_id="Bob", faction="religion"
        )
    )
    reply = await admin(game, "gw_admin update_seasonal_commitment", id="COM-1", status="active")
    refused(reply, "invalid_input", "`status`", "completed, cancelled")
    ok(await admin(game, "gw_admin update_seasonal_commitment", id="COM-1", status="completed"))
    ended = game.state()
    reply = await admin(game, "gw_admin update_seasonal_commitment", id="COM-1", status="cancelled")
    refused(reply, "conflict", "already completed")
    assert game.state() is ended


# --- faction projects ------------------------------------------------------------------------


async def test_create_and_end_a_faction_project() -> None:
    game = await two_players()
    reply = await admin(
        game,
        "gw_admin create_faction_project",
        name="The Great Bridge",
        faction="government",
        target_progress="12.5",
        reason="Spring works",
    )
    data = ok(reply)
    assert (data["project"], data["target"], data["faction"]) == ("PRJ-1", 12.5, "government")
    # Two players with 2 government each: 2 · 2 · 0.08 + relfac(2/10 · 5 = 1 → capped 0.1) each.
    assert data["pace"] == pytest.approx(2 * (0.16 + 0.1))
    assert data["reason"] == "Spring works"
    assert game.state().projects[ProjectId("PRJ-1")].name == "The Great Bridge"
    ended = ok(await admin(game, "gw_admin update_faction_project", id="prj-1", status="completed"))
    assert (ended["status"], ended["progress"]) == ("completed", 0.0)
    assert game.state().projects[ProjectId("PRJ-1")].status is RecordStatus.COMPLETED


@pytest.mark.parametrize(
    ("options", "needles"),
    [
        ({"name": "Bridge", "faction": "government", "target_progress": 0}, ("at least 1",)),
        ({"name": "Bridge", "faction": "government", "target_progress": "nan"}, ("finite",)),
        ({"name": "B" * 65, "faction": "government", "target_progress": 5}, ("at most 64",)),
        ({"name": "  ", "faction": "government", "target_progress": 5}, ("must not be blank",)),
        ({"name": "Bridge", "faction": "court", "target_progress": 5}, ("`faction`",)),
    ],
)
async def test_create_project_refusals(
    options: dict[str, object], needles: tuple[str, ...]
) -> None:
    game = LocalGame()
    before = game.state()
    refused(
        await admin(game, "gw_admin create_faction_project", **options), "invalid_input", *needles
    )
    assert game.state() is before


async def test_update_project_refusals() -> None:
    game = LocalGame()
    before = game.state()
    reply = await admin(game, "gw_admin update_faction_project", id="PRJ-2", status="cancelled")
    refused(reply, "not_found", "`PRJ-2`", "/faction_projects")
    assert game.state() is before
    ok(
        await admin(
            game,
            "gw_admin create_faction_project",
            name="Dam",
            faction="industry",
            target_progress=3,
        )
    )
    ok(await admin(game, "gw_admin update_faction_project", id="1", status="cancelled"))
    ended = game.state()
    reply = await admin(game, "gw_admin update_faction_project", id="1", status="cancelled")
    refused(reply, "conflict", "already cancelled")
    assert game.state() is ended
