"""Symposium pledges (section 3.8): what each player stakes, grace, and what a miss costs.

A pledge is ``2 + min(miss_streak, 5) + min(symposium debt, 5)`` in the player's strongest
faction. A pledged player who does not vote loses it, unless their one grace per 28-day
window waives the miss; what the balance cannot cover becomes symposium debt.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Final

from greatwork.rules.constants import DAY, FACTIONS, Faction
from greatwork.rules.debt import add_debt, settle_from_balance, total_owed
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant, PlayerId, TopicId
from greatwork.rules.player import spend_influence, update_player
from greatwork.rules.state import CampaignState, DebtSource, Player, Pledge, PledgeStatus, Topic

BASE_PLEDGE: Final = 2
STREAK_CAP: Final = 5
DEBT_CAP: Final = 5
GRACE_WINDOW: Final = 28 * DAY
INACTIVE_AFTER: Final = 14 * DAY


@dataclass(frozen=True, slots=True, kw_only=True)
class SymposiumMissed(Event):
    """A pledged player did not vote; the pledge was waived, forfeited or became debt.

    The influence taken and the debt are their own events; this records the player's new
    streak and grace and the pledge's fate.
    """

    topic: TopicId
    player: PlayerId
    status: PledgeStatus
    miss_streak: int
    grace_used: bool
    grace_window_start: Instant | None
    faction: Faction | None = None
    deducted: int = 0
    shortfall: int = 0


def set_topic(state: CampaignState, topic: Topic) -> CampaignState:
    """The state with one topic record replaced (for appliers)."""
    return dataclasses.replace(state, topics={**state.topics, topic.id: topic})


def with_pledge(topic: Topic, player: PlayerId, status: PledgeStatus) -> Topic:
    """The topic with one pledge's status changed (unchanged if the player has none)."""
    pledge = topic.pledges.get(player)
    if pledge is None:
        return topic
    pledges = {**topic.pledges, player: dataclasses.replace(pledge, status=status)}
    return dataclasses.replace(topic, pledges=pledges)


@applies(SymposiumMissed)
def _missed(state: CampaignState, e: SymposiumMissed) -> CampaignState:
    state = set_topic(state, with_pledge(state.topics[e.topic], e.player, e.status))
    player = dataclasses.replace(
        state.players[e.player],
        miss_streak=e.miss_streak,
        grace_used=e.grace_used,
        grace_window_start=e.grace_window_start,
    )
    return update_player(state, player)


# --- helpers ---------------------------------------------------------------------------------


def top_faction(player: Player) -> Faction | None:
    """The faction with the largest positive balance (ties: canonical order), or None."""
    best = max(FACTIONS, key=lambda f: (player.influence.get(f, 0), -FACTIONS.index(f)))
    return best if player.influence.get(best, 0) > 0 else None


def is_active(player: Player, at: Instant) -> bool:
    """A player is active unless they took no action for more than 14 days (Q-40)."""
    return at - player.last_active_at <= INACTIVE_AFTER


def pledge_amount(state: CampaignState, player: Player) -> int:
    """``2 + min(miss_streak, 5) + min(outstanding symposium debt, 5)``."""
    debt = total_owed(state, player.id, DebtSource.SYMPOSIUM)
    return BASE_PLEDGE + min(player.miss_streak, STREAK_CAP) + min(debt, DEBT_CAP)


def grace_state(player: Player, at: Instant) -> tuple[bool, Instant | None]:
    """(grace used, window start) as of ``at``: an expired window resets."""
    start = player.grace_window_start
    if start is None or at - start >= GRACE_WINDOW:
        return False, None
    return player.grace_used, start


def settle_miss(tx: Tx, topic: TopicId, player_id: PlayerId, pledge: Pledge, at: Instant) -> None:
    """A pledged player did not vote: streak +1, then waive (grace) or deduct and owe the rest."""
    player = tx.state.players[player_id]
    used, start = grace_state(player, at)
    streak = player.miss_streak + 1
    if not used:
        tx.emit(
            SymposiumMissed(
                at=at,
                topic=topic,
                player=player_id,
                status=PledgeStatus.WAIVED,
                miss_streak=streak,
                grace_used=True,
                grace_window_start=at if start is None else start,
                faction=pledge.faction,
            )
        )
        return
    faction = top_faction(player)
    deducted = min(player.influence.get(faction, 0), pledge.amount) if faction else 0
    shortfall = pledge.amount - deducted
    owed_in = faction or Faction.ACADEMIA
    tx.emit(
        SymposiumMissed(
            at=at,
            topic=topic,
            player=player_id,
            status=PledgeStatus.DEBT if shortfall else PledgeStatus.FORFEITED,
            miss_streak=streak,
            grace_used=True,
            grace_window_start=start,
            faction=owed_in,
            deducted=deducted,
            shortfall=shortfall,
        )
    )
    if deducted:
        spend_influence(tx, player_id, {owed_in: deducted}, at, "symposium_pledge", ref=topic)
    add_debt(tx, player_id, owed_in, DebtSource.SYMPOSIUM, shortfall, at, "symposium_pledge")


def settle_debts(tx: Tx, at: Instant) -> None:
    """At launch, pay every symposium debt from its faction balance, as far as it goes."""
    for debt in sorted(
        tx.state.debts.values(), key=lambda d: (d.player, FACTIONS.index(d.faction))
    ):
        if (
            debt.source is DebtSource.SYMPOSIUM
            and debt.amount > 0
            and debt.player in tx.state.players
        ):
            settle_from_balance(tx, debt.player, debt.faction, debt.source, at, "symposium_debt")
