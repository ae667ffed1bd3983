"""The metric contract of issue 6 (.brief/s4_metrics_contract.md) as the dashboards see it.

Names the dashboards and alert rules may query, and the labels they may group or match by.
A change here is a change of the contract: greatwork/metrics.py must follow.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = ROOT / "dashboards"

COUNTERS = frozenset(
    {
        "greatwork_commands_total",
        "greatwork_digests_total",
        "greatwork_digests_missed_total",
        "greatwork_journal_failures_total",
        "greatwork_actor_restarts_total",
        "greatwork_press_published_total",
        "greatwork_discord_posts_total",
        "greatwork_discord_post_retries_total",
        "greatwork_llm_requests_total",
        "greatwork_llm_retries_total",
        "greatwork_llm_failures_total",
        "greatwork_expeditions_total",
        "greatwork_defections_total",
    }
)
GAUGES = frozenset(
    {
        "greatwork_digests_waiting",
        "greatwork_journal_queue_batches",
        "greatwork_actor_mailbox_messages",
        "greatwork_campaigns",
        "greatwork_pending_orders",
        "greatwork_game_paused",
        "greatwork_players_active",
        "greatwork_players",
        "greatwork_symposium_turnout_ratio",
        "greatwork_faction_influence",
        "greatwork_build_info",
    }
)
HISTOGRAMS = frozenset(
    {
        "greatwork_command_duration_seconds",
        "greatwork_digest_duration_seconds",
        "greatwork_journal_commit_seconds",
        "greatwork_journal_batch_entries",
        "greatwork_discord_post_seconds",
        "greatwork_llm_request_seconds",
        "greatwork_player_reputation",
    }
)
PROCESS = frozenset({"process_resident_memory_bytes", "process_cpu_seconds_total", "up"})
"""The client's process collector, and Prometheus's own ``up``."""

METRICS = (
    COUNTERS
    | GAUGES
    | PROCESS
    | {f"{name}_{suffix}" for name in HISTOGRAMS for suffix in ("bucket", "sum", "count")}
)
LABELS = frozenset(
    {
        "command",
        "outcome",
        "kind",
        "trigger",
        "state",
        "type",
        "layer",
        "result",
        "source",
        "faction",
        "version",
        "le",
        "job",
        "instance",
    }
)
