"""Press writers for the roster: arrivals, retirements, sidecast arcs, and table talk."""

from __future__ import annotations

from typing import Any, Final

from greatwork.press._desk import Desk, Story, Writer, join, registry, title
from greatwork.rules.ids import ScholarId
from greatwork.rules.roster import ScholarRetired, ScholarSpawned
from greatwork.rules.sidecast import PHASES, SidecastNormalised, SidecastPhaseReached
from greatwork.rules.state import Scholar

WRITERS: dict[str, Writer] = {}
writes = registry(WRITERS)

# Events of modules other helpers are writing (greatwork/rules/social.py); read by attribute.
TABLE_TALK_EVENT: Final = "TableTalkPosted"
PRESS_SHARED_EVENT: Final = "PressShared"
NICKNAME_EVENT: Final = "NicknameAdopted"
EXCERPT: Final = 48  # characters of table talk quoted in its headline

# --- the roster and sidecasts ----------------------------------------------------------------


def _sidecast_code(desk: Desk, scholar: Scholar) -> str:
    """The expedition a sidecast came from (its sponsor's, resolved at the spawn)."""
    sponsor = scholar.sidecast.sponsor if scholar.sidecast is not None else None
    for x in desk.state.expeditions.values():
        if (
            x.result is not None
            and x.result.resolved_at == scholar.joined_at
            and x.player == sponsor
        ):
            return x.code
    return ""


@writes(ScholarSpawned)
def _spawned(e: ScholarSpawned, desk: Desk) -> Story:
    s = e.scholar
    meta = {"scholar": s.id, "reason": e.reason, "player": e.sponsor}
    if e.reason == "sidecast" and s.sidecast is not None:
        fields: dict[str, object] = {
            "scholar": s.name,
            "sponsor": desk.player(s.sidecast.sponsor),
            "sidecast_kind": title(s.sidecast.kind),
            "code": _sidecast_code(desk, s),
        }
        return Story("sidecast_arrived", fields, meta)
    fields = {
        "scholar": s.name,
        "archetype": s.archetype,
        "discipline": join(list(s.disciplines)),
        "employer": desk.employer(s.contract),
        "tier": s.career.tier,
        "track": s.career.track,
    }
    return Story("legend_joined" if e.reason == "legend" else "scholar_joined", fields, meta)


@writes(ScholarRetired)
def _retired(e: ScholarRetired, desk: Desk) -> Story:
    record = desk.scholar_record(e.scholar)
    fields: dict[str, object] = {
        "scholar": desk.scholar(e.scholar),
        "archetype": record.archetype if record is not None else "scholar",
        "employer": desk.employer(record.contract) if record is not None else "",
    }
    return Story("scholar_retired", fields, {"scholar": e.scholar, "reason": e.reason})


def _sidecast(desk: Desk, scholar: ScholarId) -> tuple[dict[str, object], dict[str, Any]]:
    record = desk.scholar_record(scholar)
    arc = record.sidecast if record is not None else None
    sponsor = arc.sponsor if arc is not None else ""
    fields: dict[str, object] = {
        "scholar": desk.scholar(scholar),
        "sponsor": desk.player(sponsor),
        "sidecast_kind": title(arc.kind) if arc is not None else "Sidecast",
    }
    return fields, {"scholar": scholar, "player": sponsor}


@writes(SidecastPhaseReached)
def _phase(e: SidecastPhaseReached, desk: Desk) -> Story | None:
    if not 1 <= e.phase <= len(PHASES):
        return None
    fields, meta = _sidecast(desk, e.scholar)
    return Story(f"sidecast_{PHASES[e.phase - 1]}", fields, {**meta, "phase": e.phase})


@writes(SidecastNormalised)
def _normalised(e: SidecastNormalised, desk: Desk) -> Story:
    fields, meta = _sidecast(desk, e.scholar)
    return Story("sidecast_normalised", {**fields, "loyalty": e.loyalty}, meta)


# --- table talk, nicknames, shared press (events read by attribute) ---------------------------


@writes(TABLE_TALK_EVENT)
def _table_talk(e: object, desk: Desk) -> Story:
    player = str(getattr(e, "player", ""))
    message = str(getattr(e, "message", ""))
    fields = {"player": desk.player(player), "message": message, "excerpt": excerpt(message)}
    return Story("table_talk", fields, {"player": player})


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """The first words of a message for a headline, cut on a word with "…" (one line)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    room = flat[: limit - 1]
    kept = room.rsplit(" ", 1)[0] if " " in room else room
    return kept.rstrip(" ,;:.-—") + "…"


@writes(PRESS_SHARED_EVENT)
def _shared(e: object, desk: Desk) -> Story:
    player = str(getattr(e, "player", ""))
    press_id = getattr(e, "press_id", "")
    fields = {"player": desk.player(player), "press_id": str(press_id)}
    return Story("press_shared", fields, {"player": player, "press_id": press_id})


@writes(NICKNAME_EVENT)
def _nickname(e: object, desk: Desk) -> Story:
    scholar = str(getattr(e, "scholar", ""))
    record = desk.scholar_record(scholar)
    latest = record.nicknames[-1] if record is not None and record.nicknames else None
    player = str(getattr(e, "player", "") or (latest.player if latest else ""))
    nickname = str(getattr(e, "nickname", "") or (latest.nickname if latest else ""))
    fields = {
        "player": desk.player(player),
        "scholar": desk.scholar(scholar),
        "nickname": nickname,
    }
    return Story("nickname_adopted", fields, {"player": player, "scholar": scholar})
