"""The composer's mechanics: determinism, variants, caps, paragraphs and bad wiring."""

from __future__ import annotations

import dataclasses
import logging
import random

import pytest

import greatwork.press.compose as compose_module
from greatwork.press._desk import Desk, Story
from greatwork.press.compose import ELLIPSIS, MAX_BODY, MAX_HEADLINE, compose, cut, write
from greatwork.rules.content import PressTemplate
from greatwork.rules.event import Event
from greatwork.rules.expedition import ExpeditionLaunched
from greatwork.rules.ids import ExpeditionCode, Instant, ProposalId
from greatwork.rules.proposal import ProposalSubmitted
from greatwork.rules.recruitment import RecruitmentGrudge
from greatwork.rules.theory import TheorySubmitted
from greatwork.rules.timeline import YearsAdvanced
from tests.press.world import ADA, BELL, REAL, T1, world
from tests.rules.builders import T0

STATE = world()
AT = Instant(T0 + 60)


def _bulletin(seq: int) -> list[tuple[int, Event]]:
    return [(seq, TheorySubmitted(at=AT, theory=STATE.theories[T1]))]


def test_same_input_same_output() -> None:
    events = [
        *_bulletin(10),
        (11, RecruitmentGrudge(at=AT, scholar=BELL, player=ADA)),
        (12, YearsAdvanced(at=AT, years=1, year=1922, anchor_day=1)),
    ]
    first = compose(events, STATE, REAL)
    second = compose(list(events), STATE, REAL)
    assert first == second
    assert [d.seq for d in first] == [10, 11, 12]


def test_the_global_random_state_plays_no_part() -> None:
    random.seed(1)
    first = [compose(_bulletin(seq), STATE, REAL) for seq in range(30)]
    random.seed(2)
    random.random()
    second = [compose(_bulletin(seq), STATE, REAL) for seq in range(30)]
    assert first == second


def test_variants_follow_seed_and_seq() -> None:
    template = REAL.press_templates["theory_submitted"]
    assert len(template.headlines) > 1  # the real wording has variants to choose from
    headlines = {compose(_bulletin(seq), STATE, REAL)[0].headline for seq in range(40)}
    assert len(headlines) == len(template.headlines)
    reseeded = dataclasses.replace(STATE, seed=STATE.seed + 1)
    by_seed = [compose(_bulletin(seq), reseeded, REAL)[0].headline for seq in range(40)]
    by_seq = [compose(_bulletin(seq), STATE, REAL)[0].headline for seq in range(40)]
    assert by_seed != by_seq


def test_a_long_player_text_is_cut_on_a_word() -> None:
    proposal = dataclasses.replace(
        STATE.proposals[ProposalId("P-1")],
        topic="Whether " + "the very old archive " * 20,
        description="Because " + "we really must know more about it " * 60,
    )
    [draft] = compose([(5, ProposalSubmitted(at=AT, proposal=proposal))], STATE, REAL)
    assert len(draft.headline) <= MAX_HEADLINE
    assert len(draft.body) <= MAX_BODY
    assert draft.headline.endswith(ELLIPSIS)
    assert draft.body.endswith(ELLIPSIS)
    words = {"Whether", "the", "very", "old", "archive", "Because", "we", "really", "must"}
    words |= {"know", "more", "about", "it"}
    last_word = draft.body.removesuffix(ELLIPSIS).split()[-1]
    assert last_word.strip('"?:') in words  # cut between words, not inside one


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("exactly ten", 11, "exactly ten"),
        ("one two three four", 10, "one two…"),
        ("one two, three", 10, "one two…"),
        ("abcdefghijklmnop", 6, "abcde…"),
        ("para one\npara two", 12, "para one…"),
    ],
)
def test_cut(text: str, limit: int, expected: str) -> None:
    assert cut(text, limit) == expected
    assert len(cut(text, limit)) <= limit


def test_cut_refuses_a_limit_with_no_room() -> None:
    with pytest.raises(ValueError, match="at least 2 characters, got 1"):
        cut("anything", 1)


def test_a_paragraph_with_an_empty_field_is_left_out() -> None:
    plain = dataclasses.replace(
        STATE.expeditions[ExpeditionCode("AX-S")], theory=None, prep=0, expertise=0, friction=0
    )
    for seq in range(6):  # whichever variant is drawn
        [draft] = compose([(seq, ExpeditionLaunched(at=AT, expedition=plain))], STATE, REAL)
        assert "the drowned city" in draft.body
        assert "theory" not in draft.body
        assert "+0" not in draft.body
        assert len(draft.body.splitlines()) == 1
    [full] = compose(
        [(0, ExpeditionLaunched(at=AT, expedition=STATE.expeditions[ExpeditionCode("AX-S")]))],
        STATE,
        REAL,
    )
    assert len(full.body.splitlines()) == 4


def test_without_templates_nothing_is_printed(caplog: pytest.LogCaptureFixture) -> None:
    empty = dataclasses.replace(REAL, press_templates={})
    with caplog.at_level(logging.WARNING, logger="greatwork.press"):
        assert compose(_bulletin(3), STATE, empty) == []
    assert "No press template for occasion 'theory_submitted'" in caplog.text


def test_a_writer_that_forgets_a_field_is_logged_and_shown_as_a_dash(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forgetful(event: object, desk: Desk) -> Story:
        del event, desk
        return Story("years_advanced", {"previous": 1921})  # "years" is missing

    monkeypatch.setitem(compose_module.WRITERS, "YearsAdvanced", forgetful)
    with caplog.at_level(logging.ERROR, logger="greatwork.press"):
        [draft] = compose(
            [(4, YearsAdvanced(at=AT, years=1, year=1922, anchor_day=1))], STATE, REAL
        )
    assert "missing fields ['years']" in caplog.text
    assert "—" in draft.body
    assert "{" not in draft.body


def test_a_template_with_an_unknown_field_prints_a_dash(caplog: pytest.LogCaptureFixture) -> None:
    broken = PressTemplate(
        occasion="recruitment_grudge", headlines=("Gossip {wizard}",), bodies=("{scholar}",)
    )
    content = dataclasses.replace(
        REAL, press_templates={**REAL.press_templates, "recruitment_grudge": broken}
    )
    with caplog.at_level(logging.ERROR, logger="greatwork.press"):
        [draft] = compose([(4, RecruitmentGrudge(at=AT, scholar=BELL, player=ADA))], STATE, content)
    assert draft.headline == "Gossip —"
    assert draft.body == "Dr Bell"
    assert "unknown field {wizard}" in caplog.text


def test_write_returns_none_for_an_event_that_is_not_news() -> None:
    from greatwork.rules.digest import DigestStarted  # noqa: PLC0415 (one test uses it)

    assert write(DigestStarted(at=AT, number=1), 1, STATE, REAL) is None
