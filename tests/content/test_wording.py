"""Wording rules for player text set inside the game's own sentences.

A player's objective is an order ("Map the drowned city") as often as a thing ("the drowned
city"), and a symposium topic is a question that ends in "?": the content quotes them where a
noun goes and never lets a full stop or a colon follow the closing quote.
"""

from __future__ import annotations

import re

import pytest

from greatwork.content import load_content
from greatwork.rules.constants import Confidence, ExpeditionType
from greatwork.rules.ids import ExpeditionCode, PlayerId
from greatwork.rules.sideways import fill
from greatwork.rules.state import CampaignState, Expedition
from tests.rules.builders import T0, make_player, make_state

REAL = load_content()
QUOTED = re.compile(r"""["']\{objective\}["']""")
AFTER_TOPIC = re.compile(r""""\{(topic|theory)\}"[.:;]""")
ORDER = "Map the drowned city from the air"


def _texts() -> list[tuple[str, str]]:
    out = [
        (f"failures.yaml {kind}/{depth}/{entry.key}", entry.text)
        for kind, depths in REAL.failure_tables.items()
        for depth, entries in depths.items()
        for entry in entries
    ]
    for entry in REAL.sideways:
        out.append((f"sideways.yaml {entry.key}", entry.text))
        out.extend(
            (f"sideways.yaml {entry.key} effect {effect.kind}", effect.text)
            for effect in entry.effects
            if effect.text
        )
    return out


TEXTS = _texts()


@pytest.mark.parametrize(("where", "text"), TEXTS, ids=[w for w, _ in TEXTS])
def test_an_objective_is_quoted_where_a_noun_goes(where: str, text: str) -> None:
    if "{objective}" not in text or text == "{objective}":  # a landmark's domain is its name
        return
    assert text.count("{objective}") == len(QUOTED.findall(text)), where


def _state() -> CampaignState:
    return make_state([make_player("p1", display_name="Ada")])


def test_an_order_reads_as_a_quoted_brief_in_every_line() -> None:
    x = Expedition(
        code=ExpeditionCode("SW-1"),
        player=PlayerId("p1"),
        type=ExpeditionType.FIELD,
        objective=ORDER,
        confidence=Confidence.CERTAIN,
        launched_at=T0,
    )
    for where, text in TEXTS:
        filled = fill(text, x, _state())
        assert "{" not in filled, where
        if "{objective}" in text and text != "{objective}":
            assert f'"{ORDER}"' in filled or f"'{ORDER}'" in filled, (where, filled)
            assert f"the {ORDER}" not in filled, (where, filled)


def test_no_quoted_question_is_followed_by_a_full_stop_or_a_colon() -> None:
    for key, template in REAL.press_templates.items():
        for text in (*template.headlines, *template.bodies):
            assert not AFTER_TOPIC.search(text), (key, text)
