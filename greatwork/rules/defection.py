"""Defection: the logistic curve, the move to a new employer, forced defections, followups.

A defection never reverts by itself (D8, Q-41). It leaves a scar toward the old employer and,
three days later, a "return offer" feeling: strings attached that a later /poach by the old
employer can use, but the contract does not move.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Final

from greatwork.rules.command import Context
from greatwork.rules.constants import DAY, Faction
from greatwork.rules.errors import Conflict
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant, PlayerId, ScholarId
from greatwork.rules.memory import (
    change_feeling,
    employer_key,
    feeling,
    get_scholar,
    remember,
    scar,
    update_scholar,
)
from greatwork.rules.order import handles, order_time, schedule
from greatwork.rules.player import parse_faction
from greatwork.rules.state import CampaignState, Contract, EmployerKind, Order, Scholar
from greatwork.rules.text import clean_reason

# The logistic of section 3.10: p = 1 / (1 + e^(-6 (x - 0.5))).
STEEPNESS: Final = 6.0
MIDPOINT: Final = 0.5
LOYALTY_WEIGHT: Final = 0.6
INTEGRITY_WEIGHT: Final = 0.4

# Plateau: a scholar with no discovery in the last 90 days is restless.
PLATEAU: Final = 0.2
PLATEAU_WINDOW: Final = 90 * DAY
DISCOVERY_KINDS: Final = frozenset({"discovery", "expedition"})

# Feeling changes (section 2, "Feeling changes").
SCAR_FEELING: Final = -3.0
OLD_EMPLOYER_FEELING: Final = -4.0
RETURN_FEELING: Final = 1.5
RETURN_DELAY: Final = 3 * DAY
GRUDGE_FEELING: Final = -1.5
GRUDGE_DELAY: Final = 2 * DAY

# Admin force (section 3.13): the reference's inputs, recorded for the press only.
FORCED_QUALITY: Final = 10.0
FORCED_ALIGNMENT: Final = 1.0

RETURN_ORDER: Final = "followup:return_offer"
GRUDGE_ORDER: Final = "followup:defection_grudge"

FORCED: Final = "forced"
NEGOTIATED: Final = "negotiated"


def logistic(x: float) -> float:
    """The defection curve, centred on 0.5 with slope 6."""
    z = max(-60.0, min(60.0, -STEEPNESS * (x - MIDPOINT)))  # no overflow on wild inputs
    return 1.0 / (1.0 + math.exp(z))


def defection_probability(
    quality: float,
    mistreatment: float,
    alignment: float,
    plateau: float,
    loyalty: float,
    integrity: float,
) -> float:
    """The chance a scholar leaves (section 3.10).

    ``x = quality + mistreatment + alignment + plateau - 0.6 loyalty/10 - 0.4 integrity/10``
    and ``p = 1 / (1 + e^(-6 (x - 0.5)))``.

    Args:
        quality: how good the offer is (design range 0 to 1).
        mistreatment: grievance against the current employer (0 to 1).
        alignment: liking for the suitor (design range -0.3 to 0.3; offers use 0 to 1).
        plateau: career restlessness (0 to 0.4).
        loyalty: the scholar's loyalty stat (0 to 10).
        integrity: the scholar's integrity stat (0 to 10).

    Returns:
        A probability in (0, 1).
    """
    x = (
        quality
        + mistreatment
        + alignment
        + plateau
        - LOYALTY_WEIGHT * loyalty / 10
        - INTEGRITY_WEIGHT * integrity / 10
    )
    return logistic(x)


def plateau(scholar: Scholar, at: Instant) -> float:
    """0 if the scholar remembers a discovery or an expedition from the last 90 days, else 0.2.

    Reads only the :class:`~greatwork.rules.state.Fact` fields, so any fact is safe (Q-4).
    """
    since = at - PLATEAU_WINDOW
    recent = any(
        fact.kind in DISCOVERY_KINDS and since <= fact.at <= at for fact in scholar.memory.facts
    )
    return 0.0 if recent else PLATEAU


def grievance(scholar: Scholar, key: str) -> float:
    """How much a bad feeling toward ``key`` pushes the scholar: ``max(0, -f)/5``, at most 1."""
    return min(1.0, max(0.0, -feeling(scholar, key)) / 5)


def affinity(scholar: Scholar, key: str) -> float:
    """How much a good feeling toward ``key`` pulls the scholar: ``max(0, f)/5``, at most 1."""
    return min(1.0, max(0.0, feeling(scholar, key)) / 5)


def walkout_penalty(integrity: int) -> int:
    """Reputation a patron loses when a scholar walks out to a rival (section 3.10 item 6).

    A principled scholar leaving says something about the employer: 0 for integrity up to 6,
    1 for 7 or 8, 2 for 9 or 10.
    """
    return max(0, integrity - 5) // 2


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ScholarDefected(Event):
    """A scholar changed employer (forced by an admin, or won by a rival's offer)."""

    scholar: ScholarId
    old: Contract
    new: Contract
    cause: str  # forced | negotiated
    by: str  # the admin or the rival
    probability: float  # the recorded chance (the admin's word is final: no draw)
    roll: float | None = None  # the uniform draw of a negotiation
    ref: str = ""  # the negotiation chain, if any
    reason: str = ""


@applies(ScholarDefected)
def _defected(state: CampaignState, e: ScholarDefected) -> CampaignState:
    scholar = dataclasses.replace(state.scholars[e.scholar], contract=e.new)
    return update_scholar(state, scholar)


# --- helpers ---------------------------------------------------------------------------------


def defect(  # noqa: PLR0913 (what happened, to whom, why and with what odds)
    tx: Tx,
    scholar: ScholarId,
    new: Contract,
    at: Instant,
    *,
    cause: str,
    by: str,
    probability: float,
    roll: float | None = None,
    ref: str = "",
    reason: str = "",
) -> Contract:
    """Move a scholar to a new contract, with the scar, the feelings, the fact and the followup.

    The old employer is scarred (-3, never decays) and resented (-4 more); the scholar
    remembers a ``defection`` fact; a return offer (+1.5 toward the old employer, no move) is
    scheduled in three days.

    Returns:
        The old contract.
    """
    old = get_scholar(tx.state, scholar).contract
    old_key = employer_key(old)
    tx.emit(
        ScholarDefected(
            at=at,
            scholar=scholar,
            old=old,
            new=new,
            cause=cause,
            by=by,
            probability=probability,
            roll=roll,
            ref=ref,
            reason=reason,
        )
    )
    scar(tx, scholar, "defection", old_key, at)
    change_feeling(tx, scholar, old_key, SCAR_FEELING, at, "defection scar")
    change_feeling(tx, scholar, old_key, OLD_EMPLOYER_FEELING, at, "defection")
    remember(
        tx, scholar, "defection", employer_key(new), at, f"left {old.employer} for {new.employer}"
    )
    schedule(
        tx,
        RETURN_ORDER,
        at,
        due=Instant(at + RETURN_DELAY),
        actor=by,
        subject=scholar,
        payload={"key": old_key, "employer": old.employer},
    )
    return old


def schedule_grudge(tx: Tx, scholar: ScholarId, key: str, at: Instant) -> None:
    """A refusal's lasting rivalry: -1.5 toward ``key`` in two days."""
    schedule(
        tx,
        GRUDGE_ORDER,
        at,
        due=Instant(at + GRUDGE_DELAY),
        subject=scholar,
        payload={"key": key},
    )


def force_defection(
    tx: Tx,
    ctx: Context,
    scholar: ScholarId,
    faction: Faction | str,
    admin: PlayerId,
    reason: str,
    at: Instant,
) -> float:
    """An admin moves a scholar to a faction; it always happens (Q-25).

    The chance the reference would have rolled (quality 10, alignment 1) is recorded for the
    press, but nothing is drawn. Open negotiations about the scholar are refunded when their
    deadline comes, since the patron no longer employs the scholar.

    Returns:
        The recorded probability.

    Raises:
        NotFound: no such scholar on the roster.
        InvalidInput: an unknown faction, or a reason over 200 characters.
        Conflict: the scholar already serves that faction.
    """
    del ctx  # the admin's word is final: nothing is drawn
    record = get_scholar(tx.state, scholar)
    banner = parse_faction(str(faction))
    text = clean_reason(reason, "admin decision")
    old = record.contract
    if old.kind is EmployerKind.FACTION and old.employer == banner:
        raise Conflict(f"{record.name} already serves {banner}.", scholar=scholar, faction=banner)
    probability = defection_probability(
        quality=FORCED_QUALITY,
        mistreatment=grievance(record, employer_key(old)),
        alignment=FORCED_ALIGNMENT,
        plateau=plateau(record, at),
        loyalty=record.stats.loyalty,
        integrity=record.stats.integrity,
    )
    new = Contract(
        employer=str(banner),
        kind=EmployerKind.FACTION,
        term_years=old.term_years,
        faction=banner,
        since=at,
    )
    defect(tx, scholar, new, at, cause=FORCED, by=admin, probability=probability, reason=text)
    return probability


# --- followups -------------------------------------------------------------------------------


@handles(RETURN_ORDER)
def _return_offer(tx: Tx, order: Order, ctx: Context) -> None:
    """Three days after a defection: the old employer's strings, never a move (Q-41)."""
    scholar = ScholarId(order.subject or "")
    key = str(order.payload.get("key") or "")
    if scholar not in tx.state.scholars or not key:
        return
    at = order_time(order, ctx)
    change_feeling(tx, scholar, key, RETURN_FEELING, at, "return offer: strings attached")
    remember(tx, scholar, "return_offer", key, at, "strings attached")


@handles(GRUDGE_ORDER)
def _grudge(tx: Tx, order: Order, ctx: Context) -> None:
    """Two days after a refused offer: the rivalry sets in."""
    scholar = ScholarId(order.subject or "")
    key = str(order.payload.get("key") or "")
    if scholar in tx.state.scholars and key:
        change_feeling(tx, scholar, key, GRUDGE_FEELING, order_time(order, ctx), "rivalry")
