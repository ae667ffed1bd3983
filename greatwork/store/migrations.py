"""The journal's schema, as numbered migrations applied in order at start.

The schema version lives in ``PRAGMA user_version`` and the file is marked as ours with
``PRAGMA application_id``; both are written inside the migration's transaction, so a
migration that fails leaves the file at the version it had.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from greatwork.store.errors import StoreError

log = logging.getLogger(__name__)

APPLICATION_ID = 0x47574B31
"""``PRAGMA application_id`` of a greatwork journal: "GWK1" in ASCII."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema.

    Attributes:
        version: the ``user_version`` the file has after this step (1, 2, 3...).
        sql: the statements, run in one transaction.
    """

    version: int
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        """
        CREATE TABLE campaigns (
            campaign_id TEXT PRIMARY KEY,
            seed INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            name TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE events (
            campaign_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            data TEXT NOT NULL,
            UNIQUE (campaign_id, seq)
        );
        CREATE TABLE snapshots (
            campaign_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            at INTEGER NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY (campaign_id, seq)
        );
        CREATE TABLE press (
            campaign_id TEXT NOT NULL,
            id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            headline TEXT NOT NULL,
            body TEXT NOT NULL,
            meta TEXT NOT NULL,
            at INTEGER NOT NULL,
            release_at INTEGER NOT NULL,
            digest INTEGER NOT NULL,
            PRIMARY KEY (campaign_id, id)
        );
        CREATE INDEX press_release ON press (campaign_id, release_at);
        """,
    ),
    Migration(
        2,
        # The Discord side (issue 4): each guild's chosen channels, and the Gazette outbox
        # that records what was posted so nothing is posted twice or lost. The partial index
        # finds a campaign's digests without reading its whole journal; it holds one entry
        # per digest, so appending other events costs nothing more.
        """
        CREATE TABLE channels (
            campaign_id TEXT NOT NULL,
            role TEXT NOT NULL,
            channel_id INTEGER,
            set_by TEXT NOT NULL,
            set_at INTEGER NOT NULL,
            PRIMARY KEY (campaign_id, role)
        );
        CREATE TABLE outbox (
            campaign_id TEXT NOT NULL,
            key TEXT NOT NULL,
            channel_id INTEGER NOT NULL,
            nonce TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('sending', 'posted', 'failed')),
            message_ids TEXT NOT NULL DEFAULT '[]',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT '',
            updated_at INTEGER NOT NULL,
            released_at INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (campaign_id, key)
        );
        CREATE INDEX events_digests ON events (campaign_id, at) WHERE kind = 'DigestCompleted';
        """,
    ),
    Migration(
        3,
        # The persona voice (issue 5): a model's accepted rewrite of a press release, written
        # once after the release's template was journaled. The template stays in ``press``;
        # the readers return the voiced body and meta where there is one.
        """
        CREATE TABLE press_voice (
            campaign_id TEXT NOT NULL,
            id INTEGER NOT NULL,
            body TEXT NOT NULL,
            meta TEXT NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (campaign_id, id)
        );
        """,
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version
"""The schema version this greatwork writes and the newest it can read."""


def check_migrations(migrations: Sequence[Migration]) -> None:
    """Refuse a migration list that is empty or whose versions are not 1, 2, 3... in order.

    Raises:
        ValueError: naming the first version out of place.
    """
    if not migrations:
        raise ValueError("the migration list is empty; it needs at least version 1")
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise ValueError(
                f"migration number {expected} has version {migration.version}; "
                "versions must run 1, 2, 3... without gaps"
            )


async def migrate(conn: aiosqlite.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring an open journal up to the last migration, one transaction per step.

    The connection must be in autocommit mode (``isolation_level=None``).

    Args:
        conn: the writer connection.
        migrations: the steps, versions 1, 2, 3... (tests pass their own).

    Returns:
        The schema version of the file afterwards.

    Raises:
        ValueError: the migration list is out of order.
        StoreError: a step failed; it was rolled back and the file keeps the version it
            had before that step.
    """
    check_migrations(migrations)
    version = await user_version(conn)
    for migration in migrations[version:]:
        script = (
            f"BEGIN IMMEDIATE;\n{migration.sql}\n"
            f"PRAGMA user_version = {migration.version};\n"
            f"PRAGMA application_id = {APPLICATION_ID};\n"
            "COMMIT;"
        )
        try:
            await conn.executescript(script)
        except sqlite3.Error as exc:
            if conn.in_transaction:
                await conn.rollback()
            raise StoreError(
                f"the journal could not be migrated to schema version {migration.version} "
                f"({exc}); it keeps version {version} and was not changed by that step"
            ) from exc
        log.info("journal schema migrated to version %d", migration.version)
        version = migration.version
    return version


async def user_version(conn: aiosqlite.Connection) -> int:
    """The schema version stored in the file (0 for a new file)."""
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])
