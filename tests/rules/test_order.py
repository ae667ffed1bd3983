"""Orders: scheduling, cancelling, the pending filter and the digest's run_due."""

from __future__ import annotations

import dataclasses

import pytest

from greatwork.rules import order as order_module
from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.command import Context
from greatwork.rules.defection import GRUDGE_ORDER, RETURN_ORDER
from greatwork.rules.errors import Conflict, NotFound
from greatwork.rules.event import Tx, apply_all
from greatwork.rules.ids import Instant, OrderId
from greatwork.rules.order import (
    STEP_CONFERENCES,
    STEP_FOLLOWUPS,
    STEP_MENTORSHIP,
    OrderCancelled,
    OrderCompleted,
    OrderScheduled,
    cancel,
    handles,
    is_due,
    order_time,
    order_types,
    payload_int,
    pending,
    run_due,
    schedule,
)
from greatwork.rules.state import Order, OrderStatus
from greatwork.rules.symposium import REMINDER_ORDER
from tests.rules.builders import T0, ctx, make_state

O1 = OrderId("O-1")
O2 = OrderId("O-2")


def _at(seconds: int) -> Instant:
    return Instant(T0 + seconds)


def test_order_types_include_the_registered_handlers() -> None:
    types = order_types()
    assert {REMINDER_ORDER, GRUDGE_ORDER, RETURN_ORDER} <= types
    assert "nope" not in types


def test_handles_refuses_a_second_handler() -> None:
    def again(tx: Tx, order: Order, context: Context) -> None:
        del tx, order, context

    with pytest.raises(RuntimeError, match="two handlers for order type 'followup:return_offer'"):
        handles(RETURN_ORDER)(again)


def test_schedule_records_numbered_orders() -> None:
    state = make_state()
    tx = Tx(state)
    first = schedule(tx, GRUDGE_ORDER, T0, subject="s.a", payload={"key": "p:p1"})
    second = schedule(tx, RETURN_ORDER, _at(5), due=_at(100), actor="admin")
    assert (first, second) == (O1, O2)
    assert tx.state.counters == {"order": 2}
    assert tx.events[0] == OrderScheduled(
        at=T0,
        order=Order(
            id=O1, type=GRUDGE_ORDER, created_at=T0, subject="s.a", payload={"key": "p:p1"}
        ),
    )
    assert tx.state.orders[O2] == Order(
        id=O2, type=RETURN_ORDER, created_at=_at(5), actor="admin", scheduled_at=_at(100)
    )
    assert apply_all(state, tx.events) == tx.state
    for event in tx.events:
        assert decode_event(encode_event(event)) == event


def test_schedule_refuses_unknown_order_types() -> None:
    tx = Tx(make_state())
    with pytest.raises(RuntimeError, match="no handler for order type 'followup:nothing'"):
        schedule(tx, "followup:nothing", T0)
    assert tx.events == []


def test_cancel() -> None:
    tx = Tx(make_state())
    schedule(tx, GRUDGE_ORDER, T0)
    cancel(tx, O1, _at(10), "gone", by="admin")
    assert tx.events[-1] == OrderCancelled(at=_at(10), order=O1, reason="gone", by="admin")
    order = tx.state.orders[O1]
    assert (order.status, order.ended_at, order.reason) == (OrderStatus.CANCELLED, _at(10), "gone")
    assert pending(tx.state) == []


def test_cancel_refuses_unknown_and_finished_orders() -> None:
    tx = Tx(make_state())
    schedule(tx, GRUDGE_ORDER, T0)
    schedule(tx, GRUDGE_ORDER, T0)
    with pytest.raises(NotFound, match="No order 'O-7'") as info:
        cancel(tx, OrderId("O-7"), T0, "why")
    assert info.value.data == {"order": "O-7"}
    cancel(tx, O1, T0, "first")
    with pytest.raises(Conflict, match="Order O-1 is already cancelled"):
        cancel(tx, O1, T0, "again")
    tx.emit(OrderCompleted(at=T0, order=O2))
    with pytest.raises(Conflict, match="Order O-2 is already completed"):
        cancel(tx, O2, T0, "late")


def test_pending_filters_by_type_and_status() -> None:
    tx = Tx(make_state())
    schedule(tx, GRUDGE_ORDER, T0)
    schedule(tx, RETURN_ORDER, T0)
    schedule(tx, GRUDGE_ORDER, T0)
    schedule(tx, GRUDGE_ORDER, T0)
    cancel(tx, OrderId("O-3"), T0, "no")
    assert [o.id for o in pending(tx.state)] == ["O-1", "O-2", "O-4"]
    assert [o.id for o in pending(tx.state, GRUDGE_ORDER)] == ["O-1", "O-4"]
    assert [o.id for o in pending(tx.state, RETURN_ORDER)] == ["O-2"]
    assert pending(tx.state, REMINDER_ORDER) == []


@pytest.mark.parametrize(
    ("scheduled", "status", "now", "due"),
    [
        (None, OrderStatus.PENDING, 0, True),
        (100, OrderStatus.PENDING, 100, True),
        (100, OrderStatus.PENDING, 99, False),
        (None, OrderStatus.COMPLETED, 0, False),
        (None, OrderStatus.CANCELLED, 0, False),
    ],
)
def test_is_due(scheduled: int | None, status: OrderStatus, now: int, due: bool) -> None:
    at = None if scheduled is None else _at(scheduled)
    order = Order(id=O1, type=GRUDGE_ORDER, created_at=T0, scheduled_at=at, status=status)
    assert is_due(order, _at(now)) is due


def test_run_due_runs_due_orders_of_its_step_and_completes_them() -> None:
    tx = Tx(make_state())
    schedule(tx, GRUDGE_ORDER, T0)  # the scholar is absent: the handler does nothing
    schedule(tx, GRUDGE_ORDER, T0, due=_at(1000))
    assert run_due(tx, STEP_MENTORSHIP, ctx(), _at(10)) == 0
    assert run_due(tx, STEP_CONFERENCES, ctx(), _at(10)) == 0
    assert run_due(tx, STEP_FOLLOWUPS, ctx(), _at(10)) == 1
    assert tx.events[-1] == OrderCompleted(at=_at(10), order=O1)
    assert tx.state.orders[O1].status is OrderStatus.COMPLETED
    assert tx.state.orders[O1].ended_at == _at(10)
    assert [o.id for o in pending(tx.state)] == [O2]
    assert run_due(tx, STEP_FOLLOWUPS, ctx(), _at(1000)) == 1
    assert pending(tx.state) == []


def test_run_due_skips_orders_an_earlier_handler_settled(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[OrderId, Instant]] = []

    def cancel_the_next(tx: Tx, order: Order, context: Context) -> None:
        seen.append((order.id, context.now))
        cancel(tx, OrderId(str(order.payload["next"])), context.now, "superseded")

    def complete_itself(tx: Tx, order: Order, context: Context) -> None:
        seen.append((order.id, context.now))
        tx.emit(OrderCompleted(at=context.now, order=order.id))

    monkeypatch.setitem(order_module._HANDLERS, "test:cancel", (STEP_FOLLOWUPS, cancel_the_next))
    monkeypatch.setitem(order_module._HANDLERS, "test:self", (STEP_FOLLOWUPS, complete_itself))
    tx = Tx(make_state())
    schedule(tx, "test:cancel", T0, payload={"next": "O-2"})
    schedule(tx, "test:self", T0)
    schedule(tx, "test:self", T0)
    start = len(tx.events)
    assert run_due(tx, STEP_FOLLOWUPS, ctx(), _at(50)) == 2  # O-2 was cancelled, not run
    assert seen == [(O1, _at(50)), (OrderId("O-3"), _at(50))]
    assert tx.events[start:] == [
        OrderCancelled(at=_at(50), order=O2, reason="superseded"),
        OrderCompleted(at=_at(50), order=O1),
        OrderCompleted(at=_at(50), order=OrderId("O-3")),  # once: the handler completed it
    ]
    assert tx.state.orders[O2].status is OrderStatus.CANCELLED


@pytest.mark.parametrize(
    ("now", "scheduled", "expected"),
    [(500, 100, 500), (0, 100, 100), (0, None, 0)],
)
def test_order_time(now: int, scheduled: int | None, expected: int) -> None:
    context = dataclasses.replace(ctx(), now=Instant(T0 + now) if now else Instant(0))
    at = None if scheduled is None else _at(scheduled)
    order = Order(id=O1, type=GRUDGE_ORDER, created_at=T0, scheduled_at=at)
    assert order_time(order, context) == _at(expected)


def test_payload_int() -> None:
    order = Order(
        id=O1, type=GRUDGE_ORDER, created_at=T0, payload={"stage": 2, "text": "7", "f": 3.9}
    )
    assert payload_int(order, "stage") == 2
    assert payload_int(order, "text") == 7
    assert payload_int(order, "f") == 3
    assert payload_int(order, "missing") == 0
    assert payload_int(order, "missing", 5) == 5
