"""The weekly symposium (section 3.8): a topic, one vote per player, pledges, grace and debt.

Decisions for this build:

- A tie between options goes to the lowest option number; the tally never depends on row
  order (Q-40).
- Inactive players (no action for more than 14 days) make no pledge, so they accrue no debt
  while away and are spared symposium reprisals (Q-40).
- Consensus: when at least 3 players voted and the winning option took two thirds of the votes
  or more, each of its voters gains 1 reputation (the design's missing reputation effect).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from greatwork.rules.command import Command, Context, decides
from greatwork.rules.constants import HOUR
from greatwork.rules.debt import apply_reprisals
from greatwork.rules.errors import Conflict, InvalidInput
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant, PlayerId, TopicId
from greatwork.rules.order import handles, order_time, payload_int, schedule
from greatwork.rules.player import bump_counter, change_reputation, next_id, update_player
from greatwork.rules.pledge import (
    SymposiumMissed,
    grace_state,
    is_active,
    pledge_amount,
    set_topic,
    settle_debts,
    settle_miss,
    top_faction,
    with_pledge,
)
from greatwork.rules.proposal import SymposiumPropose, best_proposal, expire_proposals
from greatwork.rules.state import (
    CampaignState,
    DebtSource,
    Order,
    Pledge,
    PledgeStatus,
    ProposalStatus,
    Topic,
    TopicStatus,
)

__all__ = [
    "SymposiumLaunched",
    "SymposiumMissed",
    "SymposiumPropose",
    "SymposiumReminderDue",
    "SymposiumResolved",
    "SymposiumVote",
    "SymposiumVoted",
    "expire_proposals",
    "launch_symposium",
    "resolve_topic",
    "winner_of",
]

OPTIONS: Final = (1, 2, 3)  # support, oppose, further study
OPTION_NAMES: Final = {1: "support", 2: "oppose", 3: "further study"}
REMINDER_ORDER: Final = "followup:symposium_reminder"
REMINDER_DELAYS: Final = (12 * HOUR, 24 * HOUR)
CONSENSUS_MIN_VOTES: Final = 3
FALLBACK_TOPIC: Final = ("The Great Work Itself", "What is all this research for?")

# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SymposiumLaunched(Event):
    """A new topic opened for votes, with every active player's pledge."""

    topic: Topic


@dataclass(frozen=True, slots=True, kw_only=True)
class SymposiumVoted(Event):
    """A player voted (a new vote replaces the old); the pledge is fulfilled."""

    topic: TopicId
    player: PlayerId
    option: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SymposiumResolved(Event):
    """The open topic closed; ``tally`` counts options 1, 2 and 3."""

    topic: TopicId
    winner: int | None
    tally: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SymposiumReminderDue(Event):
    """The press desk should remind a pledged player who has not voted (no state change)."""

    topic: TopicId
    player: PlayerId
    stage: int  # 1 at +12 h, 2 at +24 h
    pledge: int
    grace_left: bool


@applies(SymposiumLaunched)
def _launched(state: CampaignState, e: SymposiumLaunched) -> CampaignState:
    state = set_topic(bump_counter(state, "topic"), e.topic)
    proposal = state.proposals.get(e.topic.proposal) if e.topic.proposal else None
    if proposal is not None:
        chosen = dataclasses.replace(proposal, status=ProposalStatus.SELECTED)
        state = dataclasses.replace(state, proposals={**state.proposals, chosen.id: chosen})
    return dataclasses.replace(state, open_topic=e.topic.id)


@applies(SymposiumVoted)
def _voted(state: CampaignState, e: SymposiumVoted) -> CampaignState:
    topic = state.topics[e.topic]
    topic = dataclasses.replace(topic, votes={**topic.votes, e.player: e.option})
    state = set_topic(state, with_pledge(topic, e.player, PledgeStatus.FULFILLED))
    player = dataclasses.replace(
        state.players[e.player],
        miss_streak=0,
        grace_used=False,
        grace_window_start=None,
        last_active_at=e.at,
    )
    return update_player(state, player)


@applies(SymposiumResolved)
def _resolved(state: CampaignState, e: SymposiumResolved) -> CampaignState:
    topic = dataclasses.replace(
        state.topics[e.topic], status=TopicStatus.RESOLVED, winner=e.winner, resolved_at=e.at
    )
    still_open = None if state.open_topic == e.topic else state.open_topic
    return dataclasses.replace(set_topic(state, topic), open_topic=still_open)


@applies(SymposiumReminderDue)
def _reminder(state: CampaignState, e: SymposiumReminderDue) -> CampaignState:
    del e
    return state


# --- commands --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SymposiumVote(Command):
    """``/symposium_vote 1|2|3``: 1 support, 2 oppose, 3 further study."""

    option: int


@decides(SymposiumVote)
def _vote(tx: Tx, cmd: SymposiumVote, ctx: Context) -> None:
    del ctx
    if cmd.option not in OPTIONS:
        raise InvalidInput("Vote 1 (support), 2 (oppose) or 3 (further study).", option=cmd.option)
    topic = tx.state.open_topic
    if topic is None:
        raise Conflict("No symposium topic is open for votes.")
    tx.emit(SymposiumVoted(at=cmd.at, topic=topic, player=cmd.actor, option=cmd.option))


# --- helpers ---------------------------------------------------------------------------------


def winner_of(votes: Mapping[PlayerId, int]) -> tuple[int | None, tuple[int, ...]]:
    """The winning option and the tally; most votes wins, a tie goes to the lowest number."""
    tally = tuple(sum(1 for v in votes.values() if v == option) for option in OPTIONS)
    if not votes:
        return None, tally
    best = max(OPTIONS, key=lambda o: (tally[o - 1], -o))
    return best, tally


def resolve_topic(tx: Tx, at: Instant) -> None:
    """Close the open topic, if any: tally, settle missed pledges, reward a consensus."""
    topic_id = tx.state.open_topic
    if topic_id is None:
        return
    topic = tx.state.topics[topic_id]
    winner, tally = winner_of(topic.votes)
    tx.emit(SymposiumResolved(at=at, topic=topic_id, winner=winner, tally=tally))
    for player_id, pledge in sorted(topic.pledges.items(), key=lambda kv: kv[0]):
        if player_id not in topic.votes and pledge.status is PledgeStatus.PENDING:
            settle_miss(tx, topic_id, player_id, pledge, at)
    total = sum(tally)
    if winner is not None and total >= CONSENSUS_MIN_VOTES and 3 * tally[winner - 1] >= 2 * total:
        for player_id, option in sorted(topic.votes.items(), key=lambda kv: kv[0]):
            if option == winner and player_id in tx.state.players:
                change_reputation(tx, player_id, 1, at, "symposium_consensus", ref=topic_id)


def _new_topic(tx: Tx, ctx: Context, at: Instant) -> Topic:
    number = next_id(tx.state, "topic")
    topic_id = TopicId(f"SYM-{number}")
    proposal = best_proposal(tx.state, at)
    if proposal is not None:
        return Topic(
            id=topic_id,
            title=proposal.topic,
            description=proposal.description,
            launched_at=at,
            number=number,
            proposer=proposal.player,
            proposal=proposal.id,
        )
    last = max(tx.state.topics.values(), key=lambda t: t.number, default=None)
    specs = [s for s in ctx.content.symposium_topics if last is None or s.title != last.title]
    if not specs:
        specs = list(ctx.content.symposium_topics)
    title, description = FALLBACK_TOPIC
    if specs:
        spec = ctx.rng.choice(specs)
        title, description = spec.title, spec.description
    return Topic(id=topic_id, title=title, description=description, launched_at=at, number=number)


def launch_symposium(tx: Tx, ctx: Context, at: Instant) -> None:
    """The weekly symposium: resolve the open topic, settle debts, open a new topic.

    Order: expire old proposals; resolve the open topic (missed pledges become deductions or
    debt); pay symposium debts from the faction balances; fire due reprisals (inactive players
    are spared); pick the topic; take each active player's pledge; schedule the reminders.
    """
    expire_proposals(tx, at)
    resolve_topic(tx, at)
    settle_debts(tx, at)
    inactive = [p.id for p in tx.state.players.values() if not is_active(p, at)]
    apply_reprisals(tx, at, sources=(DebtSource.SYMPOSIUM,), exempt=inactive)
    topic = _new_topic(tx, ctx, at)
    pledges = {
        p.id: Pledge(amount=pledge_amount(tx.state, p), faction=top_faction(p))
        for p in sorted(tx.state.players.values(), key=lambda p: p.id)
        if is_active(p, at)
    }
    tx.emit(SymposiumLaunched(at=at, topic=dataclasses.replace(topic, pledges=pledges)))
    for stage, delay in enumerate(REMINDER_DELAYS, start=1):
        schedule(
            tx,
            REMINDER_ORDER,
            at,
            due=Instant(at + delay),
            subject=topic.id,
            payload={"stage": stage},
        )


@handles(REMINDER_ORDER)
def _remind(tx: Tx, order: Order, ctx: Context) -> None:
    """Remind each pledged player who has not voted, while the topic is still open."""
    topic = tx.state.topics.get(TopicId(order.subject or ""))
    if topic is None or topic.status is not TopicStatus.VOTING:
        return
    at = order_time(order, ctx)
    for player_id, pledge in sorted(topic.pledges.items(), key=lambda kv: kv[0]):
        player = tx.state.players.get(player_id)
        if player is None or player_id in topic.votes:
            continue
        used, _ = grace_state(player, at)
        tx.emit(
            SymposiumReminderDue(
                at=at,
                topic=topic.id,
                player=player_id,
                stage=payload_int(order, "stage", 1),
                pledge=pledge.amount,
                grace_left=not used,
            )
        )
