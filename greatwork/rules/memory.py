"""Scholar memory (D11): facts, feelings that decay once per digest, and scars that never do."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from greatwork.rules.constants import FEELING_DECAY, FEELING_EPSILON, Faction
from greatwork.rules.errors import NotFound
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant, PlayerId, ScholarId
from greatwork.rules.state import CampaignState, Contract, EmployerKind, Fact, Memory, Scholar


def player_key(player: PlayerId) -> str:
    """The feeling key for a player."""
    return f"p:{player}"


def faction_key(faction: Faction) -> str:
    """The feeling key for a faction."""
    return f"f:{faction}"


def institution_key(name: str) -> str:
    """The feeling key for an institution."""
    return f"i:{name}"


def employer_key(contract: Contract) -> str:
    """The feeling key for whoever holds a contract."""
    match contract.kind:
        case EmployerKind.PLAYER:
            return player_key(PlayerId(contract.employer))
        case EmployerKind.FACTION:
            return faction_key(Faction(contract.employer))
        case _:
            return institution_key(contract.employer)


def feeling(scholar: Scholar, key: str) -> float:
    """How the scholar feels about ``key`` (0 when indifferent)."""
    return scholar.memory.feelings.get(key, 0.0)


def get_scholar(state: CampaignState, scholar: ScholarId) -> Scholar:
    """The scholar on the roster, or a NotFound error naming the id."""
    try:
        return state.scholars[scholar]
    except KeyError:
        raise NotFound(f"No scholar {scholar!r} on the roster.", scholar=scholar) from None


def update_scholar(state: CampaignState, scholar: Scholar) -> CampaignState:
    """The state with one scholar record replaced (for appliers)."""
    return dataclasses.replace(state, scholars={**state.scholars, scholar.id: scholar})


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class FeelingChanged(Event):
    """A scholar's feeling toward ``key`` moved by ``delta``."""

    scholar: ScholarId
    key: str
    delta: float
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FactRecorded(Event):
    """A scholar remembers something."""

    scholar: ScholarId
    fact: Fact


@dataclass(frozen=True, slots=True, kw_only=True)
class ScarRecorded(Event):
    """A scholar was scarred; the feeling toward ``subject`` will never decay."""

    scholar: ScholarId
    scar: str  # the kind: defection, betrayal...
    subject: str  # a feeling key


@dataclass(frozen=True, slots=True, kw_only=True)
class FeelingsDecayed(Event):
    """Every unscarred feeling of every scholar decayed x0.98 (once per digest)."""

    digest: int


def _with_memory(state: CampaignState, scholar_id: ScholarId, memory: Memory) -> CampaignState:
    scholar = dataclasses.replace(state.scholars[scholar_id], memory=memory)
    return update_scholar(state, scholar)


@applies(FeelingChanged)
def _feeling(state: CampaignState, e: FeelingChanged) -> CampaignState:
    memory = state.scholars[e.scholar].memory
    value = memory.feelings.get(e.key, 0.0) + e.delta
    feelings = {**memory.feelings, e.key: round(value, 6)}
    return _with_memory(state, e.scholar, dataclasses.replace(memory, feelings=feelings))


@applies(FactRecorded)
def _fact(state: CampaignState, e: FactRecorded) -> CampaignState:
    memory = state.scholars[e.scholar].memory
    return _with_memory(
        state, e.scholar, dataclasses.replace(memory, facts=(*memory.facts, e.fact))
    )


@applies(ScarRecorded)
def _scar(state: CampaignState, e: ScarRecorded) -> CampaignState:
    memory = state.scholars[e.scholar].memory
    scars = memory.scars | {(e.scar, e.subject)}
    return _with_memory(state, e.scholar, dataclasses.replace(memory, scars=scars))


def decayed(memory: Memory) -> Memory:
    """The memory after one digest's decay: scarred keys keep their value."""
    if not memory.feelings:
        return memory
    scarred = {subject for _, subject in memory.scars}
    feelings = {}
    for key, value in memory.feelings.items():
        new = value if key in scarred else round(value * FEELING_DECAY, 6)
        if abs(new) >= FEELING_EPSILON:
            feelings[key] = new
    return dataclasses.replace(memory, feelings=feelings)


@applies(FeelingsDecayed)
def _decay(state: CampaignState, e: FeelingsDecayed) -> CampaignState:
    del e
    scholars = {
        sid: s if not s.memory.feelings else dataclasses.replace(s, memory=decayed(s.memory))
        for sid, s in state.scholars.items()
    }
    return dataclasses.replace(state, scholars=scholars)


# --- helpers deciders use --------------------------------------------------------------------


def change_feeling(
    tx: Tx, scholar: ScholarId, key: str, delta: float, at: Instant, reason: str
) -> None:
    """Move a feeling, if the scholar is still on the roster and the change is not zero."""
    if delta and scholar in tx.state.scholars:
        tx.emit(FeelingChanged(at=at, scholar=scholar, key=key, delta=delta, reason=reason))


def remember(
    tx: Tx, scholar: ScholarId, kind: str, subject: str, at: Instant, details: str = ""
) -> None:
    """Append a fact to the scholar's memory."""
    if scholar in tx.state.scholars:
        fact = Fact(at=at, kind=kind, subject=subject, details=details)
        tx.emit(FactRecorded(at=at, scholar=scholar, fact=fact))


def scar(tx: Tx, scholar: ScholarId, kind: str, subject: str, at: Instant) -> None:
    """Scar the scholar about ``subject`` (a feeling key), unless already scarred so."""
    record = tx.state.scholars.get(scholar)
    if record is not None and (kind, subject) not in record.memory.scars:
        tx.emit(ScarRecorded(at=at, scholar=scholar, scar=kind, subject=subject))


def decay_feelings(tx: Tx, digest: int, at: Instant) -> None:
    """Digest step 1e: decay every scholar's feelings once."""
    tx.emit(FeelingsDecayed(at=at, digest=digest))
