"""Pieces several player commands share: the moderation hook, replies, options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from greatwork.actors.types import Outcome
from greatwork.commands.options import Choice, Lookup, Option, OptionType
from greatwork.commands.render import jsonable, press_ids, signed
from greatwork.commands.spec import Field, Invocation, Reply
from greatwork.rules.constants import FACTION_NAMES, FACTIONS
from greatwork.rules.state import CampaignState
from greatwork.rules.view import with_new_player


async def screen(inv: Invocation, surface: str, text: str) -> None:
    """Check free text a player wrote before anything is executed (the moderation hook).

    Issue 5 plugs its check in here (the blocklist, then ``override_for`` in the rules): it
    raises a RuleError to refuse the text, so nothing is recorded (Q-22). The surfaces are
    theory, objective, table_talk, nickname, symposium_topic and symposium_description.
    Until then every text passes; the rules still bound its length.
    """
    del inv, surface, text


def who(inv: Invocation) -> dict[str, Any]:
    """The fields every rules command takes from the invocation."""
    return {"actor": inv.player, "at": inv.at, "actor_name": inv.display_name}


def done(
    outcome: Outcome,
    title: str,
    body: str,
    data: Mapping[str, Any],
    fields: tuple[Field, ...] = (),
    *,
    public: bool = True,
    ephemeral: bool = False,
) -> Reply:
    """The reply to an accepted move: ``data`` plus the press it produced."""
    full = {**data, "press": press_ids(outcome)}
    return Reply(
        title=title,
        body=body,
        fields=fields,
        data=jsonable(full),
        public=public and not ephemeral,
        ephemeral=ephemeral,
    )


def viewer_state(inv: Invocation) -> CampaignState:
    """The state, with the caller previewed as a new player if they have not joined."""
    return with_new_player(inv.game.state(), inv.player, inv.display_name, inv.at)


def feel(value: float) -> str:
    """A feeling for people: ``+2.5``."""
    return signed(round(value, 2))


def points(chance: float) -> str:
    """A probability bonus in percentage points: ``+6``."""
    return signed(round(chance * 100, 1))


FACTION_CHOICES: Final = tuple(
    Choice(name=f"{f} ({FACTION_NAMES[f]})", value=str(f)) for f in FACTIONS
)


def scholar_option(
    name: str = "scholar_id", description: str = "The scholar: id or name"
) -> Option:
    """A required option that names one scholar (autocompleted)."""
    return Option(
        name=name, description=description, required=True, max_length=100, lookup=Lookup.SCHOLAR
    )


def limit_option(default: int, most: int, what: str) -> Option:
    """The ``limit`` option of a listing: how many ``what`` to show, 1 to ``most``."""
    return Option(
        name="limit",
        description=f"How many {what} (1-{most}, default {default})",
        type=OptionType.INTEGER,
        default=default,
        min_value=1,
        max_value=most,
    )
