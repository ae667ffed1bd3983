"""The catalogue: every player command and every ``/gw_admin`` subcommand, in one place."""

from __future__ import annotations

from greatwork.commands.admin import ADMIN_COMMANDS
from greatwork.commands.player import PLAYER_COMMANDS
from greatwork.commands.spec import Catalogue

CATALOGUE = Catalogue([*PLAYER_COMMANDS, *ADMIN_COMMANDS])
