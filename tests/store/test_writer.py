"""The writer task: group commit, idempotent appends, durability waits, threads, closing."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from greatwork.store import Batch, InvalidBatchError, JournalError, Store
from tests.store.journal import batch, campaign_row, count, events, press_row, seqs


async def test_batches_submitted_together_share_one_transaction(
    store: Store, db_path: Path
) -> None:
    store.submit(batch("c1", 0, 3, first=True))
    for start in range(3, 600, 3):
        store.submit(batch("c1", start, 3))
    assert store.stats().queued == 200
    await store.flush()
    stats = store.stats()
    assert (stats.transactions, stats.batches, stats.rows) == (1, 200, 601)
    assert stats.queued == 0
    assert seqs(db_path, "c1") == list(range(600))


async def test_a_group_stops_near_max_rows_but_never_splits_a_batch(db_path: Path) -> None:
    async with await Store.open(db_path, max_batch_rows=100) as store:
        store.submit(batch("c1", 0, 3, first=True))  # 4 rows
        for start in range(3, 600, 3):
            store.submit(batch("c1", start, 3))  # 3 rows each
        await store.flush()
        # 4 + 32 * 3 = 100 rows, then 33 batches (99 rows) a transaction: 1 + 6.
        assert store.stats().transactions == 7
        store.submit(batch("c1", 600, 1500))  # bigger than max_batch_rows
        await store.flush()
        assert store.stats().transactions == 8
    assert seqs(db_path, "c1") == list(range(2100))


async def test_appending_the_same_batch_twice_changes_nothing(store: Store, db_path: Path) -> None:
    first = batch("c1", 0, 10, first=True, press=[press_row(1), press_row(2)])
    store.submit(first)
    await store.flush()
    store.submit(first)
    store.submit(batch("c1", 5, 5, payload="different"))  # overlapping seqs are ignored too
    await store.flush()
    assert store.durable_seq("c1") == 9
    assert count(db_path, "events", "c1") == 10
    assert count(db_path, "press", "c1") == 2
    assert count(db_path, "campaigns") == 1
    assert [e.data for e in await store.last_events("c1", 10)] == [
        e.data for e in reversed(first.events)
    ]


async def test_reappending_after_a_restart_changes_nothing(db_path: Path) -> None:
    first = batch("c1", 0, 4, first=True)
    async with await Store.open(db_path) as store:
        store.submit(first)
    async with await Store.open(db_path) as store:
        store.submit(first)
        await store.flush()
        assert store.stats().transactions == 1
    assert seqs(db_path, "c1") == [0, 1, 2, 3]


async def test_wait_durable_returns_only_after_the_commit(db_path: Path) -> None:
    async with await Store.open(db_path, max_batch_rows=5) as store:

        async def durable_when_woken(seq: int) -> int:
            await store.wait_durable("c1", seq)
            return store.durable_seq("c1")

        store.submit(batch("c1", 0, 5, first=True))  # 6 rows: a transaction of its own
        store.submit(batch("c1", 5, 5))
        assert store.durable_seq("c1") == -1
        early = asyncio.create_task(durable_when_woken(2))
        late = asyncio.create_task(durable_when_woken(7))
        assert await late >= 7
        assert await early >= 2
        assert store.stats().transactions == 2
        assert seqs(db_path, "c1") == list(range(10))


async def test_wait_durable_on_a_committed_seq_returns_without_suspending(store: Store) -> None:
    store.submit(batch("c1", 0, 3, first=True))
    await store.flush()
    waiting = store.wait_durable("c1", 1)
    with pytest.raises(StopIteration):
        waiting.send(None)


async def test_a_cancelled_wait_leaves_no_waiter_behind(store: Store) -> None:
    task = asyncio.create_task(store.wait_durable("c1", 0))
    await asyncio.sleep(0)  # let it register (one turn, not a wait for time)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert store._ledger._waiters.get("c1", []) == []


async def test_flush_returns_after_everything_before_it_commits(store: Store) -> None:
    commits: list[tuple[str, int]] = []
    store.on_commit(lambda cid, last: commits.append((cid, last)))
    store.submit(batch("a", 0, 2, first=True))
    store.submit(batch("b", 0, 3, first=True))
    store.submit(Batch("a", press=(press_row(1),)))  # no events: durable stays
    await store.flush()
    assert (store.durable_seq("a"), store.durable_seq("b")) == (1, 2)
    assert commits == [("a", 1), ("b", 2)]
    assert store.durable_seq("nobody") == -1


async def test_a_failing_commit_hook_does_not_stop_the_others(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []

    def broken_hook(cid: str, last: int) -> None:
        raise RuntimeError(f"hook bug at {cid} {last}")

    store.on_commit(broken_hook)
    store.on_commit(lambda cid, _last: seen.append(cid))
    store.submit(batch("a", 0, 1, first=True))
    await store.flush()
    assert seen == ["a"]
    assert "a commit hook failed for campaign a" in caplog.text
    store.submit(batch("a", 1, 1))
    await store.wait_durable("a", 1)  # the writer still runs


async def test_submit_threadsafe_from_eight_threads_loses_nothing(
    store: Store, db_path: Path
) -> None:
    threads_n, batches_n, size = 8, 50, 4
    barrier = threading.Barrier(threads_n)

    def actor(cid: str) -> None:
        barrier.wait(timeout=10)
        for i in range(batches_n):
            store.submit_threadsafe(batch(cid, i * size, size, first=i == 0))

    names = [f"camp-{n}" for n in range(threads_n)]
    threads = [threading.Thread(target=actor, args=(cid,)) for cid in names]
    for thread in threads:
        thread.start()
    last = batches_n * size - 1
    await asyncio.wait_for(
        asyncio.gather(*(store.wait_durable(cid, last) for cid in names)), timeout=30
    )
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive()
    for cid in names:
        assert seqs(db_path, cid) == list(range(batches_n * size))
    stats = store.stats()
    assert stats.batches == threads_n * batches_n
    assert stats.refused == stats.failed_transactions == 0


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (Batch(""), "needs a campaign id"),
        (Batch("c1", campaign=campaign_row("c2")), "carries the row of campaign 'c2'"),
        (Batch("c1", events=events(-1, 2)), "seq -1 is negative"),
        (Batch("c1", events=(*events(0, 2), *events(3, 1))), "seq 3 follows seq 1"),
        (Batch("c1", press=(press_row(1), press_row(1))), "distinct and at least 1"),
        (Batch("c1", press=(press_row(0),)), "distinct and at least 1"),
    ],
)
async def test_a_malformed_batch_is_refused_before_the_queue(
    store: Store, bad: Batch, message: str
) -> None:
    with pytest.raises(InvalidBatchError, match=message):
        store.submit(bad)
    with pytest.raises(InvalidBatchError, match=message):
        store.submit_threadsafe(bad)
    assert store.stats().queued == 0


async def test_close_writes_what_was_queued_and_is_clean(db_path: Path) -> None:
    before = set(threading.enumerate())
    store = await Store.open(db_path)
    started = set(threading.enumerate()) - before
    assert (
        len(started) == 3
    )  # one worker thread per aiosqlite connection (writer, reader, checkpoints)
    pending = asyncio.create_task(store.wait_durable("c1", 99))  # never submitted
    await asyncio.sleep(0)  # one turn: the waiter registers
    store.submit(batch("c1", 0, 3, first=True))
    store.submit_threadsafe(batch("c1", 3, 3))  # handed over, not yet on the queue
    assert store.stats().queued == 1
    await store.close()
    await store.close()  # idempotent
    with pytest.raises(JournalError, match="event 99 of campaign c1 was not submitted"):
        await pending
    for thread in started:
        thread.join(timeout=5)
        assert not thread.is_alive()
    assert seqs(db_path, "c1") == list(range(6))
    with pytest.raises(JournalError, match="is closed"):
        store.submit(batch("c1", 6, 1))
    with pytest.raises(JournalError, match="is closed"):
        store.submit_threadsafe(batch("c1", 6, 1))
    with pytest.raises(JournalError, match="which is closed"):
        await store.wait_durable("c1", 6)
    await store.wait_durable("c1", 5)  # what was written stays durable
    await store.flush()  # nothing left to flush


async def test_a_batch_arriving_after_close_is_refused_to_its_campaign(db_path: Path) -> None:
    failures: list[tuple[str, str]] = []
    store = await Store.open(db_path)
    store.on_failure(lambda cid, err: failures.append((cid, str(err))))
    await store.close()
    store._writer.enqueue(batch("c1", 0, 1, first=True))  # a late call_soon_threadsafe
    assert failures == [("c1", "campaign c1: the journal closed before event 0 could be written")]
    assert store.stats().refused == 1


async def test_close_survives_a_writer_task_cancelled_by_loop_shutdown(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = await Store.open(db_path)
    store.submit(batch("c1", 0, 1, first=True))
    store._writer._task.cancel()  # what asyncio.run does to pending tasks at exit
    await store.close()
    assert "the writer task was cancelled; 1 queued batches were not written" in caplog.text
    with pytest.raises(JournalError, match="which is closed"):
        await store.wait_durable("c1", 0)


async def test_a_cancelled_closer_does_not_stop_the_close(db_path: Path) -> None:
    before = set(threading.enumerate())
    store = await Store.open(db_path)
    started = set(threading.enumerate()) - before
    store.submit(batch("c1", 0, 3, first=True))
    closer = asyncio.create_task(store.close())
    await asyncio.sleep(0)  # one turn: the closer starts
    closer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await closer
    await store.close()  # waits for the close already under way
    assert store.durable_seq("c1") == 2
    for thread in started:
        thread.join(timeout=5)
        assert not thread.is_alive()
    assert seqs(db_path, "c1") == [0, 1, 2]
