"""The voice stage alone: order, overrides for model output, stop, and a failing check."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import pytest

from greatwork.actors import messages as m
from greatwork.actors.types import Outcome
from greatwork.actors.voice_stage import Released, VoiceStage
from greatwork.llm.client import ChatMessage, LlmReply
from greatwork.llm.moderation import Verdict, check_output
from greatwork.press.item import PressItem
from greatwork.rules.command import Command
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.moderation import RecordModeration, text_hash
from greatwork.rules.pause import RecordLlmOutcome
from greatwork.rules.state import CampaignState, ModerationOverride
from tests.rules.builders import T0, make_state

CID = CampaignId("c1")
BLOCKED = "We kill the archive at dawn."


class Model:
    """A Completer that answers ``text``; it waits for ``gate`` when one is set."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.calls = 0
        self.gate: asyncio.Event | None = None
        self.asked = asyncio.Event()

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float,
        max_tokens: int | None = None,
    ) -> LlmReply:
        del messages, temperature, max_tokens
        self.calls += 1
        self.asked.set()
        if self.gate is not None:
            await self.gate.wait()
        return LlmReply(text=self.text, model="m", latency=0.0, attempts=1)


class Host:
    """What the stage talks to: the published releases, the commands, the voices written."""

    def __init__(self, state: CampaignState) -> None:
        self.state = state
        self.published: list[tuple[Released, ...]] = []
        self.commands: list[Command] = []
        self.voices: list[PressItem] = []

    def publish(self, campaign_id: CampaignId, release: tuple[Released, ...]) -> None:
        assert campaign_id == CID
        self.published.append(release)

    async def execute(self, campaign_id: CampaignId, command: Command) -> Outcome:
        assert campaign_id == CID
        self.commands.append(command)
        return Outcome(events=(), state=self.state)

    async def record(self, campaign_id: CampaignId, item: PressItem) -> bool:
        assert campaign_id == CID
        self.voices.append(item)
        return True

    def stage(self, model: Model, moderate: object = check_output) -> VoiceStage:
        return VoiceStage(
            model,
            publish=self.publish,
            execute=self.execute,
            state_of=lambda _cid: self.state,
            record_voice=self.record,
            now=lambda: Instant(T0),
            auto_resume=True,
            moderate=moderate,  # type: ignore[arg-type]
        )

    def bodies(self) -> list[str]:
        return [e.body for release in self.published for e in release if isinstance(e, PressItem)]


def notice(number: int, body: str = "The archive opens.", kind: str = "admin_action") -> PressItem:
    return PressItem(
        id=number,
        kind=kind,
        headline=f"Notice {number}",
        body=body,
        at=Instant(T0),
        release_at=Instant(T0),
        seq=number,
        digest=1,
        meta={"occasion": "game_paused"},
    )


def override_for_text(text: str) -> ModerationOverride:
    return ModerationOverride(
        id="MOD-1",
        text_hash=text_hash(text),
        created_at=Instant(T0),
        created_by=PlayerId("admin"),
        surface="llm_output",
    )


async def test_an_override_lets_the_blocked_model_text_through() -> None:
    host = Host(make_state(moderation_overrides={"MOD-1": override_for_text(BLOCKED)}))
    stage = host.stage(Model(BLOCKED))
    stage.release(CID, [notice(1)])
    await stage.idle()
    assert host.bodies() == [BLOCKED]
    assert [v.id for v in host.voices] == [1]
    [record] = [c for c in host.commands if isinstance(c, RecordModeration)]
    assert (record.surface, record.text, record.stage) == ("llm_output", BLOCKED, "blocklist")
    assert stage.stats.enhanced == 1
    assert stage.stats.blocked == 0


async def test_without_an_override_the_template_stands_and_nothing_counts_as_a_failure() -> None:
    host = Host(make_state())
    stage = host.stage(Model(BLOCKED))
    stage.release(CID, [notice(1)])
    await stage.idle()
    assert host.bodies() == ["The archive opens."]
    assert host.voices == []
    assert [type(c) for c in host.commands] == [RecordModeration]  # no RecordLlmOutcome
    assert (stage.stats.discarded, stage.stats.blocked, stage.stats.failed) == (1, 1, 0)


async def test_releases_keep_their_order_behind_an_item_that_waits() -> None:
    host = Host(make_state())
    model = Model("Read all about it: the archive opens.")
    model.gate = asyncio.Event()
    stage = host.stage(model)
    digest = m.DigestDone(campaign_id=CID, number=1, year=1920, at=Instant(T0))
    stage.release(CID, [digest, notice(1)])
    stage.release(CID, [notice(2, kind="scholar_joined")])  # nothing to voice: still waits
    await model.asked.wait()
    assert host.published == []
    model.gate.set()
    await stage.idle()
    assert [[getattr(e, "id", "digest") for e in r] for r in host.published] == [
        ["digest", 1],
        [2],
    ]
    assert host.bodies()[0] == "Read all about it: the archive opens."
    assert model.calls == 1  # one call: scholar_joined is not on the list


async def test_stop_publishes_what_waits_as_written_and_later_releases_at_once() -> None:
    host = Host(make_state())
    model = Model("Never heard.")
    model.gate = asyncio.Event()
    stage = host.stage(model)
    stage.release(CID, [notice(1)])
    stage.release(CID, [notice(2)])
    await model.asked.wait()
    await stage.stop()
    assert host.bodies() == ["The archive opens.", "The archive opens."]
    assert host.voices == []
    assert not any(isinstance(c, RecordLlmOutcome) for c in host.commands)
    stage.release(CID, [notice(3)])
    assert [r[0].id for r in host.published if isinstance(r[0], PressItem)] == [1, 2, 3]
    assert model.calls == 1
    await stage.stop()  # idempotent


async def test_a_failing_check_leaves_the_template_and_the_stage_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    host = Host(make_state())

    def broken(_text: str) -> Verdict:
        raise RuntimeError("the checker tripped")

    stage = host.stage(Model("Read all about it: the archive opens."), moderate=broken)
    with caplog.at_level(logging.ERROR, logger="greatwork.actors.voice_stage"):
        stage.release(CID, [notice(1)])
        stage.release(CID, [notice(2)])
        await stage.idle()
    assert host.bodies() == ["The archive opens.", "The archive opens."]
    assert [r.getMessage() for r in caplog.records] == [
        "c1: the persona voice failed on press No. 1; it goes out as written",
        "c1: the persona voice failed on press No. 2; it goes out as written",
    ]


def test_the_probe_interval_must_be_positive() -> None:
    host = Host(make_state())
    with pytest.raises(ValueError, match="probe_every must be at least 1 second, got 0"):
        VoiceStage(
            Model("x"),
            publish=host.publish,
            execute=host.execute,
            state_of=lambda _cid: host.state,
            record_voice=host.record,
            now=lambda: Instant(T0),
            auto_resume=True,
            probe_every=0,
        )
