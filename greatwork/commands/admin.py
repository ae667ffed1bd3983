"""The ``/gw_admin`` subcommands and ``/telemetry_report`` (GAME_RULES.md section 5.2).

Every entry is ``admin=True``: :func:`~greatwork.commands.spec.invoke` refuses it to anyone the
front end has not vouched for (Q-36: every subcommand is checked, on the server side). Replies
are ephemeral; what the Gazette prints about an admin action comes from the press desk.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Final

from greatwork.actors.types import JournalEntry, Outcome
from greatwork.commands.lookup import (
    resolve_commitment,
    resolve_order,
    resolve_player,
    resolve_project,
    resolve_scholar,
)
from greatwork.commands.render import (
    bullets,
    clip,
    employer_text,
    event_of,
    events_of,
    faction_label,
    influence_data,
    influence_text,
    iso,
    jsonable,
    percent,
    player_name,
    plural,
    scholar_name,
    signed,
    when,
)
from greatwork.commands.spec import (
    ADMIN_GROUP,
    Attachment,
    Choice,
    CommandSpec,
    Field,
    Handler,
    Invocation,
    Lookup,
    Option,
    OptionType,
    Reply,
)
from greatwork.rules import moderation
from greatwork.rules.admin import (
    MAX_ADJUSTMENT,
    AdjustInfluence,
    AdjustReputation,
    CancelExpedition,
    CancelOrder,
    ForceDefection,
    InfluenceAdjusted,
    ReputationAdjusted,
)
from greatwork.rules.commitment import (
    MAX_BASE_COST,
    MAX_COMMITMENT_DAYS,
    MAX_TIER_LENGTH,
    CommitmentCreated,
    CommitmentEnded,
    CreateCommitment,
    UpdateCommitment,
    commitment_cost,
)
from greatwork.rules.conference import ConferenceResolved
from greatwork.rules.constants import (
    DAY,
    EXPEDITION_GATES,
    FACTIONS,
    HOUR,
    MAX_NAME_LENGTH,
    RECRUIT_GATE,
    ExpeditionType,
    Faction,
)
from greatwork.rules.defection import ScholarDefected
from greatwork.rules.digest import DigestCompleted
from greatwork.rules.errors import NotFound
from greatwork.rules.expedition import ExpeditionCancelled, ExpeditionResolved
from greatwork.rules.ids import ExpeditionCode, Instant
from greatwork.rules.order import OrderCompleted, order_types
from greatwork.rules.pause import GameResumed, PauseGame, PauseStarted, ResumeGame
from greatwork.rules.player import ReputationChanged
from greatwork.rules.project import (
    PROJECT_RATE,
    PROJECT_WEIGHT,
    CreateProject,
    ProjectCreated,
    ProjectEnded,
    UpdateProject,
)
from greatwork.rules.roster import ScholarRetired, ScholarSpawned
from greatwork.rules.standing import relfac
from greatwork.rules.state import (
    CampaignState,
    EmployerKind,
    ExpeditionStatus,
    ModerationOverride,
    ModerationRecord,
    OfferStatus,
    Order,
    OrderStatus,
    Project,
    RecordStatus,
)
from greatwork.rules.text import MAX_REASON_LENGTH
from greatwork.rules.theory import TheoryLapsed, TheorySettled
from greatwork.rules.timeline import YearsAdvanced

logger = logging.getLogger(__name__)

MAX_LISTED_ORDERS: Final = 50
MAX_RECENT_MODERATION: Final = moderation.LOG_SIZE
MAX_PRESS_RESULTS: Final = 10
MAX_QUERY_LENGTH: Final = 200
MAX_PROJECT_TARGET: Final = 1_000
MAX_AGE_HOURS: Final = 24 * 365
JOURNAL_SCAN: Final = 5_000  # the journal entries /telemetry_report reads for the last 24 h
ANY_STATUS: Final = "any"
PERMALINK: Final = "/archive/press/{id}.html"
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


# --- shared options ----------------------------------------------------------------------------


def _choices(values: Sequence[str]) -> tuple[Choice, ...]:
    return tuple(Choice(name=value, value=value) for value in values)


FACTION_CHOICES: Final = tuple(Choice(name=faction_label(f), value=str(f)) for f in FACTIONS)
ENDING_CHOICES: Final = _choices((str(RecordStatus.COMPLETED), str(RecordStatus.CANCELLED)))


def _player(name: str = "player_id", *, required: bool = True) -> Option:
    return Option(
        name=name,
        description="The player: their id or display name, any case",
        required=required,
        min_length=1,
        lookup=Lookup.PLAYER,
    )


def _faction(name: str = "faction", what: str = "The faction") -> Option:
    return Option(name=name, description=what, required=True, choices=FACTION_CHOICES)


def _reason(*, required: bool, shown: str = "in the journal and the Gazette") -> Option:
    return Option(
        name="reason",
        description=f"Why: shown {shown} (at most {MAX_REASON_LENGTH} characters)",
        required=required,
        min_length=1 if required else None,
        max_length=MAX_REASON_LENGTH,
    )


def _flag(name: str, description: str) -> Option:
    return Option(name=name, description=description, type=OptionType.BOOLEAN, default=False)


def _who(inv: Invocation) -> dict[str, Any]:
    """The fields every rules command takes from the invocation."""
    return {"actor": inv.player, "at": inv.at, "actor_name": inv.display_name}


def _opt_text(inv: Invocation, name: str) -> str:
    value = inv.options.get(name)
    return "" if value is None else str(value)


def _as_json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


# --- adjustments -------------------------------------------------------------------------------


async def _adjust_reputation(inv: Invocation) -> Reply:
    player = resolve_player(inv.game.state(), str(inv.options["player_id"]))
    requested = int(inv.options["delta"])
    outcome = await inv.game.execute(
        AdjustReputation(
            **_who(inv), player=player, delta=requested, reason=str(inv.options["reason"])
        )
    )
    event = event_of(outcome, ReputationAdjusted)
    name = player_name(outcome.state, player)
    body = f"{name}: reputation {event.before} → {event.after} ({signed(event.delta)})."
    if event.delta != requested:
        body += f" {signed(requested)} was asked; reputation stays between -50 and 50."
    return Reply(
        title="Reputation adjusted",
        body=body,
        fields=(Field(name="Reason", value=event.reason),),
        data={
            "player": player,
            "display_name": name,
            "requested": requested,
            "delta": event.delta,
            "before": event.before,
            "after": event.after,
            "reason": event.reason,
        },
    )


async def _adjust_influence(inv: Invocation) -> Reply:
    player = resolve_player(inv.game.state(), str(inv.options["player_id"]))
    requested = int(inv.options["delta"])
    outcome = await inv.game.execute(
        AdjustInfluence(
            **_who(inv),
            player=player,
            faction=Faction(str(inv.options["faction"])),
            delta=requested,
            reason=str(inv.options["reason"]),
        )
    )
    event = event_of(outcome, InfluenceAdjusted)
    name = player_name(outcome.state, player)
    body = (
        f"{name}: {event.faction} influence {event.before} → {event.after} ({signed(event.delta)})."
    )
    if event.delta != requested:
        body += f" {signed(requested)} was asked; a balance never goes below 0."
    body += " Admin adjustments ignore the influence cap."
    return Reply(
        title="Influence adjusted",
        body=body,
        fields=(Field(name="Reason", value=event.reason),),
        data={
            "player": player,
            "display_name": name,
            "faction": str(event.faction),
            "requested": requested,
            "delta": event.delta,
            "before": event.before,
            "after": event.after,
            "reason": event.reason,
            "influence": influence_data(outcome.state.players[player].influence),
        },
    )


async def _force_defection(inv: Invocation) -> Reply:
    scholar = resolve_scholar(inv.game.state(), str(inv.options["scholar_id"]))
    outcome = await inv.game.execute(
        ForceDefection(
            **_who(inv),
            scholar=scholar,
            faction=Faction(str(inv.options["new_faction"])),
            reason=str(inv.options["reason"]),
        )
    )
    event = event_of(outcome, ScholarDefected)
    before = employer_text(outcome.state, event.old)
    faction = str(event.new.faction or event.new.employer)
    banner = faction_label(event.new.faction) if event.new.faction else faction
    body = (
        f"{scholar_name(outcome.state, scholar)} leaves {before} and now serves {banner}. "
        f"The chance the reference would have rolled: {percent(event.probability)}; "
        "the admin's word is final."
    )
    return Reply(
        title="Defection forced",
        body=body,
        fields=(Field(name="Reason", value=event.reason),),
        data={
            "scholar": scholar,
            "name": outcome.state.scholars[scholar].name,
            "old_employer": event.old.employer,
            "old_employer_kind": str(event.old.kind),
            "new_faction": faction,
            "probability": event.probability,
            "reason": event.reason,
        },
    )


def _find_expedition(state: CampaignState, text: str) -> ExpeditionCode:
    code = ExpeditionCode(" ".join(text.split()).upper())
    if code in state.expeditions:
        return code
    pending = sorted(
        e.code for e in state.expeditions.values() if e.status is ExpeditionStatus.PENDING
    )
    listed = ", ".join(pending[:10]) if pending else "none"
    raise NotFound(
        f"Expedition `{code}` does not exist; pending expeditions: {listed}.", expedition=code
    )


async def _cancel_expedition(inv: Invocation) -> Reply:
    code = _find_expedition(inv.game.state(), str(inv.options["expedition_code"]))
    outcome = await inv.game.execute(
        CancelExpedition(**_who(inv), code=code, reason=str(inv.options["reason"]))
    )
    event = event_of(outcome, ExpeditionCancelled)
    expedition = outcome.state.expeditions[code]
    leader = player_name(outcome.state, expedition.player)
    body = (
        f"Expedition {code} ({expedition.type}, led by {leader}) is cancelled. "
        f"Refunded to {leader}: {influence_text(event.refund)}."
    )
    return Reply(
        title="Expedition cancelled",
        body=body,
        fields=(Field(name="Reason", value=event.reason),),
        data={
            "code": code,
            "player": expedition.player,
            "type": str(expedition.type),
            "refund": {str(f): n for f, n in event.refund.items()},
            "reason": event.reason,
        },
    )


# --- pause, resume, digest ---------------------------------------------------------------------


async def _pause_game(inv: Invocation) -> Reply:
    outcome = await inv.game.execute(PauseGame(**_who(inv), reason=_opt_text(inv, "reason")))
    event = event_of(outcome, PauseStarted)
    logger.info("campaign %s paused by %s: %s", inv.game.campaign_id, inv.player, event.reason)
    return Reply(
        title="Game paused",
        body=(
            f"Paused: {event.reason}. Player commands are refused and digests wait until "
            "/gw_admin resume_game."
        ),
        data={"paused": True, "reason": event.reason, "since": iso(event.at)},
    )


async def _resume_game(inv: Invocation) -> Reply:
    before = inv.game.state().pause
    outcome = await inv.game.execute(ResumeGame(**_who(inv)))
    event = event_of(outcome, GameResumed)
    logger.info("campaign %s resumed by %s", inv.game.campaign_id, inv.player)
    data: dict[str, Any] = {"paused": False, "resumed_at": iso(event.at)}
    body = "The game is running again; waiting digests will be caught up."
    if before is not None:
        seconds = max(0, event.at - before.since)
        data.update(reason=before.reason, paused_since=iso(before.since), paused_seconds=seconds)
        body = f"Resumed after {_duration(seconds)} ({before.reason}). " + body
    return Reply(title="Game resumed", body=body, data=data)


def _duration(seconds: int) -> str:
    if seconds >= DAY:
        return f"{seconds / DAY:.1f} days"
    if seconds >= HOUR:
        return f"{seconds / HOUR:.1f} hours"
    return f"{seconds // 60} minutes"


async def _run_digest(inv: Invocation) -> Reply:
    outcome = await inv.game.run_digest(inv.player)
    data = _digest_summary(outcome)
    logger.info(
        "campaign %s: digest %s run by admin %s (%d events)",
        inv.game.campaign_id,
        data["digest"],
        inv.player,
        data["events"],
    )
    lines = [
        f"{e['code']} ({e['player']}): {e['outcome']}, roll {e['roll']} → {e['final']}, "
        f"reputation {signed(e['reputation_delta'])}"
        for e in data["expeditions"]
    ]
    lines += [
        f"conference {c['code']}: {c['outcome']}, roll {c['roll']} → {c['final']}"
        for c in data["conferences"]
    ]
    lines += [f"theory {t['theory']}: {t['status']}" for t in data["theories"]]
    lines += [
        f"net reputation {signed(n)} for {player_name(outcome.state, p)}"
        for p, n in data["reputation_changes"].items()
    ]
    parts = [
        f"Year {data['year']}.",
        (
            f"{plural(data['events'], 'event')}, {plural(data['press'], 'press release')}, "
            f"{plural(data['orders_completed'], 'order')} carried out."
        ),
    ]
    if data["scholars_joined"] or data["scholars_retired"]:
        parts.append(
            f"Scholars: {data['scholars_joined']} joined, {data['scholars_retired']} retired."
        )
    return Reply(
        title=f"Digest {data['digest']} complete",
        body=" ".join(parts) + "\n" + bullets(lines, "Nothing was due for resolution."),
        data=data,
    )


def _digest_summary(outcome: Outcome) -> dict[str, Any]:
    state = outcome.state
    expeditions = [
        {
            "code": e.code,
            "player": state.expeditions[e.code].player,
            "outcome": str(e.result.outcome),
            "roll": e.result.roll,
            "final": e.result.final,
            "reputation_delta": e.result.reputation_delta,
        }
        for e in events_of(outcome, ExpeditionResolved)
    ]
    conferences = [
        {
            "code": c.code,
            "outcome": str(c.outcome),
            "roll": c.roll,
            "final": c.final,
            "reputation_delta": c.reputation_delta,
        }
        for c in events_of(outcome, ConferenceResolved)
    ]
    theories = [
        {"theory": t.theory, "status": str(t.status), "reputation_delta": t.reputation_delta}
        for t in events_of(outcome, TheorySettled)
    ] + [
        {"theory": t.theory, "status": "lapsed", "reputation_delta": 0}
        for t in events_of(outcome, TheoryLapsed)
    ]
    reputation: Counter[str] = Counter()
    for change in events_of(outcome, ReputationChanged):
        reputation[change.player] += change.delta
    completed = events_of(outcome, DigestCompleted)
    return {
        "digest": completed[-1].number if completed else state.last_digest,
        "year": state.year,
        "years_advanced": sum(e.years for e in events_of(outcome, YearsAdvanced)),
        "events": len(outcome.events),
        "press": len(outcome.press),
        "expeditions": expeditions,
        "conferences": conferences,
        "theories": theories,
        "reputation_changes": {p: n for p, n in sorted(reputation.items()) if n},
        "scholars_joined": len(events_of(outcome, ScholarSpawned)),
        "scholars_retired": len(events_of(outcome, ScholarRetired)),
        "defections": len(events_of(outcome, ScholarDefected)),
        "orders_completed": len(events_of(outcome, OrderCompleted)),
        "kinds": dict(Counter(e.kind for e in outcome.events).most_common()),
    }


# --- seasonal commitments and faction projects -------------------------------------------------


async def _create_commitment(inv: Invocation) -> Reply:
    player = resolve_player(inv.game.state(), str(inv.options["player_id"]))
    outcome = await inv.game.execute(
        CreateCommitment(
            **_who(inv),
            player=player,
            faction=Faction(str(inv.options["faction"])),
            tier=str(inv.options["tier"]),
            base_cost=int(inv.options["base_cost"]),
            duration_days=int(inv.options["duration_days"]),
            reason=_opt_text(inv, "reason"),
        )
    )
    event = event_of(outcome, CommitmentCreated)
    commitment = event.commitment
    cost, factor = commitment_cost(outcome.state, commitment)
    name = player_name(outcome.state, player)
    body = (
        f"{commitment.id}: {name} is committed to {commitment.faction} "
        f"({commitment.tier} tier) until {when(commitment.ends_at)}. Base cost "
        f"{commitment.base_cost} a week; {cost} at today's standing. What the balance cannot "
        "cover becomes seasonal debt."
    )
    fields = (Field(name="Reason", value=event.reason),) if event.reason else ()
    return Reply(
        title="Seasonal commitment created",
        body=body,
        fields=fields,
        data={
            "commitment": commitment.id,
            "player": player,
            "faction": str(commitment.faction),
            "tier": commitment.tier,
            "base_cost": commitment.base_cost,
            "current_cost": cost,
            "relfac": factor,
            "starts_at": iso(commitment.starts_at),
            "ends_at": iso(commitment.ends_at),
            "reason": event.reason,
        },
    )


async def _update_commitment(inv: Invocation) -> Reply:
    commitment = resolve_commitment(inv.game.state(), str(inv.options["id"]))
    outcome = await inv.game.execute(
        UpdateCommitment(
            **_who(inv),
            commitment=commitment,
            status=RecordStatus(str(inv.options["status"])),
            reason=_opt_text(inv, "reason"),
        )
    )
    event = event_of(outcome, CommitmentEnded)
    record = outcome.state.commitments[commitment]
    name = player_name(outcome.state, record.player)
    fields = (Field(name="Reason", value=event.reason),) if event.reason else ()
    return Reply(
        title="Seasonal commitment updated",
        body=f"{commitment} ({name}, {record.faction}) is now {event.status}.",
        fields=fields,
        data={
            "commitment": commitment,
            "player": record.player,
            "faction": str(record.faction),
            "status": str(event.status),
            "reason": event.reason,
        },
    )


def _project_pace(state: CampaignState, project: Project) -> float:
    """What one digest would add to the project now (the formula of ``advance_projects``)."""
    total = 0.0
    for player in state.players:
        balance = max(0, state.players[player].influence.get(project.faction, 0))
        share = balance * PROJECT_RATE + relfac(state, player, project.faction, PROJECT_WEIGHT)
        total += max(0.0, share)
    return round(total, 3)


async def _create_project(inv: Invocation) -> Reply:
    reason = _opt_text(inv, "reason")
    outcome = await inv.game.execute(
        CreateProject(
            **_who(inv),
            name=str(inv.options["name"]),
            faction=Faction(str(inv.options["faction"])),
            target=float(inv.options["target_progress"]),
            reason=reason,
        )
    )
    project = event_of(outcome, ProjectCreated).project
    pace = _project_pace(outcome.state, project)
    body = (
        f"{project.id}: {project.name} for {project.faction}, target {project.target:g}. "
        f"At today's standings the players add about {pace:g} a digest."
    )
    # CreateProject has no reason field yet: the reason is shown here but not journaled.
    fields = (Field(name="Reason", value=reason),) if reason else ()
    return Reply(
        title="Faction project created",
        body=body,
        fields=fields,
        data={
            "project": project.id,
            "name": project.name,
            "faction": str(project.faction),
            "target": project.target,
            "pace": pace,
            "reason": reason,
        },
    )


async def _update_project(inv: Invocation) -> Reply:
    project = resolve_project(inv.game.state(), str(inv.options["id"]))
    outcome = await inv.game.execute(
        UpdateProject(
            **_who(inv),
            project=project,
            status=RecordStatus(str(inv.options["status"])),
            reason=_opt_text(inv, "reason"),
        )
    )
    event = event_of(outcome, ProjectEnded)
    record = outcome.state.projects[project]
    fields = (Field(name="Reason", value=event.reason),) if event.reason else ()
    return Reply(
        title="Faction project updated",
        body=(
            f"{project} ({record.name}, {record.faction}) is now {event.status} at "
            f"{record.progress:g} of {record.target:g}. Ended by an admin: no rewards are paid."
        ),
        fields=fields,
        data={
            "project": project,
            "name": record.name,
            "status": str(event.status),
            "progress": record.progress,
            "target": record.target,
            "reason": event.reason,
        },
    )


# --- orders ------------------------------------------------------------------------------------


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
        files = (Attachment(filename="orders.json", content=_as_json(full)),)
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
        CancelOrder(**_who(inv), order=order, reason=_opt_text(inv, "reason"))
    )
    record = outcome.state.orders[order]
    return Reply(
        title="Order cancelled",
        body=f"Order {order} ({record.type}) is cancelled and will not run.",
        fields=(Field(name="Reason", value=record.reason or ""),),
        data={"order": order, "type": record.type, "reason": record.reason},
    )


# --- moderation --------------------------------------------------------------------------------


def _override_data(override: ModerationOverride, now: Instant) -> dict[str, Any]:
    data: dict[str, Any] = jsonable(override)
    data["created_at"] = iso(override.created_at)
    data["expires_at"] = iso(override.expires_at) if override.expires_at is not None else None
    data["expired"] = moderation.is_expired(override, now)
    return data


def _override_line(override: ModerationOverride, now: Instant) -> str:
    scope = ", ".join(
        f"{label} {value}"
        for label, value in (
            ("surface", override.surface),
            ("stage", override.stage),
            ("category", override.category),
        )
        if value is not None
    )
    if override.expires_at is None:
        expiry = "never expires"
    elif moderation.is_expired(override, now):
        expiry = f"expired {when(override.expires_at)}"
    else:
        expiry = f"expires {when(override.expires_at)}"
    parts = [override.id, f"hash {override.text_hash[:12]}…", scope or "every surface", expiry]
    if override.notes:
        parts.append(clip(override.notes, 80))
    return " · ".join(parts)


async def _moderation_overrides(inv: Invocation) -> Reply:
    include_expired = bool(inv.options["include_expired"])
    found = moderation.overrides(inv.game.state(), inv.at, include_expired=include_expired)
    listed = [_override_data(o, inv.at) for o in found]
    which = "Overrides, expired ones included" if include_expired else "Overrides in force"
    files: tuple[Attachment, ...] = ()
    if bool(inv.options["as_file"]):
        files = (Attachment(filename="moderation_overrides.json", content=_as_json(listed)),)
        body = f"{which}: {len(found)}. The listing is attached as moderation_overrides.json."
    else:
        body = f"{which}: {len(found)}.\n" + bullets(
            (_override_line(o, inv.at) for o in found), "No overrides."
        )
    return Reply(
        title="Moderation overrides",
        body=body,
        files=files,
        data={"count": len(found), "overrides": listed},
    )


async def _add_moderation_override(inv: Invocation) -> Reply:
    hours = inv.options.get("expires_hours")
    outcome = await inv.game.execute(
        moderation.AddModerationOverride(
            **_who(inv),
            text_hash=str(inv.options["text_hash"]),
            surface=inv.options.get("surface"),
            stage=inv.options.get("stage"),
            category=inv.options.get("category"),
            notes=_opt_text(inv, "notes"),
            expires_hours=None if hours is None else int(hours),
        )
    )
    override = event_of(outcome, moderation.ModerationOverrideAdded).override
    return Reply(
        title="Moderation override added",
        body=f"The text with this hash now passes moderation: {_override_line(override, inv.at)}.",
        data={"override": override.id, **_override_data(override, inv.at)},
    )


async def _remove_moderation_override(inv: Invocation) -> Reply:
    typed = str(inv.options["id"])
    before = inv.game.state().moderation_overrides
    outcome = await inv.game.execute(
        moderation.RemoveModerationOverride(**_who(inv), override=typed)
    )
    removed = event_of(outcome, moderation.ModerationOverrideRemoved).override
    return Reply(
        title="Moderation override removed",
        body=f"Override {removed} is withdrawn; its text is moderated as usual again.",
        data={"override": removed, "text_hash": before[removed].text_hash},
    )


def _record_line(record: ModerationRecord) -> str:
    verdict = "BLOCKED" if record.blocked else "passed"
    if record.category:
        verdict += f" ({record.category})"
    parts = [when(record.at), record.surface, verdict]
    if record.stage:
        parts.append(f"stage {record.stage}")
    if record.override:
        parts.append(f"override {record.override}")
    parts += [f"“{record.snippet}”", f"hash {record.text_hash[:12]}…"]
    return " · ".join(parts)


async def _moderation_recent(inv: Invocation) -> Reply:
    records = moderation.recent(inv.game.state(), int(inv.options["limit"]))
    listed = []
    for record in records:
        item: dict[str, Any] = jsonable(record)
        item["at"] = iso(record.at)
        listed.append(item)
    blocked = sum(r.blocked for r in records)
    return Reply(
        title="Recent moderation",
        body=f"The last {plural(len(records), 'decision')} ({blocked} blocked), newest first.\n"
        + bullets((_record_line(r) for r in records), "Nothing has been moderated yet."),
        data={"count": len(records), "blocked": blocked, "entries": listed},
    )


# --- balance figures ---------------------------------------------------------------------------


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


async def _calibration_snapshot(inv: Invocation) -> Reply:
    figures = balance_figures(inv.game.state(), inv.at)
    stamp = iso(inv.at).replace("-", "").replace(":", "")
    filename = f"calibration_{inv.game.campaign_id}_{stamp}.json"
    return Reply(
        title="Calibration snapshot",
        body=(
            f"Balance figures at digest {figures['digest']} (year {figures['year']}): "
            f"{plural(figures['players'], 'player')}, {figures['scholars']['total']} scholars, "
            f"{plural(figures['orders']['pending'], 'pending order')}. Attached as {filename}."
        ),
        files=(Attachment(filename=filename, content=_as_json(figures)),),
        data=figures,
    )


# --- press search ------------------------------------------------------------------------------


async def _search_press(inv: Invocation) -> Reply:
    query = str(inv.options["query"])
    items = await inv.game.press(limit=int(inv.options["limit"]), query=query)
    matches = [
        {
            "id": item.id,
            "kind": item.kind,
            "headline": item.headline,
            "digest": item.digest,
            "at": iso(item.at),
            "permalink": PERMALINK.format(id=item.id),
        }
        for item in items
    ]
    lines = [
        f"#{m['id']} · {m['kind']} · {clip(str(m['headline']), 120)} · digest {m['digest']} · "
        f"{m['permalink']}"
        for m in matches
    ]
    return Reply(
        title="Press search",
        body=f"{plural(len(matches), 'match', 'matches')} for “{clip(query, 60)}”, newest first.\n"
        + bullets(lines, "No released press matches; try a shorter query."),
        data={"query": query, "count": len(matches), "matches": matches},
    )


# --- telemetry report --------------------------------------------------------------------------


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


def _report_lines(figures: Mapping[str, Any], active: Mapping[str, Any]) -> list[str]:
    rep = figures["reputation"]
    influence = figures["influence"]
    scholars = figures["scholars"]
    offers = figures["offers"]
    orders = figures["orders"]
    events = (
        str(active["events_24h"])
        if active["events_24h_complete"]
        else (f"at least {active['events_24h']}")
    )
    top = ", ".join(f"{k} {n}" for k, n in list(active["events_by_kind_24h"].items())[:6])
    lines = [
        f"**Activity (24 h)**: {active['players_active_24h']} of {figures['players']} players "
        f"active ({active['players_active_7d']} in 7 days); {events} events"
        + (f" ({top})" if top else "")
        + ".",
        f"**Reputation**: min {rep['min']}, median {rep['median']}, mean {rep['mean']}, "
        f"max {rep['max']}; bands "
        + ", ".join(f"{label}: {n}" for label, n in rep["bands"].items())
        + ".",
        "**Influence held**: "
        + ", ".join(f"{f} {n}" for f, n in influence["totals"].items())
        + f" (total {influence['total']}).",
        "**Expeditions**: "
        + "; ".join(
            f"{t}: {row['total']} ("
            + ", ".join(f"{k} {row[k]}" for k in OUTCOME_KEYS if row[k])
            + ")"
            if row["total"]
            else f"{t}: 0"
            for t, row in figures["expeditions"].items()
        )
        + ".",
        f"**Scholars**: {scholars['total']} on the roster ("
        + ", ".join(f"{k} {n}" for k, n in scholars["by_employer"].items())
        + f"), {scholars['sidecasts']} sidecasts, {scholars['retired']} retired.",
        f"**Offers**: {offers['open']} open in {offers['open_chains']} chains; escrow "
        + influence_text({Faction(f): n for f, n in offers["escrow"].items()})
        + ".",
        f"**Orders**: {orders['pending']} pending"
        + (
            " (" + ", ".join(f"{t} {n}" for t, n in orders["by_type"].items()) + ")"
            if orders["by_type"]
            else ""
        )
        + (
            f"; oldest {orders['oldest_pending_hours']} h."
            if orders["oldest_pending_hours"] is not None
            else "."
        ),
    ]
    if figures["paused"]:
        lines.insert(0, "**The game is paused.**")
    return lines


async def _telemetry_report(inv: Invocation) -> Reply:
    state = inv.game.state()
    figures = balance_figures(state, inv.at)
    journal = await inv.game.journal(limit=JOURNAL_SCAN)
    active = activity(state, journal, inv.at)
    return Reply(
        title=f"Telemetry report: digest {figures['digest']}, year {figures['year']}",
        body="\n".join(_report_lines(figures, active)),
        data={**figures, "activity": active},
    )


# --- the catalogue entries ---------------------------------------------------------------------


def _admin(name: str, description: str, handler: Handler, *options: Option) -> CommandSpec:
    return CommandSpec(
        name=name,
        description=description,
        handler=handler,
        options=options,
        admin=True,
        group=ADMIN_GROUP,
        ephemeral=True,
    )


_DELTA = Option(
    name="delta",
    description=f"The change, -{MAX_ADJUSTMENT} to {MAX_ADJUSTMENT}, not 0",
    type=OptionType.INTEGER,
    required=True,
    min_value=-MAX_ADJUSTMENT,
    max_value=MAX_ADJUSTMENT,
)


def _status_option(what: str) -> Option:
    return Option(
        name="status", description=f"The {what}'s new status", required=True, choices=ENDING_CHOICES
    )


ADMIN_COMMANDS: Final[tuple[CommandSpec, ...]] = (
    _admin(
        "adjust_reputation",
        "Move a player's reputation (kept within -50 to 50)",
        _adjust_reputation,
        _player(),
        _DELTA,
        _reason(required=True),
    ),
    _admin(
        "adjust_influence",
        "Move a player's influence in one faction (ignores the cap, never below 0)",
        _adjust_influence,
        _player(),
        _faction(),
        _DELTA,
        _reason(required=True),
    ),
    _admin(
        "force_defection",
        "Move a scholar to a faction's service; it always happens",
        _force_defection,
        Option(
            name="scholar_id",
            description="The scholar: id or name",
            required=True,
            min_length=1,
            lookup=Lookup.SCHOLAR,
        ),
        _faction("new_faction", "The faction the scholar will serve"),
        _reason(required=True),
    ),
    _admin(
        "cancel_expedition",
        "Cancel a pending expedition and refund what it cost",
        _cancel_expedition,
        Option(
            name="expedition_code",
            description="The expedition's code, any case",
            required=True,
            min_length=1,
            lookup=Lookup.EXPEDITION,
        ),
        _reason(required=True),
    ),
    _admin(
        "pause_game",
        "Pause the game: player commands are refused and digests wait",
        _pause_game,
        _reason(required=False),
    ),
    _admin("resume_game", "Resume a paused game", _resume_game),
    _admin("run_digest", "Run the next digest now (exactly once)", _run_digest),
    _admin(
        "create_seasonal_commitment",
        "Bind a player to a seasonal commitment to a faction",
        _create_commitment,
        _player(),
        _faction(),
        Option(
            name="tier",
            description=f"A label for the commitment (at most {MAX_TIER_LENGTH} characters)",
            default="standard",
            min_length=1,
            max_length=MAX_TIER_LENGTH,
        ),
        Option(
            name="base_cost",
            description=f"Influence charged each week before standing, 1 to {MAX_BASE_COST}",
            type=OptionType.INTEGER,
            default=3,
            min_value=1,
            max_value=MAX_BASE_COST,
        ),
        Option(
            name="duration_days",
            description=f"How long it runs, 1 to {MAX_COMMITMENT_DAYS} days",
            type=OptionType.INTEGER,
            default=28,
            min_value=1,
            max_value=MAX_COMMITMENT_DAYS,
        ),
        _reason(required=False),
    ),
    _admin(
        "update_seasonal_commitment",
        "Mark a seasonal commitment completed or cancelled",
        _update_commitment,
        Option(
            name="id",
            description="The commitment: COM-1 or 1",
            required=True,
            min_length=1,
            lookup=Lookup.COMMITMENT,
        ),
        _status_option("commitment"),
        _reason(required=False),
    ),
    _admin(
        "create_faction_project",
        "Open a faction project that players' standing pushes to its target",
        _create_project,
        Option(
            name="name",
            description=f"The project's name (at most {MAX_NAME_LENGTH} characters)",
            required=True,
            min_length=1,
            max_length=MAX_NAME_LENGTH,
        ),
        _faction(),
        Option(
            name="target_progress",
            description=f"The progress that completes it, 1 to {MAX_PROJECT_TARGET}",
            type=OptionType.NUMBER,
            required=True,
            min_value=1,
            max_value=MAX_PROJECT_TARGET,
        ),
        _reason(required=False, shown="in the reply"),
    ),
    _admin(
        "update_faction_project",
        "Mark a faction project completed (no rewards) or cancelled",
        _update_project,
        Option(
            name="id",
            description="The project: PRJ-1 or 1",
            required=True,
            min_length=1,
            lookup=Lookup.PROJECT,
        ),
        _status_option("project"),
        _reason(required=False),
    ),
    _admin(
        "list_orders",
        "List scheduled orders, filtered by type, status, actor, subject or age",
        _list_orders,
        Option(
            name="order_type",
            description="Only orders of this type",
            choices=_choices(sorted(order_types())),
        ),
        Option(
            name="status",
            description="Only orders in this status (any: all of them)",
            default=str(OrderStatus.PENDING),
            choices=_choices((*(str(s) for s in OrderStatus), ANY_STATUS)),
        ),
        Option(
            name="limit",
            description=f"How many to show, 1 to {MAX_LISTED_ORDERS}",
            type=OptionType.INTEGER,
            default=10,
            min_value=1,
            max_value=MAX_LISTED_ORDERS,
        ),
        _player("actor_id", required=False),
        Option(name="subject_id", description="Only orders about this id", min_length=1),
        Option(
            name="older_than_hours",
            description="Only orders created at least this many hours ago",
            type=OptionType.NUMBER,
            min_value=0,
            max_value=MAX_AGE_HOURS,
        ),
        _flag("include_payload", "Show each order's payload"),
        _flag("as_file", "Attach the listing as orders.json"),
    ),
    _admin(
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
        _reason(required=False),
    ),
    _admin(
        "moderation_overrides",
        "List the moderation overrides",
        _moderation_overrides,
        _flag("include_expired", "Include expired overrides"),
        _flag("as_file", "Attach the listing as moderation_overrides.json"),
    ),
    _admin(
        "add_moderation_override",
        "Let one exact text pass moderation (by the SHA-256 of the stripped text)",
        _add_moderation_override,
        Option(
            name="text_hash",
            description="SHA-256 hex of the stripped text (64 characters)",
            required=True,
            min_length=1,
        ),
        Option(
            name="surface",
            description="Only on this surface (default: all)",
            choices=_choices(moderation.SURFACES),
        ),
        Option(
            name="stage",
            description="Only at this stage (default: all)",
            choices=_choices(moderation.STAGES),
        ),
        Option(
            name="category",
            description="Only for this category (default: all)",
            choices=_choices(moderation.CATEGORIES),
        ),
        Option(
            name="notes",
            description=f"A note for other admins (at most {moderation.MAX_NOTES_LENGTH})",
            max_length=moderation.MAX_NOTES_LENGTH,
        ),
        Option(
            name="expires_hours",
            description=f"Expire after this many hours, 1 to {moderation.MAX_EXPIRY_HOURS}",
            type=OptionType.INTEGER,
            min_value=1,
            max_value=moderation.MAX_EXPIRY_HOURS,
        ),
    ),
    _admin(
        "remove_moderation_override",
        "Withdraw a moderation override",
        _remove_moderation_override,
        Option(name="id", description="The override: MOD-3 or 3", required=True, min_length=1),
    ),
    _admin(
        "moderation_recent",
        "The latest moderation decisions, newest first",
        _moderation_recent,
        Option(
            name="limit",
            description=f"How many, 1 to {MAX_RECENT_MODERATION}",
            type=OptionType.INTEGER,
            default=10,
            min_value=1,
            max_value=MAX_RECENT_MODERATION,
        ),
    ),
    _admin(
        "calibration_snapshot",
        "The game's balance figures as a JSON file",
        _calibration_snapshot,
    ),
    _admin(
        "search_press",
        "Search released press by headline or body, any case",
        _search_press,
        Option(
            name="query",
            description="Words to find in a headline or body",
            required=True,
            min_length=1,
            max_length=MAX_QUERY_LENGTH,
        ),
        Option(
            name="limit",
            description=f"How many matches, 1 to {MAX_PRESS_RESULTS}",
            type=OptionType.INTEGER,
            default=3,
            min_value=1,
            max_value=MAX_PRESS_RESULTS,
        ),
    ),
    CommandSpec(
        name="telemetry_report",
        description="Admin report: activity and the game's balance figures",
        handler=_telemetry_report,
        admin=True,
        ephemeral=True,
    ),
)
"""The /gw_admin subcommands, then /telemetry_report, in the order the help lists them."""
