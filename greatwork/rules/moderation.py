"""Moderation overrides and the moderation log (section 3.13 and D15).

An override is an admin's ruling that one exact text may pass moderation: it is keyed by the
SHA-256 hex of the stripped text, optionally narrowed to one surface, stage or category, and
optionally expires. The moderation hook (``greatwork.llm.moderation``: a word-boundary
blocklist, and any pluggable checker) hands a text it flagged to :class:`RecordModeration`,
which asks :func:`override_for` and journals the decision as a :class:`TextModerated` event
(built by :func:`moderation_event`): blocked, or passed by an override. Texts nothing flagged
are not logged. The state keeps the last 50 entries for ``/gw_admin moderation_recent``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Final

from greatwork.rules.admin import AdminCommand
from greatwork.rules.command import Command, Context, decides
from greatwork.rules.constants import HOUR
from greatwork.rules.errors import Conflict, InvalidInput, NotFound, RuleError
from greatwork.rules.event import Event, Tx, applies
from greatwork.rules.ids import Instant
from greatwork.rules.player import bump_counter, next_id
from greatwork.rules.state import CampaignState, ModerationOverride, ModerationRecord
from greatwork.rules.text import clean_text

SURFACES: Final = (
    "theory",
    "table_talk",
    "nickname",
    "objective",
    "symposium_topic",
    "symposium_description",
    "llm_output",
    "program",  # the programme name of /invest and /endow_archive (appended: scripts pin the order)
)
SURFACE_NAMES: Final = {
    "theory": "a theory",
    "table_talk": "a table talk message",
    "nickname": "a nickname",
    "objective": "an expedition objective",
    "symposium_topic": "a symposium topic",
    "symposium_description": "a symposium description",
    "llm_output": "the language model's rewrite of a press release",
    "program": "a programme name",
}
"""Each surface in words, with its article, for refusals and admin alerts."""


def surface_name(surface: str, *, article: bool = True) -> str:
    """A surface in words: ``an expedition objective`` (``expedition objective`` without)."""
    name = SURFACE_NAMES.get(surface, surface.replace("_", " "))
    if article:
        return name
    first, _, rest = name.partition(" ")
    return rest if first in {"a", "an", "the"} and rest else name


# blocklist: the word-boundary blocklist (D14, D15); classifier: any pluggable checker.
STAGES: Final = ("blocklist", "classifier")
CATEGORIES: Final = (
    "hate",
    "abuse",
    "profanity",
    "sexual",
    "violence",
    "self_harm",
    "illicit",
)
MAX_NOTES_LENGTH: Final = 200
MAX_EXPIRY_HOURS: Final = 8_760  # one year
LOG_SIZE: Final = 50  # the moderation log keeps this many entries, newest last
SNIPPET_LENGTH: Final = 80
OVERRIDE_PREFIX: Final = "MOD-"
_HASH = re.compile(r"[0-9a-f]{64}")


def text_hash(text: str) -> str:
    """The key of a text for overrides: the SHA-256 hex digest of the stripped text (UTF-8)."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def snippet(text: str, limit: int = SNIPPET_LENGTH) -> str:
    """The text on one line, cut to ``limit`` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def parse_hash(value: str) -> str:
    """A SHA-256 hex digest in lower case, or an error saying what a valid one looks like."""
    cleaned = value.strip().lower()
    if not _HASH.fullmatch(cleaned):
        raise InvalidInput(
            "The text hash must be the SHA-256 of the stripped text: 64 hexadecimal characters "
            f"(0-9, a-f); got {len(cleaned)} characters: {snippet(cleaned, 24)!r}.",
            field="text_hash",
            length=len(cleaned),
        )
    return cleaned


def _scope(value: str | None, allowed: Iterable[str], label: str) -> str | None:
    if value is None or not value.strip():
        return None
    key = value.strip().lower()
    choices = tuple(allowed)
    if key not in choices:
        raise InvalidInput(
            f"Unknown {label} {value!r}: choose one of {', '.join(choices)}.",
            field=label,
            value=value,
            choices=", ".join(choices),
        )
    return key


def is_expired(override: ModerationOverride, now: Instant) -> bool:
    """Whether the override's expiry has passed (an override without one never expires)."""
    return override.expires_at is not None and override.expires_at <= now


def _number(override_id: str) -> int:
    digits = override_id.removeprefix(OVERRIDE_PREFIX)
    return int(digits) if digits.isdigit() else 0


def overrides(
    state: CampaignState, now: Instant, *, include_expired: bool = False
) -> tuple[ModerationOverride, ...]:
    """The overrides in force (or all of them), oldest first."""
    found = [
        o for o in state.moderation_overrides.values() if include_expired or not is_expired(o, now)
    ]
    return tuple(sorted(found, key=lambda o: (_number(o.id), o.id)))


def override_for(
    state: CampaignState,
    text: str,
    surface: str,
    now: Instant,
    *,
    stage: str | None = None,
    category: str | None = None,
) -> ModerationOverride | None:
    """The override that lets ``text`` pass on ``surface`` at ``now``, if any.

    An override matches when its hash is the text's, it has not expired, and each scope it
    sets (surface, stage, category) equals the caller's: an override scoped to a stage or a
    category applies only when the caller names that stage or category. The most specific
    match wins; among equals, the newest.
    """
    key = text_hash(text)
    wanted = (surface, stage, category)
    best: ModerationOverride | None = None
    best_rank = (-1, -1)
    for found in state.moderation_overrides.values():
        if found.text_hash != key or is_expired(found, now):
            continue
        scopes = (found.surface, found.stage, found.category)
        if any(s is not None and s != w for s, w in zip(scopes, wanted, strict=True)):
            continue
        rank = (sum(s is not None for s in scopes), _number(found.id))
        if rank > best_rank:
            best, best_rank = found, rank
    return best


def recent(state: CampaignState, limit: int) -> tuple[ModerationRecord, ...]:
    """The last ``limit`` entries of the moderation log, newest first."""
    if limit <= 0:
        return ()
    return tuple(reversed(state.moderation_log[-limit:]))


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ModerationOverrideAdded(Event):
    """An admin let one exact text pass moderation."""

    override: ModerationOverride


@dataclass(frozen=True, slots=True, kw_only=True)
class ModerationOverrideRemoved(Event):
    """An admin withdrew an override."""

    override: str
    by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TextModerated(Event):
    """The moderation hook checked a text (the log ``/gw_admin moderation_recent`` shows).

    Attributes:
        surface: where the text was going (one of :data:`SURFACES`).
        text_hash: the SHA-256 of the stripped text, for an override.
        snippet: the start of the text, on one line.
        blocked: whether the text was refused.
        category: what it was flagged for, if anything.
        stage: which check decided (one of :data:`STAGES`), if known.
        override: the override that let a flagged text through, if one did.
    """

    surface: str
    text_hash: str
    snippet: str
    blocked: bool
    category: str | None = None
    stage: str = ""
    override: str | None = None


@applies(ModerationOverrideAdded)
def _override_added(state: CampaignState, e: ModerationOverrideAdded) -> CampaignState:
    state = bump_counter(state, "moderation_override")
    return dataclasses.replace(
        state, moderation_overrides={**state.moderation_overrides, e.override.id: e.override}
    )


@applies(ModerationOverrideRemoved)
def _override_removed(state: CampaignState, e: ModerationOverrideRemoved) -> CampaignState:
    kept = {k: v for k, v in state.moderation_overrides.items() if k != e.override}
    return dataclasses.replace(state, moderation_overrides=kept)


@applies(TextModerated)
def _text_moderated(state: CampaignState, e: TextModerated) -> CampaignState:
    record = ModerationRecord(
        at=e.at,
        surface=e.surface,
        text_hash=e.text_hash,
        snippet=e.snippet,
        blocked=e.blocked,
        category=e.category,
        stage=e.stage,
        override=e.override,
    )
    return dataclasses.replace(state, moderation_log=(*state.moderation_log, record)[-LOG_SIZE:])


def moderation_event(
    text: str,
    surface: str,
    at: Instant,
    *,
    blocked: bool,
    category: str | None = None,
    stage: str = "",
    override: str | None = None,
) -> TextModerated:
    """The log entry for one moderation decision: the text is reduced to its hash and a snippet."""
    return TextModerated(
        at=at,
        surface=surface,
        text_hash=text_hash(text),
        snippet=snippet(text),
        blocked=blocked,
        category=category,
        stage=stage,
        override=override,
    )


# --- the hook's decisions --------------------------------------------------------------------


class TextBlocked(RuleError):  # noqa: N818 (a refusal, like the other rule errors)
    """A text was refused by moderation and no override covers it; nothing else changed."""

    code = "blocked"


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordModeration(Command):
    """A text the moderation hook flagged: let through if an override covers it, logged either way.

    It needs no player (the actor is whoever wrote the text, or the server for model output)
    and runs while the game is paused, since the hook checks a text before the command that
    carries it is decided. Only the hash and a snippet of the text are journaled.

    Attributes:
        text: the flagged text, as written.
        surface: where it was going (one of :data:`SURFACES`).
        stage: which check flagged it (one of :data:`STAGES`).
        category: what it was flagged for (one of :data:`CATEGORIES`), if known.
    """

    text: str
    surface: str
    stage: str
    category: str | None = None

    player_command: ClassVar[bool] = False
    allowed_while_paused: ClassVar[bool] = True


@decides(RecordModeration)
def _record_moderation(tx: Tx, cmd: RecordModeration, ctx: Context) -> None:
    del ctx
    for value, allowed, label in (
        (cmd.surface, SURFACES, "surface"),
        (cmd.stage, STAGES, "stage"),
        (cmd.category, (None, *CATEGORIES), "category"),
    ):
        if value not in allowed:
            raise InvalidInput(
                f"Unknown moderation {label} {value!r}: use one of "
                f"{', '.join(a for a in allowed if a is not None)}.",
                field=label,
                value=value,
            )
    found = override_for(
        tx.state, cmd.text, cmd.surface, cmd.at, stage=cmd.stage, category=cmd.category
    )
    tx.emit(
        moderation_event(
            cmd.text,
            cmd.surface,
            cmd.at,
            blocked=found is None,
            category=cmd.category,
            stage=cmd.stage,
            override=None if found is None else found.id,
        )
    )


# --- admin commands --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AddModerationOverride(AdminCommand):
    """Admin: let the text with this hash pass moderation, perhaps scoped, perhaps expiring."""

    text_hash: str
    surface: str | None = None
    stage: str | None = None
    category: str | None = None
    notes: str = ""
    expires_hours: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveModerationOverride(AdminCommand):
    """Admin: withdraw an override by its id (``MOD-3``)."""

    override: str


@decides(AddModerationOverride)
def _add_override(tx: Tx, cmd: AddModerationOverride, ctx: Context) -> None:
    del ctx
    key = parse_hash(cmd.text_hash)
    surface = _scope(cmd.surface, SURFACES, "surface")
    stage = _scope(cmd.stage, STAGES, "stage")
    category = _scope(cmd.category, CATEGORIES, "category")
    notes = clean_text(" ".join(cmd.notes.split()), "notes", MAX_NOTES_LENGTH, required=False)
    expires_at = None
    if cmd.expires_hours is not None:
        if not 1 <= cmd.expires_hours <= MAX_EXPIRY_HOURS:
            raise InvalidInput(
                f"The expiry must be between 1 and {MAX_EXPIRY_HOURS} hours; "
                f"got {cmd.expires_hours}.",
                field="expires_hours",
                value=cmd.expires_hours,
            )
        expires_at = Instant(cmd.at + cmd.expires_hours * HOUR)
    for existing in overrides(tx.state, cmd.at):
        same = (existing.text_hash, existing.surface, existing.stage, existing.category)
        if same == (key, surface, stage, category):
            raise Conflict(
                f"Override {existing.id} already covers this text with the same scope; "
                "remove it first to change it.",
                override=existing.id,
            )
    override = ModerationOverride(
        id=f"{OVERRIDE_PREFIX}{next_id(tx.state, 'moderation_override')}",
        text_hash=key,
        created_at=cmd.at,
        created_by=cmd.actor,
        surface=surface,
        stage=stage,
        category=category,
        notes=notes,
        expires_at=expires_at,
    )
    tx.emit(ModerationOverrideAdded(at=cmd.at, override=override))


@decides(RemoveModerationOverride)
def _remove_override(tx: Tx, cmd: RemoveModerationOverride, ctx: Context) -> None:
    del ctx
    wanted = cmd.override.strip().upper()
    if wanted.isdigit():
        wanted = f"{OVERRIDE_PREFIX}{wanted}"
    if wanted not in tx.state.moderation_overrides:
        raise NotFound(
            f"No moderation override {cmd.override.strip()!r}; "
            "/gw_admin moderation_overrides lists them.",
            override=cmd.override.strip(),
        )
    tx.emit(ModerationOverrideRemoved(at=cmd.at, override=wanted, by=cmd.actor))
