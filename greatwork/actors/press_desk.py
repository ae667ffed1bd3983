"""The press desk: releases a campaign's committed press at its time, in order, once.

Press releases are composed by the campaign in the same journal batch as the events behind
them, so they are as durable as the events. The desk gets them once committed
(:class:`~greatwork.actors.messages.Publish`), releases those already due at once, holds the
delayed ones (layered follow-ups, D10) until a clock tick passes their time, and hands each
released item to the server exactly once, in (release time, number) order.

What "released" means is one rule, :class:`~greatwork.store.reader.Visibility`: an item is
public once its ``release_at`` has come on the game clock, except a delayed item that falls
due after a pause began, which waits for the resume. The desk releases by that rule and every
press read filters by it, so an item reaches the subscribers when the readers start to show
it (at the latest one clock tick later).

While the game is paused (section 3.14) the campaign sends :class:`Hold` instead of the
clock's ticks (and as soon as a pause begins): the desk releases what was due before the
pause began and what a command allowed while paused prints at once (an admin's action, the
pause notice itself), but keeps every delayed item that fell due after the pause began,
however overdue, until the first tick after the resume; then it releases them in (release
time, number) order, before the digests that waited run.

On a restart the server gives a new desk the items the journal holds that are not public yet
(:class:`Restore`): those due later, and those a pause holds. An item that fell due while the
server was down was public then, so the desk does not announce it again; the Discord outbox
finds it in the journal.
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
from greatwork.store import Visibility

log = logging.getLogger(__name__)

Released = Callable[[CampaignId, Sequence[PressItem | m.DigestDone]], None]
"""Hands released items and digest notices to the server, in order (thread-safe)."""


@dataclass(frozen=True, slots=True)
class Hold:
    """The campaign is paused since ``since``: hold delayed items that fell due after it.

    Sent by the campaign in place of the clock's tick while paused, and as soon as a pause
    begins (before the batch that starts it is published). The first :class:`~m.Tick` after
    the resume ends the hold.
    """

    now: Instant
    since: Instant


@dataclass(frozen=True, slots=True)
class Restore:
    """Items of the journal that are not public yet, for a desk started at a restart.

    They are held whatever their number (the desk takes every item numbered up to its
    ``released_upto`` as released already) and released by the rule at ``now``.
    """

    items: tuple[PressItem, ...]
    now: Instant


@dataclass(frozen=True, slots=True)
class NextRelease:
    """Ask for the earliest ``release_at`` after ``after`` among the items the desk holds.

    Replies with it, or None when the desk holds nothing due later. A virtual clock's
    ``advance`` stops there, so each item goes out with the clock at its own minute. While
    paused such a stop releases nothing (the item waits for the resume); the desk cannot
    know of a resume before the next tick, so it names the time either way.
    """

    after: Instant


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
        self._pending: list[tuple[Instant, int, PressItem]] = []
        self._ids: set[int] = set()
        self._seen = released_upto
        self._held_since: Instant | None = None
        self._add(pending)

    @property
    def holding(self) -> bool:
        """Whether delayed items are held because the game is paused."""
        return self._held_since is not None

    def handle(self, message: object) -> object:
        """Take committed items, release what is due."""
        match message:
            case m.Publish(items=items, now=now, digests=digests):
                for item in items:
                    if item.id > self._seen:  # else released already: never twice
                        self._add((item,))
                self._release(now, digests)
                return None
            case m.Tick(now=now):
                if self._held_since is not None:
                    log.info("%s: the game resumed; releasing what was held", self.key)
                self._held_since = None
                self._release(now)
                return None
            case Hold(now=now, since=since):
                self._held_since = since
                self._release(now)
                return None
            case Restore(items=items, now=now):
                self._add(items)
                self._release(now)
                return None
            case NextRelease(after=after):
                return self._next_release(after)
            case m.Barrier():
                return len(self._pending)
        raise TypeError(f"{self.key} does not handle {type(message).__name__}")

    def _add(self, items: Iterable[PressItem]) -> None:
        for item in items:
            if item.id not in self._ids:  # held already: never twice
                self._ids.add(item.id)
                bisect.insort(self._pending, (item.release_at, item.id, item))

    def _next_release(self, after: Instant) -> Instant | None:
        index = bisect.bisect_right(self._pending, after, key=lambda entry: entry[0])
        return self._pending[index][0] if index < len(self._pending) else None

    def _release(self, now: Instant, digests: Sequence[m.DigestDone] = ()) -> None:
        rule = Visibility(now=now, held_since=self._held_since)
        due = bisect.bisect_right(self._pending, now, key=lambda entry: entry[0])
        out = [i for _, _, i in self._pending[:due] if rule.shows(at=i.at, release_at=i.release_at)]
        if out:
            kept = [e for e in self._pending[:due] if not rule.shows(at=e[2].at, release_at=e[0])]
            self._pending[:due] = kept
            self._ids.difference_update(i.id for i in out)
            self._seen = max(self._seen, *(i.id for i in out))
        if digests or out:
            self._released(self.campaign_id, [*digests, *out])
