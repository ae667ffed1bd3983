"""Negotiation chains: the odds of each offer and the chain's single resolution (D8, Q-4).

A chain is a rival's opening offer and, perhaps, the patron's counter. It resolves once, at
the later of their deadlines: the best live offer (pending or countered) by its odds faces
one uniform draw. A rival's offer that wins moves the scholar to the rival; a counter that
wins keeps them; otherwise every offer is refused. Losing escrow is refunded, the winner's
escrow is spent, and resolving again changes nothing.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from greatwork.rules.command import Context
from greatwork.rules.constants import Faction
from greatwork.rules.defection import (
    INTEGRITY_WEIGHT,
    LOYALTY_WEIGHT,
    NEGOTIATED,
    affinity,
    defect,
    defection_probability,
    grievance,
    logistic,
    plateau,
    schedule_grudge,
    walkout_penalty,
)
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant, OfferId, ScholarId
from greatwork.rules.memory import change_feeling, player_key, update_scholar
from greatwork.rules.order import handles, order_time
from greatwork.rules.player import InfluenceChanged, change_reputation
from greatwork.rules.relationship import rel
from greatwork.rules.state import (
    CampaignState,
    ChainStatus,
    Contract,
    EmployerKind,
    Negotiation,
    Offer,
    OfferKind,
    OfferStatus,
    Order,
    Scholar,
    Terms,
)

DEADLINE_ORDER: Final = "followup:offer_deadline"

ODDS_FLOOR: Final = 0.05
ODDS_CEILING: Final = 0.95
QUALITY_PER_INFLUENCE: Final = 0.1  # quality = min(1, total / 10)
TERM_BONUSES: Final = (
    ("exclusive_research", 0.10),
    ("guaranteed_funding", 0.15),
    ("leadership_role", 0.20),
)
COUNTER_PENALTY: Final = 0.10
RESOLVE_PENALTY: Final = 0.05

RIVAL_WON_FEELING: Final = 2.0
COUNTER_WON_PATRON: Final = 3.0
COUNTER_WON_RIVAL: Final = -2.0
REFUSED_RIVAL: Final = -1.0

LIVE: Final = frozenset({OfferStatus.PENDING, OfferStatus.COUNTERED})


class NegotiationOutcome(enum.StrEnum):
    """How a chain ended."""

    DEFECTED = "defected"  # the rival's offer won: the scholar moved to the rival
    STAYED = "stayed"  # the patron's counter won
    REJECTED = "rejected"  # every offer refused: the scholar stays, harder to poach
    EXPIRED = "expired"  # the scholar retired or moved on before the deadline


# --- odds ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Odds:
    """The inputs and result of one offer's odds, for /view_offers and the press."""

    quality: float
    grievance: float
    affinity: float
    plateau: float
    base: float  # the logistic
    relationship: float
    terms: float
    adjustment: float  # the counter penalty or the scholar's resolve (negative)
    probability: float  # clamped to [0.05, 0.95]


def terms_bonus(terms: Terms) -> float:
    """+0.10 exclusive research, +0.15 guaranteed funding, +0.20 a leadership role."""
    return round(sum(bonus for name, bonus in TERM_BONUSES if getattr(terms, name)), 6)


def quality(offer: Offer) -> float:
    """``min(1, total / 10)``: the logistic's design range for quality is 0 to 1."""
    return min(1.0, sum(offer.influence.values()) * QUALITY_PER_INFLUENCE)


def odds(state: CampaignState, offer: Offer, at: Instant) -> Odds:
    """The chance that ``offer`` wins, judged at ``at`` (section 3.10 step 3).

    A rival's offer is the chance the scholar leaves: the defection logistic with grievance
    toward the patron and affinity for the rival, then the relationship difference, the terms
    and -0.05 per point of the scholar's resolve.

    A counter is the chance the scholar stays, with its own inputs (the reference reused the
    defection ones, Q-4): ``x = quality + affinity(patron) + grievance(rival) - plateau
    + 0.6 loyalty/10 + 0.4 integrity/10``, then the relationship difference, the terms and
    -0.10 for coming second.
    """
    scholar = state.scholars[offer.scholar]
    rest = plateau(scholar, at)
    rival, patron = player_key(offer.rival), player_key(offer.patron)
    q = quality(offer)
    if offer.kind is OfferKind.INITIAL:
        against, toward = grievance(scholar, patron), affinity(scholar, rival)
        base = defection_probability(
            q, against, toward, rest, scholar.stats.loyalty, scholar.stats.integrity
        )
        relation = rel(state, scholar.id, offer.rival) - rel(state, scholar.id, offer.patron)
        adjustment = -RESOLVE_PENALTY * scholar.resolve
    else:
        against, toward = grievance(scholar, rival), affinity(scholar, patron)
        base = logistic(q + toward + against - rest + _attachment(scholar))
        relation = rel(state, scholar.id, offer.patron) - rel(state, scholar.id, offer.rival)
        adjustment = -COUNTER_PENALTY
    bonus = terms_bonus(offer.terms)
    raw = base + relation + bonus + adjustment
    probability = round(max(ODDS_FLOOR, min(ODDS_CEILING, raw)), 6)
    return Odds(q, against, toward, rest, base, relation, bonus, adjustment, probability)


def _attachment(scholar: Scholar) -> float:
    return (
        LOYALTY_WEIGHT * scholar.stats.loyalty / 10
        + INTEGRITY_WEIGHT * scholar.stats.integrity / 10
    )


def acceptance_probability(state: CampaignState, offer: Offer, at: Instant) -> float:
    """The clamped chance that ``offer`` wins if drawn (see :func:`odds`)."""
    return odds(state, offer, at).probability


def chain_offers(state: CampaignState, chain: Negotiation) -> list[Offer]:
    """The chain's offers, in the order they were made."""
    return [state.offers[oid] for oid in chain.offers]


def chain_deadline(state: CampaignState, chain: Negotiation) -> Instant:
    """When the chain resolves: the latest deadline of its offers."""
    return max(offer.deadline for offer in chain_offers(state, chain))


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class NegotiationResolved(Event):
    """A chain ended; offers took their final statuses (refunds are InfluenceChanged events)."""

    chain: OfferId
    outcome: NegotiationOutcome
    statuses: Mapping[OfferId, OfferStatus]
    probabilities: Mapping[OfferId, float]
    winner: OfferId | None = None
    probability: float | None = None  # the odds of the best offer, the one drawn against
    roll: float | None = None  # the uniform draw
    spent: Mapping[Faction, int] = dataclasses.field(default_factory=dict)  # winner's escrow
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolveHardened(Event):
    """A scholar refused every offer and is harder to poach (section 3.10 item 6)."""

    scholar: ScholarId
    resolve: int  # the new value


@applies(NegotiationResolved)
def _resolved(state: CampaignState, e: NegotiationResolved) -> CampaignState:
    offers = dict(state.offers)
    for oid, status in e.statuses.items():
        offers[oid] = dataclasses.replace(offers[oid], status=status, resolved_at=e.at)
    chain = dataclasses.replace(
        state.negotiations[e.chain],
        status=ChainStatus.RESOLVED,
        winner=e.winner,
        probability=e.probability,
        roll=e.roll,
        resolved_at=e.at,
    )
    return dataclasses.replace(
        state, offers=offers, negotiations={**state.negotiations, e.chain: chain}
    )


@applies(ResolveHardened)
def _hardened(state: CampaignState, e: ResolveHardened) -> CampaignState:
    return update_scholar(state, dataclasses.replace(state.scholars[e.scholar], resolve=e.resolve))


# --- resolution ------------------------------------------------------------------------------


def _refund(tx: Tx, offer: Offer, at: Instant) -> None:
    """Give escrow back; it ignores the cap, since it only returns what was held."""
    payer = offer.rival if offer.kind is OfferKind.INITIAL else offer.patron
    deltas = {f: n for f, n in offer.influence.items() if n > 0}  # never empty: total > 0
    tx.emit(
        InfluenceChanged(at=at, player=payer, deltas=deltas, reason="offer refund", ref=offer.id)
    )


def _expire(tx: Tx, chain: Negotiation, live: list[Offer], at: Instant, reason: str) -> None:
    tx.emit(
        NegotiationResolved(
            at=at,
            chain=chain.id,
            outcome=NegotiationOutcome.EXPIRED,
            statuses={o.id: OfferStatus.EXPIRED for o in live},
            probabilities={},
            reason=reason,
        )
    )
    for offer in live:
        _refund(tx, offer, at)


def resolve_chain(
    tx: Tx, ctx: Context, chain_id: OfferId, at: Instant
) -> NegotiationOutcome | None:
    """Resolve a chain once; a resolved or unknown chain changes nothing (Q-4).

    Returns:
        How it ended, or None if there was nothing to do.
    """
    chain = tx.state.negotiations.get(chain_id)
    if chain is None or chain.status is ChainStatus.RESOLVED:
        return None
    live = [o for o in chain_offers(tx.state, chain) if o.status in LIVE]
    scholar = tx.state.scholars.get(chain.scholar)
    if scholar is None:
        _expire(tx, chain, live, at, "the scholar retired")
        return NegotiationOutcome.EXPIRED
    if scholar.contract.player != chain.patron or not live:
        _expire(tx, chain, live, at, "the scholar moved on")
        return NegotiationOutcome.EXPIRED
    chances = {o.id: acceptance_probability(tx.state, o, at) for o in live}
    best = max(live, key=lambda o: chances[o.id])  # ties: the earlier offer
    roll = ctx.rng.random()
    if roll < chances[best.id]:
        _award(tx, chain, scholar, live, best, chances, roll, at)
        return (
            NegotiationOutcome.DEFECTED
            if best.kind is OfferKind.INITIAL
            else NegotiationOutcome.STAYED
        )
    _refuse(tx, chain, scholar, live, chances, roll, at)
    return NegotiationOutcome.REJECTED


def _award(
    tx: Tx,
    chain: Negotiation,
    scholar: Scholar,
    live: list[Offer],
    winner: Offer,
    chances: Mapping[OfferId, float],
    roll: float,
    at: Instant,
) -> None:
    rival_won = winner.kind is OfferKind.INITIAL
    tx.emit(
        NegotiationResolved(
            at=at,
            chain=chain.id,
            outcome=NegotiationOutcome.DEFECTED if rival_won else NegotiationOutcome.STAYED,
            statuses={
                o.id: OfferStatus.ACCEPTED if o.id == winner.id else OfferStatus.REJECTED
                for o in live
            },
            probabilities=chances,
            winner=winner.id,
            probability=chances[winner.id],
            roll=roll,
            spent={f: n for f, n in winner.influence.items() if n > 0},
        )
    )
    for offer in live:
        if offer.id != winner.id:
            _refund(tx, offer, at)
    rival, patron = player_key(chain.rival), player_key(chain.patron)
    if not rival_won:
        change_feeling(tx, scholar.id, patron, COUNTER_WON_PATRON, at, "counter-offer accepted")
        change_feeling(tx, scholar.id, rival, COUNTER_WON_RIVAL, at, "counter-offer accepted")
        return
    new = Contract(
        employer=chain.rival,
        kind=EmployerKind.PLAYER,
        term_years=scholar.contract.term_years,
        faction=winner.faction,
        since=at,
    )
    defect(
        tx,
        scholar.id,
        new,
        at,
        cause=NEGOTIATED,
        by=chain.rival,
        probability=chances[winner.id],
        roll=roll,
        ref=chain.id,
    )
    change_feeling(tx, scholar.id, rival, RIVAL_WON_FEELING, at, "offer accepted")
    hit = walkout_penalty(scholar.stats.integrity)
    if hit and chain.patron in tx.state.players:
        change_reputation(
            tx, chain.patron, -hit, at, f"{scholar.name} walked out on principle", chain.id
        )


def _refuse(
    tx: Tx,
    chain: Negotiation,
    scholar: Scholar,
    live: list[Offer],
    chances: Mapping[OfferId, float],
    roll: float,
    at: Instant,
) -> None:
    best = max(chances.values())
    tx.emit(
        NegotiationResolved(
            at=at,
            chain=chain.id,
            outcome=NegotiationOutcome.REJECTED,
            statuses={o.id: OfferStatus.REJECTED for o in live},
            probabilities=chances,
            probability=best,
            roll=roll,
        )
    )
    for offer in live:
        _refund(tx, offer, at)
    rival = player_key(chain.rival)
    change_feeling(tx, scholar.id, rival, REFUSED_RIVAL, at, "all offers refused")
    tx.emit(ResolveHardened(at=at, scholar=scholar.id, resolve=scholar.resolve + 1))
    schedule_grudge(tx, scholar.id, rival, at)


@handles(DEADLINE_ORDER)
def _deadline(tx: Tx, order: Order, ctx: Context) -> None:
    """The chain's deadline: resolve it (once; later orders for it find it resolved)."""
    at = order_time(order, ctx)
    resolve_chain(tx, ctx, OfferId(order.subject or ""), at)
