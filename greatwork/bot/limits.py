"""Discord's message limits, one post as plain JSON, and text splitting that respects them.

A ``Post`` is one Discord message in the API's own JSON shape (``content``, ``embeds`` as
dicts, attachments), so the same value can go through an interaction response, a followup or
``POST /channels/{id}/messages``. Everything that leaves the bot is built as posts and checked
with :func:`check_post` first: Discord refuses an oversized message with a 400, and a refused
Gazette post would stall the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from greatwork.commands.spec import Attachment

CONTENT: Final = 2000
TITLE: Final = 256
DESCRIPTION: Final = 4096
FIELDS: Final = 25
FIELD_NAME: Final = 256
FIELD_VALUE: Final = 1024
FOOTER: Final = 2048
AUTHOR: Final = 256
EMBED_TOTAL: Final = 6000  # title + description + field names and values + footer + author
EMBEDS_PER_MESSAGE: Final = 10
FILES_PER_MESSAGE: Final = 10
FILE_BYTES: Final = 10 * 1024 * 1024  # Discord's default upload limit per file (since 2024)
NO_MENTIONS: Final[Mapping[str, Any]] = {"parse": [], "replied_user": False}
"""``allowed_mentions`` for every message the bot sends: player text never pings anyone."""


@dataclass(frozen=True, slots=True)
class Post:
    """One Discord message: its text, its embeds (API JSON), its files."""

    content: str = ""
    embeds: tuple[Mapping[str, Any], ...] = ()
    files: tuple[Attachment, ...] = ()

    def payload(self) -> dict[str, Any]:
        """The JSON body of a message create (files go beside it, as multipart)."""
        body: dict[str, Any] = {"allowed_mentions": dict(NO_MENTIONS)}
        if self.content:
            body["content"] = self.content
        if self.embeds:
            body["embeds"] = [dict(e) for e in self.embeds]
        return body


def embed_size(embed: Mapping[str, Any]) -> int:
    """The characters Discord counts toward an embed's 6,000 (and a message's) total."""
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    for each in embed.get("fields", ()):
        size += len(each.get("name", "")) + len(each.get("value", ""))
    size += len(embed.get("footer", {}).get("text", ""))
    size += len(embed.get("author", {}).get("name", ""))
    return size


def post_problems(post: Post) -> list[str]:
    """Every limit the post breaks, in words (empty when Discord would take it)."""
    problems: list[str] = []
    if not (post.content or post.embeds or post.files):
        problems.append("the message is empty")
    if len(post.content) > CONTENT:
        problems.append(f"content has {len(post.content)} characters (at most {CONTENT})")
    if len(post.embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"{len(post.embeds)} embeds (at most {EMBEDS_PER_MESSAGE})")
    if len(post.files) > FILES_PER_MESSAGE:
        problems.append(f"{len(post.files)} files (at most {FILES_PER_MESSAGE})")
    for attachment in post.files:
        size = len(attachment.content.encode())
        if size > FILE_BYTES:
            problems.append(f"file {attachment.filename} has {size} bytes (at most {FILE_BYTES})")
    total = 0
    for n, embed in enumerate(post.embeds, start=1):
        problems.extend(f"embed {n}: {p}" for p in _embed_problems(embed))
        total += embed_size(embed)
    if total > EMBED_TOTAL:
        problems.append(f"the embeds have {total} characters in all (at most {EMBED_TOTAL})")
    return problems


def _embed_problems(embed: Mapping[str, Any]) -> list[str]:
    problems = []
    for key, limit in (("title", TITLE), ("description", DESCRIPTION)):
        if len(embed.get(key, "")) > limit:
            problems.append(f"{key} has {len(embed[key])} characters (at most {limit})")
    fields: Sequence[Mapping[str, Any]] = embed.get("fields", ())
    if len(fields) > FIELDS:
        problems.append(f"{len(fields)} fields (at most {FIELDS})")
    for n, each in enumerate(fields, start=1):
        name, value = each.get("name", ""), each.get("value", "")
        if not name or len(name) > FIELD_NAME:
            problems.append(f"field {n} name has {len(name)} characters (1 to {FIELD_NAME})")
        if not value or len(value) > FIELD_VALUE:
            problems.append(f"field {n} value has {len(value)} characters (1 to {FIELD_VALUE})")
    if len(embed.get("footer", {}).get("text", "")) > FOOTER:
        problems.append(f"footer is longer than {FOOTER} characters")
    if len(embed.get("author", {}).get("name", "")) > AUTHOR:
        problems.append(f"author name is longer than {AUTHOR} characters")
    if embed_size(embed) > EMBED_TOTAL:
        problems.append(f"{embed_size(embed)} characters in all (at most {EMBED_TOTAL})")
    return problems


def check_post(post: Post) -> Post:
    """Return the post, or raise ValueError naming every limit it breaks."""
    problems = post_problems(post)
    if problems:
        raise ValueError("a Discord message over its limits: " + "; ".join(problems))
    return post


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters, at the gentlest break.

    A piece ends at a blank line if one falls in its second half, else at a line end, else at
    a space, else exactly at the limit (a single word longer than the limit). Whitespace at
    the cuts is dropped; the pieces joined by the breaks give back the words of ``text``.
    """
    if limit < 1:
        raise ValueError(f"the limit must be at least 1, got {limit}")
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for mark in ("\n\n", "\n", " "):
            at = window.rfind(mark)
            if at >= limit // 2 or (mark == " " and at > 0):
                cut = at
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces
