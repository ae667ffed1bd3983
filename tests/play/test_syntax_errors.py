"""A script with a bad line exits 2, names the line and runs nothing; refusals do not stop one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from greatwork import cli

GOOD = "!seed 42\n!admin Ada\n@Ada /status\n"


def play(capsys: pytest.CaptureFixture[str], script: Path, db: Path) -> tuple[int, str, str]:
    code = cli.main(["play", "--script", str(script), "--db", str(db), "--json"])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (
            "!shout hello",
            "unknown directive !shout (known: !admin, !seed, !digest, !advance, !roll)",
        ),
        ('@Ada /submit_theory theory:"Bronze Age confidence:certain', "No closing quotation"),
        ("!seed 7", "!seed must come before the first command, digest or advance"),
        ("@Ada! /status", "bad player name 'Ada!'"),
        ("!admin Bad!Name", "bad player name 'Bad!Name'"),
        ("@Ada /gazette limit", "expected key:value, got 'limit'"),
        ("@Ada /gazette limit:3 limit:4", "option 'limit' given twice"),
        ("@Ada /gazette Limit:3", "bad option name 'Limit'"),
        ("!advance 0h", "expected a duration like 6h, 90m, 2d or 1d6h, got '0h'"),
        ("!advance 3651d", "!advance moves at most 3650 days at once"),
        ("!advance", "usage: !advance 6h"),
        ("!roll 101", "the roll must be between 1 and 100, got 101"),
        ("!roll 0", "the roll must be between 1 and 100, got 0"),
        ("!roll many", "the roll must be a whole number, got 'many'"),
        ("!digest 0", "the digest count must be between 1 and 10000, got 0"),
        ("!digest 1 2", "usage: !digest [N]"),
        ("@Ada /gw_admin", "/gw_admin needs a subcommand (type /help gw_admin)"),
        ("@Ada /gw_admin reason:x", "/gw_admin needs a subcommand"),
        ("@Ada status", "expected a /command after @Ada"),
        ("@Ada", "expected a /command after @Ada"),
        ("submit_theory theory:x", "expected `@NAME /command ...`, `!directive` or `# comment`"),
    ],
)
def test_a_bad_line_exits_2_naming_it_and_runs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str, problem: str
) -> None:
    script = tmp_path / "bad.gw"
    script.write_text(GOOD + "# the next line is wrong\n" + bad + "\n@Ada /status\n")
    db = tmp_path / "journal.db"
    code, out, err = play(capsys, script, db)
    assert code == 2
    assert out == ""
    assert err.startswith(f"{script}: line 5: ")
    assert problem in err
    assert err.count("\n") == 1
    assert not db.exists(), "nothing ran: not even the journal was created"


def test_the_first_bad_line_is_the_one_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "bad.gw"
    script.write_text("!seed 42\n!roll 200\n!shout\n")
    code, _, err = play(capsys, script, tmp_path / "journal.db")
    assert code == 2
    assert err == f"{script}: line 2: the roll must be between 1 and 100, got 200\n"


def test_a_missing_script_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "journal.db"
    code, out, err = play(capsys, tmp_path / "missing.gw", db)
    assert code == 2
    assert out == ""
    assert "cannot read" in err
    assert "missing.gw" in err
    assert not db.exists()


def test_refused_commands_do_not_stop_the_script(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "refusals.gw"
    script.write_text(
        "!seed 42\n"
        '@Ada /submit_theory theory:"x" confidence:sure\n'
        "@Ada /nonsense\n"
        "@Ada /gw_admin run_digest\n"
        '@Ada /submit_theory theory:"Bronze Age flight" confidence:certain\n'
    )
    code, out, err = play(capsys, script, tmp_path / "journal.db")
    assert code == 0
    assert err == ""
    replies = [r for r in map(json.loads, out.splitlines()) if r["type"] == "reply"]
    assert [(r["line"], r["ok"], r.get("error")) for r in replies] == [
        (2, False, "invalid_input"),
        (3, False, "invalid_input"),
        (4, False, "permission_denied"),
        (5, True, None),
    ]


def test_seed_on_an_existing_campaign_stops_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "seeded.gw"
    script.write_text("!seed 42\n@Ada /status\n")
    db = tmp_path / "journal.db"
    assert play(capsys, script, db)[0] == 0
    code, out, err = play(capsys, script, db)
    assert code == 2
    assert out == ""
    assert err == (
        f"{script}: line 1: campaign local already exists (seed 42); "
        "!seed only applies to a new campaign\n"
    )


def test_a_script_without_seed_continues_an_existing_campaign(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "journal.db"
    first = tmp_path / "first.gw"
    first.write_text('!seed 42\n@Ada /submit_theory theory:"One" confidence:suspect\n')
    second = tmp_path / "second.gw"
    second.write_text('@Ada /submit_theory theory:"Two" confidence:suspect\n')
    assert play(capsys, first, db)[0] == 0
    code, out, _ = play(capsys, second, db)
    assert code == 0
    reply, press = [json.loads(line) for line in out.splitlines()]
    assert reply["data"]["theory_id"] == "T-2"
    assert (press["type"], press["id"], press["kind"]) == ("press", 22, "academic_bulletin")


def test_seed_after_roll_is_refused_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "roll_then_seed.gw"
    script.write_text("!roll 5\n!seed 42\n@Ada /status\n")
    db = tmp_path / "journal.db"
    code, out, err = play(capsys, script, db)
    assert code == 2
    assert err.startswith(f"{script}: line 2: !seed must come before")
    assert out == ""
    assert not db.exists()
