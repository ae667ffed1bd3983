"""The core: players, influence cap and costs, codec, apply and the command executor."""

from __future__ import annotations

import dataclasses

import pytest

from greatwork.rules import event as event_module
from greatwork.rules.admin import AdjustReputation
from greatwork.rules.codec import decode, decode_event, encode, encode_event
from greatwork.rules.constants import DAY, Confidence, Faction
from greatwork.rules.errors import InsufficientInfluence, InvalidInput, ReplayError
from greatwork.rules.event import Event, Tx, apply, apply_all
from greatwork.rules.ids import Instant, PlayerId
from greatwork.rules.player import (
    InfluenceChanged,
    PlayerActive,
    capped_gain,
    change_reputation,
    ensure_player,
    gain_influence,
    influence_cap,
    parse_faction,
    spend_influence,
)
from greatwork.rules.state import CampaignState
from greatwork.rules.theory import SubmitTheory
from tests.rules.builders import T0, influence, make_player, make_state, run

P1 = PlayerId("p1")


@pytest.mark.parametrize(
    ("reputation", "cap"), [(-50, 6), (0, 6), (4, 6), (5, 7), (10, 8), (12, 8), (50, 16)]
)
def test_influence_cap(reputation: int, cap: int) -> None:
    """Scenario 6: cap 6 at reputation 0, 8 at 12."""
    assert influence_cap(reputation) == cap


@pytest.mark.parametrize(
    ("current", "amount", "gained"),
    [(0, 3, 3), (5, 3, 1), (6, 1, 0), (10, 1, 0), (2, 0, 0), (2, -1, 0)],
)
def test_capped_gain_never_lowers(current: int, amount: int, gained: int) -> None:
    """D6: a gain stops at the cap (6 here); a balance above the cap is left as it is."""
    assert capped_gain(current, amount, 6) == gained


def test_admin_raised_balance_keeps_value_on_gain() -> None:
    """Scenario 6, Required: admin +10 gives 10; a later +1 gain leaves 10 (not 6)."""
    state = make_state([make_player("p1", influence=influence(academia=10))])
    tx = Tx(state)
    applied = gain_influence(tx, P1, {Faction.ACADEMIA: 1}, T0, "test")
    assert applied == {}
    assert tx.state.players[P1].influence[Faction.ACADEMIA] == 10
    assert tx.events == []


def test_spend_refuses_and_names_the_shortfall() -> None:
    state = make_state([make_player("p1", influence=influence(government=1))])
    tx = Tx(state)
    with pytest.raises(InsufficientInfluence) as info:
        spend_influence(tx, P1, {Faction.GOVERNMENT: 3}, T0, "test")
    assert info.value.data["faction"] == Faction.GOVERNMENT
    assert info.value.data["shortfall"] == 2
    assert "government" in str(info.value)
    assert tx.events == []


@pytest.mark.parametrize(("start", "delta", "after"), [(45, 15, 50), (-40, -25, -50), (0, 5, 5)])
def test_reputation_clamps(start: int, delta: int, after: int) -> None:
    """Scenario 3: 45 + 15 -> 50; -40 - 25 -> -50."""
    tx = Tx(make_state([make_player("p1", reputation=start)]))
    change_reputation(tx, P1, delta, T0, "test")
    assert tx.state.players[P1].reputation == after


def test_new_player_starts_with_two_in_each_faction() -> None:
    """D6: a new player starts with 2 influence in each of the five factions."""
    tx = Tx(make_state())
    ensure_player(tx, P1, "  Ada  ", T0)
    ensure_player(tx, P1, "ignored", T0)
    assert len(tx.events) == 1
    player = tx.state.players[P1]
    assert player.display_name == "Ada"
    assert dict(player.influence) == influence(
        academia=2, government=2, industry=2, religion=2, foreign=2
    )


@pytest.mark.parametrize(
    ("text", "faction"),
    [
        ("academia", Faction.ACADEMIA),
        (" Religious ", Faction.RELIGION),
        ("academic", Faction.ACADEMIA),
    ],
)
def test_parse_faction_normalises_labels(text: str, faction: Faction) -> None:
    """Q-5: labels map onto the five keys."""
    assert parse_faction(text) is faction


def test_parse_faction_refuses_phantom_keys() -> None:
    with pytest.raises(InvalidInput, match="Unknown faction 'church'"):
        parse_faction("church")


def test_codec_round_trips_state_and_events() -> None:
    tx = Tx(make_state())
    ensure_player(tx, P1, "Ada", T0)
    gain_influence(tx, P1, {Faction.ACADEMIA: 3}, Instant(T0 + 1), "test", ref="x")
    for event in tx.events:
        assert decode_event(encode_event(event)) == event
    assert decode(CampaignState, encode(tx.state)) == tx.state
    assert apply_all(make_state(), tx.events) == tx.state


def test_apply_counts_events() -> None:
    tx = Tx(make_state())
    ensure_player(tx, P1, "Ada", T0)
    assert tx.state.seq == 1


def test_decode_refuses_unknown_event_types() -> None:
    with pytest.raises(ReplayError, match="unknown event type"):
        decode_event({"type": "NoSuchEvent", "at": 1})


def test_decode_refuses_bad_values() -> None:
    good = encode_event(InfluenceChanged(at=T0, player=P1, deltas={Faction.FOREIGN: 1}, reason="r"))
    bad = {**good, "deltas": {"church": 1}}
    with pytest.raises(ReplayError):
        decode_event(bad)


def test_apply_refuses_events_without_applier() -> None:
    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class Stray(Event):
        pass

    with pytest.raises(ReplayError, match="no applier for Stray"):
        apply(make_state(), Stray(at=T0))


def test_player_commands_record_activity_once_a_day() -> None:
    """The symposium's 14-day inactivity rule needs to know who acts, not only who votes."""

    def theory(at: int) -> SubmitTheory:
        return SubmitTheory(
            actor=P1, at=Instant(at), theory="Tin came by sea", confidence=Confidence.SUSPECT
        )

    state = make_state([make_player("p1")])
    same_day = run(state, theory(T0 + 3_600))
    assert not any(isinstance(e, PlayerActive) for e in same_day.events)
    later = run(same_day.state, theory(T0 + 20 * DAY))
    assert later.events[-1] == PlayerActive(at=Instant(T0 + 20 * DAY), player=P1)
    assert later.state.players[P1].last_active_at == T0 + 20 * DAY
    admin = AdjustReputation(actor=P1, at=Instant(T0 + 40 * DAY), player=P1, delta=1)
    assert not any(isinstance(e, PlayerActive) for e in run(later.state, admin).events)


def test_apply_copies_every_field_and_counts_the_event() -> None:
    """apply's fast copy must equal dataclasses.replace, field for field."""
    state = make_state(players=[make_player("p1")])
    event = PlayerActive(at=Instant(T0 + DAY), player=PlayerId("p1"))
    after = apply(state, event)
    applied = event_module._APPLIERS[PlayerActive](state, event)
    assert after == dataclasses.replace(applied, seq=state.seq + 1)  # the slow path
    assert after.seq == state.seq + 1
    assert {f.name for f in dataclasses.fields(CampaignState)} == set(CampaignState.__slots__)
    for field in dataclasses.fields(CampaignState):
        if field.name not in {"seq", "players"}:
            assert getattr(after, field.name) is getattr(state, field.name)
