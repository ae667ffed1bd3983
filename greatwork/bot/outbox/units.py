"""What the outbox posts: units, their keys and nonces, and the grouping of press items.

A :class:`Unit` is one post: a digest (its headline message and stories), or press items
released together between digests. Everything here is pure: the same journal always gives
the same units, the same keys and the same nonces.

**Items released together go out together.** Press items that are not a digest's own stories
form one post when their numbers follow one another (17, 18, 19...), they were released at
the same moment and they go to the same channel. So the 20 "Among Us" items a new campaign
releases are one post, and a bulletin released at another moment is a post of its own. The
key names the post's items: ``press:17`` for one, ``press:17-19`` for 17, 18 and 19. Once a
post's row is in the journal its key fixes its items; items of the same moment that come
after it form the next post. See docs/discord.md.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from greatwork.bot.directory import ChannelRole
from greatwork.press.item import PressItem
from greatwork.store import OutboxRow, OutboxState

__all__ = [
    "Unit",
    "carried",
    "covered",
    "digest_unit",
    "joins",
    "nonce_of",
    "part_nonce",
    "plan",
    "press_key",
    "press_span",
    "press_unit",
    "role_of",
    "unfinished",
]

_PRESS_KEY: Final = re.compile(r"press:([1-9][0-9]*)(?:-([1-9][0-9]*))?")


def nonce_of(campaign_id: str, key: str) -> str:
    """The nonce of a new outbox row: 20 hex digits fixed by campaign and key."""
    return hashlib.blake2b(f"greatwork:{campaign_id}:{key}".encode(), digest_size=10).hexdigest()


def part_nonce(nonce: str, index: int) -> str:
    """The nonce of message ``index`` of a post: the row's own, then ``<nonce>-1``, ``-2``..."""
    return nonce if index == 0 else f"{nonce[:20]}-{index}"


@dataclass(frozen=True, slots=True)
class Unit:
    """One post: a digest (``items`` empty, ``number`` set) or press items released together.

    Attributes:
        key: the post's outbox key (``digest:5``, ``press:17``, ``press:3-22``).
        released_at: when the game released it (epoch seconds).
        role: the channel it goes to.
        number: the digest's number (0 for press).
        year: the in-game year of a digest, when known (else looked up at render time).
        items: the press items, in number order (empty for a digest).
    """

    key: str
    released_at: int
    role: ChannelRole
    number: int = 0
    year: int | None = None
    items: tuple[PressItem, ...] = ()

    @property
    def is_digest(self) -> bool:
        """Whether this is a digest (else press items)."""
        return not self.items

    def item_keys(self) -> list[str]:
        """The key of each thing in the post, as notices name them (``press:17``, ``digest:5``)."""
        if self.is_digest:
            return [self.key]
        return [f"press:{item.id}" for item in self.items]

    def describe(self) -> str:
        """The post in words, for an admin notice."""
        if self.is_digest:
            return f"digest No. {self.number}"
        first = self.items[0]
        if len(self.items) == 1:
            return f"press item No. {first.id} ({first.headline[:80]})"
        return (
            f"press items No. {first.id} to {self.items[-1].id} ({first.headline[:80]}, "
            f"and {len(self.items) - 1} more)"
        )


def digest_unit(number: int, at: int, year: int | None) -> Unit:
    """The post of digest ``number``, finished at ``at``."""
    return Unit(f"digest:{number}", at, ChannelRole.GAZETTE, number=number, year=year)


def role_of(item: PressItem) -> ChannelRole:
    """The channel a press item goes to: table talk to #table-talk, the rest to #gazette."""
    return (
        ChannelRole.TABLE_TALK if item.meta.get("occasion") == "table_talk" else ChannelRole.GAZETTE
    )


def press_key(first: int, last: int) -> str:
    """The key of the post of press items ``first`` to ``last``: ``press:17`` or ``press:3-22``."""
    if not 1 <= first <= last:
        raise ValueError(f"press numbers run from 1 upwards, got {first} to {last}")
    return f"press:{first}" if first == last else f"press:{first}-{last}"


def press_span(key: str) -> tuple[int, int] | None:
    """The first and last press number a key names (``press:3-22`` -> (3, 22)), else None."""
    match = _PRESS_KEY.fullmatch(key)
    if match is None:
        return None
    first = int(match.group(1))
    last = int(match.group(2) or first)
    return (first, last) if first <= last else None


def joins(unit: Unit, item: PressItem) -> bool:
    """Whether ``item`` belongs in the post ``unit``: the next number, same moment and channel."""
    return not unit.is_digest and _follows(unit.items[-1], item)


def press_unit(items: Sequence[PressItem]) -> Unit:
    """The post of press items released together.

    Raises:
        ValueError: no items, or items that do not follow one another at one moment in one
            channel (see :func:`joins`).
    """
    if not items:
        raise ValueError("a press post has at least one press item")
    for before, item in itertools.pairwise(items):
        if not _follows(before, item):
            raise ValueError(
                f"press item No. {item.id} does not follow No. {before.id} at the same moment "
                f"in the same channel: it cannot share its post"
            )
    first = items[0]
    key = press_key(first.id, items[-1].id)
    return Unit(key, first.release_at, role_of(first), items=tuple(items))


def carried(item: PressItem, digest_at: Mapping[int, int]) -> bool:
    """Whether a digest carries the item as its own story (released when its digest ran)."""
    return digest_at.get(item.digest) == item.release_at


def covered(keys: Iterable[str]) -> dict[int, str]:
    """The press numbers that outbox rows already hold, each with its row's key."""
    found: dict[int, str] = {}
    for key in keys:
        span = press_span(key)
        if span is not None:
            for number in range(span[0], span[1] + 1):
                found[number] = key
    return found


def unfinished(row: OutboxRow | None) -> bool:
    """Whether a post still has to be sent: no row yet, or a row still ``sending``."""
    return row is None or row.state is OutboxState.SENDING


def plan(
    rows: Mapping[str, OutboxRow],
    digests: Iterable[tuple[int, int]],
    items: Iterable[PressItem],
) -> list[Unit]:
    """The posts the journal calls for and nobody finished, in release order.

    Args:
        rows: the campaign's outbox rows by key.
        digests: ``(number, at)`` of each digest finished in the window read.
        items: the press released in that window.

    A press item a row holds belongs to that row's post (its key fixes it). Any other item
    that its digest does not carry joins the post of the item before it when :func:`joins`
    says so, else starts a post of its own. At one moment a digest comes before press.
    """
    digest_at = dict(digests)
    holder = covered(rows)
    held: dict[str, list[PressItem]] = {}
    fresh: list[list[PressItem]] = []
    for item in sorted(items, key=lambda i: (i.release_at, i.id)):
        key = holder.get(item.id)
        if key is not None:
            held.setdefault(key, []).append(item)
        elif not carried(item, digest_at):
            if fresh and _follows(fresh[-1][-1], item):
                fresh[-1].append(item)
            else:
                fresh.append([item])
    units = [digest_unit(number, at, None) for number, at in digest_at.items()]
    # A row's key fixes its post: resumed with the items it names, as they were.
    units += [
        Unit(key, members[0].release_at, role_of(members[0]), items=tuple(members))
        for key, members in held.items()
    ]
    units += [press_unit(run) for run in fresh]
    units.sort(key=lambda u: (u.released_at, not u.is_digest, u.items[0].id if u.items else 0))
    return [unit for unit in units if unfinished(rows.get(unit.key))]


def _follows(before: PressItem, item: PressItem) -> bool:
    """Whether ``item`` is the next number after ``before``, at its moment, in its channel."""
    return (
        item.id == before.id + 1
        and item.release_at == before.release_at
        and role_of(item) == role_of(before)
    )
