"""The loopback Discord's plumbing: errors, request records, its clock, ids and waiting."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

T = TypeVar("T")

API_PREFIX: Final = "/api/v10"
DISCORD_EPOCH_MS: Final = 1_420_070_400_000


class DiscordHTTPError(Exception):
    """A Discord-shaped error answer: HTTP status, JSON error code, message, field errors."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} (code {code}): {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON body Discord sends with this error."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


class EmulatorError(Exception):
    """A test asked the emulator for something Discord's own client would never send."""


@dataclass(frozen=True, slots=True)
class Upload:
    """One file part of a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Call:
    """One REST request the emulator answered (path relative to the API base)."""

    method: str
    path: str
    query: Mapping[str, str]
    json: Any
    files: tuple[Upload, ...]
    status: int


@dataclass(frozen=True, slots=True)
class Rejection:
    """One 4xx answer and why it was sent."""

    method: str
    path: str
    status: int
    code: int
    message: str
    errors: Mapping[str, Any] | None = None


class Clock:
    """The emulator's own clock: real time plus whatever :meth:`advance` added."""

    def __init__(self) -> None:
        self._offset = 0.0

    def advance(self, seconds: float) -> None:
        """Move the clock forward without waiting."""
        if seconds < 0:
            raise EmulatorError(f"the clock only moves forward (asked for {seconds} s)")
        self._offset += seconds

    def monotonic(self) -> float:
        """Seconds on a monotonic scale, for deadlines."""
        return time.monotonic() + self._offset

    def wall(self) -> float:
        """Unix time in seconds, for snowflakes and timestamps."""
        return time.time() + self._offset

    def iso(self) -> str:
        """The current time as Discord writes timestamps."""
        return dt.datetime.fromtimestamp(self.wall(), dt.UTC).isoformat(timespec="microseconds")


class Snowflakes:
    """Realistic, unique, increasing snowflake ids derived from the emulator clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._counter = itertools.count(1)
        self._last = 0

    def next(self) -> int:
        """A fresh snowflake."""
        ms = int(self._clock.wall() * 1000) - DISCORD_EPOCH_MS
        candidate = (ms << 22) | (1 << 17) | (next(self._counter) & 0xFFF)
        self._last = max(candidate, self._last + 1)
        return self._last


class Notifier:
    """Wakes every waiter after each REST call and gateway message (a condition variable).

    ``poke`` is synchronous so that any handler can call it without a lock; waiters re-check
    their predicate after each poke, so no state change goes unseen.
    """

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def poke(self) -> None:
        """Wake every waiter."""
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float,  # noqa: ASYNC109 (callers pass one deadline down several layers)
    ) -> T:
        """Wait until ``predicate()`` is truthy and return its value, or raise TimeoutError."""
        async with asyncio.timeout(timeout):
            while not (result := predicate()):
                waiter = asyncio.get_running_loop().create_future()
                self._waiters.append(waiter)
                await waiter
            return result
