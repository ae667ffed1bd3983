"""An async client for OpenAI-compatible chat completions, with bounded retries.

``LlmClient.complete(messages, temperature=...)`` posts to ``{base_url}/chat/completions``
(Ollama, LM Studio, vLLM, a llama.cpp server and OpenAI all speak it) and returns an
:class:`LlmReply`, or raises an :class:`LlmError` whose ``kind`` says what went wrong.

Retries (tenacity): only timeouts, connection errors, 429 and 5xx are retried, with full-jitter
exponential backoff (``wait_random_exponential``); a ``Retry-After`` header is honoured when it
fits in what is left of the budget, otherwise the client gives up at once. A call stops after
``attempts`` tries or when the next wait would cross ``retry_budget`` seconds, whichever comes
first, and each request's timeout is cut to what is left of the budget, so a call never takes
much longer than the budget. 400, 401, 403, 404 (any other status), a body that is not JSON and
a reply without a text fail at once.

The API key goes in the ``Authorization`` header and nowhere else: not in ``repr``, log lines
or error messages. Error messages never quote the server's body either (some services echo
part of a wrong key back).
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final, Protocol, Self

import aiohttp
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_any,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_random_exponential

from greatwork.metrics import Metrics
from greatwork.rules.errors import GreatworkError

__all__ = [
    "DEFAULT_ATTEMPTS",
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_RETRY_BUDGET",
    "DEFAULT_TIMEOUT",
    "ChatMessage",
    "ClientConfig",
    "Completer",
    "ErrorKind",
    "LlmClient",
    "LlmError",
    "LlmReply",
    "LlmSettings",
]

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT: Final = 30.0  # seconds per request (section 4.2)
DEFAULT_ATTEMPTS: Final = 3
DEFAULT_RETRY_BUDGET: Final = 60.0  # seconds for the whole call, retries and waits included
DEFAULT_MAX_TOKENS: Final = 500
BACKOFF_MAX: Final = 30.0  # the longest jittered wait between two attempts, in seconds
MAX_RESPONSE_BYTES: Final = 1_000_000
MIN_TIMEOUT: Final = 0.001  # aiohttp reads a timeout of 0 as "no timeout"
ROLES: Final = frozenset({"system", "user", "assistant"})

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


class ErrorKind(enum.StrEnum):
    """Why a call failed; the first four are retried, the last two fail at once."""

    TIMEOUT = "timeout"
    CONNECTION = "connection"
    RATE_LIMITED = "rate_limited"
    SERVER = "server"
    REFUSED = "refused"
    INVALID_RESPONSE = "invalid_response"


TRANSIENT: Final = frozenset(
    {ErrorKind.TIMEOUT, ErrorKind.CONNECTION, ErrorKind.RATE_LIMITED, ErrorKind.SERVER}
)


class LlmError(GreatworkError):
    """A chat completion failed, after every retry it was allowed.

    Attributes:
        kind: what went wrong (:class:`ErrorKind`), for the pause rule and metrics.
        message: an operator-readable explanation; never holds the API key or the reply body.
        status: the HTTP status of the last answer, or None when there was none.
        retry_after: seconds the server asked to wait (``Retry-After``), or None.
        attempts: the requests made, 1 or more.
        elapsed: seconds from the start of the call to the failure.
    """

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        attempts: int = 1,
        elapsed: float = 0.0,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.retry_after = retry_after
        self.attempts = attempts
        self.elapsed = elapsed

    @property
    def transient(self) -> bool:
        """Whether another attempt might succeed (timeouts, connections, 429, 5xx)."""
        return self.kind in TRANSIENT

    def __repr__(self) -> str:
        return f"LlmError({self.kind.value!r}, {self.message!r}, attempts={self.attempts})"


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of a chat prompt: ``role`` is system, user or assistant."""

    role: str
    content: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"A chat message role is one of {sorted(ROLES)}, got {self.role!r}.")


@dataclass(frozen=True, slots=True)
class LlmReply:
    """A successful completion.

    Attributes:
        text: the model's text, stripped.
        model: the model that answered (as the server names it, else the configured one).
        latency: seconds from the start of the call to the answer, retries included.
        attempts: the requests it took, 1 or more.
    """

    text: str
    model: str
    latency: float
    attempts: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientConfig:
    """Where the model is and how hard to try.

    Attributes:
        base_url: the API root, like ``http://127.0.0.1:11434/v1``; ``/chat/completions``
            is added to it.
        model: the model name the server expects.
        api_key: sent as ``Authorization: Bearer ...`` when set; never shown.
        timeout: seconds one request may take.
        attempts: the most requests one call makes.
        retry_budget: the most seconds one call may take, waits included.
        max_tokens: the default cap on the reply's length, in tokens.
    """

    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    attempts: int = DEFAULT_ATTEMPTS
    retry_budget: float = DEFAULT_RETRY_BUDGET
    max_tokens: int = DEFAULT_MAX_TOKENS

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"The LLM base URL must start with http:// or https://: {self.url}")
        if not self.model.strip():
            raise ValueError("The LLM model name is empty; name the model the server serves.")
        if not (math.isfinite(self.timeout) and self.timeout > 0):
            raise ValueError(f"The LLM timeout must be positive seconds, got {self.timeout}.")
        if self.attempts < 1:
            raise ValueError(f"The LLM client needs at least 1 attempt, got {self.attempts}.")
        if not (math.isfinite(self.retry_budget) and self.retry_budget > 0):
            raise ValueError(
                f"The LLM retry budget must be positive seconds, got {self.retry_budget}."
            )
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {self.max_tokens}.")

    @property
    def url(self) -> str:
        """The chat completions endpoint."""
        return self.base_url.rstrip("/") + "/chat/completions"

    @classmethod
    def from_settings(cls, settings: LlmSettings) -> ClientConfig:
        """Build the client's configuration from the server's settings.

        Raises:
            ValueError: ``llm_url`` or ``llm_model`` is not set.
        """
        if settings.llm_url is None or settings.llm_model is None:
            raise ValueError(
                "The language model needs both llm_url and llm_model "
                "(GREATWORK_LLM_URL, GREATWORK_LLM_MODEL)."
            )
        return cls(
            base_url=settings.llm_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout,
            attempts=settings.llm_attempts,
            retry_budget=settings.llm_retry_budget,
            max_tokens=settings.llm_max_tokens,
        )


class LlmSettings(Protocol):
    """The part of ``greatwork.config.Settings`` the LLM code reads (see docs/llm.md)."""

    @property
    def llm_backend(self) -> str:
        """``off``, ``openai`` or ``mock``: ``llm_mode`` with ``auto`` resolved."""
        ...

    @property
    def llm_url(self) -> str | None:
        """The API root, like ``http://127.0.0.1:11434/v1``."""
        ...

    @property
    def llm_model(self) -> str | None:
        """The model name."""
        ...

    @property
    def llm_api_key(self) -> str | None:
        """The secret key, or None."""
        ...

    @property
    def llm_timeout(self) -> float:
        """Seconds per request."""
        ...

    @property
    def llm_attempts(self) -> int:
        """Requests per call at most."""
        ...

    @property
    def llm_retry_budget(self) -> float:
        """Seconds per call at most, waits included."""
        ...

    @property
    def llm_max_tokens(self) -> int:
        """The reply's cap in tokens."""
        ...


class Completer(Protocol):
    """Anything that completes a chat prompt: :class:`LlmClient`, or a fake in tests."""

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float,
        max_tokens: int | None = None,
    ) -> LlmReply:
        """Return the model's reply, or raise :class:`LlmError`."""
        ...


class _OverBudget(stop_base):
    """Stop when the coming wait would end at or past the call's time budget."""

    def __init__(self, clock: Clock, start: float, budget: float) -> None:
        self._clock = clock
        self._start = start
        self._budget = budget

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self._clock() - self._start + retry_state.upcoming_sleep >= self._budget


def _transient(error: BaseException) -> bool:
    return isinstance(error, LlmError) and error.transient


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Read a ``Retry-After`` header: seconds, or an HTTP date; None if absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _refusal_hint(status: int) -> str:
    if status in {401, 403}:
        return "check llm_api_key (GREATWORK_LLM_API_KEY)"
    if status == 404:
        return "check llm_url (it should end in /v1 for most servers) and llm_model"
    if 300 <= status < 400:
        return "the address redirects; give the final address in llm_url"
    return "the server refused the request; check llm_model and the server's log"


class LlmClient:
    """An OpenAI-compatible chat completions client; use it as ``async with``, or close it.

    Args:
        config: where the model is and how hard to try.
        session: an aiohttp session to use (the caller closes it); by default the client
            opens its own on first use and closes it in :meth:`close`.
        sleep: awaited between attempts (tests pass one that records and returns at once).
        clock: seconds, for the retry budget and latency (tests pass a fake one).
        metrics: counts each call's time, retries and failure kind (None: not counted).
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        session: aiohttp.ClientSession | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        metrics: Metrics | None = None,
    ) -> None:
        self.config = config
        self.metrics = metrics
        self._session = session
        self._own_session = session is None
        self._sleep = sleep
        self._clock = clock

    def __repr__(self) -> str:
        return f"LlmClient({self.config!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session the client opened (not one it was given)."""
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float,
        max_tokens: int | None = None,
    ) -> LlmReply:
        """Ask the model to continue the chat; retry transient failures within the bounds.

        Args:
            messages: the prompt, at least one message.
            temperature: 0 to 2.
            max_tokens: the reply's cap in tokens; the configured one by default.

        Raises:
            ValueError: no messages, or a temperature or max_tokens out of range.
            LlmError: the call failed for good; ``kind`` says why, ``attempts`` how often
                it tried.
        """
        if not messages:
            raise ValueError("A chat completion needs at least one message.")
        if not (math.isfinite(temperature) and 0 <= temperature <= 2):
            raise ValueError(f"temperature must be from 0 to 2, got {temperature}.")
        tokens = self.config.max_tokens if max_tokens is None else max_tokens
        if tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {tokens}.")
        payload = {
            "model": self.config.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": temperature,
            "max_tokens": tokens,
            "stream": False,
        }
        start = self._clock()
        budget = self.config.retry_budget
        jitter = wait_random_exponential(multiplier=1, max=BACKOFF_MAX)

        def wait(state: RetryCallState) -> float:
            pause = jitter(state)
            error = state.outcome.exception() if state.outcome is not None else None
            if isinstance(error, LlmError) and error.retry_after is not None:
                pause = max(pause, error.retry_after)
            return pause

        retrying = AsyncRetrying(
            sleep=self._sleep,
            retry=retry_if_exception(_transient),
            wait=wait,
            stop=stop_any(
                stop_after_attempt(self.config.attempts), _OverBudget(self._clock, start, budget)
            ),
            before_sleep=self._log_retry,
            reraise=True,
        )
        attempts = 0
        try:
            async for attempt in retrying:
                with attempt:
                    attempts = attempt.retry_state.attempt_number
                    left = max(budget - (self._clock() - start), MIN_TIMEOUT)
                    text, model = await self._attempt(payload, min(self.config.timeout, left))
        except LlmError as error:
            if self.metrics is not None:
                self.metrics.llm_call(self._clock() - start, attempts, error.kind.value)
            raise self._final(error, attempts, self._clock() - start) from None
        latency = self._clock() - start
        if self.metrics is not None:
            self.metrics.llm_call(latency, attempts)
        logger.debug("LLM %s answered in %.2f s after %d attempt(s)", model, latency, attempts)
        return LlmReply(text=text, model=model, latency=latency, attempts=attempts)

    def _final(self, error: LlmError, attempts: int, elapsed: float) -> LlmError:
        """The error to raise: the last attempt's, with the call's totals."""
        tail = f" ({attempts} attempt{'s' if attempts != 1 else ''} in {elapsed:.1f} s"
        budget = self.config.retry_budget
        if error.retry_after is not None and elapsed + error.retry_after > budget:
            tail += f"; the server asked to wait {error.retry_after:g} s, beyond the "
            tail += f"{budget:g} s retry budget"
        return LlmError(
            error.kind,
            error.message + tail + ")",
            status=error.status,
            retry_after=error.retry_after,
            attempts=attempts,
            elapsed=elapsed,
        )

    def _log_retry(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        logger.warning(
            "LLM request failed (%s), attempt %d of %d; retrying in %.1f s",
            error.message if isinstance(error, LlmError) else type(error).__name__,
            state.attempt_number,
            self.config.attempts,
            state.upcoming_sleep,
        )

    def _headers(self) -> Mapping[str, str]:
        headers = {"Accept": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        return headers

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _attempt(self, payload: Mapping[str, object], seconds: float) -> tuple[str, str]:
        """One request: the reply's text and model, or an :class:`LlmError`."""
        where = self.config.url
        try:
            async with self._open().post(
                where,
                json=payload,
                headers=self._headers(),
                timeout=aiohttp.ClientTimeout(total=seconds),
                allow_redirects=False,
            ) as response:
                status = response.status
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                raw = await _read(response)
        except TimeoutError:
            raise LlmError(
                ErrorKind.TIMEOUT, f"{where} did not answer within {seconds:.3g} s"
            ) from None
        except aiohttp.ClientPayloadError as error:
            raise LlmError(
                ErrorKind.CONNECTION, f"{where} broke off its answer ({type(error).__name__})"
            ) from None
        except aiohttp.InvalidURL:
            raise LlmError(ErrorKind.REFUSED, f"{where} is not a usable address") from None
        except (aiohttp.ClientError, OSError) as error:
            raise LlmError(ErrorKind.CONNECTION, f"cannot reach {where}: {error}") from None
        return self._parse(status, retry_after, raw)

    def _parse(self, status: int, retry_after: float | None, raw: bytes | None) -> tuple[str, str]:
        where = self.config.url
        if status == 429:
            raise LlmError(
                ErrorKind.RATE_LIMITED,
                f"{where} answered 429 Too Many Requests",
                status=status,
                retry_after=retry_after,
            )
        if status >= 500:
            raise LlmError(
                ErrorKind.SERVER,
                f"{where} answered {status} (a server error)",
                status=status,
                retry_after=retry_after,
            )
        if not 200 <= status < 300:
            raise LlmError(
                ErrorKind.REFUSED,
                f"{where} answered {status}: {_refusal_hint(status)}",
                status=status,
            )
        if raw is None:
            raise LlmError(
                ErrorKind.INVALID_RESPONSE,
                f"{where} sent more than {MAX_RESPONSE_BYTES:,} bytes",
                status=status,
            )
        try:
            document = json.loads(raw)
        except (UnicodeDecodeError, ValueError):
            raise LlmError(
                ErrorKind.INVALID_RESPONSE, f"{where} answered {status} but not in JSON"
            ) from None
        text = _text_of(document)
        if text is None:
            raise LlmError(
                ErrorKind.INVALID_RESPONSE,
                f"{where} answered JSON without choices[0].message.content text",
                status=status,
            )
        model = document.get("model") if isinstance(document, dict) else None
        return text, model if isinstance(model, str) and model else self.config.model


async def _read(response: aiohttp.ClientResponse) -> bytes | None:
    """The body, or None when it is larger than :data:`MAX_RESPONSE_BYTES`."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(65_536):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _text_of(document: object) -> str | None:
    """``choices[0].message.content`` when it is a non-blank string."""
    if not isinstance(document, dict):
        return None
    choices = document.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    message = choices[0].get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str) or not content.strip():
        return None
    return content.strip()
