"""Admin guards: offer deadlines cannot be cancelled; influence adjustments take real factions."""

from __future__ import annotations

import pytest

from greatwork.rules.admin import AdjustInfluence, CancelOrder
from greatwork.rules.constants import Faction
from greatwork.rules.errors import Conflict, InvalidInput
from greatwork.rules.ids import PlayerId
from greatwork.rules.negotiation import DEADLINE_ORDER
from greatwork.rules.order import pending
from greatwork.rules.state import OrderStatus
from tests.rules.builders import T0, make_player, make_state, run
from tests.rules.test_offer import poach, world


def test_the_deadline_of_an_offer_chain_cannot_be_cancelled() -> None:
    state = poach(world()).state
    (deadline,) = pending(state, DEADLINE_ORDER)
    with pytest.raises(Conflict, match=f"Order {deadline.id} settles an offer chain"):
        run(state, CancelOrder(actor="admin", at=T0, order=deadline.id))  # type: ignore[arg-type]
    assert state.orders[deadline.id].status is OrderStatus.PENDING


def test_adjust_influence_refuses_a_phantom_faction() -> None:
    """Q-5: only the five keys; aliases such as 'religious' map onto them."""
    state = make_state([make_player("p1")])
    with pytest.raises(InvalidInput, match="Unknown faction 'church'"):
        run(state, AdjustInfluence(actor="admin", at=T0, player="p1", faction="church", delta=1))  # type: ignore[arg-type]
    result = run(
        state,
        AdjustInfluence(actor="admin", at=T0, player="p1", faction="religious", delta=3),  # type: ignore[arg-type]
    )
    assert result.state.players[PlayerId("p1")].influence[Faction.RELIGION] == 5
