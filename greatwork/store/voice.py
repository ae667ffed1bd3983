"""The persona voice's rewrites of press releases (schema 3): checks, the write, the method.

A press release is journaled with its events as the template wrote it (``press``). When a
language model's rewrite of it is accepted (docs/llm.md), the rewrite is journaled once in
``press_voice``, keyed like the release, and the template stays where it was. Every press read
(``press``, ``press_item``, ``press_between``, the search, ``load``) returns the voiced body and
meta where there is one (see ``reader.py``).

The write is a *record* (like the outbox's rows): it goes through the writer task, ordered with
the journal's batches, in a transaction of its own.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from typing import Final

from greatwork.store import records
from greatwork.store.errors import InvalidRecordError
from greatwork.store.writer import JournalWriter

__all__ = ["MAX_VOICE_BODY", "VoiceRecords", "check_body", "check_meta", "write_voice"]

MAX_VOICE_BODY: Final = 20_000
"""The longest voiced body the journal takes (the press cap is far below it)."""


def check_body(body: object) -> str:
    """Refuse a voiced body that is not text of 1 to :data:`MAX_VOICE_BODY` characters."""
    if not isinstance(body, str) or not body.strip() or len(body) > MAX_VOICE_BODY:
        shown = body if not isinstance(body, str) else f"{len(body)} characters"
        raise InvalidRecordError(
            f"a voiced press body is text of 1 to {MAX_VOICE_BODY:,} characters, got {shown!r}"
        )
    return body


def check_meta(meta: object) -> str:
    """Refuse a voiced meta that is not the JSON text of an object."""
    try:
        parsed = json.loads(meta) if isinstance(meta, str) else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise InvalidRecordError(
            f"a voiced press meta is the JSON text of an object, got {str(meta)[:80]!r}"
        )
    return str(meta)


def check_press_id(press_id: object) -> int:
    """Refuse a press number that is not a whole number from 1 up."""
    if isinstance(press_id, bool) or not isinstance(press_id, int) or press_id < 1:
        raise InvalidRecordError(f"press numbers run from 1 upwards, got {press_id!r}")
    return press_id


def write_voice(
    db: sqlite3.Connection,
    campaign_id: str,
    press_id: int,
    body: str,
    meta: str,
    at: int,
) -> bool:
    """Journal a release's voiced text once; True if written now, False if it already was.

    Raises:
        InvalidRecordError: the campaign has no such press release.
    """
    found = db.execute(
        "SELECT 1 FROM press WHERE campaign_id = ? AND id = ?", (campaign_id, press_id)
    ).fetchone()
    if found is None:
        raise InvalidRecordError(
            f"campaign {campaign_id!r} has no press release No. {press_id}; "
            "a voice rewrites a release already journaled"
        )
    cursor = db.execute(
        "INSERT OR IGNORE INTO press_voice (campaign_id, id, body, meta, at)"
        " VALUES (?, ?, ?, ?, ?)",
        (campaign_id, press_id, body, meta, at),
    )
    return cursor.rowcount == 1


class VoiceRecords:
    """The voice write, as a method of ``Store`` (which sets ``_writer``)."""

    _writer: JournalWriter

    async def record_voice(
        self, campaign_id: str, press_id: int, *, body: str, meta: str, at: int
    ) -> bool:
        """Journal the accepted rewrite of press release ``press_id``, once.

        The template stays in ``press``; from now on every press read returns this body and
        meta instead. Writing a release's voice again changes nothing (the first one stays).

        Args:
            campaign_id: the campaign.
            press_id: the release's number.
            body: the rewritten body.
            meta: the release's meta with the voice's (``llm``), as JSON object text.
            at: when the rewrite was made (epoch seconds).

        Returns:
            True if the voice was written now, False if the release had one already.

        Raises:
            InvalidRecordError: a value is malformed, or there is no such release; nothing
                was written.
            JournalError: the write failed or the journal is closed.
        """
        cid = records.check_text("a campaign id", campaign_id)
        number = check_press_id(press_id)
        run = functools.partial(
            write_voice,
            campaign_id=cid,
            press_id=number,
            body=check_body(body),
            meta=check_meta(meta),
            at=records.check_time("the time", at),
        )
        return await self._writer.record(run, f"the voice of press No. {number} of {cid}")
