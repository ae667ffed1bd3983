"""Conferences (3.7, D2, D3) and scenario 10.

Section 0 changes the reference here: duplicate scholars are refused (so scenario 10's "12
copies of the same supporter" is now a refusal), a launch costs 1 academia influence, one
pending conference per theory, one launch per player between two digests, and the
conference settles its theory for the theory's author (D2). Only a theory's author may launch
a conference on it (Q-3: launching on other players' theories was the farming exploit), so a
launcher collects both the conference's wager and the theory's settlement.
"""

from __future__ import annotations

import dataclasses

import pytest

from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.conference import (
    RESOLUTION_ORDER,
    ConferenceLaunched,
    ConferenceResolved,
    LaunchConference,
    conference_outcome,
    open_conference,
)
from greatwork.rules.constants import DAY, Confidence, Faction, Outcome
from greatwork.rules.errors import (
    Conflict,
    InsufficientInfluence,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from greatwork.rules.event import Event, Tx, apply_all
from greatwork.rules.expedition_rules import wager_delta
from greatwork.rules.ids import ConferenceCode, Instant, PlayerId, ScholarId, TheoryId
from greatwork.rules.order import STEP_CONFERENCES, pending, run_due
from greatwork.rules.state import (
    CampaignState,
    Conference,
    ConferenceStatus,
    OrderStatus,
    Theory,
    TheoryStatus,
)
from greatwork.rules.theory import TheorySettled
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
T1 = TheoryId("T-1")
T2 = TheoryId("T-2")
T3 = TheoryId("T-3")
T4 = TheoryId("T-4")
C1 = ConferenceCode("CONF-1")
SCHOLARS = tuple(ScholarId(f"s.{i}") for i in range(8))


def _theory(tid: TheoryId, author: PlayerId, confidence: Confidence = Confidence.SUSPECT) -> Theory:
    return Theory(
        id=tid,
        player=author,
        text="Bronze came first.",
        confidence=confidence,
        created_at=T0,
        deadline=Instant(T0 + 7 * DAY),
    )


def _state(reputation: int = 5, academia: int = 2) -> CampaignState:
    return make_state(
        players=[
            make_player("p1", reputation=reputation, influence=influence(academia=academia)),
            make_player("p2"),
        ],
        scholars=[make_scholar(s) for s in SCHOLARS],
        theories={
            T1: _theory(T1, P1),
            T2: _theory(T2, P2, Confidence.STAKE_MY_CAREER),
            T3: _theory(T3, P2),
            T4: _theory(T4, P1),
        },
    )


def _launch(
    state: CampaignState,
    theory: TheoryId = T1,
    confidence: Confidence = Confidence.SUSPECT,
    supporters: tuple[ScholarId, ...] = (),
    opposition: tuple[ScholarId, ...] = (),
    actor: PlayerId = P1,
) -> CampaignState:
    cmd = LaunchConference(
        actor=actor,
        at=T0,
        theory=theory,
        confidence=confidence,
        supporters=supporters,
        opposition=opposition,
    )
    result = run(state, cmd)
    assert apply_all(state, result.events) == result.state
    return result.state


def _digest(state: CampaignState, roll: int) -> tuple[CampaignState, list[Event]]:
    tx = Tx(state)
    run_due(tx, STEP_CONFERENCES, ctx(FixedRandom(ints=[roll])), Instant(T0 + DAY))
    assert apply_all(state, tx.events) == tx.state
    return tx.state, tx.events


@pytest.mark.parametrize(
    ("final", "outcome"),
    [
        (100, Outcome.SUCCESS),
        (60, Outcome.SUCCESS),
        (59, Outcome.PARTIAL),
        (40, Outcome.PARTIAL),
        (39, Outcome.FAILURE),
        (-20, Outcome.FAILURE),
    ],
)
def test_bands(final: int, outcome: Outcome) -> None:
    assert conference_outcome(final) is outcome


@pytest.mark.parametrize(
    ("confidence", "outcome", "delta"),
    [
        (Confidence.SUSPECT, Outcome.SUCCESS, 2),
        (Confidence.SUSPECT, Outcome.PARTIAL, 1),
        (Confidence.SUSPECT, Outcome.FAILURE, -1),
        (Confidence.CERTAIN, Outcome.SUCCESS, 5),
        (Confidence.CERTAIN, Outcome.PARTIAL, 2),
        (Confidence.CERTAIN, Outcome.FAILURE, -7),
        (Confidence.STAKE_MY_CAREER, Outcome.SUCCESS, 15),
        (Confidence.STAKE_MY_CAREER, Outcome.PARTIAL, 7),
        (Confidence.STAKE_MY_CAREER, Outcome.FAILURE, -25),
    ],
)
def test_wager_table(confidence: Confidence, outcome: Outcome, delta: int) -> None:
    assert wager_delta(confidence, outcome) == delta


@pytest.mark.parametrize(
    ("confidence", "supporters", "opposition", "roll", "final", "outcome", "after"),
    [
        # Scenario 10 (reference: 12 copies of one supporter; now 6 distinct): 5 -> 7.
        (Confidence.SUSPECT, 6, 0, 40, 70, Outcome.SUCCESS, 7),
        # Scenario 10: 0 supporters, 2 opponents, certain, roll 45 -> 35 -> failure, -7.
        (Confidence.CERTAIN, 0, 2, 45, 35, Outcome.FAILURE, -2),
        (Confidence.CERTAIN, 1, 1, 50, 50, Outcome.PARTIAL, 7),
    ],
)
def test_scenario_10(
    confidence: Confidence,
    supporters: int,
    opposition: int,
    roll: int,
    final: int,
    outcome: Outcome,
    after: int,
) -> None:
    panel = SCHOLARS[: supporters + opposition]
    # P1 debates its own suspect theory: the resolution's delta is the conference's own
    # wager alone, and the theory's settlement comes on top of it for P1, its author.
    state = _launch(_state(), T1, confidence, panel[:supporters], panel[supporters:])
    conf = state.conferences[C1]
    assert conf.status is ConferenceStatus.PENDING
    assert state.players[P1].influence[Faction.ACADEMIA] == 1  # D3: the launch costs 1
    (order,) = pending(state, RESOLUTION_ORDER)
    assert order.subject == C1
    assert order.scheduled_at is None  # the next digest

    state, events = _digest(state, roll)
    resolved = next(e for e in events if isinstance(e, ConferenceResolved))
    assert (resolved.roll, resolved.final, resolved.outcome) == (roll, final, outcome)
    assert resolved.reputation_delta == after - 5
    conf = state.conferences[C1]
    assert (conf.status, conf.outcome, conf.final) == (ConferenceStatus.RESOLVED, outcome, final)
    # D2: the theory is settled the same way for its author; a partial leaves it open.
    theory = state.theories[T1]
    status, author = {
        Outcome.SUCCESS: (TheoryStatus.VINDICATED, 2),
        Outcome.FAILURE: (TheoryStatus.REFUTED, -1),
        Outcome.PARTIAL: (TheoryStatus.OPEN, 0),
    }[outcome]
    assert theory.status is status
    assert state.players[P1].reputation == after + author
    assert state.players[P2].reputation == 0  # a bystander
    if outcome is not Outcome.PARTIAL:
        assert theory.settled_by == "conference:CONF-1"
    assert state.players[P1].cooldowns == {}  # conferences never set the cooldown


def test_debating_your_own_theory_pays_both_wagers() -> None:
    state = _launch(_state(), T1, Confidence.CERTAIN)
    state, _ = _digest(state, 30)
    assert state.players[P1].reputation == 5 - 7 - 1  # the conference, then the theory
    assert state.theories[T1].status is TheoryStatus.REFUTED


def test_the_author_launcher_collects_both_wagers() -> None:
    # P2 debates its own stake theory with a suspect conference wager.
    state = _launch(_state(), T2, Confidence.SUSPECT, supporters=SCHOLARS[:2], actor=P2)
    assert state.conferences[C1].player == P2
    assert state.players[P2].influence[Faction.ACADEMIA] == 1
    state, events = _digest(state, 55)  # 55 + 10 = 65: success
    resolved = next(e for e in events if isinstance(e, ConferenceResolved))
    settled = next(e for e in events if isinstance(e, TheorySettled))
    assert resolved.reputation_delta == 2  # the conference's suspect wager
    assert (settled.theory, settled.reputation_delta) == (T2, 15)  # the stake theory's reward
    assert state.players[P2].reputation == 0 + 2 + 15
    assert state.players[P1].reputation == 5  # a bystander
    assert state.theories[T2].status is TheoryStatus.VINDICATED
    assert state.theories[T2].settled_by == "conference:CONF-1"


def test_only_the_author_may_launch() -> None:
    state = _state()
    # Q-3: P1 packing the opposition against P2's stake theory is refused before any cost.
    with pytest.raises(PermissionDenied, match=r"Theory T-2 is not yours") as refused:
        _launch(state, T2, Confidence.CERTAIN, opposition=SCHOLARS[:6])
    assert refused.value.data["theory"] == T2
    assert state.players[P1].influence[Faction.ACADEMIA] == 2  # no influence spent
    assert state.conferences == {}
    assert pending(state, RESOLUTION_ORDER) == []
    assert state.theories[T2].status is TheoryStatus.OPEN
    # The refusal used up nothing: P1 may still call its one conference of the digest.
    assert set(_launch(state).conferences) == {"CONF-1"}


def test_the_launcher_delta_is_clamped() -> None:
    state = _launch(_state(reputation=49))
    state, events = _digest(state, 90)
    resolved = next(e for e in events if isinstance(e, ConferenceResolved))
    assert resolved.reputation_delta == 1
    assert state.players[P1].reputation == 50


def test_scenario_10_duplicates_are_refused() -> None:
    with pytest.raises(InvalidInput, match=r"only once.*s\.0"):
        _launch(_state(), supporters=(SCHOLARS[0],) * 12)
    with pytest.raises(InvalidInput, match=r"only once.*s\.1"):
        _launch(_state(), supporters=SCHOLARS[:2], opposition=(SCHOLARS[1],))


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"theory": TheoryId("T-9")}, NotFound, "T-9"),
        ({"supporters": (ScholarId("s.ghost"),)}, NotFound, "s.ghost"),
        ({"opposition": SCHOLARS[:7]}, InvalidInput, "At most 6 opposition"),
        ({"supporters": SCHOLARS[:7]}, InvalidInput, "At most 6 supporters"),
    ],
)
def test_launch_refusals(kwargs: dict[str, object], error: type[Exception], pattern: str) -> None:
    state = _state()
    with pytest.raises(error, match=pattern):
        _launch(state, **kwargs)  # type: ignore[arg-type]


def test_only_open_theories_may_be_debated() -> None:
    state = _state()
    settled = dataclasses.replace(state.theories[T1], status=TheoryStatus.LAPSED)
    state = dataclasses.replace(state, theories={**state.theories, T1: settled})
    with pytest.raises(Conflict, match="already lapsed"):
        _launch(state)


def test_launch_costs_one_academia_influence() -> None:
    with pytest.raises(InsufficientInfluence, match="academia"):
        _launch(_state(academia=0))


def test_one_pending_conference_per_theory() -> None:
    state = _launch(_state())
    state = dataclasses.replace(state, last_digest=1)  # a fresh digest window
    with pytest.raises(Conflict, match=r"already has a conference pending \(CONF-1\)"):
        _launch(state)


def test_one_launch_per_player_between_two_digests() -> None:
    state = _launch(_state())
    with pytest.raises(Conflict, match="one conference per digest"):
        _launch(state, T4)
    # Another player may still launch on their own theory in the same digest.
    other = _launch(state, T2, actor=P2)
    assert other.conferences[ConferenceCode("CONF-2")].player == P2
    later = dataclasses.replace(state, last_digest=1)
    assert "CONF-2" in _launch(later, T4).conferences


def test_sideways_conferences_are_free_deduped_and_outside_the_limit() -> None:
    state = _state(academia=0)
    tx = Tx(state)
    code = open_conference(
        tx,
        P1,
        T1,
        Confidence.SUSPECT,
        (SCHOLARS[0], SCHOLARS[0], ScholarId("s.ghost"), SCHOLARS[1]),
        (SCHOLARS[1], SCHOLARS[2]),
        T0,
    )
    conf = tx.state.conferences[code]
    assert conf.supporters == SCHOLARS[:2]
    assert conf.opposition == (SCHOLARS[2],)
    assert conf.origin == "sideways"
    assert tx.state.players[P1].influence[Faction.ACADEMIA] == 0
    # D3 still holds: a second call about the same theory returns the pending conference.
    assert open_conference(tx, P2, T1, Confidence.CERTAIN, (), (), T0) == code
    assert len(tx.state.conferences) == 1
    assert apply_all(state, tx.events) == tx.state
    # A player's own launch the same digest is not blocked by it (another of their theories).
    player = dataclasses.replace(tx.state.players[P1], influence=influence(academia=1))
    after = dataclasses.replace(tx.state, players={**tx.state.players, P1: player})
    assert "CONF-2" in _launch(after, T4).conferences


def test_sideways_conference_needs_an_open_theory() -> None:
    tx = Tx(_state())
    with pytest.raises(NotFound):
        open_conference(tx, P1, TheoryId("T-9"), Confidence.SUSPECT, (), (), T0)


def test_resolution_of_a_vanished_conference_is_cancelled() -> None:
    state = _launch(_state())
    gone = dataclasses.replace(state.conferences[C1], status=ConferenceStatus.CANCELLED)
    state = dataclasses.replace(state, conferences={C1: gone})
    state, events = _digest(state, 99)
    assert not any(isinstance(e, ConferenceResolved) for e in events)
    (order,) = (o for o in state.orders.values() if o.type == RESOLUTION_ORDER)
    assert order.status is OrderStatus.CANCELLED


def test_codes_never_collide() -> None:
    state = _launch(_state())
    state = _launch(dataclasses.replace(state, last_digest=1), T4)
    assert set(state.conferences) == {"CONF-1", "CONF-2"}


def test_events_round_trip_through_the_codec() -> None:
    conf = Conference(
        code=C1,
        player=P1,
        theory=T1,
        confidence=Confidence.CERTAIN,
        launched_at=T0,
        supporters=SCHOLARS[:2],
        opposition=SCHOLARS[2:3],
        launched_digest=4,
        origin="sideways",
    )
    events: list[Event] = [
        ConferenceLaunched(at=T0, conference=conf),
        ConferenceResolved(
            at=T0, code=C1, roll=45, final=35, outcome=Outcome.FAILURE, reputation_delta=-7
        ),
    ]
    for event in events:
        assert decode_event(encode_event(event)) == event
