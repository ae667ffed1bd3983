"""Turn a catalogue :class:`~greatwork.commands.spec.Reply` into Discord messages within limits.

A reply becomes embeds: the title (at most 256 characters) and the body in the description,
split over several embeds when longer than 4,096, then the fields, 25 at most per embed, values
longer than 1,024 split over several fields. Embeds are packed into messages of at most 10
embeds and 6,000 characters. When that takes more than ``max_messages`` messages, the whole
text goes in a ``.txt`` attachment under a short preview instead. Nothing is cut: every
character of the reply is in the posts or in the attachment. Every post passes
:func:`~greatwork.bot.limits.check_post`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from greatwork.bot.limits import (
    AUTHOR,
    DESCRIPTION,
    EMBED_TOTAL,
    EMBEDS_PER_MESSAGE,
    FIELD_NAME,
    FIELD_VALUE,
    FIELDS,
    FILES_PER_MESSAGE,
    TITLE,
    Post,
    check_post,
    embed_size,
    split_text,
)
from greatwork.commands.spec import Attachment, Field, Reply

__all__ = [
    "COLOUR_ERROR",
    "COLOUR_OK",
    "MAX_MESSAGES",
    "PREVIEW",
    "notice",
    "render_reply",
]

COLOUR_OK: Final = 0x3B7D4F
COLOUR_ERROR: Final = 0xB3261E
MAX_MESSAGES: Final = 3  # more than this and the text is attached as a file instead
PREVIEW: Final = 1500  # characters of the body shown above an attached full text
_ELLIPSIS: Final = "…"
_CONTINUED: Final = " (continued)"
_FOOTER: Final = 256  # well under Discord's 2,048, so a full description always fits beside it


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    value: str
    inline: bool

    def payload(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "inline": self.inline}

    @property
    def size(self) -> int:
        return len(self.name) + len(self.value)


def render_reply(
    reply: Reply,
    *,
    author: str | None = None,
    footer: str | None = None,
    max_messages: int = MAX_MESSAGES,
) -> list[Post]:
    """The posts of a reply, in order; the first one answers the interaction.

    Args:
        reply: what the command answered.
        author: shown above the title (the player, in a public echo).
        footer: shown under the first embed (the command, in a public echo).
        max_messages: past this many messages the text is attached as a file.
    """
    colour = COLOUR_OK if reply.ok else COLOUR_ERROR
    title, body = _title_and_body(reply)
    head: dict[str, Any] = {"title": title, "color": colour}
    if author:
        head["author"] = {"name": _clip(author, AUTHOR)}
    if footer:
        head["footer"] = {"text": _clip(footer, _FOOTER)}
    embeds = _embeds(head, split_text(body, DESCRIPTION), _fields(reply.fields), colour)
    messages = _pack(embeds)
    if len(messages) > max_messages:
        return _with_files([_attached(head, reply, body)], [_full_text(reply), *reply.files])
    return _with_files(messages, list(reply.files))


def notice(title: str, body: str = "", *, ok: bool = True) -> Post:
    """One short embed (a setup summary, an admin notice, an error); long text is split."""
    posts = render_reply(Reply(title=title, body=body, ok=ok), max_messages=1)
    return posts[0]


def _title_and_body(reply: Reply) -> tuple[str, str]:
    """The title within 256 characters; a longer one is repeated in full atop the body."""
    title = " ".join(reply.title.split()) or ("Done" if reply.ok else "Refused")
    if len(title) <= TITLE:
        return title, reply.body
    return _clip(title, TITLE), f"{title}\n\n{reply.body}".strip()


def _fields(fields: Sequence[Field]) -> list[_Field]:
    """Each field within limits: long values over several fields, long names clipped."""
    out: list[_Field] = []
    for each in fields:
        name = " ".join(each.name.split()) or "\u2014"
        value = each.value.strip()
        if len(name) > FIELD_NAME:
            value = f"{name}\n{value}".strip()
            name = _clip(name, FIELD_NAME)
        pieces = split_text(value, FIELD_VALUE) or ["\u2014"]
        for n, piece in enumerate(pieces):
            shown = name if n == 0 else _clip(name, FIELD_NAME - len(_CONTINUED)) + _CONTINUED
            out.append(_Field(shown, piece, each.inline and len(pieces) == 1))
    return out


def _embeds(
    head: dict[str, Any], descriptions: list[str], fields: list[_Field], colour: int
) -> list[dict[str, Any]]:
    """The first embed carries the title; more embeds carry the rest of the body and fields."""
    embeds: list[dict[str, Any]] = [dict(head)]
    for n, description in enumerate(descriptions):
        if n > 0:
            embeds.append({"color": colour})
        embeds[-1]["description"] = description
    for each in fields:
        current = embeds[-1]
        present = current.setdefault("fields", [])
        if len(present) >= FIELDS or embed_size(current) + each.size > EMBED_TOTAL:
            current = {"color": colour, "fields": []}
            embeds.append(current)
        current["fields"].append(each.payload())
    return embeds


def _pack(embeds: list[dict[str, Any]]) -> list[Post]:
    """Embeds into messages: at most 10 a message and 6,000 characters in all."""
    messages: list[list[dict[str, Any]]] = [[]]
    total = 0
    for embed in embeds:
        size = embed_size(embed)
        if messages[-1] and (len(messages[-1]) >= EMBEDS_PER_MESSAGE or total + size > EMBED_TOTAL):
            messages.append([])
            total = 0
        messages[-1].append(_tidy(embed))
        total += size
    return [Post(embeds=tuple(each)) for each in messages]


def _tidy(embed: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in embed.items() if v not in ([], "")}


def _attached(head: dict[str, Any], reply: Reply, body: str) -> Post:
    """The preview post above the attached full text."""
    shown = split_text(body, PREVIEW)
    preview = shown[0] if shown else ""
    total = len(reply.text)
    note = f"The full text ({total:,} characters) is attached as `{_text_name(reply)}`."
    description = f"{preview}\n{_ELLIPSIS}\n\n{note}" if len(shown) > 1 else f"{preview}\n\n{note}"
    return Post(embeds=(_tidy({**head, "description": description.strip()}),))


def _full_text(reply: Reply) -> Attachment:
    lines = [reply.title, "", reply.body] if reply.body else [reply.title]
    for each in reply.fields:
        lines.extend(["", f"{each.name}:", each.value])
    return Attachment(filename=_text_name(reply), content="\n".join(lines).strip() + "\n")


def _text_name(reply: Reply) -> str:
    taken = {a.filename for a in reply.files}
    stem = re.sub(r"[^a-z0-9]+", "-", reply.title.lower()).strip("-")[:40] or "reply"
    name = f"{stem}.txt"
    n = 2
    while name in taken:
        name = f"{stem}-{n}.txt"
        n += 1
    return name


def _with_files(messages: list[Post], files: list[Attachment]) -> list[Post]:
    """Attach files to the first message, 10 a message; more files get messages of their own."""
    first = files[:FILES_PER_MESSAGE]
    out = list(messages)
    if first:
        out[0] = Post(content=out[0].content, embeds=out[0].embeds, files=tuple(first))
    rest = files[FILES_PER_MESSAGE:]
    out.extend(
        Post(files=tuple(rest[start : start + FILES_PER_MESSAGE]))
        for start in range(0, len(rest), FILES_PER_MESSAGE)
    )
    return [check_post(each) for each in out]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + _ELLIPSIS
