"""The rows the journal stores and returns: plain values, JSON still as text."""

from __future__ import annotations

from dataclasses import dataclass

from greatwork.store.errors import InvalidBatchError


@dataclass(frozen=True, slots=True)
class EventRow:
    """One journaled event.

    Attributes:
        seq: its position in the campaign's journal: 0, 1, 2... without gaps.
        at: when it happened (epoch seconds, UTC).
        kind: the event's type name (``TheorySubmitted``).
        data: the event as JSON text (``codec.encode_event``), serialised by the caller.
    """

    seq: int
    at: int
    kind: str
    data: str


@dataclass(frozen=True, slots=True)
class JournalRow:
    """One journaled event with the campaign it belongs to, as the export streams it."""

    campaign_id: str
    seq: int
    at: int
    kind: str
    data: str


@dataclass(frozen=True, slots=True)
class PressRow:
    """One stored press release (see ``greatwork.press.item.PressItem``); ``meta`` is JSON text."""

    id: int
    seq: int
    kind: str
    headline: str
    body: str
    meta: str
    at: int
    release_at: int
    digest: int


@dataclass(frozen=True, slots=True)
class SnapshotRow:
    """A campaign's whole state after ``seq`` events, as zlib-compressed JSON.

    Attributes:
        seq: the state's ``seq``: the number of events applied, so the first event to replay
            on top of it is event ``seq``.
        at: when the snapshot was taken (epoch seconds, UTC).
        data: ``zlib.compress(json(codec.encode(state)))``.
    """

    seq: int
    at: int
    data: bytes


@dataclass(frozen=True, slots=True)
class CampaignRow:
    """What a campaign's journal starts from: its id, seed and creation time."""

    campaign_id: str
    seed: int
    created_at: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class Batch:
    """What one campaign hands the writer at once; it is committed whole or not at all.

    Attributes:
        campaign_id: the campaign every row belongs to.
        events: consecutive events, in order (``seq`` n, n+1, ...).
        press: press releases composed from those events.
        snapshot: a snapshot to store alongside.
        campaign: the campaign row; required in the first batch of a new campaign.
    """

    campaign_id: str
    events: tuple[EventRow, ...] = ()
    press: tuple[PressRow, ...] = ()
    snapshot: SnapshotRow | None = None
    campaign: CampaignRow | None = None

    @property
    def rows(self) -> int:
        """How many rows the batch writes (at least 1, so an empty batch still counts)."""
        extra = (self.snapshot is not None) + (self.campaign is not None)
        return max(1, len(self.events) + len(self.press) + extra)


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a campaign actor needs to rebuild itself, still undecoded.

    Attributes:
        campaign: the campaign row.
        snapshot: the latest snapshot, or None when there is none.
        events: the events to replay, in order: those with ``seq >= snapshot.seq``, or every
            event when there is no snapshot or ``from_scratch`` was asked.
        max_press_id: the highest press id stored (0 when none).

    The press a campaign's desk still holds is :meth:`Store.unreleased`, read at start with
    the server's clock and the campaign's pause.
    """

    campaign: CampaignRow
    snapshot: SnapshotRow | None
    events: list[EventRow]
    max_press_id: int


@dataclass(frozen=True, slots=True)
class WriterStats:
    """Counters of the writer task, for tests and metrics.

    Attributes:
        transactions: transactions committed.
        failed_transactions: transactions rolled back after an error.
        batches: batches committed.
        rows: rows in those batches (events, press, snapshots, campaigns).
        refused: batches refused without a transaction (broken campaign, gap, closed).
        queued: batches waiting for the writer now.
    """

    transactions: int
    failed_transactions: int
    batches: int
    rows: int
    refused: int
    queued: int


def check_batch(batch: Batch) -> None:
    """Refuse a malformed batch before it reaches the queue.

    Raises:
        InvalidBatchError: naming what is wrong.
    """
    cid = batch.campaign_id
    if not cid:
        raise InvalidBatchError("a batch needs a campaign id")
    if batch.campaign is not None and batch.campaign.campaign_id != cid:
        raise InvalidBatchError(
            f"a batch of campaign {cid!r} carries the row of campaign "
            f"{batch.campaign.campaign_id!r}"
        )
    previous: int | None = None
    for event in batch.events:
        if previous is None and event.seq < 0:
            raise InvalidBatchError(f"campaign {cid}: event seq {event.seq} is negative")
        if previous is not None and event.seq != previous + 1:
            raise InvalidBatchError(
                f"campaign {cid}: event seq {event.seq} follows seq {previous} in one batch; "
                "a batch's events must be consecutive"
            )
        previous = event.seq
    ids = [p.id for p in batch.press]
    if any(i < 1 for i in ids) or len(set(ids)) != len(ids):
        raise InvalidBatchError(f"campaign {cid}: press ids must be distinct and at least 1: {ids}")
    if batch.snapshot is not None and batch.snapshot.seq < 0:
        raise InvalidBatchError(f"campaign {cid}: snapshot seq {batch.snapshot.seq} is negative")
