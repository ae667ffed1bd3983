"""The digest's highlights (section 3.16 step 3): "Coming up" within 24 hours of a digest."""

from __future__ import annotations

import dataclasses
import random

import pytest

from greatwork.bot.gazette import lead_story
from greatwork.content._press import caps_for
from greatwork.press.compose import compose
from greatwork.press.highlights import (
    LINE_CAP,
    MAX_SHOWN,
    TITLE_CAP,
    WINDOW,
    upcoming,
    when_text,
)
from greatwork.press.item import PressDraft, PressItem
from greatwork.rules.conference import RESOLUTION_ORDER
from greatwork.rules.constants import DAY, HOUR, Confidence
from greatwork.rules.digest import DigestCompleted, DigestStarted
from greatwork.rules.ids import (
    ExpeditionCode,
    Instant,
    MentorshipId,
    OrderId,
    ScholarId,
    TheoryId,
    TopicId,
)
from greatwork.rules.mentorship import ACTIVATION_ORDER
from greatwork.rules.negotiation import DEADLINE_ORDER
from greatwork.rules.proposal import PROPOSAL_LIFETIME
from greatwork.rules.sidecast import phase_order_type
from greatwork.rules.sideways import OPPORTUNITY_ORDER
from greatwork.rules.state import (
    CampaignState,
    ChainStatus,
    ExpeditionStatus,
    Mentorship,
    Order,
    OrderStatus,
    ProposalStatus,
    RecordStatus,
    Theory,
    TheoryStatus,
)
from greatwork.rules.symposium import REMINDER_ORDER
from greatwork.rules.theory import TheoryLapsed
from tests.press.world import ADA, BRAM, COLE, REAL, T1, world
from tests.rules.builders import T0

AT = Instant(T0 + 13 * HOUR)  # a 13:00 digest on 1 January 2026
SEQ = 700
HIGHLIGHTS = "digest_highlights"


def _quiet() -> CampaignState:
    """The world with nothing due: its open theory, proposal, chain and commitment settled."""
    state = world()
    return dataclasses.replace(
        state,
        theories={
            k: dataclasses.replace(t, status=TheoryStatus.LAPSED) for k, t in state.theories.items()
        },
        proposals={
            k: dataclasses.replace(p, status=ProposalStatus.EXPIRED)
            for k, p in state.proposals.items()
        },
        commitments={
            k: dataclasses.replace(c, status=RecordStatus.COMPLETED)
            for k, c in state.commitments.items()
        },
        negotiations={
            k: dataclasses.replace(n, status=ChainStatus.RESOLVED)
            for k, n in state.negotiations.items()
        },
        orders={},
    )


def _order(oid: str, kind: str, due: int | None, **extra: object) -> Order:
    return Order(
        id=OrderId(oid),
        type=kind,
        created_at=T0,
        scheduled_at=None if due is None else Instant(due),
        **extra,  # type: ignore[arg-type]
    )


def _with_orders(state: CampaignState, *orders: Order) -> CampaignState:
    return dataclasses.replace(state, orders={**state.orders, **{o.id: o for o in orders}})


def _theory(state: CampaignState, deadline: int, text: str = "Bronze Age flight") -> CampaignState:
    theory = Theory(
        id=TheoryId("T-9"),
        player=ADA,
        text=text,
        confidence=Confidence.CERTAIN,
        created_at=T0,
        deadline=Instant(deadline),
    )
    return dataclasses.replace(state, theories={**state.theories, theory.id: theory})


def _busy() -> CampaignState:
    """Something of every kind due within the day, and some things just outside it."""
    state = _quiet()
    state = dataclasses.replace(
        state,
        negotiations={
            k: dataclasses.replace(n, status=ChainStatus.OPEN)
            for k, n in state.negotiations.items()
        },
        mentorships={
            MentorshipId("M-2"): Mentorship(
                id=MentorshipId("M-2"), player=BRAM, scholar=ScholarId("s.bell"), created_at=T0
            )
        },
        conferences={
            k: dataclasses.replace(c, launched_at=AT) for k, c in state.conferences.items()
        },
    )
    state = _theory(state, AT + 20 * HOUR)
    return _with_orders(
        state,
        _order("O-10", ACTIVATION_ORDER, None, subject="M-2"),
        _order("O-11", RESOLUTION_ORDER, None, subject="CONF-1", actor=ADA),
        _order("O-12", REMINDER_ORDER, AT + 11 * HOUR, subject="SYM-1", payload={"stage": 1}),
        _order("O-13", REMINDER_ORDER, AT + 23 * HOUR, subject="SYM-1", payload={"stage": 2}),
        _order("O-14", DEADLINE_ORDER, AT + 2 * HOUR, subject="O-1", actor=BRAM),
        _order("O-15", phase_order_type(1), AT + 5 * HOUR, subject=str(COLE), actor=ADA),
        _order(
            "O-16",
            OPPORTUNITY_ORDER,
            AT + DAY + 1,
            subject="AX-S",
            actor=ADA,
            payload={"name": "x"},
        ),
    )


def _highlights(state: CampaignState, at: Instant = AT, number: int = 3) -> list[PressDraft]:
    drafts = compose([(SEQ, DigestCompleted(at=at, number=number))], state, REAL)
    return [d for d in drafts if d.kind == HIGHLIGHTS]


# --- what is listed --------------------------------------------------------------------------


def test_nothing_due_prints_no_item() -> None:
    assert upcoming(_quiet(), REAL, AT) == []
    assert compose([(SEQ, DigestCompleted(at=AT, number=3))], _quiet(), REAL) == []


def test_the_next_digest_comes_first_then_the_timed_things_by_due_time() -> None:
    found = upcoming(_busy(), REAL, AT)
    assert [(u.what, u.due) for u in found] == [
        ("mentorship_activation", None),
        ("conference", None),
        ("offer_deadline", AT + 2 * HOUR),
        ("sidecast_phase", AT + 5 * HOUR),
        ("symposium_call", AT + 11 * HOUR),
        ("theory_deadline", AT + 20 * HOUR),
        ("symposium_call", AT + 23 * HOUR),
    ]  # the opportunity pays a second after the window closes


def test_each_line_names_its_code_its_people_and_when() -> None:
    lines = {u.what: u.line for u in upcoming(_busy(), REAL, AT)}
    assert lines["mentorship_activation"] == "Dr Bell begins lessons with Bram"
    assert "Conference CONF-1 on theory T-1 (Ada)" in lines["conference"]
    assert "Dr Ames (Bram against Ada, O-1) close" in lines["offer_deadline"]
    assert "Dr Cole reaches the integration phase with Ada" in lines["sidecast_phase"]
    assert lines["theory_deadline"] == 'Theory T-9 (Ada, "Bronze Age flight") lapses unless settled'
    calls = [u.line for u in upcoming(_busy(), REAL, AT) if u.what == "symposium_call"]
    assert calls[0].startswith('Symposium No. 1 ("The Nature of Truth"): the first call')
    assert "the final call for votes, 1 pledged still to vote" in calls[1]
    body = _highlights(_busy())[0].body
    assert "at the next digest." in body
    assert "due 1 January, 15:00 UTC." in body  # the offers close two hours after 13:00


def test_things_outside_the_window_are_left_out() -> None:
    state = _theory(_quiet(), AT + WINDOW)
    assert [u.due for u in upcoming(state, REAL, AT)] == [AT + WINDOW]  # the edge is in
    assert upcoming(_theory(_quiet(), AT + WINDOW + 1), REAL, AT) == []
    assert upcoming(_theory(_quiet(), AT), REAL, AT) == []  # a deadline now has lapsed
    assert [u.due for u in upcoming(state, REAL, AT, window=WINDOW - 1)] == []


def test_a_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="must be positive, got 0 seconds"):
        upcoming(_quiet(), REAL, AT, window=0)


def test_a_call_nobody_needs_is_not_listed() -> None:
    state = _with_orders(
        _quiet(), _order("O-12", REMINDER_ORDER, AT + HOUR, subject="SYM-1", payload={"stage": 1})
    )
    assert [u.what for u in upcoming(state, REAL, AT)] == ["symposium_call"]  # Bram has not voted
    topic = state.topics[TopicId("SYM-1")]
    voted = dataclasses.replace(topic, votes={ADA: 1, BRAM: 2})
    everyone = dataclasses.replace(state, topics={topic.id: voted})
    assert upcoming(everyone, REAL, AT) == []


def test_settled_and_finished_things_are_not_listed() -> None:
    state = _busy()
    done = {
        k: dataclasses.replace(o, status=OrderStatus.COMPLETED) for k, o in state.orders.items()
    }
    lapsed = {
        k: dataclasses.replace(t, status=TheoryStatus.VINDICATED) for k, t in state.theories.items()
    }
    assert upcoming(dataclasses.replace(state, orders=done, theories=lapsed), REAL, AT) == []


def test_commitments_proposals_and_expeditions() -> None:
    state = _quiet()
    commitment = next(iter(world().commitments.values()))
    charged = dataclasses.replace(commitment, last_charged_at=Instant(AT - 7 * DAY + HOUR))
    ending = dataclasses.replace(commitment, ends_at=Instant(AT + 3 * HOUR))
    proposal = dataclasses.replace(
        next(iter(world().proposals.values())),
        created_at=Instant(AT + 4 * HOUR - PROPOSAL_LIFETIME),
    )
    expedition = dataclasses.replace(
        world().expeditions[ExpeditionCode("AX-L")], status=ExpeditionStatus.PENDING
    )
    state = dataclasses.replace(
        state,
        commitments={charged.id: charged},
        proposals={proposal.id: proposal},
        expeditions={expedition.code: expedition},
    )
    found = upcoming(state, REAL, AT)
    assert [(u.what, u.due) for u in found] == [
        ("expedition", None),
        ("commitment_charge", AT + HOUR),
        ("proposal_expiry", AT + 4 * HOUR),
    ]
    assert found[0].line == 'Expedition AX-L (Ada, "the drowned city") resolves'
    assert "Ada's weekly Gold dues to Government (COM-1) are charged" in found[1].line
    assert found[2].line == 'Proposal P-1 (Bram, "Who owns a discovery?") expires unchosen'
    ends = dataclasses.replace(state, commitments={ending.id: ending}, proposals={}, expeditions={})
    assert [(u.what, u.due) for u in upcoming(ends, REAL, AT)] == [
        ("commitment_end", AT + 3 * HOUR)
    ]


def test_an_opportunity_prints_its_name_as_words() -> None:
    state = _with_orders(
        _quiet(),
        _order(
            "O-16",
            OPPORTUNITY_ORDER,
            AT + HOUR,
            subject="AX-S",
            actor=ADA,
            payload={"name": "mentorship_roundtable"},
        ),
    )
    (found,) = upcoming(state, REAL, AT)
    assert found.line == 'Ada\'s opportunity "mentorship roundtable" from expedition AX-S pays out'


# --- the item --------------------------------------------------------------------------------


def test_the_item_is_the_digests_own_story() -> None:
    (draft,) = _highlights(_busy())
    assert (draft.at, draft.release_at, draft.seq) == (AT, AT, SEQ)
    assert draft.meta["occasion"] == HIGHLIGHTS
    assert draft.meta["event"] == "DigestCompleted"
    assert draft.meta["digest"] == 3
    assert draft.meta["refs"] == ["M-2", "CONF-1", "O-1", "O-15", "O-12"]
    assert draft.meta["due"] == [None, None, AT + 2 * HOUR, AT + 5 * HOUR, AT + 11 * HOUR]
    assert draft.meta["players"] == [ADA, BRAM]
    assert "Digest No. 3" in draft.headline
    assert draft.headline.endswith("Dr Bell Begins Lessons")


def test_at_most_five_lines_then_a_count() -> None:
    (draft,) = _highlights(_busy())
    lines = [line for line in draft.body.splitlines() if line.startswith("• ")]
    assert len(lines) == MAX_SHOWN
    assert "2 more" in draft.body.splitlines()[-1]
    assert "Theory T-9" not in draft.body  # the sixth thing is counted, not printed
    (one,) = _highlights(_theory(_quiet(), AT + HOUR))
    assert len([line for line in one.body.splitlines() if line.startswith("• ")]) == 1
    assert "more" not in one.body


def test_long_player_text_is_cut_and_the_item_fits_its_caps() -> None:
    long_name = "N" * 64
    state = _quiet()
    state = dataclasses.replace(
        state,
        players={
            k: dataclasses.replace(p, display_name=long_name) for k, p in state.players.items()
        },
    )
    template = _theory(state, AT, "word " * 60).theories[TheoryId("T-9")]
    many = {
        TheoryId(f"T-{20 + n}"): dataclasses.replace(
            template, id=TheoryId(f"T-{20 + n}"), deadline=Instant(AT + (n + 1) * HOUR)
        )
        for n in range(7)
    }
    state = dataclasses.replace(state, theories={**state.theories, **many})
    (draft,) = _highlights(state, number=12345)
    caps = caps_for(HIGHLIGHTS)
    assert len(draft.headline) <= caps.headline
    assert len(draft.body) <= caps.body
    assert not draft.body.endswith("…")  # the body is never cut: its lines are
    for line in draft.body.splitlines()[1:-1]:
        assert len(line) <= LINE_CAP + 2
        quoted = line.split('"')[1]
        assert len(quoted) <= TITLE_CAP
        assert quoted.endswith("…")


def test_the_headline_varies_with_the_digest_and_nothing_draws_randomness() -> None:
    state = _busy()
    before = random.getstate()
    headlines = {_highlights(state, number=n)[0].headline for n in range(1, 30)}
    assert random.getstate() == before
    assert len(headlines) == 29
    drafts = [
        compose([(SEQ + n, DigestCompleted(at=AT, number=3))], state, REAL)[0] for n in range(12)
    ]
    assert len({d.headline.split(":")[0] for d in drafts}) >= 2  # the variants are used
    assert compose([(SEQ, DigestCompleted(at=AT, number=3))], state, REAL) == compose(
        [(SEQ, DigestCompleted(at=AT, number=3))], state, REAL
    )


def test_when_text() -> None:
    assert when_text(None) == "at the next digest"
    assert when_text(Instant(T0 + 8 * DAY + 14 * HOUR)) == "due 9 January, 14:00 UTC"


# --- in the digest ---------------------------------------------------------------------------


def test_it_closes_the_digest_and_never_leads_it() -> None:
    state = _theory(_quiet(), AT + HOUR)
    batch = [
        (SEQ, DigestStarted(at=AT, number=3)),
        (SEQ + 1, TheoryLapsed(at=AT, theory=T1)),
        (SEQ + 2, DigestCompleted(at=AT, number=3)),
    ]
    drafts = compose(batch, state, REAL)
    assert [d.kind for d in drafts] == ["academic_bulletin", HIGHLIGHTS]
    items = [
        PressItem(
            id=n,
            kind=d.kind,
            headline=d.headline,
            body=d.body,
            at=d.at,
            release_at=d.release_at,
            seq=d.seq,
            digest=3,
            meta=d.meta,
        )
        for n, d in enumerate(drafts, start=1)
    ]
    lead = lead_story(items)
    assert lead is not None
    assert lead.kind == "academic_bulletin"
    gossip = dataclasses.replace(items[0], kind="academic_gossip")
    lead = lead_story([gossip, items[1]])  # two kinds the lead order does not rank
    assert lead is not None
    assert lead.kind == "academic_gossip"


def test_records_without_their_order_are_not_listed() -> None:
    # The world's conference and negotiation have no pending order: nothing will run them.
    (draft,) = _highlights(world(), at=Instant(T0 + 6 * DAY + 12 * HOUR), number=4)
    assert "Theory T-1 (Ada" in draft.body
    assert "Conference" not in draft.body
    assert "offers" not in draft.body
