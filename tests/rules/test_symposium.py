"""The weekly symposium: topics, votes, proposals, pledges, grace and debt (sections 3.8, 3.9).

Section 0 / section 8 changes to the reference, tested here:
- Q-40: a vote tie goes to the lowest option whatever the row order; waiting earns a
  proposal credit (the reference let the newest win) and ties go to the older proposal;
  inactive players (no action for more than 14 days) make no pledge and suffer no reprisal.
- Q-22: a proposal is validated before anything is recorded.
- Section 8 "no reputation effect from the symposium": a two-thirds consensus of at least 3
  votes gives each of its voters +1 reputation.
"""

from __future__ import annotations

import dataclasses
import itertools
import random

import pytest

from greatwork.rules.codec import decode_event, encode_event
from greatwork.rules.constants import DAY, HOUR, Faction
from greatwork.rules.debt import REPRIMAND_ORDER, owed
from greatwork.rules.errors import Conflict, InvalidInput
from greatwork.rules.event import Event, Tx, apply_all
from greatwork.rules.ids import Instant, PlayerId, ProposalId, TopicId
from greatwork.rules.order import STEP_FOLLOWUPS, pending, run_due
from greatwork.rules.player import ReputationChanged
from greatwork.rules.pledge import SymposiumMissed, grace_state, is_active, top_faction
from greatwork.rules.proposal import (
    MAX_PROPOSAL_DESCRIPTION,
    MAX_PROPOSAL_TOPIC,
    ProposalExpired,
    ProposalSubmitted,
    SymposiumPropose,
    best_proposal,
    expire_proposals,
    proposal_score,
)
from greatwork.rules.state import (
    CampaignState,
    Debt,
    DebtSource,
    Player,
    Pledge,
    PledgeStatus,
    Proposal,
    ProposalStatus,
    Topic,
    TopicStatus,
    debt_key,
)
from greatwork.rules.symposium import (
    REMINDER_ORDER,
    SymposiumLaunched,
    SymposiumReminderDue,
    SymposiumResolved,
    SymposiumVote,
    SymposiumVoted,
    launch_symposium,
    winner_of,
)
from tests.rules.builders import T0, ctx, influence, make_player, make_state, run, tiny_content

P1, P2, P3 = PlayerId("p1"), PlayerId("p2"), PlayerId("p3")
WEEK = 7 * DAY


def launch(state: CampaignState, at: int, rng: random.Random | None = None) -> CampaignState:
    """Run a launch in a transaction and check that its events replay to the same state."""
    tx = Tx(state)
    launch_symposium(tx, ctx(rng), Instant(at))
    assert apply_all(state, tx.events) == tx.state
    return tx.state


def vote(state: CampaignState, player: PlayerId, option: int, at: int) -> CampaignState:
    result = run(state, SymposiumVote(actor=player, at=Instant(at), option=option))
    assert apply_all(state, result.events) == result.state
    return result.state


def propose(state: CampaignState, player: PlayerId, at: int, topic: str = "T") -> CampaignState:
    cmd = SymposiumPropose(actor=player, at=Instant(at), topic=topic, description="Why not?")
    result = run(state, cmd)
    assert apply_all(state, result.events) == result.state
    return result.state


def open_topic(state: CampaignState) -> Topic:
    assert state.open_topic is not None
    return state.topics[state.open_topic]


def player(state: CampaignState, pid: PlayerId = P1) -> Player:
    return state.players[pid]


# --- votes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("option", [0, 4, -1])
def test_vote_refuses_unknown_option(option: int) -> None:
    state = launch(make_state(players=[make_player("p1")]), T0)
    with pytest.raises(InvalidInput):
        run(state, SymposiumVote(actor=P1, at=T0, option=option))


def test_vote_needs_an_open_topic() -> None:
    with pytest.raises(Conflict):
        run(make_state(players=[make_player("p1")]), SymposiumVote(actor=P1, at=T0, option=1))


def test_vote_replaces_fulfils_and_resets() -> None:
    p1 = make_player("p1", miss_streak=3, grace_used=True, grace_window_start=T0)
    state = launch(make_state(players=[p1]), T0)
    state = vote(state, P1, 1, T0 + HOUR)
    state = vote(state, P1, 3, T0 + 2 * HOUR)
    topic = open_topic(state)
    assert topic.votes == {P1: 3}
    assert topic.pledges[P1].status is PledgeStatus.FULFILLED
    assert (player(state).miss_streak, player(state).grace_used) == (0, False)
    assert player(state).grace_window_start is None
    assert player(state).last_active_at == T0 + 2 * HOUR


def test_a_newcomer_may_vote_without_a_pledge() -> None:
    state = launch(make_state(players=[make_player("p1")]), T0)
    state = vote(state, P2, 2, T0 + HOUR)  # p2 joins by voting
    assert P2 not in open_topic(state).pledges
    state = launch(state, T0 + WEEK)
    assert state.topics[TopicId("SYM-1")].winner == 2


@pytest.mark.parametrize(
    ("votes", "winner", "tally"),
    [
        ({}, None, (0, 0, 0)),
        ({P1: 2}, 2, (0, 1, 0)),
        ({P1: 3, P2: 2}, 2, (0, 1, 1)),  # tie: lowest option number
        ({P2: 2, P1: 3}, 2, (0, 1, 1)),  # same tie, other row order
        ({P1: 1, P2: 3, P3: 3}, 3, (1, 0, 2)),
        ({P1: 1, P2: 2, P3: 3}, 1, (1, 1, 1)),
    ],
)
def test_winner(votes: dict[PlayerId, int], winner: int | None, tally: tuple[int, ...]) -> None:
    assert winner_of(votes) == (winner, tally)


# --- topics ----------------------------------------------------------------------------------


def test_first_launch_opens_a_default_topic_with_reminders() -> None:
    state = launch(make_state(players=[make_player("p1")]), T0)
    topic = open_topic(state)
    assert topic.id == "SYM-1"
    assert topic.number == 1
    assert topic.status is TopicStatus.VOTING
    assert topic.title in {t.title for t in tiny_content().symposium_topics}
    assert topic.proposer is None
    reminders = pending(state, REMINDER_ORDER)
    assert [o.scheduled_at for o in reminders] == [T0 + 12 * HOUR, T0 + 24 * HOUR]
    assert [o.payload["stage"] for o in reminders] == [1, 2]


def test_default_topic_never_repeats_the_last() -> None:
    state = make_state(players=[make_player("p1")])
    titles = []
    for week in range(6):
        state = launch(state, T0 + week * WEEK, random.Random(week))
        titles.append(open_topic(state).title)
    assert all(a != b for a, b in itertools.pairwise(titles))
    assert state.topics[TopicId("SYM-1")].status is TopicStatus.RESOLVED
    assert state.open_topic == "SYM-6"


def test_default_topic_fallbacks() -> None:
    state = make_state(players=[make_player("p1")])
    one = tiny_content(symposium_topics=tiny_content().symposium_topics[:1])
    for week in range(2):  # a single topic may repeat: there is nothing else
        tx = Tx(state)
        launch_symposium(tx, ctx(content=one), Instant(T0 + week * WEEK))
        state = tx.state
        assert open_topic(state).title == one.symposium_topics[0].title
    tx = Tx(state)
    launch_symposium(tx, ctx(content=tiny_content(symposium_topics=())), Instant(T0 + 3 * WEEK))
    assert open_topic(tx.state).title == "The Great Work Itself"


# --- proposals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topic", "description"),
    [
        ("", "fine"),
        ("   ", "fine"),
        ("fine", ""),
        ("x" * (MAX_PROPOSAL_TOPIC + 1), "fine"),
        ("fine", "y" * (MAX_PROPOSAL_DESCRIPTION + 1)),
    ],
)
def test_proposal_validation(topic: str, description: str) -> None:
    cmd = SymposiumPropose(actor=P1, at=T0, topic=topic, description=description)
    with pytest.raises(InvalidInput):
        run(make_state(players=[make_player("p1")]), cmd)


def test_proposal_is_stripped_and_numbered() -> None:
    cmd = SymposiumPropose(actor=P1, at=T0, topic="  Maps  ", description=" Who draws them? ")
    result = run(make_state(), cmd)
    proposal = result.state.proposals[ProposalId("PROP-1")]
    assert (proposal.topic, proposal.description, proposal.player) == (
        "Maps",
        "Who draws them?",
        P1,
    )
    assert proposal.status is ProposalStatus.PENDING


def test_at_most_three_pending_per_player() -> None:
    state = make_state()
    for i in range(3):
        state = propose(state, P1, T0 + i)
    with pytest.raises(Conflict):
        propose(state, P1, T0 + 5)
    propose(state, P2, T0 + 5)


def test_backlog_holds_twelve() -> None:
    state = make_state()
    for i in range(12):
        state = propose(state, PlayerId(f"p{i // 3}"), T0 + i)
    with pytest.raises(Conflict):
        propose(state, PlayerId("p99"), T0 + 20)


def test_proposals_expire_after_28_days() -> None:
    state = propose(make_state(), P1, T0)
    state = propose(state, P2, T0 + DAY)
    tx = Tx(state)
    expire_proposals(tx, Instant(T0 + 28 * DAY - 1))
    assert not tx.events
    expire_proposals(tx, Instant(T0 + 28 * DAY))
    assert [e.proposal for e in tx.events if isinstance(e, ProposalExpired)] == ["PROP-1"]
    assert tx.state.proposals[ProposalId("PROP-1")].status is ProposalStatus.EXPIRED
    assert (
        best_proposal(tx.state, Instant(T0 + 28 * DAY)) == tx.state.proposals[ProposalId("PROP-2")]
    )
    assert best_proposal(state, Instant(T0 + 28 * DAY)) == state.proposals[ProposalId("PROP-2")]


def _proposal(pid: str, player: str, created: int) -> Proposal:
    return Proposal(
        id=ProposalId(pid),
        player=PlayerId(player),
        topic=pid,
        description="d",
        created_at=Instant(created),
    )


@pytest.mark.parametrize(
    ("age_days", "recent", "score"),
    [
        (0, False, 0.5),
        (14, False, 1.0),
        (28, False, 1.5),
        (40, False, 1.5),
        (0, True, -0.75),
        (7, True, -0.5),
    ],
)
def test_proposal_score(age_days: int, recent: bool, score: float) -> None:
    proposal = _proposal("PROP-1", "p1", T0)
    recents = frozenset({P1}) if recent else frozenset()
    assert proposal_score(proposal, Instant(T0 + age_days * DAY), recents) == pytest.approx(score)


def test_selection_prefers_older_and_fresh_voices() -> None:
    # Two proposals made at the same instant score the same: the older id wins the tie.
    state = propose(make_state(), P2, T0, "second player")
    state = propose(state, P1, T0, "first player")
    launched = launch(state, T0)
    assert open_topic(launched).proposal == "PROP-1"
    assert launched.proposals[ProposalId("PROP-1")].status is ProposalStatus.SELECTED
    assert open_topic(launched).proposer == P2
    # A fresh proposal does not beat an older one of the same class.
    state = propose(make_state(), P1, T0, "old")
    state = propose(state, P2, T0 + 3 * DAY, "new")
    assert open_topic(launch(state, T0 + 4 * DAY)).title == "old"
    # A proposer with one of the last 4 topics yields to a fresh voice.
    later = propose(launched, P2, T0 + DAY, "p2 again")
    later = propose(later, P3, T0 + 2 * DAY, "p3 first time")
    later = launch(later, T0 + WEEK)
    assert open_topic(later).title == "first player"  # the oldest fresh voice first
    assert open_topic(launch(later, T0 + 2 * WEEK)).title == "p3 first time"


# --- pledges, grace and debt -----------------------------------------------------------------


def test_top_faction_and_activity() -> None:
    assert top_faction(make_player("p1", influence=influence())) is None
    assert top_faction(make_player("p1", influence=influence(religion=3, industry=3))) is (
        Faction.INDUSTRY
    )
    p1 = make_player("p1", last_active_at=T0)
    assert is_active(p1, Instant(T0 + 14 * DAY))
    assert not is_active(p1, Instant(T0 + 14 * DAY + 1))


def _scenario_16(votes_on_topic_2: bool) -> list[CampaignState]:
    state = make_state(players=[make_player("p1", influence=influence(academia=1))])
    states = [launch(state, T0)]  # topic 1
    states.append(launch(states[-1], T0 + WEEK))  # resolves 1, opens 2
    if votes_on_topic_2:
        states[-1] = vote(states[-1], P1, 1, T0 + WEEK + HOUR)
    states.append(launch(states[-1], T0 + 2 * WEEK))  # resolves 2, opens 3
    return states


def test_scenario_16_grace_then_debt() -> None:
    """Scenario 16: academia 1, never votes."""
    s1, s2, s3 = _scenario_16(votes_on_topic_2=False)
    assert s1.topics[TopicId("SYM-1")].pledges[P1] == Pledge(amount=2, faction=Faction.ACADEMIA)
    # Topic 1 resolves: waived, streak 1.
    assert s2.topics[TopicId("SYM-1")].pledges[P1].status is PledgeStatus.WAIVED
    assert player(s2).miss_streak == 1
    assert player(s2).influence[Faction.ACADEMIA] == 1
    # Topic 2: pledge 3; at its resolution 1 deducted, debt 2, status debt.
    assert s2.topics[TopicId("SYM-2")].pledges[P1].amount == 3
    assert s3.topics[TopicId("SYM-2")].pledges[P1].status is PledgeStatus.DEBT
    assert player(s3).influence[Faction.ACADEMIA] == 0
    assert owed(s3, P1, Faction.ACADEMIA, DebtSource.SYMPOSIUM) == 2
    # Topic 3: pledge 6 = 2 + 2 + 2, in no faction (no positive balance).
    assert s3.topics[TopicId("SYM-3")].pledges[P1] == Pledge(amount=6, faction=None)
    assert player(s3).miss_streak == 2


def test_scenario_16_if_the_player_had_voted() -> None:
    _, s2, s3 = _scenario_16(votes_on_topic_2=True)
    assert s2.topics[TopicId("SYM-2")].pledges[P1].status is PledgeStatus.FULFILLED
    assert s3.topics[TopicId("SYM-2")].pledges[P1].status is PledgeStatus.FULFILLED
    assert player(s3).miss_streak == 0
    assert player(s3).influence[Faction.ACADEMIA] == 1
    assert s3.topics[TopicId("SYM-3")].pledges[P1].amount == 2


def test_miss_with_enough_balance_is_forfeited() -> None:
    p1 = make_player(
        "p1", influence=influence(government=5), grace_used=True, grace_window_start=T0
    )
    state = launch(launch(make_state(players=[p1]), T0 + DAY), T0 + DAY + WEEK)
    assert state.topics[TopicId("SYM-1")].pledges[P1].status is PledgeStatus.FORFEITED
    assert player(state).influence[Faction.GOVERNMENT] == 3
    assert not state.debts


def test_broke_player_owes_academia() -> None:
    p1 = make_player("p1", influence=influence(), grace_used=True, grace_window_start=T0)
    state = launch(launch(make_state(players=[p1]), T0 + DAY), T0 + DAY + WEEK)
    missed = state.topics[TopicId("SYM-1")].pledges[P1]
    assert missed == Pledge(amount=2, faction=None, status=PledgeStatus.DEBT)
    assert owed(state, P1, Faction.ACADEMIA, DebtSource.SYMPOSIUM) == 2


def test_grace_window_resets_after_28_days() -> None:
    p1 = make_player("p1", influence=influence(academia=6))
    state = make_state(players=[p1])
    statuses = []
    for week in range(6):
        state = launch(state, T0 + week * WEEK)
        state = dataclasses.replace(  # keep the player active without voting
            state,
            players={
                P1: dataclasses.replace(player(state), last_active_at=Instant(T0 + week * WEEK))
            },
        )
        if week:
            statuses.append(state.topics[TopicId(f"SYM-{week}")].pledges[P1].status)
    waived = PledgeStatus.WAIVED
    assert statuses[0] is waived  # week 1 resolves topic 1: grace, window opens at T0+1w
    assert statuses[4] is waived  # T0+5w: the window (28 days) expired, grace again
    assert waived not in statuses[1:4]


def test_grace_state() -> None:
    p1 = make_player("p1", grace_used=True, grace_window_start=T0)
    assert grace_state(p1, Instant(T0 + DAY)) == (True, T0)
    assert grace_state(p1, Instant(T0 + 28 * DAY)) == (False, None)


def test_launch_pays_symposium_debt_from_balance_first() -> None:
    debt = Debt(player=P1, faction=Faction.RELIGION, source=DebtSource.SYMPOSIUM, amount=4)
    other = Debt(player=P1, faction=Faction.RELIGION, source=DebtSource.SEASONAL, amount=4)
    p1 = make_player("p1", influence=influence(religion=3, academia=1))
    state = make_state(
        players=[p1],
        debts={debt_key(P1, d.faction, d.source): d for d in (debt, other)},
    )
    state = launch(state, T0)
    assert player(state).influence[Faction.RELIGION] == 0
    assert owed(state, P1, Faction.RELIGION, DebtSource.SYMPOSIUM) == 1
    assert owed(state, P1, Faction.RELIGION, DebtSource.SEASONAL) == 4  # not the symposium's
    assert open_topic(state).pledges[P1] == Pledge(amount=3, faction=Faction.ACADEMIA)


def test_scenario_17_reprisal_at_launch() -> None:
    """Scenario 17: symposium debt >= 6, balance 0 after settlement: -1 reputation, level 1."""
    debt = Debt(player=P1, faction=Faction.ACADEMIA, source=DebtSource.SYMPOSIUM, amount=6)
    p1 = make_player("p1", influence=influence(government=2))
    state = make_state(players=[p1], debts={debt_key(P1, debt.faction, debt.source): debt})
    state = launch(state, T0)
    assert player(state).reputation == -1
    record = state.debts[debt_key(P1, Faction.ACADEMIA, DebtSource.SYMPOSIUM)]
    assert (record.reprisal_level, record.last_reprisal_at) == (1, T0)
    assert len(pending(state, REPRIMAND_ORDER)) == 1
    # The pledge counts the debt, capped at 5: 2 + 0 + 5.
    assert open_topic(state).pledges[P1] == Pledge(amount=7, faction=Faction.GOVERNMENT)


def test_inactive_players_make_no_pledge_and_suffer_no_reprisal() -> None:
    """Q-40: a player away for more than 14 days accrues no pledge debt."""
    debt = Debt(player=P1, faction=Faction.ACADEMIA, source=DebtSource.SYMPOSIUM, amount=9)
    away = make_player("p1", influence=influence(), last_active_at=T0)
    state = make_state(players=[away], debts={debt_key(P1, debt.faction, debt.source): debt})
    state = launch(state, T0 + 15 * DAY)
    assert P1 not in open_topic(state).pledges
    assert player(state).reputation == 0
    state = launch(state, T0 + 22 * DAY)
    assert player(state).miss_streak == 0
    assert owed(state, P1, Faction.ACADEMIA, DebtSource.SYMPOSIUM) == 9


# --- reminders -------------------------------------------------------------------------------


def test_reminders_go_to_pledged_non_voters_while_open() -> None:
    state = make_state(players=[make_player("p1"), make_player("p2")])
    state = launch(state, T0)
    state = vote(state, P2, 1, T0 + HOUR)
    tx = Tx(state)
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + 12 * HOUR))
    reminders = [e for e in tx.events if isinstance(e, SymposiumReminderDue)]
    assert reminders == [
        SymposiumReminderDue(
            at=Instant(T0 + 12 * HOUR),
            topic=TopicId("SYM-1"),
            player=P1,
            stage=1,
            pledge=2,
            grace_left=True,
        )
    ]
    assert apply_all(state, tx.events) == tx.state
    # Once the topic has closed, the second reminder does nothing.
    closed = launch(tx.state, T0 + 20 * HOUR)
    tx = Tx(closed)
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + 24 * HOUR))
    assert not any(isinstance(e, SymposiumReminderDue) for e in tx.events)


def test_reminder_stake_at_risk() -> None:
    p1 = make_player("p1", grace_used=True, grace_window_start=T0)
    state = launch(make_state(players=[p1]), T0 + HOUR)
    tx = Tx(state)
    run_due(tx, STEP_FOLLOWUPS, ctx(), Instant(T0 + 2 * DAY))
    stages = [(e.stage, e.grace_left) for e in tx.events if isinstance(e, SymposiumReminderDue)]
    assert stages == [(1, False), (2, False)]


# --- consensus -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ballots", "rewarded"),
    [
        ({P1: 1, P2: 1, P3: 1}, {P1, P2, P3}),
        ({P1: 1, P2: 1, P3: 2}, {P1, P2}),  # exactly two thirds
        ({P1: 1, P2: 2, P3: 3}, set()),
        ({P1: 2, P2: 2}, set()),  # fewer than 3 votes
    ],
)
def test_consensus_reputation(ballots: dict[PlayerId, int], rewarded: set[PlayerId]) -> None:
    state = launch(make_state(players=[make_player(p) for p in ("p1", "p2", "p3")]), T0)
    for pid, option in ballots.items():
        state = vote(state, pid, option, T0 + HOUR)
    tx = Tx(state)
    launch_symposium(tx, ctx(), Instant(T0 + WEEK))
    gains = {e.player for e in tx.events if isinstance(e, ReputationChanged) and e.delta == 1}
    assert gains == rewarded


# --- codec -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        SymposiumLaunched(
            at=T0,
            topic=Topic(
                id=TopicId("SYM-1"),
                title="t",
                description="d",
                launched_at=T0,
                number=1,
                proposer=P1,
                proposal=ProposalId("PROP-1"),
                votes={P2: 3},
                pledges={P1: Pledge(amount=3, faction=None), P2: Pledge(2, Faction.FOREIGN)},
            ),
        ),
        SymposiumVoted(at=T0, topic=TopicId("SYM-1"), player=P1, option=2),
        SymposiumResolved(at=T0, topic=TopicId("SYM-1"), winner=None, tally=(0, 0, 0)),
        SymposiumMissed(
            at=T0,
            topic=TopicId("SYM-1"),
            player=P1,
            status=PledgeStatus.DEBT,
            miss_streak=2,
            grace_used=True,
            grace_window_start=T0,
            faction=Faction.ACADEMIA,
            deducted=1,
            shortfall=2,
        ),
        SymposiumReminderDue(
            at=T0, topic=TopicId("SYM-1"), player=P1, stage=2, pledge=3, grace_left=False
        ),
        ProposalSubmitted(at=T0, proposal=_proposal("PROP-3", "p1", T0)),
        ProposalExpired(at=T0, proposal=ProposalId("PROP-3")),
    ],
)
def test_codec_round_trip(event: Event) -> None:
    assert decode_event(encode_event(event)) == event
