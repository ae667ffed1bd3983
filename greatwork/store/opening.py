"""Open a journal file: inspect an existing one read-only, then connect the writer and reader.

Nothing is written to a file before it passed every check: an existing file is first opened
with ``mode=ro``, and a file that is refused is left byte for byte as it was. The checks run
on a thread of their own, so a large file's ``quick_check`` never stalls the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import aiosqlite

from greatwork.store.errors import (
    CorruptDatabaseError,
    ForeignDatabaseError,
    NotADatabaseError,
    SchemaTooNewError,
    StoreError,
)
from greatwork.store.migrations import APPLICATION_ID, LATEST_VERSION

log = logging.getLogger(__name__)

_SIDE_FILES = ("-wal", "-shm")


async def prepare(path: Path, latest: int = LATEST_VERSION) -> int:
    """Check (or create) the file on a short-lived thread of its own, off the event loop.

    The checks use plain ``sqlite3``: they may read the whole file (``quick_check``), and a
    failed aiosqlite connect leaves its worker thread to report to a loop that may be gone.

    Returns:
        The file's schema version (0 for a new or empty file).

    Raises:
        StoreError: the file was refused or cannot be created; see :func:`inspect`.
    """
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="greatwork-journal-open") as pool:
        return await loop.run_in_executor(pool, functools.partial(_prepare, path, latest))


def _prepare(path: Path, latest: int) -> int:
    if path.exists():
        return inspect(path, latest)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA user_version").fetchone()
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot create the database at {path}: {exc}") from exc
    return 0


def inspect(path: Path, latest: int = LATEST_VERSION) -> int:
    """Check an existing file read-only before anything writes to it (blocking).

    Args:
        path: the database file; it must exist.
        latest: the newest schema version this greatwork knows.

    Returns:
        The file's schema version (0 for an empty file that is ours to set up).

    Raises:
        NotADatabaseError: the file is not SQLite.
        CorruptDatabaseError: ``PRAGMA quick_check`` found damage.
        ForeignDatabaseError: another program's database.
        SchemaTooNewError: written by a newer greatwork.
        StoreError: the file cannot be opened at all (permissions, a folder...).
    """
    # A read-only connection to a WAL file creates empty -wal/-shm files beside it; remove
    # the ones this check created so a refused file leaves no trace.
    before = {suffix for suffix in _SIDE_FILES if _side(path, suffix).exists()}
    try:
        return _inspect(path, latest)
    except StoreError:
        for suffix in _SIDE_FILES:
            side = _side(path, suffix)
            if suffix in before or not side.exists():
                continue
            # A -wal that the read-only connection created is empty; a -shm is only an
            # index of the -wal, so it is safe to remove when it did not exist before.
            if suffix == "-shm" or side.stat().st_size == 0:
                side.unlink()
        raise


def _side(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _inspect(path: Path, latest: int) -> int:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            check = [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
            tables = conn.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.Error as exc:
        raise _open_error(path, exc) from exc
    if check != ["ok"]:
        found = [line for text in check for line in text.splitlines() if not line.startswith("*")]
        raise CorruptDatabaseError(
            f"the database at {path} is damaged (quick_check: {'; '.join(found[:3])}); "
            "greatwork left it untouched: restore it from a backup"
        )
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and (version != 0 or tables)):
        raise ForeignDatabaseError(
            f"the database at {path} belongs to another program (application_id {app_id:#x}, "
            f"schema version {version}, {'some' if tables else 'no'} tables); greatwork left "
            "it untouched: pass the path of a greatwork journal or of a new file"
        )
    if version == 0 and tables:
        raise ForeignDatabaseError(
            f"the database at {path} is marked as greatwork's but has tables and no schema "
            "version; greatwork left it untouched: pass another path"
        )
    if version > latest:
        raise SchemaTooNewError(
            f"the database at {path} has schema version {version}; this greatwork knows "
            f"versions up to {latest}: upgrade greatwork"
        )
    return version


def _open_error(path: Path, exc: sqlite3.Error) -> StoreError:
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_NOTADB:
        return NotADatabaseError(
            f"the file at {path} is not a SQLite database ({exc}); greatwork left it "
            "untouched: check the path, or move the file aside"
        )
    if code == sqlite3.SQLITE_CORRUPT:
        return CorruptDatabaseError(
            f"the database at {path} is damaged ({exc}); greatwork left it untouched: "
            "restore it from a backup"
        )
    return StoreError(f"cannot open the database at {path}: {exc}")


async def connect(
    path: Path, *, busy_timeout: float, writer: bool, synchronous: str = "FULL"
) -> aiosqlite.Connection:
    """Open one connection with the journal's settings.

    The writer runs in WAL mode with ``synchronous=FULL`` by default, so a commit is on disk
    when it returns (``NORMAL`` keeps it safe from a crash of the process, not of the
    machine), and without automatic checkpoints (the ``Checkpointer`` runs them). The other
    connections are refused writes (``query_only``). All are in autocommit mode: every
    transaction is explicit.

    Raises:
        StoreError: the file cannot be opened or switched to WAL.
    """
    try:
        conn = await aiosqlite.connect(path, isolation_level=None, timeout=busy_timeout)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the database at {path}: {exc}") from exc
    try:
        await _configure(
            conn, path, busy_timeout=busy_timeout, writer=writer, synchronous=synchronous
        )
    except BaseException as exc:
        await conn.close()
        if isinstance(exc, sqlite3.Error):
            raise StoreError(f"cannot set up the database at {path}: {exc}") from exc
        raise
    return conn


async def _configure(
    conn: aiosqlite.Connection, path: Path, *, busy_timeout: float, writer: bool, synchronous: str
) -> None:
    await conn.execute_fetchall(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
    await conn.execute_fetchall("PRAGMA foreign_keys = ON")
    if not writer:
        await conn.execute_fetchall("PRAGMA query_only = ON")
        return
    rows = list(await conn.execute_fetchall("PRAGMA journal_mode = WAL"))
    if str(rows[0][0]).lower() != "wal":
        raise StoreError(
            f"the database at {path} cannot use write-ahead logging "
            f"(journal_mode stayed {rows[0][0]}); put it on a local disk"
        )
    await conn.execute_fetchall(f"PRAGMA synchronous = {synchronous}")
    # Checkpoints run on a connection of their own (checkpoint.py), never inside a commit.
    await conn.execute_fetchall("PRAGMA wal_autocheckpoint = 0")
