"""A REST-only stand-in for Discord on 127.0.0.1, for the bot's unit tests.

It answers the few routes an interaction's answer and a channel post use (interaction callback,
the original response, followups, channel messages), records every call, and can fail the next
matching calls on demand. No gateway: tests build interactions from payloads themselves. The
full emulator (gateway, command sync, limits) lives in ``tests/discord/``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

APP_ID = 900_000_000_000_000_001
BOT_ID = 900_000_000_000_000_002
_EPOCH_MS = 1_420_070_400_000


def snowflake(counter: itertools.count[int]) -> int:
    """A realistic snowflake: now, plus a counter in the low bits."""
    return ((int(time.time() * 1000) - _EPOCH_MS) << 22) | (next(counter) & 0x3FFFFF)


@dataclass(slots=True)
class Call:
    """One request the bot made."""

    method: str
    path: str
    json: Any = None
    files: dict[str, str] = field(default_factory=dict)  # filename -> text
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Failure:
    """Answer the next call whose ``METHOD path`` matches ``pattern`` with this error."""

    pattern: str
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


class LoopbackDiscord:
    """The REST routes of an interaction's answer and of a channel post."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()
        self.base = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}/api/v10"
        return self.base

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail(self, pattern: str, status: int, code: int = 0, **extra: Any) -> None:
        body = {"message": extra.pop("message", "failed on purpose"), "code": code, **extra}
        headers = {"Via": "1.1 google"} if status == 429 else {}
        self.failures.append(Failure(pattern, status, body, headers))

    async def wait_until(self, done: Callable[[], bool], within: float = 5.0) -> None:
        """Return once ``done()`` holds (checked after every call), or fail at the deadline."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(done)

    def matching(self, pattern: str) -> list[Call]:
        return [c for c in self.calls if re.search(pattern, f"{c.method} {c.path}")]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        call = Call(request.method, path, headers=dict(request.headers))
        if request.content_type == "application/json":
            call.json = await request.json()
        elif request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                text = (await part.read()).decode()  # type: ignore[union-attr]
                if part.name == "payload_json":  # type: ignore[union-attr]
                    call.json = json.loads(text)
                else:
                    call.files[part.filename or "?"] = text  # type: ignore[union-attr]
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()
        for failure in self.failures:
            if failure.times > 0 and re.search(failure.pattern, f"{request.method} {path}"):
                failure.times -= 1
                return _json(failure.body, failure.status, failure.headers)
        return self._route(request.method, path, call)

    def _route(self, method: str, path: str, call: Call) -> web.StreamResponse:
        if path == "/users/@me":
            return _json(_user(BOT_ID, "greatwork"))
        if method == "POST" and re.fullmatch(r"/interactions/\d+/[^/]+/callback", path):
            return web.Response(status=204)
        if method == "DELETE":
            return web.Response(status=204)
        if match := re.fullmatch(r"/channels/(\d+)/messages", path):
            return _json(self._message(int(match[1]), call.json or {}))
        if re.fullmatch(r"/webhooks/\d+/[^/]+(/messages/@original)?", path):
            return _json(self._message(1, call.json or {}))
        return _json({"message": "404: Not Found", "code": 0}, 404)

    def _message(self, channel_id: int, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": str(snowflake(self._ids)),
            "channel_id": str(channel_id),
            "author": _user(BOT_ID, "greatwork"),
            "content": body.get("content", ""),
            "timestamp": "2026-01-01T00:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds", []),
            "pinned": False,
            "type": 0,
            "flags": body.get("flags", 0),
        }


def _user(user_id: int, name: str) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": True,
    }


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json": disnake compares the header with ==.
    return web.Response(
        body=json.dumps(body).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
