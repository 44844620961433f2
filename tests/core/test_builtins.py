"""Round trips of every built-in family, and errors that name the failing path."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import math
import typing
from typing import Annotated, Any, Dict, List, Optional, Union

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from typeflow import HashMethod, TransformContext, TypeTransformer, wire
from typeflow.errors import RestrictedTypeError, TypeflowError, TypeTransformerFailedError
from typeflow.literals import Literal, LiteralCollection, LiteralType, Primitive, Scalar, SimpleType

from ..helpers import roundtrip
from .strategies import TYPES, Color, Point, Shape, depth, is_comparable, values_of


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), t=TYPES)
def test_every_builtin_family_round_trips_nested_to_depth_four(ctx: TransformContext, data: st.DataObject, t: Any) -> None:
    value = data.draw(values_of(t))
    assert roundtrip(ctx, value, t) == value


@pytest.mark.parametrize(
    "local",
    [
        dt.datetime(1995, 9, 24, 1, 0),  # Turkey: 01:00-02:00 happened twice (a fold)
        dt.datetime(1995, 9, 24, 1, 30),
        dt.datetime(1995, 3, 26, 1, 30),  # Turkey: 01:00-02:00 never happened (a gap)
    ],
)
@pytest.mark.parametrize("fold", [0, 1])
def test_an_aware_datetime_in_a_fold_or_gap_comes_back_as_its_instant_in_utc(
    ctx: TransformContext, local: dt.datetime, fold: int
) -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    value = local.replace(tzinfo=zoneinfo.ZoneInfo("Turkey"), fold=fold)
    assert not is_comparable(value)  # what makes it special: it equals no datetime of another zone
    instant = value.astimezone(dt.timezone.utc)
    for t, wrap in ((dt.datetime, lambda v: v), (list[dt.datetime], lambda v: [v, v])):
        back = roundtrip(ctx, wrap(value), t)
        assert back == wrap(instant)
        assert all(b.tzinfo is dt.timezone.utc for b in (back if isinstance(back, list) else [back]))


def test_the_datetime_strategy_draws_only_datetimes_equal_to_their_instant() -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    turkey = zoneinfo.ZoneInfo("Turkey")
    assert not is_comparable(dt.datetime(1995, 9, 24, 1, 0, tzinfo=turkey))  # the flake this strategy avoids
    assert not is_comparable(dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))))  # no instant
    assert is_comparable(dt.datetime(1995, 9, 24, 3, 0, tzinfo=turkey))


def test_an_aware_datetime_without_an_instant_in_range_is_a_typed_error(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError):
        ctx.engine.to_literal(ctx, dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))), dt.datetime)


def test_the_type_strategy_reaches_depth_four() -> None:
    assert depth(list[dict[str, Optional[list[int]]]]) == 4


@pytest.mark.parametrize(
    ("value", "t", "simple"),
    [
        (1, int, SimpleType.INTEGER),
        (1.5, float, SimpleType.FLOAT),
        ("s", str, SimpleType.STRING),
        (True, bool, SimpleType.BOOLEAN),
        (dt.datetime(2024, 1, 1), dt.datetime, SimpleType.DATETIME),
        (dt.timedelta(seconds=3), dt.timedelta, SimpleType.DURATION),
        (None, type(None), SimpleType.NONE),
        (b"x", bytes, SimpleType.BINARY),
        ({"a": 1}, dict, SimpleType.STRUCT),
    ],
)
def test_literal_shapes_follow_flytekit(ctx: TransformContext, value: Any, t: Any, simple: SimpleType) -> None:
    assert ctx.engine.to_literal_type(t).simple == simple
    assert roundtrip(ctx, value, t) == value


def test_nan_and_infinities_survive(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, [math.nan, math.inf, -math.inf], list[float])
    for decoded in (wire.loads(wire.dumps(lv)), wire.from_dict(json.loads(json.dumps(wire.to_dict(lv), allow_nan=False)))):
        back = ctx.engine.to_python_value(ctx, decoded, list[float])
        assert math.isnan(back[0]) and back[1:] == [math.inf, -math.inf]


def test_aware_datetime_keeps_its_instant_and_returns_in_utc(ctx: TransformContext) -> None:
    tz = dt.timezone(dt.timedelta(hours=5, minutes=30))
    value = dt.datetime(2024, 5, 1, 12, 0, tzinfo=tz)
    back = roundtrip(ctx, value, dt.datetime)
    assert back == value and back.tzinfo == dt.timezone.utc  # type: ignore[union-attr]


def test_list_of_ints_is_held_packed_and_reads_like_the_expanded_form(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, [1, 2, 3], List[int])
    assert lv.collection is not None and lv.collection.is_packed
    expanded = Literal(collection=LiteralCollection([Literal(scalar=Scalar(primitive=Primitive(integer=i))) for i in (1, 2, 3)]))
    assert lv == expanded and expanded == lv
    assert lv.collection.literals[1] == Literal(scalar=Scalar(primitive=Primitive(integer=2)))
    assert ctx.engine.to_python_value(ctx, expanded, List[int]) == [1, 2, 3]


def test_int_list_conversion_does_not_alias_the_callers_list(ctx: TransformContext) -> None:
    value = [1, 2]
    lv = ctx.engine.to_literal(ctx, value, list[int])
    value.append(3)
    out = ctx.engine.to_python_value(ctx, lv, list[int])
    out.append(4)
    assert ctx.engine.to_python_value(ctx, lv, list[int]) == [1, 2]


def test_ints_beyond_64_bits_are_refused_clearly(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"at \$\[1\]: integer outside the signed 64-bit range"):
        ctx.engine.to_literal(ctx, [1, 2**63], List[int])
    with pytest.raises(TypeTransformerFailedError, match="64-bit"):
        ctx.engine.to_literal(ctx, -(2**63) - 1, int)


@pytest.mark.parametrize(
    ("value", "t", "where"),
    [
        ([1, 2, "x"], List[int], "$[2]"),
        ({"a": 1.0, "b": "no"}, Dict[str, float], "$['b']"),
        ({"k": [1, [2]]}, Dict[str, List[int]], "$['k'][1]"),
        (Shape("s", [Point(1, 1.0), Point("x", 2.0)], Color.RED), Shape, "$.points[1].x"),  # type: ignore[arg-type]
        ([Point(1, 1.0), Point(2, "y")], List[Point], "$[1].y"),  # type: ignore[arg-type]
        ({"a": [None]}, Dict[str, List[int]], "$['a'][0]"),
    ],
)
def test_errors_name_the_path_of_the_failing_element(ctx: TransformContext, value: Any, t: Any, where: str) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_literal(ctx, value, t)
    assert info.value.location == where
    assert str(info.value).startswith(f"at {where}: ")


def test_none_into_a_non_optional_type_is_refused_with_the_fix(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"Optional\[int\]"):
        ctx.engine.to_literal(ctx, None, int)


def test_failed_error_is_also_type_and_value_error() -> None:
    assert issubclass(TypeTransformerFailedError, TypeError) and issubclass(TypeTransformerFailedError, ValueError)


class Mixed(enum.Enum):
    A = "a"
    B = 2


class Level(enum.IntEnum):
    LOW = 1


def test_enums_with_non_string_values_are_refused_when_the_literal_type_is_built(ctx: TransformContext) -> None:
    for t in (Mixed, Level):
        with pytest.raises(TypeTransformerFailedError, match="non-string values"):
            ctx.engine.to_literal_type(t)


def test_str_enum_dispatches_to_the_enum_transformer_not_str(ctx: TransformContext) -> None:
    assert ctx.engine.get_transformer(Color).name == "DefaultEnumTransformer"
    assert ctx.engine.to_literal_type(Color).enum_type is not None
    assert roundtrip(ctx, Color.GREEN, Color) is Color.GREEN


def test_typing_literal_of_strings(ctx: TransformContext) -> None:
    t = typing.Literal["x", "y"]
    assert ctx.engine.to_literal_type(t) == LiteralType(simple=SimpleType.STRING, annotation={"literal_values": ["x", "y"]})
    assert roundtrip(ctx, "y", t) == "y"
    with pytest.raises(TypeTransformerFailedError, match="expected one of"):
        ctx.engine.to_literal(ctx, "z", t)


@pytest.mark.parametrize(
    ("t", "value", "tag"),
    [
        (Union[int, str], "s", "str"),
        (Union[int, str], 3, "int"),
        (int | str, 3, "int"),
        (Union[float, int], 3, "int"),
        (Union[int, bool], True, "bool"),
        (Optional[int], None, "none"),
        (Optional[List[int]], [1], "Typed List"),
    ],
)
def test_union_takes_the_variant_of_the_exact_type_first(ctx: TransformContext, t: Any, value: Any, tag: str) -> None:
    lv = ctx.engine.to_literal(ctx, value, t)
    assert lv.scalar is not None and lv.scalar.union is not None
    assert lv.scalar.union.stored_type.structure.tag == tag  # type: ignore[union-attr]
    back = roundtrip(ctx, value, t)
    assert back == value and type(back) is type(value)


@dataclasses.dataclass
class A:
    x: int


@dataclasses.dataclass
class B:
    x: int


def test_ambiguous_union_is_refused_when_the_literal_type_is_built(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match="ambiguous union"):
        ctx.engine.to_literal_type(Union[List[int], List[Annotated[int, "meta"]]])
    # two dataclasses with the same fields differ by schema title: not ambiguous
    assert roundtrip(ctx, B(1), Union[A, B]) == B(1)


def test_untyped_and_non_str_key_dicts_use_msgpack(ctx: TransformContext) -> None:
    for value, t in [({"a": [1, {"b": None}]}, dict), ({1: "one", 2: "two"}, Dict[int, str]), ({"x": 1}, Dict[str, Any])]:
        lv = ctx.engine.to_literal(ctx, value, t)
        assert lv.scalar is not None and lv.scalar.binary is not None and lv.scalar.binary.tag == "msgpack"
        assert roundtrip(ctx, value, t) == value
    with pytest.raises(TypeTransformerFailedError, match="cannot be written as msgpack"):
        ctx.engine.to_literal(ctx, {"when": dt.datetime.now()}, dict)


def test_dataclass_literal_type_carries_a_json_schema(ctx: TransformContext) -> None:
    lt = ctx.engine.to_literal_type(Shape)
    assert lt.simple == SimpleType.STRUCT
    assert lt.metadata is not None and lt.metadata["title"] == "Shape"
    assert set(lt.metadata["properties"]) >= {"name", "points", "color"}


def test_guess_python_type_inverts_every_builtin_literal_type(ctx: TransformContext) -> None:
    engine = ctx.engine
    for t in (int, float, str, bool, dt.datetime, dt.timedelta, bytes, type(None), dict, list[int], dict[str, list[float]]):
        assert engine.guess_python_type(engine.to_literal_type(t)) == t
    assert engine.guess_python_type(engine.to_literal_type(Optional[int])) == Optional[int]
    generated = engine.guess_python_type(engine.to_literal_type(Shape))
    assert dataclasses.is_dataclass(generated) and generated.__name__ == "Shape"
    value = Shape("s", [Point(1, 2.0)], Color.RED, {"a": 1}, Point(3, 4.0))
    lv = engine.to_literal(ctx, value, Shape)
    rebuilt = engine.to_python_value(ctx, lv, generated)
    assert rebuilt.name == "s" and rebuilt.points[0].x == 1 and rebuilt.parent.y == 4.0
    enum_type = engine.guess_python_type(engine.to_literal_type(Color))
    assert [m.value for m in enum_type] == ["red", "green"]


class _GuessesStructs(TypeTransformer[Any]):
    """Registered after the built-ins: claims every STRUCT literal type when guessing."""

    def __init__(self) -> None:
        super().__init__("guesses-structs", Point)

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(simple=SimpleType.STRUCT)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: Any) -> Literal:
        raise NotImplementedError

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        raise NotImplementedError

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.simple == SimpleType.STRUCT:
            return "guessed by the newer transformer"
        raise ValueError("not a struct")


def test_guess_asks_a_later_registration_before_the_builtin_predicates(ctx: TransformContext) -> None:
    # a plugin that refines a built-in literal type (pydantic's STRUCT schemas) must win over the dataclass guess
    engine = ctx.engine
    dataclass_type = engine.to_literal_type(Shape)
    assert dataclasses.is_dataclass(engine.guess_python_type(dataclass_type))
    engine.register(_GuessesStructs(), override=True)
    assert engine.guess_python_type(dataclass_type) == "guessed by the newer transformer"


def test_hash_method_sets_the_literal_hash(ctx: TransformContext) -> None:
    t = Annotated[List[int], HashMethod(lambda v: f"sum-{sum(v)}")]
    lv = ctx.engine.to_literal(ctx, [1, 2, 3], t)
    assert lv.hash == "sum-6"
    assert ctx.engine.to_python_value(ctx, lv, t) == [1, 2, 3]


def test_annotated_elements_are_converted_with_their_annotations(ctx: TransformContext) -> None:
    t = List[Annotated[str, HashMethod(str.upper)]]
    lv = ctx.engine.to_literal(ctx, ["a", "b"], t)
    assert [item.hash for item in lv.collection.literals] == ["A", "B"]  # type: ignore[union-attr]


def test_restricted_types_never_cross_a_boundary(ctx: TransformContext) -> None:
    with pytest.raises(RestrictedTypeError):
        ctx.engine.to_literal(ctx, ctx, TransformContext)


@pytest.mark.parametrize(
    ("lv", "t"),
    [
        (Literal(scalar=Scalar(primitive=Primitive(string_value="x"))), int),
        (Literal(scalar=Scalar(primitive=Primitive(integer=1))), List[int]),
        (Literal(scalar=Scalar(primitive=Primitive(string_value="purple"))), Color),
        (Literal(scalar=Scalar(primitive=Primitive(integer=1))), Shape),
        (Literal(scalar=Scalar(primitive=Primitive(integer=1))), Dict[str, int]),
        (Literal(scalar=Scalar(primitive=Primitive(integer=1))), dict),
    ],
)
def test_reading_a_literal_of_the_wrong_shape_raises_a_typeflow_error(ctx: TransformContext, lv: Literal, t: Any) -> None:
    with pytest.raises(TypeflowError):
        ctx.engine.to_python_value(ctx, lv, t)


def test_recursive_structures_are_refused_clearly(ctx: TransformContext) -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(TypeTransformerFailedError):
        ctx.engine.to_literal(ctx, {"a": loop}, dict)


def test_float_list_accepts_ints_and_bool_is_refused(ctx: TransformContext) -> None:
    assert roundtrip(ctx, [1, 2.5], List[float]) == [1.0, 2.5]
    with pytest.raises(TypeTransformerFailedError, match=r"\$\[0\]"):
        ctx.engine.to_literal(ctx, [True], List[float])


def test_literal_type_for_lists_and_maps(ctx: TransformContext) -> None:
    assert ctx.engine.to_literal_type(List[Dict[str, int]]) == LiteralType(
        collection_type=LiteralType(map_value_type=LiteralType(simple=SimpleType.INTEGER))
    )
