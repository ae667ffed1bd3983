"""One campaign's lane: its queue of posts, worked in order by one task, and how it waits.

Press items reach the lane one notice at a time. An item joins the post at the tail of the
queue when it follows it (:func:`~greatwork.bot.outbox.units.joins`) and that post is still
*open*: queued from notices and not yet taken by the worker. A post the worker took, or one
rebuilt from the journal, never grows again, so a post's items are fixed before its row is
begun.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field

from greatwork.bot.outbox.units import Unit, joins, press_unit
from greatwork.press.item import PressItem
from greatwork.rules.ids import CampaignId

__all__ = ["Lane", "Stopper", "StoppingError", "first"]


class StoppingError(Exception):
    """The outbox is stopping: leave the current wait (never escapes the outbox)."""


async def first(*events: asyncio.Event, within: float | None = None) -> None:
    """Return when any of ``events`` is set, or after ``within`` seconds."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


class Stopper:
    """The outbox's stop signal, and waits that end early when it is given."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    @property
    def stopping(self) -> bool:
        """Whether the outbox is stopping."""
        return self.event.is_set()

    async def pause(self, seconds: float, *also: asyncio.Event) -> None:
        """Wait ``seconds`` or until an event of ``also`` is set.

        Raises:
            StoppingError: the outbox is stopping (at once, or during the wait).
        """
        await first(self.event, *also, within=seconds)
        if self.event.is_set():
            raise StoppingError


@dataclass(eq=False, slots=True)
class Lane:
    """One campaign's queue and what its worker knows.

    Attributes:
        campaign_id: the campaign (``guild-<id>``).
        guild_id: its guild.
        units: the posts waiting, in release order.
        queued: the key of everything ever queued (``press:17`` per item, ``digest:5``), so a
            notice for something already queued is ignored.
        digest_at: when each digest seen so far ran, by number.
        arrived: set when a post is queued.
        woken: set when the guild's channels may have changed.
        logged: keys of lines already logged once.
        told: keys of admin notices already handled.
        task: the worker.
    """

    campaign_id: CampaignId
    guild_id: int
    units: deque[Unit] = field(default_factory=deque)
    queued: set[str] = field(default_factory=set)
    digest_at: dict[int, int] = field(default_factory=dict)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    woken: asyncio.Event = field(default_factory=asyncio.Event)
    logged: set[str] = field(default_factory=set)
    told: set[str] = field(default_factory=set)
    task: asyncio.Task[None] | None = None
    _open: Unit | None = field(default=None, init=False)

    def add(self, unit: Unit) -> bool:
        """Queue a whole post (a digest, or one rebuilt from the journal); False if known."""
        keys = unit.item_keys()
        if any(key in self.queued for key in keys):
            return False
        self.queued.update(keys)
        self.units.append(unit)
        self._open = None
        self.arrived.set()
        return True

    def add_item(self, item: PressItem) -> bool:
        """Queue one released press item, in the open post it follows if any; False if known."""
        key = f"press:{item.id}"
        if key in self.queued:
            return False
        self.queued.add(key)
        tail = self._open
        if tail is not None and self.units and self.units[-1] is tail and joins(tail, item):
            grown = press_unit([*tail.items, item])
            self.units[-1] = grown
        else:
            grown = press_unit([item])
            self.units.append(grown)
        self._open = grown
        self.arrived.set()
        return True

    def take(self) -> Unit | None:
        """The next post, closed for good (None when the queue is empty)."""
        if not self.units:
            return None
        unit = self.units.popleft()
        if unit is self._open:
            self._open = None
        return unit

    def put_back(self, unit: Unit) -> None:
        """Return a taken post to the head of the queue (it stays closed)."""
        self.units.appendleft(unit)
        self.arrived.set()

    async def next(self, stopper: Stopper) -> Unit | None:
        """Wait for the next post; None when the outbox stops."""
        while not stopper.stopping:
            unit = self.take()
            if unit is not None:
                return unit
            self.arrived.clear()
            await first(stopper.event, self.arrived)
        return None
