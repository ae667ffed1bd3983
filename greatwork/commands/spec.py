"""The shape of the command catalogue: specs, invocations and replies.

A :class:`CommandSpec` is platform-neutral: the Discord bot turns it into a slash command, the
terminal (``greatwork play``) and the local table parse text into it. Every front end calls
:func:`invoke`, which validates the options, checks who may run the command, runs the handler
and turns every refusal into a specific, ephemeral error reply. A refusal changes nothing.

The options themselves live in :mod:`greatwork.commands.options`; their names are re-exported
here, so ``from greatwork.commands.spec import Option`` keeps working.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from greatwork.actors.types import JournalEntry, Outcome
from greatwork.commands.options import MAX_STRING, Choice, Lookup, Option, OptionType
from greatwork.metrics import command_done
from greatwork.press.item import PressItem
from greatwork.rules.content import Content
from greatwork.rules.errors import InvalidInput, PermissionDenied, RuleError
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.state import CampaignState

__all__ = [
    "ADMIN_GROUP",
    "MAX_STRING",
    "Attachment",
    "Catalogue",
    "Choice",
    "CommandSpec",
    "Field",
    "Game",
    "Handler",
    "Invocation",
    "Lookup",
    "Option",
    "OptionType",
    "Reply",
    "invoke",
    "refusal",
]

ADMIN_GROUP = "gw_admin"


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """One named field of a reply (an embed field in Discord)."""

    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    """A file that goes with a reply (a long listing, a JSON export)."""

    filename: str
    content: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """What a command answers.

    Attributes:
        title: one line.
        body: the text (may be long: front ends split it to fit their limits).
        fields: named values shown beside the body.
        ephemeral: shown only to the caller (errors, private views).
        data: the machine-readable result (``play --json`` prints it).
        ok: False for a refusal.
        error: the refusal's stable code (``insufficient_influence``...), when not ok.
        public: a public move that front ends also echo to the #orders channel.
        files: attachments (``as_file`` listings, exports).
    """

    title: str
    body: str = ""
    fields: tuple[Field, ...] = ()
    ephemeral: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)
    ok: bool = True
    error: str | None = None
    public: bool = False
    files: tuple[Attachment, ...] = ()

    @property
    def text(self) -> str:
        """The body and the fields as plain text."""
        parts = [self.body] if self.body else []
        parts.extend(f"{f.name}: {f.value}" for f in self.fields)
        return "\n".join(parts)


class Game(Protocol):
    """What a handler may ask of its campaign. The server implements it over the actors.

    Every method that changes the campaign returns only after the change is committed.
    """

    @property
    def campaign_id(self) -> CampaignId:
        """The campaign (one Discord guild, or one local table)."""
        ...

    @property
    def content(self) -> Content:
        """The game's content (names, tables), for rendering."""
        ...

    def now(self) -> Instant:
        """The campaign clock's current time (virtual in tests and scripts)."""
        ...

    def state(self) -> CampaignState:
        """The latest committed state (read-only; never blocks)."""
        ...

    async def execute(self, command: Any) -> Outcome:  # noqa: ANN401 (any rules Command)
        """Decide, journal and apply a rules command.

        Raises:
            RuleError: the command was refused; nothing changed.
            GreatworkError: the campaign is unavailable (the message says why).
        """
        ...

    async def run_digest(self, by: PlayerId) -> Outcome:
        """Run the next digest now (``/gw_admin run_digest``), exactly once.

        Raises:
            RuleError: the game is paused.
        """
        ...

    async def press(
        self, *, limit: int, query: str | None = None, kinds: Sequence[str] = ()
    ) -> list[PressItem]:
        """Released press, newest first; ``query`` matches headline or body, any case."""
        ...

    async def press_item(self, press_id: int) -> PressItem | None:
        """One released press item by its number."""
        ...

    async def journal(self, *, limit: int) -> list[JournalEntry]:
        """The last ``limit`` journaled events, newest first."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Invocation:
    """One call of a command: who, where, when and with what options.

    Attributes:
        game: the caller's campaign.
        player: the caller's id (Discord user id, or the local name).
        display_name: the caller's name as shown.
        is_admin: checked by the front end against its own rules (Discord: Administrator
            permission or the admin role; terminal: ``!admin``); the catalogue refuses admin
            commands to everyone else.
        options: the parsed option values, defaults filled in.
        at: when the call was made (the campaign clock).
    """

    game: Game
    player: PlayerId
    display_name: str
    is_admin: bool
    options: Mapping[str, Any]
    at: Instant


Handler = Callable[[Invocation], Awaitable[Reply]]


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandSpec:
    """One command of the catalogue.

    Attributes:
        name: the command (``submit_theory``), or the subcommand of ``group``.
        description: 1 to 100 characters.
        options: required first, then optional; at most 25.
        handler: does the work and returns the reply.
        admin: only admins may run it (checked on the server side, whatever the client shows).
        group: ``gw_admin`` for the admin subcommands.
        ephemeral: the reply is shown only to the caller.
    """

    name: str
    description: str
    handler: Handler
    options: tuple[Option, ...] = ()
    admin: bool = False
    group: str | None = None
    ephemeral: bool = False

    @property
    def path(self) -> str:
        """How a player types it: ``submit_theory`` or ``gw_admin adjust_reputation``."""
        return f"{self.group} {self.name}" if self.group else self.name

    def option(self, name: str) -> Option | None:
        """The option with this name, if any."""
        return next((o for o in self.options if o.name == name), None)

    def parse_options(self, raw: Mapping[str, object]) -> dict[str, Any]:
        """Validate raw option values and fill in defaults.

        Raises:
            InvalidInput: an unknown or repeated option, a missing required one, or a bad value.
        """
        known = {o.name for o in self.options}
        unknown = sorted(set(raw) - known)
        if unknown:
            listing = ", ".join(o.name for o in self.options) or "none"
            raise InvalidInput(
                f"/{self.path} has no option `{unknown[0]}` (its options: {listing}).",
                option=unknown[0],
            )
        values: dict[str, Any] = {}
        for option in self.options:
            if option.name in raw and raw[option.name] is not None:
                values[option.name] = option.parse(raw[option.name])
            elif option.required:
                raise InvalidInput(
                    f"/{self.path} needs the option `{option.name}`: {option.description}",
                    option=option.name,
                )
            else:
                values[option.name] = option.default
        return values


def refusal(error: RuleError) -> Reply:
    """The reply to a refused command: ephemeral, specific, with the error's code and data."""
    return Reply(
        title="Refused",
        body=error.message,
        ephemeral=True,
        ok=False,
        error=error.code,
        data={k: _plain(v) for k, v in error.data.items()},
    )


def _plain(value: object) -> object:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return str(value)


class Catalogue:
    """Every command, by path."""

    def __init__(self, specs: Sequence[CommandSpec] = ()) -> None:
        self._specs: dict[str, CommandSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: CommandSpec) -> None:
        """Register a command; its path must be new."""
        if spec.path in self._specs:
            raise ValueError(f"two commands named /{spec.path}")
        self._specs[spec.path] = spec

    def __iter__(self) -> Any:  # noqa: ANN401 (an iterator of specs)
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def get(self, path: str) -> CommandSpec | None:
        """The command at this path (``submit_theory``, ``gw_admin run_digest``), if any."""
        return self._specs.get(" ".join(path.lstrip("/").split()))

    def find(self, path: str) -> CommandSpec:
        """The command at this path.

        Raises:
            InvalidInput: there is no such command (the message suggests close names).
        """
        spec = self.get(path)
        if spec is not None:
            return spec
        wanted = " ".join(path.lstrip("/").split())
        close = [p for p in self._specs if wanted and (wanted in p or p in wanted)]
        hint = f" Did you mean /{close[0]}?" if close else " Type /help for the list."
        raise InvalidInput(f"There is no command /{wanted}.{hint}", command=wanted)

    def group(self, name: str) -> list[CommandSpec]:
        """The subcommands of a group, in catalogue order."""
        return [s for s in self._specs.values() if s.group == name]

    def top_level(self) -> list[CommandSpec]:
        """The commands outside any group, in catalogue order."""
        return [s for s in self._specs.values() if s.group is None]


async def invoke(
    spec: CommandSpec,
    game: Game,
    *,
    player: PlayerId,
    display_name: str,
    is_admin: bool,
    raw_options: Mapping[str, object],
    at: Instant | None = None,
) -> Reply:
    """Run one command for one caller, turning every refusal into an error reply.

    Only :class:`RuleError` becomes a refusal; any other error propagates (it is a bug or an
    outage, and the front end reports it as such). Each call is counted in the game's
    server's metrics (``greatwork_commands_total``) with its outcome and latency.
    """
    started = time.perf_counter()
    try:
        reply = await _run(
            spec,
            game,
            player=player,
            display_name=display_name,
            is_admin=is_admin,
            raw_options=raw_options,
            at=at,
        )
    except Exception:
        command_done(game, spec.path, "error", started, admin=spec.admin)
        raise
    command_done(game, spec.path, "ok" if reply.ok else "refused", started, admin=spec.admin)
    return reply


async def _run(
    spec: CommandSpec,
    game: Game,
    *,
    player: PlayerId,
    display_name: str,
    is_admin: bool,
    raw_options: Mapping[str, object],
    at: Instant | None,
) -> Reply:
    try:
        if spec.admin and not is_admin:
            raise PermissionDenied(f"/{spec.path} is for admins only.", command=spec.path)
        options = spec.parse_options(raw_options)
        invocation = Invocation(
            game=game,
            player=player,
            display_name=display_name,
            is_admin=is_admin,
            options=options,
            at=game.now() if at is None else at,
        )
        reply = await spec.handler(invocation)
    except RuleError as error:
        return refusal(error)
    if spec.ephemeral and not reply.ephemeral:
        reply = dataclasses.replace(reply, ephemeral=True, public=False)
    return reply
