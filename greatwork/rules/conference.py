"""Conferences (3.7, D2, D3): a public debate that settles an open theory at the next digest.

Rules as built: the theory must be open and have no other conference pending; a scholar may
appear once across supporters and opposition, at most 6 on each side; a launch costs 1
academia influence and each player launches at most one between two digests. At the next
digest ``final = d100 + 5 * supporters - 5 * opposition``: 60 or more is a success, 40-59 a
partial, below 40 a failure. The launcher wins or loses the conference's own wager, and the
theory is settled the same way for its author (a partial leaves it open).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from greatwork.rules.command import Command, Context, decides
from greatwork.rules.constants import MAX_TEAM_SIZE, Confidence, Faction, Outcome
from greatwork.rules.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.expedition_rules import wager_delta  # one wager table for both
from greatwork.rules.ids import ConferenceCode, Instant, PlayerId, ScholarId, TheoryId
from greatwork.rules.order import STEP_CONFERENCES, cancel, handles, order_time, schedule
from greatwork.rules.player import (
    bump_counter,
    change_reputation,
    clamp_reputation,
    next_id,
    spend_influence,
)
from greatwork.rules.state import (
    CampaignState,
    Conference,
    ConferenceStatus,
    Order,
    TheoryStatus,
)
from greatwork.rules.theory import settle_theory

RESOLUTION_ORDER: Final = "conference_resolution"
LAUNCH_COST: Final = {Faction.ACADEMIA: 1}
PER_SCHOLAR: Final = 5
SUCCESS_AT: Final = 60
PARTIAL_AT: Final = 40
MAX_SIDE: Final = MAX_TEAM_SIZE
ORIGIN_PLAYER: Final = "player"
ORIGIN_SIDEWAYS: Final = "sideways"


def conference_outcome(final: int) -> Outcome:
    """``>= 60`` success, ``40-59`` partial, ``< 40`` failure (conferences have no landmark)."""
    if final >= SUCCESS_AT:
        return Outcome.SUCCESS
    if final >= PARTIAL_AT:
        return Outcome.PARTIAL
    return Outcome.FAILURE


def pending_conference(state: CampaignState, theory: TheoryId) -> Conference | None:
    """The conference pending about a theory, if any (D3: at most one)."""
    for c in state.conferences.values():
        if c.theory == theory and c.status is ConferenceStatus.PENDING:
            return c
    return None


def _check_theory(state: CampaignState, theory: TheoryId) -> None:
    record = state.theories.get(theory)
    if record is None:
        raise NotFound(f"No theory {theory!r}.", theory=theory)
    if record.status is not TheoryStatus.OPEN:
        raise Conflict(
            f"Theory {theory} is already {record.status}; only an open theory can be debated.",
            theory=theory,
            status=record.status,
        )


def _check_panel(
    state: CampaignState, supporters: tuple[ScholarId, ...], opposition: tuple[ScholarId, ...]
) -> None:
    panel = (*supporters, *opposition)
    repeated = sorted({s for s in panel if panel.count(s) > 1})
    if repeated:
        listed = ", ".join(repeated)
        raise InvalidInput(
            f"A scholar may appear only once across supporters and opposition: {listed}.",
            scholars=listed,
        )
    for side, names in (("supporters", supporters), ("opposition", opposition)):
        if len(names) > MAX_SIDE:
            raise InvalidInput(
                f"At most {MAX_SIDE} {side}; {len(names)} were named.",
                side=side,
                count=len(names),
                limit=MAX_SIDE,
            )
    missing = [s for s in panel if s not in state.scholars]
    if missing:
        listed = ", ".join(missing)
        raise NotFound(f"No such scholar on the roster: {listed}.", scholars=listed)


def _dedupe(
    ids: Iterable[ScholarId], seen: set[ScholarId], state: CampaignState
) -> list[ScholarId]:
    out = []
    for sid in ids:
        if sid not in seen and sid in state.scholars:
            seen.add(sid)
            out.append(sid)
    return out


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ConferenceLaunched(Event):
    """A conference was called; it resolves at the next digest."""

    conference: Conference


@dataclass(frozen=True, slots=True, kw_only=True)
class ConferenceResolved(Event):
    """The debate happened: the roll, the final score, the outcome and the launcher's delta."""

    code: ConferenceCode
    roll: int
    final: int
    outcome: Outcome
    reputation_delta: int


@applies(ConferenceLaunched)
def _launched(state: CampaignState, e: ConferenceLaunched) -> CampaignState:
    state = bump_counter(state, "conference")
    return dataclasses.replace(
        state, conferences={**state.conferences, e.conference.code: e.conference}
    )


@applies(ConferenceResolved)
def _resolved(state: CampaignState, e: ConferenceResolved) -> CampaignState:
    old = state.conferences[e.code]
    new = dataclasses.replace(
        old,
        status=ConferenceStatus.RESOLVED,
        roll=e.roll,
        final=e.final,
        outcome=e.outcome,
        reputation_delta=e.reputation_delta,
        resolved_at=e.at,
    )
    return dataclasses.replace(state, conferences={**state.conferences, e.code: new})


# --- helpers ---------------------------------------------------------------------------------


def _open(tx: Tx, conference: Conference) -> ConferenceCode:
    tx.emit(ConferenceLaunched(at=conference.launched_at, conference=conference))
    schedule(
        tx,
        RESOLUTION_ORDER,
        conference.launched_at,
        actor=conference.player,
        subject=conference.code,
    )
    return conference.code


def _new_code(state: CampaignState) -> ConferenceCode:
    # numbered from a counter, so two conferences never share a code.
    return ConferenceCode(f"CONF-{next_id(state, 'conference')}")


def open_conference(
    tx: Tx,
    player: PlayerId,
    theory: TheoryId,
    confidence: Confidence,
    supporters: Iterable[ScholarId],
    opposition: Iterable[ScholarId],
    at: Instant,
) -> ConferenceCode:
    """Open a conference for free and outside the per-digest limit (sideways effects).

    Scholars are deduplicated (first mention wins; supporters before opposition) and those
    not on the roster are dropped. If a conference is already pending about the theory, its
    code is returned and nothing new is opened (D3).

    Raises:
        NotFound: no such theory.
        Conflict: the theory is not open.
    """
    _check_theory(tx.state, theory)
    existing = pending_conference(tx.state, theory)
    if existing is not None:
        return existing.code
    seen: set[ScholarId] = set()
    conference = Conference(
        code=_new_code(tx.state),
        player=player,
        theory=theory,
        confidence=confidence,
        launched_at=at,
        supporters=tuple(_dedupe(supporters, seen, tx.state)[:MAX_SIDE]),
        opposition=tuple(_dedupe(opposition, seen, tx.state)[:MAX_SIDE]),
        launched_digest=tx.state.last_digest,
        origin=ORIGIN_SIDEWAYS,
    )
    return _open(tx, conference)


# --- the command -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LaunchConference(Command):
    """/conference: debate an open theory at the next digest, wagering your reputation."""

    theory: TheoryId
    confidence: Confidence
    supporters: tuple[ScholarId, ...] = ()
    opposition: tuple[ScholarId, ...] = ()


@decides(LaunchConference)
def _launch(tx: Tx, cmd: LaunchConference, ctx: Context) -> None:
    del ctx
    state = tx.state
    _check_theory(state, cmd.theory)
    author = state.theories[cmd.theory].player
    if author != cmd.actor:
        # Q-3: calling conferences on other players' theories was the farming exploit; a
        # rival who packs the opposition could refute a stake theory for the price of 1.
        raise PermissionDenied(
            f"Theory {cmd.theory} is not yours: only its author may call a conference on it.",
            theory=cmd.theory,
        )
    existing = pending_conference(state, cmd.theory)
    if existing is not None:
        raise Conflict(
            f"Theory {cmd.theory} already has a conference pending ({existing.code}).",
            theory=cmd.theory,
            conference=existing.code,
        )
    # D3: one launch between two digests. A launch made after digest N carries N.
    for c in state.conferences.values():
        if (
            c.player == cmd.actor
            and c.origin == ORIGIN_PLAYER
            and c.launched_digest == state.last_digest
        ):
            raise Conflict(
                f"You already called {c.code} since the last digest; one conference per digest.",
                conference=c.code,
            )
    _check_panel(state, cmd.supporters, cmd.opposition)
    code = _new_code(state)
    spend_influence(tx, cmd.actor, LAUNCH_COST, cmd.at, "conference", ref=code)
    conference = Conference(
        code=code,
        player=cmd.actor,
        theory=cmd.theory,
        confidence=cmd.confidence,
        launched_at=cmd.at,
        supporters=cmd.supporters,
        opposition=cmd.opposition,
        launched_digest=state.last_digest,
    )
    _open(tx, conference)


@handles(RESOLUTION_ORDER, step=STEP_CONFERENCES)
def _resolve(tx: Tx, order: Order, ctx: Context) -> None:
    at = order_time(order, ctx)
    conf = tx.state.conferences.get(ConferenceCode(order.subject or ""))
    if conf is None or conf.status is not ConferenceStatus.PENDING:
        cancel(tx, order.id, at, "no pending conference")
        return
    roll = ctx.rng.randint(1, 100)
    final = roll + PER_SCHOLAR * len(conf.supporters) - PER_SCHOLAR * len(conf.opposition)
    outcome = conference_outcome(final)
    launcher = tx.state.players[conf.player]
    wager = wager_delta(conf.confidence, outcome)
    applied = clamp_reputation(launcher.reputation + wager) - launcher.reputation
    tx.emit(
        ConferenceResolved(
            at=at, code=conf.code, roll=roll, final=final, outcome=outcome, reputation_delta=applied
        )
    )
    change_reputation(tx, conf.player, wager, at, "conference", ref=conf.code)
    settle_theory(tx, conf.theory, outcome, by=f"conference:{conf.code}", at=at)
