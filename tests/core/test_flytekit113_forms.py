"""The ``flytekit-1.13`` profile writes dataclasses and dicts as flytekit 1.13's JSON structs; both forms read back.

flytekit 1.13 writes a dataclass as mashumaro's JSON of it in ``scalar.generic``
and an untyped (or non-str-keyed) dict as ``json.dumps``'s struct with
``metadata={"format": "json"}``; 1.14 and later (and typeflow's default)
write msgpack binaries. The conformance tests exchange these forms with
flytekit 1.13 itself (``tests/flyteidl``, env ``flyteidl113``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Optional

import pytest

from typeflow import TransformContext, TypeEngine
from typeflow.errors import TypeTransformerFailedError

UTC = dt.timezone.utc


class Color(str, enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int
    y: float
    label: str = ""


@dataclasses.dataclass
class Route:
    name: str
    points: list[Point]
    color: Color
    home: Optional[Point] = None
    when: Optional[dt.datetime] = None


@pytest.fixture
def engine() -> TypeEngine:
    return TypeEngine()


@pytest.fixture
def ctx113(engine: TypeEngine) -> TransformContext:
    return engine.context(profile="flytekit-1.13")


def test_a_dataclass_is_its_json_struct(ctx113: TransformContext) -> None:
    route = Route("r", [Point(1, 2.5, "p")], Color.RED, None, dt.datetime(2024, 1, 2, tzinfo=UTC))
    lv = ctx113.engine.to_literal(ctx113, route, Route)
    assert lv.scalar is not None and lv.scalar.binary is None
    assert lv.scalar.generic == {
        "name": "r",
        "points": [{"x": 1, "y": 2.5, "label": "p"}],
        "color": "red",
        "home": None,
        "when": "2024-01-02T00:00:00+00:00",
    }
    assert lv.metadata is None  # flytekit 1.13 marks only dicts
    assert ctx113.engine.to_python_value(ctx113, lv, Route) == route


def test_a_dataclass_checks_its_fields_before_writing_json(ctx113: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"\.x"):
        ctx113.engine.to_literal(ctx113, Point("one", 2.0), Point)  # type: ignore[arg-type]


def test_a_list_of_dataclasses_is_one_json_struct_per_record(ctx113: TransformContext) -> None:
    points = [Point(i, i / 2) for i in range(4)]
    lv = ctx113.engine.to_literal(ctx113, points, list[Point])
    assert lv.collection is not None and not lv.collection.is_packed
    assert [x.scalar.generic for x in lv.collection.literals] == [{"x": i, "y": i / 2, "label": ""} for i in range(4)]  # type: ignore[union-attr]
    assert ctx113.engine.to_python_value(ctx113, lv, list[Point]) == points


def test_untyped_and_int_keyed_dicts_are_json_structs_marked_json(ctx113: TransformContext) -> None:
    engine = ctx113.engine
    untyped = {"a": 1, "b": [1, "x", None], "c": {"d": 2.5}}
    lv = engine.to_literal(ctx113, untyped, dict)
    assert lv.scalar is not None and lv.scalar.generic == untyped and lv.metadata == {"format": "json"}
    assert engine.to_python_value(ctx113, lv, dict) == untyped
    keyed = engine.to_literal(ctx113, {1: "a", 2: "b"}, dict[int, str])
    assert keyed.scalar is not None and keyed.scalar.generic == {"1": "a", "2": "b"} and keyed.metadata == {"format": "json"}
    assert engine.to_python_value(ctx113, keyed, dict[int, str]) == {1: "a", 2: "b"}
    many = engine.to_literal(ctx113, [{"a": 1}, {"b": 2}], list[dict])
    assert [x.scalar.generic for x in many.collection.literals] == [{"a": 1}, {"b": 2}]  # type: ignore[union-attr]


def test_a_str_keyed_map_keeps_its_map_form(ctx113: TransformContext) -> None:
    lv = ctx113.engine.to_literal(ctx113, {"a": 1.5}, dict[str, float])
    assert lv.map is not None


def test_a_dict_without_json_form_says_so(ctx113: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"flytekit 1\.13 reads dicts as JSON") as info:
        ctx113.engine.to_literal(ctx113, {"b": b"bytes"}, dict)
    assert "allow_pickle" in (info.value.hint or str(info.value))
    with pytest.raises(TypeTransformerFailedError, match=r"\[2\]|2"):
        ctx113.engine.to_literal(ctx113, {1: "a", 2: 3}, dict[int, str])  # checked against the type first


def test_the_default_profile_reads_the_json_forms_and_writes_msgpack(engine: TypeEngine, ctx113: TransformContext) -> None:
    ctx = engine.context()
    for value, t in [(Point(1, 2.0), Point), ({"a": [1]}, dict), ({3: "c"}, dict[int, str]), ([Point(1, 1.5)], list[Point])]:
        json_lv = engine.to_literal(ctx113, value, t)
        assert engine.to_python_value(ctx, json_lv, t) == value
        msgpack_lv = engine.to_literal(ctx, value, t)
        assert "binary" in repr(msgpack_lv) and "generic" not in repr(msgpack_lv)
        assert engine.to_python_value(ctx113, msgpack_lv, t) == value
