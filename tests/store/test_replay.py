"""Rebuilding a real campaign from the journal, with and without snapshots, and comparing."""

from __future__ import annotations

import dataclasses
import json
import zlib

import pytest

from greatwork.rules.campaign import new_campaign
from greatwork.rules.errors import ReplayError
from greatwork.rules.event import apply_all
from greatwork.rules.ids import CampaignId, ExpeditionCode, Instant, PlayerId
from greatwork.rules.state import CampaignState, Landmark
from greatwork.store import (
    Batch,
    Loaded,
    SnapshotRow,
    Store,
    decode_snapshot,
    encode_snapshot,
    first_difference,
    rebuild,
)
from tests.store.journal import season, season_campaign, season_rows


def _state_after(n: int) -> CampaignState:
    report = season()
    start = new_campaign(CampaignId(report.state.id), report.state.seed, report.state.created_at)
    return apply_all(start, report.events[:n])


def _loaded(events: int | None = None, snapshot: SnapshotRow | None = None) -> Loaded:
    rows = season_rows()
    return Loaded(
        campaign=season_campaign(),
        snapshot=snapshot,
        events=rows if events is None else rows[:events],
        max_press_id=0,
    )


async def _journal(store: Store, snapshot_at: int | None) -> str:
    rows = season_rows()
    camp = season_campaign()
    cut = 25
    store.submit(Batch(camp.campaign_id, tuple(rows[:cut]), campaign=camp))
    snapshot = None if snapshot_at is None else encode_snapshot(_state_after(snapshot_at), at=9)
    store.submit(Batch(camp.campaign_id, tuple(rows[cut:]), snapshot=snapshot))
    await store.flush()
    return camp.campaign_id


def test_the_season_is_a_real_campaign() -> None:
    rows = season_rows()
    assert len(rows) > 40
    assert len({r.kind for r in rows}) > 3
    assert season().state.seq == len(rows)


async def test_rebuild_from_events_alone_equals_the_live_state(store: Store) -> None:
    cid = await _journal(store, snapshot_at=None)
    loaded = await store.load(cid)
    assert loaded.snapshot is None
    assert len(loaded.events) == len(season_rows())
    assert rebuild(loaded) == season().state


async def test_rebuild_from_a_snapshot_equals_rebuild_from_scratch(store: Store) -> None:
    cid = await _journal(store, snapshot_at=40)
    loaded = await store.load(cid)
    assert loaded.snapshot is not None
    assert loaded.snapshot.seq == 40
    assert loaded.events[0].seq == 40
    from_snapshot = rebuild(loaded)
    scratch = await store.load(cid, from_scratch=True)
    from_events = rebuild(scratch, from_scratch=True)
    assert from_snapshot == from_events == season().state
    assert first_difference(from_snapshot, from_events) is None
    # All events with a snapshot: the events the snapshot covers are skipped.
    assert rebuild(scratch) == season().state


def test_from_scratch_needs_the_events_from_seq_0() -> None:
    snapshot = encode_snapshot(_state_after(30), at=0)
    loaded = dataclasses.replace(_loaded(), events=season_rows()[30:], snapshot=snapshot)
    assert rebuild(loaded) == season().state
    with pytest.raises(ReplayError, match="expected event seq 0, found seq 30"):
        rebuild(loaded, from_scratch=True)


def test_a_gap_in_the_events_is_named() -> None:
    rows = season_rows()
    loaded = dataclasses.replace(_loaded(), events=rows[:10] + rows[11:])
    with pytest.raises(ReplayError, match="expected event seq 10, found seq 11: the journal has"):
        rebuild(loaded)


def test_an_event_of_the_wrong_kind_or_unreadable_is_named() -> None:
    rows = season_rows()
    wrong = dataclasses.replace(rows[3], kind="SomethingElse")
    with pytest.raises(ReplayError, match=r"event seq 3 \(SomethingElse\): the data holds a"):
        rebuild(dataclasses.replace(_loaded(), events=[*rows[:3], wrong]))
    garbled = dataclasses.replace(rows[3], data="{not json")
    with pytest.raises(ReplayError, match=r"event seq 3 .*cannot be decoded"):
        rebuild(dataclasses.replace(_loaded(), events=[*rows[:3], garbled]))
    unknown = dataclasses.replace(rows[3], data='{"type": "NoSuchEvent", "at": 0}')
    with pytest.raises(ReplayError, match=r"event seq 3 .*unknown event type 'NoSuchEvent'"):
        rebuild(dataclasses.replace(_loaded(), events=[*rows[:3], unknown]))


def test_a_bad_snapshot_is_refused() -> None:
    with pytest.raises(ReplayError, match="the snapshot at seq 5 cannot be read"):
        decode_snapshot(SnapshotRow(5, 0, b"not zlib"))
    mislabelled = dataclasses.replace(encode_snapshot(_state_after(10), at=0), seq=11)
    with pytest.raises(ReplayError, match="stored at seq 11 holds a state at seq 10"):
        decode_snapshot(mislabelled)
    other = encode_snapshot(dataclasses.replace(_state_after(10), id=CampaignId("other")), at=0)
    with pytest.raises(ReplayError, match="holds campaign other"):
        rebuild(dataclasses.replace(_loaded(), snapshot=other))


def test_encode_snapshot_is_compact_compressed_json() -> None:
    state = season().state
    row = encode_snapshot(state, at=123)
    assert (row.seq, row.at) == (state.seq, 123)
    text = zlib.decompress(row.data).decode()
    assert ", " not in text[:200]
    assert ": " not in text[:200]
    assert json.loads(text)["id"] == state.id
    assert len(row.data) < len(text) / 3
    assert decode_snapshot(row) == state
    assert encode_snapshot(state).at > 1_700_000_000  # now, by default


def test_first_difference_names_the_path_and_both_values() -> None:
    state = season().state
    player = state.players[PlayerId("p1")]
    faction, value = next(iter(player.influence.items()))
    changed_player = dataclasses.replace(player, influence={**player.influence, faction: value + 1})
    changed = dataclasses.replace(state, players={**state.players, player.id: changed_player})
    assert first_difference(state, changed) == (
        f"players.p1.influence.{faction.value}: {value} != {value + 1}"
    )
    assert first_difference(state, state) is None


def test_first_difference_reports_missing_keys_lengths_and_top_level_fields() -> None:
    state = season().state
    fewer = dataclasses.replace(
        state, players={k: v for k, v in state.players.items() if k != "p2"}
    )
    assert first_difference(state, fewer) is not None
    assert str(first_difference(state, fewer)).startswith("players.p2: {")
    assert str(first_difference(state, fewer)).endswith("!= (missing)")
    assert str(first_difference(fewer, state)).startswith("players.p2: (missing) != {")
    later = dataclasses.replace(state, seq=state.seq + 1)
    assert first_difference(state, later) == f"seq: {state.seq} != {state.seq + 1}"
    named = dataclasses.replace(state, id=CampaignId("x" * 100))
    assert first_difference(state, named) == f'id: "{state.id}" != "{"x" * 56}...'


def test_first_difference_in_lists() -> None:
    base = new_campaign(CampaignId("c"), 1, Instant(0))
    a = dataclasses.replace(base, counters={"n": 1})
    assert first_difference(base, a) == "counters.n: (missing) != 1"
    one = Landmark(tag="sea", player=PlayerId("p1"), expedition=ExpeditionCode("E1"), at=Instant(0))
    two = dataclasses.replace(one, tag="sky")
    x = dataclasses.replace(base, landmarks=(one,))
    y = dataclasses.replace(base, landmarks=(one, two))
    z = dataclasses.replace(base, landmarks=(two,))
    assert first_difference(x, y) == "landmarks: 1 items != 2 items"
    assert first_difference(x, z) == 'landmarks[0].tag: "sea" != "sky"'
