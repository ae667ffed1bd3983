"""The dashboards against a real Prometheus: every panel target of every dashboard has data.

A module fixture serves the game (``greatwork serve``'s wiring, a virtual clock, the loopback
Discord, the persona voice on the fake model), starts Debian's Prometheus scraping it every
second, plays a season (``tests/dashboards/harness.py``) and keeps it all running while the
tests ask Prometheus. Each panel target is one test, ``dashboard:panel:refId``, so a failure
names the panel: its expression must be accepted and return at least one value that is not
NaN, polled for up to 20 s. Offline, every expression must pass ``promtool check rules``;
``promtool check config`` and ``promtool check metrics`` check the test's configuration and a
real scrape. Without ``prometheus`` and ``promtool`` installed the tests fail, never skip.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from tests.dashboards.harness import (
    ALERTS,
    JOB,
    HarnessError,
    Live,
    QueryError,
    Target,
    has_value,
    live_season,
    panel_targets,
    promtool,
    rule_group,
    substitute,
    targets_of,
    tool,
)

LIVE = pytest.mark.asyncio(loop_scope="module")
"""The live tests share the module's event loop: the fixture's server runs on it."""

TARGETS = panel_targets()
POLL_SECONDS = 20.0


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def live(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Live]:
    try:
        async with live_season(tmp_path_factory.mktemp("live")) as played:
            yield played
    except HarnessError as error:
        pytest.fail(str(error))


# --- offline ---------------------------------------------------------------------------------


def test_prometheus_and_promtool_are_installed() -> None:
    for name in ("prometheus", "promtool"):
        try:
            tool(name)
        except HarnessError as error:
            pytest.fail(str(error))


def test_every_dashboard_has_targets_and_every_target_a_unique_id() -> None:
    assert {t.dashboard for t in TARGETS} == {"economy", "engagement", "operations"}
    assert len(TARGETS) >= 50
    ids = [t.id for t in TARGETS]
    assert len(ids) == len(set(ids))
    records = [t.record for t in TARGETS]
    assert len(records) == len(set(records))
    assert all("$" not in t.expr and "[[" not in t.expr for t in TARGETS)


def test_every_target_parses_with_promtool(tmp_path: Path) -> None:
    rules = tmp_path / "targets.yml"
    rules.write_text(json.dumps(rule_group(TARGETS), indent=2), encoding="utf-8")
    result = promtool("check", "rules", str(rules))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(TARGETS)} rules found" in result.stdout


def test_promtool_names_the_target_whose_expression_does_not_parse(tmp_path: Path) -> None:
    broken = Target("operations", "Broken panel", "B", "sum(rate(x_total[1m])", instant=False)
    rules = tmp_path / "targets.yml"
    rules.write_text(json.dumps(rule_group([TARGETS[0], broken])), encoding="utf-8")
    result = promtool("check", "rules", str(rules))
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "parse error" in output
    assert broken.record in output


def _board(*panels: dict[str, Any], variables: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    datasource = {"name": "datasource", "type": "datasource", "query": "prometheus"}
    return {"panels": list(panels), "templating": {"list": [datasource, *variables]}}


def _panel(title: str, *targets: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"title": title, "type": "timeseries", "targets": list(targets), **extra}


def test_targets_come_from_rows_and_collapsed_rows_but_not_hidden_or_other_sources() -> None:
    nested = _panel("Nested", {"refId": "A", "expr": "up"})
    row = {"title": "Row", "type": "row", "collapsed": True, "panels": [nested]}
    board = _board(
        _panel("Top", {"refId": "A", "expr": "up", "instant": True}),
        row,
        _panel("Hidden", {"refId": "A", "expr": "up", "hide": True}),
        _panel("Loki", {"refId": "A", "expr": "{job=~'.+'}", "datasource": {"type": "loki"}}),
    )
    found = targets_of("board", board)
    assert [(t.id, t.instant) for t in found] == [("board:Top:A", True), ("board:Nested:A", False)]


def test_substitution_fills_builtins_and_current_values_and_fails_on_the_unknown() -> None:
    shard = {"name": "shard", "type": "custom", "current": {"value": "2"}}
    variables = {"shard": "2", "datasource": None}
    expr = 'rate(x_total{shard="$shard",s="${shard:csv}",t="[[shard]]"}[$__rate_interval])'
    assert substitute(expr, variables) == 'rate(x_total{shard="2",s="2",t="2"}[1m])'
    assert substitute("x[$__range] offset $__interval", {}) == "x[5m] offset 15s"
    with pytest.raises(HarnessError, match=r"unknown variable \$region"):
        targets_of("board", _board(_panel("P", {"refId": "A", "expr": "x{r='$region'}"})))
    with pytest.raises(HarnessError, match=r"variable \$datasource .* no value"):
        targets_of("board", _board(_panel("P", {"refId": "A", "expr": "x{d='$datasource'}"})))
    board = _board(_panel("P", {"refId": "A", "expr": "x{s='$shard'}"}), variables=(shard,))
    assert [t.expr for t in targets_of("board", board)] == ["x{s='2'}"]


def test_a_value_is_a_number_and_nan_is_no_data() -> None:
    assert has_value([{"values": [[1, "NaN"], [2, "0"]]}])
    assert has_value([{"value": [1, "3.5"]}])
    assert not has_value([{"values": [[1, "NaN"], [2, "NaN"]]}])
    assert not has_value([])


# --- against the running Prometheus ----------------------------------------------------------


@LIVE
async def test_promtool_checks_the_tests_prometheus_config_and_its_rules(live: Live) -> None:
    result = promtool("check", "config", str(live.prometheus.config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout
    assert str(ALERTS) in result.stdout


@LIVE
async def test_promtool_checks_a_real_scrape_of_the_metrics(live: Live) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(live.metrics_url, headers={"Accept": "text/plain; version=0.0.4"}) as answer,
    ):
        assert answer.status == 200
        text = await answer.text()
    assert "greatwork_commands_total" in text
    result = promtool("check", "metrics", stdin=text)
    assert result.returncode == 0, result.stdout + result.stderr


@LIVE
async def test_prometheus_scrapes_the_server_and_loaded_the_alert_rules(live: Live) -> None:
    assert await live.prometheus.value(f'up{{job="{JOB}"}}') == 1
    payload = await live.prometheus.api("/api/v1/rules", {})
    groups = {g["name"]: g for g in payload["data"]["groups"]}
    assert groups["greatwork"]["file"] == str(ALERTS)
    assert len(groups["greatwork"]["rules"]) >= 6


@LIVE
async def test_prometheus_saw_every_part_of_the_season(live: Live) -> None:
    prom = live.prometheus

    async def total(expr: str) -> float:
        value = await prom.value(expr)
        assert value is not None, expr
        return value

    outcomes = await prom.query("sum by (type, outcome) (greatwork_expeditions_total) > 0")
    seen = {(s["metric"]["type"], s["metric"]["outcome"]) for s in outcomes}
    assert {t for t, _ in seen} == {"think_tank", "field", "great_project"}
    assert {o for _, o in seen} == {"failure", "partial", "success", "landmark"}
    assert await total("sum(greatwork_defections_total)") >= 1
    assert await total('sum(greatwork_digests_total{trigger="catch_up"})') >= 2
    assert await total('sum(greatwork_digests_total{trigger="admin"})') >= 1
    assert await total("sum(greatwork_digests_missed_total)") >= 1
    assert await total('sum(greatwork_actor_restarts_total{kind="campaign"})') >= 1
    assert await total('sum(greatwork_discord_posts_total{result="held"})') >= 1
    assert await total('sum(greatwork_llm_requests_total{outcome="enhanced"})') >= 1
    assert await total('sum(greatwork_llm_failures_total{kind="server"})') >= 1
    assert await total("sum(greatwork_llm_retries_total)") >= 1
    assert await total('sum(greatwork_commands_total{outcome="refused"})') >= 3
    assert await total("sum(greatwork_players)") == 4
    assert await total("sum(greatwork_symposium_turnout_ratio)") == 0.75
    # The admin pause was scraped while it lasted, and the resume after it.
    end = time.time()
    paused = await prom.query_range('sum(greatwork_game_paused{source="admin"})', live.started, end)
    values = [float(v) for _, v in paused[0]["values"]]
    assert 1.0 in values
    assert values[-1] == 0.0


@LIVE
async def test_a_misspelt_metric_is_no_data_and_a_broken_expression_is_refused(
    live: Live,
) -> None:
    end = time.time()
    misspelt = await live.prometheus.query_range("greatwork_comands_total", live.started, end)
    assert not has_value(misspelt)
    with pytest.raises(QueryError, match="parse error"):
        await live.prometheus.query_range(
            "sum(rate(greatwork_commands_total[1m])", live.started, end
        )


@LIVE
@pytest.mark.parametrize("target", TARGETS, ids=[t.id for t in TARGETS])
async def test_panel_target_returns_data(live: Live, target: Target) -> None:
    prom = live.prometheus
    deadline = time.monotonic() + POLL_SECONDS
    while True:
        if target.instant:
            result = await prom.query(target.expr)
        else:
            result = await prom.query_range(target.expr, live.started, time.time())
        if has_value(result):
            return
        if time.monotonic() > deadline:
            pytest.fail(
                f"{target.id}: no value that is not NaN within {POLL_SECONDS} s for "
                f"{target.expr!r}; the answer was {json.dumps(result)[:400]}"
            )
        await asyncio.sleep(0.25)
