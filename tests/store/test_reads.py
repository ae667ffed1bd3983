"""Reads: campaigns, load, streaming events, newest events and press queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from greatwork.store import Batch, SnapshotRow, Store, UnknownCampaignError, Visibility
from tests.store.journal import T0, batch, campaign_row, count, press_row


async def test_campaigns_lists_every_campaign(store: Store) -> None:
    store.submit(batch("b", 0, 1, first=True))
    store.submit(batch("a", 0, 1, first=True))
    await store.flush()
    assert await store.campaigns() == [campaign_row("a"), campaign_row("b")]


async def test_load_an_unknown_campaign_is_refused(store: Store) -> None:
    with pytest.raises(UnknownCampaignError, match="the journal has no campaign 'ghost'"):
        await store.load("ghost")


async def test_load_returns_the_latest_snapshot_and_the_events_after_it(store: Store) -> None:
    store.submit(batch("c1", 0, 5, first=True, snapshot=SnapshotRow(3, T0, b"three")))
    store.submit(batch("c1", 5, 5, snapshot=SnapshotRow(8, T0, b"eight")))
    await store.flush()
    loaded = await store.load("c1")
    assert loaded.campaign == campaign_row("c1")
    assert loaded.snapshot == SnapshotRow(8, T0, b"eight")
    assert [e.seq for e in loaded.events] == [8, 9]
    scratch = await store.load("c1", from_scratch=True)
    assert scratch.snapshot == loaded.snapshot
    assert [e.seq for e in scratch.events] == list(range(10))


async def test_load_without_snapshot_or_events(store: Store) -> None:
    store.submit(Batch("c1", campaign=campaign_row("c1"), press=(press_row(1),)))
    await store.flush()
    loaded = await store.load("c1")
    assert (loaded.snapshot, loaded.events, loaded.max_press_id) == (None, [], 1)


async def test_load_counts_the_press_and_unreleased_names_what_is_due_later(store: Store) -> None:
    last_at = T0 + 4 * 60  # events 0..4 are a minute apart
    press = [
        press_row(1, release_at=T0),
        press_row(2, release_at=last_at),
        press_row(3, release_at=last_at + 3600),
        press_row(4, release_at=last_at + 60),
    ]
    store.submit(batch("c1", 0, 5, first=True, press=press))
    await store.flush()
    loaded = await store.load("c1")
    assert loaded.max_press_id == 4
    later = await store.unreleased("c1", Visibility(now=last_at))
    assert [p.id for p in later] == [4, 3]  # oldest release first


async def test_old_snapshots_are_pruned(db_path: Path) -> None:
    async with await Store.open(db_path, keep_snapshots=2) as store:
        store.submit(batch("c1", 0, 1, first=True, snapshot=SnapshotRow(0, T0, b"0")))
        for seq in range(1, 5):
            store.submit(batch("c1", seq, 1, snapshot=SnapshotRow(seq, T0, b"s")))
            await store.flush()  # one transaction each
        store.submit(batch("other", 0, 1, first=True, snapshot=SnapshotRow(0, T0, b"o")))
        await store.flush()
    assert count(db_path, "snapshots", "c1") == 2
    assert count(db_path, "snapshots", "other") == 1


async def test_events_stream_in_pages_in_journal_order(store: Store) -> None:
    store.submit(batch("b", 0, 7, first=True))
    store.submit(batch("a", 0, 4, first=True))
    await store.flush()
    everything = [(r.campaign_id, r.seq) async for r in store.events(page_size=3)]
    assert everything == [("a", s) for s in range(4)] + [("b", s) for s in range(7)]
    one = [r.seq async for r in store.events("b", after_seq=2, page_size=2)]
    assert one == [3, 4, 5, 6]
    later = [(r.campaign_id, r.seq) async for r in store.events(after_seq=4, page_size=1)]
    assert later == [("b", 5), ("b", 6)]
    (row,) = [r async for r in store.events("a", page_size=10) if r.seq == 0]
    assert (row.at, row.kind, row.data) == (T0, "Test", '{"n": 0, "p": "x"}')
    with pytest.raises(ValueError, match="page_size must be at least 1, got 0"):
        [r async for r in store.events(page_size=0)]


async def test_last_events_are_newest_first(store: Store) -> None:
    store.submit(batch("c1", 0, 6, first=True))
    await store.flush()
    assert [e.seq for e in await store.last_events("c1", 3)] == [5, 4, 3]
    assert await store.last_events("nobody", 3) == []
    with pytest.raises(ValueError, match="limit must be at least 1, got 0"):
        await store.last_events("c1", 0)


@pytest.fixture
async def gazette(store: Store) -> Store:
    press = [
        press_row(1, headline="Bronze Age flight proven", release_at=T0 + 10),
        press_row(2, headline="100% certain", body="The results are in.", release_at=T0 + 20),
        press_row(3, headline="1000 certain", body="under_score", release_at=T0 + 30),
        press_row(4, headline="Émile DEFECTS", kind="defection", release_at=T0 + 40),
        press_row(5, headline="Tomorrow's news", body="bronze age", release_at=T0 + 50),
        press_row(6, headline="Same time", release_at=T0 + 40),
    ]
    store.submit(batch("c1", 0, 1, first=True, press=press))
    store.submit(batch("c2", 0, 1, first=True, press=[press_row(1, headline="Bronze")]))
    await store.flush()
    return store


async def _ids(store: Store, **kwargs: object) -> list[int]:
    rows = await store.press("c1", **{"released_by": T0 + 45, "limit": 10, **kwargs})  # type: ignore[arg-type]
    return [p.id for p in rows]


async def test_press_is_newest_first_and_released_only(gazette: Store) -> None:
    assert await _ids(gazette) == [6, 4, 3, 2, 1]
    assert await _ids(gazette, limit=2) == [6, 4]
    assert await _ids(gazette, released_by=T0 + 50) == [5, 6, 4, 3, 2, 1]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bronze AGE", [1]),  # headline, any case; press 5 is not released yet
        ("RESULTS", [2]),  # body
        ("100%", [2]),  # % is a plain character, not a wildcard (would match 1000)
        ("under_score", [3]),
        ("d_f", []),  # _ is not a wildcard either (would match "defects")
        ("émile defects", [4]),  # Unicode case folding
        ("nothing like this", []),
        ("", [6, 4, 3, 2, 1]),  # an empty query filters nothing
    ],
)
async def test_press_search(gazette: Store, query: str, expected: list[int]) -> None:
    assert await _ids(gazette, query=query) == expected


async def test_press_by_kind(gazette: Store) -> None:
    assert await _ids(gazette, kinds=["defection"]) == [4]
    assert await _ids(gazette, kinds=["defection", "academic_bulletin"]) == [6, 4, 3, 2, 1]
    assert await _ids(gazette, kinds=["defection"], query="bronze") == []
    with pytest.raises(ValueError, match="limit must be at least 1, got 0"):
        await _ids(gazette, limit=0)


async def test_press_item_and_press_between(gazette: Store) -> None:
    item = await gazette.press_item("c1", 4)
    assert item is not None
    assert (item.headline, item.kind) == ("Émile DEFECTS", "defection")
    assert await gazette.press_item("c1", 99) is None
    assert (await gazette.press_item("c2", 1)) != (await gazette.press_item("c1", 1))
    between = await gazette.press_between("c1", T0 + 20, T0 + 40)
    assert [p.id for p in between] == [3, 4, 6]  # (after, upto], oldest first
    assert await gazette.press_between("c1", T0 + 50, T0 + 99) == []
