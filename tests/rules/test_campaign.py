"""A new campaign: legends first, then generated scholars up to 20 (scenario 13)."""

from __future__ import annotations

import dataclasses
import random

from greatwork.content import load_content
from greatwork.rules.campaign import new_campaign, start_campaign
from greatwork.rules.command import Context
from greatwork.rules.constants import DAY, START_YEAR
from greatwork.rules.content import Content
from greatwork.rules.event import Tx, apply_all
from greatwork.rules.ids import CampaignId, Instant, ScholarId
from greatwork.rules.roster import ScholarSpawned, retire_scholar
from greatwork.rules.state import EmployerKind
from tests.rules.builders import T0

REAL = load_content()
DESIGN_THREE = ("s.ironquill", "s.zathras", "s.blackstone")
THREE = dataclasses.replace(REAL, legends=tuple(lg for lg in REAL.legends if lg.id in DESIGN_THREE))


def _start(content: Content, seed: int = 77) -> Tx:
    tx = Tx(new_campaign(CampaignId("g1"), seed, T0))
    start_campaign(tx, Context(content=content, rng=random.Random(0)), T0)
    return tx


def test_new_campaign() -> None:
    at = Instant(T0 + 5 * 3600)
    state = new_campaign(CampaignId("g1"), 1234, at)
    assert (state.id, state.seed, state.created_at) == ("g1", 1234, at)
    assert state.anchor_day == at // DAY
    assert state.year == START_YEAR
    assert not state.scholars


def test_scenario_13_three_legends() -> None:
    """Scenario 13: an empty database gets 20 scholars, the 3 legends then s.proc-001..017."""
    tx = _start(THREE)
    expected = [*DESIGN_THREE, *(f"s.proc-{n:03d}" for n in range(1, 18))]
    assert list(tx.state.scholars) == expected


def test_scenario_13_with_our_eight_legends() -> None:
    tx = _start(REAL)
    legends = [lg.id for lg in REAL.legends]
    assert len(legends) == 8
    expected = [*legends, *(f"s.proc-{n:03d}" for n in range(1, 13))]
    assert list(tx.state.scholars) == expected
    spawned = [e for e in tx.events if isinstance(e, ScholarSpawned)]
    assert [e.reason for e in spawned] == ["legend"] * 8 + ["roster"] * 12


def test_legends_are_employed_by_their_institutions() -> None:
    state = _start(REAL).state
    for legend in REAL.legends:
        scholar = state.scholars[ScholarId(legend.id)]
        assert scholar.legend
        assert scholar.contract.kind is EmployerKind.INSTITUTION
        assert scholar.contract.employer == legend.employer
    assert not state.scholars[ScholarId("s.proc-001")].legend


def test_same_seed_same_campaign() -> None:
    assert _start(REAL, seed=5).state == _start(REAL, seed=5).state
    assert _start(REAL, seed=5).state.scholars != _start(REAL, seed=6).state.scholars


def test_start_is_idempotent_and_replays() -> None:
    first = _start(REAL)
    initial = new_campaign(CampaignId("g1"), 77, T0)
    assert apply_all(initial, first.events) == first.state
    again = Tx(first.state)
    start_campaign(again, Context(content=REAL, rng=random.Random(0)), T0)
    assert again.events == []


def test_retired_legend_does_not_come_back() -> None:
    tx = _start(REAL)
    retire_scholar(tx, ScholarId("s.zathras"), T0, reason="admin")
    start_campaign(tx, Context(content=REAL, rng=random.Random(0)), T0)
    assert "s.zathras" not in tx.state.scholars
    assert len(tx.state.scholars) == 20
    assert "s.proc-013" in tx.state.scholars
