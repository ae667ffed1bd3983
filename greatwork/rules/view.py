"""Read-only views a player asks for: status, wagers, scholars, theories, symposium, offers.

They change nothing. Views about one player refuse a player who has not joined;
:func:`with_new_player` previews a newcomer's numbers instead.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from greatwork.rules.commitment import commitment_cost
from greatwork.rules.conference import pending_conference
from greatwork.rules.constants import (
    DAY,
    EXPEDITION_GATES,
    FACTIONS,
    RECRUIT_GATE,
    REPUTATION_MAX,
    REPUTATION_MIN,
    WAGERS,
    Confidence,
    Faction,
)
from greatwork.rules.debt import total_owed
from greatwork.rules.ids import (
    ConferenceCode,
    ExpeditionCode,
    Instant,
    PlayerId,
    ScholarId,
    TheoryId,
)
from greatwork.rules.memory import feeling, get_scholar, player_key
from greatwork.rules.mentorship import current_mentorship
from greatwork.rules.negotiation import LIVE, chain_deadline, odds
from greatwork.rules.player import get_player, influence_cap
from greatwork.rules.pledge import GRACE_WINDOW, grace_state, pledge_amount
from greatwork.rules.proposal import (
    PROPOSAL_LIFETIME,
    pending_proposals,
    proposal_score,
    recent_proposers,
)
from greatwork.rules.relationship import rel
from greatwork.rules.state import (
    CampaignState,
    ChainStatus,
    Commitment,
    DebtSource,
    ExpeditionStatus,
    Fact,
    Mentorship,
    Offer,
    Player,
    Pledge,
    Project,
    Proposal,
    RecordStatus,
    Scholar,
    TheoryStatus,
    Topic,
)

RELATIONSHIPS_SHOWN: Final = 5
FACTS_SHOWN: Final = 5
FEELINGS_SHOWN: Final = 5


def with_new_player(
    state: CampaignState, player: PlayerId, display_name: str, at: Instant
) -> CampaignState:
    """The state as it would be if ``player`` joined now, for previews (never journaled).

    A player who has not acted yet can still ask for their status or odds; they see a new
    player's numbers. The state is returned unchanged if the player exists.
    """
    if player in state.players:
        return state
    name = display_name.strip()[:64] or str(player)
    record = Player(id=player, display_name=name, joined_at=at, last_active_at=at)
    return dataclasses.replace(state, players={**state.players, player: record})


# --- status ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContractLine:
    """A scholar the player employs, and how they feel about it."""

    scholar: ScholarId
    name: str
    faction: Faction | None  # the contract's banner
    feeling: float  # toward the player
    loyalty: int


@dataclass(frozen=True, slots=True)
class RelationshipLine:
    """A scholar with a strong feeling about the player, and what it does to recruit odds."""

    scholar: ScholarId
    name: str
    feeling: float
    bonus: float  # rel(): added to the player's recruitment chance
    scarred: bool  # the feeling is a scar and never fades


@dataclass(frozen=True, slots=True)
class CommitmentLine:
    """A seasonal commitment and what its next charge would be."""

    commitment: Commitment
    next_cost: int
    relfac: float


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
    contracts: tuple[ContractLine, ...] = ()
    relationships: tuple[RelationshipLine, ...] = ()
    commitments: tuple[CommitmentLine, ...] = ()
    invested: Mapping[Faction, int] = dataclasses.field(default_factory=dict)
    endowed: Mapping[Faction, int] = dataclasses.field(default_factory=dict)


def status(state: CampaignState, player_id: PlayerId) -> Status:
    """The player's standing, balances, cooldowns, gates, holdings and relationships.

    Raises:
        NotFound: the player has not joined (see :func:`with_new_player` for a preview).
    """
    player = get_player(state, player_id)
    rep = player.reputation
    gates = {"recruit": rep >= RECRUIT_GATE}
    gates.update({f"expedition:{t}": rep >= gate for t, gate in EXPEDITION_GATES.items()})
    mine = [s for s in state.scholars.values() if s.contract.player == player_id]
    key = player_key(player_id)
    return Status(
        player=player.id,
        display_name=player.display_name,
        reputation=rep,
        cap=influence_cap(rep),
        influence={f: player.influence.get(f, 0) for f in FACTIONS},
        cooldowns=dict(player.cooldowns),
        gates=gates,
        scholars=tuple(s.id for s in mine),
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
        contracts=tuple(
            ContractLine(s.id, s.name, s.contract.faction, feeling(s, key), s.stats.loyalty)
            for s in mine
        ),
        relationships=relationships(state, player_id),
        commitments=tuple(
            line
            for line in commitments_view(state, player_id)
            if line.commitment.status is RecordStatus.ACTIVE
        ),
        invested=_contributed(state, player_id, "investment"),
        endowed=_contributed(state, player_id, "endowment"),
    )


def _contributed(state: CampaignState, player: PlayerId, kind: str) -> dict[Faction, int]:
    totals: dict[Faction, int] = {}
    for c in state.contributions:
        if c.player == player and c.kind == kind:
            totals[c.faction] = totals.get(c.faction, 0) + c.amount
    return {f: totals[f] for f in FACTIONS if f in totals}


def relationships(
    state: CampaignState, player: PlayerId, limit: int = RELATIONSHIPS_SHOWN
) -> tuple[RelationshipLine, ...]:
    """The scholars who feel most strongly about the player (either way), strongest first."""
    key = player_key(player)
    felt = [s for s in state.scholars.values() if feeling(s, key)]
    felt.sort(key=lambda s: (-abs(feeling(s, key)), s.id))
    return tuple(
        RelationshipLine(
            scholar=s.id,
            name=s.name,
            feeling=feeling(s, key),
            bonus=rel(state, s.id, player),
            scarred=any(subject == key for _, subject in s.memory.scars),
        )
        for s in felt[:limit]
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


# --- scholars --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScholarProfile:
    """One scholar as a player sees them (/scholar), from that player's point of view.

    Attributes:
        scholar: the record: traits, stats, politics, career, contract, memory, nicknames.
        mentorship: the pending or active mentorship, if any.
        recent_facts: the last few remembered facts, newest first.
        strongest: the strongest feelings, ``(key, value)``, strongest first.
        feeling: how the scholar feels about the viewer.
        scarred: whether that feeling is a scar that never fades.
        relationship: the viewer's recruitment bonus with this scholar.
    """

    scholar: Scholar
    mentorship: Mentorship | None
    recent_facts: tuple[Fact, ...]
    strongest: tuple[tuple[str, float], ...]
    feeling: float
    scarred: bool
    relationship: float


def scholar_profile(state: CampaignState, scholar: ScholarId, viewer: PlayerId) -> ScholarProfile:
    """The scholar's profile, with their feeling toward ``viewer``.

    Raises:
        NotFound: the scholar is not on the roster.
    """
    record = get_scholar(state, scholar)
    key = player_key(viewer)
    feelings = sorted(record.memory.feelings.items(), key=lambda kv: (-abs(kv[1]), kv[0]))
    return ScholarProfile(
        scholar=record,
        mentorship=current_mentorship(state, scholar),
        recent_facts=tuple(reversed(record.memory.facts[-FACTS_SHOWN:])),
        strongest=tuple(feelings[:FEELINGS_SHOWN]),
        feeling=feeling(record, key),
        scarred=any(subject == key for _, subject in record.memory.scars),
        relationship=rel(state, scholar, viewer),
    )


def roster(state: CampaignState) -> tuple[Scholar, ...]:
    """Every scholar on the roster, by name (leading quotes ignored), then id."""
    return tuple(sorted(state.scholars.values(), key=lambda s: (s.name.strip("\"'").lower(), s.id)))


# --- theories --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TheoryLine:
    """A theory for /theory_reference: its standing and, while open, the days it has left."""

    id: TheoryId
    player: PlayerId
    text: str
    confidence: Confidence
    status: TheoryStatus
    created_at: Instant
    deadline: Instant
    days_left: int | None  # whole days (rounded up) for an open theory, else None
    conference: ConferenceCode | None  # a pending conference about it


def theory_reference(state: CampaignState, at: Instant, limit: int) -> tuple[TheoryLine, ...]:
    """The ``limit`` most recent theories, newest first."""
    theories = sorted(
        state.theories.values(), key=lambda t: (t.created_at, _number(t.id)), reverse=True
    )
    lines = []
    for t in theories[: max(0, limit)]:
        open_ = t.status is TheoryStatus.OPEN
        pending = pending_conference(state, t.id) if open_ else None
        lines.append(
            TheoryLine(
                id=t.id,
                player=t.player,
                text=t.text,
                confidence=t.confidence,
                status=t.status,
                created_at=t.created_at,
                deadline=t.deadline,
                days_left=max(0, math.ceil((t.deadline - at) / DAY)) if open_ else None,
                conference=pending.code if pending is not None else None,
            )
        )
    return tuple(lines)


def _number(record_id: str) -> int:
    tail = record_id.rpartition("-")[2]
    return int(tail) if tail.isdigit() else 0


# --- the symposium ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SymposiumStanding:
    """A player's place in the symposium (/symposium_status).

    Attributes:
        topic: the topic open for votes, if any.
        vote: the player's vote on it, if any.
        pledge: the player's pledge on it (none if they were inactive at the launch).
        miss_streak: symposia missed in a row.
        grace_used: whether this window's free miss is spent.
        grace_resets_at: when the window ends and the free miss returns (if it is spent).
        debts: symposium debt by faction.
        next_pledge: what the next launch would stake as things stand.
    """

    topic: Topic | None
    vote: int | None
    pledge: Pledge | None
    miss_streak: int
    grace_used: bool
    grace_resets_at: Instant | None
    debts: Mapping[Faction, int]
    next_pledge: int


def symposium_standing(state: CampaignState, player_id: PlayerId, at: Instant) -> SymposiumStanding:
    """The open topic, the player's vote and pledge, streak, grace and symposium debts.

    Raises:
        NotFound: the player has not joined (see :func:`with_new_player`).
    """
    player = get_player(state, player_id)
    topic = state.topics.get(state.open_topic) if state.open_topic else None
    used, start = grace_state(player, at)
    debts = {
        d.faction: d.amount
        for d in state.debts.values()
        if d.player == player_id and d.source is DebtSource.SYMPOSIUM and d.amount > 0
    }
    return SymposiumStanding(
        topic=topic,
        vote=topic.votes.get(player_id) if topic is not None else None,
        pledge=topic.pledges.get(player_id) if topic is not None else None,
        miss_streak=player.miss_streak,
        grace_used=used,
        grace_resets_at=Instant(start + GRACE_WINDOW) if used and start is not None else None,
        debts={f: debts[f] for f in FACTIONS if f in debts},
        next_pledge=pledge_amount(state, player),
    )


@dataclass(frozen=True, slots=True)
class BacklogLine:
    """A pending proposal and how the next launch would score it."""

    proposal: Proposal
    score: float
    age_days: float
    expires_at: Instant


@dataclass(frozen=True, slots=True)
class DebtLine:
    """A player's symposium debt in one faction."""

    player: PlayerId
    faction: Faction
    amount: int
    reprisal_level: int


def symposium_backlog(
    state: CampaignState, at: Instant
) -> tuple[tuple[BacklogLine, ...], tuple[DebtLine, ...]]:
    """Pending proposals in the order the next launch would pick them, and symposium debts.

    The first proposal is the one the next launch chooses (highest score, older on a tie).
    Debts are listed largest first.
    """
    recent = recent_proposers(state)
    lines = [
        BacklogLine(
            proposal=p,
            score=round(proposal_score(p, at, recent), 4),
            age_days=round(max(0, at - p.created_at) / DAY, 2),
            expires_at=Instant(p.created_at + PROPOSAL_LIFETIME),
        )
        for p in pending_proposals(state)  # oldest first; the sort below is stable
    ]
    lines.sort(key=lambda line: -line.score)
    debts = [
        DebtLine(d.player, d.faction, d.amount, d.reprisal_level)
        for d in state.debts.values()
        if d.source is DebtSource.SYMPOSIUM and d.amount > 0
    ]
    debts.sort(key=lambda d: (-d.amount, d.player, FACTIONS.index(d.faction)))
    return tuple(lines), tuple(debts)


def symposium_debt(state: CampaignState, player: PlayerId) -> int:
    """A player's total symposium debt."""
    return total_owed(state, player, DebtSource.SYMPOSIUM)


# --- offers ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OfferLine:
    """A live offer the player made or must answer, with its odds as of now."""

    offer: Offer
    role: str  # the player's side of the chain: rival (wants the scholar) | patron (employs them)
    probability: float
    resolves_at: Instant  # the chain's deadline: when the scholar decides


def offers_view(state: CampaignState, player: PlayerId, at: Instant) -> tuple[OfferLine, ...]:
    """The player's pending or countered offers in open chains, oldest first."""
    lines = []
    live = [
        o
        for o in state.offers.values()
        if player in {o.rival, o.patron}
        and o.status in LIVE
        and state.negotiations[o.chain].status is ChainStatus.OPEN
        and o.scholar in state.scholars
    ]
    for offer in sorted(live, key=lambda o: (o.created_at, _number(o.id))):
        chain = state.negotiations[offer.chain]
        lines.append(
            OfferLine(
                offer=offer,
                role="rival" if offer.rival == player else "patron",
                probability=odds(state, offer, at).probability,
                resolves_at=chain_deadline(state, chain),
            )
        )
    return tuple(lines)


# --- commitments and projects ----------------------------------------------------------------


def commitments_view(state: CampaignState, player: PlayerId) -> tuple[CommitmentLine, ...]:
    """The player's seasonal commitments, active ones first, then by id."""
    mine = [c for c in state.commitments.values() if c.player == player]
    mine.sort(key=lambda c: (c.status is not RecordStatus.ACTIVE, _number(c.id)))
    lines = []
    for c in mine:
        cost, factor = commitment_cost(state, c)
        lines.append(CommitmentLine(commitment=c, next_cost=cost, relfac=round(factor, 4)))
    return tuple(lines)


def projects_view(state: CampaignState) -> tuple[Project, ...]:
    """Every faction project, active ones first, then by id."""
    return tuple(
        sorted(
            state.projects.values(),
            key=lambda p: (p.status is not RecordStatus.ACTIVE, _number(p.id)),
        )
    )
