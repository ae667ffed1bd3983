"""Schema version 3: the persona voice's rewrites, journaled once beside the template."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from greatwork.store import (
    LATEST_VERSION,
    MIGRATIONS,
    InvalidRecordError,
    JournalError,
    Store,
    Visibility,
)
from greatwork.store.voice import MAX_VOICE_BODY
from tests.store.journal import T0, batch, count, peek, press_row

VOICED_META = json.dumps({"id": 2, "llm": {"persona": None, "model": "m", "generated_at": T0}})


@pytest.fixture
async def gazette(store: Store) -> Store:
    press = [
        press_row(1, headline="Bronze Age flight", body="Template one.", release_at=T0 + 10),
        press_row(2, headline="Copper roads", body="Template two.", release_at=T0 + 20),
        press_row(3, headline="Tin trade", body="Template three.", release_at=T0 + 90),
    ]
    store.submit(batch("c1", 0, 1, first=True, press=press))
    store.submit(batch("c2", 0, 1, first=True, press=[press_row(2, body="Other campaign.")]))
    await store.flush()
    return store


async def test_a_version_2_file_migrates_to_3_and_keeps_its_press(db_path: Path) -> None:
    async with await Store.open(db_path, migrations=MIGRATIONS[:2]) as old:
        old.submit(batch("c1", 0, 1, first=True, press=[press_row(1, body="Kept.")]))
        await old.flush()
    with peek(db_path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "press_voice" not in tables
    async with await Store.open(db_path) as store:
        item = await store.press_item("c1", 1)
        assert item is not None
        assert item.body == "Kept."
        assert await store.record_voice("c1", 1, body="Voiced.", meta="{}", at=T0)
        voiced = await store.press_item("c1", 1)
        assert voiced is not None
        assert voiced.body == "Voiced."
    with peek(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION == 3


async def test_every_press_read_sees_the_voice_and_the_template_is_kept(
    gazette: Store, db_path: Path
) -> None:
    written = await gazette.record_voice("c1", 2, body="Voiced two.", meta=VOICED_META, at=T0 + 30)
    assert written is True

    item = await gazette.press_item("c1", 2)
    assert item is not None
    assert (item.headline, item.body, json.loads(item.meta)["llm"]["model"]) == (
        "Copper roads",
        "Voiced two.",
        "m",
    )
    listed = await gazette.press("c1", released_by=T0 + 60, limit=10)
    assert [(p.id, p.body) for p in listed] == [(2, "Voiced two."), (1, "Template one.")]
    between = await gazette.press_between("c1", T0, T0 + 60)
    assert [p.body for p in between] == ["Template one.", "Voiced two."]
    # The search reads the voiced body: the template's words are gone from it.
    assert [p.id for p in await gazette.press("c1", released_by=T0 + 60, limit=10, query="VOICED")]
    assert await gazette.press("c1", released_by=T0 + 60, limit=10, query="template two") == []
    # Another campaign's release with the same number is untouched.
    other = await gazette.press_item("c2", 2)
    assert other is not None
    assert other.body == "Other campaign."

    template = await gazette.press_template("c1", 2)
    assert template is not None
    assert (template.body, json.loads(template.meta)) == ("Template two.", {"id": 2})
    assert await gazette.press_template("c1", 99) is None
    assert count(db_path, "press") == 4


async def test_a_voice_is_written_once(gazette: Store, db_path: Path) -> None:
    assert await gazette.record_voice("c1", 1, body="First.", meta="{}", at=T0)
    assert not await gazette.record_voice("c1", 1, body="Second.", meta="{}", at=T0 + 5)
    item = await gazette.press_item("c1", 1)
    assert item is not None
    assert item.body == "First."
    assert count(db_path, "press_voice") == 1


async def test_unreleased_press_comes_with_its_voice(gazette: Store) -> None:
    assert await gazette.record_voice("c1", 3, body="Voiced three.", meta="{}", at=T0)
    loaded = await gazette.load("c1")
    # Every release is after T0, so all three are still to come.
    assert [(p.id, p.body) for p in await gazette.unreleased("c1", Visibility(now=T0))] == [
        (1, "Template one."),
        (2, "Template two."),
        (3, "Voiced three."),
    ]
    assert loaded.max_press_id == 3


async def test_a_voice_queued_after_its_batch_finds_the_release(store: Store) -> None:
    store.submit(batch("c1", 0, 1, first=True, press=[press_row(1)]))
    # No flush: the record is queued behind the batch, so it is written after it.
    assert await store.record_voice("c1", 1, body="Voiced.", meta="{}", at=T0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("c1", 7, "Voiced.", "{}"), "campaign 'c1' has no press release No. 7"),
        (("c9", 1, "Voiced.", "{}"), "campaign 'c9' has no press release No. 1"),
        (("c1", 0, "Voiced.", "{}"), "press numbers run from 1 upwards, got 0"),
        (("c1", 1, "   ", "{}"), "a voiced press body is text of 1 to 20,000 characters"),
        (("c1", 1, "x" * (MAX_VOICE_BODY + 1), "{}"), "got '20001 characters'"),
        (("c1", 1, "Voiced.", "[1]"), "the JSON text of an object, got '\\[1\\]'"),
        (("c1", 1, "Voiced.", "{oops"), "the JSON text of an object"),
        (("", 1, "Voiced.", "{}"), "a campaign id must be text"),
    ],
)
async def test_a_bad_voice_is_refused_and_nothing_is_written(
    gazette: Store, db_path: Path, args: tuple[str, int, str, str], message: str
) -> None:
    campaign_id, press_id, body, meta = args
    with pytest.raises(InvalidRecordError, match=message):
        await gazette.record_voice(campaign_id, press_id, body=body, meta=meta, at=T0)
    assert count(db_path, "press_voice") == 0
    item = await gazette.press_item("c1", 1)
    assert item is not None
    assert item.body == "Template one."


async def test_a_negative_time_is_refused(gazette: Store) -> None:
    with pytest.raises(InvalidRecordError, match="the time must be epoch seconds"):
        await gazette.record_voice("c1", 1, body="Voiced.", meta="{}", at=-1)


async def test_a_closed_journal_refuses_a_voice(db_path: Path) -> None:
    store = await Store.open(db_path)
    store.submit(batch("c1", 0, 1, first=True, press=[press_row(1)]))
    await store.close()
    with pytest.raises(JournalError, match="the journal is closed"):
        await store.record_voice("c1", 1, body="Voiced.", meta="{}", at=T0)
