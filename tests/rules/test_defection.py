"""Defection: the curve (scenario 14), forced defections (Q-25 fixed) and their followups.

Section 0 changes the reference: a forced defection always happens (Q-25), and the return
followup never moves the employer back (D8, Q-41).
"""

from __future__ import annotations

import dataclasses

import pytest

from greatwork.rules import negotiation
from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.constants import DAY, Faction
from greatwork.rules.defection import (
    GRUDGE_ORDER,
    RETURN_ORDER,
    ScholarDefected,
    defection_probability,
    force_defection,
    logistic,
    plateau,
    schedule_grudge,
    walkout_penalty,
)
from greatwork.rules.errors import Conflict, InvalidInput, NotFound
from greatwork.rules.event import Tx, apply_all
from greatwork.rules.ids import Instant, PlayerId, ScholarId
from greatwork.rules.memory import employer_key, feeling
from greatwork.rules.order import STEP_FOLLOWUPS, pending, run_due
from greatwork.rules.state import (
    CampaignState,
    Contract,
    EmployerKind,
    Fact,
    Memory,
    OrderStatus,
    Stats,
)
from tests.rules.builders import T0, FixedRandom, ctx, make_player, make_scholar, make_state

ADMIN = PlayerId("admin")
P1 = PlayerId("p1")
SID = ScholarId("s.test")


@pytest.fixture(autouse=True)
def _no_relationship(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(negotiation, "rel", lambda *_: 0.0)


def employed_state(loyalty: int = 5, integrity: int = 5) -> CampaignState:
    scholar = make_scholar(
        stats=Stats(
            talent=5, reliability=5, integrity=integrity, theatrics=5, loyalty=loyalty, risk=5
        ),
        contract=Contract(
            employer=P1, kind=EmployerKind.PLAYER, term_years=3, faction=Faction.ACADEMIA
        ),
    )
    return make_state(players=[make_player("p1"), make_player("admin")], scholars=[scholar])


@pytest.mark.parametrize(
    ("loyalty", "integrity", "quality", "plateau_value", "expected"),
    [(6, 8, 0.5, 0.0, 0.0166), (1, 1, 1.0, 0.2, 0.9734)],
)
def test_scenario_14_defection_curve(
    loyalty: int, integrity: int, quality: float, plateau_value: float, expected: float
) -> None:
    p = defection_probability(quality, 0.0, 0.0, plateau_value, loyalty, integrity)
    assert round(p, 4) == expected


def test_logistic_is_centred_and_never_overflows() -> None:
    assert logistic(0.5) == 0.5
    assert logistic(1e9) == pytest.approx(1.0)
    assert logistic(-1e9) == pytest.approx(0.0)
    assert logistic(0.6) > logistic(0.4)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ((), 0.2),
        ((Fact(at=Instant(T0 - 10 * DAY), kind="discovery", subject="x"),), 0.0),
        ((Fact(at=Instant(T0 - 89 * DAY), kind="expedition", subject="E-1"),), 0.0),
        ((Fact(at=Instant(T0 - 91 * DAY), kind="discovery", subject="x"),), 0.2),
        ((Fact(at=Instant(T0), kind="scar", subject="p:p1", details="any fact is safe"),), 0.2),
        ((Fact(at=Instant(T0 + DAY), kind="discovery", subject="later"),), 0.2),
    ],
)
def test_plateau_reads_any_fact_safely(facts: tuple[Fact, ...], expected: float) -> None:
    """Q-4: the reference crashed on any fact."""
    assert plateau(make_scholar(memory=Memory(facts=facts)), T0) == expected


@pytest.mark.parametrize(
    ("integrity", "hit"), [(0, 0), (5, 0), (6, 0), (7, 1), (8, 1), (9, 2), (10, 2)]
)
def test_walkout_penalty_scales_with_integrity(integrity: int, hit: int) -> None:
    assert walkout_penalty(integrity) == hit


def forced(state: CampaignState, faction: str = "government", reason: str = "plot") -> Tx:
    tx = Tx(state)
    force_defection(tx, ctx(FixedRandom()), SID, faction, ADMIN, reason, T0)
    return tx


@pytest.mark.parametrize(("loyalty", "integrity"), [(10, 10), (0, 0), (5, 5)])
def test_force_defection_always_defects(loyalty: int, integrity: int) -> None:
    """Q-25 fixed: the admin's word is final, whatever the scholar's loyalty."""
    state = employed_state(loyalty, integrity)
    tx = forced(state)
    scholar = tx.state.scholars[SID]
    assert scholar.contract == Contract(
        employer="government",
        kind=EmployerKind.FACTION,
        term_years=3,
        faction=Faction.GOVERNMENT,
        since=T0,
    )
    (event,) = [e for e in tx.events if isinstance(e, ScholarDefected)]
    assert event.cause == "forced"
    assert event.by == ADMIN
    assert event.reason == "plot"
    assert event.roll is None
    assert 0.99 < event.probability <= 1.0  # quality 10, alignment 1: recorded for the press
    assert scholar.memory.scars == frozenset({("defection", "p:p1")})
    assert feeling(scholar, "p:p1") == -7.0  # the scar's -3 and -4 toward the old employer
    assert [f.kind for f in scholar.memory.facts] == ["defection"]
    assert scholar.memory.facts[0].subject == "f:government"
    (order,) = pending(tx.state, RETURN_ORDER)
    assert order.scheduled_at == T0 + 3 * DAY
    assert order.payload["key"] == "p:p1"
    assert apply_all(state, tx.events) == tx.state


def test_force_defection_of_an_independent_scars_the_institution_key() -> None:
    state = make_state(players=[make_player("admin")], scholars=[make_scholar()])
    tx = forced(state, "religious", "")
    scholar = tx.state.scholars[SID]
    assert scholar.contract.faction is Faction.RELIGION
    assert scholar.memory.scars == frozenset({("defection", "i:Independent")})
    (event,) = [e for e in tx.events if isinstance(e, ScholarDefected)]
    assert event.reason == "admin decision"


@pytest.mark.parametrize(
    ("scholar", "faction", "reason", "error", "words"),
    [
        ("s.none", "government", "x", NotFound, "No scholar"),
        ("s.test", "guild", "x", InvalidInput, "Unknown faction"),
        ("s.test", "government", "x" * 201, InvalidInput, "at most 200"),
        ("s.test", "academia", "x", Conflict, "already serves academia"),
    ],
)
def test_force_defection_refusals(
    scholar: str, faction: str, reason: str, error: type[Exception], words: str
) -> None:
    state = make_state(
        players=[make_player("admin")],
        scholars=[
            make_scholar(
                contract=Contract(
                    employer="academia",
                    kind=EmployerKind.FACTION,
                    term_years=2,
                    faction=Faction.ACADEMIA,
                )
            )
        ],
    )
    with pytest.raises(error, match=words):
        force_defection(Tx(state), ctx(), ScholarId(scholar), faction, ADMIN, reason, T0)


def test_return_followup_adds_strings_but_never_moves_the_scholar() -> None:
    """D8, Q-41: no auto-revert; the return is a feeling and a fact only."""
    state = employed_state()
    tx = forced(state)
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + 3 * DAY))
    scholar = tx.state.scholars[SID]
    assert scholar.contract.employer == "government"
    assert feeling(scholar, "p:p1") == -5.5
    assert scholar.memory.facts[-1].kind == "return_offer"
    assert scholar.memory.facts[-1].details == "strings attached"
    # Weeks later, still with the faction.
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + 60 * DAY))
    assert tx.state.scholars[SID].contract.employer == "government"
    assert apply_all(state, tx.events) == tx.state


def test_return_followup_for_a_departed_scholar_does_nothing() -> None:
    tx = forced(employed_state())
    tx.state = dataclasses.replace(tx.state, scholars={})
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + 3 * DAY))
    (order,) = [o for o in tx.state.orders.values() if o.type == RETURN_ORDER]
    assert order.status is OrderStatus.COMPLETED


def test_grudge_followup_sets_in_after_two_days() -> None:
    state = employed_state()
    tx = Tx(state)
    schedule_grudge(tx, SID, "p:p2", T0)
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + DAY))
    assert feeling(tx.state.scholars[SID], "p:p2") == 0.0
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + 2 * DAY))
    assert feeling(tx.state.scholars[SID], "p:p2") == -1.5
    (order,) = [o for o in tx.state.orders.values() if o.type == GRUDGE_ORDER]
    assert order.status is OrderStatus.COMPLETED
    assert apply_all(state, tx.events) == tx.state


def test_grudge_for_a_departed_scholar_does_nothing() -> None:
    tx = Tx(dataclasses.replace(employed_state(), scholars={}))
    schedule_grudge(tx, SID, "p:p2", T0)
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + 2 * DAY))
    assert [type(e).__name__ for e in tx.events] == ["OrderScheduled", "OrderCompleted"]


def test_employer_key_of_a_faction_contract_matches_the_fact_subject() -> None:
    tx = forced(employed_state(), "foreign")
    contract = tx.state.scholars[SID].contract
    assert employer_key(contract) == "f:foreign"


def test_defection_event_round_trips() -> None:
    tx = forced(employed_state())
    for event in tx.events:
        assert decode_event(encode_event(event)) == event
