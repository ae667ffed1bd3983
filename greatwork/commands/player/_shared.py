"""Pieces several player commands share: the moderation hook, replies, options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from greatwork.actors.types import Outcome
from greatwork.commands.options import Choice, Lookup, Option, OptionType
from greatwork.commands.render import event_of, jsonable, press_ids, signed
from greatwork.commands.spec import Field, Invocation, Reply
from greatwork.llm import moderation
from greatwork.llm.moderation import Verdict
from greatwork.rules.constants import FACTION_NAMES, FACTIONS
from greatwork.rules.moderation import RecordModeration, TextBlocked, TextModerated, surface_name
from greatwork.rules.state import CampaignState
from greatwork.rules.view import with_new_player


async def screen(inv: Invocation, surface: str, text: str) -> None:
    """Check free text a player wrote before anything is executed (the moderation hook).

    The installed checker (``greatwork.llm.moderation``: the whole-word blocklist, and a
    plugged checker if configured) reads the text. A text it flags goes to the rules as
    :class:`~greatwork.rules.moderation.RecordModeration`, which lets it through if an admin's
    override covers it and journals the decision either way (``/gw_admin moderation_recent``);
    a text nothing flags is not logged. A text that stays blocked is refused with
    :class:`~greatwork.rules.moderation.TextBlocked`, and the command it came with is never
    executed (Q-22). The rules still bound the text's length.

    Raises:
        TextBlocked: the text is blocked and no override covers it.
    """
    verdict = moderation.check(text, surface)
    if not verdict.blocked:
        return
    outcome = await inv.game.execute(
        RecordModeration(
            **who(inv),
            text=text,
            surface=surface,
            stage=verdict.stage,
            category=verdict.category,
        )
    )
    decision = event_of(outcome, TextModerated)
    if decision.blocked:
        raise TextBlocked(
            blocked_message(surface, verdict, decision.text_hash),
            surface=surface,
            stage=verdict.stage,
            category=verdict.category,
            word=verdict.matched,
            text_hash=decision.text_hash,
        )


def blocked_message(surface: str, verdict: Verdict, key: str) -> str:
    """The refusal a player reads: what was blocked, why, and how to appeal."""
    what = surface_name(surface, article=False)
    if verdict.matched:
        reason = f"it contains “{verdict.matched}”"
        if verdict.found and verdict.found != verdict.matched:
            reason += f" (read in “{verdict.found}”)"
        if verdict.stage == "blocklist":
            reason += ", a word on the blocklist"
        else:
            reason += f", flagged by the {verdict.stage} check"
    else:
        reason = f"the {verdict.stage or 'moderation'} check flagged it"
    if verdict.category:
        reason += f" ({verdict.category.replace('_', ' ')})"
    return (
        f"Your {what} was blocked by moderation: {reason}. The move was not made and cost nothing. "
        "Reword it and "
        "try again; if this is a mistake, ask an admin to let this exact text through with "
        f"/gw_admin add_moderation_override text_hash:{key}"
    )


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
