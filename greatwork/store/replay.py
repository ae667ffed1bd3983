"""Rebuild a campaign's state from what the journal loaded, and compare two states.

Plain functions without I/O: a campaign actor calls them on its own thread, the CLI's
``replay --verify`` on the main one.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Mapping
from typing import Any

from greatwork.rules.campaign import new_campaign
from greatwork.rules.codec import decode, decode_event, encode
from greatwork.rules.errors import ReplayError
from greatwork.rules.event import apply
from greatwork.rules.ids import CampaignId, Instant
from greatwork.rules.state import CampaignState
from greatwork.store.rows import EventRow, Loaded, SnapshotRow

SNAPSHOT_LEVEL = 6
"""zlib compression level of snapshots."""

_SHOWN = 60  # characters of a differing value that first_difference shows


def encode_snapshot(state: CampaignState, *, at: int | None = None) -> SnapshotRow:
    """Compress a state into a snapshot row (compact JSON, zlib level 6).

    Args:
        state: the state to keep; the row's ``seq`` is its ``seq``.
        at: when it was taken (epoch seconds); now when omitted.
    """
    text = json.dumps(encode(state), separators=(",", ":"), ensure_ascii=False)
    when = int(time.time()) if at is None else at
    return SnapshotRow(seq=state.seq, at=when, data=zlib.compress(text.encode(), SNAPSHOT_LEVEL))


def decode_snapshot(row: SnapshotRow) -> CampaignState:
    """The state a snapshot row holds.

    Raises:
        ReplayError: the data is not a compressed state, or its ``seq`` is not the row's.
    """
    try:
        data = json.loads(zlib.decompress(row.data))
    except (zlib.error, ValueError) as exc:
        raise ReplayError(f"the snapshot at seq {row.seq} cannot be read: {exc}") from exc
    state = decode(CampaignState, data)
    if state.seq != row.seq:
        raise ReplayError(f"the snapshot stored at seq {row.seq} holds a state at seq {state.seq}")
    return state


def rebuild(loaded: Loaded, *, from_scratch: bool = False) -> CampaignState:
    """Fold a loaded journal into the campaign's state.

    Starts from the snapshot (skipping events it already covers) or, without one or with
    ``from_scratch``, from the empty campaign, then applies the events in order.

    Args:
        loaded: what ``Store.load`` returned.
        from_scratch: ignore the snapshot; the events must then start at seq 0.

    Raises:
        ReplayError: an event is missing (its seq is named), out of place, of the wrong kind
            or cannot be decoded or applied; or the snapshot belongs to another campaign.
    """
    camp = loaded.campaign
    covered = -1  # events below this seq are in the snapshot
    if loaded.snapshot is None or from_scratch:
        state = new_campaign(CampaignId(camp.campaign_id), camp.seed, Instant(camp.created_at))
    else:
        covered = loaded.snapshot.seq
        state = decode_snapshot(loaded.snapshot)
        if state.id != camp.campaign_id:
            raise ReplayError(
                f"the snapshot of campaign {camp.campaign_id} holds campaign {state.id}"
            )
    for row in loaded.events:
        if row.seq < covered:
            continue
        if row.seq != state.seq:
            raise ReplayError(
                f"campaign {camp.campaign_id}: expected event seq {state.seq}, found seq "
                f"{row.seq}: the journal has a gap or is out of order"
            )
        state = _apply_row(state, row, camp.campaign_id)
    return state


def _apply_row(state: CampaignState, row: EventRow, campaign_id: str) -> CampaignState:
    where = f"campaign {campaign_id}, event seq {row.seq} ({row.kind})"
    try:
        event = decode_event(json.loads(row.data))
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise ReplayError(f"{where}: cannot be decoded: {exc}") from exc
    except ReplayError as exc:
        raise ReplayError(f"{where}: {exc}") from exc
    if type(event).__name__ != row.kind:
        raise ReplayError(f"{where}: the data holds a {type(event).__name__}")
    try:
        return apply(state, event)
    except (ReplayError, LookupError, TypeError, ValueError) as exc:
        raise ReplayError(f"{where}: cannot be applied: {exc}") from exc


def first_difference(a: CampaignState, b: CampaignState) -> str | None:
    """The path of the first place two states differ, with both values, or None if equal.

    For example ``players.p1.influence.academia: 3 != 4``. Mapping keys are compared as
    sets, so insertion order does not count as a difference.
    """
    return _diff(encode(a), encode(b), "")


def _diff(x: Any, y: Any, path: str) -> str | None:  # noqa: ANN401 (JSON values)
    if isinstance(x, Mapping) and isinstance(y, Mapping):
        return _diff_mapping(x, y, path)
    if isinstance(x, list) and isinstance(y, list):
        return _diff_list(x, y, path)
    if type(x) is type(y) and x == y:
        return None
    return f"{path or '(state)'}: {_show(x)} != {_show(y)}"


def _diff_mapping(x: Mapping[str, Any], y: Mapping[str, Any], path: str) -> str | None:
    for key in [*x, *(k for k in y if k not in x)]:
        sub = f"{path}.{key}" if path else key
        if key not in y:
            return f"{sub}: {_show(x[key])} != (missing)"
        if key not in x:
            return f"{sub}: (missing) != {_show(y[key])}"
        found = _diff(x[key], y[key], sub)
        if found is not None:
            return found
    return None


def _diff_list(x: list[Any], y: list[Any], path: str) -> str | None:
    for index, (u, v) in enumerate(zip(x, y, strict=False)):
        found = _diff(u, v, f"{path}[{index}]")
        if found is not None:
            return found
    if len(x) != len(y):
        return f"{path or '(state)'}: {len(x)} items != {len(y)} items"
    return None


def _show(value: Any) -> str:  # noqa: ANN401 (JSON values)
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."
