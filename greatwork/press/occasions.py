"""Press occasions: what each template in ``press.yaml`` is for, and the fields it may use.

An occasion is one kind of newsworthy moment (a theory submitted, an expedition failed...).
The composer fills exactly these fields; the content loader refuses a template that uses any
other, and one that leaves out a field its press type must print (GAME_RULES.md section 4.1).
This module imports nothing of the project, so the loader can read it without a cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

# Offered to every occasion, besides its own fields.
COMMON_FIELDS: Final = frozenset({"year"})


@dataclass(frozen=True, slots=True)
class Occasion:
    """One press occasion.

    Attributes:
        kind: the press type of section 4.1 its releases carry.
        fields: the placeholders its templates may use (with :data:`COMMON_FIELDS`).
        headline_must: fields every headline variant must use.
        body_must: fields every body variant must use.
        layer: a layered follow-up (section 4.3, ``greatwork.press.layers``), worded in
            ``layers.yaml`` rather than ``press.yaml``.
    """

    kind: str
    fields: frozenset[str]
    headline_must: frozenset[str] = frozenset()
    body_must: frozenset[str] = frozenset()
    layer: bool = False

    @property
    def allowed(self) -> frozenset[str]:
        """Every placeholder a template of this occasion may use."""
        return self.fields | COMMON_FIELDS


def _o(
    kind: str,
    fields: str,
    headline: str = "",
    body: str = "",
    *,
    layer: bool = False,
) -> Occasion:
    return Occasion(
        kind=kind,
        fields=frozenset(fields.split()),
        headline_must=frozenset(headline.split()),
        body_must=frozenset(body.split()),
        layer=layer,
    )


def _layer(kind: str, fields: str, headline: str = "", body: str = "") -> Occasion:
    return _o(kind, fields, headline, body, layer=True)


_THEORY = "number theory_id player theory confidence deadline deadline_days reward penalty"
_VERDICT = "theory_id theory player confidence delta judge"
_RESULT = (
    "code player type objective outcome depth confidence roll modifier final score delta "
    "detail sideways reactions domain"
)
_REPORT = "outcome score delta"  # section 4.1: outcome, roll + mod = final, signed change
_CONFERENCE = "code player theory_id theory confidence supporters opposition"
_CONFERENCE_RESULT = (
    "code player theory_id theory confidence outcome roll modifier final score delta"
)
_RECRUIT = "scholar player faction chance relationship"
_OFFER = "offer_id rival patron scholar faction amounts terms deadline"
_CHAIN = "chain scholar rival patron probability roll reason"
_MENTOR = "player scholar tier track reason"
_SIDECAST = "scholar sponsor sidecast_kind"
_SCHOLAR = "scholar archetype discipline employer tier track"
_PLEDGE = "player number topic faction pledge deducted shortfall streak"
_REMINDER = "player number topic pledge"
_ADMIN = "admin reason"
# A scholar's remark in a layered follow-up: who, in what mood, and their catchphrase filled
# with the event's subject (section 4.3).
_QUOTE = "speaker mood quote subject"
_BRIEF = "digest count moves"

OCCASIONS: Final[Mapping[str, Occasion]] = MappingProxyType(
    {
        # --- theories (D2) ---------------------------------------------------------------
        "theory_submitted": _o(
            "academic_bulletin",
            f"{_THEORY} supporters",
            "number",
            "player theory confidence supporters deadline",
        ),
        "theory_raised": _o(
            "academic_bulletin", f"{_THEORY} source", "number", "player theory confidence deadline"
        ),
        "theory_vindicated": _o("discovery_report", _VERDICT, "theory_id", "theory delta judge"),
        "theory_refuted": _o("retraction_notice", _VERDICT, "theory_id", "theory delta judge"),
        "theory_lapsed": _o(
            "academic_bulletin",
            "theory_id theory player confidence deadline",
            "theory_id",
            "theory",
        ),
        # --- expeditions ---------------------------------------------------------------------
        "expedition_launched": _o(
            "research_manifesto",
            "code player type objective confidence team funding cost depth prep expertise "
            "friction strengths risks theory_id theory",
            "code",
            "objective team funding depth",
        ),
        "expedition_success": _o("discovery_report", _RESULT, "code type", _REPORT),
        "expedition_landmark": _o("discovery_report", _RESULT, "code type", _REPORT),
        "expedition_partial": _o("discovery_report", _RESULT, "code type", _REPORT),
        "expedition_failure": _o("retraction_notice", _RESULT, "code type", _REPORT),
        "opportunity_paid": _o("opportunity_unlocked", "player name code rewards", "", "rewards"),
        # --- conferences (D3) ----------------------------------------------------------------
        "conference_scheduled": _o(
            "conference_scheduled", _CONFERENCE, "code", "theory supporters opposition"
        ),
        "conference_called": _o(
            "conference_scheduled", _CONFERENCE, "code", "theory supporters opposition"
        ),
        "conference_success": _o("academic_gossip", _CONFERENCE_RESULT, "code", "score delta"),
        "conference_partial": _o("academic_gossip", _CONFERENCE_RESULT, "code", "score delta"),
        "conference_failure": _o("academic_gossip", _CONFERENCE_RESULT, "code", "score delta"),
        # --- recruitment, offers, defections ---------------------------------------------------
        "recruit_success": _o("recruitment_report", _RECRUIT, "", "scholar player faction chance"),
        "recruit_failure": _o("recruitment_report", _RECRUIT, "", "scholar player faction chance"),
        "recruitment_grudge": _o("academic_gossip", "scholar player", "scholar"),
        "offer_made": _o("negotiation", _OFFER, "", "amounts terms deadline"),
        "offer_countered": _o(
            "negotiation", f"{_OFFER} countered_id", "", "amounts terms deadline"
        ),
        "negotiation_defected": _o("negotiation_resolved", _CHAIN, "", "probability"),
        "negotiation_stayed": _o("negotiation_resolved", _CHAIN, "", "probability"),
        "negotiation_rejected": _o("negotiation_resolved", _CHAIN, "", "probability"),
        "negotiation_expired": _o("negotiation_resolved", _CHAIN, "", "reason"),
        "defection_forced": _o(
            "defection_notice",
            "scholar old_employer new_employer faction probability admin reason",
            "",
            "scholar faction probability",
        ),
        "defection_negotiated": _o(
            "defection_notice",
            "scholar old_employer new_employer faction probability rival",
            "",
            "scholar faction probability",
        ),
        # --- mentorship and careers ------------------------------------------------------------
        "mentorship_queued": _o("academic_gossip", _MENTOR),
        "mentorship_activated": _o("academic_gossip", _MENTOR),
        "scholar_promoted": _o("academic_gossip", _MENTOR, "", "tier"),
        "mentorship_completed": _o("academic_gossip", _MENTOR),
        "mentorship_cancelled": _o("academic_gossip", _MENTOR),
        "lab_assigned": _o("academic_gossip", _MENTOR, "", "track"),
        # --- the roster and sidecasts (D13) ----------------------------------------------------
        "scholar_joined": _o("academic_gossip", _SCHOLAR, "", "scholar"),
        "legend_joined": _o("academic_gossip", _SCHOLAR, "", "scholar"),
        "scholar_retired": _o("academic_gossip", "scholar archetype employer", "", "scholar"),
        "sidecast_arrived": _o("academic_gossip", f"{_SIDECAST} code", "", "scholar sponsor"),
        "sidecast_debut": _o("academic_gossip", _SIDECAST, "", "scholar"),
        "sidecast_integration": _o("academic_gossip", _SIDECAST, "", "scholar"),
        "sidecast_spotlight": _o("academic_gossip", _SIDECAST, "", "scholar"),
        "sidecast_normalised": _o("academic_gossip", f"{_SIDECAST} loyalty", "", "scholar"),
        # --- table talk and the social commands ------------------------------------------------
        "table_talk": _o("academic_gossip", "player message excerpt", "", "message"),
        "nickname_adopted": _o("academic_gossip", "player scholar nickname", "", "nickname"),
        "press_shared": _o("academic_gossip", "player press_id", "", "press_id"),
        # --- the symposium ---------------------------------------------------------------------
        "symposium_launched": _o(
            "symposium_announcement",
            "number topic description proposer options pledged backlog",
            "",
            "topic description options",
        ),
        "symposium_resolved": _o(
            "symposium_resolution",
            "number topic winner winner_name votes total tally non_voters",
            "",
            "winner_name votes total",
        ),
        "symposium_unvoted": _o("symposium_resolution", "number topic non_voters", "", "topic"),
        "symposium_vote": _o("academic_gossip", "player option option_name number topic"),
        "pledge_waived": _o("symposium_notice", _PLEDGE, "", "player"),
        "pledge_forfeited": _o("symposium_notice", _PLEDGE, "", "player deducted"),
        "pledge_debt": _o("symposium_notice", _PLEDGE, "", "player shortfall"),
        "proposal_submitted": _o(
            "symposium_proposal", "player topic description proposal_id", "", "topic"
        ),
        "proposal_expired": _o("symposium_notice", "player topic proposal_id", "", "topic"),
        # the first call (+12 h) and the final call (+24 h) are worded apart
        "reminder_grace": _o("symposium_reminder", _REMINDER, "", "player"),
        "reminder_stake": _o("symposium_reminder", _REMINDER, "", "player pledge"),
        "reminder_grace_final": _o("symposium_reminder", _REMINDER, "", "player"),
        "reminder_stake_final": _o("symposium_reminder", _REMINDER, "", "player pledge"),
        "symposium_reprimand": _o(
            "symposium_reprimand", "player faction owed level", "", "player owed"
        ),
        "reprisal": _o(
            "faction_statement", "player faction source owed level penalty", "", "penalty"
        ),
        # --- the calendar ----------------------------------------------------------------------
        # a digest's "Coming up", written by greatwork/press/highlights.py: the lines first to
        # fifth, each in a paragraph of its own
        "digest_highlights": _o(
            "digest_highlights",
            "digest count lead first second third fourth fifth more",
            "digest",
            "first",
        ),
        "years_advanced": _o("timeline_update", "previous years", "year"),
        # --- admin actions ---------------------------------------------------------------------
        "reputation_adjusted": _o(
            "admin_action", f"{_ADMIN} player delta before after", "", "player delta reason"
        ),
        "influence_adjusted": _o(
            "admin_action",
            f"{_ADMIN} player faction delta before after",
            "",
            "player faction delta reason",
        ),
        "expedition_cancelled": _o(
            "admin_action", f"{_ADMIN} code player refund", "code", "reason"
        ),
        "order_cancelled": _o("admin_action", f"{_ADMIN} order order_type", "", "order reason"),
        "game_paused": _o("admin_action", _ADMIN, "", "reason"),
        "game_paused_llm": _o("admin_action", "reason", "", "reason"),
        "game_resumed": _o("admin_action", "admin"),
        "game_resumed_llm": _o("admin_action", ""),
        "commitment_created": _o(
            "admin_action",
            f"{_ADMIN} commitment player faction tier base_cost ends",
            "",
            "player faction",
        ),
        "commitment_ended": _o(
            "admin_action", f"{_ADMIN} commitment player faction tier status", "", "status"
        ),
        "project_created": _o(
            "admin_action", f"{_ADMIN} project name faction target", "", "name target"
        ),
        "project_ended": _o("admin_action", f"{_ADMIN} project name faction status", "", "status"),
        # --- the economy's sinks and standing ---------------------------------------------------
        "invested": _o(
            "faction_investment", "player faction amount program scholars", "", "amount"
        ),
        "endowed": _o(
            "archive_endowment", "player faction amount program debts_paid", "", "amount"
        ),
        "commitment_charged": _o(
            "seasonal_commitment_update",
            "player faction tier commitment cost paid shortfall debt",
            "",
            "cost paid",
        ),
        "commitment_completed": _o(
            "seasonal_commitment_complete", "player faction tier commitment", "", "player"
        ),
        "project_advanced": _o(
            "faction_project_update",
            "project name faction progress target percent contributors",
            "",
            "progress target",
        ),
        "project_completed": _o(
            "faction_project_complete", "project name faction rewarded reward", "", "rewarded"
        ),
        # --- layered follow-ups (section 4.3; greatwork/press/layers.py, layers.yaml) -----------
        "expedition_reaction": _layer(
            "academic_gossip",
            f"{_QUOTE} code player type outcome",
            "speaker code",
            "speaker quote code",
        ),
        "expedition_editorial": _layer(
            "editorial",
            "code player type objective outcome score swing subject",
            "code",
            "player outcome swing",
        ),
        "expedition_investigation": _layer(
            "investigation", "code player type objective sideways subject", "code", "sideways"
        ),
        "landmark_preparation": _layer(
            "landmark_preparation",
            "code player type objective domain subject",
            "code",
            "player",
        ),
        "defection_gossip": _layer(
            "academic_gossip",
            f"{_QUOTE} scholar old_employer new_employer faction",
            "speaker scholar",
            "speaker quote scholar",
        ),
        "defection_regret": _layer(
            "faction_statement",
            "faction scholar old_employer new_employer",
            "faction scholar",
            "faction scholar",
        ),
        "defection_welcome": _layer(
            "faction_statement",
            "faction scholar old_employer new_employer",
            "faction scholar",
            "faction scholar",
        ),
        "symposium_teaser": _layer(
            "academic_gossip", f"{_QUOTE} number topic", "speaker number", "speaker quote topic"
        ),
        "symposium_reaction": _layer(
            "academic_gossip",
            f"{_QUOTE} number topic winner_name",
            "speaker number",
            "speaker quote winner_name",
        ),
        "symposium_analysis": _layer(
            "analysis",
            "number topic winner_name votes total share tally",
            "number",
            "winner_name votes total share",
        ),
        "recruit_gossip": _layer(
            "academic_gossip", f"{_QUOTE} player faction", "speaker player", "speaker quote"
        ),
        "mentorship_update": _layer("mentorship_update", _BRIEF, "digest", "moves"),
        "sidecast_brief": _layer("sidecast_brief", _BRIEF, "digest", "moves"),
        "pause_gossip": _layer("academic_gossip", f"{_QUOTE} reason", "speaker", "speaker quote"),
        "resume_gossip": _layer("academic_gossip", _QUOTE, "speaker", "speaker quote"),
    }
)

LAYER_OCCASIONS: Final = frozenset(key for key, o in OCCASIONS.items() if o.layer)
"""The occasions of layered follow-ups (their templates are in ``layers.yaml``)."""
