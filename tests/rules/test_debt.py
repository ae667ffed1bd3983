"""Debts and reprisals (section 3.9, scenario 17)."""

from __future__ import annotations

import dataclasses

import pytest

from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.constants import DAY, Faction
from greatwork.rules.debt import (
    REPRIMAND_ORDER,
    DebtChanged,
    ReprisalApplied,
    SymposiumReprimandDue,
    add_debt,
    apply_reprisals,
    owed,
    pay_debt,
    settle_from_balance,
    total_owed,
)
from greatwork.rules.event import Event, Tx, apply_all
from greatwork.rules.ids import Instant, PlayerId
from greatwork.rules.order import STEP_FOLLOWUPS, pending, run_due
from greatwork.rules.state import CampaignState, Debt, DebtSource, debt_key
from tests.rules.builders import T0, ctx, influence, make_player, make_state

P1 = PlayerId("p1")
ACA = Faction.ACADEMIA


def with_debt(
    state: CampaignState, amount: int, source: DebtSource, last_reprisal_at: Instant | None = None
) -> CampaignState:
    debt = Debt(
        player=P1, faction=ACA, source=source, amount=amount, last_reprisal_at=last_reprisal_at
    )
    return dataclasses.replace(state, debts={debt_key(P1, ACA, source): debt})


def state_with(academia: int, reputation: int = 0) -> CampaignState:
    return make_state(
        players=[make_player("p1", influence=influence(academia=academia), reputation=reputation)]
    )


def test_add_and_pay_debt() -> None:
    tx = Tx(state_with(0))
    add_debt(tx, P1, ACA, DebtSource.SYMPOSIUM, 3, T0, "test")
    add_debt(tx, P1, ACA, DebtSource.SYMPOSIUM, 2, T0, "test")
    add_debt(tx, P1, ACA, DebtSource.SYMPOSIUM, 0, T0, "nothing")
    add_debt(tx, P1, Faction.RELIGION, DebtSource.SYMPOSIUM, 1, T0, "test")
    assert owed(tx.state, P1, ACA, DebtSource.SYMPOSIUM) == 5
    assert total_owed(tx.state, P1, DebtSource.SYMPOSIUM) == 6
    assert pay_debt(tx, P1, ACA, DebtSource.SYMPOSIUM, 9, T0, "paid") == 5
    assert pay_debt(tx, P1, ACA, DebtSource.SYMPOSIUM, 1, T0, "paid") == 0
    assert owed(tx.state, P1, ACA, DebtSource.SYMPOSIUM) == 0
    assert owed(tx.state, P1, ACA, DebtSource.SEASONAL) == 0
    assert len(tx.events) == 4
    assert apply_all(state_with(0), tx.events) == tx.state


@pytest.mark.parametrize(
    ("balance", "debt", "paid", "left"), [(5, 3, 3, 0), (2, 3, 2, 1), (0, 3, 0, 3)]
)
def test_settle_from_balance(balance: int, debt: int, paid: int, left: int) -> None:
    tx = Tx(with_debt(state_with(balance), debt, DebtSource.SYMPOSIUM))
    assert settle_from_balance(tx, P1, ACA, DebtSource.SYMPOSIUM, T0, "settle") == paid
    assert tx.state.players[P1].influence[ACA] == balance - paid
    assert owed(tx.state, P1, ACA, DebtSource.SYMPOSIUM) == left


@pytest.mark.parametrize(
    ("source", "amount", "balance", "last", "fires", "inf_after", "rep_after"),
    [
        # Scenario 17: debt >= 6, no reprisal in 7 days.
        (DebtSource.SYMPOSIUM, 6, 0, None, True, 0, -1),
        (DebtSource.SYMPOSIUM, 6, 5, None, True, 3, 0),
        (DebtSource.SYMPOSIUM, 9, 1, None, True, 0, 0),
        (DebtSource.SYMPOSIUM, 5, 0, None, False, 0, 0),
        (DebtSource.SYMPOSIUM, 6, 0, 6, False, 0, 0),  # a reprisal 6 days ago: cooldown
        (DebtSource.SYMPOSIUM, 6, 0, 7, True, 0, -1),  # exactly 7 days: fires again
        (DebtSource.SEASONAL, 4, 3, None, True, 1, 0),
        (DebtSource.SEASONAL, 3, 3, None, False, 3, 0),
        (DebtSource.CONTRACT, 50, 3, None, False, 3, 0),  # threshold 0: off
    ],
)
def test_reprisal_table(
    source: DebtSource,
    amount: int,
    balance: int,
    last: int | None,
    fires: bool,
    inf_after: int,
    rep_after: int,
) -> None:
    at = Instant(T0 + 30 * DAY)
    last_at = None if last is None else Instant(at - last * DAY)
    initial = with_debt(state_with(balance), amount, source, last_reprisal_at=last_at)
    tx = Tx(initial)
    assert apply_reprisals(tx, at) == int(fires)
    player = tx.state.players[P1]
    assert player.influence[ACA] == inf_after
    assert player.reputation == rep_after
    debt = tx.state.debts[debt_key(P1, ACA, source)]
    assert debt.reprisal_level == int(fires)
    assert debt.amount == amount  # a reprisal punishes; it does not pay the debt
    reprimands = pending(tx.state, REPRIMAND_ORDER)
    assert len(reprimands) == int(fires and source is DebtSource.SYMPOSIUM)
    assert apply_all(initial, tx.events) == tx.state


def test_reprisal_filters() -> None:
    initial = with_debt(state_with(0), 6, DebtSource.SYMPOSIUM)
    tx = Tx(initial)
    assert apply_reprisals(tx, T0, sources=(DebtSource.SEASONAL,)) == 0
    assert apply_reprisals(tx, T0, exempt=(P1,)) == 0
    assert apply_reprisals(tx, T0, sources=(DebtSource.SYMPOSIUM,)) == 1
    assert apply_reprisals(tx, Instant(T0 + DAY)) == 0  # cooldown
    level2 = apply_reprisals(tx, Instant(T0 + 7 * DAY))
    assert level2 == 1
    assert tx.state.debts[debt_key(P1, ACA, DebtSource.SYMPOSIUM)].reprisal_level == 2


def test_reprisal_skips_unknown_player() -> None:
    initial = with_debt(make_state(), 6, DebtSource.SYMPOSIUM)
    tx = Tx(initial)
    assert apply_reprisals(tx, T0) == 0


def test_reprimand_order_emits_press_hook() -> None:
    tx = Tx(with_debt(state_with(0), 7, DebtSource.SYMPOSIUM))
    apply_reprisals(tx, T0)
    run_due(tx, STEP_FOLLOWUPS, ctx(), T0)
    hooks = [e for e in tx.events if isinstance(e, SymposiumReprimandDue)]
    assert hooks == [SymposiumReprimandDue(at=T0, player=P1, faction=ACA, owed=7, level=1)]
    assert not pending(tx.state, REPRIMAND_ORDER)


def test_reprimand_order_without_subject_is_a_no_op() -> None:
    from greatwork.rules.order import schedule  # noqa: PLC0415 (local to this edge case)

    tx = Tx(state_with(0))
    schedule(tx, REPRIMAND_ORDER, T0)
    run_due(tx, STEP_FOLLOWUPS, ctx(), T0)
    assert not any(isinstance(e, SymposiumReprimandDue) for e in tx.events)


@pytest.mark.parametrize(
    "event",
    [
        DebtChanged(
            at=T0,
            player=P1,
            faction=ACA,
            source=DebtSource.SEASONAL,
            delta=-2,
            after=1,
            reason="x",
        ),
        ReprisalApplied(
            at=T0,
            player=P1,
            faction=ACA,
            source=DebtSource.SYMPOSIUM,
            owed=6,
            level=1,
            influence_lost=0,
            reputation_lost=1,
        ),
        SymposiumReprimandDue(at=T0, player=P1, faction=ACA, owed=6, level=2),
    ],
)
def test_codec_round_trip(event: Event) -> None:
    assert decode_event(encode_event(event)) == event
