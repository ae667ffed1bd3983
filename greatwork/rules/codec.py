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
from collections.abc import Callable, Mapping
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


def _decode(tp: Any, data: JSON) -> Any:  # noqa: ANN401 (any type)
    return _decoder(tp)(data)


Decoder = Callable[[JSON], Any]


@functools.cache
def _decoder(tp: Any) -> Decoder:  # noqa: ANN401, C901, PLR0911 (a type switch)
    """The decoding function of a type, built once per type from its hints.

    Building it once (instead of re-reading the hints for every value) makes decoding a
    snapshot several times faster: it is most of a campaign's cold start.
    """
    supertype = getattr(tp, "__supertype__", None)
    if supertype is not None:  # NewType
        return _decoder(supertype)
    if tp is Any or tp is object:
        return _identity
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        return _union_decoder(args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda data: tuple(item(v) for v in data)
        items = tuple(_decoder(a) for a in args)
        return lambda data: tuple(d(v) for d, v in zip(items, data, strict=True))
    if origin in (frozenset, set):
        member = _decoder(args[0])
        return lambda data: frozenset(member(v) for v in data)
    if origin in (Mapping, dict) or origin is typing.Mapping:
        key_d, val_d = _decoder(args[0]), _decoder(args[1])
        return lambda data: {key_d(k): val_d(v) for k, v in data.items()}
    if isinstance(tp, type):
        if issubclass(tp, enum.Enum):
            return tp
        if dataclasses.is_dataclass(tp):
            return _dataclass_decoder(tp)
        if tp in (int, str, bool, float):
            return _scalar_decoder(tp)
    return _unsupported(tp)


def _identity(data: JSON) -> JSON:
    return data


def _union_decoder(args: tuple[Any, ...]) -> Decoder:
    nullable = type(None) in args
    options = [a for a in args if a is not type(None)]
    if len(options) == 1:
        inner = _decoder(options[0])
        return lambda data: None if data is None and nullable else inner(data)

    def decode_scalar_union(data: JSON) -> JSON:
        if data is None and nullable:
            return None
        for option in options:  # scalars: keep the JSON value if it is one of them
            if isinstance(data, option):
                return data
        raise ValueError(f"{data!r} fits none of {args}")

    return decode_scalar_union


def _dataclass_decoder(cls: type) -> Decoder:
    plan: tuple[tuple[str, Decoder], ...] | None = None

    def decode_dataclass(data: JSON) -> Any:  # noqa: ANN401 (the dataclass)
        nonlocal plan
        if plan is None:  # resolved on first use, so types may refer to each other
            hints = _hints(cls)
            # Built whole, then published in one assignment: threads never see half a plan.
            plan = tuple((f.name, _decoder(hints[f.name])) for f in _fields(cls))
        return cls(**{name: dec(data[name]) for name, dec in plan if name in data})

    return decode_dataclass


def _scalar_decoder(tp: type) -> Decoder:
    def decode_scalar(data: JSON) -> JSON:
        if tp is float and isinstance(data, int):
            return float(data)
        if not isinstance(data, tp) or (tp is int and isinstance(data, bool)):
            raise ValueError(f"expected {tp.__name__}, got {data!r}")
        return data

    return decode_scalar


def _unsupported(tp: Any) -> Decoder:  # noqa: ANN401 (any type)
    def refuse(_data: JSON) -> JSON:
        raise TypeError(f"unsupported type {tp!r}")

    return refuse


@functools.cache
def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    return tuple(f for f in dataclasses.fields(cls) if f.init)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)
