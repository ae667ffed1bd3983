"""Economy sinks (section 3.11): contract upkeep, and the digest steps of the other sinks.

Seasonal commitments live in ``rules.commitment``, faction projects in ``rules.project`` and
the player-facing sinks (``Invest``, ``EndowArchive``) in ``rules.investment``; the digest
calls :func:`charge_upkeep`, :func:`charge_commitments` and :func:`advance_projects`, in that
order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from greatwork.rules.commitment import charge_commitments
from greatwork.rules.constants import FACTIONS, Faction
from greatwork.rules.debt import add_debt, owed, pay_debt
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant, PlayerId
from greatwork.rules.investment import EndowArchive, Invest
from greatwork.rules.player import spend_influence
from greatwork.rules.project import advance_projects
from greatwork.rules.standing import contracted, relfac
from greatwork.rules.state import CampaignState, DebtSource

UPKEEP_EVERY_DIGESTS: Final = 14  # weekly, at two digests a day
UPKEEP_PER_SCHOLAR: Final = 1

__all__ = [
    "EndowArchive",
    "Invest",
    "UpkeepCharged",
    "advance_projects",
    "charge_commitments",
    "charge_upkeep",
    "contracted",
    "relfac",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class UpkeepCharged(Event):
    """A digest's contract upkeep for one (player, faction); shortfalls became debt."""

    player: PlayerId
    faction: Faction
    scholars: int
    charge: int
    paid: int
    debt_paid: int
    shortfall: int


@applies(UpkeepCharged)
def _upkeep(state: CampaignState, e: UpkeepCharged) -> CampaignState:
    del e
    return state


# --- digest step -----------------------------------------------------------------------------


def charge_upkeep(tx: Tx, at: Instant) -> None:
    """Digest step 1i: 1 influence per contracted scholar, per (player, contract faction).

    Charged once a week (every 14th digest), not at every digest as the reference did:
    at two charges a day a hired scholar cost 14 influence a week against a one-off +1 for
    hiring, and every employer sank into debt it could never leave. Old contract debt is
    paid first, then the new charge; what the balance cannot cover becomes contract debt
    (reprisals are off for contract debt).
    """
    if (tx.state.last_digest + 1) % UPKEEP_EVERY_DIGESTS:
        return
    for player in sorted(tx.state.players):
        for faction in FACTIONS:
            count = len(contracted(tx.state, player, faction))
            old = owed(tx.state, player, faction, DebtSource.CONTRACT)
            if count or old:
                _charge_one(tx, player, faction, count, old, at)


def _charge_one(
    tx: Tx, player: PlayerId, faction: Faction, count: int, old: int, at: Instant
) -> None:
    balance = max(0, tx.state.players[player].influence.get(faction, 0))
    debt_paid = min(balance, old)
    charge = count * UPKEEP_PER_SCHOLAR
    paid = min(balance - debt_paid, charge)
    shortfall = charge - paid
    tx.emit(
        UpkeepCharged(
            at=at,
            player=player,
            faction=faction,
            scholars=count,
            charge=charge,
            paid=paid,
            debt_paid=debt_paid,
            shortfall=shortfall,
        )
    )
    if debt_paid + paid:
        spend_influence(tx, player, {faction: debt_paid + paid}, at, "contract_upkeep")
    pay_debt(tx, player, faction, DebtSource.CONTRACT, debt_paid, at, "contract_upkeep")
    add_debt(tx, player, faction, DebtSource.CONTRACT, shortfall, at, "contract_upkeep")
