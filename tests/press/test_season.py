"""Simulated seasons: every release is filled, capped and numbered, whether composed event by
event (replayed with ``apply``) or as one batch."""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import cache

import pytest

from greatwork.press.compose import MAX_BODY, MAX_HEADLINE, compose
from greatwork.press.item import PressDraft
from greatwork.press.occasions import OCCASIONS
from greatwork.rules.campaign import new_campaign
from greatwork.rules.event import Event, apply
from greatwork.rules.expedition import ExpeditionResolved
from greatwork.rules.ids import CampaignId
from greatwork.rules.state import CampaignState
from greatwork.rules.theory import TheorySubmitted
from greatwork.sim import SEASON_START, SimReport, simulate
from tests.press.world import REAL

SEEDS = (1, 2, 3, 4, 5)
PLACEHOLDER = re.compile(r"\{\w+\}")
KINDS = {occasion.kind for occasion in OCCASIONS.values()}


@cache
def _season(seed: int) -> SimReport:
    return simulate(players=6, days=14, seed=seed, content=REAL)


def _replayed(seed: int) -> tuple[list[tuple[int, Event]], list[PressDraft], CampaignState]:
    """Replay the season's journal one event at a time, composing after each."""
    report = _season(seed)
    state = new_campaign(CampaignId(f"sim-{seed}"), seed, SEASON_START)
    journal: list[tuple[int, Event]] = []
    drafts: list[PressDraft] = []
    for event in report.events:
        state = apply(state, event)
        journal.append((state.seq, event))
        drafts.extend(compose([(state.seq, event)], state, REAL))
    assert state == report.state
    return journal, drafts, state


@pytest.mark.parametrize("seed", SEEDS)
def test_a_season_prints_clean_capped_press(seed: int, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="greatwork.press"):
        _, drafts, _ = _replayed(seed)
    assert not caplog.records, caplog.text
    assert len(drafts) > 100
    for draft in drafts:
        text = f"{draft.headline}\n{draft.body}"
        assert not PLACEHOLDER.search(text), text
        assert 0 < len(draft.headline) <= MAX_HEADLINE
        assert "\n" not in draft.headline
        assert 0 < len(draft.body) <= MAX_BODY
        assert draft.kind in KINDS
        if draft.meta.get("layer"):
            assert draft.release_at >= draft.at
        else:
            assert draft.at == draft.release_at


@pytest.mark.parametrize("seed", SEEDS)
def test_bulletins_are_numbered_in_order(seed: int) -> None:
    journal, drafts, _ = _replayed(seed)
    numbered = [d for d in drafts if "bulletin" in d.meta]
    theories = sum(isinstance(event, TheorySubmitted) for _, event in journal)
    assert theories > 5
    assert [d.meta["bulletin"] for d in numbered] == list(range(1, theories + 1))
    for draft in numbered:
        assert draft.kind == "academic_bulletin"
        assert f"Academic Bulletin No. {draft.meta['bulletin']}" in draft.headline


@pytest.mark.parametrize("seed", SEEDS)
def test_each_resolution_gets_one_report(seed: int) -> None:
    journal, drafts, _ = _replayed(seed)
    resolved = [e.code for _, e in journal if isinstance(e, ExpeditionResolved)]
    reports = [
        d.meta["code"]
        for d in drafts
        if d.meta["event"] == "ExpeditionResolved"
        and d.kind in {"discovery_report", "retraction_notice"}
    ]
    assert reports == resolved


def _without_highlights(drafts: list[PressDraft]) -> list[PressDraft]:
    return [d for d in drafts if d.kind != "digest_highlights"]


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_one_batch_prints_the_same_stories(seed: int) -> None:
    journal, one_by_one, state = _replayed(seed)
    batch = compose(journal, state, REAL)
    # The main stories are the same; layers read the whole batch (a theory's verdict sets an
    # expedition's depth, bundles gather a digest's moves), so they may differ, and a digest's
    # highlights read the state after the batch (what is due then: here the season's end).
    main = [d for d in batch if not d.meta.get("layer")]
    alone = [d for d in one_by_one if not d.meta.get("layer")]
    assert any(d.kind == "digest_highlights" for d in alone)
    main, alone = _without_highlights(main), _without_highlights(alone)
    assert [d.meta["occasion"] for d in main] == [d.meta["occasion"] for d in alone]
    assert [d.seq for d in main] == [d.seq for d in alone]
    first = sum(not d.meta.get("layer") for d in batch)
    assert not any(d.meta.get("layer") for d in batch[:first])  # layers come after the main
    for draft in batch:
        assert not PLACEHOLDER.search(draft.headline + draft.body)
        assert len(draft.body) <= MAX_BODY


def test_seasons_cover_the_main_occasions() -> None:
    seen: Counter[str] = Counter()
    for seed in SEEDS:
        seen.update(d.meta["occasion"] for d in _replayed(seed)[1])
    expected = {
        "theory_submitted",
        "expedition_launched",
        "expedition_failure",
        "conference_scheduled",
        "recruit_success",
        "offer_made",
        "symposium_launched",
        "years_advanced",
        "scholar_promoted",
    }
    assert expected <= set(seen), expected - set(seen)


def test_composing_twice_gives_the_same_press() -> None:
    journal, drafts, state = _replayed(SEEDS[0])
    assert compose(journal, state, REAL) == compose(journal, state, REAL)
    assert drafts == _replayed(SEEDS[0])[1]


@pytest.mark.parametrize("seed", SEEDS)
def test_headlines_are_varied_and_carry_context(seed: int) -> None:
    _, drafts, state = _replayed(seed)
    headlines = [d.headline for d in drafts]
    assert len(set(headlines)) / len(headlines) >= 0.9
    names = {p.display_name for p in state.players.values()}
    names |= {s.name for s in (*state.scholars.values(), *state.retired.values())}
    for draft in drafts:
        speaker = draft.headline.removeprefix("Academic Gossip — ")
        assert speaker not in names, draft.headline


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_a_player_reminded_twice_reads_two_different_notices(seed: int) -> None:
    _, drafts, _ = _replayed(seed)
    reminders = [d for d in drafts if d.kind == "symposium_reminder"]
    assert reminders
    by_player: dict[tuple[str, str], list[PressDraft]] = {}
    for draft in reminders:
        by_player.setdefault((draft.meta["topic"], draft.meta["player"]), []).append(draft)
    for pair in by_player.values():
        assert len({d.headline for d in pair}) == len(pair)
        assert len({d.body for d in pair}) == len(pair)
