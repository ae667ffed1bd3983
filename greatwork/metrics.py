"""Every Prometheus metric of the server, on a registry of its own (issue 6).

The names, labels and buckets are the metric contract (``docs/operator-guide.md``,
"Metrics"): ``greatwork_`` names in base units, ``_total`` on counters, labels of few values
and never a player, scholar or campaign id. Every labelled series is created with every known
label value when :class:`Metrics` is built, so dashboards have data before the first use.

One :class:`Metrics` holds one :class:`~prometheus_client.CollectorRegistry` (never the
process-wide default), so two servers in one process, and the tests, stay apart. The code that
moves a metric calls one method of it (``metrics.command_done(...)``); the gauges that describe
the game (players, reputation, pending orders, paused campaigns...) are read at scrape time,
from the committed states of the servers the metrics :meth:`~Metrics.watch`, by a custom
collector that runs on the event loop (the aiohttp handler) and costs O(players): each
campaign's summary is computed once per committed state and cached.

``*_created`` series are not exported: :func:`prometheus_client.disable_created_metrics` is
called when this module is imported (a process-wide switch of the client; the contract wants
none).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import pykka
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
)

from greatwork import __version__
from greatwork.press.item import PressItem
from greatwork.press.occasions import OCCASIONS
from greatwork.rules.constants import ExpeditionType, Faction
from greatwork.rules.constants import Outcome as ExpeditionOutcome
from greatwork.rules.ids import Instant

if TYPE_CHECKING:
    from greatwork.actors.runtime import GameServer
    from greatwork.rules.event import Event
    from greatwork.rules.state import CampaignState

__all__ = [
    "ACTOR_KINDS",
    "CAMPAIGN_STATES",
    "COMMAND_OUTCOMES",
    "DIGEST_TRIGGERS",
    "DISCORD_RESULTS",
    "LLM_FAILURE_KINDS",
    "LLM_OUTCOMES",
    "ORDER_TYPES",
    "PAUSE_SOURCES",
    "PRESS_KINDS",
    "PRESS_LAYERS",
    "REPUTATION_BUCKETS",
    "Metrics",
    "binding",
    "bound",
    "command_done",
]

log = logging.getLogger(__name__)

disable_created_metrics()  # type: ignore[no-untyped-call]

COMMAND_OUTCOMES: Final = ("ok", "refused", "error")
COMMAND_KINDS: Final = ("player", "admin")
DIGEST_TRIGGERS: Final = ("clock", "admin", "catch_up")
ACTOR_KINDS: Final = ("campaign", "scholar", "faction", "negotiation", "press_desk", "clock")
CAMPAIGN_STATES: Final = ("running", "paused", "failed")
ORDER_TYPES: Final = (
    "conference_resolution",
    "followup:defection_grudge",
    "followup:offer_deadline",
    "followup:opportunity",
    "followup:recruitment_grudge",
    "followup:return_offer",
    "followup:sidecast_debut",
    "followup:sidecast_integration",
    "followup:sidecast_spotlight",
    "followup:symposium_reminder",
    "followup:symposium_reprimand",
    "mentorship_activation",
)
"""Every order type the rules schedule (``greatwork.rules.order.order_types()``; a test
keeps the two equal)."""
PRESS_KINDS: Final = tuple(sorted({o.kind for o in OCCASIONS.values()}))
PRESS_LAYERS: Final = ("main", "layer")
DISCORD_RESULTS: Final = ("posted", "failed", "held")
LLM_OUTCOMES: Final = (
    "enhanced",
    "failed",
    "discarded",
    "skipped",
    "held_back",
    "probe_ok",
    "probe_failed",
)
LLM_FAILURE_KINDS: Final = (
    "timeout",
    "connection",
    "rate_limited",
    "server",
    "refused",
    "invalid_response",
)
PAUSE_SOURCES: Final = ("admin", "llm")
FACTIONS: Final = tuple(f.value for f in Faction)
EXPEDITION_TYPES: Final = tuple(t.value for t in ExpeditionType)
EXPEDITION_OUTCOMES: Final = tuple(o.value for o in ExpeditionOutcome)

COMMAND_BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
DIGEST_BUCKETS: Final = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
COMMIT_BUCKETS: Final = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1)
BATCH_BUCKETS: Final = (1, 2, 4, 8, 16, 32, 64, 128, 256)
POST_BUCKETS: Final = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
LLM_BUCKETS: Final = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
REPUTATION_BUCKETS: Final = (-50, -25, -10, 0, 10, 25, 50, 75, 100)

ACTIVE_WINDOW: Final = 86_400
"""Seconds of game clock within which a player's last command makes them active."""

# The actor classes whose mailboxes are summed, by kind (pykka's registry gives the classes).
_ACTOR_CLASS_KINDS: Final = {
    "CampaignActor": "campaign",
    "ScholarActor": "scholar",
    "FactionActor": "faction",
    "NegotiationActor": "negotiation",
    "PressDeskActor": "press_desk",
    "ClockActor": "clock",
}
# The supervisor's key prefixes, by kind (``press:<campaign>`` is the press desk).
_KEY_KINDS: Final = {
    "campaign": "campaign",
    "scholar": "scholar",
    "faction": "faction",
    "negotiation": "negotiation",
    "press": "press_desk",
    "clock": "clock",
}

_CURRENT: ContextVar[Metrics | None] = ContextVar("greatwork_metrics", default=None)


@contextlib.contextmanager
def binding(metrics: Metrics | None) -> Iterator[None]:
    """Make ``metrics`` what :func:`bound` returns inside the block (in this context only).

    The server opens its journal inside one, so the journal's writer, built deep inside
    ``Store.open``, reports to the server's metrics without a parameter on every layer.
    """
    token = _CURRENT.set(metrics)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def bound() -> Metrics | None:
    """The metrics of the enclosing :func:`binding`, or None outside one."""
    return _CURRENT.get()


def command_done(game: object, name: str, outcome: str, started: float, *, admin: bool) -> None:
    """Count one catalogue command of ``game``'s server, if it has metrics.

    Args:
        game: the command's ``Game``; a server's ``CampaignGame`` carries ``metrics``, an
            in-memory test game none (then nothing is counted).
        name: the command's path (``submit_theory``, ``gw_admin run_digest``).
        outcome: ``ok``, ``refused`` or ``error``.
        started: ``time.perf_counter()`` when the command began.
        admin: an admin command (the latency's ``kind`` label).
    """
    metrics = getattr(game, "metrics", None)
    if isinstance(metrics, Metrics):
        metrics.command_done(name, outcome, time.perf_counter() - started, admin=admin)


@dataclass(frozen=True, slots=True)
class _Summary:
    """What the scrape reads of one committed state (cached per state)."""

    seq: int
    paused_by: str | None
    players: int
    active: int
    active_at: int  # the clock time ``active`` was counted at
    reputations: tuple[int, ...]
    influence: dict[str, int]
    pending: dict[str, int]
    turnout: float | None


class Metrics:
    """The server's metrics on a registry of their own; every method is thread-safe.

    Args:
        version: the ``version`` label of ``greatwork_build_info`` (the package's by default).
        process: add the client's process, platform and GC collectors.
        command_names: the command label values to pre-create (the catalogue's paths by
            default).
    """

    def __init__(
        self,
        *,
        version: str = __version__,
        process: bool = True,
        command_names: Iterable[str] | None = None,
    ) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self._lock = threading.Lock()
        self._servers: list[GameServer] = []
        self._summaries: dict[tuple[int, str], _Summary] = {}
        self._journal_in_flight = 0
        if process:
            ProcessCollector(registry=r)
            PlatformCollector(registry=r)
            GCCollector(registry=r)
        self.commands = Counter(
            "greatwork_commands",
            "Catalogue commands run, by command and outcome (ok, refused, error).",
            ["command", "outcome"],
            registry=r,
        )
        self.command_seconds = Histogram(
            "greatwork_command_duration_seconds",
            "Seconds from a command's call to its reply (committed), by kind.",
            ["kind"],
            buckets=COMMAND_BUCKETS,
            registry=r,
        )
        self.digests = Counter(
            "greatwork_digests",
            "Digests run, by what triggered them (clock, admin, catch_up).",
            ["trigger"],
            registry=r,
        )
        self.digest_seconds = Histogram(
            "greatwork_digest_duration_seconds",
            "Seconds one digest took to decide and hand to the journal.",
            buckets=DIGEST_BUCKETS,
            registry=r,
        )
        self.digests_missed = Counter(
            "greatwork_digests_missed",
            "Digest slots skipped for good, beyond the catch-up cap.",
            registry=r,
        )
        self.journal_seconds = Histogram(
            "greatwork_journal_commit_seconds",
            "Seconds of one group commit, from its oldest batch's submission to durable.",
            buckets=COMMIT_BUCKETS,
            registry=r,
        )
        self.journal_batches = Histogram(
            "greatwork_journal_batch_entries",
            "Batches written by one group commit.",
            buckets=BATCH_BUCKETS,
            registry=r,
        )
        self.journal_failures = Counter(
            "greatwork_journal_failures",
            "Journal transactions that failed and were rolled back.",
            registry=r,
        )
        self.actor_restarts = Counter(
            "greatwork_actor_restarts",
            "Actors restarted by the supervisor after a failure, by kind.",
            ["kind"],
            registry=r,
        )
        self.press = Counter(
            "greatwork_press_published",
            "Press items published, by press kind and layer (main, layer).",
            ["kind", "layer"],
            registry=r,
        )
        self.discord_posts = Counter(
            "greatwork_discord_posts",
            "Discord messages of the outbox, by result (posted, failed, held).",
            ["result"],
            registry=r,
        )
        self.discord_retries = Counter(
            "greatwork_discord_post_retries",
            "Sends of a Discord message tried again after a retryable error.",
            registry=r,
        )
        self.discord_seconds = Histogram(
            "greatwork_discord_post_seconds",
            "Seconds to send one Discord message, retries included.",
            buckets=POST_BUCKETS,
            registry=r,
        )
        self.llm_seconds = Histogram(
            "greatwork_llm_request_seconds",
            "Seconds of one language-model call, retries and waits included.",
            buckets=LLM_BUCKETS,
            registry=r,
        )
        self.llm_retries = Counter(
            "greatwork_llm_retries",
            "Language-model requests tried again after a transient failure.",
            registry=r,
        )
        self.llm_failures = Counter(
            "greatwork_llm_failures",
            "Language-model calls that failed for good, by kind.",
            ["kind"],
            registry=r,
        )
        self.expeditions = Counter(
            "greatwork_expeditions",
            "Expeditions resolved, by type and outcome.",
            ["type", "outcome"],
            registry=r,
        )
        self.defections = Counter(
            "greatwork_defections",
            "Scholars who changed employer.",
            registry=r,
        )
        self.build_info = Gauge(
            "greatwork_build_info",
            "Always 1; the version label says which greatwork runs.",
            ["version"],
            registry=r,
        )
        self.build_info.labels(version=version).set(1)
        self._precreate(command_names)
        r.register(_ScrapeCollector(self))

    def _precreate(self, command_names: Iterable[str] | None) -> None:
        """Create every labelled series with every known label value (they read 0)."""
        if command_names is None:
            from greatwork.commands.catalogue import CATALOGUE  # noqa: PLC0415 (the catalogue imports the command path, which imports this module)

            command_names = [spec.path for spec in CATALOGUE]
        for name in command_names:
            for outcome in COMMAND_OUTCOMES:
                self.commands.labels(command=name, outcome=outcome)
        for press_kind in PRESS_KINDS:
            for layer in PRESS_LAYERS:
                self.press.labels(kind=press_kind, layer=layer)
        for expedition in EXPEDITION_TYPES:
            for outcome in EXPEDITION_OUTCOMES:
                self.expeditions.labels(type=expedition, outcome=outcome)
        self._precreate_flat()

    def _precreate_flat(self) -> None:
        for kind in COMMAND_KINDS:
            self.command_seconds.labels(kind=kind)
        for trigger in DIGEST_TRIGGERS:
            self.digests.labels(trigger=trigger)
        for actor in ACTOR_KINDS:
            self.actor_restarts.labels(kind=actor)
        for result in DISCORD_RESULTS:
            self.discord_posts.labels(result=result)
        for failure in LLM_FAILURE_KINDS:
            self.llm_failures.labels(kind=failure)

    # --- sources read at scrape time --------------------------------------------------------

    def watch(self, server: GameServer) -> None:
        """Read ``server``'s campaigns, journal and persona voice at every scrape."""
        with self._lock:
            if server not in self._servers:
                self._servers.append(server)

    def unwatch(self, server: GameServer) -> None:
        """Stop reading ``server`` (its series then read 0)."""
        with self._lock:
            if server in self._servers:
                self._servers.remove(server)
            self._summaries = {k: v for k, v in self._summaries.items() if k[0] != id(server)}

    # --- the API the code calls ------------------------------------------------------------------

    def command_done(self, name: str, outcome: str, seconds: float, *, admin: bool) -> None:
        """Count one command and its latency."""
        self.commands.labels(command=name, outcome=outcome).inc()
        self.command_seconds.labels(kind="admin" if admin else "player").observe(seconds)

    def digest_done(self, trigger: str, seconds: float) -> None:
        """Count one digest (``clock``, ``admin`` or ``catch_up``) and its duration."""
        self.digests.labels(trigger=trigger).inc()
        self.digest_seconds.observe(seconds)

    def digests_skipped(self, count: int) -> None:
        """Count digest slots skipped for good (beyond the catch-up cap)."""
        self.digests_missed.inc(count)

    def journal_writing(self, batches: int) -> None:
        """A group commit of ``batches`` began (they are in flight until it ends)."""
        with self._lock:
            self._journal_in_flight += batches

    def journal_written(self, batches: int, seconds: float, *, ok: bool) -> None:
        """A group commit of ``batches`` ended: durable after ``seconds``, or failed."""
        with self._lock:
            self._journal_in_flight = max(0, self._journal_in_flight - batches)
        if ok:
            self.journal_seconds.observe(seconds)
            self.journal_batches.observe(batches)
        else:
            self.journal_failures.inc()

    def journal_failed(self) -> None:
        """Count a failed journal transaction that wrote no batch (records only)."""
        self.journal_failures.inc()

    def actor_restarted(self, key: str) -> None:
        """Count a restart of the actor with supervisor key ``key`` (``campaign:guild-1``)."""
        kind = _KEY_KINDS.get(key.partition(":")[0])
        if kind is not None:
            self.actor_restarts.labels(kind=kind).inc()

    def press_published(self, items: Iterable[object]) -> None:
        """Count the press items among a published release (its digests are not press)."""
        for item in items:
            if isinstance(item, PressItem):
                layer = "layer" if item.meta.get("layer") else "main"
                self.press.labels(kind=item.kind, layer=layer).inc()

    def committed(self, events: Sequence[Event], state: CampaignState) -> None:
        """Count the expeditions resolved and the defections of one committed batch."""
        for event in events:
            if event.kind == "ExpeditionResolved":
                code = getattr(event, "code", None)
                result = getattr(event, "result", None)
                expedition = state.expeditions.get(code) if code is not None else None
                if expedition is not None and result is not None:
                    self.expeditions.labels(
                        type=str(expedition.type), outcome=str(result.outcome)
                    ).inc()
            elif event.kind == "ScholarDefected":
                self.defections.inc()

    def discord_post(self, result: str) -> None:
        """Count one Discord message by result.

        ``posted``: Discord took it; ``failed``: refused for good, or still failing after its
        retries; ``held``: refused until an admin grants a permission.
        """
        self.discord_posts.labels(result=result).inc()

    def discord_send_time(self, seconds: float) -> None:
        """Observe the time one Discord message took to send, retries included."""
        self.discord_seconds.observe(seconds)

    def discord_retry(self) -> None:
        """Count one more send of a Discord message after a retryable error."""
        self.discord_retries.inc()

    def llm_call(self, seconds: float, attempts: int, failure: str | None = None) -> None:
        """Count one language-model call: its time, its retries, and how it failed if it did."""
        self.llm_seconds.observe(seconds)
        if attempts > 1:
            self.llm_retries.inc(attempts - 1)
        if failure is not None:
            self.llm_failures.labels(kind=failure).inc()

    # --- the scrape ------------------------------------------------------------------------------

    def servers(self) -> list[GameServer]:
        """The servers read at scrape time."""
        with self._lock:
            return list(self._servers)

    def journal_in_flight(self) -> int:
        """Batches in a group commit now."""
        with self._lock:
            return self._journal_in_flight

    def summary(self, server: GameServer, campaign_id: str, state: CampaignState) -> _Summary:
        """The scrape's view of one committed state (recomputed when the state or hour moves)."""
        now = int(server.clock.now())
        key = (id(server), campaign_id)
        cached = self._summaries.get(key)
        if cached is not None and cached.seq == state.seq and now - cached.active_at < 60:
            return cached
        summary = _summarise(state, now)
        self._summaries[key] = summary
        return summary


def _summarise(state: CampaignState, now: int) -> _Summary:
    players = state.players.values()
    influence = dict.fromkeys(FACTIONS, 0)
    reputations = []
    active = 0
    for player in players:
        reputations.append(player.reputation)
        if now - player.last_active_at < ACTIVE_WINDOW:
            active += 1
        for faction, amount in player.influence.items():
            influence[str(faction)] = influence.get(str(faction), 0) + amount
    pending = dict.fromkeys(ORDER_TYPES, 0)
    for order in state.orders.values():
        if order.status == "pending":
            pending[order.type] = pending.get(order.type, 0) + 1
    return _Summary(
        seq=state.seq,
        paused_by=None if state.pause is None else state.pause.source,
        players=len(state.players),
        active=active,
        active_at=now,
        reputations=tuple(reputations),
        influence=influence,
        pending=pending,
        turnout=_turnout(state),
    )


def _turnout(state: CampaignState) -> float | None:
    """Votes over eligible players of the latest resolved symposium; None if none resolved."""
    resolved = [t for t in state.topics.values() if t.status == "resolved"]
    if not resolved:
        return None
    topic = max(resolved, key=lambda t: t.number)
    eligible = sum(p.joined_at <= topic.launched_at for p in state.players.values())
    if eligible == 0:
        return None
    return min(1.0, len(topic.votes) / eligible)


class _ScrapeCollector:
    """The gauges read at scrape time, from the watched servers' committed states."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def describe(self) -> list[Metric]:
        """Nothing: the registry then calls :meth:`collect` only at scrape time."""
        return []

    def collect(self) -> Iterator[Metric]:
        """Yield every scrape-time family, each series present (0 when nothing counts)."""
        metrics = self._metrics
        totals = _Totals()
        for server in metrics.servers():
            totals.add_server(metrics, server)
        yield from totals.families(metrics.journal_in_flight())


@dataclass(slots=True)
class _Totals:
    """The scrape-time values summed over the watched servers and their campaigns."""

    campaigns: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CAMPAIGN_STATES, 0))
    paused: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PAUSE_SOURCES, 0))
    pending: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ORDER_TYPES, 0))
    influence: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FACTIONS, 0))
    llm: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LLM_OUTCOMES, 0))
    reputations: list[int] = field(default_factory=list)
    turnouts: list[float] = field(default_factory=list)
    players: int = 0
    active: int = 0
    waiting: int = 0
    queued: int = 0

    def add_server(self, metrics: Metrics, server: GameServer) -> None:
        """Add one server's journal queue, persona voice and campaigns."""
        store = server.store
        if store is not None:
            with contextlib.suppress(Exception):  # a closed journal has nothing queued
                self.queued += store.stats().queued
        voice = server.voice
        if voice is not None:
            s = voice.stats
            for outcome, count in (
                ("enhanced", s.enhanced),
                ("failed", s.failed),
                ("discarded", s.discarded),
                ("skipped", s.skipped),
                ("held_back", s.held_back),
                ("probe_ok", s.probes_ok),
                ("probe_failed", s.probes_failed),
            ):
                self.llm[outcome] += count
        now = server.clock.now()
        for cid in server.campaign_ids():
            try:
                state = server.committed_state(cid)
            except Exception:  # noqa: BLE001 (UnavailableError: failed, starting or stopping)
                if server.campaign_failed(cid):
                    self.campaigns["failed"] += 1
                continue
            self.add_campaign(metrics.summary(server, cid, state))
            if state.pause is not None:
                last = Instant(max(state.created_at, state.last_digest_at or 0))
                self.waiting += len(server.schedule.digest_slots_between(last, now))

    def add_campaign(self, summary: _Summary) -> None:
        """Add one campaign's summary."""
        if summary.paused_by is None:
            self.campaigns["running"] += 1
        else:
            self.campaigns["paused"] += 1
            if summary.paused_by in self.paused:
                self.paused[summary.paused_by] += 1
        self.players += summary.players
        self.active += summary.active
        self.reputations.extend(summary.reputations)
        for faction, amount in summary.influence.items():
            self.influence[faction] = self.influence.get(faction, 0) + amount
        for order_type, count in summary.pending.items():
            self.pending[order_type] = self.pending.get(order_type, 0) + count
        if summary.turnout is not None:
            self.turnouts.append(summary.turnout)

    def families(self, in_flight: int) -> Iterator[Metric]:
        """The metric families of the totals."""
        yield _gauge("greatwork_campaigns", "Campaigns by state.", "state", self.campaigns)
        yield _gauge(
            "greatwork_game_paused", "Campaigns paused, by who paused them.", "source", self.paused
        )
        yield _gauge(
            "greatwork_pending_orders",
            "Orders waiting for a digest, by type.",
            "type",
            self.pending,
        )
        yield _gauge(
            "greatwork_faction_influence",
            "Players' influence summed per faction.",
            "faction",
            self.influence,
        )
        yield _gauge(
            "greatwork_actor_mailbox_messages",
            "Messages queued in actor mailboxes (this process), summed per kind.",
            "kind",
            _mailboxes(),
        )
        family = CounterMetricFamily(
            "greatwork_llm_requests",
            "Press items and probes through the persona voice, by outcome.",
            labels=["outcome"],
        )
        for outcome, count in self.llm.items():
            family.add_metric([outcome], count)
        yield family
        yield GaugeMetricFamily(
            "greatwork_digests_waiting",
            "Digest slots due but not run (the game is paused), summed over campaigns.",
            value=self.waiting,
        )
        yield GaugeMetricFamily(
            "greatwork_journal_queue_batches",
            "Batches submitted to the journal and not yet durable.",
            value=self.queued + in_flight,
        )
        yield GaugeMetricFamily(
            "greatwork_players", "Players known, summed over campaigns.", value=self.players
        )
        yield GaugeMetricFamily(
            "greatwork_players_active",
            "Players with a command in the last 24 h of the game clock.",
            value=self.active,
        )
        turnouts = self.turnouts
        yield GaugeMetricFamily(
            "greatwork_symposium_turnout_ratio",
            "Votes over eligible players of the latest resolved symposium, averaged over "
            "campaigns that had one (0 to 1).",
            value=sum(turnouts) / len(turnouts) if turnouts else 0.0,
        )
        yield _reputation(self.reputations)


def _gauge(name: str, documentation: str, label: str, values: dict[str, int]) -> Metric:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for value, count in values.items():
        family.add_metric([value], count)
    return family


def _reputation(reputations: Sequence[int]) -> Metric:
    """Every player's reputation as a cumulative histogram, with ``_count`` and ``_sum``.

    Built sample by sample: the client's ``HistogramMetricFamily`` drops ``_count`` and
    ``_sum`` when a bucket bound is negative (an OpenMetrics rule for observations that only
    grow), and reputation goes below zero.
    """
    family = Metric(
        "greatwork_player_reputation",
        "Players' reputation, every player of every campaign.",
        "histogram",
    )
    ordered = sorted(reputations)
    index = 0
    for bound_ in REPUTATION_BUCKETS:
        while index < len(ordered) and ordered[index] <= bound_:
            index += 1
        family.add_sample(family.name + "_bucket", {"le": str(float(bound_))}, index)
    family.add_sample(family.name + "_bucket", {"le": "+Inf"}, len(ordered))
    family.add_sample(family.name + "_count", {}, len(ordered))
    family.add_sample(family.name + "_sum", {}, sum(ordered))
    return family


def _mailboxes() -> dict[str, int]:
    """Messages waiting in the mailboxes of this process's actors, per kind."""
    depth = dict.fromkeys(ACTOR_KINDS, 0)
    for ref in pykka.ActorRegistry.get_all():
        kind = _ACTOR_CLASS_KINDS.get(ref.actor_class.__name__)
        inbox = ref.actor_inbox
        if kind is not None and isinstance(inbox, queue.Queue):
            depth[kind] += inbox.qsize()
    return depth
