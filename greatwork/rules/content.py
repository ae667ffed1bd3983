"""The shape of the game's content (names, traits, tables), as the rules consume it.

The YAML lives in ``greatwork/content/`` and is loaded and validated there; the rules only see
these frozen records, handed in through the :class:`~greatwork.rules.command.Context`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from greatwork.rules.constants import Confidence, Depth, ExpeditionType, Faction, Outcome
from greatwork.rules.state import Stats


@dataclass(frozen=True, slots=True)
class Namebank:
    """Given names and surnames of one region."""

    region: str
    given: tuple[str, ...]
    surnames: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Archetype:
    """A scholar archetype and the methods it leans towards."""

    name: str
    methods: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Legend:
    """A hand-written scholar (D12)."""

    id: str
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
    tier: str
    track: str
    employer: str
    term_years: int
    biography: str


@dataclass(frozen=True, slots=True)
class FailureEntry:
    """One weighted line of a failure table."""

    key: str
    weight: int
    text: str


class EffectKind(enum.StrEnum):
    """What a sideways discovery does."""

    FACTION_SHIFT = "faction_shift"  # +amount in one of `factions`, drawn
    REPUTATION = "reputation"  # +amount reputation (may be negative), clamped
    SPAWN_THEORY = "spawn_theory"  # a theory owned by the leader, text from `text`
    GRUDGE = "grudge"  # a random non-team scholar's feeling toward the leader, +amount
    CONFERENCE = "conference"  # a theory plus a conference about it, queued for next digest
    OPPORTUNITY = "opportunity"  # pays out `reward_*` when it comes due after `days`
    DOMAIN = "domain"  # opens a landmark domain tag named by `text`


@dataclass(frozen=True, slots=True)
class Effect:
    """One effect of a sideways entry; fields unused by its kind stay at their defaults."""

    kind: EffectKind
    amount: int = 0
    factions: tuple[Faction, ...] = ()
    text: str = ""
    confidence: Confidence = Confidence.SUSPECT
    days: int = 3
    reward_influence: int = 0
    reward_reputation: int = 0


@dataclass(frozen=True, slots=True)
class SidewaysEntry:
    """A sideways discovery: flavour text plus the effects it applies for real."""

    key: str
    text: str
    types: frozenset[ExpeditionType]
    depths: frozenset[Depth]
    outcomes: frozenset[Outcome]
    effects: tuple[Effect, ...]
    weight: int = 1


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A default symposium topic."""

    title: str
    description: str


@dataclass(frozen=True, slots=True)
class PressTemplate:
    """The wording of one press occasion (``press.yaml``): headline and body variants.

    Each text may use the ``{field}`` placeholders its occasion offers (``greatwork.press.
    occasions``). A body is one paragraph per line; a paragraph whose field has no value is
    left out.
    """

    occasion: str
    headlines: tuple[str, ...]
    bodies: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Content:
    """Everything the rules draw from besides the state."""

    legends: tuple[Legend, ...]
    namebanks: tuple[Namebank, ...]
    archetypes: tuple[Archetype, ...]
    disciplines: tuple[str, ...]
    methods: tuple[str, ...]
    drives: tuple[str, ...]
    virtues: tuple[str, ...]
    vices: tuple[str, ...]
    taboos: tuple[str, ...]
    catchphrases: tuple[str, ...]
    catchphrase_fills: Mapping[str, tuple[str, ...]]
    failure_tables: Mapping[ExpeditionType, Mapping[Depth, tuple[FailureEntry, ...]]]
    sideways: tuple[SidewaysEntry, ...]
    career_ladders: Mapping[str, tuple[str, ...]]
    symposium_topics: tuple[TopicSpec, ...]
    institutions: tuple[str, ...]
    # Titles from the design that are not rungs of a ladder (a legend's "Chair"), per track,
    # mapped to the rung they count as.
    career_titles: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # The Gazette's wording, by occasion (empty: the press desk prints nothing).
    press_templates: Mapping[str, PressTemplate] = field(default_factory=dict)
