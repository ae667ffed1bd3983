"""The journal's reads, on their own connection so they never wait for the writer.

In WAL mode a reader sees the last commit, even while the writer holds a transaction open.
Nothing here decodes JSON: the campaign actor does that on its own thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass

import aiosqlite

from greatwork.store.errors import UnknownCampaignError
from greatwork.store.records import (
    CHANNEL_COLUMNS,
    OUTBOX_COLUMNS,
    ChannelRow,
    OutboxRow,
    channel_row,
    outbox_row,
)
from greatwork.store.rows import CampaignRow, EventRow, JournalRow, Loaded, PressRow, SnapshotRow

_PRESS = "id, seq, kind, headline, body, meta, at, release_at, digest"
# Every press read sees the voiced body and meta of a release that has one (schema 3); the
# template stays in ``press`` and :meth:`JournalReader.press_template` returns it.
_VOICED = (
    "p.id, p.seq, p.kind, p.headline, COALESCE(v.body, p.body), COALESCE(v.meta, p.meta),"
    " p.at, p.release_at, p.digest"
)
_FROM = "press p LEFT JOIN press_voice v ON v.campaign_id = p.campaign_id AND v.id = p.id"
_FOLD = "gw_casefold"


@dataclass(frozen=True, slots=True)
class Visibility:
    """Which press releases are public: the one release rule (docs/press.md "Released, once").

    A release is public when its ``release_at`` has come (``release_at <= now``), except
    while the game is paused: a *delayed* release (a layered follow-up, ``release_at > at``)
    that fell due after the pause began (``release_at > held_since``) stays unpublished until
    the resume. What a command prints at once (``release_at == at``, an admin's action while
    paused) is public at once. The press desk releases by this rule, every press read filters
    by it (:meth:`where`), and the Discord outbox's recovery reads through it.

    Attributes:
        now: the game clock's time (epoch seconds).
        held_since: when the pause began, while the game is paused; None otherwise.
    """

    now: int
    held_since: int | None = None

    def shows(self, *, at: int, release_at: int) -> bool:
        """Whether a release made at ``at`` and due at ``release_at`` is public."""
        if release_at > self.now:
            return False
        return self.held_since is None or release_at <= at or release_at <= self.held_since

    def where(self, alias: str = "p") -> tuple[str, list[object]]:
        """The rule as an SQL condition on the press table ``alias``, with its parameters."""
        release = f"{alias}.release_at"
        if self.held_since is None:
            return f"{release} <= ?", [self.now]
        return (
            f"{release} <= ? AND ({release} <= {alias}.at OR {release} <= ?)",
            [self.now, self.held_since],
        )


def _positive(name: str, value: int) -> None:
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")


class JournalReader:
    """Read queries over the reader connection (autocommit, ``query_only``)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        # load() runs several statements in one read transaction; two at once on one
        # connection would nest BEGINs, so they take turns.
        self._snapshot_lock = asyncio.Lock()

    async def setup(self) -> None:
        """Register the Unicode case folding that press searches use."""
        await self._conn.create_function(_FOLD, 1, str.casefold, deterministic=True)

    async def campaigns(self) -> list[CampaignRow]:
        """Every campaign, oldest first."""
        rows = await self._conn.execute_fetchall(
            "SELECT campaign_id, seed, created_at, name FROM campaigns"
            " ORDER BY created_at, campaign_id"
        )
        return [CampaignRow(*row) for row in rows]

    async def durable(self) -> tuple[dict[str, int], set[str]]:
        """The last event of each campaign (-1 when none) and the set of campaigns stored."""
        rows = await self._conn.execute_fetchall(
            "SELECT c.campaign_id, (SELECT MAX(e.seq) FROM events e"
            " WHERE e.campaign_id = c.campaign_id) FROM campaigns c"
        )
        last = {str(cid): -1 if seq is None else int(seq) for cid, seq in rows}
        return last, set(last)

    async def load(self, campaign_id: str, *, from_scratch: bool = False) -> Loaded:
        """What a campaign needs to rebuild itself, read in one consistent snapshot.

        Args:
            campaign_id: the campaign.
            from_scratch: return every event (from seq 0) even when a snapshot exists; the
                latest snapshot is still returned, for comparison.

        Raises:
            UnknownCampaignError: no such campaign in the journal.
        """
        conn = self._conn
        async with self._snapshot_lock:
            await conn.execute_fetchall("BEGIN")
            try:
                found = list(
                    await conn.execute_fetchall(
                        "SELECT campaign_id, seed, created_at, name FROM campaigns"
                        " WHERE campaign_id = ?",
                        (campaign_id,),
                    )
                )
                if not found:
                    raise UnknownCampaignError(
                        f"the journal has no campaign {campaign_id!r}; "
                        "list the stored campaigns with `greatwork export-log`"
                    )
                snaps = list(
                    await conn.execute_fetchall(
                        "SELECT seq, at, data FROM snapshots WHERE campaign_id = ?"
                        " ORDER BY seq DESC LIMIT 1",
                        (campaign_id,),
                    )
                )
                snapshot = SnapshotRow(*snaps[0]) if snaps else None
                start = 0 if snapshot is None or from_scratch else snapshot.seq
                events = [
                    EventRow(*row)
                    for row in await conn.execute_fetchall(
                        "SELECT seq, at, kind, data FROM events"
                        " WHERE campaign_id = ? AND seq >= ? ORDER BY seq",
                        (campaign_id, start),
                    )
                ]
                max_press = await self._max_press(campaign_id)
            finally:
                await conn.execute_fetchall("COMMIT")
        return Loaded(
            campaign=CampaignRow(*found[0]),
            snapshot=snapshot,
            events=events,
            max_press_id=max_press,
        )

    async def _max_press(self, campaign_id: str) -> int:
        rows = list(
            await self._conn.execute_fetchall(
                "SELECT COALESCE(MAX(id), 0) FROM press WHERE campaign_id = ?", (campaign_id,)
            )
        )
        return int(rows[0][0])

    async def events(
        self, campaign_id: str | None = None, *, after_seq: int = -1, page_size: int = 500
    ) -> AsyncIterator[JournalRow]:
        """Stream events in journal order, one page per query, never the whole journal at once.

        Args:
            campaign_id: one campaign, or None for every campaign (ordered by campaign id).
            after_seq: only events with a greater seq.
            page_size: rows per query.
        """
        _positive("page_size", page_size)
        conn = self._conn
        key: tuple[str, int] | None = None
        while True:
            if campaign_id is not None:
                sql = (
                    "SELECT campaign_id, seq, at, kind, data FROM events"
                    " WHERE campaign_id = ? AND seq > ? ORDER BY seq LIMIT ?"
                )
                params: tuple[object, ...] = (
                    campaign_id,
                    after_seq if key is None else key[1],
                    page_size,
                )
            elif key is None:
                sql = (
                    "SELECT campaign_id, seq, at, kind, data FROM events"
                    " WHERE seq > ? ORDER BY campaign_id, seq LIMIT ?"
                )
                params = (after_seq, page_size)
            else:
                sql = (
                    "SELECT campaign_id, seq, at, kind, data FROM events"
                    " WHERE (campaign_id, seq) > (?, ?) AND seq > ?"
                    " ORDER BY campaign_id, seq LIMIT ?"
                )
                params = (key[0], key[1], after_seq, page_size)
            page = [JournalRow(*row) for row in await conn.execute_fetchall(sql, params)]
            for row in page:
                yield row
            if len(page) < page_size:
                return
            key = (page[-1].campaign_id, page[-1].seq)

    async def last_events(self, campaign_id: str, limit: int) -> list[EventRow]:
        """The newest ``limit`` events of a campaign, newest first."""
        _positive("limit", limit)
        rows = await self._conn.execute_fetchall(
            "SELECT seq, at, kind, data FROM events WHERE campaign_id = ?"
            " ORDER BY seq DESC LIMIT ?",
            (campaign_id, limit),
        )
        return [EventRow(*row) for row in rows]

    async def press(
        self,
        campaign_id: str,
        *,
        released_by: int,
        limit: int,
        query: str | None = None,
        kinds: Sequence[str] = (),
        held_since: int | None = None,
    ) -> list[PressRow]:
        """Released press releases, newest first.

        Args:
            campaign_id: the campaign.
            released_by: the game clock's time: only releases public then (:class:`Visibility`).
            limit: at most this many.
            query: keep those whose headline or body contains it, ignoring case (Unicode
                case folding; ``%`` and ``_`` are plain characters).
            kinds: keep only these press kinds (all when empty).
            held_since: when the game's pause began, while it is paused: delayed releases
                due after it are not public yet.
        """
        _positive("limit", limit)
        public, public_params = Visibility(released_by, held_since).where()
        where = ["p.campaign_id = ?", public]
        params: list[object] = [campaign_id, *public_params]
        if query:
            folded = query.casefold()
            body = "COALESCE(v.body, p.body)"
            where.append(f"(instr({_FOLD}(p.headline), ?) > 0 OR instr({_FOLD}({body}), ?) > 0)")
            params += [folded, folded]
        if kinds:
            where.append(f"p.kind IN ({', '.join('?' * len(kinds))})")
            params += list(kinds)
        params.append(limit)
        rows = await self._conn.execute_fetchall(
            f"SELECT {_VOICED} FROM {_FROM} WHERE {' AND '.join(where)}"  # noqa: S608 (placeholders only; values are bound)
            " ORDER BY p.release_at DESC, p.id DESC LIMIT ?",
            params,
        )
        return [PressRow(*row) for row in rows]

    async def press_item(self, campaign_id: str, press_id: int) -> PressRow | None:
        """One press release by its number, released or not; None when there is none."""
        rows = list(
            await self._conn.execute_fetchall(
                f"SELECT {_VOICED} FROM {_FROM} WHERE p.campaign_id = ? AND p.id = ?",  # noqa: S608 (constant column list)
                (campaign_id, press_id),
            )
        )
        return PressRow(*rows[0]) if rows else None

    async def press_template(self, campaign_id: str, press_id: int) -> PressRow | None:
        """One press release as its template wrote it, voiced or not; None when there is none."""
        rows = list(
            await self._conn.execute_fetchall(
                f"SELECT {_PRESS} FROM press WHERE campaign_id = ? AND id = ?",  # noqa: S608 (constant column list)
                (campaign_id, press_id),
            )
        )
        return PressRow(*rows[0]) if rows else None

    async def press_between(
        self, campaign_id: str, after: int, upto: int, *, held_since: int | None = None
    ) -> list[PressRow]:
        """Releases with ``after < release_at <= upto``, oldest first: one Gazette's contents.

        With ``held_since`` (the game is paused since then), delayed releases due after it
        are left out: they are not public until the resume (:class:`Visibility`).
        """
        public, params = Visibility(upto, held_since).where()
        rows = await self._conn.execute_fetchall(
            f"SELECT {_VOICED} FROM {_FROM} WHERE p.campaign_id = ?"  # noqa: S608 (constant SQL; values are bound)
            f" AND p.release_at > ? AND {public} ORDER BY p.release_at, p.id",
            (campaign_id, after, *params),
        )
        return [PressRow(*row) for row in rows]

    async def unreleased(self, campaign_id: str, rule: Visibility) -> list[PressRow]:
        """The releases ``rule`` does not show yet, oldest release first (the desk's backlog).

        Those due later than ``rule.now`` and, while paused, the delayed ones due after the
        pause began. Read through the ``press_release`` index from the earlier of the two
        times, so a long journal costs nothing here.
        """
        public, params = rule.where()
        low = rule.now if rule.held_since is None else min(rule.now, rule.held_since)
        rows = await self._conn.execute_fetchall(
            f"SELECT {_VOICED} FROM {_FROM} WHERE p.campaign_id = ?"  # noqa: S608 (constant SQL; values are bound)
            f" AND p.release_at > ? AND NOT ({public}) ORDER BY p.release_at, p.id",
            (campaign_id, low, *params),
        )
        return [PressRow(*row) for row in rows]

    async def digests(self, campaign_id: str, *, since: int = 0) -> list[EventRow]:
        """The campaign's ``DigestCompleted`` events at or after ``since``, in journal order.

        The literal kind lets SQLite use the partial index ``events_digests``: this reads one
        index entry per digest, never the whole journal.
        """
        rows = await self._conn.execute_fetchall(
            "SELECT seq, at, kind, data FROM events"
            " WHERE campaign_id = ? AND kind = 'DigestCompleted' AND at >= ? ORDER BY seq",
            (campaign_id, since),
        )
        return [EventRow(*row) for row in rows]

    async def channels(self, campaign_id: str | None = None) -> list[ChannelRow]:
        """The channel choices of one campaign (or all), by campaign and role."""
        sql = f"SELECT {CHANNEL_COLUMNS} FROM channels"  # noqa: S608 (constant column list)
        params: tuple[object, ...] = ()
        if campaign_id is not None:
            sql += " WHERE campaign_id = ?"
            params = (campaign_id,)
        rows = await self._conn.execute_fetchall(sql + " ORDER BY campaign_id, role", params)
        return [channel_row(row) for row in rows]

    async def outbox_rows(
        self,
        campaign_id: str | None = None,
        *,
        states: Collection[str] = (),
        keys: Collection[str] = (),
    ) -> list[OutboxRow]:
        """Outbox rows of one campaign (or all), optionally only some states or keys.

        They come by campaign, then in the order their posts were released.
        """
        where: list[str] = []
        params: list[object] = []
        if campaign_id is not None:
            where.append("campaign_id = ?")
            params.append(campaign_id)
        if states:
            where.append(f"state IN ({', '.join('?' * len(states))})")
            params += [str(s) for s in states]
        if keys:
            where.append(f"key IN ({', '.join('?' * len(keys))})")
            params += list(keys)
        sql = f"SELECT {OUTBOX_COLUMNS} FROM outbox"  # noqa: S608 (constant columns; values are bound)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY campaign_id, released_at, rowid"
        rows = await self._conn.execute_fetchall(sql, params)
        return [outbox_row(row) for row in rows]
