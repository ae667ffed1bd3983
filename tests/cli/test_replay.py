"""``greatwork replay --verify`` and ``greatwork config``."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from greatwork.cli import main
from greatwork.rules.ids import PlayerId
from greatwork.rules.state import CampaignState
from greatwork.store import Store, encode_snapshot, rebuild


def play(tmp_path: Path, text: str) -> Path:
    db = tmp_path / "journal.db"
    script = tmp_path / "s.gw"
    script.write_text(text, encoding="utf-8")
    assert main(["play", "--script", str(script), "--db", str(db), "--json"]) == 0
    return db


async def _state(db: Path) -> CampaignState:
    store = await Store.open(db)
    try:
        return rebuild(await store.load("local"))
    finally:
        await store.close()


def test_replay_verify_passes_on_a_real_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = play(tmp_path, '@Ada /submit_theory theory:"Replayed" confidence:certain\n!digest 3\n')
    capsys.readouterr()
    assert main(["replay", "--verify", "--db", str(db)]) == 0
    assert capsys.readouterr().out == "replay ok (1 campaign)\n"


def test_replay_verify_names_the_first_difference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = play(tmp_path, '@Ada /submit_theory theory:"Tampered" confidence:certain\n')
    state = asyncio.run(_state(db))
    ada = state.players[PlayerId("Ada")]
    forged = dataclasses.replace(
        state, players={**state.players, ada.id: dataclasses.replace(ada, reputation=40)}
    )
    row = encode_snapshot(forged)
    with sqlite3.connect(db) as raw:  # a snapshot that disagrees with the events
        raw.execute(
            "INSERT OR REPLACE INTO snapshots (campaign_id, seq, at, data) VALUES (?, ?, ?, ?)",
            ("local", row.seq, row.at, row.data),
        )
    raw.close()
    capsys.readouterr()
    assert main(["replay", "--verify", "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("replay FAILED for local: players.Ada.reputation")
    assert "0 != 40" in out


def test_replay_and_export_refuse_a_missing_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nothing.db"
    assert main(["replay", "--verify", "--db", str(missing)]) == 1
    assert f"no journal at {missing}" in capsys.readouterr().err
    assert main(["export-log", "--db", str(missing)]) == 1
    assert f"no journal at {missing}" in capsys.readouterr().err
    assert not missing.exists()


def test_config_prints_the_settings_without_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GREATWORK_DISCORD_TOKEN", "very-secret-token")
    monkeypatch.setenv("GREATWORK_TIMEZONE", "Europe/Paris")
    assert main(["config", "--db", "elsewhere.db"]) == 0
    out = capsys.readouterr().out
    shown = json.loads(out)
    assert shown["timezone"] == "Europe/Paris"
    assert shown["db_path"] == "elsewhere.db"
    assert shown["discord_token"] == "<set>"  # noqa: S105 (the redaction marker, not a secret)
    assert "very-secret-token" not in out


def test_a_bad_setting_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GREATWORK_CATCH_UP_CAP", "lots")
    assert main(["config"]) == 2
    assert "GREATWORK_CATCH_UP_CAP" in capsys.readouterr().err


def test_a_moderation_checker_that_cannot_load_stops_play_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GREATWORK_MODERATION_CHECKER", "no_such_package.checks:make")
    script = tmp_path / "one.gw"
    script.write_text("!advance 1h\n", encoding="utf-8")
    db = tmp_path / "game.db"
    assert main(["play", "--script", str(script), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "no_such_package" in err
    assert "cannot be imported" in err
    assert not db.exists()
