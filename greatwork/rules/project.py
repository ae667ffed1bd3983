"""Faction projects (section 3.11): players' standing pushes a faction's project to its target.

Each digest every player adds ``max(0, influence)·0.08 + relfac(w=5)`` when that is positive;
the digest that reaches the target pays each of its contributors +6 influence (capped).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Final

from greatwork.rules.command import Command, Context, decides
from greatwork.rules.constants import MAX_NAME_LENGTH, Faction
from greatwork.rules.errors import InvalidInput
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant, PlayerId, ProjectId
from greatwork.rules.player import bump_counter, gain_influence, next_id, parse_faction
from greatwork.rules.standing import active_record, ending_status, relfac
from greatwork.rules.state import CampaignState, Project, RecordStatus
from greatwork.rules.text import MAX_REASON_LENGTH, clean_reason, clean_text

PROJECT_WEIGHT: Final = 5.0
PROJECT_RATE: Final = 0.08
PROJECT_REWARD: Final = 6


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectCreated(Event):
    """An admin opened a faction project."""

    project: Project
    by: str
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectAdvanced(Event):
    """One digest's contributions to a project, and its progress after them."""

    project: ProjectId
    contributions: Mapping[PlayerId, float]
    progress: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectEnded(Event):
    """A project reached its target (``rewarded`` got +6) or an admin ended it."""

    project: ProjectId
    status: RecordStatus
    by: str
    rewarded: tuple[PlayerId, ...] = ()
    reason: str = ""


def _set_project(state: CampaignState, project: Project) -> CampaignState:
    return dataclasses.replace(state, projects={**state.projects, project.id: project})


@applies(ProjectCreated)
def _project_created(state: CampaignState, e: ProjectCreated) -> CampaignState:
    return _set_project(bump_counter(state, "project"), e.project)


@applies(ProjectAdvanced)
def _project_advanced(state: CampaignState, e: ProjectAdvanced) -> CampaignState:
    old = state.projects[e.project]
    project = dataclasses.replace(
        old, progress=e.progress, contributors=old.contributors | frozenset(e.contributions)
    )
    return _set_project(state, project)


@applies(ProjectEnded)
def _project_ended(state: CampaignState, e: ProjectEnded) -> CampaignState:
    return _set_project(state, dataclasses.replace(state.projects[e.project], status=e.status))


# --- admin commands --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateProject(Command):
    """Admin: open a faction project that players' standing pushes to ``target``."""

    name: str
    faction: Faction
    target: float
    reason: str = ""

    player_command: ClassVar[bool] = False
    allowed_while_paused: ClassVar[bool] = True


@decides(CreateProject)
def _create_project(tx: Tx, cmd: CreateProject, ctx: Context) -> None:
    del ctx
    name = clean_text(cmd.name, "name", MAX_NAME_LENGTH, required=True)
    faction = parse_faction(str(cmd.faction))
    if not math.isfinite(cmd.target) or cmd.target <= 0:
        raise InvalidInput("The target must be a positive number.", target=cmd.target)
    project = Project(
        id=ProjectId(f"PRJ-{next_id(tx.state, 'project')}"),
        name=name,
        faction=faction,
        target=float(cmd.target),
        created_at=cmd.at,
    )
    tx.emit(
        ProjectCreated(
            at=cmd.at, project=project, by=cmd.actor, reason=clean_reason(cmd.reason, "")
        )
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateProject(Command):
    """Admin: mark a project completed (no rewards) or cancelled."""

    project: ProjectId
    status: RecordStatus
    reason: str = ""

    player_command: ClassVar[bool] = False
    allowed_while_paused: ClassVar[bool] = True


@decides(UpdateProject)
def _update_project(tx: Tx, cmd: UpdateProject, ctx: Context) -> None:
    del ctx
    status = ending_status(cmd.status)
    reason = clean_text(cmd.reason, "reason", MAX_REASON_LENGTH, required=False)
    found = active_record(tx.state.projects.get(cmd.project), cmd.project, "project")
    tx.emit(ProjectEnded(at=cmd.at, project=found.id, status=status, by=cmd.actor, reason=reason))


# --- digest step -----------------------------------------------------------------------------


def advance_projects(tx: Tx, at: Instant) -> None:
    """Digest step 1k: each player adds ``max(0, inf)·0.08 + relfac(w=5)`` when positive."""
    for project in list(tx.state.projects.values()):
        if project.status is not RecordStatus.ACTIVE:
            continue
        contributions = {}
        for player in sorted(tx.state.players):
            balance = max(0, tx.state.players[player].influence.get(project.faction, 0))
            share = round(
                balance * PROJECT_RATE + relfac(tx.state, player, project.faction, PROJECT_WEIGHT),
                6,
            )
            if share > 0:
                contributions[player] = share
        if not contributions:
            continue
        progress = round(project.progress + sum(contributions.values()), 6)
        tx.emit(
            ProjectAdvanced(
                at=at, project=project.id, contributions=contributions, progress=progress
            )
        )
        if progress >= project.target:
            rewarded = tuple(contributions)
            tx.emit(
                ProjectEnded(
                    at=at,
                    project=project.id,
                    status=RecordStatus.COMPLETED,
                    by="system",
                    rewarded=rewarded,
                )
            )
            for player in rewarded:
                gain_influence(
                    tx, player, {project.faction: PROJECT_REWARD}, at, "faction_project", project.id
                )
