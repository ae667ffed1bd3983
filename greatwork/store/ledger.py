"""What the journal knows of each campaign: durable seq, breakage, waiters and hooks.

Everything here runs on the event loop thread; the writer task and the store call it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable

from greatwork.store.errors import JournalError
from greatwork.store.rows import Batch

log = logging.getLogger(__name__)

CommitHook = Callable[[str, int], None]
"""Called on the loop after a commit, once per campaign in it: ``(campaign_id, last_seq)``."""

FailureHook = Callable[[str, JournalError], None]
"""Called on the loop when a campaign breaks: ``(campaign_id, error)``."""

_Waiter = tuple[int, asyncio.Future[None]]


class Ledger:
    """Per-campaign bookkeeping of the journal.

    Args:
        durable: the last committed event of each stored campaign (-1 when none).
        stored: the campaigns whose row is committed.
    """

    def __init__(self, durable: dict[str, int], stored: set[str]) -> None:
        self._durable = durable
        self._stored = stored
        self._accepted = dict(durable)  # last seq queued, >= durable
        self._known = set(stored)  # stored, or its row is queued
        self._broken: dict[str, JournalError] = {}
        self._waiters: dict[str, list[_Waiter]] = {}
        self._commit_hooks: list[CommitHook] = []
        self._failure_hooks: list[FailureHook] = []

    def durable_seq(self, campaign_id: str) -> int:
        """The last committed event of a campaign, -1 when none."""
        return self._durable.get(campaign_id, -1)

    def is_broken(self, campaign_id: str) -> bool:
        """Whether the campaign's batches are refused until :meth:`reset`."""
        return campaign_id in self._broken

    def on_commit(self, hook: CommitHook) -> None:
        """Register a hook run after each commit, once per campaign in it."""
        self._commit_hooks.append(hook)

    def on_failure(self, hook: FailureHook) -> None:
        """Register a hook run when a campaign breaks."""
        self._failure_hooks.append(hook)

    def refusal(self, batch: Batch) -> str | None:
        """Why a batch cannot be queued after what is already queued, or None if it can."""
        cid = batch.campaign_id
        if cid not in self._known and batch.campaign is None:
            return (
                f"{span(batch)} refused: the campaign is not in the journal and the batch "
                "carries no campaign row (the first batch of a campaign must)"
            )
        if batch.events:
            expected = self._accepted.get(cid, -1) + 1
            if batch.events[0].seq > expected:
                return (
                    f"{span(batch)} refused: the next event must be seq {expected}; "
                    "writing it would leave a gap in the journal"
                )
        return None

    def accept(self, batch: Batch) -> None:
        """Count a batch as queued."""
        cid = batch.campaign_id
        if batch.events:
            self._accepted[cid] = max(self._accepted.get(cid, -1), batch.events[-1].seq)
        if batch.campaign is not None:
            self._known.add(cid)

    async def wait_durable(self, campaign_id: str, seq: int, *, closed: bool) -> None:
        """Return once event ``seq`` of the campaign is committed.

        Raises:
            JournalError: the campaign is broken, its batch fails, or the journal is
                ``closed`` (or closes) first.
        """
        if self.durable_seq(campaign_id) >= seq:
            return
        broken = self._broken.get(campaign_id)
        if broken is not None:
            raise JournalError(f"event {seq} was not written: {broken}")
        if closed:
            raise JournalError(
                f"event {seq} of campaign {campaign_id} is not in the journal, which is closed"
            )
        entry: _Waiter = (seq, asyncio.get_running_loop().create_future())
        self._waiters.setdefault(campaign_id, []).append(entry)
        try:
            await entry[1]
        finally:
            waiting = self._waiters.get(campaign_id, [])
            if entry[1].cancelled() and entry in waiting:
                waiting.remove(entry)

    def committed(self, group: list[Batch]) -> None:
        """Record a committed group: advance durable seqs, wake waiters, run the hooks."""
        for batch in group:
            cid = batch.campaign_id
            if batch.campaign is not None:
                self._stored.add(cid)
            if batch.events:
                self._durable[cid] = max(self.durable_seq(cid), batch.events[-1].seq)
        touched = list(dict.fromkeys(b.campaign_id for b in group))
        for cid in touched:
            self._wake(cid)
        for cid in touched:
            last = self.durable_seq(cid)
            for hook in self._commit_hooks:
                _call_hook(functools.partial(hook, cid, last), cid, "commit")

    def _wake(self, campaign_id: str) -> None:
        durable = self.durable_seq(campaign_id)
        still: list[_Waiter] = []
        for seq, future in self._waiters.pop(campaign_id, []):
            if future.done():
                continue
            if seq <= durable:
                future.set_result(None)
            else:
                still.append((seq, future))
        if still:
            self._waiters[campaign_id] = still

    def break_campaign(self, campaign_id: str, error: JournalError) -> None:
        """Refuse the campaign's batches until reset; fail its waiters; tell the hooks."""
        log.error("journal: %s; the campaign is broken until it is reset", error)
        self._broken[campaign_id] = error
        self._accepted[campaign_id] = self.durable_seq(campaign_id)
        if campaign_id not in self._stored:
            self._known.discard(campaign_id)
        for seq, future in self._waiters.pop(campaign_id, []):
            if not future.done():
                future.set_exception(JournalError(f"event {seq} was not written: {error}"))
        for hook in self._failure_hooks:
            _call_hook(functools.partial(hook, campaign_id, error), campaign_id, "failure")

    def reset(self, campaign_id: str) -> None:
        """Accept the campaign's batches again, continuing from its durable seq."""
        if self._broken.pop(campaign_id, None) is not None:
            log.info(
                "journal: campaign %s reset at seq %d", campaign_id, self.durable_seq(campaign_id)
            )
        self._accepted[campaign_id] = self.durable_seq(campaign_id)

    def fail_all_waiters(self) -> None:
        """Fail whoever still waits: the journal closed without their events."""
        for campaign_id, waiting in self._waiters.items():
            for seq, future in waiting:
                if not future.done():
                    future.set_exception(
                        JournalError(
                            f"event {seq} of campaign {campaign_id} was not submitted "
                            "before the journal closed"
                        )
                    )
        self._waiters.clear()


def span(batch: Batch) -> str:
    """Name a batch's events for messages: ``events 4..7``."""
    if not batch.events:
        return "a batch without events"
    first, last = batch.events[0].seq, batch.events[-1].seq
    return f"event {first}" if first == last else f"events {first}..{last}"


def _call_hook(call: Callable[[], None], campaign_id: str, what: str) -> None:
    try:
        call()
    except Exception:
        # A hook's bug must not stop the writer or the other hooks.
        log.exception("journal: a %s hook failed for campaign %s", what, campaign_id)
