"""A loopback Discord on 127.0.0.1 that the real, unmodified disnake client talks to.

The REST API (``/api/v10``) and the Gateway websocket run in one aiohttp server. Tests grow
guilds and members, inject slash commands built from the commands the bot registered, and read
back what the bot answered and posted. Discord's rules that matter to a bot are enforced:
registration and message limits, the 3-second first response and 15-minute token, mentions as
``allowed_mentions`` permits, enforced nonces, missing channels and permissions, 429s, gateway
drops, RECONNECT and INVALID_SESSION. A user can also use a global command in a DM with the
bot (:meth:`DiscordEmulator.slash_dm`), where Discord offers it. The facts behind it are in
``shared/notes/discord-emulator.md``.

Example::

    emu = DiscordEmulator()
    await emu.start()
    guild = emu.add_guild("Guild", channels=("orders", "gazette"))
    alice = emu.add_member(guild, "Alice")
    ...  # start a bot with disnake.http.Route.BASE = emu.api_base and token emu.token
    rec = await emu.slash(guild, alice, "submit_theory", theory="Bronze Age flight")
    await rec.done()
    in_dm = await emu.slash_dm(alice, "status")
    await emu.stop()
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from aiohttp import web

from tests.discord.emulator_commands import CommandStore
from tests.discord.emulator_core import (
    API_PREFIX,
    Call,
    Clock,
    DiscordHTTPError,
    EmulatorError,
    Notifier,
    Rejection,
)
from tests.discord.emulator_gateway import Frame, Gateway
from tests.discord.emulator_http import Fault
from tests.discord.emulator_interactions import InteractionBook, InteractionRecord
from tests.discord.emulator_invoke import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    check_dm_allowed,
    check_visible,
    command_data,
    interaction_payload,
)
from tests.discord.emulator_messages import MessageStore
from tests.discord.emulator_rest import Rest
from tests.discord.emulator_state import Channel, Guild, Member, User, World

__all__ = [
    "Call",
    "Channel",
    "DiscordEmulator",
    "DiscordHTTPError",
    "EmulatorError",
    "Frame",
    "Guild",
    "InteractionRecord",
    "Member",
    "Rejection",
    "User",
]

logger = logging.getLogger(__name__)
T = TypeVar("T")
DEFAULT_CHANNELS = ("orders", "gazette", "table-talk", "gw-admin")


class DiscordEmulator:
    """The loopback Discord: start it, seed guilds and members, drive and observe a bot.

    Args:
        token: The bot token the emulator accepts (REST ``Authorization`` and IDENTIFY).
        bot_name: The bot user's name.
    """

    def __init__(
        self,
        *,
        token: str = "loopback-token",  # noqa: S107 (a fake token for a fake Discord)
        bot_name: str = "greatwork",
    ) -> None:
        self.token = token
        self.clock = Clock()
        self.world = World(self.clock, bot_name=bot_name)
        self.notifier = Notifier()
        self.gateway = Gateway(self.world, self.notifier, token)
        self.store = MessageStore(self.world, self.gateway.dispatch)
        self.registry = CommandStore(self.world)
        self.book = InteractionBook(self.world, self.store)
        self.rest = Rest(self.world, self.registry, self.store, self.book, self.notifier, token)
        self.rest.dispatch = self.gateway.dispatch
        self.enforce_default_member_permissions = True
        self.response_timeout = 5.0
        self._runner: web.AppRunner | None = None
        self._base = ""

    # Life cycle ------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (a free port by default)."""
        if self._runner is not None:
            raise EmulatorError("the emulator is already running")
        app = web.Application(client_max_size=64 * 1024 * 1024)
        self.rest.install(app)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/resume", self.gateway.handle)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        bound_host, bound_port = runner.addresses[0][:2]
        root = f"{bound_host}:{bound_port}"
        self._base = f"http://{root}{API_PREFIX}"
        self.rest.gateway_url = self.gateway.url = f"ws://{root}/gateway"
        self.gateway.resume_url = f"ws://{root}/gateway/resume"
        logger.debug("loopback Discord listening on %s", root)

    async def stop(self) -> None:
        """Close every gateway socket and stop listening."""
        if self._runner is None:
            return
        await self.gateway.close_all()
        await self._runner.cleanup()
        self._runner = None

    @property
    def api_base(self) -> str:
        """What ``disnake.http.Route.BASE`` must be set to, e.g. ``http://127.0.0.1:PORT/api/v10``."""
        if not self._base:
            raise EmulatorError("start the emulator first")
        return self._base

    @property
    def application_id(self) -> int:
        """The application's id (also the bot user's id, as on Discord)."""
        return self.world.application_id

    @property
    def bot_user_id(self) -> int:
        """The bot user's id."""
        return self.world.bot.id

    # The world -------------------------------------------------------------------------------

    def add_guild(self, name: str, channels: Iterable[str] = DEFAULT_CHANNELS) -> Guild:
        """Create a guild the bot is in, with text channels by name.

        The guild has an owner, @everyone, and the bot's managed role; a connected bot gets
        GUILD_CREATE at once.
        """
        guild = self.world.add_guild(name, channels)
        self.gateway.dispatch("GUILD_CREATE", self.world.guild_create_json(guild))
        return guild

    def add_member(
        self,
        guild: Guild,
        who: str | Member | User,
        *,
        admin: bool = False,
        roles: Iterable[str] = (),
    ) -> Member:
        """Add a member: a new user by name, or a member of another guild by object.

        ``admin=True`` gives a role named "Admin" with ADMINISTRATOR; each name in ``roles``
        is assigned, created (without permissions) when the guild lacks it.
        """
        before = set(guild.roles.values())
        member = self.world.add_member(guild, who, admin=admin, roles=roles)
        for role_id in set(guild.roles.values()) - before:
            role = self.world.role_json(self.world.roles[role_id])
            self.gateway.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role})
        joined = self.world.member_json(member) | {"guild_id": str(guild.id)}
        self.gateway.dispatch("GUILD_MEMBER_ADD", joined)
        return member

    def deny_posting(self, channel_id: int, *, denied: bool = True) -> None:
        """Make ``POST /channels/{id}/messages`` answer 403 50013 (or allow it again)."""
        channel = self.world.channels.get(channel_id)
        if channel is None:
            raise EmulatorError(f"no channel {channel_id}")
        channel.posting_denied = denied
        self.gateway.dispatch("CHANNEL_UPDATE", self.world.channel_json(channel))

    def commands(self, guild: Guild | None = None) -> list[dict[str, Any]]:
        """The registered commands: global ones, or one guild's own."""
        return self.registry.listing(None if guild is None else guild.id)

    def messages(self, channel_id: int) -> list[dict[str, Any]]:
        """Messages visible in a channel, oldest first (interaction responses included)."""
        return self.store.channel_messages(channel_id)

    @property
    def calls(self) -> list[Call]:
        """Every REST request answered, in order."""
        return self.rest.calls

    @property
    def rejections(self) -> list[Rejection]:
        """Every 4xx answered, with the reason."""
        return self.rest.rejections

    @property
    def gateway_log(self) -> list[Frame]:
        """Every gateway frame received and sent."""
        return self.gateway.log

    @property
    def gateway_urls(self) -> list[str]:
        """Path and query of every gateway connection, e.g. ``/gateway?v=10&encoding=json...``."""
        return self.gateway.urls

    @property
    def connected(self) -> bool:
        """Whether a bot is connected to the gateway with a live session."""
        return self.gateway.connected

    @property
    def allow_privileged_intents(self) -> bool:
        """Whether IDENTIFY may ask for members, presences or message content (else 4014)."""
        return self.gateway.allow_privileged_intents

    @allow_privileged_intents.setter
    def allow_privileged_intents(self, value: bool) -> None:
        self.gateway.allow_privileged_intents = value

    # Interactions ----------------------------------------------------------------------------

    async def slash(
        self, guild: Guild, user: Member, command: str, /, **options: Any
    ) -> InteractionRecord:
        """Use ``/command [group] [sub]`` with options in the guild's first channel."""
        return await self.invoke(guild, user, command, options)

    async def invoke(
        self,
        guild: Guild,
        user: Member,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        channel: str | int | None = None,
        locale: str = "en-US",
    ) -> InteractionRecord:
        """Inject a slash command as the Discord client would send it.

        Args:
            guild: Where.
            user: The member using it (a member of ``guild``).
            command: ``name``, ``name sub`` or ``name group sub``.
            options: Option values by name.
            channel: The channel, by name or id (default: the guild's first channel).
            locale: The member's client locale.

        Raises:
            EmulatorError: the command, a sub-command or an option is unknown, a required
                option is missing, a value is not a choice or out of range, or the member may
                not see the command.
        """
        return self._inject(guild, user, command, options or {}, channel=channel, locale=locale)

    async def autocomplete(
        self,
        guild: Guild,
        user: Member,
        command: str,
        /,
        *,
        focused: str,
        value: str,
        **options: Any,
    ) -> list[dict[str, Any]]:
        """Type ``value`` into option ``focused``; return the choices the bot offers."""
        record = self._inject(
            guild, user, command, options, channel=None, locale="en-US", focused=(focused, value)
        )
        await record.first_response(self.response_timeout)
        return record.choices

    async def slash_dm(
        self, user: User | Member, command: str, /, **options: Any
    ) -> InteractionRecord:
        """Use ``/command [group] [sub]`` with options in the user's DM with the bot.

        Discord offers only global commands there, and only those whose ``contexts`` (or
        legacy ``dm_permission``) allow the bot's DM; ``default_member_permissions`` does not
        apply. The payload has ``user`` instead of ``member`` and no ``guild_id``.

        Raises:
            EmulatorError: no bot is connected, the user is unknown, Discord would not offer
                the command in a DM, or an option is wrong (as for :meth:`invoke`).
        """
        self._require_bot()
        known = self._dm_user(user)
        name, *path = command.split()
        stored = self.registry.find(None, name)
        check_dm_allowed(stored)
        channel = self.world.dm_channel(known)
        return self._dispatch_command(stored, path, options, known, None, channel, "en-US")

    def dm_channel(self, user: User | Member) -> int:
        """The id of the DM channel between the bot and ``user`` (opened on first use)."""
        return self.world.dm_channel(self._dm_user(user)).id

    def _dm_user(self, user: User | Member) -> User:
        known = self.world.users.get(user.id)
        if known is None or known.bot:
            raise EmulatorError(f"{user.name!r} is not a user who can open a DM with the bot")
        return known

    def _inject(
        self,
        guild: Guild,
        member: Member,
        command: str,
        options: Mapping[str, Any],
        *,
        channel: str | int | None,
        locale: str,
        focused: tuple[str, str] | None = None,
    ) -> InteractionRecord:
        self._require_bot()
        if guild.members.get(member.id) is not member:
            raise EmulatorError(f"{member.name!r} is not a member of {guild.name!r}")
        name, *path = command.split()
        stored = self.registry.find(guild.id, name)
        if self.enforce_default_member_permissions:
            check_visible(self.world, stored, member)
        where = self._channel(guild, channel)
        return self._dispatch_command(stored, path, options, member, member, where, locale, focused)

    def _dispatch_command(
        self,
        stored: Mapping[str, Any],
        path: Sequence[str],
        options: Mapping[str, Any],
        user: Member | User,
        member: Member | None,
        channel: Channel,
        locale: str,
        focused: tuple[str, str] | None = None,
    ) -> InteractionRecord:
        """Build the interaction for a visible command, record it and send INTERACTION_CREATE."""
        data, focused_type = command_data(
            self.world,
            member,
            stored,
            path,
            options,
            focused=None if focused is None else focused[0],
            typed="" if focused is None else focused[1],
        )
        payload = interaction_payload(
            self.world,
            kind=APPLICATION_COMMAND if focused is None else AUTOCOMPLETE,
            interaction_id=self.world.ids.next(),
            token=secrets.token_urlsafe(48),
            channel=channel,
            user=user,
            data=data,
            locale=locale,
        )
        record = InteractionRecord(
            payload,
            created=self.clock.monotonic(),
            channel=channel,
            user=user,
            focused_type=focused_type,
            notifier=self.notifier,
            rejections=self.rest.rejections,
        )
        self.book.add(record)
        self.gateway.dispatch("INTERACTION_CREATE", payload)
        return record

    def _require_bot(self) -> None:
        if self.gateway.current is None:
            raise EmulatorError("no bot has identified on the gateway yet")

    def _channel(self, guild: Guild, channel: str | int | None) -> Channel:
        if channel is None:
            if not guild.channels:
                raise EmulatorError(f"guild {guild.name!r} has no channel to use commands in")
            channel = next(iter(guild.channels.values()))
        if isinstance(channel, str):
            channel = guild.channel(channel)
        found = self.world.channels.get(channel)
        if found is None or found.guild_id != guild.id:
            raise EmulatorError(f"guild {guild.name!r} has no channel {channel}")
        return found

    # Waiting ---------------------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,  # noqa: ASYNC109 (the documented API: emu.wait_for(predicate, timeout))
    ) -> T:
        """Wait until ``predicate()`` is truthy (re-checked after every REST call and frame)."""
        return await self.notifier.wait_for(predicate, timeout)

    def advance(self, seconds: float) -> None:
        """Move the emulator's clock forward (interaction deadlines, token life, nonces)."""
        self.clock.advance(seconds)

    # Faults ----------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int = 500,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` instead of handling them.

        ``path_regex`` is searched in the path below the API base (``/channels/1/messages``);
        ``method`` may be ``*``. The default body is Discord's for that status.
        """
        if body is None:
            body = {"message": f"{status}: injected by the emulator", "code": 0}
        self.rest.faults.append(
            Fault(method, re.compile(path_regex), status, body, dict(headers or {}), times)
        )

    def rate_limit_next(
        self, method: str, path_regex: str, retry_after: float = 0.2, times: int = 1
    ) -> None:
        """Answer the next ``times`` matching requests with a Discord 429 (with ``Via``)."""
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": False,
        }
        fault = Fault(method, re.compile(path_regex), 429, body, {}, times, retry_after)
        self.rest.faults.append(fault)

    # Gateway ---------------------------------------------------------------------------------

    async def drop_connection(self, *, hold: bool = False) -> None:
        """Close the bot's socket with code 4000; it reconnects and RESUMEs.

        With ``hold=True`` the emulator keeps new connections waiting before HELLO until
        :meth:`release_gateway`, so a test can inject interactions while the bot is away.
        """
        await self.gateway.drop(hold=hold)

    def release_gateway(self) -> None:
        """Let connections held by ``drop_connection(hold=True)`` proceed."""
        self.gateway.release()

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT; the client closes and RESUMEs."""
        self.gateway.send_op(7, None)

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; unless resumable, the client IDENTIFYs afresh."""
        self.gateway.invalidate(resumable=resumable)
