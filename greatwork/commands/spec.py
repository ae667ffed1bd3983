"""The shape of the command catalogue: options, specs, invocations and replies.

A :class:`CommandSpec` is platform-neutral: the Discord bot turns it into a slash command, the
terminal (``greatwork play``) and the local table parse text into it. Every front end calls
:func:`invoke`, which validates the options, checks who may run the command, runs the handler
and turns every refusal into a specific, ephemeral error reply. A refusal changes nothing.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from greatwork.actors.types import JournalEntry, Outcome
from greatwork.press.item import PressItem
from greatwork.rules.content import Content
from greatwork.rules.errors import InvalidInput, PermissionDenied, RuleError
from greatwork.rules.ids import CampaignId, Instant, PlayerId
from greatwork.rules.state import CampaignState

ADMIN_GROUP = "gw_admin"
MAX_STRING = 2000  # Discord's own limit on a string option


class OptionType(enum.StrEnum):
    """The value type of an option, as Discord knows them."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"


class Lookup(enum.StrEnum):
    """What an option names, for autocompletion (the value is still a string or integer)."""

    SCHOLAR = "scholar"
    THEORY = "theory"
    OFFER = "offer"
    EXPEDITION = "expedition"
    FACTION = "faction"
    PLAYER = "player"
    ORDER = "order"
    PRESS = "press"
    PROPOSAL = "proposal"
    COMMITMENT = "commitment"
    PROJECT = "project"


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    """One allowed value of an option, with the label a player sees."""

    name: str
    value: str | int


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    """One typed option of a command.

    Attributes:
        name: ``^[-_a-z0-9]{1,32}$``, as Discord requires.
        description: 1 to 100 characters.
        type: the value type.
        required: required options come before optional ones.
        default: the value when an optional option is left out.
        choices: when set, the only values allowed (at most 25).
        min_value, max_value: bounds of a number.
        min_length, max_length: bounds of a string's length (after stripping).
        lookup: what the option names, for autocompletion.
        many: a comma-separated list of values (team, supporters, funding); the value the
            handler gets is a tuple.
        max_items: for ``many``, the most values allowed.
    """

    name: str
    description: str
    type: OptionType = OptionType.STRING
    required: bool = False
    default: Any = None
    choices: tuple[Choice, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    lookup: Lookup | None = None
    many: bool = False
    max_items: int | None = None

    def parse(self, raw: object) -> Any:  # noqa: ANN401 (the option's own type)
        """Turn a raw value (text from a terminal, or a typed value from Discord) into the value.

        Raises:
            InvalidInput: the value has the wrong type, is out of range or not a choice; the
                message names the option.
        """
        if self.many:
            if isinstance(raw, str):
                parts = [p.strip() for p in raw.split(",")]
                items: Sequence[object] = [p for p in parts if p]
            elif isinstance(raw, list | tuple):
                items = raw
            else:
                raise self._error(f"expected a comma-separated list, got {raw!r}")
            if self.max_items is not None and len(items) > self.max_items:
                raise self._error(f"at most {self.max_items} values, got {len(items)}")
            return tuple(self._parse_one(item) for item in items)
        return self._parse_one(raw)

    def _parse_one(self, raw: object) -> Any:  # noqa: ANN401 (the option's own type)
        match self.type:
            case OptionType.STRING:
                value: Any = self._string(raw)
            case OptionType.INTEGER:
                value = self._integer(raw)
            case OptionType.NUMBER:
                value = self._number(raw)
            case OptionType.BOOLEAN:
                value = self._boolean(raw)
        if self.choices:
            allowed = {c.value for c in self.choices}
            if isinstance(value, str):
                # Choices match whatever the case; the catalogue's values are lower case.
                lowered = {str(a).lower(): a for a in allowed}
                value = lowered.get(value.lower(), value)
            if value not in allowed:
                names = ", ".join(str(c.value) for c in self.choices)
                raise self._error(f"must be one of {names}; got {value!r}")
        return value

    def _string(self, raw: object) -> str:
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise self._error(f"expected text, got {raw!r}")
        text = str(raw).strip()
        if len(text) > MAX_STRING:
            raise self._error(f"at most {MAX_STRING} characters")
        if self.min_length is not None and len(text) < self.min_length:
            if self.min_length == 1:
                raise self._error("must not be blank")
            raise self._error(f"at least {self.min_length} characters, got {len(text)}")
        if self.max_length is not None and len(text) > self.max_length:
            raise self._error(f"at most {self.max_length} characters, got {len(text)}")
        return text

    def _integer(self, raw: object) -> int:
        if isinstance(raw, bool):
            raise self._error(f"expected a whole number, got {raw!r}")
        if isinstance(raw, int):
            value = raw
        elif isinstance(raw, str):
            try:
                value = int(raw.strip())
            except ValueError:
                raise self._error(f"expected a whole number, got {raw!r}") from None
        else:
            raise self._error(f"expected a whole number, got {raw!r}")
        self._check_range(value)
        return value

    def _number(self, raw: object) -> float:
        if isinstance(raw, bool):
            raise self._error(f"expected a number, got {raw!r}")
        if isinstance(raw, int | float):
            value = float(raw)
        elif isinstance(raw, str):
            try:
                value = float(raw.strip())
            except ValueError:
                raise self._error(f"expected a number, got {raw!r}") from None
        else:
            raise self._error(f"expected a number, got {raw!r}")
        if not math.isfinite(value):
            raise self._error(f"expected a finite number, got {raw!r}")
        self._check_range(value)
        return value

    def _boolean(self, raw: object) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str):
            text = raw.strip().lower()
            if text in {"true", "yes", "1", "on"}:
                return True
            if text in {"false", "no", "0", "off"}:
                return False
        raise self._error(f"expected true or false, got {raw!r}")

    def _check_range(self, value: float) -> None:
        if self.min_value is not None and value < self.min_value:
            raise self._error(f"must be at least {_num(self.min_value)}, got {_num(value)}")
        if self.max_value is not None and value > self.max_value:
            raise self._error(f"must be at most {_num(self.max_value)}, got {_num(value)}")

    def _error(self, problem: str) -> InvalidInput:
        return InvalidInput(f"Option `{self.name}`: {problem}.", option=self.name)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


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
    outage, and the front end reports it as such).
    """
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
