"""Every column kind is written in bulk as the bytes protobuf writes, and read back into its column.

The references are protobuf's own: collections built element by element with
protobuf's Python API (``Timestamp.FromDatetime``, ``Duration.FromTimedelta``,
``Union``), or typeflow's expanded literal (``engine.context(packed=False)``,
no column code involved) written element by element and serialized again by
protobuf. Each test runs with numpy (the row builder) and without it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from collections.abc import Iterator
from typing import Any, Optional, Union

import pytest
from flyteidl.core import literals_pb2, types_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import typeflow
from typeflow.columns import DatetimeColumn, ListColumn, MapColumn, NoneColumn, PrimitiveColumn, UnionColumn
from typeflow.literals import Literal, LiteralCollection, LiteralMap, PackedLiterals
from typeflow_flyteidl import _frames, from_flyteidl, to_bytes, to_flyteidl
from typeflow_flyteidl.encode import encode_literal

from ..core import strategies as core_strategies
from .protobuf_oracle import check_mutated_collection_reads_as_protobuf

UTC = dt.timezone.utc
INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
#: instants Python holds, at microsecond precision, in UTC
INSTANTS = st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31), timezones=st.just(UTC))
DURATIONS = st.timedeltas(min_value=dt.timedelta(days=-700_000), max_value=dt.timedelta(days=2_900_000))


#: with numpy (the row builder) where it is installed, and always without (the flyteidl113 env has no numpy)
WAYS = ["numpy", "no numpy"] if _frames.numpy() is not None else ["no numpy"]
#: the fixture below switches numpy off for the whole test, every generated input included
FIXTURE_OK = [HealthCheck.function_scoped_fixture]


@pytest.fixture(params=WAYS)
def numpy_or_not(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "no numpy":
        monkeypatch.setattr(_frames, "numpy", lambda: None)
    yield request.param


def collection_bytes(lit: Literal) -> bytes:
    """The ``LiteralCollection`` payload of a collection literal's bytes (``12 <len> <payload>``)."""
    data = to_bytes(lit)
    pb = literals_pb2.Literal.FromString(data)
    return pb.collection.SerializeToString()


def pb_datetime(value: dt.datetime) -> literals_pb2.Literal:
    p = literals_pb2.Primitive()
    p.datetime.FromDatetime(value)
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=p))


def pb_duration(value: dt.timedelta) -> literals_pb2.Literal:
    p = literals_pb2.Primitive()
    p.duration.FromTimedelta(value)
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=p))


def pb_union(value: literals_pb2.Literal, simple: int, tag: str) -> literals_pb2.Literal:
    stored = types_pb2.LiteralType(simple=simple, structure=types_pb2.TypeStructure(tag=tag))  # type: ignore[arg-type]
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(union=literals_pb2.Union(value=value, type=stored)))


def reference(elements: list[literals_pb2.Literal]) -> bytes:
    return literals_pb2.LiteralCollection(literals=elements).SerializeToString()


def packed_column(lit: Any) -> Any:
    literals = lit.collection.literals if lit.collection is not None else lit.map.literals
    assert isinstance(literals, (PackedLiterals, typeflow.literals.PackedLiteralMap)), literals
    return literals.column


# --------------------------------------------------------------------------- byte for byte, against protobuf's API


@settings(max_examples=60, suppress_health_check=FIXTURE_OK)
@given(values=st.lists(INSTANTS | st.datetimes(min_value=dt.datetime(1, 1, 1)), max_size=80))
def test_datetime_columns_are_the_bytes_protobuf_writes(values: list[dt.datetime], numpy_or_not: str) -> None:
    lit = typeflow.to_literal(values, list[dt.datetime])
    # protobuf's FromDatetime reads a naive datetime as UTC, as typeflow writes it
    assert collection_bytes(lit) == reference([pb_datetime(v) for v in values])
    if values and all(v.tzinfo is not None for v in values):
        back = from_flyteidl(to_flyteidl(lit))
        assert back == lit


@settings(max_examples=60, suppress_health_check=FIXTURE_OK)
@given(values=st.lists(DURATIONS, max_size=80))
def test_duration_columns_are_the_bytes_protobuf_writes(values: list[dt.timedelta], numpy_or_not: str) -> None:
    lit = typeflow.to_literal(values, list[dt.timedelta])
    assert collection_bytes(lit) == reference([pb_duration(v) for v in values])
    assert from_flyteidl(to_flyteidl(lit)) == lit


@settings(max_examples=60, suppress_health_check=FIXTURE_OK)
@given(values=st.lists(st.none() | INT64, max_size=80))
def test_optional_int_columns_are_the_bytes_protobuf_writes(values: list[Optional[int]], numpy_or_not: str) -> None:
    lit = typeflow.to_literal(values, list[Optional[int]])
    none = literals_pb2.Literal(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void()))
    elements = [
        pb_union(none, types_pb2.NONE, "none")
        if v is None
        else pb_union(literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=v))), 1, "int")
        for v in values
    ]
    assert collection_bytes(lit) == reference(elements)
    back = from_flyteidl(to_flyteidl(lit))
    assert back == lit
    if len(values) > 1:
        assert isinstance(packed_column(back), UnionColumn)


# --------------------------------------------------------------------------- every type, against the expanded literal


def _aware(t: Any) -> st.SearchStrategy[Any]:
    """Values of ``t`` flyteidl holds (durations within ±10,000 years) whose literals a round trip keeps (aware datetimes)."""
    if t is dt.datetime:
        return INSTANTS
    if t is dt.timedelta:
        return DURATIONS
    if t in core_strategies.SIMPLE:
        return core_strategies.SIMPLE[t]
    origin, args = typing.get_origin(t), typing.get_args(t)
    if origin is list:
        return st.lists(_aware(args[0]), max_size=5)
    if origin is dict:
        return st.dictionaries(st.text(max_size=4), _aware(args[1]), max_size=5)
    return st.one_of(*(st.none() if a is type(None) else _aware(a) for a in args))


def _no_date(t: Any) -> bool:
    return t is not dt.date and all(map(_no_date, typing.get_args(t)))


@settings(max_examples=200, suppress_health_check=FIXTURE_OK)
@given(data=st.data())
def test_any_packed_literal_is_written_as_its_expanded_elements(data: st.DataObject, numpy_or_not: str) -> None:
    t = data.draw(core_strategies.TYPES.filter(lambda t: typing.get_origin(t) in (list, dict)))
    value = data.draw(_aware(t))
    engine = typeflow.TypeEngine()
    packed = engine.to_literal(engine.context(), value, t)
    expanded = engine.to_literal(engine.context(packed=False), value, t)
    ours = literals_pb2.Literal.FromString(to_bytes(packed))
    theirs = literals_pb2.Literal.FromString(encode_literal(expanded))  # one element at a time, no column code
    assert ours == theirs
    assert ours.SerializeToString(deterministic=True) == theirs.SerializeToString(deterministic=True)


@settings(max_examples=150, suppress_health_check=FIXTURE_OK)
@given(data=st.data())
def test_any_packed_literal_comes_back_equal(data: st.DataObject, numpy_or_not: str) -> None:
    t = data.draw(core_strategies.TYPES.filter(lambda t: typing.get_origin(t) in (list, dict) and _no_date(t)))
    value = data.draw(_aware(t))
    lit = typeflow.to_literal(value, t)
    back = from_flyteidl(to_flyteidl(lit))
    assert back == lit
    assert typeflow.to_python_value(back, t) == typeflow.to_python_value(lit, t)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- read back as columns


@dataclasses.dataclass
class Rec:
    a: int


@pytest.mark.parametrize(
    ("value", "python_type", "column"),
    [
        ([dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC)] * 3, list[dt.datetime], DatetimeColumn),
        ([dt.timedelta(seconds=-1.5), dt.timedelta(days=3)], list[dt.timedelta], PrimitiveColumn),
        ([1, None, 3], list[Optional[int]], UnionColumn),
        ([1.5, None], list[Optional[float]], UnionColumn),
        ([1, "x", 2.5, True, None], list[Union[int, str, float, bool, None]], UnionColumn),
        ([Rec(1), None, Rec(2)], list[Optional[Rec]], UnionColumn),
        ([dt.datetime(2024, 1, 2, tzinfo=UTC), None], list[Optional[dt.datetime]], UnionColumn),
        ([[1, 2], [], [3]], list[list[int]], ListColumn),
        ([[1, None], [None]], list[list[Optional[int]]], ListColumn),
        ([{"a": 1.5, "b": 2.5}, {"c": 0.5}, {}], list[dict[str, float]], MapColumn),
        ({"a": None, "b": 2.5}, dict[str, Optional[float]], UnionColumn),
        ({"a": [1], "b": [2, 3]}, dict[str, list[int]], ListColumn),
    ],
    ids=repr,
)
def test_each_kind_comes_back_as_its_column(value: Any, python_type: Any, column: type, numpy_or_not: str) -> None:
    lit = typeflow.to_literal(value, python_type)
    assert isinstance(packed_column(lit), column)
    back = from_flyteidl(to_flyteidl(lit))
    assert back == lit
    assert isinstance(packed_column(back), column)
    assert typeflow.to_python_value(back, python_type) == value  # type: ignore[arg-type]


def test_a_union_column_read_back_holds_none_as_a_none_column() -> None:
    back = from_flyteidl(to_flyteidl(typeflow.to_literal([None, 1, None], list[Optional[int]])))
    column = packed_column(back)
    assert isinstance(column, UnionColumn) and column.index == b"\x00\x01\x00"
    assert isinstance(column.columns[0], NoneColumn) and len(column.columns[0]) == 2
    assert isinstance(column.columns[1], PrimitiveColumn) and list(column.columns[1].values) == [1]


def test_collections_protobuf_builds_element_by_element_are_read_as_columns() -> None:
    when = [dt.datetime(2000, 1, 1, 0, 0, s, 7, tzinfo=UTC) for s in range(1, 50)]
    pb = literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[pb_datetime(w) for w in when]))
    lit = from_flyteidl(pb)
    assert isinstance(packed_column(lit), DatetimeColumn)
    assert lit == Literal(collection=LiteralCollection(PackedLiterals("datetime", when)))
    durations = [dt.timedelta(seconds=s, microseconds=-3) for s in range(-20, 20)]
    pb = literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[pb_duration(d) for d in durations]))
    assert typeflow.to_python_value(from_flyteidl(pb), list[dt.timedelta]) == durations  # type: ignore[arg-type]


def test_sub_microsecond_nanos_are_dropped_as_the_element_decoder_drops_them() -> None:
    elements = []
    for nanos in (1999, 999, 5_000_001):
        p = literals_pb2.Primitive()
        p.datetime.seconds, p.datetime.nanos = 100, nanos
        elements.append(literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=p)))
    lit = from_flyteidl(literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=elements)))
    epoch = dt.datetime(1970, 1, 1, tzinfo=UTC)
    expected = [epoch + dt.timedelta(seconds=100, microseconds=us) for us in (1, 0, 5000)]
    assert typeflow.to_python_value(lit, list[dt.datetime]) == expected  # type: ignore[arg-type]


# --------------------------------------------------------------------------- what must not be read as a column


def test_an_epoch_datetime_beside_an_element_of_the_same_size_is_read_as_protobuf_reads_it() -> None:
    # Literal{scalar{primitive{datetime{}}}} and Literal{scalar{blob{metadata{}}}} are both 8 bytes in a collection
    epoch = pb_datetime(dt.datetime(1970, 1, 1, tzinfo=UTC))
    blob = literals_pb2.Literal(scalar=literals_pb2.Scalar(blob=literals_pb2.Blob(metadata=literals_pb2.BlobMetadata())))
    pb = literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[epoch, blob]))
    assert len(pb.collection.literals[0].SerializeToString()) == len(pb.collection.literals[1].SerializeToString())
    lit = from_flyteidl(pb)
    assert lit.collection is not None  # type: ignore[union-attr]
    first, second = lit.collection.literals  # type: ignore[union-attr]
    assert first.scalar.primitive.datetime == dt.datetime(1970, 1, 1, tzinfo=UTC)
    assert second.scalar.blob is not None


def test_a_union_whose_values_do_not_match_their_types_is_read_as_protobuf_reads_it() -> None:
    # element 1 says int but holds None, element 2 the other way round: the merged view sees the same values
    none = literals_pb2.Literal(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void()))
    five = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=5)))
    pb = literals_pb2.Literal(
        collection=literals_pb2.LiteralCollection(literals=[pb_union(none, 1, "int"), pb_union(five, types_pb2.NONE, "none")])
    )
    lit = from_flyteidl(pb)
    elements = list(lit.collection.literals)  # type: ignore[union-attr]
    assert elements[0].scalar.union.value.scalar.none_type is not None
    assert elements[1].scalar.union.value.scalar.primitive.integer == 5
    assert to_flyteidl(lit) == pb


def test_decorated_elements_of_the_new_kinds_keep_their_decoration() -> None:
    elements = [pb_datetime(dt.datetime(2020, 1, 1, s, tzinfo=UTC)) for s in range(5)]
    elements[3].hash = "h"
    pb = literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=elements))
    lit = from_flyteidl(pb)
    assert not lit.collection.is_packed  # type: ignore[union-attr]
    assert to_flyteidl(lit) == pb


@settings(max_examples=200)
@given(
    st.sampled_from(
        [
            ([dt.datetime(2020, 1, 1, 0, 0, s, 5, tzinfo=UTC) for s in range(6)], list[dt.datetime]),
            ([dt.timedelta(seconds=s - 3, microseconds=7) for s in range(6)], list[dt.timedelta]),
            ([None, 1, 2**40, None, -5], list[Optional[int]]),
            ([[1, 2], [3], []], list[list[int]]),
            ([{"a": 1.0}, {"b": 2.0, "c": 3.0}], list[dict[str, float]]),
        ]
    ),
    st.data(),
)
def test_mutated_collections_of_the_new_kinds_read_as_protobuf_reads_them(case: Any, data: st.DataObject) -> None:
    """Bytes from anywhere (a file) are read as protobuf reads them, whatever the bulk path guesses."""
    check_mutated_collection_reads_as_protobuf(collection_bytes(typeflow.to_literal(*case)), data)


def test_a_packed_map_of_a_new_kind_travels_through_a_file(tmp_path: Any) -> None:
    from typeflow_flyteidl import read_literal_map, write_literal_map

    lv = typeflow.to_literal({"a": None, "b": 1.5, "c": None}, dict[str, Optional[float]])
    lm = LiteralMap({"x": lv, "y": typeflow.to_literal([dt.timedelta(seconds=-1)] * 3, list[dt.timedelta])})
    write_literal_map(lm, str(tmp_path / "outputs.pb"))
    back = read_literal_map(str(tmp_path / "outputs.pb"))
    assert back == lm
    assert isinstance(back.literals["x"].map.literals.column, UnionColumn)  # type: ignore[union-attr]
    assert list(back.literals["x"].map.literals) == ["a", "b", "c"]  # a file keeps the map's order
