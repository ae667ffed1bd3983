"""Theories (D2): submission, judgement by outcome, lapsing at the deadline."""

from __future__ import annotations

import pytest

from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.constants import DAY, MAX_THEORY_LENGTH, Confidence, Outcome
from greatwork.rules.errors import InvalidInput, NotFound
from greatwork.rules.event import Tx, apply_all
from greatwork.rules.ids import Instant, PlayerId, ScholarId, TheoryId
from greatwork.rules.player import ReputationChanged
from greatwork.rules.state import TheoryStatus
from greatwork.rules.theory import (
    SubmitTheory,
    TheoryLapsed,
    TheorySettled,
    TheorySubmitted,
    lapse_overdue,
    settle_theory,
    spawn_theory,
)
from tests.rules.builders import T0, make_player, make_scholar, make_state, run

P1 = PlayerId("p1")


def _submit(text: str = "The ziggurat was a calendar", **kw: object) -> SubmitTheory:
    fields: dict[str, object] = {"confidence": Confidence.CERTAIN, **kw}
    return SubmitTheory(actor=P1, at=T0, theory=text, **fields)  # type: ignore[arg-type]


def test_submit_creates_numbered_open_theories() -> None:
    state = make_state([make_player()], [make_scholar("s.a"), make_scholar("s.b")])
    first = run(state, _submit("  The ziggurat was a calendar  ", supporters=(ScholarId("s.a"),)))
    second = run(first.state, _submit("Bronze came by sea", deadline_days=30))
    t1 = second.state.theories[TheoryId("T-1")]
    t2 = second.state.theories[TheoryId("T-2")]
    assert t1.text == "The ziggurat was a calendar"
    assert t1.supporters == ("s.a",)
    assert t1.deadline == T0 + 7 * DAY
    assert t1.status is TheoryStatus.OPEN
    assert t1.origin == "player"
    assert t2.deadline == T0 + 30 * DAY
    assert second.state.counters["theory"] == 2


def test_submit_creates_the_player_on_first_use() -> None:
    result = run(make_state(), _submit())
    assert P1 in result.state.players
    assert isinstance(result.events[-1], TheorySubmitted)


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"text": "   "}, InvalidInput),
        ({"text": "x" * (MAX_THEORY_LENGTH + 1)}, InvalidInput),
        ({"supporters": (ScholarId("s.ghost"),)}, NotFound),
        ({"supporters": (ScholarId("s.a"), ScholarId("s.a"))}, InvalidInput),
        ({"deadline_days": 0}, InvalidInput),
        ({"deadline_days": 31}, InvalidInput),
    ],
)
def test_submit_refusals(kw: dict[str, object], error: type[Exception]) -> None:
    state = make_state([make_player()], [make_scholar("s.a")])
    text = kw.pop("text", "A fine theory")
    with pytest.raises(error):
        run(state, _submit(str(text), **kw))


def test_text_at_the_limit_is_accepted() -> None:
    result = run(make_state([make_player()]), _submit("x" * MAX_THEORY_LENGTH))
    assert len(result.state.theories[TheoryId("T-1")].text) == MAX_THEORY_LENGTH


def _with_theory(confidence: Confidence, reputation: int = 0) -> Tx:
    tx = Tx(make_state([make_player(reputation=reputation)]))
    spawn_theory(tx, P1, "Claim", confidence, T0, origin="player")
    return tx


@pytest.mark.parametrize(
    ("confidence", "outcome", "status", "delta"),
    [
        (Confidence.SUSPECT, Outcome.SUCCESS, TheoryStatus.VINDICATED, 2),
        (Confidence.CERTAIN, Outcome.LANDMARK, TheoryStatus.VINDICATED, 5),
        (Confidence.STAKE_MY_CAREER, Outcome.SUCCESS, TheoryStatus.VINDICATED, 15),
        (Confidence.SUSPECT, Outcome.FAILURE, TheoryStatus.REFUTED, -1),
        (Confidence.CERTAIN, Outcome.FAILURE, TheoryStatus.REFUTED, -7),
        (Confidence.STAKE_MY_CAREER, Outcome.FAILURE, TheoryStatus.REFUTED, -25),
    ],
)
def test_settle_judges_by_outcome(
    confidence: Confidence, outcome: Outcome, status: TheoryStatus, delta: int
) -> None:
    tx = _with_theory(confidence)
    settle_theory(tx, TheoryId("T-1"), outcome, "expedition:X", Instant(T0 + 10))
    theory = tx.state.theories[TheoryId("T-1")]
    assert theory.status is status
    assert theory.reputation_delta == delta
    assert theory.settled_by == "expedition:X"
    assert theory.settled_at == T0 + 10
    assert tx.state.players[P1].reputation == delta


def test_partial_leaves_the_theory_open() -> None:
    tx = _with_theory(Confidence.CERTAIN)
    before = len(tx.events)
    settle_theory(tx, TheoryId("T-1"), Outcome.PARTIAL, "expedition:X", T0)
    assert len(tx.events) == before
    assert tx.state.theories[TheoryId("T-1")].status is TheoryStatus.OPEN


def test_a_theory_settles_once() -> None:
    tx = _with_theory(Confidence.CERTAIN)
    settle_theory(tx, TheoryId("T-1"), Outcome.SUCCESS, "expedition:X", T0)
    settle_theory(tx, TheoryId("T-1"), Outcome.FAILURE, "conference:CONF-1", T0)
    settle_theory(tx, TheoryId("T-9"), Outcome.FAILURE, "conference:CONF-1", T0)
    assert tx.state.theories[TheoryId("T-1")].status is TheoryStatus.VINDICATED
    assert tx.state.players[P1].reputation == 5


def test_settle_clamps_and_records_the_applied_change() -> None:
    tx = _with_theory(Confidence.STAKE_MY_CAREER, reputation=45)
    settle_theory(tx, TheoryId("T-1"), Outcome.SUCCESS, "expedition:X", T0)
    assert tx.state.players[P1].reputation == 50
    assert tx.state.theories[TheoryId("T-1")].reputation_delta == 5


def test_spawn_theory_trims_and_defaults() -> None:
    tx = Tx(make_state([make_player()]))
    long_id = spawn_theory(tx, P1, "  " + "y" * 400, Confidence.SUSPECT, T0, origin="sideways")
    blank_id = spawn_theory(tx, P1, "   ", Confidence.SUSPECT, T0, origin="conference")
    long_theory = tx.state.theories[long_id]
    assert long_id == "T-1"
    assert len(long_theory.text) == MAX_THEORY_LENGTH
    assert long_theory.deadline == T0 + 7 * DAY
    assert long_theory.origin == "sideways"
    assert tx.state.theories[blank_id].text


def test_lapse_overdue_only_lapses_open_theories_past_their_deadline() -> None:
    tx = Tx(make_state([make_player()]))
    spawn_theory(tx, P1, "Due", Confidence.CERTAIN, T0, origin="player")
    spawn_theory(tx, P1, "Settled", Confidence.CERTAIN, T0, origin="player")
    spawn_theory(tx, P1, "Later", Confidence.CERTAIN, Instant(T0 + DAY), origin="player")
    settle_theory(tx, TheoryId("T-2"), Outcome.SUCCESS, "expedition:X", T0)
    lapse_overdue(tx, Instant(T0 + 7 * DAY - 1))
    assert tx.state.theories[TheoryId("T-1")].status is TheoryStatus.OPEN
    lapse_overdue(tx, Instant(T0 + 7 * DAY))
    theories = tx.state.theories
    assert theories[TheoryId("T-1")].status is TheoryStatus.LAPSED
    assert theories[TheoryId("T-2")].status is TheoryStatus.VINDICATED
    assert theories[TheoryId("T-3")].status is TheoryStatus.OPEN
    assert tx.state.players[P1].reputation == 5  # only the settled theory paid
    assert sum(isinstance(e, TheoryLapsed) for e in tx.events) == 1


def test_events_replay_and_round_trip() -> None:
    initial = make_state([make_player()], [make_scholar("s.a")])
    result = run(initial, _submit(supporters=(ScholarId("s.a"),)))
    tx = Tx(result.state)
    spawn_theory(tx, P1, "Second", Confidence.SUSPECT, T0, origin="sideways")
    settle_theory(tx, TheoryId("T-1"), Outcome.FAILURE, "expedition:X", T0)
    lapse_overdue(tx, Instant(T0 + 8 * DAY))
    events = (*result.events, *tx.events)
    assert apply_all(initial, events) == tx.state
    kinds = {type(e) for e in events}
    assert {TheorySubmitted, TheorySettled, TheoryLapsed, ReputationChanged} <= kinds
    for event in events:
        assert decode_event(encode_event(event)) == event
