"""press.yaml: the real file loads, and each kind of broken file is refused clearly."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from greatwork.content import DATA_DIR, ContentError, load_content
from greatwork.content._schema import placeholders
from greatwork.press.occasions import LAYER_OCCASIONS, OCCASIONS
from tests.press.world import REAL

FILE = "press.yaml"
Change = Callable[[dict[str, Any]], None]
LONG_BULLETIN = "{player} {theory} {confidence} {supporters} {deadline}" + " blah" * 300


def test_every_occasion_has_wording_within_its_fields() -> None:
    assert set(REAL.press_templates) == set(OCCASIONS)
    for key, template in REAL.press_templates.items():
        occasion = OCCASIONS[key]
        assert template.occasion == key
        for text in (*template.headlines, *template.bodies):
            assert placeholders(text) <= occasion.allowed, (key, text)
        for headline in template.headlines:
            assert occasion.headline_must <= placeholders(headline)
            assert "\n" not in headline
        for body in template.bodies:
            assert occasion.body_must <= placeholders(body)


def test_section_4_1_wording_is_there() -> None:
    templates = REAL.press_templates
    assert all(
        h.startswith("Academic Bulletin No. {number}")
        for h in templates["theory_submitted"].headlines
    )
    assert all(
        h.startswith("Expedition {code} Manifesto")
        for h in templates["expedition_launched"].headlines
    )
    assert templates["expedition_success"].headlines[0].startswith("Discovery Report: Expedition")
    assert templates["expedition_failure"].headlines[0].startswith("Retraction Notice: Expedition")
    assert "Rejects All Offers" in templates["negotiation_rejected"].headlines[0]
    assert templates["recruitment_grudge"].headlines[0].startswith("Academic Gossip — ")


def _load_with(tmp_path: Path, change: Change) -> None:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    path = target / FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_content(target)


def _set(occasion: str, part: str, value: object) -> Change:
    def change(data: dict[str, Any]) -> None:
        data["templates"][occasion][part] = value

    return change


def _add_occasion(data: dict[str, Any]) -> None:
    data["templates"]["theory_eaten_by_goat"] = {"headline": "Goat", "body": "Goat."}


def _drop_occasion(data: dict[str, Any]) -> None:
    del data["templates"]["symposium_reprimand"]


def _extra_key(data: dict[str, Any]) -> None:
    data["templates"]["table_talk"]["footer"] = "Printed in Oxford."


def _no_body(data: dict[str, Any]) -> None:
    del data["templates"]["table_talk"]["body"]


BROKEN: list[tuple[Change, str, str, str]] = [
    # (change, expected key path, expected problem (start), id)
    (
        _set("theory_submitted", "headline", ["Academic Bulletin No. {number}: {wizard}"]),
        "templates.theory_submitted.headline[0]",
        "unknown placeholder {wizard} (allowed: ",
        "unknown-field-in-headline",
    ),
    (
        _set("table_talk", "body", "{player} said {mesage}"),
        "templates.table_talk.body",
        "unknown placeholder {mesage}",
        "unknown-field-in-body",
    ),
    (
        _set("theory_submitted", "headline", "A New Theory from {player}"),
        "templates.theory_submitted.headline",
        "must use the field {number}",
        "bulletin-without-its-number",
    ),
    (
        _set("expedition_failure", "body", "It failed, {player}."),
        "templates.expedition_failure.body",
        "must use the field {delta}",
        "retraction-without-the-numbers",
    ),
    (
        _set("table_talk", "headline", "Gossip\n{player}"),
        "templates.table_talk.headline",
        "a headline must be a single line",
        "two-line-headline",
    ),
    (
        _set("recruitment_grudge", "body", "{scholar} " + "blah " * 120),
        "templates.recruitment_grudge.body",
        "is 609 characters long; the cap for academic_gossip is 600",
        "gossip-body-too-long",
    ),
    (
        _set("table_talk", "body", "{message} " + "blah " * 299),
        "templates.table_talk.body",
        "is 1504 characters long; the cap for table_talk is 1500",
        "table-talk-body-too-long",
    ),
    (
        _set("recruitment_grudge", "headline", "{scholar} " + "x" * 191),
        "templates.recruitment_grudge.headline",
        "is 201 characters long; the cap for academic_gossip is 200",
        "gossip-headline-too-long",
    ),
    (
        _set("theory_submitted", "body", LONG_BULLETIN),
        "templates.theory_submitted.body",
        f"is {len(LONG_BULLETIN)} characters long; the cap for academic_bulletin is 1500",
        "body-over-the-default-cap",
    ),
    (
        _set("theory_submitted", "headline", "No. {number} " + "x" * 250),
        "templates.theory_submitted.headline",
        "is 263 characters long; the cap for academic_bulletin is 256",
        "headline-over-the-default-cap",
    ),
    (
        _set("table_talk", "body", "{message!r}"),
        "templates.table_talk.body",
        "placeholder {message} must be a plain name",
        "conversion",
    ),
    (
        _set("table_talk", "body", "{message"),
        "templates.table_talk.body",
        "expected '}' before end of string",
        "unbalanced-brace",
    ),
    (
        _set("table_talk", "body", []),
        "templates.table_talk.body",
        "expected 1..20 items, got 0",
        "no-variants",
    ),
    (
        _set("table_talk", "body", ["{message}", "{message}"]),
        "templates.table_talk.body[1]",
        "duplicate variant",
        "duplicate-variant",
    ),
    (
        _set("table_talk", "body", 42),
        "templates.table_talk.body",
        "expected a non-empty string, got 42",
        "not-text",
    ),
    (
        _add_occasion,
        "templates.theory_eaten_by_goat",
        "unknown occasion 'theory_eaten_by_goat'",
        "unknown-occasion",
    ),
    (
        _drop_occasion,
        "templates",
        "no template for occasion 'symposium_reprimand'",
        "missing-occasion",
    ),
    (
        _extra_key,
        "templates.table_talk.footer",
        "unknown key (expected one of: headline, body)",
        "unknown-key",
    ),
    (_no_body, "templates.table_talk.body", "required key is missing", "missing-body"),
]


@pytest.mark.parametrize(
    ("change", "path", "problem"), [row[:3] for row in BROKEN], ids=[row[3] for row in BROKEN]
)
def test_broken_press_yaml_is_refused(
    tmp_path: Path, change: Change, path: str, problem: str
) -> None:
    with pytest.raises(ContentError) as caught:
        _load_with(tmp_path, change)
    error = caught.value
    assert error.file == FILE
    assert error.path == path
    assert error.problem.startswith(problem), error.problem
    assert str(error).startswith(f"{FILE}: {path}: ")


def test_a_missing_press_file_is_named(tmp_path: Path) -> None:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    (target / FILE).unlink()
    with pytest.raises(ContentError, match=r"^press\.yaml: file not found in "):
        load_content(target)


def test_a_file_without_templates_is_refused(tmp_path: Path) -> None:
    def replace(data: dict[str, Any]) -> None:
        data.clear()
        data["templetes"] = {}

    with pytest.raises(ContentError) as caught:
        _load_with(tmp_path, replace)
    assert caught.value.path == "templetes"
    assert caught.value.problem.startswith("unknown key (expected one of: templates)")


# --- layers.yaml: the layered follow-ups' wording ------------------------------------------------


def _load_file(tmp_path: Path, name: str, change: Change) -> None:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    path = target / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_content(target)


def test_layer_occasions_are_worded_in_layers_yaml_and_the_rest_in_press_yaml() -> None:
    layers = yaml.safe_load((DATA_DIR / "layers.yaml").read_text(encoding="utf-8"))
    press = yaml.safe_load((DATA_DIR / FILE).read_text(encoding="utf-8"))
    assert set(layers["templates"]) == LAYER_OCCASIONS
    assert set(press["templates"]) == OCCASIONS.keys() - LAYER_OCCASIONS


@pytest.mark.parametrize(
    ("name", "change", "path", "problem"),
    [
        (
            FILE,
            lambda d: d["templates"].update(
                pause_gossip={"headline": "Gossip — {speaker} Sighs", "body": "{speaker}: {quote}"}
            ),
            "templates.pause_gossip",
            "the occasion 'pause_gossip' is worded in layers.yaml, not here",
        ),
        (
            "layers.yaml",
            lambda d: d["templates"].update(table_talk={"headline": "x", "body": "{message}"}),
            "templates.table_talk",
            "the occasion 'table_talk' is worded in press.yaml, not here",
        ),
        (
            "layers.yaml",
            lambda d: d["templates"].pop("symposium_analysis"),
            "templates",
            "no template for occasion 'symposium_analysis'",
        ),
        (
            "layers.yaml",
            lambda d: d["templates"]["expedition_reaction"].update(
                body="{speaker} said so of {code}."
            ),
            "templates.expedition_reaction.body",
            "must use the field {quote}",
        ),
        (
            "layers.yaml",
            lambda d: d["templates"]["defection_regret"].update(
                body="{faction}: {scholar}, {mood}"
            ),
            "templates.defection_regret.body",
            "unknown placeholder {mood}",
        ),
    ],
    ids=[
        "layer-in-press-yaml",
        "main-in-layers-yaml",
        "missing-layer",
        "remark-without-quote",
        "stray",
    ],
)
def test_broken_layers_are_refused_naming_the_file(
    tmp_path: Path, name: str, change: Change, path: str, problem: str
) -> None:
    with pytest.raises(ContentError) as caught:
        _load_file(tmp_path, name, change)
    assert caught.value.file == name
    assert caught.value.path == path
    assert caught.value.problem.startswith(problem), caught.value.problem
