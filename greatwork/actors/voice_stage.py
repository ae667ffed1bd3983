"""The persona voice between the press desk and the subscribers (issue 5, D14).

Press releases are journaled as their templates wrote them, with their events. When a voice
backend is configured, everything the press desk releases for a campaign (press items and
finished digests, in the desk's order) passes through one FIFO per campaign before it reaches
the subscribers (the Discord outbox, ``play``). Each release of the desk is handled whole:
its enhanceable items are rewritten one after another (``greatwork.llm.voice.enhance``, on the
event loop, never on an actor's thread), each accepted rewrite is journaled
(``Store.record_voice``) before anything of the release is published, and then the release is
published in its order, so a digest's post (read back from the journal) carries its stories'
voices. Later releases wait behind it; the client's retry budget bounds the wait.

Each call's outcome goes to the pause rule as the rules command ``RecordLlmOutcome`` (section
3.14): a failed call (timeout, connection, 429 or 5xx after the retries, an invalid answer) is
a failure; an enhanced item is a success; an answer discarded by moderation, the facts check
or the caps is neither (it is logged and counted). A rewrite moderation blocked is journaled
as ``RecordModeration`` on the surface ``llm_output``, so the admins are told (see
``alerts.py``); an admin override for that exact text lets it through.

While a failure streak is open, at most one item every
:data:`~greatwork.actors.alerts.PROBE_EVERY` seconds of the game clock is sent to the model;
the others go out as written at once, so an outage delays the Gazette by one retry budget a
minute at most, not by one per item. While a streak is open, and while the model keeps a
campaign paused with ``llm_auto_resume`` on, the stage also probes the model with one tiny
completion every ``PROBE_EVERY`` seconds (on the clock's ticks): a streak ends as soon as the
model answers, a model that stays down pauses the game after 600 s of failures even when no
item needs it, and the game resumes by itself when the model is back.

On stop, the call in flight is cancelled and whatever waits is published as its template: a
release is never lost nor published twice. After a crash, the releases that waited are not
published again by the desk; the outbox finds them in the journal, as their templates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from greatwork.actors import messages as m
from greatwork.actors.alerts import PROBE_EVERY
from greatwork.actors.types import Outcome, UnavailableError
from greatwork.llm.client import ChatMessage, LlmError
from greatwork.llm.moderation import OUTPUT_SURFACE, Verdict, check_output
from greatwork.llm.voice import Backend, MockVoice, Status, enhance, not_enhanced_because
from greatwork.press.item import PressItem
from greatwork.rules.command import Command
from greatwork.rules.errors import GreatworkError
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.moderation import RecordModeration, override_for
from greatwork.rules.pause import SOURCE_LLM, RecordLlmOutcome, llm_failed, llm_succeeded
from greatwork.rules.state import CampaignState

if TYPE_CHECKING:
    from greatwork.llm.voice import Outcome as VoiceOutcome

__all__ = ["PROBE_PROMPT", "SERVER", "Released", "VoiceStage", "VoiceStats"]

log = logging.getLogger(__name__)

SERVER: Final = PlayerId("server")
"""The actor of the commands the stage runs (they need no player)."""

PROBE_PROMPT: Final = "Reply with the single word: ready."
PROBE_TOKENS: Final = 8

Released = PressItem | m.DigestDone
"""What the press desk releases: press items and finished digests."""

Publish = Callable[[CampaignId, tuple[Released, ...]], None]
Execute = Callable[[CampaignId, Command], Awaitable[Outcome]]
StateOf = Callable[[CampaignId], CampaignState | None]
RecordVoice = Callable[[CampaignId, PressItem], Awaitable[bool]]
Now = Callable[[], Instant]
Moderate = Callable[[str], Verdict]


@dataclass(slots=True)
class VoiceStats:
    """What the stage did since it started (for logs and ``greatwork_llm_requests_total``).

    Attributes:
        enhanced: items whose body the model's text replaced.
        skipped: items not enhanced by rule (their type, or the pause); no call was made.
        held_back: items sent out as written because the model was failing and another item
            had been tried less than ``PROBE_EVERY`` seconds before; no call was made.
        failed: calls that failed (they count for the pause rule).
        discarded: answers thrown away by moderation, the facts check or the caps.
        blocked: of those, answers moderation blocked.
        probes: probes of the model while it kept a campaign paused.
        probes_ok: of those, probes the model answered.
        probes_failed: of those, probes that failed.
    """

    enhanced: int = 0
    skipped: int = 0
    held_back: int = 0
    failed: int = 0
    discarded: int = 0
    blocked: int = 0
    probes: int = 0
    probes_ok: int = 0
    probes_failed: int = 0


@dataclass(eq=False, slots=True)
class _Lane:
    """One campaign's FIFO of releases and what the stage knows of it."""

    campaign_id: CampaignId
    releases: deque[tuple[Released, ...]] = field(default_factory=deque)
    done: list[Released] = field(default_factory=list)  # the head release's handled entries
    task: asyncio.Task[None] | None = None
    call: asyncio.Future[VoiceOutcome] | None = None
    probe: asyncio.Task[None] | None = None
    probed_at: Instant | None = None
    tried_at: Instant | None = None  # when an item was last sent to the model
    latest: CampaignState | None = None  # the state after the stage's own last command

    @property
    def busy(self) -> bool:
        return bool(self.releases) or (self.task is not None and not self.task.done())


class VoiceStage:
    """The per-campaign FIFOs between the press desk and the subscribers.

    Args:
        backend: the model (an ``LlmClient``) or a ``MockVoice``.
        publish: hands a release to the subscribers, in order (on the loop).
        execute: runs a rules command on a campaign and waits until it is committed.
        state_of: the campaign's latest committed state, None if it is not running.
        record_voice: journals an accepted rewrite (``Store.record_voice``).
        now: the game clock.
        auto_resume: whether a success lifts a pause the model caused (``llm_auto_resume``).
        moderate: the check of the model's text (the installed moderation hook by default).
        probe_every: game-clock seconds between two probes while the model keeps a pause.
    """

    def __init__(  # noqa: PLR0913 (the stage's collaborators, injected for tests)
        self,
        backend: Backend,
        *,
        publish: Publish,
        execute: Execute,
        state_of: StateOf,
        record_voice: RecordVoice,
        now: Now,
        auto_resume: bool,
        moderate: Moderate = check_output,
        probe_every: int = PROBE_EVERY,
    ) -> None:
        if probe_every < 1:
            raise ValueError(f"probe_every must be at least 1 second, got {probe_every}")
        self.backend = backend
        self.auto_resume = auto_resume
        self._publish = publish
        self._execute = execute
        self._state_of = state_of
        self._record_voice = record_voice
        self._now = now
        self._moderate = moderate
        self._probe_every = probe_every
        self._lanes: dict[CampaignId, _Lane] = {}
        self._stopping = False
        self._stopped = False
        self.stats = VoiceStats()
        self.activity = 0
        """Counts releases published and probes finished (``GameServer.settle`` watches it)."""

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` began: no more calls; what waits goes out as written."""
        return self._stopping

    # --- releases --------------------------------------------------------------------------------

    def release(self, campaign_id: CampaignId, entries: Sequence[Released]) -> None:
        """Take one release of the desk (on the loop); it is published after its voices.

        A release with nothing to enhance, behind nothing, is published at once.
        """
        lane = self._lane(campaign_id)
        release = tuple(entries)
        if not lane.busy and (self._stopped or not self._wanted(lane, release)):
            self._done(campaign_id, release)
            return
        lane.releases.append(release)
        if self._stopped:  # (nothing runs any more: hand everything over now)
            self._drain(lane)
            return
        if lane.task is None or lane.task.done():
            lane.task = asyncio.get_running_loop().create_task(
                self._work(lane), name=f"greatwork-voice-{campaign_id}"
            )

    def _lane(self, campaign_id: CampaignId) -> _Lane:
        lane = self._lanes.get(campaign_id)
        if lane is None:
            lane = self._lanes[campaign_id] = _Lane(campaign_id)
        return lane

    def _wanted(self, lane: _Lane, release: tuple[Released, ...]) -> bool:
        """Whether a release needs the model; if not, count its items (it goes out at once)."""
        state = self._state(lane)
        if state is None:
            return False
        items = [e for e in release if isinstance(e, PressItem)]
        wanted = sum(not_enhanced_because(e, paused=state.paused) is None for e in items)
        if wanted and not self._held_back(lane, state, self._now()):
            return True  # (the worker counts each item)
        self.stats.held_back += wanted
        self.stats.skipped += len(items) - wanted
        return False

    def _held_back(self, lane: _Lane, state: CampaignState, now: Instant) -> bool:
        """Whether the model is failing and was tried too recently to be tried again."""
        return (
            state.llm_failing_since is not None
            and lane.tried_at is not None
            and now - lane.tried_at < self._probe_every
        )

    def _state(self, lane: _Lane) -> CampaignState | None:
        """The freshest state known: the committed one, or the stage's own command's."""
        committed = self._state_of(lane.campaign_id)
        latest = lane.latest
        if committed is None or (latest is not None and latest.seq > committed.seq):
            return latest
        return committed

    def _done(self, campaign_id: CampaignId, release: tuple[Released, ...]) -> None:
        self.activity += 1
        self._publish(campaign_id, release)

    def _drain(self, lane: _Lane) -> None:
        """Publish what the lane holds as it stands (its templates)."""
        while lane.releases:
            head = lane.releases.popleft()
            handled, lane.done = lane.done, []
            self._done(lane.campaign_id, (*handled, *head[len(handled) :]))

    async def _work(self, lane: _Lane) -> None:
        while lane.releases:
            head = lane.releases[0]
            for entry in head[len(lane.done) :]:
                published: Released = entry
                if isinstance(entry, PressItem):
                    try:
                        published = await self._voice(lane, entry)
                    except Exception:
                        log.exception(
                            "%s: the persona voice failed on press No. %d; it goes out as written",
                            lane.campaign_id,
                            entry.id,
                        )
                lane.done.append(published)
            lane.releases.popleft()
            handled, lane.done = tuple(lane.done), []
            self._done(lane.campaign_id, handled)

    # --- one item ------------------------------------------------------------------------------

    async def _voice(self, lane: _Lane, item: PressItem) -> PressItem:
        """The item as it is published: voiced and journaled, or its template."""
        state = self._state(lane)
        if state is None or self._stopping:
            return item
        now = self._now()
        if not_enhanced_because(item, paused=state.paused) is not None:
            self.stats.skipped += 1
            return item
        if self._held_back(lane, state, now):
            self.stats.held_back += 1
            return item
        lane.tried_at = now
        flagged: list[tuple[str, Verdict]] = []

        def moderate(text: str) -> Verdict | bool:
            verdict = self._moderate(text)
            if not verdict.blocked:
                return verdict
            flagged.append((text, verdict))
            found = override_for(
                state,
                text,
                OUTPUT_SURFACE,
                now,
                stage=verdict.stage,
                category=verdict.category,
            )
            return found is not None  # an admin's override lets this exact text through

        call = asyncio.ensure_future(
            enhance(item, state, backend=self.backend, now=now, moderate=moderate)
        )
        lane.call = call
        try:
            outcome = await call
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self.stopping and call.cancelled() and (task is None or not task.cancelling()):
                log.info(
                    "%s: stopping; press No. %d goes out as written", lane.campaign_id, item.id
                )
                return item
            raise
        finally:
            lane.call = None
        for text, verdict in flagged:
            await self._moderation(lane, text, verdict, now)
        if outcome.status is Status.DISCARDED and flagged and not outcome.lost:
            self.stats.blocked += 1  # (moderation refused it; no override covered it)
        return await self._settle(lane, item, outcome, now)

    async def _settle(
        self, lane: _Lane, item: PressItem, outcome: VoiceOutcome, now: Instant
    ) -> PressItem:
        stats = self.stats
        if outcome.status is Status.SKIPPED:
            stats.skipped += 1
            return item
        if outcome.status is Status.DISCARDED:
            stats.discarded += 1
            return item  # not an outage: neither a failure nor a success (the template stands)
        if outcome.status is Status.FAILED:
            stats.failed += 1
            await self._report(lane, ok=False, at=now)
            return item
        voiced = outcome.apply(item)
        try:
            await self._record_voice(lane.campaign_id, voiced)
        except GreatworkError as error:
            log.error(  # noqa: TRY400 (the store's message says it all; no traceback needed)
                "%s: the voice of press No. %d could not be journaled (%s); it goes out as written",
                lane.campaign_id,
                item.id,
                error,
            )
            return item
        stats.enhanced += 1
        await self._report(lane, ok=True, at=now)
        return voiced

    async def _moderation(self, lane: _Lane, text: str, verdict: Verdict, at: Instant) -> None:
        """Journal a model text the moderation check flagged (the admins are told of a block)."""
        if self._stopping:
            return
        await self._run(
            lane,
            RecordModeration(
                actor=SERVER,
                at=at,
                text=text,
                surface=OUTPUT_SURFACE,
                stage=verdict.stage,
                category=verdict.category,
            ),
        )

    async def _report(self, lane: _Lane, *, ok: bool, at: Instant) -> None:
        """Tell the pause rule of one call's outcome, when it changes something."""
        state = self._state(lane)
        if state is None or self._stopping:
            return
        if ok:
            changes = llm_succeeded(state, at, auto_resume=self.auto_resume)
        else:
            changes = llm_failed(state, at)
        if not changes:
            return  # nothing to journal: the decider would emit nothing either
        await self._run(
            lane, RecordLlmOutcome(actor=SERVER, at=at, ok=ok, auto_resume=self.auto_resume)
        )

    async def _run(self, lane: _Lane, command: Command) -> None:
        try:
            outcome = await self._execute(lane.campaign_id, command)
        except (UnavailableError, GreatworkError) as error:
            log.warning(
                "%s: %s was not recorded: %s", lane.campaign_id, type(command).__name__, error
            )
            return
        if lane.latest is None or outcome.state.seq >= lane.latest.seq:
            lane.latest = outcome.state

    # --- the probe -------------------------------------------------------------------------------

    def tick(self, campaign_ids: Sequence[CampaignId], now: Instant) -> None:
        """On a clock tick: probe the model where it is failing, at most once a ``probe_every``.

        It is probed where a failure streak is open, or where it keeps the game paused and
        auto-resume is on.

        Probing while a streak is open makes the 600 s rule mean *continuous* failure: a
        model that came back between two sparse items ends the streak by answering a probe,
        and one that stays down pauses the game after 600 s even when no item needs it.
        """
        if self._stopping:
            return
        for campaign_id in campaign_ids:
            lane = self._lane(campaign_id)
            state = self._state(lane)
            if state is None or not self._probing(state):
                continue
            if lane.probe is not None and not lane.probe.done():
                continue
            if lane.probed_at is not None and now - lane.probed_at < self._probe_every:
                continue
            lane.probed_at = now
            lane.probe = asyncio.get_running_loop().create_task(
                self._probe(lane, now), name=f"greatwork-voice-probe-{campaign_id}"
            )

    def _probing(self, state: CampaignState) -> bool:
        """Whether the model is probed for this campaign: a streak open, or an ``llm`` pause."""
        if state.pause is not None:
            return state.pause.source == SOURCE_LLM and self.auto_resume
        return state.llm_failing_since is not None

    async def _probe(self, lane: _Lane, at: Instant) -> None:
        self.stats.probes += 1
        try:
            if not isinstance(self.backend, MockVoice):
                await self.backend.complete(
                    (ChatMessage("user", PROBE_PROMPT),), temperature=0.0, max_tokens=PROBE_TOKENS
                )
        except LlmError as error:
            self.stats.probes_failed += 1
            log.info("%s: the model is still down (%s)", lane.campaign_id, error.message)
            await self._report(lane, ok=False, at=at)
        else:
            self.stats.probes_ok += 1
            log.info("%s: the model answers again", lane.campaign_id)
            await self._report(lane, ok=True, at=at)
        finally:
            self.activity += 1

    # --- life ------------------------------------------------------------------------------------

    async def idle(self) -> None:
        """Return once no release waits and no call or probe runs, in any campaign."""
        while True:
            tasks = [
                task
                for lane in self._lanes.values()
                for task in (lane.task, lane.probe)
                if task is not None and not task.done()
            ]
            if not tasks:
                return
            await asyncio.gather(*tasks, return_exceptions=True)

    async def stop(self) -> None:
        """Cancel the calls in flight and publish whatever waits as its template. Idempotent."""
        self._stopping = True
        for lane in self._lanes.values():
            if lane.call is not None:
                lane.call.cancel()
            if lane.probe is not None:
                lane.probe.cancel()
        workers = [lane.task for lane in self._lanes.values() if lane.task is not None]
        probes = [lane.probe for lane in self._lanes.values() if lane.probe is not None]
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*workers, *probes, return_exceptions=True)
        self._stopped = True
        for lane in self._lanes.values():
            self._drain(lane)
        s = self.stats
        log.info(
            "persona voice: %d enhanced, %d skipped, %d held back, %d failed, %d discarded "
            "(%d blocked), %d probes",
            s.enhanced,
            s.skipped,
            s.held_back,
            s.failed,
            s.discarded,
            s.blocked,
            s.probes,
        )
