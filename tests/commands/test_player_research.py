"""Player commands about theories, expeditions, conferences and scholars."""

from __future__ import annotations

import dataclasses

import pytest

from greatwork.rules.admin import AdjustInfluence, AdjustReputation
from greatwork.rules.constants import Faction
from greatwork.rules.ids import ExpeditionCode, PlayerId, ScholarId, TheoryId
from greatwork.rules.memory import player_key
from greatwork.rules.state import (
    EmployerKind,
    ExpeditionStatus,
    MentorshipStatus,
    TheoryStatus,
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

FREE = ScholarId("s.proc-001")
OTHER = ScholarId("s.proc-002")


async def adjust(game: LocalGame, player: PlayerId, reputation: int = 0, **influence: int) -> None:
    at = game.now()
    if reputation:
        await game.execute(
            AdjustReputation(actor=PlayerId("admin"), at=at, player=player, delta=reputation)
        )
    for faction, delta in influence.items():
        await game.execute(
            AdjustInfluence(
                actor=PlayerId("admin"), at=at, player=player, faction=Faction(faction), delta=delta
            )
        )


# --- /submit_theory -----------------------------------------------------------------------------


async def test_submit_theory_puts_it_on_the_record() -> None:
    game = LocalGame()
    reply = await call(
        game,
        "submit_theory",
        theory="  Bronze Age flight  ",
        confidence="Certain",
        supporters="ironquill, s.zathras",
        deadline=10,
    )
    data = ok(reply)
    assert reply.public
    assert reply.title == "Theory T-1 is on the record"
    assert data["theory_id"] == "T-1"
    assert data["confidence"] == "certain"
    assert data["supporters"] == ["s.ironquill", "s.zathras"]
    assert (data["reward"], data["penalty"]) == (5, -7)
    assert data["deadline"] == "2026-01-11T00:00:00Z"
    theory = game.state().theories[TheoryId("T-1")]
    assert theory.text == "Bronze Age flight"
    assert theory.player == ALICE
    assert game.state().players[ALICE].display_name == "Alice"


async def test_submit_theory_defaults_to_a_seven_day_deadline() -> None:
    game = LocalGame()
    data = ok(await call(game, "submit_theory", theory="Tin came by sea", confidence="suspect"))
    assert data["deadline"] == "2026-01-08T00:00:00Z"
    assert data["supporters"] == []


@pytest.mark.parametrize(
    ("options", "code", "needle"),
    [
        ({"theory": "x", "confidence": "sure"}, "invalid_input", "Option `confidence`"),
        ({"confidence": "certain"}, "invalid_input", "needs the option `theory`"),
        ({"theory": "x" * 301, "confidence": "certain"}, "invalid_input", "at most 300"),
        ({"theory": "   ", "confidence": "certain"}, "invalid_input", "must not be blank"),
        (
            {"theory": "x", "confidence": "certain", "supporters": "s.nobody"},
            "not_found",
            "Scholar `s.nobody` does not exist; /roster lists them",
        ),
        (
            {"theory": "x", "confidence": "certain", "supporters": "zathras, Zathras"},
            "invalid_input",
            "s.zathras is named twice",
        ),
        ({"theory": "x", "confidence": "certain", "deadline": 31}, "invalid_input", "at most 30"),
        ({"theory": "x", "confidence": "certain", "deadline": 0}, "invalid_input", "at least 1"),
    ],
)
async def test_submit_theory_refusals_change_nothing(
    options: dict[str, object], code: str, needle: str
) -> None:
    game = LocalGame()
    before = game.state()
    refused(await call(game, "submit_theory", **options), code, needle)
    assert game.state() is before


# --- /launch_expedition -------------------------------------------------------------------------


async def test_launch_expedition_charges_the_funders_and_cites_a_theory() -> None:
    game = await joined(ALICE)
    employ(game, FREE, ALICE, Faction.ACADEMIA)
    ok(await call(game, "submit_theory", theory="Bronze Age flight", confidence="suspect"))
    reply = await call(
        game,
        "launch_expedition",
        code="dig-1",
        objective="Find the bronze wing",
        expedition_type="field",
        confidence="certain",
        team=FREE,
        funding="government, industry",
        theory="1",
    )
    data = ok(reply)
    assert reply.public
    assert data["code"] == "DIG-1"
    assert data["type"] == "field"
    assert data["team"] == [FREE]
    assert data["funding"] == ["government", "industry"]
    assert data["paid"] == {"government": 1, "industry": 1}
    assert data["cost"] == 2
    assert data["theory"] == "T-1"
    assert data["modifier"] == data["prep"] + data["expertise"] + data["friction"]
    assert data["friction"] == -5  # field site; both funders hold 2
    expedition = game.state().expeditions[ExpeditionCode("DIG-1")]
    assert expedition.status is ExpeditionStatus.PENDING
    assert expedition.theory == TheoryId("T-1")
    influence = game.state().players[ALICE].influence
    assert (influence[Faction.GOVERNMENT], influence[Faction.INDUSTRY]) == (1, 1)


async def test_launch_expedition_without_funding_uses_the_default_funders() -> None:
    game = LocalGame()
    data = ok(
        await call(
            game,
            "launch_expedition",
            code="TT",
            objective="Read the tablets",
            expedition_type="think_tank",
            confidence="suspect",
        )
    )
    assert data["funding"] == ["academia"]
    assert data["paid"] == {"academia": 1}
    assert data["theory"] is None
    assert data["depth"] == "shallow"


async def _launch_refused(game: LocalGame, error: str, *needles: str, **options: object) -> None:
    base: dict[str, object] = {
        "code": "X-1",
        "objective": "Somewhere",
        "expedition_type": "think_tank",
        "confidence": "suspect",
    }
    before = game.state()
    refused(await call(game, "launch_expedition", **(base | options)), error, *needles)
    assert game.state() is before


async def test_launch_expedition_refusals_change_nothing() -> None:
    game = await joined(ALICE, BOB)
    ok(await call(game, "submit_theory", BOB, theory="Bob's idea", confidence="suspect"))
    ok(
        await call(
            game,
            "launch_expedition",
            code="TAKEN",
            objective="First",
            expedition_type="think_tank",
            confidence="suspect",
        )
    )
    await _launch_refused(game, "conflict", "TAKEN is already taken", code="taken")
    await _launch_refused(game, "invalid_input", "code is 1 to 24", code="no spaces!")
    await _launch_refused(game, "invalid_input", "Option `expedition_type`", expedition_type="raid")
    await _launch_refused(
        game, "permission_denied", "needs reputation 10", expedition_type="great_project"
    )
    await _launch_refused(game, "permission_denied", "does not work for you", team="ironquill")
    await _launch_refused(game, "not_found", "Theory `T-9` does not exist", theory="T-9")
    await _launch_refused(game, "permission_denied", "T-1 is not yours", theory="T-1")
    await _launch_refused(game, "invalid_input", "at most 3 values", funding="academia," * 4)
    await _launch_refused(
        game,
        "insufficient_influence",
        "Not enough academia influence: 2 needed, 1 held (short by 1)",
        expedition_type="field",
        funding="academia",
    )


# --- /conference --------------------------------------------------------------------------------


async def test_conference_debates_your_open_theory() -> None:
    game = LocalGame()
    ok(await call(game, "submit_theory", theory="Bronze Age flight", confidence="suspect"))
    reply = await call(
        game,
        "conference",
        theory_id="t-1",
        confidence="certain",
        supporters="ironquill, zathras",
        opposition="s.blackstone",
    )
    data = ok(reply)
    assert reply.public
    assert data["code"] == "CONF-1"
    assert data["theory"] == "T-1"
    assert data["supporters"] == ["s.ironquill", "s.zathras"]
    assert data["opposition"] == ["s.blackstone"]
    assert data["cost"] == {"academia": 1}
    assert data["modifier"] == 5
    assert "d100 + 5" in reply.body
    assert game.state().players[ALICE].influence[Faction.ACADEMIA] == 1


async def test_conference_refusals_change_nothing() -> None:
    game = await joined(ALICE, BOB)
    ok(await call(game, "submit_theory", theory="Mine", confidence="suspect"))
    ok(await call(game, "submit_theory", BOB, theory="Bob's", confidence="suspect"))
    ok(await call(game, "submit_theory", theory="Also mine", confidence="suspect"))
    cases: list[tuple[dict[str, object], str, str]] = [
        ({"theory_id": "T-9"}, "not_found", "Theory `T-9` does not exist"),
        ({"theory_id": "T-2"}, "permission_denied", "only its author"),
        (
            {"theory_id": "T-1", "supporters": "zathras", "opposition": "zathras"},
            "invalid_input",
            "only once across supporters and opposition: s.zathras",
        ),
        ({"theory_id": "T-1", "supporters": "s.ghost"}, "not_found", "Scholar `s.ghost`"),
    ]
    for options, code, needle in cases:
        before = game.state()
        reply = await call(game, "conference", confidence="suspect", **options)
        refused(reply, code, needle)
        assert game.state() is before
    ok(await call(game, "conference", theory_id="T-1", confidence="suspect"))
    before = game.state()
    refused(
        await call(game, "conference", theory_id="T-1", confidence="suspect"),
        "conflict",
        "already has a conference pending (CONF-1)",
    )
    refused(
        await call(game, "conference", theory_id="T-3", confidence="suspect"),
        "conflict",
        "one conference per digest",
    )
    assert game.state() is before


async def test_conference_refused_without_academia_influence() -> None:
    game = await joined(ALICE)
    await adjust(game, ALICE, academia=-2)
    ok(await call(game, "submit_theory", theory="Mine", confidence="suspect"))
    before = game.state()
    refused(
        await call(game, "conference", theory_id="T-1", confidence="suspect"),
        "insufficient_influence",
        "academia",
    )
    assert game.state() is before


# --- /theory_reference ----------------------------------------------------------------------------


async def test_theory_reference_lists_recent_theories_newest_first() -> None:
    game = await joined(ALICE, BOB)
    ok(await call(game, "submit_theory", theory="First", confidence="suspect", deadline=3))
    game.advance(86_400)
    ok(await call(game, "submit_theory", BOB, theory="Second", confidence="certain"))
    reply = await call(game, "theory_reference")
    data = ok(reply)
    assert not reply.ephemeral
    assert [t["id"] for t in data["theories"]] == ["T-2", "T-1"]
    first = data["theories"][1]
    assert (first["status"], first["days_left"], first["player"]) == ("open", 2, ALICE)
    assert "T-2 · Bob · certain · 7 days left" in reply.body
    assert [t["id"] for t in ok(await call(game, "theory_reference", limit=1))["theories"]] == [
        "T-2"
    ]
    refused(await call(game, "theory_reference", limit=21), "invalid_input", "at most 20")


async def test_theory_reference_with_no_theories_says_how_to_start() -> None:
    reply = await call(LocalGame(), "theory_reference")
    assert ok(reply)["theories"] == []
    assert "/submit_theory" in reply.body


# --- /recruit and /recruit_odds -----------------------------------------------------------------


async def test_recruit_reports_the_draw_and_applies_it() -> None:
    game = LocalGame()
    reply = await call(game, "recruit", scholar_id="s.proc-001", faction="academia")
    data = ok(reply)
    assert reply.public
    assert data["scholar"] == FREE
    assert data["faction"] == "academia"
    assert data["chance"] == pytest.approx(0.7)  # 0.6 + 0.05 x 2 academia
    assert data["success"] is (data["roll"] < data["chance"])
    assert data["cooldown"] == 2
    record = game.state().scholars[FREE]
    if data["success"]:
        assert record.contract.employer == ALICE
        assert data["influence_gained"] == {"academia": 1}
    else:
        assert record.contract.kind is EmployerKind.INDEPENDENT
        assert record.memory.feelings[player_key(ALICE)] == -1.0
    assert game.state().players[ALICE].cooldowns == {"recruitment": 2}


async def test_recruit_refusals_change_nothing() -> None:
    game = await joined(ALICE, BOB)
    employ(game, OTHER, BOB, Faction.INDUSTRY)
    cases: list[tuple[dict[str, object], str, str]] = [
        ({"scholar_id": "s.proc-002"}, "conflict", "works for Bob"),
        ({"scholar_id": "nobody"}, "not_found", "Scholar `nobody` does not exist"),
        ({"scholar_id": "s.proc-001", "faction": "church"}, "invalid_input", "Option `faction`"),
    ]
    for options, code, needle in cases:
        before = game.state()
        refused(await call(game, "recruit", **({"faction": "academia"} | options)), code, needle)
        assert game.state() is before
    await adjust(game, ALICE, reputation=-11)
    before = game.state()
    refused(
        await call(game, "recruit", scholar_id="s.proc-001", faction="academia"),
        "permission_denied",
        "needs reputation -10 or more; yours is -11",
    )
    assert game.state() is before


async def test_recruit_odds_shows_every_faction_and_changes_nothing() -> None:
    game = await joined(ALICE)
    await adjust(game, ALICE, industry=2)  # industry 4: 0.6 + 0.2
    before = game.state()
    reply = await call(game, "recruit_odds", scholar_id="s.proc-001")
    data = ok(reply)
    assert reply.ephemeral
    assert game.state() is before
    assert data["odds"][0] == {"faction": "industry", "chance": 0.8}
    assert {o["faction"] for o in data["odds"]} == {f.value for f in Faction}
    assert sorted((o["chance"] for o in data["odds"]), reverse=True) == [
        o["chance"] for o in data["odds"]
    ]
    assert data["cooldown"] is False
    assert "industry (Industry): 80%" in reply.body


async def test_recruit_odds_for_a_newcomer_and_after_a_cooldown() -> None:
    game = LocalGame()
    data = ok(await call(game, "recruit_odds", scholar_id="s.proc-001"))
    assert data["odds"][0]["chance"] == pytest.approx(0.7)
    assert ALICE not in game.state().players  # a preview does not join anyone
    ok(await call(game, "recruit", scholar_id="s.proc-001", faction="academia"))
    data = ok(await call(game, "recruit_odds", scholar_id="s.proc-002"))
    assert data["cooldown"] is True
    held = game.state().players[ALICE].influence
    halved = {o["faction"]: o["chance"] for o in data["odds"]}
    assert halved == {f.value: pytest.approx(0.3 + 0.05 * held[f]) for f in Faction}


async def test_recruit_odds_refuses_what_recruit_refuses() -> None:
    game = await joined(ALICE, BOB)
    employ(game, OTHER, BOB, Faction.INDUSTRY)
    employ(game, FREE, ALICE, Faction.ACADEMIA)
    refused(await call(game, "recruit_odds", scholar_id="s.proc-002"), "conflict", "works for Bob")
    refused(await call(game, "recruit_odds", scholar_id="s.proc-001"), "conflict", "works for you")
    refused(await call(game, "recruit_odds", scholar_id="zz"), "not_found", "Scholar `zz`")


# --- /mentor and /assign_lab ---------------------------------------------------------------------


async def test_mentor_then_assign_lab_once_active() -> None:
    game = LocalGame()
    reply = await call(game, "mentor", scholar_id="s.proc-001")
    data = ok(reply)
    assert reply.public
    assert (data["mentorship"], data["scholar"], data["status"]) == ("M-1", FREE, "pending")
    refused(
        await call(game, "assign_lab", scholar_id="s.proc-001", career_track="industry"),
        "permission_denied",
        "active mentor",
    )
    await game.run_digest(PlayerId("clock"))
    assert game.state().mentorships[next(iter(game.state().mentorships))].status is (
        MentorshipStatus.ACTIVE
    )
    data = ok(await call(game, "assign_lab", scholar_id="s.proc-001", career_track="Industry"))
    assert (data["track"], data["tier"], data["ticks"]) == ("Industry", "Associate", 0)
    assert game.state().scholars[FREE].career.track == "Industry"


async def test_mentor_refusals_change_nothing() -> None:
    game = await joined(ALICE, BOB)
    employ(game, OTHER, BOB, Faction.INDUSTRY)
    ok(await call(game, "mentor", BOB, scholar_id="s.proc-003"))
    cases: list[tuple[dict[str, object], str, str]] = [
        ({"scholar_id": "s.proc-002"}, "permission_denied", "works for Bob; only their employer"),
        ({"scholar_id": "s.proc-003"}, "conflict", "already has a pending mentorship"),
        ({"scholar_id": "s.morrison"}, "invalid_input", "top of the Academia ladder"),
        ({"scholar_id": "s.proc-001", "career_track": "law"}, "invalid_input", "career_track"),
        ({"scholar_id": "s.nobody"}, "not_found", "Scholar `s.nobody`"),
    ]
    for options, code, needle in cases:
        before = game.state()
        refused(await call(game, "mentor", **options), code, needle)
        assert game.state() is before


# --- /scholar, /roster, /set_nickname -------------------------------------------------------------


async def test_scholar_profile_shows_traits_memory_and_feeling_toward_you() -> None:
    game = await joined(ALICE)
    employ(game, FREE, ALICE, Faction.ACADEMIA)
    ok(await call(game, "set_nickname", scholar_id="s.proc-001", nickname="Otti"))
    state = game.state()
    record = state.scholars[FREE]
    memory = dataclasses.replace(record.memory, feelings={player_key(ALICE): 3.5})
    game._state = dataclasses.replace(
        state, scholars={**state.scholars, FREE: dataclasses.replace(record, memory=memory)}
    )
    reply = await call(game, "scholar", scholar_id="s.proc-001")
    data = ok(reply)
    assert reply.ephemeral
    assert data["id"] == FREE
    assert data["employer"] == {
        "id": ALICE,
        "name": "Alice",
        "kind": "player",
        "faction": "academia",
        "term_years": 3,
    }
    assert data["feeling"] == 3.5
    assert data["relationship"] == pytest.approx(0.07)
    assert data["nicknames"][0]["nickname"] == "Otti"
    assert set(data["stats"]) == {
        "talent",
        "reliability",
        "integrity",
        "theatrics",
        "loyalty",
        "risk",
    }
    assert data["career"]["tier"] == "Postdoc"
    assert "Toward you: devoted (+3.5)" in reply.body
    assert "Employer: Alice under the academia banner." in reply.body


async def test_scholar_profile_of_a_legend_and_of_nobody() -> None:
    game = LocalGame()
    data = ok(await call(game, "scholar", scholar_id="Ironquill"))
    assert data["legend"] is True
    assert data["employer"]["kind"] == "institution"
    assert data["feeling"] == 0
    assert data["facts"] == []
    refused(await call(game, "scholar", scholar_id="s.12"), "not_found", "/roster lists them")


async def test_roster_lists_every_scholar_with_employer_and_career() -> None:
    game = await joined(ALICE)
    employ(game, FREE, ALICE, Faction.ACADEMIA)
    reply = await call(game, "roster")
    data = ok(reply)
    assert reply.ephemeral
    assert len(data["scholars"]) == len(game.state().scholars) == 20
    mine = next(s for s in data["scholars"] if s["id"] == FREE)
    assert (mine["employer"], mine["employer_kind"], mine["faction"]) == (
        "Alice",
        "player",
        "academia",
    )
    assert mine["tier"] == "Postdoc"
    names = [s["name"].strip('"').lower() for s in data["scholars"]]
    assert names == sorted(names)


async def test_set_nickname_keeps_the_last_five() -> None:
    game = LocalGame()
    for i in range(6):
        reply = await call(game, "set_nickname", scholar_id="zathras", nickname=f"Z{i}")
    data = ok(reply)
    assert reply.public
    assert data["nickname"] == "Z5"
    assert data["nicknames"] == ["Z1", "Z2", "Z3", "Z4", "Z5"]
    assert len(game.state().scholars[ScholarId("s.zathras")].nicknames) == 5


async def test_set_nickname_refusals_change_nothing() -> None:
    game = LocalGame()
    ok(await call(game, "set_nickname", scholar_id="zathras", nickname="Zed"))
    cases: list[tuple[dict[str, object], str, str]] = [
        ({"scholar_id": "zathras", "nickname": " "}, "invalid_input", "must not be blank"),
        ({"scholar_id": "zathras", "nickname": "n" * 65}, "invalid_input", "at most 64"),
        ({"scholar_id": "s.ghost", "nickname": "Boo"}, "not_found", "Scholar `s.ghost`"),
        ({"scholar_id": "zathras", "nickname": "zed"}, "conflict", "already known as 'Zed'"),
    ]
    for options, code, needle in cases:
        before = game.state()
        refused(await call(game, "set_nickname", **options), code, needle)
        assert game.state() is before


async def test_a_settled_theory_shows_in_the_reference() -> None:
    game = LocalGame()
    ok(await call(game, "submit_theory", theory="Short-lived", confidence="suspect", deadline=1))
    game.advance(2 * 86_400)
    await game.run_digest(PlayerId("clock"))
    assert game.state().theories[TheoryId("T-1")].status is TheoryStatus.LAPSED
    data = ok(await call(game, "theory_reference"))
    assert data["theories"][0]["status"] == "lapsed"
    assert data["theories"][0]["days_left"] is None
