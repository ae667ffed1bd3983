"""What a press writer works with: the story it returns, the desk it reads, the formatting.

A *writer* turns one event into a :class:`Story`: the occasion (which template), the values
of the occasion's fields, and machine-readable ``meta``. The :class:`Desk` gives it the state
after the batch, the content, the batch itself and the event's sequence number, plus the
lookups every writer needs (names, employers). Everything here is pure and deterministic: the
only randomness is a ``random.Random`` seeded from a hash of ``(seed, seq, salt)``.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from greatwork.rules.constants import FACTION_NAMES, Confidence, Faction
from greatwork.rules.content import Content
from greatwork.rules.event import Event
from greatwork.rules.ids import Instant, PlayerId, ScholarId
from greatwork.rules.state import CampaignState, Contract, EmployerKind, Scholar

ELLIPSIS = "…"  # ends a text cut to its cap
NONE = "None"  # GAME_RULES.md 4.1: an empty list of supporters prints as "None"

CONFIDENCE_LABELS: Mapping[Confidence, str] = {
    Confidence.SUSPECT: "Suspect",
    Confidence.CERTAIN: "Certain",
    Confidence.STAKE_MY_CAREER: "Stake My Career",
}


@dataclass(frozen=True, slots=True)
class Story:
    """What a writer makes of one event.

    Attributes:
        occasion: the key of the template (``greatwork.press.occasions.OCCASIONS``).
        fields: a value for each field of the occasion; ``""`` means "no value", and a body
            paragraph that uses such a field is left out.
        meta: machine-readable details for the press item (ids of players, scholars...).
    """

    occasion: str
    fields: Mapping[str, object]
    meta: Mapping[str, Any] = field(default_factory=dict)


class Desk:
    """The state, content and batch a writer reads, with the lookups writers share."""

    __slots__ = ("batch", "content", "seq", "state")

    def __init__(
        self,
        state: CampaignState,
        content: Content,
        seq: int,
        batch: Sequence[tuple[int, Event]] = (),
    ) -> None:
        self.state = state
        self.content = content
        self.seq = seq
        self.batch = batch

    def rng(self, salt: str) -> random.Random:
        """A generator for one narrative choice, derived from (seed, seq, salt)."""
        return random.Random(stable_hash(self.state.seed, self.seq, salt))

    def player(self, player: str | None) -> str:
        """A player's display name (the id itself if the player is unknown)."""
        if not player:
            return ""
        record = self.state.players.get(PlayerId(player))
        return record.display_name if record is not None else str(player)

    def players(self, players: Iterable[str]) -> str:
        """Display names joined as prose, or ``"None"``."""
        return join([self.player(p) for p in players])

    def scholar_record(self, scholar: str | None) -> Scholar | None:
        """A scholar on the roster or retired, if known."""
        if not scholar:
            return None
        key = ScholarId(scholar)
        found = self.state.scholars.get(key)
        return found if found is not None else self.state.retired.get(key)

    def scholar(self, scholar: str | None) -> str:
        """A scholar's name (the id itself if the scholar is unknown)."""
        record = self.scholar_record(scholar)
        return record.name if record is not None else str(scholar or "")

    def scholars(self, scholars: Iterable[str]) -> str:
        """Scholar names joined as prose, or ``"None"``."""
        return join([self.scholar(s) for s in scholars])

    def employer(self, contract: Contract) -> str:
        """Who employs a scholar under this contract, as the Gazette names them."""
        if contract.kind is EmployerKind.PLAYER:
            return self.player(contract.employer)
        if contract.kind is EmployerKind.FACTION:
            return faction_name(contract.employer)
        return contract.employer

    def events_before(self) -> list[Event]:
        """The events of the batch that came before this one, latest first."""
        return [event for seq, event in reversed(self.batch) if seq < self.seq]


def stable_hash(*parts: object) -> int:
    """A hash of the parts that is the same in every process (unlike ``hash()``)."""
    text = ":".join(str(part) for part in parts)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def join(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``; ``"None"`` for no names."""
    names = [n for n in names if n]
    if not names:
        return NONE
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def clause(text: str) -> str:
    """Player or admin text set inside a sentence: trimmed, without a closing full stop."""
    return text.strip().rstrip(".").rstrip()


def signed(value: int) -> str:
    """An integer with its sign: ``+5``, ``-7``, ``+0``."""
    return f"{value:+d}"


def percent(value: float, digits: int = 0) -> str:
    """A probability as a percentage: ``0.8`` -> ``80%`` (``digits`` decimals)."""
    return f"{value * 100:.{digits}f}%"


def faction_name(faction: str | None) -> str:
    """A faction's full name (``academia`` -> ``Academic Institutions``)."""
    if not faction:
        return ""
    try:
        return FACTION_NAMES[Faction(faction)]
    except ValueError:
        return str(faction)


def amounts(influence: Mapping[Faction, int] | Mapping[str, int]) -> str:
    """Influence by faction as prose (``3 Government and 1 Industry``), or ``"nothing"``."""
    parts = [f"{n} {faction_name(str(f))}" for f, n in influence.items() if n]
    return join(parts) if parts else "nothing"


def confidence_label(confidence: Confidence) -> str:
    """``stake_my_career`` -> ``Stake My Career``."""
    return CONFIDENCE_LABELS.get(confidence, str(confidence).replace("_", " ").title())


def words(key: str) -> str:
    """A snake_case key as words: ``think_tank`` -> ``think tank``."""
    return str(key).replace("_", " ")


def title(key: str) -> str:
    """A snake_case key as a title: ``great_project`` -> ``Great Project``."""
    return words(key).title()


def date_text(at: Instant, *, with_time: bool = False) -> str:
    """A UTC date as the Gazette prints it: ``8 January 2026`` (``, 13:00 UTC``)."""
    moment = datetime.fromtimestamp(at, UTC)
    text = f"{moment.day} {moment:%B %Y}"
    return f"{text}, {moment:%H:%M} UTC" if with_time else text


def days(seconds: int) -> str:
    """A duration in whole days (rounded), as a number."""
    return str(max(0, round(seconds / 86_400)))


def cut(text: str, limit: int) -> str:
    """The text, or its longest prefix that ends on a word plus "…", within ``limit``.

    Raises:
        ValueError: ``limit`` is below 2 (no room for a word and the ellipsis).
    """
    if limit < 2:
        raise ValueError(f"A cut needs a limit of at least 2 characters, got {limit}.")
    if len(text) <= limit:
        return text
    room = text[: limit - len(ELLIPSIS) + 1]
    space = max(room.rfind(" "), room.rfind("\n"))
    kept = room[:space] if space > 0 else room[: limit - len(ELLIPSIS)]
    return kept.rstrip(" \n,;:.-—") + ELLIPSIS


# --- registration ----------------------------------------------------------------------------

Writer = Callable[[Any, Desk], Story | None]
_W = TypeVar("_W", bound=Writer)


def registry(table: dict[str, Writer]) -> Callable[..., Callable[[_W], _W]]:
    """A decorator factory that files writers in ``table`` under event class names.

    Events are named by class, or by a string for events defined in modules the press may
    not import (the writer then reads them by attribute).
    """

    def writes(*events: type[Event] | str) -> Callable[[_W], _W]:
        def register(fn: _W) -> _W:
            for event in events:
                name = event if isinstance(event, str) else event.__name__
                if name in table:
                    raise RuntimeError(f"two press writers for {name}")
                table[name] = fn
            return fn

        return register

    return writes
