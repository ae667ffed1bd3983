"""The persona voice: what is enhanced, and when the template stands (D14)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from greatwork.config import Settings
from greatwork.llm.client import (
    ChatMessage,
    ClientConfig,
    ErrorKind,
    LlmClient,
    LlmError,
    LlmReply,
)
from greatwork.llm.moderation import check_output
from greatwork.llm.voice import (
    ENHANCED_KINDS,
    NEVER_KINDS,
    WHILE_PAUSED,
    MockVoice,
    Outcome,
    Status,
    backend_from_settings,
    enhance,
    not_enhanced_because,
)
from greatwork.press.compose import MAX_BODY, cut
from greatwork.press.item import PressDraft, PressItem
from greatwork.rules.ids import Instant
from greatwork.rules.state import CampaignState, Pause
from tests.llm.fake_server import BLOCKED_WORD, FakeLlmServer
from tests.rules.builders import T0, make_player, make_scholar, make_state

KEY = "sk-voice-secret-0987654321"
NOW = Instant(T0 + 3600)
ADA = make_scholar("s.ada", name="Ada Quill", archetype="Visionary")
BULLETIN = (
    'Bo has laid before the learned world the following proposition: "The quay is Roman."\n'
    "Confidence: certain (vindication pays 5 reputation). Filed as T-12."
)


def state(*, paused: bool = False) -> CampaignState:
    pause = Pause(reason="x", source="admin", since=T0) if paused else None
    return make_state(players=[make_player("bo", display_name="Bo")], scholars=[ADA], pause=pause)


def draft(kind: str, body: str = BULLETIN, **meta: Any) -> PressDraft:
    return PressDraft(
        kind=kind, headline="Headline", body=body, at=T0, release_at=T0, seq=3, meta=meta
    )


def bulletin() -> PressDraft:
    return draft("academic_bulletin", occasion="theory_submitted", player="bo")


def gossip() -> PressDraft:
    body = 'Ada Quill: "Lessons with Bo begin at once." (Context: mentorship begins)'
    return draft("academic_gossip", body, occasion="mentorship_activated", scholar="s.ada")


@dataclasses.dataclass
class Scripted:
    """A Completer that answers from a list and records what it was asked."""

    answers: list[str | LlmError]
    calls: list[tuple[Sequence[ChatMessage], float]] = dataclasses.field(default_factory=list)

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float,
        max_tokens: int | None = None,
    ) -> LlmReply:
        del max_tokens
        self.calls.append((messages, temperature))
        answer = self.answers.pop(0)
        if isinstance(answer, LlmError):
            raise answer
        return LlmReply(text=answer, model="scripted", latency=0.1, attempts=1)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def server() -> AsyncIterator[FakeLlmServer]:
    async with FakeLlmServer() as fake:
        yield fake


def make_client(server: FakeLlmServer, timeout: float = 10) -> LlmClient:
    fake = FakeTime()
    cfg = ClientConfig(base_url=server.base_url, model="m1", api_key=KEY, timeout=timeout)
    return LlmClient(cfg, sleep=fake.sleep, clock=fake.clock)


@pytest.fixture
async def client(server: FakeLlmServer) -> AsyncIterator[LlmClient]:
    async with make_client(server) as llm:
        yield llm


def unchanged(outcome: Outcome, item: PressDraft) -> None:
    assert outcome.body == item.body
    assert outcome.meta == item.meta
    assert "llm" not in outcome.meta


# --- through the fake server: every mode -----------------------------------------------------


async def test_ok_replaces_the_body_and_records_llm_metadata(
    server: FakeLlmServer, client: LlmClient
) -> None:
    item = bulletin()
    outcome = await enhance(item, state(), backend=client, now=NOW)
    assert outcome.status is Status.ENHANCED
    assert outcome.enhanced
    assert not outcome.failed
    assert outcome.body == "Extraordinary news reaches the Gazette. " + BULLETIN
    assert outcome.meta == {
        **item.meta,
        "llm": {"persona": None, "model": "fake-model", "generated_at": NOW},
    }
    assert outcome.reply is not None
    assert outcome.reply.attempts == 1
    (request,) = server.requests
    assert request.temperature == 0.2
    assert BULLETIN in request.messages[1]["content"]
    changed = outcome.apply(item)
    assert isinstance(changed, PressDraft)
    assert (changed.body, changed.meta) == (outcome.body, outcome.meta)
    assert (changed.headline, changed.seq) == (item.headline, item.seq)


async def test_a_speaking_scholar_gets_a_persona_a_warmer_temperature_and_a_framed_quote(
    server: FakeLlmServer, client: LlmClient
) -> None:
    server.reply = "Bo and I begin at once, and the archive will not know what hit it."
    outcome = await enhance(gossip(), state(), backend=client, now=NOW)
    assert outcome.status is Status.ENHANCED
    assert outcome.body == f'Ada Quill: "{server.reply}"'
    assert outcome.meta["llm"]["persona"] == "Ada Quill"
    (request,) = server.requests
    assert request.temperature == 0.5
    assert request.messages[0]["content"].startswith("You are Ada Quill")


async def test_a_quote_already_attributed_is_not_framed_twice(
    server: FakeLlmServer, client: LlmClient
) -> None:
    server.reply = 'Ada Quill: "Bo and I begin at once."'
    outcome = await enhance(gossip(), state(), backend=client, now=NOW)
    assert outcome.body == server.reply


async def test_a_failing_server_fails_and_the_template_stands(
    server: FakeLlmServer, client: LlmClient
) -> None:
    server.mode = "500"
    item = bulletin()
    outcome = await enhance(item, state(), backend=client, now=NOW)
    assert outcome.status is Status.FAILED
    assert outcome.failed
    unchanged(outcome, item)
    assert outcome.error is not None
    assert outcome.error.kind is ErrorKind.SERVER
    assert outcome.error.attempts == 3
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    ("mode", "kind"),
    [
        ("slow", ErrorKind.TIMEOUT),
        ("429", ErrorKind.RATE_LIMITED),
        ("invalid_json", ErrorKind.INVALID_RESPONSE),
        ("401", ErrorKind.REFUSED),
    ],
)
async def test_every_failing_mode_is_a_failure(
    server: FakeLlmServer, mode: str, kind: ErrorKind
) -> None:
    server.mode = mode
    item = bulletin()
    async with make_client(server, timeout=0.05) as client:
        outcome = await enhance(item, state(), backend=client, now=NOW)
    assert outcome.status is Status.FAILED
    assert outcome.failed
    assert outcome.error is not None
    assert outcome.error.kind is kind
    unchanged(outcome, item)


async def test_retries_then_success_is_a_success(server: FakeLlmServer, client: LlmClient) -> None:
    server.script("503", "429")
    outcome = await enhance(bulletin(), state(), backend=client, now=NOW)
    assert outcome.status is Status.ENHANCED
    assert outcome.reply is not None
    assert outcome.reply.attempts == 3


def blocks_word(text: str) -> bool:
    return BLOCKED_WORD not in text.lower().split()


async def test_blocked_output_is_discarded_and_is_not_a_failure(
    server: FakeLlmServer, client: LlmClient
) -> None:
    server.mode = "blocked"
    item = bulletin()
    outcome = await enhance(item, state(), backend=client, now=NOW, moderate=blocks_word)
    assert outcome.status is Status.DISCARDED
    assert not outcome.failed
    assert outcome.reason == "moderation blocked the model's answer"
    assert outcome.verdict is False
    assert outcome.rejected is not None
    assert BLOCKED_WORD in outcome.rejected
    unchanged(outcome, item)


async def test_the_built_in_output_check_plugs_in(server: FakeLlmServer, client: LlmClient) -> None:
    server.script("blocked", "ok")
    blocked = await enhance(bulletin(), state(), backend=client, now=NOW, moderate=check_output)
    passed = await enhance(bulletin(), state(), backend=client, now=NOW, moderate=check_output)
    assert blocked.status is Status.DISCARDED
    assert getattr(blocked.verdict, "matched", None) == BLOCKED_WORD
    assert passed.status is Status.ENHANCED


async def test_without_a_moderation_check_everything_passes(
    server: FakeLlmServer, client: LlmClient
) -> None:
    server.mode = "blocked"
    outcome = await enhance(bulletin(), state(), backend=client, now=NOW)
    assert outcome.status is Status.ENHANCED
    assert BLOCKED_WORD in outcome.body


async def test_an_answer_that_loses_a_fact_is_discarded(
    server: FakeLlmServer, client: LlmClient
) -> None:
    server.reply = 'Bo proposes "The quay is Roman." as T-12, wagering five reputation.'
    item = bulletin()
    outcome = await enhance(item, state(), backend=client, now=NOW)
    assert outcome.status is Status.DISCARDED
    assert not outcome.failed
    assert outcome.lost == ("5",)
    assert outcome.reason == "the model's answer lost 5"
    unchanged(outcome, item)


async def test_a_long_answer_is_cut_to_the_cap(server: FakeLlmServer, client: LlmClient) -> None:
    server.reply = BULLETIN + " Indeed." * 400
    outcome = await enhance(bulletin(), state(), backend=client, now=NOW)
    assert outcome.status is Status.ENHANCED
    assert outcome.capped
    assert outcome.body == cut(server.reply, MAX_BODY)
    assert MAX_BODY - 10 < len(outcome.body) <= MAX_BODY
    assert outcome.body.endswith("Indeed…")


async def test_a_cut_that_loses_a_fact_is_discarded(
    server: FakeLlmServer, client: LlmClient
) -> None:
    server.reply = "Indeed. " * 50 + BULLETIN
    outcome = await enhance(bulletin(), state(), backend=client, now=NOW, max_body=200)
    assert outcome.status is Status.DISCARDED
    assert outcome.capped
    assert outcome.rejected is not None
    assert len(outcome.rejected) <= 200
    assert "T-12" in outcome.lost


async def test_a_thinking_only_answer_is_empty_and_discarded(
    server: FakeLlmServer, client: LlmClient
) -> None:
    server.reply = "<think>What would the Gazette say?</think>"
    outcome = await enhance(bulletin(), state(), backend=client, now=NOW)
    assert outcome.status is Status.DISCARDED
    assert outcome.reason == "the model's answer was empty"


async def test_the_key_is_never_logged_through_the_voice(
    server: FakeLlmServer, client: LlmClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.script("500", "ok", "403", "blocked")
    await enhance(bulletin(), state(), backend=client, now=NOW)
    failed = await enhance(bulletin(), state(), backend=client, now=NOW)
    blocked = await enhance(bulletin(), state(), backend=client, now=NOW, moderate=blocks_word)
    assert failed.status is Status.FAILED
    assert blocked.status is Status.DISCARDED
    assert "failed (refused)" in caplog.text
    assert "discarded" in caplog.text
    assert KEY not in caplog.text
    assert KEY not in failed.reason


# --- which items are enhanced ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "meta"),
    [
        ("recruitment_report", {}),
        ("conference_scheduled", {}),
        ("negotiation", {}),
        ("faction_shift", {}),
        ("academic_gossip", {"occasion": "conference_success"}),
        ("academic_gossip", {"occasion": "recruitment_grudge"}),
        ("recruitment_report", {"layer": True}),  # never, not even as a layer
        ("academic_gossip", {"occasion": "scholar_joined"}),  # not on the list
        ("timeline_update", {}),
        ("brand_new_kind", {}),
    ],
)
async def test_items_not_enhanced_make_no_call_and_no_failure(
    kind: str, meta: dict[str, Any]
) -> None:
    backend = Scripted([])
    item = draft(kind, **meta)
    outcome = await enhance(item, state(), backend=backend, now=NOW)
    assert outcome.status is Status.SKIPPED
    assert not outcome.failed
    assert not outcome.enhanced
    assert backend.calls == []
    unchanged(outcome, item)


@pytest.mark.parametrize(
    ("kind", "meta"),
    [
        ("research_manifesto", {}),
        ("discovery_report", {}),
        ("retraction_notice", {}),
        ("symposium_resolution", {}),
        ("defection_notice", {}),
        ("negotiation_resolved", {}),
        ("admin_action", {}),
        ("academic_bulletin", {}),
        ("editorial", {}),
        ("academic_gossip", {"occasion": "mentorship_queued"}),
        ("academic_gossip", {"occasion": "symposium_vote"}),
        ("academic_gossip", {"occasion": "table_talk"}),
        ("academic_gossip", {"occasion": "scholar_joined", "layer": True}),  # every layer
    ],
)
def test_enhanced_kinds_and_occasions(kind: str, meta: dict[str, Any]) -> None:
    assert not_enhanced_because(draft(kind, **meta), paused=False) is None


def test_the_lists_do_not_overlap() -> None:
    assert not ENHANCED_KINDS & NEVER_KINDS
    assert WHILE_PAUSED <= ENHANCED_KINDS


async def test_while_paused_only_admin_notices_and_reminders_are_enhanced() -> None:
    backend = Scripted([BULLETIN, BULLETIN])
    paused = state(paused=True)
    skipped = await enhance(bulletin(), paused, backend=backend, now=NOW)
    assert skipped.status is Status.SKIPPED
    assert "paused" in skipped.reason
    for kind in ("admin_action", "symposium_reminder"):
        outcome = await enhance(draft(kind), paused, backend=backend, now=NOW)
        assert outcome.status is Status.ENHANCED, kind
    assert len(backend.calls) == 2


async def test_a_scripted_error_is_reported_with_its_kind() -> None:
    error = LlmError(ErrorKind.CONNECTION, "cannot reach it", attempts=3)
    outcome = await enhance(bulletin(), state(), backend=Scripted([error]), now=NOW)
    assert outcome.status is Status.FAILED
    assert outcome.error is error
    assert "(connection)" in outcome.reason


# --- moderation verdicts ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Verdict:
    blocked: bool
    matched: str | None = None


@dataclasses.dataclass(frozen=True)
class Allowed:
    allowed: bool


@pytest.mark.parametrize(
    ("verdict", "status"),
    [
        (True, Status.ENHANCED),
        (False, Status.DISCARDED),
        (Verdict(blocked=False), Status.ENHANCED),
        (Verdict(blocked=True, matched="kill"), Status.DISCARDED),
        (Allowed(allowed=True), Status.ENHANCED),
        (Allowed(allowed=False), Status.DISCARDED),
    ],
)
async def test_moderation_verdicts_are_bools_or_objects(verdict: object, status: Status) -> None:
    seen: list[str] = []

    def moderate(text: str) -> object:
        seen.append(text)
        return verdict

    outcome = await enhance(
        bulletin(), state(), backend=Scripted([BULLETIN]), now=NOW, moderate=moderate
    )
    assert outcome.status is status
    assert outcome.verdict == verdict
    assert seen == [BULLETIN]  # moderation reads exactly the text that would be printed


async def test_a_moderation_check_returning_nonsense_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="'allowed' or 'blocked'"):
        await enhance(
            bulletin(), state(), backend=Scripted([BULLETIN]), now=NOW, moderate=lambda _: "ok"
        )


async def test_a_body_cap_below_two_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2 characters, got 1"):
        await enhance(bulletin(), state(), backend=Scripted([]), now=NOW, max_body=1)


# --- the mock --------------------------------------------------------------------------------


async def test_mock_speaks_for_the_gazette_or_the_scholar() -> None:
    mock = MockVoice()
    plain = await enhance(bulletin(), state(), backend=mock, now=NOW)
    assert plain.status is Status.ENHANCED
    assert plain.body == f"[MOCK] The Gazette: {BULLETIN}"
    assert plain.meta["llm"] == {"persona": None, "model": "mock", "generated_at": NOW}
    spoken = await enhance(gossip(), state(), backend=mock, now=NOW)
    assert spoken.body == f"[MOCK] Ada Quill: {gossip().body}"
    assert spoken.meta["llm"]["persona"] == "Ada Quill"


async def test_mock_output_is_still_moderated() -> None:
    outcome = await enhance(
        bulletin(), state(), backend=MockVoice(), now=NOW, moderate=lambda text: "Roman" not in text
    )
    assert outcome.status is Status.DISCARDED


async def test_apply_works_on_numbered_items() -> None:
    item = PressItem(
        id=9,
        kind="admin_action",
        headline="H",
        body="The Gazette resumes.",
        at=T0,
        release_at=T0,
        seq=4,
        digest=2,
        meta={"occasion": "game_resumed"},
    )
    outcome = await enhance(item, state(), backend=MockVoice(), now=NOW)
    changed = outcome.apply(item)
    assert isinstance(changed, PressItem)
    assert changed.id == 9
    assert changed.body == "[MOCK] The Gazette: The Gazette resumes."
    assert changed.meta["occasion"] == "game_resumed"
    assert item.body == "The Gazette resumes."  # the original is untouched


# --- from the settings -----------------------------------------------------------------------


async def test_backend_from_settings() -> None:
    assert backend_from_settings(Settings()) is None
    assert backend_from_settings(Settings(llm_url="http://127.0.0.1:1/v1")) is None
    assert isinstance(backend_from_settings(Settings(llm_mode="mock")), MockVoice)
    off = Settings(llm_mode="off", llm_url="http://127.0.0.1:1/v1", llm_model="m")
    assert backend_from_settings(off) is None
    on = Settings(llm_url="http://127.0.0.1:1/v1", llm_model="m", llm_timeout=5)
    backend = backend_from_settings(on)
    assert isinstance(backend, LlmClient)
    assert backend.config.timeout == 5
    await backend.close()
