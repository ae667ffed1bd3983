"""Suggestions while a player types an option: scholars, theories, offers, press and more.

Options with a ``lookup`` are answered from the campaign's committed state
(:func:`~greatwork.commands.lookup.suggest`), press ids from the released press; a list option
(``team``, ``funding``) completes its last item and keeps what was typed before it. At most 25
suggestions, names of 1 to 100 characters. Suggestions never raise: a campaign that does not
exist yet, or anything going wrong, answers no suggestions (and the latter is logged).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from greatwork.actors.runtime import GameServer
from greatwork.bot.guilds import campaign_of, player_of
from greatwork.commands.lookup import MAX_SUGGESTIONS, suggest
from greatwork.commands.spec import Choice, Game, Lookup, Option, OptionType
from greatwork.rules.ids import PlayerId

__all__ = ["BUDGET", "complete", "suggestions"]

log = logging.getLogger(__name__)

BUDGET: Final = 2.0  # seconds; Discord drops an autocomplete answer after 3
_NAME_MAX: Final = 100
_VALUE_MAX: Final = 100


async def complete(
    server: GameServer, guild_id: int | None, user_id: int, option: Option, typed: str
) -> tuple[Choice, ...]:
    """Suggestions for ``option`` in the guild's campaign; empty outside a running campaign."""
    if guild_id is None or (option.lookup is None and not option.choices):
        return ()
    try:
        campaign_id = campaign_of(guild_id)
        if campaign_id not in server.campaign_ids():
            return ()
        async with asyncio.timeout(BUDGET):
            return await suggestions(
                server.game(campaign_id), option, typed, player=player_of(user_id)
            )
    except Exception:
        log.warning(
            "no suggestions for option %s in guild %s", option.name, guild_id, exc_info=True
        )
        return ()


async def suggestions(
    game: Game, option: Option, typed: str, *, player: PlayerId
) -> tuple[Choice, ...]:
    """At most 25 choices whose id or label contains what was typed (its last item, for lists).

    Raises:
        UnavailableError: the campaign is not running (callers answer nothing).
    """
    typed = str(typed)
    prefix, current, chosen = _last_item(typed) if option.many else ("", typed, set())
    found = await _candidates(game, option, current, player)
    out: list[Choice] = []
    for choice in found:
        value = _typed_value(option, choice.value)
        if value is None or str(value).lower() in chosen:
            continue
        if prefix:
            value = f"{prefix}{value}"
        if isinstance(value, str) and not 1 <= len(value) <= _VALUE_MAX:
            continue
        out.append(Choice(name=_clip(f"{prefix}{choice.name}") or str(value), value=value))
        if len(out) == MAX_SUGGESTIONS:
            break
    return tuple(out)


async def _candidates(
    game: Game, option: Option, current: str, player: PlayerId
) -> list[Choice] | tuple[Choice, ...]:
    if option.lookup is Lookup.PRESS:
        return await _press(game, current.strip())
    if option.lookup is not None:
        return suggest(game.state(), option.lookup, current, player=player, limit=100)
    wanted = current.strip().lower()
    return [c for c in option.choices if wanted in str(c.value).lower() or wanted in c.name.lower()]


async def _press(game: Game, current: str) -> list[Choice]:
    """Released press: by headline or body, or by number when digits are typed."""
    if current.isdigit():
        exact = await game.press_item(int(current))
        latest = await game.press(limit=MAX_SUGGESTIONS)
        items = [exact] if exact is not None else []
        items += [p for p in latest if str(p.id).startswith(current) and p.id != int(current)]
    else:
        items = list(await game.press(limit=MAX_SUGGESTIONS, query=current or None))
    return [Choice(name=f"#{p.id} · {p.headline}", value=p.id) for p in items]


def _last_item(typed: str) -> tuple[str, str, set[str]]:
    """What precedes the item being typed (kept as is), the item, and the items before it."""
    head, comma, current = typed.rpartition(",")
    if not comma:
        return "", typed, set()
    chosen = {part.strip().lower() for part in head.split(",") if part.strip()}
    prefix = ", ".join(part.strip() for part in head.split(",") if part.strip())
    return (f"{prefix}, " if prefix else ""), current, chosen


def _typed_value(option: Option, value: str | int) -> str | int | None:
    """The value in the option's own type (an integer option takes whole numbers only)."""
    if option.type is OptionType.INTEGER:
        if isinstance(value, int):
            return value
        return int(value) if str(value).lstrip("-").isdigit() else None
    return str(value)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _NAME_MAX else text[: _NAME_MAX - 1] + "…"
