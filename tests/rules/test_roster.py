"""The roster: proc ids, topping up to 20, retiring above 30 (section 2 "Roster")."""

from __future__ import annotations

import dataclasses
import random

import pytest

from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.event import Tx, apply_all
from greatwork.rules.generation import generate_scholar
from greatwork.rules.ids import MentorshipId, PlayerId, ScholarId
from greatwork.rules.memory import remember
from greatwork.rules.order import schedule
from greatwork.rules.rng import scholar_rng
from greatwork.rules.roster import (
    ScholarRetired,
    ScholarSpawned,
    maintain_roster,
    next_scholar_id,
    proc_number,
    retire_scholar,
    retirement_order,
)
from greatwork.rules.sidecast import phase_order_type
from greatwork.rules.state import (
    Contract,
    EmployerKind,
    Fact,
    Memory,
    Mentorship,
    MentorshipStatus,
    OrderStatus,
    Scholar,
)
from tests.rules.builders import T0, FixedRandom, ctx, make_player, make_scholar, make_state


def _stats(scholar: Scholar, loyalty: int) -> Scholar:
    return dataclasses.replace(scholar, stats=dataclasses.replace(scholar.stats, loyalty=loyalty))


def _employed(sid: str, loyalty: int = 5, facts: int = 0) -> Scholar:
    memory = Memory(facts=tuple(Fact(at=T0, kind="x", subject="y") for _ in range(facts)))
    base = make_scholar(
        sid,
        contract=Contract(employer="p1", kind=EmployerKind.PLAYER, term_years=2),
        memory=memory,
    )
    return _stats(base, loyalty)


def _independent(sid: str, loyalty: int = 5, facts: int = 0) -> Scholar:
    return dataclasses.replace(
        _employed(sid, loyalty, facts),
        contract=Contract(employer="Independent", kind=EmployerKind.INDEPENDENT, term_years=2),
    )


@pytest.mark.parametrize(
    ("roster", "retired", "expected"),
    [
        ((), (), "s.proc-001"),
        (("s.ironquill", "s.zathras"), (), "s.proc-001"),
        (("s.proc-001", "s.proc-007", "s.ironquill"), (), "s.proc-008"),
        (("s.proc-003",), ("s.proc-012",), "s.proc-013"),
        (("s.proc-999",), (), "s.proc-1000"),
        (("s.proc-x", "s.procedure"), (), "s.proc-001"),
    ],
)
def test_next_scholar_id(roster: tuple[str, ...], retired: tuple[str, ...], expected: str) -> None:
    state = make_state(
        scholars=[make_scholar(s) for s in roster],
        retired={ScholarId(s): make_scholar(s) for s in retired},
    )
    assert next_scholar_id(state) == expected


def test_proc_number() -> None:
    assert proc_number("s.proc-042") == 42
    assert proc_number("s.ironquill") is None


def test_maintain_roster_tops_up_to_twenty_from_the_seed() -> None:
    state = make_state(scholars=[make_scholar("s.ironquill")])
    tx = Tx(state)
    maintain_roster(tx, ctx(random.Random(1)), T0)
    assert len(tx.state.scholars) == 20
    assert sorted(tx.state.scholars)[1:] == [f"s.proc-{n:03d}" for n in range(1, 20)]
    assert all(isinstance(e, ScholarSpawned) and e.reason == "roster" for e in tx.events)
    content = ctx().content
    for n in (1, 19):
        sid = ScholarId(f"s.proc-{n:03d}")
        expected = generate_scholar(scholar_rng(state.seed, n), sid, content, T0)
        assert tx.state.scholars[sid] == expected
    assert apply_all(state, tx.events) == tx.state


def test_generated_scholars_ignore_the_command_rng() -> None:
    rosters = []
    for rng_seed in (1, 99):
        tx = Tx(make_state())
        maintain_roster(tx, ctx(random.Random(rng_seed)), T0)
        rosters.append(tx.state.scholars)
    assert rosters[0] == rosters[1]
    other = Tx(make_state(seed=4321))
    maintain_roster(other, ctx(), T0)
    assert other.state.scholars != rosters[0]


def test_maintain_roster_between_twenty_and_thirty_does_nothing() -> None:
    state = make_state(scholars=[_independent(f"s.x{n:02d}") for n in range(25)])
    tx = Tx(state)
    maintain_roster(tx, ctx(), T0)
    assert tx.events == []


def test_retirement_order() -> None:
    scholars = [
        _employed("s.a", loyalty=1),
        _independent("s.b", loyalty=5, facts=2),
        _independent("s.c", loyalty=5, facts=0),
        _independent("s.d", loyalty=2, facts=9),
        _independent("s.e", loyalty=5, facts=0),
    ]
    order = [s.id for s in retirement_order(make_state(scholars=scholars))]
    assert order == ["s.d", "s.c", "s.e", "s.b", "s.a"]


def test_above_thirty_retires_the_surplus_and_cleans_up() -> None:
    keep = [_employed(f"s.k{n:02d}", loyalty=9, facts=3) for n in range(30)]
    doomed = [_independent("s.z1", loyalty=1), _independent("s.z2", loyalty=2)]
    mentorship = Mentorship(
        id=MentorshipId("M-1"), player=PlayerId("p1"), scholar=doomed[0].id, created_at=T0
    )
    done = dataclasses.replace(
        mentorship, id=MentorshipId("M-2"), status=MentorshipStatus.COMPLETED
    )
    state = make_state(
        players=[make_player("p1")],
        scholars=[*keep, *doomed],
        mentorships={mentorship.id: mentorship, done.id: done},
    )
    setup = Tx(state)
    about_doomed = schedule(setup, phase_order_type(0), T0, subject=doomed[0].id, actor="p1")
    about_kept = schedule(setup, phase_order_type(0), T0, subject=keep[0].id, actor="p1")
    state = setup.state

    tx = Tx(state)
    maintain_roster(tx, ctx(FixedRandom()), T0)
    after = tx.state
    assert len(after.scholars) == 30
    assert set(after.retired) == {"s.z1", "s.z2"}
    assert after.retired[ScholarId("s.z1")] == doomed[0]
    assert after.orders[about_doomed].status is OrderStatus.CANCELLED
    assert after.orders[about_kept].status is OrderStatus.PENDING
    assert after.mentorships[mentorship.id].status is MentorshipStatus.CANCELLED
    assert after.mentorships[mentorship.id].ended_at == T0
    assert after.mentorships[done.id].status is MentorshipStatus.COMPLETED
    retired = [e for e in tx.events if isinstance(e, ScholarRetired)]
    assert [e.scholar for e in retired] == ["s.z1", "s.z2"]
    assert apply_all(state, tx.events) == after
    assert next_scholar_id(after) == "s.proc-001"


def test_retired_proc_numbers_are_never_reused() -> None:
    state = make_state(scholars=[make_scholar("s.proc-005")])
    tx = Tx(state)
    retire_scholar(tx, ScholarId("s.proc-005"), T0, reason="admin")
    assert next_scholar_id(tx.state) == "s.proc-006"


def test_events_round_trip() -> None:
    scholar = make_scholar("s.proc-001")
    tx = Tx(make_state(scholars=[scholar]))
    remember(tx, scholar.id, "sidecast", "p1", T0)
    events = [
        ScholarSpawned(
            at=T0, scholar=tx.state.scholars[scholar.id], reason="sidecast", sponsor=PlayerId("p1")
        ),
        ScholarSpawned(at=T0, scholar=scholar, reason="roster"),
        ScholarRetired(at=T0, scholar=scholar.id, reason="roster"),
    ]
    for event in events:
        assert decode_event(encode_event(event)) == event
