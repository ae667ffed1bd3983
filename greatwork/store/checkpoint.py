"""WAL checkpoints on a connection of their own, off the commit path.

SQLite's automatic checkpoint runs inside the ``COMMIT`` that pushes the WAL past 1,000 pages,
on the writer's connection: that commit then also copies the WAL into the database file and
syncs it, and the command waiting for it is late by several milliseconds (it was most of the
commit latency's p99 in ``bench/server_bench.py``). So the writer connection turns the
automatic checkpoint off, and this task runs a ``PASSIVE`` checkpoint on a third connection
(its own thread) every ``every`` seconds while commits keep arriving. A passive checkpoint
never blocks the writer or the readers; SQLite keeps it crash-safe, so a kill at any moment
loses nothing that was committed. A failed checkpoint is logged and tried again next time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable

import aiosqlite

log = logging.getLogger(__name__)


class Checkpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` when the writer has committed since the last one.

    Args:
        conn: a connection of its own to the journal (it only checkpoints).
        commits: how many transactions the writer has committed so far.
        every: seconds between checks.
    """

    def __init__(
        self, conn: aiosqlite.Connection, commits: Callable[[], int], *, every: float
    ) -> None:
        if every <= 0:
            raise ValueError(f"the checkpoint interval must be positive, got {every}")
        self._conn = conn
        self._commits = commits
        self._every = every
        self._seen = commits()
        self._done = 0
        self._failed = 0
        self._task = asyncio.get_running_loop().create_task(
            self._run(), name="greatwork-journal-checkpoint"
        )

    @property
    def checkpoints(self) -> int:
        """Checkpoints run so far."""
        return self._done

    @property
    def failures(self) -> int:
        """Checkpoints that failed (each was logged)."""
        return self._failed

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            await self.run_once()

    async def run_once(self) -> bool:
        """Checkpoint now if anything was committed since the last one; True if it ran."""
        commits = self._commits()
        if commits == self._seen:
            return False
        self._seen = commits
        try:
            await self._conn.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
        except (sqlite3.Error, ValueError) as exc:
            self._failed += 1
            log.warning("journal: a WAL checkpoint failed (it is tried again later): %s", exc)
            return False
        self._done += 1
        return True

    async def close(self) -> None:
        """Stop the task and close the connection (closing the last connection checkpoints)."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self._conn.close()
