"""Every kind of newsworthy event makes the press it should: one table row per occasion."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest

import greatwork.rules
import greatwork.rules.moderation
from greatwork.press.compose import SILENT, WRITERS, compose
from greatwork.press.item import PressDraft
from greatwork.press.occasions import LAYER_OCCASIONS, OCCASIONS
from greatwork.rules.admin import InfluenceAdjusted, ReputationAdjusted
from greatwork.rules.commitment import CommitmentCharged, CommitmentCreated, CommitmentEnded
from greatwork.rules.conference import ConferenceLaunched, ConferenceResolved
from greatwork.rules.constants import DAY, Confidence, Faction, Outcome
from greatwork.rules.debt import ReprisalApplied, SymposiumReprimandDue
from greatwork.rules.defection import ScholarDefected
from greatwork.rules.digest import DigestCompleted
from greatwork.rules.event import Event, registered_events
from greatwork.rules.expedition import ExpeditionCancelled, ExpeditionLaunched, ExpeditionResolved
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
    TheoryId,
    TopicId,
)
from greatwork.rules.investment import ArchiveEndowed, Invested
from greatwork.rules.mentorship import (
    LabAssigned,
    MentorshipActivated,
    MentorshipCancelled,
    MentorshipCompleted,
    MentorshipQueued,
    ScholarPromoted,
)
from greatwork.rules.negotiation import NegotiationOutcome, NegotiationResolved
from greatwork.rules.offer import OfferCountered, OfferMade
from greatwork.rules.order import OrderCancelled
from greatwork.rules.pause import GameResumed, PauseStarted
from greatwork.rules.pledge import SymposiumMissed
from greatwork.rules.project import ProjectAdvanced, ProjectCreated, ProjectEnded
from greatwork.rules.proposal import ProposalExpired, ProposalSubmitted
from greatwork.rules.recruitment import RecruitAttempted, RecruitmentGrudge
from greatwork.rules.roster import ScholarRetired, ScholarSpawned
from greatwork.rules.sidecast import SidecastNormalised, SidecastPhaseReached
from greatwork.rules.sideways import OpportunityPaid, fill
from greatwork.rules.social import NicknameAdopted, PressShared, TableTalkPosted
from greatwork.rules.state import (
    CampaignState,
    Career,
    Contract,
    DebtSource,
    EmployerKind,
    Mentorship,
    OfferStatus,
    PledgeStatus,
    RecordStatus,
    TheoryStatus,
    Topic,
)
from greatwork.rules.symposium import (
    SymposiumLaunched,
    SymposiumReminderDue,
    SymposiumResolved,
    SymposiumVoted,
)
from greatwork.rules.theory import TheoryLapsed, TheorySettled, TheorySubmitted
from greatwork.rules.timeline import YearsAdvanced
from tests.press.world import (
    ADA,
    AMES,
    BELL,
    BRAM,
    COLE,
    DUNN,
    LATER,
    OLD,
    REAL,
    T1,
    T2,
    field_deep,
    result,
    world,
)
from tests.rules.builders import T0, make_scholar

STATE = world()
AT = Instant(T0 + 3600)
SEQ = 500
PLACEHOLDER = re.compile(r"\{\w+\}")
ADMIN = PlayerId("admin-7")

Build = Callable[[CampaignState], Event]


def _x(code: str) -> ExpeditionCode:
    return ExpeditionCode(code)


def _sideways_text(state: CampaignState) -> str:
    entry = next(e for e in REAL.sideways if e.key == field_deep(Outcome.PARTIAL))
    return fill(entry.text, state.expeditions[_x("AX-P")], state)


def _failure_text(state: CampaignState) -> str:
    expedition = state.expeditions[_x("AX-F")]
    table = REAL.failure_tables[expedition.type][expedition.depth]
    return fill(next(f.text for f in table if f.key == "adjacent_field"), expedition, state)


def _chain(outcome: NegotiationOutcome, **extra: object) -> Build:
    def build(s: CampaignState) -> Event:
        del s
        return NegotiationResolved(
            at=AT,
            chain=OfferId("O-1"),
            outcome=outcome,
            statuses={OfferId("O-1"): OfferStatus.REJECTED},
            probabilities={OfferId("O-1"): 0.3},
            **extra,  # type: ignore[arg-type]
        )

    return build


def _missed(status: PledgeStatus, deducted: int, shortfall: int) -> Build:
    return lambda _: SymposiumMissed(
        at=AT,
        topic=TopicId("SYM-1"),
        player=BRAM,
        status=status,
        miss_streak=2,
        grace_used=True,
        grace_window_start=T0,
        faction=Faction.GOVERNMENT,
        deducted=deducted,
        shortfall=shortfall,
    )


HIRED = Contract(employer=ADA, kind=EmployerKind.PLAYER, term_years=3, faction=Faction.ACADEMIA)

# (occasion, press kind, event builder, texts the headline or body must contain)
ROWS: list[tuple[str, str, Build, list[str]]] = [
    (
        "theory_submitted",
        "academic_bulletin",
        lambda s: TheorySubmitted(at=AT, theory=s.theories[T1]),
        ["Academic Bulletin No. 1", "Ada", '"Bronze Age flight"', "Certain", "Dr Bell"],
    ),
    (
        "theory_raised",
        "academic_bulletin",
        lambda s: TheorySubmitted(
            at=AT,
            theory=dataclasses.replace(
                s.theories[T1], id=TheoryId("T-5"), text="A thesis on ruins", origin="sideways"
            ),
        ),
        ["Academic Bulletin No. 5", "Ada", '"A thesis on ruins"', "8 January 2026"],
    ),
    (
        "theory_vindicated",
        "discovery_report",
        lambda _: TheorySettled(
            at=AT,
            theory=T1,
            status=TheoryStatus.VINDICATED,
            by="expedition:AX-S",
            reputation_delta=5,
        ),
        ["Discovery Report: ", "T-1", "Expedition AX-S", "+5", "Bronze Age flight", "Ada"],
    ),
    (
        "theory_refuted",
        "retraction_notice",
        lambda _: TheorySettled(
            at=AT,
            theory=T1,
            status=TheoryStatus.REFUTED,
            by="conference:CONF-1",
            reputation_delta=-7,
        ),
        ["Retraction Notice: ", "T-1", "Conference CONF-1", "-7"],
    ),
    (
        "theory_lapsed",
        "academic_bulletin",
        lambda _: TheoryLapsed(at=AT, theory=T2),
        ["T-2", "The tin routes ran north", "Bram"],
    ),
    (
        "expedition_launched",
        "research_manifesto",
        lambda s: ExpeditionLaunched(at=AT, expedition=s.expeditions[_x("AX-S")]),
        [
            "Expedition AX-S Manifesto",
            "the drowned city",
            "Dr Ames",
            "1 Academic Institutions and 1 Government",
            "deep",
            "preparation +10 and expertise +5",
            "site and politics -5",
            "Bronze Age flight",
        ],
    ),
    (
        "expedition_success",
        "discovery_report",
        lambda _: ExpeditionResolved(at=AT, code=_x("AX-S"), result=result(Outcome.SUCCESS, 60, 5)),
        ["Discovery Report: Expedition AX-S (Field)", "60 + 10 = 70", "+5", "Dr Ames ("],
    ),
    (
        "expedition_landmark",
        "discovery_report",
        lambda _: ExpeditionResolved(
            at=AT, code=_x("AX-L"), result=result(Outcome.LANDMARK, 80, 15)
        ),
        [
            "Discovery Report: Expedition AX-L (Field)",
            "Landmark",
            "80 + 10 = 90",
            "+15",
            "Sky Roads",
        ],
    ),
    (
        "expedition_partial",
        "discovery_report",
        lambda _: ExpeditionResolved(
            at=AT,
            code=_x("AX-P"),
            result=result(Outcome.PARTIAL, 40, 2, sideways=field_deep(Outcome.PARTIAL)),
        ),
        ["Partial Discovery Report: Expedition AX-P (Field)", "40 + 10 = 50", "+2"],
    ),
    (
        "expedition_failure",
        "retraction_notice",
        lambda _: ExpeditionResolved(
            at=AT,
            code=_x("AX-F"),
            result=result(Outcome.FAILURE, 10, -7, failure="adjacent_field"),
        ),
        ["Retraction Notice: Expedition AX-F (Field)", "10 + 10 = 20", "-7", "Dr Ames ("],
    ),
    (
        "opportunity_paid",
        "opportunity_unlocked",
        lambda _: OpportunityPaid(
            at=AT,
            player=ADA,
            name="dignitary_contract",
            expedition="AX-P",
            influence={Faction.GOVERNMENT: 3},
            reputation=1,
        ),
        ["dignitary contract", "AX-P", "3 Government and +1 reputation", "Ada"],
    ),
    (
        "conference_scheduled",
        "conference_scheduled",
        lambda s: ConferenceLaunched(at=AT, conference=s.conferences[ConferenceCode("CONF-1")]),
        ["Conference CONF-1", "Bronze Age flight", "Dr Bell", "Dr Dunn", "Suspect"],
    ),
    (
        "conference_called",
        "conference_scheduled",
        lambda s: ConferenceLaunched(
            at=AT,
            conference=dataclasses.replace(
                s.conferences[ConferenceCode("CONF-1")],
                code=ConferenceCode("CONF-2"),
                origin="sideways",
            ),
        ),
        ["Conference CONF-2", "Bronze Age flight", "Dr Bell", "Dr Dunn"],
    ),
    (
        "conference_success",
        "academic_gossip",
        lambda _: ConferenceResolved(
            at=AT,
            code=ConferenceCode("CONF-1"),
            roll=65,
            final=65,
            outcome=Outcome.SUCCESS,
            reputation_delta=2,
        ),
        ["Academic Gossip — The Academy", "CONF-1", "65 + 0 = 65", "+2", "Bronze Age flight"],
    ),
    (
        "conference_partial",
        "academic_gossip",
        lambda _: ConferenceResolved(
            at=AT,
            code=ConferenceCode("CONF-1"),
            roll=45,
            final=45,
            outcome=Outcome.PARTIAL,
            reputation_delta=1,
        ),
        ["Academic Gossip — The Academy", "CONF-1", "45 + 0 = 45", "+1", "Bronze Age flight"],
    ),
    (
        "conference_failure",
        "academic_gossip",
        lambda _: ConferenceResolved(
            at=AT,
            code=ConferenceCode("CONF-1"),
            roll=20,
            final=20,
            outcome=Outcome.FAILURE,
            reputation_delta=-1,
        ),
        ["Academic Gossip — The Academy", "CONF-1", "20 + 0 = 20", "-1", "Ada"],
    ),
    (
        "recruit_success",
        "recruitment_report",
        lambda _: RecruitAttempted(
            at=AT,
            scholar=BELL,
            player=ADA,
            faction=Faction.RELIGION,
            chance=0.8,
            roll=0.1,
            success=True,
            relationship=0.05,
        ),
        ["Recruitment Report: ", "Dr Bell", "Ada", "Religious Orders", "80%", "+5 points"],
    ),
    (
        "recruit_failure",
        "recruitment_report",
        lambda _: RecruitAttempted(
            at=AT,
            scholar=BELL,
            player=ADA,
            faction=Faction.INDUSTRY,
            chance=0.45,
            roll=0.9,
            success=False,
            relationship=0.0,
        ),
        ["Recruitment Report: ", "Dr Bell", "Ada", "Industry", "45%"],
    ),
    (
        "recruitment_grudge",
        "academic_gossip",
        lambda _: RecruitmentGrudge(at=AT, scholar=BELL, player=ADA),
        ["Academic Gossip — Dr Bell ", "Ada"],
    ),
    (
        "offer_made",
        "negotiation",
        lambda s: OfferMade(at=AT, offer=s.offers[OfferId("O-1")]),
        ["Bram", "Dr Ames", "Ada", "3 Government", "exclusive research", "2 January 2026, 00:00"],
    ),
    (
        "offer_countered",
        "negotiation",
        lambda s: OfferCountered(at=AT, offer=s.offers[OfferId("O-2")], countered=OfferId("O-1")),
        ["Negotiation: Ada ", "Dr Ames", "2 Academic Institutions", "no sweeteners", "12:00 UTC"],
    ),
    (
        "negotiation_defected",
        "negotiation_resolved",
        _chain(NegotiationOutcome.DEFECTED, winner=OfferId("O-1"), probability=0.6134, roll=0.2),
        ["Negotiation Resolved: ", "Dr Ames", "Bram", "61.3%", "Ada"],
    ),
    (
        "negotiation_stayed",
        "negotiation_resolved",
        _chain(NegotiationOutcome.STAYED, winner=OfferId("O-2"), probability=0.55, roll=0.5),
        ["Negotiation Resolved: ", "Dr Ames", "55.0%", "Bram", "Ada"],
    ),
    (
        "negotiation_rejected",
        "negotiation_resolved",
        _chain(NegotiationOutcome.REJECTED, probability=0.3, roll=0.9),
        ["Dr Ames Rejects All Offers", "30.0%"],
    ),
    (
        "negotiation_expired",
        "negotiation_resolved",
        _chain(NegotiationOutcome.EXPIRED, reason="the scholar retired"),
        ["Dr Ames", "the scholar retired"],
    ),
    (
        "defection_forced",
        "defection_notice",
        lambda _: ScholarDefected(
            at=AT,
            scholar=AMES,
            old=HIRED,
            new=Contract(employer="foreign", kind=EmployerKind.FACTION, term_years=3),
            cause="forced",
            by=ADMIN,
            probability=0.9734,
            reason="A better story",
        ),
        ["Dr Ames", "Foreign Powers", "97.3%", "A better story", "Ada", ADMIN],
    ),
    (
        "defection_negotiated",
        "defection_notice",
        lambda _: ScholarDefected(
            at=AT,
            scholar=AMES,
            old=HIRED,
            new=Contract(
                employer=BRAM, kind=EmployerKind.PLAYER, term_years=3, faction=Faction.FOREIGN
            ),
            cause="negotiated",
            by=BRAM,
            probability=0.55,
            roll=0.3,
            ref="O-1",
        ),
        ["Defection Notice: ", "Dr Ames", "Ada", "Bram", "Foreign Powers", "55.0%"],
    ),
    (
        "mentorship_queued",
        "academic_gossip",
        lambda _: MentorshipQueued(
            at=AT,
            mentorship=Mentorship(
                id=MentorshipId("M-2"), player=ADA, scholar=BELL, created_at=AT, track="Industry"
            ),
        ),
        ["Academic Gossip — Dr Bell ", "Ada", "mentorship queued"],
    ),
    (
        "mentorship_activated",
        "academic_gossip",
        lambda _: MentorshipActivated(
            at=AT, mentorship=MentorshipId("M-1"), career=Career("Fellow", "Academia")
        ),
        ["Dr Ames", "Ada", "Fellow", "Academia"],
    ),
    (
        "scholar_promoted",
        "academic_gossip",
        lambda _: ScholarPromoted(
            at=AT, scholar=AMES, mentorship=MentorshipId("M-1"), tier="Professor"
        ),
        ["Academic Gossip — Dr Ames ", "Professor", "Ada"],
    ),
    (
        "mentorship_completed",
        "academic_gossip",
        lambda _: MentorshipCompleted(at=AT, mentorship=MentorshipId("M-1")),
        ["Dr Ames", "Ada", "mentorship complete"],
    ),
    (
        "mentorship_cancelled",
        "academic_gossip",
        lambda _: MentorshipCancelled(
            at=AT, mentorship=MentorshipId("M-1"), reason="the scholar left"
        ),
        ["Dr Ames", "Ada", "the scholar left"],
    ),
    (
        "lab_assigned",
        "academic_gossip",
        lambda _: LabAssigned(
            at=AT,
            scholar=AMES,
            mentorship=MentorshipId("M-1"),
            career=Career("Associate", "Industry"),
        ),
        ["Academic Gossip — Dr Ames ", "Industry", "Ada"],
    ),
    (
        "scholar_joined",
        "academic_gossip",
        lambda _: ScholarSpawned(
            at=AT, scholar=make_scholar("s.new", name="Dr New"), reason="roster"
        ),
        ["Dr New", "Empiricist", "Archaeology", "Independent"],
    ),
    (
        "legend_joined",
        "academic_gossip",
        lambda _: ScholarSpawned(
            at=AT,
            scholar=make_scholar(
                "s.lore",
                name="Dr Lore",
                contract=Contract(
                    employer="Royal Institute", kind=EmployerKind.INSTITUTION, term_years=6
                ),
            ),
            reason="legend",
        ),
        ["Dr Lore", "Royal Institute"],
    ),
    (
        "scholar_retired",
        "academic_gossip",
        lambda _: ScholarRetired(at=AT, scholar=OLD, reason="roster"),
        ["Academic Gossip — Dr Old ", "Trickster"],
    ),
    (
        "sidecast_arrived",
        "academic_gossip",
        lambda s: ScholarSpawned(
            at=LATER,
            scholar=dataclasses.replace(s.scholars[COLE], joined_at=LATER),
            reason="sidecast",
            sponsor=ADA,
        ),
        ["Academic Gossip — Dr Cole", "Ada", "Local Junior", "Expedition AX-S"],
    ),
    (
        "sidecast_debut",
        "academic_gossip",
        lambda _: SidecastPhaseReached(at=AT, scholar=COLE, phase=1),
        ["Academic Gossip — Dr Cole ", "Ada", "Local Junior"],
    ),
    (
        "sidecast_integration",
        "academic_gossip",
        lambda _: SidecastPhaseReached(at=AT, scholar=COLE, phase=2),
        ["Academic Gossip — Dr Cole ", "Ada", "Local Junior"],
    ),
    (
        "sidecast_spotlight",
        "academic_gossip",
        lambda _: SidecastPhaseReached(at=AT, scholar=COLE, phase=3),
        ["Academic Gossip — Dr Cole ", "Ada", "Local Junior"],
    ),
    (
        "sidecast_normalised",
        "academic_gossip",
        lambda _: SidecastNormalised(at=AT, scholar=COLE, loyalty=2),
        ["Academic Gossip — Dr Cole ", "Ada", "loyalty", "2)"],
    ),
    (
        "table_talk",
        "academic_gossip",
        lambda _: TableTalkPosted(at=AT, player=ADA, message="Who took my trowel?"),
        ["Academic Gossip — Ada", '"Who took my trowel?"', "(Context: "],
    ),
    (
        "nickname_adopted",
        "academic_gossip",
        lambda _: NicknameAdopted(at=AT, scholar=AMES, player=ADA, nickname="The Mole"),
        ["Dr Ames", "Ada", '"The Mole"'],
    ),
    (
        "press_shared",
        "academic_gossip",
        lambda _: PressShared(at=AT, player=BRAM, press_id=12),
        ["Academic Gossip — Bram ", "No. 12"],
    ),
    (
        "symposium_launched",
        "symposium_announcement",
        lambda _: SymposiumLaunched(
            at=AT,
            topic=Topic(
                id=TopicId("SYM-2"),
                title="Who owns a discovery?",
                description="Finders, funders or the public.",
                launched_at=AT,
                number=2,
                proposer=BRAM,
                proposal=ProposalId("P-1"),
            ),
        ),
        [
            "Symposium No. 2",
            "Who owns a discovery?",
            "Finders, funders or the public.",
            "1 support, 2 oppose and 3 further study",
            "Bram",
            "waiting: 1",
        ],
    ),
    (
        "symposium_resolved",
        "symposium_resolution",
        lambda _: SymposiumResolved(at=AT, topic=TopicId("SYM-1"), winner=3, tally=(0, 0, 1)),
        ["Symposium No. 1", "Further Study", "1 of 1", "The Nature of Truth", ": Bram"],
    ),
    (
        "symposium_unvoted",
        "symposium_resolution",
        lambda _: SymposiumResolved(at=AT, topic=TopicId("SYM-1"), winner=None, tally=(0, 0, 0)),
        ["Symposium No. 1", "The Nature of Truth", ": Bram"],
    ),
    (
        "symposium_vote",
        "academic_gossip",
        lambda _: SymposiumVoted(at=AT, topic=TopicId("SYM-1"), player=ADA, option=3),
        ["Academic Gossip — Ada ", "further study", "Symposium No. 1"],
    ),
    (
        "pledge_waived",
        "symposium_notice",
        _missed(PledgeStatus.WAIVED, 0, 0),
        ["Symposium Notice: Bram ", "No. 1", "The Nature of Truth"],
    ),
    (
        "pledge_forfeited",
        "symposium_notice",
        _missed(PledgeStatus.FORFEITED, 4, 0),
        ["Symposium Notice: Bram ", "No. 1", "4 Government influence", "absences", ": 2"],
    ),
    (
        "pledge_debt",
        "symposium_notice",
        _missed(PledgeStatus.DEBT, 1, 3),
        ["Symposium Notice: Bram ", "No. 1", "pledge of 4", "3 owed to Government", ": 2"],
    ),
    (
        "proposal_submitted",
        "symposium_proposal",
        lambda s: ProposalSubmitted(at=AT, proposal=s.proposals[ProposalId("P-1")]),
        ["Who owns a discovery?", "Bram", "Finders, funders"],
    ),
    (
        "proposal_expired",
        "symposium_notice",
        lambda _: ProposalExpired(at=AT, proposal=ProposalId("P-1")),
        ["Who owns a discovery?", "Bram"],
    ),
    (
        "reminder_grace",
        "symposium_reminder",
        lambda _: SymposiumReminderDue(
            at=AT, topic=TopicId("SYM-1"), player=BRAM, stage=1, pledge=4, grace_left=True
        ),
        ["First Call", "Bram", "No. 1", "The Nature of Truth", "grace", "4"],
    ),
    (
        "reminder_stake",
        "symposium_reminder",
        lambda _: SymposiumReminderDue(
            at=AT, topic=TopicId("SYM-1"), player=BRAM, stage=1, pledge=4, grace_left=False
        ),
        ["First Call", "Bram", "No. 1", "The Nature of Truth", "pledge of 4 influence"],
    ),
    (
        "reminder_grace_final",
        "symposium_reminder",
        lambda _: SymposiumReminderDue(
            at=AT, topic=TopicId("SYM-1"), player=BRAM, stage=2, pledge=4, grace_left=True
        ),
        ["Final Call", "Bram", "No. 1", "The Nature of Truth", "grace", "4"],
    ),
    (
        "reminder_stake_final",
        "symposium_reminder",
        lambda _: SymposiumReminderDue(
            at=AT, topic=TopicId("SYM-1"), player=BRAM, stage=2, pledge=4, grace_left=False
        ),
        ["Final Call", "Bram", "No. 1", "The Nature of Truth", "pledge of 4 influence"],
    ),
    (
        "symposium_reprimand",
        "symposium_reprimand",
        lambda _: SymposiumReprimandDue(
            at=AT, player=BRAM, faction=Faction.GOVERNMENT, owed=6, level=1
        ),
        ["Symposium Reprimand: Bram", "6 influence to Government", "No. 1"],
    ),
    (
        "reprisal",
        "faction_statement",
        lambda _: ReprisalApplied(
            at=AT,
            player=BRAM,
            faction=Faction.GOVERNMENT,
            source=DebtSource.SEASONAL,
            owed=5,
            level=1,
            influence_lost=2,
            reputation_lost=0,
        ),
        [
            "Faction Statement: Government ",
            "Bram",
            "2 Government influence",
            "a seasonal commitment",
        ],
    ),
    (
        "years_advanced",
        "timeline_update",
        lambda _: YearsAdvanced(at=AT, years=1, year=1922, anchor_day=T0 // 86_400 + 1),
        ["Timeline Update: ", "1922", "1921", "a year gone by"],
    ),
    (
        "digest_highlights",
        "digest_highlights",
        # T-1 (open) falls due T0 + 7 days: half a day after this digest
        lambda _: DigestCompleted(at=Instant(T0 + 6 * DAY + 12 * 3600), number=4),
        ["Digest No. 4", "Theory T-1", "Ada", '"Bronze Age flight"', "8 January, 00:00 UTC"],
    ),
    (
        "reputation_adjusted",
        "admin_action",
        lambda _: ReputationAdjusted(
            at=AT, admin=ADMIN, player=BRAM, delta=5, before=0, after=5, reason="Fair play"
        ),
        ["Admin Action: ", "Bram", ADMIN, "+5", "0 to 5", "Fair play"],
    ),
    (
        "influence_adjusted",
        "admin_action",
        lambda _: InfluenceAdjusted(
            at=AT,
            admin=ADMIN,
            player=BRAM,
            faction=Faction.INDUSTRY,
            delta=-2,
            before=3,
            after=1,
            reason="Correction",
        ),
        ["Admin Action: ", "Bram", "Industry", "-2", "3 to 1", "Correction"],
    ),
    (
        "expedition_cancelled",
        "admin_action",
        lambda _: ExpeditionCancelled(
            at=AT, code=_x("AX-Q"), by=ADMIN, reason="Storms", refund={Faction.ACADEMIA: 1}
        ),
        ["Admin Action: Expedition AX-Q ", "Bram", "1 Academic Institutions", "Storms"],
    ),
    (
        "order_cancelled",
        "admin_action",
        lambda _: OrderCancelled(at=AT, order=OrderId("ORD-1"), reason="Stale", by=ADMIN),
        ["Admin Action: Order ORD-1 ", "opportunity", "Stale", ADMIN],
    ),
    (
        "game_paused",
        "admin_action",
        lambda _: PauseStarted(at=AT, reason="Maintenance", source="admin", by=ADMIN),
        ["Admin Action: ", ADMIN, "Maintenance"],
    ),
    (
        "game_paused_llm",
        "admin_action",
        lambda _: PauseStarted(at=AT, reason="The model failed for 11 minutes", source="llm"),
        ["Admin Action: ", "The model failed for 11 minutes"],
    ),
    (
        "game_resumed",
        "admin_action",
        lambda _: GameResumed(at=AT, by=ADMIN),
        ["Admin Action: ", ADMIN],
    ),
    (
        "game_resumed_llm",
        "admin_action",
        lambda _: GameResumed(at=AT, source="llm"),
        ["Admin Action: ", "resume"],
    ),
    (
        "commitment_created",
        "admin_action",
        lambda s: CommitmentCreated(
            at=AT, commitment=s.commitments[CommitmentId("COM-1")], by=ADMIN, reason="Season two"
        ),
        ["Admin Action: ", "Ada", "Gold", "Government", "29 January 2026", "Season two"],
    ),
    (
        "commitment_ended",
        "admin_action",
        lambda _: CommitmentEnded(
            at=AT,
            commitment=CommitmentId("COM-1"),
            status=RecordStatus.CANCELLED,
            by=ADMIN,
            reason="Mercy",
        ),
        ["Admin Action: Commitment COM-1 ", "cancelled", "Ada", "Mercy"],
    ),
    (
        "project_created",
        "admin_action",
        lambda s: ProjectCreated(at=AT, project=s.projects[ProjectId("PRJ-1")], by=ADMIN),
        ["Admin Action: ", "Industry", "Grand Survey", "target of 10.0", ADMIN],
    ),
    (
        "project_ended",
        "admin_action",
        lambda _: ProjectEnded(
            at=AT, project=ProjectId("PRJ-1"), status=RecordStatus.CANCELLED, by=ADMIN
        ),
        ["Admin Action: Project Grand Survey ", "cancelled", "Industry", ADMIN],
    ),
    (
        "invested",
        "faction_investment",
        lambda _: Invested(
            at=AT,
            player=ADA,
            faction=Faction.ACADEMIA,
            amount=6,
            program="Chairs of Epigraphy",
            scholars=(AMES,),
            feeling=0.4,
        ),
        [
            "Faction Investment: ",
            "Ada",
            "Academic Institutions",
            "6",
            "Chairs of Epigraphy",
            ": 1.",
        ],
    ),
    (
        "endowed",
        "archive_endowment",
        lambda _: ArchiveEndowed(
            at=AT,
            player=ADA,
            faction=Faction.ACADEMIA,
            amount=12,
            program="",
            symposium_paid=2,
            seasonal_paid=0,
        ),
        ["Archive Endowment: ", "Ada", "12 Academic Institutions influence", "2 in debts"],
    ),
    (
        "commitment_charged",
        "seasonal_commitment_update",
        lambda _: CommitmentCharged(
            at=AT,
            commitment=CommitmentId("COM-1"),
            player=ADA,
            faction=Faction.GOVERNMENT,
            cost=3,
            relfac=0.0,
            paid=2,
            shortfall=1,
            debt_after=1,
        ),
        ["Seasonal Commitment: Ada ", "Government", "COM-1", "2", "3", "npaid: 1"],
    ),
    (
        "commitment_completed",
        "seasonal_commitment_complete",
        lambda _: CommitmentEnded(
            at=AT, commitment=CommitmentId("COM-1"), status=RecordStatus.COMPLETED, by="system"
        ),
        ["Seasonal Commitment Complete: Ada ", "Government", "COM-1"],
    ),
    (
        "project_advanced",
        "faction_project_update",
        lambda _: ProjectAdvanced(
            at=AT, project=ProjectId("PRJ-1"), contributions={ADA: 1.5, BRAM: 0.5}, progress=2.0
        ),
        ["Faction Project: Grand Survey ", "2.0 of 10.0", "20%", "Ada and Bram"],
    ),
    (
        "project_completed",
        "faction_project_complete",
        lambda _: ProjectEnded(
            at=AT,
            project=ProjectId("PRJ-1"),
            status=RecordStatus.COMPLETED,
            by="system",
            rewarded=(ADA, BRAM),
        ),
        ["Faction Project Complete: ", "Grand Survey", "Ada and Bram", "6 Industry"],
    ),
]


def _main(drafts: list[PressDraft]) -> list[PressDraft]:
    """The main items, without their layered follow-ups (tests/press/test_layers.py)."""
    return [d for d in drafts if not d.meta.get("layer")]


def _one(event: Event, state: CampaignState = STATE) -> PressDraft:
    drafts = _main(compose([(SEQ, event)], state, REAL))
    assert len(drafts) == 1, drafts
    return drafts[0]


def test_the_table_covers_every_occasion() -> None:
    assert sorted(row[0] for row in ROWS) == sorted(OCCASIONS.keys() - LAYER_OCCASIONS)


@pytest.mark.parametrize(("occasion", "kind", "build", "texts"), ROWS, ids=[row[0] for row in ROWS])
def test_each_event_makes_its_press(
    occasion: str, kind: str, build: Build, texts: list[str]
) -> None:
    event = build(STATE)
    draft = _one(event)
    assert draft.meta["occasion"] == occasion
    assert draft.kind == kind == OCCASIONS[occasion].kind
    text = f"{draft.headline}\n{draft.body}"
    for expected in texts:
        assert expected in text, (expected, text)
    assert not PLACEHOLDER.search(text)
    assert draft.headline
    assert (draft.at, draft.release_at, draft.seq) == (event.at, event.at, SEQ)
    assert draft.meta["event"] == type(event).__name__
    assert draft.meta["year"] == (1922 if occasion == "years_advanced" else STATE.year)


def test_sideways_and_failure_details_are_printed() -> None:
    partial = _one(
        ExpeditionResolved(
            at=AT,
            code=_x("AX-P"),
            result=result(Outcome.PARTIAL, 40, 2, sideways=field_deep(Outcome.PARTIAL)),
        )
    )
    assert _sideways_text(STATE) in partial.body
    assert "Reactions" not in partial.body  # no team, so the paragraph is left out
    assert partial.meta["partial"] is True
    failure = _one(
        ExpeditionResolved(
            at=AT,
            code=_x("AX-F"),
            result=result(Outcome.FAILURE, 10, -7, failure="adjacent_field"),
        )
    )
    assert _failure_text(STATE) in failure.body
    assert failure.meta["failure"] == "adjacent_field"


def test_a_failure_prints_its_table_line_and_its_sideways_discovery() -> None:
    event = ExpeditionResolved(
        at=AT,
        code=_x("AX-F"),
        result=result(
            Outcome.FAILURE, 10, -7, failure="adjacent_field", sideways=field_deep(Outcome.PARTIAL)
        ),
    )
    [draft] = _main(compose([(SEQ, event)], STATE, REAL))
    expedition = STATE.expeditions[_x("AX-F")]
    entry = next(e for e in REAL.sideways if e.key == field_deep(Outcome.PARTIAL))
    assert _failure_text(STATE) in draft.body
    assert fill(entry.text, expedition, STATE) in draft.body
    assert draft.kind == "retraction_notice"


def test_a_landmark_names_the_domain_it_opened_in_the_same_batch() -> None:
    from greatwork.rules.sideways import LandmarkOpened  # noqa: PLC0415 (one test uses it)
    from greatwork.rules.state import Landmark  # noqa: PLC0415 (one test uses it)

    resolved = ExpeditionResolved(at=AT, code=_x("AX-S"), result=result(Outcome.LANDMARK, 90, 5))
    opened = LandmarkOpened(
        at=AT, landmark=Landmark(tag="Cloud Harbours", player=ADA, expedition=_x("AX-S"), at=AT)
    )
    drafts = _main(compose([(SEQ, resolved), (SEQ + 1, opened)], STATE, REAL))
    assert len(drafts) == 1
    assert "Cloud Harbours" in drafts[0].body
    alone = _main(compose([(SEQ, resolved)], STATE, REAL))
    assert "domain" not in alone[0].body  # AX-S opened nothing in the state: no paragraph


def test_the_recorded_sideways_text_wins_over_the_content() -> None:
    resolved = ExpeditionResolved(
        at=AT,
        code=_x("AX-P"),
        result=result(Outcome.PARTIAL, 40, 2, sideways=field_deep(Outcome.PARTIAL)),
    )
    from greatwork.rules.sideways import SidewaysDiscovered  # noqa: PLC0415 (one test uses it)

    found = SidewaysDiscovered(
        at=AT, expedition=_x("AX-P"), player=ADA, key="x", text="A cart of amphorae."
    )
    drafts = _main(compose([(SEQ, resolved), (SEQ + 1, found)], STATE, REAL))
    assert [d.seq for d in drafts] == [SEQ]
    assert "A cart of amphorae." in drafts[0].body


def test_a_resolution_is_a_report_or_a_retraction_never_both() -> None:
    for outcome, kind in [
        (Outcome.FAILURE, "retraction_notice"),
        (Outcome.PARTIAL, "discovery_report"),
        (Outcome.SUCCESS, "discovery_report"),
        (Outcome.LANDMARK, "discovery_report"),
    ]:
        drafts = compose(
            [(SEQ, ExpeditionResolved(at=AT, code=_x("AX-S"), result=result(outcome, 50, 1)))],
            STATE,
            REAL,
        )
        assert [d.kind for d in _main(drafts)] == [kind]


@pytest.mark.parametrize(
    "event",
    [
        OrderCancelled(at=AT, order=OrderId("ORD-1"), reason="s.old retired", by="roster"),
        OrderCancelled(at=AT, order=OrderId("ORD-1"), reason="no pending conference"),
        ReprisalApplied(
            at=AT,
            player=BRAM,
            faction=Faction.GOVERNMENT,
            source=DebtSource.SYMPOSIUM,
            owed=6,
            level=1,
            influence_lost=2,
            reputation_lost=0,
        ),
        ExpeditionResolved(at=AT, code=_x("NOPE"), result=result(Outcome.SUCCESS, 50, 1)),
        SidecastPhaseReached(at=AT, scholar=COLE, phase=4),
    ],
    ids=["roster-housekeeping", "rules-housekeeping", "symposium-reprisal", "unknown", "phase"],
)
def test_housekeeping_is_not_news(event: Event) -> None:
    assert compose([(SEQ, event)], STATE, REAL) == []


def test_every_event_type_is_written_or_deliberately_silent() -> None:
    # Importing the package (and the modules it does not import yet) registers every event.
    assert greatwork.rules.__name__
    assert greatwork.rules.moderation.__name__
    names = {t.__name__ for t in registered_events()}
    unclassified = sorted(names - set(WRITERS) - SILENT)
    assert not unclassified, f"decide whether these make press: {unclassified}"
    assert not set(WRITERS) & SILENT
    assert (set(WRITERS) | SILENT) <= names


def test_a_stake_theory_prints_its_wager() -> None:
    stake = dataclasses.replace(STATE.theories[T1], confidence=Confidence.STAKE_MY_CAREER)
    draft = _one(TheorySubmitted(at=AT, theory=stake))
    assert "Stake My Career" in draft.body
    assert "+15" in draft.body
    assert "-25" in draft.body


def test_no_supporters_print_as_none() -> None:
    lone = dataclasses.replace(STATE.theories[T1], supporters=())
    draft = _one(TheorySubmitted(at=AT, theory=lone))
    assert re.search(r"(Supporters|Named in support): None\.", draft.body)


def test_meta_names_the_ids_involved() -> None:
    draft = _one(ExpeditionLaunched(at=AT, expedition=STATE.expeditions[_x("AX-S")]))
    assert draft.meta["code"] == "AX-S"
    assert draft.meta["player"] == ADA
    assert draft.meta["scholars"] == [AMES]
    assert draft.meta["theory"] == T1
    bulletin = _one(TheorySubmitted(at=AT, theory=STATE.theories[T1]))
    assert bulletin.meta["bulletin"] == 1
    assert bulletin.meta["theory"] == T1
    conference = _one(
        ConferenceLaunched(at=AT, conference=STATE.conferences[ConferenceCode("CONF-1")])
    )
    assert conference.meta["scholars"] == [BELL, DUNN]


def test_a_retired_scholar_keeps_their_name() -> None:
    draft = _one(RecruitmentGrudge(at=AT, scholar=OLD, player=ADA))
    assert "Dr Old" in draft.headline
