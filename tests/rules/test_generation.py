"""Scholar generation: the draw order of section 3.12, determinism, and legends."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from greatwork.content import load_content
from greatwork.rules.constants import FACTIONS
from greatwork.rules.generation import (
    fill_catchphrase,
    first_rung,
    generate_scholar,
    legend_scholar,
)
from greatwork.rules.ids import ScholarId
from greatwork.rules.state import INDEPENDENT, Career, EmployerKind
from tests.rules.builders import T0, tiny_content

REAL = load_content()
SID = ScholarId("s.proc-001")


class RecordingRandom(random.Random):
    """A Random that logs each public draw as (method, population size or bounds, k)."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.log: list[tuple[str, Any, Any]] = []

    def choice(self, seq: Any) -> Any:
        self.log.append(("choice", len(seq), None))
        return super().choice(seq)

    def sample(self, population: Sequence[Any], k: int, *, counts: Any = None) -> list[Any]:
        self.log.append(("sample", len(population), k))
        return super().sample(population, k, counts=counts)

    def randint(self, a: int, b: int) -> int:
        self.log.append(("randint", a, b))
        return super().randint(a, b)


def test_draw_order_follows_section_3_12() -> None:
    content = tiny_content()
    rng = RecordingRandom(5)
    scholar = generate_scholar(rng, SID, content, T0)
    bank = next(b for b in content.namebanks if b.region == scholar.region)
    n_disc, n_taboo = len(scholar.disciplines), len(scholar.taboos)
    expected = [
        ("choice", len(content.namebanks), None),
        ("choice", len(bank.given), None),
        ("choice", len(bank.surnames), None),
        ("randint", 1, 10**7),
        ("choice", len(content.archetypes), None),
        ("randint", 0, 1),
        ("sample", len(content.disciplines), n_disc),
        ("sample", len(content.methods), 2),
        ("sample", len(content.drives), 2),
        ("sample", len(content.virtues), 2),
        ("sample", len(content.vices), 1),
        ("randint", 0, 1),
        ("sample", len(content.taboos), n_taboo),
        ("randint", 4, 9),
        ("randint", 2, 9),
        *[("randint", 1, 9)] * 4,
        *[("randint", -3, 3)] * 5,
        ("choice", len(content.catchphrases), None),
        ("randint", 1, 5),
    ]
    assert rng.log == expected


def test_generated_scholar_is_an_independent_postdoc() -> None:
    scholar = generate_scholar(random.Random(3), SID, REAL, T0)
    assert scholar.id == SID
    assert scholar.name.startswith("Dr ")
    assert scholar.career == Career(tier="Postdoc", track="Academia")
    assert scholar.contract.employer == INDEPENDENT
    assert scholar.contract.kind is EmployerKind.INDEPENDENT
    assert 1 <= scholar.contract.term_years <= 5
    assert scholar.contract.since == T0
    assert scholar.joined_at == T0
    assert not scholar.legend
    assert scholar.sidecast is None
    assert tuple(scholar.politics) == FACTIONS


def test_two_hundred_seeds_give_valid_scholars() -> None:
    regions = {b.region: b for b in REAL.namebanks}
    archetypes = {a.name for a in REAL.archetypes}
    seen_regions = set()
    for seed in range(200):
        s = generate_scholar(random.Random(seed), SID, REAL, T0)
        bank = regions[s.region]
        seen_regions.add(s.region)
        _, given, surname = s.name.split(" ", 2)
        assert given in bank.given
        assert surname in bank.surnames
        assert 1 <= s.seed <= 10**7
        assert s.archetype in archetypes
        assert 1 <= len(s.disciplines) <= 2
        assert set(s.disciplines) <= set(REAL.disciplines)
        assert len(set(s.methods)) == 2
        assert set(s.methods) <= set(REAL.methods)
        assert len(set(s.drives)) == 2
        assert set(s.drives) <= set(REAL.drives)
        assert len(set(s.virtues)) == 2
        assert set(s.virtues) <= set(REAL.virtues)
        assert len(s.vices) == 1
        assert set(s.vices) <= set(REAL.vices)
        assert 1 <= len(set(s.taboos)) == len(s.taboos) <= 2
        assert set(s.taboos) <= set(REAL.taboos)
        assert 4 <= s.stats.talent <= 9
        assert 2 <= s.stats.reliability <= 9
        for value in (s.stats.integrity, s.stats.theatrics, s.stats.loyalty, s.stats.risk):
            assert 1 <= value <= 9
        assert all(-3 <= s.politics[f] <= 3 for f in FACTIONS)
        assert s.catchphrase in REAL.catchphrases
        assert 1 <= s.contract.term_years <= 5
    assert seen_regions == set(regions)


@given(st.integers(min_value=0, max_value=2**64))
def test_same_seed_gives_the_same_scholar(seed: int) -> None:
    first = generate_scholar(random.Random(seed), SID, REAL, T0)
    second = generate_scholar(random.Random(seed), SID, REAL, T0)
    assert first == second


def test_different_seeds_give_different_scholars() -> None:
    scholars = [generate_scholar(random.Random(s), SID, REAL, T0) for s in range(20)]
    assert len({(s.name, s.seed) for s in scholars}) == 20


def test_legend_scholar() -> None:
    legend = next(lg for lg in REAL.legends if lg.id == "s.ironquill")
    scholar = legend_scholar(legend, T0)
    assert scholar.id == "s.ironquill"
    assert scholar.legend
    assert scholar.name == "Dr Elara Ironquill"
    assert scholar.seed == 10101
    assert scholar.contract.employer == "Royal Institute"
    assert scholar.contract.kind is EmployerKind.INSTITUTION
    assert scholar.contract.term_years == 6
    assert scholar.career == Career(tier="Associate", track="Academia")
    assert scholar.stats == legend.stats
    assert scholar.primary_faction == "academia"
    assert scholar.joined_at == T0


def test_first_rung() -> None:
    assert first_rung(REAL) == Career("Postdoc", "Academia")
    assert first_rung(REAL, "Industry") == Career("Associate", "Industry")
    assert first_rung(tiny_content(career_ladders={}), "Academia") == Career("Postdoc", "Academia")


def test_fill_catchphrase() -> None:
    fills = {"premise": ("the data holds",), "wild_leap": ("we can fly",)}
    rng = random.Random(1)
    assert fill_catchphrase("If {premise}, then {wild_leap}.", fills, rng) == (
        "If the data holds, then we can fly."
    )
    assert fill_catchphrase("Show me {unknown}.", fills, rng) == "Show me {unknown}."
    for pattern in REAL.catchphrases:
        text = fill_catchphrase(pattern, REAL.catchphrase_fills, random.Random(2))
        assert "{" not in text
