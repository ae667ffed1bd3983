"""What the journal says to post: the posts nobody finished, and the messages of each post.

At start the outbox reads, for each guild campaign, the digests and press released from a day
before its newest outbox row (or its oldest unfinished one, if older) up to now, and plans
the posts whose row is missing or still ``sending`` (:func:`~greatwork.bot.outbox.units.plan`).
"Released" is the server's one release rule (:class:`~greatwork.store.reader.Visibility`):
while the campaign is paused, the layered follow-ups the press desk holds are not read; the
desk releases them after the resume and the outbox posts them then.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from greatwork.actors.press_rows import press_item
from greatwork.bot.gazette import digest_posts, release_posts
from greatwork.bot.limits import Post
from greatwork.bot.outbox.units import Unit, covered, plan
from greatwork.rules.ids import CampaignId
from greatwork.store import OutboxState, PressRow, Store

__all__ = ["OVERLAP", "PREVIOUS_WINDOW", "Recovered", "recover", "render"]

log = logging.getLogger(__name__)

OVERLAP: Final = 86_400
"""Seconds read again before the newest outbox row at start."""

ADMIN_KEYS: Final = ("notice:", "alert:")
"""Key prefixes of admin-channel rows: they hold no Gazette item, so recovery skips them."""

PREVIOUS_WINDOW: Final = 40 * 86_400
"""Seconds searched back for the digest before the one being posted."""

YearOf = Callable[[CampaignId], int | None]
"""The campaign's in-game year now, or None when it is not known."""


@dataclass(frozen=True, slots=True)
class Recovered:
    """What the journal of one campaign calls for at start.

    Attributes:
        units: the posts to send, in release order.
        digest_at: when each digest read ran, by number.
    """

    units: list[Unit]
    digest_at: dict[int, int]


async def recover(
    store: Store, campaign_id: CampaignId, now: int, *, held_since: int | None = None
) -> Recovered:
    """Plan what the journal released up to ``now`` and nobody posted.

    Everything released up to a day before the newest row is read again (:data:`OVERLAP`):
    a layered follow-up can be released a little after a later item, and rows decide what is
    done. A post still ``sending`` is read whatever its age, so it always resumes.

    Args:
        store: the journal.
        campaign_id: the campaign.
        now: the game clock's time.
        held_since: when the campaign's pause began, while it is paused: the delayed press
            due after it is not released yet, so it is not posted.
    """
    rows = {r.key: r for r in await store.outbox_rows(campaign_id)}
    posts = [r for r in rows.values() if not r.key.startswith(ADMIN_KEYS)]
    since = max(0, max(r.released_at for r in posts) - OVERLAP) if posts else 0
    sending = [r.released_at for r in posts if r.state is OutboxState.SENDING]
    if sending:
        since = min(since, *sending)
    digests = [
        (int(json.loads(event.data)["number"]), event.at)
        for event in await store.digests(campaign_id, since=since)
        if event.at <= now
    ]
    rows_due = await store.press_between(campaign_id, since - 1, now, held_since=held_since)
    items = [press_item(row) for row in rows_due]
    units = plan(rows, digests, items)
    if units:
        log.info("%s: %d Gazette posts to send from the journal", campaign_id, len(units))
    return Recovered(units, dict(digests))


async def render(store: Store, campaign_id: CampaignId, unit: Unit, year_of: YearOf) -> list[Post]:
    """The messages of a post: a digest's headline and stories, or press released together.

    A digest carries the press released when it ran with its number, except items that
    an outbox row already holds (posted on their own before the digest was seen).
    """
    if not unit.is_digest:
        return release_posts(unit.items)
    at = unit.released_at
    since = await _previous_digest(store, campaign_id, unit.number, at)
    ours = [r for r in await store.press_between(campaign_id, since, at) if r.digest == unit.number]
    rows = [r for r in ours if r.release_at == at]
    held = covered(r.key for r in await store.outbox_rows(campaign_id)) if rows else {}
    items = [press_item(r) for r in rows if r.id not in held]
    year = unit.year or _year(rows) or year_of(campaign_id)
    return digest_posts(unit.number, year, items, at=at, earlier=len(ours) - len(items))


async def _previous_digest(store: Store, campaign_id: CampaignId, number: int, at: int) -> int:
    """When digest ``number - 1`` ran (0 if never): its stories end there, ours begin after.

    One indexed read of the digests of the last :data:`PREVIOUS_WINDOW` seconds; only a game
    paused for longer reads them all.
    """
    window = max(0, at - PREVIOUS_WINDOW)
    before = await _digests_before(store, campaign_id, number, at, since=window)
    if not before and window > 0:
        before = await _digests_before(store, campaign_id, number, at, since=0)
    return max(before, default=0)


async def _digests_before(
    store: Store, campaign_id: CampaignId, number: int, at: int, *, since: int
) -> list[int]:
    return [
        event.at
        for event in await store.digests(campaign_id, since=since)
        if event.at <= at and int(json.loads(event.data)["number"]) < number
    ]


def _year(rows: Sequence[PressRow]) -> int | None:
    years = [json.loads(r.meta).get("year") for r in rows]
    known = [y for y in years if isinstance(y, int)]
    return max(known) if known else None
