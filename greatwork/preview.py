"""Render the Grafana dashboards' panels from a live Prometheus to PNG files.

``greatwork dashboards preview`` draws each dashboard of ``dashboards/*.json`` as one PNG: the
panels where their ``gridPos`` puts them, one ``query_range`` per target, time series as
lines, stat panels as their last value (coloured by the panel's thresholds) and bar gauges as
bars of the last values. It is a sanity view of what Grafana will show (the data, the layout,
the legends), not a replacement for Grafana: no Grafana styling, no stacking.

The renderer takes the query as a function (:data:`QueryRange`), so tests draw with made-up
series and no network; :class:`Prometheus` is the real one (the HTTP API, ``urllib``).
matplotlib is imported only when drawing; it comes with the ``preview`` extra
(``pip install 'greatwork[preview]'``).
"""

from __future__ import annotations

import json
import logging
import math
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

log = logging.getLogger(__name__)

GRID_COLUMNS = 24
"""Grafana's grid is 24 columns wide."""
UNIT_HEIGHT_INCHES = 0.32
"""The height of one grid row in the picture (Grafana's is 30 px)."""
FIGURE_WIDTH_INCHES = 20.0
HEADER_INCHES = 0.9
MAX_POINTS = 11_000
"""Prometheus refuses a range query of more than 11,000 points per series."""

_DURATION = re.compile(r"(\d+)([smhdw])")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")
_LEGEND = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class PreviewError(Exception):
    """The preview cannot be drawn; the message says what to change."""


@dataclass(frozen=True, slots=True)
class Series:
    """One series of a query's answer: its labels and its ``(epoch seconds, value)`` points."""

    labels: Mapping[str, str]
    points: tuple[tuple[float, float], ...]

    def last(self) -> float | None:
        """Return the last value that is a number (not NaN), or None."""
        for _, value in reversed(self.points):
            if not math.isnan(value):
                return value
        return None


QueryRange = Callable[[str, float, float, float], Sequence[Series]]
"""``query(expr, start, end, step) -> series``: a range query, times in epoch seconds."""


def parse_duration(text: str) -> int:
    """Return the seconds of a duration such as ``90s``, ``30m``, ``6h``, ``2d`` or ``1d6h``.

    Raises:
        PreviewError: the text is not such a duration, or is zero.
    """
    cleaned = text.strip()
    parts = _DURATION.findall(cleaned)
    if not parts or "".join(n + u for n, u in parts) != cleaned:
        raise PreviewError(f"bad duration {text!r}: write it like 90s, 30m, 6h, 2d or 1d6h")
    seconds = sum(int(number) * _SECONDS[unit] for number, unit in parts)
    if seconds <= 0:
        raise PreviewError(f"bad duration {text!r}: it must be longer than 0 s")
    return seconds


def parse_matrix(payload: Mapping[str, Any]) -> list[Series]:
    """Return the series of a Prometheus ``query_range`` answer (``resultType: matrix``).

    Raises:
        PreviewError: the answer is an error or not a matrix.
    """
    if payload.get("status") != "success":
        kind = payload.get("errorType", "error")
        raise PreviewError(f"Prometheus answered {kind}: {payload.get('error', payload)}")
    data = payload.get("data", {})
    if data.get("resultType") != "matrix":
        raise PreviewError(f"expected a matrix from query_range, got {data.get('resultType')!r}")
    return [
        Series(
            labels=dict(item.get("metric", {})),
            points=tuple((float(t), float(v)) for t, v in item.get("values", [])),
        )
        for item in data.get("result", [])
    ]


class Prometheus:
    """A Prometheus server's HTTP API: range queries only.

    Args:
        url: the server's base URL, such as ``http://127.0.0.1:9090`` (http or https).
        timeout: seconds to wait for one answer.

    Raises:
        PreviewError: the URL is not an http(s) URL.
    """

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in {"http", "https"} or not parsed.netloc:
            raise PreviewError(
                f"bad Prometheus URL {url!r}: give an http:// or https:// address, "
                "such as http://127.0.0.1:9090"
            )
        self.url = url.rstrip("/")
        self.timeout = timeout

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[Series]:
        """Run one range query and return its series.

        Raises:
            PreviewError: Prometheus cannot be reached, or refused the query (its message).
        """
        query = urllib.parse.urlencode(
            {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:g}"}
        )
        address = f"{self.url}/api/v1/query_range?{query}"
        try:
            with urllib.request.urlopen(address, timeout=self.timeout) as answer:  # noqa: S310 (scheme checked in __init__)
                payload = json.load(answer)
        except urllib.error.HTTPError as error:
            try:
                payload = json.load(error)
            except ValueError:
                raise PreviewError(
                    f"Prometheus at {self.url} answered HTTP {error.code} to {expr!r}"
                ) from None
            finally:
                error.close()
            raise PreviewError(
                f"Prometheus refused {expr!r}: {payload.get('error', error.reason)}"
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise PreviewError(f"cannot reach Prometheus at {self.url}: {reason}") from None
        except ValueError as error:
            raise PreviewError(f"Prometheus at {self.url} sent no JSON: {error}") from None
        return parse_matrix(payload)


def default_dashboards() -> Path:
    """Return the dashboards folder: ``./dashboards``, else the source checkout's."""
    here = Path("dashboards")
    if here.is_dir():
        return here
    checkout = Path(__file__).resolve().parents[1] / "dashboards"
    return checkout if checkout.is_dir() else here


def load_dashboards(folder: Path) -> list[dict[str, Any]]:
    """Return the dashboards of ``folder/*.json``, sorted by file name.

    Raises:
        PreviewError: no such folder, no dashboard in it, or a file that is not a dashboard.
    """
    if not folder.is_dir():
        raise PreviewError(
            f"no dashboards folder at {folder}: run from the repository or pass --dashboards DIR"
        )
    boards = []
    for path in sorted(folder.glob("*.json")):
        try:
            board = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise PreviewError(f"cannot read dashboard {path}: {error}") from None
        if not isinstance(board, dict) or not isinstance(board.get("panels"), list):
            raise PreviewError(f"{path} is not a Grafana dashboard (no 'panels' list)")
        boards.append(board)
    if not boards:
        raise PreviewError(f"no dashboard (*.json) in {folder}")
    return boards


def walk_panels(board: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Yield every panel of a dashboard, rows too, with a collapsed row's panels after it."""
    for panel in board.get("panels", []):
        yield panel
        yield from panel.get("panels", []) if panel.get("type") == "row" else ()


def substitute(expr: str, *, step: float, range_seconds: float, scrape_seconds: float) -> str:
    """Replace Grafana's built-in variables in a PromQL expression.

    ``$__interval`` is the step, ``$__rate_interval`` is Grafana's max(step + scrape interval,
    4 x scrape interval), ``$__range`` the time range.

    Raises:
        PreviewError: the expression uses any other variable (the preview has no values).
    """
    values = {
        "__interval": f"{max(1, round(step))}s",
        "__rate_interval": f"{round(max(step + scrape_seconds, 4 * scrape_seconds))}s",
        "__range": f"{round(range_seconds)}s",
    }

    def replace(match: re.Match[str]) -> str:
        name = next(group for group in match.groups() if group)
        if name not in values:
            raise PreviewError(
                f"the preview cannot fill the variable ${name} in {expr!r}: only "
                "$__interval, $__rate_interval and $__range are known"
            )
        return values[name]

    return _VARIABLE.sub(replace, expr)


def legend(template: str, labels: Mapping[str, str]) -> str:
    """Return a series' legend: ``{{label}}`` filled from its labels, else its labels."""
    filled = _LEGEND.sub(lambda m: labels.get(m.group(1), ""), template).strip()
    if filled:
        return filled
    inner = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    return f"{labels.get('__name__', '')}{{{inner}}}" if inner else labels.get("__name__", "value")


def format_value(value: float, unit: str) -> str:  # noqa: PLR0911 (one return per unit)
    """Return a value as Grafana would show it in ``unit`` (s, percentunit, bytes, ops, short)."""
    if math.isnan(value):
        return "NaN"
    if unit == "percentunit":
        return f"{value * 100:.1f}%"
    if unit == "s":
        if value != 0 and abs(value) < 1:
            return f"{value * 1000:.3g} ms"
        return f"{value:.3g} s"
    if unit == "bytes":
        for power, name in ((30, "GiB"), (20, "MiB"), (10, "KiB")):
            if abs(value) >= 2**power:
                return f"{value / 2**power:.3g} {name}"
        return f"{value:.0f} B"
    suffix = " ops/s" if unit == "ops" else ""
    for scale, name in ((1e9, " Bil"), (1e6, " Mil"), (1e3, "K")):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{name}{suffix}"
    return f"{value:.3g}{suffix}"


def _threshold_colour(panel: Mapping[str, Any], value: float) -> str:
    steps = panel.get("fieldConfig", {}).get("defaults", {}).get("thresholds", {}).get("steps")
    colour = "tab:green"
    for step in steps or []:
        if step.get("value") is None or value >= step["value"]:
            colour = {"green": "tab:green", "yellow": "goldenrod", "red": "tab:red"}.get(
                step.get("color", ""), f"tab:{step.get('color', 'blue')}"
            )
    return colour


@dataclass(frozen=True, slots=True)
class Window:
    """The time range of a preview: ``start`` to ``end`` (epoch seconds) every ``step`` s."""

    start: float
    end: float
    step: float
    scrape_seconds: float = 15.0

    @classmethod
    def ending(cls, end: float, range_seconds: float, step: float | None = None) -> Window:
        """Return the window of ``range_seconds`` up to ``end`` (step: about 250 points)."""
        chosen = float(step) if step is not None else max(1.0, float(round(range_seconds / 250)))
        if range_seconds / chosen > MAX_POINTS:
            raise PreviewError(
                f"{range_seconds:.0f} s every {chosen:g} s is more than Prometheus's "
                f"{MAX_POINTS} points: choose a longer step or a shorter range"
            )
        return cls(start=end - range_seconds, end=end, step=chosen)


def _query_panel(
    panel: Mapping[str, Any], query: QueryRange, window: Window
) -> list[tuple[str, Series]]:
    drawn: list[tuple[str, Series]] = []
    for target in panel.get("targets", []):
        if target.get("hide") or not target.get("expr"):
            continue
        expr = substitute(
            target["expr"],
            step=window.step,
            range_seconds=window.end - window.start,
            scrape_seconds=window.scrape_seconds,
        )
        answer = query(expr, window.start, window.end, window.step)
        if target.get("format") == "heatmap":  # buckets in order of their bound, +Inf last
            answer = sorted(answer, key=lambda series: _bound(series.labels.get("le", "")))
        template = target.get("legendFormat", "")
        drawn.extend((legend(template, series.labels), series) for series in answer)
    return drawn


def _bound(le: str) -> float:
    """A bucket's upper bound as a number (``+Inf`` and anything unreadable sort last)."""
    try:
        return float(le)
    except ValueError:
        return math.inf


def _clock(epoch: float) -> str:
    """Return an axis label for a time: ``HH:MM`` UTC, with the date at midnight."""
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    return moment.strftime("%m-%d" if (moment.hour, moment.minute) == (0, 0) else "%H:%M")


def _draw_panel(ax: Axes, panel: Mapping[str, Any], drawn: list[tuple[str, Series]]) -> None:
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415 (matplotlib only when drawing)

    unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit", "short")
    ax.set_title(panel.get("title", ""), fontsize=9, loc="left")
    ax.tick_params(labelsize=7)
    kind = panel.get("type")
    lasts = [(name, series.last()) for name, series in drawn]
    known = [(name, value) for name, value in lasts if value is not None]
    if not known:
        ax.set_axis_off()
        ax.text(0.5, 0.4, "No data", ha="center", va="center", fontsize=11, color="grey")
        return
    if kind == "stat":
        ax.set_axis_off()
        shown = known[:4]
        for index, (name, value) in enumerate(shown):
            y = 0.75 - index * (0.7 / max(1, len(shown)))
            text = name if panel.get("options", {}).get("textMode") == "name" else None
            ax.text(
                0.5,
                y,
                text or format_value(value, unit),
                ha="center",
                va="center",
                fontsize=16 if len(shown) == 1 else 11,
                color=_threshold_colour(panel, value),
                weight="bold",
            )
            if text is None and len(shown) > 1:
                ax.text(0.5, y - 0.12, name, ha="center", va="center", fontsize=7, color="grey")
        return
    if kind == "bargauge":
        names = [name for name, _ in known][::-1]
        values = [value for _, value in known][::-1]
        ax.barh(names, values, color="tab:blue")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_value(v, unit)))
        ax.tick_params(axis="y", labelsize=6)
        return
    for name, series in drawn:
        ax.plot([t for t, _ in series.points], [v for _, v in series.points], lw=1, label=name)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: _clock(t)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_value(v, unit)))
    ax.grid(visible=True, alpha=0.3)
    if len(drawn) <= 12:  # more would hide the lines; Grafana's legend scrolls
        ax.legend(fontsize=6, loc="upper left")


def render_dashboard(
    board: Mapping[str, Any], query: QueryRange, path: Path, window: Window
) -> Path:
    """Draw one dashboard into the PNG file ``path``; return the path.

    Raises:
        PreviewError: a panel's query failed or uses a variable the preview cannot fill.
    """
    from matplotlib.figure import Figure  # noqa: PLC0415 (matplotlib only when drawing)

    panels = list(walk_panels(board))
    bottom = max((p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels), default=1)
    height = bottom * UNIT_HEIGHT_INCHES + HEADER_INCHES
    figure = Figure(figsize=(FIGURE_WIDTH_INCHES, height), dpi=80)
    span = datetime.fromtimestamp(window.start, tz=UTC).strftime("%Y-%m-%d %H:%M")
    figure.suptitle(
        f"{board.get('title', '')}  ({span} UTC, {window.end - window.start:.0f} s)",
        x=0.005,
        y=1 - 0.2 / height,
        ha="left",
        va="top",
        fontsize=13,
    )
    top = 1 - HEADER_INCHES / height
    for panel in panels:
        grid = panel["gridPos"]
        left = grid["x"] / GRID_COLUMNS
        width = grid["w"] / GRID_COLUMNS
        y_top = top * (1 - grid["y"] / bottom)
        y_height = top * grid["h"] / bottom
        if panel.get("type") == "row":
            figure.text(left + 0.005, y_top - y_height / 2, panel.get("title", ""), fontsize=11,
                        weight="bold", va="center")  # fmt: skip
            continue
        try:
            drawn = _query_panel(panel, query, window)
        except PreviewError as error:
            raise PreviewError(f"{board.get('title')}: {panel.get('title')}: {error}") from None
        pad_x, pad_y = 0.03 * width + 0.02, 0.22 * y_height
        ax = figure.add_axes(
            (left + pad_x, y_top - y_height + pad_y * 0.6, width - 1.4 * pad_x, y_height - pad_y)
        )
        _draw_panel(ax, panel, drawn)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    log.info("wrote %s (%d panels)", path, len(panels))
    return path


def preview(
    boards: Sequence[Mapping[str, Any]], query: QueryRange, out: Path, window: Window
) -> list[tuple[Path, int]]:
    """Draw each dashboard into ``out/<uid>.png``.

    Returns:
        Each file written and its number of panels (rows not counted).

    Raises:
        PreviewError: a panel's query failed (see :func:`render_dashboard`).
    """
    written = []
    for board in boards:
        name = str(board.get("uid") or board.get("title") or "dashboard")
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
        path = render_dashboard(board, query, out / f"{safe}.png", window)
        count = sum(1 for p in walk_panels(board) if p.get("type") != "row")
        written.append((path, count))
    return written
