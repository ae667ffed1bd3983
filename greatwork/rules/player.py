"""Players: joining, reputation with its bounds, influence with its cap (D6) and costs (D5)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from greatwork.rules.constants import (
    DAY,
    FACTION_ALIASES,
    FACTIONS,
    REPUTATION_MAX,
    REPUTATION_MIN,
    Faction,
)
from greatwork.rules.errors import InsufficientInfluence, InvalidInput, NotFound
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant, PlayerId
from greatwork.rules.state import CampaignState, Player

ACTIVITY_RESOLUTION = DAY  # activity is kept to the day: enough for a 14-day rule


def influence_cap(reputation: int) -> int:
    """``max(6, 6 + int(0.2 * max(0, rep)))``: 6 up to reputation 4, 8 at 10, 16 at 50."""
    return max(6, 6 + int(0.2 * max(0, reputation)))


def clamp_reputation(value: int) -> int:
    """Reputation always stays in [-50, 50]."""
    return max(REPUTATION_MIN, min(REPUTATION_MAX, value))


def capped_gain(current: int, amount: int, cap: int) -> int:
    """The part of a gain that applies (D6): it stops at the cap, never lowers a balance."""
    if amount <= 0:
        return 0
    return max(0, min(amount, cap - current))


def get_player(state: CampaignState, player: PlayerId) -> Player:
    """The player, or a NotFound error naming them."""
    try:
        return state.players[player]
    except KeyError:
        raise NotFound(f"No player {player!r} in this campaign.", player=player) from None


def player_label(state: CampaignState, player: PlayerId) -> str:
    """A player's display name, for messages and press (the id if the player is unknown).

    Player ids are Discord snowflakes on Discord: text meant for people names them this way.
    """
    record = state.players.get(player)
    return record.display_name if record is not None else str(player)


def parse_faction(text: str) -> Faction:
    """One of the five faction keys (aliases such as ``religious`` accepted); else an error."""
    key = text.strip().lower()
    try:
        return FACTION_ALIASES[key]
    except KeyError:
        choices = ", ".join(FACTIONS)
        raise InvalidInput(
            f"Unknown faction {text!r}: choose one of {choices}.", value=text, choices=choices
        ) from None


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PlayerJoined(Event):
    """A player took their first action."""

    player: PlayerId
    display_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PlayerActive(Event):
    """A player acted; recorded at most once a day (symposium pledges skip the inactive)."""

    player: PlayerId


@dataclass(frozen=True, slots=True, kw_only=True)
class ReputationChanged(Event):
    """A player's reputation moved by ``delta`` (already clamped) to ``after``."""

    player: PlayerId
    delta: int
    after: int
    reason: str
    ref: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class InfluenceChanged(Event):
    """A player's balances moved by ``deltas`` (already capped or checked)."""

    player: PlayerId
    deltas: Mapping[Faction, int]
    reason: str
    ref: str = ""


@applies(PlayerJoined)
def _joined(state: CampaignState, e: PlayerJoined) -> CampaignState:
    player = Player(id=e.player, display_name=e.display_name, joined_at=e.at, last_active_at=e.at)
    return dataclasses.replace(state, players={**state.players, e.player: player})


@applies(PlayerActive)
def _active(state: CampaignState, e: PlayerActive) -> CampaignState:
    return update_player(state, dataclasses.replace(state.players[e.player], last_active_at=e.at))


@applies(ReputationChanged)
def _reputation(state: CampaignState, e: ReputationChanged) -> CampaignState:
    player = dataclasses.replace(state.players[e.player], reputation=e.after)
    return dataclasses.replace(state, players={**state.players, e.player: player})


@applies(InfluenceChanged)
def _influence(state: CampaignState, e: InfluenceChanged) -> CampaignState:
    old = state.players[e.player]
    balances = dict(old.influence)
    for faction, delta in e.deltas.items():
        balances[faction] = balances.get(faction, 0) + delta
    player = dataclasses.replace(old, influence=balances)
    return dataclasses.replace(state, players={**state.players, e.player: player})


def update_player(state: CampaignState, player: Player) -> CampaignState:
    """The state with one player record replaced (for appliers in other modules)."""
    return dataclasses.replace(state, players={**state.players, player.id: player})


# --- helpers deciders use --------------------------------------------------------------------


def ensure_player(tx: Tx, player: PlayerId, display_name: str, at: Instant) -> None:
    """Create the player on first use (section 2)."""
    if player not in tx.state.players:
        name = (display_name or str(player)).strip()[:64] or str(player)
        tx.emit(PlayerJoined(at=at, player=player, display_name=name))


def note_activity(tx: Tx, player: PlayerId, at: Instant) -> None:
    """Record that the player acted, unless that is already known for the last day."""
    record = tx.state.players.get(player)
    if record is not None and at - record.last_active_at >= ACTIVITY_RESOLUTION:
        tx.emit(PlayerActive(at=at, player=player))


def change_reputation(
    tx: Tx, player: PlayerId, delta: int, at: Instant, reason: str, ref: str = ""
) -> int:
    """Add ``delta`` to reputation, clamped to [-50, 50]; return the change that applied."""
    before = tx.state.players[player].reputation
    after = clamp_reputation(before + delta)
    if after != before:
        tx.emit(
            ReputationChanged(
                at=at, player=player, delta=after - before, after=after, reason=reason, ref=ref
            )
        )
    return after - before


def gain_influence(
    tx: Tx, player: PlayerId, gains: Mapping[Faction, int], at: Instant, reason: str, ref: str = ""
) -> Mapping[Faction, int]:
    """Add gains, each stopping at the cap (D6); return what applied (zeros dropped)."""
    record = tx.state.players[player]
    cap = influence_cap(record.reputation)
    applied = {}
    for faction, amount in gains.items():
        got = capped_gain(record.influence.get(faction, 0), amount, cap)
        if got:
            applied[faction] = got
    if applied:
        tx.emit(InfluenceChanged(at=at, player=player, deltas=applied, reason=reason, ref=ref))
    return applied


def check_affordable(state: CampaignState, player: PlayerId, costs: Mapping[Faction, int]) -> None:
    """Refuse, naming the first faction short and by how much, unless every cost is covered."""
    record = get_player(state, player)
    for faction in FACTIONS:
        need = costs.get(faction, 0)
        have = record.influence.get(faction, 0)
        if need > have:
            raise InsufficientInfluence(
                f"Not enough {faction} influence: {need} needed, {have} held "
                f"(short by {need - have}).",
                faction=faction,
                needed=need,
                held=have,
                shortfall=need - have,
            )


def spend_influence(
    tx: Tx, player: PlayerId, costs: Mapping[Faction, int], at: Instant, reason: str, ref: str = ""
) -> None:
    """Take costs from the balances, refusing (with the shortfall named) if any falls short."""
    check_affordable(tx.state, player, costs)
    deltas = {faction: -amount for faction, amount in costs.items() if amount}
    if deltas:
        tx.emit(InfluenceChanged(at=at, player=player, deltas=deltas, reason=reason, ref=ref))


def next_id(state: CampaignState, kind: str) -> int:
    """The next number of a per-campaign counter (ids, bulletin numbers)."""
    return state.counters.get(kind, 0) + 1


def bump_counter(state: CampaignState, kind: str) -> CampaignState:
    """The state with a counter advanced by one (for appliers that create numbered things)."""
    return dataclasses.replace(state, counters={**state.counters, kind: next_id(state, kind)})
