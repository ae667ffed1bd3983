"""The digest's highlights (GAME_RULES.md 3.16 step 3): what falls due in the next 24 hours.

When a digest completes, the Gazette closes its report with a ``digest_highlights`` item,
"Coming up": up to :data:`MAX_SHOWN` things the campaign's state says fall due within
:data:`WINDOW` of the digest, earliest first, each a short line naming its code or its people
and when. Everything is read from the state after the digest (:func:`upcoming`):

- work the next digest carries out whatever the hour (``at the next digest``): an expedition
  still pending, a conference called, a mentorship waiting to begin. A digest settles all of
  these itself, so they only appear when something in the digest queued them (a sideways
  discovery calling a conference);
- timed work, due at its own time and carried out by the first digest at or after it: the
  symposium's first and final calls (while someone pledged has not voted), the deadline of an
  open negotiation, a sidecast's next phase, an opportunity paying out;
- deadlines the rules keep on records: an open theory's deadline (it lapses unless settled),
  a seasonal commitment's end or its next weekly charge, a proposal's expiry.

Left out on purpose: grudges, return offers and reprimands (consequences the press reports
when they land, not appointments), and the close of the symposium's vote (the weekly
symposium's time is in the settings, not in the state).

Nothing due gives no item. The lines carry no player text longer than :data:`TITLE_CAP`
(theories, objectives, topics and names of opportunities are cut on a word) and no line is
longer than :data:`LINE_CAP`, so the item fits its caps. No RNG is drawn: the variant is the
composer's stable hash of the digest's seq.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from greatwork.press._desk import Desk, Story, Writer, cut, faction_name, registry, words
from greatwork.rules.commitment import COMMITMENT_INTERVAL
from greatwork.rules.conference import RESOLUTION_ORDER
from greatwork.rules.constants import DAY
from greatwork.rules.content import Content
from greatwork.rules.digest import DigestCompleted
from greatwork.rules.ids import ConferenceCode, Instant, MentorshipId, OfferId, ScholarId, TopicId
from greatwork.rules.mentorship import ACTIVATION_ORDER
from greatwork.rules.negotiation import DEADLINE_ORDER
from greatwork.rules.order import pending
from greatwork.rules.proposal import PROPOSAL_LIFETIME
from greatwork.rules.sidecast import PHASES, phase_order_type
from greatwork.rules.sideways import OPPORTUNITY_ORDER
from greatwork.rules.state import (
    CampaignState,
    ChainStatus,
    ConferenceStatus,
    ExpeditionStatus,
    MentorshipStatus,
    Order,
    ProposalStatus,
    RecordStatus,
    TheoryStatus,
    TopicStatus,
)
from greatwork.rules.symposium import REMINDER_DELAYS, REMINDER_ORDER

__all__ = [
    "LINE_CAP",
    "MAX_SHOWN",
    "OCCASION",
    "ORDINALS",
    "TITLE_CAP",
    "WINDOW",
    "Upcoming",
    "upcoming",
    "when_text",
]

OCCASION: Final = "digest_highlights"
WINDOW: Final = DAY
"""How far ahead of the digest the highlights look (section 3.16: 24 hours)."""
MAX_SHOWN: Final = 5
"""The most lines the item prints; the rest are counted ("and 2 more")."""
TITLE_CAP: Final = 40
"""Player text (a theory, an objective, a topic) is cut on a word to this many characters."""
LINE_CAP: Final = 160
"""No line is longer (names are at most 64 characters; a line is cut, never the item)."""
LEAD_CAP: Final = 72
"""The headline's short form of the first line."""
ORDINALS: Final = ("first", "second", "third", "fourth", "fifth")
"""The fields of the lines, in order (the template prints each in a paragraph of its own)."""

WRITERS: dict[str, Writer] = {}
writes = registry(WRITERS)


@dataclass(frozen=True, slots=True)
class Upcoming:
    """One thing that falls due.

    Attributes:
        due: when it falls due, or None for "at the next digest".
        line: the sentence the item prints (without the time).
        lead: a short form for the headline.
        ref: the code or id it is about.
        what: what kind of thing it is (``theory_deadline``, ``offer_deadline``...).
        players: the players concerned (ids), for the item's meta.
    """

    due: Instant | None
    line: str
    lead: str
    ref: str
    what: str
    players: tuple[str, ...] = ()


def upcoming(
    state: CampaignState, content: Content, at: Instant, *, window: int = WINDOW
) -> list[Upcoming]:
    """Return what falls due after ``at`` and within ``window`` seconds, earliest first.

    Things the next digest carries out whatever the hour come first (``due`` is None), in
    the order the digest runs them; then the timed ones by due time, ties by kind and ref.

    Args:
        state: the campaign's state (after the digest).
        content: the content (the desk's lookups take it; nothing here reads it).
        at: the digest's time.
        window: how far ahead to look, in seconds.

    Raises:
        ValueError: ``window`` is not positive.
    """
    if window <= 0:
        raise ValueError(f"The highlights window must be positive, got {window} seconds.")
    desk = Desk(state, content, 0)
    found: list[Upcoming] = []
    for source in _SOURCES:
        found.extend(source(desk, at))
    until = at + window
    kept = [u for u in found if u.due is None or at < u.due <= until]
    return sorted(kept, key=_order)


def when_text(due: Instant | None) -> str:
    """When a thing falls due: ``at the next digest`` or ``due 9 January, 14:00 UTC``."""
    if due is None:
        return "at the next digest"
    moment = datetime.fromtimestamp(due, UTC)
    return f"due {moment.day} {moment:%B}, {moment:%H:%M} UTC"


@writes(DigestCompleted)
def _highlights(e: DigestCompleted, desk: Desk) -> Story | None:
    found = upcoming(desk.state, desk.content, e.at)
    if not found:
        return None
    shown = found[:MAX_SHOWN]
    lines = [cut(f"{u.line}, {when_text(u.due)}.", LINE_CAP) for u in shown]
    fields: dict[str, object] = {
        "digest": e.number,
        "count": len(found),
        "lead": cut(shown[0].lead, LEAD_CAP),
        "more": len(found) - len(shown) or "",
    }
    fields |= {name: lines[n] if n < len(lines) else "" for n, name in enumerate(ORDINALS)}
    players = sorted({p for u in found for p in u.players})
    meta = {
        "digest": e.number,
        "refs": [u.ref for u in shown],
        "due": [u.due for u in shown],
        "players": players,
    }
    return Story(OCCASION, fields, meta)


# --- the sources -----------------------------------------------------------------------------

# The order a digest runs its work in (section 3.16): "next digest" items keep it.
_RANK: Final = {
    "mentorship_activation": 0,
    "symposium_call": 1,
    "offer_deadline": 2,
    "sidecast_phase": 3,
    "opportunity": 4,
    "commitment_end": 5,
    "commitment_charge": 6,
    "conference": 7,
    "expedition": 8,
    "theory_deadline": 9,
    "proposal_expiry": 10,
}


def _order(u: Upcoming) -> tuple[int, int, int, str]:
    return (0 if u.due is None else 1, u.due or 0, _RANK.get(u.what, len(_RANK)), u.ref)


def _title(text: str) -> str:
    """Player text inside a line: one line, quoted, cut on a word to :data:`TITLE_CAP`."""
    flat = " ".join(str(text).split()).replace('"', "'")
    return f'"{cut(flat, TITLE_CAP)}"'


def _pending_orders(state: CampaignState, types: Iterable[str]) -> list[Order]:
    return sorted(
        (order for kind in frozenset(types) for order in pending(state, kind)),
        key=lambda o: (o.scheduled_at or 0, o.id),
    )


def _due(order: Order, at: Instant) -> Instant | None:
    """A pending order's due time; one with none, or already due, runs at the next digest."""
    if order.scheduled_at is None or order.scheduled_at <= at:
        return None
    return order.scheduled_at


def _expeditions(desk: Desk, at: Instant) -> list[Upcoming]:
    del at
    return [
        Upcoming(
            None,
            f"Expedition {x.code} ({desk.player(x.player)}, {_title(x.objective)}) resolves",
            f"Expedition {x.code} Resolves",
            str(x.code),
            "expedition",
            (str(x.player),),
        )
        for x in desk.state.expeditions.values()
        if x.status is ExpeditionStatus.PENDING
    ]


def _conferences(desk: Desk, at: Instant) -> list[Upcoming]:
    out: list[Upcoming] = []
    for order in _pending_orders(desk.state, [RESOLUTION_ORDER]):
        conf = desk.state.conferences.get(ConferenceCode(order.subject or ""))
        if conf is None or conf.status is not ConferenceStatus.PENDING:
            continue
        out.append(
            Upcoming(
                _due(order, at),
                f"Conference {conf.code} on theory {conf.theory} ({desk.player(conf.player)}) "
                "meets",
                f"Conference {conf.code} Meets",
                str(conf.code),
                "conference",
                (str(conf.player),),
            )
        )
    return out


def _mentorships(desk: Desk, at: Instant) -> list[Upcoming]:
    out: list[Upcoming] = []
    for order in _pending_orders(desk.state, [ACTIVATION_ORDER]):
        mentorship = desk.state.mentorships.get(MentorshipId(order.subject or ""))
        if mentorship is None or mentorship.status is not MentorshipStatus.PENDING:
            continue
        scholar = desk.scholar(mentorship.scholar)
        out.append(
            Upcoming(
                _due(order, at),
                f"{scholar} begins lessons with {desk.player(mentorship.player)}",
                f"{scholar} Begins Lessons",
                str(mentorship.id),
                "mentorship_activation",
                (str(mentorship.player),),
            )
        )
    return out


def _symposium_calls(desk: Desk, at: Instant) -> list[Upcoming]:
    out: list[Upcoming] = []
    state = desk.state
    for order in _pending_orders(state, [REMINDER_ORDER]):
        topic = state.topics.get(TopicId(order.subject or ""))
        if topic is None or topic.status is not TopicStatus.VOTING:
            continue
        waiting = sorted(p for p in topic.pledges if p not in topic.votes and p in state.players)
        if not waiting:
            continue  # everyone pledged has voted: the call reminds nobody
        final = order.payload.get("stage") == len(REMINDER_DELAYS)  # the last of the calls
        call = "final" if final else "first"
        out.append(
            Upcoming(
                _due(order, at),
                f"Symposium No. {topic.number} ({_title(topic.title)}): the {call} call for "
                f"votes, {len(waiting)} pledged still to vote",
                f"The {call.title()} Call at Symposium No. {topic.number}",
                str(order.id),
                "symposium_call",
                tuple(str(p) for p in waiting),
            )
        )
    return out


def _offer_deadlines(desk: Desk, at: Instant) -> list[Upcoming]:
    out: list[Upcoming] = []
    for order in _pending_orders(desk.state, [DEADLINE_ORDER]):
        chain = desk.state.negotiations.get(OfferId(order.subject or ""))
        if chain is None or chain.status is not ChainStatus.OPEN:
            continue
        scholar = desk.scholar(chain.scholar)
        out.append(
            Upcoming(
                _due(order, at),
                f"The offers for {scholar} ({desk.player(chain.rival)} against "
                f"{desk.player(chain.patron)}, {chain.id}) close",
                f"Offers for {scholar} Close",
                str(chain.id),
                "offer_deadline",
                (str(chain.rival), str(chain.patron)),
            )
        )
    return out


def _sidecast_phases(desk: Desk, at: Instant) -> list[Upcoming]:
    types = {phase_order_type(n): name for n, name in enumerate(PHASES)}
    out: list[Upcoming] = []
    for order in _pending_orders(desk.state, types):
        record = desk.state.scholars.get(ScholarId(order.subject or ""))
        if record is None:
            continue
        phase = types[order.type]
        sponsor = desk.player(order.actor)
        out.append(
            Upcoming(
                _due(order, at),
                f"{record.name} reaches the {phase} phase with {sponsor}",
                f"{record.name}'s {phase.title()}",
                str(order.id),
                "sidecast_phase",
                (str(order.actor),) if order.actor else (),
            )
        )
    return out


def _opportunities(desk: Desk, at: Instant) -> list[Upcoming]:
    out: list[Upcoming] = []
    for order in _pending_orders(desk.state, [OPPORTUNITY_ORDER]):
        if not order.actor or order.actor not in desk.state.players:
            continue
        player = desk.player(order.actor)
        name = words(str(order.payload.get("name") or "opportunity"))
        out.append(
            Upcoming(
                _due(order, at),
                f"{player}'s opportunity {_title(name)} from expedition {order.subject} pays out",
                f"{player}'s Opportunity Pays Out",
                str(order.id),
                "opportunity",
                (str(order.actor),),
            )
        )
    return out


def _theories(desk: Desk, at: Instant) -> list[Upcoming]:
    del at
    return [
        Upcoming(
            t.deadline,
            f"Theory {t.id} ({desk.player(t.player)}, {_title(t.text)}) lapses unless settled",
            f"Theory {t.id}'s Deadline",
            str(t.id),
            "theory_deadline",
            (str(t.player),),
        )
        for t in desk.state.theories.values()
        if t.status is TheoryStatus.OPEN
    ]


def _commitments(desk: Desk, at: Instant) -> list[Upcoming]:
    del at
    out: list[Upcoming] = []
    for c in desk.state.commitments.values():
        if c.status is not RecordStatus.ACTIVE:
            continue
        player, faction = desk.player(c.player), faction_name(c.faction)
        charge = None if c.last_charged_at is None else c.last_charged_at + COMMITMENT_INTERVAL
        if charge is not None and charge < c.ends_at:
            out.append(
                Upcoming(
                    Instant(charge),
                    f"{player}'s weekly {words(c.tier)} dues to {faction} ({c.id}) are charged",
                    f"{player}'s Dues to {faction}",
                    str(c.id),
                    "commitment_charge",
                    (str(c.player),),
                )
            )
        out.append(
            Upcoming(
                c.ends_at,
                f"{player}'s {words(c.tier)} commitment to {faction} ({c.id}) ends",
                f"{player}'s Commitment Ends",
                str(c.id),
                "commitment_end",
                (str(c.player),),
            )
        )
    return out


def _proposals(desk: Desk, at: Instant) -> list[Upcoming]:
    del at
    return [
        Upcoming(
            Instant(p.created_at + PROPOSAL_LIFETIME),
            f"Proposal {p.id} ({desk.player(p.player)}, {_title(p.topic)}) expires unchosen",
            f"Proposal {p.id} Expires",
            str(p.id),
            "proposal_expiry",
            (str(p.player),),
        )
        for p in desk.state.proposals.values()
        if p.status is ProposalStatus.PENDING
    ]


_SOURCES: Final[Sequence[Callable[[Desk, Instant], list[Upcoming]]]] = (
    _mentorships,
    _symposium_calls,
    _offer_deadlines,
    _sidecast_phases,
    _opportunities,
    _commitments,
    _conferences,
    _expeditions,
    _theories,
    _proposals,
)
