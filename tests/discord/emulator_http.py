"""HTTP plumbing for the loopback Discord: request bodies, JSON replies, injected faults.

Replies carry exactly ``Content-Type: application/json``: disnake compares the header with
``==`` and treats anything else (``; charset=utf-8``) as text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from aiohttp import BodyPartReader, web

from tests.discord.emulator_checks import FormErrors
from tests.discord.emulator_core import DiscordHTTPError, Upload

JSON: Final = {"Content-Type": "application/json"}
BODY: Final = web.RequestKey("emulator_body", object)
UPLOADS: Final = web.RequestKey("emulator_uploads", tuple[Upload, ...])


@dataclass(slots=True)
class Fault:
    """An injected failure for the next ``times`` requests matching method and path."""

    method: str
    pattern: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class Req:
    """What a route handler needs: path parameters, query, JSON body, uploaded files."""

    params: Mapping[str, str]
    query: Mapping[str, str]
    body: Any
    uploads: tuple[Upload, ...]

    def id(self, name: str) -> int:
        """A snowflake path parameter (400 if it is not one)."""
        value = self.params[name]
        if not value.isdigit():
            errors = FormErrors()
            errors.add([name], "NUMBER_TYPE_COERCE", f"Value {value!r} is not snowflake.")
            errors.raise_if_any()
        return int(value)

    def obj(self) -> dict[str, Any]:
        """The body as a JSON object (400 otherwise)."""
        if not isinstance(self.body, dict):
            raise DiscordHTTPError(400, 50109, "The request body contains invalid JSON.")
        return self.body


async def read_body(request: web.Request) -> tuple[Any, tuple[Upload, ...]]:
    """The JSON body (or ``payload_json``) and the uploaded files of a request."""
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        body: Any = None
        uploads: list[Upload] = []
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "payload_json":
                body = parse_json(await part.text())
            else:
                uploads.append(
                    Upload(
                        part.name or "",
                        part.filename or "",
                        part.headers.get("Content-Type", "application/octet-stream"),
                        bytes(await part.read()),
                    )
                )
        return body, tuple(uploads)
    raw = await request.text() if request.can_read_body else ""
    return (parse_json(raw) if raw else None), ()


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise DiscordHTTPError(400, 50109, "The request body contains invalid JSON.") from None


def respond(status: int, body: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    if status == 204 or body is None:
        return web.Response(status=status, headers=headers)
    return web.Response(
        status=status, body=json.dumps(body).encode(), headers={**JSON, **(headers or {})}
    )


def rate_limit_headers(retry_after: float, now: float) -> dict[str, str]:
    """The headers of a Discord 429 (``Via`` makes it a rate limit rather than a ban)."""
    return {
        "Via": "1.1 google",
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{now + retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Bucket": "emulated",
        "X-RateLimit-Scope": "user",
    }
