"""The play language: one statement a line, as players type commands in Discord.

::

    # a comment
    !seed 42
    !admin Ada
    @Ada /submit_theory theory:"Bronze Age flight" confidence:certain
    @Ada /gw_admin adjust_reputation player_id:Bo delta:5 reason:"a fine paper"
    !digest 2
    !advance 6h
    !roll 95

Parsing is separate from running, so a whole script is checked before anything runs: a
syntax error names its line and nothing happens.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from greatwork.rules.errors import GreatworkError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
OPTION = re.compile(r"^[-_a-z0-9]{1,32}$")
DURATION = re.compile(r"(\d+)([smhd])")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_DIGESTS = 10_000
MAX_ADVANCE = 3650 * 86400


class ScriptError(GreatworkError):
    """A statement that cannot be parsed; ``line`` is 1-based."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Run:
    """Run a command as a player: ``@NAME /command [subcommand] key:value ...``."""

    line: int
    player: str
    path: str
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MakeAdmin:
    """Make a player an admin: ``!admin NAME``."""

    line: int
    player: str


@dataclass(frozen=True, slots=True)
class Seed:
    """Set the seed of a new campaign: ``!seed N``."""

    line: int
    seed: int


@dataclass(frozen=True, slots=True)
class Digest:
    """Run digests at the next slots: ``!digest [N]``."""

    line: int
    count: int = 1


@dataclass(frozen=True, slots=True)
class Advance:
    """``!advance 6h`` (also ``90m``, ``2d``, ``1d6h``, ``30s``)."""

    line: int
    seconds: int


@dataclass(frozen=True, slots=True)
class Roll:
    """``!roll N``: the next d100 roll is N."""

    line: int
    value: int


Statement = Run | MakeAdmin | Seed | Digest | Advance | Roll


def parse_script(
    lines: Iterable[str], groups: frozenset[str] = frozenset({"gw_admin"})
) -> list[Statement]:
    """Parse every line; the first bad one raises.

    Raises:
        ScriptError: a line that is not a comment, a blank, a command or a directive.
    """
    statements = []
    seen_command = False
    for number, text in enumerate(lines, start=1):
        statement = parse_line(text, number, groups)
        if statement is None:
            continue
        if isinstance(statement, Seed) and seen_command:
            raise ScriptError(number, "!seed must come before the first command, digest or advance")
        if not isinstance(statement, Seed | MakeAdmin):  # !roll starts the campaign too
            seen_command = True
        statements.append(statement)
    return statements


def parse_line(
    text: str, number: int, groups: frozenset[str] = frozenset({"gw_admin"})
) -> Statement | None:
    """Parse one line; None for a comment or a blank line.

    Raises:
        ScriptError: the line is malformed (the message says how).
    """
    line = text.strip()
    if not line or line.startswith("#"):
        return None
    if line.startswith("@"):
        return _command(line, number, groups)
    if line.startswith("!"):
        return _directive(line, number)
    raise ScriptError(
        number, f"expected `@NAME /command ...`, `!directive` or `# comment`, got {line[:40]!r}"
    )


def _split(line: str, number: int) -> list[str]:
    try:
        return shlex.split(line, comments=False, posix=True)
    except ValueError as error:  # an unclosed quote
        raise ScriptError(number, f"{error} (close the quote)") from None


def _command(line: str, number: int, groups: frozenset[str]) -> Run:
    tokens = _split(line, number)
    player = tokens[0][1:]
    if not NAME.match(player):
        raise ScriptError(
            number,
            f"bad player name {player!r}: 1 to 32 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit",
        )
    if len(tokens) < 2 or not tokens[1].startswith("/") or len(tokens[1]) < 2:
        raise ScriptError(number, f"expected a /command after @{player}")
    path = tokens[1][1:]
    rest = tokens[2:]
    if path in groups:
        if not rest or ":" in rest[0]:
            raise ScriptError(number, f"/{path} needs a subcommand (type /help {path})")
        path = f"{path} {rest[0]}"
        rest = rest[1:]
    return Run(line=number, player=player, path=path, options=parse_options(rest, number))


def parse_options(tokens: Iterable[str], number: int = 0) -> dict[str, str]:
    """``key:value`` tokens as a dict.

    Raises:
        ScriptError: a token without ``key:``, a bad key, or a key given twice.
    """
    options: dict[str, str] = {}
    for token in tokens:
        key, sep, value = token.partition(":")
        if not sep:
            raise ScriptError(number, f"expected key:value, got {token!r}")
        if not OPTION.match(key):
            raise ScriptError(number, f"bad option name {key!r}")
        if key in options:
            raise ScriptError(number, f"option {key!r} given twice")
        options[key] = value
    return options


def _whole(number: int, text: str, what: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ScriptError(number, f"{what} must be a whole number, got {text!r}") from None
    if not low <= value <= high:
        raise ScriptError(number, f"{what} must be between {low} and {high}, got {value}")
    return value


def parse_duration(text: str) -> int:
    """Seconds in ``6h``, ``90m``, ``1d6h``, ``30s``.

    Raises:
        ValueError: not a duration, or zero.
    """
    pos = 0
    total = 0
    for match in DURATION.finditer(text):
        if match.start() != pos:
            break
        total += int(match.group(1)) * UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text or total <= 0:
        raise ValueError(f"expected a duration like 6h, 90m, 2d or 1d6h, got {text!r}")
    return total


def _directive(line: str, number: int) -> Statement:
    tokens = _split(line, number)
    name, args = tokens[0][1:], tokens[1:]
    expected = {"admin": 1, "seed": 1, "digest": (0, 1), "advance": 1, "roll": 1}
    if name not in expected:
        raise ScriptError(
            number, f"unknown directive !{name} (known: !admin, !seed, !digest, !advance, !roll)"
        )
    want = expected[name]
    counts = want if isinstance(want, tuple) else (want,)
    if len(args) not in counts:
        usage = {
            "admin": "!admin NAME",
            "seed": "!seed N",
            "digest": "!digest [N]",
            "advance": "!advance 6h",
            "roll": "!roll N (1 to 100)",
        }[name]
        raise ScriptError(number, f"usage: {usage}")
    match name:
        case "admin":
            if not NAME.match(args[0]):
                raise ScriptError(number, f"bad player name {args[0]!r}")
            return MakeAdmin(line=number, player=args[0])
        case "seed":
            return Seed(line=number, seed=_whole(number, args[0], "the seed", 0, 2**63 - 1))
        case "digest":
            count = _whole(number, args[0], "the digest count", 1, MAX_DIGESTS) if args else 1
            return Digest(line=number, count=count)
        case "advance":
            try:
                seconds = parse_duration(args[0])
            except ValueError as error:
                raise ScriptError(number, str(error)) from None
            if seconds > MAX_ADVANCE:
                raise ScriptError(number, "!advance moves at most 3650 days at once")
            return Advance(line=number, seconds=seconds)
        case _:
            return Roll(line=number, value=_whole(number, args[0], "the roll", 1, 100))
