"""Post one message to a channel through disnake's HTTP client, with Discord's nonce check.

disnake's ``Messageable.send()`` cannot ask Discord to deduplicate by nonce, so the Gazette
outbox posts through :func:`send_post`: the same request as ``send()`` (JSON, or multipart with
files), plus ``"nonce"`` and ``"enforce_nonce": true`` when a nonce is given. Every failure
becomes a :class:`SendError` that says whether trying again can help.
"""

from __future__ import annotations

import io
import json
import mimetypes
from collections.abc import Iterable, Sequence
from typing import Any, Final, Protocol

import aiohttp
import disnake
from disnake.http import Route

from greatwork.bot.limits import Post, post_problems
from greatwork.rules.errors import GreatworkError

__all__ = ["NONCE_LIMIT", "HasHttp", "SendError", "send_post"]

NONCE_LIMIT: Final = 25  # Discord's limit on a message nonce, in characters


class SendError(GreatworkError):
    """Discord did not take a message.

    Attributes:
        status: the HTTP status (0 when no answer came: a connection error or a timeout).
        code: Discord's JSON error code, when it sent one (50013 missing permissions...).
        message: what went wrong, in words.
        retryable: True for a rate limit disnake gave up on, a 5xx or a connection error;
            False when the same request would fail again (400, 403, 404, a post over limits).
        retry_after: the wait Discord asked for, in seconds, when it said.
    """

    def __init__(
        self,
        status: int,
        code: int | None,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{message} (HTTP {status or 'none'}, code {code})")
        self.status = status
        self.code = code
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


class _Requester(Protocol):
    async def request(
        self,
        route: Route,
        *,
        files: Sequence[disnake.File] | None = None,
        form: Iterable[dict[str, Any]] | None = None,
        **kwargs: Any,  # noqa: ANN401 (disnake's own signature)
    ) -> Any:  # noqa: ANN401 (the decoded JSON answer)
        ...


class HasHttp(Protocol):
    """Anything with disnake's HTTP client: the bot itself."""

    @property
    def http(self) -> _Requester:
        """The client that signs and sends REST requests."""
        ...


async def send_post(bot: HasHttp, channel_id: int, post: Post, *, nonce: str | None = None) -> int:
    """Post ``post`` to a channel and return the new message's id.

    Mentions are always disabled. With a ``nonce`` (at most 25 characters), Discord answers a
    repeat of the same nonce in the same channel with the first message instead of a second one.

    Raises:
        ValueError: the nonce is empty or longer than 25 characters.
        SendError: Discord refused the message, or could not be reached.
    """
    problems = post_problems(post)
    if problems:
        message = "the message breaks Discord's limits: " + "; ".join(problems)
        raise SendError(0, None, message, retryable=False)
    body = post.payload()
    if nonce is not None:
        if not 1 <= len(nonce) <= NONCE_LIMIT:
            raise ValueError(f"a nonce has 1 to {NONCE_LIMIT} characters, got {len(nonce)}")
        body["nonce"] = nonce
        body["enforce_nonce"] = True
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
    files = [disnake.File(io.BytesIO(a.content.encode()), filename=a.filename) for a in post.files]
    try:
        if files:
            body["attachments"] = [{"id": n, "filename": f.filename} for n, f in enumerate(files)]
            answer = await bot.http.request(route, files=files, form=_form(body, files))
        else:
            answer = await bot.http.request(route, json=body)
    except disnake.HTTPException as error:
        raise _from_http(error) from error
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        message = f"Discord could not be reached: {error!r}"
        raise SendError(0, None, message, retryable=True) from error
    finally:
        for each in files:
            each.close()
    try:
        return int(answer["id"])
    except (TypeError, KeyError, ValueError):
        message = "Discord accepted the message but sent back no message id"
        raise SendError(200, None, message, retryable=False) from None


def _form(body: dict[str, Any], files: Sequence[disnake.File]) -> list[dict[str, Any]]:
    """The multipart parts: each file as ``files[n]``, then the JSON as ``payload_json``."""
    parts: list[dict[str, Any]] = [
        {
            "name": f"files[{n}]",
            "value": each.fp,
            "filename": each.filename,
            "content_type": mimetypes.guess_type(each.filename or "")[0]
            or "application/octet-stream",
        }
        for n, each in enumerate(files)
    ]
    parts.append({"name": "payload_json", "value": json.dumps(body, ensure_ascii=False)})
    return parts


def _from_http(error: disnake.HTTPException) -> SendError:
    status = error.status
    retry_after: float | None = None
    headers = getattr(error.response, "headers", None)
    if headers is not None:
        raw = headers.get("Retry-After")
        try:
            retry_after = float(raw) if raw is not None else None
        except ValueError:
            retry_after = None
    return SendError(
        status,
        error.code or None,
        error.text or str(error),
        retryable=status == 429 or status >= 500,
        retry_after=retry_after,
    )
