"""Admin actions (section 3.13) as commands: each one journaled, each checked, none capped.

Who may run them is decided outside the rules (Discord permissions or the local admin
password); the rules record the admin's id and refuse malformed requests.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar, Final

from greatwork.rules.command import Command, Context, decides
from greatwork.rules.constants import Faction
from greatwork.rules.defection import force_defection
from greatwork.rules.errors import Conflict, InvalidInput
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.expedition import cancel_expedition
from greatwork.rules.ids import ExpeditionCode, OrderId, PlayerId, ScholarId
from greatwork.rules.negotiation import DEADLINE_ORDER
from greatwork.rules.order import cancel
from greatwork.rules.player import clamp_reputation, get_player, parse_faction, update_player
from greatwork.rules.state import CampaignState
from greatwork.rules.text import clean_reason

MAX_ADJUSTMENT: Final = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminCommand(Command):
    """Base of every admin command: no player is created, and it runs while paused."""

    reason: str = ""

    player_command: ClassVar[bool] = False
    allowed_while_paused: ClassVar[bool] = True


@dataclass(frozen=True, slots=True, kw_only=True)
class AdjustReputation(AdminCommand):
    """Move a player's reputation by ``delta`` (clamped to [-50, 50])."""

    player: PlayerId
    delta: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AdjustInfluence(AdminCommand):
    """Move a player's influence in one faction by ``delta``: ignores the cap, floors at 0."""

    player: PlayerId
    faction: Faction
    delta: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ForceDefection(AdminCommand):
    """Make a scholar defect to a faction; the admin's word is final (Q-25 fixed)."""

    scholar: ScholarId
    faction: Faction


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelExpedition(AdminCommand):
    """Cancel a pending expedition and refund what it cost (Q-26 fixed)."""

    code: ExpeditionCode


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelOrder(AdminCommand):
    """Cancel a pending order."""

    order: OrderId


@dataclass(frozen=True, slots=True, kw_only=True)
class ReputationAdjusted(Event):
    """An admin set a player's reputation from ``before`` to ``after``."""

    admin: PlayerId
    player: PlayerId
    delta: int
    before: int
    after: int
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InfluenceAdjusted(Event):
    """An admin set a player's balance in one faction from ``before`` to ``after``."""

    admin: PlayerId
    player: PlayerId
    faction: Faction
    delta: int
    before: int
    after: int
    reason: str


@applies(ReputationAdjusted)
def _reputation_adjusted(state: CampaignState, e: ReputationAdjusted) -> CampaignState:
    player = dataclasses.replace(state.players[e.player], reputation=e.after)
    return update_player(state, player)


@applies(InfluenceAdjusted)
def _influence_adjusted(state: CampaignState, e: InfluenceAdjusted) -> CampaignState:
    old = state.players[e.player]
    player = dataclasses.replace(old, influence={**old.influence, e.faction: e.after})
    return update_player(state, player)


def _check_delta(delta: int) -> None:
    if delta == 0 or abs(delta) > MAX_ADJUSTMENT:
        raise InvalidInput(
            f"The change must be between -{MAX_ADJUSTMENT} and {MAX_ADJUSTMENT}, and not 0.",
            delta=delta,
        )


@decides(AdjustReputation)
def _adjust_reputation(tx: Tx, cmd: AdjustReputation, ctx: Context) -> None:
    del ctx
    _check_delta(cmd.delta)
    reason = clean_reason(cmd.reason, "Admin adjustment")
    before = get_player(tx.state, cmd.player).reputation
    after = clamp_reputation(before + cmd.delta)
    tx.emit(
        ReputationAdjusted(
            at=cmd.at,
            admin=cmd.actor,
            player=cmd.player,
            delta=after - before,
            before=before,
            after=after,
            reason=reason,
        )
    )


@decides(AdjustInfluence)
def _adjust_influence(tx: Tx, cmd: AdjustInfluence, ctx: Context) -> None:
    del ctx
    _check_delta(cmd.delta)
    reason = clean_reason(cmd.reason, "Admin adjustment")
    faction = parse_faction(str(cmd.faction))  # refuse a label that is not one of the five
    before = get_player(tx.state, cmd.player).influence.get(faction, 0)
    after = max(0, before + cmd.delta)
    tx.emit(
        InfluenceAdjusted(
            at=cmd.at,
            admin=cmd.actor,
            player=cmd.player,
            faction=faction,
            delta=after - before,
            before=before,
            after=after,
            reason=reason,
        )
    )


@decides(ForceDefection)
def _force_defection(tx: Tx, cmd: ForceDefection, ctx: Context) -> None:
    reason = clean_reason(cmd.reason, "Admin decision")
    force_defection(tx, ctx, cmd.scholar, cmd.faction, cmd.actor, reason, cmd.at)


@decides(CancelExpedition)
def _cancel_expedition(tx: Tx, cmd: CancelExpedition, ctx: Context) -> None:
    del ctx
    reason = clean_reason(cmd.reason, "Cancelled by an admin")
    cancel_expedition(tx, cmd.code, cmd.actor, reason, cmd.at)


@decides(CancelOrder)
def _cancel_order(tx: Tx, cmd: CancelOrder, ctx: Context) -> None:
    del ctx
    reason = clean_reason(cmd.reason, "Cancelled by an admin")
    order = tx.state.orders.get(cmd.order)
    if order is not None and order.type == DEADLINE_ORDER:
        # Cancelling a chain's deadline would leave its escrow held for ever.
        raise Conflict(
            f"Order {cmd.order} settles an offer chain and returns its escrow; it cannot be "
            "cancelled.",
            order=cmd.order,
        )
    cancel(tx, cmd.order, cmd.at, reason, by=cmd.actor)
