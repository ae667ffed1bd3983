"""Sending one post through the journal's outbox: begun, sent with retries, recorded.

Before the first message the post's row is begun with a nonce fixed by campaign and key
(:func:`~greatwork.bot.outbox.units.nonce_of`). Each message goes out with that nonce (the
first) or ``<nonce>-<n>`` and Discord's ``enforce_nonce``, so a retry, even after a restart,
gets the first message back instead of a second one. Each accepted message is recorded; the
row becomes ``posted`` only after Discord accepted every message. A retryable error is tried
again with exponential backoff and full jitter (tenacity), never sooner than Discord's
``retry_after``; one that persists is raised to the caller.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from greatwork.bot.limits import Post
from greatwork.bot.outbox.lane import Stopper
from greatwork.bot.outbox.units import nonce_of, part_nonce
from greatwork.bot.sender import SendError
from greatwork.metrics import Metrics
from greatwork.rules.ids import CampaignId
from greatwork.store import OutboxRow, OutboxState, Store

__all__ = ["Poster", "Send", "describe"]

log = logging.getLogger(__name__)


class Send(Protocol):
    """Posts one message and returns its id; raises ``SendError``.

    ``functools.partial(send_post, bot)`` is one: the nonce is passed by keyword.
    """

    def __call__(self, channel_id: int, post: Post, *, nonce: str) -> Awaitable[int]:
        """Send ``post`` to the channel with Discord's nonce check."""
        ...


class Poster:
    """Sends posts through the outbox table, retrying each message.

    Args:
        store: the journal (its ``outbox`` table).
        send: posts one message.
        stopper: ends a backoff early when the outbox stops.
        now: the game clock, in epoch seconds (stamps the rows).
        attempts: sends of one message before a retryable failure is raised.
        max_wait: seconds of retrying one message before it is raised.
        first_wait: the first backoff, in seconds; it doubles (with full jitter).
        max_backoff: the longest single backoff, in seconds.
        metrics: counts messages posted, retries and send times (None: not counted).
    """

    def __init__(  # noqa: PLR0913 (the retry policy is injected so tests run in milliseconds)
        self,
        store: Store,
        send: Send,
        stopper: Stopper,
        now: Callable[[], int],
        *,
        attempts: int,
        max_wait: float,
        first_wait: float,
        max_backoff: float,
        metrics: Metrics | None = None,
    ) -> None:
        self._store = store
        self._metrics = metrics
        self._send = send
        self._stopper = stopper
        self._now = now
        self._attempts = attempts
        self._max_wait = max_wait
        self._jitter = wait_random_exponential(multiplier=first_wait, max=max_backoff)

    async def post(
        self,
        campaign_id: CampaignId,
        key: str,
        channel_id: int,
        posts: Sequence[Post],
        released_at: int,
    ) -> None:
        """Send the messages of post ``key`` not yet accepted, then mark it posted.

        A post already ``posted`` or ``failed`` is not sent again.

        Raises:
            SendError: Discord refused a message for good, or kept failing to take it.
        """
        row = await self._store.outbox_begin(
            campaign_id,
            key,
            channel_id,
            nonce_of(campaign_id, key),
            self._now(),
            released_at=released_at,
        )
        if row.state is not OutboxState.SENDING:
            return  # posted (or refused) before: never twice
        ids = list(row.message_ids)
        for index in range(len(ids), len(posts)):
            ids.append(await self._send_one(row, index, posts[index]))
            if len(ids) < len(posts):
                await self._store.outbox_progress(campaign_id, key, ids, self._now())
        await self._store.outbox_posted(campaign_id, key, ids, self._now())
        log.info(
            "%s: %s posted to channel %s (%d messages)",
            campaign_id,
            key,
            row.channel_id,
            len(ids),
        )

    async def fail(self, campaign_id: CampaignId, key: str, error: BaseException) -> None:
        """Mark post ``key`` refused for good, with the error in words."""
        await self._store.outbox_failed(campaign_id, key, describe(error), self._now())

    async def _send_one(self, row: OutboxRow, index: int, post: Post) -> int:
        """Send one message with retries; a retryable error that persists is raised."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts) | stop_after_delay(self._max_wait),
            wait=self._backoff,
            retry=retry_if_exception(_retryable),
            sleep=self._stopper.pause,
            reraise=True,
        )
        nonce = part_nonce(row.nonce, index)
        started = time.perf_counter()
        try:
            async for attempt in retrying:
                with attempt:
                    if attempt.retry_state.attempt_number > 1:  # count it in the journal
                        if self._metrics is not None:
                            self._metrics.discord_retry()
                        await self._store.outbox_begin(
                            row.campaign_id, row.key, row.channel_id, row.nonce, self._now()
                        )
                    try:
                        message_id = await self._send(row.channel_id, post, nonce=nonce)
                    except Exception as error:
                        await self._note(row, error)
                        raise
                    if self._metrics is not None:
                        self._metrics.discord_post("posted")
                    return message_id
        finally:
            if self._metrics is not None:
                self._metrics.discord_send_time(time.perf_counter() - started)
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    def _backoff(self, state: RetryCallState) -> float:
        """Exponential backoff with full jitter, never shorter than Discord's retry_after."""
        wait = self._jitter(state)
        error = state.outcome.exception() if state.outcome is not None else None
        after = error.retry_after if isinstance(error, SendError) else None
        return max(wait, after or 0.0)

    async def _note(self, row: OutboxRow, error: BaseException) -> None:
        """Record a failed send in the row; log it at WARNING when it is retried here.

        A refusal that is not retried is the caller's to report (held once at WARNING, or
        failed at ERROR), so it is logged here at DEBUG only: a post held for hours is tried
        again and again, and the log says so once.
        """
        text = describe(error)
        level = logging.WARNING if _retryable(error) else logging.DEBUG
        log.log(level, "%s: sending %s failed: %s", row.campaign_id, row.key, text)
        try:
            await self._store.outbox_error(row.campaign_id, row.key, text, self._now())
        except Exception:
            log.exception("%s: could not record the failure of %s", row.campaign_id, row.key)


def _retryable(error: BaseException) -> bool:
    """Discord's word when it gave one; anything unexpected may pass, so it is retried too."""
    return error.retryable if isinstance(error, SendError) else isinstance(error, Exception)


def describe(error: BaseException) -> str:
    """An error in words, for the journal and the log."""
    return str(error) or type(error).__name__
