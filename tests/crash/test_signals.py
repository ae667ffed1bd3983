"""SIGINT and SIGTERM stop a running session cleanly: every actor stops, the journal is
flushed, the process exits promptly, and everything confirmed is in the journal."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.crash.test_kill9 import CLEAN_ENV, greatwork, journal_events


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_session_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    db = tmp_path / "journal.db"
    process = subprocess.Popen(  # noqa: S603 (our own CLI)
        [sys.executable, "-m", "greatwork", "play", "--db", str(db), "--name", "Ada"],
        cwd=tmp_path,
        env={**CLEAN_ENV, "GREATWORK_HISTORY": str(tmp_path / "history")},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write('/submit_theory theory:"Signals travel" confidence:certain\n')
    process.stdin.flush()
    deadline = time.monotonic() + 60
    confirmed = ""
    while "on the record" not in confirmed:  # the reply is printed once committed
        assert time.monotonic() < deadline, "no reply"
        confirmed = process.stdout.readline()
        assert confirmed or process.poll() is None, process.communicate()[1]
    process.send_signal(sig)  # the session is now waiting for the next line
    started = time.monotonic()
    try:
        code = process.wait(timeout=20)
    finally:
        process.kill()
        _, err = process.communicate()
    assert code == 130, err
    assert time.monotonic() - started < 10
    assert "stopped cleanly" in err
    assert "Traceback" not in err

    verify = greatwork("replay", "--verify", "--db", str(db), cwd=tmp_path)
    assert verify.stdout.startswith("replay ok"), verify.stdout + verify.stderr
    _, state = asyncio.run(journal_events(db))
    assert [t.text for t in state.theories.values()] == ["Signals travel"]


def test_export_log_writes_the_journal_as_json_lines(tmp_path: Path) -> None:
    db = tmp_path / "journal.db"
    script = tmp_path / "s.gw"
    script.write_text('@Ada /submit_theory theory:"Exported" confidence:suspect\n!digest\n')
    assert greatwork("play", "--script", str(script), "--db", str(db), cwd=tmp_path).returncode == 0
    out = tmp_path / "log.jsonl"
    done = greatwork("export-log", "--db", str(db), "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["seq"] for line in lines] == list(range(len(lines)))
    assert {line["campaign"] for line in lines} == {"local"}
    kinds = [line["kind"] for line in lines]
    assert "TheorySubmitted" in kinds
    assert kinds[-1] == "DigestCompleted"
    assert lines[kinds.index("TheorySubmitted")]["data"]["theory"]["text"] == "Exported"
    assert f"wrote {len(lines)} events" in done.stderr
    unknown = greatwork("export-log", "--db", str(db), "--campaign", "nope", cwd=tmp_path)
    assert unknown.returncode == 1
    assert "no campaign 'nope' (campaigns: local)" in unknown.stderr


def test_a_newer_or_corrupt_journal_is_refused_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "journal.db"
    db.write_bytes(b"this is not a database at all" * 100)
    before = db.read_bytes()
    script = tmp_path / "s.gw"
    script.write_text("@Ada /status\n")
    done = greatwork("play", "--script", str(script), "--db", str(db), cwd=tmp_path)
    assert done.returncode == 1
    assert "not a" in done.stderr.lower()
    assert str(db) in done.stderr
    assert db.read_bytes() == before
