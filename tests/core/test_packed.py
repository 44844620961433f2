"""Packed forms of every element kind: they read, iterate, compare and travel like the expanded form.

Types are spelled ``list[...]``/``dict[...]``: ``typing.List`` caches its aliases by argument
equality, and ``Union[int, str] == Union[str, int]``, so a ``typing.List[Union[int, str]]`` made
here would be handed back to another test asking for ``typing.List[Union[str, int]]``.

The expanded form is what the engine builds with ``engine.context(packed=False)``:
one literal per element, through the per-element conversions, so it does not
share the column code it is compared with.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import typing
from pathlib import Path
from typing import Any, Optional, Union

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from typeflow import TransformContext, wire
from typeflow.columns import (
    ListColumn,
    LiteralsColumn,
    MapColumn,
    NoneColumn,
    PrimitiveColumn,
    UnionColumn,
    variant_counts,
)
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import (
    Literal,
    LiteralCollection,
    LiteralMap,
    LiteralType,
    PackedLiteralMap,
    PackedLiterals,
    Primitive,
    Scalar,
    SimpleType,
    TypeStructure,
    Void,
)
from typeflow.literals import (
    Union as UnionValue,
)

from .strategies import INT64, TEXT, Color, Point

UTC = dt.timezone.utc


class Size(str, enum.Enum):
    S = "s"
    M = "m"


@dataclasses.dataclass
class Rec:
    id: int
    name: str
    history: list[int]


LEAF_VALUES: dict[Any, st.SearchStrategy[Any]] = {
    int: INT64,
    float: st.floats(allow_nan=False),
    str: TEXT,
    bool: st.booleans(),
    bytes: st.binary(max_size=8),
    dt.datetime: st.datetimes() | st.datetimes(timezones=st.sampled_from([UTC, dt.timezone(dt.timedelta(hours=-7))])),
    dt.date: st.dates(),
    dt.timedelta: st.timedeltas(min_value=-dt.timedelta(days=700_000), max_value=dt.timedelta(days=2_900_000)),
    Color: st.sampled_from(Color),
    typing.Literal["a", "b"]: st.sampled_from(["a", "b"]),
    Point: st.builds(Point, x=INT64, y=st.floats(allow_nan=False)),
    Rec: st.builds(Rec, id=INT64, name=TEXT, history=st.lists(INT64, max_size=3)),
    dict: st.dictionaries(TEXT, st.integers(-5, 5), max_size=2),
}
UNIONS = [Union[int, str], Union[int, str, None], Union[float, bool, dt.datetime], Union[Point, Color, None]]
LEAVES = st.sampled_from(list(LEAF_VALUES) + UNIONS)


def _wrap(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        inner.map(lambda t: list[t]),  # type: ignore[valid-type]
        inner.map(lambda t: dict[str, t]),  # type: ignore[valid-type]
        inner.map(lambda t: Optional[t]),
        inner.map(lambda t: Union[t, int] if t is not int else Union[int, str]),
    )


#: element types nested to depth 4, with Optional and mixed unions at every level
NESTED = LEAVES | _wrap(LEAVES) | _wrap(_wrap(LEAVES)) | _wrap(_wrap(_wrap(LEAVES)))
COLLECTIONS = NESTED.map(lambda t: list[t]) | NESTED.map(lambda t: dict[str, t])  # type: ignore[valid-type]


def values_of(t: Any) -> st.SearchStrategy[Any]:
    if t in LEAF_VALUES:
        return LEAF_VALUES[t]
    origin, args = typing.get_origin(t), typing.get_args(t)
    if origin is list:
        return st.lists(values_of(args[0]), max_size=5)
    if origin is dict:
        return st.dictionaries(TEXT, values_of(args[1]), max_size=4)
    if origin is Union:
        return st.one_of(*(st.none() if a is type(None) else values_of(a) for a in args))
    raise NotImplementedError(t)


def _normalised(value: Any) -> Any:
    """What a round trip gives back: aware datetimes in UTC."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items()}
    return value


def _exactly_equal(a: Any, b: Any) -> bool:
    """Equal, and naive where naive: an aware and a naive datetime are never equal, but check the types too."""
    if isinstance(a, dt.datetime):
        return isinstance(b, dt.datetime) and a == b and (a.tzinfo is None) == (b.tzinfo is None)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_exactly_equal, a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_exactly_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@pytest.fixture
def flat(ctx: TransformContext, tmp_path: Path) -> TransformContext:
    """A context on the same engine that gives every element its own literal."""
    return ctx.engine.context(storage=str(tmp_path / "storage"), packed=False)


def _sequence(lv: Literal) -> Any:
    return lv.collection.literals if lv.collection is not None else lv.map.literals  # type: ignore[union-attr]


def _kinds(column: Any) -> set[str]:
    """The kinds of ``column`` and of every column inside it."""
    inner = [*getattr(column, "columns", ()), *([column.child] if hasattr(column, "child") else [])]
    return {column.kind}.union(*map(_kinds, inner))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), t=COLLECTIONS)
def test_packed_and_expanded_forms_are_equal_and_round_trip(
    ctx: TransformContext, flat: TransformContext, data: st.DataObject, t: Any
) -> None:
    value = data.draw(values_of(t))
    engine = ctx.engine
    packed = engine.to_literal(ctx, value, t)
    expanded = engine.to_literal(flat, value, t)
    assert not isinstance(_sequence(expanded), (PackedLiterals, PackedLiteralMap))
    if value:  # every element kind here has a packed form, all the way down
        held = _sequence(packed)
        assert isinstance(held, (PackedLiterals, PackedLiteralMap)), f"{t} was not packed"
        assert "literals" not in _kinds(held.column), f"part of {t} was not packed: {_kinds(held.column)}"
    assert packed == expanded and expanded == packed
    assert list(_sequence(packed)) == list(_sequence(expanded))
    for version in (1, 2):
        for decoded in (
            wire.loads(wire.dumps(packed, version=version)),
            wire.from_dict(json.loads(json.dumps(wire.to_dict(packed, version=version)))),
        ):
            assert decoded == packed == decoded
            assert _exactly_equal(engine.to_python_value(ctx, decoded, t), _normalised(value))
    assert _exactly_equal(engine.to_python_value(ctx, expanded, t), _normalised(value))
    assert _exactly_equal(engine.to_python_value(flat, packed, t), _normalised(value))


@pytest.mark.parametrize(
    ("value", "t", "kind"),
    [
        ([1, None, 3], list[Optional[int]], "union"),
        ([1, "a", None], list[Union[int, str, None]], "union"),
        ([dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1, tzinfo=UTC)], list[dt.datetime], "datetime"),
        ([dt.date(2024, 2, 29)], list[dt.date], "datetime"),
        ([dt.timedelta(days=-1, microseconds=3)], list[dt.timedelta], "duration"),
        ([Color.RED], list[Color], "string_value"),
        (["a"], list[typing.Literal["a", "b"]], "string_value"),
        ([{"a": 1}, {"b": 2}], list[dict[str, int]], "map"),
        ([[1], [], [2, 3]], list[list[int]], "list"),
        ([Rec(1, "r", [2]), None], list[Optional[Rec]], "union"),
        ([True, False], list[bool], "boolean"),
        ([{"k": 1}], list[dict], "binary"),
        ({"a": 1.5, "b": None}, dict[str, Optional[float]], "union"),
        ({"a": dt.datetime(2020, 1, 1)}, dict[str, dt.datetime], "datetime"),
        ({"a": [[None]]}, dict[str, list[list[Optional[int]]]], "list"),
    ],
)
def test_every_element_kind_is_held_packed(ctx: TransformContext, value: Any, t: Any, kind: str) -> None:
    held = _sequence(ctx.engine.to_literal(ctx, value, t))
    assert isinstance(held, (PackedLiterals, PackedLiteralMap))
    assert held.kind == kind


def test_an_optional_element_reads_as_the_union_literal_with_its_stored_type(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, [5, None], list[Optional[int]])
    column = lv.collection.literals.column  # type: ignore[union-attr]
    assert isinstance(column, UnionColumn) and column.index == b"\x00\x01"
    assert isinstance(column.columns[0], PrimitiveColumn) and list(column.columns[0].values) == [5]
    int_type = LiteralType(simple=SimpleType.INTEGER, structure=TypeStructure("int"))
    none_type = LiteralType(simple=SimpleType.NONE, structure=TypeStructure("none"))
    assert lv.collection.literals[0] == Literal(  # type: ignore[union-attr]
        scalar=Scalar(union=UnionValue(Literal(scalar=Scalar(primitive=Primitive(integer=5))), int_type))
    )
    assert lv.collection.literals[1] == Literal(
        scalar=Scalar(union=UnionValue(Literal(scalar=Scalar(none_type=Void())), none_type))
    )  # type: ignore[union-attr]
    other_tag = LiteralType(simple=SimpleType.INTEGER, structure=TypeStructure("elsewhere"))
    assert lv.collection.literals[0] != Literal(  # type: ignore[union-attr]
        scalar=Scalar(union=UnionValue(Literal(scalar=Scalar(primitive=Primitive(integer=5))), other_tag))
    )


def test_naive_and_aware_datetimes_keep_their_kind_in_one_list(ctx: TransformContext) -> None:
    tz = dt.timezone(dt.timedelta(hours=2))
    value = [dt.datetime(2024, 1, 1, 12), dt.datetime(2024, 1, 1, 12, tzinfo=tz), dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31)]
    lv = ctx.engine.to_literal(ctx, value, list[dt.datetime])
    assert lv.collection.literals.kind == "datetime"  # type: ignore[union-attr]
    for decoded in (wire.loads(wire.dumps(lv)), wire.from_dict(wire.to_dict(lv))):
        back = ctx.engine.to_python_value(ctx, decoded, list[dt.datetime])
        assert [v.tzinfo for v in back] == [None, UTC, None, None]
        assert back == [value[0], value[1].astimezone(UTC), value[2], value[3]]


def test_durations_past_the_int64_microsecond_range_are_held_one_by_one(ctx: TransformContext) -> None:
    value = [dt.timedelta(days=999_999_999), dt.timedelta(seconds=1)]
    lv = ctx.engine.to_literal(ctx, value, list[dt.timedelta])
    assert not lv.collection.is_packed  # type: ignore[union-attr]
    assert ctx.engine.to_python_value(ctx, wire.loads(wire.dumps(lv)), list[dt.timedelta]) == value


@pytest.mark.parametrize(
    ("value", "t", "where"),
    [
        ([1, None, "x"], list[Optional[int]], "$[2]"),
        ([1, "a", 2.5], list[Union[int, str]], "$[2]"),
        ([{"a": 1}, {"b": "no"}], list[dict[str, int]], "$[1]['b']"),
        ([[1], [2, "x"]], list[list[int]], "$[1][1]"),
        ([[{"a": [None, "x"]}]], list[list[dict[str, list[Optional[int]]]]], "$[0][0]['a'][1]"),
        ([Color.RED, "green"], list[Color], "$[1]"),
        (["a", "c"], list[typing.Literal["a", "b"]], "$[1]"),
        ([dt.date(2024, 1, 1), dt.datetime(2024, 1, 1)], list[dt.date], "$[1]"),
        ({"a": 1.0, "b": "x"}, dict[str, Optional[float]], "$['b']"),
        ([Rec(1, "a", [1]), Rec(2, "b", [1, "x"])], list[Optional[Rec]], "$[1]"),  # type: ignore[list-item]
        ([Rec(1, "a", [1]), Rec(2, "b", [1, "x"])], list[Rec], "$[1].history[1]"),  # type: ignore[list-item]
        ([True, 1], list[bool], "$[1]"),
    ],
)
def test_a_bad_element_is_named_by_its_path(ctx: TransformContext, value: Any, t: Any, where: str) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_literal(ctx, value, t)
    assert info.value.location == where


def test_reading_a_packed_column_as_another_compatible_type(ctx: TransformContext) -> None:
    ints = ctx.engine.to_literal(ctx, [1, 2], list[int])
    assert ctx.engine.to_python_value(ctx, ints, list[float]) == [1.0, 2.0]
    assert ctx.engine.to_python_value(ctx, ints, list[Optional[int]]) == [1, 2]
    strings = ctx.engine.to_literal(ctx, ["red", "green"], list[str])
    assert ctx.engine.to_python_value(ctx, strings, list[Color]) == [Color.RED, Color.GREEN]
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, ["red", "pink"], list[str]), list[Color])
    assert info.value.location == "$[1]"


def test_a_union_list_reads_back_each_element_as_its_own_variant(ctx: TransformContext) -> None:
    value: list[Any] = [Point(1, 2.0), Color.GREEN, None, Point(3, 4.0)]
    t = list[Union[Point, Color, None]]
    back = ctx.engine.to_python_value(ctx, wire.loads(wire.dumps(ctx.engine.to_literal(ctx, value, t))), t)
    assert back == value and type(back[1]) is Color


def test_reading_a_union_column_hands_out_new_lists_never_the_column_storage(ctx: TransformContext) -> None:
    # the union merges its parts straight from the columns' arrays and lists; what it returns is the caller's own
    t = list[Union[int, str]]
    lv = wire.loads(wire.dumps(ctx.engine.to_literal(ctx, [1, "a", 2, "b"], t)))
    first = ctx.engine.to_python_value(ctx, lv, t)
    first.append("c")
    first[1] = "x"
    assert ctx.engine.to_python_value(ctx, lv, t) == [1, "a", 2, "b"]
    strings = Literal(collection=LiteralCollection(PackedLiterals.of(PrimitiveColumn("string_value", ["a", "b"]))))
    strings = wire.loads(wire.dumps(strings))  # the decoder's column holds a list
    read = ctx.engine.to_python_value(ctx, strings, t)  # a plain column (not written through a union)
    read[0] = "x"
    assert ctx.engine.to_python_value(ctx, strings, t) == ["a", "b"]


@pytest.mark.parametrize("variants", [1, 2, 3, 255])
def test_variant_counts_are_the_counts_of_each_variant_number(variants: int) -> None:
    index = bytes((i * 7 + i // 3) % variants for i in range(10_001))
    assert variant_counts(index, variants) == [index.count(n) for n in range(variants)]
    assert variant_counts(b"", variants) == [0] * variants


def test_packed_collections_index_and_slice_like_the_expanded_ones(ctx: TransformContext, flat: TransformContext) -> None:
    value = [{"a": [1, None]}, {}, {"b": [], "c": [None]}, {"a": [7]}]
    t = list[dict[str, list[Optional[int]]]]
    packed = ctx.engine.to_literal(ctx, value, t).collection.literals  # type: ignore[union-attr]
    expanded = ctx.engine.to_literal(flat, value, t).collection.literals  # type: ignore[union-attr]
    assert isinstance(packed, PackedLiterals)
    for i in range(-4, 4):
        assert packed[i] == expanded[i]
    for s in (slice(1, 3), slice(None, None, 2), slice(3, 1), slice(-2, None)):
        assert packed[s] == expanded[s]
    with pytest.raises(IndexError):
        packed[4]


def test_maps_of_every_kind_round_trip_packed(ctx: TransformContext) -> None:
    cases: list[tuple[Any, Any]] = [
        ({"a": 1.5, "b": None}, dict[str, Optional[float]]),
        ({"a": dt.datetime(2020, 1, 1, tzinfo=UTC), "b": dt.datetime(2020, 1, 1)}, dict[str, dt.datetime]),
        ({"x": dt.timedelta(1)}, dict[str, dt.timedelta]),
        ({"x": Color.RED}, dict[str, Color]),
        ({"x": [1, None], "y": []}, dict[str, list[Optional[int]]]),
        ({"x": {"y": {"z": True}}}, dict[str, dict[str, dict[str, bool]]]),
    ]
    for value, t in cases:
        lv = ctx.engine.to_literal(ctx, value, t)
        assert lv.map is not None and lv.map.is_packed
        assert ctx.engine.to_python_value(ctx, wire.loads(wire.dumps(lv)), t) == value


def test_version_one_is_still_read_and_can_be_written(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, [True, False, True], list[bool])
    v1 = wire.MAGIC + bytes([1]) + b"L" + b"\x81\xaacollection\x81\xa6packed\x82\xa4kind\xa7boolean\xa6values\x93\xc3\xc2\xc3"
    assert wire.loads(v1) == lv
    assert wire.dumps(lv, version=1) == v1
    unions = ctx.engine.to_literal(ctx, [1, None], list[Optional[int]])
    old = wire.dumps(unions, version=1)
    assert old[4] == 1 and b"union" in old and b"packed" not in old  # typeflow 0.1 reads it, one literal per element
    assert wire.loads(old) == unions
    assert wire.from_dict({"typeflow_wire": 1, "literal": wire.to_dict(unions, version=1)["literal"]}) == unions


def test_column_constructors_refuse_inconsistent_parts() -> None:
    ints = PrimitiveColumn("integer", [1, 2])
    int_type = LiteralType(simple=SimpleType.INTEGER)
    with pytest.raises(ValueError, match="variant 0 has 2 values but 1"):
        UnionColumn([int_type, LiteralType(simple=SimpleType.NONE)], b"\x00\x01", [ints, NoneColumn(1)])
    with pytest.raises(ValueError, match="does not exist"):
        UnionColumn([int_type], b"\x00\x01", [ints])
    with pytest.raises(ValueError, match="add up"):
        ListColumn([1], ints)
    with pytest.raises(ValueError, match="negative"):
        ListColumn([3, -1], ints)
    with pytest.raises(ValueError, match="distinct"):
        MapColumn([("a", "a")], None, ints, 1)
    with pytest.raises(ValueError, match="add up"):
        MapColumn([("a",)], None, ints, 1)
    with pytest.raises(TypeError):
        LiteralsColumn([1])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        PrimitiveColumn("boolean", b"\x00\x02")
    assert len(MapColumn([("a",), ("b", "c")], [1, 1, 0], PrimitiveColumn("integer", range(5)), 3)) == 3
    assert PrimitiveColumn("duration", [dt.timedelta(seconds=1)]).values == (dt.timedelta(seconds=1),)
    with pytest.raises(OverflowError):
        PrimitiveColumn("duration", [dt.timedelta(days=10**7)])


def test_packed_equality_is_by_content_across_representations() -> None:
    column = PrimitiveColumn("integer", [1, 2])
    as_literals = LiteralsColumn([Literal(scalar=Scalar(primitive=Primitive(integer=i))) for i in (1, 2)])
    assert PackedLiterals.of(column) == PackedLiterals.of(as_literals)
    assert LiteralCollection.from_column(column) == LiteralCollection([*as_literals.items])
    assert LiteralMap.from_column(["a", "b"], column) == LiteralMap(dict(zip("ab", as_literals.items)))
    assert PackedLiterals.of(column) != PackedLiterals.of(PrimitiveColumn("integer", [1, 3]))
    assert PackedLiterals.of(column) != PackedLiterals.of(PrimitiveColumn("float_value", [1.0, 2.0]))


def test_the_packed_option_turns_packing_off(ctx: TransformContext, flat: TransformContext) -> None:
    assert ctx.engine.to_literal(ctx, [1], list[int]).collection.is_packed  # type: ignore[union-attr]
    assert not ctx.engine.to_literal(flat, [1], list[int]).collection.is_packed  # type: ignore[union-attr]


def test_a_dataclass_with_a_long_int_list_is_checked_in_bulk_and_still_says_where(ctx: TransformContext) -> None:
    big = Rec(1, "r", list(range(100_000)))
    assert ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, big, Rec), Rec) == big
    big.history[7_777] = "x"  # type: ignore[call-overload]
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_literal(ctx, big, Rec)
    assert info.value.location == "$.history[7777]"
    flagged = Rec(1, "r", [1, True])
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_literal(ctx, flagged, Rec)
    assert info.value.location == "$.history[1]"


class Celsius(float):
    pass


def test_a_transformer_with_the_earlier_packed_protocol_is_still_held_packed(ctx: TransformContext) -> None:
    from typeflow import TypeTransformer

    class CelsiusTransformer(TypeTransformer[Celsius]):
        packed_kind = "float_value"

        def __init__(self) -> None:
            super().__init__("Celsius", Celsius)

        def get_literal_type(self, t: Any) -> LiteralType:
            return LiteralType(simple=SimpleType.FLOAT)

        def to_literal(self, ctx: TransformContext, v: Any, t: Any, expected: Any) -> Literal:
            return Literal(scalar=Scalar(primitive=Primitive(float_value=float(v))))

        def to_python_value(self, ctx: TransformContext, lv: Literal, t: Any) -> Celsius:
            return Celsius(lv.scalar.primitive.float_value)  # type: ignore[union-attr]

        def pack_many(self, values: list[Any], t: Any) -> list[float]:
            return [float(v) for v in values]

        def unpack_many(self, values: Any, t: Any) -> list[Celsius]:
            return [Celsius(v) for v in values]

    ctx.engine.register(CelsiusTransformer())
    lv = ctx.engine.to_literal(ctx, [Celsius(1.5), Celsius(-3.0)], list[Celsius])
    assert lv.collection is not None and lv.collection.literals.kind == "float_value"  # type: ignore[union-attr]
    back = ctx.engine.to_python_value(ctx, wire.loads(wire.dumps(lv)), list[Celsius])
    assert back == [1.5, -3.0] and all(type(v) is Celsius for v in back)
