"""Read-only views a player asks for: status and the wager table. They change nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from greatwork.rules.constants import (
    EXPEDITION_GATES,
    FACTIONS,
    RECRUIT_GATE,
    REPUTATION_MAX,
    REPUTATION_MIN,
    WAGERS,
    Confidence,
    Faction,
)
from greatwork.rules.ids import ExpeditionCode, PlayerId, ScholarId, TheoryId
from greatwork.rules.player import get_player, influence_cap
from greatwork.rules.state import CampaignState, ExpeditionStatus, TheoryStatus


@dataclass(frozen=True, slots=True)
class Status:
    """What /status shows a player about themselves."""

    player: PlayerId
    display_name: str
    reputation: int
    cap: int
    influence: Mapping[Faction, int]
    cooldowns: Mapping[str, int]
    gates: Mapping[str, bool]  # action -> allowed at this reputation
    scholars: tuple[ScholarId, ...]
    open_theories: tuple[TheoryId, ...]
    pending_expeditions: tuple[ExpeditionCode, ...]
    debts: Mapping[str, int]  # "<faction> <source>" -> amount


def status(state: CampaignState, player_id: PlayerId) -> Status:
    """The player's standing, balances, cooldowns, gates and holdings."""
    player = get_player(state, player_id)
    rep = player.reputation
    gates = {"recruit": rep >= RECRUIT_GATE}
    gates.update({f"expedition:{t}": rep >= gate for t, gate in EXPEDITION_GATES.items()})
    return Status(
        player=player.id,
        display_name=player.display_name,
        reputation=rep,
        cap=influence_cap(rep),
        influence={f: player.influence.get(f, 0) for f in FACTIONS},
        cooldowns=dict(player.cooldowns),
        gates=gates,
        scholars=tuple(s.id for s in state.scholars.values() if s.contract.player == player_id),
        open_theories=tuple(
            t.id
            for t in state.theories.values()
            if t.player == player_id and t.status is TheoryStatus.OPEN
        ),
        pending_expeditions=tuple(
            e.code
            for e in state.expeditions.values()
            if e.player == player_id and e.status is ExpeditionStatus.PENDING
        ),
        debts={
            f"{d.faction} {d.source}": d.amount
            for d in state.debts.values()
            if d.player == player_id and d.amount > 0
        },
    )


@dataclass(frozen=True, slots=True)
class WagerRow:
    """One line of the wager table."""

    confidence: Confidence
    reward: int
    partial: int
    penalty: int
    break_even: float  # the success rate at which the wager pays off on average
    sets_cooldown: bool


def wager_table() -> tuple[WagerRow, ...]:
    """The confidence wager table (section 3.1), with reputation bounds implied."""
    rows = []
    for confidence, (reward, penalty) in WAGERS.items():
        rows.append(
            WagerRow(
                confidence=confidence,
                reward=reward,
                partial=max(1, reward // 2),
                penalty=penalty,
                break_even=round(-penalty / (reward - penalty), 4),
                sets_cooldown=confidence is Confidence.STAKE_MY_CAREER,
            )
        )
    return tuple(rows)


REPUTATION_BOUNDS = (REPUTATION_MIN, REPUTATION_MAX)
