"""The [H] relationship bonus on recruitment odds (section 3.5)."""

from __future__ import annotations

import dataclasses

import pytest

from greatwork.rules.errors import NotFound
from greatwork.rules.ids import MentorshipId, PlayerId, ScholarId
from greatwork.rules.memory import player_key
from greatwork.rules.relationship import is_active_mentor, mentorship_bonus, rel
from greatwork.rules.state import (
    CampaignState,
    Memory,
    Mentorship,
    MentorshipEntry,
    MentorshipStatus,
    Sidecast,
    SidecastKind,
)
from tests.rules.builders import T0, make_player, make_scholar, make_state

P1 = PlayerId("p1")
P2 = PlayerId("p2")
S = ScholarId("s.a")


def _state(
    feeling: float = 0.0,
    history: tuple[MentorshipEntry, ...] = (),
    mentor: PlayerId | None = None,
    sponsor: PlayerId | None = None,
) -> CampaignState:
    scholar = make_scholar(
        S,
        memory=Memory(feelings={player_key(P1): feeling} if feeling else {}),
        mentorship_history=history,
        sidecast=None
        if sponsor is None
        else Sidecast(kind=SidecastKind.LOCAL_JUNIOR, sponsor=sponsor, spawned_at=T0),
    )
    state = make_state(players=[make_player("p1"), make_player("p2")], scholars=[scholar])
    if mentor is not None:
        m = Mentorship(
            id=MentorshipId("M-1"),
            player=mentor,
            scholar=S,
            created_at=T0,
            status=MentorshipStatus.ACTIVE,
        )
        state = dataclasses.replace(state, mentorships={m.id: m})
    return state


def _entry(event: str, player: PlayerId = P1) -> MentorshipEntry:
    return MentorshipEntry(player=player, event=event, at=T0)


@pytest.mark.parametrize(
    ("feeling", "expected"),
    [(0.0, 0.0), (5.0, 0.1), (-5.0, -0.1), (10.0, 0.2), (25.0, 0.2), (-25.0, -0.2)],
)
def test_feeling_counts_two_hundredths_a_point_capped_at_a_fifth(
    feeling: float, expected: float
) -> None:
    assert rel(_state(feeling), S, P1) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("history", "mentor", "expected"),
    [
        ((), None, 0.0),
        ((), P1, 0.05),
        ((), P2, 0.0),
        ((_entry("activated"),), None, 0.02),
        ((_entry("activated"), _entry("promoted")), None, 0.02),
        ((_entry("activated"), _entry("completed")), None, 0.04),
        ((_entry("completed"), _entry("activated")), None, 0.02),
        ((_entry("completed"),), P1, 0.05),  # the active mentor bonus wins
        ((_entry("completed", P2),), None, 0.0),  # someone else's history
        ((_entry("queued"), _entry("cancelled")), None, 0.0),  # never really mentored
    ],
)
def test_mentorship_bonus(
    history: tuple[MentorshipEntry, ...], mentor: PlayerId | None, expected: float
) -> None:
    state = _state(history=history, mentor=mentor)
    assert mentorship_bonus(state, S, P1) == pytest.approx(expected)
    assert rel(state, S, P1) == pytest.approx(expected)


def test_sidecast_sponsor_adds_two_hundredths() -> None:
    assert rel(_state(sponsor=P1), S, P1) == pytest.approx(0.02)
    assert rel(_state(sponsor=P2), S, P1) == 0.0


@pytest.mark.parametrize(("feeling", "expected"), [(30.0, 0.25), (-30.0, -0.13)])
def test_total_is_clamped_to_a_quarter(feeling: float, expected: float) -> None:
    state = _state(feeling, mentor=P1, sponsor=P1)  # 0.2 + 0.05 + 0.02 = 0.27 -> 0.25
    assert rel(state, S, P1) == pytest.approx(expected)


def test_active_mentor_is_per_player_and_per_status() -> None:
    state = _state(mentor=P1)
    assert is_active_mentor(state, S, P1)
    assert not is_active_mentor(state, S, P2)
    m = dataclasses.replace(state.mentorships[MentorshipId("M-1")], status=MentorshipStatus.PENDING)
    pending = dataclasses.replace(state, mentorships={m.id: m})
    assert not is_active_mentor(pending, S, P1)


def test_unknown_scholar_is_not_found() -> None:
    with pytest.raises(NotFound):
        rel(_state(), ScholarId("s.nobody"), P1)
