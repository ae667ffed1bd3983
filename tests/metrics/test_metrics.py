"""The metric contract: every name, label and pre-created series; the counters move in play."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pykka
import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from greatwork.actors import messages as m
from greatwork.actors.clock import VirtualClock
from greatwork.actors.runtime import GameServer
from greatwork.commands.catalogue import CATALOGUE
from greatwork.commands.spec import invoke
from greatwork.config import Settings
from greatwork.metrics import (
    ACTOR_KINDS,
    LLM_FAILURE_KINDS,
    LLM_OUTCOMES,
    ORDER_TYPES,
    PRESS_KINDS,
    REPUTATION_BUCKETS,
    Metrics,
)
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.order import order_types
from tests.commands.local import T0, shared_content

C1 = CampaignId("c1")
ADA = PlayerId("1001")
START = T0 + 9 * 3600  # 09:00, before the 13:00 digest

# name -> (type, labels) of the contract (docs/operator-guide.md, "Metrics").
CONTRACT: dict[str, tuple[str, tuple[str, ...]]] = {
    "greatwork_commands": ("counter", ("command", "outcome")),
    "greatwork_command_duration_seconds": ("histogram", ("kind",)),
    "greatwork_digests": ("counter", ("trigger",)),
    "greatwork_digest_duration_seconds": ("histogram", ()),
    "greatwork_digests_waiting": ("gauge", ()),
    "greatwork_digests_missed": ("counter", ()),
    "greatwork_journal_commit_seconds": ("histogram", ()),
    "greatwork_journal_batch_entries": ("histogram", ()),
    "greatwork_journal_queue_batches": ("gauge", ()),
    "greatwork_journal_failures": ("counter", ()),
    "greatwork_actor_restarts": ("counter", ("kind",)),
    "greatwork_actor_mailbox_messages": ("gauge", ("kind",)),
    "greatwork_campaigns": ("gauge", ("state",)),
    "greatwork_pending_orders": ("gauge", ("type",)),
    "greatwork_press_published": ("counter", ("kind", "layer")),
    "greatwork_discord_posts": ("counter", ("result",)),
    "greatwork_discord_post_retries": ("counter", ()),
    "greatwork_discord_post_seconds": ("histogram", ()),
    "greatwork_llm_requests": ("counter", ("outcome",)),
    "greatwork_llm_request_seconds": ("histogram", ()),
    "greatwork_llm_retries": ("counter", ()),
    "greatwork_llm_failures": ("counter", ("kind",)),
    "greatwork_game_paused": ("gauge", ("source",)),
    "greatwork_players_active": ("gauge", ()),
    "greatwork_players": ("gauge", ()),
    "greatwork_symposium_turnout_ratio": ("gauge", ()),
    "greatwork_player_reputation": ("histogram", ()),
    "greatwork_faction_influence": ("gauge", ("faction",)),
    "greatwork_expeditions": ("counter", ("type", "outcome")),
    "greatwork_defections": ("counter", ()),
    "greatwork_build_info": ("gauge", ("version",)),
}

LABEL_VALUES: dict[tuple[str, str], set[str]] = {
    ("greatwork_commands", "outcome"): {"ok", "refused", "error"},
    ("greatwork_command_duration_seconds", "kind"): {"player", "admin"},
    ("greatwork_digests", "trigger"): {"clock", "admin", "catch_up"},
    ("greatwork_actor_restarts", "kind"): set(ACTOR_KINDS),
    ("greatwork_actor_mailbox_messages", "kind"): set(ACTOR_KINDS),
    ("greatwork_campaigns", "state"): {"running", "paused", "failed"},
    ("greatwork_pending_orders", "type"): set(ORDER_TYPES),
    ("greatwork_press_published", "kind"): set(PRESS_KINDS),
    ("greatwork_press_published", "layer"): {"main", "layer"},
    ("greatwork_discord_posts", "result"): {"posted", "failed", "held"},
    ("greatwork_llm_requests", "outcome"): set(LLM_OUTCOMES),
    ("greatwork_llm_failures", "kind"): set(LLM_FAILURE_KINDS),
    ("greatwork_game_paused", "source"): {"admin", "llm"},
    ("greatwork_faction_influence", "faction"): {
        "academia",
        "government",
        "industry",
        "religion",
        "foreign",
    },
    ("greatwork_expeditions", "type"): {"think_tank", "field", "great_project"},
    ("greatwork_expeditions", "outcome"): {"failure", "partial", "success", "landmark"},
}

BUCKETS: dict[str, tuple[float, ...]] = {
    "greatwork_command_duration_seconds": (
        0.001,
        0.0025,
        0.005,
        0.01,
        0.025,
        0.05,
        0.1,
        0.25,
        0.5,
        1,
        2.5,
        5,
        10,
    ),
    "greatwork_digest_duration_seconds": (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    "greatwork_journal_commit_seconds": (
        0.0005,
        0.001,
        0.0025,
        0.005,
        0.01,
        0.025,
        0.05,
        0.1,
        0.25,
        0.5,
        1,
    ),
    "greatwork_journal_batch_entries": (1, 2, 4, 8, 16, 32, 64, 128, 256),
    "greatwork_discord_post_seconds": (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    "greatwork_llm_request_seconds": (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    "greatwork_player_reputation": tuple(float(b) for b in REPUTATION_BUCKETS),
}


def families(metrics: Metrics) -> dict[str, tuple[str, list[Sample]]]:
    text = generate_latest(metrics.registry).decode()
    return {f.name: (f.type, f.samples) for f in text_string_to_metric_families(text)}


def series(metrics: Metrics, sample_name: str, **labels: str) -> float:
    """The value of one sample (summed over the labels not given)."""
    text = generate_latest(metrics.registry).decode()
    total = 0.0
    found = False
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == sample_name and all(
                sample.labels.get(k) == v for k, v in labels.items()
            ):
                total += sample.value
                found = True
    assert found, f"no sample {sample_name} {labels}"
    return total


@pytest.fixture(scope="module")
def fresh() -> dict[str, tuple[str, list[Sample]]]:
    return families(Metrics())


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_every_contract_metric_is_there_with_its_type_and_labels(
    fresh: dict[str, tuple[str, list[Sample]]], name: str
) -> None:
    kind, labels = CONTRACT[name]
    assert name in fresh, f"{name} is not exported"
    found, samples = fresh[name]
    assert found == kind
    assert samples, f"{name} has no series before first use"
    for sample in samples:
        assert set(sample.labels) - {"le"} == set(labels), sample


@pytest.mark.parametrize(("name", "label"), sorted(LABEL_VALUES))
def test_labelled_series_exist_for_every_known_value_before_first_use(
    fresh: dict[str, tuple[str, list[Sample]]], name: str, label: str
) -> None:
    _, samples = fresh[name]
    values = {s.labels[label] for s in samples}
    assert values == LABEL_VALUES[name, label]


def test_every_catalogue_command_has_its_three_outcomes(
    fresh: dict[str, tuple[str, list[Sample]]],
) -> None:
    _, samples = fresh["greatwork_commands"]
    pairs = {(s.labels["command"], s.labels["outcome"]) for s in samples}
    paths = {spec.path for spec in CATALOGUE}
    assert "gw_admin run_digest" in paths
    assert pairs == {(p, o) for p in paths for o in ("ok", "refused", "error")}
    assert all(s.value == 0 for s in samples)


@pytest.mark.parametrize("name", sorted(BUCKETS))
def test_histograms_use_the_contract_buckets(
    fresh: dict[str, tuple[str, list[Sample]]], name: str
) -> None:
    _, samples = fresh[name]
    bounds = {float(s.labels["le"]) for s in samples if s.name.endswith("_bucket")}
    assert bounds == {float(b) for b in BUCKETS[name]} | {float("inf")}


def test_order_types_are_every_type_the_rules_schedule() -> None:
    assert set(ORDER_TYPES) == order_types()


def test_names_follow_the_prometheus_conventions() -> None:
    text = generate_latest(Metrics().registry).decode()
    kinds = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, flags=re.MULTILINE))
    assert kinds, text[:200]
    ours = {name: kind for name, kind in kinds.items() if name.startswith("greatwork_")}
    assert len(ours) == len(CONTRACT)
    assert not [line for line in text.splitlines() if "_created" in line]
    for name, kind in ours.items():
        assert name.endswith("_total") == (kind == "counter"), f"{name} ({kind})"
        assert not re.search(r"_(ms|milliseconds|minutes|hours|kilobytes|megabytes|percent)", name)
        assert name == name.lower()
        assert ":" not in name
        assert "_created" not in name
    durations = [n for n in ours if "duration" in n or "latency" in n]
    assert all(n.endswith("_seconds") for n in durations), durations
    for name in ("process_cpu_seconds_total", "python_gc_objects_collected_total", "python_info"):
        assert name in kinds, f"{name}: the process and platform collectors are missing"


def test_two_metrics_objects_stay_apart() -> None:
    one, two = Metrics(process=False), Metrics(process=False)
    one.command_done("status", "ok", 0.01, admin=False)
    assert series(one, "greatwork_commands_total", command="status", outcome="ok") == 1
    assert series(two, "greatwork_commands_total", command="status", outcome="ok") == 0


# --- a real server --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_leftover_actors() -> Iterator[None]:
    yield
    leftovers = pykka.ActorRegistry.get_all()
    pykka.ActorRegistry.stop_all(timeout=5)
    assert leftovers == [], f"actors left running: {leftovers}"


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[GameServer]:
    settings = Settings(db_path=tmp_path / "journal.db")
    game_server = GameServer(
        settings,
        shared_content(),
        clock=VirtualClock(Instant(START)),
    )
    await game_server.start()
    try:
        yield game_server
    finally:
        await game_server.stop()


async def call(
    server: GameServer, path: str, *, admin: bool = False, **options: object
) -> tuple[bool, str]:
    reply = await invoke(
        CATALOGUE.find(path),
        server.game(C1),
        player=ADA,
        display_name="Ada",
        is_admin=admin,
        raw_options=options,
    )
    return reply.ok, reply.body


async def test_play_moves_the_counters(server: GameServer) -> None:
    metrics = server.metrics
    await server.ensure_campaign(C1, seed=3)
    assert series(metrics, "greatwork_campaigns", state="running") == 1

    assert (await call(server, "table_talk", message="Ada sits down"))[0]
    assert (await call(server, "status"))[0]
    ok, body = await call(server, "gw_admin run_digest")  # not an admin: refused
    assert not ok, body
    ok, body = await call(
        server, "submit_theory", theory="The harbour was a temple", confidence="certain"
    )
    assert ok, body
    ok, body = await call(
        server,
        "launch_expedition",
        code="DIG-1",
        objective="Dig by the harbour",
        expedition_type="think_tank",
        confidence="certain",
        theory="T-1",
    )
    assert ok, body
    await server.ask(C1, m.ForceRoll(75))

    assert series(metrics, "greatwork_commands_total", command="status", outcome="ok") == 1
    assert (
        series(
            metrics, "greatwork_commands_total", command="gw_admin run_digest", outcome="refused"
        )
        == 1
    )
    assert series(metrics, "greatwork_command_duration_seconds_count", kind="player") == 4
    assert series(metrics, "greatwork_command_duration_seconds_count", kind="admin") == 1
    assert series(metrics, "greatwork_players") == 1
    assert series(metrics, "greatwork_players_active") == 1
    assert series(metrics, "greatwork_journal_commit_seconds_count") >= 1
    assert series(metrics, "greatwork_journal_batch_entries_sum") >= 4

    await server.advance_to_next_digest()
    assert series(metrics, "greatwork_digests_total", trigger="clock") == 1
    assert series(metrics, "greatwork_digest_duration_seconds_count") == 1
    assert series(metrics, "greatwork_expeditions_total", type="think_tank") == 1
    assert series(metrics, "greatwork_press_published_total") >= 1
    assert series(metrics, "greatwork_player_reputation_count") == 1
    assert series(metrics, "greatwork_player_reputation_sum") > 0

    ok, body = await call(server, "gw_admin run_digest", admin=True)
    assert ok, body
    assert series(metrics, "greatwork_digests_total", trigger="admin") == 1
    assert series(metrics, "greatwork_commands_total", outcome="ok") >= 5

    ok, body = await call(server, "gw_admin pause_game", admin=True, reason="maintenance")
    assert ok, body
    assert series(metrics, "greatwork_game_paused", source="admin") == 1
    assert series(metrics, "greatwork_campaigns", state="paused") == 1
    await server.advance_to_next_digest()
    assert series(metrics, "greatwork_digests_waiting") == 1
    assert series(metrics, "greatwork_digests_total", trigger="clock") == 1  # it waits
