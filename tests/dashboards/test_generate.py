from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.dashboards.contract import DASHBOARDS, LABELS, METRICS, ROOT

FILES = {
    "operations.json": ("greatwork-operations", "Operations"),
    "economy.json": ("greatwork-economy", "Game economy"),
    "engagement.json": ("greatwork-engagement", "Engagement"),
}
UNITS = {"s", "percentunit", "short", "ops", "bytes"}
FUNCTIONS = {
    "sum", "avg", "max", "min", "count", "rate", "increase", "histogram_quantile",
    "clamp_min", "topk", "sort_desc", "round",
}  # fmt: skip
KEYWORDS = {"by", "without", "and", "or", "unless", "bool", "on", "ignoring"}


def load(name: str) -> dict[str, Any]:
    board: dict[str, Any] = json.loads((DASHBOARDS / name).read_text(encoding="utf-8"))
    return board


def all_panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in board["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))
    return found


def content_panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in all_panels(board) if p["type"] != "row"]


def metric_names(expr: str) -> set[str]:
    """The metric names of a PromQL expression (identifiers that are not calls or labels)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # range selectors
    text = re.sub(r"\b(?:by|without)\s*\([^)]*\)", "", text)  # grouping labels
    names = set()
    for match in re.finditer(r"(?<![\w.$])([A-Za-z_:][\w:]*)(\s*\()?", text):
        word, call = match.group(1), match.group(2)
        if call:
            assert word in FUNCTIONS, f"unexpected function {word} in {expr}"
        elif word not in KEYWORDS:
            names.add(word)
    return names


def grouping_labels(expr: str) -> set[str]:
    labels: set[str] = set()
    for group in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
        labels.update(part.strip() for part in group.split(",") if part.strip())
    for matchers in re.findall(r"\{([^}]*)\}", expr):
        labels.update(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", matchers))
    return labels


def targets() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (name, panel["title"], target)
        for name in FILES
        for panel in content_panels(load(name))
        for target in panel["targets"]
    ]


def generate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, str(DASHBOARDS / "generate.py"), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_committed_json_is_what_the_generator_writes(tmp_path: Path) -> None:
    check = generate("--check")
    assert check.returncode == 0, check.stderr
    written = generate("--out", str(tmp_path))
    assert written.returncode == 0, written.stderr
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DASHBOARDS / name).read_bytes()


def test_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    for name in FILES:
        shutil.copy(DASHBOARDS / name, tmp_path / name)
    board = json.loads((tmp_path / "economy.json").read_text(encoding="utf-8"))
    board["title"] = "Edited in Grafana"
    (tmp_path / "economy.json").write_text(json.dumps(board), encoding="utf-8")
    check = generate("--check", "--out", str(tmp_path))
    assert check.returncode == 1
    assert "economy.json" in check.stderr
    assert "operations.json" not in check.stderr
    assert json.loads((tmp_path / "economy.json").read_text())["title"] == "Edited in Grafana"


def test_output_is_sorted_and_deterministic() -> None:
    for name in FILES:
        text = (DASHBOARDS / name).read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("name", sorted(FILES))
def test_dashboard_identity_and_datasource_variable(name: str) -> None:
    board = load(name)
    uid, title = FILES[name]
    assert board["uid"] == uid
    assert board["title"] == title
    assert board["schemaVersion"] == 41
    assert "id" not in board
    assert all("id" not in panel for panel in all_panels(board))
    variables = board["templating"]["list"]
    datasource = [v for v in variables if v["name"] == "datasource"]
    assert datasource == [v for v in variables if v["type"] == "datasource"]
    assert datasource[0]["query"] == "prometheus"
    assert any(p["type"] == "row" for p in board["panels"])


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_panel_is_complete(name: str) -> None:
    board = load(name)
    panels = content_panels(board)
    assert len(panels) >= 8
    titles = [p["title"] for p in panels]
    assert len(titles) == len(set(titles)), "panel titles repeat"
    for panel in panels:
        assert panel["title"].strip()
        assert len(panel["description"]) >= 20, panel["title"]
        defaults = panel["fieldConfig"]["defaults"]
        assert defaults["unit"] in UNITS, panel["title"]
        steps = defaults["thresholds"]["steps"]
        assert steps[0]["value"] is None
        assert [s["value"] for s in steps[1:]] == sorted(s["value"] for s in steps[1:])
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert panel["targets"], panel["title"]
        refs = [t["refId"] for t in panel["targets"]]
        assert len(refs) == len(set(refs))
        assert all(refs)
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${datasource}"
        grid = panel["gridPos"]
        assert grid["x"] >= 0
        assert grid["x"] + grid["w"] <= 24
        assert grid["h"] > 0


def test_percent_panels_are_ratios_and_latencies_are_seconds() -> None:
    for name in FILES:
        for panel in content_panels(load(name)):
            unit = panel["fieldConfig"]["defaults"]["unit"]
            exprs = " ".join(t["expr"] for t in panel["targets"])
            if "_seconds_bucket" in exprs and "histogram_quantile" in exprs:
                assert unit == "s", panel["title"]
            if "_ratio" in exprs:
                assert unit == "percentunit", panel["title"]
            if unit == "percentunit":  # a ratio of 0..1: a division, a _ratio, or CPU s/s
                assert re.search(r" / |_ratio|rate\(process_cpu", exprs), panel["title"]


def test_every_expression_names_only_contract_metrics() -> None:
    seen: set[str] = set()
    for name, title, target in targets():
        names = metric_names(target["expr"])
        assert names, f"{name}: {title}: no metric in {target['expr']}"
        assert names <= METRICS, f"{name}: {title}: not in the contract: {names - METRICS}"
        labels = grouping_labels(target["expr"])
        assert labels <= LABELS, f"{name}: {title}: unknown labels {labels - LABELS}"
        seen |= names
    # the dashboards cover the contract (all but process and `up` details)
    wanted = {m for m in METRICS if m.startswith("greatwork_") and not m.endswith("_count")}
    wanted -= {m for m in wanted if m.endswith("_sum") and "reputation" not in m}
    assert wanted - seen == set()


def test_metric_name_parser_finds_names_and_rejects_strangers() -> None:
    expr = (
        'sum by (le) (rate(greatwork_x_bucket{outcome="error", kind=~"a|b"}[$__rate_interval]))'
        " / clamp_min(sum(up), 1e-9) and bogus"
    )
    assert metric_names(expr) == {"greatwork_x_bucket", "up", "bogus"}
    assert grouping_labels(expr) == {"le", "outcome", "kind"}
    with pytest.raises(AssertionError, match="unexpected function"):
        metric_names("label_replace(up, 'a', 'b', 'c', 'd')")


def test_grafana_provisioning_files_have_the_expected_shapes() -> None:
    provisioning = DASHBOARDS / "provisioning"
    sources = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())
    assert sources["apiVersion"] == 1
    (source,) = sources["datasources"]
    assert source["type"] == "prometheus"
    assert source["access"] == "proxy"
    assert source["url"] == "http://prometheus:9090"
    assert source["isDefault"] is True
    scrape = yaml.safe_load((DASHBOARDS / "prometheus.yml").read_text())["global"]
    assert source["jsonData"]["timeInterval"] == scrape["scrape_interval"]
    providers = yaml.safe_load((provisioning / "dashboards" / "greatwork.yml").read_text())
    assert providers["apiVersion"] == 1
    (provider,) = providers["providers"]
    assert provider["type"] == "file"
    assert provider["orgId"] == 1
    assert provider["allowUiUpdates"] is False
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"


def test_compose_stack_mounts_files_that_exist_and_publishes_on_loopback_only() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"greatwork", "prometheus", "grafana"}
    assert (ROOT / services["greatwork"]["build"] / "Dockerfile").is_file()
    assert "ports" not in services["greatwork"], "the metrics port must not be published"
    mounted = []
    for service in services.values():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), port
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            if source.startswith("./"):
                assert (ROOT / source).exists(), source
                mounted.append((source, target))
            else:
                assert source in compose["volumes"], source
    assert ("./dashboards/alerts.yml", "/etc/prometheus/alerts.yml") in mounted
    assert ("./dashboards/provisioning", "/etc/grafana/provisioning") in mounted
    for name in FILES:
        assert (f"./dashboards/{name}", f"/var/lib/grafana/dashboards/{name}") in mounted
    config = yaml.safe_load((DASHBOARDS / "prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yml"]
    (job,) = config["scrape_configs"]
    assert job["job_name"] == "greatwork"
    assert job["static_configs"][0]["targets"] == ["greatwork:9464"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "GREATWORK_METRICS_HOST=0.0.0.0" in dockerfile
    assert 'CMD ["greatwork", "serve"]' in dockerfile
