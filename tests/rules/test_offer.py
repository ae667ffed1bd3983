"""Offers: /poach, /counter, escrow (scenario 15), odds and the chain's single resolution.

Section 0 (D8) changes the reference: evaluation never crashes on facts, a countered scholar
can still choose the rival, a winning rival becomes the employer, and resolving a chain twice
changes nothing (Q-4, Q-23).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Mapping
from typing import Any, cast

import pytest

from greatwork.rules import negotiation
from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.command import Result
from greatwork.rules.constants import DAY, FACTIONS, HOUR, Faction
from greatwork.rules.defection import GRUDGE_ORDER, RETURN_ORDER, force_defection
from greatwork.rules.errors import (
    Conflict,
    InsufficientInfluence,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RuleError,
)
from greatwork.rules.event import Event, Tx, apply_all
from greatwork.rules.ids import Instant, OfferId, OrderId, PlayerId, ScholarId
from greatwork.rules.memory import feeling
from greatwork.rules.negotiation import (
    DEADLINE_ORDER,
    NegotiationOutcome,
    NegotiationResolved,
    ResolveHardened,
    odds,
    resolve_chain,
    terms_bonus,
)
from greatwork.rules.offer import Counter, OfferCountered, OfferMade, Poach, offers_for
from greatwork.rules.order import STEP_FOLLOWUPS, pending, run_due, schedule
from greatwork.rules.state import (
    CampaignState,
    ChainStatus,
    Contract,
    EmployerKind,
    Fact,
    Memory,
    OfferKind,
    OfferStatus,
    OrderStatus,
    Stats,
    Terms,
)
from tests.rules.builders import (
    T0,
    FixedRandom,
    ctx,
    influence,
    make_player,
    make_scholar,
    make_state,
    run,
)

P1, P2, P3 = PlayerId("p1"), PlayerId("p2"), PlayerId("p3")  # patron, rival, bystander
SID = ScholarId("s.test")
LATER = Instant(T0 + HOUR)
ALL_TERMS = Terms(guaranteed_funding=True, exclusive_research=True, leadership_role=True)
Rel = Callable[[CampaignState, ScholarId, PlayerId], float]


def fake_relationship(monkeypatch: pytest.MonkeyPatch, rel: Rel) -> None:
    monkeypatch.setattr(negotiation, "rel", rel)


@pytest.fixture(autouse=True)
def _no_relationship(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_relationship(monkeypatch, lambda *_: 0.0)


def stats(loyalty: int = 5, integrity: int = 5) -> Stats:
    return Stats(talent=5, reliability=5, integrity=integrity, theatrics=5, loyalty=loyalty, risk=5)


def world(rich: bool = True, **scholar: Any) -> CampaignState:
    """p1 employs s.test; p2 wants them; p3 watches."""
    balances = influence(**dict.fromkeys(FACTIONS, 10)) if rich else influence(government=5)
    employed = Contract(
        employer=P1, kind=EmployerKind.PLAYER, term_years=2, faction=Faction.ACADEMIA
    )
    return make_state(
        players=[
            make_player("p1", influence=balances),
            make_player("p2", influence=balances),
            make_player("p3"),
        ],
        scholars=[make_scholar("s.test", **{"contract": employed, "stats": stats(), **scholar})],
    )


def poach(
    state: CampaignState,
    amounts: Mapping[str, int] | None = None,
    terms: Terms = Terms(),  # noqa: B008 (frozen value)
    at: Instant = T0,
    actor: PlayerId = P2,
    scholar: str = "s.test",
    faction: str = "government",
) -> Result:
    return run(
        state,
        Poach(
            actor=actor,
            at=at,
            scholar=ScholarId(scholar),
            faction=cast("Faction", faction),  # the bot may pass a label
            influence=cast(
                "Mapping[Faction, int]", {"government": 3} if amounts is None else amounts
            ),
            terms=terms,
        ),
    )


def counter(
    state: CampaignState,
    amounts: Mapping[str, int] | None = None,
    terms: Terms = Terms(),  # noqa: B008 (frozen value)
    at: Instant = LATER,
    actor: PlayerId = P1,
    offer: str = "OF-1",
) -> Result:
    return run(
        state,
        Counter(
            actor=actor,
            at=at,
            offer=OfferId(offer),
            influence=cast(
                "Mapping[Faction, int]", {"academia": 3} if amounts is None else amounts
            ),
            terms=terms,
        ),
    )


def digest(state: CampaignState, now: Instant, *floats: float) -> tuple[CampaignState, Tx]:
    tx = Tx(state)
    run_due(tx, STEP_FOLLOWUPS, ctx(FixedRandom(floats=floats)), now)
    assert apply_all(state, tx.events) == tx.state  # replay equality
    return tx.state, tx


def total_influence(state: CampaignState) -> int:
    return sum(sum(p.influence.values()) for p in state.players.values())


def of(state: CampaignState, faction: str, player: PlayerId = P2) -> int:
    return state.players[player].influence[Faction(faction)]


# --- poach -----------------------------------------------------------------------------------


def test_poach_escrows_at_once_and_schedules_the_deadline() -> None:
    state = world()
    result = poach(state, {"government": 3, "academic": 1}, ALL_TERMS)
    after = result.state
    assert of(after, "government") == 7
    assert of(after, "academia") == 9
    offer = after.offers[OfferId("OF-1")]
    assert offer.kind is OfferKind.INITIAL
    assert (offer.rival, offer.patron, offer.faction) == (P2, P1, Faction.GOVERNMENT)
    assert offer.influence == {Faction.ACADEMIA: 1, Faction.GOVERNMENT: 3}
    assert offer.deadline == T0 + 24 * HOUR
    chain = after.negotiations[OfferId("OF-1")]
    assert chain.offers == (OfferId("OF-1"),)
    assert chain.status is ChainStatus.OPEN
    (order,) = pending(after, DEADLINE_ORDER)
    assert (order.subject, order.scheduled_at) == ("OF-1", T0 + 24 * HOUR)
    assert apply_all(state, result.events) == after


def test_offer_ids_count_up() -> None:
    state = poach(world()).state
    state = poach(state, actor=P3, amounts={"academia": 1}).state
    assert set(state.offers) == {"OF-1", "OF-2"}


def employed_by(kind: EmployerKind, employer: str) -> CampaignState:
    contract = Contract(employer=employer, kind=kind, term_years=2)
    state = world()
    scholar = dataclasses.replace(state.scholars[SID], contract=contract)
    return dataclasses.replace(state, scholars={SID: scholar})


@pytest.mark.parametrize(
    ("state", "kwargs", "error", "words"),
    [
        (world(), {"scholar": "s.none"}, NotFound, "No scholar"),
        (employed_by(EmployerKind.INDEPENDENT, "Independent"), {}, Conflict, "/recruit"),
        (employed_by(EmployerKind.FACTION, "industry"), {}, Conflict, "not a player"),
        (employed_by(EmployerKind.INSTITUTION, "Royal Institute"), {}, Conflict, "not a player"),
        (world(), {"actor": P1}, Conflict, "already works for you"),
        (world(), {"faction": "guild"}, InvalidInput, "Unknown faction"),
        (world(), {"amounts": {"guild": 1}}, InvalidInput, "Unknown faction"),
        (world(), {"amounts": {"academia": -1, "government": 3}}, InvalidInput, "negative"),
        (world(), {"amounts": {"academia": 0}}, InvalidInput, "at least 1"),
        (world(), {"amounts": {}}, InvalidInput, "at least 1"),
        (world(), {"amounts": {"academia": 1.5}}, InvalidInput, "whole number"),
        (world(), {"amounts": {"academia": True}}, InvalidInput, "whole number"),
        (world(), {"amounts": {"religion": 1, "religious": 1}}, InvalidInput, "twice"),
        (world(), {"amounts": {"government": 11}}, InsufficientInfluence, "short by 1"),
    ],
)
def test_poach_refusals(
    state: CampaignState, kwargs: dict[str, object], error: type[RuleError], words: str
) -> None:
    with pytest.raises(error, match=words):
        poach(state, **kwargs)  # type: ignore[arg-type]


def test_poach_refusal_names_the_shortfall() -> None:
    with pytest.raises(InsufficientInfluence) as info:
        poach(world(rich=False), {"government": 6})
    assert info.value.data["faction"] == "government"
    assert info.value.data["shortfall"] == 1


def test_one_open_chain_per_scholar_and_rival() -> None:
    state = poach(world()).state
    with pytest.raises(Conflict, match=r"already have an open offer .*OF-1"):
        poach(state)
    assert OfferId("OF-2") in poach(state, actor=P3, amounts={"academia": 1}).state.offers
    resolved, _ = digest(state, Instant(T0 + DAY), 0.99)
    assert OfferId("OF-2") in poach(resolved, at=Instant(T0 + DAY)).state.negotiations


# --- scenario 15: escrow -----------------------------------------------------------------------


def test_scenario_15_escrow_and_refund_once() -> None:
    """Government 5 offers 3 -> 2; refused -> 5; re-resolving changes nothing (Q-4 fixed)."""
    state = poach(world(rich=False)).state
    assert of(state, "government") == 2
    state, _ = digest(state, Instant(T0 + DAY), 0.99)
    assert of(state, "government") == 5
    chain = state.negotiations[OfferId("OF-1")]
    assert chain.status is ChainStatus.RESOLVED
    assert (chain.roll, chain.winner) == (0.99, None)
    assert state.offers[OfferId("OF-1")].status is OfferStatus.REJECTED
    # Calling the resolver again, or a stray second deadline order, changes nothing.
    again = Tx(state)
    assert resolve_chain(again, ctx(), OfferId("OF-1"), Instant(T0 + 2 * DAY)) is None
    assert again.events == []
    stray = Tx(state)
    schedule(stray, DEADLINE_ORDER, T0, due=T0, subject="OF-1")
    after, tx2 = digest(stray.state, Instant(T0 + 2 * DAY))
    assert of(after, "government") == 5
    assert [type(e).__name__ for e in tx2.events] == ["OrderCompleted"]


def test_refusal_hardens_resolve_and_starts_a_rivalry() -> None:
    state = poach(world()).state
    state, tx = digest(state, Instant(T0 + DAY), 0.99)
    scholar = state.scholars[SID]
    assert scholar.resolve == 1
    assert scholar.contract.employer == P1
    assert feeling(scholar, "p:p2") == -1.0
    assert any(isinstance(e, ResolveHardened) for e in tx.events)
    (grudge,) = pending(state, GRUDGE_ORDER)
    assert grudge.scheduled_at == T0 + 3 * DAY  # two days after the deadline
    state, _ = digest(state, Instant(T0 + 3 * DAY))
    assert feeling(state.scholars[SID], "p:p2") == -2.5
    # Resolve lowers the next offer's odds by 0.05 a point.
    chances = odds(state, state.offers[OfferId("OF-1")], Instant(T0 + 3 * DAY))
    assert chances.adjustment == pytest.approx(-0.05)


# --- counter ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"actor": P3}, PermissionDenied, "Only P1"),
        ({"actor": P2}, PermissionDenied, "Only P1"),
        ({"offer": "OF-9"}, NotFound, "No offer"),
        ({"at": Instant(T0 + 24 * HOUR)}, Conflict, "deadline"),
        ({"amounts": {"academia": 0}}, InvalidInput, "at least 1"),
        ({"amounts": {"academia": 11}}, InsufficientInfluence, "short by 1"),
    ],
)
def test_counter_refusals(kwargs: dict[str, object], error: type[RuleError], words: str) -> None:
    state = poach(world()).state
    with pytest.raises(error, match=words):
        counter(state, **kwargs)  # type: ignore[arg-type]


def test_counter_only_once_and_never_on_a_counter() -> None:
    state = counter(poach(world()).state).state
    with pytest.raises(Conflict, match="countered, not pending"):
        counter(state)
    with pytest.raises(Conflict, match="your own counter"):
        counter(state, offer="OF-2")


def test_counter_refused_once_closed_or_after_the_scholar_left() -> None:
    state = poach(world()).state
    closed, _ = digest(state, Instant(T0 + DAY), 0.99)
    with pytest.raises(Conflict, match="closed"):
        counter(closed)
    tx = Tx(state)
    force_defection(tx, ctx(), SID, "industry", PlayerId("admin"), "x", T0)
    with pytest.raises(Conflict, match="no longer works for you"):
        counter(tx.state)


def test_counter_escrows_and_marks_the_original_countered() -> None:
    state = poach(world()).state
    result = counter(state, {"academia": 2}, Terms(leadership_role=True))
    after = result.state
    assert of(after, "academia", P1) == 8
    original, answer = after.offers[OfferId("OF-1")], after.offers[OfferId("OF-2")]
    assert original.status is OfferStatus.COUNTERED
    assert answer.kind is OfferKind.COUNTER
    assert (answer.chain, answer.faction) == ("OF-1", Faction.ACADEMIA)
    assert answer.deadline == T0 + 13 * HOUR
    assert after.negotiations[OfferId("OF-1")].offers == ("OF-1", "OF-2")
    assert apply_all(state, result.events) == after


def test_early_counter_keeps_the_single_deadline_order() -> None:
    """The chain resolves at the later deadline: here the original's, +24 h."""
    after = counter(poach(world()).state).state
    (order,) = pending(after, DEADLINE_ORDER)
    assert (order.id, order.scheduled_at) == ("O-1", T0 + 24 * HOUR)


def test_late_counter_moves_the_deadline_order_by_its_order_id() -> None:
    """Q-4 fixed: the old ORDER is cancelled (not an offer id) and one new order is due."""
    after = counter(poach(world()).state, at=Instant(T0 + 18 * HOUR)).state
    old = after.orders[OrderId("O-1")]
    assert old.status is OrderStatus.CANCELLED
    (order,) = pending(after, DEADLINE_ORDER)
    assert order.scheduled_at == T0 + 30 * HOUR
    # Nothing happens at the original deadline; the chain resolves at the later one.
    state, tx = digest(after, Instant(T0 + 24 * HOUR), 0.99)
    assert tx.events == []
    state, _ = digest(state, Instant(T0 + 30 * HOUR), 0.99)
    assert state.negotiations[OfferId("OF-1")].status is ChainStatus.RESOLVED


# --- resolution ------------------------------------------------------------------------------


def test_countered_scholar_can_still_choose_the_rival() -> None:
    """D8, Q-23: a strong rival offer beats a weak counter; the rival becomes the employer."""
    state = poach(world(), {"government": 10}, ALL_TERMS).state
    state = counter(state, {"academia": 1}).state
    before = total_influence(state) + 10 + 1
    state, tx = digest(state, Instant(T0 + DAY), 0.5)
    (resolved,) = [e for e in tx.events if isinstance(e, NegotiationResolved)]
    assert resolved.outcome is NegotiationOutcome.DEFECTED
    assert resolved.winner == "OF-1"
    assert resolved.probability == 0.95
    assert resolved.roll == 0.5
    assert resolved.spent == {Faction.GOVERNMENT: 10}
    scholar = state.scholars[SID]
    assert scholar.contract.employer == P2
    assert scholar.contract.kind is EmployerKind.PLAYER
    assert scholar.contract.player == P2
    assert scholar.contract.faction is Faction.GOVERNMENT
    assert scholar.memory.scars == frozenset({("defection", "p:p1")})
    assert feeling(scholar, "p:p1") == -7.0
    assert feeling(scholar, "p:p2") == 2.0
    assert state.offers[OfferId("OF-1")].status is OfferStatus.ACCEPTED
    assert state.offers[OfferId("OF-2")].status is OfferStatus.REJECTED
    assert of(state, "academia", P1) == 10  # the counter's escrow came back
    assert of(state, "government") == 0  # the winner's escrow is spent
    assert total_influence(state) + 10 == before  # conservation
    assert pending(state, RETURN_ORDER)


def test_counter_wins_and_the_scholar_stays() -> None:
    state = counter(poach(world()).state).state
    before = total_influence(state) + 3 + 3
    state, tx = digest(state, Instant(T0 + DAY), 0.3)
    (resolved,) = [e for e in tx.events if isinstance(e, NegotiationResolved)]
    assert resolved.outcome is NegotiationOutcome.STAYED
    assert resolved.winner == "OF-2"
    assert resolved.probabilities == {"OF-1": 0.05, "OF-2": pytest.approx(0.545656)}
    scholar = state.scholars[SID]
    assert scholar.contract.employer == P1
    assert feeling(scholar, "p:p1") == 3.0
    assert feeling(scholar, "p:p2") == -2.0
    assert scholar.resolve == 0
    assert of(state, "government") == 10  # the rival's offer refunded
    assert of(state, "academia", P1) == 7  # the patron's counter spent
    assert total_influence(state) + 3 == before


def test_best_offer_loses_the_draw_and_everything_is_refunded() -> None:
    state = counter(poach(world()).state).state
    before = total_influence(state) + 6
    state, _ = digest(state, Instant(T0 + DAY), 0.6)
    assert state.scholars[SID].contract.employer == P1
    assert total_influence(state) == before
    assert {o.status for o in state.offers.values()} == {OfferStatus.REJECTED}


def test_ties_go_to_the_earlier_offer(monkeypatch: pytest.MonkeyPatch) -> None:
    state = counter(poach(world()).state).state
    monkeypatch.setattr("greatwork.rules.negotiation.acceptance_probability", lambda *_: 0.5)
    state, _ = digest(state, Instant(T0 + DAY), 0.1)
    assert state.negotiations[OfferId("OF-1")].winner == "OF-1"


@pytest.mark.parametrize(("integrity", "loss"), [(5, 0), (7, 1), (10, 2)])
def test_a_principled_scholar_walking_out_costs_the_patron(integrity: int, loss: int) -> None:
    state = world(stats=stats(integrity=integrity))
    state = poach(state, {"government": 10}, ALL_TERMS).state
    state, _ = digest(state, Instant(T0 + DAY), 0.0)
    assert state.scholars[SID].contract.employer == P2
    assert state.players[P1].reputation == -loss


def test_retired_scholar_expires_the_chain_with_refunds() -> None:
    state = counter(poach(world()).state).state
    gone = dataclasses.replace(
        state, scholars={}, retired={SID: state.scholars[SID]}
    )  # as helper A's retirement would leave it
    state, tx = digest(gone, Instant(T0 + DAY))
    (resolved,) = [e for e in tx.events if isinstance(e, NegotiationResolved)]
    assert resolved.outcome is NegotiationOutcome.EXPIRED
    assert resolved.reason == "the scholar retired"
    assert of(state, "government") == 10
    assert of(state, "academia", P1) == 10
    assert {o.status for o in state.offers.values()} == {OfferStatus.EXPIRED}


def test_scholar_who_moved_on_expires_the_chain_with_refunds() -> None:
    tx = Tx(poach(world()).state)
    force_defection(tx, ctx(), SID, "industry", PlayerId("admin"), "x", Instant(T0 + HOUR))
    state, _ = digest(tx.state, Instant(T0 + DAY))
    assert state.negotiations[OfferId("OF-1")].status is ChainStatus.RESOLVED
    assert of(state, "government") == 10
    assert state.scholars[SID].contract.employer == "industry"


def test_competing_rivals_second_chain_expires_after_the_first_wins() -> None:
    state = poach(world(), {"government": 10}, ALL_TERMS).state
    state = poach(state, {"academia": 1}, actor=P3).state
    state, _ = digest(state, Instant(T0 + DAY), 0.0, 0.0)
    assert state.scholars[SID].contract.employer == P2
    assert state.offers[OfferId("OF-2")].status is OfferStatus.EXPIRED
    assert state.players[P3].influence[Faction.ACADEMIA] == 2


def test_escrow_conservation_over_random_draws() -> None:
    for seed in range(40):
        rng = random.Random(seed)
        state = poach(world(), {"government": rng.randint(1, 10)}, ALL_TERMS).state
        if rng.random() < 0.5:
            state = counter(state, {"academia": rng.randint(1, 10)}).state
        total = sum(o.influence.get(f, 0) for o in state.offers.values() for f in FACTIONS)
        before = total_influence(state) + total
        state, tx = digest(state, Instant(T0 + DAY), rng.random())
        (resolved,) = [e for e in tx.events if isinstance(e, NegotiationResolved)]
        assert total_influence(state) + sum(resolved.spent.values()) == before


# --- odds ------------------------------------------------------------------------------------


def test_a_scholar_with_facts_evaluates_without_error() -> None:
    """Q-4: the reference crashed on any fact; a recent discovery removes the plateau."""
    facts = (
        Fact(at=T0, kind="scar", subject="p:p1"),
        Fact(at=Instant(T0 - DAY), kind="discovery", subject="E-1", details="a find"),
        Fact(at=T0, kind="sidecast", subject="p:p2"),
    )
    state = poach(world(memory=Memory(facts=facts))).state
    chances = odds(state, state.offers[OfferId("OF-1")], T0)
    assert chances.plateau == 0.0
    state, _ = digest(state, Instant(T0 + DAY), 0.99)
    assert state.negotiations[OfferId("OF-1")].status is ChainStatus.RESOLVED


def test_odds_inputs_for_a_rival_offer(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_relationship(monkeypatch, lambda _state, _scholar, player: 0.1 if player == P2 else -0.1)
    feelings = {"p:p1": -2.5, "p:p2": 10.0}
    state = poach(
        world(memory=Memory(feelings=feelings)),
        {"government": 10, "industry": 2},
        Terms(guaranteed_funding=True),
    ).state
    chances = odds(state, state.offers[OfferId("OF-1")], T0)
    assert chances.quality == 1.0  # min(1, 12/10): the logistic's range is 0..1
    assert chances.grievance == 0.5
    assert chances.affinity == 1.0
    assert chances.relationship == pytest.approx(0.2)
    assert chances.terms == 0.15
    assert chances.probability == 0.95


def test_counter_odds_use_their_own_inputs() -> None:
    """Q-4: the counter is the chance of staying; loyalty helps it, a bad rival helps it."""
    feelings = {"p:p2": -5.0}
    state = counter(poach(world(memory=Memory(feelings=feelings))).state).state
    chances = odds(state, state.offers[OfferId("OF-2")], T0)
    assert chances.grievance == 1.0
    assert chances.adjustment == -0.10
    loyal = counter(poach(world(stats=stats(loyalty=10))).state).state
    fickle = counter(poach(world(stats=stats(loyalty=0))).state).state
    assert odds(loyal, loyal.offers[OfferId("OF-2")], T0).probability > (
        odds(fickle, fickle.offers[OfferId("OF-2")], T0).probability
    )


@pytest.mark.parametrize(
    ("terms", "bonus"),
    [
        (Terms(), 0.0),
        (Terms(exclusive_research=True), 0.10),
        (Terms(guaranteed_funding=True), 0.15),
        (Terms(leadership_role=True), 0.20),
        (ALL_TERMS, 0.45),
    ],
)
def test_terms_bonus(terms: Terms, bonus: float) -> None:
    assert terms_bonus(terms) == bonus


# --- view, replay, codec ---------------------------------------------------------------------


def test_offers_for_lists_open_chains_first() -> None:
    state = poach(world()).state
    state, _ = digest(state, Instant(T0 + DAY), 0.99)
    state = poach(state, at=Instant(T0 + DAY)).state
    state = counter(state, at=Instant(T0 + DAY + HOUR), offer="OF-2").state
    assert [o.id for o in offers_for(state, P2)] == ["OF-2", "OF-3", "OF-1"]
    assert [o.id for o in offers_for(state, P1)] == ["OF-2", "OF-3", "OF-1"]
    assert offers_for(state, P3) == []


def full_story() -> tuple[CampaignState, list[Event]]:
    initial = world()
    events: list[Event] = []
    result = poach(initial, {"government": 10}, ALL_TERMS)
    events += result.events
    result = counter(result.state)
    events += result.events
    state, tx = digest(result.state, Instant(T0 + DAY), 0.2)
    events += tx.events
    state, tx = digest(state, Instant(T0 + 5 * DAY))
    events += tx.events
    assert state.scholars[SID].contract.employer == P2  # no auto-revert
    return initial, events


def test_replay_of_a_whole_negotiation_matches() -> None:
    initial, events = full_story()
    state = apply_all(initial, events)
    assert state.scholars[SID].contract.player == P2
    assert feeling(state.scholars[SID], "p:p1") == -5.5  # -7 then the return's +1.5


def test_events_round_trip_through_the_codec() -> None:
    _, events = full_story()
    kinds = {type(e) for e in events}
    assert {OfferMade, OfferCountered, NegotiationResolved}.issubset(kinds)
    for event in events:
        assert decode_event(encode_event(event)) == event
    hardened = ResolveHardened(at=T0, scholar=SID, resolve=2)
    assert decode_event(encode_event(hardened)) == hardened
