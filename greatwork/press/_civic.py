"""Press writers for public life: the symposium, debts and reprisals, the calendar."""

from __future__ import annotations

from typing import Final

from greatwork.press._desk import (
    Desk,
    Story,
    Writer,
    faction_name,
    join,
    registry,
    words,
)
from greatwork.rules.debt import ReprisalApplied, SymposiumReprimandDue
from greatwork.rules.pledge import SymposiumMissed
from greatwork.rules.proposal import ProposalExpired, ProposalSubmitted
from greatwork.rules.state import DebtSource, ProposalStatus, Topic
from greatwork.rules.symposium import (
    OPTION_NAMES,
    SymposiumLaunched,
    SymposiumReminderDue,
    SymposiumResolved,
    SymposiumVoted,
)
from greatwork.rules.timeline import YearsAdvanced

WRITERS: dict[str, Writer] = {}
writes = registry(WRITERS)

FINAL_CALL: Final = 2  # the second reminder (at +24 h) is the final call; the first, at +12 h
_SOURCES: Final = {
    DebtSource.SYMPOSIUM: "symposium pledges",
    DebtSource.CONTRACT: "contract upkeep",
    DebtSource.SEASONAL: "a seasonal commitment",
}


def _options() -> str:
    return join([f"{n} {name}" for n, name in OPTION_NAMES.items()])


def _topic(desk: Desk, topic_id: str) -> tuple[str, object]:
    """The topic's title and number (the id itself when the topic is unknown)."""
    topic = next((t for t in desk.state.topics.values() if t.id == topic_id), None)
    return (topic.title, topic.number) if topic is not None else (topic_id, "")


# --- the symposium ---------------------------------------------------------------------------


@writes(SymposiumLaunched)
def _launched(e: SymposiumLaunched, desk: Desk) -> Story:
    t = e.topic
    backlog = sum(p.status is ProposalStatus.PENDING for p in desk.state.proposals.values())
    fields: dict[str, object] = {
        "number": t.number,
        "topic": t.title,
        "description": t.description,
        "proposer": desk.player(t.proposer),
        "options": _options(),
        "pledged": len(t.pledges),
        "backlog": backlog,
    }
    return Story("symposium_launched", fields, {"topic": t.id, "player": t.proposer})


def _non_voters(desk: Desk, topic: Topic | None) -> str:
    if topic is None:
        return ""
    missing = sorted(p for p in topic.pledges if p not in topic.votes)
    return desk.players(missing) if missing else ""


@writes(SymposiumResolved)
def _resolved(e: SymposiumResolved, desk: Desk) -> Story:
    topic = desk.state.topics.get(e.topic)
    title, number = (topic.title, topic.number) if topic is not None else (e.topic, "")
    fields: dict[str, object] = {
        "number": number,
        "topic": title,
        "non_voters": _non_voters(desk, topic),
    }
    meta = {"topic": e.topic, "winner": e.winner, "tally": list(e.tally)}
    if e.winner is None:
        return Story("symposium_unvoted", fields, meta)
    fields |= {
        "winner": e.winner,
        "winner_name": OPTION_NAMES.get(e.winner, str(e.winner)).title(),
        "votes": e.tally[e.winner - 1] if 0 < e.winner <= len(e.tally) else 0,
        "total": sum(e.tally),
        "tally": join([f"{OPTION_NAMES.get(i + 1, i + 1)} {n}" for i, n in enumerate(e.tally)]),
    }
    return Story("symposium_resolved", fields, meta)


@writes(SymposiumVoted)
def _voted(e: SymposiumVoted, desk: Desk) -> Story:
    title, number = _topic(desk, e.topic)
    fields: dict[str, object] = {
        "player": desk.player(e.player),
        "option": e.option,
        "option_name": OPTION_NAMES.get(e.option, str(e.option)),
        "number": number,
        "topic": title,
    }
    return Story("symposium_vote", fields, {"topic": e.topic, "player": e.player})


@writes(SymposiumMissed)
def _missed(e: SymposiumMissed, desk: Desk) -> Story:
    topic = desk.state.topics.get(e.topic)
    pledge = topic.pledges.get(e.player) if topic is not None else None
    fields: dict[str, object] = {
        "player": desk.player(e.player),
        "number": topic.number if topic is not None else "",
        "topic": topic.title if topic is not None else e.topic,
        "faction": faction_name(e.faction),
        "pledge": pledge.amount if pledge is not None else e.deducted + e.shortfall,
        "deducted": e.deducted,
        "shortfall": e.shortfall,
        "streak": e.miss_streak,
    }
    meta = {"topic": e.topic, "player": e.player, "status": str(e.status)}
    return Story(f"pledge_{e.status}", fields, meta)


@writes(ProposalSubmitted)
def _proposed(e: ProposalSubmitted, desk: Desk) -> Story:
    p = e.proposal
    fields: dict[str, object] = {
        "player": desk.player(p.player),
        "topic": p.topic,
        "description": p.description,
        "proposal_id": p.id,
    }
    return Story("proposal_submitted", fields, {"proposal": p.id, "player": p.player})


@writes(ProposalExpired)
def _expired(e: ProposalExpired, desk: Desk) -> Story:
    p = desk.state.proposals.get(e.proposal)
    author = p.player if p is not None else ""
    fields: dict[str, object] = {
        "player": desk.player(author),
        "topic": p.topic if p is not None else e.proposal,
        "proposal_id": e.proposal,
    }
    return Story("proposal_expired", fields, {"proposal": e.proposal, "player": author})


@writes(SymposiumReminderDue)
def _reminder(e: SymposiumReminderDue, desk: Desk) -> Story:
    title, number = _topic(desk, e.topic)
    fields: dict[str, object] = {
        "player": desk.player(e.player),
        "number": number,
        "topic": title,
        "pledge": e.pledge,
    }
    occasion = "reminder_grace" if e.grace_left else "reminder_stake"
    if e.stage >= FINAL_CALL:
        occasion += "_final"
    return Story(occasion, fields, {"topic": e.topic, "player": e.player, "stage": e.stage})


@writes(SymposiumReprimandDue)
def _reprimand(e: SymposiumReprimandDue, desk: Desk) -> Story:
    fields: dict[str, object] = {
        "player": desk.player(e.player),
        "faction": faction_name(e.faction),
        "owed": e.owed,
        "level": e.level,
    }
    return Story("symposium_reprimand", fields, {"player": e.player, "level": e.level})


@writes(ReprisalApplied)
def _reprisal(e: ReprisalApplied, desk: Desk) -> Story | None:
    if e.source is DebtSource.SYMPOSIUM:
        return None  # the symposium's reprisal is printed as its reprimand
    if e.influence_lost:
        penalty = f"{e.influence_lost} {faction_name(e.faction)} influence"
    else:
        penalty = f"{e.reputation_lost} reputation"
    fields: dict[str, object] = {
        "player": desk.player(e.player),
        "faction": faction_name(e.faction),
        "source": _SOURCES.get(e.source, words(e.source)),
        "owed": e.owed,
        "level": e.level,
        "penalty": penalty,
    }
    return Story("reprisal", fields, {"player": e.player, "source": str(e.source)})


# --- the calendar ----------------------------------------------------------------------------


@writes(YearsAdvanced)
def _years(e: YearsAdvanced, desk: Desk) -> Story:
    del desk
    span = "a year" if e.years == 1 else f"{e.years} years"
    fields: dict[str, object] = {"year": e.year, "previous": e.year - e.years, "years": span}
    return Story("years_advanced", fields, {"year": e.year})
