from __future__ import annotations

from typing import Any

import pytest

from greatwork.bot.limits import (
    DESCRIPTION,
    EMBED_TOTAL,
    FIELD_VALUE,
    FILES_PER_MESSAGE,
    TITLE,
    Post,
    embed_size,
    post_problems,
)
from greatwork.bot.render import COLOUR_ERROR, COLOUR_OK, MAX_MESSAGES, notice, render_reply
from greatwork.commands.spec import Attachment, Field, Reply


def _prose(characters: int, seed: int = 0) -> str:
    """Words of varied length in paragraphs, about ``characters`` long."""
    words: list[str] = []
    total = 0
    n = seed
    while total < characters:
        word = f"w{n}" + "x" * (n % 9)
        words.append(word + ("\n\n" if n % 37 == 36 else " "))
        total += len(words[-1])
        n += 1
    return "".join(words).strip()


def _embeds(posts: list[Post]) -> list[dict[str, Any]]:
    return [dict(e) for p in posts for e in p.embeds]


def _shown_words(posts: list[Post]) -> list[str]:
    words: list[str] = []
    for embed in _embeds(posts):
        words += embed.get("description", "").split()
        for each in embed.get("fields", []):
            words += each["value"].split()
    return words


def _assert_within_limits(posts: list[Post]) -> None:
    assert posts
    for post in posts:
        assert post_problems(post) == []
        assert sum(embed_size(e) for e in post.embeds) <= EMBED_TOTAL


def test_a_short_reply_is_one_embed() -> None:
    reply = Reply(
        title="Status",
        body="Your standing.",
        fields=(Field(name="Reputation", value="5", inline=True), Field(name="Cap", value="6")),
    )
    posts = render_reply(reply)
    _assert_within_limits(posts)
    assert len(posts) == 1
    (embed,) = posts[0].embeds
    assert embed == {
        "title": "Status",
        "color": COLOUR_OK,
        "description": "Your standing.",
        "fields": [
            {"name": "Reputation", "value": "5", "inline": True},
            {"name": "Cap", "value": "6", "inline": False},
        ],
    }
    assert posts[0].payload()["allowed_mentions"] == {"parse": [], "replied_user": False}


def test_a_refusal_is_coloured_as_an_error() -> None:
    (post,) = render_reply(Reply(title="Refused", body="No.", ok=False, ephemeral=True))
    assert post.embeds[0]["color"] == COLOUR_ERROR


def test_a_long_title_is_clipped_and_kept_whole_in_the_body() -> None:
    title = "T" * 300
    (post,) = render_reply(Reply(title=title, body="body"))
    embed = post.embeds[0]
    assert len(embed["title"]) == TITLE
    assert embed["title"].endswith("…")
    assert embed["description"].startswith(title)
    assert embed["description"].endswith("body")


def test_a_long_body_is_split_over_embeds_without_losing_a_word() -> None:
    body = _prose(10_000)
    posts = render_reply(Reply(title="Roster", body=body))
    _assert_within_limits(posts)
    embeds = _embeds(posts)
    assert len(embeds) == 3  # 10,000 characters at 4,096 a description
    assert all(len(e["description"]) <= DESCRIPTION for e in embeds)
    assert embeds[0]["title"] == "Roster"
    assert all("title" not in e for e in embeds[1:])
    assert _shown_words(posts) == body.split()
    assert not any(p.files for p in posts)


def test_long_output_is_spread_within_every_limit_when_allowed() -> None:
    body = _prose(10_000)
    values = [_prose(1500, seed=n * 1000) for n in range(40)]
    reply = Reply(
        title="Report",
        body=body,
        fields=tuple(Field(name=f"Field {n}", value=v) for n, v in enumerate(values)),
    )
    posts = render_reply(reply, max_messages=100)
    _assert_within_limits(posts)
    assert len(posts) > MAX_MESSAGES
    fields = [f for e in _embeds(posts) for f in e.get("fields", [])]
    assert all(len(f["value"]) <= FIELD_VALUE for f in fields)
    assert all(len(e.get("fields", [])) <= 25 for e in _embeds(posts))
    assert [f["name"] for f in fields[:2]] == ["Field 0", "Field 0 (continued)"]
    expected = body.split() + [w for v in values for w in v.split()]
    assert _shown_words(posts) == expected


def test_very_long_output_is_attached_as_a_text_file() -> None:
    body = _prose(10_000)
    values = [_prose(1500, seed=n * 1000) for n in range(40)]
    reply = Reply(
        title="Full Report",
        body=body,
        fields=tuple(Field(name=f"Field {n}", value=v) for n, v in enumerate(values)),
    )
    posts = render_reply(reply)
    _assert_within_limits(posts)
    assert len(posts) == 1
    (post,) = posts
    (attachment,) = post.files
    assert attachment.filename == "full-report.txt"
    assert attachment.content.split() == (
        ["Full", "Report"]
        + body.split()
        + [w for n, v in enumerate(values) for w in ["Field", f"{n}:", *v.split()]]
    )
    description = post.embeds[0]["description"]
    assert "is attached as `full-report.txt`" in description
    assert description.startswith(body[:100])


def test_reply_files_are_attached_ten_to_a_message() -> None:
    files = tuple(Attachment(filename=f"f{n}.json", content="{}") for n in range(12))
    posts = render_reply(Reply(title="Export", body="Attached.", files=files))
    _assert_within_limits(posts)
    assert [len(p.files) for p in posts] == [FILES_PER_MESSAGE, 2]
    assert posts[0].embeds
    assert not posts[1].embeds
    assert [a.filename for p in posts for a in p.files] == [a.filename for a in files]


def test_the_attached_text_never_takes_a_reply_files_name() -> None:
    files = (Attachment(filename="log.txt", content="x"),)
    posts = render_reply(Reply(title="Log", body=_prose(20_000), files=files))
    names = [a.filename for a in posts[0].files]
    assert names == ["log-2.txt", "log.txt"]


def test_an_echo_names_the_player_and_the_command() -> None:
    reply = Reply(title="Theory T-1 on the record", body="@everyone look", public=True)
    (post,) = render_reply(reply, author="Alice " + "a" * 300, footer="/submit_theory")
    embed = post.embeds[0]
    assert embed["author"]["name"].startswith("Alice")
    assert len(embed["author"]["name"]) == 256
    assert embed["footer"] == {"text": "/submit_theory"}
    assert post_problems(post) == []


@pytest.mark.parametrize("body", ["", "short", _prose(9000)])
def test_a_notice_is_always_one_post(body: str) -> None:
    post = notice("Channel set-up", body, ok=False)
    assert post_problems(post) == []
    assert post.embeds[0]["title"] == "Channel set-up"
    assert post.embeds[0]["color"] == COLOUR_ERROR
    assert bool(post.files) == (len(body) > DESCRIPTION)


def test_empty_titles_and_values_still_make_a_valid_message() -> None:
    reply = Reply(title="  ", fields=(Field(name="", value=""),))
    (post,) = render_reply(reply)
    assert post_problems(post) == []
    assert post.embeds[0]["title"] == "Done"
