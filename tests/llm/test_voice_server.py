"""The persona voice in the running server: a fake model, a real GameServer, a real journal.

The fake OpenAI-compatible server (``fake_server.py``) answers on 127.0.0.1; the game runs on a
virtual clock. The client's budgets are small (tenths of a second) and it never sleeps
between attempts, so every test takes about a second.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from greatwork.actors import messages as m
from greatwork.actors.alerts import PROBE_EVERY, AdminAlert
from greatwork.actors.clock import VirtualClock
from greatwork.actors.runtime import AlertNotice, GameServer, PressReleased
from greatwork.actors.voice_stage import PROBE_PROMPT
from greatwork.commands.catalogue import CATALOGUE
from greatwork.commands.spec import invoke
from greatwork.config import Settings
from greatwork.llm.client import ClientConfig, LlmClient
from greatwork.rules.constants import Confidence
from greatwork.rules.errors import GamePaused
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.pause import ResumeGame
from greatwork.rules.theory import SubmitTheory
from tests.commands.local import T0, shared_content
from tests.llm.fake_server import BLOCKED_WORD, FakeLlmServer

CID = CampaignId("c1")
ADA = PlayerId("ada")
ADMIN = PlayerId("admin")
START = Instant(T0 + 9 * 3600)  # 09:00 UTC; digests run at 13:00 and 21:00
COLOUR = "Extraordinary news reaches the Gazette."


async def no_sleep(_seconds: float) -> None:
    await asyncio.sleep(0)


class Rig:
    """Servers on one journal with one campaign, voiced by the fake model; notices recorded."""

    def __init__(self, tmp_path: Path, fake: FakeLlmServer) -> None:
        self.db = tmp_path / "journal" / "greatwork.db"
        self.fake = fake
        self.server: GameServer | None = None
        self.client: LlmClient | None = None
        self.queue: asyncio.Queue[AlertNotice] | None = None
        self.seen: list[AlertNotice] = []
        self.runs: list[list[AlertNotice]] = []

    async def start(
        self, *, at: int = START, request_timeout: float = 0.3, auto_resume: bool = False
    ) -> GameServer:
        settings = Settings(db_path=self.db, llm_auto_resume=auto_resume)
        config = ClientConfig(
            base_url=self.fake.base_url,
            model="configured",
            timeout=request_timeout,
            attempts=2,
            retry_budget=max(1.0, request_timeout * 3),
        )
        self.client = LlmClient(config, sleep=no_sleep)
        server = GameServer(
            settings, shared_content(), clock=VirtualClock(Instant(at)), voice=self.client
        )
        self.queue = server.subscribe_alerts(CID)
        self.runs.append([])
        await server.start()
        await server.ensure_campaign(CID, seed=3)
        self.server = server
        self.drain()
        return server

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
            self.drain()
            self.server = None
        if self.client is not None:
            await self.client.close()
            self.client = None

    @property
    def live(self) -> GameServer:
        assert self.server is not None
        return self.server

    def drain(self) -> list[AlertNotice]:
        assert self.queue is not None
        got = []
        while not self.queue.empty():
            got.append(self.queue.get_nowait())
        self.seen += got
        self.runs[-1] += got
        return got

    async def theory(self, text: str = "Bronze Age flight") -> list[PressReleased]:
        """Submit a theory (its bulletin is enhanced), settle; the press it released."""
        server = self.live
        await server.execute(
            CID,
            SubmitTheory(
                actor=ADA,
                at=server.clock.now(),
                actor_name="Ada",
                theory=text,
                confidence=Confidence.CERTAIN,
            ),
        )
        await server.settle()
        return [n for n in self.drain() if isinstance(n, PressReleased)]

    async def later(self, seconds: int) -> None:
        server = self.live
        await server.advance(Instant(server.clock.now() + seconds))
        self.drain()

    def press(self) -> list[PressReleased]:
        return [n for n in self.seen if isinstance(n, PressReleased)]

    def alerts(self) -> list[AdminAlert]:
        return [n for n in self.seen if isinstance(n, AdminAlert)]

    def digests(self) -> list[int]:
        return [n.number for n in self.seen if isinstance(n, m.DigestDone)]

    async def kinds(self) -> list[str]:
        entries = await self.live.journal(CID, limit=1000)
        return [e.kind for e in reversed(entries)]

    def voice_calls(self) -> int:
        return sum(1 for r in self.fake.requests if PROBE_PROMPT not in json.dumps(r.body))

    def probes(self) -> int:
        return sum(1 for r in self.fake.requests if PROBE_PROMPT in json.dumps(r.body))


@pytest.fixture
async def fake() -> AsyncIterator[FakeLlmServer]:
    async with FakeLlmServer(slow_seconds=30.0) as server:
        yield server


@pytest.fixture
async def rig(tmp_path: Path, fake: FakeLlmServer) -> AsyncIterator[Rig]:
    made = Rig(tmp_path, fake)
    try:
        yield made
    finally:
        await made.stop()


async def until(check: Callable[[], bool | Awaitable[bool]], what: str, within: float = 10) -> None:
    """Poll ``check`` until it holds, failing after ``within`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


async def command(server: GameServer, name: str, **options: object) -> dict[str, Any]:
    """What a player's command answers (its data)."""
    reply = await invoke(
        CATALOGUE.find(name),
        server.game(CID),
        player=ADA,
        display_name="Ada",
        is_admin=False,
        raw_options=options,
    )
    assert reply.ok, reply
    return dict(reply.data)


async def pause_by_the_model(rig: Rig) -> None:
    """A failing call starts the streak; the probes a minute fail on; at 600 s it pauses."""
    rig.fake.mode = "500"
    await rig.theory("First claim")
    assert rig.probes() == 0
    await rig.later(601)
    assert rig.probes() >= 1  # at most one a minute while the streak is open, on the ticks
    assert rig.live.committed_state(CID).pause is not None


# --- the tests -------------------------------------------------------------------------------


async def test_an_answer_replaces_the_body_is_journaled_and_the_template_is_kept(
    rig: Rig,
) -> None:
    server = await rig.start()
    [released] = await rig.theory()
    item = released.item
    assert item.kind == "academic_bulletin"
    assert item.body.startswith(COLOUR)
    assert item.meta["llm"] == {"persona": None, "model": "fake-model", "generated_at": START}

    store = server.store
    assert store is not None
    stored = await store.press_item(CID, item.id)
    template = await store.press_template(CID, item.id)
    assert stored is not None
    assert template is not None
    assert stored.body == item.body
    assert json.loads(stored.meta)["llm"]["model"] == "fake-model"
    assert template.body == item.body.removeprefix(COLOUR).lstrip()
    assert "llm" not in json.loads(template.meta)

    shown = await command(server, "gazette", limit=1)
    assert shown["press"][0]["id"] == item.id
    exported = await command(server, "export_log", limit=1)
    assert exported["press"][0]["body"] == item.body
    [request] = rig.fake.requests
    assert request.temperature == pytest.approx(0.2)  # an official bulletin
    assert server.voice is not None
    assert server.voice.stats.enhanced == 1
    # The founding roster (20 arrivals) is not on the list: no call was made for it.
    assert len([n for n in rig.press() if n.item.id < item.id]) == 20
    assert server.voice.stats.skipped == 20


@pytest.mark.parametrize("mode", ["500", "429", "slow", "invalid_json"])
async def test_a_failing_model_leaves_the_template_and_starts_one_streak(
    rig: Rig, mode: str
) -> None:
    server = await rig.start()
    rig.fake.mode = mode
    bodies = []
    for n in range(3):
        [released] = await rig.theory(f"Claim {n}")
        bodies.append(released.item.body)
        assert "llm" not in released.item.meta
    assert not any(b.startswith(COLOUR) for b in bodies)
    kinds = await rig.kinds()
    assert kinds.count("LlmFailureRecorded") == 1  # the streak's start, not every failure
    assert "PauseStarted" not in kinds
    state = server.committed_state(CID)
    assert state.llm_failing_since == START
    assert not state.paused
    assert server.voice is not None
    # The first item was tried; the two after it, within the minute, went out at once.
    assert (server.voice.stats.failed, server.voice.stats.held_back) == (1, 2)
    await rig.later(60)  # a minute later the model is tried again
    [released] = await rig.theory("Claim 3")
    assert "llm" not in released.item.meta
    assert (server.voice.stats.failed, server.voice.stats.held_back) == (2, 2)
    assert (await rig.kinds()).count("LlmFailureRecorded") == 1
    assert rig.alerts() == []


async def test_600_seconds_of_failures_pause_and_only_an_admin_resumes(rig: Rig) -> None:
    server = await rig.start(auto_resume=False)
    await pause_by_the_model(rig)
    state = server.committed_state(CID)
    assert state.pause is not None
    assert state.pause.source == "llm"
    assert START + 600 <= state.pause.since <= START + 601
    assert state.pause.reason == "The language model has failed for 10 minutes"
    kinds = await rig.kinds()
    assert kinds.count("LlmFailureRecorded") == 1
    assert kinds.count("PauseStarted") == 1

    [paused] = rig.alerts()
    assert paused.key.startswith("alert:paused:")
    assert paused.title == "The game paused itself: the language model is down"
    assert "only an admin resumes it" in paused.body

    # Player commands answer "paused".
    with pytest.raises(GamePaused, match="The game is paused: The language model has failed"):
        await rig.theory("Third claim")
    probes = rig.probes()

    # Digests wait; the admins hear of it once per pause, not once per slot.
    await rig.later(5 * 3600)  # past 13:00
    await rig.later(9 * 3600)  # past 21:00 and into the next day
    assert rig.digests() == []
    waiting = [a for a in rig.alerts() if a.key.startswith("alert:waiting:")]
    assert [a.key for a in waiting] == [f"alert:waiting:{state.pause.since}"]
    assert "Digest No. 1" in waiting[0].body
    assert rig.probes() == probes  # auto-resume is off: nobody probes during the pause

    # The model comes back: nothing changes until an admin resumes.
    rig.fake.mode = "ok"
    await rig.later(3600)
    assert server.committed_state(CID).paused
    await server.execute(CID, ResumeGame(actor=ADMIN, at=server.clock.now()))
    await server.settle()
    rig.drain()
    assert not server.committed_state(CID).paused
    resumed = rig.alerts()[-1]
    assert resumed.key.startswith("alert:resumed:")
    assert resumed.ok

    await rig.later(60)  # the next tick catches the digests up, in order
    assert rig.digests() == [1, 2]
    [released] = await rig.theory("Back to work")
    assert released.item.body.startswith(COLOUR)


async def test_the_probe_resumes_the_game_when_the_model_is_back(rig: Rig) -> None:
    server = await rig.start(auto_resume=True)
    await pause_by_the_model(rig)
    assert server.committed_state(CID).paused
    probes = rig.probes()
    for _ in range(6):  # ten seconds at a time: one probe a minute at most
        await rig.later(10)
    assert 1 <= rig.probes() - probes <= 1 + 60 // PROBE_EVERY
    assert server.committed_state(CID).paused  # the model still fails
    assert (await rig.kinds()).count("LlmFailureRecorded") == 1  # failed probes journal nothing

    rig.fake.mode = "ok"
    await rig.later(PROBE_EVERY)
    state = server.committed_state(CID)
    assert not state.paused
    assert state.llm_failing_since is None
    kinds = await rig.kinds()
    resume = kinds.index("GameResumed")
    assert kinds[resume - 1 : resume + 1] == ["LlmRecovered", "GameResumed"]
    assert kinds.count("GameResumed") == 1
    resumed = [a for a in rig.alerts() if a.key.startswith("alert:resumed:")]
    assert len(resumed) == 1
    assert "by itself: the language model answers again" in resumed[0].body

    await rig.later(4 * 3600)  # past 13:00: the digest runs
    assert rig.digests() == [1]


async def test_a_blocked_answer_keeps_the_template_and_is_not_a_failure(rig: Rig) -> None:
    server = await rig.start()
    rig.fake.mode = "blocked"
    [released] = await rig.theory()
    assert BLOCKED_WORD not in released.item.body
    assert "llm" not in released.item.meta
    state = server.committed_state(CID)
    assert state.llm_failing_since is None  # not an outage
    [record] = state.moderation_log
    assert (record.surface, record.blocked, record.stage) == ("llm_output", True, "blocklist")
    kinds = await rig.kinds()
    assert "LlmFailureRecorded" not in kinds
    assert kinds.count("TextModerated") == 1
    [alert] = rig.alerts()
    assert alert.key.startswith("alert:blocked:")
    assert record.text_hash in alert.body
    assert f"/gw_admin add_moderation_override text_hash:{record.text_hash}" in alert.body
    assert server.voice is not None
    assert (server.voice.stats.discarded, server.voice.stats.blocked) == (1, 1)


async def test_every_press_id_is_published_once_across_a_restart_while_one_waits(
    rig: Rig,
) -> None:
    server = await rig.start(request_timeout=20.0)
    rig.fake.mode = "slow"
    await server.execute(
        CID,
        SubmitTheory(
            actor=ADA,
            at=server.clock.now(),
            actor_name="Ada",
            theory="Held by a slow model",
            confidence=Confidence.CERTAIN,
        ),
    )
    await until(lambda: len(rig.fake.requests) == 1, "the model to be asked")
    rig.drain()
    waiting = max(n.item.id for n in rig.press()) + 1  # released, but not yet published
    store = server.store
    assert store is not None
    assert await store.press_item(CID, waiting) is not None
    at = server.clock.now()
    await rig.stop()  # the call is cancelled; the item goes out as written
    [last] = [n for n in rig.runs[0] if isinstance(n, PressReleased) and n.item.id == waiting]
    assert not last.item.body.startswith(COLOUR)

    rig.fake.mode = "ok"
    await rig.start(at=at)
    [after] = await rig.theory("After the restart")
    assert after.item.body.startswith(COLOUR)
    published = [n.item.id for n in rig.press()]
    assert published == list(range(1, after.item.id + 1))  # each once, in order, none lost
    store = rig.live.store
    assert store is not None
    held = await store.press_item(CID, waiting)
    assert held is not None
    assert held.body == last.item.body  # no voice was journaled for it


async def test_a_probe_ends_the_streak_when_the_model_is_back_before_ten_minutes(
    rig: Rig,
) -> None:
    server = await rig.start(auto_resume=False)  # streak probes run whatever auto-resume says
    rig.fake.mode = "500"
    await rig.theory("First claim")
    assert server.committed_state(CID).llm_failing_since == START
    rig.fake.mode = "ok"
    await rig.later(PROBE_EVERY + 1)
    await until(lambda: server.committed_state(CID).llm_failing_since is None, "the streak ended")
    assert rig.probes() >= 1
    # Hours later one failure starts a new streak: it does not pause on an old streak's clock.
    rig.fake.mode = "500"
    await rig.later(3 * 3600)
    await rig.theory("Much later")
    state = server.committed_state(CID)
    assert not state.paused
    assert state.llm_failing_since == server.clock.now()
    kinds = await rig.kinds()
    assert kinds.count("LlmFailureRecorded") == 2
    assert kinds.count("LlmRecovered") == 1
    assert "PauseStarted" not in kinds
