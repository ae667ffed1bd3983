"""The roster: scholars join and retire, and the digest keeps it between 20 and 30 (section 2)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from greatwork.rules.command import Context
from greatwork.rules.constants import ROSTER_MAX, ROSTER_MIN
from greatwork.rules.content import Content
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.generation import generate_scholar
from greatwork.rules.ids import Instant, PlayerId, ScholarId
from greatwork.rules.order import cancel, pending
from greatwork.rules.rng import scholar_rng
from greatwork.rules.state import CampaignState, EmployerKind, MentorshipStatus, Scholar

PROC_ID = re.compile(r"s\.proc-(\d+)")
_OPEN_MENTORSHIPS = (MentorshipStatus.PENDING, MentorshipStatus.ACTIVE)


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ScholarSpawned(Event):
    """A scholar joined the roster.

    Attributes:
        scholar: the whole record, as generated (replay needs neither RNG nor content).
        reason: ``legend``, ``roster`` (topping up to 20), ``sidecast``, ``admin``...
        sponsor: the player a sidecast joined, if any.
    """

    scholar: Scholar
    reason: str
    sponsor: PlayerId | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScholarRetired(Event):
    """A scholar left the roster for good; their open mentorships end with them."""

    scholar: ScholarId
    reason: str


@applies(ScholarSpawned)
def _spawned(state: CampaignState, e: ScholarSpawned) -> CampaignState:
    return dataclasses.replace(state, scholars={**state.scholars, e.scholar.id: e.scholar})


@applies(ScholarRetired)
def _retired(state: CampaignState, e: ScholarRetired) -> CampaignState:
    scholars = dict(state.scholars)
    record = scholars.pop(e.scholar)
    mentorships = {
        mid: dataclasses.replace(m, status=MentorshipStatus.CANCELLED, ended_at=e.at)
        if m.scholar == e.scholar and m.status in _OPEN_MENTORSHIPS
        else m
        for mid, m in state.mentorships.items()
    }
    return dataclasses.replace(
        state,
        scholars=scholars,
        retired={**state.retired, e.scholar: record},
        mentorships=mentorships,
    )


# --- helpers ---------------------------------------------------------------------------------


def proc_number(scholar_id: str) -> int | None:
    """The number of a generated scholar's id (``s.proc-007`` -> 7), else None."""
    match = PROC_ID.fullmatch(scholar_id)
    return int(match.group(1)) if match else None


def next_scholar_id(state: CampaignState) -> ScholarId:
    """``s.proc-NNN``: one above the highest number ever used, on the roster or retired."""
    numbers = [proc_number(sid) for sid in (*state.scholars, *state.retired)]
    highest = max((n for n in numbers if n is not None), default=0)
    return ScholarId(f"s.proc-{highest + 1:03d}")


def generate_next(state: CampaignState, content: Content, at: Instant) -> Scholar:
    """The next proc scholar, generated from the campaign seed (nothing is emitted).

    The scholar's RNG is ``scholar_rng(seed, number)``, so the same campaign seed always
    yields the same scholars, whatever else was drawn before.
    """
    scholar_id = next_scholar_id(state)
    number = proc_number(scholar_id)
    assert number is not None  # noqa: S101 (next_scholar_id builds a proc id)
    return generate_scholar(scholar_rng(state.seed, number), scholar_id, content, at)


def retire_scholar(tx: Tx, scholar: ScholarId, at: Instant, reason: str) -> None:
    """Retire a scholar: cancel the orders about them, then move them to ``retired``."""
    for order in pending(tx.state):
        if order.subject == scholar:
            cancel(tx, order.id, at, reason=f"{scholar} retired", by="roster")
    tx.emit(ScholarRetired(at=at, scholar=scholar, reason=reason))


def retirement_order(state: CampaignState) -> list[Scholar]:
    """Scholars in the order they retire: Independent first, then low loyalty, few facts, id."""
    return sorted(
        state.scholars.values(),
        key=lambda s: (
            0 if s.contract.kind is EmployerKind.INDEPENDENT else 1,
            s.stats.loyalty,
            len(s.memory.facts),
            s.id,
        ),
    )


def maintain_roster(tx: Tx, ctx: Context, at: Instant) -> None:
    """Digest step 1e: generate scholars up to 20, retire the surplus above 30."""
    while len(tx.state.scholars) < ROSTER_MIN:
        scholar = generate_next(tx.state, ctx.content, at)
        tx.emit(ScholarSpawned(at=at, scholar=scholar, reason="roster"))
    surplus = len(tx.state.scholars) - ROSTER_MAX
    if surplus > 0:
        for scholar in retirement_order(tx.state)[:surplus]:
            retire_scholar(tx, scholar.id, at, reason="roster")
