"""The JSON codec: every type it handles, and the ones it refuses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from greatwork.rules.codec import decode, decode_event, encode, encode_event
from greatwork.rules.constants import Faction
from greatwork.rules.errors import ReplayError
from greatwork.rules.ids import Instant, PlayerId
from greatwork.rules.pause import PauseStarted
from greatwork.rules.state import Pause, Scalar


@dataclass(frozen=True, slots=True)
class Sample:
    """Every shape of field the codec supports."""

    scalar: Scalar
    pair: tuple[int, str]
    factions: tuple[Faction, ...]
    tags: frozenset[str]
    table: Mapping[Faction, int]
    who: PlayerId
    pause: Pause | None
    anything: Any = None
    note: str = "default"
    numbers: Mapping[str, float] = field(default_factory=dict)


def _dec(tp: object, data: object) -> object:
    """Decode against a type form mypy does not take as a ``type`` (unions, Any, Mapping)."""
    return decode(cast("type[object]", tp), data)


SAMPLE = Sample(
    scalar=3,
    pair=(7, "seven"),
    factions=(Faction.RELIGION, Faction.ACADEMIA),
    tags=frozenset({"b", "a"}),
    table={Faction.INDUSTRY: 4},
    who=PlayerId("p1"),
    pause=Pause(reason="r", source="admin", since=Instant(5)),
    anything={"free": [1, 2]},
    note="hello",
    numbers={"x": 1.5, "y": 2.0},
)


def test_sample_round_trips_through_json() -> None:
    encoded = encode(SAMPLE)
    assert encoded == {
        "scalar": 3,
        "pair": [7, "seven"],
        "factions": ["religion", "academia"],
        "tags": ["a", "b"],
        "table": {"industry": 4},
        "who": "p1",
        "pause": {"reason": "r", "source": "admin", "since": 5},
        "anything": {"free": [1, 2]},
        "note": "hello",
        "numbers": {"x": 1.5, "y": 2.0},
    }
    assert decode(Sample, json.loads(json.dumps(encoded))) == SAMPLE


def test_missing_fields_take_their_defaults() -> None:
    data = encode(SAMPLE)
    for key in ("anything", "note", "numbers"):
        del data[key]
    data["pause"] = None
    decoded = decode(Sample, data)
    assert decoded.anything is None
    assert decoded.note == "default"
    assert decoded.numbers == {}
    assert decoded.pause is None


@pytest.mark.parametrize("value", ["text", 3, 2.5, True, False, None])
def test_a_union_of_scalars_keeps_the_json_value(value: Scalar) -> None:
    decoded = _dec(Scalar, value)
    assert decoded == value
    assert type(decoded) is type(value)


def test_a_union_of_scalars_refuses_other_values() -> None:
    with pytest.raises(ReplayError, match=r"fits none of"):
        _dec(int | str, 2.5)
    with pytest.raises(ReplayError, match=r"fits none of"):
        _dec(int | str, [1])


def test_fixed_size_tuples() -> None:
    assert decode(tuple[int, str, Faction], [1, "a", "foreign"]) == (1, "a", Faction.FOREIGN)
    with pytest.raises(ReplayError):
        decode(tuple[int, str], [1, "a", "extra"])
    with pytest.raises(ReplayError, match="expected str, got 2"):
        decode(tuple[int, str], [1, 2])


def test_sets_decode_to_frozensets() -> None:
    assert decode(frozenset[int], [3, 1]) == frozenset({1, 3})
    assert decode(set[int], [2]) == frozenset({2})
    assert encode({3, 1, 2}) == [1, 2, 3]
    assert encode([Faction.ACADEMIA, 1]) == ["academia", 1]


def test_dict_and_mapping_annotations() -> None:
    assert decode(dict[str, int], {"a": 1}) == {"a": 1}
    assert _dec(Mapping[Faction, int], {"foreign": 2}) == {Faction.FOREIGN: 2}


def test_float_accepts_an_int() -> None:
    decoded = decode(float, 3)
    assert decoded == 3.0
    assert type(decoded) is float


@pytest.mark.parametrize(
    ("tp", "value", "message"),
    [
        (int, True, "expected int, got True"),
        (int, "3", "expected int, got '3'"),
        (str, 3, "expected str, got 3"),
        (bool, 1, "expected bool, got 1"),
        (float, "1.0", "expected float, got '1.0'"),
    ],
)
def test_scalars_refuse_the_wrong_json_type(tp: type, value: object, message: str) -> None:
    with pytest.raises(ReplayError, match=message):
        decode(tp, value)


def test_any_and_object_pass_values_through() -> None:
    value = {"k": [1, "two", None]}
    assert _dec(Any, value) is value
    assert decode(object, value) is value


@pytest.mark.parametrize("tp", [bytes, complex, list[int]])
def test_decode_refuses_unsupported_types(tp: object) -> None:
    with pytest.raises(ReplayError, match="unsupported type"):
        _dec(tp, [1])


def test_decode_wraps_enum_and_key_errors() -> None:
    with pytest.raises(ReplayError, match="cannot decode Faction"):
        decode(Faction, "church")
    with pytest.raises(ReplayError, match="cannot decode Pause"):
        decode(Pause, {"reason": "r"})


@pytest.mark.parametrize(
    ("value", "message"),
    [(object(), "cannot encode object"), (b"raw", "cannot encode bytes"), (1j, "complex")],
)
def test_encode_refuses_unsupported_values(value: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        encode(value)


@pytest.mark.parametrize("key", [1, 2.5, None, (1, 2)])
def test_encode_refuses_non_string_mapping_keys(key: object) -> None:
    with pytest.raises(TypeError, match="mapping keys must be strings, not"):
        encode({key: 1})


def test_events_carry_their_type_name() -> None:
    event = PauseStarted(at=Instant(9), reason="r", source="llm")
    encoded = encode_event(event)
    assert encoded == {"at": 9, "reason": "r", "source": "llm", "by": "", "type": "PauseStarted"}
    assert decode_event(encoded) == event
    with pytest.raises(ReplayError, match="unknown event type None"):
        decode_event({"at": 9})
    with pytest.raises(ReplayError, match="unknown event type 3"):
        decode_event({"type": 3})
