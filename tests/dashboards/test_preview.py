from __future__ import annotations

import math
from pathlib import Path

import pytest

from greatwork import preview as p
from greatwork.cli import main
from tests.dashboards.contract import DASHBOARDS

PNG = b"\x89PNG\r\n\x1a\n"


class FakePrometheus:
    """Answers every range query with two series, or none for ``empty`` expressions."""

    def __init__(self, empty: str = "\0") -> None:
        self.queries: list[tuple[str, float, float, float]] = []
        self.empty = empty

    def __call__(self, expr: str, start: float, end: float, step: float) -> list[p.Series]:
        self.queries.append((expr, start, end, step))
        if self.empty in expr:
            return []
        count = round((end - start) / step) + 1
        return [
            p.Series(
                {"kind": kind, "outcome": "ok", "version": "0.1.0", "le": "10"},
                tuple(
                    (start + i * step, math.nan if i == count - 1 else 0.2 + 0.1 * i / count)
                    for i in range(count)
                ),
            )
            for kind in ("player", "admin")
        ]


def test_preview_draws_one_png_per_dashboard_and_queries_every_target(tmp_path: Path) -> None:
    fake = FakePrometheus()
    window = p.Window.ending(1_767_258_000, 3600)
    boards = p.load_dashboards(DASHBOARDS)
    written = p.preview(boards, fake, tmp_path / "out", window)
    assert sorted(path.name for path, _ in written) == [
        "greatwork-economy.png",
        "greatwork-engagement.png",
        "greatwork-operations.png",
    ]
    for path, panels in written:
        assert path.read_bytes().startswith(PNG)
        assert path.stat().st_size > 20_000
        assert panels >= 8
    expected = [
        t["expr"]
        for board in boards
        for panel in p.walk_panels(board)
        for t in panel.get("targets", [])
    ]
    assert len(fake.queries) == len(expected)
    assert all("$" not in expr for expr, *_ in fake.queries)
    assert {(start, end, step) for _, start, end, step in fake.queries} == {
        (1_767_254_400, 1_767_258_000, 14.0)
    }
    assert any("[60s]" in expr for expr, *_ in fake.queries)  # max(14 s + 15 s, 4 x 15 s)


def test_panels_without_data_still_draw(tmp_path: Path) -> None:
    fake = FakePrometheus(empty="greatwork")
    window = p.Window.ending(1_767_258_000, 600)
    written = p.preview(p.load_dashboards(DASHBOARDS), fake, tmp_path, window)
    assert len(written) == 3
    assert all(path.read_bytes().startswith(PNG) for path, _ in written)


def test_walk_panels_includes_a_collapsed_rows_panels() -> None:
    board = {
        "panels": [
            {"type": "row", "title": "A", "panels": [{"type": "stat", "title": "inner"}]},
            {"type": "timeseries", "title": "outer"},
        ]
    }
    assert [x["title"] for x in p.walk_panels(board)] == ["A", "inner", "outer"]


def test_substitute_fills_grafanas_variables_and_refuses_others() -> None:
    expr = "rate(x[$__rate_interval]) + rate(x[${__interval}]) + increase(x[[[__range]]])"
    assert p.substitute(expr, step=30, range_seconds=3600, scrape_seconds=15) == (
        "rate(x[60s]) + rate(x[30s]) + increase(x[3600s])"
    )
    assert "[35s]" in p.substitute(
        "rate(x[$__rate_interval])", step=30, range_seconds=3600, scrape_seconds=5
    )
    with pytest.raises(p.PreviewError, match=r"\$shard"):
        p.substitute('x{shard="$shard"}', step=15, range_seconds=60, scrape_seconds=15)


def test_legend_and_values_read_as_in_grafana() -> None:
    assert p.legend("{{kind}} p95", {"kind": "player"}) == "player p95"
    assert p.legend("{{ source }}", {"source": "llm"}) == "llm"
    assert p.legend("", {"__name__": "up", "job": "g"}) == 'up{job="g"}'
    assert p.legend("{{missing}}", {}) == "value"
    assert p.format_value(0.0042, "s") == "4.2 ms"
    assert p.format_value(2.5, "s") == "2.5 s"
    assert p.format_value(0.053, "percentunit") == "5.3%"
    assert p.format_value(50 * 2**20, "bytes") == "50 MiB"
    assert p.format_value(1500, "short") == "1.5K"
    assert p.format_value(0.25, "ops") == "0.25 ops/s"
    assert p.format_value(math.nan, "short") == "NaN"


def test_series_last_skips_nan() -> None:
    assert p.Series({}, ((1, 2.0), (2, math.nan))).last() == 2.0
    assert p.Series({}, ((1, math.nan),)).last() is None


def test_durations_and_windows() -> None:
    assert p.parse_duration("90s") == 90
    assert p.parse_duration("1d6h") == 108_000
    for bad in ("", "6", "h", "1h 2m", "0s", "-1h"):
        with pytest.raises(p.PreviewError, match="bad duration"):
            p.parse_duration(bad)
    assert p.Window.ending(1000, 500).step == 2
    with pytest.raises(p.PreviewError, match="11000 points"):
        p.Window.ending(100_000, 90_000, step=1)


def test_parse_matrix_reads_series_and_reports_errors() -> None:
    answer = {
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [{"metric": {"kind": "player"}, "values": [[1.5, "0.25"], [2.5, "NaN"]]}],
        },
    }
    (series,) = p.parse_matrix(answer)
    assert series.labels == {"kind": "player"}
    assert series.points[0] == (1.5, 0.25)
    assert math.isnan(series.points[1][1])
    error = {"status": "error", "errorType": "bad_data", "error": "1:5: parse error"}
    with pytest.raises(p.PreviewError, match="bad_data: 1:5: parse error"):
        p.parse_matrix(error)
    with pytest.raises(p.PreviewError, match="expected a matrix"):
        p.parse_matrix({"status": "success", "data": {"resultType": "vector", "result": []}})


def test_load_dashboards_refuses_a_missing_or_strange_folder(tmp_path: Path) -> None:
    with pytest.raises(p.PreviewError, match="no dashboards folder"):
        p.load_dashboards(tmp_path / "nowhere")
    with pytest.raises(p.PreviewError, match=r"no dashboard \(\*\.json\)"):
        p.load_dashboards(tmp_path)
    (tmp_path / "x.json").write_text('{"title": "x"}')
    with pytest.raises(p.PreviewError, match="not a Grafana dashboard"):
        p.load_dashboards(tmp_path)


def test_prometheus_needs_an_http_url() -> None:
    for url in ("127.0.0.1:9090", "ftp://host", "file:///etc/passwd", "http://"):
        with pytest.raises(p.PreviewError, match="bad Prometheus URL"):
            p.Prometheus(url)
    assert p.Prometheus("http://127.0.0.1:9090/").url == "http://127.0.0.1:9090"


def test_cli_refuses_bad_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    args = ["dashboards", "preview", "--out", str(out), "--dashboards", str(DASHBOARDS)]
    assert main([*args, "--prometheus", "file:///etc/passwd"]) == 2
    assert "bad Prometheus URL" in capsys.readouterr().err
    assert main([*args, "--prometheus", "http://127.0.0.1:9", "--range", "0s"]) == 2
    assert "bad duration '0s'" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = ["dashboards", "preview", "--out", str(out), "--dashboards", str(empty)]
    assert main([*bad, "--prometheus", "http://127.0.0.1:9"]) == 2
    assert "no dashboard" in capsys.readouterr().err
    assert not out.exists()


def test_cli_reports_an_unreachable_prometheus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # port 9 (discard) on loopback: nothing listens, the connection is refused at once
    code = main(
        [
            "dashboards",
            "preview",
            "--prometheus",
            "http://127.0.0.1:9",
            "--out",
            str(tmp_path),
            "--dashboards",
            str(DASHBOARDS),
        ]
    )
    assert code == 1
    assert "cannot reach Prometheus at http://127.0.0.1:9" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_heatmap_buckets_are_drawn_in_the_order_of_their_bounds() -> None:
    bounds = ["+Inf", "-10", "-25", "0", "10", "100", "25"]

    def query(expr: str, start: float, end: float, step: float) -> list[p.Series]:
        del expr, end, step
        return [p.Series({"le": le}, ((start, 1.0),)) for le in bounds]

    panel = {"targets": [{"expr": "x", "format": "heatmap", "legendFormat": "{{le}}"}]}
    window = p.Window.ending(1_767_258_000, 3600)
    drawn = p._query_panel(panel, query, window)
    assert [name for name, _ in drawn] == ["-25", "-10", "0", "10", "25", "100", "+Inf"]
    plain = p._query_panel({"targets": [{"expr": "x", "legendFormat": "{{le}}"}]}, query, window)
    assert [name for name, _ in plain] == bounds  # other targets keep Prometheus's order
