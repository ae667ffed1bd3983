"""Seasonal commitments (section 3.11): an admin binds a player to a faction for a season.

Each digest charges ``round(base · max(0.5, 1 - relfac(w=0.05)))`` (banker's rounding), at
most once a week; what the balance cannot cover becomes seasonal debt, which has
reprisals (section 3.9). The commitment completes at its end date.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar, Final

from greatwork.rules.command import Command, Context, decides
from greatwork.rules.constants import DAY, Faction
from greatwork.rules.debt import add_debt, apply_reprisals, owed
from greatwork.rules.errors import InvalidInput
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import CommitmentId, Instant, PlayerId
from greatwork.rules.player import bump_counter, get_player, next_id, parse_faction, spend_influence
from greatwork.rules.standing import active_record, ending_status, relfac
from greatwork.rules.state import CampaignState, Commitment, DebtSource, RecordStatus
from greatwork.rules.text import MAX_REASON_LENGTH, clean_text

COMMITMENT_INTERVAL: Final = 7 * DAY  # weekly; 3 a charge every 6 h was ruinous
COMMITMENT_WEIGHT: Final = 0.05
COMMITMENT_OVERDUE_AT: Final = 3  # seasonal debt that raises the overdue alert
MAX_COMMITMENT_DAYS: Final = 365
MAX_BASE_COST: Final = 20
MAX_TIER_LENGTH: Final = 32


def commitment_cost(state: CampaignState, commitment: Commitment) -> tuple[int, float]:
    """``round(base · max(0.5, 1 - relfac(w=0.05)))`` with banker's rounding, and the relfac."""
    factor = relfac(state, commitment.player, commitment.faction, COMMITMENT_WEIGHT)
    return round(commitment.base_cost * max(0.5, 1 - factor)), factor


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitmentCreated(Event):
    """An admin bound a player to a seasonal commitment."""

    commitment: Commitment
    by: str
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitmentCharged(Event):
    """A commitment's periodic charge: ``paid`` from the balance, ``shortfall`` as debt."""

    commitment: CommitmentId
    player: PlayerId
    faction: Faction
    cost: int
    relfac: float
    paid: int
    shortfall: int
    debt_after: int

    @property
    def overdue(self) -> bool:
        """Whether the seasonal debt is high enough to alert the admins."""
        return self.debt_after >= COMMITMENT_OVERDUE_AT


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitmentEnded(Event):
    """A commitment ran its course (``completed``) or an admin ended it."""

    commitment: CommitmentId
    status: RecordStatus
    by: str
    reason: str = ""


def _set_commitment(state: CampaignState, commitment: Commitment) -> CampaignState:
    return dataclasses.replace(state, commitments={**state.commitments, commitment.id: commitment})


@applies(CommitmentCreated)
def _commitment_created(state: CampaignState, e: CommitmentCreated) -> CampaignState:
    return _set_commitment(bump_counter(state, "commitment"), e.commitment)


@applies(CommitmentCharged)
def _commitment_charged(state: CampaignState, e: CommitmentCharged) -> CampaignState:
    commitment = dataclasses.replace(state.commitments[e.commitment], last_charged_at=e.at)
    return _set_commitment(state, commitment)


@applies(CommitmentEnded)
def _commitment_ended(state: CampaignState, e: CommitmentEnded) -> CampaignState:
    return _set_commitment(
        state, dataclasses.replace(state.commitments[e.commitment], status=e.status)
    )


# --- admin commands --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateCommitment(Command):
    """Admin: bind ``player`` to a seasonal commitment to ``faction``."""

    player: PlayerId
    faction: Faction
    tier: str = "standard"
    base_cost: int = 3
    duration_days: int = 28
    reason: str = ""

    player_command: ClassVar[bool] = False
    allowed_while_paused: ClassVar[bool] = True


@decides(CreateCommitment)
def _create_commitment(tx: Tx, cmd: CreateCommitment, ctx: Context) -> None:
    del ctx
    get_player(tx.state, cmd.player)
    faction = parse_faction(str(cmd.faction))
    tier = clean_text(cmd.tier, "tier", MAX_TIER_LENGTH, required=True)
    reason = clean_text(cmd.reason, "reason", MAX_REASON_LENGTH, required=False)
    if not 1 <= cmd.base_cost <= MAX_BASE_COST:
        raise InvalidInput(
            f"The base cost must be between 1 and {MAX_BASE_COST}.", base_cost=cmd.base_cost
        )
    if not 1 <= cmd.duration_days <= MAX_COMMITMENT_DAYS:
        raise InvalidInput(
            f"The duration must be between 1 and {MAX_COMMITMENT_DAYS} days.",
            duration_days=cmd.duration_days,
        )
    commitment = Commitment(
        id=CommitmentId(f"COM-{next_id(tx.state, 'commitment')}"),
        player=cmd.player,
        faction=faction,
        tier=tier,
        base_cost=cmd.base_cost,
        starts_at=cmd.at,
        ends_at=Instant(cmd.at + cmd.duration_days * DAY),
    )
    tx.emit(CommitmentCreated(at=cmd.at, commitment=commitment, by=cmd.actor, reason=reason))


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateCommitment(Command):
    """Admin: mark a commitment completed or cancelled."""

    commitment: CommitmentId
    status: RecordStatus
    reason: str = ""

    player_command: ClassVar[bool] = False
    allowed_while_paused: ClassVar[bool] = True


@decides(UpdateCommitment)
def _update_commitment(tx: Tx, cmd: UpdateCommitment, ctx: Context) -> None:
    del ctx
    status = ending_status(cmd.status)
    reason = clean_text(cmd.reason, "reason", MAX_REASON_LENGTH, required=False)
    found = active_record(tx.state.commitments.get(cmd.commitment), cmd.commitment, "commitment")
    tx.emit(
        CommitmentEnded(at=cmd.at, commitment=found.id, status=status, by=cmd.actor, reason=reason)
    )


# --- digest step -----------------------------------------------------------------------------


def charge_commitments(tx: Tx, at: Instant) -> None:
    """Digest step 1j: end finished commitments, charge the others (at most once a week)."""
    for commitment in list(tx.state.commitments.values()):
        if commitment.status is not RecordStatus.ACTIVE:
            continue
        if at >= commitment.ends_at:
            tx.emit(
                CommitmentEnded(
                    at=at, commitment=commitment.id, status=RecordStatus.COMPLETED, by="system"
                )
            )
            continue
        last = commitment.last_charged_at
        if (last is None or at - last >= COMMITMENT_INTERVAL) and commitment.player in (
            tx.state.players
        ):
            _charge_commitment(tx, commitment, at)
    apply_reprisals(tx, at, sources=(DebtSource.SEASONAL,))


def _charge_commitment(tx: Tx, commitment: Commitment, at: Instant) -> None:
    player, faction = commitment.player, commitment.faction
    cost, factor = commitment_cost(tx.state, commitment)
    paid = min(max(0, tx.state.players[player].influence.get(faction, 0)), cost)
    shortfall = cost - paid
    tx.emit(
        CommitmentCharged(
            at=at,
            commitment=commitment.id,
            player=player,
            faction=faction,
            cost=cost,
            relfac=factor,
            paid=paid,
            shortfall=shortfall,
            debt_after=owed(tx.state, player, faction, DebtSource.SEASONAL) + shortfall,
        )
    )
    if paid:
        spend_influence(tx, player, {faction: paid}, at, "seasonal_commitment", ref=commitment.id)
    add_debt(tx, player, faction, DebtSource.SEASONAL, shortfall, at, "seasonal_commitment")
