"""The press desk: releases a campaign's committed press at its time, in order.

Press releases are composed by the campaign in the same journal batch as the events behind
them, so they are as durable as the events. The desk gets them once committed
(:class:`~greatwork.actors.messages.Publish`), releases those already due at once, holds the
delayed ones (layered follow-ups, D10) until a clock tick passes their time, and hands each
released item to the server exactly once, in (release time, number) order. On a restart it is
given the campaign's still-pending items from the journal.

While the game is paused (section 3.14) the campaign sends :class:`Hold` instead of the
clock's ticks: the desk still releases what a command allowed while paused prints at once
(an admin's action, the pause notice itself), but keeps every delayed item, however overdue,
until the first tick after the resume; then it releases them in (release time, number) order,
before the digests that waited run.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from greatwork.actors import messages as m
from greatwork.actors.base import FailureHook, GreatworkActor
from greatwork.press.item import PressItem
from greatwork.rules.ids import CampaignId, Instant

log = logging.getLogger(__name__)

Released = Callable[[CampaignId, Sequence[PressItem | m.DigestDone]], None]
"""Hands released items and digest notices to the server, in order (thread-safe)."""


@dataclass(frozen=True, slots=True)
class Hold:
    """The campaign is paused: hold delayed items until the next :class:`~m.Tick`.

    Sent by the campaign in place of the clock's tick while paused, and as soon as a pause
    begins (before the batch that starts it is published).
    """

    now: Instant


def delayed(item: PressItem) -> bool:
    """Whether an item waits for a later time than its event's (a layered follow-up)."""
    return item.release_at > item.at


class PressDeskActor(GreatworkActor):
    """One per campaign."""

    def __init__(
        self,
        campaign_id: CampaignId,
        released: Released,
        pending: Iterable[PressItem] = (),
        *,
        released_upto: int = 0,
        failure_hook: FailureHook | None = None,
    ) -> None:
        super().__init__(f"press:{campaign_id}", failure_hook)
        self.campaign_id = campaign_id
        self._released = released
        # Items still pending from the journal are held whatever their number; anything else
        # numbered up to ``released_upto`` was released before the restart.
        self._pending = sorted((item.release_at, item.id, item) for item in pending)
        self._seen = released_upto
        self._holding = False

    @property
    def holding(self) -> bool:
        """Whether delayed items are held because the game is paused."""
        return self._holding

    def handle(self, message: object) -> object:
        """Take committed items, release what is due."""
        match message:
            case m.Publish(items=items, now=now, digests=digests):
                for item in items:
                    self._hold(item)
                self._release(now, digests)
                return None
            case m.Tick(now=now):
                if self._holding:
                    log.info("%s: the game resumed; releasing what was held", self.key)
                self._holding = False
                self._release(now)
                return None
            case Hold():
                self._holding = True
                return None
            case m.Barrier():
                return len(self._pending)
        raise TypeError(f"{self.key} does not handle {type(message).__name__}")

    def _hold(self, item: PressItem) -> None:
        if item.id <= self._seen or any(p.id == item.id for _, _, p in self._pending):
            return  # already released or held: never twice
        bisect.insort(self._pending, (item.release_at, item.id, item))

    def _release(self, now: Instant, digests: Sequence[m.DigestDone] = ()) -> None:
        due = bisect.bisect_right([p[0] for p in self._pending], now)
        if self._holding:  # paused: only what prints at once goes out
            items = [item for _, _, item in self._pending[:due] if not delayed(item)]
            kept = [entry for entry in self._pending[:due] if delayed(entry[2])]
            self._pending[:due] = kept
        else:
            items = [item for _, _, item in self._pending[:due]]
            del self._pending[:due]
        if items:
            self._seen = max(self._seen, *(i.id for i in items))
        if digests or items:
            self._released(self.campaign_id, [*digests, *items])
