"""gazette_text: the terminal's Gazette of one digest."""

from __future__ import annotations

import dataclasses

import pytest

from greatwork.press.compose import compose
from greatwork.press.item import PressDraft, PressItem
from greatwork.press.render import NO_NEWS, gazette_text
from greatwork.rules.ids import Instant
from greatwork.rules.theory import TheorySubmitted
from greatwork.rules.timeline import YearsAdvanced
from tests.press.world import REAL, T1, world
from tests.rules.builders import T0

AT = Instant(T0 + 60)


def _item(draft: PressDraft, number: int, digest: int = 7) -> PressItem:
    return PressItem(
        id=number,
        kind=draft.kind,
        headline=draft.headline,
        body=draft.body,
        at=draft.at,
        release_at=draft.release_at,
        seq=draft.seq,
        digest=digest,
        meta=draft.meta,
    )


def _items() -> list[PressItem]:
    state = world()
    drafts = compose(
        [
            (1, TheorySubmitted(at=AT, theory=state.theories[T1])),
            (2, YearsAdvanced(at=AT, years=1, year=1922, anchor_day=1)),
        ],
        state,
        REAL,
    )
    return [_item(draft, i + 1) for i, draft in enumerate(drafts)]


def test_masthead_then_each_item() -> None:
    items = _items()
    text = gazette_text(items)
    lines = text.splitlines()
    assert lines[0] == "THE GREAT WORK GAZETTE · Digest No. 7 · Anno 1922"
    assert lines[1] == "=" * 80
    assert text.endswith("\n")
    for item in items:
        assert item.headline in lines
    body_lines = [line for line in lines[2:] if line.startswith("  ")]
    assert body_lines
    joined = " ".join(line.strip() for line in body_lines)
    assert '"Bronze Age flight"' in joined
    assert text.index(items[0].headline) < text.index(items[1].headline)


@pytest.mark.parametrize("width", [24, 40, 80, 120])
def test_every_line_fits_the_width(width: int) -> None:
    for line in gazette_text(_items(), width).splitlines():
        assert len(line) <= width


def test_the_words_survive_wrapping() -> None:
    items = _items()
    narrow = gazette_text(items, 30)
    assert " ".join(narrow.split()).count("Bronze Age flight") == " ".join(
        gazette_text(items, 200).split()
    ).count("Bronze Age flight")


def test_overrides_and_mixed_digests() -> None:
    first, second = _items()
    mixed = [first, dataclasses.replace(second, digest=9)]
    assert gazette_text(mixed).splitlines()[0] == (
        "THE GREAT WORK GAZETTE · Digests No. 7-9 · Anno 1922"
    )
    assert gazette_text([first], year=1930, digest=12).splitlines()[0] == (
        "THE GREAT WORK GAZETTE · Digest No. 12 · Anno 1930"
    )


def test_an_empty_digest_says_so() -> None:
    text = gazette_text([], digest=3, year=1925)
    assert text.splitlines()[0] == "THE GREAT WORK GAZETTE · Digest No. 3 · Anno 1925"
    assert NO_NEWS in text
    assert gazette_text([]).splitlines()[0] == "THE GREAT WORK GAZETTE"


@pytest.mark.parametrize("width", [0, 23, 401])
def test_a_bad_width_is_refused(width: int) -> None:
    with pytest.raises(ValueError, match=f"24 to 400 characters, got {width}"):
        gazette_text(_items(), width)
