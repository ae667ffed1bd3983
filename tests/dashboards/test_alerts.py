from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.dashboards.contract import DASHBOARDS
from tests.dashboards.test_generate import FILES, content_panels, load, metric_names

ALERTS = {
    "GreatworkDown",
    "GreatworkDigestMissed",
    "GreatworkDigestsWaiting",
    "GreatworkGamePausedByModel",
    "GreatworkGamePausedByAdmin",
    "GreatworkErrorRateHigh",
    "GreatworkJournalQueueHigh",
    "GreatworkJournalCommitSlow",
    "GreatworkJournalFailures",
    "GreatworkPostingFailed",
    "GreatworkPostsHeld",
}


def promtool(*args: str, cwd: Path = DASHBOARDS) -> subprocess.CompletedProcess[str]:
    path = shutil.which("promtool")
    assert path is not None, (
        "promtool is not installed: apt-get install prometheus (Debian's package, 2.42); "
        ".ci/run installs it"
    )
    return subprocess.run(  # noqa: S603 (promtool from PATH, fixed arguments)
        [path, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
    )


def rules() -> list[dict[str, object]]:
    groups = yaml.safe_load((DASHBOARDS / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_promtool_checks_the_alert_rules() -> None:
    result = promtool("check", "rules", "alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(ALERTS)} rules found" in result.stdout


def test_promtool_unit_tests_pass() -> None:
    result = promtool("test", "rules", "alerts_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_promtool_checks_the_scrape_config_and_its_rule_file() -> None:
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout


def test_promtool_unit_tests_would_catch_a_wrong_expectation(tmp_path: Path) -> None:
    shutil.copy(DASHBOARDS / "alerts.yml", tmp_path / "alerts.yml")
    text = (DASHBOARDS / "alerts_test.yml").read_text()
    down = 'severity: critical, job: greatwork, instance: "gw:9464"}'
    broken = text.replace(down, down.replace("critical", "warning"), 1)
    assert broken != text
    (tmp_path / "alerts_test.yml").write_text(broken)
    result = promtool("test", "rules", "alerts_test.yml", cwd=tmp_path)
    assert result.returncode == 1
    assert "GreatworkDown" in result.stdout + result.stderr


def test_every_rule_is_named_tested_both_ways_and_explained() -> None:
    found = rules()
    assert {rule["alert"] for rule in found} == ALERTS
    tests = yaml.safe_load((DASHBOARDS / "alerts_test.yml").read_text())["tests"]
    fired: set[str] = set()
    quiet: set[str] = set()
    for case in tests:
        for check in case["alert_rule_test"]:
            (fired if check["exp_alerts"] else quiet).add(check["alertname"])
    assert fired == ALERTS
    assert quiet == ALERTS
    for rule in found:
        labels = rule["labels"]
        annotations = rule["annotations"]
        assert isinstance(labels, dict)
        assert isinstance(annotations, dict)
        assert labels["severity"] in {"critical", "warning", "info"}
        assert set(annotations) == {"summary", "description"}
        assert len(str(annotations["description"])) > 100, rule["alert"]
        assert metric_names(str(rule["expr"])), rule["alert"]


def test_every_dashboard_expression_parses(tmp_path: Path) -> None:
    values = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "5m"}
    records = []
    for name in FILES:
        for panel in content_panels(load(name)):
            for target in panel["targets"]:
                expr = target["expr"]
                for variable, value in values.items():
                    expr = expr.replace(variable, value)
                assert "$" not in expr, f"{name}: {panel['title']}: unknown variable in {expr}"
                slug = re.sub(r"\W+", "_", f"{name}_{panel['title']}_{target['refId']}")
                records.append({"record": f"dashboard:{slug.lower()}", "expr": expr})
    assert len(records) >= 40
    path = tmp_path / "exprs.yml"
    path.write_text(json.dumps({"groups": [{"name": "dashboards", "rules": records}]}))
    result = promtool("check", "rules", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
