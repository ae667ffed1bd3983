"""The journal: one SQLite file per process, written by one task, read on a second connection.

``Store`` is the only door to SQLite in greatwork. Campaign actors hand it batches (from
their threads, without blocking); the runtime waits for durability before it confirms a
command; the CLI reads the journal back for export and replay.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

import aiosqlite

from greatwork.store.checkpoint import Checkpointer
from greatwork.store.errors import JournalError
from greatwork.store.ledger import CommitHook, FailureHook, Ledger
from greatwork.store.migrations import MIGRATIONS, Migration, check_migrations, migrate
from greatwork.store.opening import connect, prepare
from greatwork.store.outbox import OutboxRecords
from greatwork.store.reader import JournalReader, Visibility
from greatwork.store.rows import (
    Batch,
    CampaignRow,
    EventRow,
    JournalRow,
    Loaded,
    PressRow,
    WriterStats,
    check_batch,
)
from greatwork.store.voice import VoiceRecords
from greatwork.store.writer import JournalWriter

log = logging.getLogger(__name__)


class Store(OutboxRecords, VoiceRecords):
    """An open journal. Build it with :meth:`open`; close it with :meth:`close`.

    Every method runs on the event loop that opened it, except :meth:`submit_threadsafe`,
    which any thread may call. The channel and outbox methods come from
    :class:`~greatwork.store.outbox.OutboxRecords`, the persona voice's write
    (:meth:`record_voice`) from :class:`~greatwork.store.voice.VoiceRecords`.
    """

    def __init__(
        self,
        path: Path,
        loop: asyncio.AbstractEventLoop,
        writer_conn: aiosqlite.Connection,
        reader_conn: aiosqlite.Connection,
        ledger: Ledger,
        writer: JournalWriter,
        reader: JournalReader,
        checkpointer: Checkpointer,
    ) -> None:
        self._path = path
        self._loop = loop
        self._writer_conn = writer_conn
        self._reader_conn = reader_conn
        self._ledger = ledger
        self._writer = writer
        self._reader = reader
        self._checkpointer = checkpointer
        self._close_task: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = 5.0,
        max_batch_rows: int = 1000,
        keep_snapshots: int = 3,
        checkpoint_every: float = 1.0,
        synchronous: str = "FULL",
        migrations: Sequence[Migration] = MIGRATIONS,
    ) -> Store:
        """Open (or create) the journal at ``path`` and start its writer task.

        An existing file is checked read-only first and refused, untouched, if it is not
        SQLite, is damaged, belongs to another program or has a newer schema. A missing file
        is created (with its folder) and migrated.

        Args:
            path: the database file.
            busy_timeout: seconds a statement waits for a lock before failing.
            max_batch_rows: about how many rows one transaction takes (a batch is never split).
            keep_snapshots: how many snapshots to keep per campaign (older ones are pruned).
            checkpoint_every: seconds between WAL checkpoints while commits arrive (see
                ``checkpoint.py``).
            synchronous: the writer's ``PRAGMA synchronous``: ``FULL`` (a commit survives a
                power cut) or ``NORMAL`` (it survives a crash of the process, and an OS crash
                or power cut may undo the last commits).
            migrations: the schema steps (tests pass their own).

        Raises:
            StoreError: the file was refused or cannot be opened; the subclass says why.
            ValueError: an argument is out of range, or the migrations are out of order.
        """
        if max_batch_rows < 1 or keep_snapshots < 1 or busy_timeout < 0:
            raise ValueError(
                "max_batch_rows and keep_snapshots must be at least 1 and busy_timeout at "
                f"least 0, got {max_batch_rows}, {keep_snapshots} and {busy_timeout}"
            )
        if checkpoint_every <= 0:
            raise ValueError(f"checkpoint_every must be positive, got {checkpoint_every}")
        if synchronous.upper() not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous must be FULL or NORMAL, got {synchronous!r}")
        check_migrations(migrations)
        where = Path(path)
        await prepare(where, latest=migrations[-1].version)
        writer_conn = await connect(
            where, busy_timeout=busy_timeout, writer=True, synchronous=synchronous.upper()
        )
        reader_conn: aiosqlite.Connection | None = None
        checkpoint_conn: aiosqlite.Connection | None = None
        try:
            version = await migrate(writer_conn, migrations)
            reader_conn = await connect(where, busy_timeout=busy_timeout, writer=False)
            reader = JournalReader(reader_conn)
            await reader.setup()
            durable, stored = await reader.durable()
            checkpoint_conn = await connect(where, busy_timeout=busy_timeout, writer=False)
        except BaseException:
            for conn in (checkpoint_conn, reader_conn):
                if conn is not None:
                    await conn.close()
            await writer_conn.close()
            raise
        ledger = Ledger(durable, stored)
        writer = JournalWriter(
            writer_conn, ledger, max_rows=max_batch_rows, keep_snapshots=keep_snapshots
        )
        log.info(
            "journal open at %s (schema version %d, %d campaigns, synchronous=%s)",
            where,
            version,
            len(stored),
            synchronous.upper(),
        )
        checkpointer = Checkpointer(
            checkpoint_conn, lambda: writer.stats().transactions, every=checkpoint_every
        )
        loop = asyncio.get_running_loop()
        return cls(where, loop, writer_conn, reader_conn, ledger, writer, reader, checkpointer)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    # --- writing ------------------------------------------------------------------------------

    def submit(self, batch: Batch) -> None:
        """Queue a batch for the writer (call on the loop thread).

        A batch the journal cannot take (its campaign is broken, it would leave a gap, its
        campaign has no row yet) is refused through :meth:`wait_durable` and the failure hooks.

        Raises:
            InvalidBatchError: the batch is malformed; nothing was queued.
            JournalError: the journal is closed.
        """
        check_batch(batch)
        if not self._writer.accepting:
            raise JournalError(f"the journal at {self._path} is closed; the batch was not queued")
        self._writer.enqueue(batch)

    def submit_threadsafe(self, batch: Batch) -> None:
        """Queue a batch from any thread without waiting for anything.

        Raises:
            InvalidBatchError: the batch is malformed; nothing was queued.
            JournalError: the journal or its event loop is closed.
        """
        check_batch(batch)
        if not self._writer.accepting:
            raise JournalError(f"the journal at {self._path} is closed; the batch was not queued")
        try:
            self._loop.call_soon_threadsafe(self._writer.enqueue, batch)
        except RuntimeError as exc:  # the loop is closed
            raise JournalError(f"the journal's event loop is gone ({exc})") from exc

    async def wait_durable(self, campaign_id: str, seq: int) -> None:
        """Return once event ``seq`` of a campaign (and every earlier one) is committed.

        Raises:
            JournalError: the batch holding it failed, the campaign is broken, or the journal
                closed before it was written.
        """
        await self._ledger.wait_durable(campaign_id, seq, closed=self._writer.finished)

    def durable_seq(self, campaign_id: str) -> int:
        """The last committed event of a campaign, -1 when it has none."""
        return self._ledger.durable_seq(campaign_id)

    async def flush(self) -> None:
        """Return once every batch submitted before the call is committed.

        Raises:
            JournalError: some of those batches failed instead.
        """
        await self._writer.flush()

    def on_commit(self, hook: CommitHook) -> None:
        """Run ``hook(campaign_id, last_seq)`` on the loop after each commit, per campaign."""
        self._ledger.on_commit(hook)

    def on_failure(self, hook: FailureHook) -> None:
        """Run ``hook(campaign_id, error)`` on the loop when a campaign's writes fail."""
        self._ledger.on_failure(hook)

    def reset(self, campaign_id: str) -> None:
        """Take a broken campaign's batches again, once it was rebuilt from the journal."""
        self._ledger.reset(campaign_id)

    def stats(self) -> WriterStats:
        """The writer's counters (transactions, batches, rows...)."""
        return self._writer.stats()

    @property
    def checkpointer(self) -> Checkpointer:
        """The task that checkpoints the WAL (its counters are for tests and metrics)."""
        return self._checkpointer

    async def close(self) -> None:
        """Stop taking batches, write everything queued, close both connections.

        Calling it again waits for the same close. Cancelling the caller does not stop the
        close half-way: it runs as a task of its own.
        """
        if self._close_task is None:
            self._close_task = self._loop.create_task(self._close(), name="greatwork-journal-close")
        await asyncio.shield(self._close_task)

    async def _close(self) -> None:
        try:
            # One turn of the loop first: batches other threads handed over before close()
            # (call_soon_threadsafe) reach the queue and are written, not refused.
            await asyncio.sleep(0)
            await self._writer.close()
            self._ledger.fail_all_waiters()
        finally:
            await self._checkpointer.close()
            await self._reader_conn.close()
            await self._writer_conn.close()
        log.info("journal at %s closed", self._path)

    # --- reading ------------------------------------------------------------------------------

    async def campaigns(self) -> list[CampaignRow]:
        """Every campaign in the journal, oldest first."""
        return await self._reader.campaigns()

    async def load(self, campaign_id: str, *, from_scratch: bool = False) -> Loaded:
        """What a campaign needs to rebuild itself (see ``replay.rebuild``).

        Raises:
            UnknownCampaignError: no such campaign.
        """
        return await self._reader.load(campaign_id, from_scratch=from_scratch)

    def events(
        self, campaign_id: str | None = None, *, after_seq: int = -1, page_size: int = 500
    ) -> AsyncIterator[JournalRow]:
        """Stream events (of one campaign, or all) in journal order, a page at a time."""
        return self._reader.events(campaign_id, after_seq=after_seq, page_size=page_size)

    async def last_events(self, campaign_id: str, limit: int) -> list[EventRow]:
        """A campaign's newest events, newest first."""
        return await self._reader.last_events(campaign_id, limit)

    async def press(
        self,
        campaign_id: str,
        *,
        released_by: int,
        limit: int,
        query: str | None = None,
        kinds: Sequence[str] = (),
        held_since: int | None = None,
    ) -> list[PressRow]:
        """Released press, newest first, optionally searched and filtered by kind.

        Public means public by the release rule (:class:`~greatwork.store.reader.Visibility`)
        at ``released_by``, the game clock's time; pass ``held_since`` (when the pause began)
        while the campaign is paused. Here and in every press read, a release the persona
        voice rewrote comes with its voiced body and meta (:meth:`record_voice`).
        """
        return await self._reader.press(
            campaign_id,
            released_by=released_by,
            limit=limit,
            query=query,
            kinds=kinds,
            held_since=held_since,
        )

    async def press_item(self, campaign_id: str, press_id: int) -> PressRow | None:
        """One press release by number, or None."""
        return await self._reader.press_item(campaign_id, press_id)

    async def press_template(self, campaign_id: str, press_id: int) -> PressRow | None:
        """One press release as its template wrote it (without its voice), or None."""
        return await self._reader.press_template(campaign_id, press_id)

    async def press_between(
        self, campaign_id: str, after: int, upto: int, *, held_since: int | None = None
    ) -> list[PressRow]:
        """Press released in ``(after, upto]``, oldest first.

        While the campaign is paused, pass ``held_since`` (when the pause began): delayed press
        due after it is left out until the resume.
        """
        return await self._reader.press_between(campaign_id, after, upto, held_since=held_since)

    async def unreleased(self, campaign_id: str, rule: Visibility) -> list[PressRow]:
        """The press ``rule`` does not show yet, oldest release first (a restarted desk's)."""
        return await self._reader.unreleased(campaign_id, rule)

    async def digests(self, campaign_id: str, *, since: int = 0) -> list[EventRow]:
        """The campaign's ``DigestCompleted`` events at or after time ``since``, in order."""
        return await self._reader.digests(campaign_id, since=since)
