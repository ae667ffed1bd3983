"""Discord's limits on messages (content, embeds, files, mentions, nonces) and on choices.

Every message a bot sends is checked here, whatever route carries it: a channel post, an
interaction response, a followup, an edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from tests.discord.emulator_checks import (
    MAX_CHOICES,
    FormErrors,
    Path,
    check_at_most,
    check_length,
    value_problem,
)
from tests.discord.emulator_core import DiscordHTTPError

CONTENT: Final = 2000
EMBEDS: Final = 10
FILES: Final = 10
TITLE: Final = 256
DESCRIPTION: Final = 4096
FIELDS: Final = 25
FIELD_NAME: Final = 256
FIELD_VALUE: Final = 1024
FOOTER: Final = 2048
AUTHOR: Final = 256
EMBED_TOTAL: Final = 6000
NONCE: Final = 25
MENTION_KINDS: Final = ("everyone", "roles", "users")


def check_message(body: Mapping[str, Any], prefix: Path = (), *, files: int = 0) -> FormErrors:
    """Check a message body (create, edit, interaction response, followup) for Discord's limits.

    Args:
        body: The JSON fields of the message.
        prefix: Where the message sits in the request (``("data",)`` for a callback).
        files: How many files come with it.
    """
    errors = FormErrors()
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        errors.add([*prefix, "content"], "BASE_TYPE_STRING", "Must be a string.")
    else:
        check_at_most(errors, [*prefix, "content"], content, CONTENT)
    embeds = body.get("embeds")
    if embeds is not None:
        _check_embeds(errors, [*prefix, "embeds"], embeds)
    count = files + len([a for a in body.get("attachments") or [] if isinstance(a, dict)])
    if count > FILES:
        errors.add(
            [*prefix, "attachments"], "BASE_TYPE_MAX_LENGTH", f"Must be {FILES} or fewer in length."
        )
    nonce = body.get("nonce")
    if isinstance(nonce, str):
        check_at_most(errors, [*prefix, "nonce"], nonce, NONCE)
    elif nonce is not None and not isinstance(nonce, int):
        errors.add([*prefix, "nonce"], "BASE_TYPE_STRING", "Must be a string or an integer.")
    mentions = body.get("allowed_mentions")
    if mentions is not None:
        _check_allowed_mentions(errors, [*prefix, "allowed_mentions"], mentions)
    return errors


def _check_embeds(errors: FormErrors, path: Path, embeds: object) -> None:
    if not isinstance(embeds, list):
        errors.add(path, "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if len(embeds) > EMBEDS:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {EMBEDS} or fewer in length.")
    total = 0
    for index, embed in enumerate(embeds):
        if not isinstance(embed, dict):
            errors.add([*path, index], "DICT_TYPE_CONVERT", "Must be an object.")
            continue
        total += _check_embed(errors, [*path, index], embed)
    if total > EMBED_TOTAL:
        errors.add(
            path,
            "MAX_EMBED_SIZE_EXCEEDED",
            f"Embed size exceeds maximum size of {EMBED_TOTAL} ({total} characters)",
        )


def _check_embed(errors: FormErrors, path: Path, embed: Mapping[str, Any]) -> int:
    """Check one embed; return the characters it counts toward the message's 6,000."""
    title, description = embed.get("title"), embed.get("description")
    check_at_most(errors, [*path, "title"], title, TITLE)
    check_at_most(errors, [*path, "description"], description, DESCRIPTION)
    size = len(title or "") + len(description or "")
    fields = embed.get("fields") or []
    check_at_most(errors, [*path, "fields"], fields, FIELDS)
    for index, each in enumerate(fields if isinstance(fields, list) else []):
        for key, high in (("name", FIELD_NAME), ("value", FIELD_VALUE)):
            text = each.get(key) if isinstance(each, dict) else None
            if not isinstance(text, str) or not text.strip():
                errors.add(
                    [*path, "fields", index, key], "BASE_TYPE_REQUIRED", "This field is required"
                )
            else:
                check_at_most(errors, [*path, "fields", index, key], text, high)
                size += len(text)
    for key, inner, high in (("footer", "text", FOOTER), ("author", "name", AUTHOR)):
        part = embed.get(key)
        if part is None:
            continue
        text = part.get(inner) if isinstance(part, dict) else None
        if not isinstance(text, str) or not text.strip():
            errors.add([*path, key, inner], "BASE_TYPE_REQUIRED", "This field is required")
        else:
            check_at_most(errors, [*path, key, inner], text, high)
            size += len(text)
    return size


def _check_allowed_mentions(errors: FormErrors, path: Path, mentions: object) -> None:
    if not isinstance(mentions, dict):
        errors.add(path, "DICT_TYPE_CONVERT", "Must be an object.")
        return
    parse = mentions.get("parse") or []
    for index, kind in enumerate(parse):
        if kind not in MENTION_KINDS:
            errors.add(
                [*path, "parse", index],
                "BASE_TYPE_CHOICES",
                f"Value must be one of {MENTION_KINDS}.",
            )
    for kind in ("users", "roles"):
        ids = mentions.get(kind) or []
        check_at_most(errors, [*path, kind], ids, 100)
        if ids and kind in parse:
            errors.add(
                [*path, "parse"],
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.',
            )


def refuse_empty(message: Mapping[str, Any]) -> None:
    """Raise Discord's 50006 when a message would have nothing to show."""
    content = message.get("content") or ""
    if not (
        content.strip()
        or message.get("embeds")
        or message.get("attachments")
        or message.get("components")
        or message.get("sticker_ids")
        or message.get("poll")
    ):
        raise DiscordHTTPError(400, 50006, "Cannot send an empty message")


def check_autocomplete(data: object, kind: int) -> FormErrors:
    """Check the ``data`` of an autocomplete answer (callback type 8) for an option's type."""
    errors = FormErrors()
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list):
        errors.add(["data", "choices"], "BASE_TYPE_REQUIRED", "This field is required")
        return errors
    check_at_most(errors, ["data", "choices"], choices, MAX_CHOICES)
    for index, choice in enumerate(choices):
        where: list[str | int] = ["data", "choices", index]
        if not isinstance(choice, dict):
            errors.add(where, "DICT_TYPE_CONVERT", "Must be an object.")
            continue
        check_length(errors, [*where, "name"], choice.get("name"), 1, 100)
        problem = value_problem(kind, choice.get("value"))
        if problem:
            errors.add([*where, "value"], "BASE_TYPE_CHOICES", problem)
    return errors
