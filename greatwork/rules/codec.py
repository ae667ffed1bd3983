"""Turn events and state into JSON-ready values and back, driven by the type hints.

Handles dataclasses, enums, NewTypes, unions, tuples, frozensets and mappings. Events are
tagged with their class name under ``"type"``. Pure: no I/O, only plain values.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from greatwork.rules.errors import ReplayError
from greatwork.rules.event import EVENT_TYPES, Event

_T = TypeVar("_T")

JSON = Any  # a value json.dumps accepts


def encode(value: object) -> JSON:  # noqa: PLR0911 (a type switch)
    """A JSON-ready form of a rules value."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, str):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: encode(getattr(value, f.name)) for f in _fields(type(value))}
        if isinstance(value, Event):
            out["type"] = type(value).__name__
        return out
    if isinstance(value, Mapping):
        return {_encode_key(k): encode(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        items = [encode(v) for v in value]
        return sorted(items, key=repr)
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    raise TypeError(f"cannot encode {type(value).__name__}")


def _encode_key(key: object) -> str:
    if isinstance(key, enum.Enum):
        return str(key.value)
    if isinstance(key, str):
        return str(key)
    raise TypeError(f"mapping keys must be strings, not {type(key).__name__}")


def encode_event(event: Event) -> dict[str, JSON]:
    """An event as a JSON object with its type name."""
    out = encode(event)
    assert isinstance(out, dict)  # noqa: S101 (encode of a dataclass is a dict)
    return out


def decode_event(data: Mapping[str, JSON]) -> Event:
    """Rebuild an event from :func:`encode_event` output."""
    name = data.get("type")
    cls = EVENT_TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ReplayError(f"unknown event type {name!r}")
    body = {k: v for k, v in data.items() if k != "type"}
    return decode(cls, body)


def decode(tp: type[_T], data: JSON) -> _T:
    """Rebuild a value of type ``tp`` from its encoded form."""
    try:
        return typing.cast("_T", _decode(tp, data))
    except (TypeError, ValueError, KeyError) as exc:
        raise ReplayError(f"cannot decode {getattr(tp, '__name__', tp)}: {exc}") from exc


def _decode(tp: Any, data: JSON) -> Any:  # noqa: ANN401, C901, PLR0911, PLR0912 (a type switch)
    supertype = getattr(tp, "__supertype__", None)
    if supertype is not None:  # NewType
        return _decode(supertype, data)
    if tp is Any or tp is object:
        return data
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        if data is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            return _decode(options[0], data)
        for option in options:  # scalars: keep the JSON value if it is one of them
            if isinstance(data, option):
                return data
        raise ValueError(f"{data!r} fits none of {args}")
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in data)
        return tuple(_decode(a, v) for a, v in zip(args, data, strict=True))
    if origin in (frozenset, set):
        return frozenset(_decode(args[0], v) for v in data)
    if origin in (Mapping, dict) or origin is typing.Mapping:
        key_t, val_t = args
        return {_decode(key_t, k): _decode(val_t, v) for k, v in data.items()}
    if isinstance(tp, type):
        if issubclass(tp, enum.Enum):
            return tp(data)
        if dataclasses.is_dataclass(tp):
            hints = _hints(tp)
            kwargs = {
                f.name: _decode(hints[f.name], data[f.name]) for f in _fields(tp) if f.name in data
            }
            return tp(**kwargs)
        if tp is float and isinstance(data, int):
            return float(data)
        if tp in (int, str, bool, float):
            if not isinstance(data, tp) or (tp is int and isinstance(data, bool)):
                raise ValueError(f"expected {tp.__name__}, got {data!r}")
            return data
    raise TypeError(f"unsupported type {tp!r}")


@functools.cache
def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    return tuple(f for f in dataclasses.fields(cls) if f.init)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)
