"""The journal's one writer task: a queue of batches, group commit, failure handling.

Batches arrive on the event loop (directly, or from actor threads through
``call_soon_threadsafe``) and wait in one queue. The writer task takes everything queued, up
to about ``max_rows`` rows and never part of a batch, and writes it in one transaction, so
under load many commands share one ``fsync``. Only after ``COMMIT`` returns does it mark the
campaigns' events durable and wake whoever waits for them.

A failed transaction breaks every campaign in it: their waiters fail, their queued batches
are dropped and later ones refused, so a campaign's journal never has a gap. ``reset`` lifts
that once the runtime has rebuilt the campaign from what was committed.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import aiosqlite

from greatwork.store.errors import JournalError
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
    """

    def __init__(
        self, conn: aiosqlite.Connection, ledger: Ledger, *, max_rows: int, keep_snapshots: int
    ) -> None:
        self._conn = conn
        self._ledger = ledger
        self._max_rows = max_rows
        self._keep_snapshots = keep_snapshots
        self._queue: deque[Batch | _FlushMark] = deque()
        self._wake = asyncio.Event()
        self._counters = _Counters()
        self._accepting = True
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
        """The counters so far."""
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
        self._queue.append(batch)
        self._wake.set()

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
            group = self._take()
            if group:
                await self._write(group)

    def _take(self) -> list[Batch]:
        """Pop the next group: whole batches up to ``max_rows`` rows, stopping at a flush."""
        group: list[Batch] = []
        rows = 0
        while self._queue:
            item = self._queue[0]
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
            self._failed(group, exc)
            return
        c = self._counters
        c.transactions += 1
        c.batches += len(group)
        c.rows += sum(b.rows for b in group)
        self._ledger.committed(group)

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
        kept: deque[Batch | _FlushMark] = deque()
        dropped = 0
        for item in self._queue:
            if isinstance(item, _FlushMark):
                item.failed += dropped
                kept.append(item)
            elif item.campaign_id == campaign_id:
                dropped += 1
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
