"""A fake OpenAI-compatible chat completions server on 127.0.0.1, for tests and demos.

Modes (one per request):

- ``ok``: 200 with a reply (by default the prompt's facts, between ``<<<`` and ``>>>``, after
  a short sentence, so every key token survives);
- ``slow``: answers ``ok`` only after ``slow_seconds`` (beyond any test timeout), or when the
  server closes;
- ``429``: Too Many Requests, with ``Retry-After: retry_after`` when that is set;
- ``500`` (or any other 3-digit status, ``503``, ``401``, ``404``...): that status with an
  error body (5xx also carry ``Retry-After`` when ``retry_after_5xx`` is set);
- ``invalid_json``: 200 with a body that is not JSON;
- ``no_choices``: 200 with JSON that has no ``choices``;
- ``blocked``: 200 with a reply holding :data:`BLOCKED_WORD` (plus the facts);
- ``huge``: 200 with a body larger than the client accepts.

``server.mode`` is the mode of every request; ``server.script("500", "ok")`` queues modes for
the next requests, after which ``mode`` applies again. ``server.requests`` records each
request (path, headers, JSON body, mode used) to assert prompts, temperatures and headers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Self

from aiohttp import web

from greatwork.llm.client import MAX_RESPONSE_BYTES

BLOCKED_WORD: Final = "kill"
FACTS_START: Final = "<<<\n"
FACTS_END: Final = "\n>>>"
MODES: Final = ("ok", "slow", "invalid_json", "no_choices", "blocked", "huge")

Reply = Callable[[Mapping[str, Any]], str]


@dataclass(frozen=True, slots=True)
class Recorded:
    """One request the server received."""

    path: str
    headers: Mapping[str, str]
    body: Mapping[str, Any]
    mode: str

    @property
    def messages(self) -> list[dict[str, str]]:
        """The chat messages sent."""
        return list(self.body.get("messages", []))

    @property
    def temperature(self) -> float:
        """The temperature asked for."""
        return float(self.body["temperature"])


def facts_of(body: Mapping[str, Any]) -> str:
    """The facts block of the last user message, or its whole text."""
    messages = body.get("messages") or [{"content": ""}]
    text = str(messages[-1].get("content", ""))
    start, end = text.find(FACTS_START), text.rfind(FACTS_END)
    if start < 0 or end < start:
        return text
    return text[start + len(FACTS_START) : end]


def echo_facts(body: Mapping[str, Any]) -> str:
    """The default reply: a sentence of colour, then the facts unchanged."""
    return "Extraordinary news reaches the Gazette. " + facts_of(body)


class FakeLlmServer:
    """The server; ``async with FakeLlmServer() as server`` starts it and closes it.

    Args:
        reply: the text of an ``ok`` reply, or a function of the request's JSON body.
        model: the model name the replies carry (None: leave ``model`` out).
        retry_after: the ``Retry-After`` value of a 429 (None: no header).
        retry_after_5xx: the ``Retry-After`` value of a 5xx (None: no header).
        slow_seconds: how long ``slow`` waits before answering.
    """

    def __init__(
        self,
        *,
        reply: str | Reply = echo_facts,
        model: str | None = "fake-model",
        retry_after: str | None = "1",
        retry_after_5xx: str | None = None,
        slow_seconds: float = 30.0,
    ) -> None:
        self.reply = reply
        self.model = model
        self.retry_after = retry_after
        self.retry_after_5xx = retry_after_5xx
        self.slow_seconds = slow_seconds
        self.mode = "ok"
        self.requests: list[Recorded] = []
        self._script: deque[str] = deque()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """The API root to configure: ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *modes: str) -> None:
        """Queue modes for the next requests, one each; ``mode`` applies after them."""
        for mode in modes:
            _check(mode)
        self._script.extend(modes)

    async def start(self) -> str:
        """Listen on a free port of 127.0.0.1; return the base URL."""
        _check(self.mode)
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self.base_url

    async def close(self) -> None:
        """Release slow requests and stop listening."""
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _next_mode(self) -> str:
        return self._script.popleft() if self._script else self.mode

    def _text(self, body: Mapping[str, Any]) -> str:
        return self.reply if isinstance(self.reply, str) else self.reply(body)

    def _completion(self, text: str) -> dict[str, Any]:
        document: dict[str, Any] = {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
        }
        if self.model is not None:
            document["model"] = self.model
        return document

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        mode = self._next_mode()
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"unreadable": raw.decode("utf-8", "replace")}
        self.requests.append(Recorded(request.path, dict(request.headers), body, mode))
        if mode == "slow":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self.slow_seconds)
            mode = "ok"
        return self._answer(mode, body)

    def _answer(self, mode: str, body: Mapping[str, Any]) -> web.Response:
        if mode == "ok":
            return web.json_response(self._completion(self._text(body)))
        if mode == "blocked":
            text = f"We shall {BLOCKED_WORD} the rival theory at dawn. {facts_of(body)}"
            return web.json_response(self._completion(text))
        if mode == "invalid_json":
            return web.Response(text="<html>Bad Gateway</html>", content_type="text/html")
        if mode == "no_choices":
            return web.json_response({"object": "chat.completion", "choices": []})
        if mode == "huge":
            return web.Response(body=b"x" * (MAX_RESPONSE_BYTES + 10))
        return self._status(int(mode))

    def _status(self, status: int) -> web.Response:
        headers: dict[str, str] = {}
        if status == 429 and self.retry_after is not None:
            headers["Retry-After"] = self.retry_after
        if status >= 500 and self.retry_after_5xx is not None:
            headers["Retry-After"] = self.retry_after_5xx
        if 300 <= status < 400:
            headers["Location"] = "http://127.0.0.1:1/elsewhere"
        error = {"error": {"message": f"fake error {status}", "type": "fake", "code": status}}
        return web.json_response(error, status=status, headers=headers)


def _check(mode: str) -> None:
    if mode in MODES or (len(mode) == 3 and mode.isdigit() and 200 <= int(mode) < 600):
        return
    raise ValueError(f"Unknown fake server mode {mode!r}: use one of {MODES} or a status.")
