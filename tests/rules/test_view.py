"""Read-only views: /status and the wager table (section 3.1)."""

from __future__ import annotations

import pytest

from greatwork.rules.constants import Confidence, ExpeditionType, Faction
from greatwork.rules.errors import NotFound
from greatwork.rules.ids import ExpeditionCode, Instant, PlayerId, ScholarId, TheoryId
from greatwork.rules.state import (
    Contract,
    Debt,
    DebtSource,
    EmployerKind,
    Expedition,
    ExpeditionStatus,
    Theory,
    TheoryStatus,
    debt_key,
)
from greatwork.rules.view import REPUTATION_BOUNDS, Status, WagerRow, status, wager_table
from tests.rules.builders import T0, influence, make_player, make_scholar, make_state

P1 = PlayerId("p1")
P2 = PlayerId("p2")


def _employed(player: PlayerId) -> Contract:
    return Contract(employer=str(player), kind=EmployerKind.PLAYER, term_years=3)


def _theory(tid: str, player: PlayerId, status: TheoryStatus) -> Theory:
    return Theory(
        id=TheoryId(tid),
        player=player,
        text=f"claim {tid}",
        confidence=Confidence.CERTAIN,
        created_at=T0,
        deadline=Instant(T0 + 7 * 86_400),
        status=status,
    )


def _expedition(code: str, player: PlayerId, status: ExpeditionStatus) -> Expedition:
    return Expedition(
        code=ExpeditionCode(code),
        player=player,
        type=ExpeditionType.THINK_TANK,
        objective="tides",
        confidence=Confidence.SUSPECT,
        launched_at=T0,
        status=status,
    )


def _debt(player: PlayerId, faction: Faction, source: DebtSource, amount: int) -> Debt:
    return Debt(player=player, faction=faction, source=source, amount=amount)


def test_status_shows_everything_the_player_holds() -> None:
    scholars = [
        make_scholar("s.mine", contract=_employed(P1)),
        make_scholar("s.theirs", contract=_employed(P2)),
        make_scholar("s.free"),
        make_scholar("s.also", contract=_employed(P1)),
    ]
    theories = [
        _theory("T-1", P1, TheoryStatus.OPEN),
        _theory("T-2", P1, TheoryStatus.REFUTED),
        _theory("T-3", P2, TheoryStatus.OPEN),
        _theory("T-4", P1, TheoryStatus.OPEN),
    ]
    expeditions = [
        _expedition("EXP-1", P1, ExpeditionStatus.PENDING),
        _expedition("EXP-2", P1, ExpeditionStatus.RESOLVED),
        _expedition("EXP-3", P2, ExpeditionStatus.PENDING),
    ]
    debts = [
        _debt(P1, Faction.ACADEMIA, DebtSource.SYMPOSIUM, 2),
        _debt(P1, Faction.INDUSTRY, DebtSource.CONTRACT, 0),
        _debt(P1, Faction.RELIGION, DebtSource.SEASONAL, 3),
        _debt(P2, Faction.ACADEMIA, DebtSource.SYMPOSIUM, 5),
    ]
    player = make_player(
        "p1",
        display_name="Ada",
        reputation=12,
        influence={Faction.ACADEMIA: 9, Faction.FOREIGN: 1},
        cooldowns={"recruitment": 2},
    )
    state = make_state(
        [player, make_player("p2")],
        scholars,
        theories={t.id: t for t in theories},
        expeditions={e.code: e for e in expeditions},
        debts={debt_key(d.player, d.faction, d.source): d for d in debts},
    )
    assert status(state, P1) == Status(
        player=P1,
        display_name="Ada",
        reputation=12,
        cap=8,
        influence=influence(academia=9, foreign=1),
        cooldowns={"recruitment": 2},
        gates={
            "recruit": True,
            "expedition:think_tank": True,
            "expedition:field": True,
            "expedition:great_project": True,
        },
        scholars=(ScholarId("s.mine"), ScholarId("s.also")),
        open_theories=(TheoryId("T-1"), TheoryId("T-4")),
        pending_expeditions=(ExpeditionCode("EXP-1"),),
        debts={"academia symposium": 2, "religion seasonal": 3},
    )


@pytest.mark.parametrize(
    ("reputation", "cap", "recruit", "think_tank", "field", "great_project"),
    [
        (-50, 6, False, False, False, False),
        (-11, 6, False, False, False, False),
        (-10, 6, True, False, False, False),
        (-6, 6, True, False, False, False),
        (-5, 6, True, True, False, False),
        (-1, 6, True, True, False, False),
        (0, 6, True, True, True, False),
        (9, 7, True, True, True, False),
        (10, 8, True, True, True, True),
        (50, 16, True, True, True, True),
    ],
)
def test_status_gates_and_cap(
    reputation: int, cap: int, recruit: bool, think_tank: bool, field: bool, great_project: bool
) -> None:
    """Gates: recruit -10, think tank -5, field 0, great project 10; cap 6 + 0.2 x rep."""
    view = status(make_state([make_player("p1", reputation=reputation)]), P1)
    assert view.cap == cap
    assert view.gates == {
        "recruit": recruit,
        "expedition:think_tank": think_tank,
        "expedition:field": field,
        "expedition:great_project": great_project,
    }


def test_status_of_a_new_player_is_empty() -> None:
    view = status(make_state([make_player("p1")]), P1)
    assert view.influence == influence(academia=2, government=2, industry=2, religion=2, foreign=2)
    assert view.cooldowns == {}
    assert view.scholars == ()
    assert view.open_theories == ()
    assert view.pending_expeditions == ()
    assert view.debts == {}


def test_status_refuses_an_unknown_player() -> None:
    with pytest.raises(NotFound, match="No player 'ghost'"):
        status(make_state(), PlayerId("ghost"))


def test_wager_table() -> None:
    """Section 3.1: break-even success rates 1/3, 7/12 and 5/8."""
    assert wager_table() == (
        WagerRow(
            confidence=Confidence.SUSPECT,
            reward=2,
            partial=1,
            penalty=-1,
            break_even=0.3333,
            sets_cooldown=False,
        ),
        WagerRow(
            confidence=Confidence.CERTAIN,
            reward=5,
            partial=2,
            penalty=-7,
            break_even=0.5833,
            sets_cooldown=False,
        ),
        WagerRow(
            confidence=Confidence.STAKE_MY_CAREER,
            reward=15,
            partial=7,
            penalty=-25,
            break_even=0.625,
            sets_cooldown=True,
        ),
    )


def test_wager_break_even_pays_nothing_on_average() -> None:
    for row in wager_table():
        expected = row.break_even * row.reward + (1 - row.break_even) * row.penalty
        assert expected == pytest.approx(0, abs=0.01)


def test_reputation_bounds() -> None:
    assert REPUTATION_BOUNDS == (-50, 50)
