"""Orders: scheduled work the digest carries out (activations, followups, deadlines).

An order is due when it is pending and ``scheduled_at`` is unset or not after now; due orders
run in creation order. Each order type has one handler, registered with :func:`handles`, and
belongs to one digest step (see ``rules.digest``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from greatwork.rules.command import Context
from greatwork.rules.errors import Conflict, NotFound
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant, OrderId
from greatwork.rules.player import bump_counter, next_id
from greatwork.rules.state import CampaignState, Order, OrderStatus, Scalar

# The digest steps orders belong to, in the order the digest runs them.
STEP_MENTORSHIP = "mentorship"
STEP_FOLLOWUPS = "followups"
STEP_CONFERENCES = "conferences"

OrderHandler = Callable[[Tx, Order, Context], None]
_HANDLERS: dict[str, tuple[str, OrderHandler]] = {}


def handles(order_type: str, step: str = STEP_FOLLOWUPS) -> Callable[[OrderHandler], OrderHandler]:
    """Register the handler of one order type, run in the given digest step."""

    def register(fn: OrderHandler) -> OrderHandler:
        if order_type in _HANDLERS:
            raise RuntimeError(f"two handlers for order type {order_type!r}")
        _HANDLERS[order_type] = (step, fn)
        return fn

    return register


def order_types() -> frozenset[str]:
    """Every order type with a handler."""
    return frozenset(_HANDLERS)


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderScheduled(Event):
    """New scheduled work."""

    order: Order


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderCompleted(Event):
    """An order was carried out."""

    order: OrderId


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderCancelled(Event):
    """An order was dropped before it ran (by an admin, or because its subject is gone)."""

    order: OrderId
    reason: str
    by: str = ""


def _set_order(state: CampaignState, order: Order) -> CampaignState:
    return dataclasses.replace(state, orders={**state.orders, order.id: order})


@applies(OrderScheduled)
def _scheduled(state: CampaignState, e: OrderScheduled) -> CampaignState:
    return _set_order(bump_counter(state, "order"), e.order)


@applies(OrderCompleted)
def _completed(state: CampaignState, e: OrderCompleted) -> CampaignState:
    order = dataclasses.replace(state.orders[e.order], status=OrderStatus.COMPLETED, ended_at=e.at)
    return _set_order(state, order)


@applies(OrderCancelled)
def _cancelled(state: CampaignState, e: OrderCancelled) -> CampaignState:
    order = dataclasses.replace(
        state.orders[e.order], status=OrderStatus.CANCELLED, ended_at=e.at, reason=e.reason
    )
    return _set_order(state, order)


# --- helpers ---------------------------------------------------------------------------------


def schedule(
    tx: Tx,
    order_type: str,
    at: Instant,
    *,
    due: Instant | None = None,
    actor: str | None = None,
    subject: str | None = None,
    payload: Mapping[str, Scalar] | None = None,
) -> OrderId:
    """Schedule an order; ``due=None`` means the next digest."""
    if order_type not in _HANDLERS:
        raise RuntimeError(f"no handler for order type {order_type!r}")
    order_id = OrderId(f"O-{next_id(tx.state, 'order')}")
    order = Order(
        id=order_id,
        type=order_type,
        created_at=at,
        actor=actor,
        subject=subject,
        payload=dict(payload or {}),
        scheduled_at=due,
    )
    tx.emit(OrderScheduled(at=at, order=order))
    return order_id


def cancel(tx: Tx, order_id: OrderId, at: Instant, reason: str, by: str = "") -> None:
    """Cancel a pending order; refuse unknown or finished ones."""
    order = tx.state.orders.get(order_id)
    if order is None:
        raise NotFound(f"No order {order_id!r}.", order=order_id)
    if order.status is not OrderStatus.PENDING:
        raise Conflict(f"Order {order_id} is already {order.status}.", order=order_id)
    tx.emit(OrderCancelled(at=at, order=order_id, reason=reason, by=by))


def is_due(order: Order, now: Instant) -> bool:
    """Pending, and not scheduled after now."""
    return order.status is OrderStatus.PENDING and (
        order.scheduled_at is None or order.scheduled_at <= now
    )


def pending(state: CampaignState, order_type: str | None = None) -> list[Order]:
    """Pending orders, oldest first, optionally of one type."""
    return [
        o
        for o in state.orders.values()
        if o.status is OrderStatus.PENDING and (order_type is None or o.type == order_type)
    ]


def run_due(tx: Tx, step: str, ctx: Context, now: Instant) -> int:
    """Run every due order of a digest step, in creation order; return how many ran.

    Each handler emits its effects; the order is then marked completed unless the handler
    already completed or cancelled it.
    """
    ctx = dataclasses.replace(ctx, now=now)
    due = [
        o
        for o in tx.state.orders.values()
        if is_due(o, now) and _HANDLERS.get(o.type, ("", None))[0] == step
    ]
    ran = 0
    for order in due:
        current = tx.state.orders[order.id]
        if current.status is not OrderStatus.PENDING:
            continue  # an earlier handler in this step settled it
        _HANDLERS[order.type][1](tx, current, ctx)
        ran += 1
        if tx.state.orders[order.id].status is OrderStatus.PENDING:
            tx.emit(OrderCompleted(at=now, order=order.id))
    return ran


def order_time(order: Order, ctx: Context) -> Instant:
    """When a handler's events happen: the digest running it, else the order's due time."""
    if ctx.now:
        return ctx.now
    return order.scheduled_at if order.scheduled_at is not None else order.created_at


def payload_int(order: Order, key: str, default: int = 0) -> int:
    """An integer from an order's payload."""
    value: Any = order.payload.get(key, default)
    return int(value)
