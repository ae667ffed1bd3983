"""``greatwork serve`` without a Discord token: the game runs, and a signal stops it cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.crash.test_kill9 import CLEAN_ENV, greatwork

SERVE_ENV = {**CLEAN_ENV, "GREATWORK_METRICS_PORT": "0"}  # a free port, never 9464


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_without_a_token_runs_until_a_signal(tmp_path: Path, sig: signal.Signals) -> None:
    db = tmp_path / "journal.db"
    process = subprocess.Popen(  # noqa: S603 (our own CLI)
        [sys.executable, "-m", "greatwork", "serve", "--db", str(db)],
        cwd=tmp_path,
        env=SERVE_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 60
    line = ""
    metrics_url = ""
    while "no Discord token set" not in line:
        assert time.monotonic() < deadline, "the server never said it was running"
        line = process.stderr.readline()
        assert line or process.poll() is None, process.communicate()
        if "metrics on http://" in line:
            metrics_url = line.split("metrics on ", 1)[1].strip()
    assert str(db) in line
    assert metrics_url.startswith("http://127.0.0.1:")
    assert metrics_url.endswith("/metrics")
    status, text = fetch(metrics_url)
    assert status == 200
    assert "greatwork_commands_total" in text
    base = metrics_url.removesuffix("/metrics")
    assert fetch(f"{base}/healthz")[0] == 200
    while (ready := fetch(f"{base}/readyz"))[0] != 200:
        assert time.monotonic() < deadline, ready
    process.send_signal(sig)
    try:
        code = process.wait(timeout=20)
    finally:
        process.kill()
        _, err = process.communicate()
    assert code == 0, err
    assert "stopped cleanly" in err
    assert "Traceback" not in err
    assert db.exists()
    verify = greatwork("replay", "--verify", "--db", str(db), cwd=tmp_path)
    assert verify.stdout.startswith("replay ok"), verify.stdout + verify.stderr


def test_serve_refuses_a_bad_discord_api_address(tmp_path: Path) -> None:
    done = greatwork(
        "serve", "--db", str(tmp_path / "j.db"), "--discord-api", "ftp://x", cwd=tmp_path
    )
    assert done.returncode == 2
    assert "discord_api" in done.stderr
    assert "http:// or https://" in done.stderr
    assert not (tmp_path / "j.db").exists()
