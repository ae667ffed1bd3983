"""Discord's limits, the Post payload, text splitting, and guild/campaign ids."""

from __future__ import annotations

import pytest

from greatwork.bot import limits
from greatwork.bot.guilds import campaign_of, guild_of, player_of, seed_of
from greatwork.bot.limits import (
    FILE_BYTES,
    Post,
    check_post,
    embed_size,
    post_problems,
    split_text,
)
from greatwork.commands.spec import Attachment


def test_a_post_payload_never_allows_mentions() -> None:
    body = Post(content="@everyone look", embeds=({"title": "T"},)).payload()
    assert body == {
        "allowed_mentions": {"parse": [], "replied_user": False},
        "content": "@everyone look",
        "embeds": [{"title": "T"}],
    }


def test_embed_size_counts_what_discord_counts() -> None:
    embed = {
        "title": "ab",
        "description": "cde",
        "fields": [{"name": "f", "value": "gh"}, {"name": "i", "value": "j"}],
        "footer": {"text": "kl"},
        "author": {"name": "m"},
        "color": 123456,  # not text: not counted
    }
    assert embed_size(embed) == 2 + 3 + 3 + 2 + 2 + 1


def test_a_post_within_every_limit_passes() -> None:
    embed = {
        "title": "t" * limits.TITLE,
        "description": "d" * 4000,
        "fields": [{"name": "n", "value": "v" * 50} for _ in range(limits.FIELDS)],
    }
    post = Post(content="c" * limits.CONTENT, embeds=(embed,))
    assert post_problems(post) == []
    assert check_post(post) is post


@pytest.mark.parametrize(
    ("post", "problem"),
    [
        (Post(), "the message is empty"),
        (Post(content="x" * 2001), "content has 2001 characters (at most 2000)"),
        (Post(embeds=({"title": "x" * 257},)), "embed 1: title has 257 characters (at most 256)"),
        (
            Post(embeds=({"description": "x" * 4097},)),
            "embed 1: description has 4097 characters (at most 4096)",
        ),
        (
            Post(embeds=({"fields": [{"name": "n", "value": "v"}] * 26},)),
            "embed 1: 26 fields (at most 25)",
        ),
        (
            Post(embeds=({"fields": [{"name": "n", "value": "v" * 1025}]},)),
            "embed 1: field 1 value has 1025 characters (1 to 1024)",
        ),
        (
            Post(embeds=({"fields": [{"name": "", "value": "v"}]},)),
            "embed 1: field 1 name has 0 characters (1 to 256)",
        ),
        (Post(embeds=({"title": "t"},) * 11), "11 embeds (at most 10)"),
        (
            Post(embeds=({"description": "x" * 4000},) * 2),
            "the embeds have 8000 characters in all (at most 6000)",
        ),
        (
            Post(files=tuple(Attachment(filename=f"{n}.txt", content="x") for n in range(11))),
            "11 files (at most 10)",
        ),
    ],
)
def test_each_broken_limit_is_named(post: Post, problem: str) -> None:
    assert problem in post_problems(post)
    with pytest.raises(ValueError, match="a Discord message over its limits"):
        check_post(post)


def test_split_text_prefers_paragraphs_then_lines_then_spaces() -> None:
    text = "alpha beta\n\ngamma delta\nepsilon zeta"
    assert split_text(text, 100) == [text]
    assert split_text(text, 12) == ["alpha beta", "gamma delta", "epsilon zeta"]
    assert split_text("one two three", 7) == ["one two", "three"]


def test_split_text_cuts_a_word_longer_than_the_limit() -> None:
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_split_text_keeps_every_word_and_every_limit() -> None:
    words = [f"word{n}" * (1 + n % 7) for n in range(2000)]
    text = " ".join(words[:700]) + "\n\n" + "\n".join(words[700:])
    pieces = split_text(text, 4096)
    assert all(0 < len(p) <= 4096 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_split_text_refuses_a_limit_below_one() -> None:
    with pytest.raises(ValueError, match="at least 1, got 0"):
        split_text("x", 0)


def test_guild_and_campaign_ids_round_trip() -> None:
    assert campaign_of(123456789012345678) == "guild-123456789012345678"
    assert guild_of(campaign_of(42)) == 42
    assert guild_of("latency") is None
    assert guild_of("guild-x1") is None
    assert player_of(99) == "99"
    with pytest.raises(ValueError, match="positive snowflake, got 0"):
        campaign_of(0)


def test_a_guild_seed_is_fixed_and_differs_between_guilds() -> None:
    assert seed_of(1) == seed_of(1)
    assert len({seed_of(g) for g in range(1, 200)}) == 199
    assert all(0 <= seed_of(g) < 2**32 for g in range(1, 50))


def test_a_file_over_discords_upload_limit_is_a_problem() -> None:
    fits = Attachment(filename="log.json", content="x" * FILE_BYTES)
    assert post_problems(Post(files=(fits,))) == []
    big = Attachment(filename="big.json", content="é" * (FILE_BYTES // 2 + 1))  # 2 bytes each
    assert post_problems(Post(files=(big,))) == [
        f"file big.json has {FILE_BYTES + 2} bytes (at most {FILE_BYTES})"
    ]
