"""A failed write: waiters fail, the campaign breaks until reset, the journal keeps no gap."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from greatwork.store import Batch, JournalError, Store
from tests.store.journal import batch, seqs

Failures = list[tuple[str, JournalError]]


@pytest.fixture
def locked(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holding the write lock, so the writer's BEGIN IMMEDIATE fails."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()


async def _open_watched(db_path: Path, max_batch_rows: int = 1000) -> tuple[Store, Failures]:
    store = await Store.open(db_path, busy_timeout=0.05, max_batch_rows=max_batch_rows)
    failures: Failures = []
    store.on_failure(lambda cid, err: failures.append((cid, err)))
    return store, failures


async def test_a_failed_transaction_fails_its_waiters_and_breaks_the_campaign(
    db_path: Path, locked: sqlite3.Connection
) -> None:
    store, failures = await _open_watched(db_path)
    async with store:
        locked.execute("BEGIN IMMEDIATE")
        store.submit(batch("c1", 0, 3, first=True))
        with pytest.raises(JournalError, match=r"event 2 was not written: .*database is locked"):
            await store.wait_durable("c1", 2)
        locked.execute("ROLLBACK")
        assert store.durable_seq("c1") == -1
        assert [cid for cid, _ in failures] == ["c1"]
        assert "campaign c1: events 0..2 not written: SQLite said: database is locked" in str(
            failures[0][1]
        )
        stats = store.stats()
        assert (stats.transactions, stats.failed_transactions) == (0, 1)

        # Broken: later batches are refused, even though the lock is gone.
        store.submit(batch("c1", 0, 3, first=True))
        with pytest.raises(JournalError, match="event 0 was not written"):
            await store.wait_durable("c1", 0)
        assert store.stats().refused == 1

        # Rebuilt from the journal (nothing committed), the campaign starts again at 0.
        store.reset("c1")
        store.submit(batch("c1", 0, 3, first=True))
        await store.wait_durable("c1", 2)
    assert seqs(db_path, "c1") == [0, 1, 2]


async def test_a_broken_campaign_forgets_an_uncommitted_campaign_row(
    db_path: Path, locked: sqlite3.Connection
) -> None:
    store, failures = await _open_watched(db_path)
    async with store:
        locked.execute("BEGIN IMMEDIATE")
        store.submit(batch("c1", 0, 1, first=True))
        with pytest.raises(JournalError):
            await store.wait_durable("c1", 0)
        locked.execute("ROLLBACK")
        store.reset("c1")
        store.submit(batch("c1", 0, 1))  # no campaign row: it never reached the file
        assert "carries no campaign row" in str(failures[-1][1])
        with pytest.raises(JournalError, match="carries no campaign row"):
            await store.wait_durable("c1", 0)


async def test_queued_batches_of_a_failed_campaign_are_dropped(
    db_path: Path, locked: sqlite3.Connection
) -> None:
    store, failures = await _open_watched(db_path, max_batch_rows=1)
    async with store:
        store.submit(batch("ok", 0, 1, first=True))
        await store.flush()
        locked.execute("BEGIN IMMEDIATE")
        store.submit(batch("c1", 0, 2, first=True))  # its own transaction (max 1 row)
        store.submit(batch("c1", 2, 2))  # still queued when the first fails
        store.submit(batch("ok", 1, 1))  # another campaign, its own transaction
        waiting = asyncio.create_task(store.wait_durable("c1", 3))
        with pytest.raises(JournalError, match=r"3 batch\(es\) submitted before the flush"):
            await store.flush()
        locked.execute("ROLLBACK")
        with pytest.raises(JournalError, match="event 3 was not written"):
            await waiting
        assert [cid for cid, _ in failures] == ["c1", "ok"]
        stats = store.stats()
        assert stats.refused == 1  # the dropped second batch of c1
        assert stats.failed_transactions == 2  # c1's first batch, then ok's
        store.reset("ok")
        store.submit(batch("ok", 1, 1))
        await store.wait_durable("ok", 1)
    assert seqs(db_path, "c1") == []
    assert seqs(db_path, "ok") == [0, 1]


async def test_a_full_disk_breaks_every_campaign_in_the_transaction_only(db_path: Path) -> None:
    store, failures = await _open_watched(db_path)
    async with store:
        store.submit(batch("bystander", 0, 1, first=True))
        await store.flush()
        writer = store._writer_conn
        [(pages,)] = list(await writer.execute_fetchall("PRAGMA page_count"))
        await writer.execute_fetchall(f"PRAGMA max_page_count = {pages}")
        store.submit(batch("a", 0, 50, first=True, payload="x" * 2000))
        store.submit(batch("b", 0, 50, first=True, payload="y" * 2000))
        with pytest.raises(JournalError, match=r"2 batch\(es\) submitted before the flush"):
            await store.flush()
        assert sorted(cid for cid, _ in failures) == ["a", "b"]
        assert all("database or disk is full (SQLITE_FULL)" in str(err) for _, err in failures)
        await writer.execute_fetchall("PRAGMA max_page_count = 1073741823")
        store.submit(batch("bystander", 1, 1))  # not in the failed transaction: no reset needed
        await store.wait_durable("bystander", 1)
        for cid in ("a", "b"):
            store.reset(cid)
            store.submit(batch(cid, 0, 50, first=True, payload="z" * 2000))
        await store.flush()
        assert (store.durable_seq("a"), store.durable_seq("b")) == (49, 49)


async def test_a_gap_is_refused_and_breaks_the_campaign(db_path: Path) -> None:
    store, failures = await _open_watched(db_path)
    async with store:
        store.submit(batch("c1", 0, 3, first=True))
        await store.flush()
        store.submit(batch("c1", 5, 2))
        with pytest.raises(JournalError, match="next event must be seq 3; writing it would leave"):
            await store.wait_durable("c1", 6)
        assert [cid for cid, _ in failures] == ["c1"]
        store.reset("c1")
        store.submit(batch("c1", 3, 2))
        await store.wait_durable("c1", 4)
    assert seqs(db_path, "c1") == [0, 1, 2, 3, 4]


async def test_a_new_campaign_needs_its_row_in_the_first_batch(db_path: Path) -> None:
    store, failures = await _open_watched(db_path)
    async with store:
        store.submit(Batch("stranger", events=batch("stranger", 0, 1).events))
        assert [cid for cid, _ in failures] == ["stranger"]
        with pytest.raises(JournalError, match="not in the journal and the batch carries no"):
            await store.wait_durable("stranger", 0)
        await store.flush()
    assert seqs(db_path, "stranger") == []


async def test_a_failing_failure_hook_is_logged(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store, failures = await _open_watched(db_path)

    def broken_hook(cid: str, err: JournalError) -> None:
        raise RuntimeError(f"{cid}: {err}")

    store.on_failure(broken_hook)
    async with store:
        store.submit(batch("c1", 3, 1, first=True))  # a gap from the start
    assert len(failures) == 1
    assert "a failure hook failed for campaign c1" in caplog.text
