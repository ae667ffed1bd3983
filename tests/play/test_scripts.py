"""Every script in ``scripts/`` runs through the real server and meets its expectations.

The mini-language of the expectations is described in :mod:`tests.play.runner`. Besides each
script, these tests check that together the scripts cover the whole catalogue: a success and a
refusal for every command, a refusal to a non-admin for every admin command, and every command
tried while the game is paused.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from greatwork import cli
from greatwork.commands.catalogue import CATALOGUE
from greatwork.play import script as s
from tests.play.runner import Script, failures, load, run_script

SCRIPTS = sorted((Path(__file__).parent / "scripts").glob("*.gw"))
PAUSED = "paused_game.gw"
EVERY_COMMAND = {spec.path for spec in CATALOGUE}
ADMIN_COMMANDS = {spec.path for spec in CATALOGUE if spec.admin}
# The player commands that change the game: the ones a pause refuses (the views still answer).
MOVES = {
    "submit_theory",
    "launch_expedition",
    "recruit",
    "mentor",
    "assign_lab",
    "conference",
    "symposium_vote",
    "symposium_propose",
    "invest",
    "endow_archive",
    "set_nickname",
    "share_press",
    "table_talk",
    "poach",
    "counter",
}


def _loaded() -> list[Script]:
    return [load(path) for path in SCRIPTS]


def _outcomes() -> dict[str, set[str]]:
    """For each command path, the outcomes its expectations name (``ok`` or an error code)."""
    seen: dict[str, set[str]] = defaultdict(set)
    for script in _loaded():
        paths = script.command_paths()
        for expectation in script.expectations:
            path = paths.get(expectation.target)
            if path is None:
                continue
            if expectation.kind == "ok":
                seen[path].add("ok")
            elif expectation.kind == "error":
                seen[path].add(expectation.arg)
    return seen


def test_there_are_scripts_for_every_area() -> None:
    names = {p.stem for p in SCRIPTS}
    assert names >= {
        "theories_expeditions",
        "scholars_careers",
        "symposium",
        "economy",
        "offers",
        "press_archive",
        "admin",
        "admin_moderation",
        "paused_game",
        "help_views",
    }


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_script(path: Path, tmp_path: Path) -> None:
    script = load(path)
    assert len(script.expectations) >= 10, "a script checks what it does"
    run = run_script(path, tmp_path / "journal.db")
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    problems = failures(script, run)
    assert not problems, "\n".join(problems)


def test_every_command_has_a_success_case() -> None:
    covered = {path for path, outcomes in _outcomes().items() if "ok" in outcomes}
    assert sorted(EVERY_COMMAND - covered) == []
    assert covered <= EVERY_COMMAND


def test_every_command_has_a_refusal_case() -> None:
    refused = {path for path, outcomes in _outcomes().items() if outcomes - {"ok"}}
    assert sorted(EVERY_COMMAND - refused) == []


def test_every_admin_command_is_refused_to_a_player() -> None:
    denied = {path for path, outcomes in _outcomes().items() if "permission_denied" in outcomes}
    assert sorted(ADMIN_COMMANDS - denied) == []


def test_the_paused_script_tries_every_command_while_paused() -> None:
    script = load(Path(__file__).parent / "scripts" / PAUSED)
    paths = script.command_paths()
    ok_lines = {e.target: paths.get(e.target) for e in script.expectations if e.kind == "ok"}
    paused = min(line for line, path in ok_lines.items() if path == "gw_admin pause_game")
    resumed = min(
        line for line, path in ok_lines.items() if path == "gw_admin resume_game" and line > paused
    )
    tried = {
        paths[e.target]
        for e in script.expectations
        if e.target in paths and paused <= e.target <= resumed
    }
    assert sorted(EVERY_COMMAND - tried) == []
    refused = {
        paths[e.target]
        for e in script.expectations
        if e.kind == "error" and e.arg == "paused" and e.target in paths
    }
    assert refused == MOVES | {"gw_admin run_digest"}


def test_scripts_name_only_real_commands_or_test_unknown_ones() -> None:
    unknown = set()
    for script in _loaded():
        known = script.command_paths()
        for statement in script.statements:
            if isinstance(statement, s.Run) and statement.line not in known:
                unknown.add(statement.path)
    assert unknown == {"nonsense", "recruit_all", "gw_admin fly_away"}


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_a_script_prints_the_same_lines_on_a_fresh_journal(path: Path, tmp_path: Path) -> None:
    first = run_script(path, tmp_path / "first.db")
    second = run_script(path, tmp_path / "second.db")
    assert first.code == second.code == 0
    assert first.records, "the script printed something"
    assert first.stdout.splitlines() == second.stdout.splitlines()
    assert first.segments == second.segments


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_a_script_also_runs_as_text(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["play", "--script", str(path), "--db", str(tmp_path / "journal.db")])
    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    runs = [st for st in load(path).statements if isinstance(st, s.Run)]
    # Each reply starts an unindented line "NAME /command: title"; bodies and press are indented.
    titles = [line for line in out.splitlines() if re.match(r"[A-Za-z0-9][^ ]* /\S", line)]
    assert [t.split(" /", 1)[0] for t in titles] == [r.player for r in runs]
    if any(isinstance(st, s.Digest) for st in load(path).statements):
        assert "THE GAZETTE · Digest 1 · Year 1920" in out
