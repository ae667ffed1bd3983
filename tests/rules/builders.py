"""Builders for rules tests: a tiny content set, scholars and campaign states made to order."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterable, Mapping
from typing import Any

from greatwork.rules.command import Command, Context, Result, execute
from greatwork.rules.constants import FACTIONS, Confidence, Depth, ExpeditionType, Faction, Outcome
from greatwork.rules.content import (
    Archetype,
    Content,
    Effect,
    EffectKind,
    FailureEntry,
    Namebank,
    SidewaysEntry,
    TopicSpec,
)
from greatwork.rules.ids import CampaignId, Instant, PlayerId, ScholarId
from greatwork.rules.state import (
    CampaignState,
    Career,
    Contract,
    EmployerKind,
    Memory,
    Player,
    Scholar,
    Stats,
    starting_influence,
)

T0 = Instant(1_767_225_600)  # 2026-01-01 00:00 UTC, a Thursday

ALL_TYPES = frozenset(ExpeditionType)
ALL_DEPTHS = frozenset(Depth)


def _table(*rows: tuple[str, int]) -> tuple[FailureEntry, ...]:
    return tuple(FailureEntry(key=k, weight=w, text=f"{k} text") for k, w in rows)


def tiny_content(**overrides: Any) -> Content:
    """A small but complete content set, independent of the YAML files."""
    tables = {
        t: {
            Depth.SHALLOW: _table(("nothing", 60), ("minor_clue", 30), ("scandal", 10)),
            Depth.STANDARD: _table(("minor_clue", 50), ("adjacent_field", 35), ("setback", 15)),
            Depth.DEEP: _table(("minor_clue", 40), ("adjacent_field", 40), ("prestige_hit", 20)),
        }
        for t in ExpeditionType
    }
    sideways = (
        SidewaysEntry(
            key="forgotten_thesis",
            text="A forgotten thesis on {objective} surfaces.",
            types=frozenset({ExpeditionType.THINK_TANK}),
            depths=ALL_DEPTHS,
            outcomes=frozenset({Outcome.PARTIAL, Outcome.FAILURE}),
            effects=(
                Effect(kind=EffectKind.SPAWN_THEORY, text="A thesis on {objective}"),
                Effect(kind=EffectKind.REPUTATION, amount=1),
            ),
        ),
        SidewaysEntry(
            key="local_dignitaries",
            text="Local dignitaries take an interest.",
            types=frozenset({ExpeditionType.FIELD, ExpeditionType.GREAT_PROJECT}),
            depths=ALL_DEPTHS,
            outcomes=frozenset({Outcome.PARTIAL, Outcome.FAILURE}),
            effects=(
                Effect(kind=EffectKind.FACTION_SHIFT, amount=1, factions=(Faction.GOVERNMENT,)),
                Effect(
                    kind=EffectKind.OPPORTUNITY,
                    text="dignitary_contract",
                    days=3,
                    reward_influence=3,
                    factions=(Faction.GOVERNMENT,),
                ),
            ),
        ),
        SidewaysEntry(
            key="new_domain",
            text="A new domain opens: {objective}.",
            types=ALL_TYPES,
            depths=ALL_DEPTHS,
            outcomes=frozenset({Outcome.LANDMARK}),
            effects=(
                Effect(kind=EffectKind.FACTION_SHIFT, amount=2, factions=(Faction.ACADEMIA,)),
                Effect(kind=EffectKind.CONFERENCE, text="Principles of {objective}"),
                Effect(kind=EffectKind.DOMAIN, text="{type}"),
            ),
        ),
    )
    base = Content(
        legends=(),
        namebanks=(
            Namebank(
                region="coastal",
                given=("Elara", "Tomas", "Liora"),
                surnames=("Fieldstone", "Kassis", "Navarro"),
            ),
            Namebank(
                region="highlands", given=("Mara", "Rowan"), surnames=("Frostwell", "Stonetide")
            ),
        ),
        archetypes=(
            Archetype("Empiricist", ("survey and trench",)),
            Archetype("Mystic", ("oral history",)),
        ),
        disciplines=("Archaeology", "Epigraphy", "Metallurgy"),
        methods=("textual analysis", "survey and trench", "material science", "oral history"),
        drives=("Truth", "Fame", "Legacy"),
        virtues=("integrity", "curiosity", "diligence"),
        vices=("vanity", "secrecy"),
        taboos=("falsifying inscriptions", "publishing without data release"),
        catchphrases=("Show me {evidence}.", "If {premise}, then {wild_leap}."),
        catchphrase_fills={
            "evidence": ("the evidence",),
            "premise": ("the data holds",),
            "wild_leap": ("we can fly",),
        },
        failure_tables=tables,
        sideways=sideways,
        career_ladders={
            "Academia": ("Postdoc", "Fellow", "Professor"),
            "Industry": ("Associate", "Director", "Visionary"),
        },
        symposium_topics=(
            TopicSpec("The Nature of Truth", "Is truth found or made?"),
            TopicSpec("Funding Priorities", "Who should pay for the next dig?"),
        ),
        institutions=("Royal Institute", "Siege Works Ltd"),
    )
    return dataclasses.replace(base, **overrides)


class FixedRandom(random.Random):
    """A Random whose randint and random return queued values first (to inject rolls)."""

    def __init__(
        self, ints: Iterable[int] = (), floats: Iterable[float] = (), seed: int = 7
    ) -> None:
        super().__init__(seed)
        self.ints = list(ints)
        self.floats = list(floats)

    def randint(self, a: int, b: int) -> int:
        if self.ints:
            value = self.ints.pop(0)
            assert a <= value <= b, f"injected {value} outside [{a}, {b}]"
            return value
        return super().randint(a, b)

    def random(self) -> float:
        if self.floats:
            return self.floats.pop(0)
        return super().random()


def ctx(rng: random.Random | None = None, content: Content | None = None) -> Context:
    """A decider context with tiny content and a seeded or injected RNG."""
    return Context(content=content or tiny_content(), rng=rng or random.Random(7))


def make_scholar(sid: str = "s.test", **overrides: Any) -> Scholar:
    """An Independent Postdoc with middling stats; override any field."""
    base = Scholar(
        id=ScholarId(sid),
        name=f"Dr {sid}",
        seed=1,
        archetype="Empiricist",
        region="coastal",
        disciplines=("Archaeology",),
        methods=("survey and trench", "material science"),
        drives=("Truth", "Legacy"),
        virtues=("integrity", "diligence"),
        vices=("vanity",),
        taboos=("falsifying inscriptions",),
        stats=Stats(talent=5, reliability=5, integrity=5, theatrics=5, loyalty=5, risk=5),
        politics=dict.fromkeys(FACTIONS, 0),
        catchphrase="Show me {evidence}.",
        career=Career(tier="Postdoc", track="Academia"),
        contract=Contract(employer="Independent", kind=EmployerKind.INDEPENDENT, term_years=2),
        memory=Memory(),
        joined_at=T0,
    )
    return dataclasses.replace(base, **overrides)


def make_player(pid: str = "p1", **overrides: Any) -> Player:
    """A player with the starting balances; override any field."""
    base = Player(
        id=PlayerId(pid),
        display_name=pid.title(),
        joined_at=T0,
        last_active_at=T0,
        influence=starting_influence(),
    )
    return dataclasses.replace(base, **overrides)


def make_state(
    players: Iterable[Player] = (),
    scholars: Iterable[Scholar] = (),
    **overrides: Any,
) -> CampaignState:
    """A campaign holding exactly the given players and scholars."""
    base = CampaignState(
        id=CampaignId("test"),
        seed=1234,
        created_at=T0,
        anchor_day=T0 // 86_400,
        players={p.id: p for p in players},
        scholars={s.id: s for s in scholars},
    )
    return dataclasses.replace(base, **overrides)


def influence(**balances: int) -> Mapping[Faction, int]:
    """A full balance map: unspecified factions hold 0."""
    out = dict.fromkeys(FACTIONS, 0)
    out.update({Faction(k): v for k, v in balances.items()})
    return out


def run(
    state: CampaignState,
    command: Command,
    rng: random.Random | None = None,
    content: Content | None = None,
) -> Result:
    """Execute a command with tiny content."""
    return execute(state, command, ctx(rng, content))


__all__ = [
    "ALL_DEPTHS",
    "ALL_TYPES",
    "T0",
    "Confidence",
    "FixedRandom",
    "ctx",
    "influence",
    "make_player",
    "make_scholar",
    "make_state",
    "run",
    "tiny_content",
]
