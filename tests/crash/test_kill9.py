"""Crash tests: ``kill -9`` a real server process mid-play and mid-digest, then restart.

Every reply the process printed before it died was confirmed, so its effect must be in the
journal; the journal must replay to the live state; an interrupted digest must complete
exactly once after the restart.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from greatwork.rules.codec import decode_event
from greatwork.store import Store, rebuild

CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("GREATWORK_")}


def greatwork(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own CLI)
        [sys.executable, "-m", "greatwork", *args],
        cwd=cwd,
        env=CLEAN_ENV,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_until(
    script: Path, db: Path, cwd: Path, stop_after: int, kind: str, jitter: float
) -> list[dict[str, Any]]:
    """Run a script and SIGKILL it once ``stop_after`` lines of ``kind`` were printed."""
    process = subprocess.Popen(  # noqa: S603 (our own CLI)
        [
            sys.executable,
            "-m",
            "greatwork",
            "play",
            "--script",
            str(script),
            "--db",
            str(db),
            "--json",
        ],
        cwd=cwd,
        env=CLEAN_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    seen: list[dict[str, Any]] = []
    count = 0
    try:
        assert process.stdout is not None
        for line in process.stdout:
            obj = json.loads(line)
            seen.append(obj)
            if obj["type"] == kind:
                count += 1
                if count >= stop_after:
                    if jitter:
                        spin_until = _now() + jitter
                        while _now() < spin_until:
                            pass
                    process.send_signal(signal.SIGKILL)
                    break
    finally:
        process.kill()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
    assert process.returncode == -signal.SIGKILL, "the script ended before the kill"
    return seen


def _now() -> float:
    import time  # noqa: PLC0415

    return time.perf_counter()


async def journal_events(db: Path) -> tuple[list[Any], Any]:
    store = await Store.open(db)
    try:
        (campaign,) = [c.campaign_id for c in await store.campaigns()]
        loaded = await store.load(campaign, from_scratch=True)
        state = rebuild(loaded, from_scratch=True)
        events = [decode_event(json.loads(row.data)) for row in loaded.events]
    finally:
        await store.close()
    return events, state


def command_script(path: Path, commands: int) -> Path:
    lines = ["!seed 5", "!admin p0"]
    for n in range(commands):
        player = f"p{n % 5}"
        lines.append(f'@{player} /submit_theory theory:"Claim number {n}" confidence:suspect')
        if n % 4 == 0:
            lines.append(
                f'@{player} /launch_expedition code:X{n} objective:"Test claim {n}" '
                "expedition_type:think_tank confidence:suspect"
            )
        if n % 25 == 24:
            lines.append("!digest")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    return random.Random(request.node.name)


@pytest.mark.parametrize("round_", range(3))
async def test_kill_during_commands_loses_no_confirmed_command(
    tmp_path: Path, rng: random.Random, round_: int
) -> None:
    script = command_script(tmp_path / "play.gw", 400)
    db = tmp_path / "journal.db"
    stop_after = rng.randint(20, 200) + round_
    seen = run_until(script, db, tmp_path, stop_after, "reply", rng.random() * 0.004)
    confirmed = [
        o["data"]["theory_id"]
        for o in seen
        if o["type"] == "reply" and o["ok"] and o["command"] == "submit_theory"
    ]
    assert len(confirmed) >= stop_after // 2

    verify = greatwork("replay", "--verify", "--db", str(db), cwd=tmp_path)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert verify.stdout.startswith("replay ok")
    _, state = await journal_events(db)
    missing = [t for t in confirmed if t not in state.theories]
    assert missing == []

    # The campaign carries on where it stopped.
    more = tmp_path / "more.gw"
    more.write_text('@p1 /submit_theory theory:"After the crash" confidence:certain\n')
    after = greatwork("play", "--script", str(more), "--db", str(db), "--json", cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    reply = next(o for o in map(json.loads, after.stdout.splitlines()) if o["type"] == "reply")
    assert reply["ok"] is True
    assert reply["data"]["theory_id"] == f"T-{len(state.theories) + 1}"


@pytest.mark.parametrize("round_", range(3))
async def test_kill_during_digests_completes_each_digest_exactly_once(
    tmp_path: Path, rng: random.Random, round_: int
) -> None:
    script = command_script(tmp_path / "play.gw", 60)
    with script.open("a", encoding="utf-8") as out:
        out.write("!digest 400\n")
    db = tmp_path / "journal.db"
    stop_after = rng.randint(3, 30) + round_
    seen = run_until(script, db, tmp_path, stop_after, "digest", rng.random() * 0.01)
    printed = [o["number"] for o in seen if o["type"] == "digest"]

    verify = greatwork("replay", "--verify", "--db", str(db), cwd=tmp_path)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    events, state = await journal_events(db)
    started = [e.number for e in events if e.kind == "DigestStarted"]
    completed = [e for e in events if e.kind == "DigestCompleted"]
    assert started == [e.number for e in completed]
    assert [e.number for e in completed] == list(range(1, len(completed) + 1))
    assert set(printed) <= set(started)
    before = len(completed)

    # Restart: the next digests run at the next slots, once each, numbered on.
    again = tmp_path / "again.gw"
    again.write_text("!digest 2\n")
    after = greatwork("play", "--script", str(again), "--db", str(db), "--json", cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    lines = [json.loads(x) for x in after.stdout.splitlines()]
    numbers = [o["number"] for o in lines if o["type"] == "digest"]
    assert numbers == [before + 1, before + 2]
    events, _ = await journal_events(db)
    slots = [e.at for e in events if e.kind == "DigestCompleted"]
    assert slots == sorted(set(slots)), "a digest slot ran twice"
    assert state.last_digest == before
