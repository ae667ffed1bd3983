"""The campaign's state: frozen dataclasses, changed only by ``apply(state, event)``.

Collections are typed as ``Mapping`` and tuples so that mypy refuses in-place mutation; an
applier builds a new mapping (copy on write) and a new record with ``dataclasses.replace``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from greatwork.rules.constants import (
    FACTIONS,
    START_YEAR,
    STARTING_INFLUENCE,
    Confidence,
    Depth,
    ExpeditionType,
    Faction,
    Outcome,
)
from greatwork.rules.ids import (
    CampaignId,
    CommitmentId,
    ConferenceCode,
    ExpeditionCode,
    Instant,
    MentorshipId,
    OfferId,
    OrderId,
    PlayerId,
    ProjectId,
    ProposalId,
    ScholarId,
    TheoryId,
    TopicId,
)

EMPTY: Final[Mapping[str, int]] = MappingProxyType({})


def starting_influence() -> Mapping[Faction, int]:
    """D6: a new player holds 2 influence in each faction."""
    return dict.fromkeys(FACTIONS, STARTING_INFLUENCE)


# --- players -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Player:
    """A research leader (D1: keyed by Discord user id, or a chosen name at the local table)."""

    id: PlayerId
    display_name: str
    joined_at: Instant
    reputation: int = 0
    influence: Mapping[Faction, int] = field(default_factory=starting_influence)
    cooldowns: Mapping[str, int] = field(default_factory=dict)
    last_active_at: Instant = Instant(0)
    # Symposium participation (section 3.8).
    miss_streak: int = 0
    grace_used: bool = False
    grace_window_start: Instant | None = None


# --- scholars ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stats:
    """A scholar's six stats, each 0 to 10."""

    talent: int
    reliability: int
    integrity: int
    theatrics: int
    loyalty: int
    risk: int


class EmployerKind(enum.StrEnum):
    """What kind of thing employs a scholar."""

    PLAYER = "player"
    INSTITUTION = "institution"
    FACTION = "faction"
    INDEPENDENT = "independent"


INDEPENDENT: Final = "Independent"


@dataclass(frozen=True, slots=True)
class Contract:
    """Who employs a scholar and under which faction's banner."""

    employer: str
    kind: EmployerKind
    term_years: int
    faction: Faction | None = None
    since: Instant = Instant(0)

    @property
    def player(self) -> PlayerId | None:
        """The employing player, if a player employs the scholar."""
        return PlayerId(self.employer) if self.kind is EmployerKind.PLAYER else None


@dataclass(frozen=True, slots=True)
class Career:
    """A rung on a career ladder and the mentored digests spent on it."""

    tier: str
    track: str
    ticks: int = 0


@dataclass(frozen=True, slots=True)
class Fact:
    """One remembered event; facts are append-only."""

    at: Instant
    kind: str
    subject: str
    details: str = ""


@dataclass(frozen=True, slots=True)
class Memory:
    """Facts, feelings and scars (D11).

    Feeling keys name what is felt about: see ``rules.memory`` for the key helpers
    (``p:<player>``, ``f:<faction>``, ``i:<institution>``). Scars are (kind, subject) pairs.
    """

    facts: tuple[Fact, ...] = ()
    feelings: Mapping[str, float] = field(default_factory=dict)
    scars: frozenset[tuple[str, str]] = frozenset()


class SidecastKind(enum.StrEnum):
    """The four kinds of sidecast scholar (D13)."""

    LOCAL_JUNIOR = "local_junior"
    ARCHIVE_GHOST = "archive_ghost"
    INDUSTRY_WHISPERER = "industry_whisperer"
    ECCLESIASTICAL_ADEPT = "ecclesiastical_adept"


@dataclass(frozen=True, slots=True)
class Sidecast:
    """How a sidecast scholar joined, and their arc with the sponsor."""

    kind: SidecastKind
    sponsor: PlayerId
    spawned_at: Instant
    phase: int = 0
    unattended_digests: int = 0
    normalised: bool = False


@dataclass(frozen=True, slots=True)
class MentorshipEntry:
    """One line of a scholar's mentorship history."""

    player: PlayerId
    event: str  # queued | activated | promoted | completed | cancelled
    at: Instant


@dataclass(frozen=True, slots=True)
class Nickname:
    """A nickname a player gave a scholar."""

    player: PlayerId
    nickname: str
    at: Instant


@dataclass(frozen=True, slots=True)
class Scholar:
    """A named scholar: traits, stats, politics, career, contract and memory."""

    id: ScholarId
    name: str
    seed: int
    archetype: str
    region: str
    disciplines: tuple[str, ...]
    methods: tuple[str, ...]
    drives: tuple[str, ...]
    virtues: tuple[str, ...]
    vices: tuple[str, ...]
    taboos: tuple[str, ...]
    stats: Stats
    politics: Mapping[Faction, int]
    catchphrase: str
    career: Career
    contract: Contract
    memory: Memory = field(default_factory=Memory)
    legend: bool = False
    joined_at: Instant = Instant(0)
    sidecast: Sidecast | None = None
    mentorship_history: tuple[MentorshipEntry, ...] = ()
    nicknames: tuple[Nickname, ...] = ()
    resolve: int = 0  # grows after refusing an offer: harder to poach (section 3.10)

    @property
    def primary_faction(self) -> Faction:
        """The highest politics key; ties go to canonical order."""
        return max(FACTIONS, key=lambda f: (self.politics.get(f, 0), -FACTIONS.index(f)))


# --- theories, expeditions, conferences ------------------------------------------------------


class TheoryStatus(enum.StrEnum):
    """Where a theory stands (D2)."""

    OPEN = "open"
    VINDICATED = "vindicated"
    REFUTED = "refuted"
    LAPSED = "lapsed"


@dataclass(frozen=True, slots=True)
class Theory:
    """A public claim with a wager on it, judged by an expedition or a conference (D2)."""

    id: TheoryId
    player: PlayerId
    text: str
    confidence: Confidence
    created_at: Instant
    deadline: Instant
    supporters: tuple[ScholarId, ...] = ()
    origin: str = "player"  # player | sideways | conference
    status: TheoryStatus = TheoryStatus.OPEN
    settled_by: str | None = None
    settled_at: Instant | None = None
    reputation_delta: int = 0


class ExpeditionStatus(enum.StrEnum):
    """Life of an expedition."""

    PENDING = "pending"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class ExpeditionResult:
    """What the digest rolled and what followed."""

    roll: int
    final: int
    outcome: Outcome
    reputation_delta: int
    resolved_at: Instant
    digest: int
    failure: str | None = None  # the failure-table entry key, on failure
    sideways: str | None = None  # the sideways entry key, if one applied


@dataclass(frozen=True, slots=True)
class Expedition:
    """A queued or resolved expedition, with its computed modifiers (D4)."""

    code: ExpeditionCode
    player: PlayerId
    type: ExpeditionType
    objective: str
    confidence: Confidence
    launched_at: Instant
    team: tuple[ScholarId, ...] = ()
    funding: tuple[Faction, ...] = ()
    paid: Mapping[Faction, int] = field(default_factory=dict)
    theory: TheoryId | None = None
    prep: int = 0
    expertise: int = 0
    friction: int = 0
    depth: Depth = Depth.SHALLOW
    status: ExpeditionStatus = ExpeditionStatus.PENDING
    result: ExpeditionResult | None = None

    @property
    def modifier(self) -> int:
        """The sum of the computed modifiers."""
        return self.prep + self.expertise + self.friction


class ConferenceStatus(enum.StrEnum):
    """Life of a conference."""

    PENDING = "pending"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Conference:
    """A public debate about an open theory (D3)."""

    code: ConferenceCode
    player: PlayerId
    theory: TheoryId
    confidence: Confidence
    launched_at: Instant
    supporters: tuple[ScholarId, ...] = ()
    opposition: tuple[ScholarId, ...] = ()
    launched_digest: int = 0
    status: ConferenceStatus = ConferenceStatus.PENDING
    roll: int | None = None
    final: int | None = None
    outcome: Outcome | None = None
    reputation_delta: int = 0
    resolved_at: Instant | None = None
    origin: str = "player"  # player (a /conference launch, D3 limits) | sideways (free)


# --- mentorship ------------------------------------------------------------------------------


class MentorshipStatus(enum.StrEnum):
    """Life of a mentorship."""

    PENDING = "pending"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Mentorship:
    """A player mentoring a scholar up a career ladder."""

    id: MentorshipId
    player: PlayerId
    scholar: ScholarId
    created_at: Instant
    track: str | None = None
    status: MentorshipStatus = MentorshipStatus.PENDING
    activated_at: Instant | None = None
    ended_at: Instant | None = None


# --- offers ----------------------------------------------------------------------------------


class OfferKind(enum.StrEnum):
    """An opening offer or the patron's counter."""

    INITIAL = "initial"
    COUNTER = "counter"


class OfferStatus(enum.StrEnum):
    """Life of an offer."""

    PENDING = "pending"
    COUNTERED = "countered"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Terms:
    """Sweeteners attached to an offer."""

    guaranteed_funding: bool = False
    exclusive_research: bool = False
    leadership_role: bool = False


@dataclass(frozen=True, slots=True)
class Offer:
    """One offer in a negotiation chain; its influence is held in escrow."""

    id: OfferId
    chain: OfferId  # the id of the chain's opening offer
    scholar: ScholarId
    kind: OfferKind
    rival: PlayerId  # who wants the scholar
    patron: PlayerId  # who employs the scholar now
    faction: Faction  # the banner the scholar would serve under
    influence: Mapping[Faction, int]
    terms: Terms
    created_at: Instant
    deadline: Instant
    status: OfferStatus = OfferStatus.PENDING
    resolved_at: Instant | None = None


class ChainStatus(enum.StrEnum):
    """Life of a negotiation chain."""

    OPEN = "open"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class Negotiation:
    """An offer chain about one scholar; resolves once (D8)."""

    id: OfferId
    scholar: ScholarId
    rival: PlayerId
    patron: PlayerId
    opened_at: Instant
    offers: tuple[OfferId, ...]
    status: ChainStatus = ChainStatus.OPEN
    winner: OfferId | None = None
    probability: float | None = None
    roll: float | None = None
    resolved_at: Instant | None = None


# --- orders (scheduled work, followups) ------------------------------------------------------


class OrderStatus(enum.StrEnum):
    """Life of an order."""

    PENDING = "pending"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


Scalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Order:
    """Scheduled work the digest carries out: activations, followups, deadlines."""

    id: OrderId
    type: str
    created_at: Instant
    actor: str | None = None
    subject: str | None = None
    payload: Mapping[str, Scalar] = field(default_factory=dict)
    scheduled_at: Instant | None = None
    status: OrderStatus = OrderStatus.PENDING
    ended_at: Instant | None = None
    reason: str | None = None


# --- symposium, debts ------------------------------------------------------------------------


class PledgeStatus(enum.StrEnum):
    """What became of a symposium pledge."""

    PENDING = "pending"
    FULFILLED = "fulfilled"
    WAIVED = "waived"
    DEBT = "debt"
    FORFEITED = "forfeited"


@dataclass(frozen=True, slots=True)
class Pledge:
    """A player's stake in one symposium topic."""

    amount: int
    faction: Faction | None
    status: PledgeStatus = PledgeStatus.PENDING


class TopicStatus(enum.StrEnum):
    """Life of a symposium topic."""

    VOTING = "voting"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class Topic:
    """One week's symposium question."""

    id: TopicId
    title: str
    description: str
    launched_at: Instant
    number: int
    proposer: PlayerId | None = None
    proposal: ProposalId | None = None
    status: TopicStatus = TopicStatus.VOTING
    votes: Mapping[PlayerId, int] = field(default_factory=dict)
    pledges: Mapping[PlayerId, Pledge] = field(default_factory=dict)
    winner: int | None = None
    resolved_at: Instant | None = None


class ProposalStatus(enum.StrEnum):
    """Life of a symposium proposal."""

    PENDING = "pending"
    SELECTED = "selected"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Proposal:
    """A player's suggested symposium topic."""

    id: ProposalId
    player: PlayerId
    topic: str
    description: str
    created_at: Instant
    status: ProposalStatus = ProposalStatus.PENDING


class DebtSource(enum.StrEnum):
    """Where a debt came from (section 3.9)."""

    SYMPOSIUM = "symposium"
    CONTRACT = "contract"
    SEASONAL = "seasonal"


@dataclass(frozen=True, slots=True)
class Debt:
    """Influence a player owes, keyed by (player, faction, source)."""

    player: PlayerId
    faction: Faction
    source: DebtSource
    amount: int = 0
    reprisal_level: int = 0
    last_reprisal_at: Instant | None = None


def debt_key(player: PlayerId, faction: Faction, source: DebtSource) -> str:
    """The key of a debt in ``CampaignState.debts``."""
    return f"{player}|{faction}|{source}"


# --- economy sinks ---------------------------------------------------------------------------


class RecordStatus(enum.StrEnum):
    """Life of a commitment or a project."""

    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Commitment:
    """A seasonal commitment to a faction (section 3.11)."""

    id: CommitmentId
    player: PlayerId
    faction: Faction
    tier: str
    base_cost: int
    starts_at: Instant
    ends_at: Instant
    last_charged_at: Instant | None = None
    status: RecordStatus = RecordStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class Project:
    """A faction project that players' standing pushes towards its target."""

    id: ProjectId
    name: str
    faction: Faction
    target: float
    created_at: Instant
    progress: float = 0.0
    contributors: frozenset[PlayerId] = frozenset()
    status: RecordStatus = RecordStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class Contribution:
    """An investment in a faction or an archive endowment, kept for /status and the archive."""

    player: PlayerId
    kind: str  # investment | endowment
    faction: Faction
    amount: int
    at: Instant
    program: str = ""


@dataclass(frozen=True, slots=True)
class Landmark:
    """A domain tag a landmark expedition opened."""

    tag: str
    player: PlayerId
    expedition: ExpeditionCode
    at: Instant


@dataclass(frozen=True, slots=True)
class Pause:
    """Why and since when the game is paused."""

    reason: str
    source: str  # admin | llm
    since: Instant


# --- moderation ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModerationOverride:
    """An admin's ruling that one exact text passes moderation (see ``rules.moderation``).

    ``surface``, ``stage`` and ``category`` narrow where it applies; ``None`` means anywhere.
    """

    id: str
    text_hash: str  # SHA-256 hex of the stripped text
    created_at: Instant
    created_by: str
    surface: str | None = None
    stage: str | None = None
    category: str | None = None
    notes: str = ""
    expires_at: Instant | None = None


@dataclass(frozen=True, slots=True)
class ModerationRecord:
    """One entry of the recent moderation log: a text checked, and whether it was blocked."""

    at: Instant
    surface: str
    text_hash: str
    snippet: str
    blocked: bool
    category: str | None = None
    stage: str = ""
    override: str | None = None  # the override that let a flagged text through


# --- the campaign ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CampaignState:
    """Everything one campaign (one Discord guild) knows.

    ``seq`` counts the events applied; the command RNG is derived from (seed, seq), so the
    randomness survives restarts without storing a generator.
    """

    id: CampaignId
    seed: int
    created_at: Instant
    seq: int = 0
    year: int = START_YEAR
    anchor_day: int = 0  # days since the epoch (UTC) of the last year turn
    last_digest: int = 0
    last_digest_at: Instant | None = None
    pause: Pause | None = None
    counters: Mapping[str, int] = field(default_factory=dict)
    players: Mapping[PlayerId, Player] = field(default_factory=dict)
    scholars: Mapping[ScholarId, Scholar] = field(default_factory=dict)
    retired: Mapping[ScholarId, Scholar] = field(default_factory=dict)
    theories: Mapping[TheoryId, Theory] = field(default_factory=dict)
    expeditions: Mapping[ExpeditionCode, Expedition] = field(default_factory=dict)
    conferences: Mapping[ConferenceCode, Conference] = field(default_factory=dict)
    mentorships: Mapping[MentorshipId, Mentorship] = field(default_factory=dict)
    offers: Mapping[OfferId, Offer] = field(default_factory=dict)
    negotiations: Mapping[OfferId, Negotiation] = field(default_factory=dict)
    orders: Mapping[OrderId, Order] = field(default_factory=dict)
    topics: Mapping[TopicId, Topic] = field(default_factory=dict)
    open_topic: TopicId | None = None
    proposals: Mapping[ProposalId, Proposal] = field(default_factory=dict)
    debts: Mapping[str, Debt] = field(default_factory=dict)
    commitments: Mapping[CommitmentId, Commitment] = field(default_factory=dict)
    projects: Mapping[ProjectId, Project] = field(default_factory=dict)
    contributions: tuple[Contribution, ...] = ()
    landmarks: tuple[Landmark, ...] = ()
    llm_failing_since: Instant | None = None
    moderation_overrides: Mapping[str, ModerationOverride] = field(default_factory=dict)
    moderation_log: tuple[ModerationRecord, ...] = ()  # the newest last, at most 50

    @property
    def paused(self) -> bool:
        """Whether player actions are refused and digests wait."""
        return self.pause is not None

    @property
    def domains(self) -> frozenset[str]:
        """The landmark domain tags opened so far."""
        return frozenset(landmark.tag for landmark in self.landmarks)
