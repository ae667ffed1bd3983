"""Sidecasts (D13, section 3.4): the spawn roll, the arc phases, and normalisation."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from typing import Any

import pytest

from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.command import Context
from greatwork.rules.constants import HOUR, Faction, Outcome
from greatwork.rules.event import Event, Tx, apply_all
from greatwork.rules.ids import ExpeditionCode, Instant, PlayerId, ScholarId
from greatwork.rules.memory import feeling, player_key
from greatwork.rules.order import STEP_FOLLOWUPS, pending, run_due
from greatwork.rules.roster import ScholarSpawned, retire_scholar
from greatwork.rules.sidecast import (
    PHASE_DELAYS,
    SidecastAttended,
    SidecastNormalised,
    SidecastPhaseReached,
    SidecastUnattended,
    attend,
    maybe_spawn_sidecast,
    phase_order_type,
    tick_sidecasts,
)
from greatwork.rules.state import (
    CampaignState,
    Contract,
    EmployerKind,
    OrderStatus,
    Sidecast,
    SidecastKind,
)
from tests.rules.builders import T0, FixedRandom, ctx, make_player, make_scholar, make_state

P1 = PlayerId("p1")
P2 = PlayerId("p2")
CODE = ExpeditionCode("EXP-1")
DAYS = 5 * 24 * HOUR


class KindRandom(FixedRandom):
    """FixedRandom whose choice among the sidecast kinds returns a chosen kind."""

    def __init__(self, kind: SidecastKind, floats: Sequence[float] = (0.0,)) -> None:
        super().__init__(floats=floats)
        self.kind = kind

    def choice(self, seq: Any) -> Any:
        if tuple(seq) == tuple(SidecastKind):
            return self.kind
        return super().choice(seq)


class NoDraws(random.Random):
    """A Random that fails the test if anything is drawn."""

    def random(self) -> float:
        raise AssertionError("drew a uniform")

    def choice(self, seq: Any) -> Any:
        raise AssertionError(f"drew a choice among {seq!r}")


def _state(roster: int = 20) -> CampaignState:
    scholars = [make_scholar(f"s.x{n:02d}") for n in range(roster)]
    return make_state(players=[make_player("p1"), make_player("p2")], scholars=scholars)


def _spawn(
    kind: SidecastKind = SidecastKind.LOCAL_JUNIOR, state: CampaignState | None = None
) -> tuple[Tx, ScholarId]:
    tx = Tx(state or _state())
    sid = maybe_spawn_sidecast(tx, ctx(KindRandom(kind)), P1, Outcome.SUCCESS, T0, CODE)
    assert sid is not None
    return tx, sid


@pytest.mark.parametrize(
    ("outcome", "roll", "spawns"),
    [
        (Outcome.PARTIAL, 0.49, True),
        (Outcome.PARTIAL, 0.5, False),
        (Outcome.SUCCESS, 0.74, True),
        (Outcome.SUCCESS, 0.75, False),
        (Outcome.LANDMARK, 0.999, True),
    ],
)
def test_spawn_roll(outcome: Outcome, roll: float, spawns: bool) -> None:
    tx = Tx(_state())
    rng = KindRandom(SidecastKind.ARCHIVE_GHOST, floats=[roll])
    sid = maybe_spawn_sidecast(tx, ctx(rng), P1, outcome, T0, CODE)
    assert (sid is not None) == spawns
    assert not rng.floats  # the uniform was drawn
    assert len(tx.state.scholars) == (21 if spawns else 20)


def test_failure_never_spawns_and_draws_nothing() -> None:
    tx = Tx(_state())
    assert maybe_spawn_sidecast(tx, ctx(NoDraws()), P1, Outcome.FAILURE, T0, CODE) is None
    assert tx.events == []


def test_scenario_13_full_roster_spawns_nothing() -> None:
    """Scenario 13: at 30 scholars, a successful expedition spawns no sidecast."""
    tx = Tx(_state(roster=30))
    assert maybe_spawn_sidecast(tx, ctx(NoDraws()), P1, Outcome.LANDMARK, T0, CODE) is None
    assert tx.events == []


def test_spawned_sidecast() -> None:
    before = _state()
    tx, sid = _spawn(SidecastKind.LOCAL_JUNIOR, before)
    assert sid == "s.proc-001"
    scholar = tx.state.scholars[sid]
    assert scholar.contract.employer == P1
    assert scholar.contract.kind is EmployerKind.PLAYER
    assert (scholar.career.tier, scholar.career.track) == ("Postdoc", "Academia")
    assert scholar.stats.loyalty == 4
    assert scholar.sidecast == Sidecast(kind=SidecastKind.LOCAL_JUNIOR, sponsor=P1, spawned_at=T0)
    assert [f.kind for f in scholar.memory.facts] == ["sidecast"]
    assert scholar.memory.facts[0].subject == P1
    assert feeling(scholar, player_key(P1)) == 0.75
    primary = scholar.primary_faction
    assert tx.state.players[P1].influence[primary] == 3
    spawned = [e for e in tx.events if isinstance(e, ScholarSpawned)]
    assert [(e.reason, e.sponsor) for e in spawned] == [("sidecast", P1)]
    (debut,) = pending(tx.state, phase_order_type(0))
    assert debut.scheduled_at == T0 + 6 * HOUR
    assert (debut.subject, debut.actor) == (sid, P1)
    assert apply_all(before, tx.events) == tx.state


@pytest.mark.parametrize("kind", list(SidecastKind))
def test_full_arc(kind: SidecastKind) -> None:
    tx, sid = _spawn(kind)
    primary = tx.state.scholars[sid].primary_faction
    delays = PHASE_DELAYS[kind]
    due = T0
    expected_feeling = 0.75
    expected_influence = 3
    for phase, gain in enumerate((1.0, 0.6, 1.2)):
        due = Instant(due + delays[phase] * HOUR)
        run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(due - 1))
        assert tx.state.scholars[sid].sidecast.phase == phase  # type: ignore[union-attr]
        run_due(tx, STEP_FOLLOWUPS, ctx(), due)
        scholar = tx.state.scholars[sid]
        assert scholar.sidecast is not None
        assert scholar.sidecast.phase == phase + 1
        expected_feeling += gain
        expected_influence = min(6, expected_influence + 1)
        assert feeling(scholar, player_key(P1)) == pytest.approx(expected_feeling)
        assert tx.state.players[P1].influence[primary] == expected_influence
        nxt = pending(tx.state, phase_order_type(phase + 1)) if phase < 2 else []
        if phase < 2:
            assert [o.scheduled_at for o in nxt] == [due + delays[phase + 1] * HOUR]
    assert not any(o.type.startswith("followup:sidecast") for o in pending(tx.state))


def test_phase_uses_the_digest_time_when_later() -> None:
    tx, _ = _spawn()
    late = Instant(T0 + 10 * HOUR)
    tx.state = dataclasses.replace(tx.state, last_digest_at=late)
    run_due(tx, STEP_FOLLOWUPS, ctx(), late)
    reached = [e for e in tx.events if isinstance(e, SidecastPhaseReached)]
    assert [e.at for e in reached] == [late]
    (nxt,) = pending(tx.state, phase_order_type(1))
    assert nxt.scheduled_at == T0 + (6 + 24) * HOUR


def test_phase_cancelled_when_the_scholar_left_the_sponsor() -> None:
    tx, sid = _spawn()
    scholar = tx.state.scholars[sid]
    moved = dataclasses.replace(
        scholar, contract=Contract(employer=P2, kind=EmployerKind.PLAYER, term_years=1)
    )
    tx.state = dataclasses.replace(tx.state, scholars={**tx.state.scholars, sid: moved})
    (debut,) = pending(tx.state, phase_order_type(0))
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + DAYS))
    assert tx.state.orders[debut.id].status is OrderStatus.CANCELLED
    assert tx.state.scholars[sid].sidecast.phase == 0  # type: ignore[union-attr]
    assert not pending(tx.state, phase_order_type(1))


def test_retiring_the_sidecast_cancels_its_phases() -> None:
    tx, sid = _spawn()
    retire_scholar(tx, sid, T0, reason="admin")
    assert not pending(tx.state)


def test_phase_for_a_missing_sponsor_gives_no_influence() -> None:
    tx, sid = _spawn()
    players = {k: v for k, v in tx.state.players.items() if k != P1}
    tx.state = dataclasses.replace(tx.state, players=players)
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + 6 * HOUR))
    assert tx.state.scholars[sid].sidecast.phase == 1  # type: ignore[union-attr]


def _unattended(tx: Tx, sid: ScholarId) -> int:
    arc = tx.state.scholars[sid].sidecast
    assert arc is not None
    return arc.unattended_digests


def test_normalises_after_three_unattended_digests() -> None:
    tx, sid = _spawn()
    for count in (1, 2):
        tick_sidecasts(tx, T0)
        assert _unattended(tx, sid) == count
        assert tx.state.scholars[sid].stats.loyalty == 4
    tick_sidecasts(tx, T0)
    scholar = tx.state.scholars[sid]
    assert scholar.stats.loyalty == 2
    assert scholar.sidecast is not None
    assert scholar.sidecast.normalised
    assert isinstance(tx.events[-1], SidecastNormalised)
    size = len(tx.events)
    tick_sidecasts(tx, T0)
    attend(tx, sid, P1, T0)
    assert len(tx.events) == size  # normalised: nothing more happens


def test_attending_resets_the_count() -> None:
    tx, sid = _spawn()
    tick_sidecasts(tx, T0)
    tick_sidecasts(tx, T0)
    attend(tx, sid, P1, T0)
    assert _unattended(tx, sid) == 0
    assert isinstance(tx.events[-1], SidecastAttended)
    tick_sidecasts(tx, T0)
    tick_sidecasts(tx, T0)
    assert tx.state.scholars[sid].stats.loyalty == 4


def test_attend_is_a_no_op_otherwise() -> None:
    tx, sid = _spawn()
    tx.state = dataclasses.replace(
        tx.state, scholars={**tx.state.scholars, ScholarId("s.plain"): make_scholar("s.plain")}
    )
    size = len(tx.events)
    attend(tx, sid, P1, T0)  # nothing to reset yet
    tick_sidecasts(tx, T0)
    size = len(tx.events)
    attend(tx, sid, P2, T0)  # not the sponsor
    attend(tx, ScholarId("s.plain"), P1, T0)  # not a sidecast
    attend(tx, ScholarId("s.gone"), P1, T0)  # not on the roster
    assert len(tx.events) == size


def test_tick_ignores_ordinary_scholars() -> None:
    tx = Tx(_state())
    tick_sidecasts(tx, T0)
    assert tx.events == []


def test_events_round_trip() -> None:
    tx, sid = _spawn()
    tick_sidecasts(tx, T0)
    attend(tx, sid, P1, T0)
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + 6 * HOUR))
    events: list[Event] = [
        *tx.events,
        SidecastUnattended(at=T0, scholar=sid, count=3),
        SidecastNormalised(at=T0, scholar=sid, loyalty=2),
    ]
    for event in events:
        assert decode_event(encode_event(event)) == event
    assert Faction.ACADEMIA in tx.state.players[P1].influence


def test_real_context_type() -> None:
    assert isinstance(ctx(), Context)
