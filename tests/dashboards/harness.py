"""A season of play scraped by a real Prometheus: the harness of the live dashboards test.

:func:`live_season` starts the production wiring of ``greatwork serve`` in front of the
loopback Discord (``tests/discord/world.py``: the game server on a virtual clock, the bot, the
Gazette outbox, the exporter on 127.0.0.1 with a free port) with the persona voice on the fake
model server (``tests/llm/fake_server.py``), then Debian's Prometheus on 127.0.0.1 with a
temporary TSDB scraping it every second (job ``greatwork``, ``dashboards/alerts.yml`` loaded),
waits for ``up{job="greatwork"} == 1`` by polling, plays :func:`play_season` (every part of the
game a dashboard panel shows), and waits until Prometheus has scraped the end of it.

The offline half turns the dashboards into what Prometheus is asked: :func:`panel_targets`
walks every panel of every ``dashboards/*.json`` (rows and collapsed rows included), keeps the
Prometheus targets that are not hidden, and fills in the template variables
(:func:`substitute`: Grafana's built-ins, a variable's current value; a variable the
dashboard does not define fails). :func:`rule_group` puts them all into one recording-rule
group for ``promtool check rules``.

``bench/dashboard_previews.py`` uses :func:`live_season` too, to draw the README's previews.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import time as clock_time
from pathlib import Path
from typing import IO, Any, Final

import aiohttp
import disnake

from greatwork.actors import messages as m
from greatwork.actors.schedule import SlotKind
from greatwork.actors.types import UnavailableError
from greatwork.bot.render import COLOUR_OK
from greatwork.rules.command import Command, Context, decides
from greatwork.rules.event import Tx
from greatwork.rules.ids import Instant, PlayerId
from tests.discord.emulator import InteractionRecord
from tests.discord.world import World, running_world, text_of
from tests.llm.fake_server import FakeLlmServer

ROOT: Final = Path(__file__).resolve().parents[2]
DASHBOARDS: Final = ROOT / "dashboards"
ALERTS: Final = DASHBOARDS / "alerts.yml"
JOB: Final = "greatwork"
SCRAPE_SECONDS: Final = 1
INSTALL: Final = (
    "install Debian's prometheus package (apt-get install prometheus: prometheus and promtool "
    "2.42 in /usr/bin); .ci/run installs it on CI"
)
BUILTINS: Final = {"__rate_interval": "1m", "__interval": "15s", "__range": "5m"}
"""Grafana's built-in variables, as the live test fills them (1 s scrapes: 1m is 60 samples)."""
CHANNELS: Final = ("general", "orders", "gazette", "table-talk", "gw-admin")
SEED: Final = 42
"""The seed of ``tests/play/scripts``: scholars ``proc-004``, ``ironquill``... exist."""
DAY: Final = 86_400
EXPEDITIONS: Final = frozenset(
    {
        ("field", "landmark"),
        ("think_tank", "failure"),
        ("great_project", "success"),
        ("think_tank", "partial"),
    }
)
"""The expeditions of the season: every type, every outcome."""
_VARIABLE = re.compile(r"\$\{(\w+)(?::[\w-]+)?\}|\[\[(\w+)(?::[\w-]+)?\]\]|\$(\w+)")


class HarnessError(Exception):
    """The live setup cannot run; the message says what to do."""


class QueryError(Exception):
    """Prometheus refused a query (a parse error: HTTP 400 ``bad_data``) or cannot answer."""


def tool(name: str) -> str:
    """Return the path of ``prometheus`` or ``promtool``.

    Raises:
        HarnessError: it is not installed (the live test then fails, never skips).
    """
    path = shutil.which(name)
    if path is None:
        raise HarnessError(f"{name} is not on PATH: {INSTALL}")
    return path


def promtool(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``promtool`` with ``args`` (offline) and return what it did."""
    return subprocess.run(  # noqa: S603 (promtool from PATH, arguments built here)
        [tool("promtool"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


# --- the dashboards' targets ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """One Prometheus target of one panel, its variables filled in."""

    dashboard: str
    panel: str
    ref_id: str
    expr: str
    instant: bool

    @property
    def id(self) -> str:
        """``dashboard:panel:refId``: the test id, so a failure names the panel."""
        return f"{self.dashboard}:{self.panel}:{self.ref_id}"

    @property
    def record(self) -> str:
        """A recording rule name for the target (``promtool check rules`` names it on error)."""
        slug = re.sub(r"[^a-zA-Z0-9_]+", "_", f"{self.panel}_{self.ref_id}").strip("_")
        return f"dashboard_{self.dashboard}:{slug}"


def walk_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Yield every panel, rows included, and the panels a row (collapsed or not) nests."""
    for panel in panels:
        yield panel
        yield from walk_panels(panel.get("panels") or [])


def variables_of(board: Mapping[str, Any]) -> dict[str, str | None]:
    """Return the dashboard's template variables: name to current value.

    A datasource variable maps to None: it may appear in a datasource ``uid`` only, never in
    an expression. A variable without a current value maps to None too (nothing to fill in).
    """
    found: dict[str, str | None] = {}
    for variable in (board.get("templating") or {}).get("list") or []:
        name = str(variable["name"])
        if variable.get("type") == "datasource":
            found[name] = None
            continue
        current = (variable.get("current") or {}).get("value")
        if isinstance(current, list):
            current = "|".join(str(v) for v in current) if current else None
        found[name] = None if current in (None, "") else str(current)
    return found


def substitute(expr: str, variables: Mapping[str, str | None]) -> str:
    """Fill ``$x``, ``${x}``, ``${x:fmt}`` and ``[[x]]`` in a PromQL expression.

    Grafana's built-ins take :data:`BUILTINS`; the dashboard's own variables their current
    value.

    Raises:
        HarnessError: the expression uses a variable the dashboard does not define, a
            datasource variable, or one without a current value.
    """

    def replace(match: re.Match[str]) -> str:
        name = next(group for group in match.groups() if group)
        if name in BUILTINS:
            return BUILTINS[name]
        if name not in variables:
            known = ", ".join(sorted({*BUILTINS, *variables}))
            raise HarnessError(f"unknown variable ${name} in {expr!r}: the dashboard has {known}")
        value = variables[name]
        if value is None:
            raise HarnessError(
                f"variable ${name} in {expr!r} has no value to query with (a datasource "
                "variable, or one without a current value)"
            )
        return value

    return _VARIABLE.sub(replace, expr)


def targets_of(name: str, board: Mapping[str, Any]) -> list[Target]:
    """Return the Prometheus targets of one dashboard (hidden ones and other sources left out).

    Raises:
        HarnessError: a target uses a variable :func:`substitute` cannot fill.
    """
    variables = variables_of(board)
    found = []
    for panel in walk_panels(list(board.get("panels") or [])):
        for target in panel.get("targets") or []:
            source = target.get("datasource") or panel.get("datasource") or {}
            if target.get("hide") or not target.get("expr"):
                continue
            if isinstance(source, dict) and source.get("type", "prometheus") != "prometheus":
                continue
            found.append(
                Target(
                    dashboard=name,
                    panel=str(panel.get("title", "")),
                    ref_id=str(target.get("refId", "")),
                    expr=substitute(str(target["expr"]), variables),
                    instant=bool(target.get("instant")) and not target.get("range"),
                )
            )
    return found


def panel_targets(folder: Path = DASHBOARDS) -> list[Target]:
    """Return every Prometheus target of every ``folder/*.json`` dashboard, in file order."""
    found = []
    for path in sorted(folder.glob("*.json")):
        found.extend(targets_of(path.stem, json.loads(path.read_text(encoding="utf-8"))))
    return found


def rule_group(targets: list[Target]) -> dict[str, Any]:
    """One recording-rule group holding every target's expression (for ``promtool``)."""
    rules = [{"record": t.record, "expr": t.expr} for t in targets]
    return {"groups": [{"name": "dashboard_targets", "rules": rules}]}


# --- Prometheus ------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prometheus_config(target: str, rules: Path, *, job: str = JOB) -> str:
    """The test's Prometheus configuration: one target scraped every second, ``rules`` loaded."""
    config = {
        "global": {
            "scrape_interval": f"{SCRAPE_SECONDS}s",
            "scrape_timeout": f"{SCRAPE_SECONDS}s",
            "evaluation_interval": f"{SCRAPE_SECONDS}s",
        },
        "rule_files": [str(rules)],
        "scrape_configs": [{"job_name": job, "static_configs": [{"targets": [target]}]}],
    }
    return json.dumps(config, indent=2) + "\n"  # JSON is YAML


def has_value(result: list[dict[str, Any]]) -> bool:
    """Whether a query's answer holds at least one number that is not NaN."""
    for series in result:
        points = series.get("values") or ([series["value"]] if "value" in series else [])
        if any(str(value).lower() not in {"nan", "+nan", "-nan"} for _, value in points):
            return True
    return False


class Prometheus:
    """Debian's ``prometheus`` on 127.0.0.1 with a temporary TSDB, stopped by its PID.

    Args:
        folder: where the configuration, the TSDB and the log go (made if missing).
        target: the ``host:port`` to scrape.
        rules: the rule file to load.
    """

    def __init__(self, folder: Path, target: str, rules: Path = ALERTS) -> None:
        self.folder = folder
        self.config = folder / "prometheus.yml"
        self.log = folder / "prometheus.log"
        self.target = target
        self.rules = rules
        self.port = 0
        self._process: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        """The base URL of its HTTP API."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The process id while it runs."""
        return None if self._process is None else self._process.pid

    def log_tail(self, lines: int = 20) -> str:
        """The end of its log (for failure messages)."""
        if not self.log.exists():
            return "(no log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    async def start(self, *, attempts: int = 3, timeout: float = 15.0) -> None:  # noqa: ASYNC109 (one deadline per attempt)
        """Start it on a free port and wait until ``/-/ready`` answers 200.

        Raises:
            HarnessError: it is not installed, or exited or was not ready in time.
        """
        binary = tool("prometheus")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.config.write_text(prometheus_config(self.target, self.rules), encoding="utf-8")
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        for attempt in range(attempts):
            self.port = free_port()
            data = self.folder / f"data-{attempt}"
            self._log = self.log.open("ab")
            self._process = await asyncio.create_subprocess_exec(
                binary,
                f"--config.file={self.config}",
                f"--storage.tsdb.path={data}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--storage.tsdb.retention.time=1h",
                "--log.level=warn",
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
            if await self._ready(timeout):
                return
            await self.stop(keep_session=True)
            if "address already in use" not in self.log_tail():
                break  # not the port race: trying again would fail the same way
        await self.stop()
        raise HarnessError(f"prometheus did not start; its log ends:\n{self.log_tail()}")

    async def _ready(self, timeout: float) -> bool:  # noqa: ASYNC109 (one deadline)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is None or self._process.returncode is not None:
                return False
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with self._http().get(f"{self.url}/-/ready") as answer:
                    if answer.status == 200:
                        return True
            await asyncio.sleep(0.05)
        return False

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise HarnessError("prometheus is not started")
        return self._session

    async def stop(self, *, keep_session: bool = False) -> None:
        """Stop it by its PID (SIGTERM, then SIGKILL after 10 s) and close the log. Idempotent."""
        process, self._process = self._process, None
        if process is not None:
            if process.returncode is None:
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        if not keep_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def api(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        """GET one endpoint of the HTTP API; return its JSON.

        Raises:
            QueryError: Prometheus answered an error (its type and message) or did not answer.
        """
        try:
            async with self._http().get(f"{self.url}{path}", params=params) as answer:
                payload: dict[str, Any] = await answer.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise QueryError(f"prometheus at {self.url} did not answer {params}: {error}") from None
        if payload.get("status") != "success":
            raise QueryError(
                f"prometheus refused {params.get('query')!r}: {payload.get('errorType')}: "
                f"{payload.get('error')}"
            )
        return payload

    async def query(self, expr: str, at: float | None = None) -> list[dict[str, Any]]:
        """Run an instant query; return its series (``value: [ts, "str"]``).

        Raises:
            QueryError: Prometheus refused it (the message says why) or did not answer.
        """
        params = {"query": expr, **({} if at is None else {"time": f"{at:.3f}"})}
        payload = await self.api("/api/v1/query", params)
        return list(payload["data"]["result"])

    async def query_range(
        self, expr: str, start: float, end: float, step: float = 1.0
    ) -> list[dict[str, Any]]:
        """Run a range query; return its series (``values: [[ts, "str"], ...]``).

        Raises:
            QueryError: Prometheus refused it (the message says why) or did not answer.
        """
        params = {
            "query": expr,
            "start": f"{start:.3f}",
            "end": f"{end:.3f}",
            "step": f"{step:g}",
        }
        payload = await self.api("/api/v1/query_range", params)
        return list(payload["data"]["result"])

    async def value(self, expr: str) -> float | None:
        """The first value of an instant query, or None when it has none."""
        result = await self.query(expr)
        return float(result[0]["value"][1]) if result else None

    async def wait_for(
        self,
        expr: str,
        check: Callable[[float], bool],
        what: str,
        timeout: float = 20.0,  # noqa: ASYNC109 (one deadline for the poll)
    ) -> float:
        """Poll ``expr`` until its value passes ``check``; return it.

        Raises:
            HarnessError: not within ``timeout`` seconds (with the last value and the log).
        """
        deadline = time.monotonic() + timeout
        last: float | None = None
        while True:
            last = await self.value(expr)
            if last is not None and check(last):
                return last
            if time.monotonic() > deadline:
                raise HarnessError(
                    f"not within {timeout} s: {what} ({expr} = {last}); prometheus's log "
                    f"ends:\n{self.log_tail()}"
                )
            await asyncio.sleep(0.1)


# --- the season ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TripRules(Command):
    """A command whose decider raises: a stand-in for a bug in the rules engine.

    The campaign actor fails on it and the supervisor restarts it from the journal, which is
    the honest way to an actor restart (``greatwork_actor_restarts_total``).
    """

    player_command = False
    allowed_while_paused = True


@decides(TripRules)
def _trip(tx: Tx, cmd: TripRules, ctx: Context) -> None:
    del tx, cmd, ctx
    raise RuntimeError("the live dashboards test tripped the rules engine on purpose")


@dataclass
class Season:
    """What :func:`play_season` did, for the test's own checks."""

    commands: int = 0
    refused: int = 0
    digests: int = 0
    steps: list[str] = field(default_factory=list)


class SeasonError(AssertionError):
    """A step of the season did not go as the season needs."""


class Player:
    """Runs slash commands through the emulator for a :class:`World`, checking the answers."""

    def __init__(self, world: World, season: Season) -> None:
        self.world = world
        self.season = season

    async def ok(self, who: str, command: str, /, **options: Any) -> str:
        """Run a command that must succeed; return the text of its answer."""
        record = await self.world.slash(who, command, **options)
        self.season.commands += 1
        text = _answer(record)
        if _colour(record) != COLOUR_OK:
            raise SeasonError(f"/{command} by {who} was refused: {text[:400]}")
        return text

    async def refused(self, who: str, command: str, needle: str, /, **options: Any) -> str:
        """Run a command that must be refused with ``needle`` in its answer; return the text."""
        record = await self.world.slash(who, command, **options)
        self.season.commands += 1
        self.season.refused += 1
        text = _answer(record)
        if _colour(record) == COLOUR_OK or needle not in text:
            raise SeasonError(f"/{command} by {who} was not refused with {needle!r}: {text[:400]}")
        return text


def _answer(record: InteractionRecord) -> str:
    return "\n".join(text_of(message) for message in record.messages if message)


def _colour(record: InteractionRecord) -> int | None:
    for message in record.messages:
        for embed in (message or {}).get("embeds") or []:
            if "color" in embed:
                return int(embed["color"])
    return None


def may_post(world: World, channel_id: int) -> bool:
    """Whether the bot believes it may send messages in a channel (its cached permissions)."""
    channel = world.bot.get_channel(channel_id)
    guild = world.bot.get_guild(world.guild.id)
    if not isinstance(channel, disnake.TextChannel) or guild is None:
        return False
    return bool(channel.permissions_for(guild.me).send_messages)


async def until(check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:  # noqa: ASYNC109 (one deadline)
    """Poll ``check`` every 10 ms until it holds.

    Raises:
        SeasonError: not within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SeasonError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.01)


def world_settings(fake: FakeLlmServer) -> dict[str, Any]:
    """The served game's settings: the fake model, one digest a day, a catch-up cap of 2."""
    return {
        "llm_url": fake.base_url,
        "llm_model": "fake-model",
        "llm_attempts": 2,
        "llm_timeout": 2.0,
        "llm_retry_budget": 2.0,
        "llm_auto_resume": False,
        "digest_times": (clock_time(13),),
        "catch_up_cap": 2,
    }


async def play_season(world: World, fake: FakeLlmServer, prometheus: Prometheus) -> Season:  # noqa: PLR0915 (one season, step by step)
    """Play a season that gives every dashboard panel something true to show.

    Four players and an admin: theories, expeditions of each type with each outcome (the
    d100 forced), a recruitment, a poach the scholar accepts (a defection), a symposium
    opened, voted on and resolved a week later, digests on the clock and caught up after an
    admin pause (one missed beyond ``catch_up_cap``), a moderation block, the persona voice
    on the fake model with one retried and one failed call, a Gazette post held while the
    bot may not post in #gazette, and the campaign actor restarted after a fault in the rules.

    Raises:
        SeasonError: a step did not go as planned (the message says which).
    """
    season = Season()
    play = Player(world, season)
    server = world.service.server
    cid = world.campaign_id
    world.member("Root", admin=True)

    async def roll(*values: int) -> None:
        for value in values:
            await server.ask(cid, m.ForceRoll(value))

    async def digest() -> None:
        await server.advance_to_next_digest()
        season.digests += 1

    async def admin_digest() -> None:
        await play.ok("Root", "gw_admin run_digest")
        await server.settle()
        season.digests += 1

    # Day 1, Thursday 09:00: four players join with theories; one is blocked by moderation.
    await play.ok("Ada", "submit_theory", theory="Bronze Age flight", confidence="certain")
    await play.ok("Bo", "submit_theory", theory="The harbour was a temple", confidence="suspect")
    await play.ok("Cy", "submit_theory", theory="Tin came by sea", confidence="suspect")
    await play.ok("Di", "table_talk", message="Di joins the table")
    await play.refused(
        "Di", "submit_theory", "blocked by moderation", theory="We kill the rival theory",
        confidence="suspect",
    )  # fmt: skip
    await world.wait_for(
        lambda: any("Moderation blocked" in text_of(p) for p in world.posts("gw-admin"))
    )
    season.steps.append("moderation block")
    await play.ok("Ada", "symposium_propose", topic="Is flight ancient?", description="The wing.")
    await play.ok("Bo", "symposium_propose", topic="Temples or harbours?", description="Stones.")

    # A recruitment, then an expedition of each type and each outcome, one per digest (a
    # forced roll is taken by the next d100; the draws after it stay seeded): a landmark at
    # the day's digest, then a failure and a success at digests an admin runs, and a partial
    # at Friday's.
    await roll(1)
    await play.ok("Ada", "recruit", scholar_id="proc-004", faction="academia")
    season.steps.append("recruitment")
    await play.ok(
        "Ada", "launch_expedition", code="AX-1", objective="Find the bronze wing",
        expedition_type="field", confidence="certain", funding="government, industry",
        theory="T-1",
    )  # fmt: skip
    fake.script("500", "ok")  # one voiced item needs a second attempt
    await roll(95)
    await digest()  # Thursday 13:00
    await play.ok(
        "Bo", "launch_expedition", code="TT-1", objective="Sound the harbour",
        expedition_type="think_tank", confidence="suspect", theory="T-2",
    )  # fmt: skip
    await roll(1)
    await admin_digest()
    await play.ok("Root", "gw_admin adjust_reputation", player_id="Cy", delta=12, reason="A patron")
    await play.ok(
        "Cy", "launch_expedition", code="GP-1", objective="Raise the tower",
        expedition_type="great_project", confidence="suspect", theory="T-3",
    )  # fmt: skip
    await roll(85)
    await admin_digest()
    await play.ok(
        "Di", "launch_expedition", code="TT-2", objective="Read the tablets",
        expedition_type="think_tank", confidence="suspect",
    )  # fmt: skip
    await roll(52)
    await digest()  # Friday 13:00, after the symposium opened at noon
    outcomes = {(str(e.type), str(e.result.outcome))
                for e in server.committed_state(cid).expeditions.values() if e.result}  # fmt: skip
    if outcomes != EXPEDITIONS:
        raise SeasonError(f"the expeditions resolved as {sorted(outcomes)}, not {EXPEDITIONS}")
    season.steps.append("expeditions")

    # The symposium: three of the four players vote; it resolves next Friday.
    await play.ok("Ada", "symposium_vote", option=1)
    await play.ok("Bo", "symposium_vote", option=2)
    await play.ok("Cy", "symposium_vote", option=1)
    await play.ok("Di", "symposium_status")

    # The bot may not post in #gazette for a while: the next bulletin is held, the admins are
    # told, and it goes out when posting is allowed again.
    gazette = world.channel("gazette")
    world.emu.deny_posting(gazette)
    await until(lambda: not may_post(world, gazette), "the bot saw #gazette closed to it")
    await play.ok("Bo", "submit_theory", theory="Written while the Gazette waits",
                  confidence="suspect")  # fmt: skip
    await world.wait_for(
        lambda: any("waiting for permissions" in text_of(p) for p in world.posts("gw-admin"))
    )
    world.emu.deny_posting(gazette, denied=False)
    await world.wait_for(
        lambda: any("the Gazette waits" in text_of(p) for p in world.posts("gazette"))
    )
    world.expected_rejections += sum(1 for r in world.emu.rejections if r.status == 403)
    season.steps.append("held post")

    # Cy poaches Ada's scholar; nobody counters, and she accepts at the deadline's digest.
    await play.ok("Cy", "poach", scholar_id="proc-004", target_faction="foreign",
                  foreign_influence=2, leadership_role=True)  # fmt: skip
    await play.ok("Ada", "view_offers")
    [offer] = [o for o in server.committed_state(cid).offers.values() if o.status == "pending"]
    await server.advance(offer.deadline)
    fake.script("500", "500")  # the next voiced item fails for good: the template stands
    await roll(1)
    await digest()
    if all(o.status == "pending" for o in server.committed_state(cid).offers.values()):
        raise SeasonError("the poach was not resolved at the digest after its deadline")
    season.steps.append("defection")

    # An admin pause across three digest slots; the resume catches up two (catch_up_cap),
    # the third is missed for good.
    await play.ok("Root", "gw_admin pause_game", reason="Moving the server")
    await server.advance(Instant(server.clock.now() + 3 * DAY))
    await world.wait_for(lambda: any("waits" in text_of(p) for p in world.posts("gw-admin")))
    await prometheus.wait_for(
        'sum(greatwork_game_paused{source="admin"})', lambda v: v == 1, "the pause was scraped"
    )
    await play.refused("Bo", "submit_theory", "paused", theory="Tin trade", confidence="suspect")
    await play.ok("Root", "gw_admin resume_game")
    await server.advance(Instant(server.clock.now() + 60))
    season.steps.append("pause and catch-up")

    # The campaign actor meets a fault in the rules and is restarted from the journal.
    with contextlib.suppress(UnavailableError):
        await server.execute(cid, TripRules(actor=PlayerId("root"), at=server.clock.now()))
        raise SeasonError("the rules fault did not fail the command")
    await server.ask(cid, m.Barrier())  # answered by the restarted actor
    if not world.take_errors(r"failed on Execute"):
        raise SeasonError("the rules fault was not logged as an actor failure")
    season.steps.append("actor restart")

    # The next Friday: the symposium resolves; three players play on, so they count as active
    # (a view such as /status is not activity).
    friday = server.schedule.next_slot(server.clock.now(), SlotKind.SYMPOSIUM).at
    await server.advance(Instant(friday + 3600))
    await play.ok("Ada", "status")
    await play.ok("Ada", "table_talk", message="A quiet week at the Academy")
    await play.ok("Bo", "submit_theory", theory="Tin trade", confidence="suspect")
    await play.ok("Cy", "gazette", limit=5)
    await play.ok("Cy", "table_talk", message="Cy reads the Gazette")
    await play.ok("Di", "wager")
    await play.ok("Root", "gw_admin calibration_snapshot")
    await play.refused("Bo", "recruit", "nobody", scholar_id="nobody", faction="academia")
    await server.settle()
    return season


@dataclass
class Live:
    """A season played in front of a running Prometheus."""

    world: World
    prometheus: Prometheus
    fake: FakeLlmServer
    season: Season
    started: float
    """Epoch seconds when Prometheus first saw the server up."""

    @property
    def metrics_url(self) -> str:
        """The exporter's ``/metrics``."""
        return f"http://127.0.0.1:{self.world.service.metrics_port}/metrics"


def scraped_total(world: World) -> float:
    """The server's own count of commands now (what Prometheus must have scraped)."""
    total = 0.0
    for family in world.service.metrics.commands.collect():
        total += sum(s.value for s in family.samples if s.name.endswith("_total"))
    return total


@contextlib.asynccontextmanager
async def live_season(folder: Path) -> AsyncIterator[Live]:
    """Serve the game, start Prometheus on it, play :func:`play_season`, and yield.

    On the way out Prometheus is stopped by its PID, then the world's own exit checks run (no
    unclaimed greatwork ERROR log, no refused request, nothing swallowed).

    Raises:
        HarnessError: prometheus or promtool is missing, or Prometheus did not come up.
    """
    tool("prometheus")
    tool("promtool")
    async with (
        FakeLlmServer() as fake,
        running_world(
            folder / "world", seed=SEED, channels=CHANNELS, settings=world_settings(fake)
        ) as world,
    ):
        port = world.service.metrics_port
        if port is None:
            raise HarnessError("the service has no metrics endpoint (metrics_enabled is off)")
        prometheus = Prometheus(folder / "prometheus", f"127.0.0.1:{port}")
        try:
            await prometheus.start()
            await prometheus.wait_for(
                f'up{{job="{JOB}"}}', lambda v: v == 1, "Prometheus scraped the server"
            )
            started = time.time()
            season = await play_season(world, fake, prometheus)
            total = scraped_total(world)
            await prometheus.wait_for(
                "sum(greatwork_commands_total)",
                lambda v: v >= total,
                f"Prometheus scraped the season's {total:.0f} commands",
            )
            yield Live(world, prometheus, fake, season, started)
        finally:
            await prometheus.stop()
