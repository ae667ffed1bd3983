"""Channel choices and the Gazette outbox: their rows, their checks and their writes.

The writes run on the writer connection's thread inside the writer task's transaction (see
``writer.py``), so they are ordered with the journal's batches. Values are checked on the
loop before anything is queued, and a row in the wrong state is refused inside the
transaction: either way an :class:`InvalidRecordError` says why and nothing is written.
"""

from __future__ import annotations

import enum
import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from greatwork.store.errors import InvalidRecordError

_KEY = re.compile(r"[a-z][a-z0-9_]*:[!-~]{1,190}")
_ROLE = re.compile(r"[a-z][a-z0-9_]{0,31}")
_NONCE = re.compile(r"[!-~]{1,25}")
_SNOWFLAKE_END: Final = 2**63
_TEXT_LIMIT: Final = 200
ERROR_LIMIT: Final = 2000
"""The longest ``last_error`` kept; a longer error is cut and ends with "…"."""


class OutboxState(enum.StrEnum):
    """Where a post stands: being sent, accepted by Discord, or refused for good."""

    SENDING = "sending"
    POSTED = "posted"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """The channel an admin chose for one role in one campaign's guild.

    Attributes:
        campaign_id: the guild's campaign (``guild-<id>``).
        role: the part the channel plays (``gazette``, ``table_talk``...).
        channel_id: the Discord channel, or None when the choice was cleared.
        set_by: who made the choice (a Discord user, or ``setup``).
        set_at: when (epoch seconds, UTC).
    """

    campaign_id: str
    role: str
    channel_id: int | None
    set_by: str
    set_at: int


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One thing the Gazette posts (a digest, a press item, an admin notice) and its fate.

    Attributes:
        campaign_id: the campaign it belongs to.
        key: what is posted: ``press:17``, ``digest:5``, ``notice:...``.
        channel_id: the channel it goes to.
        nonce: Discord's deduplication nonce, fixed at the first attempt and reused by every
            retry, even after a restart.
        state: ``sending`` until Discord accepted every message, then ``posted``; ``failed``
            when Discord refused it for good.
        message_ids: the Discord messages accepted so far, in order.
        attempts: how many sends were started.
        last_error: the last failure, in words ("" when none).
        updated_at: when the row last changed (epoch seconds).
        released_at: when what it posts was released by the game (its place in the order).
    """

    campaign_id: str
    key: str
    channel_id: int
    nonce: str
    state: OutboxState
    message_ids: tuple[int, ...]
    attempts: int
    last_error: str
    updated_at: int
    released_at: int


CHANNEL_COLUMNS: Final = "campaign_id, role, channel_id, set_by, set_at"
OUTBOX_COLUMNS: Final = (
    "campaign_id, key, channel_id, nonce, state, message_ids, attempts, last_error,"
    " updated_at, released_at"
)


def channel_row(values: Sequence[object]) -> ChannelRow:
    """A channel row from its columns (in :data:`CHANNEL_COLUMNS` order)."""
    cid, role, channel, by, at = values
    return ChannelRow(
        campaign_id=str(cid),
        role=str(role),
        channel_id=None if channel is None else int(str(channel)),
        set_by=str(by),
        set_at=int(str(at)),
    )


def outbox_row(values: Sequence[object]) -> OutboxRow:
    """An outbox row from its columns (in :data:`OUTBOX_COLUMNS` order)."""
    cid, key, channel, nonce, state, ids, attempts, error, updated, released = values
    return OutboxRow(
        campaign_id=str(cid),
        key=str(key),
        channel_id=int(str(channel)),
        nonce=str(nonce),
        state=OutboxState(str(state)),
        message_ids=tuple(int(i) for i in json.loads(str(ids))),
        attempts=int(str(attempts)),
        last_error=str(error),
        updated_at=int(str(updated)),
        released_at=int(str(released)),
    )


# --- checks (on the loop, before anything is queued) ---------------------------------------------


def check_text(name: str, value: object) -> str:
    """Refuse an empty or overlong name (campaign id, ``by``)."""
    if not isinstance(value, str) or not value.strip() or len(value) > _TEXT_LIMIT:
        raise InvalidRecordError(
            f"{name} must be text of 1 to {_TEXT_LIMIT} characters, got {value!r}"
        )
    return value


def check_key(key: object) -> str:
    """Refuse an outbox key that is not ``kind:rest`` in printable ASCII (``press:17``)."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidRecordError(
            f"an outbox key is a lowercase kind, a colon and up to 190 printable ASCII "
            f"characters without spaces (press:17, digest:5), got {key!r}"
        )
    return key


def check_role(role: object) -> str:
    """Refuse a channel role that is not a short lowercase word (``gazette``, ``table_talk``)."""
    if not isinstance(role, str) or not _ROLE.fullmatch(role):
        raise InvalidRecordError(
            f"a channel role is 1 to 32 lowercase letters, digits or underscores, got {role!r}"
        )
    return role


def check_snowflake(name: str, value: object) -> int:
    """Refuse a Discord id that is not a positive 64-bit integer."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < _SNOWFLAKE_END:
        raise InvalidRecordError(f"{name} must be a positive Discord id, got {value!r}")
    return value


def check_nonce(nonce: object) -> str:
    """Refuse a nonce Discord would not take (1 to 25 printable ASCII characters)."""
    if not isinstance(nonce, str) or not _NONCE.fullmatch(nonce):
        raise InvalidRecordError(
            f"a nonce is 1 to 25 printable ASCII characters without spaces, got {nonce!r}"
        )
    return nonce


def check_time(name: str, value: object) -> int:
    """Refuse a time that is not whole epoch seconds at or after 0."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidRecordError(f"{name} must be epoch seconds (an integer >= 0), got {value!r}")
    return value


def check_ids(message_ids: Sequence[object]) -> tuple[int, ...]:
    """Refuse a message id list with anything but positive Discord ids."""
    return tuple(check_snowflake("a message id", i) for i in message_ids)


def clean_error(error: object) -> str:
    """An error's text for ``last_error``: refused when empty, cut at :data:`ERROR_LIMIT`."""
    if not isinstance(error, str) or not error.strip():
        raise InvalidRecordError(f"an outbox error must be non-empty text, got {error!r}")
    return error if len(error) <= ERROR_LIMIT else error[: ERROR_LIMIT - 1] + "…"


# --- writes (on the writer's thread, inside its transaction) -------------------------------------


def write_channel(db: sqlite3.Connection, row: ChannelRow) -> ChannelRow:
    """Store a channel choice, replacing the role's previous one."""
    db.execute(
        f"INSERT INTO channels ({CHANNEL_COLUMNS}) VALUES (?, ?, ?, ?, ?)"  # noqa: S608 (constant column list)
        " ON CONFLICT (campaign_id, role) DO UPDATE SET channel_id = excluded.channel_id,"
        " set_by = excluded.set_by, set_at = excluded.set_at",
        (row.campaign_id, row.role, row.channel_id, row.set_by, row.set_at),
    )
    return row


def begin(
    db: sqlite3.Connection,
    campaign_id: str,
    key: str,
    *,
    channel_id: int,
    nonce: str,
    at: int,
    released_at: int,
) -> OutboxRow:
    """Start (or count one more attempt of) a post; a finished row comes back unchanged.

    A new row takes ``nonce``; an existing one keeps its own, so every retry reuses it. The
    channel follows ``channel_id`` until a first message was accepted, then stays put.
    """
    row = _fetch(db, campaign_id, key)
    if row is None:
        db.execute(
            f"INSERT INTO outbox ({OUTBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?, '[]', 1, '', ?, ?)",  # noqa: S608 (constant column list)
            (campaign_id, key, channel_id, nonce, OutboxState.SENDING.value, at, released_at),
        )
    elif row.state is OutboxState.SENDING:
        channel = row.channel_id if row.message_ids else channel_id
        db.execute(
            "UPDATE outbox SET channel_id = ?, attempts = attempts + 1, updated_at = ?"
            " WHERE campaign_id = ? AND key = ?",
            (channel, at, campaign_id, key),
        )
    else:
        return row
    return _require(db, campaign_id, key)


def progress(
    db: sqlite3.Connection, campaign_id: str, key: str, message_ids: tuple[int, ...], at: int
) -> OutboxRow:
    """Record the messages of a post Discord accepted so far; the post is still sending."""
    _sending(db, campaign_id, key, "record progress on")
    _update(db, campaign_id, key, "message_ids = ?", json.dumps(list(message_ids)), at)
    return _require(db, campaign_id, key)


def posted(
    db: sqlite3.Connection, campaign_id: str, key: str, message_ids: tuple[int, ...], at: int
) -> OutboxRow:
    """Mark a post accepted; marking it again changes nothing."""
    row = _require(db, campaign_id, key)
    if row.state is OutboxState.POSTED:
        return row
    if row.state is OutboxState.FAILED:
        raise InvalidRecordError(
            f"outbox row {campaign_id} {key} is marked failed ({row.last_error}); "
            "it cannot become posted"
        )
    sets = "state = 'posted', message_ids = ?"
    _update(db, campaign_id, key, sets, json.dumps(list(message_ids)), at)
    return _require(db, campaign_id, key)


def failed(db: sqlite3.Connection, campaign_id: str, key: str, error: str, at: int) -> OutboxRow:
    """Mark a post refused for good; marking it again changes nothing."""
    row = _require(db, campaign_id, key)
    if row.state is OutboxState.FAILED:
        return row
    if row.state is OutboxState.POSTED:
        raise InvalidRecordError(
            f"outbox row {campaign_id} {key} is already posted; it cannot become failed"
        )
    _update(db, campaign_id, key, "state = 'failed', last_error = ?", error, at)
    return _require(db, campaign_id, key)


def note_error(
    db: sqlite3.Connection, campaign_id: str, key: str, error: str, at: int
) -> OutboxRow:
    """Record a failure that will be retried; the post stays sending."""
    _sending(db, campaign_id, key, "record an error on")
    _update(db, campaign_id, key, "last_error = ?", error, at)
    return _require(db, campaign_id, key)


def _update(
    db: sqlite3.Connection, campaign_id: str, key: str, sets: str, value: object, at: int
) -> None:
    db.execute(
        f"UPDATE outbox SET {sets}, updated_at = ? WHERE campaign_id = ? AND key = ?",  # noqa: S608 (constant SET clauses from this module)
        (value, at, campaign_id, key),
    )


def _sending(db: sqlite3.Connection, campaign_id: str, key: str, what: str) -> OutboxRow:
    row = _require(db, campaign_id, key)
    if row.state is not OutboxState.SENDING:
        raise InvalidRecordError(
            f"cannot {what} outbox row {campaign_id} {key}: it is {row.state}, not sending"
        )
    return row


def _fetch(db: sqlite3.Connection, campaign_id: str, key: str) -> OutboxRow | None:
    found = db.execute(
        f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE campaign_id = ? AND key = ?",  # noqa: S608 (constant column list)
        (campaign_id, key),
    ).fetchone()
    return None if found is None else outbox_row(found)


def _require(db: sqlite3.Connection, campaign_id: str, key: str) -> OutboxRow:
    row = _fetch(db, campaign_id, key)
    if row is None:
        raise InvalidRecordError(
            f"the outbox has no row {key!r} for campaign {campaign_id!r}; begin the post first"
        )
    return row
