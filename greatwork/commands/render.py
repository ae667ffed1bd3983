"""Small pure helpers that turn rules values into reply text and JSON-ready data.

Handlers in the ``commands/player/`` and ``commands/admin/`` packages use them so every reply
writes times, signed numbers, odds, balances and names the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final, TypeVar

from greatwork.actors.types import JournalEntry, Outcome
from greatwork.press.item import PressItem
from greatwork.rules.codec import encode
from greatwork.rules.constants import FACTION_NAMES, FACTIONS, Faction
from greatwork.rules.event import Event
from greatwork.rules.ids import Instant, PlayerId, ScholarId
from greatwork.rules.state import CampaignState, Contract, EmployerKind

__all__ = [
    "bullets",
    "clip",
    "employer_text",
    "event_of",
    "events_of",
    "faction_label",
    "influence_data",
    "influence_text",
    "iso",
    "journal_data",
    "jsonable",
    "percent",
    "player_name",
    "plural",
    "press_data",
    "press_ids",
    "press_line",
    "press_path",
    "scholar_name",
    "signed",
    "when",
]

ELLIPSIS: Final = "…"
ARCHIVE_BASE: Final = "/archive"  # the web archive's base path (issue 7 serves it)

_E = TypeVar("_E", bound=Event)


# --- numbers and times ------------------------------------------------------------------------


def iso(at: Instant | int) -> str:
    """An instant as ISO 8601 in UTC, to the second: ``2026-01-01T13:00:00Z``."""
    return dt.datetime.fromtimestamp(int(at), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def when(at: Instant | int) -> str:
    """An instant for people: ``2026-01-01 13:00 UTC``."""
    return dt.datetime.fromtimestamp(int(at), dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def signed(value: float) -> str:
    """A change with its sign: ``+5``, ``-7``, ``0``, ``+0.75``."""
    if not float(value).is_integer():
        return f"{value:+.2f}".rstrip("0").rstrip(".")
    number = int(value)
    return f"+{number}" if number > 0 else str(number)


def percent(chance: float) -> str:
    """A probability as a percentage with at most one decimal: ``80%``, ``62.5%``."""
    text = f"{chance * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 scholar``, ``3 scholars`` (``many`` for irregular plurals)."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


# --- factions and balances --------------------------------------------------------------------


def faction_label(faction: Faction) -> str:
    """``academia (Academic Institutions)``."""
    return f"{faction} ({FACTION_NAMES[faction]})"


def influence_text(amounts: Mapping[Faction, int], *, zeros: bool = False) -> str:
    """Balances or costs in canonical order: ``academia 2, government 1`` (``none`` if empty)."""
    parts = [
        f"{faction} {amounts.get(faction, 0)}"
        for faction in FACTIONS
        if zeros or amounts.get(faction, 0)
    ]
    return ", ".join(parts) or "none"


def influence_data(amounts: Mapping[Faction, int]) -> dict[str, int]:
    """Balances as ``{faction: n}`` for ``data``, every faction present, canonical order."""
    return {str(faction): int(amounts.get(faction, 0)) for faction in FACTIONS}


# --- names ------------------------------------------------------------------------------------


def player_name(state: CampaignState, player: PlayerId | str) -> str:
    """A player's display name, or the id if they have not joined."""
    record = state.players.get(PlayerId(player))
    return record.display_name if record is not None else str(player)


def scholar_name(state: CampaignState, scholar: ScholarId | str) -> str:
    """``Dr Elara Ironquill (s.ironquill)``; retired scholars are marked, unknown ids shown."""
    record = state.scholars.get(ScholarId(scholar))
    if record is not None:
        return f"{record.name} ({record.id})"
    gone = state.retired.get(ScholarId(scholar))
    if gone is not None:
        return f"{gone.name} ({gone.id}, retired)"
    return str(scholar)


def employer_text(state: CampaignState, contract: Contract) -> str:
    """Who employs a scholar, for people: a player's name, a faction's, an institution's."""
    match contract.kind:
        case EmployerKind.PLAYER:
            return player_name(state, contract.employer)
        case EmployerKind.FACTION:
            try:
                return FACTION_NAMES[Faction(contract.employer)]
            except ValueError:
                return contract.employer
        case _:
            return contract.employer


# --- text -------------------------------------------------------------------------------------


def clip(text: str, limit: int) -> str:
    """The text, cut to ``limit`` characters with an ellipsis when longer."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + ELLIPSIS


def bullets(lines: Iterable[str], empty: str = "None.") -> str:
    """Lines as a bulleted list, or ``empty`` when there are none."""
    listed = [f"• {line}" for line in lines]
    return "\n".join(listed) if listed else empty


# --- data and outcomes ------------------------------------------------------------------------


def jsonable(value: object) -> Any:  # noqa: ANN401 (whatever json.dumps accepts)
    """A JSON-ready copy: enums become their values, tuples and sets lists, records dicts."""
    return encode(value)


def events_of(outcome: Outcome, kind: type[_E]) -> list[_E]:
    """The outcome's events of one type, in order."""
    return [e for e in outcome.events if isinstance(e, kind)]


def event_of(outcome: Outcome, kind: type[_E]) -> _E:
    """The first event of one type in an accepted outcome.

    Raises:
        LookupError: the outcome has none (a bug: the rules always emit it for that command).
    """
    for event in outcome.events:
        if isinstance(event, kind):
            return event
    raise LookupError(f"the outcome has no {kind.__name__} event")


def press_ids(outcome: Outcome) -> list[int]:
    """The numbers of the press releases composed from an outcome (empty without a desk)."""
    return [item.id for item in outcome.press]


# --- press and the journal --------------------------------------------------------------------


def press_path(press_id: int) -> str:
    """The permalink path of a press item in the web archive: ``/archive/press/12.html``."""
    return f"{ARCHIVE_BASE}/press/{press_id}.html"


def press_line(item: PressItem) -> str:
    """One line for a listing: ``#12 · 2026-01-01 13:00 UTC · Headline``."""
    return f"#{item.id} · {when(item.release_at)} · {item.headline}"


def press_data(item: PressItem, *, body: bool = False) -> dict[str, Any]:
    """A press item for ``data``: id, kind, headline, times, digest, permalink (and body)."""
    out: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind,
        "headline": item.headline,
        "at": iso(item.at),
        "released_at": iso(item.release_at),
        "digest": item.digest,
        "path": press_path(item.id),
    }
    if body:
        out["body"] = item.body
    return out


def journal_data(entry: JournalEntry) -> dict[str, Any]:
    """A journal entry for ``data`` and exports: seq, time, kind and the event itself."""
    return {"seq": entry.seq, "at": iso(entry.at), "kind": entry.kind, "data": jsonable(entry.data)}
