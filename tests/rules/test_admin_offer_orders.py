"""An admin cannot cancel an offer chain's deadline: the escrow would be held for ever."""

from __future__ import annotations

import pytest

from greatwork.rules.admin import CancelOrder
from greatwork.rules.errors import Conflict
from greatwork.rules.negotiation import DEADLINE_ORDER
from greatwork.rules.order import pending
from greatwork.rules.state import OrderStatus
from tests.rules.builders import T0, run
from tests.rules.test_offer import poach, world


def test_the_deadline_of_an_offer_chain_cannot_be_cancelled() -> None:
    state = poach(world()).state
    (deadline,) = pending(state, DEADLINE_ORDER)
    with pytest.raises(Conflict, match=f"Order {deadline.id} settles an offer chain"):
        run(state, CancelOrder(actor="admin", at=T0, order=deadline.id))  # type: ignore[arg-type]
    assert state.orders[deadline.id].status is OrderStatus.PENDING
