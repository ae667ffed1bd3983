"""A single-threaded, in-memory Game for catalogue unit tests.

It runs the real rules engine on a real campaign (real content, real generation) without
actors or a journal, so handler tests stay fast. The end-to-end script tests drive the same
handlers through the real server.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from greatwork.actors.types import JournalEntry, Outcome
from greatwork.content import load_content
from greatwork.press.item import PressItem
from greatwork.rules import command as rules_command
from greatwork.rules.campaign import new_campaign, start_campaign
from greatwork.rules.codec import encode_event
from greatwork.rules.command import Context
from greatwork.rules.content import Content
from greatwork.rules.digest import run_digest
from greatwork.rules.event import Event, Tx
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.rng import command_rng
from greatwork.rules.state import CampaignState

T0 = Instant(1_767_225_600)  # 2026-01-01 00:00 UTC, a Thursday
_CONTENT: Content | None = None


def shared_content() -> Content:
    """The packaged content, loaded once per test session."""
    global _CONTENT  # noqa: PLW0603 (a cache)
    if _CONTENT is None:
        _CONTENT = load_content()
    return _CONTENT


class LocalGame:
    """A campaign in memory: commands run the rules directly; press is whatever tests add."""

    def __init__(self, seed: int = 7, at: Instant = T0) -> None:
        self._content = shared_content()
        self._now = at
        state = new_campaign(CampaignId("local"), seed, at)
        tx = Tx(state)
        start_campaign(tx, Context(content=self._content, rng=command_rng(state, "start")), at)
        self._state = tx.state
        self.events: list[Event] = list(tx.events)
        self.press_items: list[PressItem] = []
        self._ids = itertools.count(1)

    @property
    def campaign_id(self) -> CampaignId:
        return self._state.id

    @property
    def content(self) -> Content:
        return self._content

    def now(self) -> Instant:
        return self._now

    def advance(self, seconds: int) -> None:
        """Move the clock forward."""
        self._now = Instant(self._now + seconds)

    def state(self) -> CampaignState:
        return self._state

    async def execute(self, command: Any) -> Outcome:
        first = self._state.seq
        ctx = Context(content=self._content, rng=command_rng(self._state, "cmd"), now=self._now)
        result = rules_command.execute(self._state, command, ctx)
        return self._accept(result.state, result.events, first)

    async def run_digest(self, by: PlayerId) -> Outcome:
        del by
        first = self._state.seq
        ctx = Context(content=self._content, rng=command_rng(self._state, "digest"), now=self._now)
        result = run_digest(self._state, self._state.last_digest + 1, self._now, ctx)
        return self._accept(result.state, result.events, first)

    def _accept(self, state: CampaignState, events: Sequence[Event], first: int) -> Outcome:
        self._state = state
        self.events.extend(events)
        return Outcome(events=tuple(events), state=state, first_seq=first)

    def add_press(self, kind: str, headline: str, body: str = "") -> PressItem:
        """Publish a press item (tests stand in for the press desk)."""
        item = PressItem(
            id=next(self._ids),
            kind=kind,
            headline=headline,
            body=body,
            at=self._now,
            release_at=self._now,
            seq=self._state.seq,
            digest=self._state.last_digest + 1,
        )
        self.press_items.append(item)
        return item

    async def press(
        self, *, limit: int, query: str | None = None, kinds: Sequence[str] = ()
    ) -> list[PressItem]:
        items = [p for p in reversed(self.press_items) if p.release_at <= self._now]
        if query:
            q = query.lower()
            items = [p for p in items if q in p.headline.lower() or q in p.body.lower()]
        if kinds:
            items = [p for p in items if p.kind in kinds]
        return items[:limit]

    async def press_item(self, press_id: int) -> PressItem | None:
        return next((p for p in self.press_items if p.id == press_id), None)

    async def journal(self, *, limit: int) -> list[JournalEntry]:
        out = []
        for seq in range(len(self.events) - 1, max(-1, len(self.events) - 1 - limit), -1):
            event = self.events[seq]
            out.append(
                JournalEntry(seq=seq, at=event.at, kind=event.kind, data=encode_event(event))
            )
        return out
