"""Schema version 2: channel choices and the Gazette outbox, written through the writer task."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable
from pathlib import Path

import pytest

from greatwork.store import (
    LATEST_VERSION,
    MIGRATIONS,
    Batch,
    InvalidRecordError,
    JournalError,
    OutboxRow,
    OutboxState,
    Store,
)
from greatwork.store.records import ERROR_LIMIT
from tests.store.journal import batch, count, peek, season_campaign, season_rows

T = 1_767_225_600
CHANNEL = 1_100_000_000_000_000_001
OTHER = 1_100_000_000_000_000_002


async def test_a_version_1_file_migrates_to_2_and_keeps_every_event(db_path: Path) -> None:
    rows = season_rows()
    campaign = season_campaign()
    async with await Store.open(db_path, migrations=MIGRATIONS[:1]) as old:
        old.submit(Batch(campaign.campaign_id, events=tuple(rows), campaign=campaign))
        await old.flush()
    with peek(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "outbox" not in tables

    async with await Store.open(db_path) as store:
        kept = [row async for row in store.events(campaign.campaign_id)]
        digests = await store.digests(campaign.campaign_id)
        assert await store.outbox_rows() == []
        assert await store.channels() == []
    with peek(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION == 3
    assert [(r.seq, r.at, r.kind, r.data) for r in kept] == [
        (r.seq, r.at, r.kind, r.data) for r in rows
    ]
    expected = [r for r in rows if r.kind == "DigestCompleted"]
    assert len(expected) >= 2
    assert digests == expected


async def test_digests_come_from_the_partial_index_and_start_at_since(store: Store) -> None:
    rows = season_rows()
    campaign = season_campaign()
    store.submit(Batch(campaign.campaign_id, events=tuple(rows), campaign=campaign))
    await store.flush()
    done = [r for r in rows if r.kind == "DigestCompleted"]
    later = await store.digests(campaign.campaign_id, since=done[1].at)
    assert later == [r for r in done if r.at >= done[1].at]
    assert await store.digests("nobody") == []
    plan = await store._reader_conn.execute_fetchall(
        "EXPLAIN QUERY PLAN SELECT seq, at, kind, data FROM events"
        " WHERE campaign_id = ? AND kind = 'DigestCompleted' AND at >= ? ORDER BY seq",
        ("c1", 0),
    )
    assert any("events_digests" in str(step) for step in plan)


# --- channels -----------------------------------------------------------------------------


async def test_a_channel_choice_is_journaled_replaced_and_cleared(store: Store) -> None:
    first = await store.set_channel("guild-1", "gazette", CHANNEL, "user:7", T)
    assert (first.channel_id, first.set_by, first.set_at) == (CHANNEL, "user:7", T)
    await store.set_channel("guild-1", "admin", OTHER, "user:7", T)
    await store.set_channel("guild-2", "gazette", OTHER, "setup", T + 1)
    await store.set_channel("guild-1", "gazette", OTHER, "user:8", T + 2)
    await store.set_channel("guild-1", "admin", None, "user:8", T + 3)
    rows = await store.channels("guild-1")
    assert [(r.role, r.channel_id, r.set_by) for r in rows] == [
        ("admin", None, "user:8"),
        ("gazette", OTHER, "user:8"),
    ]
    assert [r.campaign_id for r in await store.channels()] == ["guild-1", "guild-1", "guild-2"]
    assert count(store.path, "channels") == 3


@pytest.mark.parametrize(
    ("campaign", "role", "channel", "by", "at", "message"),
    [
        ("", "gazette", CHANNEL, "u", T, "a campaign id must be text of 1 to 200"),
        ("guild-1", "Gazette", CHANNEL, "u", T, "a channel role is 1 to 32 lowercase"),
        ("guild-1", "gazette", 0, "u", T, "a channel id must be a positive Discord id, got 0"),
        ("guild-1", "gazette", True, "u", T, "a channel id must be a positive Discord id"),
        ("guild-1", "gazette", 2**63, "u", T, "a channel id must be a positive Discord id"),
        ("guild-1", "gazette", CHANNEL, " ", T, "who set the channel must be text"),
        ("guild-1", "gazette", CHANNEL, "u", -1, "the time must be epoch seconds"),
    ],
)
async def test_a_bad_channel_choice_is_refused_and_writes_nothing(
    store: Store, campaign: str, role: str, channel: int, by: str, at: int, message: str
) -> None:
    with pytest.raises(InvalidRecordError, match=message):
        await store.set_channel(campaign, role, channel, by, at)
    assert await store.channels() == []
    assert store.stats().transactions == 0


# --- the outbox -----------------------------------------------------------------------------


async def test_begin_is_idempotent_and_keeps_the_first_nonce(store: Store) -> None:
    first = await store.outbox_begin("guild-1", "digest:5", CHANNEL, "nonce-a", T, released_at=90)
    assert first.state is OutboxState.SENDING
    assert (first.nonce, first.attempts, first.message_ids, first.released_at) == (
        "nonce-a",
        1,
        (),
        90,
    )
    again = await store.outbox_begin("guild-1", "digest:5", OTHER, "nonce-b", T + 5)
    assert (again.nonce, again.attempts, again.channel_id, again.updated_at) == (
        "nonce-a",
        2,
        OTHER,  # nothing was accepted yet: the post follows the channel
        T + 5,
    )
    assert again.released_at == 90

    part = await store.outbox_progress("guild-1", "digest:5", [11], T + 6)
    assert (part.state, part.message_ids) == (OutboxState.SENDING, (11,))
    moved = await store.outbox_begin("guild-1", "digest:5", CHANNEL, "nonce-c", T + 7)
    assert moved.channel_id == OTHER  # its first message is there: the rest follows it

    done = await store.outbox_posted("guild-1", "digest:5", [11, 12], T + 8)
    assert (done.state, done.message_ids, done.nonce) == (OutboxState.POSTED, (11, 12), "nonce-a")
    assert await store.outbox_begin("guild-1", "digest:5", OTHER, "x", T + 9) == done
    assert await store.outbox_posted("guild-1", "digest:5", [99], T + 9) == done
    assert count(store.path, "outbox") == 1


async def test_a_refused_post_is_failed_once_and_never_posted(store: Store) -> None:
    await store.outbox_begin("guild-1", "press:3", CHANNEL, "n3", T)
    noted = await store.outbox_error("guild-1", "press:3", "HTTP 503", T + 1)
    assert (noted.state, noted.last_error) == (OutboxState.SENDING, "HTTP 503")
    failed = await store.outbox_failed("guild-1", "press:3", "HTTP 403: Missing Access", T + 2)
    assert (failed.state, failed.last_error) == (OutboxState.FAILED, "HTTP 403: Missing Access")
    assert await store.outbox_failed("guild-1", "press:3", "again", T + 3) == failed
    assert await store.outbox_begin("guild-1", "press:3", CHANNEL, "n3", T + 4) == failed
    with pytest.raises(InvalidRecordError, match=r"is marked failed .* cannot become posted"):
        await store.outbox_posted("guild-1", "press:3", [5], T + 5)
    with pytest.raises(InvalidRecordError, match="it is failed, not sending"):
        await store.outbox_error("guild-1", "press:3", "late", T + 5)
    with pytest.raises(InvalidRecordError, match="it is failed, not sending"):
        await store.outbox_progress("guild-1", "press:3", [5], T + 5)
    [row] = await store.outbox_rows("guild-1")
    assert row == failed


async def test_a_posted_row_cannot_fail(store: Store) -> None:
    await store.outbox_begin("guild-1", "press:1", CHANNEL, "n1", T)
    posted = await store.outbox_posted("guild-1", "press:1", [7], T + 1)
    with pytest.raises(InvalidRecordError, match="already posted; it cannot become failed"):
        await store.outbox_failed("guild-1", "press:1", "late 403", T + 2)
    assert await store.outbox_rows() == [posted]


def _change(store: Store, call: str) -> Awaitable[OutboxRow]:
    if call == "posted":
        return store.outbox_posted("guild-1", "press:9", [1], T)
    if call == "failed":
        return store.outbox_failed("guild-1", "press:9", "boom", T)
    if call == "error":
        return store.outbox_error("guild-1", "press:9", "boom", T)
    return store.outbox_progress("guild-1", "press:9", [1], T)


@pytest.mark.parametrize("call", ["posted", "failed", "error", "progress"])
async def test_changing_a_missing_row_is_refused(store: Store, call: str) -> None:
    change = _change(store, call)
    with pytest.raises(
        InvalidRecordError,
        match="the outbox has no row 'press:9' for campaign 'guild-1'; begin the post first",
    ):
        await change
    assert count(store.path, "outbox") == 0


@pytest.mark.parametrize(
    ("key", "channel", "nonce", "message"),
    [
        ("press 17", CHANNEL, "n", "an outbox key is a lowercase kind, a colon"),
        ("Press:17", CHANNEL, "n", "an outbox key"),
        ("press:", CHANNEL, "n", "an outbox key"),
        ("press:17", -5, "n", "a channel id must be a positive Discord id, got -5"),
        ("press:17", CHANNEL, "", "a nonce is 1 to 25 printable ASCII"),
        ("press:17", CHANNEL, "n" * 26, "a nonce is 1 to 25"),
        ("press:17", CHANNEL, "two words", "a nonce is 1 to 25"),
    ],
)
async def test_a_bad_begin_is_refused_before_anything_is_queued(
    store: Store, key: str, channel: int, nonce: str, message: str
) -> None:
    with pytest.raises(InvalidRecordError, match=message):
        await store.outbox_begin("guild-1", key, channel, nonce, T)
    assert store.stats().transactions == 0
    assert count(store.path, "outbox") == 0


async def test_posted_needs_message_ids_and_errors_are_kept_short(store: Store) -> None:
    await store.outbox_begin("guild-1", "press:1", CHANNEL, "n1", T)
    with pytest.raises(InvalidRecordError, match="a posted row needs its message ids"):
        await store.outbox_posted("guild-1", "press:1", [], T)
    with pytest.raises(InvalidRecordError, match="a message id must be a positive Discord id"):
        await store.outbox_posted("guild-1", "press:1", [0], T)
    with pytest.raises(InvalidRecordError, match="an outbox error must be non-empty text"):
        await store.outbox_error("guild-1", "press:1", "", T)
    row = await store.outbox_error("guild-1", "press:1", "x" * 5000, T)
    assert len(row.last_error) == ERROR_LIMIT
    assert row.last_error.endswith("…")


async def test_rows_come_in_release_order_and_filter_by_state(store: Store) -> None:
    await store.outbox_begin("guild-1", "press:2", CHANNEL, "n2", T, released_at=200)
    await store.outbox_begin("guild-1", "digest:1", CHANNEL, "d1", T, released_at=100)
    await store.outbox_begin("guild-2", "press:1", CHANNEL, "m1", T, released_at=50)
    await store.outbox_posted("guild-1", "digest:1", [1], T)
    assert [r.key for r in await store.outbox_rows("guild-1")] == ["digest:1", "press:2"]
    assert [(r.campaign_id, r.key) for r in await store.outbox_rows(states=["sending"])] == [
        ("guild-1", "press:2"),
        ("guild-2", "press:1"),
    ]
    posted = await store.outbox_rows("guild-1", states=[OutboxState.POSTED])
    assert [r.key for r in posted] == ["digest:1"]
    some = await store.outbox_rows("guild-1", keys=["press:2", "press:9"])
    assert [r.key for r in some] == ["press:2"]
    with pytest.raises(InvalidRecordError, match=r"unknown outbox states \['sent'\]"):
        await store.outbox_rows(states=["sent"])


async def test_records_share_the_writer_queue_and_one_refusal_spares_the_rest(
    store: Store,
) -> None:
    store.submit(batch("c1", 0, 3, first=True))
    good, bad, after = await asyncio.gather(
        store.outbox_begin("guild-1", "press:1", CHANNEL, "n1", T),
        store.outbox_posted("guild-1", "press:404", [1], T),  # no such row
        store.set_channel("guild-1", "gazette", CHANNEL, "u", T),
        return_exceptions=True,
    )
    assert isinstance(bad, InvalidRecordError)
    assert not isinstance(good, BaseException)
    assert good.state is OutboxState.SENDING
    assert not isinstance(after, BaseException)
    assert store.durable_seq("c1") == 2  # the batch queued first committed first
    # One transaction for the batch, one for the three records (the refused one rolled back).
    assert store.stats().transactions == 2
    assert count(store.path, "outbox") == 1
    assert count(store.path, "channels") == 1


async def test_a_failed_record_transaction_raises_and_breaks_no_campaign(db_path: Path) -> None:
    async with await Store.open(db_path, busy_timeout=0.05) as store:
        store.submit(batch("c1", 0, 1, first=True))
        await store.flush()
        other = sqlite3.connect(db_path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(JournalError, match=r"outbox row guild-1 press:1 was not written"):
                await store.outbox_begin("guild-1", "press:1", CHANNEL, "n1", T)
            other.execute("ROLLBACK")
        finally:
            other.close()
        assert store.stats().failed_transactions == 1
        store.submit(batch("c1", 1, 1))  # the campaign is not broken
        await store.wait_durable("c1", 1)
        row = await store.outbox_begin("guild-1", "press:1", CHANNEL, "n1", T)
        assert row.attempts == 1


async def test_a_closed_journal_refuses_records(db_path: Path) -> None:
    store = await Store.open(db_path)
    await store.close()
    with pytest.raises(JournalError, match="the journal is closed; outbox row guild-1 press:1"):
        await store.outbox_begin("guild-1", "press:1", CHANNEL, "n1", T)
    with pytest.raises(JournalError, match="the journal is closed"):
        await store.set_channel("guild-1", "gazette", CHANNEL, "u", T)


async def test_records_queued_before_close_are_written(db_path: Path) -> None:
    store = await Store.open(db_path)
    pending = asyncio.ensure_future(store.outbox_begin("guild-1", "press:1", CHANNEL, "n1", T))
    await asyncio.sleep(0)  # queued
    await store.close()
    row = await pending
    assert row.state is OutboxState.SENDING
    assert count(db_path, "outbox") == 1
