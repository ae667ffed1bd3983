"""The calendar: one real day is one in-game year, counted from 1920 (section 1)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from greatwork.rules.constants import DAY
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant
from greatwork.rules.state import CampaignState


@dataclass(frozen=True, slots=True, kw_only=True)
class YearsAdvanced(Event):
    """The in-game calendar turned ``years`` years, to ``year``."""

    years: int
    year: int
    anchor_day: int


@applies(YearsAdvanced)
def _advanced(state: CampaignState, e: YearsAdvanced) -> CampaignState:
    return dataclasses.replace(state, year=e.year, anchor_day=e.anchor_day)


def advance_timeline(tx: Tx, at: Instant) -> int:
    """Digest step 1c: add a year for each whole UTC day since the anchor; return the years."""
    years = at // DAY - tx.state.anchor_day
    if years >= 1:
        state = tx.state
        tx.emit(
            YearsAdvanced(
                at=at, years=years, year=state.year + years, anchor_day=state.anchor_day + years
            )
        )
        return years
    return 0
