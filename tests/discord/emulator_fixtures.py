"""Running a real disnake bot against the emulator, the small bot its tests use, raw HTTP.

:func:`running_bot` points ``disnake.http.Route.BASE`` at the emulator (restoring it after:
it is process-global), records every error disnake would otherwise only print, starts the
bot, waits for READY and for command sync to finish, and closes everything on the way out.
Build the bot inside the running event loop: ``Client.__init__`` captures the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import disnake
from disnake.ext import commands
from disnake.http import Route
from disnake.interactions.application_command import ApplicationCommandInteraction

from tests.discord.emulator import DiscordEmulator, Guild, Member, Rejection

AnyBot = commands.InteractionBot | commands.Bot
Inter = ApplicationCommandInteraction[Any]


@dataclass(slots=True)
class BotRun:
    """A bot running against the emulator, with every error it swallowed."""

    bot: AnyBot
    task: asyncio.Task[None]
    previous_base: str
    errors: list[str] = field(default_factory=list)


def record_errors(bot: AnyBot, errors: list[str], poke: Callable[[], None] = lambda: None) -> None:
    """Send slash-command, gateway-parsing and listener errors to ``errors``, not stderr.

    ``poke`` runs after each error, so that ``emu.wait_for`` can wait for one.
    """

    def note(error: str) -> None:
        errors.append(error)
        poke()

    async def on_slash_error(inter: Inter, error: Exception) -> None:
        note(f"/{inter.data.name}: {error!r}")

    async def on_gateway_error(event: str, _data: object, _shard: object, error: Exception) -> None:
        note(f"gateway {event}: {error!r}")

    async def on_error(event: str, *_args: object, **_kwargs: object) -> None:
        note(f"listener {event}: {sys.exc_info()[1]!r}")

    bot.add_listener(on_slash_error, "on_slash_command_error")
    # Instance attributes shadow the Client methods disnake calls for these two hooks.
    vars(bot)["on_gateway_error"] = on_gateway_error
    vars(bot)["on_error"] = on_error


async def start_bot(
    emu: DiscordEmulator,
    bot: AnyBot,
    *,
    timeout: float = 5.0,  # noqa: ASYNC109 (one deadline for each of several waits)
    token: str | None = None,
) -> BotRun:
    """Start ``bot`` against ``emu``; return once it is ready and its commands are synced.

    Raises:
        Exception: whatever ended the bot before it was ready (LoginFailure...).
        TimeoutError: the bot was not ready, or not synced, within ``timeout``.
    """
    previous = Route.BASE
    Route.BASE = emu.api_base
    run = BotRun(bot, asyncio.create_task(bot.start(token or emu.token)), previous)
    record_errors(bot, run.errors, emu.notifier.poke)
    seen = len(emu.calls)
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({run.task, ready}, timeout=timeout, return_when="FIRST_COMPLETED")
    if ready not in done:
        ready.cancel()
        await stop_bot(run)  # raises what ended the bot, if anything did
        raise TimeoutError(f"the bot was not ready within {timeout} s: {run.errors}")
    try:
        await wait_synced(emu, bot, since=seen, timeout=timeout)
    except TimeoutError:
        await stop_bot(run)
        raise
    return run


async def wait_synced(
    emu: DiscordEmulator,
    bot: AnyBot,
    *,
    since: int = 0,
    timeout: float = 5.0,  # noqa: ASYNC109 (one deadline for each of two waits)
) -> None:
    """Wait until disnake's start-up command sync (begun after call ``since``) is over.

    The sync task holds ``bot._sync_queued`` from before its first GET until after its PUT.
    """
    fetch = f"/applications/{emu.application_id}/commands"
    await emu.wait_for(
        lambda: any(c.method == "GET" and c.path == fetch for c in emu.calls[since:]), timeout
    )
    async with asyncio.timeout(timeout):
        while bot._sync_queued.locked():  # noqa: ASYNC110 (no event marks the end of a sync)
            await asyncio.sleep(0.002)


async def stop_bot(run: BotRun) -> None:
    """Close the bot, wait for its task (raising what ended it), and restore ``Route.BASE``."""
    try:
        await run.bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await run.task
    finally:
        Route.BASE = run.previous_base


@contextlib.asynccontextmanager
async def running_bot(
    emu: DiscordEmulator,
    bot: AnyBot,
    *,
    timeout: float = 5.0,  # noqa: ASYNC109 (passed on to start_bot)
) -> AsyncIterator[BotRun]:
    """``start_bot`` ... ``stop_bot`` as a context manager."""
    run = await start_bot(emu, bot, timeout=timeout)
    try:
        yield run
    finally:
        await stop_bot(run)


# The emulator's own test bot and world ----------------------------------------------------


class SampleBot(commands.InteractionBot):
    """A small bot with one command per interaction shape the emulator must carry."""

    def __init__(self, **options: Any) -> None:
        super().__init__(guild_ready_timeout=0.02, **options)
        self.gate = asyncio.Event()
        """Set by a test to let ``/wait`` go on."""
        self.seen: list[str] = []
        """Commands handled, in order."""

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Skip disnake's 5-second pause before a non-initial IDENTIFY."""
        del shard_id, initial


SCHOLARS = ("Ironside", "Irving", "Ada", "Babbage", "Curie")


def sample_bot(**options: Any) -> SampleBot:  # noqa: C901 (one nested function per command)
    """Build the sample bot (inside the running loop)."""
    bot = SampleBot(**options)

    @bot.slash_command(description="Propose a theory")
    async def theory(
        inter: Inter,
        text: str,
        confidence: str = commands.Param(choices=["certain", "likely", "hunch"]),
        stake: commands.Range[int, 1, 10] = 1,
        rival: disnake.Member | None = None,
    ) -> None:
        bot.seen.append("theory")
        embed = disnake.Embed(title="Theory", description=text)
        embed.add_field("Confidence", confidence)
        embed.add_field("Stake", str(stake))
        if rival is not None:
            embed.add_field("Rival", rival.display_name)
        await inter.response.send_message(
            embed=embed, allowed_mentions=disnake.AllowedMentions.none()
        )

    @bot.slash_command(
        description="Administer the game",
        default_member_permissions=disnake.Permissions(manage_guild=True),
    )
    async def admin(_inter: Inter) -> None:
        bot.seen.append("admin")

    @admin.sub_command_group(description="The game clock")
    async def game(_inter: Inter) -> None:
        bot.seen.append("game")

    @game.sub_command(description="Pause the game")
    async def pause(inter: Inter, reason: str) -> None:
        await inter.response.send_message(f"Paused: {reason}", ephemeral=True)

    @game.sub_command(description="Resume the game")
    async def resume(inter: Inter) -> None:
        await inter.response.send_message("Resumed", ephemeral=True)

    @admin.sub_command(description="Show the game's status")
    async def status(inter: Inter) -> None:
        await inter.response.send_message("All well", ephemeral=True)

    @bot.slash_command(description="Wait for the test's signal, then answer")
    async def wait(
        inter: Inter,
        mode: str = commands.Param(choices=["reply", "defer", "followup"]),
    ) -> None:
        if mode != "reply":
            await inter.response.defer()
        await bot.gate.wait()
        if mode == "reply":
            await inter.response.send_message("late")
        elif mode == "defer":
            await inter.edit_original_response(content="finished")
        else:
            await inter.followup.send("followed up")

    @bot.slash_command(description="Recruit a scholar")
    async def recruit(
        inter: Inter,
        scholar: str,
        faction: str = commands.Param(choices=["academy", "guild"]),
    ) -> None:
        await inter.response.send_message(f"{scholar} joins the {faction}", ephemeral=True)

    @recruit.autocomplete("scholar")
    async def scholars(_inter: Inter, typed: str) -> list[str]:
        return [s for s in SCHOLARS if s.lower().startswith(typed.lower())]

    @bot.slash_command(description="Post text to a channel")
    async def announce(
        inter: Inter,
        channel: disnake.TextChannel,
        text: str,
        quiet: bool = True,
    ) -> None:
        mentions = disnake.AllowedMentions.none() if quiet else disnake.AllowedMentions.all()
        await channel.send(text, allowed_mentions=mentions)
        await inter.response.send_message("Posted", ephemeral=True)

    @bot.slash_command(description="Answer at once")
    async def ping(inter: Inter) -> None:
        bot.seen.append("ping")
        await inter.response.send_message("pong")

    @bot.slash_command(description="Say who used the command, and where")
    async def where(inter: Inter) -> None:
        place = "no guild" if inter.guild_id is None else f"guild {inter.guild_id}"
        author, channel = type(inter.author).__name__, type(inter.channel).__name__
        await inter.response.send_message(f"{author} in {channel}, {place}")

    @bot.slash_command(
        description="Only in servers", contexts=disnake.InteractionContextTypes(guild=True)
    )
    async def local(inter: Inter) -> None:
        await inter.response.send_message("here")

    return bot


@dataclass(slots=True)
class SampleWorld:
    """An emulator with one guild, three members and the sample bot running."""

    emu: DiscordEmulator
    guild: Guild
    alice: Member
    bob: Member
    boss: Member
    bot: SampleBot
    run: BotRun

    def take_errors(self) -> list[str]:
        """The errors the bot swallowed so far (and forget them)."""
        errors = list(self.run.errors)
        self.run.errors.clear()
        return errors

    def take_rejections(self) -> list[Rejection]:
        """The 4xx answers so far (and forget them)."""
        rejections = list(self.emu.rejections)
        self.emu.rejections.clear()
        return rejections


@contextlib.asynccontextmanager
async def listening() -> AsyncIterator[DiscordEmulator]:
    """A started emulator (no guild yet), stopped on exit."""
    emu = DiscordEmulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


def academy(emu: DiscordEmulator) -> tuple[Guild, Member, Member]:
    """The guild the emulator's own tests use: "Academy" with Alice, and Bob the Archivist."""
    guild = emu.add_guild("Academy")
    alice = emu.add_member(guild, "Alice")
    bob = emu.add_member(guild, "Bob", roles=("Archivist",))
    return guild, alice, bob


@contextlib.asynccontextmanager
async def sample_world(**bot_options: Any) -> AsyncIterator[SampleWorld]:
    """Start an emulator, the Academy with Boss the admin, and the sample bot; stop both."""
    async with listening() as emu:
        guild, alice, bob = academy(emu)
        boss = emu.add_member(guild, "Boss", admin=True)
        bot = sample_bot(**bot_options)
        async with running_bot(emu, bot) as run:
            yield SampleWorld(emu, guild, alice, bob, boss, bot, run)


# Raw HTTP, for the rules a well-behaved bot never breaks -------------------------------------


@dataclass(frozen=True, slots=True)
class Api:
    """An HTTP session on the emulator's REST API, authenticated as the bot."""

    session: aiohttp.ClientSession
    base: str

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        auth: bool = True,
    ) -> tuple[int, Any]:
        """Send JSON; return the status and the decoded answer (None when empty)."""
        headers = {} if auth else {"Authorization": ""}
        async with self.session.request(
            method, self.base + path, json=body, headers=headers
        ) as response:
            text = await response.text()
            return response.status, json.loads(text) if text else None


@dataclass(frozen=True, slots=True)
class RawSetup:
    """A started emulator with one guild and two members, and an HTTP session on it."""

    emu: DiscordEmulator
    api: Api
    guild: Guild
    alice: Member
    bob: Member

    @property
    def orders(self) -> int:
        """The id of #orders."""
        return self.guild.channels["orders"]

    @property
    def commands_path(self) -> str:
        """The global commands route."""
        return f"/applications/{self.emu.application_id}/commands"


@contextlib.asynccontextmanager
async def raw_setup() -> AsyncIterator[RawSetup]:
    """Start an emulator with the Academy and open an HTTP session on it; close both on exit."""
    async with listening() as emu:
        guild, alice, bob = academy(emu)
        auth = {"Authorization": f"Bot {emu.token}"}
        async with aiohttp.ClientSession(headers=auth) as session:
            yield RawSetup(emu, Api(session, emu.api_base), guild, alice, bob)


def errors_at(body: dict[str, Any], path: tuple[str, ...]) -> list[str]:
    """The error codes Discord's nested ``errors`` hold at ``path``."""
    node = body["errors"]
    for part in path:
        node = node[part]
    return [e["code"] for e in node["_errors"]]
