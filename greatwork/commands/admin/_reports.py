"""Reports: the calibration snapshot, press search and the telemetry report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from greatwork.commands.admin._figures import JOURNAL_SCAN, OUTCOME_KEYS, activity, balance_figures
from greatwork.commands.admin._shared import admin_spec, as_json
from greatwork.commands.options import Option, OptionType
from greatwork.commands.render import bullets, clip, influence_text, iso, plural
from greatwork.commands.spec import Attachment, CommandSpec, Invocation, Reply
from greatwork.rules.constants import Faction

MAX_PRESS_RESULTS: Final = 10
MAX_QUERY_LENGTH: Final = 200
PERMALINK: Final = "/archive/press/{id}.html"


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
        files=(Attachment(filename=filename, content=as_json(figures)),),
        data=figures,
    )


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


COMMANDS: Final[tuple[CommandSpec, ...]] = (
    admin_spec(
        "calibration_snapshot",
        "The game's balance figures as a JSON file",
        _calibration_snapshot,
    ),
    admin_spec(
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
