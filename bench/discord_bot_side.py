"""The bot's side of ``discord_bench.py``: the served game in this process or in a child.

``discord_bench.py`` drives the loopback Discord and the players; what it needs from the bot's
side between phases (is the command sync over, which scholars a campaign knows, how much press
was released, the CPU time and garbage collections of a phase) goes through a :class:`BotSide`:

- :class:`LocalBot`: the :class:`~greatwork.serve.Service` in the bench's own process and event
  loop, beside the emulator (``--one-process``, the bench's first form);
- :class:`ChildBot`: the same ``Service`` in a second process started with ``spawn``, which
  only the Discord API (the emulator's REST routes and gateway, over loopback) connects to the
  bench's process, as a real deployment's only link to Discord. The control pipe is used
  between phases only, never while a phase is timed.

The child runs :func:`serve_bot`; its requests are ``(name, argument)`` tuples, its answers
``("ok", value)`` or ``("error", text)``.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Final, Protocol

from server_load import GcWatch

from greatwork.actors.clock import VirtualClock
from greatwork.bot.guilds import campaign_of
from greatwork.config import Settings
from greatwork.rules.ids import Instant
from greatwork.serve import Service
from greatwork.sim import SEASON_START

CONTROL_TIMEOUT: Final = 120.0
"""Seconds the bench waits for the child to answer a control request (start-up included)."""


class BotSide(Protocol):
    """What the bench asks of the bot's side, between phases only."""

    async def synced(self) -> None:
        """Return once disnake's start-up command sync is over (its first GET was seen)."""

    async def scholars(self, guild_ids: list[int]) -> dict[int, list[str]]:
        """The scholar ids each guild's campaign knows, sorted."""

    async def released(self, guild_ids: list[int]) -> int:
        """How many press items the guilds' campaigns have released so far."""

    async def begin(self) -> None:
        """Start measuring a phase: CPU time and garbage collections of the bot's process."""

    async def end(self) -> dict[str, Any]:
        """Stop measuring: ``cpu_s``, ``gc`` (a :meth:`GcWatch.summary`), ``tracked``."""

    async def stop(self) -> list[str]:
        """Stop the service; return the slash-command, gateway and listener errors seen."""


@dataclass(slots=True)
class _Meter:
    """CPU time and garbage collections of this process over one phase."""

    cpu: float = 0.0
    watch: GcWatch | None = None

    def begin(self) -> None:
        self.watch = GcWatch().__enter__()
        self.cpu = time.process_time()

    def end(self) -> dict[str, Any]:
        cpu = time.process_time() - self.cpu
        if self.watch is None:
            raise RuntimeError("end() without begin()")
        self.watch.__exit__()
        summary, self.watch = self.watch.summary(), None
        return {"cpu_s": cpu, "gc": summary, "tracked": len(gc.get_objects())}


@dataclass(slots=True)
class _Host:
    """The served game and the answers to the bench's requests (either side of the pipe)."""

    service: Service
    errors: list[str] = field(default_factory=list)
    meter: _Meter = field(default_factory=_Meter)

    async def synced(self) -> None:
        bot = self.service.bot
        if bot is None:
            raise RuntimeError("the service started without its bot: is the token set?")
        async with asyncio.timeout(30):
            while bot._sync_queued.locked():  # noqa: ASYNC110, SLF001 (no event marks a sync's end)
                await asyncio.sleep(0.002)

    def scholars(self, guild_ids: list[int]) -> dict[int, list[str]]:
        server = self.service.server
        return {g: sorted(server.committed_state(campaign_of(g)).scholars) for g in guild_ids}

    async def released(self, guild_ids: list[int]) -> int:
        found: set[int] = set()
        for guild_id in guild_ids:
            items = await self.service.server.press(campaign_of(guild_id), limit=1000)
            found |= {item.id for item in items}
        return len(found)


def new_service(folder: Path, api_base: str, token: str, errors: list[str]) -> Service:
    """The production wiring of ``greatwork serve`` on a virtual clock, errors recorded."""
    from tests.discord.emulator_fixtures import record_errors  # noqa: PLC0415 (after sys.path)

    return Service(
        Settings(
            db_path=folder / "journal.db",
            discord_token=token,
            discord_api=api_base,
            metrics_port=0,  # (never the operator's 9464)
        ),
        clock=VirtualClock(Instant(SEASON_START)),
        guild_ready_timeout=0.02,
        on_bot=lambda bot: record_errors(bot, errors),
    )


class LocalBot:
    """The service in the bench's own process and event loop."""

    def __init__(self, host: _Host) -> None:
        self._host = host

    @classmethod
    async def start(cls, folder: Path, api_base: str, token: str) -> LocalBot:
        """Start the service against the emulator at ``api_base``."""
        errors: list[str] = []
        service = new_service(folder, api_base, token, errors)
        await service.start()
        return cls(_Host(service, errors))

    @property
    def service(self) -> Service:
        """The service (the one-process bench reads its heap)."""
        return self._host.service

    async def synced(self) -> None:
        await self._host.synced()

    async def scholars(self, guild_ids: list[int]) -> dict[int, list[str]]:
        return self._host.scholars(guild_ids)

    async def released(self, guild_ids: list[int]) -> int:
        return await self._host.released(guild_ids)

    async def begin(self) -> None:
        self._host.meter.begin()

    async def end(self) -> dict[str, Any]:
        return self._host.meter.end()

    async def stop(self) -> list[str]:
        await self._host.service.stop()
        return self._host.errors


class ChildBot:
    """The service in a spawned child process, asked over a pipe."""

    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection) -> None:
        self._process = process
        self._conn = conn

    @classmethod
    async def start(cls, folder: Path, api_base: str, token: str) -> ChildBot:
        """Spawn the child and wait until its bot is ready (connected to the emulator)."""
        context = multiprocessing.get_context("spawn")
        mine, theirs = context.Pipe()
        process = context.Process(
            target=serve_bot,
            args=(theirs, str(folder), api_base, token),
            name="discord-bench-bot",
        )
        process.start()
        theirs.close()
        child = cls(process, mine)
        try:
            await child._answer()  # the child's "ready"
        except BaseException:
            await child._reap()
            raise
        return child

    @property
    def pid(self) -> int | None:
        """The child's process id."""
        return self._process.pid

    async def synced(self) -> None:
        await self._ask("synced")

    async def scholars(self, guild_ids: list[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = await self._ask("scholars", guild_ids)
        return found

    async def released(self, guild_ids: list[int]) -> int:
        count: int = await self._ask("released", guild_ids)
        return count

    async def begin(self) -> None:
        await self._ask("begin")

    async def end(self) -> dict[str, Any]:
        figures: dict[str, Any] = await self._ask("end")
        return figures

    async def stop(self) -> list[str]:
        try:
            errors: list[str] = await self._ask("stop")
        finally:
            await self._reap()
        return errors

    async def _ask(self, name: str, argument: object = None) -> Any:  # noqa: ANN401 (per request)
        self._conn.send((name, argument))
        return await self._answer()

    async def _answer(self) -> Any:  # noqa: ANN401 (per request)
        if not await asyncio.to_thread(self._conn.poll, CONTROL_TIMEOUT):
            raise TimeoutError(f"the bot's process did not answer within {CONTROL_TIMEOUT:g} s")
        try:
            status, value = self._conn.recv()
        except EOFError:
            raise RuntimeError(
                f"the bot's process ended (exit code {self._process.exitcode}); "
                "its traceback is on stderr"
            ) from None
        if status != "ok":
            raise RuntimeError(f"the bot's process failed: {value}")
        return value

    async def _reap(self) -> None:
        await asyncio.to_thread(self._process.join, 30)
        if self._process.is_alive():
            self._process.kill()
            await asyncio.to_thread(self._process.join)
        self._conn.close()


def serve_bot(conn: Connection, folder: str, api_base: str, token: str) -> None:
    """The child's main: serve the game against the emulator and answer the bench."""
    asyncio.run(_serve(conn, Path(folder), api_base, token))


async def _serve(conn: Connection, folder: Path, api_base: str, token: str) -> None:
    errors: list[str] = []
    service = new_service(folder, api_base, token, errors)
    try:
        await service.start()
        host = _Host(service, errors)
        conn.send(("ok", None))
        while True:
            name, argument = await asyncio.to_thread(conn.recv)
            if name == "stop":
                break
            try:
                value = await _handle(host, name, argument)
            except Exception as error:  # noqa: BLE001 (reported to the bench, which raises)
                conn.send(("error", f"{name}: {error!r}"))
            else:
                conn.send(("ok", value))
    except Exception as error:  # noqa: BLE001 (reported to the bench, which raises)
        conn.send(("error", f"start: {error!r}"))
        await service.stop()
        return
    await service.stop()
    conn.send(("ok", errors))


async def _handle(host: _Host, name: str, argument: Any) -> Any:  # noqa: ANN401 (per request)
    if name == "synced":
        return await host.synced()
    if name == "scholars":
        return host.scholars(argument)
    if name == "released":
        return await host.released(argument)
    if name == "begin":
        return host.meter.begin()
    if name == "end":
        return host.meter.end()
    raise ValueError(f"unknown request {name!r}")
