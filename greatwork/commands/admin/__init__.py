"""The ``/gw_admin`` subcommands and ``/telemetry_report`` (GAME_RULES.md section 5.2).

Every entry is ``admin=True``: :func:`~greatwork.commands.spec.invoke` refuses it to anyone the
front end has not vouched for (Q-36: every subcommand is checked, on the server side). Replies
are ephemeral; what the Gazette prints about an admin action comes from the press desk.

The handlers live in private modules by area; this package puts them in the order ``/help``
lists them and exports the helpers other code reads the game with.
"""

from __future__ import annotations

from typing import Final

from greatwork.commands.admin import (
    _adjustments,
    _commitments,
    _control,
    _moderation,
    _orders,
    _reports,
)
from greatwork.commands.admin._figures import activity, balance_figures
from greatwork.commands.admin._orders import select_orders
from greatwork.commands.spec import CommandSpec

__all__ = ["ADMIN_COMMANDS", "activity", "balance_figures", "select_orders"]

ADMIN_COMMANDS: Final[tuple[CommandSpec, ...]] = (
    *_adjustments.COMMANDS,
    *_control.COMMANDS,
    *_commitments.COMMANDS,
    *_orders.COMMANDS,
    *_moderation.COMMANDS,
    *_reports.COMMANDS,
)
"""The /gw_admin subcommands, then /telemetry_report, in the order the help lists them."""
