"""The release rule in the journal's reads: one rule, the same in SQL and in Python.

A release is public once its ``release_at`` has come, except a delayed release (made before
it is due) that falls due after a pause began: that one waits for the resume
(:class:`greatwork.store.reader.Visibility`). ``press``, its search, ``press_between`` and
``unreleased`` all read through the rule.
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from greatwork.store import PressRow, Store, Visibility
from tests.store.journal import T0, batch, press_row

MIN = 60
SINCE = T0 + 100 * MIN  # the pause began here
NOW = T0 + 200 * MIN


def made(press_id: int, at: int, release_at: int, headline: str = "News") -> PressRow:
    return dataclasses.replace(press_row(press_id, headline=headline, release_at=release_at), at=at)


# (id, made at, due at): what each is, by the pause at SINCE
ROWS = [
    made(1, T0, T0),  # printed at once, long ago
    made(2, T0, SINCE - MIN),  # a layer due before the pause
    made(3, T0, SINCE),  # a layer due the very minute the pause began
    made(4, T0, SINCE + MIN, "Held remark"),  # a layer due after: held
    made(5, SINCE + 5 * MIN, SINCE + 5 * MIN, "Admin action"),  # made while paused, at once
    made(6, SINCE + 5 * MIN, SINCE + 50 * MIN, "Held remark"),  # a layer of it: held
    made(7, T0, NOW + MIN),  # not due yet
]


@pytest.fixture
async def journal(store: Store) -> Store:
    store.submit(batch("c1", 0, 1, first=True, press=ROWS))
    await store.flush()
    return store


async def test_while_paused_the_layers_due_after_the_pause_began_are_not_public(
    journal: Store,
) -> None:
    running = await journal.press("c1", released_by=NOW, limit=50)
    paused = await journal.press("c1", released_by=NOW, limit=50, held_since=SINCE)
    assert [r.id for r in running] == [6, 5, 4, 3, 2, 1]
    assert [r.id for r in paused] == [5, 3, 2, 1]
    found = await journal.press("c1", released_by=NOW, limit=50, query="held", held_since=SINCE)
    assert found == []  # the search hides them too
    assert [r.id for r in await journal.press("c1", released_by=NOW, limit=50, query="held")] == [
        6,
        4,
    ]


async def test_press_between_and_unreleased_split_the_journal_by_the_rule(
    journal: Store,
) -> None:
    for held_since in (None, SINCE):
        rule = Visibility(NOW, held_since)
        shown = await journal.press_between("c1", -1, NOW, held_since=held_since)
        waiting = await journal.unreleased("c1", rule)
        assert sorted(r.id for r in shown + waiting) == [r.id for r in ROWS]  # each once
        assert [r.id for r in waiting] == sorted(
            (r.id for r in waiting), key=lambda i: (ROWS[i - 1].release_at, i)
        )
    paused = await journal.unreleased("c1", Visibility(NOW, SINCE))
    assert [r.id for r in paused] == [4, 6, 7]  # oldest release first
    assert [r.id for r in await journal.unreleased("c1", Visibility(NOW))] == [7]
    window = await journal.press_between("c1", SINCE - MIN, NOW, held_since=SINCE)
    assert [r.id for r in window] == [3, 5]


async def test_the_sql_and_the_python_rule_agree_everywhere(store: Store) -> None:
    times = [T0 + n * MIN for n in range(6)]
    rows = [
        made(n + 1, at, release_at)
        for n, (at, release_at) in enumerate(
            (a, r) for a, r in itertools.product(times, times) if r >= a
        )
    ]
    store.submit(batch("c1", 0, 1, first=True, press=rows))
    await store.flush()
    for now, held_since in itertools.product(times, [None, *times]):
        rule = Visibility(now, held_since)
        expected = {r.id for r in rows if rule.shows(at=r.at, release_at=r.release_at)}
        read = await store.press("c1", released_by=now, limit=500, held_since=held_since)
        assert {r.id for r in read} == expected, rule
        between = await store.press_between("c1", -1, now, held_since=held_since)
        assert {r.id for r in between} == expected, rule
        assert {r.id for r in await store.unreleased("c1", rule)} == {
            r.id for r in rows
        } - expected, rule
