"""The journal's one writer task: a queue of batches, group commit, failure handling.

Batches arrive on the event loop (directly, or from actor threads through
``call_soon_threadsafe``) and wait in one queue. The writer task takes everything queued, up
to about ``max_rows`` rows and never part of a batch, and writes it in one transaction, so
under load many commands share one ``fsync``. Only after ``COMMIT`` returns does it mark the
campaigns' events durable and wake whoever waits for them.

A failed transaction breaks every campaign in it: their waiters fail, their queued batches
are dropped and later ones refused, so a campaign's journal never has a gap. ``reset`` lifts
that once the runtime has rebuilt the campaign from what was committed.

Records (channel choices, the Gazette outbox: ``records.py``) go through the same queue, so
they are ordered with the batches, but never share a transaction with them: consecutive
records are written together, each under a savepoint, and one that is refused is rolled back
alone. A failed record never breaks a campaign.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import aiosqlite

from greatwork.metrics import bound
from greatwork.store.errors import JournalError, StoreError
from greatwork.store.ledger import Ledger, span
from greatwork.store.rows import Batch, WriterStats

log = logging.getLogger(__name__)

_INSERT_CAMPAIGN = (
    "INSERT OR IGNORE INTO campaigns (campaign_id, seed, created_at, name) VALUES (?, ?, ?, ?)"
)
_INSERT_EVENT = (
    "INSERT OR IGNORE INTO events (campaign_id, seq, at, kind, data) VALUES (?, ?, ?, ?, ?)"
)
_INSERT_PRESS = (
    "INSERT OR IGNORE INTO press (campaign_id, id, seq, kind, headline, body, meta, at,"
    " release_at, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_SNAPSHOT = (
    "INSERT OR IGNORE INTO snapshots (campaign_id, seq, at, data) VALUES (?, ?, ?, ?)"
)
_PRUNE_SNAPSHOTS = (
    "DELETE FROM snapshots WHERE campaign_id = ? AND seq < (SELECT seq FROM snapshots"
    " WHERE campaign_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)"
)


@dataclass(eq=False, slots=True)
class _FlushMark:
    """A place in the queue: resolved when everything before it is done."""

    future: asyncio.Future[None]
    failed: int = 0  # batches before it that were not written


@dataclass(eq=False, slots=True)
class _Record:
    """A channel or outbox write, run on the writer's thread; its outcome goes to ``future``."""

    run: Callable[[sqlite3.Connection], object]
    what: str
    future: asyncio.Future[Any]


_Queued = Batch | _FlushMark | _Record
_T = TypeVar("_T")


@dataclass(slots=True)
class _Counters:
    transactions: int = 0
    failed_transactions: int = 0
    batches: int = 0
    rows: int = 0
    refused: int = 0


class JournalWriter:
    """The writer task and its queue; every method runs on the event loop.

    Args:
        conn: the writer connection (autocommit mode).
        ledger: the per-campaign bookkeeping it reports commits and failures to.
        max_rows: about how many rows one transaction takes.
        keep_snapshots: snapshots kept per campaign when a new one is written.

    Group commits are reported to the metrics bound when the writer is built
    (:func:`greatwork.metrics.binding`), if any.
    """

    def __init__(
        self, conn: aiosqlite.Connection, ledger: Ledger, *, max_rows: int, keep_snapshots: int
    ) -> None:
        self._conn = conn
        self._ledger = ledger
        self._max_rows = max_rows
        self._keep_snapshots = keep_snapshots
        self._queue: deque[_Queued] = deque()
        self._wake = asyncio.Event()
        self._counters = _Counters()
        self._accepting = True
        self._metrics = bound()
        self._submitted: dict[int, float] = {}  # id(batch) -> when it was queued, for metrics
        self._task = asyncio.get_running_loop().create_task(
            self._run(), name="greatwork-journal-writer"
        )

    @property
    def accepting(self) -> bool:
        """Whether new batches are taken (False once closing began)."""
        return self._accepting

    @property
    def finished(self) -> bool:
        """Whether the task has ended (after :meth:`close`)."""
        return self._task.done()

    def stats(self) -> WriterStats:
        """The counters so far (``transactions`` counts record transactions too)."""
        c = self._counters
        queued = sum(isinstance(item, Batch) for item in self._queue)
        return WriterStats(
            c.transactions, c.failed_transactions, c.batches, c.rows, c.refused, queued
        )

    def enqueue(self, batch: Batch) -> None:
        """Queue a checked batch, or refuse it through its campaign's waiters and hooks."""
        ledger = self._ledger
        cid = batch.campaign_id
        if ledger.is_broken(cid):
            self._counters.refused += 1
            log.warning("journal: dropped %s of broken campaign %s", span(batch), cid)
            return
        if self._accepting:
            reason = ledger.refusal(batch)
        else:
            reason = f"the journal closed before {span(batch)} could be written"
        if reason is not None:
            self._counters.refused += 1
            self._break(cid, JournalError(f"campaign {cid}: {reason}"))
            return
        ledger.accept(batch)
        self._submitted[id(batch)] = time.perf_counter()
        self._queue.append(batch)
        self._wake.set()

    async def record(self, run: Callable[[sqlite3.Connection], _T], what: str) -> _T:
        """Queue a record write and return its result once it is committed.

        Args:
            run: the write, called on the writer's thread inside a transaction; it returns
                the result or raises (a ``StoreError`` to refuse the record).
            what: the record, for messages (``outbox row guild-1 press:17``).

        Raises:
            StoreError: the write refused the record (nothing of it was written).
            JournalError: the transaction failed, or the journal is closed.
        """
        if not self._accepting:
            raise JournalError(f"the journal is closed; {what} was not written")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append(_Record(run, what, future))
        self._wake.set()
        return cast("_T", await future)

    async def flush(self) -> None:
        """Return once every batch queued before the call is committed.

        Raises:
            JournalError: some of those batches failed (their waiters and the failure hooks
                were told which).
        """
        if self._task.done():
            return
        mark = _FlushMark(asyncio.get_running_loop().create_future())
        self._queue.append(mark)
        self._wake.set()
        await mark.future

    async def close(self) -> None:
        """Stop taking batches and return once everything queued is written (or failed)."""
        self._accepting = False
        self._wake.set()
        try:
            # Shielded: if the closer is cancelled, the writer still finishes its transaction.
            await asyncio.shield(self._task)
        except asyncio.CancelledError:
            if not self._task.cancelled():
                raise
            log.warning(
                "journal: the writer task was cancelled; %d queued batches were not written",
                self.stats().queued,
            )

    async def _run(self) -> None:
        while self._queue or self._accepting:
            if not self._queue:
                self._wake.clear()
                await self._wake.wait()
                continue
            if isinstance(self._queue[0], _Record):
                await self._write_records(self._take_records())
                continue
            group = self._take()
            if group:
                await self._write(group)

    def _take(self) -> list[Batch]:
        """Pop the next group: whole batches up to ``max_rows`` rows, stopping at a flush."""
        group: list[Batch] = []
        rows = 0
        while self._queue:
            item = self._queue[0]
            if isinstance(item, _Record):
                break
            if isinstance(item, _FlushMark):
                if group:
                    break
                self._queue.popleft()
                _resolve(item)
                continue
            if group and rows + item.rows > self._max_rows:
                break
            self._queue.popleft()
            group.append(item)
            rows += item.rows
        return group

    async def _write(self, group: list[Batch]) -> None:
        conn = self._conn
        since = min(self._submitted.pop(id(b), time.perf_counter()) for b in group)
        if self._metrics is not None:
            self._metrics.journal_writing(len(group))
        statements = _statements(group)
        keep = self._keep_snapshots - 1
        for cid in dict.fromkeys(b.campaign_id for b in group if b.snapshot is not None):
            statements.append((_PRUNE_SNAPSHOTS, [(cid, cid, keep)]))
        try:
            # One hop to the connection's thread for the whole transaction, not one per
            # statement (each hop costs 25-50 us; the store's p99 commit fell by half).
            # aiosqlite has no public way to run a function on its thread: _execute and _conn
            # are private, which is why aiosqlite is pinned to 0.22.x in pyproject.toml.
            await conn._execute(_transaction, conn._conn, statements)  # type: ignore[no-untyped-call]  # noqa: SLF001
        except Exception as exc:  # noqa: BLE001 (the writer outlives a failed write; every waiter hears of it)
            await self._rollback()
            if self._metrics is not None:
                self._metrics.journal_written(len(group), 0.0, ok=False)
            self._failed(group, exc)
            return
        if self._metrics is not None:
            self._metrics.journal_written(len(group), time.perf_counter() - since, ok=True)
        c = self._counters
        c.transactions += 1
        c.batches += len(group)
        c.rows += sum(b.rows for b in group)
        self._ledger.committed(group)

    def _take_records(self) -> list[_Record]:
        """Pop the consecutive records at the head of the queue, up to ``max_rows``."""
        records: list[_Record] = []
        while self._queue and len(records) < self._max_rows:
            item = self._queue[0]
            if not isinstance(item, _Record):
                break
            self._queue.popleft()
            records.append(item)
        return records

    async def _write_records(self, records: list[_Record]) -> None:
        conn = self._conn
        try:
            # The same single hop as _write (see there for why the private API).
            runs = [r.run for r in records]
            outcomes = await conn._execute(_record_transaction, conn._conn, runs)  # type: ignore[no-untyped-call]  # noqa: SLF001
        except Exception as exc:  # noqa: BLE001 (the writer outlives a failed write; each caller hears of it)
            await self._rollback()
            self._records_failed(records, exc)
            return
        self._counters.transactions += 1
        for each, (ok, value) in zip(records, outcomes, strict=True):
            if ok:
                _settle(each, None, value)
            elif isinstance(value, StoreError):
                _settle(each, value)
            else:
                error = cast("Exception", value)
                _settle(each, JournalError(f"{each.what} was not written: {_describe(error)}"))

    def _records_failed(self, records: list[_Record], exc: Exception) -> None:
        self._counters.failed_transactions += 1
        if self._metrics is not None:
            self._metrics.journal_failed()
        cause = _describe(exc)
        log.error("journal: a transaction of %d records failed: %s", len(records), cause)
        for each in records:
            _settle(each, JournalError(f"{each.what} was not written: {cause}"))

    async def _rollback(self) -> None:
        try:
            if self._conn.in_transaction:
                await self._conn.rollback()
        except (sqlite3.Error, ValueError):
            log.exception("journal: rollback failed")

    def _failed(self, group: list[Batch], exc: Exception) -> None:
        self._counters.failed_transactions += 1
        cause = _describe(exc)
        log.error("journal: a transaction of %d batches failed: %s", len(group), cause)
        for item in self._queue:
            if isinstance(item, _FlushMark):
                item.failed += len(group)
        spans: dict[str, list[str]] = {}
        for batch in group:
            spans.setdefault(batch.campaign_id, []).append(span(batch))
        for cid, names in spans.items():
            what = ", ".join(names)
            self._break(cid, JournalError(f"campaign {cid}: {what} not written: {cause}"))

    def _break(self, campaign_id: str, error: JournalError) -> None:
        # Drop the campaign's queued batches first: they follow the failed one, and writing
        # them after a reset would leave a gap.
        kept: deque[_Queued] = deque()
        dropped = 0
        for item in self._queue:
            if isinstance(item, _Record):
                kept.append(item)
            elif isinstance(item, _FlushMark):
                item.failed += dropped
                kept.append(item)
            elif item.campaign_id == campaign_id:
                dropped += 1
                self._submitted.pop(id(item), None)
            else:
                kept.append(item)
        self._queue = kept
        self._counters.refused += dropped
        self._ledger.break_campaign(campaign_id, error)


def _transaction(
    db: sqlite3.Connection, statements: list[tuple[str, list[tuple[object, ...]]]]
) -> None:
    """Run the statements in one transaction on the connection's own thread."""
    db.execute("BEGIN IMMEDIATE")
    for sql, params in statements:
        db.executemany(sql, params)
    db.execute("COMMIT")


def _record_transaction(
    db: sqlite3.Connection, runs: list[Callable[[sqlite3.Connection], object]]
) -> list[tuple[bool, object]]:
    """Run record writes in one transaction, each under a savepoint of its own.

    A write that raises is rolled back to its savepoint and reported; the others still commit.
    """
    outcomes: list[tuple[bool, object]] = []
    db.execute("BEGIN IMMEDIATE")
    for run in runs:
        db.execute("SAVEPOINT record")
        try:
            value = run(db)
        except Exception as exc:  # noqa: BLE001 (reported to that record's caller alone)
            db.execute("ROLLBACK TO record")
            db.execute("RELEASE record")
            outcomes.append((False, exc))
        else:
            db.execute("RELEASE record")
            outcomes.append((True, value))
    db.execute("COMMIT")
    return outcomes


def _settle(record: _Record, error: BaseException | None, value: object = None) -> None:
    if record.future.done():  # the caller was cancelled
        return
    if error is not None:
        record.future.set_exception(error)
    else:
        record.future.set_result(value)


def _statements(group: Iterable[Batch]) -> list[tuple[str, list[tuple[object, ...]]]]:
    campaigns: list[tuple[object, ...]] = []
    events: list[tuple[object, ...]] = []
    press: list[tuple[object, ...]] = []
    snapshots: list[tuple[object, ...]] = []
    for b in group:
        cid = b.campaign_id
        if b.campaign is not None:
            c = b.campaign
            campaigns.append((cid, c.seed, c.created_at, c.name))
        events.extend((cid, e.seq, e.at, e.kind, e.data) for e in b.events)
        press.extend(
            (cid, p.id, p.seq, p.kind, p.headline, p.body, p.meta, p.at, p.release_at, p.digest)
            for p in b.press
        )
        if b.snapshot is not None:
            s = b.snapshot
            snapshots.append((cid, s.seq, s.at, s.data))
    pairs = (
        (_INSERT_CAMPAIGN, campaigns),
        (_INSERT_EVENT, events),
        (_INSERT_PRESS, press),
        (_INSERT_SNAPSHOT, snapshots),
    )
    return [(sql, params) for sql, params in pairs if params]


def _resolve(mark: _FlushMark) -> None:
    if mark.future.done():  # the flushing task was cancelled
        return
    if mark.failed:
        mark.future.set_exception(
            JournalError(
                f"{mark.failed} batch(es) submitted before the flush were not written; "
                "the log and the failure hooks name them"
            )
        )
    else:
        mark.future.set_result(None)


def _describe(exc: Exception) -> str:
    if isinstance(exc, sqlite3.Error):
        name = getattr(exc, "sqlite_errorname", None)
        return f"SQLite said: {exc}" + (f" ({name})" if name else "")
    return f"{type(exc).__name__}: {exc}"
