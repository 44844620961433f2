"""Fuzzing the readers of packed columns: any column, read as any declared type, reads as its expanded form.

A decoded literal's columns and their stored variant types are someone else's
choice. Whatever they are, reading the packed collection as a declared type
must give exactly what reading the same elements one literal at a time gives
(the same values, or the same typed error at the same path), and raise nothing
but typeflow's errors. The element-by-element read goes through each
transformer's ``to_python_value`` only, so it is the reference the bulk readers
are held to.

``TYPEFLOW_FUZZ_EXAMPLES`` sets the number of inputs (default 300; the ``fuzz`` env 20,000).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import typing
from typing import Any, Optional, Union

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.strategies import Color, Point
from tests.core.test_wire import leaf_columns, list_columns, literal_types
from typeflow import TypeEngine, wire
from typeflow.columns import Column, MapColumn, NoneColumn, PrimitiveColumn, UnionColumn
from typeflow.errors import TypeflowError, TypeTransformerFailedError
from typeflow.literals import Literal, LiteralCollection, LiteralMap, LiteralType, PackedLiterals

EXAMPLES = int(os.environ.get("TYPEFLOW_FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


LEAVES: list[Any] = [
    int,
    float,
    str,
    bool,
    bytes,
    dt.datetime,
    dt.date,
    dt.timedelta,
    Color,
    typing.Literal["a", "red"],
    Point,
    dict,
    dict[str, int],
]
DECLARED: list[Any] = [
    *LEAVES,
    *(Optional[t] for t in LEAVES if t is not dict),
    Union[int, str],
    Union[str, float],
    Union[int, float],
    Union[float, int],
    Union[Color, str, None],
    Union[bool, str, None],
    Union[Point, Color, None],
    Union[dt.date, dt.timedelta, bytes],
    list[int],
    list[Optional[float]],
    Optional[list[Union[int, str]]],
    dict[str, Optional[int]],
    list[list[Optional[int]]],
    list[dict[str, Optional[float]]],
]

_engine = TypeEngine()
#: the variant types the built-ins write (with their tags), so stored and declared variants often meet
REAL_VARIANTS: list[LiteralType] = list(
    itertools.chain.from_iterable(
        _engine.to_literal_type(t).union_type.variants  # type: ignore[union-attr]
        for t in (
            Union[int, float, str, bool, bytes, dt.datetime, dt.timedelta, None],
            Union[Color, Point, list[int], list[Optional[float]], dict[str, int], dict[str, Optional[int]], dict],
            Union[list[Union[int, str]], list[list[Optional[int]]], list[dict[str, Optional[float]]]],
        )
    )
)
variant_types = st.sampled_from(REAL_VARIANTS) | literal_types
strings = st.sampled_from(["red", "green", "a", "", "pink"]) | st.text(max_size=3)
whole_or_not = st.sampled_from([0.0, 1.0, -2.0, 2.5, float("inf"), float("nan"), 2.0**70])
tricky_leaves: st.SearchStrategy[Column] = st.one_of(
    leaf_columns,
    st.lists(strings, max_size=5).map(lambda v: PrimitiveColumn("string_value", v)),
    st.lists(whole_or_not, max_size=5).map(lambda v: PrimitiveColumn("float_value", v)),
    st.lists(st.integers(-(2**63), 2**63 - 1), max_size=5).map(lambda v: PrimitiveColumn("integer", v)),
)


@st.composite
def union_columns(draw: st.DrawFn, inner: st.SearchStrategy[Column]) -> Column:
    parts = draw(st.lists(inner | st.integers(0, 3).map(NoneColumn), min_size=1, max_size=4))
    numbers = [n for n, part in enumerate(parts) for _ in range(len(part))]
    index = bytes(draw(st.permutations(numbers))) if numbers else b""
    variants = draw(st.lists(variant_types, min_size=len(parts), max_size=len(parts)))
    return UnionColumn(variants, index, parts)


@st.composite
def map_columns(draw: st.DrawFn, inner: st.SearchStrategy[Column]) -> Column:
    child = draw(inner)
    keys = ("a", "b")[: min(2, len(child))] or ("a",)
    count = len(child) // len(keys)
    return MapColumn([keys], None, child.slice(0, count * len(keys)), count)


columns = st.recursive(tricky_leaves, lambda inner: union_columns(inner) | list_columns(inner) | map_columns(inner), max_leaves=6)


def _outcome(read: Any) -> tuple[str, Any]:
    try:
        return "value", _typed(read())
    except TypeTransformerFailedError as exc:
        return "error", (exc.location, exc.reason)
    except TypeflowError as exc:
        return "other typeflow error", (type(exc).__name__, str(exc))


def _typed(value: Any) -> Any:
    """The value with each leaf's exact type, NaN as a marker (it equals nothing, not even itself)."""
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, float) and value != value:
        return (float, "nan")
    if isinstance(value, dt.datetime):
        return (dt.datetime, value, value.tzinfo)
    return (type(value), value)


@FUZZ
@given(column=columns, declared=st.sampled_from(DECLARED), as_map=st.booleans())
def test_any_packed_column_reads_as_any_declared_type_exactly_as_its_elements_one_by_one(
    column: Column, declared: Any, as_map: bool
) -> None:
    engine = TypeEngine()
    ctx = engine.context()
    if as_map:
        keys = [f"k{i}" for i in range(len(column))]
        packed = Literal(map=LiteralMap.from_column(keys, column))
        expanded = Literal(map=LiteralMap(dict(zip(keys, packed.map.literals.values()))))  # type: ignore[union-attr]
        t: Any = dict[str, declared]  # type: ignore[valid-type]
    else:
        packed = Literal(collection=LiteralCollection(PackedLiterals.of(column)))
        expanded = Literal(collection=LiteralCollection(tuple(packed.collection.literals)))  # type: ignore[union-attr]
        t = list[declared]  # type: ignore[valid-type]
    decoded = wire.loads(wire.dumps(packed))
    expected = _outcome(lambda: engine.to_python_value(ctx, expanded, t))
    assert _outcome(lambda: engine.to_python_value(ctx, packed, t)) == expected
    assert _outcome(lambda: engine.to_python_value(ctx, decoded, t)) == expected
