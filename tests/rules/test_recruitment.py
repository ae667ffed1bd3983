"""Recruitment (3.5, D7) and the recruitment cooldown (3.1); scenarios 4, 6, 7, 8 and 9."""

from __future__ import annotations

import dataclasses

import pytest

from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.constants import DAY, FACTIONS, Faction
from greatwork.rules.errors import Conflict, NotFound, PermissionDenied
from greatwork.rules.event import Event, Tx, apply_all
from greatwork.rules.ids import Instant, PlayerId, ScholarId
from greatwork.rules.memory import FeelingChanged, feeling, player_key
from greatwork.rules.order import STEP_FOLLOWUPS, pending, run_due, schedule
from greatwork.rules.player import InfluenceChanged
from greatwork.rules.recruitment import (
    GRUDGE_ORDER,
    CooldownSet,
    CooldownsTicked,
    Recruit,
    RecruitAttempted,
    RecruitmentGrudge,
    ScholarRecruited,
    base_chance,
    recruit_chance,
    recruit_odds,
    set_cooldown,
    tick_cooldowns,
)
from greatwork.rules.state import CampaignState, Contract, EmployerKind, Memory, OrderStatus
from tests.rules.builders import (
    T0,
    FixedRandom,
    ctx,
    influence,
    make_player,
    make_scholar,
    make_state,
    run,
)

P1 = PlayerId("p1")
P2 = PlayerId("p2")
S = ScholarId("s.a")
A = Faction.ACADEMIA


def _state(
    academia: int = 4, cooldown: int = 0, feeling_: float = 0.0, reputation: int = 0
) -> CampaignState:
    player = make_player(
        "p1",
        influence=influence(academia=academia),
        cooldowns={"recruitment": cooldown} if cooldown else {},
        reputation=reputation,
    )
    memory = Memory(feelings={player_key(P1): feeling_} if feeling_ else {})
    return make_state(
        players=[player, make_player("p2")], scholars=[make_scholar(S, memory=memory)]
    )


def _recruit(
    state: CampaignState, draw: float, faction: Faction = A
) -> tuple[CampaignState, tuple[Event, ...]]:
    result = run(
        state, Recruit(actor=P1, at=T0, scholar=S, faction=faction), FixedRandom(floats=[draw])
    )
    assert apply_all(state, result.events) == result.state
    return result.state, result.events


@pytest.mark.parametrize(
    ("academia", "cooldown", "feeling_", "expected"),
    [
        (4, 0, 0.0, 0.80),
        (4, 2, 0.0, 0.50),
        (10, 0, 0.0, 0.95),
        (4, 2, 5.0, 0.60),  # [H]: rel = 0.02 * 5 = 0.1
        (0, 0, 0.0, 0.60),
        (0, 2, 0.0, 0.30),
        (0, 2, -25.0, 0.10),  # rel floor -0.2
        (0, 2, -50.0, 0.10),
    ],
)
def test_scenario_7_recruit_odds(
    academia: int, cooldown: int, feeling_: float, expected: float
) -> None:
    state = _state(academia, cooldown, feeling_)
    assert recruit_chance(state, S, P1, A) == pytest.approx(expected)


def test_base_chance_is_clamped() -> None:
    assert base_chance(30, cooldown=False) == 0.95
    assert base_chance(-5, cooldown=True) == pytest.approx(0.3)  # negative influence counts 0


def test_odds_list_every_faction_highest_first_and_change_nothing() -> None:
    state = _state()
    player = dataclasses.replace(
        state.players[P1], influence=influence(academia=4, foreign=6, religion=1)
    )
    state = dataclasses.replace(state, players={**state.players, P1: player})
    odds = recruit_odds(state, S, P1)
    assert [f for f, _ in odds] == [
        Faction.FOREIGN,
        Faction.ACADEMIA,
        Faction.RELIGION,
        Faction.GOVERNMENT,
        Faction.INDUSTRY,
    ]
    assert [c for _, c in odds] == pytest.approx([0.9, 0.8, 0.65, 0.6, 0.6])


def test_odds_for_a_newcomer_use_starting_balances() -> None:
    odds = recruit_odds(_state(), S, PlayerId("newcomer"))
    assert [f for f, _ in odds] == list(FACTIONS)  # ties keep the canonical order
    assert [c for _, c in odds] == pytest.approx([0.7] * 5)


def _check(check: str, state: CampaignState) -> None:
    if check == "odds":
        recruit_odds(state, S, P1)
    else:
        _recruit(state, 0.0)


@pytest.mark.parametrize("check", ["odds", "recruit"])
def test_scenario_4_gate_refuses_below_minus_ten(check: str) -> None:
    state = _state(reputation=-11)
    with pytest.raises(PermissionDenied, match="-10"):
        _check(check, state)
    at_gate = _state(reputation=-10)
    assert recruit_odds(at_gate, S, P1)
    _recruit(at_gate, 0.0)


@pytest.mark.parametrize("check", ["odds", "recruit"])
def test_d7_employed_scholars_are_refused(check: str) -> None:
    base = _state()
    for employer, pattern in ((P2, "/poach"), (P1, "already works for you")):
        contract = Contract(employer=employer, kind=EmployerKind.PLAYER, term_years=2)
        scholar = dataclasses.replace(base.scholars[S], contract=contract)
        state = dataclasses.replace(base, scholars={S: scholar})
        with pytest.raises(Conflict, match=pattern):
            _check(check, state)


def test_institution_and_faction_employees_can_be_recruited() -> None:
    base = _state()
    for kind, name in (
        (EmployerKind.INSTITUTION, "Royal Institute"),
        (EmployerKind.FACTION, "industry"),
    ):
        scholar = dataclasses.replace(
            base.scholars[S], contract=Contract(employer=name, kind=kind, term_years=6)
        )
        state, _ = _recruit(dataclasses.replace(base, scholars={S: scholar}), 0.0)
        assert state.scholars[S].contract.player == P1
        assert state.scholars[S].contract.term_years == 6


def test_unknown_scholar_is_not_found() -> None:
    with pytest.raises(NotFound):
        run(_state(), Recruit(actor=P1, at=T0, scholar=ScholarId("s.ghost"), faction=A))


def test_scenario_9_success() -> None:
    state, events = _recruit(_state(academia=4), 0.79)
    attempt = events[0]
    assert isinstance(attempt, RecruitAttempted)
    assert attempt.success
    assert attempt.chance == pytest.approx(0.8)
    assert attempt.roll == 0.79
    scholar = state.scholars[S]
    assert feeling(scholar, player_key(P1)) == 2.0
    assert scholar.contract == Contract(
        employer=P1, kind=EmployerKind.PLAYER, term_years=2, faction=A, since=T0
    )
    assert state.players[P1].influence[A] == 5
    assert state.players[P1].cooldowns == {"recruitment": 2}
    assert not pending(state, GRUDGE_ORDER)


def test_scenario_9_failure_and_grudge_a_day_later() -> None:
    state, events = _recruit(_state(academia=4), 0.80)  # roll == chance fails
    assert isinstance(events[0], RecruitAttempted)
    assert not events[0].success
    assert feeling(state.scholars[S], player_key(P1)) == -1.0
    assert state.scholars[S].contract.player is None
    assert state.players[P1].influence[A] == 4
    assert state.players[P1].cooldowns == {"recruitment": 2}
    (order,) = pending(state, GRUDGE_ORDER)
    assert order.scheduled_at == T0 + DAY

    early = Tx(state)
    run_due(early, STEP_FOLLOWUPS, ctx(), Instant(T0 + DAY - 1))
    assert early.events == []

    tx = Tx(state)
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + DAY))
    assert feeling(tx.state.scholars[S], player_key(P1)) == -2.0
    assert any(isinstance(e, RecruitmentGrudge) for e in tx.events)  # the gossip hook
    assert tx.state.orders[order.id].status is OrderStatus.COMPLETED
    assert apply_all(state, tx.events) == tx.state


def test_grudge_is_dropped_when_the_scholar_left() -> None:
    state, _ = _recruit(_state(), 0.99)
    gone = dataclasses.replace(state, scholars={})
    tx = Tx(gone)
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + DAY))
    assert not any(isinstance(e, FeelingChanged | RecruitmentGrudge) for e in tx.events)
    assert not pending(tx.state, GRUDGE_ORDER)


def test_scenario_6_gain_stops_at_the_cap() -> None:
    state, events = _recruit(_state(academia=6), 0.0)
    assert state.players[P1].influence[A] == 6
    assert not any(isinstance(e, InfluenceChanged) for e in events)


def test_attempt_keeps_a_longer_cooldown() -> None:
    state, events = _recruit(_state(cooldown=3), 0.0)
    assert state.players[P1].cooldowns == {"recruitment": 3}
    assert not any(isinstance(e, CooldownSet) for e in events)


def test_scenario_8_stake_cooldown_runs_out_after_two_digests() -> None:
    state = _state(academia=0)
    tx = Tx(state)
    set_cooldown(tx, P1, T0)  # a stake expedition resolved in digest k
    assert tx.state.players[P1].cooldowns == {"recruitment": 2}
    assert recruit_chance(tx.state, S, P1, A) == pytest.approx(0.30)
    tick_cooldowns(tx, T0, 2)
    assert tx.state.players[P1].cooldowns == {"recruitment": 1}
    assert recruit_chance(tx.state, S, P1, A) == pytest.approx(0.30)
    tick_cooldowns(tx, T0, 3)
    assert tx.state.players[P1].cooldowns == {}
    assert recruit_chance(tx.state, S, P1, A) == pytest.approx(0.60)
    tick_cooldowns(tx, T0, 4)  # nothing left to tick: no event
    assert [type(e) for e in tx.events] == [CooldownSet, CooldownsTicked, CooldownsTicked]
    assert apply_all(state, tx.events) == tx.state


def test_events_round_trip_through_the_codec() -> None:
    events: list[Event] = [
        RecruitAttempted(
            at=T0,
            scholar=S,
            player=P1,
            faction=A,
            chance=0.8,
            roll=0.25,
            success=True,
            relationship=-0.1,
        ),
        ScholarRecruited(at=T0, scholar=S, player=P1, faction=Faction.FOREIGN),
        RecruitmentGrudge(at=T0, scholar=S, player=P1),
        CooldownSet(at=T0, player=P1, name="recruitment", value=2),
        CooldownsTicked(at=T0, digest=3),
    ]
    for event in events:
        assert decode_event(encode_event(event)) == event


def test_a_grudge_order_without_its_subject_does_nothing() -> None:
    tx = Tx(_state())
    schedule(tx, GRUDGE_ORDER, T0)
    run_due(tx, STEP_FOLLOWUPS, ctx(), T0)
    assert not any(isinstance(e, FeelingChanged | RecruitmentGrudge) for e in tx.events)
