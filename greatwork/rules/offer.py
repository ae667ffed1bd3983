"""Poaching another player's scholar: offers held in escrow, the patron's counter, the view.

/poach opens a negotiation chain with influence taken into escrow at once; the patron may
answer with one /counter, also escrowed. The chain resolves once, at the later deadline
(``rules.negotiation``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from greatwork.rules.command import Command, Context, decides
from greatwork.rules.constants import FACTIONS, HOUR, Faction
from greatwork.rules.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant, OfferId, PlayerId, ScholarId
from greatwork.rules.memory import get_scholar
from greatwork.rules.negotiation import DEADLINE_ORDER, chain_deadline
from greatwork.rules.order import cancel, pending, schedule
from greatwork.rules.player import (
    bump_counter,
    next_id,
    parse_faction,
    player_label,
    spend_influence,
)
from greatwork.rules.state import (
    CampaignState,
    ChainStatus,
    EmployerKind,
    Negotiation,
    Offer,
    OfferKind,
    OfferStatus,
    Scholar,
    Terms,
)

OFFER_WINDOW: Final = 24 * HOUR
COUNTER_WINDOW: Final = 12 * HOUR


def parse_amounts(influence: Mapping[Faction, int] | Mapping[str, int]) -> dict[Faction, int]:
    """An offer's influence by faction: the five keys only, whole amounts >= 0, total > 0.

    Raises:
        InvalidInput: an unknown faction, a faction given twice, a negative or non-whole
            amount, or nothing offered at all.
    """
    amounts: dict[Faction, int] = {}
    for key, amount in influence.items():
        faction = parse_faction(str(key))
        if faction in amounts:
            raise InvalidInput(f"{faction} is given twice.", faction=faction)
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise InvalidInput(
                f"The {faction} amount must be a whole number.", faction=faction, amount=amount
            )
        if amount < 0:
            raise InvalidInput(
                f"The {faction} amount cannot be negative.", faction=faction, amount=amount
            )
        amounts[faction] = amount
    if sum(amounts.values()) <= 0:
        raise InvalidInput("Offer at least 1 influence.", total=0)
    return {f: amounts[f] for f in FACTIONS if amounts.get(f)}


def open_chain(state: CampaignState, scholar: ScholarId, rival: PlayerId) -> Negotiation | None:
    """The rival's open chain about this scholar, if any."""
    for chain in state.negotiations.values():
        if chain.status is ChainStatus.OPEN and chain.scholar == scholar and chain.rival == rival:
            return chain
    return None


def _id_number(offer: Offer) -> int:
    return int(offer.id.rpartition("-")[2] or 0)


def offers_for(state: CampaignState, player: PlayerId) -> list[Offer]:
    """Offers the player made or must answer: open chains first, then oldest first."""
    mine = [o for o in state.offers.values() if player in {o.rival, o.patron}]

    def order(offer: Offer) -> tuple[bool, int, int]:
        closed = state.negotiations[offer.chain].status is not ChainStatus.OPEN
        return (closed, offer.created_at, _id_number(offer))

    return sorted(mine, key=order)


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferMade(Event):
    """A rival opened a chain with an offer (its escrow was taken just before)."""

    offer: Offer


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferCountered(Event):
    """The patron answered an offer with a counter (escrowed just before)."""

    offer: Offer  # the counter
    countered: OfferId


@applies(OfferMade)
def _made(state: CampaignState, e: OfferMade) -> CampaignState:
    offer = e.offer
    chain = Negotiation(
        id=offer.id,
        scholar=offer.scholar,
        rival=offer.rival,
        patron=offer.patron,
        opened_at=e.at,
        offers=(offer.id,),
    )
    return dataclasses.replace(
        bump_counter(state, "offer"),
        offers={**state.offers, offer.id: offer},
        negotiations={**state.negotiations, chain.id: chain},
    )


@applies(OfferCountered)
def _countered(state: CampaignState, e: OfferCountered) -> CampaignState:
    countered = dataclasses.replace(state.offers[e.countered], status=OfferStatus.COUNTERED)
    old = state.negotiations[e.offer.chain]
    chain = dataclasses.replace(old, offers=(*old.offers, e.offer.id))
    return dataclasses.replace(
        bump_counter(state, "offer"),
        offers={**state.offers, countered.id: countered, e.offer.id: e.offer},
        negotiations={**state.negotiations, chain.id: chain},
    )


# --- commands --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Poach(Command):
    """/poach: offer influence (and terms) to another player's scholar; the actor is the rival.

    Attributes:
        scholar: the scholar wanted.
        faction: the banner the scholar would serve under.
        influence: what is offered, by faction; held in escrow until the chain resolves.
        terms: sweeteners that raise the odds.
    """

    scholar: ScholarId
    faction: Faction
    influence: Mapping[Faction, int]
    terms: Terms = Terms()


@dataclass(frozen=True, slots=True, kw_only=True)
class Counter(Command):
    """/counter: the patron answers a rival's pending offer to keep the scholar.

    Attributes:
        offer: the rival's offer being answered.
        influence: what the patron puts up, by faction; held in escrow.
        terms: sweeteners that raise the odds of staying.
    """

    offer: OfferId
    influence: Mapping[Faction, int]
    terms: Terms = Terms()


def _patron_of(scholar: Scholar, rival: PlayerId) -> PlayerId:
    """The player who employs the scholar; refuse anyone else's scholar (D7)."""
    contract = scholar.contract
    if contract.kind is EmployerKind.INDEPENDENT:
        raise Conflict(f"{scholar.name} is independent: use /recruit instead.", scholar=scholar.id)
    patron = contract.player
    if patron is None:
        raise Conflict(
            f"{scholar.name} serves {contract.employer}, not a player: only another player's "
            "scholar can be poached.",
            scholar=scholar.id,
            employer=contract.employer,
        )
    if patron == rival:
        raise Conflict(f"{scholar.name} already works for you.", scholar=scholar.id)
    return patron


@decides(Poach)
def _poach(tx: Tx, cmd: Poach, ctx: Context) -> None:
    del ctx
    state = tx.state
    scholar = get_scholar(state, cmd.scholar)
    patron = _patron_of(scholar, cmd.actor)
    banner = parse_faction(str(cmd.faction))
    amounts = parse_amounts(cmd.influence)
    existing = open_chain(state, scholar.id, cmd.actor)
    if existing is not None:
        raise Conflict(
            f"You already have an open offer for {scholar.name} ({existing.id}).",
            offer=existing.id,
        )
    offer_id = OfferId(f"OF-{next_id(state, 'offer')}")
    deadline = Instant(cmd.at + OFFER_WINDOW)
    spend_influence(tx, cmd.actor, amounts, cmd.at, "offer escrow", offer_id)
    offer = Offer(
        id=offer_id,
        chain=offer_id,
        scholar=scholar.id,
        kind=OfferKind.INITIAL,
        rival=cmd.actor,
        patron=patron,
        faction=banner,
        influence=amounts,
        terms=cmd.terms,
        created_at=cmd.at,
        deadline=deadline,
    )
    tx.emit(OfferMade(at=cmd.at, offer=offer))
    schedule(
        tx,
        DEADLINE_ORDER,
        cmd.at,
        due=deadline,
        actor=cmd.actor,
        subject=offer_id,
        payload={"chain": offer_id},
    )


def _counterable(state: CampaignState, cmd: Counter) -> tuple[Offer, Scholar]:
    target = state.offers.get(cmd.offer)
    if target is None:
        raise NotFound(f"No offer {cmd.offer!r}.", offer=cmd.offer)
    if cmd.actor != target.patron:
        raise PermissionDenied(
            f"Only {player_label(state, target.patron)}, who employs the scholar, may counter "
            f"{target.id}.",
            offer=target.id,
            patron=target.patron,
        )
    scholar = state.scholars.get(target.scholar)
    if scholar is None or scholar.contract.player != target.patron:
        raise Conflict(f"The scholar of {target.id} no longer works for you.", offer=target.id)
    if state.negotiations[target.chain].status is not ChainStatus.OPEN:
        raise Conflict(f"The negotiation over {target.id} is closed.", offer=target.id)
    if target.kind is not OfferKind.INITIAL:
        raise Conflict(f"{target.id} is your own counter-offer.", offer=target.id)
    if target.status is not OfferStatus.PENDING:
        raise Conflict(f"{target.id} is {target.status}, not pending.", offer=target.id)
    if cmd.at >= target.deadline:
        raise Conflict(
            f"The deadline of {target.id} has passed: the scholar is deciding.", offer=target.id
        )
    return target, scholar


@decides(Counter)
def _counter(tx: Tx, cmd: Counter, ctx: Context) -> None:
    del ctx
    state = tx.state
    target, scholar = _counterable(state, cmd)
    amounts = parse_amounts(cmd.influence)
    counter_id = OfferId(f"OF-{next_id(state, 'offer')}")
    spend_influence(tx, cmd.actor, amounts, cmd.at, "counter-offer escrow", counter_id)
    counter = Offer(
        id=counter_id,
        chain=target.chain,
        scholar=scholar.id,
        kind=OfferKind.COUNTER,
        rival=target.rival,
        patron=target.patron,
        faction=scholar.contract.faction or scholar.primary_faction,
        influence=amounts,
        terms=cmd.terms,
        created_at=cmd.at,
        deadline=Instant(cmd.at + COUNTER_WINDOW),
    )
    tx.emit(OfferCountered(at=cmd.at, offer=counter, countered=target.id))
    _move_deadline(tx, target.chain, cmd.at)


def _move_deadline(tx: Tx, chain_id: OfferId, at: Instant) -> None:
    """Keep one deadline order per chain, at the chain's latest deadline (Q-4)."""
    deadline = chain_deadline(tx.state, tx.state.negotiations[chain_id])
    current = [o for o in pending(tx.state, DEADLINE_ORDER) if o.subject == chain_id]
    if any(o.scheduled_at == deadline for o in current):
        return
    for order in current:  # cancelled by its ORDER id, not the offer id
        cancel(tx, order.id, at, reason="deadline moved by a counter-offer")
    schedule(
        tx,
        DEADLINE_ORDER,
        at,
        due=deadline,
        actor=tx.state.negotiations[chain_id].rival,
        subject=chain_id,
        payload={"chain": chain_id},
    )
