"""The Gazette rendered as Discord posts: within every limit, in order, with every word."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest

from greatwork.bot.gazette import (
    LEAD_ORDER,
    NO_NEWS,
    digest_posts,
    item_posts,
    lead_story,
    masthead,
    release_heading,
    release_posts,
    story_embeds,
)
from greatwork.bot.limits import DESCRIPTION, TITLE, Post, post_problems
from greatwork.press.item import PressItem
from greatwork.rules.ids import Instant

T = 1_767_268_800  # 2026-01-01 12:00 UTC


def item(
    n: int, *, kind: str = "academic_gossip", headline: str = "", body: str = "", at: int = T
) -> PressItem:
    return PressItem(
        id=n,
        kind=kind,
        headline=headline or f"Headline number {n}",
        body=body or f"Body of story {n}.",
        at=Instant(at),
        release_at=Instant(at),
        seq=n,
        digest=3,
        meta={"year": 1921},
    )


def prose(rng: random.Random, length: int) -> str:
    """Words and paragraphs, about ``length`` characters."""
    words: list[str] = []
    size = 0
    while size < length:
        word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 12)))
        if rng.random() < 0.02:
            word += "\n\n"
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:length].strip()


def embeds(posts: Sequence[Post]) -> Iterator[Mapping[str, Any]]:
    for post in posts:
        yield from post.embeds


def story_words(posts: Sequence[Post]) -> list[str]:
    """Every word of the stories' titles and descriptions, in order."""
    words: list[str] = []
    for embed in embeds(posts):
        words += embed.get("title", "").split()
        words += embed.get("description", "").split()
    return words


def test_a_big_digest_keeps_every_limit_and_every_word() -> None:
    rng = random.Random(4)
    items = [
        item(n, headline=prose(rng, rng.randint(20, 250)), body=prose(rng, 3000))
        for n in range(1, 41)
    ]
    posts = digest_posts(12, 1921, items, at=T)
    for post in posts:
        assert post_problems(post) == []
        assert post.content == ""
    head, stories = posts[0], posts[1:]
    assert head.embeds[0]["title"] == "The Great Work Gazette · Digest No. 12 · Anno 1921"
    assert items[0].headline in head.embeds[0]["description"]
    assert "40 stories in this issue." in head.embeds[0]["description"]
    expected = [w for i in items for w in (i.headline + " " + i.body).split()]
    assert story_words(stories) == expected
    footers = [e["footer"]["text"] for e in embeds(stories) if "footer" in e]
    assert footers == [f"No. {i.id} · Academic Gossip" for i in items]
    assert len(stories) == 40  # two 3,000-character stories never share a message


def test_several_short_stories_share_a_message_up_to_ten_embeds() -> None:
    items = [item(n) for n in range(1, 24)]
    posts = digest_posts(2, 1920, items)
    assert [len(p.embeds) for p in posts] == [1, 10, 10, 3]
    assert all(post_problems(p) == [] for p in posts)
    assert "timestamp" not in posts[0].embeds[0]


def test_an_empty_digest_says_so() -> None:
    [post] = digest_posts(7, None, [])
    assert post.embeds[0]["title"] == "The Great Work Gazette · Digest No. 7"
    assert post.embeds[0]["description"] == NO_NEWS


def test_a_digest_counts_the_stories_already_posted_as_they_broke() -> None:
    [quiet] = digest_posts(7, None, [], earlier=20)
    assert quiet.embeds[0]["description"] == (
        "20 stories posted as they broke since the last digest."
    )
    [one] = digest_posts(7, None, [], earlier=1)
    assert one.embeds[0]["description"] == "1 story posted as it broke since the last digest."
    head = digest_posts(8, 1921, [item(30, kind="discovery_report")], earlier=3)[0]
    assert head.embeds[0]["description"].endswith(
        "1 story in this issue, and 3 stories posted as they broke since the last digest."
    )
    plain = digest_posts(8, 1921, [item(30), item(31)])[0]
    assert plain.embeds[0]["description"].endswith("\n\n2 stories in this issue.")
    with pytest.raises(ValueError, match="got -1"):
        digest_posts(8, 1921, [], earlier=-1)


def test_the_days_ahead_never_leads_a_digest() -> None:
    ahead = item(40, kind="digest_highlights")
    assert lead_story([ahead]) is None
    assert lead_story([ahead, item(41)]) is not ahead
    [head, _stories] = digest_posts(9, 1921, [ahead], earlier=2)
    assert head.embeds[0]["description"] == (
        "2 stories posted as they broke since the last digest.\n\n1 story in this issue."
    )
    [head, _stories] = digest_posts(9, 1921, [ahead])
    assert head.embeds[0]["description"] == f"{NO_NEWS}\n\n1 story in this issue."


def test_the_lead_is_the_first_story_of_the_highest_kind() -> None:
    gossip, bulletin, report, second_report = (
        item(1),
        item(2, kind="academic_bulletin"),
        item(3, kind="discovery_report"),
        item(4, kind="discovery_report"),
    )
    assert lead_story([gossip, bulletin, report, second_report]) is report
    assert lead_story([gossip, bulletin]) is bulletin
    assert lead_story([gossip]) is gossip
    assert lead_story([]) is None
    assert LEAD_ORDER[0] == "discovery_report"
    head = digest_posts(1, 1920, [gossip, report])[0]
    assert head.embeds[0]["description"].startswith(f"**{report.headline}**")


def test_a_long_headline_continues_in_the_description() -> None:
    words = " ".join(f"word{n}" for n in range(80))  # about 550 characters
    [post] = item_posts(item(9, headline=words, body="The body."))
    [embed] = post.embeds
    assert len(embed["title"]) <= TITLE
    assert (embed["title"] + " " + embed["description"]).split() == [*words.split(), "The", "body."]
    assert post_problems(post) == []


def test_a_body_beyond_one_embed_continues_without_losing_characters() -> None:
    blob = "x" * 9000  # one "word" longer than two descriptions
    pieces = story_embeds(item(5, body=blob))
    assert [len(e.get("description", "")) for e in pieces] == [DESCRIPTION, DESCRIPTION, 808]
    assert "".join(e["description"] for e in pieces) == blob
    assert "title" in pieces[0]
    assert all("title" not in e for e in pieces[1:])
    assert "footer" in pieces[-1]
    assert all("footer" not in e for e in pieces[:-1])
    posts = item_posts(item(5, body=blob))
    assert len(posts) == 2  # 4,096 + 4,096 characters do not fit in one message
    assert all(post_problems(p) == [] for p in posts)


def test_a_single_item_is_one_post_with_its_number_and_time() -> None:
    [post] = item_posts(item(17, kind="discovery_report", headline="Eureka", body="It flew."))
    [embed] = post.embeds
    assert embed["title"] == "Eureka"
    assert embed["description"] == "It flew."
    assert embed["footer"] == {"text": "No. 17 · Discovery Report"}
    assert embed["timestamp"] == "2026-01-01T12:00:00+00:00"
    assert post.payload()["allowed_mentions"] == {"parse": [], "replied_user": False}


def test_player_text_is_kept_verbatim_and_pings_nobody() -> None:
    talk = item(3, headline="Table talk", body="@everyone **look** <@123> <@&456>")
    [post] = item_posts(talk)
    assert post.embeds[0]["description"] == talk.body
    assert post.payload()["allowed_mentions"]["parse"] == []


def test_rendering_is_deterministic() -> None:
    rng = random.Random(8)
    items = [item(n, body=prose(rng, 1400)) for n in range(1, 12)]
    assert digest_posts(3, 1922, items, at=T) == digest_posts(3, 1922, list(items), at=T)


def test_the_masthead_reads_as_the_gazette_does() -> None:
    assert masthead(5, 1921) == "The Great Work Gazette · Digest No. 5 · Anno 1921"
    assert masthead(5, None) == "The Great Work Gazette · Digest No. 5"


def test_one_item_released_alone_posts_as_it_always_did() -> None:
    alone = item(17, kind="discovery_report", headline="Eureka", body="It flew.")
    assert release_posts([alone]) == item_posts(alone)
    assert release_posts([alone])[0].content == ""


def test_items_released_together_share_messages_under_one_heading() -> None:
    rng = random.Random(11)
    items = [item(n, headline=prose(rng, 60), body=prose(rng, 1200)) for n in range(1, 13)]
    posts = release_posts(items)
    assert all(post_problems(p) == [] for p in posts)
    assert posts[0].content == "The Great Work Gazette · Anno 1921 · 12 stories"
    assert all(p.content == "" for p in posts[1:])
    assert 1 < len(posts) < len(items)  # several stories a message, within 6,000 characters
    expected = [w for i in items for w in (i.headline + " " + i.body).split()]
    assert story_words(posts) == expected
    footers = [e["footer"]["text"] for e in embeds(posts) if "footer" in e]
    assert footers == [f"No. {i.id} · Academic Gossip" for i in items]
    assert release_posts(items) == release_posts(list(items))


def test_a_heading_without_a_year_leaves_it_out() -> None:
    bare = [dataclasses.replace(item(n), meta={}) for n in (1, 2)]
    assert release_heading(bare) == "The Great Work Gazette · 2 stories"


def test_nothing_to_release_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one press item"):
        release_posts([])
