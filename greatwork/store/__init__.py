"""The durable journal: events, press and snapshots of every campaign in one SQLite file.

All SQL of greatwork lives in this package. See ``docs/store.md``.
"""

from greatwork.store.errors import (
    CorruptDatabaseError,
    ForeignDatabaseError,
    InvalidBatchError,
    InvalidRecordError,
    JournalError,
    NotADatabaseError,
    SchemaTooNewError,
    StoreError,
    UnknownCampaignError,
)
from greatwork.store.ledger import CommitHook, FailureHook
from greatwork.store.migrations import APPLICATION_ID, LATEST_VERSION, MIGRATIONS, Migration
from greatwork.store.reader import Visibility
from greatwork.store.records import ChannelRow, OutboxRow, OutboxState
from greatwork.store.replay import decode_snapshot, encode_snapshot, first_difference, rebuild
from greatwork.store.rows import (
    Batch,
    CampaignRow,
    EventRow,
    JournalRow,
    Loaded,
    PressRow,
    SnapshotRow,
    WriterStats,
    check_batch,
)
from greatwork.store.store import Store

__all__ = [
    "APPLICATION_ID",
    "LATEST_VERSION",
    "MIGRATIONS",
    "Batch",
    "CampaignRow",
    "ChannelRow",
    "CommitHook",
    "CorruptDatabaseError",
    "EventRow",
    "FailureHook",
    "ForeignDatabaseError",
    "InvalidBatchError",
    "InvalidRecordError",
    "JournalError",
    "JournalRow",
    "Loaded",
    "Migration",
    "NotADatabaseError",
    "OutboxRow",
    "OutboxState",
    "PressRow",
    "SchemaTooNewError",
    "SnapshotRow",
    "Store",
    "StoreError",
    "UnknownCampaignError",
    "Visibility",
    "WriterStats",
    "check_batch",
    "decode_snapshot",
    "encode_snapshot",
    "first_difference",
    "rebuild",
]
