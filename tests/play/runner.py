"""Run a play script through the real command line and check the expectations written in it.

A script (``tests/play/scripts/*.gw``) is an ordinary ``greatwork play`` script. An
expectation is a comment line starting with ``#>``, placed right above the statement it checks
(several may stack; only other ``#>`` lines may come between them and the statement)::

    #> ok data.theory_id=T-1 "Bronze Age flight"
    @Ada /submit_theory theory:"Bronze Age flight" confidence:certain
    #> error invalid_input data.option=confidence "must be one of"
    @Ada /submit_theory theory:"x" confidence:sure
    #> digest 1
    #> press discovery_report
    !digest

The kinds:

``ok [CHECK...]``
    The command's reply (the JSON line with that ``line``) is a success.
``error CODE [CHECK...]``
    The reply is a refusal with that code (``invalid_input``, ``not_found``, ``paused``...).
``press KIND``
    The statement's output includes a press line of that kind.
``digest N``
    The statement's output includes the digest line numbered N.
``quiet``
    The statement printed nothing at all (a digest that waits while the game is paused).

A CHECK after ``ok`` or ``error`` is one of:

``data.PATH=VALUE``
    The reply's ``data`` at PATH (keys and list indexes joined by dots:
    ``data.odds.0.faction``) equals VALUE. A text value compares as text; otherwise VALUE is
    read as JSON (``5``, ``0.7``, ``true``, ``null``, ``[]``); quote JSON that holds double
    quotes in single quotes: ``data.team='["s.proc-004"]'``.
``data.PATH#=N``
    The list or object at PATH has N items.
``"some words"``
    The reply's title or text contains these words (case matters).

``ok``/``error`` must sit above an ``@NAME /command`` line. The runner calls
:func:`greatwork.cli.main` in this process with ``play --script FILE --db PATH --json``, with a
real journal file, and notes where each statement's output starts, so ``press``, ``digest`` and
``quiet`` see only what that statement printed.
"""

from __future__ import annotations

import contextlib
import io
import json
import shlex
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from greatwork import cli
from greatwork.commands.catalogue import CATALOGUE
from greatwork.play import script as s
from greatwork.play.session import PlaySession

MARK = "#>"
KINDS = ("ok", "error", "press", "digest", "quiet")


class ExpectationError(Exception):
    """A malformed or misplaced expectation; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Check:
    """One ``data.PATH=VALUE`` (or ``#=``) check."""

    path: tuple[str, ...]
    length: bool
    raw: str

    def describe(self) -> str:
        """The check as it was written."""
        keys = "".join(f".{p}" for p in self.path)
        return f"data{keys}{'#=' if self.length else '='}{self.raw}"


@dataclass(frozen=True, slots=True)
class Expectation:
    """One ``#>`` line and the statement it checks."""

    line: int
    target: int
    kind: str
    arg: str = ""
    checks: tuple[Check, ...] = ()
    needles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Script:
    """A parsed script: its statements and its expectations."""

    path: Path
    statements: tuple[s.Statement, ...]
    expectations: tuple[Expectation, ...]

    def command_paths(self) -> dict[int, str]:
        """The catalogue path of each command statement that names a real command, by line."""
        paths = {}
        for statement in self.statements:
            if isinstance(statement, s.Run):
                spec = CATALOGUE.get(statement.path)
                if spec is not None:
                    paths[statement.line] = spec.path
        return paths


@dataclass(frozen=True, slots=True)
class ScriptRun:
    """What one run printed: the exit status, the JSON records and each statement's share."""

    code: int
    stdout: str
    stderr: str
    records: tuple[dict[str, Any], ...]
    segments: Mapping[int, tuple[dict[str, Any], ...]] = field(default_factory=dict)

    def replies(self, line: int) -> list[dict[str, Any]]:
        """The replies printed for the statement on ``line``."""
        return [r for r in self.records if r["type"] == "reply" and r["line"] == line]


def load(path: Path) -> Script:
    """Parse a script file and its expectations.

    Raises:
        ExpectationError: a malformed expectation, or one with no statement right below it.
        greatwork.play.script.ScriptError: a line the game itself cannot parse.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    statements = tuple(s.parse_script(lines))
    by_line = {st.line: st for st in statements}
    expectations: list[Expectation] = []
    waiting: list[tuple[int, str]] = []
    for number, text in enumerate(lines, start=1):
        stripped = text.strip()
        if stripped.startswith(MARK):
            waiting.append((number, stripped[len(MARK) :]))
            continue
        if not waiting:
            continue
        statement = by_line.get(number)
        if statement is None:
            raise ExpectationError(
                f"{path.name}: line {waiting[0][0]}: an expectation must sit right above the "
                f"statement it checks; line {number} is not a statement"
            )
        expectations.extend(_parse(path, at, body, statement) for at, body in waiting)
        waiting = []
    if waiting:
        raise ExpectationError(f"{path.name}: line {waiting[0][0]}: no statement follows")
    return Script(path=path, statements=statements, expectations=tuple(expectations))


def _parse(path: Path, number: int, body: str, statement: s.Statement) -> Expectation:
    where = f"{path.name}: line {number}"
    try:
        tokens = shlex.split(body)
    except ValueError as error:
        raise ExpectationError(f"{where}: {error}") from None
    if not tokens or tokens[0] not in KINDS:
        raise ExpectationError(f"{where}: expected one of {', '.join(KINDS)}, got {body!r}")
    kind, rest = tokens[0], tokens[1:]
    if kind in {"ok", "error"} and not isinstance(statement, s.Run):
        raise ExpectationError(f"{where}: `{kind}` checks a command's reply; the next line is not")
    arg = ""
    if kind in {"error", "press", "digest"}:
        if not rest:
            raise ExpectationError(f"{where}: `{kind}` needs an argument")
        arg, rest = rest[0], rest[1:]
        if kind == "digest" and not arg.isdigit():
            raise ExpectationError(f"{where}: `digest` needs a digest number, got {arg!r}")
    if kind in {"press", "digest", "quiet"} and rest:
        raise ExpectationError(f"{where}: `{kind}` takes no checks, got {rest!r}")
    checks, needles = [], []
    for word in rest:
        if word == "data" or word.startswith(("data.", "data#=", "data=")):
            checks.append(_check(where, word))
        else:
            needles.append(word)
    return Expectation(
        line=number,
        target=statement.line,
        kind=kind,
        arg=arg,
        checks=tuple(checks),
        needles=tuple(needles),
    )


def _check(where: str, token: str) -> Check:
    key, sep, raw = token.partition("=")
    if not sep:
        raise ExpectationError(f"{where}: expected data.PATH=VALUE, got {token!r}")
    length = key.endswith("#")
    parts = key.removesuffix("#").split(".")[1:]
    if any(not p for p in parts):
        raise ExpectationError(f"{where}: empty key in {token!r}")
    if length and not raw.isdigit():
        raise ExpectationError(f"{where}: `#=` needs a count, got {raw!r}")
    return Check(path=tuple(parts), length=length, raw=raw)


# --- running -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _observed(out: io.StringIO, marks: list[tuple[int, int]]) -> Iterator[None]:
    """Note, before each statement runs, how many output lines were already printed."""
    original = PlaySession.run

    async def run(session: PlaySession, statement: s.Statement) -> None:
        marks.append((statement.line, out.getvalue().count("\n")))
        await original(session, statement)

    with mock.patch.object(PlaySession, "run", run):
        yield


def run_script(script: Path, db: Path, *extra: str) -> ScriptRun:
    """Run ``greatwork play --script SCRIPT --db DB --json`` in this process."""
    out, err = io.StringIO(), io.StringIO()
    marks: list[tuple[int, int]] = []
    argv = ["play", "--script", str(script), "--db", str(db), "--json", *extra]
    with _observed(out, marks), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    stdout = out.getvalue()
    records = tuple(json.loads(line) for line in stdout.splitlines())
    segments = {}
    for index, (line, start) in enumerate(marks):
        end = marks[index + 1][1] if index + 1 < len(marks) else len(records)
        segments[line] = records[start:end]
    return ScriptRun(
        code=code, stdout=stdout, stderr=err.getvalue(), records=records, segments=segments
    )


# --- checking ----------------------------------------------------------------------------------


def failures(script: Script, run: ScriptRun) -> list[str]:
    """Every expectation the run did not meet, one message each (empty: all met)."""
    found = []
    for expectation in script.expectations:
        problem = _verify(expectation, run)
        if problem is not None:
            found.append(f"{script.path.name}: line {expectation.line}: {problem}")
    return found


def _verify(expectation: Expectation, run: ScriptRun) -> str | None:
    target = expectation.target
    if expectation.kind in {"ok", "error"}:
        replies = run.replies(target)
        if len(replies) != 1:
            return f"expected one reply for line {target}, got {len(replies)}"
        return _verify_reply(expectation, replies[0])
    segment = run.segments.get(target)
    if segment is None:
        return f"the statement on line {target} never ran"
    return _verify_segment(expectation, segment)


def _verify_segment(expectation: Expectation, segment: Sequence[Mapping[str, Any]]) -> str | None:
    if expectation.kind == "quiet":
        return None if not segment else f"expected no output, got {_summary(segment)}"
    if expectation.kind == "press":
        kinds = [r["kind"] for r in segment if r["type"] == "press"]
        if expectation.arg in kinds:
            return None
        return f"expected a press item of kind {expectation.arg}, got {kinds}"
    numbers = [r["number"] for r in segment if r["type"] == "digest"]
    if int(expectation.arg) in numbers:
        return None
    return f"expected digest {expectation.arg}, got digests {numbers}"


def _verify_reply(expectation: Expectation, reply: Mapping[str, Any]) -> str | None:
    shown = f"{reply['title']}: {reply['text']}"
    if expectation.kind == "ok" and not reply["ok"]:
        return f"expected ok, got error {reply['error']}: {shown}"
    if expectation.kind == "error":
        if reply["ok"]:
            return f"expected error {expectation.arg}, got ok: {reply['title']}"
        if reply["error"] != expectation.arg:
            return f"expected error {expectation.arg}, got {reply['error']}: {shown}"
    for check in expectation.checks:
        problem = _verify_data(check, reply["data"])
        if problem is not None:
            return problem
    for needle in expectation.needles:
        if needle not in reply["title"] and needle not in reply["text"]:
            return f"expected the reply to contain {needle!r}, got {shown!r}"
    return None


def _verify_data(check: Check, data: object) -> str | None:
    current = data
    for key in check.path:
        if isinstance(current, list) and key.isdigit() and int(key) < len(current):
            current = current[int(key)]
        elif isinstance(current, dict) and key in current:
            current = current[key]
        else:
            return f"{check.describe()}: no {key!r} in {_clip(current)}"
    if check.length:
        if not isinstance(current, list | dict):
            return f"{check.describe()}: {_clip(current)} has no length"
        if len(current) == int(check.raw):
            return None
        return f"{check.describe()}: got {len(current)} items: {_clip(current)}"
    if matches(current, check.raw):
        return None
    return f"{check.describe()}: got {_clip(current)}"


def matches(actual: object, raw: str) -> bool:
    """Whether ``actual`` (from JSON) equals the expectation's ``raw`` text."""
    if isinstance(actual, str):
        return actual == raw
    try:
        expected = json.loads(raw)
    except json.JSONDecodeError:
        return False
    return same(actual, expected)


def same(a: object, b: object) -> bool:
    """JSON equality where ``true`` is not ``1`` and ``1`` is ``1.0``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def _clip(value: object, most: int = 200) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= most else text[:most] + "..."


def _summary(records: Sequence[Mapping[str, Any]]) -> str:
    return ", ".join(str(r["type"]) for r in records)
