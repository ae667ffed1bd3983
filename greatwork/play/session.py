"""A play session: statements run against a real server, output as text or JSON lines.

The session runs the real :class:`~greatwork.actors.runtime.GameServer` (actors, journal on
disk) on a virtual clock: ``!digest`` and ``!advance`` move it, so a season plays in seconds
and a script gives the same result every time for the same seed.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from typing import IO, Any, Protocol

from greatwork.actors import messages as m
from greatwork.actors.runtime import GameServer, Notice, PressReleased
from greatwork.commands.catalogue import CATALOGUE
from greatwork.commands.spec import Reply, invoke, refusal
from greatwork.play import script as s
from greatwork.press.item import PressItem
from greatwork.rules.errors import InvalidInput, RuleError
from greatwork.rules.ids import CampaignId, Instant, PlayerId

SCRIPT_START = Instant(1_767_258_000)  # 2026-01-01 09:00 UTC: a new script campaign starts here


class Output(Protocol):
    """Where a session's results go."""

    def reply(self, line: int, player: str, command: str, reply: Reply) -> None:
        """A command's reply."""

    def press(self, item: PressItem) -> None:
        """A released press item."""

    def digest(self, done: m.DigestDone) -> None:
        """A digest that ran."""

    def note(self, line: int, text: str) -> None:
        """A directive's confirmation or a session message."""


class JsonOutput:
    """One JSON object a line (``play --json``)."""

    def __init__(self, stream: IO[str]) -> None:
        self._out = stream

    def _write(self, obj: dict[str, Any]) -> None:
        self._out.write(json.dumps(obj, ensure_ascii=False, sort_keys=False) + "\n")
        self._out.flush()

    def reply(self, line: int, player: str, command: str, reply: Reply) -> None:
        """``{"type": "reply", ...}``."""
        obj: dict[str, Any] = {
            "type": "reply",
            "line": line,
            "player": player,
            "command": command,
            "ok": reply.ok,
            "title": reply.title,
            "text": reply.text,
            "data": dict(reply.data),
        }
        if not reply.ok:
            obj["error"] = reply.error
        self._write(obj)

    def press(self, item: PressItem) -> None:
        """``{"type": "press", ...}``: a layered follow-up adds ``"layer": true``."""
        obj: dict[str, Any] = {
            "type": "press",
            "id": item.id,
            "kind": item.kind,
            "headline": item.headline,
            "body": item.body,
            "digest": item.digest,
            "release_at": item.release_at,
        }
        if item.meta.get("layer"):
            obj["layer"] = True
        self._write(obj)

    def digest(self, done: m.DigestDone) -> None:
        """``{"type": "digest", ...}``."""
        self._write({"type": "digest", "number": done.number, "year": done.year})

    def note(self, line: int, text: str) -> None:
        """Notes are for people: JSON output leaves them out."""
        del line, text


class TextOutput:
    """Readable text for a terminal."""

    def __init__(self, stream: IO[str], width: int = 80) -> None:
        self._out = stream
        self._width = width

    def _write(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    def _wrap(self, text: str, indent: str = "  ") -> str:
        lines = []
        for paragraph in text.splitlines() or [""]:
            lines.extend(
                textwrap.wrap(
                    paragraph,
                    self._width,
                    initial_indent=indent,
                    subsequent_indent=indent,
                    break_long_words=False,
                )
                or [""]
            )
        return "\n".join(lines)

    def reply(self, line: int, player: str, command: str, reply: Reply) -> None:
        """The title, then the body and fields, indented."""
        del line
        mark = "" if reply.ok else "✗ "
        self._write(f"{player} /{command}: {mark}{reply.title}")
        if reply.text:
            self._write(self._wrap(reply.text))

    def press(self, item: PressItem) -> None:
        """A headline and its body."""
        self._write(f"  ── {item.headline}")
        if item.body:
            self._write(self._wrap(item.body, "     "))

    def digest(self, done: m.DigestDone) -> None:
        """The Gazette's masthead."""
        title = f" THE GAZETTE · Digest {done.number} · Year {done.year} "
        self._write("\n" + title.center(self._width, "═"))

    def note(self, line: int, text: str) -> None:
        """A plain line."""
        del line
        self._write(f"· {text}")


class PlaySession:
    """Runs statements for one campaign of a running server."""

    def __init__(
        self,
        server: GameServer,
        campaign_id: CampaignId,
        output: Output,
        *,
        admins: Sequence[str] = (),
    ) -> None:
        self.server = server
        self.campaign_id = campaign_id
        self.output = output
        self.admins: set[str] = set(admins)
        self.seed = 1
        self._queue = server.subscribe(campaign_id)
        self._started = campaign_id in server.campaign_ids()

    async def close(self) -> None:
        """Stop listening for notices."""
        self.server.unsubscribe(self._queue)

    async def _ensure(self) -> None:
        if not self._started:
            await self.server.ensure_campaign(self.campaign_id, seed=self.seed)
            self._started = True
            self._flush()

    def _flush(self) -> None:
        while not self._queue.empty():
            notice: Notice = self._queue.get_nowait()
            if isinstance(notice, PressReleased):
                self.output.press(notice.item)
            else:
                self.output.digest(notice)

    async def run_all(self, statements: Sequence[s.Statement]) -> None:
        """Run statements in order; command refusals are output, not raised."""
        for statement in statements:
            await self.run(statement)

    async def run(self, statement: s.Statement) -> None:
        """Run one statement.

        Raises:
            GreatworkError: a directive that cannot apply (``!seed`` on an existing campaign).
        """
        match statement:
            case s.Seed(line=line, seed=seed):
                if self._started:
                    state = self.server.committed_state(self.campaign_id)
                    raise InvalidInput(
                        f"line {line}: campaign {self.campaign_id} already exists (seed "
                        f"{state.seed}); !seed only applies to a new campaign"
                    )
                self.seed = seed
            case s.MakeAdmin(player=player):
                self.admins.add(player)
                self.output.note(statement.line, f"{player} is an admin")
            case s.Run(line=line, player=player, path=path, options=options):
                await self._ensure()
                await self.command(line, player, path, options)
            case s.Digest(count=count):
                await self._ensure()
                for _ in range(count):
                    await self.server.advance_to_next_digest()
                    self._flush()
            case s.Advance(seconds=seconds):
                await self._ensure()
                await self.server.advance(Instant(self.server.clock.now() + seconds))
                self._flush()
            case s.Roll(value=value):
                await self._ensure()
                await self.server.ask(self.campaign_id, m.ForceRoll(value))
                self.output.note(statement.line, f"the next d100 roll is {value}")

    async def command(
        self, line: int, player: str, path: str, options: Mapping[str, object]
    ) -> Reply:
        """Run one catalogue command as ``player``."""
        try:
            spec = CATALOGUE.find(path)
        except RuleError as error:
            reply, command = refusal(error), path
        else:
            command = spec.path
            reply = await invoke(
                spec,
                self.server.game(self.campaign_id),
                player=PlayerId(player),
                display_name=player,
                is_admin=player in self.admins,
                raw_options=options,
            )
        self.output.reply(line, player, command, reply)
        await self.server.settle(self.campaign_id)
        self._flush()
        return reply
