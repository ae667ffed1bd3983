"""Press items to journal rows and back (the journal stores meta as JSON text)."""

from __future__ import annotations

import json

from greatwork.press.item import PressItem
from greatwork.rules.ids import Instant
from greatwork.store import PressRow


def press_row(item: PressItem) -> PressRow:
    """The journal row of a press item."""
    return PressRow(
        id=item.id,
        seq=item.seq,
        kind=item.kind,
        headline=item.headline,
        body=item.body,
        meta=json.dumps(dict(item.meta), separators=(",", ":"), ensure_ascii=False),
        at=item.at,
        release_at=item.release_at,
        digest=item.digest,
    )


def press_item(row: PressRow) -> PressItem:
    """The press item of a journal row."""
    return PressItem(
        id=row.id,
        kind=row.kind,
        headline=row.headline,
        body=row.body,
        at=Instant(row.at),
        release_at=Instant(row.release_at),
        seq=row.seq,
        digest=row.digest,
        meta=json.loads(row.meta),
    )
