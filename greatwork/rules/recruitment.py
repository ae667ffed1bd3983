"""Recruitment (3.5, D7): hiring scholars no player employs, and the recruitment cooldown."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Final

from greatwork.rules.command import Command, Context, decides
from greatwork.rules.constants import DAY, FACTIONS, RECRUIT_COOLDOWN, RECRUIT_GATE, Faction
from greatwork.rules.errors import Conflict, PermissionDenied
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant, PlayerId, ScholarId
from greatwork.rules.memory import change_feeling, get_scholar, player_key, update_scholar
from greatwork.rules.order import handles, order_time, schedule
from greatwork.rules.player import gain_influence, update_player
from greatwork.rules.relationship import rel
from greatwork.rules.state import CampaignState, Contract, EmployerKind, Order, Player

COOLDOWN: Final = "recruitment"
BASE_CHANCE: Final = 0.6
COOLDOWN_FACTOR: Final = 0.5
INFLUENCE_WEIGHT: Final = 0.05
MIN_CHANCE: Final = 0.05
MAX_CHANCE: Final = 0.95
SUCCESS_FEELING: Final = 2.0
FAILURE_FEELING: Final = -1.0
GRUDGE_FEELING: Final = -1.0
GRUDGE_DELAY: Final = DAY
GRUDGE_ORDER: Final = "followup:recruitment_grudge"


def _clamp_chance(value: float) -> float:
    return round(max(MIN_CHANCE, min(MAX_CHANCE, value)), 6)


def base_chance(influence: int, cooldown: bool) -> float:  # noqa: FBT001 (a pure formula)
    """``clamp(0.6 * (0.5 if cooldown else 1) + 0.05 * max(0, influence), 0.05, 0.95)``."""
    factor = COOLDOWN_FACTOR if cooldown else 1.0
    return _clamp_chance(BASE_CHANCE * factor + INFLUENCE_WEIGHT * max(0, influence))


def _player_or_new(state: CampaignState, player: PlayerId) -> Player:
    # A preview for someone who has not played yet shows a new player's odds.
    found = state.players.get(player)
    return found or Player(id=player, display_name=str(player), joined_at=Instant(0))


def check_recruitable(state: CampaignState, scholar: ScholarId, player: PlayerId) -> None:
    """Refuse unless the player passes the gate and no player employs the scholar (D7).

    Raises:
        PermissionDenied: reputation below -10.
        NotFound: no such scholar.
        Conflict: a player (the actor or a rival) already employs the scholar.
    """
    reputation = _player_or_new(state, player).reputation
    if reputation < RECRUIT_GATE:
        raise PermissionDenied(
            f"Recruiting needs reputation {RECRUIT_GATE} or more; yours is {reputation}.",
            reputation=reputation,
            needed=RECRUIT_GATE,
        )
    record = get_scholar(state, scholar)
    employer = record.contract.player
    if employer == player:
        raise Conflict(f"{record.name} already works for you.", scholar=scholar)
    if employer is not None:
        raise Conflict(
            f"{record.name} works for {employer}; use /poach to make them an offer.",
            scholar=scholar,
            employer=employer,
        )


def recruit_chance(
    state: CampaignState, scholar: ScholarId, player: PlayerId, faction: Faction
) -> float:
    """The chance that recruiting ``scholar`` under ``faction`` succeeds (no checks)."""
    record = _player_or_new(state, player)
    cooldown = record.cooldowns.get(COOLDOWN, 0) > 0
    base = base_chance(record.influence.get(faction, 0), cooldown)
    return _clamp_chance(base + rel(state, scholar, player))


def recruit_odds(
    state: CampaignState, scholar: ScholarId, player: PlayerId
) -> list[tuple[Faction, float]]:
    """The chance under each faction, highest first (ties in canonical order); changes nothing.

    Raises:
        RuleError: whatever /recruit itself would refuse (see :func:`check_recruitable`).
    """
    check_recruitable(state, scholar, player)
    odds = [(f, recruit_chance(state, scholar, player, f)) for f in FACTIONS]
    return sorted(odds, key=lambda pair: -pair[1])


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RecruitAttempted(Event):
    """A player tried to recruit a scholar: the odds, the draw and the result."""

    scholar: ScholarId
    player: PlayerId
    faction: Faction
    chance: float
    roll: float
    success: bool
    relationship: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ScholarRecruited(Event):
    """A scholar signed with a player under a faction's banner (the contract changes)."""

    scholar: ScholarId
    player: PlayerId
    faction: Faction


@dataclass(frozen=True, slots=True, kw_only=True)
class RecruitmentGrudge(Event):
    """A day after a refused approach, the scholar still resents it (for the gossip)."""

    scholar: ScholarId
    player: PlayerId


@dataclass(frozen=True, slots=True, kw_only=True)
class CooldownSet(Event):
    """A player's named cooldown now lasts ``value`` digests."""

    player: PlayerId
    name: str
    value: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CooldownsTicked(Event):
    """A digest took one off every cooldown; those reaching 0 are gone."""

    digest: int


@applies(RecruitAttempted)
def _attempted(state: CampaignState, e: RecruitAttempted) -> CampaignState:
    del e  # the record for the press and the archive; effects follow as their own events
    return state


@applies(RecruitmentGrudge)
def _grudge(state: CampaignState, e: RecruitmentGrudge) -> CampaignState:
    del e  # the feeling itself moves by a FeelingChanged
    return state


@applies(ScholarRecruited)
def _recruited(state: CampaignState, e: ScholarRecruited) -> CampaignState:
    old = state.scholars[e.scholar]
    contract = Contract(
        employer=e.player,
        kind=EmployerKind.PLAYER,
        term_years=old.contract.term_years,
        faction=e.faction,
        since=e.at,
    )
    return update_scholar(state, dataclasses.replace(old, contract=contract))


@applies(CooldownSet)
def _cooldown_set(state: CampaignState, e: CooldownSet) -> CampaignState:
    old = state.players[e.player]
    cooldowns = {**old.cooldowns, e.name: e.value}
    return update_player(state, dataclasses.replace(old, cooldowns=cooldowns))


@applies(CooldownsTicked)
def _ticked(state: CampaignState, e: CooldownsTicked) -> CampaignState:
    del e
    players = dict(state.players)
    for pid, player in state.players.items():
        if player.cooldowns:
            left = {k: v - 1 for k, v in player.cooldowns.items() if v > 1}
            players[pid] = dataclasses.replace(player, cooldowns=left)
    return dataclasses.replace(state, players=players)


# --- helpers other modules call ---------------------------------------------------------------


def set_cooldown(tx: Tx, player: PlayerId, at: Instant) -> None:
    """Set the recruitment cooldown to ``max(2, current)`` (a recruit attempt, a stake)."""
    current = tx.state.players[player].cooldowns.get(COOLDOWN, 0)
    value = max(RECRUIT_COOLDOWN, current)
    if value != current:
        tx.emit(CooldownSet(at=at, player=player, name=COOLDOWN, value=value))


def tick_cooldowns(tx: Tx, at: Instant, digest: int) -> None:
    """Digest step: take one off every cooldown, dropping those that reach 0.

    Set at digest k, a cooldown of 2 is 1 after digest k+1 and gone after digest k+2. Emits
    nothing when no player has a cooldown.
    """
    if any(p.cooldowns for p in tx.state.players.values()):
        tx.emit(CooldownsTicked(at=at, digest=digest))


# --- the command -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Recruit(Command):
    """/recruit: try to hire a scholar no player employs, under a faction's banner."""

    scholar: ScholarId
    faction: Faction


@decides(Recruit)
def _recruit(tx: Tx, cmd: Recruit, ctx: Context) -> None:
    player, scholar, at = cmd.actor, cmd.scholar, cmd.at
    check_recruitable(tx.state, scholar, player)
    relationship = rel(tx.state, scholar, player)
    chance = recruit_chance(tx.state, scholar, player, cmd.faction)
    roll = ctx.rng.random()
    success = roll < chance
    tx.emit(
        RecruitAttempted(
            at=at,
            scholar=scholar,
            player=player,
            faction=cmd.faction,
            chance=chance,
            roll=roll,
            success=success,
            relationship=relationship,
        )
    )
    set_cooldown(tx, player, at)
    key = player_key(player)
    if success:
        tx.emit(ScholarRecruited(at=at, scholar=scholar, player=player, faction=cmd.faction))
        change_feeling(tx, scholar, key, SUCCESS_FEELING, at, "recruited")
        gain_influence(tx, player, {cmd.faction: 1}, at, "recruitment", ref=scholar)
    else:
        change_feeling(tx, scholar, key, FAILURE_FEELING, at, "recruitment_refused")
        schedule(
            tx, GRUDGE_ORDER, at, due=Instant(at + GRUDGE_DELAY), actor=player, subject=scholar
        )


@handles(GRUDGE_ORDER)
def _grudge_due(tx: Tx, order: Order, ctx: Context) -> None:
    if order.subject is None or order.actor is None:
        return
    scholar, player = ScholarId(order.subject), PlayerId(order.actor)
    if scholar not in tx.state.scholars:
        return  # retired meanwhile: nobody left to resent anything
    at = order_time(order, ctx)
    tx.emit(RecruitmentGrudge(at=at, scholar=scholar, player=player))
    change_feeling(tx, scholar, player_key(player), GRUDGE_FEELING, at, "recruitment_grudge")
