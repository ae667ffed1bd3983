"""The journal's channel choices and Gazette outbox, as methods of ``Store``.

Every write goes through the writer task (``JournalWriter.record``), ordered with the
journal's batches; every read uses the reader connection. The checks of ``records.py`` run
first, so a bad value is refused before anything is queued.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Sequence

from greatwork.store import records
from greatwork.store.errors import InvalidRecordError
from greatwork.store.reader import JournalReader
from greatwork.store.records import ChannelRow, OutboxRow, OutboxState
from greatwork.store.writer import JournalWriter


class OutboxRecords:
    """Channel choices and the outbox (a base of ``Store``, which sets the two attributes)."""

    _writer: JournalWriter
    _reader: JournalReader

    async def set_channel(
        self, campaign_id: str, role: str, channel_id: int | None, by: str, at: int
    ) -> ChannelRow:
        """Journal the channel chosen for ``role`` (None clears the choice).

        Raises:
            InvalidRecordError: a value is malformed (it names which); nothing was written.
            JournalError: the write failed or the journal is closed.
        """
        row = ChannelRow(
            campaign_id=records.check_text("a campaign id", campaign_id),
            role=records.check_role(role),
            channel_id=None
            if channel_id is None
            else records.check_snowflake("a channel id", channel_id),
            set_by=records.check_text("who set the channel", by),
            set_at=records.check_time("the time", at),
        )
        run = functools.partial(records.write_channel, row=row)
        return await self._writer.record(run, f"the {role} channel of {campaign_id}")

    async def channels(self, campaign_id: str | None = None) -> list[ChannelRow]:
        """The channel choices of one campaign, or of every campaign (cleared ones included)."""
        return await self._reader.channels(campaign_id)

    async def outbox_begin(
        self,
        campaign_id: str,
        key: str,
        channel_id: int,
        nonce: str,
        at: int,
        *,
        released_at: int = 0,
    ) -> OutboxRow:
        """Record that a post is about to be sent (once more); returns its row.

        Idempotent: an existing row keeps its nonce (every retry reuses it) and counts one
        more attempt; a row already posted or failed comes back unchanged, so the caller
        sees it must not send.

        Args:
            campaign_id: the campaign.
            key: what is posted (``press:17``, ``digest:5``).
            channel_id: where it goes (kept once a first message of it was accepted).
            nonce: Discord's deduplication nonce for a new row (1 to 25 characters).
            at: now (epoch seconds).
            released_at: when the game released what is posted (the outbox's order).

        Raises:
            InvalidRecordError: a value is malformed; nothing was written.
            JournalError: the write failed or the journal is closed.
        """
        cid, key = self._outbox_key(campaign_id, key)
        run = functools.partial(
            records.begin,
            campaign_id=cid,
            key=key,
            channel_id=records.check_snowflake("a channel id", channel_id),
            nonce=records.check_nonce(nonce),
            at=records.check_time("the time", at),
            released_at=records.check_time("released_at", released_at),
        )
        return await self._writer.record(run, f"outbox row {cid} {key}")

    async def outbox_progress(
        self, campaign_id: str, key: str, message_ids: Sequence[int], at: int
    ) -> OutboxRow:
        """Record the messages of a still-sending post that Discord accepted so far.

        Raises:
            InvalidRecordError: a bad value, no such row, or the row is not sending.
            JournalError: the write failed or the journal is closed.
        """
        cid, key = self._outbox_key(campaign_id, key)
        ids = records.check_ids(message_ids)
        run = functools.partial(
            records.progress,
            campaign_id=cid,
            key=key,
            message_ids=ids,
            at=records.check_time("the time", at),
        )
        return await self._writer.record(run, f"outbox row {cid} {key}")

    async def outbox_posted(
        self, campaign_id: str, key: str, message_ids: Sequence[int], at: int
    ) -> OutboxRow:
        """Mark a post accepted by Discord, with its messages; again changes nothing.

        Raises:
            InvalidRecordError: a bad value, no such row, or the row is marked failed.
            JournalError: the write failed or the journal is closed.
        """
        cid, key = self._outbox_key(campaign_id, key)
        ids = records.check_ids(message_ids)
        if not ids:
            raise InvalidRecordError(f"outbox row {cid} {key}: a posted row needs its message ids")
        run = functools.partial(
            records.posted,
            campaign_id=cid,
            key=key,
            message_ids=ids,
            at=records.check_time("the time", at),
        )
        return await self._writer.record(run, f"outbox row {cid} {key}")

    async def outbox_failed(self, campaign_id: str, key: str, error: str, at: int) -> OutboxRow:
        """Mark a post refused by Discord for good (it is not retried); again changes nothing.

        Raises:
            InvalidRecordError: a bad value, no such row, or the row is already posted.
            JournalError: the write failed or the journal is closed.
        """
        return await self._record_error(records.failed, campaign_id, key, error, at)

    async def outbox_error(self, campaign_id: str, key: str, error: str, at: int) -> OutboxRow:
        """Record a failure that will be retried; the post stays ``sending``.

        Raises:
            InvalidRecordError: a bad value, no such row, or the row is not sending.
            JournalError: the write failed or the journal is closed.
        """
        return await self._record_error(records.note_error, campaign_id, key, error, at)

    async def _record_error(
        self, write: Callable[..., OutboxRow], campaign_id: str, key: str, error: str, at: int
    ) -> OutboxRow:
        """Write an error on an outbox row with ``write`` (``records.failed`` or ``note_error``)."""
        cid, key = self._outbox_key(campaign_id, key)
        run = functools.partial(
            write,
            campaign_id=cid,
            key=key,
            error=records.clean_error(error),
            at=records.check_time("the time", at),
        )
        return await self._writer.record(run, f"outbox row {cid} {key}")

    async def outbox_rows(
        self,
        campaign_id: str | None = None,
        *,
        states: Collection[str] = (),
        keys: Collection[str] = (),
    ) -> list[OutboxRow]:
        """Outbox rows of one campaign (or all), in release order; ``states`` and ``keys`` filter.

        Raises:
            InvalidRecordError: a state is not ``sending``, ``posted`` or ``failed``.
        """
        known = {s.value for s in OutboxState}
        unknown = sorted(str(s) for s in states if s not in known)
        if unknown:
            raise InvalidRecordError(
                f"unknown outbox states {unknown}; the states are {sorted(known)}"
            )
        return await self._reader.outbox_rows(campaign_id, states=states, keys=keys)

    @staticmethod
    def _outbox_key(campaign_id: str, key: str) -> tuple[str, str]:
        return records.check_text("a campaign id", campaign_id), records.check_key(key)
