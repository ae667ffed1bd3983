"""Variety in the Gazette: variants, headlines with context, reminders, reactions and caps."""

from __future__ import annotations

import dataclasses
import random
import re
import string

import pytest

from greatwork.content._press import CAPS, DEFAULT_CAPS, Caps, caps_for
from greatwork.press import compose as compose_module
from greatwork.press._desk import Story
from greatwork.press._research import MOODS, SUBJECT_CAP, subject_of
from greatwork.press._roster import EXCERPT, excerpt
from greatwork.press.compose import ELLIPSIS, MAX_BODY, MAX_HEADLINE, compose
from greatwork.press.item import PressDraft
from greatwork.press.layers import BUNDLES, LAYER_MOODS, MAX_MOVES
from greatwork.press.occasions import OCCASIONS
from greatwork.rules.constants import Outcome
from greatwork.rules.content import PressTemplate
from greatwork.rules.expedition import ExpeditionResolved
from greatwork.rules.generation import SUBJECT_SLOT, fill_catchphrase
from greatwork.rules.ids import ExpeditionCode, Instant, TopicId
from greatwork.rules.social import TableTalkPosted
from greatwork.rules.symposium import SymposiumReminderDue
from greatwork.rules.timeline import YearsAdvanced
from tests.press.world import ADA, AMES, BRAM, REAL, result, world
from tests.rules.builders import T0

STATE = world()
AT = Instant(T0 + 3600)
PLACEHOLDER = re.compile(r"\{\w+\}")

# Occasions seen about five times or more in a 14-day season of 6 players (the narrative
# benchmark), and the ones issue 5 names: each has at least 3 headlines and 3 bodies.
FREQUENT = (
    "theory_submitted",
    "theory_raised",
    "theory_vindicated",
    "theory_refuted",
    "theory_lapsed",
    "expedition_launched",
    "expedition_success",
    "expedition_landmark",
    "expedition_partial",
    "expedition_failure",
    "conference_scheduled",
    "conference_success",
    "conference_partial",
    "conference_failure",
    "recruit_success",
    "recruit_failure",
    "recruitment_grudge",
    "offer_made",
    "offer_countered",
    "negotiation_defected",
    "negotiation_stayed",
    "negotiation_rejected",
    "mentorship_queued",
    "mentorship_activated",
    "scholar_promoted",
    "mentorship_completed",
    "mentorship_cancelled",
    "lab_assigned",
    "scholar_joined",
    "scholar_retired",
    "sidecast_arrived",
    "sidecast_debut",
    "sidecast_integration",
    "sidecast_spotlight",
    "sidecast_normalised",
    "table_talk",
    "symposium_launched",
    "symposium_resolved",
    "symposium_vote",
    "proposal_submitted",
    "reminder_grace",
    "reminder_grace_final",
    "reminder_stake",
    "reminder_stake_final",
    "years_advanced",
    "invested",
    "endowed",
)
# Kept to one headline on purpose: the play scripts search for "Among Us".
SINGLE_HEADLINE = frozenset({"legend_joined"})


def _names(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# --- variants ----------------------------------------------------------------------------------


@pytest.mark.parametrize("occasion", FREQUENT)
def test_frequent_occasions_have_three_headlines_and_three_bodies(occasion: str) -> None:
    template = REAL.press_templates[occasion]
    assert len(template.headlines) >= 3, template.headlines
    assert len(template.bodies) >= 3, template.bodies


def test_every_other_occasion_has_two_of_each() -> None:
    for key, template in REAL.press_templates.items():
        assert len(template.bodies) >= 2, key
        if key not in SINGLE_HEADLINE:
            assert len(template.headlines) >= 2, key
    assert REAL.press_templates["legend_joined"].headlines == ("Among Us: {scholar}",)


@pytest.mark.parametrize("occasion", ["theory_submitted", "symposium_vote", "reminder_stake"])
def test_the_choice_spreads_over_every_variant_and_is_stable(occasion: str) -> None:
    template = REAL.press_templates[occasion]
    picked = {compose_module._pick(template, "headline", STATE.seed, seq) for seq in range(200)}
    assert picked == set(template.headlines)
    bodies = {compose_module._pick(template, "body", STATE.seed, seq) for seq in range(200)}
    assert bodies == set(template.bodies)
    again = [compose_module._pick(template, "body", STATE.seed, seq) for seq in range(50)]
    assert again == [compose_module._pick(template, "body", STATE.seed, seq) for seq in range(50)]


# --- headlines carry context -------------------------------------------------------------------


def test_no_gossip_headline_is_the_speaker_alone() -> None:
    bare = re.compile(r"Academic Gossip — \{\w+\}")
    for key, occasion in OCCASIONS.items():
        if occasion.kind != "academic_gossip":
            continue
        for headline in REAL.press_templates[key].headlines:
            assert not bare.fullmatch(headline), (key, headline)
            if headline.startswith("Academic Gossip — "):
                speaker = headline.removeprefix("Academic Gossip — ")
                assert len(speaker.split()) > 1, (key, headline)


def test_table_talk_headlines_quote_the_opening_words() -> None:
    message = "Who else thinks the harbour was a temple, and who will say so in print?"
    event = TableTalkPosted(at=AT, player=ADA, message=message)
    for seq in range(12):
        [draft] = compose([(seq, event)], STATE, REAL)
        assert '"Who else thinks the harbour was a temple, and…"' in draft.headline
        assert f'"{message}"' in draft.body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Short and sweet", "Short and sweet"),
        ("  spaced \n  out  ", "spaced out"),
        ("one two three four five six seven eight nine ten eleven", "one two three four five six…"),
        ("x" * 60, "x" * 29 + ELLIPSIS),
    ],
)
def test_excerpt_cuts_on_a_word(text: str, expected: str) -> None:
    assert excerpt(text, 30) == expected
    assert len(excerpt(text, 30)) <= 30
    assert len(excerpt("word " * 40)) <= EXCERPT


# --- the symposium's two reminders -------------------------------------------------------------


def _reminder(stage: int, *, grace: bool, seq: int) -> PressDraft:
    event = SymposiumReminderDue(
        at=AT, topic=TopicId("SYM-1"), player=BRAM, stage=stage, pledge=4, grace_left=grace
    )
    [draft] = compose([(seq, event)], STATE, REAL)
    return draft


@pytest.mark.parametrize("grace", [True, False])
def test_the_first_and_the_final_call_read_differently(grace: bool) -> None:
    first = [_reminder(1, grace=grace, seq=seq) for seq in range(40)]
    final = [_reminder(2, grace=grace, seq=seq) for seq in range(40)]
    assert {d.meta["stage"] for d in first} == {1}
    assert {d.meta["stage"] for d in final} == {2}
    assert all("First Call" in d.headline for d in first)
    assert all("Final Call" in d.headline for d in final)
    assert not {d.headline for d in first} & {d.headline for d in final}
    assert not {d.body for d in first} & {d.body for d in final}
    # the same seq (as in one digest) never prints the same words twice
    for one, two in zip(first, final, strict=True):
        assert one.headline != two.headline
        assert one.body != two.body


def test_the_two_reminder_templates_share_no_wording() -> None:
    for early, late in (
        ("reminder_grace", "reminder_grace_final"),
        ("reminder_stake", "reminder_stake_final"),
    ):
        a, b = REAL.press_templates[early], REAL.press_templates[late]
        assert not set(a.headlines) & set(b.headlines)
        assert not set(a.bodies) & set(b.bodies)


# --- reactions use the event's subject ---------------------------------------------------------


@pytest.mark.parametrize(
    ("objective", "subject"),
    [
        ("the drowned city", "the expedition to the drowned city"),
        ("Dig by the harbour.", "the expedition to dig by the harbour"),
        ("To find the bronze wing", "the expedition to find the bronze wing"),
        ("Tyre's lost harbour", "the expedition to Tyre's lost harbour"),
        ("A survey of the delta", "the expedition to a survey of the delta"),
        ("DIG IT ALL UP", "the expedition to DIG IT ALL UP"),
        ("The   old\n road", "the expedition to the old road"),
    ],
)
def test_the_subject_of_an_expedition_reads_as_a_noun_phrase(objective: str, subject: str) -> None:
    x = dataclasses.replace(STATE.expeditions[ExpeditionCode("AX-S")], objective=objective)
    assert subject_of(x) == subject


def test_a_long_objective_is_cut_in_a_reaction() -> None:
    x = dataclasses.replace(
        STATE.expeditions[ExpeditionCode("AX-S")], objective="Walk " + "the long road " * 30
    )
    subject = subject_of(x)
    assert subject.endswith(ELLIPSIS)
    assert len(subject) <= len("the expedition to ") + SUBJECT_CAP


def test_fill_catchphrase_puts_the_subject_in_the_topic_slot() -> None:
    fills = REAL.catchphrase_fills
    pattern = "Mark my words: {topic} will make somebody's career."
    assert SUBJECT_SLOT == "topic"
    said = fill_catchphrase(pattern, fills, random.Random(1), subject="the harbour dig")
    assert said == "Mark my words: the harbour dig will make somebody's career."
    drawn = fill_catchphrase(pattern, fills, random.Random(1))
    assert (
        drawn.removeprefix("Mark my words: ").removesuffix(" will make somebody's career.")
        in fills["topic"]
    )
    other = fill_catchphrase("Show me {evidence}.", fills, random.Random(1), subject="the dig")
    assert "the dig" not in other
    assert other.removeprefix("Show me ").removesuffix(".") in fills["evidence"]


def test_every_pattern_names_the_subject_and_fills_completely() -> None:
    for pattern in REAL.catchphrases:
        assert f"{{{SUBJECT_SLOT}}}" in pattern, pattern
        for seed in range(5):
            text = fill_catchphrase(
                pattern, REAL.catchphrase_fills, random.Random(seed), subject="the dig"
            )
            assert "the dig" in text
            assert not PLACEHOLDER.search(text), text


def _report(outcome: Outcome, catchphrase: str, seq: int = 7) -> PressDraft:
    ames = dataclasses.replace(STATE.scholars[AMES], catchphrase=catchphrase)
    state = dataclasses.replace(STATE, scholars={**STATE.scholars, AMES: ames})
    event = ExpeditionResolved(at=AT, code=ExpeditionCode("AX-S"), result=result(outcome, 60, 5))
    [draft] = [d for d in compose([(seq, event)], state, REAL) if not d.meta.get("layer")]
    return draft


@pytest.mark.parametrize("outcome", list(Outcome))
def test_a_reaction_names_the_expedition(outcome: Outcome) -> None:
    for seq in range(8):
        draft = _report(outcome, "I have long suspected that {topic} hinges on {concept}.", seq)
        line = draft.body.splitlines()[-1]
        assert line.startswith("Reactions: Dr Ames (")
        mood = line.removeprefix("Reactions: Dr Ames (").split(")")[0]
        assert mood in MOODS[outcome]
        assert "that the expedition to the drowned city hinges on " in line
        assert not PLACEHOLDER.search(draft.body)


def test_a_reaction_never_prints_a_placeholder_it_cannot_fill() -> None:
    draft = _report(Outcome.SUCCESS, "Ask me about {unheard_of} and {topic}.")
    assert "Ask me about unheard of and the expedition to the drowned city." in draft.body
    assert "{" not in draft.body


def test_moods_vary_between_scholars_and_come_from_the_outcome() -> None:
    seen = {
        _report(Outcome.FAILURE, "Show me {evidence}.", seq)
        .body.split("Dr Ames (")[1]
        .split(")")[0]
        for seq in range(40)
    }
    assert len(seen) >= 3
    assert seen <= set(MOODS[Outcome.FAILURE])


# --- caps --------------------------------------------------------------------------------------


def test_the_caps_table() -> None:
    kinds = {occasion.kind for occasion in OCCASIONS.values()}
    assert set(CAPS) <= kinds
    assert caps_for("academic_gossip") == Caps(200, 600)
    assert caps_for("discovery_report") == DEFAULT_CAPS == Caps(256, 1500)
    assert caps_for("no_such_kind") == DEFAULT_CAPS
    assert (DEFAULT_CAPS.headline, DEFAULT_CAPS.body) == (MAX_HEADLINE, MAX_BODY)
    for caps in CAPS.values():
        assert 2 <= caps.headline <= MAX_HEADLINE
        assert 2 <= caps.body <= MAX_BODY


def test_table_talk_is_printed_whole_though_gossip_is_capped() -> None:
    message = "Hear me out. " + "The harbour was a temple and I can prove it. " * 21  # 958
    [draft] = compose([(3, TableTalkPosted(at=AT, player=ADA, message=message))], STATE, REAL)
    assert caps_for("academic_gossip", "table_talk") == Caps(200, MAX_BODY)
    assert caps_for("academic_gossip", "lab_assigned") == caps_for("academic_gossip")
    assert len(draft.body) > caps_for("academic_gossip").body
    assert ELLIPSIS not in draft.body
    assert message.strip() in draft.body


# The longest value each field can take: player text at the rules' limits, display names at 64
# characters, lists of six names, and six reactions built from the real catchphrases.
_NAME = 64
_LONGEST: dict[str, int] = {
    "theory": 300,
    "objective": 300,
    "message": 1000,
    "excerpt": EXCERPT,
    "topic": 120,
    "description": 500,
    "reason": 200,
    "program": 120,
    "nickname": 64,
    "name": 64,
    "code": 24,
    "countered_id": 12,
    "offer_id": 12,
    "proposal_id": 12,
    "theory_id": 8,
    "chain": 12,
    "commitment": 12,
    "project": 12,
    "order": 12,
    "order_type": 40,
    "tier": 32,
    "track": 12,
    "archetype": 20,
    "discipline": 60,
    "sidecast_kind": 24,
    "confidence": 15,
    "deadline": 32,
    "ends": 32,
    "type": 16,
    "depth": 10,
    "outcome": 10,
    "score": 16,
    "domain": 40,
    "source": 40,
    "sideways": 90 + 300,
    "detail": 78 + 300,
    "funding": 120,
    "amounts": 120,
    "rewards": 120,
    "reward": 30,
    "terms": 70,
    "strengths": 60,
    "risks": 40,
    "options": 50,
    "tally": 60,
    "winner_name": 16,
    "option_name": 16,
    "penalty": 40,
    "faction": 22,
    "status": 12,
    "percent": 5,
    "share": 4,
    "swing": 4,
    "digest": 4,
    "count": 3,
    "subject": len("the expedition to ") + SUBJECT_CAP,
    "rewarded": 8 * (_NAME + 2),
    "contributors": 8 * (_NAME + 2),
    "non_voters": 8 * (_NAME + 2),
    "supporters": 6 * (30 + 2),
    "opposition": 6 * (30 + 2),
    "team": 6 * (30 + 2),
}
_NAMES = {
    "player",
    "scholar",
    "rival",
    "patron",
    "admin",
    "sponsor",
    "proposer",
    "judge",
    "employer",
    "old_employer",
    "new_employer",
    "speaker",
}
# Bodies that may be cut even with every other field at its longest: a report's six reactions
# come last and are what gives way. (Table talk at the rules' 1,000 characters is printed whole.)
MAY_BE_CUT = frozenset(
    {
        "expedition_success",
        "expedition_landmark",
        "expedition_partial",
        "expedition_failure",
    }
)


def _text(length: int, word: str) -> str:
    """Words of a field's longest value, exactly ``length`` characters."""
    return (f"{word} " * (length // (len(word) + 1) + 1))[:length].rstrip() or word


def _reactions() -> str:
    longest = max(REAL.catchphrases, key=len)
    fills = {k: (max(v, key=len),) for k, v in REAL.catchphrase_fills.items()}
    subject = "the expedition to " + "x" * SUBJECT_CAP
    phrase = fill_catchphrase(longest, fills, random.Random(0), subject=subject)
    mood = max((m for moods in MOODS.values() for m in moods), key=len)
    line = f"{'N' * 30} ({mood}): {phrase}"
    return " | ".join([line] * 6)


def _quote() -> str:
    """A layer's remark at its longest: the longest pattern, fills and subject (98)."""
    longest = max(REAL.catchphrases, key=len)
    fills = {k: (max(v, key=len),) for k, v in REAL.catchphrase_fills.items()}
    subject = "the expedition to " + "x" * SUBJECT_CAP
    return fill_catchphrase(longest, fills, random.Random(0), subject=subject)


def _moves() -> str:
    """A bundle's moves at their longest: its longest move, as many times as it shows."""
    values = {name: _longest(name) for name in ("scholar", "player", "sponsor", "tier", "track")}
    values["sidecast_kind"] = _longest("sidecast_kind")
    phrase = max(
        (move.format_map(values) for bundle in BUNDLES for move in bundle.moves.values()), key=len
    )
    return ", ".join([phrase] * MAX_MOVES) + " and 99 more"


def _longest(name: str) -> str:
    if name == "reactions":
        return _reactions()
    if name == "quote":
        return _quote()
    if name == "moves":
        return _moves()
    if name == "mood":
        return max(
            (m for moods in (*MOODS.values(), *LAYER_MOODS.values()) for m in moods), key=len
        )
    if name in _NAMES:
        return _text(_NAME, name.title())
    return _text(_LONGEST.get(name, 6), name)


@pytest.mark.parametrize("occasion", sorted(OCCASIONS))
def test_every_occasion_fits_its_caps_with_the_longest_fill(occasion: str) -> None:
    fields = {name: _longest(name) for name in OCCASIONS[occasion].fields}
    story = Story(occasion, fields)
    caps = caps_for(OCCASIONS[occasion].kind, occasion)
    template = REAL.press_templates[occasion]
    event = YearsAdvanced(at=AT, years=1, year=1922, anchor_day=1)
    must = OCCASIONS[occasion].body_must
    for headline in template.headlines:
        for body in template.bodies:
            one = PressTemplate(occasion=occasion, headlines=(headline,), bodies=(body,))
            content = dataclasses.replace(REAL, press_templates={occasion: one})
            draft = compose_module._draft(story, event, 1, STATE, content)
            assert draft is not None
            assert len(draft.headline) <= caps.headline
            assert not draft.headline.endswith(ELLIPSIS), (occasion, draft.headline)
            assert len(draft.body) <= caps.body
            assert not PLACEHOLDER.search(draft.headline + draft.body)
            if occasion not in MAY_BE_CUT:
                assert not draft.body.endswith(ELLIPSIS), (occasion, len(draft.body), body)
            for name in must:  # what section 4.1 requires survives any cut
                assert fields[name][:40] in draft.body, (occasion, name)
            assert _names(body) <= OCCASIONS[occasion].allowed


def test_a_template_with_every_optional_field_empty_prints_no_placeholder() -> None:
    event = YearsAdvanced(at=AT, years=1, year=1922, anchor_day=1)
    for occasion, spec in OCCASIONS.items():
        fields = {name: _text(12, name) for name in spec.body_must | spec.headline_must}
        fields |= dict.fromkeys(spec.fields - fields.keys(), "")
        template = REAL.press_templates[occasion]
        for seq in range(len(template.headlines) * len(template.bodies) * 4):
            draft = compose_module._draft(Story(occasion, fields), event, seq, STATE, REAL)
            assert draft is not None
            assert not PLACEHOLDER.search(draft.headline + draft.body), occasion
