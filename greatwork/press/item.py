"""A press release: what the Gazette prints, as the journal stores it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from greatwork.rules.ids import Instant


@dataclass(frozen=True, slots=True, kw_only=True)
class PressDraft:
    """A press release composed from events, before the campaign numbers it.

    Attributes:
        kind: the press type of GAME_RULES.md section 4.1 (``academic_bulletin``...).
        headline: one line, at most 256 characters.
        body: the text, at most 1,500 characters.
        at: when the event behind it happened.
        release_at: when it goes public: ``at`` for most, later for layered follow-ups.
        seq: the journal sequence number of the event that caused it.
        meta: machine-readable details (speaker, scholar ids, expedition code...).
    """

    kind: str
    headline: str
    body: str
    at: Instant
    release_at: Instant
    seq: int
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class PressItem:
    """A numbered press release of one campaign.

    Attributes:
        id: 1, 2, 3... per campaign, in the order the releases were composed.
        digest: the number of the digest whose Gazette carries it (the next one after
            ``release_at``, or the digest that produced it).
    """

    id: int
    kind: str
    headline: str
    body: str
    at: Instant
    release_at: Instant
    seq: int
    digest: int
    meta: Mapping[str, Any] = field(default_factory=dict)
