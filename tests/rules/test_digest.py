"""The digest (section 3.16, D9) and the calendar (section 1, scenario 12).

Section 0 changes the reference: D9 numbers digests and runs each exactly once.
"""

from __future__ import annotations

import dataclasses
import random

import pytest

from greatwork.content import load_content
from greatwork.rules.campaign import new_campaign, start_campaign
from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.command import Context, Result
from greatwork.rules.constants import DAY, HOUR, Confidence
from greatwork.rules.digest import (
    DigestCompleted,
    DigestStarted,
    check_digest,
    run_digest,
    run_symposium,
)
from greatwork.rules.errors import Conflict, GamePaused
from greatwork.rules.event import Tx, apply_all
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.order import pending
from greatwork.rules.state import CampaignState, OrderStatus, Pause
from greatwork.rules.symposium import REMINDER_ORDER, SymposiumLaunched, SymposiumReminderDue
from greatwork.rules.theory import SubmitTheory
from greatwork.rules.timeline import YearsAdvanced, advance_timeline
from tests.rules.builders import T0, make_state, run

P1 = PlayerId("p1")
START = Instant(T0 + 10 * HOUR)  # 2026-01-01 10:00 UTC
PAUSE = Pause(reason="maintenance", source="admin", since=T0)


@pytest.fixture(scope="module")
def context() -> Context:
    return Context(content=load_content(), rng=random.Random(11))


def _fresh(context: Context) -> CampaignState:
    ctx = dataclasses.replace(context, rng=random.Random(5))
    tx = Tx(new_campaign(CampaignId("guild"), seed=99, at=START))
    start_campaign(tx, ctx, START)
    return tx.state


def _digest(state: CampaignState, number: int, at: int, context: Context) -> Result:
    return run_digest(
        state, number, Instant(at), dataclasses.replace(context, rng=random.Random(3))
    )


def _check_replay(state: CampaignState, result: Result) -> None:
    assert apply_all(state, result.events) == result.state
    for event in result.events:
        assert decode_event(encode_event(event)) == event


def _years(result: Result) -> list[YearsAdvanced]:
    return [e for e in result.events if isinstance(e, YearsAdvanced)]


def test_scenario_12_timeline(context: Context) -> None:
    """Scenario 12: 1920; first digest on a later UTC date -> 1921 once; the second: nothing."""
    state = _fresh(context)
    assert state.year == 1920
    assert state.anchor_day == START // DAY
    assert state.last_digest == 0
    assert state.last_digest_at is None

    next_day = T0 + DAY + 9 * HOUR
    first = _digest(state, 1, next_day, context)
    assert first.events[0] == DigestStarted(at=Instant(next_day), number=1)
    assert first.events[-1] == DigestCompleted(at=Instant(next_day), number=1)
    assert _years(first) == [
        YearsAdvanced(at=Instant(next_day), years=1, year=1921, anchor_day=START // DAY + 1)
    ]
    assert first.state.year == 1921
    assert first.state.last_digest == 1
    assert first.state.last_digest_at == next_day
    _check_replay(state, first)

    same_day = T0 + DAY + 20 * HOUR
    second = _digest(first.state, 2, same_day, context)
    assert _years(second) == []
    assert second.state.year == 1921
    assert second.state.anchor_day == first.state.anchor_day
    assert second.state.last_digest == 2
    assert second.state.last_digest_at == same_day
    _check_replay(first.state, second)


def test_a_digest_on_the_start_date_keeps_1920(context: Context) -> None:
    state = _fresh(context)
    result = _digest(state, 1, START + 5 * HOUR, context)
    assert _years(result) == []
    assert result.state.year == 1920
    assert result.events[0] == DigestStarted(at=Instant(START + 5 * HOUR), number=1)
    assert result.events[-1] == DigestCompleted(at=Instant(START + 5 * HOUR), number=1)


def test_missed_days_turn_as_many_years_at_once(context: Context) -> None:
    state = _fresh(context)
    result = _digest(state, 1, T0 + 3 * DAY + HOUR, context)
    assert _years(result) == [
        YearsAdvanced(
            at=Instant(T0 + 3 * DAY + HOUR), years=3, year=1923, anchor_day=START // DAY + 3
        )
    ]
    assert result.state.year == 1923


@pytest.mark.parametrize(("offset", "years"), [(0, 0), (DAY - 1, 0), (DAY, 1), (5 * DAY, 5)])
def test_advance_timeline(offset: int, years: int) -> None:
    tx = Tx(make_state())  # anchored on T0's day, at midnight
    assert advance_timeline(tx, Instant(T0 + offset)) == years
    assert tx.state.year == 1920 + years
    assert len(tx.events) == (1 if years else 0)


def test_a_digest_is_refused_while_paused(context: Context) -> None:
    state = dataclasses.replace(_fresh(context), pause=PAUSE)
    with pytest.raises(GamePaused) as info:
        _digest(state, 1, T0 + DAY, context)
    assert str(info.value) == "The game is paused (maintenance); the digest waits."
    assert info.value.data == {"reason": "maintenance"}


@pytest.mark.parametrize("number", [0, 2, 3, -1])
def test_a_digest_out_of_order_is_refused(number: int) -> None:
    with pytest.raises(Conflict) as info:
        check_digest(make_state(), number)
    assert str(info.value) == f"Digest {number} cannot run: the last digest was 0."
    assert info.value.data == {"number": number, "last": 0}


def test_a_digest_runs_exactly_once(context: Context) -> None:
    """D9: digest 1 cannot run twice; the next is 2."""
    state = _fresh(context)
    first = _digest(state, 1, T0 + DAY, context)
    with pytest.raises(Conflict, match="Digest 1 cannot run: the last digest was 1"):
        _digest(first.state, 1, T0 + DAY + HOUR, context)
    check_digest(first.state, 2)


def test_digest_runs_due_orders_and_replays(context: Context) -> None:
    """A symposium's reminders are followups: the next digest after they fall due runs them."""
    state = _fresh(context)
    cmd = SubmitTheory(
        actor=P1,
        at=START,
        actor_name="Ada",
        theory="Tin came by sea",
        confidence=Confidence.SUSPECT,
    )
    state = run(state, cmd).state
    launched = run_symposium(state, Instant(START + HOUR), context)
    assert [type(e) for e in launched.events].count(SymposiumLaunched) == 1
    assert launched.state.open_topic is not None
    assert len(pending(launched.state, REMINDER_ORDER)) == 2
    assert apply_all(state, launched.events) == launched.state

    result = _digest(launched.state, 1, START + 2 * DAY, context)
    reminders = [e for e in result.events if isinstance(e, SymposiumReminderDue)]
    assert [(r.player, r.stage) for r in reminders] == [(P1, 1), (P1, 2)]
    # Due at +12 h and +24 h, they happen when the digest runs them, not before.
    assert {r.at for r in reminders} == {Instant(START + 2 * DAY)}
    assert pending(result.state, REMINDER_ORDER) == []
    assert {o.status for o in result.state.orders.values() if o.type == REMINDER_ORDER} == {
        OrderStatus.COMPLETED
    }
    assert result.events[0] == DigestStarted(at=Instant(START + 2 * DAY), number=1)
    assert result.events[-1] == DigestCompleted(at=Instant(START + 2 * DAY), number=1)
    _check_replay(launched.state, result)


def test_symposium_is_refused_while_paused(context: Context) -> None:
    state = dataclasses.replace(_fresh(context), pause=PAUSE)
    with pytest.raises(GamePaused) as info:
        run_symposium(state, T0, context)
    assert str(info.value) == "The game is paused (maintenance); the symposium waits."
    assert info.value.data == {"reason": "maintenance"}
