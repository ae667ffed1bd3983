"""Symposium proposals (section 3.8): players suggest topics; the launch picks the best one.

Q-22: a proposal is validated before anything is recorded (the service runs moderation on
the text before it executes the command). Q-40: the reference's score favoured the newest
proposal; here waiting earns credit instead, so the queue is fair, and a tie goes to the
older proposal.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Final

from greatwork.rules.command import Command, Context, decides
from greatwork.rules.constants import DAY
from greatwork.rules.errors import Conflict
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant, PlayerId, ProposalId
from greatwork.rules.player import bump_counter, next_id
from greatwork.rules.state import CampaignState, Proposal, ProposalStatus
from greatwork.rules.text import clean_text

MAX_PROPOSAL_TOPIC: Final = 120
MAX_PROPOSAL_DESCRIPTION: Final = 500
MAX_BACKLOG: Final = 12
MAX_PENDING_PER_PLAYER: Final = 3
PROPOSAL_LIFETIME: Final = 28 * DAY
RECENT_TOPICS: Final = 4  # a proposer with none of these gets the fresh-voice bonus
FRESH_VOICE_BONUS: Final = 0.5
REPEAT_VOICE_PENALTY: Final = -0.75


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ProposalSubmitted(Event):
    """A player suggested a symposium topic."""

    proposal: Proposal


@dataclass(frozen=True, slots=True, kw_only=True)
class ProposalExpired(Event):
    """A proposal waited 28 days without being chosen."""

    proposal: ProposalId


@applies(ProposalSubmitted)
def _submitted(state: CampaignState, e: ProposalSubmitted) -> CampaignState:
    state = bump_counter(state, "proposal")
    return dataclasses.replace(state, proposals={**state.proposals, e.proposal.id: e.proposal})


@applies(ProposalExpired)
def _expired(state: CampaignState, e: ProposalExpired) -> CampaignState:
    proposal = dataclasses.replace(state.proposals[e.proposal], status=ProposalStatus.EXPIRED)
    return dataclasses.replace(state, proposals={**state.proposals, proposal.id: proposal})


# --- commands --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SymposiumPropose(Command):
    """``/symposium_propose topic description``: suggest a topic for a future symposium."""

    topic: str
    description: str


def pending_proposals(state: CampaignState) -> list[Proposal]:
    """Pending proposals, oldest first."""
    found = [p for p in state.proposals.values() if p.status is ProposalStatus.PENDING]
    return sorted(found, key=_age_key)


def _age_key(proposal: Proposal) -> tuple[int, int]:
    number = proposal.id.rpartition("-")[2]
    return proposal.created_at, int(number) if number.isdigit() else 0


@decides(SymposiumPropose)
def _propose(tx: Tx, cmd: SymposiumPropose, ctx: Context) -> None:
    del ctx
    topic = clean_text(cmd.topic, "topic", MAX_PROPOSAL_TOPIC)
    description = clean_text(cmd.description, "description", MAX_PROPOSAL_DESCRIPTION)
    waiting = pending_proposals(tx.state)
    if len(waiting) >= MAX_BACKLOG:
        raise Conflict(
            f"The symposium backlog is full ({MAX_BACKLOG} proposals wait); try after the "
            "next symposium.",
            limit=MAX_BACKLOG,
        )
    mine = sum(1 for p in waiting if p.player == cmd.actor)
    if mine >= MAX_PENDING_PER_PLAYER:
        raise Conflict(
            f"You already have {MAX_PENDING_PER_PLAYER} proposals waiting.",
            limit=MAX_PENDING_PER_PLAYER,
        )
    proposal = Proposal(
        id=ProposalId(f"PROP-{next_id(tx.state, 'proposal')}"),
        player=cmd.actor,
        topic=topic,
        description=description,
        created_at=cmd.at,
    )
    tx.emit(ProposalSubmitted(at=cmd.at, proposal=proposal))


# --- helpers the symposium uses --------------------------------------------------------------


def expire_proposals(tx: Tx, at: Instant) -> None:
    """Digest step 1a: expire proposals 28 days old or older."""
    for proposal in pending_proposals(tx.state):
        if at - proposal.created_at >= PROPOSAL_LIFETIME:
            tx.emit(ProposalExpired(at=at, proposal=proposal.id))


def recent_proposers(state: CampaignState, count: int = RECENT_TOPICS) -> frozenset[PlayerId]:
    """The players who proposed one of the last ``count`` topics."""
    topics = sorted(state.topics.values(), key=lambda t: t.number)[-count:]
    return frozenset(t.proposer for t in topics if t.proposer is not None)


def proposal_score(proposal: Proposal, at: Instant, recent: frozenset[PlayerId]) -> float:
    """``min(1, age_days / 28)`` plus 0.5 for a fresh voice, or -0.75 for a recent one.

    The reference scored ``max(0, (28 - age_days) / 28)``, which let the newest proposal win
    (Q-40); waiting now earns credit, so the backlog is served oldest first within each class.
    """
    age_days = max(0, at - proposal.created_at) / DAY
    waited = min(1.0, age_days / 28)
    voice = REPEAT_VOICE_PENALTY if proposal.player in recent else FRESH_VOICE_BONUS
    return waited + voice


def best_proposal(state: CampaignState, at: Instant) -> Proposal | None:
    """The highest-scoring pending proposal; a tie goes to the older one."""
    recent = recent_proposers(state)
    best: Proposal | None = None
    best_score = 0.0
    for proposal in pending_proposals(state):  # oldest first: only a higher score displaces
        if at - proposal.created_at >= PROPOSAL_LIFETIME:
            continue
        score = proposal_score(proposal, at, recent)
        if best is None or score > best_score:
            best, best_score = proposal, score
    return best
