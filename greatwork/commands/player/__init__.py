"""The player commands (GAME_RULES.md section 5.1, with the defects of section 8 fixed).

Each handler parses its options into a rules command (or a view), asks the campaign, and
renders the reply. Refusals are the rules' own errors, with specifics added where the command
layer knows more (which option, where to look the valid values up). Free text a player writes
passes :func:`~greatwork.commands.player._shared.screen` before anything is executed: that is
where moderation (issue 5) plugs in.

The handlers live in private modules by area; this package only puts them in the order
``/help`` lists them.

Not here: ``/resolve_expeditions`` (Q-28: digests run by the clock or ``/gw_admin run_digest``)
and ``/export_web_archive`` (the web archive arrives with issue 7).
"""

from __future__ import annotations

from typing import Final

from greatwork.commands.player import (
    _economy,
    _help,
    _offers,
    _press,
    _profile,
    _scholars,
    _symposium,
    _theories,
    _views,
)
from greatwork.commands.spec import CommandSpec

__all__ = ["PLAYER_COMMANDS"]

PLAYER_COMMANDS: Final[tuple[CommandSpec, ...]] = (
    _theories.SUBMIT_THEORY,
    _theories.LAUNCH_EXPEDITION,
    _scholars.RECRUIT,
    _scholars.RECRUIT_ODDS,
    _scholars.MENTOR,
    _scholars.ASSIGN_LAB,
    _theories.CONFERENCE,
    _symposium.SYMPOSIUM_VOTE,
    _symposium.SYMPOSIUM_PROPOSE,
    _symposium.SYMPOSIUM_PROPOSALS,
    _symposium.SYMPOSIUM_BACKLOG,
    _symposium.SYMPOSIUM_STATUS,
    _views.STATUS,
    _views.WAGER,
    _economy.INVEST,
    _economy.ENDOW_ARCHIVE,
    _economy.SEASONAL_COMMITMENTS,
    _economy.FACTION_PROJECTS,
    _scholars.SET_NICKNAME,
    _press.SHARE_PRESS,
    _press.GAZETTE,
    _press.EXPORT_LOG,
    _press.ARCHIVE_LINK,
    _press.TABLE_TALK,
    _offers.POACH,
    _offers.COUNTER,
    _offers.VIEW_OFFERS,
    _views.THEORY_REFERENCE,
    _profile.SCHOLAR,
    _profile.ROSTER,
    _help.HELP,
)
"""Every player command, in the order ``/help`` lists them."""
