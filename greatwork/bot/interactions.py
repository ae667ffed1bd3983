"""Thin handlers: who is calling, in which campaign; invoke the command; answer in time.

Every slash command goes through :meth:`CommandRunner.run`: a direct message gets a "play in a
server" answer; otherwise the guild is the campaign (created on first use), the user the
player, and the member an admin when they have the Administrator permission or the configured
admin role. The command runs through the catalogue's :func:`~greatwork.commands.spec.invoke`;
if it has not answered within ``defer_after`` seconds (or is known to be slow) the interaction
is deferred first, so Discord's 3-second deadline is never missed. Any failure becomes one
specific ephemeral answer, and a public move is echoed to #orders afterwards.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import disnake
from disnake.interactions.application_command import ApplicationCommandInteraction

from greatwork.actors.runtime import GameServer
from greatwork.bot.channel_setup import run_setup
from greatwork.bot.directory import ChannelDirectory, ChannelRole
from greatwork.bot.errors import (
    COMMAND_TIMEOUT,
    failure_reply,
    guild_unknown_reply,
    in_dm_reply,
    table_talk_missing_reply,
)
from greatwork.bot.guilds import campaign_of, player_of, seed_of
from greatwork.bot.public import PublicPoster
from greatwork.bot.render import render_reply
from greatwork.bot.respond import Exchange, InteractionResponder
from greatwork.commands.spec import CommandSpec, Reply, invoke

__all__ = ["DEFER_AFTER", "SLOW", "Caller", "CommandRunner", "caller_of", "is_admin_member"]

log = logging.getLogger(__name__)

DEFER_AFTER: Final = 1.5  # seconds before an unanswered command is deferred (Discord allows 3)
SLOW: Final = frozenset(
    {"gw_admin run_digest", "gw_admin calibration_snapshot", "export_log", "telemetry_report"}
)
"""Commands deferred up front: they run a digest or read the whole journal."""
TABLE_TALK: Final = "table_talk"


@dataclass(frozen=True, slots=True, kw_only=True)
class Caller:
    """Who runs a command, and where."""

    guild_id: int
    guild_name: str
    user_id: int
    display_name: str
    is_admin: bool
    channel_id: int | None = None  # where the command was used


def is_admin_member(
    *, administrator: bool, roles: Iterable[tuple[int, str]], admin_role: str | None
) -> bool:
    """Whether a member may run admin commands.

    Args:
        administrator: the member has the Administrator permission.
        roles: the member's roles as (id, name).
        admin_role: the configured admin role: its id, or its name (any case, ``@`` optional).
    """
    if administrator:
        return True
    wanted = (admin_role or "").strip()
    if not wanted:
        return False
    name = wanted.removeprefix("@").casefold()
    return any(
        (wanted.isdigit() and role_id == int(wanted)) or role_name.casefold() == name
        for role_id, role_name in roles
    )


def caller_of(inter: ApplicationCommandInteraction[Any], admin_role: str | None) -> Caller | Reply:
    """The caller of an interaction, or the answer to give when it is not in a known guild."""
    if inter.guild_id is None:
        return in_dm_reply()
    guild, member = inter.guild, inter.author
    if guild is None or not isinstance(member, disnake.Member):
        return guild_unknown_reply()
    return Caller(
        guild_id=guild.id,
        guild_name=guild.name,
        user_id=member.id,
        display_name=member.display_name,
        channel_id=inter.channel_id,
        is_admin=is_admin_member(
            administrator=inter.permissions.administrator,
            roles=((r.id, r.name) for r in member.roles),
            admin_role=admin_role,
        ),
    )


class CommandRunner:
    """Runs catalogue commands for Discord interactions."""

    def __init__(
        self,
        server: GameServer,
        channels: ChannelDirectory,
        poster: PublicPoster,
        *,
        admin_role: str | None = None,
        defer_after: float = DEFER_AFTER,
        timeout: float = COMMAND_TIMEOUT,
    ) -> None:
        self._server = server
        self._channels = channels
        self._poster = poster
        self._admin_role = admin_role
        self._defer_after = defer_after
        self._timeout = timeout

    async def run(
        self,
        inter: ApplicationCommandInteraction[Any],
        spec: CommandSpec,
        raw: Mapping[str, object],
    ) -> None:
        """Answer one slash command; never raises."""
        exchange = Exchange(InteractionResponder(inter))
        try:
            caller = caller_of(inter, self._admin_role)
            await self.handle(exchange, caller, inter.guild, spec, raw)
        except Exception as error:  # noqa: BLE001 (fail() logs it with its traceback and answers)
            await self.fail(exchange, error, spec.path, inter.guild_id)

    async def setup(
        self, inter: ApplicationCommandInteraction[Any], raw: Mapping[str, object]
    ) -> None:
        """Answer ``/gw_admin setup``; never raises."""
        exchange = Exchange(InteractionResponder(inter))
        try:
            caller = caller_of(inter, self._admin_role)
            if isinstance(caller, Reply) or inter.guild is None:
                reply = caller if isinstance(caller, Reply) else guild_unknown_reply()
            else:
                reply = await run_setup(
                    self._channels,
                    inter.guild,
                    by=str(player_of(caller.user_id)),
                    is_admin=caller.is_admin,
                    options=raw,
                )
            await exchange.deliver(render_reply(reply), ephemeral=True)
        except Exception as error:  # noqa: BLE001 (fail() logs it with its traceback and answers)
            await self.fail(exchange, error, "gw_admin setup", inter.guild_id)

    async def handle(
        self,
        exchange: Exchange,
        caller: Caller | Reply,
        guild: disnake.Guild | None,
        spec: CommandSpec,
        raw: Mapping[str, object],
    ) -> None:
        """Run ``spec`` for ``caller`` and answer through ``exchange``.

        Raises:
            Exception: an early answer (a direct message, an unknown guild, no #table-talk)
                could not be delivered; :meth:`run` reports it.
        """
        if isinstance(caller, Reply) or guild is None:
            reply = caller if isinstance(caller, Reply) else guild_unknown_reply()
            await exchange.deliver(render_reply(reply), ephemeral=True)
            return
        if spec.path == TABLE_TALK and self._poster.channel(guild, ChannelRole.TABLE_TALK) is None:
            await exchange.deliver(render_reply(table_talk_missing_reply()), ephemeral=True)
            return
        try:
            reply = await self._answer_in_time(exchange, caller, spec, raw)
        except Exception as error:  # noqa: BLE001 (fail() logs it with its traceback and answers)
            await self.fail(exchange, error, spec.path, caller.guild_id)
            return
        try:
            await exchange.deliver(render_reply(reply), ephemeral=reply.ephemeral)
        except Exception as error:  # noqa: BLE001 (fail() logs it with its traceback and answers)
            await self.fail(exchange, error, spec.path, caller.guild_id)
        if reply.public and reply.ok:  # the move happened, even if its answer was lost
            orders = self._poster.channel(guild, ChannelRole.ORDERS)
            shown_there = orders is not None and orders == caller.channel_id and not reply.ephemeral
            if not shown_there:  # a public answer in #orders is its own echo
                await self._poster.echo(guild, reply, who=caller.display_name, path=spec.path)

    async def _answer_in_time(
        self, exchange: Exchange, caller: Caller, spec: CommandSpec, raw: Mapping[str, object]
    ) -> Reply:
        """The command's reply, deferring the interaction first if it is slow to come."""
        work = asyncio.ensure_future(self._invoke(caller, spec, raw))
        try:
            if spec.path in SLOW and (caller.is_admin or not spec.admin):
                await exchange.defer(ephemeral=spec.ephemeral)
            else:
                done, _ = await asyncio.wait({work}, timeout=self._defer_after)
                if not done:
                    await exchange.defer(ephemeral=spec.ephemeral)
        except BaseException:
            # The move goes on (it may commit); only its answer is lost, and logged.
            work.add_done_callback(_log_orphan)
            raise
        return await asyncio.wait_for(work, self._timeout)

    async def _invoke(self, caller: Caller, spec: CommandSpec, raw: Mapping[str, object]) -> Reply:
        campaign_id = campaign_of(caller.guild_id)
        await self._server.ensure_campaign(
            campaign_id, seed=seed_of(caller.guild_id), name=caller.guild_name
        )
        return await invoke(
            spec,
            self._server.game(campaign_id),
            player=player_of(caller.user_id),
            display_name=caller.display_name,
            is_admin=caller.is_admin,
            raw_options=raw,
        )

    async def fail(
        self, exchange: Exchange, error: BaseException, path: str, guild_id: int | None
    ) -> None:
        """Log a failed command with its traceback and tell the player; never raises."""
        log.error(
            "/%s failed in guild %s: %s",
            path,
            guild_id,
            type(error).__name__,
            exc_info=(type(error), error, error.__traceback__),
        )
        try:
            await exchange.deliver(render_reply(failure_reply(error, path)), ephemeral=True)
        except Exception:
            log.exception("could not tell the player that /%s failed", path)


def _log_orphan(work: asyncio.Future[Reply]) -> None:
    if not work.cancelled() and work.exception() is not None:
        log.error("a command whose answer was lost failed too", exc_info=work.exception())
