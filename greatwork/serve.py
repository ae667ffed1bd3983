"""``greatwork serve``: the game server on the real clock, with Discord when a token is set.

Without a token the server still runs: the journal, the campaigns and their digests on the
configured schedule, so nothing is missed; the local table in the browser (issue 7) will be
its front end. With a token, the bot connects to the Discord API at ``settings.discord_api``
(Discord's own by default, or a Discord-compatible server such as the tests' loopback
emulator) and the Gazette outbox posts what the campaigns publish, and tells the admins of a
pause, a resume, a digest that waits and a text moderation blocked.

With a language model configured (``llm_mode``, ``llm_url``, ``llm_model``: docs/llm.md), the
server voices the press before it is published (``GameServer(voice=...)``); the client's
session is closed after the server stopped.

The metrics endpoint (``/metrics``, ``/healthz``, ``/readyz``: :mod:`greatwork.exporter`)
listens on ``metrics_host:metrics_port`` from the start, before the journal opens, so
``/readyz`` answers 503 while the server starts; ``metrics_enabled = false`` turns it off.

:class:`Service` holds the running parts; the end-to-end tests start one with a virtual clock,
so they drive the same wiring as production. Shutdown runs in order: the outbox finishes the
post in flight, the bot disconnects, the server stops its actors and flushes the journal.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from greatwork.actors.clock import SystemClock, VirtualClock
from greatwork.actors.runtime import GameServer
from greatwork.actors.types import UnavailableError
from greatwork.config import Settings
from greatwork.content import load_content
from greatwork.exporter import Exporter
from greatwork.metrics import Metrics

if TYPE_CHECKING:
    from greatwork.bot.app import GreatworkBot
    from greatwork.bot.channels import ChannelBook
    from greatwork.bot.outbox import Outbox
    from greatwork.llm.voice import Backend

log = logging.getLogger(__name__)


class ServeError(Exception):
    """The server cannot run as configured; the message says what to change."""


def set_discord_api(base: str) -> None:
    """Point disnake's REST client (and so its gateway lookup) at ``base``.

    disnake reads the class attribute ``Route.BASE`` for every request; it is process-wide.
    """
    import disnake.http  # noqa: PLC0415 (disnake is imported only when Discord is used)

    disnake.http.Route.BASE = base.rstrip("/")


class Service:
    """The game server and, with a token, the bot and the Gazette outbox.

    Args:
        settings: the process's settings (``discord_token`` decides whether Discord is used).
        clock: the game clock (the system clock by default; tests pass a virtual one).
        guild_ready_timeout: seconds disnake waits for more guilds before it is ready.
        on_bot: called with the bot once it is built, before it connects (tests attach
            their error recorders there).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: SystemClock | VirtualClock | None = None,
        guild_ready_timeout: float = 2.0,
        on_bot: Callable[[GreatworkBot], None] | None = None,
    ) -> None:
        self.settings = settings
        self._on_bot = on_bot
        self.metrics = Metrics()
        self.voice = _voice(settings, self.metrics)
        self.server = GameServer(
            settings, load_content(), clock=clock, voice=self.voice, metrics=self.metrics
        )
        self.exporter: Exporter | None = None
        if settings.metrics_enabled:
            self.exporter = Exporter(
                self.metrics,
                self.readiness,
                host=settings.metrics_host,
                port=settings.metrics_port,
            )
        self._started = False
        self._stopping = False
        self.bot: GreatworkBot | None = None
        self.channels: ChannelBook | None = None
        self.outbox: Outbox | None = None
        self._guild_ready_timeout = guild_ready_timeout
        self._runner: asyncio.Task[None] | None = None

    @property
    def metrics_port(self) -> int | None:
        """The port of the metrics endpoint once it listens (None when it is off)."""
        return None if self.exporter is None else self.exporter.port

    def readiness(self) -> str | None:
        """Why the service is not ready (``/readyz`` answers 503 with it), or None."""
        if self._stopping:
            return "the server is shutting down"
        if self.server.store is None or not self._started:
            return "the server is starting: the journal and the campaigns are not all up yet"
        for campaign_id in self.server.campaign_ids():
            try:
                self.server.committed_state(campaign_id)
            except UnavailableError as error:
                return str(error)
        return None

    async def start_metrics(self) -> None:
        """Start the metrics endpoint (if enabled); :meth:`start` does it first. Idempotent.

        Raises:
            ServeError: the address cannot be bound.
        """
        if self.exporter is None:
            return
        try:
            await self.exporter.start()
        except OSError as error:
            settings = self.settings
            raise ServeError(
                f"cannot serve metrics on {settings.metrics_host}:{settings.metrics_port} "
                f"({error}); choose another metrics_port (0 picks a free one) or set "
                "metrics_enabled = false"
            ) from error

    async def start(self) -> None:
        """Start the metrics endpoint and the server, then (with a token) the bot and outbox.

        Raises:
            ServeError: the metrics port cannot be bound, or Discord refused the token or
                cannot be reached; everything started was stopped again.
        """
        try:
            await self.start_metrics()
            await self.server.start()
        except BaseException:
            await self.stop()
            raise
        token = self.settings.discord_token
        if token is None:
            log.info(
                "no Discord token set (DISCORD_TOKEN or GREATWORK_DISCORD_TOKEN): the game "
                "runs without Discord; its journal is %s",
                self.settings.db_path,
            )
            self._started = True
            return
        try:
            await self._start_discord(token)
        except BaseException:
            await self.stop()
            raise
        self._started = True

    async def _start_discord(self, token: str) -> None:
        from greatwork.bot.app import create_bot  # noqa: PLC0415 (disnake only when used)
        from greatwork.bot.channels import ChannelBook  # noqa: PLC0415
        from greatwork.bot.outbox import Outbox  # noqa: PLC0415
        from greatwork.bot.sender import send_post  # noqa: PLC0415

        set_discord_api(self.settings.discord_api)
        store = self.server.store
        if store is None:  # pragma: no cover (start() opened it)
            raise RuntimeError("the server has no journal")
        self.channels = ChannelBook(store)
        await self.channels.load()
        bot = create_bot(
            self.server,
            self.settings,
            channels=self.channels,
            guild_ready_timeout=self._guild_ready_timeout,
        )
        self.bot = bot
        if self._on_bot is not None:
            self._on_bot(bot)
        log.info("connecting to Discord at %s", self.settings.discord_api)
        self._runner = asyncio.create_task(bot.start(token), name="greatwork-discord")
        await _until_ready(bot, self._runner)
        self.outbox = Outbox(
            self.server, store, self.channels, functools.partial(send_post, bot), bot.get_guild
        )
        await self.outbox.start()
        outbox = self.outbox

        async def wake_for_guild(guild: Any) -> None:  # noqa: ANN401 (a disnake Guild)
            outbox.wake(guild.id)

        async def wake_for_channel(channel: Any, *_after: Any) -> None:  # noqa: ANN401
            outbox.wake(channel.guild.id)

        async def wake_for_role(_before: Any, role: Any) -> None:  # noqa: ANN401 (disnake Roles)
            outbox.wake(role.guild.id)

        async def wake_for_me(_before: Any, member: Any) -> None:  # noqa: ANN401 (disnake Members)
            if member.id == bot.user.id:
                outbox.wake(member.guild.id)

        # A channel created (or renamed) with a default name is found at once, and a post
        # held for missing permissions is tried again at once when an admin changes a
        # channel, a role or the bot's roles, not at the outbox's next periodic check. The
        # Guilds intent brings the guild, channel and role events; GUILD_MEMBER_UPDATE comes
        # without the Server Members intent for the bot's own member, which disnake always
        # caches, so on_member_update fires for it.
        for event in ("on_guild_join", "on_guild_available"):
            bot.add_listener(wake_for_guild, event)
        for event in ("on_guild_channel_create", "on_guild_channel_update"):
            bot.add_listener(wake_for_channel, event)
        bot.add_listener(wake_for_role, "on_guild_role_update")
        bot.add_listener(wake_for_me, "on_member_update")
        log.info("connected to Discord as %s in %d guild(s)", bot.user, len(bot.guilds))

    async def run(self) -> None:
        """Return when the bot's connection ends for good (without a bot: never)."""
        if self._runner is None:
            await asyncio.Event().wait()
        else:
            await self._runner

    async def stop(self) -> None:
        """Stop everything in order (the metrics endpoint last). Idempotent."""
        self._stopping = True
        try:
            # The outbox first: the post in flight still has the bot's HTTP session.
            if self.outbox is not None:
                await self.outbox.stop()
            if self.bot is not None:
                with contextlib.suppress(Exception):
                    await self.bot.close()
            if self._runner is not None:
                if not self._runner.done():
                    self._runner.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await self._runner
        finally:
            try:
                await self.server.stop()
            finally:
                try:
                    close = getattr(self.voice, "close", None)
                    if close is not None:
                        await close()  # the LLM client's HTTP session
                finally:
                    if self.exporter is not None:
                        await self.exporter.stop()


def _voice(settings: Settings, metrics: Metrics) -> Backend | None:
    """The persona voice's backend the settings ask for, or None (the default: off)."""
    if settings.llm_backend == "off":
        log.info("persona voice off: the Gazette prints its templates (docs/llm.md)")
        return None
    from greatwork.llm.voice import backend_from_settings  # noqa: PLC0415 (only when used)

    backend = backend_from_settings(settings, metrics=metrics)
    if settings.llm_backend == "mock":
        log.info("persona voice: mock mode, no model is called")
    else:
        log.info(
            "persona voice on: model %s at %s (auto-resume %s)",
            settings.llm_model,
            settings.llm_url,
            "on" if settings.llm_auto_resume else "off",
        )
    return backend


async def serve(settings: Settings) -> None:
    """Run the service until cancelled (SIGINT, SIGTERM) or the Discord connection ends."""
    service = Service(settings)
    await service.start()
    try:
        await service.run()
    finally:
        await service.stop()


async def _until_ready(bot: Any, runner: asyncio.Task[None]) -> None:  # noqa: ANN401 (the bot)
    """Wait for the bot's first READY, or fail with the reason the connection ended."""
    import disnake  # noqa: PLC0415

    waiting = asyncio.create_task(bot.wait_until_ready())
    try:
        await asyncio.wait({runner, waiting}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
    if not runner.done():
        return
    try:
        runner.result()
    except disnake.LoginFailure as error:
        raise ServeError(
            "Discord refused the bot token (check DISCORD_TOKEN; the token is not shown)"
        ) from error
    except (disnake.HTTPException, OSError) as error:
        raise ServeError(f"cannot connect to Discord: {error}") from error
    raise ServeError("the Discord connection ended before the bot was ready")
