"""Press writers for the economy: investments, endowments, commitments, faction projects."""

from __future__ import annotations

from typing import Final

from greatwork.press._desk import (
    Desk,
    Story,
    Writer,
    amounts,
    clause,
    faction_name,
    registry,
    signed,
)
from greatwork.rules.commitment import CommitmentCharged, CommitmentEnded
from greatwork.rules.investment import ArchiveEndowed, Invested
from greatwork.rules.project import PROJECT_REWARD, ProjectAdvanced, ProjectEnded
from greatwork.rules.state import RecordStatus

WRITERS: dict[str, Writer] = {}
writes = registry(WRITERS)

SYSTEM: Final = "system"  # the ``by`` of records the digest ended by itself


# --- investments, endowments, commitments, projects ------------------------------------------


@writes(Invested)
def _invested(e: Invested, desk: Desk) -> Story:
    fields: dict[str, object] = {
        "player": desk.player(e.player),
        "faction": faction_name(e.faction),
        "amount": e.amount,
        "program": clause(e.program),
        "scholars": len(e.scholars) if e.scholars else "",
    }
    meta = {"player": e.player, "faction": str(e.faction), "scholars": list(e.scholars)}
    return Story("invested", fields, meta)


@writes(ArchiveEndowed)
def _endowed(e: ArchiveEndowed, desk: Desk) -> Story:
    paid = e.symposium_paid + e.seasonal_paid
    fields: dict[str, object] = {
        "player": desk.player(e.player),
        "faction": faction_name(e.faction),
        "amount": e.amount,
        "program": clause(e.program),
        "debts_paid": paid or "",
    }
    return Story("endowed", fields, {"player": e.player, "faction": str(e.faction)})


@writes(CommitmentCharged)
def _charged(e: CommitmentCharged, desk: Desk) -> Story:
    record = desk.state.commitments.get(e.commitment)
    fields: dict[str, object] = {
        "player": desk.player(e.player),
        "faction": faction_name(e.faction),
        "tier": record.tier if record is not None else "",
        "commitment": e.commitment,
        "cost": e.cost,
        "paid": e.paid,
        "shortfall": e.shortfall or "",
        "debt": e.debt_after or "",
    }
    meta = {"player": e.player, "commitment": e.commitment, "overdue": e.overdue}
    return Story("commitment_charged", fields, meta)


@writes(ProjectAdvanced)
def _advanced(e: ProjectAdvanced, desk: Desk) -> Story:
    project = desk.state.projects.get(e.project)
    target = project.target if project is not None else 0.0
    fields: dict[str, object] = {
        "project": e.project,
        "name": project.name if project is not None else e.project,
        "faction": faction_name(project.faction) if project is not None else "",
        "progress": f"{e.progress:.1f}",
        "target": f"{target:.1f}",
        "percent": f"{min(100.0, 100 * e.progress / target):.0f}%" if target > 0 else "",
        "contributors": desk.players(sorted(e.contributions)),
    }
    meta = {"project": e.project, "players": sorted(e.contributions)}
    return Story("project_advanced", fields, meta)


def ended_by_system(by: str) -> bool:
    """Whether a commitment or project ended on its own (not by an admin)."""
    return by == SYSTEM


@writes(CommitmentEnded)
def _commitment_ended(e: CommitmentEnded, desk: Desk) -> Story:
    record = desk.state.commitments.get(e.commitment)
    player = record.player if record is not None else ""
    fields: dict[str, object] = {
        "commitment": e.commitment,
        "player": desk.player(player),
        "faction": faction_name(record.faction) if record is not None else "",
        "tier": record.tier if record is not None else "",
    }
    meta = {"commitment": e.commitment, "player": player, "status": str(e.status)}
    if ended_by_system(e.by):
        return Story("commitment_completed", fields, meta)
    fields |= {"admin": desk.player(e.by), "reason": clause(e.reason), "status": str(e.status)}
    return Story("commitment_ended", fields, {**meta, "admin": e.by})


@writes(ProjectEnded)
def _project_ended(e: ProjectEnded, desk: Desk) -> Story:
    project = desk.state.projects.get(e.project)
    fields: dict[str, object] = {
        "project": e.project,
        "name": project.name if project is not None else e.project,
        "faction": faction_name(project.faction) if project is not None else "",
    }
    meta = {"project": e.project, "status": str(e.status), "players": list(e.rewarded)}
    if ended_by_system(e.by) and e.status is RecordStatus.COMPLETED:
        reward = amounts({project.faction: PROJECT_REWARD}) if project is not None else ""
        fields |= {"rewarded": desk.players(e.rewarded), "reward": reward or signed(0)}
        return Story("project_completed", fields, meta)
    fields |= {"admin": desk.player(e.by), "reason": clause(e.reason), "status": str(e.status)}
    return Story("project_ended", fields, {**meta, "admin": e.by})
