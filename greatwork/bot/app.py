"""The Discord bot: a disnake InteractionBot whose slash commands come from the catalogue.

:func:`create_bot` builds one :class:`GreatworkBot` inside the running event loop (disnake
captures the loop when a client is built). Its commands are built from the registration JSON of
:mod:`greatwork.bot.schema`: each one an ``InvokableSlashCommand`` (``/gw_admin`` with a
``SubCommand`` per admin command) whose options are that JSON, given to disnake explicitly, and
whose callback takes the options as keyword arguments and hands them to the
:class:`~greatwork.bot.interactions.CommandRunner`. They are global commands, synced by
disnake's normal start-up sync.

disnake reads a callback's signature on every call (``call_param_func``: ``collect_params``
then ``safe_call``, each through ``inspect.signature`` and evaluating the string annotations
that ``from __future__ import annotations`` leaves). The callbacks therefore carry a ready
``__signature__`` with evaluated annotations, which ``inspect.signature`` returns as it is:
130 µs of disnake's work per interaction becomes 40 µs (docs/benchmarks.md, section 4).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Final

import disnake
from disnake.ext import commands
from disnake.http import Route
from disnake.interactions.application_command import ApplicationCommandInteraction

from greatwork.actors.runtime import GameServer
from greatwork.bot.autocomplete import complete
from greatwork.bot.directory import ChannelDirectory
from greatwork.bot.interactions import DEFER_AFTER, CommandRunner
from greatwork.bot.public import PublicPoster
from greatwork.bot.respond import Exchange, InteractionResponder, Stage
from greatwork.bot.schema import SETUP, autocompleted, check_schema, registration
from greatwork.commands.catalogue import CATALOGUE
from greatwork.commands.spec import ADMIN_GROUP, Catalogue, CommandSpec, Option
from greatwork.config import Settings

__all__ = ["INTENTS", "GreatworkBot", "create_bot", "slash_commands"]

log = logging.getLogger(__name__)

Callback = Callable[..., Coroutine[Any, Any, Any]]

_SIGNATURE: Final = inspect.Signature(
    [
        inspect.Parameter(
            "inter",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=ApplicationCommandInteraction,
        ),
        inspect.Parameter("options", inspect.Parameter.VAR_KEYWORD, annotation=Any),
    ],
    return_annotation=None,
)
"""The signature of ``_run``'s and ``_setup``'s callbacks, annotations evaluated: the
interaction (disnake passes it by its annotation), then the options by keyword."""


def _intents() -> disnake.Intents:
    intents = disnake.Intents.none()
    intents.guilds = True  # guild names, channels and roles (for the admin role by name)
    return intents


INTENTS: Final = _intents()
"""Guilds only: interactions carry the member, its roles and permissions, so the bot needs
no privileged intent (no members, no message content)."""


class GreatworkBot(commands.InteractionBot):
    """The game's Discord client: one campaign per guild, commands from the catalogue."""

    def __init__(
        self,
        server: GameServer,
        settings: Settings,
        *,
        channels: ChannelDirectory,
        guild_ready_timeout: float = 2.0,
        defer_after: float = DEFER_AFTER,
        catalogue: Catalogue = CATALOGUE,
    ) -> None:
        super().__init__(
            loop=asyncio.get_running_loop(),
            intents=INTENTS,
            allowed_mentions=disnake.AllowedMentions.none(),
            guild_ready_timeout=guild_ready_timeout,
        )
        self.server = server
        self.settings = settings
        self.channels = channels
        self.poster = PublicPoster(self, channels)
        self.runner = CommandRunner(
            server,
            channels,
            self.poster,
            admin_role=settings.admin_role,
            defer_after=defer_after,
        )
        for command in slash_commands(self.runner, server, catalogue):
            self.add_slash_command(command)

    async def on_slash_command_error(
        self,
        interaction: ApplicationCommandInteraction[Any],
        exception: commands.CommandError,
    ) -> None:
        """Answer a command that failed outside its handler (a check, a conversion)."""
        name = interaction.application_command.qualified_name
        error = (
            exception.original if isinstance(exception, commands.CommandInvokeError) else exception
        )
        stage = Stage.ANSWERED if interaction.response.is_done() else Stage.NEW
        exchange = Exchange(InteractionResponder(interaction), stage=stage)
        await self.runner.fail(exchange, error, name, interaction.guild_id)


def create_bot(
    server: GameServer,
    settings: Settings,
    *,
    channels: ChannelDirectory,
    guild_ready_timeout: float = 2.0,
    defer_after: float = DEFER_AFTER,
) -> GreatworkBot:
    """Build the bot in the running event loop, pointed at ``settings.discord_api``.

    The API base URL is process-wide in disnake (``Route.BASE``); the gateway address then
    comes from that API, as usual. Start it with ``await bot.start(settings.discord_token)``.

    Raises:
        RuntimeError: no event loop is running (disnake would keep a dead loop).
    """
    bot = GreatworkBot(
        server,
        settings,
        channels=channels,
        guild_ready_timeout=guild_ready_timeout,
        defer_after=defer_after,
    )
    Route.BASE = settings.discord_api.rstrip("/")
    return bot


def slash_commands(
    runner: CommandRunner, server: GameServer, catalogue: Catalogue = CATALOGUE
) -> list[commands.InvokableSlashCommand]:
    """The disnake commands of the catalogue, built from its checked registration JSON."""
    built: list[commands.InvokableSlashCommand] = []
    for data in check_schema(registration(catalogue)):
        if data["name"] != ADMIN_GROUP:
            spec = catalogue.find(data["name"])
            command = commands.InvokableSlashCommand(
                _run(runner, spec),
                name=data["name"],
                description=data["description"],
                options=_options(data),
                default_member_permissions=_permissions(data),
            )
            _autocompleters(command, spec, server)
            built.append(command)
            continue
        group = commands.InvokableSlashCommand(
            _group,
            name=data["name"],
            description=data["description"],
            options=[],
            default_member_permissions=_permissions(data),
        )
        for sub in data["options"]:
            subcommand = group.sub_command(
                name=sub["name"], description=sub["description"], options=_options(sub)
            )
            if sub["name"] == SETUP:
                subcommand(_setup(runner))
                continue
            spec = catalogue.find(f"{ADMIN_GROUP} {sub['name']}")
            _autocompleters(subcommand(_run(runner, spec)), spec, server)
        built.append(group)
    return built


def _options(data: Mapping[str, Any]) -> list[disnake.Option]:
    return [disnake.Option.from_dict(o) for o in data.get("options", [])]


def _permissions(data: Mapping[str, Any]) -> int | None:
    value = data.get("default_member_permissions")
    return None if value is None else int(value)


def _autocompleters(
    command: commands.InvokableSlashCommand | commands.SubCommand,
    spec: CommandSpec,
    server: GameServer,
) -> None:
    for option in spec.options:
        if autocompleted(option):
            command.autocomplete(option.name)(_suggest(server, option))


async def _group(inter: ApplicationCommandInteraction[Any]) -> None:
    """``/gw_admin`` itself does nothing: its subcommands do."""
    del inter


def _run(runner: CommandRunner, spec: CommandSpec) -> Callback:
    async def run(inter: ApplicationCommandInteraction[Any], **options: Any) -> None:  # noqa: ANN401 (Discord's option values)
        await runner.run(inter, spec, options)

    run.__name__ = spec.name
    return _signed(run)


def _setup(runner: CommandRunner) -> Callback:
    async def setup(inter: ApplicationCommandInteraction[Any], **options: Any) -> None:  # noqa: ANN401 (Discord's option values)
        await runner.setup(inter, options)

    return _signed(setup)


def _signed(callback: Callback) -> Callback:
    """Give ``callback`` the ready signature, so disnake does not evaluate it on every call.

    Raises:
        TypeError: the callback's parameters are not those of the ready signature.
    """
    own = inspect.signature(callback)
    if _shape(own) != _shape(_SIGNATURE):
        message = f"{callback.__qualname__} takes {own}, not {_SIGNATURE}"
        raise TypeError(message)
    callback.__signature__ = _SIGNATURE  # type: ignore[attr-defined]
    return callback


def _suggest(server: GameServer, option: Option) -> Callback:
    async def suggest(
        inter: ApplicationCommandInteraction[Any],
        user_input: str,
        **_filled: Any,  # noqa: ANN401 (the other options typed so far)
    ) -> list[disnake.OptionChoice]:
        found = await complete(server, inter.guild_id, inter.author.id, option, user_input)
        return [disnake.OptionChoice(c.name, c.value) for c in found]

    return suggest


def _shape(signature: inspect.Signature) -> list[tuple[str, int]]:
    return [(p.name, p.kind) for p in signature.parameters.values()]
