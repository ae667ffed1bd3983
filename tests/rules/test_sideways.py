"""Sideways discoveries: matching, weighted choice, effects applied for real (Q-15/16/17/18).

Section 9 scenario 20 is Required behaviour: academia +2 (not a phantom ``Academic`` key), a
pending conference about a suspect theory, a domain tag, and a sidecast for the leader.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import pytest

from greatwork.rules import expedition as expedition_module
from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.constants import DAY, Confidence, Depth, ExpeditionType, Faction, Outcome
from greatwork.rules.content import Effect, EffectKind, SidewaysEntry
from greatwork.rules.event import Tx, apply_all
from greatwork.rules.expedition import ExpeditionResolved, resolve_pending
from greatwork.rules.ids import ExpeditionCode, Instant, PlayerId, ScholarId, TheoryId
from greatwork.rules.memory import player_key
from greatwork.rules.order import STEP_FOLLOWUPS, pending, run_due
from greatwork.rules.player import InfluenceChanged
from greatwork.rules.sideways import (
    OPPORTUNITY_ORDER,
    LandmarkOpened,
    OpportunityPaid,
    SidewaysDiscovered,
    apply_effect,
    apply_sideways,
    candidates,
    choose_sideways,
    fill,
)
from greatwork.rules.state import (
    CampaignState,
    ConferenceStatus,
    Contract,
    EmployerKind,
    Expedition,
    ExpeditionStatus,
    TheoryStatus,
)
from tests.rules.builders import (
    ALL_DEPTHS,
    ALL_TYPES,
    T0,
    FixedRandom,
    ctx,
    influence,
    make_player,
    make_scholar,
    make_state,
    tiny_content,
)

P1 = PlayerId("p1")
LATER = Instant(T0 + DAY)


@pytest.fixture
def sidecasts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[PlayerId, Outcome]]:
    """A stand-in for helper A's sidecast module: every non-failure hires a sidecast."""
    calls: list[tuple[PlayerId, Outcome]] = []

    def maybe_spawn_sidecast(*args: Any) -> None:
        tx, _, leader, outcome, at, _ = args
        calls.append((leader, outcome))
        sid = ScholarId(f"s.side-{len(calls)}")
        contract = Contract(employer=leader, kind=EmployerKind.PLAYER, term_years=1, since=at)
        scholar = make_scholar(sid, contract=contract)
        tx.state = dataclasses.replace(
            tx.state, scholars={**tx.state.scholars, sid: scholar}
        )  # the real module emits ScholarSpawned; the fake only needs the roster entry

    monkeypatch.setattr(expedition_module, "maybe_spawn_sidecast", maybe_spawn_sidecast)
    return calls


def expedition(**kw: Any) -> Expedition:
    fields: dict[str, Any] = {
        "code": ExpeditionCode("SW-1"),
        "player": P1,
        "type": ExpeditionType.THINK_TANK,
        "objective": "the salt road",
        "confidence": Confidence.CERTAIN,
        "launched_at": T0,
    }
    fields.update(kw)
    return Expedition(**fields)


def campaign(*expeditions: Expedition, scholars: int = 8, **player: Any) -> CampaignState:
    roster = [make_scholar(f"s.{n:02d}") for n in range(scholars)]
    return make_state([make_player(**player)], roster, expeditions={e.code: e for e in expeditions})


def entry(key: str, *effects: Effect, weight: int = 1, **kw: Any) -> SidewaysEntry:
    fields: dict[str, Any] = {
        "key": key,
        "text": f"{key} on {{objective}}",
        "types": ALL_TYPES,
        "depths": ALL_DEPTHS,
        "outcomes": frozenset(Outcome),
        "effects": effects,
        "weight": weight,
    }
    fields.update(kw)
    return SidewaysEntry(**fields)


# --- scenario 20 -------------------------------------------------------------------------


def test_scenario_20_think_tank_deep_landmark() -> None:
    # Seeded with a deep prep of +30 (D4 earns it from prior think tanks on a theory; citing
    # that theory would add its own wager, so the record is put in place directly). The real
    # sidecast module runs here: a landmark always brings a sidecast (D13).
    record = expedition(prep=30, depth=Depth.DEEP)
    state = campaign(record, influence=influence(academia=1))
    tx = Tx(state)
    resolve_pending(tx, ctx(FixedRandom(ints=[60])), LATER, 1)
    result = tx.state.expeditions[record.code].result
    assert result is not None
    assert (result.final, result.outcome, result.sideways) == (90, Outcome.LANDMARK, "new_domain")
    assert result.reputation_delta == 5
    player = tx.state.players[P1]
    assert player.reputation == 5
    sideways_gains = [
        e.deltas
        for e in tx.events
        if isinstance(e, InfluenceChanged) and e.reason.startswith("sideways")
    ]
    assert sideways_gains == [{Faction.ACADEMIA: 2}]
    assert set(player.influence) == set(Faction)  # no phantom "Academic" key
    (conference,) = tx.state.conferences.values()
    assert conference.status is ConferenceStatus.PENDING
    theory = tx.state.theories[conference.theory]
    assert theory.confidence is Confidence.SUSPECT
    assert theory.text == "Principles of the salt road"
    assert conference.supporters == ("s.00", "s.01", "s.02")
    assert conference.opposition == ("s.03", "s.04", "s.05")
    assert any(o.type == "conference_resolution" for o in pending(tx.state))
    assert [lm.tag for lm in tx.state.landmarks] == ["think tank"]
    (junior,) = [s for s in tx.state.scholars.values() if s.sidecast is not None]
    assert junior.contract.player == P1
    assert junior.sidecast is not None
    assert junior.sidecast.sponsor == P1
    bonus = 1 if junior.primary_faction is Faction.ACADEMIA else 0
    assert player.influence[Faction.ACADEMIA] == 1 + 1 + 2 + bonus  # reward, sideways, sidecast
    events = tx.events
    assert apply_all(state, events) == tx.state
    for event in events:
        assert decode_event(encode_event(event)) == event


# --- choosing ----------------------------------------------------------------------------


def test_candidates_must_match_type_depth_and_outcome() -> None:
    entries = (
        entry("field_only", types=frozenset({ExpeditionType.FIELD})),
        entry("deep_only", depths=frozenset({Depth.DEEP})),
        entry("landmark_only", outcomes=frozenset({Outcome.LANDMARK})),
        entry("weightless", weight=0),
        entry("any"),
    )
    got = candidates(entries, expedition(), Outcome.FAILURE)
    assert [e.key for e in got] == ["any"]


def test_choose_draws_by_weight_and_takes_a_lone_match_without_a_draw() -> None:
    content = tiny_content(sideways=(entry("a", weight=1), entry("b", weight=3)))
    assert choose_sideways(ctx(FixedRandom(ints=[1]), content), expedition(), Outcome.PARTIAL)
    picks = [
        choose_sideways(ctx(FixedRandom(ints=[n]), content), expedition(), Outcome.PARTIAL)
        for n in (1, 2, 4)
    ]
    assert [p.key for p in picks if p] == ["a", "b", "b"]
    lone = tiny_content(sideways=(entry("a"),))
    rng = FixedRandom(ints=[99])
    chosen = choose_sideways(ctx(rng, lone), expedition(), Outcome.PARTIAL)
    assert chosen is not None
    assert rng.ints == [99]  # no draw spent
    assert (
        choose_sideways(ctx(content=tiny_content(sideways=())), expedition(), Outcome.SUCCESS)
        is None
    )


def test_failures_yield_sideways_discoveries_too(sidecasts: list[tuple[PlayerId, Outcome]]) -> None:
    record = expedition()
    tx = Tx(campaign(record))
    resolve_pending(tx, ctx(FixedRandom(ints=[10, 1])), LATER, 1)  # failure, then its table
    result = tx.state.expeditions[record.code].result
    assert result is not None
    assert (result.outcome, result.failure, result.sideways) == (
        Outcome.FAILURE,
        "nothing",
        "forgotten_thesis",
    )
    spawned = tx.state.theories[TheoryId("T-1")]
    assert spawned.text == "A thesis on the salt road"
    assert spawned.origin == "sideways"
    assert spawned.player == P1
    assert tx.state.players[P1].reputation == -7 + 1
    assert sidecasts == []
    discovered = [e for e in tx.events if isinstance(e, SidewaysDiscovered)]
    assert [d.text for d in discovered] == ["A forgotten thesis on the salt road surfaces."]


# --- effects -----------------------------------------------------------------------------


def _apply(effect: Effect, rng: random.Random | None = None, **player: Any) -> Tx:
    record = expedition(team=(ScholarId("s.00"),))
    tx = Tx(campaign(record, **player))
    apply_effect(tx, ctx(rng or FixedRandom()), record, effect, T0)
    return tx


def test_faction_shift_draws_among_its_factions_and_respects_the_cap() -> None:
    shift = Effect(
        kind=EffectKind.FACTION_SHIFT, amount=2, factions=(Faction.INDUSTRY, Faction.FOREIGN)
    )
    rng = random.Random(1)
    expected = random.Random(1).choice(shift.factions)
    tx = _apply(shift, rng)
    assert tx.state.players[P1].influence[expected] == 4
    capped = _apply(shift, random.Random(1), influence=influence(industry=6, foreign=6))
    assert capped.state.players[P1].influence == influence(industry=6, foreign=6)
    anywhere = _apply(Effect(kind=EffectKind.FACTION_SHIFT, amount=1), random.Random(2))
    assert sum(anywhere.state.players[P1].influence.values()) == 11


def test_a_negative_faction_shift_never_goes_below_zero() -> None:
    loss = Effect(kind=EffectKind.FACTION_SHIFT, amount=-3, factions=(Faction.RELIGION,))
    tx = _apply(loss)
    assert tx.state.players[P1].influence[Faction.RELIGION] == 0
    assert not _apply(loss, influence=influence()).events


def test_reputation_effect_is_clamped() -> None:
    tx = _apply(Effect(kind=EffectKind.REPUTATION, amount=3), reputation=49)
    assert tx.state.players[P1].reputation == 50


def test_grudge_hits_a_random_non_team_scholar() -> None:
    tx = _apply(Effect(kind=EffectKind.GRUDGE), random.Random(5))
    (changed,) = [s for s in tx.state.scholars.values() if player_key(P1) in s.memory.feelings]
    assert changed.id != "s.00"  # the team is spared
    assert changed.memory.feelings[player_key(P1)] == -0.5
    harsher = _apply(Effect(kind=EffectKind.GRUDGE, amount=-2), random.Random(5))
    assert harsher.state.scholars[changed.id].memory.feelings[player_key(P1)] == -2.0
    record = expedition(team=(ScholarId("s.00"),))
    lonely = Tx(campaign(record, scholars=1))
    apply_effect(lonely, ctx(), record, Effect(kind=EffectKind.GRUDGE), T0)
    assert not lonely.events


def test_spawn_theory_fills_every_placeholder() -> None:
    tx = _apply(
        Effect(
            kind=EffectKind.SPAWN_THEORY,
            text="On {objective} by {type} {code} for {leader}, {unknown}",
            confidence=Confidence.CERTAIN,
        )
    )
    theory = tx.state.theories[TheoryId("T-1")]
    assert theory.text == "On the salt road by think tank SW-1 for P1, unknown"
    assert theory.confidence is Confidence.CERTAIN
    default = _apply(Effect(kind=EffectKind.SPAWN_THEORY))
    assert "{" not in default.state.theories[TheoryId("T-1")].text


def test_conference_effect_defaults_its_text() -> None:
    tx = _apply(Effect(kind=EffectKind.CONFERENCE, confidence=Confidence.CERTAIN))
    (conference,) = tx.state.conferences.values()
    assert conference.confidence is Confidence.CERTAIN
    assert conference.supporters == ("s.01", "s.02", "s.03")  # the team's s.00 is left out
    assert conference.opposition == ("s.04", "s.05", "s.06")
    assert "salt road" in tx.state.theories[conference.theory].text
    assert tx.state.players[P1].influence[Faction.ACADEMIA] == 2  # sideways conferences are free


def test_opportunity_pays_when_it_comes_due() -> None:
    record = expedition(type=ExpeditionType.FIELD)
    content = tiny_content()
    (dignitaries,) = [e for e in content.sideways if e.key == "local_dignitaries"]
    tx = Tx(campaign(record, influence=influence(government=4)))
    apply_sideways(tx, ctx(content=content), record, dignitaries, T0)
    assert tx.state.players[P1].influence[Faction.GOVERNMENT] == 5
    (order,) = pending(tx.state, OPPORTUNITY_ORDER)
    assert order.scheduled_at == T0 + 3 * DAY
    assert order.payload["name"] == "dignitary_contract"
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + 3 * DAY - 1))
    assert tx.state.players[P1].influence[Faction.GOVERNMENT] == 5
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + 3 * DAY))
    assert tx.state.players[P1].influence[Faction.GOVERNMENT] == 6  # +3, stopped at the cap
    paid = [e for e in tx.events if isinstance(e, OpportunityPaid)]
    assert [(p.influence, p.reputation) for p in paid] == [({Faction.GOVERNMENT: 1}, 0)]
    assert not pending(tx.state, OPPORTUNITY_ORDER)


def test_opportunity_can_pay_reputation_in_the_default_faction() -> None:
    effect = Effect(kind=EffectKind.OPPORTUNITY, days=5, reward_reputation=3)
    tx = _apply(effect)
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + 5 * DAY))
    assert tx.state.players[P1].reputation == 3
    (paid,) = [e for e in tx.events if isinstance(e, OpportunityPaid)]
    assert paid.name == "opportunity"
    assert paid.influence == {}


def test_opportunity_for_an_unknown_player_does_nothing() -> None:
    tx = _apply(Effect(kind=EffectKind.OPPORTUNITY, reward_influence=2))
    (order,) = pending(tx.state, OPPORTUNITY_ORDER)
    orphan = dataclasses.replace(order, actor=None)
    tx.state = dataclasses.replace(tx.state, orders={**tx.state.orders, order.id: orphan})
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + 3 * DAY))
    assert not any(isinstance(e, OpportunityPaid) for e in tx.events)


def test_a_landmark_without_a_domain_effect_still_opens_one(
    sidecasts: list[tuple[PlayerId, Outcome]],
) -> None:
    del sidecasts
    content = tiny_content(sideways=(entry("big", Effect(kind=EffectKind.REPUTATION, amount=1)),))
    record = expedition()
    tx = Tx(campaign(record))
    resolve_pending(tx, ctx(FixedRandom(ints=[95]), content), LATER, 1)
    assert [lm.tag for lm in tx.state.landmarks] == ["the salt road"]
    blank = _apply(Effect(kind=EffectKind.DOMAIN, text="  "))
    assert [lm.tag for lm in blank.state.landmarks] == ["the salt road"]
    assert "the salt road" in blank.state.domains


def test_fill_leaves_no_placeholder() -> None:
    text = fill(
        "{objective}/{type}/{nope}", expedition(type=ExpeditionType.GREAT_PROJECT), make_state()
    )
    assert text == "the salt road/great project/nope"


def test_fill_names_the_leader_by_display_name() -> None:
    x = expedition()
    state = make_state([make_player(str(x.player), display_name="Ada Lovelace")])
    assert fill("{leader} dug", x, state) == "Ada Lovelace dug"
    assert fill("{leader} dug", x, make_state()) == "p1 dug"  # an unknown player: the id


# --- replay and codec --------------------------------------------------------------------


def test_replay_and_round_trip(sidecasts: list[tuple[PlayerId, Outcome]]) -> None:
    del sidecasts  # the fake edits the state without events: keep non-failures out
    records = [
        expedition(code=ExpeditionCode("A"), type=ExpeditionType.FIELD),
        expedition(code=ExpeditionCode("B")),
    ]
    initial = campaign(*records)
    tx = Tx(initial)
    resolve_pending(tx, ctx(FixedRandom(ints=[5, 1, 5, 1])), LATER, 1)
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(LATER + 3 * DAY))
    landmark = Tx(tx.state)
    apply_effect(landmark, ctx(), records[0], Effect(kind=EffectKind.DOMAIN, text="x"), T0)
    events = (*tx.events, *landmark.events)
    assert apply_all(initial, events) == landmark.state
    kinds = {type(e) for e in events}
    assert {SidewaysDiscovered, OpportunityPaid, LandmarkOpened, ExpeditionResolved} <= kinds
    for event in events:
        assert decode_event(encode_event(event)) == event
    assert all(e.status is ExpeditionStatus.RESOLVED for e in landmark.state.expeditions.values())
    assert landmark.state.theories[TheoryId("T-1")].status is TheoryStatus.OPEN
