"""The Gazette as Discord posts: pure rendering of press items into messages within limits.

A digest becomes a headline message (the masthead and the lead story's headline) followed by
its stories, several per message as embeds. Press released between digests (a bulletin, a
layered follow-up at its time) becomes a post: one item alone, or several items released
together as their stories packed the same way, under a one-line heading. Nothing here touches
the network or the clock: the same items always give the same posts, every post passes
:func:`~greatwork.bot.limits.check_post`, and no text is lost (a long headline continues in
the description, a long body continues in the next embed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

from greatwork.bot.limits import (
    DESCRIPTION,
    EMBED_TOTAL,
    EMBEDS_PER_MESSAGE,
    TITLE,
    Post,
    check_post,
    embed_size,
    split_text,
)
from greatwork.press.item import PressItem

MASTHEAD: Final = "The Great Work Gazette"
NO_NEWS: Final = "No news this digest."

LEAD_ORDER: Final = (
    "discovery_report",
    "retraction_notice",
    "symposium_resolution",
    "defection_notice",
    "research_manifesto",
    "conference_scheduled",
    "symposium_announcement",
    "academic_bulletin",
    "negotiation_resolved",
    "recruitment_report",
    "faction_project_complete",
    "timeline_update",
)
"""Press kinds in the order they lead a digest; any other kind comes after these."""

_MASTHEAD_COLOUR: Final = 0x3E2723
_COLOURS: Final[Mapping[str, int]] = {
    "discovery_report": 0x2E7D32,
    "retraction_notice": 0xB71C1C,
    "admin_action": 0x546E7A,
    "academic_gossip": 0x6A1B9A,
}
_DEFAULT_COLOUR: Final = 0x8D6E63
_LEAD_LIMIT: Final = 1000  # characters of the lead headline shown in the headline message

Embed = dict[str, Any]


def masthead(number: int, year: int | None) -> str:
    """The masthead line: ``The Great Work Gazette · Digest No. 5 · Anno 1921``."""
    parts = [MASTHEAD, f"Digest No. {number}"]
    if year is not None:
        parts.append(f"Anno {year}")
    return " · ".join(parts)


NEVER_LEADS: Final = frozenset({"digest_highlights"})
"""Kinds that never lead a digest: what is coming up is not the news."""


def lead_story(items: Sequence[PressItem]) -> PressItem | None:
    """The story that leads a digest: the first of the highest-ranked kind (see LEAD_ORDER).

    None when there is no story, or only stories that never lead (:data:`NEVER_LEADS`).
    """
    news = [item for item in items if item.kind not in NEVER_LEADS]
    if not news:
        return None
    rank = {kind: n for n, kind in enumerate(LEAD_ORDER)}
    return min(news, key=lambda item: rank.get(item.kind, len(LEAD_ORDER)))


def digest_posts(
    number: int,
    year: int | None,
    items: Sequence[PressItem],
    *,
    at: int | None = None,
    earlier: int = 0,
) -> list[Post]:
    """The posts of digest ``number``: the headline message, then its stories in order.

    Args:
        number: the digest's number.
        year: the in-game year after the digest (left out of the masthead when None).
        items: the stories the digest carries, in release order.
        at: when the digest ran (epoch seconds), shown as the headline's timestamp.
        earlier: stories of this digest already posted as they broke, since the last one;
            the headline message counts them, so a quiet digest after a busy day does not
            read "No news".

    Raises:
        ValueError: ``earlier`` is negative.
    """
    if earlier < 0:
        raise ValueError(f"earlier counts stories already posted, got {earlier}")
    head: Embed = {"title": masthead(number, year), "color": _MASTHEAD_COLOUR}
    lead = lead_story(items)
    if lead is None:
        head["description"] = NO_NEWS if not earlier else f"{_broke(earlier)}."
        if items:  # only what is coming up
            head["description"] += f"\n\n{_stories(len(items))} in this issue."
    else:
        headline = _cut(lead.headline, _LEAD_LIMIT)
        also = f", and {_broke(earlier)}" if earlier else ""
        head["description"] = f"**{headline}**\n\n{_stories(len(items))} in this issue{also}."
    if at is not None:
        head["timestamp"] = _timestamp(at)
    return [check_post(Post(embeds=(head,))), *_pack([e for i in items for e in story_embeds(i)])]


def item_posts(item: PressItem) -> list[Post]:
    """The post (rarely several) of one press item released between digests."""
    return _pack(story_embeds(item))


def release_posts(items: Sequence[PressItem]) -> list[Post]:
    """The messages of press items released together between digests, in order.

    One item is posted as :func:`item_posts` posts it. Several share their messages: the
    first carries a heading line (:func:`release_heading`), then their stories follow as
    embeds, packed within the limits as a digest's are.

    Raises:
        ValueError: ``items`` is empty.
    """
    if not items:
        raise ValueError("a release to post has at least one press item")
    if len(items) == 1:
        return item_posts(items[0])
    first, *rest = _pack([embed for item in items for embed in story_embeds(item)])
    heading = check_post(Post(content=release_heading(items), embeds=first.embeds))
    return [heading, *rest]


def release_heading(items: Sequence[PressItem]) -> str:
    """The heading line of several items released together.

    ``The Great Work Gazette · Anno 1920 · 20 stories``; the year comes from the items, and
    is left out when none says it.
    """
    years = [item.meta.get("year") for item in items]
    known = [year for year in years if isinstance(year, int)]
    parts = [MASTHEAD]
    if known:
        parts.append(f"Anno {max(known)}")
    parts.append(f"{len(items)} stories")
    return " · ".join(parts)


def story_embeds(item: PressItem) -> list[Embed]:
    """One story as embeds: its headline as the title, its body below, its number beneath.

    A headline over the title limit continues at the top of the description; a body over the
    description limit continues in further embeds without a title.
    """
    title_pieces = split_text(item.headline, TITLE) or [f"Press No. {item.id}"]
    spill = " ".join(title_pieces[1:])
    text = "\n\n".join(part for part in (spill, item.body.strip()) if part)
    pieces = split_text(text, DESCRIPTION)
    colour = _COLOURS.get(item.kind, _DEFAULT_COLOUR)
    embeds: list[Embed] = []
    for n, piece in enumerate(pieces or [""]):
        embed: Embed = {"color": colour}
        if n == 0:
            embed["title"] = title_pieces[0]
            embed["timestamp"] = _timestamp(item.release_at)
        if piece:
            embed["description"] = piece
        embeds.append(embed)
    embeds[-1]["footer"] = {"text": f"No. {item.id} · {_kind_label(item.kind)}"}
    return embeds


def _pack(embeds: Sequence[Embed]) -> list[Post]:
    """Put embeds into messages in order: at most 10 and 6,000 characters per message."""
    posts: list[Post] = []
    current: list[Embed] = []
    size = 0
    for embed in embeds:
        extra = embed_size(embed)
        if current and (len(current) == EMBEDS_PER_MESSAGE or size + extra > EMBED_TOTAL):
            posts.append(check_post(Post(embeds=tuple(current))))
            current, size = [], 0
        current.append(embed)
        size += extra
    if current:
        posts.append(check_post(Post(embeds=tuple(current))))
    return posts


def _stories(count: int) -> str:
    return "1 story" if count == 1 else f"{count} stories"


def _broke(count: int) -> str:
    """``3 stories posted as they broke since the last digest`` (``1 story ... as it broke``)."""
    pronoun = "it" if count == 1 else "they"
    return f"{_stories(count)} posted as {pronoun} broke since the last digest"


def _kind_label(kind: str) -> str:
    return kind.replace("_", " ").title()


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _timestamp(at: int) -> str:
    return dt.datetime.fromtimestamp(at, tz=dt.UTC).isoformat()
