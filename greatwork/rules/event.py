"""Events, the appliers that fold them into state, and the transaction that emits them.

``apply(state, event)`` is the only way state changes. Events record outcomes (the roll, the
draw), so applying a journal never needs the RNG. Each rules module defines its events next
to its appliers and registers them with :func:`applies`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from greatwork.rules.errors import ReplayError
from greatwork.rules.ids import Instant
from greatwork.rules.state import CampaignState

EVENT_TYPES: dict[str, type[Event]] = {}

_E = TypeVar("_E", bound="Event")
Applier = Callable[[CampaignState, Any], CampaignState]
_APPLIERS: dict[type[Event], Applier] = {}


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Something that happened to a campaign, at a time.

    Attributes:
        at: when it happened (epoch seconds, UTC).
    """

    at: Instant

    kind: ClassVar[str] = "event"

    def __init_subclass__(cls) -> None:
        # No super() call: a zero-argument super() breaks under @dataclass(slots=True), and
        # object.__init_subclass__ does nothing. @dataclass(slots=True) builds a second
        # class with the same name; the later one wins, and it is the one in use.
        EVENT_TYPES[cls.__name__] = cls
        cls.kind = cls.__name__


def applies(event_type: type[_E]) -> Callable[[Callable[[CampaignState, _E], CampaignState]], Any]:
    """Register the applier of one event type."""

    def register(fn: Callable[[CampaignState, _E], CampaignState]) -> Any:  # noqa: ANN401
        if event_type in _APPLIERS:
            raise RuntimeError(f"two appliers for {event_type.__name__}")
        _APPLIERS[event_type] = fn
        return fn

    return register


def apply(state: CampaignState, event: Event) -> CampaignState:
    """Fold one event into the state; the result counts one more event."""
    try:
        fn = _APPLIERS[type(event)]
    except KeyError:
        raise ReplayError(f"no applier for {type(event).__name__}") from None
    return _with_seq(fn(state, event))


def _with_seq(state: CampaignState) -> CampaignState:
    """A copy of ``state`` counting one more event.

    The same as ``dataclasses.replace(state, seq=state.seq + 1)``, which re-reads the fields
    and runs ``__init__`` on every call: this copy is about five times faster, and it runs
    once per event, at every command and every replay.
    """
    new = object.__new__(CampaignState)
    for name in _STATE_FIELDS:
        object.__setattr__(new, name, getattr(state, name))
    object.__setattr__(new, "seq", state.seq + 1)
    return new


_STATE_FIELDS = tuple(f.name for f in dataclasses.fields(CampaignState))


def apply_all(state: CampaignState, events: Iterable[Event]) -> CampaignState:
    """Fold a sequence of events, in order."""
    for event in events:
        state = apply(state, event)
    return state


def registered_events() -> frozenset[type[Event]]:
    """Every event type that has an applier (used by tests and the codec)."""
    return frozenset(_APPLIERS)


class Tx:
    """A command's or a digest's working copy: each emitted event is applied at once.

    Decisions read ``tx.state`` and see the effect of every event emitted before, so a
    sequence of steps behaves exactly as the replay of its events will.
    """

    __slots__ = ("events", "state")

    def __init__(self, state: CampaignState) -> None:
        self.state = state
        self.events: list[Event] = []

    def emit(self, event: Event) -> None:
        """Apply an event and keep it for the journal."""
        self.state = apply(self.state, event)
        self.events.append(event)
