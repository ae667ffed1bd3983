"""The game's balance figures and recent activity, as JSON-ready mappings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, Final

from greatwork.actors.types import JournalEntry
from greatwork.commands.render import iso
from greatwork.rules import moderation
from greatwork.rules.constants import (
    DAY,
    EXPEDITION_GATES,
    FACTIONS,
    HOUR,
    RECRUIT_GATE,
    ExpeditionType,
)
from greatwork.rules.ids import Instant
from greatwork.rules.state import CampaignState, EmployerKind, OfferStatus, OrderStatus

JOURNAL_SCAN: Final = 5_000  # the journal entries /telemetry_report reads for the last 24 h
# Reputation bands, aligned with the gates of section 2 (recruit -10, think tank -5, field 0,
# great project 10): (label, lowest, highest).
REPUTATION_BANDS: Final = (
    ("-50 to -11", -50, RECRUIT_GATE - 1),
    ("-10 to -6", RECRUIT_GATE, EXPEDITION_GATES[ExpeditionType.THINK_TANK] - 1),
    ("-5 to -1", EXPEDITION_GATES[ExpeditionType.THINK_TANK], -1),
    ("0 to 9", 0, EXPEDITION_GATES[ExpeditionType.GREAT_PROJECT] - 1),
    ("10 to 24", EXPEDITION_GATES[ExpeditionType.GREAT_PROJECT], 24),
    ("25 to 50", 25, 50),
)
OUTCOME_KEYS: Final = ("pending", "cancelled", "failure", "partial", "success", "landmark")


def balance_figures(state: CampaignState, now: Instant) -> dict[str, Any]:
    """The game's balance figures (JSON-ready): what calibration and the telemetry report show.

    Reputation distribution, influence totals by faction, expedition outcomes by type,
    scholars by employer kind, open offers and pending orders by type. No player ids.
    """
    return {
        "campaign": state.id,
        "at": iso(now),
        "year": state.year,
        "digest": state.last_digest,
        "paused": state.pause is not None,
        "players": len(state.players),
        "reputation": _reputation_figures(state),
        "influence": _influence_figures(state),
        "expeditions": _expedition_figures(state),
        "scholars": _scholar_figures(state),
        "offers": _offer_figures(state),
        "orders": _order_figures(state, now),
        "theories": dict(Counter(str(t.status) for t in state.theories.values())),
        "moderation_overrides": len(moderation.overrides(state, now)),
    }


def _reputation_figures(state: CampaignState) -> dict[str, Any]:
    values = sorted(p.reputation for p in state.players.values())
    bands = {label: sum(low <= v <= high for v in values) for label, low, high in REPUTATION_BANDS}
    if not values:
        return {"count": 0, "min": None, "max": None, "mean": None, "median": None, "bands": bands}
    middle = len(values) // 2
    median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    return {
        "count": len(values),
        "min": values[0],
        "max": values[-1],
        "mean": round(sum(values) / len(values), 2),
        "median": median,
        "bands": bands,
    }


def _influence_figures(state: CampaignState) -> dict[str, Any]:
    players = list(state.players.values())
    totals = {str(f): sum(p.influence.get(f, 0) for p in players) for f in FACTIONS}
    count = len(players)
    return {
        "totals": totals,
        "mean": {f: round(n / count, 2) if count else 0.0 for f, n in totals.items()},
        "max": {str(f): max((p.influence.get(f, 0) for p in players), default=0) for f in FACTIONS},
        "total": sum(totals.values()),
    }


def _expedition_figures(state: CampaignState) -> dict[str, dict[str, int]]:
    table = {str(t): dict.fromkeys(OUTCOME_KEYS, 0) for t in ExpeditionType}
    for expedition in state.expeditions.values():
        row = table[str(expedition.type)]
        if expedition.result is not None:
            row[str(expedition.result.outcome)] += 1
        else:
            row[str(expedition.status)] += 1
    for row in table.values():
        row["total"] = sum(row.values())
    return table


def _scholar_figures(state: CampaignState) -> dict[str, Any]:
    scholars = list(state.scholars.values())
    return {
        "total": len(scholars),
        "by_employer": {
            str(kind): sum(s.contract.kind is kind for s in scholars) for kind in EmployerKind
        },
        "legends": sum(s.legend for s in scholars),
        "sidecasts": sum(s.sidecast is not None for s in scholars),
        "retired": len(state.retired),
    }


def _offer_figures(state: CampaignState) -> dict[str, Any]:
    open_offers = [
        o for o in state.offers.values() if o.status in {OfferStatus.PENDING, OfferStatus.COUNTERED}
    ]
    escrow = {str(f): sum(o.influence.get(f, 0) for o in open_offers) for f in FACTIONS}
    return {
        "open": len(open_offers),
        "open_chains": sum(n.status == "open" for n in state.negotiations.values()),
        "escrow": escrow,
        "by_banner": dict(Counter(str(o.faction) for o in open_offers)),
    }


def _order_figures(state: CampaignState, now: Instant) -> dict[str, Any]:
    pending = [o for o in state.orders.values() if o.status is OrderStatus.PENDING]
    oldest = min((o.created_at for o in pending), default=None)
    return {
        "pending": len(pending),
        "by_type": dict(sorted(Counter(o.type for o in pending).items())),
        "oldest_pending_hours": None if oldest is None else round((now - oldest) / HOUR, 1),
    }


def activity(state: CampaignState, journal: Sequence[JournalEntry], now: Instant) -> dict[str, Any]:
    """Activity in the last 24 hours: players active, events journaled (by kind).

    A player's activity mark is kept to the day (``ACTIVITY_RESOLUTION``), so "active in 24 h"
    counts the players whose latest mark falls in that window. ``journal`` is newest first;
    when every entry read is inside the window, the event count is a lower bound.
    """
    since = now - DAY
    recent = [e for e in journal if since <= e.at <= now]
    complete = len(journal) == 0 or journal[-1].at < since or len(journal) < JOURNAL_SCAN
    return {
        "players_active_24h": sum(p.last_active_at >= since for p in state.players.values()),
        "players_active_7d": sum(p.last_active_at >= now - 7 * DAY for p in state.players.values()),
        "events_24h": len(recent),
        "events_24h_complete": complete,
        "events_by_kind_24h": dict(Counter(e.kind for e in recent).most_common()),
    }
