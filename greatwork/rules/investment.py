"""Player-facing sinks (section 3.11): ``/invest`` and ``/endow_archive``.

An investment buys goodwill from the scholars under that faction's banner; an endowment buys
reputation and pays off symposium and then seasonal debt in that faction at no extra cost.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Final

from greatwork.rules.command import Command, Context, decides
from greatwork.rules.constants import Faction
from greatwork.rules.debt import pay_debt
from greatwork.rules.errors import InvalidInput
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import PlayerId, ScholarId
from greatwork.rules.memory import change_feeling, player_key
from greatwork.rules.player import change_reputation, parse_faction, spend_influence
from greatwork.rules.standing import contracted
from greatwork.rules.state import CampaignState, Contribution, DebtSource
from greatwork.rules.text import clean_text

MIN_INVESTMENT: Final = 3
MIN_ENDOWMENT: Final = 4
FEELING_PER_THREE: Final = 0.2  # feeling per 3 influence invested
ENDOWMENT_PER_REPUTATION: Final = 12
MAX_PROGRAM_LENGTH: Final = 120


@dataclass(frozen=True, slots=True, kw_only=True)
class Invested(Event):
    """A player invested in a faction; ``scholars`` each felt ``feeling`` more for them."""

    player: PlayerId
    faction: Faction
    amount: int
    program: str
    scholars: tuple[ScholarId, ...]
    feeling: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveEndowed(Event):
    """A player endowed the archive; the same amount paid these debts in ``faction``."""

    player: PlayerId
    faction: Faction
    amount: int
    program: str
    symposium_paid: int
    seasonal_paid: int


def _contribute(state: CampaignState, contribution: Contribution) -> CampaignState:
    return dataclasses.replace(state, contributions=(*state.contributions, contribution))


@applies(Invested)
def _invested(state: CampaignState, e: Invested) -> CampaignState:
    return _contribute(
        state,
        Contribution(
            player=e.player,
            kind="investment",
            faction=e.faction,
            amount=e.amount,
            at=e.at,
            program=e.program,
        ),
    )


@applies(ArchiveEndowed)
def _endowed(state: CampaignState, e: ArchiveEndowed) -> CampaignState:
    return _contribute(
        state,
        Contribution(
            player=e.player,
            kind="endowment",
            faction=e.faction,
            amount=e.amount,
            at=e.at,
            program=e.program,
        ),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Invest(Command):
    """``/invest faction amount [program]``: fund a faction; its scholars warm to you."""

    faction: Faction
    amount: int
    program: str = ""


@decides(Invest)
def _invest(tx: Tx, cmd: Invest, ctx: Context) -> None:
    del ctx
    faction = parse_faction(str(cmd.faction))
    program = clean_text(cmd.program, "program name", MAX_PROGRAM_LENGTH, required=False)
    if cmd.amount < MIN_INVESTMENT:
        raise InvalidInput(
            f"An investment must be at least {MIN_INVESTMENT} influence.",
            amount=cmd.amount,
            minimum=MIN_INVESTMENT,
        )
    spend_influence(tx, cmd.actor, {faction: cmd.amount}, cmd.at, "investment", ref=program)
    scholars = tuple(contracted(tx.state, cmd.actor, faction))
    delta = round(FEELING_PER_THREE * (cmd.amount // 3), 6)
    tx.emit(
        Invested(
            at=cmd.at,
            player=cmd.actor,
            faction=faction,
            amount=cmd.amount,
            program=program,
            scholars=scholars,
            feeling=delta,
        )
    )
    for scholar in scholars:
        change_feeling(tx, scholar, player_key(cmd.actor), delta, cmd.at, "investment")


@dataclass(frozen=True, slots=True, kw_only=True)
class EndowArchive(Command):
    """``/endow_archive amount [faction] [program]``: reputation, and debts paid off."""

    amount: int
    faction: Faction = Faction.ACADEMIA
    program: str = ""


@decides(EndowArchive)
def _endow(tx: Tx, cmd: EndowArchive, ctx: Context) -> None:
    del ctx
    faction = parse_faction(str(cmd.faction))
    program = clean_text(cmd.program, "program name", MAX_PROGRAM_LENGTH, required=False)
    if cmd.amount < MIN_ENDOWMENT:
        raise InvalidInput(
            f"An endowment must be at least {MIN_ENDOWMENT} influence.",
            amount=cmd.amount,
            minimum=MIN_ENDOWMENT,
        )
    spend_influence(tx, cmd.actor, {faction: cmd.amount}, cmd.at, "endowment", ref=program)
    reason = "archive_endowment"
    symposium = pay_debt(tx, cmd.actor, faction, DebtSource.SYMPOSIUM, cmd.amount, cmd.at, reason)
    seasonal = pay_debt(
        tx, cmd.actor, faction, DebtSource.SEASONAL, cmd.amount - symposium, cmd.at, reason
    )
    tx.emit(
        ArchiveEndowed(
            at=cmd.at,
            player=cmd.actor,
            faction=faction,
            amount=cmd.amount,
            program=program,
            symposium_paid=symposium,
            seasonal_paid=seasonal,
        )
    )
    change_reputation(tx, cmd.actor, cmd.amount // ENDOWMENT_PER_REPUTATION, cmd.at, reason)
