"""Sideways discoveries (section 3.3, Q-15/16/17/18): effects that happen for real.

An expedition's outcome may turn up a sideways discovery: the entries of
``content.sideways`` whose type, depth and outcome all match are the candidates (failures
included, Q-15), one is drawn by weight, and every one of its effects is applied and recorded
as events: influence, reputation, theories, grudges, conferences, opportunities that pay when
they come due, and landmark domain tags.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass

from greatwork.rules.command import Context
from greatwork.rules.conference import open_conference
from greatwork.rules.constants import DAY, FACTIONS, MAX_OBJECTIVE_LENGTH, Faction, Outcome
from greatwork.rules.content import Effect, EffectKind, SidewaysEntry
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import ExpeditionCode, Instant, PlayerId, ScholarId
from greatwork.rules.memory import change_feeling, player_key
from greatwork.rules.order import handles, order_time, payload_int, schedule
from greatwork.rules.player import (
    InfluenceChanged,
    change_reputation,
    gain_influence,
    player_label,
)
from greatwork.rules.state import CampaignState, Expedition, Landmark, Order
from greatwork.rules.theory import spawn_theory

OPPORTUNITY_ORDER = "followup:opportunity"
DEFAULT_GRUDGE = -0.5
CONFERENCE_PANEL = 3  # supporters, then as many opponents, from the non-team scholars
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SidewaysDiscovered(Event):
    """An expedition turned up a sideways discovery; its effects follow as their own events."""

    expedition: ExpeditionCode
    player: PlayerId
    key: str
    text: str  # the entry's text with every placeholder filled


@dataclass(frozen=True, slots=True, kw_only=True)
class LandmarkOpened(Event):
    """A landmark expedition opened a new domain tag."""

    landmark: Landmark


@dataclass(frozen=True, slots=True, kw_only=True)
class OpportunityPaid(Event):
    """A sideways opportunity came due and paid; the payments are their own events."""

    player: PlayerId
    name: str
    expedition: str
    influence: Mapping[Faction, int]
    reputation: int


@applies(SidewaysDiscovered)
def _discovered(state: CampaignState, e: SidewaysDiscovered) -> CampaignState:
    del e  # a record for the press: the effects change the state
    return state


@applies(LandmarkOpened)
def _landmark(state: CampaignState, e: LandmarkOpened) -> CampaignState:
    return dataclasses.replace(state, landmarks=(*state.landmarks, e.landmark))


@applies(OpportunityPaid)
def _opportunity_paid(state: CampaignState, e: OpportunityPaid) -> CampaignState:
    del e  # a record for the press: the payments are their own events
    return state


# --- choosing --------------------------------------------------------------------------------


def fill(text: str, expedition: Expedition, state: CampaignState) -> str:
    """Fill ``{objective}``, ``{type}``, ``{code}`` and ``{leader}``; never leave a placeholder.

    The leader is named by display name. An unknown placeholder is replaced by its bare name,
    so no brace ever reaches the press.
    """
    values = {
        "objective": expedition.objective,
        "type": str(expedition.type).replace("_", " "),
        "code": str(expedition.code),
        "leader": player_label(state, expedition.player),
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(1)), text)


def candidates(
    entries: tuple[SidewaysEntry, ...], expedition: Expedition, outcome: Outcome
) -> list[SidewaysEntry]:
    """The entries whose types, depths and outcomes all admit this expedition's result."""
    return [
        entry
        for entry in entries
        if expedition.type in entry.types
        and expedition.depth in entry.depths
        and outcome in entry.outcomes
        and entry.weight > 0
    ]


def choose_sideways(ctx: Context, expedition: Expedition, outcome: Outcome) -> SidewaysEntry | None:
    """Draw the sideways discovery for a result, or None if no entry matches.

    With several candidates the draw is ``randint(1, total weight)``; a single candidate is
    taken without a draw.
    """
    matches = candidates(ctx.content.sideways, expedition, outcome)
    if len(matches) <= 1:
        return matches[0] if matches else None
    point = ctx.rng.randint(1, sum(entry.weight for entry in matches))
    for entry in matches:
        point -= entry.weight
        if point <= 0:
            return entry
    return matches[-1]  # pragma: no cover (the weights sum to the total)


# --- applying --------------------------------------------------------------------------------


def open_landmark(tx: Tx, expedition: Expedition, tag: str, at: Instant) -> None:
    """Record a landmark domain tag opened by the expedition."""
    text = tag.strip()[:MAX_OBJECTIVE_LENGTH] or expedition.objective
    landmark = Landmark(tag=text, player=expedition.player, expedition=expedition.code, at=at)
    tx.emit(LandmarkOpened(at=at, landmark=landmark))


def _non_team(tx: Tx, expedition: Expedition) -> list[ScholarId]:
    return sorted(sid for sid in tx.state.scholars if sid not in expedition.team)


def _faction_shift(
    tx: Tx, ctx: Context, expedition: Expedition, effect: Effect, at: Instant
) -> None:
    choices = effect.factions or FACTIONS
    faction = choices[0] if len(choices) == 1 else ctx.rng.choice(choices)
    leader, ref = expedition.player, expedition.code
    if effect.amount >= 0:
        gain_influence(tx, leader, {faction: effect.amount}, at, "sideways discovery", ref)
        return
    loss = min(tx.state.players[leader].influence.get(faction, 0), -effect.amount)
    if loss:
        tx.emit(
            InfluenceChanged(
                at=at, player=leader, deltas={faction: -loss}, reason="sideways discovery", ref=ref
            )
        )


def _grudge(tx: Tx, ctx: Context, expedition: Expedition, effect: Effect, at: Instant) -> None:
    others = _non_team(tx, expedition)
    if not others:
        return
    scholar = ctx.rng.choice(others)
    delta = float(effect.amount) if effect.amount else DEFAULT_GRUDGE
    change_feeling(
        tx, scholar, player_key(expedition.player), delta, at, f"sideways grudge {expedition.code}"
    )


def _conference(tx: Tx, expedition: Expedition, effect: Effect, at: Instant) -> None:
    text = fill(effect.text or "Emergency colloquium on {objective}", expedition, tx.state)
    theory = spawn_theory(tx, expedition.player, text, effect.confidence, at, origin="sideways")
    others = _non_team(tx, expedition)
    supporters = tuple(others[:CONFERENCE_PANEL])
    opposition = tuple(others[CONFERENCE_PANEL : 2 * CONFERENCE_PANEL])
    open_conference(tx, expedition.player, theory, effect.confidence, supporters, opposition, at)


def _opportunity(tx: Tx, expedition: Expedition, effect: Effect, at: Instant) -> None:
    faction = effect.factions[0] if effect.factions else Faction.ACADEMIA
    schedule(
        tx,
        OPPORTUNITY_ORDER,
        at,
        due=Instant(at + max(0, effect.days) * DAY),
        actor=expedition.player,
        subject=expedition.code,
        payload={
            "name": fill(effect.text, expedition, tx.state) or "opportunity",
            "faction": str(faction),
            "influence": effect.reward_influence,
            "reputation": effect.reward_reputation,
        },
    )


def apply_effect(tx: Tx, ctx: Context, expedition: Expedition, effect: Effect, at: Instant) -> None:
    """Apply one sideways effect for real; every change is an event."""
    leader = expedition.player
    match effect.kind:
        case EffectKind.FACTION_SHIFT:
            _faction_shift(tx, ctx, expedition, effect, at)
        case EffectKind.REPUTATION:
            change_reputation(tx, leader, effect.amount, at, "sideways discovery", expedition.code)
        case EffectKind.SPAWN_THEORY:
            text = fill(effect.text or "A sideways thought on {objective}", expedition, tx.state)
            spawn_theory(tx, leader, text, effect.confidence, at, origin="sideways")
        case EffectKind.GRUDGE:
            _grudge(tx, ctx, expedition, effect, at)
        case EffectKind.CONFERENCE:
            _conference(tx, expedition, effect, at)
        case EffectKind.OPPORTUNITY:
            _opportunity(tx, expedition, effect, at)
        case EffectKind.DOMAIN:
            open_landmark(tx, expedition, fill(effect.text, expedition, tx.state), at)


def apply_sideways(
    tx: Tx, ctx: Context, expedition: Expedition, entry: SidewaysEntry, at: Instant
) -> bool:
    """Record the discovery and apply each of its effects in order.

    Returns:
        Whether one of the effects opened a landmark domain tag.
    """
    tx.emit(
        SidewaysDiscovered(
            at=at,
            expedition=expedition.code,
            player=expedition.player,
            key=entry.key,
            text=fill(entry.text, expedition, tx.state),
        )
    )
    for effect in entry.effects:
        apply_effect(tx, ctx, expedition, effect, at)
    return any(effect.kind is EffectKind.DOMAIN for effect in entry.effects)


@handles(OPPORTUNITY_ORDER)
def _pay_opportunity(tx: Tx, order: Order, ctx: Context) -> None:
    """Q-18: an opportunity pays when it comes due (capped influence, clamped reputation)."""
    if order.actor is None or order.actor not in tx.state.players:
        return
    player = PlayerId(order.actor)
    ref = order.subject or ""
    name = str(order.payload.get("name") or "opportunity")
    faction = Faction(str(order.payload.get("faction") or Faction.ACADEMIA))
    reason = f"opportunity {name}"
    gained = gain_influence(
        tx, player, {faction: payload_int(order, "influence")}, order_time(order, ctx), reason, ref
    )
    reputation = change_reputation(
        tx, player, payload_int(order, "reputation"), order_time(order, ctx), reason, ref
    )
    tx.emit(
        OpportunityPaid(
            at=order_time(order, ctx),
            player=player,
            name=name,
            expedition=ref,
            influence=dict(gained),
            reputation=reputation,
        )
    )
