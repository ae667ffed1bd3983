"""The Gazette outbox: every released press item and finished digest posted once, in order.

:class:`Outbox` listens to the server's notices. For each campaign of a guild (``guild-<id>``)
it keeps one lane, a queue worked by one task, so posts keep their order. A digest goes to
#gazette as a headline message and its stories (``gazette.py``); a press item released
between digests goes there as a post of its own; table talk goes to #table-talk; admin
notices (a channel missing, a post refused for good, posting stalled) go to the admin channel.

Posting goes through the ``outbox`` table of the journal. Before a post is sent its row is
begun with a nonce derived from campaign and key, so a retry, even after a restart, sends the
same nonce and Discord (``enforce_nonce``) answers with the first message instead of a second.
The row becomes ``posted`` only after Discord accepted every message, ``failed`` when Discord
refused it for good. At start the outbox reads what was released (press and digests, from the
journal) and posts whatever has no finished row, in order; so a post is never lost and never
sent twice by the outbox. See docs/discord.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

import disnake
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from greatwork.actors.messages import DigestDone
from greatwork.actors.press_rows import press_item
from greatwork.actors.runtime import GameServer, Notice
from greatwork.actors.types import UnavailableError
from greatwork.bot.channels import ChannelBook
from greatwork.bot.directory import DEFAULT_NAMES, ChannelDirectory, ChannelRole
from greatwork.bot.gazette import digest_posts, item_posts
from greatwork.bot.guilds import guild_of
from greatwork.bot.limits import Post
from greatwork.bot.render import notice
from greatwork.bot.sender import SendError
from greatwork.press.item import PressItem
from greatwork.rules.ids import CampaignId
from greatwork.store import OutboxRow, OutboxState, PressRow, Store

__all__ = ["GuildLookup", "Outbox", "Send", "nonce_of", "part_nonce"]

log = logging.getLogger(__name__)


class Send(Protocol):
    """Posts one message and returns its id; raises ``SendError``.

    ``functools.partial(send_post, bot)`` is one: the nonce is passed by keyword.
    """

    def __call__(self, channel_id: int, post: Post, *, nonce: str) -> Awaitable[int]:
        """Send ``post`` to the channel with Discord's nonce check."""
        ...


GuildLookup = Callable[[int], disnake.Guild | None]
"""The guild of a guild id, or None when the bot cannot see it (yet)."""

_OVERLAP: Final = 86_400  # seconds re-read before the newest outbox row at start


class _StoppingError(Exception):
    """The outbox is stopping: leave the current wait (never escapes the outbox)."""


def nonce_of(campaign_id: str, key: str) -> str:
    """The nonce of a new outbox row: 20 hex digits fixed by campaign and key."""
    return hashlib.blake2b(f"greatwork:{campaign_id}:{key}".encode(), digest_size=10).hexdigest()


def part_nonce(nonce: str, index: int) -> str:
    """The nonce of message ``index`` of a post: the row's own, then ``<nonce>-1``, ``-2``..."""
    return nonce if index == 0 else f"{nonce[:20]}-{index}"


@dataclass(frozen=True, slots=True)
class _Unit:
    """One thing to post: a digest (``number`` set) or a press item (``item`` set)."""

    key: str
    released_at: int
    role: ChannelRole
    number: int = 0
    year: int | None = None
    item: PressItem | None = None


@dataclass(eq=False, slots=True)
class _Lane:
    """One campaign's queue and what its worker knows."""

    campaign_id: CampaignId
    guild_id: int
    units: deque[_Unit] = field(default_factory=deque)
    queued: set[str] = field(default_factory=set)
    digest_at: dict[int, int] = field(default_factory=dict)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    woken: asyncio.Event = field(default_factory=asyncio.Event)
    logged: set[str] = field(default_factory=set)
    told: set[str] = field(default_factory=set)
    task: asyncio.Task[None] | None = None


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
        recheck: seconds between looks for a missing channel (``set`` wakes it sooner).
        cooldown: seconds a stalled post waits before its retries start again.
        stop_timeout: seconds :meth:`stop` waits for a post in flight before cancelling it.
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
        self._send = send
        self._guilds = guilds
        self._attempts = attempts
        self._max_wait = max_wait
        self._jitter = wait_random_exponential(multiplier=first_wait, max=max_backoff)
        self._recheck = recheck
        self._cooldown = cooldown
        self._stop_timeout = stop_timeout
        self._lanes: dict[CampaignId, _Lane] = {}
        self._notices: asyncio.Queue[Notice] | None = None
        self._dispatcher: asyncio.Task[None] | None = None
        self._stop_event = asyncio.Event()
        self._stop_task: asyncio.Task[None] | None = None

    # --- life -------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen to the server, then post whatever the journal released and nobody posted.

        The subscription comes first, so nothing released during the journal read is missed
        (a duplicate is recognised by its key). Idempotent.
        """
        if self._stop_event.is_set():
            raise RuntimeError("this outbox was stopped; start a new one")
        if self._notices is not None:
            return
        self._notices = self._server.subscribe()
        if isinstance(self._directory, ChannelBook):
            self._directory.watch(self.wake)
        for campaign_id in self._server.campaign_ids():
            guild_id = guild_of(campaign_id)
            if guild_id is None:
                continue
            try:
                await self._recover(self._lane(campaign_id, guild_id))
            except Exception:
                log.exception("the Gazette outbox could not read the journal of %s", campaign_id)
        self._dispatcher = asyncio.get_running_loop().create_task(
            self._dispatch(self._notices), name="greatwork-outbox"
        )
        log.info("the Gazette outbox started (%d guild campaigns)", len(self._lanes))

    async def stop(self) -> None:
        """Finish the posts in flight (up to ``stop_timeout``), then end. Idempotent."""
        if self._stop_task is None:
            self._stop_task = asyncio.get_running_loop().create_task(self._stop())
        await asyncio.shield(self._stop_task)

    async def _stop(self) -> None:
        self._stop_event.set()
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatcher
        if self._notices is not None:
            self._server.unsubscribe(self._notices)
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
        """Look again for missing channels now (of one guild, or all)."""
        for lane in self._lanes.values():
            if guild_id is None or lane.guild_id == guild_id:
                lane.woken.set()

    # --- what to post -----------------------------------------------------------------------------

    def _lane(self, campaign_id: CampaignId, guild_id: int) -> _Lane:
        lane = self._lanes.get(campaign_id)
        if lane is None:
            lane = _Lane(campaign_id, guild_id)
            self._lanes[campaign_id] = lane
            lane.task = asyncio.get_running_loop().create_task(
                self._work(lane), name=f"greatwork-outbox-{campaign_id}"
            )
        return lane

    async def _dispatch(self, notices: asyncio.Queue[Notice]) -> None:
        while True:
            notice_ = await notices.get()
            try:
                self._route(notice_)
            except Exception:
                log.exception("the Gazette outbox could not queue %r", notice_)

    def _route(self, notice_: Notice) -> None:
        guild_id = guild_of(notice_.campaign_id)
        if guild_id is None:
            return
        lane = self._lane(notice_.campaign_id, guild_id)
        if isinstance(notice_, DigestDone):
            lane.digest_at[notice_.number] = notice_.at
            self._queue(lane, _digest(notice_.number, notice_.at, notice_.year))
        elif lane.digest_at.get(notice_.item.digest) != notice_.item.release_at:
            self._queue(lane, _press(notice_.item))  # (a digest's own stories are in it)

    def _queue(self, lane: _Lane, unit: _Unit) -> None:
        if unit.key in lane.queued:
            return
        lane.queued.add(unit.key)
        lane.units.append(unit)
        lane.arrived.set()

    async def _recover(self, lane: _Lane) -> None:
        """Queue what the journal released after the newest outbox row and nobody posted.

        Everything released up to a day before that row is read again (``_OVERLAP``): a
        layered follow-up can be released a little after a later item, and rows decide what
        is done.
        """
        cid = lane.campaign_id
        rows = {r.key: r for r in await self._store.outbox_rows(cid)}
        marks = [r.released_at for r in rows.values() if not r.key.startswith("notice:")]
        since = max(0, max(marks) - _OVERLAP) if marks else 0
        now = self._now()
        units: list[_Unit] = []
        for event in await self._store.digests(cid, since=since):
            number = int(json.loads(event.data)["number"])
            if event.at <= now:
                lane.digest_at[number] = event.at
                units.append(_digest(number, event.at, None))
        for row in await self._store.press_between(cid, since - 1, now):
            key = f"press:{row.id}"
            if key in rows or lane.digest_at.get(row.digest) != row.release_at:
                units.append(_press(press_item(row)))
        units.sort(key=lambda u: (u.released_at, u.item is not None, u.item.id if u.item else 0))
        waiting = [u for u in units if _unfinished(rows.get(u.key))]
        for unit in waiting:
            self._queue(lane, unit)
        if waiting:
            log.info("%s: %d Gazette posts to send from the journal", cid, len(waiting))

    async def _render(self, lane: _Lane, unit: _Unit) -> list[Post]:
        if unit.item is not None:
            return item_posts(unit.item)
        cid = lane.campaign_id
        rows = [
            row
            for row in await self._store.press_between(cid, unit.released_at - 1, unit.released_at)
            if row.digest == unit.number
        ]
        keys = [f"press:{r.id}" for r in rows]
        posted_alone = (
            {r.key for r in await self._store.outbox_rows(cid, keys=keys)} if keys else set()
        )
        items = [press_item(r) for r in rows if f"press:{r.id}" not in posted_alone]
        return digest_posts(
            unit.number, unit.year or self._year(cid, rows), items, at=unit.released_at
        )

    def _year(self, campaign_id: CampaignId, rows: Sequence[PressRow]) -> int | None:
        years = [json.loads(r.meta).get("year") for r in rows]
        known = [y for y in years if isinstance(y, int)]
        if known:
            return max(known)
        try:
            return self._server.committed_state(campaign_id).year
        except UnavailableError:
            return None

    # --- posting ----------------------------------------------------------------------------------

    async def _work(self, lane: _Lane) -> None:
        while True:
            unit = await self._next(lane)
            if unit is None:
                return
            try:
                await self._deliver(lane, unit)
            except _StoppingError:
                return
            except Exception:
                log.exception(
                    "%s: the Gazette post %s failed unexpectedly; trying again in %g s",
                    lane.campaign_id,
                    unit.key,
                    self._cooldown,
                )
                lane.units.appendleft(unit)
                try:
                    await self._pause(self._cooldown)
                except _StoppingError:
                    return

    async def _next(self, lane: _Lane) -> _Unit | None:
        while not self._stop_event.is_set():
            if lane.units:
                return lane.units.popleft()
            lane.arrived.clear()
            await _first(self._stop_event, lane.arrived)
        return None

    async def _deliver(self, lane: _Lane, unit: _Unit) -> None:
        """Post one unit: wait for its channel, send, retry, and record the outcome."""
        posts = await self._render(lane, unit)
        while True:
            channel_id = await self._channel(lane, unit)
            try:
                await self._post(lane, unit.key, channel_id, posts, unit.released_at)
            except SendError as error:
                if error.retryable:
                    await self._stalled(lane, unit, channel_id, error)
                    continue
                await self._refused(lane, unit, channel_id, error)
            return

    async def _channel(self, lane: _Lane, unit: _Unit) -> int:
        """The unit's channel, waiting (and telling the admins once) while there is none."""
        while True:
            guild = self._guilds(lane.guild_id)
            if guild is None:
                self._log_once(lane, "guild", "the bot cannot see this guild; its Gazette waits")
            else:
                channel_id = self._directory.channel_for(guild, unit.role)
                if channel_id is not None:
                    return channel_id
                name = DEFAULT_NAMES[unit.role]
                await self._tell_admins(
                    lane,
                    f"notice:missing:{unit.role}:{unit.key}",
                    f"No #{name} channel",
                    f"The Gazette cannot post {_what(unit)}: this server has no #{name} "
                    f"channel. Create a text channel named #{name}, or choose one with "
                    f"`/gw_admin setup`; posting resumes by itself, in order.",
                    unit.released_at,
                )
            await self._pause(self._recheck, lane.woken)
            lane.woken.clear()

    async def _post(
        self, lane: _Lane, key: str, channel_id: int, posts: Sequence[Post], released_at: int
    ) -> None:
        cid = lane.campaign_id
        row = await self._store.outbox_begin(
            cid, key, channel_id, nonce_of(cid, key), self._now(), released_at=released_at
        )
        if row.state is not OutboxState.SENDING:
            return  # posted (or refused) before: never twice
        ids = list(row.message_ids)
        for index in range(len(ids), len(posts)):
            ids.append(await self._send_one(lane, row, index, posts[index]))
            if len(ids) < len(posts):
                await self._store.outbox_progress(cid, key, ids, self._now())
        await self._store.outbox_posted(cid, key, ids, self._now())
        log.info("%s: %s posted to channel %s (%d messages)", cid, key, row.channel_id, len(ids))

    async def _send_one(self, lane: _Lane, row: OutboxRow, index: int, post: Post) -> int:
        """Send one message with retries; a retryable error that persists is raised."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts) | stop_after_delay(self._max_wait),
            wait=self._backoff,
            retry=retry_if_exception(_retryable),
            sleep=self._pause,
            reraise=True,
        )
        nonce = part_nonce(row.nonce, index)
        async for attempt in retrying:
            with attempt:
                if attempt.retry_state.attempt_number > 1:  # count it in the journal
                    await self._store.outbox_begin(
                        row.campaign_id, row.key, row.channel_id, row.nonce, self._now()
                    )
                try:
                    return await self._send(row.channel_id, post, nonce=nonce)
                except Exception as error:
                    await self._note(lane, row.key, error)
                    raise
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    def _backoff(self, state: RetryCallState) -> float:
        """Exponential backoff with full jitter, never shorter than Discord's retry_after."""
        wait = self._jitter(state)
        error = state.outcome.exception() if state.outcome is not None else None
        after = error.retry_after if isinstance(error, SendError) else None
        return max(wait, after or 0.0)

    async def _note(self, lane: _Lane, key: str, error: BaseException) -> None:
        text = _describe(error)
        log.warning("%s: sending %s failed: %s", lane.campaign_id, key, text)
        try:
            await self._store.outbox_error(lane.campaign_id, key, text, self._now())
        except Exception:
            log.exception("%s: could not record the failure of %s", lane.campaign_id, key)

    async def _refused(self, lane: _Lane, unit: _Unit, channel_id: int, error: SendError) -> None:
        text = _describe(error)
        await self._store.outbox_failed(lane.campaign_id, unit.key, text, self._now())
        log.error("%s: Discord refused %s for good: %s", lane.campaign_id, unit.key, text)
        await self._tell_admins(
            lane,
            f"notice:failed:{unit.key}",
            "A Gazette post was refused",
            f"Discord refused {_what(unit)} in <#{channel_id}> and it will not be retried: "
            f"{text}. Check that the bot can send messages and embed links there.",
            unit.released_at,
        )

    async def _stalled(self, lane: _Lane, unit: _Unit, channel_id: int, error: SendError) -> None:
        await self._tell_admins(
            lane,
            f"notice:stalled:{unit.key}",
            "The Gazette is held up",
            f"Discord keeps failing to take {_what(unit)} in <#{channel_id}> ({_describe(error)}). "
            f"The outbox tries again every {self._cooldown:g} s; later posts wait behind it.",
            unit.released_at,
        )
        await self._pause(self._cooldown)

    async def _tell_admins(
        self, lane: _Lane, key: str, title: str, body: str, released_at: int
    ) -> None:
        """Post an admin notice once (its row in the outbox remembers it across restarts)."""
        if key in lane.told:
            return
        guild = self._guilds(lane.guild_id)
        channel_id = (
            None if guild is None else self._directory.channel_for(guild, ChannelRole.ADMIN)
        )
        if channel_id is None:
            self._log_once(lane, key, f"no admin channel to tell: {title}: {body}")
            return
        try:
            await self._post(lane, key, channel_id, [notice(title, body, ok=False)], released_at)
        except SendError as error:
            log.warning("%s: the admin notice %s was not posted: %s", lane.campaign_id, key, error)
            await self._store.outbox_failed(lane.campaign_id, key, _describe(error), self._now())
        lane.told.add(key)

    def _log_once(self, lane: _Lane, key: str, text: str) -> None:
        if key not in lane.logged:
            lane.logged.add(key)
            log.warning("guild %s: %s", lane.guild_id, text)

    async def _pause(self, seconds: float, *also: asyncio.Event) -> None:
        """Wait ``seconds`` or until an event of ``also`` is set; raise if stopping."""
        await _first(self._stop_event, *also, within=seconds)
        if self._stop_event.is_set():
            raise _StoppingError

    def _now(self) -> int:
        return int(self._server.clock.now())


def _digest(number: int, at: int, year: int | None) -> _Unit:
    return _Unit(f"digest:{number}", at, ChannelRole.GAZETTE, number=number, year=year)


def _press(item: PressItem) -> _Unit:
    table_talk = item.meta.get("occasion") == "table_talk"
    role = ChannelRole.TABLE_TALK if table_talk else ChannelRole.GAZETTE
    return _Unit(f"press:{item.id}", item.release_at, role, item=item)


def _unfinished(row: OutboxRow | None) -> bool:
    return row is None or row.state is OutboxState.SENDING


def _retryable(error: BaseException) -> bool:
    """Discord's word when it gave one; anything unexpected may pass, so it is retried too."""
    return error.retryable if isinstance(error, SendError) else isinstance(error, Exception)


def _what(unit: _Unit) -> str:
    if unit.item is None:
        return f"digest No. {unit.number}"
    return f"press item No. {unit.item.id} ({unit.item.headline[:80]})"


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__


async def _first(*events: asyncio.Event, within: float | None = None) -> None:
    """Return when any of ``events`` is set, or after ``within`` seconds."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
