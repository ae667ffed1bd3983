"""Opening the journal: migrations, reopening, and the files it refuses without touching."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from greatwork.store import (
    APPLICATION_ID,
    LATEST_VERSION,
    MIGRATIONS,
    CorruptDatabaseError,
    ForeignDatabaseError,
    Migration,
    NotADatabaseError,
    SchemaTooNewError,
    Store,
    StoreError,
)
from greatwork.store.migrations import check_migrations
from tests.store.journal import batch, count, peek, seqs


async def test_a_missing_file_is_created_with_its_folder_and_migrated(db_path: Path) -> None:
    assert not db_path.parent.exists()
    async with await Store.open(db_path) as store:
        assert store.path == db_path
        assert await store.campaigns() == []
    with peek(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION == 3
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"campaigns", "events", "snapshots", "press", "press_release"} <= names
    assert {"channels", "outbox", "events_digests"} <= names


async def test_connections_are_durable_wal_with_foreign_keys(store: Store) -> None:
    writer = store._writer_conn
    assert list(await writer.execute_fetchall("PRAGMA synchronous")) == [(2,)]  # FULL
    assert list(await writer.execute_fetchall("PRAGMA foreign_keys")) == [(1,)]
    assert list(await writer.execute_fetchall("PRAGMA busy_timeout")) == [(5000,)]
    assert list(await store._reader_conn.execute_fetchall("PRAGMA query_only")) == [(1,)]


async def test_reopening_keeps_the_data_and_the_durable_seq(db_path: Path) -> None:
    async with await Store.open(db_path) as store:
        store.submit(batch("c1", 0, 5, first=True))
        await store.flush()
    async with await Store.open(db_path) as store:
        assert store.durable_seq("c1") == 4
        assert [c.campaign_id for c in await store.campaigns()] == ["c1"]
        # The campaign is known from the file: the next batch needs no campaign row.
        store.submit(batch("c1", 5, 3))
        await store.wait_durable("c1", 7)
    assert seqs(db_path, "c1") == list(range(8))


def _touch(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.touch()


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def test_an_empty_file_is_taken_as_new(db_path: Path) -> None:
    _touch(db_path)
    async with await Store.open(db_path) as store:
        store.submit(batch("c1", 0, 1, first=True))
        await store.flush()
    assert count(db_path, "events") == 1


async def test_a_failed_migration_is_rolled_back(db_path: Path) -> None:
    async with await Store.open(db_path):
        pass
    broken = (*MIGRATIONS, Migration(4, "CREATE TABLE extra (x); INSERT INTO nowhere VALUES (1);"))
    with pytest.raises(StoreError, match=r"schema version 4 \(no such table: nowhere\); it keeps"):
        await Store.open(db_path, migrations=broken)
    with peek(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "extra" not in names


async def test_a_later_migration_applies_and_then_an_older_greatwork_refuses(
    db_path: Path,
) -> None:
    four = (*MIGRATIONS, Migration(4, "CREATE TABLE extra (x INTEGER);"))
    async with await Store.open(db_path, migrations=four):
        pass
    with peek(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    with pytest.raises(SchemaTooNewError, match="schema version 4; this greatwork knows"):
        await Store.open(db_path)


def test_migration_versions_must_count_from_one() -> None:
    check_migrations(MIGRATIONS)
    with pytest.raises(ValueError, match="migration number 2 has version 3"):
        check_migrations((MIGRATIONS[0], Migration(3, "")))
    with pytest.raises(ValueError, match="the migration list is empty"):
        check_migrations(())


@pytest.mark.parametrize(("rows", "keep", "busy"), [(0, 3, 5.0), (1000, 0, 5.0), (1000, 3, -1.0)])
async def test_bad_settings_are_refused(db_path: Path, rows: int, keep: int, busy: float) -> None:
    with pytest.raises(ValueError, match=f"got {rows}, {keep} and {busy}"):
        await Store.open(db_path, max_batch_rows=rows, keep_snapshots=keep, busy_timeout=busy)
    assert _listing(db_path.parents[1]) == []


# --- refused files -----------------------------------------------------------------------


def _journal(path: Path, events: int = 400) -> None:
    """A real journal, closed (so fully checkpointed into the main file)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(MIGRATIONS[0].sql)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("INSERT INTO campaigns VALUES ('c1', 1, 0, '')")
    conn.executemany(
        "INSERT INTO events VALUES ('c1', ?, 0, 'Test', ?)", [(i, "x" * 300) for i in range(events)]
    )
    conn.close()


def _garbage(path: Path) -> None:
    _journal(path)
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(page, len(data), page):  # every b-tree page header after the first
        data[start : start + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))


def _orphan_page(path: Path) -> None:
    """A structurally valid file with a page no table owns: only quick_check notices."""
    _journal(path)
    data = bytearray(path.read_bytes())
    pages = int.from_bytes(data[28:32], "big")
    data[28:32] = (pages + 1).to_bytes(4, "big")
    path.write_bytes(bytes(data) + bytes(4096))


def _truncated(path: Path) -> None:
    _journal(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _text(path: Path) -> None:
    path.write_text("name,score\nada,3\n" * 50)


def _newer(path: Path) -> None:
    _journal(path, events=1)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 7")
    conn.close()


def _other_app_tables(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('hello')")
    conn.commit()
    conn.close()


def _other_app_id(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("PRAGMA user_version = 1")
    conn.close()


def _other_app_version_only(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 3")
    conn.close()


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (_garbage, CorruptDatabaseError, "is damaged"),
        (_truncated, CorruptDatabaseError, "is damaged"),
        (
            _orphan_page,
            CorruptDatabaseError,
            r"is damaged \(quick_check: Page \d+ is never used\); greatwork left it",
        ),
        (_text, NotADatabaseError, "is not a SQLite database"),
        (
            _newer,
            SchemaTooNewError,
            "has schema version 7; this greatwork knows versions up to 3: upgrade greatwork",
        ),
        (_other_app_tables, ForeignDatabaseError, "belongs to another program"),
        (_other_app_id, ForeignDatabaseError, r"application_id 0x4d2"),
        (_other_app_version_only, ForeignDatabaseError, "schema version 3"),
    ],
    ids=[
        "garbage",
        "truncated",
        "orphan",
        "text",
        "newer",
        "foreign-tables",
        "foreign-id",
        "foreign-ver",
    ],
)
async def test_a_refused_file_is_left_byte_for_byte_unchanged(
    tmp_path: Path, make: Callable[[Path], None], error: type[StoreError], message: str
) -> None:
    path = tmp_path / "greatwork.db"
    make(path)
    before = path.read_bytes()
    listing = _listing(tmp_path)
    with pytest.raises(error, match=message) as caught:
        await Store.open(path)
    assert str(path) in str(caught.value)
    assert "greatwork" in str(caught.value)
    assert path.read_bytes() == before
    assert _listing(tmp_path) == listing


async def test_a_refused_wal_file_leaves_no_side_files(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ForeignDatabaseError):
        await Store.open(path)
    assert _listing(tmp_path) == ["other.db"]
    assert path.read_bytes() == before


async def test_a_copy_of_a_live_journal_opens(tmp_path: Path, db_path: Path) -> None:
    # A crash leaves committed transactions in the -wal file; the read-only check must see
    # them, not refuse the file.
    store = await Store.open(db_path)
    store.submit(batch("c1", 0, 3, first=True))
    await store.flush()
    copy = tmp_path / "copy.db"
    shutil.copy(db_path, copy)
    shutil.copy(db_path.with_name(db_path.name + "-wal"), copy.with_name("copy.db-wal"))
    await store.close()
    async with await Store.open(copy) as reopened:
        assert reopened.durable_seq("c1") == 2


async def test_a_folder_is_not_a_journal(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open the database"):
        await Store.open(tmp_path)


def _write_text(path: Path, text: str) -> None:
    path.write_text(text)


async def test_a_file_where_the_folder_should_be_is_reported(tmp_path: Path) -> None:
    _write_text(tmp_path / "taken", "a file, not a folder")
    with pytest.raises(StoreError, match=r"cannot create the database at .*taken/greatwork\.db"):
        await Store.open(tmp_path / "taken" / "greatwork.db")
