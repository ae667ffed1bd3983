"""The content loader: the real YAML loads, and each kind of broken file is refused clearly."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from greatwork.content import DATA_DIR, FILES, ContentError, load_content
from greatwork.rules.constants import FACTIONS, Depth, ExpeditionType, Faction, Outcome
from greatwork.rules.content import Content, EffectKind
from greatwork.rules.errors import GreatworkError
from greatwork.rules.state import Stats

REAL = load_content()


# --- the real content ------------------------------------------------------------------------


def test_default_directory_is_the_package_data() -> None:
    assert load_content(DATA_DIR) == REAL
    assert {p.name for p in DATA_DIR.glob("*.yaml")} == set(FILES)


@pytest.mark.parametrize(
    ("lid", "name", "seed", "archetype", "stats", "politics", "career", "employer", "term"),
    [
        (
            "s.ironquill",
            "Dr Elara Ironquill",
            10101,
            "Empiricist",
            (8, 9, 8, 3, 6, 4),
            (2, 0, -1, 1, 0),
            ("Associate", "Academia"),
            "Royal Institute",
            6,
        ),
        (
            "s.zathras",
            "Professor Zathras",
            20202,
            "Trickster",
            (9, 5, 3, 8, 2, 6),
            (1, -1, 0, 0, 2),
            ("Chair", "Academia"),
            "Royal Academy",
            10,
        ),
        (
            "s.blackstone",
            '"Boom-Boom" Blackstone',
            30303,
            "Field Engineer",
            (7, 6, 5, 9, 5, 9),
            (-1, 1, 2, -2, 0),
            ("Lecturer", "Industry"),
            "Siege Works Ltd",
            3,
        ),
    ],
)
def test_design_legends_match_the_table(  # noqa: PLR0917 (one parametrised table row)
    lid: str,
    name: str,
    seed: int,
    archetype: str,
    stats: tuple[int, ...],
    politics: tuple[int, ...],
    career: tuple[str, str],
    employer: str,
    term: int,
) -> None:
    legend = next(lg for lg in REAL.legends if lg.id == lid)
    assert (legend.name, legend.seed, legend.archetype) == (name, seed, archetype)
    assert legend.stats == Stats(*stats)
    assert tuple(legend.politics[f] for f in FACTIONS) == politics
    assert (legend.tier, legend.track) == career
    assert (legend.employer, legend.term_years) == (employer, term)


def test_design_legend_traits() -> None:
    by_id = {lg.id: lg for lg in REAL.legends}
    assert by_id["s.zathras"].vices == ("credit theft", "vanity")
    assert by_id["s.zathras"].taboos == ("second author twice in a row",)
    assert by_id["s.blackstone"].methods == ("experimental reconstruction", "material science")
    assert by_id["s.ironquill"].disciplines == ("Archaeology",)


def test_legends_d12() -> None:
    ids = [lg.id for lg in REAL.legends]
    assert len(ids) >= 8
    assert ids[:5] == ["s.ironquill", "s.zathras", "s.blackstone", "s.morrison", "s.ashraf"]
    assert next(lg for lg in REAL.legends if lg.id == "s.ashraf").name == "Dr Nadiya Ashraf"
    assert all(len(lg.biography) > 80 for lg in REAL.legends)
    for legend in REAL.legends:
        rungs = (*REAL.career_ladders[legend.track], *REAL.career_titles.get(legend.track, {}))
        assert legend.tier in rungs
        assert legend.employer in REAL.institutions


def test_lists_cover_the_design() -> None:
    regions = {b.region: b for b in REAL.namebanks}
    assert {"coastal", "highlands", "desert"} <= set(regions)
    assert len(regions) >= 5
    assert len(regions["coastal"].given) > 6
    assert len(regions["desert"].surnames) > 4
    assert len(REAL.archetypes) >= 9
    assert {"Archaeology", "Epigraphy", "Conservation"} <= set(REAL.disciplines)
    assert {"ritual reenactment", "oral history"} <= set(REAL.methods)
    assert len(REAL.catchphrases) >= 4
    assert all(len(words) >= 3 for words in REAL.catchphrase_fills.values())
    assert REAL.career_ladders == {
        "Academia": ("Postdoc", "Fellow", "Professor"),
        "Industry": ("Associate", "Director", "Visionary"),
    }
    assert len(REAL.symposium_topics) == 8
    assert REAL.symposium_topics[0].title == "The Nature of Truth"
    assert {"Royal Institute", "Royal Academy", "Siege Works Ltd"} <= set(REAL.institutions)


@pytest.mark.parametrize(
    ("etype", "depth", "weights"),
    [
        ("think_tank", "shallow", {"nothing": 60, "minor_clue": 30, "scandal": 10}),
        ("think_tank", "deep", {"minor_clue": 40, "adjacent_field": 40, "prestige_hit": 20}),
        ("field", "shallow", {"nothing": 55, "minor_clue": 35, "disaster": 10}),
        ("field", "deep", {"minor_clue": 30, "adjacent_field": 50, "major_unlock": 20}),
        ("great_project", "shallow", {"nothing": 50, "minor_clue": 35, "disaster": 15}),
        ("great_project", "deep", {"minor_clue": 25, "adjacent_field": 45, "major_unlock": 30}),
    ],
)
def test_failure_weights_from_the_design(etype: str, depth: str, weights: dict[str, int]) -> None:
    table = REAL.failure_tables[ExpeditionType(etype)][Depth(depth)]
    assert {e.key: e.weight for e in table} == weights


@pytest.mark.parametrize("etype", list(ExpeditionType))
def test_standard_failure_table_between_shallow_and_deep(etype: ExpeditionType) -> None:
    def shares(depth: Depth) -> dict[str, Fraction]:
        table = REAL.failure_tables[etype][depth]
        total = sum(e.weight for e in table)
        return {e.key: Fraction(e.weight, total) for e in table}

    shallow, standard, deep = shares(Depth.SHALLOW), shares(Depth.STANDARD), shares(Depth.DEEP)
    assert standard != shallow
    assert standard != deep
    for key in set(shallow) | set(standard) | set(deep):
        low, high = sorted((shallow.get(key, Fraction(0)), deep.get(key, Fraction(0))))
        assert low <= standard.get(key, Fraction(0)) <= high


def test_sideways_cover_every_type_depth_and_outcome() -> None:
    for etype in ExpeditionType:
        for depth in Depth:
            for outcome in (Outcome.PARTIAL, Outcome.FAILURE):
                assert any(
                    etype in e.types and depth in e.depths and outcome in e.outcomes
                    for e in REAL.sideways
                )
        landmarks = [
            e for e in REAL.sideways if etype in e.types and Outcome.LANDMARK in e.outcomes
        ]
        assert landmarks
        kinds = {fx.kind for e in landmarks for fx in e.effects}
        assert {EffectKind.DOMAIN, EffectKind.REPUTATION, EffectKind.SPAWN_THEORY} <= kinds


def test_sideways_keep_the_design_effects() -> None:
    by_key = {e.key: e for e in REAL.sideways}
    thesis = by_key["forgotten_thesis"].effects
    assert [fx.kind for fx in thesis] == [EffectKind.SPAWN_THEORY, EffectKind.REPUTATION]
    colloquium = by_key["follow_up_colloquium"].effects
    assert colloquium[0].factions == (Faction.ACADEMIA,)
    assert colloquium[0].amount == 2
    assert colloquium[1].kind is EffectKind.CONFERENCE
    grudge = by_key["joint_stewardship"].effects[1]
    assert (grudge.kind, grudge.amount) == (EffectKind.GRUDGE, 0)  # 0: the design's -0.5
    dignitaries = by_key["local_dignitaries"].effects[1]
    assert (dignitaries.days, dignitaries.reward_influence) == (3, 3)
    review = by_key["innovation_council_review"]
    assert Depth.SHALLOW in review.depths  # it can fire
    assert review.effects[1].reward_reputation == 3
    opportunities = [
        fx for e in REAL.sideways for fx in e.effects if fx.kind is EffectKind.OPPORTUNITY
    ]
    assert all(fx.reward_influence or fx.reward_reputation for fx in opportunities)


# --- broken files ----------------------------------------------------------------------------

Mutation = Callable[[Any], Any]


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _mutate(directory: Path, name: str, change: Mutation) -> None:
    path = directory / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    result = change(data)
    path.write_text(yaml.safe_dump(data if result is None else result), encoding="utf-8")


def _set(path: str, value: Any) -> Mutation:
    """Set a dotted path (list indexes as numbers) to a value."""

    def change(data: Any) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return change


def _delete(path: str) -> Mutation:
    def change(data: Any) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[int(last) if last.isdigit() else last]

    return change


def _sideways_index(key: str) -> int:
    return next(i for i, e in enumerate(REAL.sideways) if e.key == key)


def _drop_landmarks_of_field(data: Any) -> None:
    data["sideways"] = [e for e in data["sideways"] if e["key"] != "buried_road"]


def _add_pattern(pattern: str) -> Mutation:
    return lambda data: data["patterns"].append(pattern)


def _add_fill(data: Any) -> None:
    data["fills"]["spare"] = ["one", "two"]


def _duplicate_legend(data: Any) -> None:
    data["legends"].append(dict(data["legends"][0]))


TT = _sideways_index("forgotten_thesis")
COLLOQUIUM = _sideways_index("follow_up_colloquium")
DIGNITARIES = _sideways_index("local_dignitaries")

BROKEN: list[tuple[str, Mutation, str, str, str]] = [
    # (file, change, expected path, expected problem start, id)
    (
        "legends.yaml",
        _set("legends.3.stats.talent", "x"),
        "legends[3].stats.talent",
        "expected an integer 0..10, got 'x'",
        "stat-not-int",
    ),
    (
        "legends.yaml",
        _set("legends.0.stats.talent", 11),
        "legends[0].stats.talent",
        "expected an integer 0..10, got 11",
        "stat-out-of-range",
    ),
    (
        "legends.yaml",
        _set("legends.0.politics.religious", 1),
        "legends[0].politics.religious",
        "unknown key (expected one of: academia, government",
        "phantom-faction-key",
    ),
    (
        "legends.yaml",
        _delete("legends.2.biography"),
        "legends[2].biography",
        "required key is missing",
        "missing-key",
    ),
    (
        "legends.yaml",
        _set("legends.1.archetype", "Wizard"),
        "legends[1].archetype",
        "unknown archetype 'Wizard'",
        "unknown-archetype",
    ),
    (
        "legends.yaml",
        _set("legends.1.methods", ["oral history", "alchemy"]),
        "legends[1].methods[1]",
        "unknown method 'alchemy'",
        "unknown-method",
    ),
    (
        "legends.yaml",
        _set("legends.0.disciplines", ["Archaeology", "Epigraphy", "Geodesy"]),
        "legends[0].disciplines",
        "expected 1..2 items, got 3",
        "too-many-disciplines",
    ),
    (
        "legends.yaml",
        _set("legends.0.employer", "Hogwarts"),
        "legends[0].employer",
        "unknown institution 'Hogwarts'",
        "unknown-institution",
    ),
    (
        "legends.yaml",
        _set("legends.0.career.tier", "Emperor"),
        "legends[0].career.tier",
        "unknown tier 'Emperor'",
        "unknown-tier",
    ),
    (
        "legends.yaml",
        _set("legends.0.term_years", True),
        "legends[0].term_years",
        "expected an integer 1..30, got True",
        "bool-is-not-int",
    ),
    (
        "legends.yaml",
        _set("legends.0.id", "s.proc-001"),
        "legends[0].id",
        "expected an id like 's.ironquill'",
        "proc-id",
    ),
    ("legends.yaml", _duplicate_legend, "legends[8].id", "duplicate legend id", "duplicate-id"),
    (
        "legends.yaml",
        _set("legends.0.catchphrase", "Show me {proof}."),
        "legends[0].catchphrase",
        "unknown placeholder {proof}",
        "legend-placeholder",
    ),
    (
        "legends.yaml",
        _set("legends.0.vices", ["vanity", "vanity"]),
        "legends[0].vices[1]",
        "duplicate vice 'vanity'",
        "duplicate-item",
    ),
    (
        "sideways.yaml",
        _set(f"sideways.{DIGNITARIES}.effects.0.factions", ["Religious"]),
        f"sideways[{DIGNITARIES}].effects[0].factions[0]",
        "unknown faction 'Religious'",
        "sideways-phantom-faction",
    ),
    (
        "sideways.yaml",
        _set(f"sideways.{TT}.weight", 0),
        f"sideways[{TT}].weight",
        "expected an integer 1..1000, got 0",
        "zero-weight",
    ),
    (
        "sideways.yaml",
        _set(f"sideways.{TT}.text", "Nobody expected {leader}."),
        f"sideways[{TT}].text",
        "unknown placeholder {leader} (allowed: {objective}, {type})",
        "text-placeholder",
    ),
    (
        "sideways.yaml",
        _set(f"sideways.{TT}.effects.0.kind", "explode"),
        f"sideways[{TT}].effects[0].kind",
        "unknown effect kind 'explode'",
        "effect-kind",
    ),
    (
        "sideways.yaml",
        _set(f"sideways.{TT}.effects.1.factions", ["academia"]),
        f"sideways[{TT}].effects[1].factions",
        "unknown key (expected one of: kind, amount)",
        "key-foreign-to-kind",
    ),
    (
        "sideways.yaml",
        _set(f"sideways.{TT}.effects.1.amount", 0),
        f"sideways[{TT}].effects[1].amount",
        "expected a non-zero integer",
        "zero-amount",
    ),
    (
        "sideways.yaml",
        _set(f"sideways.{DIGNITARIES}.effects.1.reward_influence", 0),
        f"sideways[{DIGNITARIES}].effects[1]",
        "an opportunity must pay",
        "opportunity-pays-nothing",
    ),
    (
        "sideways.yaml",
        _delete(f"sideways.{DIGNITARIES}.effects.1.factions"),
        f"sideways[{DIGNITARIES}].effects[1].factions",
        "required key is missing (reward_influence needs factions)",
        "opportunity-without-faction",
    ),
    (
        "sideways.yaml",
        _delete(f"sideways.{COLLOQUIUM}.effects.0.kind"),
        f"sideways[{COLLOQUIUM}].effects[0].kind",
        "required key is missing",
        "effect-without-kind",
    ),
    (
        "sideways.yaml",
        _drop_landmarks_of_field,
        "sideways",
        "no landmark entry for field",
        "landmark-coverage",
    ),
    (
        "sideways.yaml",
        _set(f"sideways.{TT}.depths", ["middling"]),
        f"sideways[{TT}].depths[0]",
        "unknown depth 'middling'",
        "unknown-depth",
    ),
    (
        "failures.yaml",
        _delete("failure_tables.field.standard"),
        "failure_tables.field.standard",
        "required key is missing",
        "missing-table",
    ),
    (
        "failures.yaml",
        _set("failure_tables.think_tank.standard.0.weight", -5),
        "failure_tables.think_tank.standard[0].weight",
        "expected an integer 1..1000, got -5",
        "negative-weight",
    ),
    (
        "failures.yaml",
        _set("failure_tables.think_tank.standard.0.weight", 90),
        "failure_tables.think_tank.standard",
        "the share of 'minor_clue' (22%) must lie between",
        "standard-not-between",
    ),
    (
        "failures.yaml",
        _set("failure_tables.field.shallow.1.key", "nothing"),
        "failure_tables.field.shallow[1].key",
        "duplicate entry 'nothing'",
        "duplicate-failure-key",
    ),
    (
        "catchphrases.yaml",
        _add_pattern("What about {mystery}?"),
        "patterns[8]",
        "unknown placeholder {mystery}",
        "placeholder-without-fill",
    ),
    (
        "catchphrases.yaml",
        _add_pattern("Odd {0} brace"),
        "patterns[8]",
        "placeholder {0} must be a plain name",
        "positional-placeholder",
    ),
    (
        "catchphrases.yaml",
        _add_fill,
        "fills.spare",
        "no pattern uses this placeholder",
        "unused-fill",
    ),
    (
        "traits.yaml",
        _set("archetypes.0.methods", ["divination"]),
        "archetypes[0].methods[0]",
        "unknown method 'divination'",
        "archetype-bias",
    ),
    (
        "traits.yaml",
        _set("vices", []),
        "vices",
        "expected at least 1 items, got 0",
        "empty-list",
    ),
    (
        "namebanks.yaml",
        lambda data: data["namebanks"],
        "",
        "expected a mapping, got a list",
        "top-level-not-mapping",
    ),
    (
        "namebanks.yaml",
        _set("namebanks.1.region", "coastal"),
        "namebanks[1].region",
        "duplicate region 'coastal'",
        "duplicate-region",
    ),
    (
        "world.yaml",
        _delete("career_ladders.Academia"),
        "career_ladders.Academia",
        "required ladder is missing",
        "missing-ladder",
    ),
    (
        "world.yaml",
        _set("career_titles.Academia.Fellow", "Professor"),
        "career_titles.Academia.Fellow",
        "'Fellow' is already a rung",
        "title-is-a-rung",
    ),
    (
        "world.yaml",
        _set("career_titles.Navy", {"Admiral": "Professor"}),
        "career_titles.Navy",
        "unknown track 'Navy'",
        "title-unknown-track",
    ),
    (
        "world.yaml",
        _set("symposium_topics.1.title", "The Nature of Truth"),
        "symposium_topics[1].title",
        "duplicate topic",
        "duplicate-topic",
    ),
    (
        "traits.yaml",
        _set("archetypes.1.name", "Empiricist"),
        "archetypes[1].name",
        "duplicate archetype 'Empiricist'",
        "duplicate-archetype",
    ),
    (
        "catchphrases.yaml",
        _set("fills.evidence", ["a sherd", 7]),
        "fills.evidence[1]",
        "expected a non-empty string, got 7",
        "fill-not-a-string",
    ),
    (
        "failures.yaml",
        _set("failure_tables.field.deep.0.key", "Minor Clue"),
        "failure_tables.field.deep[0].key",
        "expected a snake_case key",
        "key-not-snake-case",
    ),
    (
        "sideways.yaml",
        _set(f"sideways.{COLLOQUIUM}.key", "forgotten_thesis"),
        f"sideways[{COLLOQUIUM}].key",
        "duplicate sideways key 'forgotten_thesis'",
        "duplicate-sideways-key",
    ),
    (
        "sideways.yaml",
        _set(f"sideways.{COLLOQUIUM}.effects.0", "academia +2"),
        f"sideways[{COLLOQUIUM}].effects[0]",
        "expected a mapping with a 'kind'",
        "effect-not-a-mapping",
    ),
    (
        "sideways.yaml",
        _set(
            f"sideways.{TT}.effects.1",
            {
                "kind": "opportunity",
                "text": "x",
                "days": 2,
                "reward_reputation": 1,
                "factions": ["academia"],
            },
        ),
        f"sideways[{TT}].effects[1].factions",
        "factions given without reward_influence",
        "factions-without-influence",
    ),
    (
        "world.yaml",
        _set("institutions", "Royal Institute"),
        "institutions",
        "expected a list, got a string",
        "not-a-list",
    ),
]


@pytest.mark.parametrize(
    ("name", "change", "path", "problem"),
    [case[:4] for case in BROKEN],
    ids=[case[4] for case in BROKEN],
)
def test_broken_file_is_refused(
    tmp_path: Path, name: str, change: Mutation, path: str, problem: str
) -> None:
    directory = _copy(tmp_path)
    _mutate(directory, name, change)
    with pytest.raises(ContentError) as excinfo:
        load_content(directory)
    error = excinfo.value
    assert isinstance(error, GreatworkError)
    assert (error.file, error.path) == (name, path)
    assert error.problem.startswith(problem), error.problem
    where = f"{name}: {path}: " if path else f"{name}: "
    assert str(error).startswith(where)


def test_exact_message_for_a_bad_stat(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _mutate(directory, "legends.yaml", _set("legends.3.stats.talent", "x"))
    with pytest.raises(ContentError) as excinfo:
        load_content(directory)
    expected = "legends.yaml: legends[3].stats.talent: expected an integer 0..10, got 'x'"
    assert str(excinfo.value) == expected


def test_missing_file(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "world.yaml").unlink()
    with pytest.raises(ContentError, match=r"^world\.yaml: file not found"):
        load_content(directory)


def test_invalid_yaml(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "traits.yaml").write_text("archetypes: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"^traits\.yaml: not valid YAML: .*line"):
        load_content(directory)


def test_unreadable_file(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "traits.yaml").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ContentError, match=r"^traits\.yaml: cannot be read"):
        load_content(directory)


def test_unbalanced_brace(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _mutate(directory, "catchphrases.yaml", _add_pattern("Oops {evidence"))
    with pytest.raises(ContentError, match=r"^catchphrases\.yaml: patterns\[8\]: "):
        load_content(directory)


def test_titles_are_optional_but_legends_need_them(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _mutate(directory, "world.yaml", _delete("career_titles"))
    message = r"^legends\.yaml: legends\[0\]\.career\.tier: unknown tier 'Associate'"
    with pytest.raises(ContentError, match=message):
        load_content(directory)


def test_non_string_mapping_key(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _mutate(directory, "world.yaml", _set("career_ladders.7", ["Rung"]))
    with pytest.raises(ContentError, match=r"career_ladders: keys must be non-empty strings"):
        load_content(directory)


def test_empty_fills_mapping(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _mutate(directory, "catchphrases.yaml", _set("fills", {}))
    with pytest.raises(ContentError, match=r"^catchphrases\.yaml: fills: expected a non-empty"):
        load_content(directory)


def test_sideways_partial_coverage(tmp_path: Path) -> None:
    directory = _copy(tmp_path)

    def only_success(data: Any) -> None:
        for entry in data["sideways"]:
            if "think_tank" in entry["types"] and "landmark" not in entry["outcomes"]:
                entry["outcomes"] = ["success"]

    _mutate(directory, "sideways.yaml", only_success)
    with pytest.raises(ContentError, match="no entry covers a partial of a shallow think_tank"):
        load_content(directory)


def test_content_is_a_rules_content() -> None:
    assert isinstance(REAL, Content)
    assert len(FACTIONS) == 5
