"""Press writers for admin actions: every one is printed, with the admin and the reason."""

from __future__ import annotations

from typing import Final

from greatwork.press._desk import (
    Desk,
    Story,
    Writer,
    amounts,
    clause,
    date_text,
    faction_name,
    registry,
    signed,
    words,
)
from greatwork.rules.admin import InfluenceAdjusted, ReputationAdjusted
from greatwork.rules.commitment import CommitmentCreated
from greatwork.rules.expedition import ExpeditionCancelled
from greatwork.rules.order import OrderCancelled
from greatwork.rules.pause import SOURCE_LLM, GameResumed, PauseStarted
from greatwork.rules.project import ProjectCreated

WRITERS: dict[str, Writer] = {}
writes = registry(WRITERS)

# Who cancels orders besides admins: the rules themselves, tidying up (not news).
HOUSEKEEPERS: Final = frozenset({"", "roster", "sidecast", "system"})


@writes(ReputationAdjusted)
def _reputation(e: ReputationAdjusted, desk: Desk) -> Story:
    fields: dict[str, object] = {
        "admin": desk.player(e.admin),
        "reason": clause(e.reason),
        "player": desk.player(e.player),
        "delta": signed(e.delta),
        "before": e.before,
        "after": e.after,
    }
    return Story("reputation_adjusted", fields, {"admin": e.admin, "player": e.player})


@writes(InfluenceAdjusted)
def _influence(e: InfluenceAdjusted, desk: Desk) -> Story:
    fields: dict[str, object] = {
        "admin": desk.player(e.admin),
        "reason": clause(e.reason),
        "player": desk.player(e.player),
        "faction": faction_name(e.faction),
        "delta": signed(e.delta),
        "before": e.before,
        "after": e.after,
    }
    meta = {"admin": e.admin, "player": e.player, "faction": str(e.faction)}
    return Story("influence_adjusted", fields, meta)


@writes(ExpeditionCancelled)
def _expedition(e: ExpeditionCancelled, desk: Desk) -> Story:
    expedition = desk.state.expeditions.get(e.code)
    leader = expedition.player if expedition is not None else ""
    fields: dict[str, object] = {
        "admin": desk.player(e.by),
        "reason": clause(e.reason),
        "code": e.code,
        "player": desk.player(leader),
        "refund": amounts(e.refund),
    }
    return Story("expedition_cancelled", fields, {"admin": e.by, "code": e.code, "player": leader})


@writes(OrderCancelled)
def _order(e: OrderCancelled, desk: Desk) -> Story | None:
    if e.by in HOUSEKEEPERS:
        return None
    order = desk.state.orders.get(e.order)
    kind = order.type.removeprefix("followup:") if order is not None else "order"
    fields: dict[str, object] = {
        "admin": desk.player(e.by),
        "reason": clause(e.reason),
        "order": e.order,
        "order_type": words(kind),
    }
    return Story("order_cancelled", fields, {"admin": e.by, "order": e.order})


@writes(PauseStarted)
def _paused(e: PauseStarted, desk: Desk) -> Story:
    meta = {"admin": e.by or None, "source": e.source}
    if e.source == SOURCE_LLM:
        return Story("game_paused_llm", {"reason": clause(e.reason)}, meta)
    return Story("game_paused", {"admin": desk.player(e.by), "reason": clause(e.reason)}, meta)


@writes(GameResumed)
def _resumed(e: GameResumed, desk: Desk) -> Story:
    meta = {"admin": e.by or None, "source": e.source}
    if e.source == SOURCE_LLM:
        return Story("game_resumed_llm", {}, meta)
    return Story("game_resumed", {"admin": desk.player(e.by)}, meta)


@writes(CommitmentCreated)
def _commitment(e: CommitmentCreated, desk: Desk) -> Story:
    c = e.commitment
    fields: dict[str, object] = {
        "admin": desk.player(e.by),
        "reason": clause(e.reason),
        "commitment": c.id,
        "player": desk.player(c.player),
        "faction": faction_name(c.faction),
        "tier": c.tier,
        "base_cost": c.base_cost,
        "ends": date_text(c.ends_at),
    }
    return Story(
        "commitment_created", fields, {"admin": e.by, "commitment": c.id, "player": c.player}
    )


@writes(ProjectCreated)
def _project(e: ProjectCreated, desk: Desk) -> Story:
    p = e.project
    fields: dict[str, object] = {
        "admin": desk.player(e.by),
        "reason": "",
        "project": p.id,
        "name": p.name,
        "faction": faction_name(p.faction),
        "target": f"{p.target:.1f}",
    }
    return Story("project_created", fields, {"admin": e.by, "project": p.id})
