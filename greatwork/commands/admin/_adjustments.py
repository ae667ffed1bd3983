"""Adjusting players and scholars: reputation, influence, defections, expeditions."""

from __future__ import annotations

from typing import Final

from greatwork.commands.admin._shared import (
    admin_spec,
    faction_option,
    player_option,
    reason_option,
    who,
)
from greatwork.commands.lookup import resolve_player, resolve_scholar
from greatwork.commands.options import Lookup, Option, OptionType
from greatwork.commands.render import (
    employer_text,
    event_of,
    faction_label,
    influence_data,
    influence_text,
    percent,
    player_name,
    scholar_name,
    signed,
)
from greatwork.commands.spec import CommandSpec, Field, Invocation, Reply
from greatwork.rules.admin import (
    MAX_ADJUSTMENT,
    AdjustInfluence,
    AdjustReputation,
    CancelExpedition,
    ForceDefection,
    InfluenceAdjusted,
    ReputationAdjusted,
)
from greatwork.rules.constants import Faction
from greatwork.rules.defection import ScholarDefected
from greatwork.rules.errors import NotFound
from greatwork.rules.expedition import ExpeditionCancelled
from greatwork.rules.ids import ExpeditionCode
from greatwork.rules.state import CampaignState, ExpeditionStatus


async def _adjust_reputation(inv: Invocation) -> Reply:
    player = resolve_player(inv.game.state(), str(inv.options["player_id"]))
    requested = int(inv.options["delta"])
    outcome = await inv.game.execute(
        AdjustReputation(
            **who(inv), player=player, delta=requested, reason=str(inv.options["reason"])
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
            **who(inv),
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
            **who(inv),
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
        CancelExpedition(**who(inv), code=code, reason=str(inv.options["reason"]))
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


_DELTA = Option(
    name="delta",
    description=f"The change, -{MAX_ADJUSTMENT} to {MAX_ADJUSTMENT}, not 0",
    type=OptionType.INTEGER,
    required=True,
    min_value=-MAX_ADJUSTMENT,
    max_value=MAX_ADJUSTMENT,
)


COMMANDS: Final[tuple[CommandSpec, ...]] = (
    admin_spec(
        "adjust_reputation",
        "Move a player's reputation (kept within -50 to 50)",
        _adjust_reputation,
        player_option(),
        _DELTA,
        reason_option(required=True),
    ),
    admin_spec(
        "adjust_influence",
        "Move a player's influence in one faction (ignores the cap, never below 0)",
        _adjust_influence,
        player_option(),
        faction_option(),
        _DELTA,
        reason_option(required=True),
    ),
    admin_spec(
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
        faction_option("new_faction", "The faction the scholar will serve"),
        reason_option(required=True),
    ),
    admin_spec(
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
        reason_option(required=True),
    ),
)
