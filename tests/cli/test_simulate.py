"""``greatwork simulate``: the summary, the JSON lines, and refusals of bad options."""

from __future__ import annotations

import json

import pytest

from greatwork.cli import main
from greatwork.rules.codec import decode_event


def test_summary_reports_the_season(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--players", "3", "--days", "2", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Season of 2 days, 3 players, seed 5: 4 digests, year 1921")
    assert "Standings:" in out
    assert "DigestCompleted" in out


def test_json_lines_are_decodable_events(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--players", "2", "--days", "1", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    events = [decode_event(json.loads(line)) for line in lines]
    assert [type(e).__name__ for e in events].count("DigestCompleted") == 2


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
