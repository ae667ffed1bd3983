"""Read-only views of the game: a player's status, the wager table, the theories."""

from __future__ import annotations

from typing import Final

from greatwork.commands.player._shared import feel, limit_option, points, viewer_state
from greatwork.commands.render import (
    bullets,
    clip,
    influence_data,
    influence_text,
    iso,
    jsonable,
    percent,
    player_name,
    plural,
    signed,
    when,
)
from greatwork.commands.spec import CommandSpec, Field, Invocation, Reply
from greatwork.rules.constants import EXPEDITION_GATES, RECRUIT_GATE
from greatwork.rules.view import status, theory_reference, wager_table

THEORY_REFERENCE_DEFAULT: Final = 8
THEORY_REFERENCE_MAX: Final = 20


async def _status(inv: Invocation) -> Reply:
    state = viewer_state(inv)
    view = status(state, inv.player)
    joined = inv.player in inv.game.state().players
    gates = {"recruit": RECRUIT_GATE} | {f"expedition:{t}": g for t, g in EXPEDITION_GATES.items()}
    can = [
        f"{name.replace('expedition:', '').replace('_', ' ')} "
        + ("yes" if allowed else f"no (needs {gates[name]})")
        for name, allowed in view.gates.items()
    ]
    contracts = [
        f"{c.name} ({c.scholar}) · {c.faction or 'no banner'} · feeling {feel(c.feeling)}"
        for c in view.contracts
    ]
    felt = [
        f"{r.name} ({r.scholar}) {feel(r.feeling)}"
        + (" scar" if r.scarred else "")
        + f" · odds {points(r.bonus)} points"
        for r in view.relationships
    ]
    commitments = [
        f"{c.commitment.id} · {c.commitment.faction} · next charge {c.next_cost} · "
        f"ends {when(c.commitment.ends_at)}"
        for c in view.commitments
    ]
    cooldowns = ", ".join(f"{k} {plural(v, 'digest')}" for k, v in view.cooldowns.items())
    debts = ", ".join(f"{k} {v}" for k, v in view.debts.items())
    body = "\n".join(
        [
            "You have not acted yet: these are a newcomer's numbers." if not joined else "",
            f"Can: {', '.join(can)}.",
            (
                f"Open theories: {', '.join(view.open_theories) or 'none'}. "
                f"Pending expeditions: {', '.join(view.pending_expeditions) or 'none'}."
            ),
            (
                f"Debts: {debts or 'none'}. Invested: {influence_text(view.invested)}. "
                f"Endowed: {influence_text(view.endowed)}."
            ),
            "Your scholars:\n" + bullets(contracts, "none"),
            "Strongest feelings about you:\n" + bullets(felt, "none yet"),
            "Seasonal commitments:\n" + bullets(commitments, "none"),
        ]
    ).strip()
    fields = (
        Field(name="Reputation", value=signed(view.reputation), inline=True),
        Field(name="Influence cap", value=str(view.cap), inline=True),
        Field(name="Influence", value=influence_text(view.influence, zeros=True)),
        Field(name="Cooldowns", value=cooldowns or "none"),
    )
    data = {
        "player": view.player,
        "display_name": view.display_name,
        "joined": joined,
        "reputation": view.reputation,
        "cap": view.cap,
        "influence": influence_data(view.influence),
        "cooldowns": dict(view.cooldowns),
        "gates": dict(view.gates),
        "scholars": list(view.scholars),
        "open_theories": list(view.open_theories),
        "pending_expeditions": list(view.pending_expeditions),
        "debts": dict(view.debts),
        "contracts": [
            {"scholar": c.scholar, "faction": c.faction, "feeling": c.feeling, "loyalty": c.loyalty}
            for c in view.contracts
        ],
        "relationships": [
            {"scholar": r.scholar, "feeling": r.feeling, "bonus": r.bonus, "scarred": r.scarred}
            for r in view.relationships
        ],
        "commitments": [
            {
                "id": c.commitment.id,
                "faction": c.commitment.faction,
                "next_cost": c.next_cost,
                "ends": iso(c.commitment.ends_at),
            }
            for c in view.commitments
        ],
        "invested": {str(f): n for f, n in view.invested.items()},
        "endowed": {str(f): n for f, n in view.endowed.items()},
    }
    return Reply(
        title=f"{view.display_name}: reputation {signed(view.reputation)}",
        body=body,
        fields=fields,
        ephemeral=True,
        data=jsonable(data),
    )


async def _wager(inv: Invocation) -> Reply:
    del inv
    rows = wager_table()
    lines = [
        f"{r.confidence}: success {signed(r.reward)}, partial {signed(r.partial)}, failure "
        f"{signed(r.penalty)}; breaks even at {percent(r.break_even)} success"
        + (" · starts a 2-digest recruitment cooldown" if r.sets_cooldown else "")
        for r in rows
    ]
    gates = {"recruit": RECRUIT_GATE} | {f"expedition:{t}": g for t, g in EXPEDITION_GATES.items()}
    body = (
        bullets(lines)
        + "\nMinimum reputation: "
        + ", ".join(
            f"{k.replace('expedition:', '').replace('_', ' ')} {v}" for k, v in gates.items()
        )
        + ".\nReputation stays between -50 and +50."
    )
    return Reply(
        title="The wager table",
        body=body,
        data=jsonable({"rows": rows, "gates": gates, "bounds": [-50, 50]}),
    )


async def _theory_reference(inv: Invocation) -> Reply:
    state = inv.game.state()
    lines = theory_reference(state, inv.at, inv.options["limit"])
    rows = []
    for t in lines:
        standing = f"{t.days_left} days left" if t.days_left is not None else str(t.status)
        if t.conference:
            standing += f", conference {t.conference} pending"
        rows.append(
            f"{t.id} · {player_name(state, t.player)} · {t.confidence} · {standing}: "
            f"“{clip(t.text, 120)}”"
        )
    data = [
        {
            "id": t.id,
            "player": t.player,
            "text": t.text,
            "confidence": t.confidence,
            "status": t.status,
            "created_at": iso(t.created_at),
            "deadline": iso(t.deadline),
            "days_left": t.days_left,
            "conference": t.conference,
        }
        for t in lines
    ]
    return Reply(
        title="Theory reference",
        body=bullets(rows, "No theories yet: /submit_theory puts one on the record."),
        data=jsonable({"theories": data}),
    )


STATUS: Final = CommandSpec(
    name="status",
    description="Your reputation, influence, cap, cooldowns, scholars and commitments",
    handler=_status,
    ephemeral=True,
)


WAGER: Final = CommandSpec(
    name="wager",
    description="The wager table, reputation gates and bounds",
    handler=_wager,
)


THEORY_REFERENCE: Final = CommandSpec(
    name="theory_reference",
    description="Recent theories: open ones with days left, settled and lapsed ones",
    handler=_theory_reference,
    options=(limit_option(THEORY_REFERENCE_DEFAULT, THEORY_REFERENCE_MAX, "theories"),),
)
