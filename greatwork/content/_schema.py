"""Checked access to parsed YAML: every failure names the file, the key path and the problem."""

from __future__ import annotations

import enum
import string
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import NoReturn, TypeVar

from greatwork.rules.errors import GreatworkError

_E = TypeVar("_E", bound=enum.Enum)


class ContentError(GreatworkError):
    """A content file is missing, malformed or inconsistent.

    Attributes:
        file: the file's name (``legends.yaml``).
        path: the key path inside it (``legends[3].stats.talent``), empty for the whole file.
        problem: what is wrong, in words.
    """

    def __init__(self, file: str, path: str, problem: str) -> None:
        where = f"{file}: {path}" if path else file
        super().__init__(f"{where}: {problem}")
        self.file = file
        self.path = path
        self.problem = problem


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind(value: object) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}
    return names.get(type(value), _show(value))


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders of a template.

    Raises:
        ValueError: a brace is unbalanced, or a placeholder is not a plain name.
    """
    names = set()
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(f"placeholder {{{name}}} must be a plain name like {{objective}}")
        names.add(name)
    return names


@dataclass(frozen=True, slots=True)
class Node:
    """A value read from a content file, with where it was found."""

    file: str
    path: str
    value: object

    def fail(self, problem: str) -> NoReturn:
        """Raise a :class:`ContentError` about this node."""
        raise ContentError(self.file, self.path, problem)

    def child(self, key: str | int) -> Node:
        """A node for a key of a mapping or an index of a list (the value is looked up)."""
        if isinstance(key, int):
            assert isinstance(self.value, list)  # noqa: S101 (callers index lists only)
            return Node(self.file, f"{self.path}[{key}]", self.value[key])
        assert isinstance(self.value, dict)  # noqa: S101 (callers key mappings only)
        path = f"{self.path}.{key}" if self.path else key
        return Node(self.file, path, self.value.get(key))

    def mapping(self, required: Collection[str], optional: Collection[str] = ()) -> dict[str, Node]:
        """The node as a mapping with exactly these keys: missing or unknown keys fail."""
        if not isinstance(self.value, dict):
            self.fail(f"expected a mapping, got {_kind(self.value)}")
        allowed = [*required, *optional]
        for key in self.value:
            if key not in allowed:
                where = Node(self.file, f"{self.path}.{key}" if self.path else str(key), None)
                where.fail(f"unknown key (expected one of: {', '.join(allowed)})")
        for key in required:
            if key not in self.value:
                self.child(key).fail("required key is missing")
        return {key: self.child(key) for key in allowed if key in self.value}

    def entries(self) -> dict[str, Node]:
        """The node as a mapping with free (non-empty string) keys, in file order."""
        if not isinstance(self.value, dict) or not self.value:
            self.fail(f"expected a non-empty mapping, got {_kind(self.value)}")
        for key in self.value:
            if not isinstance(key, str) or not key.strip():
                self.fail(f"keys must be non-empty strings, got {_show(key)}")
        return {key: self.child(key) for key in self.value}

    def items(self, min_len: int = 1, max_len: int | None = None) -> list[Node]:
        """The node as a list of at least ``min_len`` (and at most ``max_len``) items."""
        if not isinstance(self.value, list):
            self.fail(f"expected a list, got {_kind(self.value)}")
        count = len(self.value)
        if count < min_len or (max_len is not None and count > max_len):
            wanted = f"{min_len}..{max_len}" if max_len is not None else f"at least {min_len}"
            self.fail(f"expected {wanted} items, got {count}")
        return [self.child(i) for i in range(count)]

    def text(self, allowed: Collection[str] | None = None) -> str:
        """A non-empty string; if ``allowed`` is given, its placeholders must be among them."""
        if not isinstance(self.value, str) or not self.value.strip():
            self.fail(f"expected a non-empty string, got {_kind(self.value)}")
        if allowed is not None:
            try:
                names = placeholders(self.value)
            except ValueError as exc:
                self.fail(str(exc))
            unknown = sorted(names - set(allowed))
            if unknown:
                choice = ", ".join(f"{{{a}}}" for a in sorted(allowed)) or "none"
                self.fail(f"unknown placeholder {{{unknown[0]}}} (allowed: {choice})")
        return self.value.strip()

    def integer(self, low: int, high: int) -> int:
        """An integer in ``low..high`` (booleans refused)."""
        value = self.value
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.fail(f"expected an integer {low}..{high}, got {_show(value)}")
        return value

    def choice(self, choices: Iterable[str], what: str) -> str:
        """A string that must be one of ``choices``."""
        options = list(choices)
        value = self.text()
        if value not in options:
            self.fail(f"unknown {what} {value!r} (expected one of: {', '.join(options)})")
        return value

    def member(self, enum_type: type[_E], what: str) -> _E:
        """A member of a string enum, by value."""
        return enum_type(self.choice((str(m.value) for m in enum_type), what))

    def texts(
        self,
        min_len: int = 1,
        max_len: int | None = None,
        choices: Iterable[str] | None = None,
        what: str = "value",
    ) -> tuple[str, ...]:
        """A list of distinct strings, optionally each one of ``choices``."""
        options = None if choices is None else list(choices)
        out: list[str] = []
        for item in self.items(min_len, max_len):
            value = item.text() if options is None else item.choice(options, what)
            if value in out:
                item.fail(f"duplicate {what} {value!r}")
            out.append(value)
        return tuple(out)

    def members(self, enum_type: type[_E], what: str) -> tuple[_E, ...]:
        """A non-empty list of distinct enum members."""
        values = self.texts(choices=(str(m.value) for m in enum_type), what=what)
        return tuple(enum_type(v) for v in values)
