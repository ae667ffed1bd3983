"""The :class:`Outbox`: its life, the notices it routes, and each campaign's worker.

Press and digests go to each campaign's lane, posted in order by its worker. The server's
admin alerts (a pause, a resume, a digest that waits, a text moderation blocked:
:class:`~greatwork.actors.alerts.AdminAlert`) go to the guild's admin channel, once per key,
through one task of their own, so a slow Gazette never holds them up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from greatwork.actors.alerts import AdminAlert
from greatwork.actors.messages import DigestDone
from greatwork.actors.runtime import AlertNotice, GameServer
from greatwork.actors.types import UnavailableError
from greatwork.bot.channels import ChannelBook
from greatwork.bot.directory import ChannelDirectory
from greatwork.bot.guilds import guild_of
from greatwork.bot.outbox.journal import recover, render
from greatwork.bot.outbox.lane import Lane, Stopper, StoppingError
from greatwork.bot.outbox.notices import GuildLookup, Notices, holds
from greatwork.bot.outbox.sending import Poster, Send
from greatwork.bot.outbox.units import Unit, carried, digest_unit
from greatwork.bot.sender import SendError
from greatwork.rules.ids import CampaignId
from greatwork.store import Store

__all__ = ["Outbox"]

log = logging.getLogger(__name__)


class Outbox:
    """Posts the Gazette of every guild's campaign through the journal's outbox.

    Args:
        server: the running game server (its notices, clock and campaigns).
        store: the server's journal.
        directory: where each role's channel is (a :class:`ChannelBook` wakes the outbox
            when a channel is set).
        send: posts one message; the bot passes ``send_post`` bound to itself.
        guilds: the ``disnake.Guild`` of a guild id, or None.
        attempts: sends of one message before a retryable failure counts as a stall.
        max_wait: seconds of retrying one message before it counts as a stall.
        first_wait: the first backoff, in seconds; it doubles (with full jitter).
        max_backoff: the longest single backoff, in seconds.
        recheck: seconds between looks for a missing channel, and between tries of a post
            held for the channel's permissions (:meth:`wake` ends either wait sooner).
        cooldown: seconds a stalled post waits before its retries start again.
        stop_timeout: seconds :meth:`stop` waits for a post in flight before cancelling it.

    Raises:
        ValueError: ``attempts`` is below 1 or a wait is not positive.
    """

    def __init__(  # noqa: PLR0913 (the retry policy is injected so tests run in milliseconds)
        self,
        server: GameServer,
        store: Store,
        directory: ChannelDirectory,
        send: Send,
        guilds: GuildLookup,
        *,
        attempts: int = 6,
        max_wait: float = 300.0,
        first_wait: float = 1.0,
        max_backoff: float = 60.0,
        recheck: float = 30.0,
        cooldown: float = 300.0,
        stop_timeout: float = 30.0,
    ) -> None:
        if attempts < 1 or min(max_wait, first_wait, max_backoff, recheck, cooldown) <= 0:
            raise ValueError(
                "attempts must be at least 1 and every wait positive, got "
                f"attempts={attempts}, max_wait={max_wait}, first_wait={first_wait}, "
                f"max_backoff={max_backoff}, recheck={recheck}, cooldown={cooldown}"
            )
        self._server = server
        self._store = store
        self._directory = directory
        self._guilds = guilds
        self._recheck = recheck
        self._cooldown = cooldown
        self._stop_timeout = stop_timeout
        self._stopper = Stopper()
        self._poster = Poster(
            store,
            send,
            self._stopper,
            self._now,
            attempts=attempts,
            max_wait=max_wait,
            first_wait=first_wait,
            max_backoff=max_backoff,
            metrics=server.metrics,
        )
        self._notices = Notices(self._poster, directory, guilds)
        self._lanes: dict[CampaignId, Lane] = {}
        self._queue: asyncio.Queue[AlertNotice] | None = None
        self._alerts: asyncio.Queue[AdminAlert] = asyncio.Queue()
        self._teller: asyncio.Task[None] | None = None
        self._dispatcher: asyncio.Task[None] | None = None
        self._stop_task: asyncio.Task[None] | None = None

    # --- life -------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen to the server, then post whatever the journal released and nobody posted.

        The subscription comes first, so nothing released during the journal read is missed
        (a duplicate is recognised by its key). Idempotent.

        Raises:
            RuntimeError: this outbox was stopped.
        """
        if self._stopper.stopping:
            raise RuntimeError("this outbox was stopped; start a new one")
        if self._queue is not None:
            return
        self._queue = self._server.subscribe_alerts()
        if isinstance(self._directory, ChannelBook):
            self._directory.watch(self.wake)
        for campaign_id in self._server.campaign_ids():
            guild_id = guild_of(campaign_id)
            if guild_id is None:
                continue
            lane = self._lane(campaign_id, guild_id)
            try:
                rule = self._server.visibility(campaign_id)
                found = await recover(
                    self._store, campaign_id, rule.now, held_since=rule.held_since
                )
            except Exception:
                log.exception("the Gazette outbox could not read the journal of %s", campaign_id)
                continue
            lane.digest_at.update(found.digest_at)
            for unit in found.units:
                lane.add(unit)
        loop = asyncio.get_running_loop()
        self._dispatcher = loop.create_task(self._dispatch(self._queue), name="greatwork-outbox")
        self._teller = loop.create_task(self._tell_alerts(), name="greatwork-outbox-alerts")
        log.info("the Gazette outbox started (%d guild campaigns)", len(self._lanes))

    async def stop(self) -> None:
        """Finish the posts in flight (up to ``stop_timeout``), then end. Idempotent."""
        if self._stop_task is None:
            self._stop_task = asyncio.get_running_loop().create_task(self._stop())
        await asyncio.shield(self._stop_task)

    async def _stop(self) -> None:
        self._stopper.event.set()
        for task in (self._dispatcher, self._teller):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._queue is not None:
            self._server.unsubscribe(self._queue)
        workers = [lane.task for lane in self._lanes.values() if lane.task is not None]
        if not workers:
            return
        _, late = await asyncio.wait(workers, timeout=self._stop_timeout)
        for task in late:
            log.warning(
                "a Gazette post was still in flight after %g s and was cancelled; it is sent "
                "again, with the same nonce, at the next start",
                self._stop_timeout,
            )
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    def wake(self, guild_id: int | None = None) -> None:
        """Look again now (for one guild, or all): for a missing channel, or at a held post.

        The bot calls it when a guild's channels, roles or its own member change, so a
        permission an admin grants lets the held post through at once.
        """
        for lane in self._lanes.values():
            if guild_id is None or lane.guild_id == guild_id:
                lane.woken.set()

    # --- routing ----------------------------------------------------------------------------------

    def _lane(self, campaign_id: CampaignId, guild_id: int) -> Lane:
        lane = self._lanes.get(campaign_id)
        if lane is None:
            lane = Lane(campaign_id, guild_id)
            self._lanes[campaign_id] = lane
            lane.task = asyncio.get_running_loop().create_task(
                self._work(lane), name=f"greatwork-outbox-{campaign_id}"
            )
        return lane

    async def _dispatch(self, queue: asyncio.Queue[AlertNotice]) -> None:
        while True:
            notice = await queue.get()
            try:
                self._route(notice)
            except Exception:
                log.exception("the Gazette outbox could not queue %r", notice)

    def _route(self, notice: AlertNotice) -> None:
        guild_id = guild_of(notice.campaign_id)
        if guild_id is None:
            return
        lane = self._lane(notice.campaign_id, guild_id)
        if isinstance(notice, AdminAlert):
            self._alerts.put_nowait(notice)
        elif isinstance(notice, DigestDone):
            lane.digest_at[notice.number] = notice.at
            lane.add(digest_unit(notice.number, notice.at, notice.year))
        elif not carried(notice.item, lane.digest_at):  # (a digest's own stories are in it)
            lane.add_item(notice.item)

    async def _tell_alerts(self) -> None:
        """Post each admin alert to its guild's admin channel, once per key, in order."""
        while True:
            alert = await self._alerts.get()
            guild_id = guild_of(alert.campaign_id)
            if guild_id is None:  # pragma: no cover (routed only for guild campaigns)
                continue
            lane = self._lane(alert.campaign_id, guild_id)
            try:
                await self._notices.tell(
                    lane, alert.key, alert.title, alert.body, int(alert.at), ok=alert.ok
                )
            except StoppingError:
                return
            except Exception:
                log.exception("%s: the admin alert %s was not posted", alert.campaign_id, alert.key)

    # --- the worker -------------------------------------------------------------------------------

    async def _work(self, lane: Lane) -> None:
        while True:
            unit = await lane.next(self._stopper)
            if unit is None:
                return
            try:
                await self._deliver(lane, unit)
            except StoppingError:
                return
            except Exception:
                log.exception(
                    "%s: the Gazette post %s failed unexpectedly; trying again in %g s",
                    lane.campaign_id,
                    unit.key,
                    self._cooldown,
                )
                lane.put_back(unit)
                try:
                    await self._stopper.pause(self._cooldown)
                except StoppingError:
                    return

    async def _deliver(self, lane: Lane, unit: Unit) -> None:
        """Post one unit: wait for its channel, send, retry or hold, and record the outcome.

        A refusal an admin can fix (:func:`~greatwork.bot.outbox.notices.holds`: the channel's
        permissions) holds the post: its row stays ``sending``, the admins are told once, and
        the same post (the same nonce) is tried again every ``recheck`` seconds, or at once when
        the guild's channels or roles change (:meth:`wake`). Later posts wait behind it.
        """
        posts = await render(self._store, lane.campaign_id, unit, self._year)
        held: SendError | None = None
        while True:
            channel_id = await self._channel(lane, unit)
            lane.woken.clear()  # a wake during the send ends the wait after it at once
            try:
                await self._poster.post(
                    lane.campaign_id, unit.key, channel_id, posts, unit.released_at
                )
            except SendError as error:
                self._server.metrics.discord_post("held" if holds(error) else "failed")
                if error.retryable:
                    await self._notices.stalled(lane, unit, channel_id, error, self._cooldown)
                    await self._stopper.pause(self._cooldown)
                    continue
                if holds(error):
                    held = error
                    files = any(post.files for post in posts)
                    await self._notices.held(
                        lane, unit, channel_id, error, files=files, recheck=self._recheck
                    )
                    await self._stopper.pause(self._recheck, lane.woken)
                    continue
                await self._notices.refused(lane, unit, channel_id, error)
                return
            if held is not None:
                log.info(
                    "%s: the Gazette resumed: %s went through after Discord had refused it "
                    "(%s); later posts follow in order",
                    lane.campaign_id,
                    unit.key,
                    held.message,
                )
            return

    async def _channel(self, lane: Lane, unit: Unit) -> int:
        """The unit's channel, waiting (and telling the admins once) while there is none."""
        while True:
            guild = self._guilds(lane.guild_id)
            if guild is None:
                self._notices.log_once(
                    lane, "guild", "the bot cannot see this guild; its Gazette waits"
                )
            else:
                channel_id = self._directory.channel_for(guild, unit.role)
                if channel_id is not None:
                    return channel_id
                await self._notices.missing(lane, unit)
            await self._stopper.pause(self._recheck, lane.woken)
            lane.woken.clear()

    def _year(self, campaign_id: CampaignId) -> int | None:
        try:
            return self._server.committed_state(campaign_id).year
        except UnavailableError:
            return None

    def _now(self) -> int:
        return int(self._server.clock.now())
