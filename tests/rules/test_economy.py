"""Economy sinks (section 3.11, scenario 18): upkeep, commitments, projects, invest, endow."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import pytest

from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.commitment import (
    CommitmentCharged,
    CommitmentCreated,
    CommitmentEnded,
    CreateCommitment,
    UpdateCommitment,
    charge_commitments,
    commitment_cost,
)
from greatwork.rules.constants import DAY, HOUR, Faction
from greatwork.rules.debt import owed
from greatwork.rules.economy import UpkeepCharged, charge_upkeep
from greatwork.rules.errors import Conflict, InsufficientInfluence, InvalidInput, NotFound
from greatwork.rules.event import Event, Tx, apply_all
from greatwork.rules.ids import CommitmentId, Instant, PlayerId, ProjectId, ScholarId
from greatwork.rules.investment import ArchiveEndowed, EndowArchive, Invest, Invested
from greatwork.rules.memory import player_key
from greatwork.rules.project import (
    CreateProject,
    ProjectAdvanced,
    ProjectCreated,
    ProjectEnded,
    UpdateProject,
    advance_projects,
)
from greatwork.rules.standing import contracted, relfac
from greatwork.rules.state import (
    CampaignState,
    Commitment,
    Contract,
    Debt,
    DebtSource,
    EmployerKind,
    Memory,
    MentorshipEntry,
    Project,
    RecordStatus,
    Scholar,
    Sidecast,
    SidecastKind,
    debt_key,
)
from tests.rules.builders import T0, influence, make_player, make_scholar, make_state, run

P1, P2 = PlayerId("p1"), PlayerId("p2")
ADMIN = PlayerId("admin")
ACA, GOV, IND = Faction.ACADEMIA, Faction.GOVERNMENT, Faction.INDUSTRY


def hired(sid: str, player: str = "p1", faction: Faction = ACA, felt: float = 0.0) -> Scholar:
    contract = Contract(employer=player, kind=EmployerKind.PLAYER, term_years=2, faction=faction)
    memory = Memory(feelings={player_key(PlayerId(player)): felt} if felt else {})
    return make_scholar(sid, contract=contract, memory=memory)


def with_debts(state: CampaignState, *debts: Debt) -> CampaignState:
    return dataclasses.replace(
        state, debts={debt_key(d.player, d.faction, d.source): d for d in debts}
    )


def step(state: CampaignState, fn: Callable[[Tx, Instant], None], at: int) -> CampaignState:
    tx = Tx(state)
    fn(tx, Instant(at))
    assert apply_all(state, tx.events) == tx.state
    return tx.state


# --- relfac ----------------------------------------------------------------------------------


def test_contracted_counts_only_this_players_banner() -> None:
    scholars = [
        hired("s.a"),
        hired("s.b", faction=GOV),
        hired("s.c", player="p2"),
        make_scholar("s.d"),
    ]
    state = make_state(players=[make_player("p1")], scholars=scholars)
    assert contracted(state, P1, ACA) == ["s.a"]
    assert contracted(state, P1, GOV) == ["s.b"]
    assert contracted(state, P1, IND) == []


@pytest.mark.parametrize(
    ("balance", "weight", "expected"),
    [(0, 0.05, 0.0), (6, 0.05, 0.03), (6, 5.0, 0.1), (-3, 5.0, 0.0)],
)
def test_relfac_without_scholars(balance: int, weight: float, expected: float) -> None:
    state = make_state(players=[make_player("p1", influence=influence(academia=balance))])
    assert relfac(state, P1, ACA, weight) == pytest.approx(expected)


def test_relfac_with_scholars() -> None:
    mentored = dataclasses.replace(
        hired("s.b", felt=1.0),
        mentorship_history=(
            MentorshipEntry(player=P1, event="activated", at=T0),
            MentorshipEntry(player=P2, event="activated", at=T0),
        ),
        sidecast=Sidecast(kind=SidecastKind.LOCAL_JUNIOR, sponsor=P1, spawned_at=T0),
    )
    state = make_state(players=[make_player("p1")], scholars=[hired("s.a", felt=2.0), mentored])
    # mean of (2) and (1 + 1 entry + 1 sponsor) = 2.5
    assert relfac(state, P1, ACA, 0.05) == pytest.approx(0.125)
    assert relfac(state, P1, ACA, 5.0) == pytest.approx(0.25)  # clamped
    sour = make_state(players=[make_player("p1")], scholars=[hired("s.a", felt=-10.0)])
    assert relfac(sour, P1, ACA, 0.05) == pytest.approx(-0.25)


# --- upkeep ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("balance", "scholars", "old_debt", "after", "debt_after"),
    [
        (5, 2, 0, 3, 0),
        (1, 2, 0, 0, 1),
        (0, 1, 0, 0, 1),
        (4, 1, 2, 1, 0),  # old debt first, then the charge
        (2, 1, 2, 0, 1),  # the old debt takes it all; the charge becomes debt
        (3, 0, 2, 1, 0),  # no scholars left: the old debt is still paid
    ],
)
def test_upkeep(balance: int, scholars: int, old_debt: int, after: int, debt_after: int) -> None:
    state = make_state(
        players=[make_player("p1", influence=influence(academia=balance))],
        scholars=[hired(f"s.{i}") for i in range(scholars)],
        last_digest=13,  # the digest in progress is the 14th: upkeep is due
    )
    if old_debt:
        state = with_debts(
            state, Debt(player=P1, faction=ACA, source=DebtSource.CONTRACT, amount=old_debt)
        )
    state = step(state, charge_upkeep, T0)
    assert state.players[P1].influence[ACA] == after
    assert owed(state, P1, ACA, DebtSource.CONTRACT) == debt_after
    assert state.debts.get(debt_key(P1, ACA, DebtSource.CONTRACT), None) is None or (
        state.debts[debt_key(P1, ACA, DebtSource.CONTRACT)].reprisal_level == 0
    )


def test_upkeep_skips_players_without_scholars_or_debt() -> None:
    tx = Tx(make_state(players=[make_player("p1")], last_digest=13))
    charge_upkeep(tx, T0)
    assert not tx.events


@pytest.mark.parametrize("last_digest", [0, 1, 12, 14, 15, 26, 28])
def test_upkeep_is_charged_only_every_14th_digest(last_digest: int) -> None:
    """Digests 1, 2, 13, 15, 16, 27 and 29 charge nothing; 14 and 28 do."""
    debt = Debt(player=P1, faction=ACA, source=DebtSource.CONTRACT, amount=1)
    state = with_debts(
        make_state(
            players=[make_player("p1", influence=influence(academia=5))],
            scholars=[hired("s.a"), hired("s.b")],
            last_digest=last_digest,
        ),
        debt,
    )
    tx = Tx(state)
    charge_upkeep(tx, T0)
    assert tx.events == []
    assert tx.state == state
    assert tx.state.players[P1].influence[ACA] == 5
    assert owed(tx.state, P1, ACA, DebtSource.CONTRACT) == 1
    for due in (13, 27):  # digests 14 and 28 charge again
        before = dataclasses.replace(state, last_digest=due)
        tx = Tx(before)
        charge_upkeep(tx, T0)
        assert apply_all(before, tx.events) == tx.state
        assert [e for e in tx.events if isinstance(e, UpkeepCharged)] == [
            UpkeepCharged(
                at=T0,
                player=P1,
                faction=ACA,
                scholars=2,
                charge=2,
                paid=2,
                debt_paid=1,
                shortfall=0,
            )
        ]
        assert tx.state.players[P1].influence[ACA] == 2
        assert owed(tx.state, P1, ACA, DebtSource.CONTRACT) == 0


# --- commitments -----------------------------------------------------------------------------


def create_commitment(state: CampaignState, **kw: object) -> CampaignState:
    cmd = CreateCommitment(actor=ADMIN, at=T0, player=P1, faction=ACA, **kw)  # type: ignore[arg-type]
    result = run(state, cmd)
    assert apply_all(state, result.events) == result.state
    assert ADMIN not in result.state.players  # an admin command creates no player
    return result.state


def test_create_commitment() -> None:
    state = create_commitment(make_state(players=[make_player("p1")]), reason=" deal ")
    commitment = state.commitments[CommitmentId("COM-1")]
    assert commitment == Commitment(
        id=CommitmentId("COM-1"),
        player=P1,
        faction=ACA,
        tier="standard",
        base_cost=3,
        starts_at=T0,
        ends_at=Instant(T0 + 28 * DAY),
    )


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"player": PlayerId("nobody")}, NotFound),
        ({"faction": "phantom"}, InvalidInput),
        ({"tier": " "}, InvalidInput),
        ({"tier": "x" * 33}, InvalidInput),
        ({"reason": "x" * 201}, InvalidInput),
        ({"base_cost": 0}, InvalidInput),
        ({"base_cost": 21}, InvalidInput),
        ({"duration_days": 0}, InvalidInput),
        ({"duration_days": 366}, InvalidInput),
    ],
)
def test_create_commitment_refusals(overrides: dict[str, object], error: type[Exception]) -> None:
    fields: dict[str, object] = {"actor": ADMIN, "at": T0, "player": P1, "faction": ACA}
    fields.update(overrides)
    with pytest.raises(error):
        run(make_state(players=[make_player("p1")]), CreateCommitment(**fields))  # type: ignore[arg-type]


def test_update_commitment() -> None:
    state = create_commitment(make_state(players=[make_player("p1")]))
    cancel = UpdateCommitment(
        actor=ADMIN, at=T0, commitment=CommitmentId("COM-1"), status=RecordStatus.CANCELLED
    )
    done = run(state, cancel).state
    assert done.commitments[CommitmentId("COM-1")].status is RecordStatus.CANCELLED
    with pytest.raises(Conflict):
        run(done, cancel)
    with pytest.raises(NotFound):
        run(state, dataclasses.replace(cancel, commitment=CommitmentId("COM-9")))
    with pytest.raises(InvalidInput):
        run(state, dataclasses.replace(cancel, status=RecordStatus.ACTIVE))
    with pytest.raises(InvalidInput):
        run(state, dataclasses.replace(cancel, status="finished"))  # type: ignore[arg-type]
    completed = run(state, dataclasses.replace(cancel, status="Completed")).state  # type: ignore[arg-type]
    assert completed.commitments[CommitmentId("COM-1")].status is RecordStatus.COMPLETED


@pytest.mark.parametrize(
    ("felt", "balance", "cost"),
    [
        (0.0, 0, 3),  # no scholars, relfac 0
        (5.0, 0, 2),  # relfac 0.25: 3 x 0.75 = 2.25 -> 2
        (-5.0, 0, 4),  # relfac -0.25: 3 x 1.25 = 3.75 -> 4
        (10 / 3, 0, 2),  # relfac 1/6: 3 x 5/6 = 2.5 -> 2 (banker's rounding)
    ],
)
def test_commitment_cost(felt: float, balance: int, cost: int) -> None:
    scholars = [hired("s.a", felt=felt)] if felt else []
    state = make_state(
        players=[make_player("p1", influence=influence(academia=balance))], scholars=scholars
    )
    state = create_commitment(state)
    assert commitment_cost(state, state.commitments[CommitmentId("COM-1")])[0] == cost


def test_commitment_charges_at_most_once_a_week_then_completes() -> None:
    state = create_commitment(
        make_state(players=[make_player("p1", influence=influence(academia=4))])
    )
    first = T0 + HOUR
    state = step(state, charge_commitments, first)
    assert state.players[P1].influence[ACA] == 1
    assert state.commitments[CommitmentId("COM-1")].last_charged_at == first
    for later in (6 * HOUR, 7 * HOUR, DAY, 6 * DAY, 7 * DAY - 1):  # within the week: no charge
        tx = Tx(state)
        charge_commitments(tx, Instant(first + later))
        assert tx.events == []
        assert tx.state == state
    tx = Tx(state)
    charge_commitments(tx, Instant(first + 7 * DAY))  # a week later: charged again
    charged = [e for e in tx.events if isinstance(e, CommitmentCharged)]
    assert [(e.cost, e.paid, e.shortfall, e.debt_after, e.overdue) for e in charged] == [
        (3, 1, 2, 2, False)
    ]
    assert apply_all(state, tx.events) == tx.state
    state = tx.state
    assert state.players[P1].influence[ACA] == 0
    assert owed(state, P1, ACA, DebtSource.SEASONAL) == 2
    assert state.commitments[CommitmentId("COM-1")].last_charged_at == first + 7 * DAY
    state = step(state, charge_commitments, first + 13 * DAY)  # 6 days later: no charge
    assert owed(state, P1, ACA, DebtSource.SEASONAL) == 2
    assert state.players[P1].reputation == 0
    state = step(state, charge_commitments, first + 14 * DAY)
    assert owed(state, P1, ACA, DebtSource.SEASONAL) == 5
    # Seasonal debt 5 >= 4: a reprisal; the balance is 0, so 1 reputation.
    assert state.players[P1].reputation == -1
    state = step(state, charge_commitments, T0 + 28 * DAY)
    assert state.commitments[CommitmentId("COM-1")].status is RecordStatus.COMPLETED
    before = state
    state = step(state, charge_commitments, T0 + 29 * DAY)
    assert owed(state, P1, ACA, DebtSource.SEASONAL) == owed(before, P1, ACA, DebtSource.SEASONAL)


# --- projects --------------------------------------------------------------------------------


def create_project(state: CampaignState, target: float = 1.0) -> CampaignState:
    cmd = CreateProject(actor=ADMIN, at=T0, name=" Grand Survey ", faction=GOV, target=target)
    result = run(state, cmd)
    assert apply_all(state, result.events) == result.state
    return result.state


@pytest.mark.parametrize(
    ("name", "faction", "target"),
    [
        ("", GOV, 5.0),
        ("x" * 65, GOV, 5.0),
        ("ok", "nope", 5.0),
        ("ok", GOV, 0.0),
        ("ok", GOV, math.nan),
    ],
)
def test_create_project_refusals(name: str, faction: Faction, target: float) -> None:
    cmd = CreateProject(actor=ADMIN, at=T0, name=name, faction=faction, target=target)
    with pytest.raises(InvalidInput):
        run(make_state(), cmd)


def test_project_advances_and_rewards_the_digest_contributors() -> None:
    players = [
        make_player("p1", influence=influence(government=5)),  # 0.4 + 0.1 = 0.5 per digest
        make_player("p2", influence=influence()),  # 0 + 0 = 0: no contribution
    ]
    state = create_project(make_state(players=players), target=1.0)
    project_id = ProjectId("PRJ-1")
    assert state.projects[project_id].name == "Grand Survey"
    state = step(state, advance_projects, T0 + DAY)
    assert state.projects[project_id].progress == pytest.approx(0.5)
    assert state.projects[project_id].contributors == {P1}
    tx = Tx(state)
    advance_projects(tx, Instant(T0 + 2 * DAY))
    ended = [e for e in tx.events if isinstance(e, ProjectEnded)]
    assert [(e.status, e.rewarded) for e in ended] == [(RecordStatus.COMPLETED, (P1,))]
    assert tx.state.players[P1].influence[GOV] == 6  # +6, capped at 6
    assert tx.state.players[P2].influence[GOV] == 0
    after = step(tx.state, advance_projects, T0 + 3 * DAY)
    assert after.projects[project_id] == tx.state.projects[project_id]


def test_project_without_contributions_waits() -> None:
    state = create_project(make_state(players=[make_player("p1", influence=influence())]))
    tx = Tx(state)
    advance_projects(tx, Instant(T0 + DAY))
    assert not tx.events


def test_update_project() -> None:
    state = create_project(make_state(players=[make_player("p1")]))
    cmd = UpdateProject(
        actor=ADMIN, at=T0, project=ProjectId("PRJ-1"), status=RecordStatus.CANCELLED
    )
    done = run(state, cmd).state
    assert done.projects[ProjectId("PRJ-1")].status is RecordStatus.CANCELLED
    with pytest.raises(Conflict):
        run(done, cmd)
    with pytest.raises(NotFound):
        run(state, dataclasses.replace(cmd, project=ProjectId("PRJ-7")))
    completed = run(state, dataclasses.replace(cmd, status=RecordStatus.COMPLETED)).state
    assert completed.projects[ProjectId("PRJ-1")].status is RecordStatus.COMPLETED
    assert completed.players == state.players  # an admin completion pays no reward


# --- invest and endow (scenario 18) ----------------------------------------------------------


def test_scenario_18_invest() -> None:
    """Invest 6: -6, and +0.4 feeling from each of the player's scholars under that faction."""
    scholars = [hired("s.a"), hired("s.b"), hired("s.c", faction=GOV), hired("s.d", player="p2")]
    state = make_state(
        players=[make_player("p1", influence=influence(academia=6))], scholars=scholars
    )
    result = run(state, Invest(actor=P1, at=T0, faction=ACA, amount=6, program=" labs "))
    assert apply_all(state, result.events) == result.state
    after = result.state
    assert after.players[P1].influence[ACA] == 0
    key = player_key(P1)
    feelings = {
        sid: after.scholars[ScholarId(sid)].memory.feelings.get(key, 0.0)
        for sid in ("s.a", "s.b", "s.c", "s.d")
    }
    assert feelings == {"s.a": 0.4, "s.b": 0.4, "s.c": 0.0, "s.d": 0.0}
    assert after.contributions[-1].kind == "investment"
    assert after.contributions[-1].program == "labs"


@pytest.mark.parametrize(
    ("cmd", "error"),
    [
        (Invest(actor=P1, at=T0, faction=ACA, amount=2), InvalidInput),  # scenario 18
        (Invest(actor=P1, at=T0, faction=ACA, amount=7), InsufficientInfluence),
        (Invest(actor=P1, at=T0, faction=ACA, amount=3, program="x" * 121), InvalidInput),
        (EndowArchive(actor=P1, at=T0, amount=3), InvalidInput),  # scenario 18
        (EndowArchive(actor=P1, at=T0, amount=7), InsufficientInfluence),
        (EndowArchive(actor=P1, at=T0, amount=4, faction="phantom"), InvalidInput),  # type: ignore[arg-type]
    ],
)
def test_sink_refusals(cmd: Invest | EndowArchive, error: type[Exception]) -> None:
    state = make_state(players=[make_player("p1", influence=influence(academia=6))])
    with pytest.raises(error):
        run(state, cmd)


@pytest.mark.parametrize(
    ("balance", "amount", "symposium", "seasonal", "rep", "left"),
    [
        (12, 12, 0, 0, 1, (0, 0)),  # scenario 18: academia 0, reputation +1
        (6, 6, 2, 0, 0, (0, 0)),  # scenario 18: the debt is cleared, reputation unchanged
        (6, 6, 2, 3, 0, (0, 0)),  # then seasonal debt
        (6, 4, 3, 5, 0, (0, 4)),  # the same amount, shared: symposium first
        (30, 24, 0, 0, 2, (0, 0)),
    ],
)
def test_scenario_18_endow(
    balance: int, amount: int, symposium: int, seasonal: int, rep: int, left: tuple[int, int]
) -> None:
    state = make_state(players=[make_player("p1", influence=influence(academia=balance))])
    debts = [
        Debt(player=P1, faction=ACA, source=src, amount=n)
        for src, n in ((DebtSource.SYMPOSIUM, symposium), (DebtSource.SEASONAL, seasonal))
        if n
    ]
    state = with_debts(state, *debts)
    result = run(state, EndowArchive(actor=P1, at=T0, amount=amount))
    assert apply_all(state, result.events) == result.state
    after = result.state
    assert after.players[P1].influence[ACA] == balance - amount
    assert after.players[P1].reputation == rep
    assert (
        owed(after, P1, ACA, DebtSource.SYMPOSIUM),
        owed(after, P1, ACA, DebtSource.SEASONAL),
    ) == left
    assert after.contributions[-1].kind == "endowment"


# --- codec -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        UpkeepCharged(
            at=T0, player=P1, faction=ACA, scholars=2, charge=2, paid=1, debt_paid=0, shortfall=1
        ),
        CommitmentCreated(
            at=T0,
            commitment=Commitment(
                id=CommitmentId("COM-1"),
                player=P1,
                faction=ACA,
                tier="gold",
                base_cost=3,
                starts_at=T0,
                ends_at=T0,
                last_charged_at=T0,
            ),
            by="admin",
            reason="r",
        ),
        CommitmentCharged(
            at=T0,
            commitment=CommitmentId("COM-1"),
            player=P1,
            faction=ACA,
            cost=3,
            relfac=0.125,
            paid=1,
            shortfall=2,
            debt_after=3,
        ),
        CommitmentEnded(
            at=T0, commitment=CommitmentId("COM-1"), status=RecordStatus.COMPLETED, by="system"
        ),
        ProjectCreated(
            at=T0,
            project=Project(
                id=ProjectId("PRJ-1"),
                name="n",
                faction=GOV,
                target=2.5,
                created_at=T0,
                contributors=frozenset({P1, P2}),
            ),
            by="admin",
        ),
        ProjectAdvanced(
            at=T0, project=ProjectId("PRJ-1"), contributions={P1: 0.5, P2: 0.1}, progress=0.6
        ),
        ProjectEnded(
            at=T0, project=ProjectId("PRJ-1"), status=RecordStatus.CANCELLED, by="a", reason="r"
        ),
        Invested(
            at=T0,
            player=P1,
            faction=ACA,
            amount=6,
            program="",
            scholars=(ScholarId("s.a"),),
            feeling=0.4,
        ),
        ArchiveEndowed(
            at=T0, player=P1, faction=ACA, amount=6, program="p", symposium_paid=2, seasonal_paid=0
        ),
    ],
)
def test_codec_round_trip(event: Event) -> None:
    assert decode_event(encode_event(event)) == event
