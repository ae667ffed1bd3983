"""Interactive play in a terminal: history, tab completion, the Gazette as it prints.

Reading a line blocks, so it runs on a thread of its own; the event loop (and so the
server) never waits on the keyboard.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from pathlib import Path
from typing import IO, Any

from greatwork.commands.catalogue import CATALOGUE
from greatwork.commands.spec import ADMIN_GROUP, CommandSpec
from greatwork.play import script as s
from greatwork.play.session import PlaySession
from greatwork.rules.errors import GreatworkError

HISTORY = Path(os.environ.get("GREATWORK_HISTORY", Path.home() / ".greatwork_history"))
HISTORY_LENGTH = 1000

BANNER = """\
The Great Work: play in the terminal.
Type commands as in Discord:  /submit_theory theory:"Bronze Age flight" confidence:certain
Also: /help, !digest [N], !advance 6h, !roll N, !admin NAME, !who NAME, !quit.
Tab completes commands, options and choices. Ctrl-D quits."""


def complete(text_before: str, word: str) -> list[str]:
    """Candidates for ``word``, the word being typed at the end of ``text_before + word``."""
    tokens = text_before.split()
    if not tokens and not text_before.endswith(" "):
        tokens = []
    if not tokens:
        names = [f"/{spec.name}" for spec in CATALOGUE.top_level()] + [f"/{ADMIN_GROUP}"]
        names += ["!digest", "!advance", "!roll", "!admin", "!who", "!quit"]
        return sorted(n for n in set(names) if n.startswith(word))
    head = tokens[0].lstrip("/")
    if head == ADMIN_GROUP and len(tokens) == 1:
        return sorted(
            spec.name for spec in CATALOGUE.group(ADMIN_GROUP) if spec.name.startswith(word)
        )
    path = f"{head} {tokens[1]}" if head == ADMIN_GROUP and len(tokens) > 1 else head
    spec = CATALOGUE.get(path)
    if spec is None:
        return []
    return _complete_option(spec, word, {t.partition(":")[0] for t in tokens})


def _complete_option(spec: CommandSpec, word: str, used: set[str]) -> list[str]:
    key, sep, value = word.partition(":")
    if not sep:
        return sorted(
            f"{o.name}:" for o in spec.options if o.name.startswith(key) and o.name not in used
        )
    option = spec.option(key)
    if option is None:
        return []
    return sorted(f"{key}:{c.value}" for c in option.choices if str(c.value).startswith(value))


def _setup_readline() -> Any:  # noqa: ANN401 (the readline module, when there is one)
    try:
        import readline  # noqa: PLC0415 (optional: not on every platform)
    except ImportError:  # pragma: no cover (Linux has it)
        return None
    readline.set_completer_delims(" \t\n")
    state: dict[str, list[str]] = {}

    def completer(word: str, index: int) -> str | None:
        if index == 0:
            line = readline.get_line_buffer()
            before = line[: readline.get_begidx()]
            state["matches"] = complete(before, word)
        matches = state.get("matches", [])
        return matches[index] if index < len(matches) else None

    readline.set_completer(completer)
    readline.parse_and_bind("tab: complete")
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY)
    readline.set_history_length(HISTORY_LENGTH)
    return readline


_PENDING = threading.Event()


def read_pending() -> bool:
    """Whether a read of standard input is still blocked on its thread.

    Python cannot shut down cleanly while a daemon thread holds the stdin lock; the command
    line then ends the process with ``os._exit`` once everything else is closed.
    """
    return _PENDING.is_set()


class _Prompt:
    """Reads each line on a daemon thread, so the event loop never waits on the keyboard."""

    async def ask(self, prompt: str) -> str | None:
        """One line, or None at the end of input."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[str | None] = loop.create_future()

        def settle(value: str | None) -> None:
            if not answer.done():
                answer.set_result(value)

        def read() -> None:
            _PENDING.set()
            try:
                line: str | None = input(prompt)
            except (EOFError, OSError, ValueError):
                line = None
            finally:
                _PENDING.clear()
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(settle, line)

        threading.Thread(target=read, name="greatwork-input", daemon=True).start()
        return await answer

    def close(self) -> None:
        """Nothing to release: a pending read dies with the process."""


def _valid_name(text: str, stream: IO[str]) -> str | None:
    if s.NAME.match(text):
        return text
    stream.write("A name is 1 to 32 letters, digits, '_', '-' or '.'.\n")
    return None


async def interactive(session: PlaySession, stream: IO[str], name: str | None = None) -> int:
    """Read and run lines until end of input or ``!quit``; returns the exit status."""
    readline = _setup_readline()
    prompt = _Prompt()
    stream.write(BANNER + "\n")
    try:
        while not name:
            answer = await prompt.ask("Your name: ")
            if answer is None:
                return 0
            name = _valid_name(answer.strip(), stream)
        number = 0
        while True:
            text = await prompt.ask(f"{name}> ")
            if text is None or text.strip() in {"!quit", "!exit"}:
                stream.write("\n")
                return 0
            number += 1
            text = text.strip()
            if text.startswith("!who "):
                name = _valid_name(text.removeprefix("!who ").strip(), stream) or name
                continue
            await _run_line(
                session, f"@{name} {text}" if text.startswith("/") else text, number, stream
            )
    finally:
        prompt.close()
        if readline is not None:
            with contextlib.suppress(OSError):
                readline.write_history_file(HISTORY)


async def _run_line(session: PlaySession, text: str, number: int, stream: IO[str]) -> None:
    try:
        statement = s.parse_line(text, number)
        if statement is not None:
            await session.run(statement)
    except GreatworkError as error:
        stream.write(f"✗ {error}\n")
