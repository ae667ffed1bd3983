"""Play the ``greatwork play`` test scripts through Discord: every command, end to end.

The scripts in ``tests/play/scripts/`` exercise every command with its successes and its
refusals, with expectations written above each statement (``tests/play/runner.py``). Here the
same statements go through the loopback Discord and the real disnake client instead of the
terminal: ``@NAME /command key:value`` becomes a slash command by the guild member NAME, with
each value typed as the registered option wants it; ``!admin NAME`` makes NAME a member with
the Administrator permission; ``!digest``, ``!advance`` and ``!roll`` drive the server's
virtual clock and dice as the terminal does.

What Discord shows is checked against the expectations: ``ok`` and ``error`` by the reply's
colour and privacy, their quoted words in what the member sees; ``digest N`` by the Gazette
post in #gazette; ``press KIND`` by a released item of that kind whose headline reaches its
channel. ``data.*`` checks are the terminal tests' business (Discord shows no data). A value
the Discord client itself would not send (a word for a number, a value outside the choices or
limits) is not sent: the emulator refuses to build the interaction, as the client would, and
the script must expect a refusal there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from greatwork.actors import messages as m
from greatwork.actors.runtime import Notice, PressReleased
from greatwork.bot.render import COLOUR_ERROR, COLOUR_OK
from greatwork.play import script as s
from greatwork.rules.ids import Instant
from tests.discord.emulator import EmulatorError
from tests.discord.world import World, text_of
from tests.play.runner import Expectation, Script

INTEGER, BOOLEAN, NUMBER = 4, 5, 10
TERMINAL_ONLY: Final[Mapping[tuple[str, int], str]] = {
    ("admin_moderation.gw", 57): "names an admin who never played by the name that is their id "
    "in the terminal; on Discord an admin's id is a snowflake and only players have names",
}
"""Statements whose expectation holds only where a player's id is their name: on Discord they
must still be answered (any answer), and the reason is printed."""
TRUE, FALSE = frozenset({"true", "yes", "on", "1"}), frozenset({"false", "no", "off", "0"})
SUB_COMMAND = 1


@dataclass
class Outcome:
    """What one statement did, as Discord showed it."""

    line: int
    refused_by_client: str | None = None  # why the client would not send it
    messages: list[dict[str, Any]] = field(default_factory=list)
    ephemeral: bool = False
    released: list[PressReleased] = field(default_factory=list)
    digests: list[int] = field(default_factory=list)

    @property
    def colour(self) -> int | None:
        for message in self.messages:
            for embed in message.get("embeds") or []:
                if "color" in embed:
                    return int(embed["color"])
        return None

    @property
    def text(self) -> str:
        return "\n".join(text_of(message) for message in self.messages)


def seed_of(script: Script) -> int | None:
    """The script's ``!seed``, if any."""
    for statement in script.statements:
        if isinstance(statement, s.Seed):
            return statement.seed
    return None


def _options_schema(world: World, path: str) -> list[Mapping[str, Any]] | None:
    """The registered options of a command path (``"recruit"``, ``"gw_admin pause_game"``).

    None when Discord has no such command or sub-command (the client offers nothing to send).
    """
    head, _, sub = path.partition(" ")
    command = next((c for c in world.emu.commands() if c["name"] == head), None)
    if command is None:
        return None
    options: list[Mapping[str, Any]] = command.get("options") or []
    if not sub:
        if any(o["type"] == SUB_COMMAND for o in options):
            return None  # a group needs a sub-command
        return options
    group = next((o for o in options if o["name"] == sub and o["type"] == SUB_COMMAND), None)
    return None if group is None else group.get("options") or []


def typed(world: World, path: str, raw: Mapping[str, str]) -> tuple[dict[str, Any], str | None]:
    """The option values as the Discord client would send them, or why it would not."""
    registered = _options_schema(world, path)
    if registered is None:
        return {}, f"Discord has no command /{path}"
    schema = {o["name"]: o for o in registered}
    out: dict[str, Any] = {}
    for name, text in raw.items():
        option = schema.get(name)
        if option is None:
            return out, f"/{path} has no option {name!r}"
        kind = option["type"]
        try:
            if kind == INTEGER:
                out[name] = int(text)
            elif kind == NUMBER:
                out[name] = float(text)
            elif kind == BOOLEAN:
                # The client offers True and False; the terminal's words for them map here.
                if text.lower() not in TRUE | FALSE:
                    return out, f"{name}: {text!r} is not True or False"
                out[name] = text.lower() in TRUE
            else:
                out[name] = _choice(option, text)
        except ValueError:
            return out, f"{name}: {text!r} is not a number"
    return out, None


def _choice(option: Mapping[str, Any], text: str) -> str:
    """A choice picked in the client's list (matched without case), else the text typed."""
    for choice in option.get("choices") or []:
        if str(choice["value"]).lower() == text.lower():
            return str(choice["value"])
    return text


class DiscordScript:
    """Runs one script's statements through a :class:`World` and records what each showed."""

    def __init__(self, world: World, script: Script) -> None:
        self.world = world
        self.script = script
        self.outcomes: dict[int, Outcome] = {}
        self._notices: asyncio.Queue[Notice] = world.service.server.subscribe(world.campaign_id)
        world.emu.enforce_default_member_permissions = False  # test the bot's own admin check

    async def run(self) -> None:
        """Run every statement in order."""
        try:
            for statement in self.script.statements:
                outcome = Outcome(statement.line)
                await self._run(statement, outcome)
                await self.world.service.server.settle(self.world.campaign_id)
                self._drain(outcome)
                self.outcomes[statement.line] = outcome
        finally:
            self.world.service.server.unsubscribe(self._notices)

    async def _run(self, statement: s.Statement, outcome: Outcome) -> None:
        world = self.world
        server = world.service.server
        match statement:
            case s.Seed():
                pass  # the world created the campaign with it
            case s.MakeAdmin(player=player):
                world.member(player, admin=True)
            case s.Run(player=player, path=path, options=raw):
                await self._command(player, path, raw, outcome)
            case s.Digest(count=count):
                for _ in range(count):
                    await server.advance_to_next_digest()
            case s.Advance(seconds=seconds):
                await server.advance(Instant(server.clock.now() + seconds))
            case s.Roll(value=value):
                await server.ask(world.campaign_id, m.ForceRoll(value))

    async def _command(
        self, player: str, path: str, raw: Mapping[str, str], outcome: Outcome
    ) -> None:
        world = self.world
        values, refusal = typed(world, path, raw)
        if refusal is not None:
            outcome.refused_by_client = refusal
            return
        try:
            record = await world.slash(player, path, **values)
        except EmulatorError as error:
            outcome.refused_by_client = str(error)
            return
        outcome.messages = list(record.messages)
        outcome.ephemeral = record.ephemeral

    def _drain(self, outcome: Outcome) -> None:
        while not self._notices.empty():
            notice = self._notices.get_nowait()
            if isinstance(notice, PressReleased):
                outcome.released.append(notice)
            elif isinstance(notice, m.DigestDone):
                outcome.digests.append(notice.number)

    # --- checking -------------------------------------------------------------------------------

    async def failures(self) -> list[str]:
        """Every expectation Discord did not show, one message each."""
        found = []
        for expectation in self.script.expectations:
            problem = await self._verify(expectation)
            if problem is not None:
                found.append(f"{self.script.path.name}: line {expectation.line}: {problem}")
        return found

    async def _verify(self, expectation: Expectation) -> str | None:
        outcome = self.outcomes.get(expectation.target)
        if outcome is None:
            return f"the statement on line {expectation.target} never ran"
        if (self.script.path.name, expectation.target) in TERMINAL_ONLY:
            return None if outcome.messages else "a terminal-only statement was not answered"
        checks = {
            "ok": self._verify_ok,
            "error": self._verify_error,
        }
        if expectation.kind in checks:
            return checks[expectation.kind](expectation, outcome)
        if expectation.kind == "digest":
            return await self._verify_digest(int(expectation.arg), outcome)
        if expectation.kind == "press":
            return await self._verify_press(expectation.arg, outcome)
        return None  # "quiet": the terminal tests check it

    def _verify_ok(self, expectation: Expectation, outcome: Outcome) -> str | None:
        if outcome.refused_by_client is not None:
            return f"expected ok, but Discord could not send it: {outcome.refused_by_client}"
        if outcome.colour != COLOUR_OK:
            return f"expected ok, got {outcome.colour}: {outcome.text[:300]!r}"
        return self._needles(expectation, outcome)

    def _verify_error(self, expectation: Expectation, outcome: Outcome) -> str | None:
        if outcome.refused_by_client is not None:
            if expectation.arg == "invalid_input":
                return None  # the client refuses it before the server could
            why = outcome.refused_by_client
            return f"expected {expectation.arg}, but Discord could not send it: {why}"
        if outcome.colour != COLOUR_ERROR:
            return f"expected error {expectation.arg}, got {outcome.colour}: {outcome.text[:300]!r}"
        if not outcome.ephemeral:
            return f"the refusal ({expectation.arg}) was shown to everyone"
        return self._needles(expectation, outcome)

    def _needles(self, expectation: Expectation, outcome: Outcome) -> str | None:
        shown = " ".join(outcome.text.split())
        for needle in expectation.needles:
            # File names carry the campaign id: the terminal's is "local".
            wanted = needle.replace("_local_", f"_{self.world.campaign_id}_")
            if " ".join(wanted.split()) not in shown:
                return f"expected {needle!r} in what Discord showed: {shown[:400]!r}"
        return None

    async def _verify_digest(self, number: int, outcome: Outcome) -> str | None:
        if number not in outcome.digests:
            return f"expected digest {number}, the server ran {outcome.digests}"
        wanted = f"Digest No. {number}"
        try:
            await self.world.wait_for(
                lambda: any(wanted in text_of(p) for p in self.world.posts("gazette"))
            )
        except TimeoutError:
            return f"{wanted} never reached #gazette"
        return None

    async def _verify_press(self, kind: str, outcome: Outcome) -> str | None:
        items = [n.item for n in outcome.released if n.item.kind == kind]
        if not items:
            kinds = sorted({n.item.kind for n in outcome.released})
            return f"expected a press item of kind {kind}, released {kinds}"
        headline = " ".join(items[0].headline.split())[:200]
        channels = ("gazette", "table-talk")

        def posted() -> bool:
            return any(
                headline in " ".join(text_of(p).split())
                for name in channels
                for p in self.world.posts(name)
            )

        try:
            await self.world.wait_for(posted)
        except TimeoutError:
            return f"the {kind} item {headline!r} never reached {', '.join(channels)}"
        return None


def summary(outcomes: Sequence[Outcome]) -> dict[str, int]:
    """How many statements were answered, refused by the client, or silent."""
    return {
        "answered": sum(1 for o in outcomes if o.messages),
        "refused by the client": sum(1 for o in outcomes if o.refused_by_client),
    }
