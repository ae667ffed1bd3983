"""Scheduled orders: listing them with filters, and cancelling one."""

from __future__ import annotations

import json
from typing import Any, Final

from greatwork.commands.admin._shared import (
    admin_spec,
    as_json,
    choices,
    flag_option,
    opt_text,
    player_option,
    reason_option,
    who,
)
from greatwork.commands.lookup import resolve_order, resolve_player
from greatwork.commands.options import Lookup, Option, OptionType
from greatwork.commands.render import bullets, iso, jsonable, player_name, plural, when
from greatwork.commands.spec import Attachment, CommandSpec, Field, Invocation, Reply
from greatwork.rules.admin import CancelOrder
from greatwork.rules.constants import HOUR
from greatwork.rules.errors import NotFound
from greatwork.rules.ids import Instant
from greatwork.rules.order import order_types
from greatwork.rules.state import CampaignState, Order, OrderStatus

MAX_LISTED_ORDERS: Final = 50
MAX_AGE_HOURS: Final = 24 * 365
ANY_STATUS: Final = "any"


def _order_number(order: Order) -> tuple[int, str]:
    digits = order.id.partition("-")[2]
    return (int(digits) if digits.isdigit() else 0, order.id)


def _order_actor(state: CampaignState, text: str) -> str:
    """The actor to filter on: a player by id or name, else an actor some order names."""
    try:
        return resolve_player(state, text)
    except NotFound:
        key = text.strip().lower()
        for order in state.orders.values():
            if order.actor is not None and order.actor.lower() == key:
                return order.actor
        raise


def select_orders(
    state: CampaignState,
    now: Instant,
    *,
    order_type: str | None = None,
    status: str = str(OrderStatus.PENDING),
    actor: str | None = None,
    subject: str | None = None,
    older_than_hours: float | None = None,
) -> list[Order]:
    """The orders that pass every filter given, oldest first.

    ``status`` is an order status or ``any``; ``subject`` matches any case; ``older_than_hours``
    keeps orders created at least that many hours before ``now``.
    """
    found = []
    for order in state.orders.values():
        if order_type is not None and order.type != order_type:
            continue
        if status not in (ANY_STATUS, order.status):
            continue
        if actor is not None and order.actor != actor:
            continue
        if subject is not None and (order.subject or "").lower() != subject.strip().lower():
            continue
        if older_than_hours is not None and now - order.created_at < older_than_hours * HOUR:
            continue
        found.append(order)
    return sorted(found, key=lambda o: (o.created_at, _order_number(o)))


def _order_data(state: CampaignState, order: Order, *, payload: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": order.id,
        "type": order.type,
        "status": str(order.status),
        "actor": order.actor,
        "actor_name": player_name(state, order.actor) if order.actor else None,
        "subject": order.subject,
        "created_at": iso(order.created_at),
        "due": iso(order.scheduled_at) if order.scheduled_at is not None else "next digest",
        "ended_at": iso(order.ended_at) if order.ended_at is not None else None,
        "reason": order.reason,
    }
    if payload:
        data["payload"] = jsonable(order.payload)
    return data


def _order_line(state: CampaignState, order: Order, *, payload: bool) -> str:
    due = when(order.scheduled_at) if order.scheduled_at is not None else "next digest"
    parts = [f"{order.id} · {order.type} · {order.status}", f"due {due}"]
    if order.actor:
        parts.append(f"actor {player_name(state, order.actor)}")
    if order.subject:
        parts.append(f"subject {order.subject}")
    parts.append(f"created {when(order.created_at)}")
    line = " · ".join(parts)
    if payload and order.payload:
        line += f"\n  payload {json.dumps(jsonable(order.payload), sort_keys=True)}"
    return line


async def _list_orders(inv: Invocation) -> Reply:
    state = inv.game.state()
    actor_text = inv.options.get("actor_id")
    actor = _order_actor(state, str(actor_text)) if actor_text is not None else None
    subject = inv.options.get("subject_id")
    hours = inv.options.get("older_than_hours")
    limit = int(inv.options["limit"])
    include_payload = bool(inv.options["include_payload"])
    matching = select_orders(
        state,
        inv.at,
        order_type=inv.options.get("order_type"),
        status=str(inv.options["status"]),
        actor=actor,
        subject=None if subject is None else str(subject),
        older_than_hours=None if hours is None else float(hours),
    )
    shown = matching[:limit]
    listed = [_order_data(state, o, payload=include_payload) for o in shown]
    summary = f"{plural(len(matching), 'order')} match; showing {len(shown)}, oldest first."
    files: tuple[Attachment, ...] = ()
    if bool(inv.options["as_file"]):
        full = [_order_data(state, o, payload=True) for o in shown]
        files = (Attachment(filename="orders.json", content=as_json(full)),)
        body = summary + " The listing is attached as orders.json."
    else:
        lines = [_order_line(state, o, payload=include_payload) for o in shown]
        body = summary + "\n" + bullets(lines, "No orders match.")
    return Reply(
        title="Orders",
        body=body,
        files=files,
        data={"matching": len(matching), "count": len(shown), "orders": listed},
    )


async def _cancel_order(inv: Invocation) -> Reply:
    order = resolve_order(inv.game.state(), str(inv.options["order_id"]))
    outcome = await inv.game.execute(
        CancelOrder(**who(inv), order=order, reason=opt_text(inv, "reason"))
    )
    record = outcome.state.orders[order]
    return Reply(
        title="Order cancelled",
        body=f"Order {order} ({record.type}) is cancelled and will not run.",
        fields=(Field(name="Reason", value=record.reason or ""),),
        data={"order": order, "type": record.type, "reason": record.reason},
    )


COMMANDS: Final[tuple[CommandSpec, ...]] = (
    admin_spec(
        "list_orders",
        "List scheduled orders, filtered by type, status, actor, subject or age",
        _list_orders,
        Option(
            name="order_type",
            description="Only orders of this type",
            choices=choices(sorted(order_types())),
        ),
        Option(
            name="status",
            description="Only orders in this status (any: all of them)",
            default=str(OrderStatus.PENDING),
            choices=choices((*(str(s) for s in OrderStatus), ANY_STATUS)),
        ),
        Option(
            name="limit",
            description=f"How many to show, 1 to {MAX_LISTED_ORDERS}",
            type=OptionType.INTEGER,
            default=10,
            min_value=1,
            max_value=MAX_LISTED_ORDERS,
        ),
        player_option("actor_id", required=False),
        Option(name="subject_id", description="Only orders about this id", min_length=1),
        Option(
            name="older_than_hours",
            description="Only orders created at least this many hours ago",
            type=OptionType.NUMBER,
            min_value=0,
            max_value=MAX_AGE_HOURS,
        ),
        flag_option("include_payload", "Show each order's payload"),
        flag_option("as_file", "Attach the listing as orders.json"),
    ),
    admin_spec(
        "cancel_order",
        "Cancel a pending order",
        _cancel_order,
        Option(
            name="order_id",
            description="The order: O-12 or 12",
            required=True,
            min_length=1,
            lookup=Lookup.ORDER,
        ),
        reason_option(required=False),
    ),
)
