"""Expeditions: launch checks, D4 modifiers, D5 funding, resolution, cancel and refund.

Section 9 scenarios 1-5. Where section 0 changes the reference:
- D4: modifiers are computed, so scenario 2's "think_tank +30" is a prep of +30 earned by three
  think tanks citing the same theory that resolved partial or better in the last 7 days.
- D5/D6 replace scenario 5: a new player starts with 2 in each faction, funding pays the cost
  instead of granting influence, and ``foreign,foreign`` is refused as a duplicate.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import pytest

from greatwork.rules import expedition as expedition_module
from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.command import Context
from greatwork.rules.constants import DAY, Confidence, Depth, ExpeditionType, Faction, Outcome
from greatwork.rules.defection import plateau
from greatwork.rules.errors import (
    Conflict,
    InsufficientInfluence,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RuleError,
)
from greatwork.rules.event import Tx, apply_all
from greatwork.rules.expedition import (
    ExpeditionCancelled,
    ExpeditionLaunched,
    ExpeditionResolved,
    LaunchExpedition,
    cancel_expedition,
    compute_modifiers,
    outcome_for,
    resolve_pending,
    split_cost,
    wager_delta,
)
from greatwork.rules.expedition_rules import depth_for, names_expertise
from greatwork.rules.ids import ExpeditionCode, Instant, PlayerId, ScholarId, TheoryId
from greatwork.rules.memory import player_key
from greatwork.rules.state import (
    CampaignState,
    Contract,
    EmployerKind,
    Expedition,
    ExpeditionResult,
    ExpeditionStatus,
    Sidecast,
    SidecastKind,
    TheoryStatus,
)
from greatwork.rules.theory import spawn_theory
from tests.rules.builders import (
    T0,
    FixedRandom,
    ctx,
    influence,
    make_player,
    make_scholar,
    make_state,
    run,
    tiny_content,
)

P1 = PlayerId("p1")
P2 = PlayerId("p2")
LATER = Instant(T0 + DAY)
NO_SIDEWAYS = tiny_content(sideways=())


@dataclasses.dataclass
class Calls:
    """What the fake peer modules were asked to do."""

    attended: list[tuple[ScholarId, PlayerId]] = dataclasses.field(default_factory=list)
    sidecasts: list[tuple[PlayerId, Outcome, str]] = dataclasses.field(default_factory=list)


@pytest.fixture
def peers(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Stand-ins for helper A's sidecast module, recording the calls this module makes."""
    calls = Calls()

    def attend(tx: Tx, scholar: ScholarId, player: PlayerId, at: Instant) -> None:
        del tx, at
        calls.attended.append((scholar, player))

    def maybe_spawn_sidecast(*args: Any) -> None:
        _, _, leader, outcome, _, code = args
        calls.sidecasts.append((leader, outcome, code))

    monkeypatch.setattr(expedition_module, "attend", attend)
    monkeypatch.setattr(expedition_module, "maybe_spawn_sidecast", maybe_spawn_sidecast)
    return calls


def employed(sid: str, player: PlayerId = P1, **kw: Any) -> Any:
    contract = Contract(employer=player, kind=EmployerKind.PLAYER, term_years=2)
    return make_scholar(sid, contract=contract, **kw)


def launch(**kw: Any) -> LaunchExpedition:
    fields: dict[str, Any] = {
        "code": "ax-1",
        "objective": "Map the drowned temple",
        "expedition_type": ExpeditionType.THINK_TANK,
        "confidence": Confidence.CERTAIN,
        "actor": P1,
        "at": T0,
    }
    fields.update(kw)
    return LaunchExpedition(**fields)


def resolve(
    state: CampaignState, ints: list[int], content: Any = NO_SIDEWAYS, digest: int = 1
) -> Tx:
    tx = Tx(state)
    resolve_pending(tx, ctx(FixedRandom(ints=ints), content), LATER, digest)
    return tx


def launched(state: CampaignState, **kw: Any) -> CampaignState:
    return run(state, launch(**kw)).state


def seeded(state: CampaignState, confidence: Confidence, **kw: Any) -> CampaignState:
    """A pending expedition put straight into the state (bypassing the launch checks)."""
    fields: dict[str, Any] = {
        "code": ExpeditionCode("AX-1"),
        "player": P1,
        "type": ExpeditionType.THINK_TANK,
        "objective": "Map the drowned temple",
        "confidence": confidence,
        "launched_at": T0,
    }
    fields.update(kw)
    expedition = Expedition(**fields)
    return dataclasses.replace(
        state, expeditions={**state.expeditions, expedition.code: expedition}
    )


def one(tx: Tx, code: str = "AX-1") -> ExpeditionResult:
    result = tx.state.expeditions[ExpeditionCode(code)].result
    assert result is not None
    return result


# --- section 9 scenarios 1-3: wagers, bands, clamps --------------------------------------


@pytest.mark.parametrize(
    ("confidence", "roll", "delta"),
    [
        (Confidence.CERTAIN, 70, 5),
        (Confidence.CERTAIN, 50, 2),
        (Confidence.CERTAIN, 30, -7),
        (Confidence.STAKE_MY_CAREER, 70, 15),
        (Confidence.STAKE_MY_CAREER, 50, 7),
        (Confidence.STAKE_MY_CAREER, 30, -25),
        (Confidence.SUSPECT, 70, 2),
        (Confidence.SUSPECT, 50, 1),
        (Confidence.SUSPECT, 30, -1),
    ],
)
def test_scenario_1_wager_table(
    peers: Calls, confidence: Confidence, roll: int, delta: int
) -> None:
    del peers
    state = launched(make_state([make_player()]), confidence=confidence)
    tx = resolve(state, [roll, 1])  # the second int is the failure-table draw
    assert one(tx).final == roll  # a think tank funded by academia 2: every modifier is 0
    assert one(tx).reputation_delta == delta
    assert tx.state.players[P1].reputation == delta


@pytest.mark.parametrize(
    ("roll", "outcome"),
    [
        (39, Outcome.FAILURE),
        (40, Outcome.PARTIAL),
        (64, Outcome.PARTIAL),
        (65, Outcome.SUCCESS),
        (84, Outcome.SUCCESS),
        (85, Outcome.LANDMARK),
    ],
)
def test_scenario_2_bands(peers: Calls, roll: int, outcome: Outcome) -> None:
    del peers
    assert outcome_for(roll) is outcome
    state = launched(make_state([make_player()]))
    assert one(resolve(state, [roll, 1])).outcome is outcome


def _prior_think_tanks(state: CampaignState, theory: TheoryId, outcomes: list[Outcome]) -> Any:
    """Seed resolved think tanks of p1 citing ``theory`` (the D4 preparation)."""
    expeditions = dict(state.expeditions)
    for n, outcome in enumerate(outcomes):
        code = ExpeditionCode(f"PREP-{n}")
        result = ExpeditionResult(
            roll=60, final=60, outcome=outcome, reputation_delta=0, resolved_at=T0, digest=0
        )
        expeditions[code] = Expedition(
            code=code,
            player=P1,
            type=ExpeditionType.THINK_TANK,
            objective="prep",
            confidence=Confidence.SUSPECT,
            launched_at=Instant(T0 - DAY),
            theory=theory,
            status=ExpeditionStatus.RESOLVED,
            result=result,
        )
    return dataclasses.replace(state, expeditions=expeditions)


def _state_with_theory(**player: Any) -> CampaignState:
    tx = Tx(make_state([make_player(**player)]))
    spawn_theory(tx, P1, "Bronze came by sea", Confidence.SUSPECT, T0, origin="player")
    return tx.state


def test_scenario_2_roll_20_with_prep_30_is_partial(peers: Calls) -> None:
    del peers
    theory = TheoryId("T-1")
    state = _prior_think_tanks(_state_with_theory(), theory, [Outcome.PARTIAL] * 3)
    state = launched(state, theory=theory)
    expedition = state.expeditions[ExpeditionCode("AX-1")]
    assert (expedition.prep, expedition.modifier, expedition.depth) == (30, 30, Depth.DEEP)
    result = one(resolve(state, [20]))
    assert (result.roll, result.final, result.outcome) == (20, 50, Outcome.PARTIAL)


@pytest.mark.parametrize(("reputation", "roll", "after"), [(45, 70, 50), (-40, 10, -50)])
def test_scenario_3_clamps(peers: Calls, reputation: int, roll: int, after: int) -> None:
    del peers
    # Seeded, not launched: reputation -40 is below every expedition gate.
    state = seeded(make_state([make_player(reputation=reputation)]), Confidence.STAKE_MY_CAREER)
    tx = resolve(state, [roll, 1])
    assert tx.state.players[P1].reputation == after
    assert one(tx).reputation_delta == after - reputation
    assert tx.state.players[P1].cooldowns["recruitment"] == 2  # a stake, whatever the outcome


# --- scenario 4: thresholds --------------------------------------------------------------


def test_scenario_4_great_project_gate() -> None:
    state = make_state([make_player(reputation=9)])
    with pytest.raises(PermissionDenied, match="reputation 10") as refused:
        run(state, launch(expedition_type=ExpeditionType.GREAT_PROJECT))
    assert refused.value.data["gate"] == "great_project_expedition"
    accepted = run(
        make_state([make_player(reputation=10)]),
        launch(expedition_type=ExpeditionType.GREAT_PROJECT),
    ).state
    assert accepted.players[P1].influence == influence(
        academia=0, government=0, industry=0, religion=2, foreign=2
    )
    assert accepted.expeditions[ExpeditionCode("AX-1")].paid == {
        Faction.ACADEMIA: 2,
        Faction.GOVERNMENT: 2,
        Faction.INDUSTRY: 2,
    }


@pytest.mark.parametrize("kind", [ExpeditionType.THINK_TANK, ExpeditionType.FIELD])
def test_scenario_4_low_reputation_refuses_think_tank_and_field(kind: ExpeditionType) -> None:
    with pytest.raises(PermissionDenied):
        run(make_state([make_player(reputation=-6)]), launch(expedition_type=kind))


def test_think_tank_gate_is_minus_five() -> None:
    state = launched(make_state([make_player(reputation=-5)]))
    assert ExpeditionCode("AX-1") in state.expeditions


# --- scenario 5 and D5: costs and funding ------------------------------------------------


def test_scenario_5_costs_under_d5_d6(peers: Calls) -> None:
    del peers
    state = launched(make_state(), expedition_type=ExpeditionType.FIELD)  # a new player
    assert state.players[P1].influence == influence(
        academia=1, government=1, industry=2, religion=2, foreign=2
    )
    tx = resolve(state, [70])
    assert one(tx).outcome is Outcome.SUCCESS
    assert tx.state.players[P1].influence == influence(
        academia=1, government=2, industry=3, religion=2, foreign=2
    )


def test_scenario_5_duplicate_funding_is_refused() -> None:
    with pytest.raises(InvalidInput, match="foreign is listed twice"):
        run(
            make_state([make_player()]),
            launch(expedition_type=ExpeditionType.FIELD, funding=(Faction.FOREIGN,) * 2),
        )


@pytest.mark.parametrize(
    ("total", "funders", "paid"),
    [
        (
            6,
            ("academia", "government", "industry"),
            {"academia": 2, "government": 2, "industry": 2},
        ),
        (6, ("religion", "foreign"), {"religion": 3, "foreign": 3}),
        (2, ("foreign",), {"foreign": 2}),
        (2, ("industry", "academia"), {"industry": 1, "academia": 1}),
        (2, ("religion", "academia", "foreign"), {"religion": 1, "academia": 1}),
        (1, ("government", "academia"), {"government": 1}),
    ],
)
def test_split_cost(total: int, funders: tuple[str, ...], paid: dict[str, int]) -> None:
    assert split_cost(total, tuple(Faction(f) for f in funders)) == {
        Faction(k): v for k, v in paid.items()
    }


def test_listed_funders_pay_instead_of_the_defaults() -> None:
    player = make_player(reputation=10, influence=influence(religion=3, foreign=3))
    state = launched(
        make_state([player]),
        expedition_type=ExpeditionType.GREAT_PROJECT,
        funding=(Faction.RELIGION, Faction.FOREIGN),
    )
    assert state.players[P1].influence == influence()
    expedition = state.expeditions[ExpeditionCode("AX-1")]
    assert expedition.funding == (Faction.RELIGION, Faction.FOREIGN)
    assert expedition.paid == {Faction.RELIGION: 3, Faction.FOREIGN: 3}


def test_a_faction_that_cannot_pay_refuses_the_launch_naming_it() -> None:
    player = make_player(influence=influence(academia=5, government=0))
    with pytest.raises(InsufficientInfluence, match="government") as refused:
        run(make_state([player]), launch(expedition_type=ExpeditionType.FIELD))
    assert refused.value.data["faction"] == Faction.GOVERNMENT
    assert refused.value.data["shortfall"] == 1


def test_more_than_three_funders_is_refused() -> None:
    funders = (Faction.ACADEMIA, Faction.GOVERNMENT, Faction.INDUSTRY, Faction.RELIGION)
    with pytest.raises(InvalidInput, match="At most 3"):
        run(make_state([make_player()]), launch(funding=funders))


# --- D4: computed modifiers --------------------------------------------------------------


def test_prep_counts_only_recent_good_think_tanks_of_the_leader_citing_the_theory() -> None:
    theory = TheoryId("T-1")
    state = _prior_think_tanks(
        _state_with_theory(), theory, [Outcome.PARTIAL, Outcome.LANDMARK, Outcome.FAILURE]
    )
    mods = compute_modifiers(state, P1, ExpeditionType.FIELD, (), (), T0, theory=theory)
    assert mods.prep == 20  # the failure does not count
    assert compute_modifiers(state, P1, ExpeditionType.FIELD, (), (), T0).prep == 0
    stale = Instant(T0 + 7 * DAY + 1)
    assert (
        compute_modifiers(state, P1, ExpeditionType.FIELD, (), (), stale, theory=theory).prep == 0
    )
    other = dataclasses.replace(state, players={**state.players, P2: make_player("p2")})
    assert compute_modifiers(other, P2, ExpeditionType.FIELD, (), (), T0, theory=theory).prep == 0
    pending = dataclasses.replace(
        state.expeditions[ExpeditionCode("PREP-0")], status=ExpeditionStatus.PENDING
    )
    fewer = dataclasses.replace(state, expeditions={**state.expeditions, pending.code: pending})
    assert compute_modifiers(fewer, P1, ExpeditionType.FIELD, (), (), T0, theory=theory).prep == 10


def test_prep_is_capped_at_30() -> None:
    theory = TheoryId("T-1")
    state = _prior_think_tanks(_state_with_theory(), theory, [Outcome.SUCCESS] * 5)
    mods = compute_modifiers(state, P1, ExpeditionType.THINK_TANK, (), (), T0, theory=theory)
    assert mods.prep == 30
    assert mods.total == 30 + mods.expertise + mods.friction


def test_expertise_counts_scholars_whose_field_the_objective_names() -> None:
    team = [
        employed("s.a", disciplines=("Archaeology",), methods=("survey and trench",)),
        employed("s.b", disciplines=("Epigraphy",), methods=("textual analysis",)),
        employed("s.c", disciplines=("Metallurgy",), methods=("oral history",)),
        employed("s.d", disciplines=("Archaeology",), methods=()),
        employed("s.e", disciplines=("Art",), methods=()),
    ]
    state = make_state([make_player()], team)
    ids = tuple(s.id for s in team)

    def expertise(objective: str, members: tuple[ScholarId, ...] = ids) -> int:
        return compute_modifiers(
            state, P1, ExpeditionType.FIELD, members, (), T0, objective=objective
        ).expertise

    assert expertise("Cartography of the delta") == 0  # "art" is not a whole word here
    assert expertise("Experimental ARCHAEOLOGY of kilns") == 10
    assert expertise("Textual analysis of the archaeology") == 15
    assert expertise("Archaeology, epigraphy and oral history of the art") == 15  # cap
    assert expertise("Archaeology", ids[:1]) == 5
    assert names_expertise(team[0], "a Survey And Trench campaign")


@pytest.mark.parametrize(
    ("kind", "balances", "funding", "friction"),
    [
        (ExpeditionType.THINK_TANK, {"academia": 2}, (), 0),
        (ExpeditionType.THINK_TANK, {"academia": 1}, (), -5),
        (ExpeditionType.FIELD, {"academia": 2, "government": 2}, (), -5),
        (ExpeditionType.FIELD, {"academia": 1, "government": 0}, (), -15),
        (ExpeditionType.GREAT_PROJECT, {"academia": 3}, (), -20),
        (ExpeditionType.GREAT_PROJECT, {}, ("religion", "foreign", "industry"), -25),
        (ExpeditionType.GREAT_PROJECT, {}, ("religion", "foreign", "industry", "academia"), -25),
    ],
)
def test_friction(
    kind: ExpeditionType, balances: dict[str, int], funding: tuple[str, ...], friction: int
) -> None:
    from greatwork.rules.constants import DEFAULT_FUNDING  # noqa: PLC0415

    state = make_state([make_player(influence=influence(**balances))])
    funders = tuple(Faction(f) for f in funding) or DEFAULT_FUNDING[kind]
    assert compute_modifiers(state, P1, kind, (), funders, T0).friction == friction


@pytest.mark.parametrize(
    ("prep", "expertise", "depth"),
    [
        (0, 0, Depth.SHALLOW),
        (10, 0, Depth.SHALLOW),
        (0, 14, Depth.SHALLOW),
        (10, 5, Depth.STANDARD),
        (20, 5, Depth.STANDARD),
        (20, 10, Depth.DEEP),
        (30, 15, Depth.DEEP),
    ],
)
def test_depth_bands(prep: int, expertise: int, depth: Depth) -> None:
    assert depth_for(prep, expertise) is depth


def test_launch_records_computed_modifiers_and_friction_uses_balances_before_paying() -> None:
    player = make_player(influence=influence(academia=2, government=2))
    scholar = employed("s.a", disciplines=("Archaeology",))
    state = launched(
        make_state([player], [scholar]),
        expedition_type=ExpeditionType.FIELD,
        objective="Archaeology of the salt road",
        team=(ScholarId("s.a"),),
    )
    expedition = state.expeditions[ExpeditionCode("AX-1")]
    assert (expedition.prep, expedition.expertise, expedition.friction) == (0, 5, -5)
    assert expedition.depth is Depth.SHALLOW
    assert expedition.modifier == 0


# --- launch checks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"code": "   "}, InvalidInput),
        ({"code": "x" * 25}, InvalidInput),
        ({"code": "ax 1"}, InvalidInput),
        ({"code": "ax/1"}, InvalidInput),
        ({"objective": "  "}, InvalidInput),
        ({"objective": "o" * 301}, InvalidInput),
        ({"team": (ScholarId("s.ghost"),)}, NotFound),
        ({"team": (ScholarId("s.a"), ScholarId("s.a"))}, InvalidInput),
        ({"team": tuple(ScholarId(f"s.{n}") for n in range(7))}, InvalidInput),
        ({"team": (ScholarId("s.rival"),)}, PermissionDenied),
        ({"team": (ScholarId("s.free"),)}, PermissionDenied),
        ({"theory": TheoryId("T-9")}, NotFound),
        ({"theory": TheoryId("T-2")}, PermissionDenied),
        ({"theory": TheoryId("T-3")}, Conflict),
    ],
)
def test_launch_refusals(kw: dict[str, Any], error: type[RuleError]) -> None:
    scholars = [employed(f"s.{n}") for n in range(7)]
    scholars += [employed("s.a"), employed("s.rival", P2), make_scholar("s.free")]
    tx = Tx(make_state([make_player(), make_player("p2")], scholars))
    spawn_theory(tx, P1, "Mine", Confidence.SUSPECT, T0, origin="player")
    spawn_theory(tx, P2, "Theirs", Confidence.SUSPECT, T0, origin="player")
    spawn_theory(tx, P1, "Old", Confidence.SUSPECT, Instant(T0 - 8 * DAY), origin="player")
    from greatwork.rules.theory import lapse_overdue  # noqa: PLC0415

    lapse_overdue(tx, T0)
    assert tx.state.theories[TheoryId("T-3")].status is TheoryStatus.LAPSED
    with pytest.raises(error):
        run(tx.state, launch(**kw))


def test_code_is_stored_upper_case_and_unique_forever(peers: Calls) -> None:
    del peers
    state = launched(make_state([make_player()]), code="  ax-1 ")
    assert ExpeditionCode("AX-1") in state.expeditions
    with pytest.raises(Conflict, match="AX-1"):
        run(state, launch(code="Ax-1"))
    resolved = resolve(state, [70]).state
    with pytest.raises(Conflict):
        run(resolved, launch(code="ax-1"))  # a resolved code is never reused
    assert launched(resolved, code="x_" + "y" * 22) is not None  # 24 characters is fine


def test_launch_attends_the_leaders_sidecasts_on_the_team(peers: Calls) -> None:
    sidecast = Sidecast(kind=SidecastKind.LOCAL_JUNIOR, sponsor=P1, spawned_at=T0)
    other = Sidecast(kind=SidecastKind.ARCHIVE_GHOST, sponsor=P2, spawned_at=T0)
    scholars = [
        employed("s.a", sidecast=sidecast),
        employed("s.b", sidecast=other),
        employed("s.c"),
    ]
    launched(make_state([make_player()], scholars), team=("s.a", "s.b", "s.c"))
    assert peers.attended == [("s.a", P1)]
    launched(make_state([make_player()], scholars), team=("s.c",))
    assert peers.attended == [("s.a", P1)]


def test_launch_attends_a_real_sidecast() -> None:
    from greatwork.rules.sidecast import SidecastAttended  # noqa: PLC0415

    arc = Sidecast(kind=SidecastKind.LOCAL_JUNIOR, sponsor=P1, spawned_at=T0, unattended_digests=2)
    result = run(
        make_state([make_player()], [employed("s.a", sidecast=arc)]), launch(team=("s.a",))
    )
    assert any(isinstance(e, SidecastAttended) for e in result.events)
    junior = result.state.scholars[ScholarId("s.a")].sidecast
    assert junior is not None
    assert junior.unattended_digests == 0


# --- resolution --------------------------------------------------------------------------


def test_resolution_consequences(peers: Calls) -> None:
    scholars = [employed("s.a"), employed("s.b")]
    state = launched(
        make_state([make_player()], scholars),
        team=(ScholarId("s.a"), ScholarId("s.b")),
        confidence=Confidence.STAKE_MY_CAREER,
    )
    state = launched(state, code="AX-2", at=Instant(T0 + 1))
    tx = resolve(state, [90, 10, 7])  # AX-1 landmark; AX-2 fails, failure draw 7 of 100
    first, second = one(tx, "AX-1"), one(tx, "AX-2")
    assert (first.outcome, first.failure, first.digest) == (Outcome.LANDMARK, None, 1)
    assert (second.outcome, second.failure) == (Outcome.FAILURE, "nothing")
    assert tx.state.players[P1].reputation == 15 - 7
    assert tx.state.players[P1].cooldowns["recruitment"] == 2
    assert tx.state.players[P1].influence[Faction.ACADEMIA] == 0 + 1  # paid 2, earned 1 once
    for sid in ("s.a", "s.b"):
        assert tx.state.scholars[ScholarId(sid)].memory.feelings[player_key(P1)] == 1.0
    assert [t.tag for t in tx.state.landmarks] == ["Map the drowned temple"]
    assert peers.sidecasts == [(P1, Outcome.LANDMARK, "AX-1")]
    assert all(e.status is ExpeditionStatus.RESOLVED for e in tx.state.expeditions.values())
    assert not resolve(tx.state, []).events  # nothing left pending


def test_failure_sours_the_team_and_draws_from_the_depth_table(peers: Calls) -> None:
    del peers
    state = launched(make_state([make_player()], [employed("s.a")]), team=(ScholarId("s.a"),))
    tx = resolve(state, [5, 100])
    assert one(tx).failure == "scandal"
    assert tx.state.scholars[ScholarId("s.a")].memory.feelings[player_key(P1)] == -2.0
    empty = tiny_content(sideways=(), failure_tables={})
    assert one(resolve(state, [5], content=empty)).failure is None


@pytest.mark.parametrize(("roll", "kind"), [(70, "discovery"), (5, "expedition")])
def test_the_team_remembers_the_expedition(peers: Calls, roll: int, kind: str) -> None:
    """Team members keep a fact of the work, which keeps them off the career plateau."""
    del peers
    state = launched(make_state([make_player()], [employed("s.a")]), team=(ScholarId("s.a"),))
    assert plateau(state.scholars[ScholarId("s.a")], LATER) == 0.2
    tx = resolve(state, [roll, 1])
    (fact,) = tx.state.scholars[ScholarId("s.a")].memory.facts
    assert (fact.kind, fact.subject, fact.at) == (kind, "AX-1", LATER)
    assert plateau(tx.state.scholars[ScholarId("s.a")], LATER) == 0.0


@pytest.mark.parametrize(
    ("roll", "status", "reputation"),
    [
        (70, TheoryStatus.VINDICATED, 5 + 2),
        (10, TheoryStatus.REFUTED, -7 - 1),
        (50, TheoryStatus.OPEN, 2),
    ],
)
def test_the_cited_theory_is_judged(
    peers: Calls, roll: int, status: TheoryStatus, reputation: int
) -> None:
    del peers
    state = launched(_state_with_theory(), theory=TheoryId("T-1"))
    tx = resolve(state, [roll, 1])
    theory = tx.state.theories[TheoryId("T-1")]
    assert theory.status is status
    assert tx.state.players[P1].reputation == reputation
    if status is not TheoryStatus.OPEN:
        assert theory.settled_by == "expedition:AX-1"


# --- cancel and refund -------------------------------------------------------------------


def test_cancel_refunds_exactly_what_was_paid() -> None:
    player = make_player(reputation=10, influence=influence(religion=9, foreign=3, academia=2))
    state = launched(
        make_state([player]),
        expedition_type=ExpeditionType.GREAT_PROJECT,
        funding=(Faction.RELIGION, Faction.FOREIGN),
    )
    assert state.players[P1].influence[Faction.RELIGION] == 6
    tx = Tx(state)
    cancel_expedition(tx, " ax-1", "admin", "flooded", LATER)
    assert tx.state.players[P1].influence == player.influence  # above the cap, given back
    assert tx.state.expeditions[ExpeditionCode("AX-1")].status is ExpeditionStatus.CANCELLED
    cancelled = tx.events[0]
    assert isinstance(cancelled, ExpeditionCancelled)
    assert cancelled.refund == {Faction.RELIGION: 3, Faction.FOREIGN: 3}
    with pytest.raises(Conflict):
        cancel_expedition(tx, "AX-1", "admin", "again", LATER)
    with pytest.raises(NotFound):
        cancel_expedition(tx, "NOPE", "admin", "missing", LATER)
    assert not resolve(tx.state, []).events  # a cancelled expedition never resolves


def test_cancel_with_nothing_paid_emits_no_refund() -> None:
    tx = Tx(seeded(make_state([make_player()]), Confidence.SUSPECT, code=ExpeditionCode("FREE")))
    cancel_expedition(tx, "free", "admin", "test", T0)
    assert len(tx.events) == 1


# --- replay and codec --------------------------------------------------------------------


def test_wager_delta_partial_is_at_least_one() -> None:
    assert wager_delta(Confidence.SUSPECT, Outcome.PARTIAL) == 1


def test_replay_and_round_trip(peers: Calls) -> None:
    del peers
    initial = make_state(
        [make_player(influence=influence(academia=5, government=2))], [employed("s.a")]
    )
    first = run(initial, launch(team=(ScholarId("s.a"),)))
    second = run(first.state, launch(code="AX-2", expedition_type=ExpeditionType.FIELD))
    third = run(second.state, launch(code="AX-3"))
    tx = Tx(third.state)
    cancel_expedition(tx, "AX-3", "admin", "test", T0)
    resolve_pending(tx, Context(tiny_content(), random.Random(3)), LATER, 1)
    events = (*first.events, *second.events, *third.events, *tx.events)
    assert apply_all(initial, events) == tx.state
    kinds = {type(e) for e in events}
    assert {ExpeditionLaunched, ExpeditionResolved, ExpeditionCancelled} <= kinds
    for event in events:
        assert decode_event(encode_event(event)) == event
