"""The digest: one pure step that moves the world forward (section 3.16 and D9).

``run_digest(state, number, at, ctx)`` returns the events digest ``number`` produces, in the
order of section 3.16, and the state they lead to. Digests are numbered and run exactly once:
digest N is refused unless N is one more than the last, and while the game is paused.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from greatwork.rules import (
    economy,
    expedition,
    mentorship,
    recruitment,
    roster,
    sidecast,
    symposium,
    theory,
    timeline,
)
from greatwork.rules.command import Context, Result
from greatwork.rules.errors import Conflict, GamePaused
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant
from greatwork.rules.memory import decay_feelings
from greatwork.rules.order import STEP_CONFERENCES, STEP_FOLLOWUPS, STEP_MENTORSHIP, run_due
from greatwork.rules.state import CampaignState


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestStarted(Event):
    """Digest ``number`` began."""

    number: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestCompleted(Event):
    """Digest ``number`` finished; it will never run again."""

    number: int


@applies(DigestStarted)
def _started(state: CampaignState, e: DigestStarted) -> CampaignState:
    del e
    return state


@applies(DigestCompleted)
def _completed(state: CampaignState, e: DigestCompleted) -> CampaignState:
    return dataclasses.replace(state, last_digest=e.number, last_digest_at=e.at)


def check_digest(state: CampaignState, number: int) -> None:
    """Refuse a digest that is paused, already run, or out of order."""
    if state.pause is not None:
        raise GamePaused(
            f"The game is paused ({state.pause.reason}); the digest waits.",
            reason=state.pause.reason,
        )
    if number != state.last_digest + 1:
        raise Conflict(
            f"Digest {number} cannot run: the last digest was {state.last_digest}.",
            number=number,
            last=state.last_digest,
        )


def run_digest(state: CampaignState, number: int, at: Instant, ctx: Context) -> Result:
    """Run digest ``number`` at time ``at``; the events come in the order of section 3.16."""
    check_digest(state, number)
    tx = Tx(state)
    tx.emit(DigestStarted(at=at, number=number))
    symposium.expire_proposals(tx, at)  # a
    timeline.advance_timeline(tx, at)  # c
    recruitment.tick_cooldowns(tx, at, number)  # d
    roster.maintain_roster(tx, ctx, at)  # e
    decay_feelings(tx, number, at)  # e (Required: decay here)
    sidecast.tick_sidecasts(tx, at)  # e (D13: normalise unattended sidecasts)
    run_due(tx, STEP_MENTORSHIP, ctx, at)  # f
    mentorship.tick_careers(tx, ctx, at)  # f
    run_due(tx, STEP_FOLLOWUPS, ctx, at)  # g, h
    economy.charge_upkeep(tx, at)  # i
    economy.charge_commitments(tx, at)  # j
    economy.advance_projects(tx, at)  # k
    run_due(tx, STEP_CONFERENCES, ctx, at)  # l
    expedition.resolve_pending(tx, ctx, at, number)  # 2
    theory.lapse_overdue(tx, at)  # D2: unsettled theories lapse at their deadline
    tx.emit(DigestCompleted(at=at, number=number))
    return Result(tx.state, tuple(tx.events))


def run_symposium(state: CampaignState, at: Instant, ctx: Context) -> Result:
    """The weekly symposium tick: resolve the open topic, then launch the next."""
    if state.pause is not None:
        raise GamePaused(
            f"The game is paused ({state.pause.reason}); the symposium waits.",
            reason=state.pause.reason,
        )
    tx = Tx(state)
    symposium.launch_symposium(tx, ctx, at)
    return Result(tx.state, tuple(tx.events))
