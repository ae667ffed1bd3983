"""Moderation: overrides (list, add, remove) and the recent decisions."""

from __future__ import annotations

from typing import Any, Final

from greatwork.commands.admin._shared import (
    admin_spec,
    as_json,
    choices,
    flag_option,
    opt_text,
    who,
)
from greatwork.commands.options import Option, OptionType
from greatwork.commands.render import bullets, clip, event_of, iso, jsonable, plural, when
from greatwork.commands.spec import Attachment, CommandSpec, Invocation, Reply
from greatwork.rules import moderation
from greatwork.rules.ids import Instant
from greatwork.rules.state import ModerationOverride, ModerationRecord

MAX_RECENT_MODERATION: Final = moderation.LOG_SIZE


def _override_data(override: ModerationOverride, now: Instant) -> dict[str, Any]:
    data: dict[str, Any] = jsonable(override)
    data["created_at"] = iso(override.created_at)
    data["expires_at"] = iso(override.expires_at) if override.expires_at is not None else None
    data["expired"] = moderation.is_expired(override, now)
    return data


def _override_line(override: ModerationOverride, now: Instant) -> str:
    scope = ", ".join(
        f"{label} {value}"
        for label, value in (
            ("surface", override.surface),
            ("stage", override.stage),
            ("category", override.category),
        )
        if value is not None
    )
    if override.expires_at is None:
        expiry = "never expires"
    elif moderation.is_expired(override, now):
        expiry = f"expired {when(override.expires_at)}"
    else:
        expiry = f"expires {when(override.expires_at)}"
    parts = [override.id, f"hash {override.text_hash[:12]}…", scope or "every surface", expiry]
    if override.notes:
        parts.append(clip(override.notes, 80))
    return " · ".join(parts)


async def _moderation_overrides(inv: Invocation) -> Reply:
    include_expired = bool(inv.options["include_expired"])
    found = moderation.overrides(inv.game.state(), inv.at, include_expired=include_expired)
    listed = [_override_data(o, inv.at) for o in found]
    which = "Overrides, expired ones included" if include_expired else "Overrides in force"
    files: tuple[Attachment, ...] = ()
    if bool(inv.options["as_file"]):
        files = (Attachment(filename="moderation_overrides.json", content=as_json(listed)),)
        body = f"{which}: {len(found)}. The listing is attached as moderation_overrides.json."
    else:
        body = f"{which}: {len(found)}.\n" + bullets(
            (_override_line(o, inv.at) for o in found), "No overrides."
        )
    return Reply(
        title="Moderation overrides",
        body=body,
        files=files,
        data={"count": len(found), "overrides": listed},
    )


async def _add_moderation_override(inv: Invocation) -> Reply:
    hours = inv.options.get("expires_hours")
    outcome = await inv.game.execute(
        moderation.AddModerationOverride(
            **who(inv),
            text_hash=str(inv.options["text_hash"]),
            surface=inv.options.get("surface"),
            stage=inv.options.get("stage"),
            category=inv.options.get("category"),
            notes=opt_text(inv, "notes"),
            expires_hours=None if hours is None else int(hours),
        )
    )
    override = event_of(outcome, moderation.ModerationOverrideAdded).override
    return Reply(
        title="Moderation override added",
        body=f"The text with this hash now passes moderation: {_override_line(override, inv.at)}.",
        data={"override": override.id, **_override_data(override, inv.at)},
    )


async def _remove_moderation_override(inv: Invocation) -> Reply:
    typed = str(inv.options["id"])
    before = inv.game.state().moderation_overrides
    outcome = await inv.game.execute(
        moderation.RemoveModerationOverride(**who(inv), override=typed)
    )
    removed = event_of(outcome, moderation.ModerationOverrideRemoved).override
    return Reply(
        title="Moderation override removed",
        body=f"Override {removed} is withdrawn; its text is moderated as usual again.",
        data={"override": removed, "text_hash": before[removed].text_hash},
    )


def _record_line(record: ModerationRecord) -> str:
    verdict = "BLOCKED" if record.blocked else "passed"
    if record.category:
        verdict += f" ({record.category})"
    parts = [when(record.at), record.surface, verdict]
    if record.stage:
        parts.append(f"stage {record.stage}")
    if record.override:
        parts.append(f"override {record.override}")
    parts += [f"“{record.snippet}”", f"hash `{record.text_hash}`"]
    return " · ".join(parts)


async def _moderation_recent(inv: Invocation) -> Reply:
    records = moderation.recent(inv.game.state(), int(inv.options["limit"]))
    listed = []
    for record in records:
        item: dict[str, Any] = jsonable(record)
        item["at"] = iso(record.at)
        listed.append(item)
    blocked = sum(r.blocked for r in records)
    return Reply(
        title="Recent moderation",
        body=f"The last {plural(len(records), 'decision')} ({blocked} blocked), newest first.\n"
        + bullets((_record_line(r) for r in records), "Nothing has been moderated yet."),
        data={"count": len(records), "blocked": blocked, "entries": listed},
    )


COMMANDS: Final[tuple[CommandSpec, ...]] = (
    admin_spec(
        "moderation_overrides",
        "List the moderation overrides",
        _moderation_overrides,
        flag_option("include_expired", "Include expired overrides"),
        flag_option("as_file", "Attach the listing as moderation_overrides.json"),
    ),
    admin_spec(
        "add_moderation_override",
        "Let one exact text pass moderation (by the SHA-256 of the stripped text)",
        _add_moderation_override,
        Option(
            name="text_hash",
            description="SHA-256 hex of the stripped text (64 characters)",
            required=True,
            min_length=1,
        ),
        Option(
            name="surface",
            description="Only on this surface (default: all)",
            choices=choices(moderation.SURFACES),
        ),
        Option(
            name="stage",
            description="Only at this stage (default: all)",
            choices=choices(moderation.STAGES),
        ),
        Option(
            name="category",
            description="Only for this category (default: all)",
            choices=choices(moderation.CATEGORIES),
        ),
        Option(
            name="notes",
            description=f"A note for other admins (at most {moderation.MAX_NOTES_LENGTH})",
            max_length=moderation.MAX_NOTES_LENGTH,
        ),
        Option(
            name="expires_hours",
            description=f"Expire after this many hours, 1 to {moderation.MAX_EXPIRY_HOURS}",
            type=OptionType.INTEGER,
            min_value=1,
            max_value=moderation.MAX_EXPIRY_HOURS,
        ),
    ),
    admin_spec(
        "remove_moderation_override",
        "Withdraw a moderation override",
        _remove_moderation_override,
        Option(name="id", description="The override: MOD-3 or 3", required=True, min_length=1),
    ),
    admin_spec(
        "moderation_recent",
        "The latest moderation decisions, newest first",
        _moderation_recent,
        Option(
            name="limit",
            description=f"How many, 1 to {MAX_RECENT_MODERATION}",
            type=OptionType.INTEGER,
            default=10,
            min_value=1,
            max_value=MAX_RECENT_MODERATION,
        ),
    ),
)
