"""Read-only views: /status, the wager table (section 3.1) and the other player views."""

from __future__ import annotations

import dataclasses

import pytest

from greatwork.rules.constants import Confidence, ExpeditionType, Faction
from greatwork.rules.errors import NotFound
from greatwork.rules.ids import (
    CommitmentId,
    ConferenceCode,
    ExpeditionCode,
    Instant,
    MentorshipId,
    OfferId,
    PlayerId,
    ProjectId,
    ProposalId,
    ScholarId,
    TheoryId,
    TopicId,
)
from greatwork.rules.state import (
    ChainStatus,
    Commitment,
    Conference,
    Contract,
    Contribution,
    Debt,
    DebtSource,
    EmployerKind,
    Expedition,
    ExpeditionStatus,
    Fact,
    Memory,
    Mentorship,
    MentorshipStatus,
    Negotiation,
    Offer,
    OfferKind,
    OfferStatus,
    Pledge,
    PledgeStatus,
    Project,
    Proposal,
    ProposalStatus,
    RecordStatus,
    Scholar,
    Terms,
    Theory,
    TheoryStatus,
    Topic,
    debt_key,
)
from greatwork.rules.view import (
    REPUTATION_BOUNDS,
    ContractLine,
    Status,
    WagerRow,
    commitments_view,
    offers_view,
    projects_view,
    relationships,
    roster,
    scholar_profile,
    status,
    symposium_backlog,
    symposium_standing,
    theory_reference,
    wager_table,
    with_new_player,
)
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
        contracts=(
            ContractLine(ScholarId("s.mine"), "Dr s.mine", None, 0.0, 5),
            ContractLine(ScholarId("s.also"), "Dr s.also", None, 0.0, 5),
        ),
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


# --- the views added for the command catalogue -------------------------------------------------


def _feels(sid: str, **feelings: float) -> Scholar:
    return make_scholar(sid, memory=Memory(feelings=dict(feelings)))


def test_with_new_player_previews_a_newcomer_without_touching_an_existing_one() -> None:
    state = make_state([make_player("p1", reputation=7)])
    assert with_new_player(state, P1, "Ada", T0) is state
    preview = with_new_player(state, P2, "  Bea  ", T0)
    assert preview.players[P2].display_name == "Bea"
    assert preview.players[P2].influence == influence(
        academia=2, government=2, industry=2, religion=2, foreign=2
    )
    assert P2 not in state.players


def test_status_lists_contracts_relationships_commitments_and_contributions() -> None:
    mine = dataclasses.replace(
        _feels("s.mine", **{"p:p1": 2.5}),
        contract=Contract(
            employer="p1", kind=EmployerKind.PLAYER, term_years=3, faction=Faction.INDUSTRY
        ),
    )
    scarred = dataclasses.replace(
        _feels("s.angry", **{"p:p1": -4.0}),
        memory=Memory(feelings={"p:p1": -4.0}, scars=frozenset({("defection", "p:p1")})),
    )
    commitment = Commitment(
        id=CommitmentId("COM-1"),
        player=P1,
        faction=Faction.RELIGION,
        tier="standard",
        base_cost=3,
        starts_at=T0,
        ends_at=Instant(T0 + 28 * 86_400),
    )
    ended = dataclasses.replace(commitment, id=CommitmentId("COM-2"), status=RecordStatus.CANCELLED)
    gifts = (
        Contribution(player=P1, kind="investment", faction=Faction.INDUSTRY, amount=3, at=T0),
        Contribution(player=P1, kind="investment", faction=Faction.INDUSTRY, amount=6, at=T0),
        Contribution(player=P1, kind="endowment", faction=Faction.ACADEMIA, amount=4, at=T0),
        Contribution(player=P2, kind="endowment", faction=Faction.ACADEMIA, amount=9, at=T0),
    )
    state = make_state(
        [make_player("p1"), make_player("p2")],
        [mine, scarred, _feels("s.calm"), _feels("s.other", **{"p:p2": 5.0})],
        commitments={commitment.id: commitment, ended.id: ended},
        contributions=gifts,
    )
    view = status(state, P1)
    assert view.contracts == (
        ContractLine(ScholarId("s.mine"), "Dr s.mine", Faction.INDUSTRY, 2.5, 5),
    )
    assert [(r.scholar, r.feeling, r.scarred) for r in view.relationships] == [
        ("s.angry", -4.0, True),
        ("s.mine", 2.5, False),
    ]
    assert view.relationships[0].bonus == pytest.approx(-0.08)
    assert [c.commitment.id for c in view.commitments] == ["COM-1"]
    assert view.commitments[0].next_cost == 3
    assert view.invested == {Faction.INDUSTRY: 9}
    assert view.endowed == {Faction.ACADEMIA: 4}


def test_relationships_keep_the_strongest_few() -> None:
    scholars = [_feels(f"s.{i}", **{"p:p1": float(i - 4)}) for i in range(9)]
    lines = relationships(make_state([make_player("p1")], scholars), P1, limit=3)
    assert [line.scholar for line in lines] == ["s.0", "s.8", "s.1"]


def test_scholar_profile_from_the_viewers_point_of_view() -> None:
    facts = tuple(Fact(at=Instant(T0 + i), kind="expedition", subject=f"X-{i}") for i in range(7))
    record = dataclasses.replace(
        make_scholar("s.one"),
        memory=Memory(
            facts=facts,
            feelings={"p:p1": -2.0, "p:p2": 6.0, "f:industry": 1.0},
            scars=frozenset({("defection", "p:p1")}),
        ),
    )
    mentorship = Mentorship(
        id=MentorshipId("M-1"),
        player=P2,
        scholar=ScholarId("s.one"),
        created_at=T0,
        status=MentorshipStatus.ACTIVE,
    )
    state = make_state(
        [make_player("p1"), make_player("p2")],
        [record],
        mentorships={mentorship.id: mentorship},
    )
    profile = scholar_profile(state, ScholarId("s.one"), P1)
    assert profile.scholar is record
    assert profile.mentorship == mentorship
    assert [f.subject for f in profile.recent_facts] == ["X-6", "X-5", "X-4", "X-3", "X-2"]
    assert profile.strongest[0] == ("p:p2", 6.0)
    assert (profile.feeling, profile.scarred) == (-2.0, True)
    assert profile.relationship == pytest.approx(-0.04)
    seen_by_p2 = scholar_profile(state, ScholarId("s.one"), P2)
    assert (seen_by_p2.feeling, seen_by_p2.scarred) == (6.0, False)
    assert seen_by_p2.relationship == pytest.approx(0.17)  # 0.12 + 0.05 as the active mentor
    with pytest.raises(NotFound, match=r"s\.none"):
        scholar_profile(state, ScholarId("s.none"), P1)


def test_roster_sorts_by_name_ignoring_quotes() -> None:
    scholars = [
        make_scholar("s.b", name="Dr Bea"),
        make_scholar("s.q", name='"Boom" Alder'),
        make_scholar("s.c", name="Dr Ann"),
    ]
    assert [s.id for s in roster(make_state([], scholars))] == ["s.q", "s.c", "s.b"]


def test_theory_reference_is_newest_first_with_days_left_and_conferences() -> None:
    at = Instant(T0 + 86_400 + 3600)
    old = dataclasses.replace(
        _theory("T-1", P1, TheoryStatus.OPEN), deadline=Instant(T0 + 3 * 86_400)
    )
    settled = dataclasses.replace(
        _theory("T-2", P2, TheoryStatus.REFUTED), created_at=Instant(T0 + 60)
    )
    new = dataclasses.replace(_theory("T-10", P1, TheoryStatus.OPEN), created_at=Instant(T0 + 60))
    conference = Conference(
        code=ConferenceCode("CONF-1"),
        player=P1,
        theory=TheoryId("T-1"),
        confidence=Confidence.SUSPECT,
        launched_at=T0,
    )
    state = make_state(
        [make_player("p1"), make_player("p2")],
        theories={t.id: t for t in (old, settled, new)},
        conferences={conference.code: conference},
    )
    lines = theory_reference(state, at, 8)
    assert [t.id for t in lines] == ["T-10", "T-2", "T-1"]
    assert [t.days_left for t in lines] == [6, None, 2]
    assert [t.conference for t in lines] == [None, None, "CONF-1"]
    assert [t.id for t in theory_reference(state, at, 1)] == ["T-10"]
    assert theory_reference(make_state(), at, 8) == ()


def test_symposium_standing_and_backlog() -> None:
    topic = Topic(
        id=TopicId("SYM-1"),
        title="Truth",
        description="Found or made?",
        launched_at=T0,
        number=1,
        votes={P1: 2},
        pledges={
            P1: Pledge(amount=2, faction=Faction.ACADEMIA, status=PledgeStatus.FULFILLED),
            P2: Pledge(amount=3, faction=Faction.ACADEMIA),
        },
    )
    later = Instant(T0 + 3 * 86_400)
    proposals = (
        Proposal(ProposalId("PROP-1"), P1, "Old", "first", T0),
        Proposal(ProposalId("PROP-2"), P2, "New", "second", Instant(T0 + 86_400)),
        Proposal(ProposalId("PROP-3"), P2, "Gone", "x", T0, status=ProposalStatus.EXPIRED),
    )
    debts = (
        Debt(player=P2, faction=Faction.ACADEMIA, source=DebtSource.SYMPOSIUM, amount=4),
        Debt(player=P1, faction=Faction.RELIGION, source=DebtSource.SYMPOSIUM, amount=1),
        Debt(player=P1, faction=Faction.RELIGION, source=DebtSource.SEASONAL, amount=5),
    )
    p2 = make_player("p2", miss_streak=2, grace_used=True, grace_window_start=T0)
    state = make_state(
        [make_player("p1"), p2],
        topics={topic.id: topic},
        open_topic=topic.id,
        proposals={p.id: p for p in proposals},
        debts={debt_key(d.player, d.faction, d.source): d for d in debts},
    )
    mine = symposium_standing(state, P1, later)
    assert (mine.vote, mine.pledge, mine.miss_streak, mine.grace_used) == (
        2,
        topic.pledges[P1],
        0,
        False,
    )
    assert mine.debts == {Faction.RELIGION: 1}
    assert mine.next_pledge == 3  # 2 + streak 0 + debt 1
    theirs = symposium_standing(state, P2, later)
    assert theirs.vote is None
    assert theirs.grace_used is True
    assert theirs.grace_resets_at == T0 + 28 * 86_400
    assert theirs.next_pledge == 2 + 2 + 4
    lines, owed = symposium_backlog(state, later)
    assert [line.proposal.id for line in lines] == ["PROP-1", "PROP-2"]
    assert lines[0].age_days == 3.0
    assert lines[0].expires_at == T0 + 28 * 86_400
    assert [(d.player, d.amount) for d in owed] == [(P2, 4), (P1, 1)]
    empty = symposium_standing(make_state([make_player("p1")]), P1, later)
    assert (empty.topic, empty.vote, empty.pledge) == (None, None, None)


def test_offers_view_shows_live_offers_from_either_side() -> None:
    wanted = make_scholar(
        "s.w",
        contract=Contract(
            employer="p2", kind=EmployerKind.PLAYER, term_years=3, faction=Faction.INDUSTRY
        ),
    )
    offer = Offer(
        id=OfferId("OF-1"),
        chain=OfferId("OF-1"),
        scholar=ScholarId("s.w"),
        kind=OfferKind.INITIAL,
        rival=P1,
        patron=P2,
        faction=Faction.GOVERNMENT,
        influence={Faction.ACADEMIA: 2},
        terms=Terms(),
        created_at=T0,
        deadline=Instant(T0 + 86_400),
    )
    old = dataclasses.replace(
        offer, id=OfferId("OF-0"), chain=OfferId("OF-0"), status=OfferStatus.REJECTED
    )
    chains = {
        OfferId("OF-1"): Negotiation(OfferId("OF-1"), wanted.id, P1, P2, T0, (OfferId("OF-1"),)),
        OfferId("OF-0"): Negotiation(
            OfferId("OF-0"), wanted.id, P1, P2, T0, (OfferId("OF-0"),), status=ChainStatus.RESOLVED
        ),
    }
    state = make_state(
        [make_player("p1"), make_player("p2"), make_player("p3")],
        [wanted],
        offers={offer.id: offer, old.id: old},
        negotiations=chains,
    )
    (rival,) = offers_view(state, P1, T0)
    (patron,) = offers_view(state, P2, T0)
    assert (rival.offer.id, rival.role, patron.role) == ("OF-1", "rival", "patron")
    assert rival.resolves_at == T0 + 86_400
    assert 0.05 <= rival.probability <= 0.95
    assert rival.probability == patron.probability
    assert offers_view(state, PlayerId("p3"), T0) == ()


def test_projects_view_lists_active_ones_first() -> None:
    projects = [
        Project(
            ProjectId("PRJ-1"), "Done", Faction.INDUSTRY, 10.0, T0, status=RecordStatus.COMPLETED
        ),
        Project(ProjectId("PRJ-2"), "Canal", Faction.INDUSTRY, 50.0, T0, progress=4.5),
        Project(ProjectId("PRJ-10"), "Road", Faction.GOVERNMENT, 20.0, T0),
    ]
    state = make_state(projects={p.id: p for p in projects})
    assert [p.id for p in projects_view(state)] == ["PRJ-2", "PRJ-10", "PRJ-1"]


def test_commitments_view_lists_only_the_players_own() -> None:
    mine = Commitment(
        id=CommitmentId("COM-2"),
        player=P1,
        faction=Faction.RELIGION,
        tier="standard",
        base_cost=4,
        starts_at=T0,
        ends_at=Instant(T0 + 86_400),
    )
    theirs = dataclasses.replace(mine, id=CommitmentId("COM-1"), player=P2)
    state = make_state(
        [make_player("p1", influence=influence(religion=10)), make_player("p2")],
        commitments={mine.id: mine, theirs.id: theirs},
    )
    (line,) = commitments_view(state, P1)
    assert line.commitment == mine
    assert line.relfac == 0.05  # no scholars under religion: 10 / 10 x 0.05
    assert line.next_cost == 4  # round(4 x 0.95), banker's rounding
