"""Builders for journal tests: rows, batches, a real season's events, raw SQLite peeks."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

from greatwork.rules.codec import encode_event
from greatwork.rules.state import CampaignState
from greatwork.sim import SimReport, simulate
from greatwork.store import Batch, CampaignRow, EventRow, PressRow, SnapshotRow

T0 = 1_767_225_600  # 2026-01-01 00:00 UTC


def campaign_row(campaign_id: str = "c1", seed: int = 7) -> CampaignRow:
    return CampaignRow(
        campaign_id=campaign_id, seed=seed, created_at=T0, name=f"{campaign_id} guild"
    )


def events(start: int, count: int, *, payload: str = "x") -> tuple[EventRow, ...]:
    """Opaque events: the writer never decodes them."""
    return tuple(
        EventRow(seq=seq, at=T0 + seq * 60, kind="Test", data=json.dumps({"n": seq, "p": payload}))
        for seq in range(start, start + count)
    )


def batch(
    campaign_id: str,
    start: int,
    count: int,
    *,
    first: bool = False,
    press: Sequence[PressRow] = (),
    snapshot: SnapshotRow | None = None,
    payload: str = "x",
) -> Batch:
    return Batch(
        campaign_id=campaign_id,
        events=events(start, count, payload=payload),
        press=tuple(press),
        snapshot=snapshot,
        campaign=campaign_row(campaign_id) if first else None,
    )


def press_row(
    press_id: int,
    *,
    headline: str = "A headline",
    body: str = "A body.",
    kind: str = "academic_bulletin",
    release_at: int = T0,
    seq: int = 0,
) -> PressRow:
    return PressRow(
        id=press_id,
        seq=seq,
        kind=kind,
        headline=headline,
        body=body,
        meta=json.dumps({"id": press_id}),
        at=T0,
        release_at=release_at,
        digest=1,
    )


@cache
def season() -> SimReport:
    """A small real campaign: three players, two days, seed 1 (computed once)."""
    return simulate(players=3, days=2, seed=1)


def season_rows() -> list[EventRow]:
    return [
        EventRow(seq=i, at=e.at, kind=e.kind, data=json.dumps(encode_event(e)))
        for i, e in enumerate(season().events)
    ]


def season_campaign() -> CampaignRow:
    state: CampaignState = season().state
    return CampaignRow(campaign_id=state.id, seed=state.seed, created_at=state.created_at)


@contextlib.contextmanager
def peek(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain read connection to look at what the store wrote."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def count(path: Path, table: str, campaign_id: str | None = None) -> int:
    with peek(path) as conn:
        if campaign_id is None:
            row = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()  # noqa: S608 (test tables)
        else:
            row = conn.execute(
                f"SELECT COUNT(*) FROM {table} WHERE campaign_id = ?",  # noqa: S608 (test tables)
                (campaign_id,),
            ).fetchone()
    return int(row[0])


def seqs(path: Path, campaign_id: str) -> list[int]:
    with peek(path) as conn:
        rows = conn.execute(
            "SELECT seq FROM events WHERE campaign_id = ? ORDER BY seq", (campaign_id,)
        ).fetchall()
    return [int(r[0]) for r in rows]
