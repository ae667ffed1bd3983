"""Time: the system clock or a virtual one, and the clock actor that ticks the campaigns.

The clock actor broadcasts :class:`~greatwork.actors.messages.Tick` to every registered
campaign. With the system clock it wakes itself at each digest or symposium slot and at least
once a minute (delayed press is released at its own time, D10). With a virtual clock nothing
moves until someone sends :class:`~greatwork.actors.messages.Advance`: tests, scripts and
``simulate`` play a season in seconds.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

import pykka

from greatwork.actors import messages as m
from greatwork.actors.base import GreatworkActor
from greatwork.actors.schedule import Schedule
from greatwork.rules.errors import InvalidInput
from greatwork.rules.ids import Instant

log = logging.getLogger(__name__)

WAKE_EVERY = 60  # seconds between real-time ticks when no slot comes sooner


class SystemClock:
    """The real time, in whole seconds."""

    virtual = False

    def now(self) -> Instant:
        """Epoch seconds, UTC."""
        return Instant(int(time.time()))


class VirtualClock:
    """A clock that moves only when told to; thread-safe."""

    virtual = True

    def __init__(self, start: Instant) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> Instant:
        """The virtual time."""
        with self._lock:
            return self._now

    def set(self, to: Instant) -> None:
        """Move to ``to``; time never goes back.

        Raises:
            ValueError: ``to`` is before the current time.
        """
        with self._lock:
            if to < self._now:
                raise ValueError(f"the clock cannot go back from {self._now} to {to}")
            self._now = to


class ClockActor(GreatworkActor):
    """One per process: ticks every registered campaign."""

    def __init__(self, clock: SystemClock | VirtualClock, schedule: Schedule) -> None:
        super().__init__("clock")
        self._clock = clock
        self._schedule = schedule
        self._targets: dict[str, pykka.ActorRef[Any]] = {}
        self._timer: threading.Timer | None = None

    def start_up(self) -> None:
        """With the system clock, set the first wake-up."""
        if isinstance(self._clock, SystemClock):
            self._arm()

    def on_stop(self) -> None:
        """Cancel the pending wake-up."""
        if self._timer is not None:
            self._timer.cancel()

    def handle(self, message: object) -> object:
        """Register campaigns, advance virtual time, wake on the timer."""
        match message:
            case m.Register(key=key, ref=ref):
                self._targets[key] = ref
                return None
            case m.Unregister(key=key):
                self._targets.pop(key, None)
                return None
            case m.Advance(to=to):
                if not isinstance(self._clock, VirtualClock):
                    raise InvalidInput("only a virtual clock can be advanced")
                if to < self._clock.now():
                    raise InvalidInput(f"the clock cannot go back from {self._clock.now()} to {to}")
                self._clock.set(to)
                self._broadcast(to)
                return to
            case m.Wake():
                self._broadcast(self._clock.now())
                self._arm()
                return None
            case m.Barrier():
                return self._clock.now()
        raise TypeError(f"clock does not handle {type(message).__name__}")

    def _broadcast(self, now: Instant) -> None:
        for key, ref in list(self._targets.items()):
            try:
                ref.tell(m.Tick(now))
            except pykka.ActorDeadError:
                log.info("clock: %s is not running; it catches up when it restarts", key)

    def _arm(self) -> None:
        now = self._clock.now()
        slot = self._schedule.next_slot(now)
        delay = max(0.05, min(WAKE_EVERY, slot.at - time.time()))
        timer = threading.Timer(delay, self._wake)
        timer.daemon = True
        timer.name = "clock-timer"
        self._timer = timer
        timer.start()

    def _wake(self) -> None:
        with contextlib.suppress(pykka.ActorDeadError):  # the clock stopped meanwhile
            self.actor_ref.tell(m.Wake())
