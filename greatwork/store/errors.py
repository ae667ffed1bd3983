"""Errors of the journal: a file the store refuses to open, a write that failed, a bad batch."""

from __future__ import annotations

from greatwork.rules.errors import GreatworkError


class StoreError(GreatworkError):
    """Something about the journal file or its contents is wrong; the message says what."""


class NotADatabaseError(StoreError):
    """The file is not a SQLite database at all; it was left untouched."""


class CorruptDatabaseError(StoreError):
    """The SQLite file is damaged (``PRAGMA quick_check`` failed); it was left untouched."""


class ForeignDatabaseError(StoreError):
    """The SQLite file belongs to another program; it was left untouched."""


class SchemaTooNewError(StoreError):
    """The file was written by a newer greatwork; it was left untouched."""


class UnknownCampaignError(StoreError):
    """The journal holds no campaign with that id."""


class InvalidBatchError(StoreError):
    """A batch handed to the writer is malformed (a bug in the caller); nothing was queued."""


class JournalError(StoreError):
    """Events could not be made durable: the write failed, or the campaign is broken or closed.

    None of the events the failed batch carried are in the journal.
    """


class InvalidRecordError(StoreError):
    """A channel or outbox record was refused (a bad value, or a row in the wrong state).

    Nothing was written; the message names the value and what is allowed.
    """
