"""What the actor runtime hands to the layers above it: outcomes, journal entries, errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from greatwork.press.item import PressItem
from greatwork.rules.errors import GreatworkError
from greatwork.rules.event import Event
from greatwork.rules.ids import Instant
from greatwork.rules.state import CampaignState


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """A command the campaign accepted and committed.

    Attributes:
        events: what happened, in order; committed before the outcome is returned.
        state: the campaign's state after those events.
        press: the press releases composed from them.
        first_seq: the journal sequence number of the first event.
    """

    events: tuple[Event, ...]
    state: CampaignState
    press: tuple[PressItem, ...] = ()
    first_seq: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class JournalEntry:
    """One journaled event, as ``/export_log`` shows it."""

    seq: int
    at: Instant
    kind: str
    data: Mapping[str, Any]


class UnavailableError(GreatworkError):
    """The campaign cannot take commands right now (restarting, stopped, shutting down).

    Nothing the failed request asked for was applied.
    """


class ActorFailedError(UnavailableError):
    """The request itself made the actor fail (a bug): it was not applied and is not retried."""
