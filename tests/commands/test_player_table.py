"""Player commands about standing, the economy, the symposium and offers."""

from __future__ import annotations

import pytest

from greatwork.rules.admin import AdjustInfluence, AdjustReputation
from greatwork.rules.command import Context
from greatwork.rules.commitment import CreateCommitment
from greatwork.rules.constants import Faction
from greatwork.rules.digest import run_symposium
from greatwork.rules.ids import OfferId, PlayerId, ProjectId, ProposalId, ScholarId, TopicId
from greatwork.rules.memory import player_key
from greatwork.rules.project import CreateProject
from greatwork.rules.rng import command_rng
from greatwork.rules.state import (
    OfferStatus,
    PledgeStatus,
    ProposalStatus,
)
from tests.commands.local import LocalGame
from tests.commands.player_helpers import (
    ALICE,
    BOB,
    call,
    employ,
    joined,
    ok,
    refused,
)

ADMIN = PlayerId("admin")
WANTED = ScholarId("s.proc-002")


async def grant(game: LocalGame, player: PlayerId, reputation: int = 0, **influence: int) -> None:
    at = game.now()
    if reputation:
        await game.execute(AdjustReputation(actor=ADMIN, at=at, player=player, delta=reputation))
    for faction, delta in influence.items():
        await game.execute(
            AdjustInfluence(
                actor=ADMIN, at=at, player=player, faction=Faction(faction), delta=delta
            )
        )


def open_symposium(game: LocalGame) -> TopicId:
    """Run the weekly symposium tick (the clock's job) on the game's state."""
    state = game.state()
    ctx = Context(content=game.content, rng=command_rng(state, "symposium"), now=game.now())
    result = run_symposium(state, game.now(), ctx)
    game._accept(result.state, result.events, state.seq)
    topic = game.state().open_topic
    assert topic is not None
    return topic


# --- /status and /wager ---------------------------------------------------------------------------


async def test_status_of_a_newcomer_shows_the_starting_numbers_and_joins_nobody() -> None:
    game = LocalGame()
    before = game.state()
    reply = await call(game, "status")
    data = ok(reply)
    assert reply.ephemeral
    assert game.state() is before
    assert data["joined"] is False
    assert data["reputation"] == 0
    assert data["cap"] == 6
    assert data["influence"] == dict.fromkeys((f.value for f in Faction), 2)
    assert data["cooldowns"] == {}
    assert data["gates"]["expedition:great_project"] is False
    assert "newcomer" in reply.body


async def test_status_shows_balances_cooldowns_scholars_and_relationships() -> None:
    game = await joined(ALICE)
    await grant(game, ALICE, reputation=12, academia=4, industry=1)
    employ(game, WANTED, ALICE, Faction.INDUSTRY)
    ok(await call(game, "submit_theory", theory="Mine", confidence="suspect"))
    ok(await call(game, "recruit", scholar_id="s.proc-001", faction="religion"))
    await game.execute(
        CreateCommitment(actor=ADMIN, at=game.now(), player=ALICE, faction=Faction.RELIGION)
    )
    ok(await call(game, "invest", faction="industry", amount=3))
    reply = await call(game, "status")
    data = ok(reply)
    state = game.state().players[ALICE]
    assert data["joined"] is True
    assert data["reputation"] == 12
    assert data["cap"] == 8
    assert data["influence"] == {f.value: state.influence[f] for f in Faction}
    assert data["influence"]["academia"] == 6
    assert data["cooldowns"] == {"recruitment": 2}
    assert WANTED in data["scholars"]
    assert data["open_theories"] == ["T-1"]
    contract = next(c for c in data["contracts"] if c["scholar"] == WANTED)
    assert contract["faction"] == "industry"
    assert contract["feeling"] == pytest.approx(0.2)  # from the investment
    assert data["invested"] == {"industry": 3}
    assert data["commitments"][0]["id"] == "COM-1"
    assert data["commitments"][0]["next_cost"] == 3
    assert {r["scholar"] for r in data["relationships"]} >= {WANTED}
    assert "Reputation: +12" in reply.text


async def test_wager_shows_the_table_gates_and_bounds() -> None:
    reply = await call(LocalGame(), "wager")
    data = ok(reply)
    assert [(r["confidence"], r["reward"], r["partial"], r["penalty"]) for r in data["rows"]] == [
        ("suspect", 2, 1, -1),
        ("certain", 5, 2, -7),
        ("stake_my_career", 15, 7, -25),
    ]
    assert [r["sets_cooldown"] for r in data["rows"]] == [False, False, True]
    assert data["gates"] == {
        "recruit": -10,
        "expedition:think_tank": -5,
        "expedition:field": 0,
        "expedition:great_project": 10,
    }
    assert data["bounds"] == [-50, 50]
    assert "breaks even at 62.5% success" in reply.body


# --- /invest and /endow_archive -------------------------------------------------------------------


async def test_invest_warms_the_scholars_under_that_banner() -> None:
    game = await joined(ALICE)
    await grant(game, ALICE, industry=4)
    employ(game, WANTED, ALICE, Faction.INDUSTRY)
    reply = await call(game, "invest", faction="industry", amount=6, program="Foundry")
    data = ok(reply)
    assert reply.public
    assert data == {
        "faction": "industry",
        "amount": 6,
        "program": "Foundry",
        "scholars": [WANTED],
        "feeling": 0.4,
        "press": [],
    }
    assert game.state().players[ALICE].influence[Faction.INDUSTRY] == 0
    assert game.state().scholars[WANTED].memory.feelings[player_key(ALICE)] == 0.4


async def test_invest_refusals_change_nothing() -> None:
    game = await joined(ALICE)
    cases: list[tuple[dict[str, object], str, str]] = [
        ({"faction": "industry", "amount": 2}, "invalid_input", "must be at least 3, got 2"),
        (
            {"faction": "industry", "amount": 3},
            "insufficient_influence",
            "Not enough industry influence: 3 needed, 2 held",
        ),
        ({"faction": "guilds", "amount": 3}, "invalid_input", "Option `faction`"),
        ({"faction": "industry", "amount": 3, "program": "p" * 121}, "invalid_input", "120"),
    ]
    for options, code, needle in cases:
        before = game.state()
        refused(await call(game, "invest", **options), code, needle)
        assert game.state() is before


async def test_endow_archive_buys_reputation() -> None:
    game = await joined(ALICE)
    await grant(game, ALICE, reputation=35, academia=10)  # cap 13, academia 12
    reply = await call(game, "endow_archive", amount=12)
    data = ok(reply)
    assert reply.public
    assert data["faction"] == "academia"
    assert data["amount"] == 12
    assert data["reputation_delta"] == 1
    assert (data["symposium_paid"], data["seasonal_paid"]) == (0, 0)
    player = game.state().players[ALICE]
    assert (player.reputation, player.influence[Faction.ACADEMIA]) == (36, 0)


async def test_endow_archive_refusals_change_nothing() -> None:
    game = await joined(ALICE)
    cases: list[tuple[dict[str, object], str, str]] = [
        ({"amount": 3}, "invalid_input", "must be at least 4, got 3"),
        ({"amount": 4}, "insufficient_influence", "Not enough academia influence"),
        ({"amount": 4, "faction": "foreign"}, "insufficient_influence", "foreign"),
    ]
    for options, code, needle in cases:
        before = game.state()
        refused(await call(game, "endow_archive", **options), code, needle)
        assert game.state() is before


# --- /seasonal_commitments and /faction_projects ---------------------------------------------


async def test_seasonal_commitments_lists_only_your_own() -> None:
    game = await joined(ALICE, BOB)
    for player, faction in ((ALICE, Faction.RELIGION), (BOB, Faction.INDUSTRY)):
        await game.execute(
            CreateCommitment(actor=ADMIN, at=game.now(), player=player, faction=faction)
        )
    reply = await call(game, "seasonal_commitments")
    data = ok(reply)
    assert reply.ephemeral
    assert [(c["id"], c["faction"], c["status"]) for c in data["commitments"]] == [
        ("COM-1", "religion", "active")
    ]
    assert data["commitments"][0]["next_cost"] == 3
    assert data["commitments"][0]["ends"] == "2026-01-29T00:00:00Z"
    empty = await call(LocalGame(), "seasonal_commitments")
    assert ok(empty)["commitments"] == []
    assert "admins set them" in empty.body


async def test_faction_projects_shows_progress() -> None:
    game = await joined(ALICE)
    await game.execute(
        CreateProject(
            actor=ADMIN, at=game.now(), name="Grand Canal", faction=Faction.INDUSTRY, target=50
        )
    )
    await game.run_digest(ADMIN)
    reply = await call(game, "faction_projects")
    data = ok(reply)
    project = data["projects"][0]
    assert (project["id"], project["name"], project["status"]) == ("PRJ-1", "Grand Canal", "active")
    assert project["target"] == 50
    assert project["progress"] == pytest.approx(game.state().projects[ProjectId("PRJ-1")].progress)
    assert project["contributing"] is (ALICE in project["contributors"])
    assert "Grand Canal" in reply.body


# --- the symposium --------------------------------------------------------------------------------


async def test_symposium_vote_fulfils_the_pledge() -> None:
    game = await joined(ALICE, BOB)
    topic = open_symposium(game)
    reply = await call(game, "symposium_vote", option=2)
    data = ok(reply)
    assert reply.public
    assert (data["topic"], data["option"], data["choice"]) == (topic, 2, "oppose")
    record = game.state().topics[topic]
    assert record.votes[ALICE] == 2
    assert record.pledges[ALICE].status is PledgeStatus.FULFILLED
    ok(await call(game, "symposium_vote", option=3))
    assert game.state().topics[topic].votes[ALICE] == 3
    standing = ok(await call(game, "symposium_status"))
    assert standing["vote"] == 3
    assert standing["pledge"] == {"amount": 2, "faction": "academia", "status": "fulfilled"}
    bob = ok(await call(game, "symposium_status", BOB))
    assert bob["vote"] is None
    assert bob["pledge"]["status"] == "pending"
    assert bob["topic"]["id"] == topic


async def test_symposium_vote_refusals_change_nothing() -> None:
    game = await joined(ALICE)
    before = game.state()
    refused(await call(game, "symposium_vote", option=1), "conflict", "No symposium topic is open")
    refused(await call(game, "symposium_vote", option=4), "invalid_input", "Option `option`")
    assert game.state() is before


async def test_symposium_propose_then_list_and_rank() -> None:
    game = await joined(ALICE, BOB)
    ok(await call(game, "symposium_propose", topic="Old", description="Asked first"))
    game.advance(86_400)
    reply = await call(game, "symposium_propose", BOB, topic="New", description="Asked later")
    data = ok(reply)
    assert reply.public
    assert (data["proposal"], data["topic"]) == ("PROP-2", "New")
    assert data["expires"] == "2026-01-30T00:00:00Z"
    listing = ok(await call(game, "symposium_proposals"))
    assert [p["id"] for p in listing["proposals"]] == ["PROP-1", "PROP-2"]
    backlog = ok(await call(game, "symposium_backlog"))
    assert [p["id"] for p in backlog["proposals"]] == ["PROP-1", "PROP-2"]
    assert backlog["proposals"][0]["score"] > backlog["proposals"][1]["score"]
    assert backlog["debts"] == []
    open_symposium(game)
    assert game.state().proposals[ProposalId("PROP-1")].status is ProposalStatus.SELECTED


async def test_symposium_propose_refusals_change_nothing() -> None:
    game = await joined(ALICE)
    for i in range(3):
        ok(await call(game, "symposium_propose", topic=f"T{i}", description="d"))
    cases: list[tuple[dict[str, object], str, str]] = [
        ({"topic": "T4", "description": "d"}, "conflict", "already have 3 proposals waiting"),
        ({"topic": " ", "description": "d"}, "invalid_input", "must not be blank"),
        ({"topic": "x" * 121, "description": "d"}, "invalid_input", "at most 120"),
        ({"topic": "x", "description": "d" * 501}, "invalid_input", "at most 500"),
    ]
    for options, code, needle in cases:
        before = game.state()
        refused(await call(game, "symposium_propose", **options), code, needle)
        assert game.state() is before


async def test_symposium_backlog_lists_debts() -> None:
    game = await joined(ALICE, BOB)
    for _ in range(3):  # Bob never votes: the first miss is waived, then the pledges bite
        open_symposium(game)
        ok(await call(game, "symposium_vote", option=1))
        ok(await call(game, "table_talk", BOB, message="still here"))
        game.advance(7 * 86_400)
    open_symposium(game)
    backlog = ok(await call(game, "symposium_backlog"))
    owed = {(d["player"], d["faction"]): d["amount"] for d in backlog["debts"]}
    real = {
        (d.player, d.faction.value): d.amount
        for d in game.state().debts.values()
        if d.amount > 0 and d.source == "symposium"
    }
    assert owed == real
    assert owed[(BOB, "academia")] > 0
    status = ok(await call(game, "symposium_status", BOB))
    assert status["miss_streak"] == 3
    assert status["grace_used"] is True


# --- /poach, /counter, /view_offers ---------------------------------------------------------------


async def _rivals() -> LocalGame:
    game = await joined(ALICE, BOB)
    employ(game, WANTED, BOB, Faction.INDUSTRY)
    return game


async def test_poach_escrows_the_offer() -> None:
    game = await _rivals()
    reply = await call(
        game,
        "poach",
        scholar_id="s.proc-002",
        target_faction="government",
        academia_influence=2,
        leadership_role=True,
    )
    data = ok(reply)
    assert reply.public
    assert data["offer_id"] == "OF-1"
    assert (data["rival"], data["patron"], data["faction"]) == (ALICE, BOB, "government")
    assert data["influence"] == {"academia": 2}
    assert data["terms"] == {
        "guaranteed_funding": False,
        "exclusive_research": False,
        "leadership_role": True,
    }
    assert 0.05 <= data["probability"] <= 0.95
    assert data["deadline"] == "2026-01-02T00:00:00Z"
    assert game.state().players[ALICE].influence[Faction.ACADEMIA] == 0
    assert game.state().offers[OfferId("OF-1")].status is OfferStatus.PENDING


async def test_poach_refusals_change_nothing() -> None:
    game = await _rivals()
    employ(game, ScholarId("s.proc-003"), ALICE, Faction.ACADEMIA)
    cases: list[tuple[dict[str, object], str, str]] = [
        ({"scholar_id": "s.proc-002"}, "invalid_input", "Offer at least 1 influence"),
        ({"scholar_id": "s.proc-001", "academia_influence": 1}, "conflict", "use /recruit"),
        ({"scholar_id": "s.proc-003", "academia_influence": 1}, "conflict", "works for you"),
        (
            {"scholar_id": "s.proc-002", "foreign_influence": 3},
            "insufficient_influence",
            "Not enough foreign influence: 3 needed, 2 held",
        ),
        ({"scholar_id": "s.proc-002", "academia_influence": -1}, "invalid_input", "at least 0"),
        ({"scholar_id": "s.ghost", "academia_influence": 1}, "not_found", "Scholar `s.ghost`"),
    ]
    for options, code, needle in cases:
        before = game.state()
        refused(await call(game, "poach", target_faction="academia", **options), code, needle)
        assert game.state() is before
    ok(
        await call(
            game, "poach", scholar_id="s.proc-002", target_faction="foreign", foreign_influence=1
        )
    )
    before = game.state()
    refused(
        await call(
            game, "poach", scholar_id="s.proc-002", target_faction="foreign", foreign_influence=1
        ),
        "conflict",
        "already have an open offer",
    )
    assert game.state() is before


async def test_counter_and_view_offers_from_both_sides() -> None:
    game = await _rivals()
    ok(
        await call(
            game, "poach", scholar_id="s.proc-002", target_faction="foreign", academia_influence=2
        )
    )
    reply = await call(
        game, "counter", BOB, offer_id="1", government_influence=2, guaranteed_funding=True
    )
    data = ok(reply)
    assert reply.public
    assert (data["offer_id"], data["countered"], data["kind"]) == ("OF-2", "OF-1", "counter")
    assert data["influence"] == {"government": 2}
    assert game.state().offers[OfferId("OF-1")].status is OfferStatus.COUNTERED
    assert game.state().players[BOB].influence[Faction.GOVERNMENT] == 0

    alice = await call(game, "view_offers")
    seen = ok(alice)
    assert alice.ephemeral
    assert [(o["offer_id"], o["role"], o["status"]) for o in seen["offers"]] == [
        ("OF-1", "rival", "countered"),
        ("OF-2", "rival", "pending"),
    ]
    assert "you offer academia 2" in alice.body
    assert "Bob counters with government 2" in alice.body
    bob = ok(await call(game, "view_offers", BOB))
    assert [o["role"] for o in bob["offers"]] == ["patron", "patron"]
    for offer in bob["offers"]:
        assert 0.05 <= offer["probability"] <= 0.95
        assert offer["resolves_at"] == "2026-01-02T00:00:00Z"


async def test_counter_refusals_change_nothing() -> None:
    game = await _rivals()
    ok(
        await call(
            game, "poach", scholar_id="s.proc-002", target_faction="foreign", academia_influence=1
        )
    )
    cases: list[tuple[PlayerId, dict[str, object], str, str]] = [
        (ALICE, {"offer_id": "OF-1", "academia_influence": 1}, "permission_denied", "Only Bob"),
        (BOB, {"offer_id": "OF-7", "academia_influence": 1}, "not_found", "Offer `OF-7`"),
        (BOB, {"offer_id": "OF-1"}, "invalid_input", "Offer at least 1 influence"),
        (
            BOB,
            {"offer_id": "OF-1", "religion_influence": 5},
            "insufficient_influence",
            "religion",
        ),
    ]
    for who, options, code, needle in cases:
        before = game.state()
        refused(await call(game, "counter", who, **options), code, needle)
        assert game.state() is before
    ok(await call(game, "counter", BOB, offer_id="OF-1", academia_influence=1))
    before = game.state()
    refused(
        await call(game, "counter", BOB, offer_id="OF-1", academia_influence=1),
        "conflict",
        "OF-1 is countered, not pending",
    )
    assert game.state() is before


async def test_view_offers_is_empty_without_offers() -> None:
    reply = await call(LocalGame(), "view_offers")
    assert ok(reply)["offers"] == []
    assert "No open offers" in reply.body
