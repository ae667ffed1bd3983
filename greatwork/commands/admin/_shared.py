"""Pieces several admin commands share: options, the spec shape, small helpers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

from greatwork.commands.options import Choice, Lookup, Option, OptionType
from greatwork.commands.render import faction_label
from greatwork.commands.spec import ADMIN_GROUP, CommandSpec, Handler, Invocation
from greatwork.rules.constants import FACTIONS
from greatwork.rules.state import RecordStatus
from greatwork.rules.text import MAX_REASON_LENGTH


def choices(values: Sequence[str]) -> tuple[Choice, ...]:
    """Choices whose label is their value."""
    return tuple(Choice(name=value, value=value) for value in values)


FACTION_CHOICES: Final = tuple(Choice(name=faction_label(f), value=str(f)) for f in FACTIONS)
ENDING_CHOICES: Final = choices((str(RecordStatus.COMPLETED), str(RecordStatus.CANCELLED)))


def player_option(name: str = "player_id", *, required: bool = True) -> Option:
    """An option that names one player (autocompleted)."""
    return Option(
        name=name,
        description="The player: their id or display name, any case",
        required=required,
        min_length=1,
        lookup=Lookup.PLAYER,
    )


def faction_option(name: str = "faction", what: str = "The faction") -> Option:
    """A required option that names one faction."""
    return Option(name=name, description=what, required=True, choices=FACTION_CHOICES)


def reason_option(*, required: bool, shown: str = "in the journal and the Gazette") -> Option:
    """The ``reason`` option: why the admin acts, and where that is shown."""
    return Option(
        name="reason",
        description=f"Why: shown {shown} (at most {MAX_REASON_LENGTH} characters)",
        required=required,
        min_length=1 if required else None,
        max_length=MAX_REASON_LENGTH,
    )


def flag_option(name: str, description: str) -> Option:
    """A boolean option, false unless given."""
    return Option(name=name, description=description, type=OptionType.BOOLEAN, default=False)


def status_option(what: str) -> Option:
    """The required ``status`` option that ends a record: completed or cancelled."""
    return Option(
        name="status", description=f"The {what}'s new status", required=True, choices=ENDING_CHOICES
    )


def who(inv: Invocation) -> dict[str, Any]:
    """The fields every rules command takes from the invocation."""
    return {"actor": inv.player, "at": inv.at, "actor_name": inv.display_name}


def opt_text(inv: Invocation, name: str) -> str:
    """An optional text option's value, or ``""`` when it was left out."""
    value = inv.options.get(name)
    return "" if value is None else str(value)


def as_json(value: object) -> str:
    """Indented JSON text for an attachment."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def admin_spec(name: str, description: str, handler: Handler, *options: Option) -> CommandSpec:
    """A ``/gw_admin`` subcommand: admins only, with an ephemeral reply."""
    return CommandSpec(
        name=name,
        description=description,
        handler=handler,
        options=options,
        admin=True,
        group=ADMIN_GROUP,
        ephemeral=True,
    )
