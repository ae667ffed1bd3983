"""What a player reads when a command fails for a reason other than the rules.

Refusals (every :class:`~greatwork.rules.errors.RuleError`) are already replies by the time
they leave :func:`~greatwork.commands.spec.invoke`. Everything else (the campaign unavailable,
an actor that failed, a timeout, Discord refusing a message, a bug) becomes one specific,
ephemeral reply here, and is logged with the command and the traceback by the caller.
"""

from __future__ import annotations

from typing import Final

import disnake

from greatwork.actors.types import ActorFailedError, UnavailableError
from greatwork.bot.directory import DEFAULT_NAMES, ChannelRole
from greatwork.commands.spec import Reply

__all__ = [
    "COMMAND_TIMEOUT",
    "failure_reply",
    "guild_unknown_reply",
    "in_dm_reply",
    "table_talk_missing_reply",
]

COMMAND_TIMEOUT: Final = 60.0  # seconds a command may take before the player is told so


def _error(title: str, body: str, code: str) -> Reply:
    return Reply(title=title, body=body, ephemeral=True, ok=False, error=code)


def failure_reply(error: BaseException, path: str) -> Reply:
    """The ephemeral reply to a command that failed with ``error`` (never a RuleError)."""
    command = f"/{path}"
    if isinstance(error, ActorFailedError):
        return _error(
            "Internal error",
            f"The game hit an internal error while handling {command}, so your move was not "
            "applied and will not be retried. The error is logged for the operator; try "
            "something else, or tell an admin if it keeps happening.",
            "internal_error",
        )
    if isinstance(error, UnavailableError):
        return _error(
            "The game could not take your move",
            f"{error}\n\nNothing changed; {command} can be tried again in a moment.",
            "unavailable",
        )
    if isinstance(error, TimeoutError):
        return _error(
            "The game is slow to answer",
            f"{command} did not finish within {COMMAND_TIMEOUT:g} seconds. It may still go "
            "through: check /status before you try again.",
            "timeout",
        )
    if isinstance(error, disnake.Forbidden):
        return _error(
            "Missing permission",
            f"Discord refused the bot's answer to {command} (missing permission: "
            f"{error.text or error.status}). An admin should check the bot's role can send "
            "messages, embed links and attach files here.",
            "discord_forbidden",
        )
    if isinstance(error, disnake.HTTPException):
        return _error(
            "Discord refused the answer",
            f"Discord refused the bot's answer to {command} (HTTP {error.status}). The "
            "command itself ran: check /status to see where things stand.",
            "discord_error",
        )
    return _error(
        "Something went wrong",
        f"{command} failed with an unexpected error ({type(error).__name__}). It is logged for "
        "the operator. If this was a move, check /status before you try again.",
        "unexpected",
    )


def in_dm_reply() -> Reply:
    """The answer to a command used in a direct message."""
    return _error(
        "Play in a server",
        "The Great Work is played in a Discord server: each server is its own campaign. Use "
        "the commands in a channel of a server that has the bot.",
        "not_in_guild",
    )


def guild_unknown_reply() -> Reply:
    """The answer when the interaction's server is not in the bot's cache (not really joined)."""
    return _error(
        "The bot is not in this server",
        "The bot's commands are here but the bot itself is not a member of this server, so it "
        "cannot run a campaign. An admin should invite it again with the `bot` and "
        "`applications.commands` scopes.",
        "guild_unknown",
    )


def table_talk_missing_reply() -> Reply:
    """The answer to /table_talk when the server has no table-talk channel."""
    name = DEFAULT_NAMES[ChannelRole.TABLE_TALK]
    return _error(
        "No table-talk channel",
        f"Table talk is posted in the server's #{name} channel, and this server has none. An "
        f"admin can create a text channel named #{name} or choose one with "
        f"`/gw_admin setup {ChannelRole.TABLE_TALK}:`. Nothing was sent.",
        "channel_missing",
    )
