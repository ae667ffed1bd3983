"""Write the Grafana dashboards of the game server into committed JSON files.

Run from anywhere: ``python dashboards/generate.py`` rewrites ``operations.json``,
``economy.json`` and ``engagement.json`` next to this script; ``--check`` writes nothing and
exits 1 (naming the files) when a committed file differs from what this script builds.

The dashboards query only the metrics of ``greatwork/metrics.py`` (the metric contract of
issue 6) and the Prometheus client's process collector, through a datasource variable
(``${datasource}``), so they work with whatever Prometheus data source an operator picks.
Built with grafana-foundation-sdk ``1769699379!11.6.0`` (Grafana 11.6, schemaVersion 41).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders import bargauge, stat, timeseries
from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import dashboard as dash
from grafana_foundation_sdk.builders import prometheus as prom
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models.dashboard import (
    DashboardCursorSync,
    DataSourceRef,
    Threshold,
    ThresholdsMode,
)
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

HERE = Path(__file__).resolve().parent
DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
RATE = "$__rate_interval"
GREEN, YELLOW, RED, BLUE = "green", "yellow", "red", "blue"


@dataclass(frozen=True, slots=True)
class Query:
    """One panel target: a PromQL expression and its legend (``{{label}}`` allowed)."""

    expr: str
    legend: str = ""
    instant: bool = False
    heatmap: bool = False


@dataclass(frozen=True, slots=True)
class PanelSpec:
    """One panel: its kind (``timeseries``, ``stat`` or ``bargauge``), text, unit and targets.

    ``steps`` are the thresholds as ``(value, colour)`` after the base colour ``base``.
    """

    kind: str
    title: str
    description: str
    unit: str
    queries: tuple[Query, ...]
    width: int = 12
    height: int = 8
    base: str = GREEN
    steps: tuple[tuple[float, str], ...] = ()
    stacked: bool = False
    name_only: bool = False
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True, slots=True)
class RowSpec:
    """A row of panels under a title."""

    title: str
    panels: tuple[PanelSpec, ...] = field(default_factory=tuple)


def quantiles(
    metric: str, window: str = RATE, qs: Sequence[float] = (0.5, 0.95, 0.99)
) -> tuple[Query, ...]:
    """Return one target per quantile of a histogram's buckets over ``window``."""
    rate = f"sum by (le) (rate({metric}_bucket[{window}]))"
    return tuple(Query(f"histogram_quantile({q}, {rate})", f"p{round(q * 100)}") for q in qs)


def ts(  # noqa: PLR0913 (a panel's parts, all by keyword but the text)
    title: str,
    description: str,
    unit: str,
    *queries: Query,
    width: int = 12,
    height: int = 8,
    steps: tuple[tuple[float, str], ...] = (),
    stacked: bool = False,
    minimum: float | None = 0,
    maximum: float | None = None,
) -> PanelSpec:
    """Return a time series panel."""
    return PanelSpec(
        "timeseries",
        title,
        description,
        unit,
        queries,
        width=width,
        height=height,
        steps=steps,
        stacked=stacked,
        minimum=minimum,
        maximum=maximum,
    )


def single(
    title: str,
    description: str,
    unit: str,
    *queries: Query,
    width: int = 6,
    height: int = 4,
    base: str = GREEN,
    steps: tuple[tuple[float, str], ...] = (),
    name_only: bool = False,
) -> PanelSpec:
    """Return a stat panel (the last value of each series, with a sparkline).

    With ``name_only`` it shows the series' legend instead of its value (for ``_info``-style
    metrics whose value is always 1).
    """
    return PanelSpec(
        "stat",
        title,
        description,
        unit,
        queries,
        width=width,
        height=height,
        base=base,
        steps=steps,
        name_only=name_only,
    )


def bars(
    title: str,
    description: str,
    unit: str,
    *queries: Query,
    width: int = 12,
    height: int = 8,
) -> PanelSpec:
    """Return a horizontal bar gauge panel (the last value of each series)."""
    return PanelSpec(
        "bargauge", title, description, unit, queries, width=width, height=height, base=BLUE
    )


def _thresholds(spec: PanelSpec) -> dash.ThresholdsConfig:
    steps = [Threshold(color=spec.base, value=None)]
    steps += [Threshold(color=colour, value=value) for value, colour in spec.steps]
    return dash.ThresholdsConfig().mode(ThresholdsMode.ABSOLUTE).steps(steps)


def _target(query: Query, ref: str) -> prom.Dataquery:
    target = prom.Dataquery().expr(query.expr).ref_id(ref).datasource(DATASOURCE)
    if query.legend:
        target = target.legend_format(query.legend)
    if query.heatmap:
        target = target.format(PromQueryFormat.HEATMAP)
    if query.instant:
        target = target.instant()
    return target


def _panel(spec: PanelSpec) -> Any:  # noqa: ANN401 (the SDK has one builder class per panel type)
    if spec.kind == "timeseries":
        panel: Any = (
            timeseries.Panel()
            .line_width(1)
            .fill_opacity(20 if spec.stacked else 10)
            .show_points(common.VisibilityMode.NEVER)
            .legend(
                common_builders.VizLegendOptions()
                .display_mode(common.LegendDisplayMode.LIST)
                .placement(common.LegendPlacement.BOTTOM)
                .show_legend(True)  # noqa: FBT003 (the SDK's setter)
            )
            .tooltip(
                common_builders.VizTooltipOptions()
                .mode(common.TooltipDisplayMode.MULTI)
                .sort(common.SortOrder.DESCENDING)
            )
        )
        if spec.stacked:
            panel = panel.stacking(
                common_builders.StackingConfig().mode(common.StackingMode.NORMAL)
            )
        if spec.steps:
            panel = panel.thresholds_style(
                common_builders.GraphThresholdsStyleConfig().mode(
                    common.GraphThresholdsStyleMode.LINE
                )
            )
    elif spec.kind == "stat":
        panel = (
            stat.Panel()
            .graph_mode(common.BigValueGraphMode.AREA)
            .color_mode(common.BigValueColorMode.VALUE)
            .text_mode(
                common.BigValueTextMode.NAME if spec.name_only else common.BigValueTextMode.AUTO
            )
            .reduce_options(common_builders.ReduceDataOptions().calcs(["lastNotNull"]))
        )
    elif spec.kind == "bargauge":
        panel = (
            bargauge.Panel()
            .display_mode(common.BarGaugeDisplayMode.GRADIENT)
            .orientation(common.VizOrientation.HORIZONTAL)
            .reduce_options(common_builders.ReduceDataOptions().calcs(["lastNotNull"]))
        )
    else:  # pragma: no cover (the specs below use the three kinds only)
        raise ValueError(f"unknown panel kind {spec.kind!r}: use timeseries, stat or bargauge")
    panel = (
        panel.title(spec.title)
        .description(spec.description)
        .unit(spec.unit)
        .datasource(DATASOURCE)
        .span(spec.width)
        .height(spec.height)
        .thresholds(_thresholds(spec))
    )
    if spec.minimum is not None:
        panel = panel.min(spec.minimum)
    if spec.maximum is not None:
        panel = panel.max(spec.maximum)
    for index, query in enumerate(spec.queries):
        panel = panel.with_target(_target(query, chr(ord("A") + index)))
    return panel


def build(uid: str, title: str, description: str, rows: Sequence[RowSpec]) -> dict[str, Any]:
    """Build one dashboard as a JSON-ready dict: rows open, panels after their row, no ids."""
    board = (
        dash.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(["greatwork"])
        .editable()
        .timezone("browser")
        .time("now-24h", "now")
        .refresh("1m")
        .tooltip(DashboardCursorSync.CROSSHAIR)
        .with_variable(
            dash.DatasourceVariable("datasource").label("Data source").type("prometheus")
        )
    )
    for row in rows:
        board = board.with_row(dash.Row(row.title).collapsed(collapsed=False))
        for spec in row.panels:
            board = board.with_panel(_panel(spec))
    encoded = json.loads(JSONEncoder(sort_keys=True, indent=2).encode(board.build()))
    for panel in encoded["panels"]:
        panel.pop("id", None)  # Grafana numbers panels itself; ids would only collide
    return dict(encoded)


# --- Operations ---------------------------------------------------------------------------

_ALL = "sum(rate(greatwork_commands_total[$__rate_interval]))"
_ERRORS = 'sum(rate(greatwork_commands_total{outcome="error"}[$__rate_interval]))'
_REFUSED = 'sum(rate(greatwork_commands_total{outcome="refused"}[$__rate_interval]))'

OPERATIONS = (
    RowSpec(
        "Server",
        (
            single(
                "Version",
                "The greatwork version that serves the metrics (greatwork_build_info).",
                "short",
                Query("max by (version) (greatwork_build_info)", "{{version}}", instant=True),
                base=BLUE,
                name_only=True,
            ),
            single(
                "Campaigns running",
                "Campaigns whose actors are running. A failed campaign is also shown in "
                "'Campaigns by state'.",
                "short",
                Query('sum(greatwork_campaigns{state="running"})', "running"),
                base=BLUE,
            ),
            single(
                "Memory (RSS)",
                "Resident memory of the server process.",
                "bytes",
                Query("max(process_resident_memory_bytes)", "RSS"),
                base=BLUE,
            ),
            single(
                "CPU",
                "CPU time the server process uses, as a share of one core.",
                "percentunit",
                Query(f"sum(rate(process_cpu_seconds_total[{RATE}]))", "CPU"),
                steps=((0.5, YELLOW), (0.9, RED)),
            ),
        ),
    ),
    RowSpec(
        "Commands",
        (
            ts(
                "Command latency",
                "Time from a command reaching the server to its reply, all commands; "
                "percentiles over the rate interval. A p99 above 1 s is felt by players.",
                "s",
                *quantiles("greatwork_command_duration_seconds"),
                steps=((0.5, YELLOW), (1, RED)),
            ),
            ts(
                "Error rate",
                "Share of commands that ended in an internal error (not a refusal: a refusal "
                "is the game saying no). The 'error rate high' alert fires above 5% for 10m.",
                "percentunit",
                Query(f"{_ERRORS} / clamp_min({_ALL}, 1e-9)", "errors"),
                Query(f"{_REFUSED} / clamp_min({_ALL}, 1e-9)", "refused"),
                steps=((0.01, YELLOW), (0.05, RED)),
                maximum=1,
            ),
            ts(
                "Commands per second by outcome",
                "Commands per second: ok, refused by the rules, or failed with an error.",
                "ops",
                Query(f"sum by (outcome) (rate(greatwork_commands_total[{RATE}]))", "{{outcome}}"),
                stacked=True,
            ),
            ts(
                "Command latency by kind",
                "p95 latency of player commands and of /gw_admin commands.",
                "s",
                Query(
                    "histogram_quantile(0.95, sum by (le, kind) "
                    f"(rate(greatwork_command_duration_seconds_bucket[{RATE}])))",
                    "{{kind}} p95",
                ),
                steps=((0.5, YELLOW), (1, RED)),
            ),
        ),
    ),
    RowSpec(
        "Digests",
        (
            ts(
                "Digest duration",
                "Time to run one digest (resolving orders, writing the Gazette), percentiles "
                "of the digests of the last day. Digests run a few times a day, so the line "
                "moves in steps.",
                "s",
                *quantiles("greatwork_digest_duration_seconds", "1d", (0.5, 0.99)),
                steps=((5, YELLOW), (10, RED)),
            ),
            ts(
                "Digests run by trigger",
                "Digests run in the last hour: on the clock, by an admin, or caught up after "
                "downtime or a pause.",
                "short",
                Query("sum by (trigger) (increase(greatwork_digests_total[1h]))", "{{trigger}}"),
                stacked=True,
            ),
            single(
                "Digests waiting",
                "Digest slots that fell due but have not run: the game is paused, or more "
                "slots passed than the catch-up cap. Resume the game to run them.",
                "short",
                Query("sum(greatwork_digests_waiting)", "waiting"),
                width=12,
                steps=((1, RED),),
            ),
            single(
                "Digests missed (24h)",
                "Digest slots skipped for good in the last day (beyond the catch-up cap). "
                "Any is worth a look at why the server was down or paused so long.",
                "short",
                Query("round(sum(increase(greatwork_digests_missed_total[1d])))", "missed"),
                width=12,
                steps=((1, RED),),
            ),
        ),
    ),
    RowSpec(
        "Journal",
        (
            ts(
                "Journal commit latency",
                "Time from a batch being submitted to the journal to it being durable on "
                "disk (one group commit). The 'journal lag' alert fires at a p99 over 0.5 s.",
                "s",
                *quantiles("greatwork_journal_commit_seconds"),
                steps=((0.1, YELLOW), (0.5, RED)),
            ),
            ts(
                "Journal batch size",
                "Batches written per group commit: 1 when quiet, more under load as commits "
                "are grouped.",
                "short",
                *quantiles("greatwork_journal_batch_entries", qs=(0.5, 0.99)),
            ),
            ts(
                "Journal queue",
                "Batches submitted and not yet durable. It should stay near 0; a queue that "
                "grows means the disk cannot keep up.",
                "short",
                Query("sum(greatwork_journal_queue_batches)", "queued"),
                steps=((10, YELLOW), (20, RED)),
            ),
            single(
                "Journal failures (1h)",
                "Group commits that failed in the last hour. Any failure is serious: look at "
                "the log and the disk.",
                "short",
                Query("round(sum(increase(greatwork_journal_failures_total[1h])))", "failures"),
                width=12,
                height=8,
                steps=((1, RED),),
            ),
        ),
    ),
    RowSpec(
        "Actors",
        (
            ts(
                "Actor restarts",
                "Actors restarted after a failure in the last hour, by kind. A restart "
                "rebuilds the actor from the journal; repeated restarts point at a bug.",
                "short",
                Query("sum by (kind) (increase(greatwork_actor_restarts_total[1h]))", "{{kind}}"),
                steps=((1, YELLOW), (5, RED)),
            ),
            ts(
                "Actor mailboxes",
                "Messages waiting in the actors' mailboxes, summed by kind. A mailbox that "
                "keeps growing is an actor that cannot keep up.",
                "short",
                Query("sum by (kind) (greatwork_actor_mailbox_messages)", "{{kind}}"),
                steps=((50, YELLOW), (200, RED)),
            ),
            ts(
                "Campaigns by state",
                "Campaigns running, paused (by an admin or the language model) or failed.",
                "short",
                Query("sum by (state) (greatwork_campaigns)", "{{state}}"),
                stacked=True,
                width=24,
                height=6,
            ),
        ),
    ),
    RowSpec(
        "Discord posting",
        (
            ts(
                "Gazette posts by result",
                "Messages posted to Discord in the last 15 minutes: posted, failed (refused "
                "for good), or held (waiting for a channel or a permission).",
                "short",
                Query(
                    "sum by (result) (increase(greatwork_discord_posts_total[15m]))",
                    "{{result}}",
                ),
                stacked=True,
            ),
            ts(
                "Post latency",
                "Time to send one message to Discord, retries included.",
                "s",
                *quantiles("greatwork_discord_post_seconds", qs=(0.5, 0.99)),
                steps=((5, YELLOW), (30, RED)),
            ),
            ts(
                "Post retries",
                "Discord sends retried in the last 15 minutes (rate limits, server errors).",
                "short",
                Query("sum(increase(greatwork_discord_post_retries_total[15m]))", "retries"),
                steps=((5, YELLOW), (20, RED)),
                width=24,
                height=6,
            ),
        ),
    ),
    RowSpec(
        "Language model",
        (
            ts(
                "LLM requests by outcome",
                "Persona-voice requests in the last 15 minutes: enhanced, failed, discarded "
                "(an unusable answer), skipped, held back, and the probes while it is down.",
                "short",
                Query(
                    "sum by (outcome) (increase(greatwork_llm_requests_total[15m]))",
                    "{{outcome}}",
                ),
                stacked=True,
            ),
            ts(
                "LLM latency",
                "Time for one language-model request.",
                "s",
                *quantiles("greatwork_llm_request_seconds", qs=(0.5, 0.95, 0.99)),
                steps=((10, YELLOW), (30, RED)),
            ),
            ts(
                "LLM failures by kind",
                "Failed language-model calls in the last 15 minutes, by kind, and the "
                "retries. After 600 s of failures the game pauses itself.",
                "short",
                Query("sum by (kind) (increase(greatwork_llm_failures_total[15m]))", "{{kind}}"),
                Query("sum(increase(greatwork_llm_retries_total[15m]))", "retries"),
            ),
            single(
                "Campaigns paused",
                "Campaigns paused now, by who paused them: an admin, or the language model "
                "being down (see the operator guide, section 13).",
                "short",
                Query("sum by (source) (greatwork_game_paused)", "{{source}}"),
                width=12,
                height=8,
                steps=((1, RED),),
            ),
        ),
    ),
)

# --- Game economy -------------------------------------------------------------------------

_EXPEDITIONS = "increase(greatwork_expeditions_total[1d])"

ECONOMY = (
    RowSpec(
        "Reputation",
        (
            bars(
                "Reputation distribution",
                "How many players stand in each reputation band now (upper bound of the "
                "band), across all campaigns.",
                "short",
                Query(
                    "sum by (le) (greatwork_player_reputation_bucket)",
                    "{{le}}",
                    instant=True,
                    heatmap=True,
                ),
            ),
            ts(
                "Reputation percentiles",
                "Median and 10th/90th percentile of the players' reputation (from the "
                "distribution's bands, so approximate).",
                "short",
                *(
                    Query(
                        f"histogram_quantile({q}, "
                        "sum by (le) (greatwork_player_reputation_bucket))",
                        f"p{round(q * 100)}",
                    )
                    for q in (0.1, 0.5, 0.9)
                ),
                Query(
                    "sum(greatwork_player_reputation_sum) / "
                    "clamp_min(sum(greatwork_player_reputation_count), 1)",
                    "mean",
                ),
                minimum=None,
            ),
        ),
    ),
    RowSpec(
        "Influence",
        (
            ts(
                "Influence by faction",
                "The players' influence with each of the five factions, summed over players "
                "and campaigns.",
                "short",
                Query("sum by (faction) (greatwork_faction_influence)", "{{faction}}"),
                minimum=None,
            ),
            bars(
                "Influence now",
                "The same totals now, one bar per faction.",
                "short",
                Query(
                    "sum by (faction) (greatwork_faction_influence)", "{{faction}}", instant=True
                ),
            ),
        ),
    ),
    RowSpec(
        "Expeditions",
        (
            ts(
                "Expedition outcomes (24h)",
                "Expeditions resolved in the last day by outcome, all types.",
                "short",
                Query(f"sum by (outcome) ({_EXPEDITIONS})", "{{outcome}}"),
                stacked=True,
            ),
            ts(
                "Expeditions by type (24h)",
                "Expeditions resolved in the last day by type: think tank, field, great project.",
                "short",
                Query(f"sum by (type) ({_EXPEDITIONS})", "{{type}}"),
                stacked=True,
            ),
            ts(
                "Success rate by type (24h)",
                "Share of the last day's expeditions of each type that succeeded or found a "
                "landmark (0 when none resolved).",
                "percentunit",
                Query(
                    "sum by (type) (increase(greatwork_expeditions_total"
                    '{outcome=~"success|landmark"}[1d])) / '
                    f"clamp_min(sum by (type) ({_EXPEDITIONS}), 1e-9)",
                    "{{type}}",
                ),
                maximum=1,
            ),
            single(
                "Landmarks (24h)",
                "Landmark discoveries in the last day: the rarest expedition outcome.",
                "short",
                Query(
                    'round(sum(increase(greatwork_expeditions_total{outcome="landmark"}[1d])))',
                    "landmarks",
                ),
                base=BLUE,
                height=8,
            ),
            single(
                "Defections (24h)",
                "Scholars who defected to another player in the last day.",
                "short",
                Query("round(sum(increase(greatwork_defections_total[1d])))", "defections"),
                base=BLUE,
                height=8,
            ),
        ),
    ),
    RowSpec(
        "Defections",
        (
            ts(
                "Defections per hour",
                "Scholars defecting, counted per hour: a spike follows a poaching war.",
                "short",
                Query("sum(increase(greatwork_defections_total[1h]))", "defections"),
                width=24,
            ),
        ),
    ),
)

# --- Engagement ---------------------------------------------------------------------------

ENGAGEMENT = (
    RowSpec(
        "Players",
        (
            single(
                "Active players (24h)",
                "Players who ran a command in the last 24 hours of the game clock, all campaigns.",
                "short",
                Query("sum(greatwork_players_active)", "active"),
                base=BLUE,
            ),
            single(
                "Players",
                "Players known, all campaigns.",
                "short",
                Query("sum(greatwork_players)", "players"),
                base=BLUE,
            ),
            single(
                "Share active",
                "Active players (24h) over players known.",
                "percentunit",
                Query(
                    "sum(greatwork_players_active) / clamp_min(sum(greatwork_players), 1)",
                    "active",
                ),
                base=RED,
                steps=((0.25, YELLOW), (0.5, GREEN)),
            ),
            single(
                "Symposium turnout",
                "Votes over eligible players at the latest resolved symposium, averaged over "
                "the campaigns that had one.",
                "percentunit",
                Query("avg(greatwork_symposium_turnout_ratio)", "turnout"),
                base=RED,
                steps=((0.25, YELLOW), (0.5, GREEN)),
            ),
            ts(
                "Players over time",
                "Active players (24h) and players known.",
                "short",
                Query("sum(greatwork_players_active)", "active (24h)"),
                Query("sum(greatwork_players)", "players"),
            ),
            ts(
                "Symposium turnout over time",
                "Turnout of the latest symposium, per campaign on average.",
                "percentunit",
                Query("avg(greatwork_symposium_turnout_ratio)", "turnout"),
                maximum=1,
            ),
        ),
    ),
    RowSpec(
        "Commands",
        (
            ts(
                "Commands per day by command",
                "The ten commands used most over the last day (admin commands as "
                "'gw_admin <name>').",
                "short",
                Query(
                    "topk(10, sum by (command) (increase(greatwork_commands_total[1d])))",
                    "{{command}}",
                ),
            ),
            bars(
                "Commands today",
                "Commands used in the last day, most used first (top 15).",
                "short",
                Query(
                    "sort_desc(topk(15, sum by (command) "
                    "(increase(greatwork_commands_total[1d]))))",
                    "{{command}}",
                    instant=True,
                ),
            ),
            ts(
                "Pending orders by type",
                "Orders waiting for the next digest, by type: what the players have queued.",
                "short",
                Query("sum by (type) (greatwork_pending_orders)", "{{type}}"),
                stacked=True,
                width=24,
            ),
        ),
    ),
    RowSpec(
        "Press",
        (
            ts(
                "Press by kind (24h)",
                "Press items published in the last day, by kind.",
                "short",
                Query("sum by (kind) (increase(greatwork_press_published_total[1d]))", "{{kind}}"),
                stacked=True,
            ),
            ts(
                "Press by layer (24h)",
                "Press items published in the last day: main items and layered follow-ups.",
                "short",
                Query(
                    "sum by (layer) (increase(greatwork_press_published_total[1d]))",
                    "{{layer}}",
                ),
                stacked=True,
            ),
        ),
    ),
)

DASHBOARDS: dict[str, tuple[str, str, str, tuple[RowSpec, ...]]] = {
    "operations.json": (
        "greatwork-operations",
        "Operations",
        (
            "The game server's health: commands, digests, journal, actors, Discord posting "
            "and the language model."
        ),
        OPERATIONS,
    ),
    "economy.json": (
        "greatwork-economy",
        "Game economy",
        (
            "The state of play: reputation, influence by faction, expeditions, landmarks "
            "and defections."
        ),
        ECONOMY,
    ),
    "engagement.json": (
        "greatwork-engagement",
        "Engagement",
        "Who plays and how: commands per day, active players, symposium turnout and press volume.",
        ENGAGEMENT,
    ),
}


def render() -> dict[str, str]:
    """Return each dashboard file's name and its text (sorted keys, two-space indent)."""
    texts = {}
    for name, (uid, title, description, rows) in DASHBOARDS.items():
        board = build(uid, title, description, rows)
        texts[name] = json.dumps(board, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return texts


def main(argv: Sequence[str] | None = None) -> int:
    """Write the dashboards, or with ``--check`` compare them; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a committed file differs"
    )
    parser.add_argument(
        "--out", type=Path, default=HERE, help="the folder to write to (default: this one)"
    )
    args = parser.parse_args(argv)
    stale = []
    for name, text in render().items():
        path = args.out / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            sys.stdout.write(f"wrote {path}\n")
    if stale:
        sys.stderr.write(
            f"out of date: {', '.join(stale)} in {args.out}; run python dashboards/generate.py\n"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
