"""The options of a command: their types, choices, bounds, and how a raw value is parsed.

An :class:`Option` is platform-neutral: Discord shows its type, choices and bounds, the terminal
parses text into it. Every bad value becomes an :class:`~greatwork.rules.errors.InvalidInput`
that names the option.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from greatwork.rules.errors import InvalidInput

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
