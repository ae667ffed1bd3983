"""Seasonal commitments and faction projects: creating and ending them."""

from __future__ import annotations

from typing import Final

from greatwork.commands.admin._shared import (
    admin_spec,
    faction_option,
    opt_text,
    player_option,
    reason_option,
    status_option,
    who,
)
from greatwork.commands.lookup import resolve_commitment, resolve_player, resolve_project
from greatwork.commands.options import Lookup, Option, OptionType
from greatwork.commands.render import event_of, iso, player_name, when
from greatwork.commands.spec import CommandSpec, Field, Invocation, Reply
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
from greatwork.rules.constants import MAX_NAME_LENGTH, Faction
from greatwork.rules.project import (
    PROJECT_RATE,
    PROJECT_WEIGHT,
    CreateProject,
    ProjectCreated,
    ProjectEnded,
    UpdateProject,
)
from greatwork.rules.standing import relfac
from greatwork.rules.state import CampaignState, Project, RecordStatus

MAX_PROJECT_TARGET: Final = 1_000


async def _create_commitment(inv: Invocation) -> Reply:
    player = resolve_player(inv.game.state(), str(inv.options["player_id"]))
    outcome = await inv.game.execute(
        CreateCommitment(
            **who(inv),
            player=player,
            faction=Faction(str(inv.options["faction"])),
            tier=str(inv.options["tier"]),
            base_cost=int(inv.options["base_cost"]),
            duration_days=int(inv.options["duration_days"]),
            reason=opt_text(inv, "reason"),
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
            "relfac": round(factor, 4),
            "starts_at": iso(commitment.starts_at),
            "ends_at": iso(commitment.ends_at),
            "reason": event.reason,
        },
    )


async def _update_commitment(inv: Invocation) -> Reply:
    commitment = resolve_commitment(inv.game.state(), str(inv.options["id"]))
    outcome = await inv.game.execute(
        UpdateCommitment(
            **who(inv),
            commitment=commitment,
            status=RecordStatus(str(inv.options["status"])),
            reason=opt_text(inv, "reason"),
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
    reason = opt_text(inv, "reason")
    outcome = await inv.game.execute(
        CreateProject(
            **who(inv),
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
            **who(inv),
            project=project,
            status=RecordStatus(str(inv.options["status"])),
            reason=opt_text(inv, "reason"),
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


COMMANDS: Final[tuple[CommandSpec, ...]] = (
    admin_spec(
        "create_seasonal_commitment",
        "Bind a player to a seasonal commitment to a faction",
        _create_commitment,
        player_option(),
        faction_option(),
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
        reason_option(required=False),
    ),
    admin_spec(
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
        status_option("commitment"),
        reason_option(required=False),
    ),
    admin_spec(
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
        faction_option(),
        Option(
            name="target_progress",
            description=f"The progress that completes it, 1 to {MAX_PROJECT_TARGET}",
            type=OptionType.NUMBER,
            required=True,
            min_value=1,
            max_value=MAX_PROJECT_TARGET,
        ),
        reason_option(required=False, shown="in the reply"),
    ),
    admin_spec(
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
        status_option("project"),
        reason_option(required=False),
    ),
)
