"""Theories (D2): public claims with a wager, judged by an expedition or a conference.

A theory is submitted by a player (or spawned by a sideways discovery), stays open until
something settles it, and settles once: success or landmark vindicates it (the author gains the
wager's reward), failure refutes it (the author takes the penalty), partial leaves it open. An
open theory past its deadline lapses with no change of reputation.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from greatwork.rules.command import Command, Context, decides
from greatwork.rules.constants import (
    DAY,
    MAX_THEORY_LENGTH,
    THEORY_DEFAULT_DEADLINE_DAYS,
    THEORY_MAX_DEADLINE_DAYS,
    WAGERS,
    Confidence,
    Outcome,
)
from greatwork.rules.errors import InvalidInput
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant, PlayerId, ScholarId, TheoryId
from greatwork.rules.memory import get_scholar
from greatwork.rules.player import bump_counter, change_reputation, next_id
from greatwork.rules.state import CampaignState, Theory, TheoryStatus

# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TheorySubmitted(Event):
    """A theory was put on the record (by a player, a sideways discovery or a conference)."""

    theory: Theory


@dataclass(frozen=True, slots=True, kw_only=True)
class TheorySettled(Event):
    """A theory was vindicated or refuted; ``reputation_delta`` is what its author got."""

    theory: TheoryId
    status: TheoryStatus
    by: str
    reputation_delta: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TheoryLapsed(Event):
    """An open theory reached its deadline unsettled; nobody's reputation changed."""

    theory: TheoryId


def _set_theory(state: CampaignState, theory: Theory) -> CampaignState:
    return dataclasses.replace(state, theories={**state.theories, theory.id: theory})


@applies(TheorySubmitted)
def _submitted(state: CampaignState, e: TheorySubmitted) -> CampaignState:
    return _set_theory(bump_counter(state, "theory"), e.theory)


@applies(TheorySettled)
def _settled(state: CampaignState, e: TheorySettled) -> CampaignState:
    theory = dataclasses.replace(
        state.theories[e.theory],
        status=e.status,
        settled_by=e.by,
        settled_at=e.at,
        reputation_delta=e.reputation_delta,
    )
    return _set_theory(state, theory)


@applies(TheoryLapsed)
def _lapsed(state: CampaignState, e: TheoryLapsed) -> CampaignState:
    theory = dataclasses.replace(
        state.theories[e.theory], status=TheoryStatus.LAPSED, settled_at=e.at
    )
    return _set_theory(state, theory)


# --- the command -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmitTheory(Command):
    """Put a theory on the record, wagering reputation on it (section 5, /submit_theory).

    Attributes:
        theory: the claim (stripped; 1 to MAX_THEORY_LENGTH characters).
        confidence: the wager (section 3.1).
        supporters: scholars named in support; each must exist, no repeats.
        deadline_days: days until an unsettled theory lapses (1 to 30).
    """

    theory: str
    confidence: Confidence
    supporters: tuple[ScholarId, ...] = ()
    deadline_days: int = THEORY_DEFAULT_DEADLINE_DAYS


def clean_theory_text(text: str) -> str:
    """The stripped text of a player's theory, or InvalidInput naming the limit."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput("A theory needs some text.", field="theory")
    if len(cleaned) > MAX_THEORY_LENGTH:
        raise InvalidInput(
            f"A theory is at most {MAX_THEORY_LENGTH} characters (this one has {len(cleaned)}).",
            field="theory",
            limit=MAX_THEORY_LENGTH,
            length=len(cleaned),
        )
    return cleaned


def _check_supporters(state: CampaignState, supporters: tuple[ScholarId, ...]) -> None:
    seen: set[ScholarId] = set()
    for sid in supporters:
        get_scholar(state, sid)
        if sid in seen:
            raise InvalidInput(f"Scholar {sid} is named twice among the supporters.", scholar=sid)
        seen.add(sid)


def _new_theory(
    tx: Tx,
    player: PlayerId,
    text: str,
    confidence: Confidence,
    at: Instant,
    deadline: Instant,
    supporters: tuple[ScholarId, ...] = (),
    origin: str = "player",
) -> TheoryId:
    theory_id = TheoryId(f"T-{next_id(tx.state, 'theory')}")
    theory = Theory(
        id=theory_id,
        player=player,
        text=text,
        confidence=confidence,
        created_at=at,
        deadline=deadline,
        supporters=supporters,
        origin=origin,
    )
    tx.emit(TheorySubmitted(at=at, theory=theory))
    return theory_id


@decides(SubmitTheory)
def _submit(tx: Tx, cmd: SubmitTheory, ctx: Context) -> None:
    del ctx
    text = clean_theory_text(cmd.theory)
    _check_supporters(tx.state, cmd.supporters)
    if not 1 <= cmd.deadline_days <= THEORY_MAX_DEADLINE_DAYS:
        raise InvalidInput(
            f"A theory's deadline is 1 to {THEORY_MAX_DEADLINE_DAYS} days "
            f"(not {cmd.deadline_days}).",
            field="deadline_days",
            limit=THEORY_MAX_DEADLINE_DAYS,
            value=cmd.deadline_days,
        )
    deadline = Instant(cmd.at + cmd.deadline_days * DAY)
    _new_theory(tx, cmd.actor, text, cmd.confidence, cmd.at, deadline, cmd.supporters)


# --- helpers other modules call --------------------------------------------------------------


def spawn_theory(
    tx: Tx,
    player: PlayerId,
    text: str,
    confidence: Confidence,
    at: Instant,
    origin: str,
) -> TheoryId:
    """Record a theory the game wrote for a player (a sideways discovery, a conference).

    The text is trimmed to the length limit; the deadline is the default 7 days.

    Returns:
        The new theory's id.
    """
    cleaned = text.strip()[:MAX_THEORY_LENGTH].rstrip() or "An untitled conjecture"
    deadline = Instant(at + THEORY_DEFAULT_DEADLINE_DAYS * DAY)
    return _new_theory(tx, player, cleaned, confidence, at, deadline, origin=origin)


def settle_theory(tx: Tx, theory: TheoryId, outcome: Outcome, by: str, at: Instant) -> None:
    """Judge an open theory by an outcome (D2); a no-op if it is unknown or not open.

    Success or landmark vindicates it and its author gains the wager's reward; failure refutes
    it and the author takes the penalty (both clamped to the reputation bounds); partial
    leaves it open.

    Args:
        tx: the working transaction.
        theory: the theory to judge.
        outcome: the band of the expedition or conference that tested it.
        by: what judged it, e.g. ``"expedition:AX-1"`` or ``"conference:CONF-3"``.
        at: when.
    """
    record = tx.state.theories.get(theory)
    if record is None or record.status is not TheoryStatus.OPEN or outcome is Outcome.PARTIAL:
        return
    reward, penalty = WAGERS[record.confidence]
    if outcome is Outcome.FAILURE:
        status, wager = TheoryStatus.REFUTED, penalty
    else:
        status, wager = TheoryStatus.VINDICATED, reward
    delta = change_reputation(tx, record.player, wager, at, reason=f"theory {status}", ref=theory)
    tx.emit(TheorySettled(at=at, theory=theory, status=status, by=by, reputation_delta=delta))


def lapse_overdue(tx: Tx, at: Instant) -> None:
    """Lapse every open theory whose deadline has come (no reputation change)."""
    overdue = [
        t.id
        for t in tx.state.theories.values()
        if t.status is TheoryStatus.OPEN and t.deadline <= at
    ]
    for theory_id in overdue:
        tx.emit(TheoryLapsed(at=at, theory=theory_id))
