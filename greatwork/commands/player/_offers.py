"""Offers for scholars: poach, counter and the open offers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from greatwork.commands.lookup import resolve_offer, resolve_scholar
from greatwork.commands.options import Lookup, Option, OptionType
from greatwork.commands.player._shared import FACTION_CHOICES, done, scholar_option, who
from greatwork.commands.render import (
    bullets,
    event_of,
    influence_text,
    iso,
    jsonable,
    percent,
    player_name,
    scholar_name,
    when,
)
from greatwork.commands.spec import CommandSpec, Invocation, Reply
from greatwork.rules.constants import FACTION_NAMES, FACTIONS, Faction
from greatwork.rules.errors import PermissionDenied
from greatwork.rules.ids import OfferId, PlayerId
from greatwork.rules.negotiation import chain_deadline, odds
from greatwork.rules.offer import Counter, OfferCountered, OfferMade, Poach
from greatwork.rules.state import CampaignState, Offer, OfferKind, Terms
from greatwork.rules.view import offers_view

MAX_OFFER_PER_FACTION: Final = 100
TERM_FLAGS: Final = ("guaranteed_funding", "exclusive_research", "leadership_role")


def _patron_only(state: CampaignState, offer: OfferId, player: PlayerId) -> None:
    """Refuse, naming the patron by display name, a counter from anyone else (/counter)."""
    record = state.offers[offer]
    if record.patron != player:
        raise PermissionDenied(
            f"Only {player_name(state, record.patron)}, who employs the scholar, may counter "
            f"{offer}.",
            offer=offer,
            patron=record.patron,
        )


def _offer_options() -> tuple[Option, ...]:
    amounts = tuple(
        Option(
            name=f"{f}_influence",
            description=f"{FACTION_NAMES[f]} influence offered, held in escrow (default 0)",
            type=OptionType.INTEGER,
            default=0,
            min_value=0,
            max_value=MAX_OFFER_PER_FACTION,
        )
        for f in FACTIONS
    )
    flags = (
        Option(
            name="guaranteed_funding",
            description="Promise guaranteed funding (+15% odds)",
            type=OptionType.BOOLEAN,
            default=False,
        ),
        Option(
            name="exclusive_research",
            description="Promise exclusive research rights (+10% odds)",
            type=OptionType.BOOLEAN,
            default=False,
        ),
        Option(
            name="leadership_role",
            description="Promise a leadership role (+20% odds)",
            type=OptionType.BOOLEAN,
            default=False,
        ),
    )
    return amounts + flags


def _offer_terms(options: Mapping[str, Any]) -> tuple[dict[Faction, int], Terms]:
    amounts = {f: int(options[f"{f}_influence"]) for f in FACTIONS}
    terms = Terms(**{flag: bool(options[flag]) for flag in TERM_FLAGS})
    return amounts, terms


def _terms_text(terms: Terms) -> str:
    chosen = [flag.replace("_", " ") for flag in TERM_FLAGS if getattr(terms, flag)]
    return ", ".join(chosen) or "none"


def _terms_data(terms: Terms) -> dict[str, bool]:
    return {flag: bool(getattr(terms, flag)) for flag in TERM_FLAGS}


def _offer_data(state: CampaignState, offer: Offer, probability: float) -> dict[str, Any]:
    return {
        "offer_id": offer.id,
        "chain": offer.chain,
        "kind": offer.kind,
        "scholar": offer.scholar,
        "rival": offer.rival,
        "patron": offer.patron,
        "faction": offer.faction,
        "influence": {str(f): n for f, n in offer.influence.items()},
        "terms": _terms_data(offer.terms),
        "status": offer.status,
        "deadline": iso(offer.deadline),
        "probability": probability,
        "scholar_name": scholar_name(state, offer.scholar),
    }


async def _poach(inv: Invocation) -> Reply:
    opts = inv.options
    scholar = resolve_scholar(inv.game.state(), opts["scholar_id"])
    amounts, terms = _offer_terms(opts)
    outcome = await inv.game.execute(
        Poach(
            **who(inv),
            scholar=scholar,
            faction=Faction(opts["target_faction"]),
            influence=amounts,
            terms=terms,
        )
    )
    offer = event_of(outcome, OfferMade).offer
    after = outcome.state
    chance = odds(after, offer, inv.at).probability
    body = (
        f"{inv.display_name} offers {scholar_name(after, scholar)} "
        f"{influence_text(offer.influence)} (held in escrow) to serve under the "
        f"{offer.faction} banner. Terms: {_terms_text(terms)}.\n"
        f"{player_name(after, offer.patron)} may /counter before {when(offer.deadline)}. "
        f"Odds as things stand: {percent(chance)}."
    )
    return done(outcome, f"Offer {offer.id} made", body, _offer_data(after, offer, chance))


async def _counter(inv: Invocation) -> Reply:
    opts = inv.options
    state = inv.game.state()
    target = resolve_offer(state, opts["offer_id"])
    _patron_only(state, target, inv.player)
    amounts, terms = _offer_terms(opts)
    outcome = await inv.game.execute(
        Counter(**who(inv), offer=target, influence=amounts, terms=terms)
    )
    offer = event_of(outcome, OfferCountered).offer
    after = outcome.state
    chance = odds(after, offer, inv.at).probability
    body = (
        f"{inv.display_name} counters {target} with {influence_text(offer.influence)} "
        f"(held in escrow) to keep {scholar_name(after, offer.scholar)}. Terms: "
        f"{_terms_text(terms)}.\nThe scholar decides by "
        f"{when(chain_deadline(after, after.negotiations[offer.chain]))}. "
        f"Odds of staying as things stand: {percent(chance)}."
    )
    data = _offer_data(after, offer, chance) | {"countered": target}
    return done(outcome, f"Counter-offer {offer.id} made", body, data)


def _offer_move(state: CampaignState, offer: Offer, viewer: PlayerId) -> str:
    """Who put up what, from the viewer's side of the chain."""
    amount = influence_text(offer.influence)
    if offer.kind is OfferKind.COUNTER:
        if offer.patron == viewer:
            return f"you counter with {amount}"
        return f"{player_name(state, offer.patron)} counters with {amount}"
    if offer.rival == viewer:
        return f"you offer {amount}"
    return f"{player_name(state, offer.rival)} offers {amount} for your scholar"


async def _view_offers(inv: Invocation) -> Reply:
    state = inv.game.state()
    lines = offers_view(state, inv.player, inv.at)
    rows = [
        f"{line.offer.id} ({line.offer.kind}, {line.offer.status}) · "
        f"{scholar_name(state, line.offer.scholar)} · {_offer_move(state, line.offer, inv.player)}"
        f" · odds {percent(line.probability)} · decides {when(line.resolves_at)}"
        for line in lines
    ]
    data = [
        _offer_data(state, line.offer, line.probability)
        | {"role": line.role, "resolves_at": iso(line.resolves_at)}
        for line in lines
    ]
    return Reply(
        title="Your open offers",
        body=bullets(rows, "No open offers involve you."),
        ephemeral=True,
        data=jsonable({"offers": data}),
    )


POACH: Final = CommandSpec(
    name="poach",
    description="Offer influence to another player's scholar; they decide in 24 hours",
    handler=_poach,
    options=(
        scholar_option(),
        Option(
            name="target_faction",
            description="The banner they would serve under with you",
            required=True,
            choices=FACTION_CHOICES,
        ),
        *_offer_options(),
    ),
)


COUNTER: Final = CommandSpec(
    name="counter",
    description="Counter a rival's offer for your scholar; escrowed like the offer",
    handler=_counter,
    options=(
        Option(
            name="offer_id",
            description="The rival's offer (OF-3)",
            required=True,
            max_length=32,
            lookup=Lookup.OFFER,
        ),
        *_offer_options(),
    ),
)


VIEW_OFFERS: Final = CommandSpec(
    name="view_offers",
    description="Open offers you made or must answer, with their odds",
    handler=_view_offers,
    ephemeral=True,
)
