"""Spending influence: investments, endowments, seasonal commitments, faction projects."""

from __future__ import annotations

from typing import Final

from greatwork.commands.options import Option, OptionType
from greatwork.commands.player._shared import FACTION_CHOICES, done, screen, who
from greatwork.commands.render import (
    bullets,
    event_of,
    events_of,
    iso,
    jsonable,
    scholar_name,
    signed,
    when,
)
from greatwork.commands.spec import CommandSpec, Invocation, Reply
from greatwork.rules.constants import FACTION_NAMES, Faction
from greatwork.rules.investment import (
    MAX_PROGRAM_LENGTH,
    MIN_ENDOWMENT,
    MIN_INVESTMENT,
    ArchiveEndowed,
    EndowArchive,
    Invest,
    Invested,
)
from greatwork.rules.player import ReputationChanged
from greatwork.rules.view import commitments_view, projects_view


async def _invest(inv: Invocation) -> Reply:
    opts = inv.options
    await screen(inv, "program", opts["program"])
    outcome = await inv.game.execute(
        Invest(
            **who(inv),
            faction=Faction(opts["faction"]),
            amount=opts["amount"],
            program=opts["program"],
        )
    )
    e = event_of(outcome, Invested)
    warmed = ", ".join(scholar_name(outcome.state, s) for s in e.scholars) or "none yet"
    body = (
        f"{inv.display_name} invests {e.amount} {e.faction} influence"
        + (f" in “{e.program}”" if e.program else "")
        + f".\nScholars under that banner warming to you ({signed(e.feeling)}): {warmed}."
    )
    return done(
        outcome,
        f"Invested {e.amount} in {FACTION_NAMES[e.faction]}",
        body,
        {
            "faction": e.faction,
            "amount": e.amount,
            "program": e.program,
            "scholars": list(e.scholars),
            "feeling": e.feeling,
        },
    )


async def _endow_archive(inv: Invocation) -> Reply:
    opts = inv.options
    await screen(inv, "program", opts["program"])
    outcome = await inv.game.execute(
        EndowArchive(
            **who(inv),
            amount=opts["amount"],
            faction=Faction(opts["faction"]),
            program=opts["program"],
        )
    )
    e = event_of(outcome, ArchiveEndowed)
    gained = sum(r.delta for r in events_of(outcome, ReputationChanged) if r.player == inv.player)
    paid = []
    if e.symposium_paid:
        paid.append(f"{e.symposium_paid} symposium debt")
    if e.seasonal_paid:
        paid.append(f"{e.seasonal_paid} seasonal debt")
    body = (
        f"{inv.display_name} endows the archive with {e.amount} {e.faction} influence"
        + (f" for “{e.program}”" if e.program else "")
        + f". Reputation {signed(gained)}."
        + (f" Also paid off: {', '.join(paid)}." if paid else "")
    )
    return done(
        outcome,
        f"Archive endowed with {e.amount}",
        body,
        {
            "faction": e.faction,
            "amount": e.amount,
            "program": e.program,
            "reputation_delta": gained,
            "symposium_paid": e.symposium_paid,
            "seasonal_paid": e.seasonal_paid,
        },
    )


async def _seasonal_commitments(inv: Invocation) -> Reply:
    state = inv.game.state()
    lines = commitments_view(state, inv.player)
    rows = [
        f"{c.commitment.id} · {c.commitment.faction} · {c.commitment.tier} · "
        f"{c.commitment.status} · next charge {c.next_cost} · "
        f"{when(c.commitment.starts_at)} to {when(c.commitment.ends_at)}"
        for c in lines
    ]
    data = [
        {
            "id": c.commitment.id,
            "faction": c.commitment.faction,
            "tier": c.commitment.tier,
            "status": c.commitment.status,
            "base_cost": c.commitment.base_cost,
            "next_cost": c.next_cost,
            "relfac": c.relfac,
            "starts": iso(c.commitment.starts_at),
            "ends": iso(c.commitment.ends_at),
            "last_charged": iso(c.commitment.last_charged_at)
            if c.commitment.last_charged_at
            else None,
        }
        for c in lines
    ]
    return Reply(
        title="Your seasonal commitments",
        body=bullets(rows, "You have no seasonal commitments (admins set them)."),
        ephemeral=True,
        data=jsonable({"commitments": data}),
    )


async def _faction_projects(inv: Invocation) -> Reply:
    projects = projects_view(inv.game.state())
    rows = [
        f"{p.id} · {p.name} · {p.faction} · {p.status} · {p.progress:.1f}/{p.target:g}"
        + (" · you contribute" if inv.player in p.contributors else "")
        for p in projects
    ]
    data = [
        {
            "id": p.id,
            "name": p.name,
            "faction": p.faction,
            "status": p.status,
            "progress": round(p.progress, 4),
            "target": p.target,
            "contributors": sorted(p.contributors),
            "contributing": inv.player in p.contributors,
        }
        for p in projects
    ]
    return Reply(
        title="Faction projects",
        body=bullets(rows, "No faction projects yet (admins open them)."),
        data=jsonable({"projects": data}),
    )


INVEST: Final = CommandSpec(
    name="invest",
    description="Invest influence in a faction; its scholars in your employ warm to you",
    handler=_invest,
    options=(
        Option(
            name="faction",
            description="The faction to invest in",
            required=True,
            choices=FACTION_CHOICES,
        ),
        Option(
            name="amount",
            description=f"Influence to invest (at least {MIN_INVESTMENT})",
            type=OptionType.INTEGER,
            required=True,
            min_value=MIN_INVESTMENT,
        ),
        Option(
            name="program",
            description=f"A name for the programme (up to {MAX_PROGRAM_LENGTH} characters)",
            default="",
            max_length=MAX_PROGRAM_LENGTH,
        ),
    ),
)


ENDOW_ARCHIVE: Final = CommandSpec(
    name="endow_archive",
    description="Endow the archive: +1 reputation per 12, and it pays off debts",
    handler=_endow_archive,
    options=(
        Option(
            name="amount",
            description=f"Influence to give (at least {MIN_ENDOWMENT})",
            type=OptionType.INTEGER,
            required=True,
            min_value=MIN_ENDOWMENT,
        ),
        Option(
            name="faction",
            description="The faction it comes from (default academia)",
            default=str(Faction.ACADEMIA),
            choices=FACTION_CHOICES,
        ),
        Option(
            name="program",
            description=f"A name for the endowment (up to {MAX_PROGRAM_LENGTH} characters)",
            default="",
            max_length=MAX_PROGRAM_LENGTH,
        ),
    ),
)


SEASONAL_COMMITMENTS: Final = CommandSpec(
    name="seasonal_commitments",
    description="Your seasonal commitments and their next charge",
    handler=_seasonal_commitments,
    ephemeral=True,
)


FACTION_PROJECTS: Final = CommandSpec(
    name="faction_projects",
    description="The faction projects and their progress",
    handler=_faction_projects,
)
