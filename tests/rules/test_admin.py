"""Admin commands (section 3.13): adjustments, forced defection, cancellations.

Section 0 overrides the reference here: D6 (a gain never lowers a balance an admin raised above
the cap, scenario 6) and Q-26 (a cancelled expedition is refunded).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from greatwork.rules.admin import (
    AdjustInfluence,
    AdjustReputation,
    CancelExpedition,
    CancelOrder,
    ForceDefection,
    InfluenceAdjusted,
    ReputationAdjusted,
)
from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.command import Command
from greatwork.rules.constants import Confidence, ExpeditionType, Faction
from greatwork.rules.defection import RETURN_ORDER, ScholarDefected
from greatwork.rules.errors import Conflict, InvalidInput, NotFound
from greatwork.rules.event import Event, Tx, apply_all
from greatwork.rules.expedition import ExpeditionCancelled
from greatwork.rules.ids import ExpeditionCode, Instant, OrderId, PlayerId, ScholarId
from greatwork.rules.negotiation import DEADLINE_ORDER
from greatwork.rules.order import OrderCancelled
from greatwork.rules.player import InfluenceChanged, gain_influence
from greatwork.rules.state import (
    CampaignState,
    Contract,
    EmployerKind,
    Expedition,
    ExpeditionStatus,
    Order,
    OrderStatus,
    Pause,
)
from greatwork.rules.symposium import REMINDER_ORDER
from tests.rules.builders import T0, influence, make_player, make_scholar, make_state, run

ADMIN = PlayerId("admin")
P1 = PlayerId("p1")
S1 = ScholarId("s.one")
CODE = ExpeditionCode("EXP-1")


def _state(**overrides: object) -> CampaignState:
    return make_state([make_player("p1", **overrides)])


def _expedition(status: ExpeditionStatus = ExpeditionStatus.PENDING) -> Expedition:
    return Expedition(
        code=CODE,
        player=P1,
        type=ExpeditionType.FIELD,
        objective="the lost harbour",
        confidence=Confidence.SUSPECT,
        launched_at=T0,
        funding=(Faction.ACADEMIA, Faction.INDUSTRY),
        paid={Faction.ACADEMIA: 1, Faction.INDUSTRY: 1},
        status=status,
    )


def _order(oid: str, order_type: str, status: OrderStatus = OrderStatus.PENDING) -> Order:
    return Order(id=OrderId(oid), type=order_type, created_at=T0, status=status)


def _check_replay(state: CampaignState, events: tuple[Event, ...], after: CampaignState) -> None:
    assert apply_all(state, events) == after
    for event in events:
        assert decode_event(encode_event(event)) == event


# --- adjust reputation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "delta", "after", "applied"),
    [
        (0, 10, 10, 10),
        (0, -7, -7, -7),
        (45, 10, 50, 5),
        (-45, -10, -50, -5),
        (0, 100, 50, 50),
        (0, -100, -50, -50),
        (50, 1, 50, 0),
    ],
)
def test_adjust_reputation_clamps(start: int, delta: int, after: int, applied: int) -> None:
    """Section 3.13: clamped to ±50; the event records the old and new values."""
    state = _state(reputation=start)
    cmd = AdjustReputation(actor=ADMIN, at=T0, player=P1, delta=delta, reason="for the record")
    result = run(state, cmd)
    assert result.events == (
        ReputationAdjusted(
            at=T0,
            admin=ADMIN,
            player=P1,
            delta=applied,
            before=start,
            after=after,
            reason="for the record",
        ),
    )
    assert result.state.players[P1].reputation == after
    _check_replay(state, result.events, result.state)


@pytest.mark.parametrize("delta", [0, 101, -101, 1000])
def test_adjustments_refuse_bad_deltas(delta: int) -> None:
    state = _state()
    commands: list[Command] = [
        AdjustReputation(actor=ADMIN, at=T0, player=P1, delta=delta),
        AdjustInfluence(actor=ADMIN, at=T0, player=P1, faction=Faction.ACADEMIA, delta=delta),
    ]
    for cmd in commands:
        with pytest.raises(InvalidInput, match="between -100 and 100, and not 0") as info:
            run(state, cmd)
        assert info.value.data == {"delta": delta}


@pytest.mark.parametrize(
    "cmd",
    [
        AdjustReputation(actor=ADMIN, at=T0, player=PlayerId("ghost"), delta=5),
        AdjustInfluence(
            actor=ADMIN, at=T0, player=PlayerId("ghost"), faction=Faction.RELIGION, delta=5
        ),
    ],
)
def test_adjustments_refuse_unknown_players(cmd: Command) -> None:
    with pytest.raises(NotFound, match="No player 'ghost'") as info:
        run(_state(), cmd)
    assert info.value.data == {"player": "ghost"}


def test_reason_is_cleaned_and_defaulted() -> None:
    state = _state()
    messy = AdjustReputation(actor=ADMIN, at=T0, player=P1, delta=1, reason="  too \n  kind  ")
    blank = AdjustReputation(actor=ADMIN, at=T0, player=P1, delta=1, reason="   ")
    first = run(state, messy).events[0]
    second = run(state, blank).events[0]
    assert isinstance(first, ReputationAdjusted)
    assert isinstance(second, ReputationAdjusted)
    assert first.reason == "too kind"
    assert second.reason == "Admin adjustment"


@pytest.mark.parametrize(
    "make",
    [
        lambda reason: AdjustReputation(actor=ADMIN, at=T0, player=P1, delta=1, reason=reason),
        lambda reason: AdjustInfluence(
            actor=ADMIN, at=T0, player=P1, faction=Faction.ACADEMIA, delta=1, reason=reason
        ),
        lambda reason: ForceDefection(
            actor=ADMIN, at=T0, scholar=S1, faction=Faction.INDUSTRY, reason=reason
        ),
        lambda reason: CancelExpedition(actor=ADMIN, at=T0, code=CODE, reason=reason),
        lambda reason: CancelOrder(actor=ADMIN, at=T0, order=OrderId("O-1"), reason=reason),
    ],
)
def test_every_admin_command_refuses_a_reason_over_200(make: Callable[[str], Command]) -> None:
    state = make_state(
        [make_player("p1")],
        [make_scholar(str(S1))],
        expeditions={CODE: _expedition()},
        orders={OrderId("O-1"): _order("O-1", REMINDER_ORDER)},
    )
    ok = run(state, make("x" * 200))
    assert ok.events
    with pytest.raises(InvalidInput, match="at most 200 characters") as info:
        run(state, make("x" * 201))
    assert info.value.data == {"field": "reason", "limit": 200, "length": 201}


# --- adjust influence ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "delta", "after", "applied"),
    [
        (2, 3, 5, 3),
        (0, 10, 10, 10),  # scenario 6: the cap (6 at reputation 0) is ignored
        (6, 100, 106, 100),
        (2, -5, 0, -2),  # floors at 0
        (0, -1, 0, 0),
    ],
)
def test_adjust_influence_ignores_cap_and_floors_at_zero(
    start: int, delta: int, after: int, applied: int
) -> None:
    state = _state(influence=influence(government=start))
    cmd = AdjustInfluence(
        actor=ADMIN, at=T0, player=P1, faction=Faction.GOVERNMENT, delta=delta, reason="grant"
    )
    result = run(state, cmd)
    assert result.events == (
        InfluenceAdjusted(
            at=T0,
            admin=ADMIN,
            player=P1,
            faction=Faction.GOVERNMENT,
            delta=applied,
            before=start,
            after=after,
            reason="grant",
        ),
    )
    assert result.state.players[P1].influence == influence(government=after)
    _check_replay(state, result.events, result.state)


def test_adjust_influence_in_a_faction_the_player_never_held() -> None:
    state = _state(influence={Faction.ACADEMIA: 2})
    cmd = AdjustInfluence(actor=ADMIN, at=T0, player=P1, faction=Faction.FOREIGN, delta=4)
    result = run(state, cmd)
    event = result.events[0]
    assert isinstance(event, InfluenceAdjusted)
    assert (event.before, event.after, event.reason) == (0, 4, "Admin adjustment")
    assert result.state.players[P1].influence == {Faction.ACADEMIA: 2, Faction.FOREIGN: 4}


def test_scenario_6_admin_raise_survives_a_later_gain() -> None:
    """Scenario 6, Required by D6: admin +10 academia gives 10; a +1 gain leaves 10 (not 6)."""
    state = _state(reputation=0, influence=influence(academia=0))
    cmd = AdjustInfluence(actor=ADMIN, at=T0, player=P1, faction=Faction.ACADEMIA, delta=10)
    after_admin = run(state, cmd).state
    assert after_admin.players[P1].influence[Faction.ACADEMIA] == 10
    tx = Tx(after_admin)
    assert gain_influence(tx, P1, {Faction.ACADEMIA: 1}, Instant(T0 + 1), "recruit") == {}
    assert tx.events == []
    assert tx.state.players[P1].influence[Faction.ACADEMIA] == 10


# --- paused, and no player creation ----------------------------------------------------------


def test_admin_commands_run_while_paused_and_create_no_player() -> None:
    pause = Pause(reason="maintenance", source="admin", since=T0)
    state = make_state([make_player("p1")], pause=pause)
    result = run(state, AdjustReputation(actor=ADMIN, at=T0, player=P1, delta=3))
    assert result.state.players[P1].reputation == 3
    assert ADMIN not in result.state.players
    assert set(result.state.players) == {P1}
    assert result.state.pause == pause


# --- force defection -------------------------------------------------------------------------


def test_force_defection_moves_the_scholar() -> None:
    state = make_state([make_player("p1")], [make_scholar(str(S1))])
    cmd = ForceDefection(actor=ADMIN, at=T0, scholar=S1, faction=Faction.INDUSTRY)
    result = run(state, cmd)
    defected = result.events[0]
    assert isinstance(defected, ScholarDefected)
    assert defected.cause == "forced"
    assert defected.by == ADMIN
    assert defected.reason == "Admin decision"
    assert defected.roll is None
    assert result.state.scholars[S1].contract == Contract(
        employer="industry",
        kind=EmployerKind.FACTION,
        term_years=2,
        faction=Faction.INDUSTRY,
        since=T0,
    )
    assert [o.type for o in result.state.orders.values()] == [RETURN_ORDER]
    assert ADMIN not in result.state.players
    _check_replay(state, result.events, result.state)


def test_force_defection_refusals() -> None:
    state = make_state([], [make_scholar(str(S1))])
    unknown = ForceDefection(
        actor=ADMIN, at=T0, scholar=ScholarId("s.nobody"), faction=Faction.ACADEMIA
    )
    with pytest.raises(NotFound):
        run(state, unknown)
    first = run(state, ForceDefection(actor=ADMIN, at=T0, scholar=S1, faction=Faction.RELIGION))
    again = ForceDefection(actor=ADMIN, at=T0, scholar=S1, faction=Faction.RELIGION)
    with pytest.raises(Conflict, match="already serves religion"):
        run(first.state, again)


# --- cancel expedition -----------------------------------------------------------------------


def test_cancel_expedition_refunds_what_was_paid() -> None:
    """Q-26 fixed: the cost is refunded; the code is matched case-insensitively."""
    state = make_state(
        [make_player("p1", influence=influence(academia=1, industry=1))],
        expeditions={CODE: _expedition()},
    )
    cmd = CancelExpedition(actor=ADMIN, at=T0, code=ExpeditionCode("  exp-1 "))
    result = run(state, cmd)
    refund = {Faction.ACADEMIA: 1, Faction.INDUSTRY: 1}
    assert result.events == (
        ExpeditionCancelled(
            at=T0, code=CODE, by=ADMIN, reason="Cancelled by an admin", refund=refund
        ),
        InfluenceChanged(
            at=T0, player=P1, deltas=refund, reason="expedition refund", ref=str(CODE)
        ),
    )
    assert result.state.expeditions[CODE].status is ExpeditionStatus.CANCELLED
    assert result.state.players[P1].influence == influence(academia=2, industry=2)
    _check_replay(state, result.events, result.state)


def test_cancel_expedition_refusals() -> None:
    state = make_state(
        [make_player("p1")], expeditions={CODE: _expedition(ExpeditionStatus.RESOLVED)}
    )
    with pytest.raises(NotFound, match="No expedition 'EXP-9'"):
        run(state, CancelExpedition(actor=ADMIN, at=T0, code=ExpeditionCode("exp-9")))
    with pytest.raises(Conflict, match="Expedition EXP-1 is already resolved"):
        run(state, CancelExpedition(actor=ADMIN, at=T0, code=CODE))


# --- cancel order ----------------------------------------------------------------------------


def test_cancel_order() -> None:
    oid = OrderId("O-1")
    state = make_state(orders={oid: _order("O-1", REMINDER_ORDER)})
    result = run(state, CancelOrder(actor=ADMIN, at=T0, order=oid, reason="stale"))
    assert result.events == (OrderCancelled(at=T0, order=oid, reason="stale", by=ADMIN),)
    order = result.state.orders[oid]
    assert (order.status, order.ended_at, order.reason) == (OrderStatus.CANCELLED, T0, "stale")
    _check_replay(state, result.events, result.state)


def test_cancel_order_refusals() -> None:
    orders = {
        OrderId("O-1"): _order("O-1", REMINDER_ORDER, OrderStatus.COMPLETED),
        OrderId("O-2"): _order("O-2", DEADLINE_ORDER),
    }
    state = make_state(orders=orders)
    with pytest.raises(NotFound, match="No order 'O-9'"):
        run(state, CancelOrder(actor=ADMIN, at=T0, order=OrderId("O-9")))
    with pytest.raises(Conflict, match="Order O-1 is already completed"):
        run(state, CancelOrder(actor=ADMIN, at=T0, order=OrderId("O-1")))
    with pytest.raises(Conflict, match="settles an offer chain") as info:
        run(state, CancelOrder(actor=ADMIN, at=T0, order=OrderId("O-2")))
    assert info.value.data == {"order": "O-2"}
