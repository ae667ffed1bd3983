"""The simulator's bots write varied, grammatical theories, objectives and symposium topics."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import TypeVar

from greatwork.rules.constants import MAX_OBJECTIVE_LENGTH, MAX_THEORY_LENGTH
from greatwork.rules.proposal import MAX_PROPOSAL_DESCRIPTION, MAX_PROPOSAL_TOPIC
from greatwork.sim import CLAIMS, SUBJECTS, bot_objective, bot_theory, bot_topic

DRAWS = 300
_T = TypeVar("_T")
# The old list's mistakes: a verb after "Is ... " ("Is the oldest script is a ledger
# provable?") and a bare lower-case noun after a capital ("Test bronze age flight").
DOUBLE_VERB = re.compile(r"^(Is|Can|Was) .* (is|was) .* provable\?$")


def _draw(make: Callable[[random.Random], _T], seed: int) -> list[_T]:
    rng = random.Random(seed)
    return [make(rng) for _ in range(DRAWS)]


def test_the_same_seed_gives_the_same_words() -> None:
    assert _draw(bot_theory, 4) == _draw(bot_theory, 4) != _draw(bot_theory, 5)
    assert _draw(bot_objective, 4) == _draw(bot_objective, 4) != _draw(bot_objective, 5)
    assert _draw(bot_topic, 4) == _draw(bot_topic, 4) != _draw(bot_topic, 5)


def test_theories_are_sentences_from_a_subject_and_a_claim() -> None:
    theories = _draw(bot_theory, 1)
    assert len(set(theories)) >= 90  # the old list had 8
    for theory in theories:
        assert theory[0].isupper()
        assert len(theory) <= MAX_THEORY_LENGTH
        assert any(theory.lower().startswith(s) for s in SUBJECTS)
        assert any(theory.endswith(c) for c in CLAIMS)


def test_objectives_are_varied_and_within_the_limit() -> None:
    objectives = _draw(bot_objective, 2)
    assert len(set(objectives)) >= 90
    assert all(0 < len(o) <= MAX_OBJECTIVE_LENGTH for o in objectives)
    assert any(o.startswith("the ") for o in objectives)  # a thing sought
    assert any(o[0].isupper() for o in objectives)  # a thing to do


def test_topics_are_questions_with_a_reason() -> None:
    topics = _draw(bot_topic, 3)
    titles = [title for title, _ in topics]
    assert len(set(titles)) >= 90  # the old list had 8
    for title, description in topics:
        assert title[0].isupper()
        assert title.endswith("?")
        assert not DOUBLE_VERB.match(title), title
        assert "  " not in title
        assert len(title) <= MAX_PROPOSAL_TOPIC
        assert 0 < len(description) <= MAX_PROPOSAL_DESCRIPTION
        assert description.endswith(".")
