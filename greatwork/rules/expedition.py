"""Expeditions (section 3.3 with D2, D4, D5): launch, computed modifiers, resolution, cancel.

A launch is checked in a fixed order (code, objective, reputation gate, team, cited theory,
funding), its modifiers are computed from the state (D4), and its cost is paid at once by the
funding factions (D5). The next digest rolls d100 for each pending expedition in launch order
and carries out the consequences; every draw is recorded in ``ExpeditionResolved``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from greatwork.rules.command import Command, Context, decides
from greatwork.rules.constants import (
    EXPEDITION_COSTS,
    EXPEDITION_REWARDS,
    Confidence,
    ExpeditionType,
    Faction,
    Outcome,
)
from greatwork.rules.errors import Conflict, NotFound
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.expedition_rules import (
    Modifiers,
    check_code,
    check_gate,
    check_objective,
    check_team,
    check_theory,
    compute_modifiers,
    funders_for,
    outcome_for,
    split_cost,
    wager_delta,
)
from greatwork.rules.ids import ExpeditionCode, Instant, PlayerId, ScholarId, TheoryId
from greatwork.rules.memory import change_feeling, player_key, remember
from greatwork.rules.player import (
    InfluenceChanged,
    change_reputation,
    clamp_reputation,
    gain_influence,
    spend_influence,
)
from greatwork.rules.recruitment import set_cooldown
from greatwork.rules.sidecast import attend, maybe_spawn_sidecast
from greatwork.rules.sideways import apply_sideways, choose_sideways, open_landmark
from greatwork.rules.state import (
    CampaignState,
    Expedition,
    ExpeditionResult,
    ExpeditionStatus,
)
from greatwork.rules.theory import settle_theory

__all__ = [
    "ExpeditionCancelled",
    "ExpeditionLaunched",
    "ExpeditionResolved",
    "LaunchExpedition",
    "Modifiers",
    "cancel_expedition",
    "compute_modifiers",
    "outcome_for",
    "resolve_pending",
    "split_cost",
    "wager_delta",
]

FAILURE_FEELING = -2.0
SUCCESS_FEELING = 1.0

# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpeditionLaunched(Event):
    """An expedition was queued; its computed modifiers and paid costs are in the record."""

    expedition: Expedition


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpeditionResolved(Event):
    """The digest rolled an expedition: roll, final, outcome and the draws that followed."""

    code: ExpeditionCode
    result: ExpeditionResult


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpeditionCancelled(Event):
    """An admin cancelled a pending expedition; ``refund`` is given back (Q-26)."""

    code: ExpeditionCode
    by: str
    reason: str
    refund: Mapping[Faction, int]


def _set_expedition(state: CampaignState, expedition: Expedition) -> CampaignState:
    return dataclasses.replace(
        state, expeditions={**state.expeditions, expedition.code: expedition}
    )


@applies(ExpeditionLaunched)
def _launched(state: CampaignState, e: ExpeditionLaunched) -> CampaignState:
    return _set_expedition(state, e.expedition)


@applies(ExpeditionResolved)
def _resolved(state: CampaignState, e: ExpeditionResolved) -> CampaignState:
    expedition = dataclasses.replace(
        state.expeditions[e.code], status=ExpeditionStatus.RESOLVED, result=e.result
    )
    return _set_expedition(state, expedition)


@applies(ExpeditionCancelled)
def _cancelled(state: CampaignState, e: ExpeditionCancelled) -> CampaignState:
    expedition = dataclasses.replace(state.expeditions[e.code], status=ExpeditionStatus.CANCELLED)
    return _set_expedition(state, expedition)


# --- launching -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LaunchExpedition(Command):
    """Queue an expedition; it resolves at the next digest (section 5, /launch_expedition).

    Attributes:
        code: the player's name for it: 1 to 24 letters, digits, ``-`` or ``_``; stored
            upper-case and unique across every expedition ever launched.
        objective: what it sets out to find (1 to 300 characters).
        expedition_type: think_tank, field or great_project.
        confidence: the reputation wager.
        team: scholars the leader employs (at most 6, no repeats).
        funding: the factions that pay (distinct, at most 3); empty means the defaults.
        theory: one open theory of the leader's, judged by the outcome (D2).
    """

    code: str
    objective: str
    expedition_type: ExpeditionType
    confidence: Confidence
    team: tuple[ScholarId, ...] = ()
    funding: tuple[Faction, ...] = ()
    theory: TheoryId | None = None


def _attend_sidecasts(tx: Tx, player: PlayerId, team: tuple[ScholarId, ...], at: Instant) -> None:
    sidecasts = [
        sid
        for sid in team
        if (record := tx.state.scholars[sid].sidecast) is not None and record.sponsor == player
    ]
    if not sidecasts:
        return
    for sid in sidecasts:
        attend(tx, sid, player, at)


@decides(LaunchExpedition)
def _launch(tx: Tx, cmd: LaunchExpedition, ctx: Context) -> None:
    del ctx
    state = tx.state
    code = check_code(state, cmd.code)
    objective = check_objective(cmd.objective)
    check_gate(state, cmd.actor, cmd.expedition_type)
    check_team(state, cmd.actor, cmd.team)
    check_theory(state, cmd.actor, cmd.theory)
    funders = funders_for(cmd.expedition_type, cmd.funding)
    costs = split_cost(EXPEDITION_COSTS[cmd.expedition_type], funders)
    mods = compute_modifiers(
        state,
        cmd.actor,
        cmd.expedition_type,
        cmd.team,
        funders,
        cmd.at,
        theory=cmd.theory,
        objective=objective,
    )
    expedition = Expedition(
        code=code,
        player=cmd.actor,
        type=cmd.expedition_type,
        objective=objective,
        confidence=cmd.confidence,
        launched_at=cmd.at,
        team=cmd.team,
        funding=funders,
        paid=costs,
        theory=cmd.theory,
        prep=mods.prep,
        expertise=mods.expertise,
        friction=mods.friction,
        depth=mods.depth,
    )
    tx.emit(ExpeditionLaunched(at=cmd.at, expedition=expedition))
    spend_influence(tx, cmd.actor, costs, cmd.at, reason="expedition cost", ref=code)
    _attend_sidecasts(tx, cmd.actor, cmd.team, cmd.at)


# --- resolving -------------------------------------------------------------------------------


def _draw_failure(ctx: Context, expedition: Expedition) -> str | None:
    """A weighted draw (``randint(1, total)``) from the type's failure table at its depth."""
    table = ctx.content.failure_tables.get(expedition.type, {}).get(expedition.depth, ())
    total = sum(entry.weight for entry in table)
    if total <= 0:
        return None
    point = ctx.rng.randint(1, total)
    for entry in table:
        point -= entry.weight
        if point <= 0:
            return entry.key
    return table[-1].key  # pragma: no cover (the weights sum to total)


def _resolve_one(tx: Tx, ctx: Context, expedition: Expedition, at: Instant, digest: int) -> None:
    leader, code = expedition.player, expedition.code
    roll = ctx.rng.randint(1, 100)
    final = roll + expedition.modifier
    outcome = outcome_for(final)
    failure = _draw_failure(ctx, expedition) if outcome is Outcome.FAILURE else None
    entry = choose_sideways(ctx, expedition, outcome)
    before = tx.state.players[leader].reputation
    wager = wager_delta(expedition.confidence, outcome)
    delta = clamp_reputation(before + wager) - before
    result = ExpeditionResult(
        roll=roll,
        final=final,
        outcome=outcome,
        reputation_delta=delta,
        resolved_at=at,
        digest=digest,
        failure=failure,
        sideways=entry.key if entry is not None else None,
    )
    tx.emit(ExpeditionResolved(at=at, code=code, result=result))
    change_reputation(tx, leader, wager, at, reason=f"expedition {outcome}", ref=code)
    if expedition.confidence is Confidence.STAKE_MY_CAREER:
        set_cooldown(tx, leader, at)
    if outcome is not Outcome.FAILURE:
        gain_influence(
            tx, leader, EXPEDITION_REWARDS[expedition.type], at, "expedition reward", code
        )
    feeling = FAILURE_FEELING if outcome is Outcome.FAILURE else SUCCESS_FEELING
    # The team remembers the work: a recent discovery keeps a scholar off the career plateau
    # that makes rival offers tempting (section 3.10).
    fact = "expedition" if outcome is Outcome.FAILURE else "discovery"
    for sid in expedition.team:
        change_feeling(tx, sid, player_key(leader), feeling, at, reason=f"expedition {code}")
        remember(tx, sid, fact, code, at, f"{expedition.type} {outcome}")
    if expedition.theory is not None:
        settle_theory(tx, expedition.theory, outcome, f"expedition:{code}", at)
    opened = apply_sideways(tx, ctx, expedition, entry, at) if entry is not None else False
    if outcome is Outcome.LANDMARK and not opened:
        open_landmark(tx, expedition, expedition.objective, at)
    if outcome is not Outcome.FAILURE:
        maybe_spawn_sidecast(tx, ctx, leader, outcome, at, code)


def resolve_pending(tx: Tx, ctx: Context, at: Instant, digest: int) -> None:
    """Digest step: resolve every pending expedition, in launch order (section 3.3).

    For each: roll d100 and add the computed modifier; apply the wager (clamped); a stake sets
    the recruitment cooldown; a non-failure pays the type's rewards (capped); team members'
    feelings toward the leader move (failure -2, otherwise +1); a failure draws from its
    failure table; the cited theory is judged (D2); a matching sideways discovery applies its
    effects; a landmark opens a domain tag; a non-failure may bring a sidecast.
    """
    pending = [e for e in tx.state.expeditions.values() if e.status is ExpeditionStatus.PENDING]
    for expedition in sorted(pending, key=lambda e: e.launched_at):
        _resolve_one(tx, ctx, expedition, at, digest)


def cancel_expedition(tx: Tx, code: str, by: str, reason: str, at: Instant) -> None:
    """Cancel a pending expedition and give back exactly what was paid for it (Q-26).

    The refund ignores the influence cap: it returns what was taken.

    Raises:
        NotFound: no expedition has this code.
        Conflict: the expedition has already resolved or been cancelled.
    """
    key = ExpeditionCode(code.strip().upper())
    expedition = tx.state.expeditions.get(key)
    if expedition is None:
        raise NotFound(f"No expedition {key!r}.", code=key)
    if expedition.status is not ExpeditionStatus.PENDING:
        raise Conflict(f"Expedition {key} is already {expedition.status}.", code=key)
    refund = dict(expedition.paid)
    tx.emit(ExpeditionCancelled(at=at, code=key, by=by, reason=reason, refund=refund))
    if refund:
        tx.emit(
            InfluenceChanged(
                at=at, player=expedition.player, deltas=refund, reason="expedition refund", ref=key
            )
        )
