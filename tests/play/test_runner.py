"""The script runner itself: its expectation language, and that a wrong expectation fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from greatwork.play.script import ScriptError
from tests.play.runner import ExpectationError, failures, load, matches, run_script, same

HEADER = "!seed 42\n!admin Root\n"


def write(tmp_path: Path, body: str, name: str = "t.gw") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


# --- parsing expectations ----------------------------------------------------------------------


def test_expectations_attach_to_the_statement_below_them(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '#> ok data.theory_id=T-1 "on the record"\n'
        "#> press academic_bulletin\n"
        '@Ada /submit_theory theory:"x y" confidence:suspect\n'
        "\n"
        "#> digest 1\n"
        "!digest\n",
    )
    script = load(path)
    ok, press, digest = script.expectations
    assert (ok.line, ok.target, ok.kind) == (3, 5, "ok")
    assert [c.describe() for c in ok.checks] == ["data.theory_id=T-1"]
    assert ok.needles == ("on the record",)
    assert (press.target, press.kind, press.arg) == (5, "press", "academic_bulletin")
    assert (digest.line, digest.target, digest.arg) == (7, 8, "1")
    assert script.command_paths() == {5: "submit_theory"}


def test_checks_read_paths_lengths_and_quoted_json(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '#> error invalid_input data.odds.0.chance=0.7 data.team#=2 data.team=\'["a", "b"]\'\n'
        "@Ada /gazette limit:0\n",
    )
    (expectation,) = load(path).expectations
    assert expectation.arg == "invalid_input"
    first, second, third = expectation.checks
    assert (first.path, first.length, first.raw) == (("odds", "0", "chance"), False, "0.7")
    assert (second.path, second.length, second.raw) == (("team",), True, "2")
    assert third.raw == '["a", "b"]'


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("#> ok\n\n@Ada /status\n", "line 3: an expectation must sit right above"),
        ("#> ok\n# a comment\n@Ada /status\n", "line 4 is not a statement"),
        ("@Ada /status\n#> ok\n", "line 4: no statement follows"),
        ("#> fine\n@Ada /status\n", "expected one of ok, error, press, digest, quiet"),
        ("#> ok\n!digest\n", "`ok` checks a command's reply"),
        ("#> error\n@Ada /status\n", "`error` needs an argument"),
        ("#> digest one\n!digest\n", "`digest` needs a digest number"),
        ("#> press\n!digest\n", "`press` needs an argument"),
        ("#> quiet loudly\n!digest\n", "`quiet` takes no checks"),
        ("#> ok data.player\n@Ada /status\n", "expected data.PATH=VALUE"),
        ("#> ok data..player=Ada\n@Ada /status\n", "empty key"),
        ("#> ok data.scholars#=many\n@Ada /status\n", "`#=` needs a count"),
        ('#> ok "unclosed\n@Ada /status\n', "No closing quotation"),
    ],
)
def test_a_bad_expectation_is_refused(tmp_path: Path, body: str, problem: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ExpectationError) as caught:
        load(path)
    assert str(caught.value).startswith("t.gw: line ")
    assert problem in str(caught.value)


def test_a_script_the_game_cannot_parse_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "#> ok\n@Ada status\n")
    with pytest.raises(ScriptError, match="line 4"):
        load(path)


# --- comparing values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "raw", "expected"),
    [
        ("T-1", "T-1", True),
        ("5", "5", True),
        (5, "5", True),
        (5.0, "5", True),
        (0.7, "0.7", True),
        (True, "true", True),
        (True, "1", False),
        (1, "true", False),
        (None, "null", True),
        ([], "[]", True),
        ({}, "{}", True),
        (["a"], '["a"]', True),
        (["a"], "a", False),
        ({"a": 1}, '{"a": 1.0}', True),
        ({"a": True}, '{"a": 1}', False),
        ("T-1", "T-2", False),
        (5, "five", False),
    ],
)
def test_values_compare_as_json(actual: object, raw: str, expected: bool) -> None:
    assert matches(actual, raw) is expected


def test_same_is_strict_about_booleans_inside_lists() -> None:
    assert same([1, 2.0], [1.0, 2])
    assert not same([True], [1])
    assert not same([1, 2], [1, 2, 3])


# --- running and checking ----------------------------------------------------------------------


def test_each_statement_gets_the_output_it_printed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '@Ada /submit_theory theory:"Bronze Age flight" confidence:suspect\n'
        "@Ada /status\n"
        "!digest\n"
        "!digest\n",
    )
    run = run_script(path, tmp_path / "journal.db")
    assert run.code == 0
    assert list(run.segments) == [1, 2, 3, 4, 5, 6]
    assert run.segments[1] == run.segments[2] == ()
    first = [r["type"] for r in run.segments[3]]
    # The campaign starts with the first command: the roster's press comes first.
    assert first == ["press"] * 20 + ["reply", "press"]
    assert run.segments[3][-1]["kind"] == "academic_bulletin"
    assert [r["type"] for r in run.segments[4]] == ["reply"]
    assert [r for r in run.segments[5] if r["type"] == "digest"] == [
        {"type": "digest", "number": 1, "year": 1920}
    ]
    assert [r["number"] for r in run.segments[6] if r["type"] == "digest"] == [2]
    assert run.replies(3)[0]["data"]["theory_id"] == "T-1"
    assert run.replies(99) == []


def test_met_expectations_report_nothing(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '#> ok data.theory_id=T-1 data.supporters=[] data.supporters#=0 "Bronze Age flight"\n'
        "#> press academic_bulletin\n"
        '@Ada /submit_theory theory:"Bronze Age flight" confidence:suspect\n'
        '#> error invalid_input data.option=confidence "must be one of"\n'
        '@Ada /submit_theory theory:"x" confidence:sure\n'
        "#> quiet\n"
        "!roll 50\n"
        "#> digest 1\n"
        "!digest\n",
    )
    run = run_script(path, tmp_path / "journal.db")
    assert failures(load(path), run) == []


def test_every_unmet_expectation_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "#> error invalid_input\n"
        "#> ok data.theory_id=T-2\n"
        "#> ok data.nothing=1\n"
        "#> ok data.supporters#=1\n"
        "#> ok data.text#=1\n"
        '#> ok "Zeppelin"\n'
        "#> press retraction_notice\n"
        "#> quiet\n"
        '@Ada /submit_theory theory:"Bronze Age flight" confidence:suspect\n'
        "#> ok\n"
        "#> error not_found\n"
        '@Ada /submit_theory theory:"x" confidence:sure\n'
        "#> digest 2\n"
        "!digest\n",
    )
    run = run_script(path, tmp_path / "journal.db")
    found = failures(load(path), run)
    assert len(found) == 11, "\n".join(found)
    expected = [
        "line 3: expected error invalid_input, got ok",
        'line 4: data.theory_id=T-2: got "T-1"',
        "line 5: data.nothing=1: no 'nothing'",
        "line 6: data.supporters#=1: got 0 items",
        "line 7: data.text#=1: ",
        "has no length",
        "line 8: expected the reply to contain 'Zeppelin'",
        "line 9: expected a press item of kind retraction_notice, got ['academic_gossip',",
        "line 10: expected no output, got",
        "line 12: expected ok, got error invalid_input",
        "line 13: expected error not_found, got invalid_input",
        "line 15: expected digest 2, got digests [1]",
    ]
    text = "\n".join(found)
    for needle in expected:
        assert needle in text


def test_an_expectation_for_a_statement_that_never_ran_fails(tmp_path: Path) -> None:
    # A second run on the same journal stops at !seed (the campaign exists): nothing after runs.
    path = write(tmp_path, "#> ok\n@Ada /status\n#> digest 1\n!digest\n")
    assert run_script(path, tmp_path / "journal.db").code == 0
    again = run_script(path, tmp_path / "journal.db")
    assert again.code == 2
    assert "already exists (seed 42)" in again.stderr
    found = failures(load(path), again)
    assert found == [
        "t.gw: line 3: expected one reply for line 4, got 0",
        "t.gw: line 5: the statement on line 6 never ran",
    ]
