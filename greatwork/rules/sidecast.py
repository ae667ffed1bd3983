"""Sidecasts (D13, section 3.4): juniors an expedition brings home, and their arc with the sponsor.

A sidecast starts as a Postdoc with loyalty 4, employed by the expedition's leader. Three
phases (debut, integration, spotlight) each warm the scholar to the sponsor and pay the sponsor
1 influence. If the sponsor leaves the sidecast unattended (no mentoring, no team place, no lab
assignment) for 3 digests, their loyalty normalises to 2 and they can be poached like anyone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from greatwork.rules.command import Context
from greatwork.rules.constants import HOUR, ROSTER_MAX, Outcome
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.generation import first_rung
from greatwork.rules.ids import ExpeditionCode, Instant, PlayerId, ScholarId
from greatwork.rules.memory import change_feeling, player_key, remember, update_scholar
from greatwork.rules.order import cancel, handles, order_time, schedule
from greatwork.rules.player import gain_influence
from greatwork.rules.roster import ScholarSpawned, generate_next
from greatwork.rules.state import (
    CampaignState,
    Contract,
    EmployerKind,
    Order,
    Scholar,
    Sidecast,
    SidecastKind,
)

CHANCES: Final[Mapping[Outcome, float]] = {
    Outcome.PARTIAL: 0.5,
    Outcome.SUCCESS: 0.75,
    Outcome.LANDMARK: 1.0,
}
START_LOYALTY: Final = 4
NORMAL_LOYALTY: Final = 2
UNATTENDED_LIMIT: Final = 3
SPAWN_FEELING: Final = 0.75

PHASES: Final = ("debut", "integration", "spotlight")
PHASE_FEELINGS: Final = (1.0, 0.6, 1.2)
# Hours from the spawn to the debut, then from each phase to the next.
PHASE_DELAYS: Final[Mapping[SidecastKind, tuple[int, int, int]]] = {
    SidecastKind.LOCAL_JUNIOR: (6, 24, 48),
    SidecastKind.ARCHIVE_GHOST: (8, 30, 54),
    SidecastKind.INDUSTRY_WHISPERER: (4, 20, 36),
    SidecastKind.ECCLESIASTICAL_ADEPT: (12, 36, 72),
}


def phase_order_type(phase: int) -> str:
    """The order type of a phase (0 debut, 1 integration, 2 spotlight)."""
    return f"followup:sidecast_{PHASES[phase]}"


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SidecastPhaseReached(Event):
    """A sidecast reached a phase of their arc (1 debut, 2 integration, 3 spotlight)."""

    scholar: ScholarId
    phase: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SidecastUnattended(Event):
    """A digest passed without the sponsor attending to their sidecast."""

    scholar: ScholarId
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SidecastAttended(Event):
    """The sponsor attended to their sidecast: the unattended count starts again."""

    scholar: ScholarId
    player: PlayerId


@dataclass(frozen=True, slots=True, kw_only=True)
class SidecastNormalised(Event):
    """Left unattended too long, the sidecast's loyalty fell to ``loyalty``."""

    scholar: ScholarId
    loyalty: int


def _with_sidecast(
    state: CampaignState, scholar_id: ScholarId, change: Callable[[Sidecast], Sidecast]
) -> Scholar:
    scholar = state.scholars[scholar_id]
    assert scholar.sidecast is not None  # noqa: S101 (events name sidecasts only)
    return dataclasses.replace(scholar, sidecast=change(scholar.sidecast))


@applies(SidecastPhaseReached)
def _phase(state: CampaignState, e: SidecastPhaseReached) -> CampaignState:
    return update_scholar(
        state, _with_sidecast(state, e.scholar, lambda a: dataclasses.replace(a, phase=e.phase))
    )


@applies(SidecastUnattended)
def _unattended(state: CampaignState, e: SidecastUnattended) -> CampaignState:
    return update_scholar(
        state,
        _with_sidecast(
            state, e.scholar, lambda a: dataclasses.replace(a, unattended_digests=e.count)
        ),
    )


@applies(SidecastAttended)
def _attended(state: CampaignState, e: SidecastAttended) -> CampaignState:
    return update_scholar(
        state,
        _with_sidecast(state, e.scholar, lambda a: dataclasses.replace(a, unattended_digests=0)),
    )


@applies(SidecastNormalised)
def _normalised(state: CampaignState, e: SidecastNormalised) -> CampaignState:
    scholar = _with_sidecast(state, e.scholar, lambda a: dataclasses.replace(a, normalised=True))
    stats = dataclasses.replace(scholar.stats, loyalty=e.loyalty)
    return update_scholar(state, dataclasses.replace(scholar, stats=stats))


# --- helpers ---------------------------------------------------------------------------------


def maybe_spawn_sidecast(
    tx: Tx,
    ctx: Context,
    leader: PlayerId,
    outcome: Outcome,
    at: Instant,
    expedition: ExpeditionCode,
) -> ScholarId | None:
    """Step 10 of an expedition's resolution: perhaps a junior joins the leader (D13).

    Nothing is drawn on a failure or while the roster holds 30 or more. Otherwise a uniform
    draw below 0.5 (partial), 0.75 (success) or 1.0 (landmark) spawns a sidecast of a drawn
    kind, employed by the leader with loyalty 4; the leader gains 1 influence in the
    scholar's primary faction, and the debut is scheduled.

    Returns:
        The new scholar's id, or None if nobody joined.
    """
    chance = CHANCES.get(outcome)
    if chance is None or len(tx.state.scholars) >= ROSTER_MAX:
        return None
    if ctx.rng.random() >= chance:
        return None
    kind = ctx.rng.choice(tuple(SidecastKind))
    base = generate_next(tx.state, ctx.content, at)
    scholar = dataclasses.replace(
        base,
        contract=Contract(
            employer=leader,
            kind=EmployerKind.PLAYER,
            term_years=base.contract.term_years,
            since=at,
        ),
        career=first_rung(ctx.content),
        stats=dataclasses.replace(base.stats, loyalty=START_LOYALTY),
        sidecast=Sidecast(kind=kind, sponsor=leader, spawned_at=at),
    )
    tx.emit(ScholarSpawned(at=at, scholar=scholar, reason="sidecast", sponsor=leader))
    remember(tx, scholar.id, "sidecast", leader, at, details=f"{kind} from {expedition}")
    change_feeling(tx, scholar.id, player_key(leader), SPAWN_FEELING, at, "sidecast")
    gain_influence(tx, leader, {scholar.primary_faction: 1}, at, "sidecast", ref=scholar.id)
    _schedule_phase(tx, scholar.id, leader, kind, 0, at, Instant(at + PHASE_DELAYS[kind][0] * HOUR))
    return scholar.id


def _schedule_phase(
    tx: Tx,
    scholar: ScholarId,
    sponsor: PlayerId,
    kind: SidecastKind,
    phase: int,
    at: Instant,
    due: Instant,
) -> None:
    schedule(
        tx,
        phase_order_type(phase),
        at,
        due=due,
        actor=sponsor,
        subject=scholar,
        payload={"kind": str(kind), "phase": phase},
    )


def _run_phase(tx: Tx, order: Order, ctx: Context) -> None:
    """A phase comes due: the sponsor gains feeling and influence, the next phase is booked."""
    at = order_time(order, ctx)
    sponsor = PlayerId(str(order.actor))
    scholar = tx.state.scholars.get(ScholarId(str(order.subject)))
    if scholar is None or scholar.sidecast is None or scholar.contract.player != sponsor:
        cancel(tx, order.id, at, reason="the sidecast left the sponsor", by="sidecast")
        return
    phase = PHASES.index(order.type.removeprefix("followup:sidecast_"))
    tx.emit(SidecastPhaseReached(at=at, scholar=scholar.id, phase=phase + 1))
    change_feeling(tx, scholar.id, player_key(sponsor), PHASE_FEELINGS[phase], at, order.type)
    if sponsor in tx.state.players:
        gain_influence(tx, sponsor, {scholar.primary_faction: 1}, at, order.type, ref=scholar.id)
    if phase + 1 < len(PHASES):
        kind = scholar.sidecast.kind
        due = Instant((order.scheduled_at or at) + PHASE_DELAYS[kind][phase + 1] * HOUR)
        _schedule_phase(tx, scholar.id, sponsor, kind, phase + 1, at, due)


for _phase_number in range(len(PHASES)):
    handles(phase_order_type(_phase_number))(_run_phase)


def attend(tx: Tx, scholar: ScholarId, player: PlayerId, at: Instant) -> None:
    """The sponsor mentored, fielded or assigned their sidecast: reset the unattended count.

    A no-op unless ``scholar`` is a sidecast of ``player`` that has not yet normalised and
    has at least one unattended digest to forget.
    """
    record = tx.state.scholars.get(scholar)
    if record is None or record.sidecast is None:
        return
    arc = record.sidecast
    if arc.sponsor == player and not arc.normalised and arc.unattended_digests:
        tx.emit(SidecastAttended(at=at, scholar=scholar, player=player))


def tick_sidecasts(tx: Tx, at: Instant) -> None:
    """Once per digest: every sidecast not yet normalised counts one more unattended digest.

    At 3 unattended digests the scholar normalises: loyalty 2, open to poaching like anyone.
    """
    for scholar in sorted(tx.state.scholars.values(), key=lambda s: s.id):
        arc = scholar.sidecast
        if arc is None or arc.normalised:
            continue
        count = arc.unattended_digests + 1
        tx.emit(SidecastUnattended(at=at, scholar=scholar.id, count=count))
        if count >= UNATTENDED_LIMIT:
            tx.emit(SidecastNormalised(at=at, scholar=scholar.id, loyalty=NORMAL_LOYALTY))
