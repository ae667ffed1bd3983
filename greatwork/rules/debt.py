"""Debts and reprisals (section 3.9): what players owe factions, and what unpaid debt costs.

A debt is keyed by (player, faction, source). A reprisal fires when the amount owed reaches the
source's threshold (a threshold of 0 turns reprisals off) and the cooldown has passed: the
player loses ``min(balance, penalty)`` influence in that faction, or 1 reputation if that
balance is 0. A symposium reprisal also queues a reprimand for the press desk.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from greatwork.rules.command import Context
from greatwork.rules.constants import DAY, Faction
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant, PlayerId
from greatwork.rules.order import handles, order_time, payload_int, schedule
from greatwork.rules.player import change_reputation, spend_influence
from greatwork.rules.state import CampaignState, Debt, DebtSource, Order, debt_key

REPRIMAND_ORDER: Final = "followup:symposium_reprimand"
REPRISAL_COOLDOWN: Final = 7 * DAY


@dataclass(frozen=True, slots=True)
class ReprisalRule:
    """When a source's debt triggers a reprisal, and how hard it hits."""

    threshold: int  # 0: reprisals are off for this source
    penalty: int


REPRISALS: Final[Mapping[DebtSource, ReprisalRule]] = MappingProxyType(
    {
        DebtSource.SYMPOSIUM: ReprisalRule(threshold=6, penalty=2),
        DebtSource.CONTRACT: ReprisalRule(threshold=0, penalty=0),
        DebtSource.SEASONAL: ReprisalRule(threshold=4, penalty=2),
    }
)


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class DebtChanged(Event):
    """A debt grew (``delta > 0``) or was paid down (``delta < 0``) to ``after``."""

    player: PlayerId
    faction: Faction
    source: DebtSource
    delta: int
    after: int
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReprisalApplied(Event):
    """A faction lost patience with a debtor; the loss itself is its own event."""

    player: PlayerId
    faction: Faction
    source: DebtSource
    owed: int
    level: int  # the debt's reprisal level after this one
    influence_lost: int
    reputation_lost: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SymposiumReprimandDue(Event):
    """The press desk should print a reprimand of a symposium debtor (no state change)."""

    player: PlayerId
    faction: Faction
    owed: int
    level: int


def _set_debt(state: CampaignState, debt: Debt) -> CampaignState:
    key = debt_key(debt.player, debt.faction, debt.source)
    return dataclasses.replace(state, debts={**state.debts, key: debt})


def _debt_record(state: CampaignState, player: PlayerId, faction: Faction, src: DebtSource) -> Debt:
    found = state.debts.get(debt_key(player, faction, src))
    return found if found is not None else Debt(player=player, faction=faction, source=src)


@applies(DebtChanged)
def _changed(state: CampaignState, e: DebtChanged) -> CampaignState:
    debt = _debt_record(state, e.player, e.faction, e.source)
    return _set_debt(state, dataclasses.replace(debt, amount=e.after))


@applies(ReprisalApplied)
def _reprisal(state: CampaignState, e: ReprisalApplied) -> CampaignState:
    debt = _debt_record(state, e.player, e.faction, e.source)
    return _set_debt(
        state, dataclasses.replace(debt, reprisal_level=e.level, last_reprisal_at=e.at)
    )


@applies(SymposiumReprimandDue)
def _reprimand(state: CampaignState, e: SymposiumReprimandDue) -> CampaignState:
    del e
    return state


# --- helpers ---------------------------------------------------------------------------------


def owed(state: CampaignState, player: PlayerId, faction: Faction, source: DebtSource) -> int:
    """What the player owes the faction from this source (0 if nothing)."""
    found = state.debts.get(debt_key(player, faction, source))
    return found.amount if found is not None else 0


def total_owed(state: CampaignState, player: PlayerId, source: DebtSource) -> int:
    """What the player owes from this source, over all factions."""
    return sum(d.amount for d in state.debts.values() if d.player == player and d.source is source)


def add_debt(
    tx: Tx,
    player: PlayerId,
    faction: Faction,
    source: DebtSource,
    amount: int,
    at: Instant,
    reason: str,
) -> None:
    """Add ``amount`` (if positive) to the debt."""
    if amount > 0:
        after = owed(tx.state, player, faction, source) + amount
        tx.emit(
            DebtChanged(
                at=at,
                player=player,
                faction=faction,
                source=source,
                delta=amount,
                after=after,
                reason=reason,
            )
        )


def pay_debt(
    tx: Tx,
    player: PlayerId,
    faction: Faction,
    source: DebtSource,
    amount: int,
    at: Instant,
    reason: str,
) -> int:
    """Write off up to ``amount`` of the debt (the caller pays for it); return what was paid."""
    current = owed(tx.state, player, faction, source)
    paid = max(0, min(amount, current))
    if paid:
        tx.emit(
            DebtChanged(
                at=at,
                player=player,
                faction=faction,
                source=source,
                delta=-paid,
                after=current - paid,
                reason=reason,
            )
        )
    return paid


def settle_from_balance(
    tx: Tx, player: PlayerId, faction: Faction, source: DebtSource, at: Instant, reason: str
) -> int:
    """Pay the debt from the faction balance, as far as it goes; return what was paid."""
    balance = tx.state.players[player].influence.get(faction, 0)
    paid = min(max(0, balance), owed(tx.state, player, faction, source))
    if paid:
        spend_influence(tx, player, {faction: paid}, at, reason, ref=str(source))
        pay_debt(tx, player, faction, source, paid, at, reason)
    return paid


def _due(debt: Debt, at: Instant) -> bool:
    rule = REPRISALS[debt.source]
    if rule.threshold <= 0 or debt.amount < rule.threshold:
        return False
    return debt.last_reprisal_at is None or at - debt.last_reprisal_at >= REPRISAL_COOLDOWN


def apply_reprisals(
    tx: Tx,
    at: Instant,
    sources: Collection[DebtSource] | None = None,
    exempt: Collection[PlayerId] = (),
) -> int:
    """Fire every due reprisal (section 3.9); return how many fired.

    Args:
        tx: the working state.
        at: now.
        sources: only debts from these sources (all when None).
        exempt: players spared this time (the symposium spares inactive players, Q-40).
    """
    fired = 0
    for debt in sorted(
        tx.state.debts.values(), key=lambda d: debt_key(d.player, d.faction, d.source)
    ):
        if (sources is not None and debt.source not in sources) or debt.player in exempt:
            continue
        if debt.player not in tx.state.players or not _due(debt, at):
            continue
        _reprisal_on(tx, debt, at)
        fired += 1
    return fired


def _reprisal_on(tx: Tx, debt: Debt, at: Instant) -> None:
    penalty = REPRISALS[debt.source].penalty
    balance = max(0, tx.state.players[debt.player].influence.get(debt.faction, 0))
    lost = min(balance, penalty)
    level = debt.reprisal_level + 1
    tx.emit(
        ReprisalApplied(
            at=at,
            player=debt.player,
            faction=debt.faction,
            source=debt.source,
            owed=debt.amount,
            level=level,
            influence_lost=lost,
            reputation_lost=0 if lost else 1,
        )
    )
    reason = f"{debt.source}_reprisal"
    if lost:
        spend_influence(tx, debt.player, {debt.faction: lost}, at, reason)
    else:
        change_reputation(tx, debt.player, -1, at, reason)
    if debt.source is DebtSource.SYMPOSIUM:
        schedule(
            tx,
            REPRIMAND_ORDER,
            at,
            due=at,
            actor=str(debt.player),
            subject=str(debt.faction),
            payload={"owed": debt.amount, "level": level},
        )


@handles(REPRIMAND_ORDER)
def _reprimand_due(tx: Tx, order: Order, ctx: Context) -> None:
    """A press hook: announce the reprimand for the press desk to write up."""
    if order.actor is None or order.subject is None:
        return
    tx.emit(
        SymposiumReprimandDue(
            at=order_time(order, ctx),
            player=PlayerId(order.actor),
            faction=Faction(order.subject),
            owed=payload_int(order, "owed"),
            level=payload_int(order, "level"),
        )
    )
