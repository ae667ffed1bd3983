"""A small, lived-in campaign for press tests: two players, a handful of scholars, records."""

from __future__ import annotations

import dataclasses

from greatwork.content import load_content
from greatwork.rules.constants import (
    DAY,
    HOUR,
    Confidence,
    Depth,
    ExpeditionType,
    Faction,
    Outcome,
)
from greatwork.rules.content import Content
from greatwork.rules.ids import (
    CommitmentId,
    ConferenceCode,
    ExpeditionCode,
    Instant,
    MentorshipId,
    OfferId,
    OrderId,
    PlayerId,
    ProjectId,
    ProposalId,
    ScholarId,
    TheoryId,
    TopicId,
)
from greatwork.rules.state import (
    CampaignState,
    Commitment,
    Conference,
    Contract,
    EmployerKind,
    Expedition,
    ExpeditionResult,
    ExpeditionStatus,
    Landmark,
    Mentorship,
    MentorshipStatus,
    Negotiation,
    Offer,
    OfferKind,
    Order,
    Pledge,
    Project,
    Proposal,
    Sidecast,
    SidecastKind,
    Terms,
    Theory,
    TheoryStatus,
    Topic,
)
from tests.rules.builders import T0, make_player, make_scholar, make_state

REAL: Content = load_content()

ADA, BRAM = PlayerId("p1"), PlayerId("p2")
AMES, BELL, COLE, DUNN, OLD = (
    ScholarId(s) for s in ("s.ames", "s.bell", "s.cole", "s.dunn", "s.old")
)
T1, T2 = TheoryId("T-1"), TheoryId("T-2")
LATER = Instant(T0 + DAY)


def field_deep(entry_outcome: Outcome) -> str:
    """The key of a real sideways entry for a deep field expedition with this outcome."""
    return next(
        e.key
        for e in REAL.sideways
        if ExpeditionType.FIELD in e.types
        and Depth.DEEP in e.depths
        and entry_outcome in e.outcomes
    )


def _expedition(code: str, **overrides: object) -> Expedition:
    base = Expedition(
        code=ExpeditionCode(code),
        player=ADA,
        type=ExpeditionType.FIELD,
        objective="the drowned city",
        confidence=Confidence.CERTAIN,
        launched_at=T0,
        team=(AMES,),
        funding=(Faction.ACADEMIA, Faction.GOVERNMENT),
        paid={Faction.ACADEMIA: 1, Faction.GOVERNMENT: 1},
        theory=T1,
        prep=10,
        expertise=5,
        friction=-5,
        depth=Depth.DEEP,
        status=ExpeditionStatus.RESOLVED,
    )
    return dataclasses.replace(base, **overrides)  # type: ignore[arg-type]


def result(outcome: Outcome, roll: int, delta: int, **overrides: object) -> ExpeditionResult:
    """A resolution rolled ``roll`` with the world's +10 modifier."""
    base = ExpeditionResult(
        roll=roll,
        final=roll + 10,
        outcome=outcome,
        reputation_delta=delta,
        resolved_at=LATER,
        digest=2,
    )
    return dataclasses.replace(base, **overrides)  # type: ignore[arg-type]


def world() -> CampaignState:
    """The campaign every table row reads."""
    ada = make_player(ADA, display_name="Ada", reputation=12)
    bram = make_player(BRAM, display_name="Bram")
    hired = Contract(employer=ADA, kind=EmployerKind.PLAYER, term_years=3, faction=Faction.ACADEMIA)
    ames = make_scholar(AMES, name="Dr Ames", contract=hired, catchphrase="Show me {evidence}.")
    bell = make_scholar(BELL, name="Dr Bell")
    cole = make_scholar(
        COLE,
        name="Dr Cole",
        contract=hired,
        sidecast=Sidecast(kind=SidecastKind.LOCAL_JUNIOR, sponsor=ADA, spawned_at=T0),
    )
    dunn = make_scholar(DUNN, name="Dr Dunn")
    old = make_scholar(OLD, name="Dr Old", archetype="Trickster")
    theories = {
        T1: Theory(
            id=T1,
            player=ADA,
            text="Bronze Age flight",
            confidence=Confidence.CERTAIN,
            created_at=T0,
            deadline=Instant(T0 + 7 * DAY),
            supporters=(BELL,),
        ),
        T2: Theory(
            id=T2,
            player=BRAM,
            text="The tin routes ran north",
            confidence=Confidence.SUSPECT,
            created_at=T0,
            deadline=Instant(T0 + 7 * DAY),
            status=TheoryStatus.LAPSED,
        ),
    }
    expeditions = {
        x.code: x
        for x in (
            _expedition("AX-S", result=result(Outcome.SUCCESS, 60, 5)),
            _expedition("AX-L"),
            _expedition("AX-P", team=()),
            _expedition("AX-F"),
            _expedition("AX-Q", status=ExpeditionStatus.CANCELLED, player=BRAM),
        )
    }
    conferences = {
        ConferenceCode("CONF-1"): Conference(
            code=ConferenceCode("CONF-1"),
            player=ADA,
            theory=T1,
            confidence=Confidence.SUSPECT,
            launched_at=T0,
            supporters=(BELL,),
            opposition=(DUNN,),
        )
    }
    mentorship = Mentorship(
        id=MentorshipId("M-1"),
        player=ADA,
        scholar=AMES,
        created_at=T0,
        status=MentorshipStatus.ACTIVE,
    )
    offer = Offer(
        id=OfferId("O-1"),
        chain=OfferId("O-1"),
        scholar=AMES,
        kind=OfferKind.INITIAL,
        rival=BRAM,
        patron=ADA,
        faction=Faction.FOREIGN,
        influence={Faction.GOVERNMENT: 3},
        terms=Terms(exclusive_research=True),
        created_at=T0,
        deadline=Instant(T0 + 24 * HOUR),
    )
    counter = dataclasses.replace(
        offer,
        id=OfferId("O-2"),
        kind=OfferKind.COUNTER,
        influence={Faction.ACADEMIA: 2},
        terms=Terms(),
        deadline=Instant(T0 + 36 * HOUR),
    )
    chain = Negotiation(
        id=OfferId("O-1"),
        scholar=AMES,
        rival=BRAM,
        patron=ADA,
        opened_at=T0,
        offers=(offer.id, counter.id),
    )
    topic = Topic(
        id=TopicId("SYM-1"),
        title="The Nature of Truth",
        description="Is truth found or made?",
        launched_at=T0,
        number=1,
        votes={ADA: 3},
        pledges={ADA: Pledge(3, Faction.ACADEMIA), BRAM: Pledge(4, Faction.GOVERNMENT)},
    )
    proposal = Proposal(
        id=ProposalId("P-1"),
        player=BRAM,
        topic="Who owns a discovery?",
        description="Finders, funders or the public.",
        created_at=T0,
    )
    commitment = Commitment(
        id=CommitmentId("COM-1"),
        player=ADA,
        faction=Faction.GOVERNMENT,
        tier="Gold",
        base_cost=3,
        starts_at=T0,
        ends_at=Instant(T0 + 28 * DAY),
    )
    project = Project(
        id=ProjectId("PRJ-1"),
        name="Grand Survey",
        faction=Faction.INDUSTRY,
        target=10.0,
        created_at=T0,
    )
    order = Order(id=OrderId("ORD-1"), type="followup:opportunity", created_at=T0)
    landmark = Landmark(tag="Sky Roads", player=ADA, expedition=ExpeditionCode("AX-L"), at=LATER)
    return make_state(
        [ada, bram],
        [ames, bell, cole, dunn],
        year=1921,
        retired={OLD: old},
        theories=theories,
        expeditions=expeditions,
        conferences=conferences,
        mentorships={mentorship.id: mentorship},
        offers={offer.id: offer, counter.id: counter},
        negotiations={chain.id: chain},
        topics={topic.id: topic},
        open_topic=topic.id,
        proposals={proposal.id: proposal},
        commitments={commitment.id: commitment},
        projects={project.id: project},
        orders={order.id: order},
        landmarks=(landmark,),
    )
