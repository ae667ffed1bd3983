"""WAL checkpoints: never inside a commit, run on their own connection, and bounded."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import aiosqlite
import pytest

from greatwork.store import Store
from greatwork.store.checkpoint import Checkpointer
from tests.store.journal import batch, seqs

ROUNDS = 6
BATCHES = 150  # a round: one transaction each, about 2 WAL pages each


def wal_bytes(db_path: Path) -> int:
    wal = db_path.with_name(db_path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


async def until(predicate: Callable[[], bool]) -> None:
    """Poll until ``predicate()`` holds (the checkpointer has no event to wait on)."""
    async with asyncio.timeout(10):
        while not predicate():  # noqa: ASYNC110 (polling a counter of another task)
            await asyncio.sleep(0.01)


async def play_rounds(store: Store, *, checkpoint: bool) -> None:
    """``ROUNDS`` rounds of ``BATCHES`` one-batch transactions, each round flushed.

    With ``checkpoint``, each round ends with a checkpoint while no write is in flight, so it
    copies the whole WAL and the next round's writes start it over.
    """
    store.submit(batch("c1", 0, 1, first=True))
    seq = 1
    for _ in range(ROUNDS):
        for _ in range(BATCHES):
            store.submit(batch("c1", seq, 1))
            seq += 1
            await store.flush()  # one transaction per batch, as under light load
        if checkpoint:
            assert await store.checkpointer.run_once()


async def test_the_writer_never_checkpoints_by_itself(db_path: Path) -> None:
    async with await Store.open(db_path, checkpoint_every=3600) as store:
        await play_rounds(store, checkpoint=False)
        assert store.checkpointer.checkpoints == 0
        grown = wal_bytes(db_path)
    # SQLite's automatic checkpoint would have let the WAL start over at 1,000 pages, so it
    # would end near 4 MB; with it off, all 900 transactions' pages (about 7.6 MB) are there.
    assert grown > 1.5 * 4096 * 1000
    assert seqs(db_path, "c1") == list(range(ROUNDS * BATCHES + 1))


async def test_the_checkpointer_runs_by_itself_while_commits_arrive(db_path: Path) -> None:
    async with await Store.open(db_path, checkpoint_every=0.02) as store:
        store.submit(batch("c1", 0, 3, first=True))
        await store.flush()
        await until(lambda: store.checkpointer.checkpoints >= 1)
        store.submit(batch("c1", 3, 3))
        await store.flush()
        await until(lambda: store.checkpointer.checkpoints >= 2)
        assert store.checkpointer.failures == 0
    assert seqs(db_path, "c1") == list(range(6))


async def test_checkpoints_keep_the_wal_small(db_path: Path) -> None:
    async with await Store.open(db_path, checkpoint_every=3600) as store:
        await play_rounds(store, checkpoint=True)
        assert store.checkpointer.checkpoints == ROUNDS
        assert store.checkpointer.failures == 0
        bounded = wal_bytes(db_path)
    # Each checkpoint lets the WAL start over, so it holds about one round, not all six.
    assert 0 < bounded < 4096 * ROUNDS * BATCHES / 2
    assert seqs(db_path, "c1") == list(range(ROUNDS * BATCHES + 1))
    # Closing the last connection checkpointed everything and removed the WAL.
    assert wal_bytes(db_path) == 0


async def test_an_idle_journal_is_not_checkpointed_again(db_path: Path) -> None:
    async with await Store.open(db_path, checkpoint_every=3600) as store:
        store.submit(batch("c1", 0, 3, first=True))
        await store.flush()
        assert await store.checkpointer.run_once() is True
        assert await store.checkpointer.run_once() is False  # nothing new was committed
        store.submit(batch("c1", 3, 3))
        await store.flush()
        assert await store.checkpointer.run_once() is True
        assert store.checkpointer.checkpoints == 2


async def test_a_failed_checkpoint_is_logged_and_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    conn = await aiosqlite.connect(tmp_path / "journal.db")
    await conn.close()  # every statement on it now fails
    commits = iter(range(1, 100))
    checkpointer = Checkpointer(conn, lambda: next(commits), every=3600)
    with caplog.at_level(logging.WARNING, logger="greatwork.store.checkpoint"):
        assert await checkpointer.run_once() is False
    assert checkpointer.failures == 1
    assert checkpointer.checkpoints == 0
    assert "a WAL checkpoint failed (it is tried again later)" in caplog.text
    await checkpointer.close()


@pytest.mark.parametrize("every", [0, -1.0])
async def test_the_interval_must_be_positive(db_path: Path, every: float) -> None:
    with pytest.raises(ValueError, match="checkpoint_every must be positive"):
        await Store.open(db_path, checkpoint_every=every)
    assert not db_path.exists()  # noqa: ASYNC240 (refused before anything was created)


@pytest.mark.parametrize("mode", ["FULL", "normal"])
async def test_either_sync_mode_writes_and_reads_back(db_path: Path, mode: str) -> None:
    async with await Store.open(db_path, synchronous=mode) as store:
        store.submit(batch("c1", 0, 5, first=True))
        await store.flush()
    assert seqs(db_path, "c1") == list(range(5))


async def test_an_unknown_sync_mode_is_refused(db_path: Path) -> None:
    with pytest.raises(ValueError, match="synchronous must be FULL or NORMAL, got 'OFF'"):
        await Store.open(db_path, synchronous="OFF")
    assert not db_path.exists()  # noqa: ASYNC240
