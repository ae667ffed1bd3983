"""Virtual time in a script: ``!digest`` and ``!advance`` move the clock, and digests follow it."""

from __future__ import annotations

from pathlib import Path

from tests.play.runner import ScriptRun, run_script


def play(tmp_path: Path, body: str) -> ScriptRun:
    script = tmp_path / "time.gw"
    script.write_text("!seed 42\n!admin Root\n@Ada /status\n" + body, encoding="utf-8")
    run = run_script(script, tmp_path / "journal.db")
    assert run.code == 0, run.stderr
    return run


def digests(run: ScriptRun, line: int) -> list[tuple[int, int]]:
    return [(r["number"], r["year"]) for r in run.segments[line] if r["type"] == "digest"]


def test_digest_runs_the_next_slots_in_order(tmp_path: Path) -> None:
    # The script starts on 2026-01-01 at 09:00; digests run at 13:00 and 21:00, a year a day.
    run = play(tmp_path, "!digest\n!digest 3\n@Root /gw_admin calibration_snapshot\n")
    assert digests(run, 4) == [(1, 1920)]
    assert digests(run, 5) == [(2, 1920), (3, 1921), (4, 1921)]
    (reply,) = run.replies(6)
    assert reply["data"]["at"] == "2026-01-02T21:00:00Z"
    assert reply["data"]["digest"] == 4


def test_advance_runs_the_digests_it_passes(tmp_path: Path) -> None:
    run = play(tmp_path, "!advance 3h\n!advance 1h\n!advance 90m\n@Root /gw_admin run_digest\n")
    assert run.segments[4] == ()
    assert digests(run, 5) == [(1, 1920)]
    assert run.segments[6] == ()
    (reply,) = run.replies(7)
    assert reply["data"]["digest"] == 2


def test_advance_one_week_runs_fourteen_digests(tmp_path: Path) -> None:
    run = play(tmp_path, "!advance 7d\n")
    assert [n for n, _ in digests(run, 4)] == list(range(1, 15))
    assert run.stderr == ""


def test_advance_beyond_the_catch_up_cap_runs_every_digest(tmp_path: Path) -> None:
    run = play(tmp_path, "!advance 8d\n")
    assert [n for n, _ in digests(run, 4)] == list(range(1, 17))
    assert run.stderr == ""
