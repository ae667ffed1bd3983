"""Fixtures for actor tests: real pykka threads, a real journal file, a virtual clock."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pykka
import pytest

from greatwork.actors.clock import VirtualClock
from greatwork.actors.runtime import GameServer
from greatwork.config import Settings
from tests.commands.local import T0, shared_content

START = T0 + 9 * 3600  # 2026-01-01 09:00 UTC: before the first digest slot (13:00)

ServerFactory = Callable[..., Any]


class NoDefaultExecutor(ThreadPoolExecutor):
    """Fails any use of the loop's default executor: the server must never park work there."""

    def submit(self, fn: Callable[..., Any], /, *_args: Any, **_kwargs: Any) -> Future[Any]:
        raise AssertionError(f"the default executor was used for {fn!r}")


@pytest.fixture(autouse=True)
def _no_leftover_actors() -> Iterator[None]:
    """Every test leaves no actor and no actor thread behind."""
    yield
    leftovers = pykka.ActorRegistry.get_all()
    pykka.ActorRegistry.stop_all(timeout=5)
    assert leftovers == [], f"actors left running: {leftovers}"
    names = [t.name for t in threading.enumerate() if t.name.endswith(tuple("0123456789"))]
    actor_threads = [n for n in names if "Actor-" in n]
    assert actor_threads == [], f"actor threads left: {actor_threads}"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "journal" / "greatwork.db", snapshot_every=50)


@pytest.fixture
async def make_server(settings: Settings) -> AsyncIterator[ServerFactory]:
    """Start servers on the test's journal; each is stopped at the end if the test did not."""
    import asyncio  # noqa: PLC0415

    asyncio.get_running_loop().set_default_executor(NoDefaultExecutor())
    started: list[GameServer] = []

    async def make(
        *, at: int = START, clock: VirtualClock | None = None, **changes: Any
    ) -> GameServer:
        server = GameServer(
            dataclasses.replace(settings, **changes),
            shared_content(),
            clock=clock or VirtualClock(at),  # type: ignore[arg-type]
        )
        await server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        await server.stop()
