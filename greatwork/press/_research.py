"""Press writers for research: theories, expeditions, conferences and opportunities."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from greatwork.press._desk import (
    Desk,
    Story,
    Writer,
    amounts,
    clause,
    confidence_label,
    date_text,
    days,
    join,
    registry,
    signed,
    title,
    words,
)
from greatwork.press._roster import excerpt
from greatwork.rules.conference import ORIGIN_SIDEWAYS, ConferenceLaunched, ConferenceResolved
from greatwork.rules.constants import WAGERS, Outcome
from greatwork.rules.expedition import ExpeditionLaunched, ExpeditionResolved
from greatwork.rules.generation import fill_catchphrase
from greatwork.rules.ids import TheoryId
from greatwork.rules.sideways import LandmarkOpened, OpportunityPaid, SidewaysDiscovered, fill
from greatwork.rules.state import Expedition, ExpeditionResult, TheoryStatus
from greatwork.rules.theory import TheoryLapsed, TheorySettled, TheorySubmitted

WRITERS: dict[str, Writer] = {}
writes = registry(WRITERS)

MAX_REACTIONS: Final = 6
_LEFTOVER = re.compile(r"\{(\w+)\}")
_THEORY_NUMBER = re.compile(r"(\d+)$")


def theory_number(theory: TheoryId, fallback: int) -> int:
    """The number in a theory id (``T-7`` -> 7): the theory's bulletin number (Q-29)."""
    found = _THEORY_NUMBER.search(theory)
    return int(found.group(1)) if found else fallback


def _judge(by: str) -> str:
    """``expedition:AX-1`` -> ``Expedition AX-1``; ``conference:CONF-3`` -> ``Conference...``."""
    what, _, ref = by.partition(":")
    return f"{what.title()} {ref}".strip() if ref else by


# --- theories --------------------------------------------------------------------------------


@writes(TheorySubmitted)
def _theory(e: TheorySubmitted, desk: Desk) -> Story:
    t = e.theory
    number = theory_number(t.id, desk.state.counters.get("theory", 0))
    reward, penalty = WAGERS[t.confidence]
    fields: dict[str, object] = {
        "number": number,
        "theory_id": t.id,
        "player": desk.player(t.player),
        "theory": t.text,
        "confidence": confidence_label(t.confidence),
        "deadline": date_text(t.deadline),
        "deadline_days": days(t.deadline - t.created_at),
        "reward": signed(reward),
        "penalty": signed(penalty),
    }
    meta = {"theory": t.id, "player": t.player, "bulletin": number, "origin": t.origin}
    if t.origin == "player":
        fields["supporters"] = desk.scholars(t.supporters)
        return Story("theory_submitted", fields, {**meta, "scholars": list(t.supporters)})
    fields["source"] = _theory_source(desk, t.player)
    return Story("theory_raised", fields, meta)


def _theory_source(desk: Desk, player: str) -> str:
    """The expedition whose sideways discovery raised a theory, if this batch shows it."""
    for event in desk.events_before():
        if isinstance(event, SidewaysDiscovered) and event.player == player:
            return f"Expedition {event.expedition}"
    return ""


def _verdict(desk: Desk, theory: TheoryId) -> tuple[dict[str, object], dict[str, object]]:
    record = desk.state.theories.get(theory)
    text = record.text if record is not None else ""
    author = record.player if record is not None else ""
    confidence = confidence_label(record.confidence) if record is not None else ""
    fields: dict[str, object] = {
        "theory_id": theory,
        "theory": text,
        "player": desk.player(author),
        "confidence": confidence,
    }
    return fields, {"theory": theory, "player": author}


@writes(TheorySettled)
def _settled(e: TheorySettled, desk: Desk) -> Story:
    fields, meta = _verdict(desk, e.theory)
    fields |= {"delta": signed(e.reputation_delta), "judge": _judge(e.by)}
    occasion = "theory_vindicated" if e.status is TheoryStatus.VINDICATED else "theory_refuted"
    return Story(occasion, fields, {**meta, "verdict": str(e.status), "by": e.by})


@writes(TheoryLapsed)
def _lapsed(e: TheoryLapsed, desk: Desk) -> Story:
    fields, meta = _verdict(desk, e.theory)
    record = desk.state.theories.get(e.theory)
    fields["deadline"] = date_text(record.deadline if record is not None else e.at)
    return Story("theory_lapsed", fields, {**meta, "verdict": "lapsed"})


# --- expeditions -----------------------------------------------------------------------------


def _modifiers(expedition: Expedition) -> tuple[str, str]:
    """The positive bonuses and the negative ones, as prose ("" when there are none)."""
    strengths = [
        f"{name} {signed(value)}"
        for name, value in (("preparation", expedition.prep), ("expertise", expedition.expertise))
        if value > 0
    ]
    risks = [f"site and politics {signed(expedition.friction)}"] if expedition.friction < 0 else []
    return (join(strengths) if strengths else "", join(risks) if risks else "")


@writes(ExpeditionLaunched)
def _launched(e: ExpeditionLaunched, desk: Desk) -> Story:
    x = e.expedition
    strengths, risks = _modifiers(x)
    theory = desk.state.theories.get(x.theory) if x.theory else None
    fields: dict[str, object] = {
        "code": x.code,
        "player": desk.player(x.player),
        "type": title(x.type),
        "objective": x.objective,
        "confidence": confidence_label(x.confidence),
        "team": desk.scholars(x.team),
        "funding": amounts(x.paid),
        "cost": sum(x.paid.values()),
        "depth": str(x.depth),
        "prep": signed(x.prep),
        "expertise": signed(x.expertise),
        "friction": signed(x.friction),
        "strengths": strengths,
        "risks": risks,
        "theory_id": x.theory or "",
        "theory": theory.text if theory is not None else "",
    }
    meta = {
        "code": x.code,
        "player": x.player,
        "scholars": list(x.team),
        "theory": x.theory,
        "type": str(x.type),
    }
    return Story("expedition_launched", fields, meta)


def _sideways(desk: Desk, x: Expedition, result: ExpeditionResult) -> str:
    """The sideways discovery of a resolved expedition: as recorded, else from the content."""
    if not result.sideways:
        return ""
    for _, event in desk.batch:
        if isinstance(event, SidewaysDiscovered) and event.expedition == x.code:
            return event.text
    entry = next((s for s in desk.content.sideways if s.key == result.sideways), None)
    return fill(entry.text, x, desk.state) if entry is not None else ""


def _failure(desk: Desk, x: Expedition, result: ExpeditionResult) -> str:
    """The failure-table line a failed expedition drew."""
    if not result.failure:
        return ""
    table = desk.content.failure_tables.get(x.type, {}).get(x.depth, ())
    line = next((f for f in table if f.key == result.failure), None)
    return (
        fill(line.text, x, desk.state) if line is not None else words(result.failure).capitalize()
    )


def _domain(desk: Desk, x: Expedition) -> str:
    """The domain tag a landmark opened: from this batch, else from the state."""
    for _, event in desk.batch:
        if isinstance(event, LandmarkOpened) and event.landmark.expedition == x.code:
            return event.landmark.tag
    return next((m.tag for m in desk.state.landmarks if m.expedition == x.code), "")


# Verbs a player's objective usually starts with ("Dig by the harbour"): lowered inside a
# sentence. Any other first word (a name, "Tyre") keeps its capital.
_LOWERED: Final = frozenset(
    {
        "a",
        "an",
        "the",
        "find",
        "dig",
        "test",
        "prove",
        "disprove",
        "survey",
        "map",
        "chart",
        "date",
        "trace",
        "recover",
        "search",
        "seek",
        "locate",
        "excavate",
        "explore",
        "study",
        "measure",
        "read",
        "decipher",
        "translate",
        "raise",
        "build",
        "restore",
        "open",
        "uncover",
        "confirm",
        "verify",
        "establish",
        "identify",
        "examine",
        "investigate",
        "catalogue",
        "collect",
        "sample",
        "document",
        "photograph",
        "reach",
        "retrieve",
        "settle",
        "show",
        "sound",
        "track",
        "follow",
    }
)
SUBJECT_CAP: Final = 80  # characters of an objective quoted inside a reaction
MOODS: Final[Mapping[Outcome, tuple[str, ...]]] = {
    Outcome.LANDMARK: ("jubilant", "thunderstruck", "vindicated", "moved to tears", "smug"),
    Outcome.SUCCESS: ("thrilled", "delighted", "vindicated", "smug", "relieved"),
    Outcome.PARTIAL: ("intrigued", "cautious", "torn", "quietly pleased", "unconvinced"),
    Outcome.FAILURE: ("wary", "crestfallen", "unsurprised", "rueful", "defiant"),
}


def subject_of(x: Expedition) -> str:
    """The expedition as the subject of a sentence: ``the expedition to dig by the harbour``.

    The objective is the player's own words, trimmed of a closing full stop and of a leading
    "to", its first word lowered when it is a common verb or an article ("Dig", "The"), and
    cut on a word after :data:`SUBJECT_CAP` characters.
    """
    text = " ".join(clause(x.objective).split())
    if text.lower().startswith("to "):
        text = text[3:]
    first, _, rest = text.partition(" ")
    if first.lower() in _LOWERED and (len(first) == 1 or not first.isupper()):
        text = f"{first.lower()} {rest}".rstrip()
    if not text:
        return f"Expedition {x.code}"
    return f"the expedition to {excerpt(text, SUBJECT_CAP)}"


def _reactions(desk: Desk, x: Expedition, outcome: Outcome) -> str:
    """Team members' catchphrases on the expedition, ``Name (mood): ...`` joined by `` | ``."""
    moods = MOODS.get(outcome, MOODS[Outcome.PARTIAL])
    subject = subject_of(x)
    lines = []
    for sid in x.team[:MAX_REACTIONS]:
        scholar = desk.scholar_record(sid)
        if scholar is None:
            continue
        rng = desk.rng(f"reaction:{sid}")
        mood = rng.choice(moods)
        phrase = fill_catchphrase(
            scholar.catchphrase, desk.content.catchphrase_fills, rng, subject=subject
        )
        phrase = _LEFTOVER.sub(lambda m: words(m.group(1)), phrase)
        lines.append(f"{scholar.name} ({mood}): {phrase}")
    return " | ".join(lines)


def score(roll: int, final: int) -> tuple[str, str]:
    """The modifier and the sum as printed: (``+15``, ``42 + 15 = 57``)."""
    modifier = final - roll
    sign = "-" if modifier < 0 else "+"
    return signed(modifier), f"{roll} {sign} {abs(modifier)} = {final}"


@writes(ExpeditionResolved)
def _resolved(e: ExpeditionResolved, desk: Desk) -> Story | None:
    x = desk.state.expeditions.get(e.code)
    if x is None:
        return None
    r = e.result
    modifier, total = score(r.roll, r.final)
    fields: dict[str, object] = {
        "code": x.code,
        "player": desk.player(x.player),
        "type": title(x.type),
        "objective": x.objective,
        "outcome": title(r.outcome),
        "depth": str(x.depth),
        "confidence": confidence_label(x.confidence),
        "roll": r.roll,
        "modifier": modifier,
        "final": r.final,
        "score": total,
        "delta": signed(r.reputation_delta),
        "detail": _failure(desk, x, r),
        "sideways": _sideways(desk, x, r),
        "reactions": _reactions(desk, x, r.outcome),
        "domain": _domain(desk, x) if r.outcome is Outcome.LANDMARK else "",
    }
    meta = {
        "code": x.code,
        "player": x.player,
        "scholars": list(x.team),
        "theory": x.theory,
        "outcome": str(r.outcome),
        "partial": r.outcome is Outcome.PARTIAL,
        "sideways": r.sideways,
        "failure": r.failure,
    }
    return Story(f"expedition_{r.outcome}", fields, meta)


@writes(OpportunityPaid)
def _opportunity(e: OpportunityPaid, desk: Desk) -> Story:
    parts = [amounts(e.influence)] if any(e.influence.values()) else []
    if e.reputation:
        parts.append(f"{signed(e.reputation)} reputation")
    fields: dict[str, object] = {
        "player": desk.player(e.player),
        "name": words(e.name),
        "code": e.expedition,
        "rewards": join(parts) if parts else "nothing at all",
    }
    return Story("opportunity_paid", fields, {"player": e.player, "code": e.expedition})


# --- conferences -----------------------------------------------------------------------------


@writes(ConferenceLaunched)
def _conference(e: ConferenceLaunched, desk: Desk) -> Story:
    c = e.conference
    theory = desk.state.theories.get(c.theory)
    fields: dict[str, object] = {
        "code": c.code,
        "player": desk.player(c.player),
        "theory_id": c.theory,
        "theory": theory.text if theory is not None else c.theory,
        "confidence": confidence_label(c.confidence),
        "supporters": desk.scholars(c.supporters),
        "opposition": desk.scholars(c.opposition),
    }
    occasion = "conference_called" if c.origin == ORIGIN_SIDEWAYS else "conference_scheduled"
    meta = {
        "code": c.code,
        "player": c.player,
        "theory": c.theory,
        "scholars": [*c.supporters, *c.opposition],
    }
    return Story(occasion, fields, meta)


@writes(ConferenceResolved)
def _conference_result(e: ConferenceResolved, desk: Desk) -> Story | None:
    c = desk.state.conferences.get(e.code)
    if c is None:
        return None
    theory = desk.state.theories.get(c.theory)
    shown, total = score(e.roll, e.final)
    fields: dict[str, object] = {
        "code": c.code,
        "player": desk.player(c.player),
        "theory_id": c.theory,
        "theory": theory.text if theory is not None else c.theory,
        "confidence": confidence_label(c.confidence),
        "outcome": title(e.outcome),
        "roll": e.roll,
        "modifier": shown,
        "final": e.final,
        "score": total,
        "delta": signed(e.reputation_delta),
    }
    meta = {"code": c.code, "player": c.player, "theory": c.theory, "outcome": str(e.outcome)}
    return Story(f"conference_{e.outcome}", fields, meta)
