"""``greatwork simulate``: a season through the real server, as text or JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from greatwork.cli import main


def test_summary_reports_the_season(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--players", "3", "--days", "2", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "THE GREAT WORK GAZETTE" in out
    assert "Season of 2 days, 3 players, seed 5: 4 digests, year 1921" in out
    for heading in ("Standings:", "Landmarks:", "Defections:", "Feuds", "Moves accepted"):
        assert heading in out
    assert out.count("Bot p") >= 3


def test_json_lines_are_press_and_digests(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--players", "2", "--days", "1", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    digests = [line for line in lines if line["type"] == "digest"]
    press = [line for line in lines if line["type"] == "press"]
    assert [d["number"] for d in digests] == [1, 2]
    assert len(press) + len(digests) == len(lines)
    assert press, "a season prints press"
    assert set(press[0]) == {"type", "id", "kind", "headline", "body", "digest", "release_at"}
    layers = [p for p in press if "layer" in p]
    assert all(p["layer"] is True for p in layers)
    assert {*set(press[0]), "layer"} >= {key for p in press for key in p}
    assert [p["id"] for p in press] == sorted(p["id"] for p in press)


def test_the_same_seed_plays_the_same_season(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--players", "3", "--days", "1", "--seed", "8", "--json"]) == 0
    first = capsys.readouterr().out
    assert main(["simulate", "--players", "3", "--days", "1", "--seed", "8", "--json"]) == 0
    assert capsys.readouterr().out == first


def test_a_kept_journal_is_not_played_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "season.db"
    assert main(["simulate", "--players", "2", "--days", "1", "--db", str(db)]) == 0
    assert db.exists()
    capsys.readouterr()
    assert main(["simulate", "--players", "2", "--days", "1", "--db", str(db)]) == 2
    assert "already has sim-1" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--players", "9"], "must be at most 8, got 9"),
        (["--players", "0"], "must be at least 1, got 0"),
        (["--days", "x"], "expected a whole number, got 'x'"),
    ],
)
def test_bad_options_are_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["simulate", *argv])
    assert info.value.code == 2
    assert message in capsys.readouterr().err
