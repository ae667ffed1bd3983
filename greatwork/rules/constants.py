"""The game's fixed vocabulary and numbers (GAME_RULES.md sections 0 to 3)."""

from __future__ import annotations

import enum
from types import MappingProxyType
from typing import Final

DAY: Final = 86_400
HOUR: Final = 3_600
MINUTE: Final = 60


class Faction(enum.StrEnum):
    """The five factions, in canonical order."""

    ACADEMIA = "academia"
    GOVERNMENT = "government"
    INDUSTRY = "industry"
    RELIGION = "religion"
    FOREIGN = "foreign"


FACTIONS: Final = tuple(Faction)

FACTION_NAMES: Final = MappingProxyType(
    {
        Faction.ACADEMIA: "Academic Institutions",
        Faction.GOVERNMENT: "Government",
        Faction.INDUSTRY: "Industry",
        Faction.RELIGION: "Religious Orders",
        Faction.FOREIGN: "Foreign Powers",
    }
)

# Labels the reference uses for factions in sideways text and /poach: they map onto the
# five keys here and nowhere else, so no phantom key can ever enter a balance.
FACTION_ALIASES: Final = MappingProxyType(
    {
        "academia": Faction.ACADEMIA,
        "academic": Faction.ACADEMIA,
        "government": Faction.GOVERNMENT,
        "industry": Faction.INDUSTRY,
        "religion": Faction.RELIGION,
        "religious": Faction.RELIGION,
        "foreign": Faction.FOREIGN,
    }
)


class Confidence(enum.StrEnum):
    """How much reputation a claim wagers."""

    SUSPECT = "suspect"
    CERTAIN = "certain"
    STAKE_MY_CAREER = "stake_my_career"


# confidence -> (reward, penalty)
WAGERS: Final = MappingProxyType(
    {
        Confidence.SUSPECT: (2, -1),
        Confidence.CERTAIN: (5, -7),
        Confidence.STAKE_MY_CAREER: (15, -25),
    }
)


class ExpeditionType(enum.StrEnum):
    """The three kinds of expedition."""

    THINK_TANK = "think_tank"
    FIELD = "field"
    GREAT_PROJECT = "great_project"


class Depth(enum.StrEnum):
    """An expedition's earned depth (D4); it picks the failure table."""

    SHALLOW = "shallow"
    STANDARD = "standard"
    DEEP = "deep"


class Outcome(enum.StrEnum):
    """The band a final score falls in."""

    FAILURE = "failure"
    PARTIAL = "partial"
    SUCCESS = "success"
    LANDMARK = "landmark"


REPUTATION_MIN: Final = -50
REPUTATION_MAX: Final = 50
STARTING_INFLUENCE: Final = 2  # D6: in each of the five factions

# Minimum reputation for each gated action.
RECRUIT_GATE: Final = -10
EXPEDITION_GATES: Final = MappingProxyType(
    {
        ExpeditionType.THINK_TANK: -5,
        ExpeditionType.FIELD: 0,
        ExpeditionType.GREAT_PROJECT: 10,
    }
)

# D5: the total influence an expedition costs, and where it comes from without a funding list.
EXPEDITION_COSTS: Final = MappingProxyType(
    {
        ExpeditionType.THINK_TANK: 1,
        ExpeditionType.FIELD: 2,
        ExpeditionType.GREAT_PROJECT: 6,
    }
)
DEFAULT_FUNDING: Final = MappingProxyType(
    {
        ExpeditionType.THINK_TANK: (Faction.ACADEMIA,),
        ExpeditionType.FIELD: (Faction.ACADEMIA, Faction.GOVERNMENT),
        ExpeditionType.GREAT_PROJECT: (Faction.ACADEMIA, Faction.GOVERNMENT, Faction.INDUSTRY),
    }
)
MAX_FUNDERS: Final = 3

# Influence paid back on any non-failure (section 3.2).
EXPEDITION_REWARDS: Final = MappingProxyType(
    {
        ExpeditionType.THINK_TANK: MappingProxyType({Faction.ACADEMIA: 1}),
        ExpeditionType.FIELD: MappingProxyType({Faction.GOVERNMENT: 1, Faction.INDUSTRY: 1}),
        ExpeditionType.GREAT_PROJECT: MappingProxyType(
            {Faction.ACADEMIA: 2, Faction.INDUSTRY: 2, Faction.FOREIGN: 1}
        ),
    }
)

# D4: computed modifiers.
PREP_PER_THINK_TANK: Final = 10
PREP_CAP: Final = 30
PREP_WINDOW: Final = 7 * DAY
EXPERTISE_PER_SCHOLAR: Final = 5
EXPERTISE_CAP: Final = 15
SITE_FRICTION: Final = MappingProxyType(
    {
        ExpeditionType.THINK_TANK: 0,
        ExpeditionType.FIELD: -5,
        ExpeditionType.GREAT_PROJECT: -10,
    }
)
POLITICAL_FRICTION_PER_FACTION: Final = -5
POLITICAL_FRICTION_THRESHOLD: Final = 2  # influence below this in a funder adds friction
FRICTION_FLOOR: Final = -25
DEPTH_STANDARD_AT: Final = 15
DEPTH_DEEP_AT: Final = 30

# Outcome bands on the final d100 score.
PARTIAL_AT: Final = 40
SUCCESS_AT: Final = 65
LANDMARK_AT: Final = 85

RECRUIT_COOLDOWN: Final = 2
THEORY_DEFAULT_DEADLINE_DAYS: Final = 7
THEORY_MAX_DEADLINE_DAYS: Final = 30

ROSTER_MIN: Final = 20
ROSTER_MAX: Final = 30
START_YEAR: Final = 1920

FEELING_DECAY: Final = 0.98
FEELING_EPSILON: Final = 0.01

# Text limits for player-supplied strings.
MAX_THEORY_LENGTH: Final = 300
MAX_OBJECTIVE_LENGTH: Final = 300
MAX_CODE_LENGTH: Final = 24
MAX_NICKNAME_LENGTH: Final = 64
MAX_NAME_LENGTH: Final = 64
MAX_TEAM_SIZE: Final = 6
