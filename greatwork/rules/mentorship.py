"""Mentorship and careers (3.6): mentors lift scholars up a ladder, one rung per 3 digests.

Rules as built (Q-21 fixed): a tier is never reset behind the player's back. A scholar whose
tier is not a rung of the ladder being climbed can only be mentored with an explicitly chosen
track, which moves them to that ladder's first rung; without one, /mentor refuses and says
why. A scholar already on the top rung has nothing left to learn. During the digest a
mentored scholar whose tier is somehow off their ladder stays put: no tick, no reset, no loop.

Whom one may mentor: a scholar you employ, or one no player employs. Another player's
scholar is theirs to train (reach them through /poach first). A mentorship already running
survives a change of employer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from greatwork.rules.command import Command, Context, decides
from greatwork.rules.errors import Conflict, InvalidInput, PermissionDenied
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant, MentorshipId, PlayerId, ScholarId
from greatwork.rules.memory import change_feeling, get_scholar, player_key, update_scholar
from greatwork.rules.order import STEP_MENTORSHIP, cancel, handles, order_time, schedule
from greatwork.rules.player import bump_counter, gain_influence, next_id, player_label
from greatwork.rules.sidecast import attend
from greatwork.rules.state import (
    CampaignState,
    Career,
    Mentorship,
    MentorshipEntry,
    MentorshipStatus,
    Order,
    Scholar,
)

ACTIVATION_ORDER: Final = "mentorship_activation"
TICKS_PER_RUNG: Final = 3
ACTIVATION_INFLUENCE: Final = 1
PROMOTION_INFLUENCE: Final = 1
COMPLETION_INFLUENCE: Final = 2
ACTIVATION_FEELING: Final = 1.0
PROMOTION_FEELING: Final = 0.5
COMPLETION_FEELING: Final = 1.5


def parse_track(ladders: Mapping[str, tuple[str, ...]], text: str) -> str:
    """The ladder named by ``text`` (any case), or an InvalidInput listing the choices."""
    wanted = text.strip().lower()
    for name in ladders:
        if name.lower() == wanted:
            return name
    choices = ", ".join(ladders)
    raise InvalidInput(
        f"Unknown career track {text!r}: choose one of {choices}.", track=text, choices=choices
    )


def current_mentorship(state: CampaignState, scholar: ScholarId) -> Mentorship | None:
    """The scholar's pending or active mentorship, if any."""
    for m in state.mentorships.values():
        if m.scholar == scholar and m.status in {MentorshipStatus.PENDING, MentorshipStatus.ACTIVE}:
            return m
    return None


def plan_career(
    ladders: Mapping[str, tuple[str, ...]], scholar: Scholar, track: str | None
) -> Career:
    """The career a mentorship starts from, or an InvalidInput saying why it cannot start.

    A chosen track different from the current one, or one whose ladder lacks the current
    tier, starts on that ladder's first rung. Otherwise the scholar keeps their rung, which
    must be on their ladder and below its top.
    """
    career = scholar.career
    if track is not None:
        ladder = ladders[track]
        if track != career.track or career.tier not in ladder:
            return Career(tier=ladder[0], track=track, ticks=0)
    ladder = ladders.get(career.track, ())
    if career.tier not in ladder:
        choices = ", ".join(ladders)
        raise InvalidInput(
            f"{scholar.name} is a {career.tier} ({career.track}), not a rung of any ladder "
            f"they can climb as they are; choose a track ({choices}) to start them on its "
            "first rung.",
            scholar=scholar.id,
            tier=career.tier,
            choices=choices,
        )
    if career.tier == ladder[-1]:
        raise InvalidInput(
            f"{scholar.name} is already a {career.tier}, the top of the {career.track} ladder.",
            scholar=scholar.id,
            tier=career.tier,
        )
    return career


def _attend(tx: Tx, scholar: ScholarId, player: PlayerId, at: Instant) -> None:
    # D13: mentoring a sidecast, or assigning their lab, counts as attending to them.
    record = tx.state.scholars.get(scholar)
    if record is None or record.sidecast is None or record.sidecast.sponsor != player:
        return
    attend(tx, scholar, player, at)


def _reward(
    tx: Tx, m: Mentorship, influence: int, feeling: float, at: Instant, reason: str
) -> None:
    faction = tx.state.scholars[m.scholar].primary_faction
    gain_influence(tx, m.player, {faction: influence}, at, reason, ref=m.id)
    change_feeling(tx, m.scholar, player_key(m.player), feeling, at, reason)


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class MentorshipQueued(Event):
    """A player offered to mentor a scholar; it starts at the next digest."""

    mentorship: Mentorship


@dataclass(frozen=True, slots=True, kw_only=True)
class MentorshipActivated(Event):
    """A mentorship started; ``career`` is where the scholar starts climbing."""

    mentorship: MentorshipId
    career: Career


@dataclass(frozen=True, slots=True, kw_only=True)
class MentorshipCancelled(Event):
    """A mentorship ended before completion (never activated, or the scholar left)."""

    mentorship: MentorshipId
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CareerTicked(Event):
    """A mentored scholar spent one more digest on their rung."""

    scholar: ScholarId
    mentorship: MentorshipId
    ticks: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ScholarPromoted(Event):
    """A mentored scholar climbed to ``tier`` (ticks back to 0)."""

    scholar: ScholarId
    mentorship: MentorshipId
    tier: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MentorshipCompleted(Event):
    """The scholar reached the top rung: the mentorship is complete."""

    mentorship: MentorshipId


@dataclass(frozen=True, slots=True, kw_only=True)
class LabAssigned(Event):
    """The active mentor put the scholar on a track; ``career`` is the result."""

    scholar: ScholarId
    mentorship: MentorshipId
    career: Career


def _set_mentorship(state: CampaignState, m: Mentorship) -> CampaignState:
    return dataclasses.replace(state, mentorships={**state.mentorships, m.id: m})


def _with_career(
    state: CampaignState, scholar: ScholarId, career: Career, entry: MentorshipEntry | None
) -> CampaignState:
    old = state.scholars[scholar]
    history = old.mentorship_history if entry is None else (*old.mentorship_history, entry)
    return update_scholar(
        state, dataclasses.replace(old, career=career, mentorship_history=history)
    )


@applies(MentorshipQueued)
def _queued(state: CampaignState, e: MentorshipQueued) -> CampaignState:
    return _set_mentorship(bump_counter(state, "mentorship"), e.mentorship)


@applies(MentorshipActivated)
def _activated(state: CampaignState, e: MentorshipActivated) -> CampaignState:
    m = state.mentorships[e.mentorship]
    state = _set_mentorship(
        state, dataclasses.replace(m, status=MentorshipStatus.ACTIVE, activated_at=e.at)
    )
    entry = MentorshipEntry(player=m.player, event="activated", at=e.at)
    return _with_career(state, m.scholar, e.career, entry)


@applies(MentorshipCancelled)
def _cancelled(state: CampaignState, e: MentorshipCancelled) -> CampaignState:
    m = state.mentorships[e.mentorship]
    return _set_mentorship(
        state, dataclasses.replace(m, status=MentorshipStatus.CANCELLED, ended_at=e.at)
    )


@applies(CareerTicked)
def _ticked(state: CampaignState, e: CareerTicked) -> CampaignState:
    career = dataclasses.replace(state.scholars[e.scholar].career, ticks=e.ticks)
    return _with_career(state, e.scholar, career, None)


@applies(ScholarPromoted)
def _promoted(state: CampaignState, e: ScholarPromoted) -> CampaignState:
    m = state.mentorships[e.mentorship]
    career = dataclasses.replace(state.scholars[e.scholar].career, tier=e.tier, ticks=0)
    entry = MentorshipEntry(player=m.player, event="promoted", at=e.at)
    return _with_career(state, e.scholar, career, entry)


@applies(MentorshipCompleted)
def _completed(state: CampaignState, e: MentorshipCompleted) -> CampaignState:
    m = state.mentorships[e.mentorship]
    state = _set_mentorship(
        state, dataclasses.replace(m, status=MentorshipStatus.COMPLETED, ended_at=e.at)
    )
    entry = MentorshipEntry(player=m.player, event="completed", at=e.at)
    return _with_career(state, m.scholar, state.scholars[m.scholar].career, entry)


@applies(LabAssigned)
def _lab(state: CampaignState, e: LabAssigned) -> CampaignState:
    m = state.mentorships[e.mentorship]
    state = _set_mentorship(state, dataclasses.replace(m, track=e.career.track))
    return _with_career(state, e.scholar, e.career, None)


# --- commands --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Mentor(Command):
    """/mentor: take a scholar under your wing from the next digest; optionally pick a track."""

    scholar: ScholarId
    track: str | None = None


@decides(Mentor)
def _mentor(tx: Tx, cmd: Mentor, ctx: Context) -> None:
    state, player = tx.state, cmd.actor
    record = get_scholar(state, cmd.scholar)
    employer = record.contract.player
    if employer is not None and employer != player:
        raise PermissionDenied(
            f"{record.name} works for {player_label(state, employer)}; only their employer or an "
            "outsider to "
            "every player may mentor them.",
            scholar=cmd.scholar,
            employer=employer,
        )
    existing = current_mentorship(state, cmd.scholar)
    if existing is not None:
        who = "you" if existing.player == player else player_label(state, existing.player)
        raise Conflict(
            f"{record.name} already has {_article(existing.status)} {existing.status} mentorship "
            f"with {who} ({existing.id}).",
            scholar=cmd.scholar,
            mentor=existing.player,
            mentorship=existing.id,
        )
    ladders = ctx.content.career_ladders
    track = None if cmd.track is None else parse_track(ladders, cmd.track)
    plan_career(ladders, record, track)  # refuse now what activation would refuse
    mid = MentorshipId(f"M-{next_id(state, 'mentorship')}")
    mentorship = Mentorship(
        id=mid, player=player, scholar=cmd.scholar, created_at=cmd.at, track=track
    )
    tx.emit(MentorshipQueued(at=cmd.at, mentorship=mentorship))
    schedule(tx, ACTIVATION_ORDER, cmd.at, actor=player, subject=mid)
    _attend(tx, cmd.scholar, player, cmd.at)


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignLab(Command):
    """/assign_lab: move a scholar you actively mentor to the Academia or Industry ladder."""

    scholar: ScholarId
    track: str


@decides(AssignLab)
def _assign_lab(tx: Tx, cmd: AssignLab, ctx: Context) -> None:
    record = get_scholar(tx.state, cmd.scholar)
    m = current_mentorship(tx.state, cmd.scholar)
    if m is None or m.status is not MentorshipStatus.ACTIVE or m.player != cmd.actor:
        raise PermissionDenied(
            f"Only {record.name}'s active mentor may assign their lab.", scholar=cmd.scholar
        )
    ladders = ctx.content.career_ladders
    track = parse_track(ladders, cmd.track)
    career = record.career
    if track != career.track:
        career = Career(tier=ladders[track][0], track=track, ticks=0)
    tx.emit(LabAssigned(at=cmd.at, scholar=cmd.scholar, mentorship=m.id, career=career))
    _attend(tx, cmd.scholar, cmd.actor, cmd.at)


# --- the digest ------------------------------------------------------------------------------


def _cancel_activation(tx: Tx, order: Order, m: Mentorship | None, at: Instant, why: str) -> None:
    if m is not None and m.status is MentorshipStatus.PENDING:
        tx.emit(MentorshipCancelled(at=at, mentorship=m.id, reason=why))
    cancel(tx, order.id, at, why)


@handles(ACTIVATION_ORDER, step=STEP_MENTORSHIP)
def _activate(tx: Tx, order: Order, ctx: Context) -> None:
    at = order_time(order, ctx)
    m = tx.state.mentorships.get(MentorshipId(order.subject or ""))
    if m is None or m.status is not MentorshipStatus.PENDING:
        _cancel_activation(tx, order, None, at, "no pending mentorship")
        return
    record = tx.state.scholars.get(m.scholar)
    if record is None:
        _cancel_activation(tx, order, m, at, "the scholar left the roster")
        return
    if any(
        o.scholar == m.scholar and o.status is MentorshipStatus.ACTIVE
        for o in tx.state.mentorships.values()
    ):
        _cancel_activation(tx, order, m, at, "the scholar already has an active mentor")
        return
    try:
        career = plan_career(ctx.content.career_ladders, record, m.track)
    except InvalidInput as exc:
        _cancel_activation(tx, order, m, at, exc.message)
        return
    tx.emit(MentorshipActivated(at=at, mentorship=m.id, career=career))
    _reward(tx, m, ACTIVATION_INFLUENCE, ACTIVATION_FEELING, at, "mentorship_activated")


def tick_careers(tx: Tx, ctx: Context, at: Instant) -> None:
    """Digest step, after activations: each actively mentored scholar gains one tick.

    At 3 ticks below the top rung the scholar is promoted (ticks back to 0; the mentor gains
    +1 influence in the scholar's primary faction and +0.5 feeling); reaching the top rung
    also completes the mentorship (+2 influence, +1.5 feeling).
    """
    ladders = ctx.content.career_ladders
    active = [m for m in tx.state.mentorships.values() if m.status is MentorshipStatus.ACTIVE]
    for m in active:
        record = tx.state.scholars.get(m.scholar)
        if record is None:
            tx.emit(MentorshipCancelled(at=at, mentorship=m.id, reason="the scholar left"))
            continue
        _attend(tx, m.scholar, m.player, at)
        ladder = ladders.get(record.career.track, ())
        if record.career.tier not in ladder:
            continue  # off the ladder, stay put rather than reset
        rung = ladder.index(record.career.tier)
        if rung == len(ladder) - 1:
            tx.emit(MentorshipCompleted(at=at, mentorship=m.id))
            continue
        ticks = record.career.ticks + 1
        if ticks < TICKS_PER_RUNG:
            tx.emit(CareerTicked(at=at, scholar=m.scholar, mentorship=m.id, ticks=ticks))
            continue
        tx.emit(ScholarPromoted(at=at, scholar=m.scholar, mentorship=m.id, tier=ladder[rung + 1]))
        _reward(tx, m, PROMOTION_INFLUENCE, PROMOTION_FEELING, at, "mentorship_promoted")
        if rung + 1 == len(ladder) - 1:
            tx.emit(MentorshipCompleted(at=at, mentorship=m.id))
            _reward(tx, m, COMPLETION_INFLUENCE, COMPLETION_FEELING, at, "mentorship_completed")


def _article(word: str) -> str:
    """``a`` or ``an`` for a word (only the statuses a mentorship has)."""
    return "an" if word[:1].lower() in "aeiou" else "a"
