"""Fixtures for the play tests: a clean working folder and environment, no actor left over."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pykka
import pytest


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in ``tmp_path`` with no GREATWORK_* settings, so only the defaults apply."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("GREATWORK_"):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _no_leftover_actors() -> Iterator[None]:
    """Every run stops its server: no actor and no actor thread is left behind."""
    yield
    leftovers = pykka.ActorRegistry.get_all()
    pykka.ActorRegistry.stop_all(timeout=5)
    assert leftovers == [], f"actors left running: {leftovers}"
    threads = [t.name for t in threading.enumerate() if "Actor-" in t.name]
    assert threads == [], f"actor threads left running: {threads}"
