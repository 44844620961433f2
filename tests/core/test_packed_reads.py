"""Reading a packed list as another element type than the one it was written with.

Every stored element type × every declared element type over the built-in families
(nested, Optional and Union mixes included): the packed literal, before and after a
wire round trip, reads exactly as the expanded literal does (the same values, or the
same typed error at the same path). The expanded literal is built with
``engine.context(packed=False)`` and read one element literal at a time through the
transformers' own ``to_python_value``, so it shares no column code with what it is
compared to. A few cells are also spelled out by hand, so the matrix does not only
compare the implementation with itself.

Types are spelled ``list[...]`` (see test_packed.py: ``typing.List`` caches aliases by
argument equality, and ``Union[int, str] == Union[str, int]``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import typing
from pathlib import Path
from typing import Any, Optional, Union

import pytest

from typeflow import TransformContext, wire
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import PackedLiterals

from .strategies import Color, Point

UTC = dt.timezone.utc


# what each stored element type holds; None only where the type allows it
STORED: dict[str, tuple[Any, list[Any]]] = {
    "int": (int, [0, 1, -5, 2**40]),
    "whole float": (float, [1.0, -3.0, 2.0**40]),
    "float": (float, [1.0, 2.5, -0.0]),
    "str": (str, ["red", "a", ""]),
    "enum str": (str, ["red", "green"]),
    "bool": (bool, [True, False, True]),
    "bytes": (bytes, [b"x", b""]),
    "naive datetime": (dt.datetime, [dt.datetime(2024, 1, 2, 3, 4), dt.datetime(1999, 12, 31)]),
    "aware datetime": (dt.datetime, [dt.datetime(2024, 1, 2, 3, 4, tzinfo=UTC)]),
    "date": (dt.date, [dt.date(2024, 1, 2), dt.date(1, 1, 1)]),
    "timedelta": (dt.timedelta, [dt.timedelta(seconds=3), -dt.timedelta(days=2)]),
    "Color": (Color, [Color.GREEN, Color.RED]),
    "Literal": (typing.Literal["a", "b"], ["a", "b", "a"]),
    "Point": (Point, [Point(1, 2.0), Point(-3, 0.5)]),
    "dict": (dict, [{"a": 1}, {}]),
    "Dict[str, int]": (dict[str, int], [{"a": 1, "b": 2}, {"a": 3, "b": 4}, {}]),
    "Optional[int]": (Optional[int], [1, None, 3]),
    "Optional[float]": (Optional[float], [1.5, None, 2.0]),
    "Optional[bool]": (Optional[bool], [None, True, False]),
    "Optional[str]": (Optional[str], ["red", None]),
    "Optional[Point]": (Optional[Point], [None, Point(1, 2.0)]),
    "Union[int, str]": (Union[int, str], [1, "red", 2, "a"]),
    "Union[int, float]": (Union[int, float], [1, 2.5, 3]),
    "Union[str, bool, None]": (Union[str, bool, None], ["a", True, None]),
    "Union[Point, Color, None]": (Union[Point, Color, None], [Point(1, 2.0), Color.RED, None]),
    "list[int]": (list[int], [[1, 2], [], [3]]),
    "list[Optional[int]]": (list[Optional[int]], [[1, None], [None], []]),
    "Optional[list[int]]": (Optional[list[int]], [[1], None, []]),
    "dict[str, Optional[int]]": (dict[str, Optional[int]], [{"a": 1, "b": None}, {"c": 2}]),
    "list[Union[int, str]]": (list[Union[int, str]], [[1, "a"], ["b"]]),
}

DECLARED: dict[str, Any] = {
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "bytes": bytes,
    "datetime": dt.datetime,
    "date": dt.date,
    "timedelta": dt.timedelta,
    "Color": Color,
    "Literal": typing.Literal["a", "b"],
    "Point": Point,
    "dict": dict,
    "Dict[str, int]": dict[str, int],
    "Dict[str, float]": dict[str, float],
    "Optional[int]": Optional[int],
    "Optional[float]": Optional[float],
    "Optional[bool]": Optional[bool],
    "Optional[str]": Optional[str],
    "Optional[Color]": Optional[Color],
    "Optional[date]": Optional[dt.date],
    "Optional[Point]": Optional[Point],
    "Union[int, str]": Union[int, str],
    "Union[str, float]": Union[str, float],
    "Union[int, float]": Union[int, float],
    "Union[float, int]": Union[float, int],
    "Union[Color, str, None]": Union[Color, str, None],
    "Union[bool, str, None]": Union[bool, str, None],
    "Union[Point, Color, None]": Union[Point, Color, None],
    "list[float]": list[float],
    "list[Optional[float]]": list[Optional[float]],
    "Optional[list[float]]": Optional[list[float]],
    "dict[str, Optional[float]]": dict[str, Optional[float]],
    "list[Union[float, str]]": list[Union[float, str]],
}


@pytest.fixture
def flat(ctx: TransformContext, tmp_path: Path) -> TransformContext:
    """A context on the same engine that gives every element its own literal."""
    return ctx.engine.context(storage=str(tmp_path / "flat"), packed=False)


def _outcome(ctx: TransformContext, lv: Any, t: Any) -> tuple[str, Any]:
    try:
        return "value", _typed(ctx.engine.to_python_value(ctx, lv, t))
    except TypeTransformerFailedError as exc:
        return "error", (exc.location, exc.reason)


def _typed(value: Any) -> Any:
    """The value with each leaf's exact type next to it (1 == 1.0 == True, but a read gives one of them)."""
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, dt.datetime):
        return (dt.datetime, value, value.tzinfo)
    return (type(value), value)


@pytest.mark.parametrize(("declared_name", "stored_name"), list(itertools.product(DECLARED, STORED)))
def test_a_packed_list_reads_as_any_declared_type_exactly_as_its_expanded_form(
    ctx: TransformContext, flat: TransformContext, stored_name: str, declared_name: str
) -> None:
    stored, values = STORED[stored_name]
    engine = ctx.engine
    packed = engine.to_literal(ctx, values, list[stored])  # type: ignore[valid-type]
    expanded = engine.to_literal(flat, values, list[stored])  # type: ignore[valid-type]
    assert isinstance(packed.collection.literals, PackedLiterals)  # type: ignore[union-attr]
    assert not isinstance(expanded.collection.literals, PackedLiterals)  # type: ignore[union-attr]
    declared = list[DECLARED[declared_name]]  # type: ignore[misc]
    expected = _outcome(ctx, expanded, declared)
    assert _outcome(ctx, packed, declared) == expected
    assert _outcome(ctx, wire.loads(wire.dumps(packed)), declared) == expected
    assert _outcome(flat, packed, declared) == expected  # the packed literal read one element at a time


def _read(ctx: TransformContext, value: list[Any], stored: Any, declared: Any) -> list[Any]:
    lv = wire.loads(wire.dumps(ctx.engine.to_literal(ctx, value, list[stored])))  # type: ignore[valid-type]
    out: list[Any] = ctx.engine.to_python_value(ctx, lv, list[declared])  # type: ignore[valid-type]
    return out


def test_an_optional_int_column_reads_as_optional_floats(ctx: TransformContext) -> None:
    back = _read(ctx, [1, None, 2**53 + 1], Optional[int], Optional[float])
    assert back == [1.0, None, float(2**53 + 1)] and type(back[0]) is float


def test_an_int_column_read_as_union_str_float_takes_the_float_variant(ctx: TransformContext) -> None:
    back = _read(ctx, [1, "a", 2], Union[int, str], Union[str, float])
    assert back == [1.0, "a", 2.0] and [type(v) for v in back] == [float, str, float]


def test_each_element_takes_the_first_variant_that_reads_it(ctx: TransformContext) -> None:
    # int reads the whole floats, float the others: element by element, as the expanded form
    back = _read(ctx, [1.0, 2.5, 3.0], float, Union[int, float])
    assert back == [1, 2.5, 3] and [type(v) for v in back] == [int, float, int]
    assert [type(v) for v in _read(ctx, [1.0, 3.0], float, Union[int, float])] == [int, int]


def test_whole_floats_read_as_ints_and_a_fraction_is_named(ctx: TransformContext) -> None:
    assert _read(ctx, [1.0, -2.0], float, int) == [1, -2]
    with pytest.raises(TypeTransformerFailedError) as info:
        _read(ctx, [1.0, 2.0, 2.5], Optional[float], Optional[int])
    assert info.value.location == "$[2]"


def test_a_string_column_reads_as_an_optional_enum_and_a_bad_value_is_named(ctx: TransformContext) -> None:
    assert _read(ctx, ["red", None], Optional[str], Optional[Color]) == [Color.RED, None]
    with pytest.raises(TypeTransformerFailedError) as info:
        _read(ctx, [["red"], ["green", None, "pink"]], list[Optional[str]], list[Optional[Color]])
    assert info.value.location == "$[1][2]"


def test_a_variant_no_declared_type_reads_is_named_by_its_path(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        _read(
            ctx,
            [{"a": [True, None]}, {"b": [None, "x"]}],
            dict[str, list[Union[bool, str, None]]],
            dict[str, list[Optional[bool]]],
        )
    assert info.value.location == "$[1]['b'][1]"
    assert "matches no variant" in info.value.reason
