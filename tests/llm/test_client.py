"""The chat completions client against the fake server: modes, retries, bounds, secrecy."""

from __future__ import annotations

import logging
import random
import socket
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import aiohttp
import pytest

from greatwork.config import Settings
from greatwork.llm.client import (
    ChatMessage,
    ClientConfig,
    ErrorKind,
    LlmClient,
    LlmError,
    retry_after_seconds,
)
from tests.llm.fake_server import FakeLlmServer

KEY = "sk-fake-secret-1234567890"
PROMPT = (ChatMessage("system", "Be brief."), ChatMessage("user", "<<<\nT-7 is open.\n>>>"))


class FakeTime:
    """A clock that only moves when the client sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
async def server() -> AsyncIterator[FakeLlmServer]:
    async with FakeLlmServer() as fake:
        yield fake


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def widest_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the full-jitter wait deterministic: always the top of its range."""
    monkeypatch.setattr(random, "uniform", lambda _low, high: high)


def client_for(
    server: FakeLlmServer, fake_time: FakeTime | None = None, **config: object
) -> LlmClient:
    options: dict[str, object] = {"base_url": server.base_url, "model": "m1", "api_key": KEY}
    options.update(config)
    cfg = ClientConfig(**options)  # type: ignore[arg-type]
    if fake_time is None:
        return LlmClient(cfg)
    return LlmClient(cfg, sleep=fake_time.sleep, clock=fake_time.clock)


async def failure(client: LlmClient) -> LlmError:
    async with client:
        with pytest.raises(LlmError) as caught:
            await client.complete(PROMPT, temperature=0.2)
    return caught.value


# --- success ---------------------------------------------------------------------------------


async def test_ok_returns_text_model_and_sends_an_openai_request(
    server: FakeLlmServer, fake_time: FakeTime
) -> None:
    server.reply = "  The Gazette reports that T-7 is open.  "
    async with client_for(server, fake_time, max_tokens=321) as client:
        reply = await client.complete(PROMPT, temperature=0.5)
    assert reply.text == "The Gazette reports that T-7 is open."
    assert reply.model == "fake-model"
    assert reply.attempts == 1
    assert reply.latency == 0.0  # the fake clock did not move: no retry waited
    assert fake_time.sleeps == []
    (request,) = server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.body == {
        "model": "m1",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "<<<\nT-7 is open.\n>>>"},
        ],
        "temperature": 0.5,
        "max_tokens": 321,
        "stream": False,
    }


async def test_no_key_sends_no_authorization_and_max_tokens_can_be_given(
    server: FakeLlmServer,
) -> None:
    server.model = None
    async with client_for(server, api_key=None) as client:
        reply = await client.complete(PROMPT, temperature=0.2, max_tokens=42)
    assert "Authorization" not in server.requests[0].headers
    assert server.requests[0].body["max_tokens"] == 42
    assert reply.model == "m1"  # the server named none: the configured one


async def test_trailing_slash_in_base_url_is_harmless(server: FakeLlmServer) -> None:
    async with client_for(server, base_url=server.base_url + "/") as client:
        await client.complete(PROMPT, temperature=0.2)
    assert server.requests[0].path == "/v1/chat/completions"


async def test_a_given_session_is_used_and_left_open(server: FakeLlmServer) -> None:
    async with aiohttp.ClientSession() as session:
        cfg = ClientConfig(base_url=server.base_url, model="m1")
        async with LlmClient(cfg, session=session) as client:
            await client.complete(PROMPT, temperature=0.2)
        assert not session.closed
    assert len(server.requests) == 1


# --- retried failures ------------------------------------------------------------------------


@pytest.mark.usefixtures("widest_jitter")
async def test_5xx_is_retried_with_growing_jittered_waits_until_ok(
    server: FakeLlmServer, fake_time: FakeTime
) -> None:
    server.script("500", "503")
    async with client_for(server, fake_time) as client:
        reply = await client.complete(PROMPT, temperature=0.2)
    assert reply.attempts == 3
    assert [r.mode for r in server.requests] == ["500", "503", "ok"]
    assert fake_time.sleeps == [1.0, 2.0]  # multiplier 1, doubling, at the top of the jitter
    assert reply.latency == 3.0


async def test_jitter_stays_within_the_exponential_bound(
    server: FakeLlmServer, fake_time: FakeTime
) -> None:
    server.mode = "500"
    with pytest.raises(LlmError):
        async with client_for(server, fake_time, attempts=6, retry_budget=1000) as client:
            await client.complete(PROMPT, temperature=0.2)
    assert len(fake_time.sleeps) == 5
    for attempt, slept in enumerate(fake_time.sleeps, start=1):
        assert 0 <= slept <= 2 ** (attempt - 1)


@pytest.mark.usefixtures("widest_jitter")
async def test_5xx_forever_gives_up_after_the_attempts(
    server: FakeLlmServer, fake_time: FakeTime
) -> None:
    server.mode = "502"
    error = await failure(client_for(server, fake_time))
    assert error.kind is ErrorKind.SERVER
    assert error.transient
    assert error.status == 502
    assert error.attempts == 3
    assert len(server.requests) == 3
    assert fake_time.sleeps == [1.0, 2.0]
    assert error.elapsed == 3.0
    assert "502" in error.message
    assert "3 attempts in 3.0 s" in error.message


async def test_429_honours_retry_after(server: FakeLlmServer, fake_time: FakeTime) -> None:
    server.retry_after = "7"
    server.script("429")
    async with client_for(server, fake_time) as client:
        reply = await client.complete(PROMPT, temperature=0.2)
    assert reply.attempts == 2
    assert fake_time.sleeps == [7.0]  # at least the server's wish (the jitter is at most 1)


async def test_429_gives_up_at_once_when_retry_after_passes_the_budget(
    server: FakeLlmServer, fake_time: FakeTime
) -> None:
    server.retry_after = "120"
    server.mode = "429"
    error = await failure(client_for(server, fake_time, retry_budget=60))
    assert error.kind is ErrorKind.RATE_LIMITED
    assert error.retry_after == 120
    assert error.attempts == 1
    assert fake_time.sleeps == []
    assert "beyond the 60 s retry budget" in error.message


async def test_429_without_retry_after_uses_the_backoff(
    server: FakeLlmServer, fake_time: FakeTime
) -> None:
    server.retry_after = None
    server.mode = "429"
    error = await failure(client_for(server, fake_time, attempts=2))
    assert error.kind is ErrorKind.RATE_LIMITED
    assert error.retry_after is None
    assert len(fake_time.sleeps) == 1
    assert 0 <= fake_time.sleeps[0] <= 1


@pytest.mark.usefixtures("widest_jitter")
async def test_total_time_bounds_the_retries_before_the_attempts_do(
    server: FakeLlmServer, fake_time: FakeTime
) -> None:
    server.retry_after_5xx = "2"
    server.mode = "503"
    start = fake_time.now
    error = await failure(client_for(server, fake_time, attempts=10, retry_budget=5))
    # Waits of 2 (Retry-After), 2, then 4 (the jitter's top): the third would end at 8 > 5.
    assert fake_time.sleeps == [2.0, 2.0]
    assert error.attempts == 3
    assert len(server.requests) == 3
    assert fake_time.now - start <= 5


async def test_slow_server_times_out_and_is_retried(
    server: FakeLlmServer, fake_time: FakeTime
) -> None:
    server.mode = "slow"
    error = await failure(client_for(server, fake_time, timeout=0.05, attempts=2))
    assert error.kind is ErrorKind.TIMEOUT
    assert error.attempts == 2
    assert len(server.requests) == 2
    assert len(fake_time.sleeps) == 1
    assert "did not answer within 0.05 s" in error.message


async def test_each_request_timeout_is_cut_to_what_is_left_of_the_budget(
    server: FakeLlmServer,
) -> None:
    server.mode = "slow"
    began = time.monotonic()
    error = await failure(client_for(server, timeout=30, retry_budget=0.2))
    assert error.kind is ErrorKind.TIMEOUT
    assert error.attempts == 1  # no time left for a second
    assert time.monotonic() - began < 5  # not the 30 s timeout


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_connection_refused_is_a_retried_connection_error(fake_time: FakeTime) -> None:
    cfg = ClientConfig(base_url=f"http://127.0.0.1:{closed_port()}/v1", model="m")
    error = await failure(LlmClient(cfg, sleep=fake_time.sleep, clock=fake_time.clock))
    assert error.kind is ErrorKind.CONNECTION
    assert error.attempts == 3
    assert len(fake_time.sleeps) == 2
    assert "cannot reach" in error.message


# --- failures that are not retried -----------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "hint"),
    [
        ("400", "refused the request"),
        ("401", "llm_api_key"),
        ("403", "llm_api_key"),
        ("404", "llm_url"),
        ("422", "refused the request"),
        ("302", "redirects"),
    ],
)
async def test_client_errors_are_refused_at_once(
    server: FakeLlmServer, fake_time: FakeTime, mode: str, hint: str
) -> None:
    server.mode = mode
    error = await failure(client_for(server, fake_time))
    assert error.kind is ErrorKind.REFUSED
    assert not error.transient
    assert error.status == int(mode)
    assert error.attempts == 1
    assert len(server.requests) == 1
    assert fake_time.sleeps == []
    assert hint in error.message
    assert "fake error" not in error.message  # the server's body is never quoted


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("invalid_json", "not in JSON"),
        ("no_choices", "without choices[0].message.content"),
        ("huge", "more than 1,000,000 bytes"),
    ],
)
async def test_invalid_responses_fail_at_once(
    server: FakeLlmServer, fake_time: FakeTime, mode: str, words: str
) -> None:
    server.mode = mode
    error = await failure(client_for(server, fake_time))
    assert error.kind is ErrorKind.INVALID_RESPONSE
    assert error.attempts == 1
    assert len(server.requests) == 1
    assert words in error.message


@pytest.mark.parametrize("reply", ["", "   \n "])
async def test_a_blank_reply_is_invalid(server: FakeLlmServer, reply: str) -> None:
    server.reply = reply
    error = await failure(client_for(server))
    assert error.kind is ErrorKind.INVALID_RESPONSE


# --- the key stays secret --------------------------------------------------------------------


async def test_the_key_is_never_logged_nor_in_errors_or_reprs(
    server: FakeLlmServer, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.script("500", "429", "ok", "401")
    async with client_for(server, fake_time) as client:
        await client.complete(PROMPT, temperature=0.2)
        with pytest.raises(LlmError) as caught:
            await client.complete(PROMPT, temperature=0.2)
        shown = repr(client) + repr(client.config) + str(caught.value) + repr(caught.value)
    assert server.requests[-1].headers["Authorization"] == f"Bearer {KEY}"
    assert "retrying in" in caplog.text  # the retries were logged
    assert "answered in" in caplog.text  # and the success
    assert KEY not in caplog.text
    assert KEY not in shown


# --- arguments and configuration -------------------------------------------------------------


async def test_bad_arguments_are_refused_before_any_request(server: FakeLlmServer) -> None:
    async with client_for(server) as client:
        with pytest.raises(ValueError, match="at least one message"):
            await client.complete((), temperature=0.2)
        with pytest.raises(ValueError, match=r"temperature must be from 0 to 2, got 2\.5"):
            await client.complete(PROMPT, temperature=2.5)
        with pytest.raises(ValueError, match="max_tokens must be at least 1, got 0"):
            await client.complete(PROMPT, temperature=0.2, max_tokens=0)
    assert server.requests == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"base_url": "ftp://x/v1"}, "http:// or https://"),
        ({"model": " "}, "model name is empty"),
        ({"timeout": 0}, "timeout must be positive seconds, got 0"),
        ({"attempts": 0}, "at least 1 attempt, got 0"),
        ({"retry_budget": float("inf")}, "retry budget must be positive seconds, got inf"),
        ({"max_tokens": 0}, "max_tokens must be at least 1"),
    ],
)
def test_client_config_checks_its_values(changes: dict[str, object], words: str) -> None:
    options: dict[str, object] = {"base_url": "http://127.0.0.1:1/v1", "model": "m"}
    options.update(changes)
    with pytest.raises(ValueError, match=words):
        ClientConfig(**options)  # type: ignore[arg-type]


def test_chat_message_roles_are_checked() -> None:
    with pytest.raises(ValueError, match="role is one of"):
        ChatMessage("narrator", "x")


def test_config_from_settings() -> None:
    settings = Settings(
        llm_url="http://127.0.0.1:11434/v1",
        llm_model="llama3.1:8b",
        llm_api_key=KEY,
        llm_timeout=12,
        llm_attempts=5,
        llm_retry_budget=90,
        llm_max_tokens=256,
    )
    cfg = ClientConfig.from_settings(settings)
    assert cfg.url == "http://127.0.0.1:11434/v1/chat/completions"
    assert (cfg.model, cfg.api_key) == ("llama3.1:8b", KEY)
    assert (cfg.timeout, cfg.attempts, cfg.retry_budget, cfg.max_tokens) == (12, 5, 90, 256)
    assert KEY not in repr(cfg)
    with pytest.raises(ValueError, match="needs both llm_url and llm_model"):
        ClientConfig.from_settings(Settings(llm_url="http://127.0.0.1:1/v1"))


def test_retry_after_reads_seconds_and_dates() -> None:
    now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("7", now) == 7
    assert retry_after_seconds(" 1.5 ", now) == 1.5
    assert retry_after_seconds("-3", now) == 0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert retry_after_seconds(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0
    for bad in (None, "", "soon", "nan", "inf"):
        assert retry_after_seconds(bad, now) is None
