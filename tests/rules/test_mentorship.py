"""Mentorship and careers (3.6), scenario 11, and the Q-21 fix (no reset, no loop).

Section 0 changes the reference here: Q-21 is fixed (a tier off its ladder is never reset to
Postdoc; /mentor refuses it unless a track is chosen), and only your own scholars or those no
player employs may be mentored.
"""

from __future__ import annotations

import dataclasses

import pytest

from greatwork.rules import mentorship as mentorship_module
from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.command import Context
from greatwork.rules.constants import DAY, Faction
from greatwork.rules.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from greatwork.rules.event import Event, Tx, apply_all
from greatwork.rules.ids import Instant, MentorshipId, OrderId, PlayerId, ScholarId
from greatwork.rules.memory import decay_feelings, feeling, player_key
from greatwork.rules.mentorship import (
    ACTIVATION_ORDER,
    AssignLab,
    CareerTicked,
    LabAssigned,
    Mentor,
    MentorshipActivated,
    MentorshipCancelled,
    MentorshipCompleted,
    MentorshipQueued,
    ScholarPromoted,
    current_mentorship,
    tick_careers,
)
from greatwork.rules.order import STEP_MENTORSHIP, run_due, schedule
from greatwork.rules.state import (
    CampaignState,
    Career,
    Contract,
    EmployerKind,
    Mentorship,
    MentorshipStatus,
    OrderStatus,
    Scholar,
    Sidecast,
    SidecastKind,
)
from tests.rules.builders import T0, ctx, influence, make_player, make_scholar, make_state, run

P1 = PlayerId("p1")
P2 = PlayerId("p2")
S = ScholarId("s.a")
M1 = MentorshipId("M-1")
CTX = ctx()

Attended = list[tuple[ScholarId, PlayerId, Instant]]


@pytest.fixture
def attended(monkeypatch: pytest.MonkeyPatch) -> Attended:
    """A stand-in for helper A's ``rules.sidecast`` that records every attend call."""
    calls: Attended = []

    def attend(tx: Tx, scholar: ScholarId, player: PlayerId, at: Instant) -> None:
        del tx
        calls.append((scholar, player, at))

    monkeypatch.setattr(mentorship_module, "attend", attend)
    return calls


def _state(*scholars: Scholar, academia: int = 0) -> CampaignState:
    return make_state(
        players=[make_player("p1", influence=influence(academia=academia)), make_player("p2")],
        scholars=scholars or [make_scholar(S)],
    )


def _mentor(
    state: CampaignState, scholar: ScholarId = S, track: str | None = None, actor: PlayerId = P1
) -> CampaignState:
    result = run(state, Mentor(actor=actor, at=T0, scholar=scholar, track=track))
    assert apply_all(state, result.events) == result.state
    return result.state


def _digest(state: CampaignState, n: int, decay: bool = False, c: Context = CTX) -> CampaignState:
    """Steps e-f of digest ``n``: decay (optional), activations, then career ticks."""
    tx = Tx(state)
    now = Instant(T0 + n * DAY)
    if decay:
        decay_feelings(tx, n, now)
    run_due(tx, STEP_MENTORSHIP, c, now)
    tick_careers(tx, c, now)
    assert apply_all(state, tx.events) == tx.state
    return tx.state


def _career(state: CampaignState, scholar: ScholarId = S) -> tuple[str, str, int]:
    career = state.scholars[scholar].career
    return career.tier, career.track, career.ticks


def test_scenario_11_postdoc_to_professor() -> None:
    """Feeling 1.0 + 0.5 + 0.5 + 1.5 = 3.5; influence 1 + 1 + 1 + 2 = 5 (no decay)."""
    state = _mentor(_state())
    assert state.mentorships[M1].status is MentorshipStatus.PENDING
    expected = {
        1: ("Postdoc", 1),
        2: ("Postdoc", 2),
        3: ("Fellow", 0),
        4: ("Fellow", 1),
        5: ("Fellow", 2),
        6: ("Professor", 0),
    }
    for n in range(1, 7):
        state = _digest(state, n)
        tier, _, ticks = _career(state)
        assert (tier, ticks) == expected[n], n
        done = n == 6
        assert (state.mentorships[M1].status is MentorshipStatus.COMPLETED) is done
    assert feeling(state.scholars[S], player_key(P1)) == pytest.approx(3.5)
    assert state.players[P1].influence[Faction.ACADEMIA] == 5
    history = [e.event for e in state.scholars[S].mentorship_history]
    assert history == ["activated", "promoted", "promoted", "completed"]
    assert state.mentorships[M1].ended_at == T0 + 6 * DAY
    assert _digest(state, 7) == state  # nothing more happens


def test_scenario_11_with_the_digest_decay() -> None:
    """The digest decays feelings x0.98 (D11) before careers tick, so the total is lower."""
    state = _mentor(_state())
    for n in range(1, 7):
        state = _digest(state, n, decay=True)
    value = 0.0
    for n in range(1, 7):
        value = round(value * 0.98, 6)
        value += {1: 1.0, 3: 0.5, 6: 2.0}.get(n, 0.0)
    assert feeling(state.scholars[S], player_key(P1)) == pytest.approx(value)
    assert value == pytest.approx(3.3745, abs=1e-4)


def test_influence_goes_to_the_primary_faction_and_stops_at_the_cap() -> None:
    scholar = make_scholar(S, politics={**make_scholar().politics, Faction.RELIGION: 3})
    state = _state(scholar)
    player = dataclasses.replace(state.players[P1], influence=influence(religion=2))
    state = _mentor(dataclasses.replace(state, players={**state.players, P1: player}))
    for n in range(1, 7):
        state = _digest(state, n)
    assert state.players[P1].influence[Faction.RELIGION] == 6  # 2 + 5, capped at 6
    assert state.players[P1].influence[Faction.ACADEMIA] == 0


def test_a_chosen_track_starts_on_its_first_rung() -> None:
    state = _digest(_mentor(_state(), track="industry"), 1)
    assert _career(state) == ("Associate", "Industry", 1)
    assert state.mentorships[M1].track == "Industry"


def test_the_same_track_keeps_the_rung_and_ticks() -> None:
    scholar = make_scholar(S, career=Career(tier="Fellow", track="Academia", ticks=1))
    state = _digest(_mentor(_state(scholar), track="Academia"), 1)
    assert _career(state) == ("Fellow", "Academia", 2)


def test_blackstone_never_loops() -> None:
    """Q-21: a Lecturer on the Industry track is off every ladder; no silent reset."""
    blackstone = make_scholar(
        ScholarId("s.blackstone"),
        career=Career(tier="Lecturer", track="Industry"),
        politics={**make_scholar().politics, Faction.INDUSTRY: 2},
        legend=True,
    )
    state = _state(blackstone)
    with pytest.raises(InvalidInput, match="choose a track"):
        _mentor(state, blackstone.id)
    state = _mentor(state, blackstone.id, track="Industry")
    tiers = []
    for n in range(1, 10):
        state = _digest(state, n)
        tiers.append(_career(state, blackstone.id)[0])
    assert tiers == ["Associate"] * 2 + ["Director"] * 3 + ["Visionary"] * 4
    assert state.mentorships[M1].status is MentorshipStatus.COMPLETED


def test_an_active_mentorship_off_the_ladder_stays_put() -> None:
    legend = make_scholar(S, career=Career(tier="Chair", track="Academia", ticks=1))
    m = Mentorship(id=M1, player=P1, scholar=S, created_at=T0, status=MentorshipStatus.ACTIVE)
    state = dataclasses.replace(_state(legend), mentorships={M1: m})
    for n in range(1, 5):
        assert _digest(state, n) == state


def test_an_active_mentorship_already_at_the_top_completes_without_pay() -> None:
    top = make_scholar(S, career=Career(tier="Professor", track="Academia"))
    m = Mentorship(id=M1, player=P1, scholar=S, created_at=T0, status=MentorshipStatus.ACTIVE)
    state = _digest(dataclasses.replace(_state(top), mentorships={M1: m}), 1)
    assert state.mentorships[M1].status is MentorshipStatus.COMPLETED
    assert state.players[P1].influence[Faction.ACADEMIA] == 0


def test_a_scholar_who_leaves_ends_the_mentorship() -> None:
    state = _digest(_mentor(_state()), 1)
    state = _digest(dataclasses.replace(state, scholars={}), 2)
    assert state.mentorships[M1].status is MentorshipStatus.CANCELLED


@pytest.mark.parametrize(
    ("scholar", "track", "error", "pattern"),
    [
        ("s.ghost", None, NotFound, "s.ghost"),
        ("s.a", "Religion", InvalidInput, "Academia, Industry"),
        ("s.top", None, InvalidInput, "top of the Academia ladder"),
        ("s.chair", None, InvalidInput, "choose a track"),
        ("s.theirs", None, PermissionDenied, "works for P2"),
    ],
)
def test_mentor_refusals(
    scholar: str, track: str | None, error: type[Exception], pattern: str
) -> None:
    state = _state(
        make_scholar(S),
        make_scholar("s.top", career=Career(tier="Professor", track="Academia")),
        make_scholar("s.chair", career=Career(tier="Chair", track="Academia")),
        make_scholar(
            "s.theirs", contract=Contract(employer=P2, kind=EmployerKind.PLAYER, term_years=2)
        ),
    )
    with pytest.raises(error, match=pattern):
        _mentor(state, ScholarId(scholar), track)


def test_top_and_off_ladder_scholars_may_switch_track() -> None:
    top = make_scholar(S, career=Career(tier="Professor", track="Academia"))
    state = _digest(_mentor(_state(top), track="Industry"), 1)
    assert _career(state) == ("Associate", "Industry", 1)
    chair = make_scholar(S, career=Career(tier="Chair", track="Academia"))
    state = _digest(_mentor(_state(chair), track="Academia"), 1)
    assert _career(state) == ("Postdoc", "Academia", 1)


def test_one_mentor_at_a_time_named_in_the_refusal() -> None:
    state = _mentor(_state(), actor=P2)
    with pytest.raises(Conflict, match="pending mentorship with P2"):
        _mentor(state)
    state = _digest(state, 1)
    with pytest.raises(Conflict, match="active mentorship with you"):
        _mentor(state, actor=P2)
    state = _digest(_mentor(_state()), 1)
    for n in range(2, 7):
        state = _digest(state, n)
    assert current_mentorship(state, S) is None
    state = _mentor(state, track="Industry", actor=P2)  # a completed mentorship frees them
    assert current_mentorship(state, S) is not None


@pytest.mark.parametrize(
    ("kind", "employer"),
    [
        (EmployerKind.PLAYER, "p1"),
        (EmployerKind.INSTITUTION, "Royal Institute"),
        (EmployerKind.FACTION, "industry"),
    ],
)
def test_own_and_unowned_scholars_may_be_mentored(kind: EmployerKind, employer: str) -> None:
    scholar = make_scholar(S, contract=Contract(employer=employer, kind=kind, term_years=3))
    assert current_mentorship(_mentor(_state(scholar)), S) is not None


def _orphan_activation(state: CampaignState, subject: str) -> CampaignState:
    tx = Tx(state)
    schedule(tx, ACTIVATION_ORDER, T0, actor=P1, subject=subject)
    return tx.state


def test_activation_is_cancelled_when_there_is_nothing_to_activate() -> None:
    state = _digest(_orphan_activation(_state(), "M-9"), 1)
    assert state.orders[OrderId("O-1")].status is OrderStatus.CANCELLED
    assert state.orders[OrderId("O-1")].reason == "no pending mentorship"


@pytest.mark.parametrize("why", ["left", "active", "top", "not pending"])
def test_activation_is_cancelled_when_things_changed(why: str) -> None:
    state = _mentor(_state())
    if why == "left":
        state = dataclasses.replace(state, scholars={})
    elif why == "active":
        other = Mentorship(
            id=MentorshipId("M-0"),
            player=P2,
            scholar=S,
            created_at=T0,
            status=MentorshipStatus.ACTIVE,
        )
        state = dataclasses.replace(state, mentorships={**state.mentorships, other.id: other})
    elif why == "top":
        top = dataclasses.replace(state.scholars[S], career=Career("Professor", "Academia"))
        state = dataclasses.replace(state, scholars={S: top})
    else:
        m = dataclasses.replace(state.mentorships[M1], status=MentorshipStatus.CANCELLED)
        state = dataclasses.replace(state, mentorships={M1: m})
    state = _digest(state, 1)
    assert state.mentorships[M1].status is MentorshipStatus.CANCELLED
    order = next(o for o in state.orders.values() if o.type == ACTIVATION_ORDER)
    assert order.status is OrderStatus.CANCELLED
    assert state.players[P1].influence[Faction.ACADEMIA] == 0


def _assign(state: CampaignState, track: str, actor: PlayerId = P1) -> CampaignState:
    result = run(state, AssignLab(actor=actor, at=T0, scholar=S, track=track))
    assert apply_all(state, result.events) == result.state
    return result.state


def test_assign_lab() -> None:
    state = _digest(_digest(_mentor(_state()), 1), 2)
    assert _career(state) == ("Postdoc", "Academia", 2)
    same = _assign(state, "academia")
    assert _career(same) == ("Postdoc", "Academia", 2)
    moved = _assign(same, "Industry")
    assert _career(moved) == ("Associate", "Industry", 0)
    assert moved.mentorships[M1].track == "Industry"
    assert _career(_digest(moved, 3)) == ("Associate", "Industry", 1)


def test_assign_lab_refusals() -> None:
    pending_state = _mentor(_state())
    with pytest.raises(PermissionDenied, match="active mentor"):
        _assign(pending_state, "Industry")
    active = _digest(pending_state, 1)
    with pytest.raises(PermissionDenied):
        _assign(active, "Industry", actor=P2)
    with pytest.raises(InvalidInput, match="Unknown career track"):
        _assign(active, "Religion")
    with pytest.raises(NotFound):
        run(active, AssignLab(actor=P1, at=T0, scholar=ScholarId("s.ghost"), track="Industry"))


def test_mentoring_a_sidecast_attends_to_them(attended: Attended) -> None:
    mine = Sidecast(kind=SidecastKind.ARCHIVE_GHOST, sponsor=P1, spawned_at=T0)
    theirs = dataclasses.replace(mine, sponsor=P2)
    sidecast = make_scholar(S, sidecast=mine)
    other = make_scholar("s.b", sidecast=theirs)
    state = _mentor(_mentor(_state(sidecast, other)), ScholarId("s.b"))
    assert attended == [(S, P1, T0)]
    state = _digest(state, 1)
    assert attended[1:] == [(S, P1, T0 + DAY)]
    _assign(state, "Industry")
    assert attended[2:] == [(S, P1, T0)]


def test_events_round_trip_through_the_codec() -> None:
    career = Career(tier="Fellow", track="Academia", ticks=2)
    m = Mentorship(id=M1, player=P1, scholar=S, created_at=T0, track="Industry")
    events: list[Event] = [
        MentorshipQueued(at=T0, mentorship=m),
        MentorshipActivated(at=T0, mentorship=M1, career=career),
        MentorshipCancelled(at=T0, mentorship=M1, reason="the scholar left"),
        CareerTicked(at=T0, scholar=S, mentorship=M1, ticks=2),
        ScholarPromoted(at=T0, scholar=S, mentorship=M1, tier="Professor"),
        MentorshipCompleted(at=T0, mentorship=M1),
        LabAssigned(at=T0, scholar=S, mentorship=M1, career=career),
    ]
    for event in events:
        assert decode_event(encode_event(event)) == event


def test_mentoring_resets_the_real_sidecast_count() -> None:
    from greatwork.rules.sidecast import SidecastAttended  # noqa: PLC0415 (helper A's module)

    arc = Sidecast(kind=SidecastKind.LOCAL_JUNIOR, sponsor=P1, spawned_at=T0, unattended_digests=2)
    state = _state(make_scholar(S, sidecast=arc))
    result = run(state, Mentor(actor=P1, at=T0, scholar=S))
    assert SidecastAttended in {type(e) for e in result.events}
    after = result.state.scholars[S].sidecast
    assert after is not None
    assert after.unattended_digests == 0
    assert apply_all(state, result.events) == result.state
