"""How well a scholar knows a player: the [H] relationship bonus on recruitment odds (3.5)."""

from __future__ import annotations

from typing import Final

from greatwork.rules.ids import PlayerId, ScholarId
from greatwork.rules.memory import feeling, get_scholar, player_key
from greatwork.rules.state import CampaignState, MentorshipStatus

FEELING_WEIGHT: Final = 0.02
FEELING_BONUS_CAP: Final = 0.2
ACTIVE_MENTOR_BONUS: Final = 0.05
PAST_MENTOR_COMPLETED_BONUS: Final = 0.04
PAST_MENTOR_BONUS: Final = 0.02
SPONSOR_BONUS: Final = 0.02
REL_CAP: Final = 0.25

# The history entries that mean the player really mentored the scholar (a queued mentorship
# that never started does not count).
_MENTORED: Final = frozenset({"activated", "promoted", "completed"})


def _clamp(value: float, bound: float) -> float:
    return max(-bound, min(bound, value))


def is_active_mentor(state: CampaignState, scholar: ScholarId, player: PlayerId) -> bool:
    """Whether ``player`` mentors ``scholar`` right now."""
    return any(
        m.scholar == scholar and m.player == player and m.status is MentorshipStatus.ACTIVE
        for m in state.mentorships.values()
    )


def mentorship_bonus(state: CampaignState, scholar: ScholarId, player: PlayerId) -> float:
    """+0.05 for the active mentor; else +0.04 after a completed mentorship, +0.02 after any."""
    if is_active_mentor(state, scholar, player):
        return ACTIVE_MENTOR_BONUS
    entries = [
        e
        for e in get_scholar(state, scholar).mentorship_history
        if e.player == player and e.event in _MENTORED
    ]
    if not entries:
        return 0.0
    return PAST_MENTOR_COMPLETED_BONUS if entries[-1].event == "completed" else PAST_MENTOR_BONUS


def rel(state: CampaignState, scholar: ScholarId, player: PlayerId) -> float:
    """The relationship bonus a player adds to their recruitment chance, in [-0.25, 0.25].

    ``clamp(0.02 * feeling, ±0.2)``, plus the mentorship bonus, plus 0.02 if the player
    sponsors the scholar as a sidecast; the sum is clamped to ±0.25.

    Raises:
        NotFound: the scholar is not on the roster.
    """
    record = get_scholar(state, scholar)
    total = _clamp(FEELING_WEIGHT * feeling(record, player_key(player)), FEELING_BONUS_CAP)
    total += mentorship_bonus(state, scholar, player)
    if record.sidecast is not None and record.sidecast.sponsor == player:
        total += SPONSOR_BONUS
    return round(_clamp(total, REL_CAP), 6)
