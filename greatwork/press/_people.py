"""Press writers for people: recruitment, offers, defections and mentorship."""

from __future__ import annotations

from typing import Any, Final

from greatwork.press._desk import (
    Desk,
    Story,
    Writer,
    amounts,
    clause,
    date_text,
    faction_name,
    join,
    percent,
    registry,
)
from greatwork.rules.defection import FORCED, ScholarDefected
from greatwork.rules.ids import MentorshipId, ScholarId
from greatwork.rules.mentorship import (
    LabAssigned,
    MentorshipActivated,
    MentorshipCancelled,
    MentorshipCompleted,
    MentorshipQueued,
    ScholarPromoted,
)
from greatwork.rules.negotiation import NegotiationResolved
from greatwork.rules.offer import OfferCountered, OfferMade
from greatwork.rules.recruitment import RecruitAttempted, RecruitmentGrudge
from greatwork.rules.state import EmployerKind, Mentorship, Offer, Terms

WRITERS: dict[str, Writer] = {}
writes = registry(WRITERS)

_TERM_NAMES: Final = (
    ("guaranteed_funding", "guaranteed funding"),
    ("exclusive_research", "exclusive research"),
    ("leadership_role", "a leadership role"),
)


# --- recruitment -----------------------------------------------------------------------------


@writes(RecruitAttempted)
def _recruit(e: RecruitAttempted, desk: Desk) -> Story:
    fields: dict[str, object] = {
        "scholar": desk.scholar(e.scholar),
        "player": desk.player(e.player),
        "faction": faction_name(e.faction),
        "chance": percent(e.chance),
        "relationship": f"{e.relationship * 100:+.0f} points" if e.relationship else "",
    }
    meta = {"scholar": e.scholar, "player": e.player, "faction": str(e.faction)}
    occasion = "recruit_success" if e.success else "recruit_failure"
    return Story(occasion, fields, {**meta, "success": e.success, "chance": e.chance})


@writes(RecruitmentGrudge)
def _grudge(e: RecruitmentGrudge, desk: Desk) -> Story:
    fields = {"scholar": desk.scholar(e.scholar), "player": desk.player(e.player)}
    return Story("recruitment_grudge", fields, {"scholar": e.scholar, "player": e.player})


# --- offers and defections -------------------------------------------------------------------


def _terms(terms: Terms) -> str:
    chosen = [name for attr, name in _TERM_NAMES if getattr(terms, attr)]
    return join(chosen) if chosen else "no sweeteners"


def _offer(desk: Desk, offer: Offer) -> tuple[dict[str, object], dict[str, Any]]:
    fields: dict[str, object] = {
        "offer_id": offer.id,
        "rival": desk.player(offer.rival),
        "patron": desk.player(offer.patron),
        "scholar": desk.scholar(offer.scholar),
        "faction": faction_name(offer.faction),
        "amounts": amounts(offer.influence),
        "terms": _terms(offer.terms),
        "deadline": date_text(offer.deadline, with_time=True),
    }
    meta = {
        "offer": offer.id,
        "chain": offer.chain,
        "scholar": offer.scholar,
        "rival": offer.rival,
        "patron": offer.patron,
    }
    return fields, meta


@writes(OfferMade)
def _offer_made(e: OfferMade, desk: Desk) -> Story:
    fields, meta = _offer(desk, e.offer)
    return Story("offer_made", fields, meta)


@writes(OfferCountered)
def _offer_countered(e: OfferCountered, desk: Desk) -> Story:
    fields, meta = _offer(desk, e.offer)
    return Story("offer_countered", {**fields, "countered_id": e.countered}, meta)


@writes(NegotiationResolved)
def _negotiation(e: NegotiationResolved, desk: Desk) -> Story | None:
    chain = desk.state.negotiations.get(e.chain)
    if chain is None:
        return None
    fields: dict[str, object] = {
        "chain": e.chain,
        "scholar": desk.scholar(chain.scholar),
        "rival": desk.player(chain.rival),
        "patron": desk.player(chain.patron),
        "probability": percent(e.probability, 1) if e.probability is not None else "",
        "roll": f"{e.roll:.3f}" if e.roll is not None else "",
        "reason": clause(e.reason),
    }
    meta = {
        "chain": e.chain,
        "scholar": chain.scholar,
        "rival": chain.rival,
        "patron": chain.patron,
        "winner": e.winner,
        "outcome": str(e.outcome),
    }
    return Story(f"negotiation_{e.outcome}", fields, meta)


@writes(ScholarDefected)
def _defected(e: ScholarDefected, desk: Desk) -> Story:
    banner = e.new.faction or (e.new.employer if e.new.kind is EmployerKind.FACTION else "")
    fields: dict[str, object] = {
        "scholar": desk.scholar(e.scholar),
        "old_employer": desk.employer(e.old),
        "new_employer": desk.employer(e.new),
        "faction": faction_name(banner) or desk.employer(e.new),
        "probability": percent(e.probability, 1),
    }
    meta = {"scholar": e.scholar, "cause": e.cause, "by": e.by, "chain": e.ref or None}
    if e.cause == FORCED:
        fields |= {"admin": desk.player(e.by), "reason": clause(e.reason)}
        return Story("defection_forced", fields, meta)
    fields["rival"] = desk.player(e.by)
    return Story("defection_negotiated", fields, meta)


# --- mentorship ------------------------------------------------------------------------------


def _mentorship(
    desk: Desk,
    mentorship: MentorshipId | Mentorship,
    scholar: ScholarId | None = None,
    reason: str = "",
) -> tuple[dict[str, object], dict[str, Any]]:
    m = mentorship if isinstance(mentorship, Mentorship) else desk.state.mentorships.get(mentorship)
    sid = scholar or (m.scholar if m is not None else None)
    record = desk.scholar_record(sid)
    mentor = m.player if m is not None else ""
    fields: dict[str, object] = {
        "player": desk.player(mentor),
        "scholar": desk.scholar(sid),
        "tier": record.career.tier if record is not None else "",
        "track": record.career.track if record is not None else "",
        "reason": clause(reason),
    }
    key = m.id if m is not None else mentorship
    return fields, {"mentorship": key, "player": mentor or None, "scholar": sid}


@writes(MentorshipQueued)
def _queued(e: MentorshipQueued, desk: Desk) -> Story:
    fields, meta = _mentorship(desk, e.mentorship)
    if e.mentorship.track:
        fields["track"] = e.mentorship.track
    return Story("mentorship_queued", fields, meta)


@writes(MentorshipActivated)
def _activated(e: MentorshipActivated, desk: Desk) -> Story:
    fields, meta = _mentorship(desk, e.mentorship)
    fields |= {"tier": e.career.tier, "track": e.career.track}
    return Story("mentorship_activated", fields, meta)


@writes(ScholarPromoted)
def _promoted(e: ScholarPromoted, desk: Desk) -> Story:
    fields, meta = _mentorship(desk, e.mentorship, e.scholar)
    fields["tier"] = e.tier
    return Story("scholar_promoted", fields, meta)


@writes(MentorshipCompleted)
def _completed(e: MentorshipCompleted, desk: Desk) -> Story:
    fields, meta = _mentorship(desk, e.mentorship)
    return Story("mentorship_completed", fields, meta)


@writes(MentorshipCancelled)
def _cancelled(e: MentorshipCancelled, desk: Desk) -> Story:
    fields, meta = _mentorship(desk, e.mentorship, reason=e.reason)
    return Story("mentorship_cancelled", fields, meta)


@writes(LabAssigned)
def _lab(e: LabAssigned, desk: Desk) -> Story:
    fields, meta = _mentorship(desk, e.mentorship, e.scholar)
    fields |= {"tier": e.career.tier, "track": e.career.track}
    return Story("lab_assigned", fields, meta)
