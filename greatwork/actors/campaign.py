"""The campaign actor: the aggregate root and the only writer of its campaign's journal.

It holds the campaign's state, decides commands with the pure rules engine, runs the digests
and symposia the clock's ticks make due (each exactly once, keyed by its slot), composes the
press, and hands each command's events, press and snapshots to the journal in one batch. It
applies the events at once, so the next command sees them, but whoever asked waits until the
batch is committed before showing anything.

The scholars, factions and open negotiations of the campaign are mirrored in entity actors it
starts and keeps up to date (see :mod:`greatwork.actors.entities`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pykka

from greatwork.actors import messages as m
from greatwork.actors.base import FailureHook, GreatworkActor
from greatwork.actors.entities import EntityMirror
from greatwork.actors.press_desk import Hold
from greatwork.actors.press_rows import press_row
from greatwork.actors.schedule import Schedule, SlotKind
from greatwork.metrics import Metrics
from greatwork.press.item import PressDraft, PressItem
from greatwork.rules import command as rules_command
from greatwork.rules.campaign import new_campaign, start_campaign
from greatwork.rules.codec import encode_event
from greatwork.rules.command import Context, Result
from greatwork.rules.content import Content
from greatwork.rules.digest import run_digest, run_symposium
from greatwork.rules.errors import GamePaused
from greatwork.rules.event import Event, Tx
from greatwork.rules.ids import CampaignId, Instant
from greatwork.rules.rng import command_rng
from greatwork.rules.state import CampaignState
from greatwork.store import Batch, CampaignRow, EventRow, Loaded
from greatwork.store.replay import rebuild

log = logging.getLogger(__name__)

Composer = Callable[[Sequence[tuple[int, Event]], CampaignState, Content], list[PressDraft]]


class Clock(Protocol):
    """Where the time comes from: the system clock, or a virtual one."""

    def now(self) -> Instant:
        """The current time, epoch seconds UTC."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class CampaignDeps:
    """What a campaign actor needs from the process around it.

    Attributes:
        content: the game's content.
        schedule: digest and symposium slots.
        clock: the time.
        submit: hands a batch to the journal's writer (thread-safe, never blocks).
        stage: tells the server what a batch will publish once committed (thread-safe).
        compose: turns events into press drafts.
        press_desk: the campaign's press desk, which gets the clock's ticks too.
        catch_up_cap: the most missed digests run in one go.
        failure_hook: reports a failed actor to the supervisor.
        metrics: counts the digests (None: not counted).
    """

    content: Content
    schedule: Schedule
    clock: Clock
    submit: Callable[[Batch], None]
    stage: Callable[[m.Accepted], None]
    compose: Composer
    press_desk: pykka.ActorRef[Any] | None
    catch_up_cap: int
    failure_hook: FailureHook | None = None
    metrics: Metrics | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NewCampaign:
    """How to create a campaign that has no journal yet."""

    campaign_id: CampaignId
    seed: int
    name: str = ""


class CampaignActor(GreatworkActor):
    """One campaign: decides, journals, applies, runs its digests."""

    def __init__(self, source: Loaded | NewCampaign, deps: CampaignDeps) -> None:
        campaign_id = (
            source.campaign_id if isinstance(source, NewCampaign) else source.campaign.campaign_id
        )
        super().__init__(f"campaign:{campaign_id}", deps.failure_hook)
        self.campaign_id = CampaignId(campaign_id)
        self._source: Loaded | NewCampaign | None = source
        self._deps = deps
        self._state: CampaignState | None = None
        self._next_press = 1
        self._entities: EntityMirror | None = None
        self._forced: list[int] = []

    # --- life ---------------------------------------------------------------------------------

    def start_up(self) -> None:
        """Rebuild the state from the journal (or create the campaign), then catch up."""
        source, self._source = self._source, None
        deps = self._deps
        if isinstance(source, NewCampaign):
            at = deps.clock.now()
            state = new_campaign(source.campaign_id, source.seed, at)
            tx = Tx(state)
            start_campaign(tx, self._ctx(state, "start", at), at)
            self._state = state
            self._commit(
                Result(tx.state, tuple(tx.events)),
                campaign=CampaignRow(
                    campaign_id=source.campaign_id,
                    seed=source.seed,
                    created_at=at,
                    name=source.name,
                ),
            )
        elif source is not None:
            self._state = rebuild(source)
            self._next_press = source.max_press_id + 1
        self._entities = EntityMirror(self.campaign_id, self.key, deps.failure_hook)
        self._catch_up(deps.clock.now())

    def on_stop(self) -> None:
        """Stop the entity actors this campaign started."""
        if self._entities is not None:
            self._entities.stop_all()

    def on_failure(self, *_exc_info: object) -> None:
        """Stop the entity actors too; the supervisor restarts the whole campaign."""
        self.on_stop()

    @property
    def state(self) -> CampaignState:
        """The current state (events applied, maybe not yet committed)."""
        if self._state is None:  # pragma: no cover (start_up sets it before any message)
            raise RuntimeError(f"{self.key} has no state")
        return self._state

    # --- messages -------------------------------------------------------------------------------

    def handle(self, message: object) -> object:  # noqa: PLR0911 (one return per message)
        """Dispatch one message."""
        match message:
            case m.Execute(command=command):
                ctx = self._ctx(self.state, "cmd", command.at)
                return self._commit(rules_command.execute(self.state, command, ctx))
            case m.RunDigest(at=at, by=by):
                log.info("%s: %s runs the next digest now", self.key, by)
                return self._digest(Instant(max(at, self._latest())), "admin")
            case m.Tick(now=now):
                self._catch_up(now)
                return None
            case m.Barrier():
                return self.state.seq
            case m.ForceRoll(value=value):
                self._forced.append(value)
                return None
            case m.GetState():
                return self.state
            case m.Entity(key=key) if self._entities is not None:
                return self._entities.activate(key, self.state)
            case m.RestartEntity(key=key, urn=urn) if self._entities is not None:
                return self._entities.restart(key, self.state, failed=urn)
        raise TypeError(f"{self.key} does not handle {type(message).__name__}")

    # --- digests and symposia ---------------------------------------------------------------------

    def _latest(self) -> Instant:
        state = self.state
        return Instant(max(state.created_at, state.last_digest_at or 0))

    def _catch_up(self, now: Instant) -> None:
        """Run every digest and symposium slot due by ``now`` that has not run yet.

        The press desk gets the tick first, so delayed press due by now goes out before the
        digests; while paused it gets :class:`Hold` instead and delayed press waits too.
        """
        state = self.state
        desk = self._deps.press_desk
        if desk is not None:
            pause = state.pause
            desk.tell(m.Tick(now) if pause is None else Hold(now, pause.since))
        if state.paused:
            return  # they wait; the next tick after the resume catches them up
        last_digest = Instant(max(state.created_at, state.last_digest_at or 0))
        last_symposium = _last_symposium(state)
        slots = self._deps.schedule.slots_between(Instant(min(last_digest, last_symposium)), now)
        digests = [s for s in slots if s.kind is SlotKind.DIGEST and s.at > last_digest]
        cap = self._deps.catch_up_cap
        trigger = "clock" if len(digests) <= 1 else "catch_up"
        if len(digests) > cap:
            skipped = len(digests) - cap
            if self._deps.metrics is not None:
                self._deps.metrics.digests_skipped(skipped)
            log.warning(
                "%s missed %d digests; running the last %d (catch_up_cap)", self.key, skipped, cap
            )
            keep = {s.at for s in digests[skipped:]}
            slots = [s for s in slots if s.kind is not SlotKind.DIGEST or s.at in keep]
        for slot in slots:
            try:
                if slot.kind is SlotKind.DIGEST and slot.at > last_digest:
                    self._digest(slot.at, trigger)
                elif slot.kind is SlotKind.SYMPOSIUM and slot.at > last_symposium:
                    self._symposium(slot.at)
            except GamePaused:
                log.info("%s is paused: the digest of %d waits", self.key, slot.at)
                return

    def _digest(self, at: Instant, trigger: str = "clock") -> m.Accepted:
        started = time.perf_counter()
        state = self.state
        number = state.last_digest + 1
        accepted = self._commit(run_digest(state, number, at, self._ctx(state, "digest", at)))
        if self._deps.metrics is not None:
            self._deps.metrics.digest_done(trigger, time.perf_counter() - started)
        return accepted

    def _symposium(self, at: Instant) -> m.Accepted:
        state = self.state
        return self._commit(run_symposium(state, at, self._ctx(state, "symposium", at)))

    # --- committing -----------------------------------------------------------------------------

    def _ctx(self, state: CampaignState, salt: str, at: Instant) -> Context:
        rng = command_rng(state, salt)
        if self._forced:
            rng = RiggedRandom(rng, self._forced)
        return Context(content=self._deps.content, rng=rng, now=at)

    def _commit(self, result: Result, campaign: CampaignRow | None = None) -> m.Accepted:
        """Journal, apply and stage a decided result.

        Everything that can fail (composing, encoding) happens before the batch goes to the
        writer; after that only assignments remain, so a failure never leaves the state ahead
        of what was submitted.
        """
        before = self.state
        first = before.seq
        events = result.events
        numbered = list(enumerate(events, start=first))
        drafts = self._deps.compose(numbered, result.state, self._deps.content)
        ran = next((e for e in events if e.kind == "DigestCompleted"), None)
        press = self._number(drafts, result.state, ran is not None)
        digests = tuple(
            m.DigestDone(
                campaign_id=self.campaign_id,
                number=int(getattr(e, "number", 0)),
                year=result.state.year,
                at=e.at,
            )
            for e in events
            if e.kind == "DigestCompleted"
        )
        batch = Batch(
            campaign_id=self.campaign_id,
            events=tuple(
                EventRow(seq=seq, at=e.at, kind=e.kind, data=_dumps(encode_event(e)))
                for seq, e in numbered
            ),
            press=tuple(press_row(p) for p in press),
            campaign=campaign,
        )
        accepted = m.Accepted(
            campaign_id=self.campaign_id,
            first_seq=first,
            last_seq=result.state.seq - 1,
            events=events,
            state=result.state,
            press=press,
            digests=digests,
        )
        pause = result.state.pause
        desk = self._deps.press_desk
        if desk is not None and pause is not None and not before.paused:
            # Before the batch is published: the layers it composes wait for the resume.
            with contextlib.suppress(pykka.ActorDeadError):
                desk.tell(Hold(pause.since, pause.since))
        if events or campaign is not None:
            self._deps.stage(accepted)  # before submit: the server knows what to publish
            self._deps.submit(batch)
        self._state = result.state
        self._next_press += len(press)
        if self._entities is not None:
            self._entities.sync(before, result.state)
        return accepted

    def _number(
        self,
        drafts: Sequence[PressDraft],
        state: CampaignState,
        digest_ran: bool,  # noqa: FBT001 (one switch)
    ) -> tuple[PressItem, ...]:
        """Number the drafts; each belongs to the Gazette of the digest that prints it.

        A digest's own press belongs to that digest; anything else to the next one (or, for a
        delayed item, to the first digest at or after its release).
        """
        out = []
        for index, draft in enumerate(drafts):
            if digest_ran and draft.release_at <= draft.at:
                digest = state.last_digest
            else:
                digest = state.last_digest + 1
            if draft.release_at > draft.at:
                later = self._deps.schedule.digest_slots_between(
                    draft.at, Instant(draft.release_at - 1)
                )
                digest += len(later)
            out.append(
                PressItem(
                    id=self._next_press + index,
                    kind=draft.kind,
                    headline=draft.headline,
                    body=draft.body,
                    at=draft.at,
                    release_at=draft.release_at,
                    seq=draft.seq,
                    digest=digest,
                    meta=draft.meta,
                )
            )
        return tuple(out)


class RiggedRandom(random.Random):
    """A seeded RNG whose next d100 rolls are fixed (scenario scripts only).

    A forced value N is used by the next ``randint(1, 100)`` (expedition and conference rolls)
    or the next ``random()`` (percent draws: recruitment, offers), as ``(N - 0.5) / 100``.
    Events record outcomes, so a replay never needs to know a roll was forced.
    """

    def __init__(self, base: random.Random, forced: list[int]) -> None:
        super().__init__()
        self.setstate(base.getstate())
        self._forced = forced

    def randint(self, a: int, b: int) -> int:
        """The forced roll for a d100, else a seeded draw."""
        if (a, b) == (1, 100) and self._forced:
            return self._forced.pop(0)
        return super().randint(a, b)

    def random(self) -> float:
        """The forced roll as a fraction, else a seeded draw."""
        if self._forced:
            return (self._forced.pop(0) - 0.5) / 100
        return super().random()


def _last_symposium(state: CampaignState) -> Instant:
    launched = [t.launched_at for t in state.topics.values()]
    return Instant(max([state.created_at, *launched]))


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
