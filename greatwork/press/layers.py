"""Layered follow-ups (GAME_RULES.md section 4.3): more press after a story, each at its time.

A big story does not end with its item. An expedition that moved reputations is talked about
for hours; a defection draws remarks from the colleagues left behind and statements from the
two factions; a symposium is trailed before the vote and picked over after it. Each such
*layer* is a draft of its own, composed with its main item from the same events, with a
``release_at`` some minutes after the event: the press desk holds it and releases it at that
time (D10), in the Gazette of the digest where it falls due.

Everything is data here: the depth rules (:data:`DEPTH_RULES`, first match wins), the layer
table (:data:`LAYERS`: which occasions, at which delays in minutes, spoken by whom, on which
condition), the bundles (:data:`BUNDLES`: one item for all the moves of one kind in a batch)
and the moods and subjects of the remarks. Every choice (which scholars speak, in which mood,
which variant prints) is a hash of the campaign seed and the event's journal seq, so a replay
and ``greatwork simulate`` print the same layers.

As built (section 4.3 and the [H] rows; docs/press.md says why):

- an expedition at STANDARD, EXTENSIVE or BREAKING depth: 2, 4 or 6 remarks from scholars
  outside its team at 60 + 15 i minutes; BREAKING adds an editorial at 120 and, with a
  sideways discovery, an investigation at 180; a landmark gets ``landmark_preparation`` at
  30. The depth's delta is the leader's whole reputation change: the wager *and* the verdict
  on the theory the expedition tested (D2), which makes BREAKING reachable (Q-50);
- a defection (always EXTENSIVE): up to 3 colleagues at 30, 40, 50; the old faction's regret
  at 120 and the new one's welcome at 150 (when the banner changed);
- a symposium launch: 3 teasers at 45, 65, 85; a resolution with votes: 4 remarks at 60, 75,
  90, 105 and an ``analysis`` at 150 when the winner took at least 66 % of the votes;
- [H] a successful recruitment: the recruit's own remark at 45; a pause and a resume: one
  remark at 45 each; mentorship moves and sidecast phases: one ``mentorship_update`` and one
  ``sidecast_brief`` per digest at 720, naming every move of the digest.

Layers of the same press type as their main item are skipped (section 4.3), and a layer with
a delay of 0 or less is released at once.
"""

from __future__ import annotations

import enum
import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from greatwork.press._desk import (
    Desk,
    Story,
    faction_name,
    join,
    percent,
    signed,
    stable_hash,
    words,
)
from greatwork.press._research import MOODS, subject_of
from greatwork.press.occasions import OCCASIONS
from greatwork.rules.constants import Confidence, ExpeditionType, Outcome
from greatwork.rules.defection import ScholarDefected
from greatwork.rules.event import Event
from greatwork.rules.expedition import ExpeditionResolved
from greatwork.rules.generation import fill_catchphrase
from greatwork.rules.ids import Instant, ScholarId
from greatwork.rules.state import Contract, EmployerKind, Expedition, Scholar
from greatwork.rules.symposium import SymposiumResolved
from greatwork.rules.theory import TheorySettled

__all__ = [
    "BUNDLES",
    "DEPTH_RULES",
    "LAYERS",
    "MAX_MOVES",
    "Bundle",
    "DepthFacts",
    "DepthRule",
    "FollowUp",
    "LayerRow",
    "PressDepth",
    "Told",
    "Voice",
    "When",
    "depth_of",
    "expedition_depth",
    "follow_ups",
    "swing",
]

MINUTE: Final = 60


class PressDepth(enum.StrEnum):
    """How much follow-up a story gets (section 4.3)."""

    MINIMAL = "minimal"
    STANDARD = "standard"
    EXTENSIVE = "extensive"
    BREAKING = "breaking"


# --- depth -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DepthFacts:
    """What the depth rules read of one story.

    Attributes:
        events: what kind of event it was, among ``great_project_success``, ``defection``
            and ``major_discovery``.
        stake: the expedition was staked on the leader's career.
        delta: the leader's whole reputation change from it (wager and theory verdict).
        landmark: the outcome was a landmark.
    """

    events: frozenset[str] = frozenset()
    stake: bool = False
    delta: int = 0
    landmark: bool = False


@dataclass(frozen=True, slots=True)
class DepthRule:
    """One line of the depth rules: when ``test`` holds, the story is ``depth`` deep."""

    name: str
    depth: PressDepth
    test: Callable[[DepthFacts], bool]


EXTENSIVE_EVENTS: Final = frozenset({"great_project_success", "defection", "major_discovery"})
MAJOR_FINDS: Final = frozenset({"major_unlock"})
"""Failure-table entries that count as a major discovery (the spoil heap's major find)."""

DEPTH_RULES: Final[tuple[DepthRule, ...]] = (
    DepthRule(
        "great project success, defection or major discovery",
        PressDepth.EXTENSIVE,
        lambda f: bool(f.events & EXTENSIVE_EVENTS),
    ),
    DepthRule("staked on a career", PressDepth.EXTENSIVE, lambda f: f.stake),
    DepthRule("|delta| >= 10", PressDepth.BREAKING, lambda f: abs(f.delta) >= 10),
    DepthRule("landmark", PressDepth.EXTENSIVE, lambda f: f.landmark),
    DepthRule("|delta| >= 5", PressDepth.STANDARD, lambda f: abs(f.delta) >= 5),
    DepthRule("otherwise", PressDepth.MINIMAL, lambda _f: True),
)
"""Section 4.3's depth rules, in order: the first that matches decides."""


def depth_of(facts: DepthFacts, rules: Sequence[DepthRule] = DEPTH_RULES) -> PressDepth:
    """Return the depth of the first rule that matches (MINIMAL if none does)."""
    return next((rule.depth for rule in rules if rule.test(facts)), PressDepth.MINIMAL)


def expedition_depth(event: ExpeditionResolved, desk: Desk) -> PressDepth:
    """The depth of a resolved expedition's story.

    The delta is the leader's reputation change from the wager plus the verdict on the theory
    the expedition tested (D2), as recorded in the batch; so a certain expedition that
    vindicates a certain theory (+5 + 5) or refutes one (-7 - 7) is BREAKING (Q-50).
    """
    expedition = desk.state.expeditions.get(event.code)
    result = event.result
    return depth_of(
        DepthFacts(
            events=_expedition_events(expedition, result.outcome, result.failure),
            stake=expedition is not None and expedition.confidence is Confidence.STAKE_MY_CAREER,
            delta=swing(event, desk),
            landmark=result.outcome is Outcome.LANDMARK,
        )
    )


def swing(event: ExpeditionResolved, desk: Desk) -> int:
    """The leader's reputation change from a resolution: the wager plus the theory's verdict."""
    verdict = sum(
        e.reputation_delta
        for _, e in desk.batch
        if isinstance(e, TheorySettled) and e.by == f"expedition:{event.code}"
    )
    return event.result.reputation_delta + verdict


def _expedition_events(
    expedition: Expedition | None, outcome: Outcome, failure: str | None
) -> frozenset[str]:
    found = set()
    great = expedition is not None and expedition.type is ExpeditionType.GREAT_PROJECT
    if great and outcome in {Outcome.SUCCESS, Outcome.LANDMARK}:
        found.add("great_project_success")
    if failure in MAJOR_FINDS:
        found.add("major_discovery")
    return frozenset(found)


# --- the layer table -------------------------------------------------------------------------


class Voice(enum.StrEnum):
    """Who speaks in a layer."""

    GAZETTE = "gazette"  # nobody: the Gazette's own words (editorial, statement, analysis)
    ROSTER = "roster"  # scholars of the roster the main item does not name
    COLLEAGUES = "colleagues"  # the subject's former colleagues first, then the roster
    SUBJECT = "subject"  # the scholar the main item is about


class When(enum.StrEnum):
    """The condition on which a layer row applies."""

    ALWAYS = "always"
    BREAKING = "breaking"  # the story is BREAKING
    SIDE_DISCOVERY = "side_discovery"  # BREAKING, and a sideways discovery came of it
    LANDMARK = "landmark"  # the expedition was a landmark
    DECISIVE = "decisive"  # the symposium's winner took at least DECISIVE_SHARE of the votes
    LEFT_FACTION = "left_faction"  # the scholar left a faction's banner for another
    JOINED_FACTION = "joined_faction"  # the scholar came under a faction's banner from another


DECISIVE_SHARE: Final = 0.66


@dataclass(frozen=True, slots=True)
class LayerRow:
    """Layers of one occasion for one kind of story.

    Attributes:
        occasion: the layer's occasion (its template is in ``layers.yaml``).
        delays: minutes after the event, one layer each.
        voice: who speaks (each voiced layer has its own scholar).
        when: the condition on which the row applies.
        by_depth: how many of ``delays`` are used at each depth (all when None).
    """

    occasion: str
    delays: tuple[int, ...]
    voice: Voice = Voice.GAZETTE
    when: When = When.ALWAYS
    by_depth: Mapping[PressDepth, int] | None = None


REACTION_DELAYS: Final = tuple(60 + 15 * i for i in range(6))
REACTIONS: Final[Mapping[PressDepth, int]] = MappingProxyType(
    {
        PressDepth.MINIMAL: 0,
        PressDepth.STANDARD: 2,
        PressDepth.EXTENSIVE: 4,
        PressDepth.BREAKING: 6,
    }
)

_EXPEDITION: Final = (
    LayerRow("expedition_reaction", REACTION_DELAYS, Voice.ROSTER, by_depth=REACTIONS),
    LayerRow("expedition_editorial", (120,), when=When.BREAKING),
    LayerRow("expedition_investigation", (180,), when=When.SIDE_DISCOVERY),
    LayerRow("landmark_preparation", (30,), when=When.LANDMARK),
)
_DEFECTION: Final = (
    LayerRow("defection_gossip", (30, 40, 50), Voice.COLLEAGUES),
    LayerRow("defection_regret", (120,), when=When.LEFT_FACTION),
    LayerRow("defection_welcome", (150,), when=When.JOINED_FACTION),
)
_PAUSED: Final = (LayerRow("pause_gossip", (45,), Voice.ROSTER),)
_RESUMED: Final = (LayerRow("resume_gossip", (45,), Voice.ROSTER),)

LAYERS: Final[Mapping[str, tuple[LayerRow, ...]]] = MappingProxyType(
    {
        "expedition_success": _EXPEDITION,
        "expedition_landmark": _EXPEDITION,
        "expedition_partial": _EXPEDITION,
        "expedition_failure": _EXPEDITION,
        "defection_forced": _DEFECTION,
        "defection_negotiated": _DEFECTION,
        "symposium_launched": (LayerRow("symposium_teaser", (45, 65, 85), Voice.ROSTER),),
        "symposium_resolved": (
            LayerRow("symposium_reaction", (60, 75, 90, 105), Voice.ROSTER),
            LayerRow("symposium_analysis", (150,), when=When.DECISIVE),
        ),
        # [H], within the volume budget (docs/press.md, "Layered follow-ups")
        "recruit_success": (LayerRow("recruit_gossip", (45,), Voice.SUBJECT),),
        "game_paused": _PAUSED,
        "game_paused_llm": _PAUSED,
        "game_resumed": _RESUMED,
        "game_resumed_llm": _RESUMED,
    }
)
"""The layers of each main occasion (the occasion of the story that triggers them)."""


@dataclass(frozen=True, slots=True)
class Bundle:
    """One layer for every move of a kind in a batch (a digest), instead of one per move.

    Attributes:
        occasion: the bundle's occasion (in ``layers.yaml``).
        moves: how each main occasion it gathers is told, a format of the story's fields.
        delay: minutes after the first move.
        least: the fewest moves worth a bundle (one move is already its own item).
    """

    occasion: str
    moves: Mapping[str, str]
    delay: int
    least: int = 2


BUNDLES: Final[tuple[Bundle, ...]] = (
    Bundle(
        "mentorship_update",
        MappingProxyType(
            {
                "mentorship_activated": "{scholar} begins lessons with {player} ({tier}, {track})",
                "scholar_promoted": "{scholar} rises to {tier} under {player}",
                "mentorship_completed": "{scholar} completes a mentorship with {player}",
            }
        ),
        720,
    ),
    Bundle(
        "sidecast_brief",
        MappingProxyType(
            {
                "sidecast_debut": "{scholar} ({sidecast_kind}, with {sponsor}) makes a debut",
                "sidecast_integration": "{scholar} settles in with {sponsor}",
                "sidecast_spotlight": "{scholar} takes the spotlight for {sponsor}",
            }
        ),
        720,
    ),
)
"""The [H] per-phase follow-ups, bundled: one item per digest rather than three per move."""

MAX_MOVES: Final = 6  # a bundle names this many moves, then "and N more"

# One of five moods for each voiced layer (an expedition's come from its outcome).
LAYER_MOODS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "defection_gossip": ("shocked", "unsurprised", "wistful", "indignant", "amused"),
        "symposium_teaser": ("eager", "sceptical", "curious", "combative", "wry"),
        "symposium_reaction": ("gratified", "dismayed", "philosophical", "unconvinced", "amused"),
        "recruit_gossip": ("delighted", "relieved", "ambitious", "cautious", "proud"),
        "pause_gossip": ("irritated", "relieved", "bemused", "restless", "philosophical"),
        "resume_gossip": ("relieved", "eager", "grudging", "cheerful", "impatient"),
    }
)


# --- composing -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Told:
    """A story the composer printed: what its layers follow."""

    seq: int
    event: Event
    story: Story
    kind: str  # the main item's press type


@dataclass(frozen=True, slots=True)
class FollowUp:
    """One layer to print: its story, and when.

    Attributes:
        story: the layer's occasion, fields and meta (``meta["layer"]`` is True).
        event: the event it follows (its time is the layer's ``at``).
        seq: the journal seq of that event.
        release_at: when the layer goes public.
        salt: tells apart the layers of one event in the variant choice.
    """

    story: Story
    event: Event
    seq: int
    release_at: Instant
    salt: str


@dataclass(slots=True)
class _Trigger:
    """What the rows of one story read."""

    told: Told
    desk: Desk
    depth: PressDepth | None = None
    subject: str = ""
    exclude: frozenset[ScholarId] = frozenset()
    colleagues: tuple[ScholarId, ...] = ()
    conditions: set[When] = field(default_factory=lambda: {When.ALWAYS})
    overrides: dict[str, Mapping[str, object]] = field(default_factory=dict)


def follow_ups(
    told: Sequence[Told],
    desk: Desk,
    table: Mapping[str, tuple[LayerRow, ...]] = LAYERS,
    bundles: Sequence[Bundle] = BUNDLES,
) -> list[FollowUp]:
    """Return the layers of a batch's stories, in story order, then its bundles.

    Args:
        told: the stories the composer printed for one batch, in event order.
        desk: the state after the batch, the content and the batch itself.
        table: the layer table (:data:`LAYERS`).
        bundles: the bundles (:data:`BUNDLES`).
    """
    out: list[FollowUp] = []
    for one in told:
        rows = table.get(one.story.occasion, ())
        if rows:
            out.extend(_layers(_trigger(one, desk), rows))
    for bundle in bundles:
        found = _bundle(bundle, told, desk)
        if found is not None:
            out.append(found)
    return out


def _trigger(told: Told, outer: Desk) -> _Trigger:
    desk = Desk(outer.state, outer.content, told.seq, outer.batch)
    trigger = _Trigger(told, desk, exclude=_named(told.story.meta))
    event = told.event
    occasion = told.story.occasion
    if isinstance(event, ExpeditionResolved):
        _expedition(trigger, event)
    elif isinstance(event, ScholarDefected):
        _defection(trigger, event)
    elif isinstance(event, SymposiumResolved) or occasion == "symposium_launched":
        number = told.story.fields.get("number", "")
        trigger.subject = f"the question before Symposium No. {number}".strip()
        if isinstance(event, SymposiumResolved) and _share(event) >= DECISIVE_SHARE:
            trigger.conditions.add(When.DECISIVE)
    elif occasion == "recruit_success":
        trigger.subject = f"my new post with {told.story.fields.get('player', '')}".strip()
    elif occasion.startswith("game_paused"):
        trigger.subject = "the closing of the Academy"
    elif occasion.startswith("game_resumed"):
        trigger.subject = "the reopening of the Academy"
    return trigger


def _named(meta: Mapping[str, Any]) -> frozenset[ScholarId]:
    """The scholars a main item names (its team, its subject): they do not comment on it."""
    named = [meta.get("scholar"), *(meta.get("scholars") or ())]
    return frozenset(ScholarId(str(s)) for s in named if s)


def _expedition(trigger: _Trigger, event: ExpeditionResolved) -> None:
    desk = trigger.desk
    depth = expedition_depth(event, desk)
    trigger.depth = depth
    expedition = desk.state.expeditions.get(event.code)
    if expedition is not None:
        trigger.subject = subject_of(expedition)
    if depth is PressDepth.BREAKING:
        trigger.conditions.add(When.BREAKING)
        if event.result.sideways and trigger.told.story.fields.get("sideways"):
            trigger.conditions.add(When.SIDE_DISCOVERY)
    if event.result.outcome is Outcome.LANDMARK:
        trigger.conditions.add(When.LANDMARK)
    trigger.overrides["expedition_editorial"] = {"swing": signed(swing(event, desk))}


def _banner(contract: Contract) -> str:
    if contract.faction is not None:
        return str(contract.faction)
    return contract.employer if contract.kind is EmployerKind.FACTION else ""


def _defection(trigger: _Trigger, event: ScholarDefected) -> None:
    desk = trigger.desk
    trigger.depth = PressDepth.EXTENSIVE  # section 4.3: defections are always EXTENSIVE
    trigger.subject = f"the defection of {desk.scholar(event.scholar)}"
    trigger.colleagues = tuple(
        sid
        for sid, s in sorted(desk.state.scholars.items())
        if sid != event.scholar
        and s.contract.employer == event.old.employer
        and s.contract.kind is event.old.kind
    )
    old, new = _banner(event.old), _banner(event.new)
    if old and old != new:
        trigger.conditions.add(When.LEFT_FACTION)
        trigger.overrides["defection_regret"] = {"faction": faction_name(old)}
    if new and new != old:
        trigger.conditions.add(When.JOINED_FACTION)
        trigger.overrides["defection_welcome"] = {"faction": faction_name(new)}


def _share(event: SymposiumResolved) -> float:
    total = sum(event.tally)
    if event.winner is None or total <= 0 or not 0 < event.winner <= len(event.tally):
        return 0.0
    return event.tally[event.winner - 1] / total


def _layers(trigger: _Trigger, rows: Iterable[LayerRow]) -> list[FollowUp]:
    told, desk = trigger.told, trigger.desk
    rng = random.Random(stable_hash(desk.state.seed, told.seq, "layers", told.story.occasion))
    spoken: set[ScholarId] = set(trigger.exclude)
    out: list[FollowUp] = []
    for row in rows:
        occasion = OCCASIONS.get(row.occasion)
        if occasion is None or occasion.kind == told.kind or row.when not in trigger.conditions:
            continue  # section 4.3: a layer of the main item's own type is skipped
        delays = row.delays
        if row.by_depth is not None:
            delays = delays[: row.by_depth.get(trigger.depth or PressDepth.MINIMAL, 0)]
        speakers: list[Scholar | None] = [None] * len(delays)
        if row.voice is not Voice.GAZETTE:
            found = _speakers(trigger, row.voice, rng, spoken, len(delays))
            spoken.update(s.id for s in found)
            speakers, delays = list(found), delays[: len(found)]
        for index, (delay, speaker) in enumerate(zip(delays, speakers, strict=True)):
            story = _story(trigger, row.occasion, speaker, rng, delay)
            out.append(_follow(told, story, delay, f"{row.occasion}:{index}"))
    return out


def _speakers(
    trigger: _Trigger, voice: Voice, rng: random.Random, spoken: set[ScholarId], count: int
) -> list[Scholar]:
    state = trigger.desk.state
    if voice is Voice.SUBJECT:
        record = trigger.desk.scholar_record(trigger.told.story.meta.get("scholar"))
        return [record] if record is not None and count > 0 else []
    roster = [sid for sid in sorted(state.scholars) if sid not in spoken]
    first: list[ScholarId] = []
    if voice is Voice.COLLEAGUES:
        first = [sid for sid in trigger.colleagues if sid not in spoken]
        roster = [sid for sid in roster if sid not in first]
        rng.shuffle(first)
    rng.shuffle(roster)
    return [state.scholars[sid] for sid in [*first, *roster][: max(0, count)]]


_LEFTOVER: Final = re.compile(r"\{(\w+)\}")


def _story(
    trigger: _Trigger,
    occasion: str,
    speaker: Scholar | None,
    rng: random.Random,
    delay: int,
) -> Story:
    told, desk = trigger.told, trigger.desk
    spec = OCCASIONS[occasion]
    fields: dict[str, object] = {
        key: value for key, value in told.story.fields.items() if key in spec.fields
    }
    fields |= trigger.overrides.get(occasion, {})
    if "subject" in spec.fields:
        fields["subject"] = trigger.subject
    if "share" in spec.fields and isinstance(told.event, SymposiumResolved):
        fields["share"] = percent(_share(told.event))
    meta: dict[str, Any] = {
        **told.story.meta,
        "layer": True,
        "trigger": told.story.occasion,
        "delay": delay,
    }
    if trigger.depth is not None:
        meta["depth"] = str(trigger.depth)
    if speaker is not None:
        moods = _moods(occasion, told.event)
        phrase = fill_catchphrase(
            speaker.catchphrase, desk.content.catchphrase_fills, rng, subject=trigger.subject
        )
        fields |= {
            "speaker": speaker.name,
            "mood": rng.choice(moods),
            "quote": _LEFTOVER.sub(lambda m: words(m.group(1)), phrase),
        }
        meta["speaker"] = str(speaker.id)
    return Story(occasion, fields, meta)


def _moods(occasion: str, event: Event) -> tuple[str, ...]:
    if isinstance(event, ExpeditionResolved):
        return MOODS.get(event.result.outcome, MOODS[Outcome.PARTIAL])
    return LAYER_MOODS.get(occasion, MOODS[Outcome.PARTIAL])


def _follow(told: Told, story: Story, delay: int, salt: str) -> FollowUp:
    return FollowUp(
        story=story,
        event=told.event,
        seq=told.seq,
        release_at=Instant(told.event.at + max(0, delay) * MINUTE),
        salt=salt,
    )


class _Fields(dict[str, str]):
    """A story's fields as text; a field it lacks prints as nothing."""

    def __init__(self, fields: Mapping[str, object]) -> None:
        super().__init__({key: str(value) for key, value in fields.items()})

    def __missing__(self, key: str) -> str:
        return ""


def _bundle(bundle: Bundle, told: Sequence[Told], desk: Desk) -> FollowUp | None:
    moves = [one for one in told if one.story.occasion in bundle.moves]
    kind = OCCASIONS[bundle.occasion].kind
    if len(moves) < max(1, bundle.least) or any(one.kind == kind for one in moves):
        return None
    lines = [
        bundle.moves[one.story.occasion].format_map(_Fields(one.story.fields)) for one in moves
    ]
    shown = lines[:MAX_MOVES]
    if len(lines) > MAX_MOVES:
        shown.append(f"{len(lines) - MAX_MOVES} more")
    scholars = [
        str(one.story.meta.get("scholar")) for one in moves if one.story.meta.get("scholar")
    ]
    story = Story(
        bundle.occasion,
        {"digest": desk.state.last_digest, "count": len(lines), "moves": join(shown)},
        {
            "layer": True,
            "trigger": moves[0].story.occasion,
            "delay": bundle.delay,
            "scholars": scholars,
            "digest": desk.state.last_digest,
        },
    )
    return _follow(moves[0], story, bundle.delay, bundle.occasion)
