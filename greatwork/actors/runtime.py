"""The server: the journal, the actors and the asyncio side that talks to them.

:class:`GameServer` opens the journal, starts the supervisor and the clock, starts one campaign
actor (with its press desk and entity actors) per campaign in the journal, and serves the
front ends through :class:`CampaignGame`, which implements the command catalogue's ``Game``.

The event loop never blocks on an actor: it asks with :func:`~greatwork.actors.base.ask_async`
and actors reach the loop only through ``call_soon_threadsafe``. A command's reply waits until
its events are committed. Shutdown stops the clock, the campaigns (which finish their queued
messages), flushes the journal and closes it; every actor is stopped in a ``finally``.

With a persona-voice backend (``voice=``), released press passes through a
:class:`~greatwork.actors.voice_stage.VoiceStage` before it reaches the subscribers: each
campaign's releases wait in order while their items are rewritten and the rewrites journaled.
Without one, releases reach the subscribers at once. Alert subscribers
(:meth:`GameServer.subscribe_alerts`) also get :class:`~greatwork.actors.alerts.AdminAlert`
notices: a pause, a resume, a digest that waits, a text moderation blocked.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import json
import logging
import threading
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pykka

from greatwork.actors import messages as m
from greatwork.actors.alerts import AdminAlert, alerts_for, waiting_alert
from greatwork.actors.base import GreatworkActor, ask_async
from greatwork.actors.campaign import CampaignActor, CampaignDeps, Composer, NewCampaign
from greatwork.actors.clock import ClockActor, SystemClock, VirtualClock
from greatwork.actors.press_desk import NextRelease, PressDeskActor, Restore
from greatwork.actors.press_rows import press_item, press_row
from greatwork.actors.schedule import Schedule, SlotKind
from greatwork.actors.supervisor import SupervisorActor, SupervisorHooks
from greatwork.actors.types import ActorFailedError, JournalEntry, Outcome, UnavailableError
from greatwork.config import Settings
from greatwork.metrics import Metrics, binding
from greatwork.press.item import PressItem
from greatwork.rules.command import Command
from greatwork.rules.content import Content
from greatwork.rules.errors import NotFound
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.state import CampaignState
from greatwork.store import (
    Batch,
    JournalError,
    Loaded,
    Store,
    UnknownCampaignError,
    Visibility,
    encode_snapshot,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from greatwork.actors.game import CampaignGame
    from greatwork.actors.voice_stage import VoiceStage
    from greatwork.llm.voice import Backend

log = logging.getLogger(__name__)

ACTOR_STACK_SIZE = 512 * 1024  # bytes per actor thread (the default reserves 8 MiB each)
_STOP_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class PressReleased:
    """A press item went public."""

    campaign_id: CampaignId
    item: PressItem


Notice = PressReleased | m.DigestDone
AlertNotice = Notice | AdminAlert
"""What an alert subscriber gets: every notice, and the admins' alerts."""


@dataclass(slots=True)
class _Campaign:
    """What the server knows of one running campaign."""

    campaign_id: CampaignId
    ref: pykka.ActorRef[Any] | None
    desk: pykka.ActorRef[Any]
    committed: CampaignState | None = None
    failed: str | None = None
    new: NewCampaign | None = None  # how to create it again if its first batch never landed


class _TickRelay(GreatworkActor):
    """Hands the clock's ticks to the server's loop (waiting digests, the model's probe)."""

    def __init__(self, ticked: Callable[[Instant], None]) -> None:
        super().__init__("server:ticks")
        self._ticked = ticked

    def handle(self, message: object) -> object:
        """Forward a tick; answer a barrier."""
        match message:
            case m.Tick(now=now):
                self._ticked(now)
                return None
            case m.Barrier():
                return None
        raise TypeError(f"{self.key} does not handle {type(message).__name__}")


class GameServer:
    """One process's game: every campaign in one journal file.

    Args:
        settings: the process's settings.
        content: the game's content.
        clock: the game clock (the system clock by default).
        compose: turns events into press drafts (the Gazette's composer by default).
        voice: the persona voice's backend (``greatwork.llm.voice.backend_from_settings``);
            None (the default) publishes every release as its template wrote it.
        metrics: where the server's metrics go (a new :class:`~greatwork.metrics.Metrics` by
            default); they read this server's campaigns at every scrape.
    """

    def __init__(
        self,
        settings: Settings,
        content: Content,
        *,
        clock: SystemClock | VirtualClock | None = None,
        compose: Composer | None = None,
        voice: Backend | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics if metrics is not None else Metrics()
        self.metrics.watch(self)
        self.content = content
        self.clock = clock or SystemClock()
        self.schedule = Schedule.from_settings(settings)
        if compose is None:
            from greatwork.press.compose import compose as default_compose  # noqa: PLC0415

            compose = default_compose
        self._compose = compose
        self.store: Store | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._campaigns: dict[CampaignId, _Campaign] = {}
        self._staged: dict[CampaignId, list[m.Accepted]] = defaultdict(list)
        self._subscribers: dict[CampaignId | None, list[asyncio.Queue[Notice]]] = defaultdict(list)
        self._alert_subscribers: dict[CampaignId | None, list[asyncio.Queue[AlertNotice]]] = (
            defaultdict(list)
        )
        self._alerted: dict[CampaignId, set[str]] = defaultdict(set)
        self._supervisor: pykka.ActorRef[Any] | None = None
        self._clock_ref: pykka.ActorRef[Any] | None = None
        self._relay: pykka.ActorRef[Any] | None = None
        self._voice: VoiceStage | None = None
        if voice is not None:
            from greatwork.actors.voice_stage import VoiceStage  # noqa: PLC0415 (aiohttp only when used)

            self._voice = VoiceStage(
                voice,
                publish=self._publish,
                execute=self.execute,
                state_of=self._committed_or_none,
                record_voice=self._record_voice,
                now=self.clock.now,
                auto_resume=settings.llm_auto_resume,
            )
        self._creating: dict[CampaignId, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._closing = False
        # Blocking waits (an actor stopping) run here, never in the loop's default executor.
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="greatwork-wait")
        # Snapshots are encoded here, off the campaign's thread, from committed states only.
        self._snapshots = ThreadPoolExecutor(max_workers=1, thread_name_prefix="greatwork-snap")

    # --- life -----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the journal, start the actors and every campaign in the journal."""
        self._loop = asyncio.get_running_loop()
        threading.stack_size(ACTOR_STACK_SIZE)
        with binding(self.metrics):  # the journal's writer reports to this server's metrics
            self.store = await Store.open(
                self.settings.db_path, synchronous=self.settings.journal_sync
            )
        try:
            self.store.on_commit(self._committed)
            self.store.on_failure(self._journal_failed)
            self._supervisor = SupervisorActor.start(
                SupervisorHooks(
                    restarted=self._threadsafe_restarted, gave_up=self._threadsafe_gave_up
                ),
                budget=self.settings.restart_budget,
                window=self.settings.restart_window,
            )
            self._clock_ref = ClockActor.start(self.clock, self.schedule)
            relay: pykka.ActorRef[Any] = _TickRelay.start(self._threadsafe_ticked)
            self._relay = relay
            self._clock_ref.tell(m.Register("server:ticks", relay))
            for row in await self.store.campaigns():
                await self._start_campaign(CampaignId(row.campaign_id), None)
            # What start-up built lives as long as the server: keep it out of every later full
            # collection (a 100-campaign digest spent a third of its time in one).
            gc.collect()
            gc.freeze()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop the clock and the campaigns, flush and close the journal. Idempotent."""
        if self._closing:
            return
        self._closing = True
        try:
            # Only this server's own actors: another server in the process keeps its own.
            refs = [
                ref
                for ref in (
                    self._clock_ref,
                    self._relay,
                    *(r for c in self._campaigns.values() for r in (c.ref, c.desk)),
                )
                if ref is not None
            ]
            await self._blocking(_stop_all, refs)
            await asyncio.sleep(0)  # the desks' last releases reach the voice stage
            if self._voice is not None:
                await self._voice.stop()  # what waits for the model goes out as written
            if self._supervisor is not None:
                await self._blocking(_stop_all, [self._supervisor])
            await self._blocking(
                functools.partial(self._snapshots.shutdown, wait=True)
            )  # hands over the last ones
            if self.store is not None:
                await self.store.close()
        finally:
            self._executor.shutdown(wait=True)
            gc.unfreeze()  # what start() froze may go now

    async def _blocking(self, fn: Any, *args: object) -> Any:  # noqa: ANN401 (any callable)
        """Run a blocking call on the server's own threads."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def __aenter__(self) -> GameServer:  # noqa: PYI034 (Self needs 3.11 typing; this is final)
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    # --- campaigns ------------------------------------------------------------------------------

    def campaign_ids(self) -> list[CampaignId]:
        """Every campaign this server runs."""
        return sorted(self._campaigns)

    async def ensure_campaign(
        self, campaign_id: CampaignId, *, seed: int = 1, name: str = ""
    ) -> None:
        """Start the campaign, creating it (with ``seed``) if the journal has none."""
        if campaign_id in self._campaigns:
            return
        async with self._creating[campaign_id]:
            if campaign_id in self._campaigns:
                return
            await self._start_campaign(
                campaign_id, NewCampaign(campaign_id=campaign_id, seed=seed, name=name)
            )
            await self.settle(campaign_id)

    async def _start_campaign(self, campaign_id: CampaignId, new: NewCampaign | None) -> None:
        store = self._require_store()
        loaded = None if new is not None else await store.load(campaign_id)
        released_upto = 0 if loaded is None else loaded.max_press_id
        desk = PressDeskActor.start(
            campaign_id,
            self._threadsafe_released,
            released_upto=released_upto,
            failure_hook=self._failure_hook,
        )
        campaign = _Campaign(campaign_id=campaign_id, ref=None, desk=desk, new=new)
        self._campaigns[campaign_id] = campaign
        source: Loaded | NewCampaign = new if new is not None else loaded  # type: ignore[assignment]
        ref = self._start_actor(source, desk)
        campaign.ref = ref
        if self._supervisor is not None:
            self._supervisor.tell(
                m.Watch(
                    f"campaign:{campaign_id}", ref, lambda: self._restart_from_journal(campaign_id)
                )
            )
        if self._clock_ref is not None:
            self._clock_ref.tell(m.Register(f"campaign:{campaign_id}", ref))
        try:
            state: CampaignState = await ask_async(ref, m.GetState(), self.settings.ask_timeout)
        except UnavailableError as error:
            log.critical("campaign %s could not start: %s", campaign_id, error)
            return
        if state.seq > 0:
            await store.wait_durable(campaign_id, state.seq - 1)
        if campaign.committed is None or campaign.committed.seq < state.seq:
            campaign.committed = state
        if released_upto > 0:
            await self._restore(campaign_id, desk, state, released_upto)

    async def _restore(
        self,
        campaign_id: CampaignId,
        desk: pykka.ActorRef[Any],
        state: CampaignState,
        released_upto: int,
    ) -> None:
        """Give a restarted campaign's desk the journal's press that is not public yet.

        That is what falls due later and what the pause holds (by the one release rule,
        :class:`Visibility`); an item that fell due while the server was down was public then
        and is not announced again. Items numbered after ``released_upto`` were made by this
        run (the start's catch-up) and reach the desk through ``Publish``.

        The game's time is at least its newest event's: a virtual clock started behind the
        journal (``play`` on an existing file) does not make released items pending again.
        """
        store = self._require_store()
        newest = await store.last_events(campaign_id, 1)
        rule = self._rule(state)
        if newest and newest[0].at > rule.now:
            rule = replace(rule, now=newest[0].at)
        rows = await store.unreleased(campaign_id, rule)
        waiting = tuple(press_item(r) for r in rows if r.id <= released_upto)
        if waiting:
            log.info("%s: %d press items wait for their time", campaign_id, len(waiting))
        with contextlib.suppress(pykka.ActorDeadError):
            desk.tell(Restore(waiting, Instant(rule.now)))

    def _start_actor(
        self, source: Loaded | NewCampaign, desk: pykka.ActorRef[Any]
    ) -> pykka.ActorRef[Any]:
        store = self._require_store()
        deps = CampaignDeps(
            content=self.content,
            schedule=self.schedule,
            clock=self.clock,
            submit=store.submit_threadsafe,
            stage=self._threadsafe_stage,
            compose=self._compose,
            press_desk=desk,
            catch_up_cap=self.settings.catch_up_cap,
            failure_hook=self._failure_hook,
            metrics=self.metrics,
        )
        return CampaignActor.start(source, deps)

    def _restart_from_journal(self, campaign_id: CampaignId) -> pykka.ActorRef[Any] | None:
        """Runs on the supervisor's thread: reload the campaign and start a new actor."""
        loop = self._loop
        store = self.store
        campaign = self._campaigns.get(campaign_id)
        if loop is None or store is None or campaign is None or self._closing:
            return None

        async def reload() -> Loaded | NewCampaign:
            store.reset(campaign_id)
            self._staged.pop(campaign_id, None)
            try:
                return await store.load(campaign_id)
            except UnknownCampaignError:
                if campaign.new is None:
                    raise
                return campaign.new  # its first batch never landed: create it again

        source = asyncio.run_coroutine_threadsafe(reload(), loop).result(timeout=60)
        ref = self._start_actor(source, campaign.desk)
        if self._clock_ref is not None:
            self._clock_ref.tell(m.Register(f"campaign:{campaign_id}", ref))
        return ref

    # --- hooks from actor threads (each hops onto the loop) ---------------------------------------

    def _call(self, fn: Any, *args: object) -> None:  # noqa: ANN401 (any callable)
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(fn, *args)

    def _failure_hook(self, key: str, urn: str, error: BaseException) -> None:
        supervisor = self._supervisor
        if supervisor is not None and not self._closing:
            with contextlib.suppress(pykka.ActorDeadError):
                supervisor.tell(m.Failed(key, urn, f"{type(error).__name__}: {error}"))

    def _threadsafe_stage(self, accepted: m.Accepted) -> None:
        self._call(self._staged[accepted.campaign_id].append, accepted)

    def _threadsafe_released(
        self, campaign_id: CampaignId, items: Sequence[PressItem | m.DigestDone]
    ) -> None:
        self._call(self._released, campaign_id, tuple(items))

    def _threadsafe_restarted(self, key: str, ref: pykka.ActorRef[Any]) -> None:
        self._call(self._restarted, key, ref)

    def _threadsafe_gave_up(self, key: str, reason: str) -> None:
        self._call(self._gave_up, key, reason)

    def _threadsafe_ticked(self, now: Instant) -> None:
        self._call(self._ticked, now)

    # --- on the loop ------------------------------------------------------------------------------

    def _committed(self, campaign_id: str, last_seq: int) -> None:
        cid = CampaignId(campaign_id)
        staged = self._staged.get(cid)
        campaign = self._campaigns.get(cid)
        if not staged or campaign is None:
            return
        done = [a for a in staged if a.last_seq <= last_seq]
        staged[:] = [a for a in staged if a.last_seq > last_seq]
        every = self.settings.snapshot_every
        for accepted in done:
            before = campaign.committed
            self.metrics.committed(accepted.events, accepted.state)
            if campaign.committed is None or campaign.committed.seq < accepted.state.seq:
                campaign.committed = accepted.state
            for alert in alerts_for(
                cid,
                accepted.first_seq,
                accepted.events,
                before,
                accepted.state,
                auto_resume=self.settings.llm_auto_resume,
            ):
                self._alert(alert)
            if accepted.state.seq // every > accepted.first_seq // every:
                self._snapshot(cid, accepted.state)
            if accepted.press or accepted.digests:
                # Through the desk, so digests and press reach subscribers in one order.
                with contextlib.suppress(pykka.ActorDeadError):
                    campaign.desk.tell(
                        m.Publish(accepted.press, self.clock.now(), accepted.digests)
                    )

    def _snapshot(self, campaign_id: CampaignId, state: CampaignState) -> None:
        """Encode a committed state on the snapshot thread and journal it.

        Only committed states are snapshotted, so a snapshot is never ahead of the journal,
        even if a later batch of the campaign fails.
        """
        store = self._require_store()

        def encode() -> None:
            try:
                store.submit_threadsafe(
                    Batch(campaign_id=campaign_id, snapshot=encode_snapshot(state))
                )
            except Exception:
                log.exception("snapshot of %s at seq %d failed", campaign_id, state.seq)

        with contextlib.suppress(RuntimeError):  # shutting down: the next start replays more
            self._snapshots.submit(encode)

    def _journal_failed(self, campaign_id: str, error: BaseException) -> None:
        cid = CampaignId(campaign_id)
        self._staged.pop(cid, None)
        campaign = self._campaigns.get(cid)
        if campaign is None or campaign.ref is None or self._closing:
            return
        log.error("journal failed for %s: %s; rebuilding it from the journal", cid, error)
        self._failure_hook(f"campaign:{cid}", campaign.ref.actor_urn, error)

    def _released(
        self, campaign_id: CampaignId, items: tuple[PressItem | m.DigestDone, ...]
    ) -> None:
        if self._voice is not None:
            self._voice.release(campaign_id, items)  # published once voiced, in order
        else:
            self._publish(campaign_id, items)

    def _publish(
        self, campaign_id: CampaignId, items: tuple[PressItem | m.DigestDone, ...]
    ) -> None:
        self.metrics.press_published(items)
        for item in items:
            if isinstance(item, m.DigestDone):
                self._notify(campaign_id, item)
            else:
                self._notify(campaign_id, PressReleased(campaign_id, item))

    def _ticked(self, now: Instant) -> None:
        """A clock tick: tell the admins of a digest that waits; probe a model that paused."""
        if self._closing:
            return
        for cid, campaign in self._campaigns.items():
            state = campaign.committed
            if state is None or state.pause is None:
                continue
            alert = waiting_alert(cid, state, self.schedule, now)
            if alert is not None and alert.key not in self._alerted[cid]:
                self._alerted[cid].add(alert.key)
                self._alert(alert)
        if self._voice is not None:
            self._voice.tick(list(self._campaigns), now)

    def _committed_or_none(self, campaign_id: CampaignId) -> CampaignState | None:
        campaign = self._campaigns.get(campaign_id)
        return None if campaign is None else campaign.committed

    async def _record_voice(self, campaign_id: CampaignId, item: PressItem) -> bool:
        row = press_row(item)
        return await self._require_store().record_voice(
            campaign_id, item.id, body=row.body, meta=row.meta, at=int(self.clock.now())
        )

    def _alert(self, alert: AdminAlert) -> None:
        log.info("%s: admin alert %s: %s", alert.campaign_id, alert.key, alert.title)
        queues = (
            *self._alert_subscribers.get(alert.campaign_id, ()),
            *self._alert_subscribers.get(None, ()),
        )
        for queue in queues:
            queue.put_nowait(alert)

    def _restarted(self, key: str, ref: pykka.ActorRef[Any]) -> None:
        self.metrics.actor_restarted(key)
        kind, _, ident = key.partition(":")
        campaign = self._campaigns.get(CampaignId(ident))
        if kind == "campaign" and campaign is not None:
            campaign.ref = ref
            campaign.failed = None

    def _gave_up(self, key: str, reason: str) -> None:
        kind, _, ident = key.partition(":")
        campaign = self._campaigns.get(CampaignId(ident))
        if kind == "campaign" and campaign is not None:
            campaign.failed = reason
            campaign.ref = None

    def _notify(self, campaign_id: CampaignId, notice: Notice) -> None:
        for queue in (*self._subscribers.get(campaign_id, ()), *self._subscribers.get(None, ())):
            queue.put_nowait(notice)
        for alerts in (
            *self._alert_subscribers.get(campaign_id, ()),
            *self._alert_subscribers.get(None, ()),
        ):
            alerts.put_nowait(notice)

    # --- the API the front ends use ---------------------------------------------------------------

    def subscribe(self, campaign_id: CampaignId | None = None) -> asyncio.Queue[Notice]:
        """A queue of released press and finished digests (of one campaign, or of all)."""
        queue: asyncio.Queue[Notice] = asyncio.Queue()
        self._subscribers[campaign_id].append(queue)
        return queue

    def subscribe_alerts(self, campaign_id: CampaignId | None = None) -> asyncio.Queue[AlertNotice]:
        """Like :meth:`subscribe`, with the admins' alerts (:class:`AdminAlert`) as well."""
        queue: asyncio.Queue[AlertNotice] = asyncio.Queue()
        self._alert_subscribers[campaign_id].append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Notice] | asyncio.Queue[AlertNotice]) -> None:
        """Stop filling ``queue``."""
        for queues in self._subscribers.values():
            if queue in queues:
                queues.remove(queue)  # type: ignore[arg-type]
        for alert_queues in self._alert_subscribers.values():
            if queue in alert_queues:
                alert_queues.remove(queue)  # type: ignore[arg-type]

    @property
    def voice(self) -> VoiceStage | None:
        """The persona voice's stage, when a backend is configured."""
        return self._voice

    def game(self, campaign_id: CampaignId) -> CampaignGame:
        """The catalogue's view of one campaign."""
        from greatwork.actors.game import CampaignGame  # noqa: PLC0415 (game imports this module)

        return CampaignGame(self, campaign_id)

    def campaign_failed(self, campaign_id: CampaignId) -> bool:
        """Whether the campaign stopped for good after repeated internal errors."""
        campaign = self._campaigns.get(campaign_id)
        return campaign is not None and campaign.failed is not None

    def committed_state(self, campaign_id: CampaignId) -> CampaignState:
        """The campaign's latest committed state.

        Raises:
            UnavailableError: the campaign is not running.
        """
        campaign = self._campaign(campaign_id)
        if campaign.committed is None:
            raise UnavailableError(f"Campaign {campaign_id} is still starting.")
        return campaign.committed

    async def ask(self, campaign_id: CampaignId, message: object) -> Any:  # noqa: ANN401
        """Ask a campaign actor, waiting briefly through a restart."""
        deadline = asyncio.get_running_loop().time() + self.settings.ask_timeout
        while True:
            campaign = self._campaign(campaign_id)
            ref = campaign.ref
            if ref is not None and ref.is_alive():
                try:
                    return await ask_async(ref, message, self.settings.ask_timeout)
                except ActorFailedError:
                    raise  # this very message broke the actor: never send it again
                except UnavailableError:
                    if ref.is_alive() or asyncio.get_running_loop().time() > deadline:
                        raise
            if asyncio.get_running_loop().time() > deadline:
                raise UnavailableError(f"Campaign {campaign_id} is restarting; try again shortly.")
            await asyncio.sleep(0.02)

    async def entity(self, campaign_id: CampaignId, kind: str, ident: str) -> pykka.ActorRef[Any]:
        """The running actor of a scholar, faction or open offer chain (started if need be).

        Raises:
            NotFound: the campaign has no such entity.
        """
        ref = await self.ask(campaign_id, m.Entity(f"{kind}:{campaign_id}:{ident}"))
        if ref is None:
            raise NotFound(f"Campaign {campaign_id} has no {kind} {ident!r}.", kind=kind, id=ident)
        return ref  # type: ignore[no-any-return]

    async def execute(self, campaign_id: CampaignId, command: Command) -> Outcome:
        """Decide and commit a command; returns once its events are committed."""
        accepted: m.Accepted = await self.ask(campaign_id, m.Execute(command))
        return await self._confirmed(accepted)

    async def run_digest(self, campaign_id: CampaignId, by: PlayerId) -> Outcome:
        """Run the campaign's next digest now and wait for it to be committed."""
        accepted: m.Accepted = await self.ask(campaign_id, m.RunDigest(self.clock.now(), by))
        return await self._confirmed(accepted)

    async def _confirmed(self, accepted: m.Accepted) -> Outcome:
        store = self._require_store()
        if accepted.events:
            try:
                await store.wait_durable(accepted.campaign_id, accepted.last_seq)
            except JournalError as error:
                raise UnavailableError(
                    "Your command could not be saved, so it was not applied; try again."
                ) from error
        return Outcome(
            events=accepted.events,
            state=accepted.state,
            press=accepted.press,
            first_seq=accepted.first_seq,
        )

    async def settle(self, campaign_id: CampaignId | None = None) -> None:
        """Wait until every campaign (or one) has handled its messages, committed and released.

        With a persona voice, also until its stage is idle (every release voiced and
        published, every probe done), and again if that work committed more.
        """
        ids = [campaign_id] if campaign_id is not None else list(self._campaigns)
        store = self._require_store()
        while True:
            mark = -1 if self._voice is None else self._voice.activity
            for cid in ids:
                seq = await self.ask(cid, m.Barrier())
                if seq > 0:
                    await store.wait_durable(cid, seq - 1)
            await store.flush()
            for cid in ids:
                await ask_async(self._campaign(cid).desk, m.Barrier(), self.settings.ask_timeout)
            if self._relay is not None:
                await ask_async(self._relay, m.Barrier(), self.settings.ask_timeout)
            await asyncio.sleep(0)  # let the released items reach the subscribers' queues
            if self._voice is None:
                return
            await self._voice.idle()
            if self._voice.activity == mark:
                return

    async def advance(self, to: Instant) -> None:
        """Move the virtual clock to ``to`` one stop at a time, ticking every campaign.

        It stops at each digest and symposium slot on the way, so a long advance plays every
        digest (a single jump would look like downtime and meet ``catch_up_cap``), and at each
        time a press desk holds an item for (a layered follow-up, D10), so every item goes out
        with the clock at its own minute and the notices come in time order. Items a stop
        composes (a digest's layers) are stopped for too.
        """
        clock = self._clock_ref
        if clock is None:
            raise UnavailableError("The server is not running.")
        slots = [slot.at for slot in self.schedule.slots_between(self.clock.now(), to)]
        while True:
            now = self.clock.now()
            stop = next((at for at in slots if at > now), to)
            release = await self._next_release(now)
            if release is not None and release < stop:
                stop = release
            await ask_async(clock, m.Advance(stop), self.settings.ask_timeout)
            await self.settle()
            if stop >= to:
                return

    async def _next_release(self, after: Instant) -> Instant | None:
        """The earliest time after ``after`` at which some campaign's desk releases an item."""
        desks = [c.desk for c in self._campaigns.values() if c.failed is None]
        timeout = self.settings.ask_timeout
        found = await asyncio.gather(*(ask_async(d, NextRelease(after), timeout) for d in desks))
        times = [Instant(t) for t in found if t is not None]
        return min(times, default=None)

    async def advance_to_next_digest(self) -> Instant:
        """Move the virtual clock to the next digest slot; returns its time."""
        slot = self.schedule.next_slot(self.clock.now(), SlotKind.DIGEST)
        await self.advance(slot.at)
        return slot.at

    async def press(
        self,
        campaign_id: CampaignId,
        *,
        limit: int,
        query: str | None = None,
        kinds: Sequence[str] = (),
    ) -> list[PressItem]:
        """Released press, newest first (what :meth:`visibility` shows)."""
        rule = self.visibility(campaign_id)
        rows = await self._require_store().press(
            campaign_id,
            released_by=rule.now,
            held_since=rule.held_since,
            limit=limit,
            query=query,
            kinds=kinds,
        )
        return [press_item(r) for r in rows]

    async def press_item(self, campaign_id: CampaignId, press_id: int) -> PressItem | None:
        """One released press item; None when there is none or it is not public yet."""
        rule = self.visibility(campaign_id)
        row = await self._require_store().press_item(campaign_id, press_id)
        if row is None or not rule.shows(at=row.at, release_at=row.release_at):
            return None
        return press_item(row)

    def visibility(self, campaign_id: CampaignId) -> Visibility:
        """Which of the campaign's press is public now: the release rule at the game clock.

        While the campaign's committed state is paused, delayed press that fell due after the
        pause began is not public (docs/press.md "Released, once"). A campaign this server
        does not run has no pause to apply.
        """
        return self._rule(self._committed_or_none(campaign_id))

    def _rule(self, state: CampaignState | None) -> Visibility:
        pause = None if state is None else state.pause
        return Visibility(now=self.clock.now(), held_since=None if pause is None else pause.since)

    async def journal(self, campaign_id: CampaignId, *, limit: int) -> list[JournalEntry]:
        """The last ``limit`` committed events, newest first."""
        rows = await self._require_store().last_events(campaign_id, limit)
        return [
            JournalEntry(seq=r.seq, at=Instant(r.at), kind=r.kind, data=json.loads(r.data))
            for r in rows
        ]

    async def latest_time(self, campaign_id: CampaignId) -> Instant | None:
        """When the campaign's last journaled event happened; None for no such campaign."""
        if campaign_id not in self._campaigns:
            return None
        rows = await self._require_store().last_events(campaign_id, 1)
        return Instant(rows[0].at) if rows else None

    async def events(self, campaign_id: CampaignId | None = None) -> AsyncIterator[Any]:
        """Every committed event (for exports), oldest first."""
        async for row in self._require_store().events(campaign_id):
            yield row

    # --- helpers --------------------------------------------------------------------------------

    def _campaign(self, campaign_id: CampaignId) -> _Campaign:
        if self._closing:
            raise UnavailableError("The server is shutting down; nothing more is accepted.")
        campaign = self._campaigns.get(campaign_id)
        if campaign is None:
            raise UnavailableError(f"There is no campaign {campaign_id!r} on this server.")
        if campaign.failed is not None:
            raise UnavailableError(
                f"Campaign {campaign_id} is stopped after repeated internal errors "
                f"({campaign.failed}); an operator must check the logs."
            )
        return campaign

    def _require_store(self) -> Store:
        if self.store is None:
            raise UnavailableError("The server is not running.")
        return self.store


def _stop_all(refs: Sequence[pykka.ActorRef[Any]]) -> None:
    """Stop actors and wait for each (their queued messages are handled first)."""
    futures = []
    for ref in refs:
        with contextlib.suppress(pykka.ActorDeadError):
            futures.append(ref.stop(block=False))
    for future in futures:
        try:
            future.get(timeout=_STOP_TIMEOUT)
        except pykka.Timeout:
            log.warning("an actor did not stop within %g s", _STOP_TIMEOUT)
