"""Dicts flytekit's tests found broken: Dict[int, …] fields in dataclasses, Dict[K, V] with non-str keys.

Sources: ``tests/flytekit/unit/core/test_type_engine.py`` and ``test_literals_resolver.py``; each test
names its source.
"""

import datetime
import enum
import typing
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import msgpack
import pytest

from typeflow import TransformContext, task, workflow
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal, Scalar

from ..helpers import roundtrip


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


# ---------------------------------------------------------------- Dict[int, …] inside dataclasses


@dataclass
class InnerStruct:
    a: int
    b: typing.Optional[str]
    c: typing.List[int]


@dataclass
class StructB:
    s: InnerStruct
    m: typing.Dict[int, str]
    n: typing.Optional[typing.List[typing.List[int]]] = None
    o: typing.Optional[typing.Dict[int, typing.Dict[int, int]]] = None


@dataclass
class StructC:
    s: InnerStruct
    m: typing.Dict[str, int]


@dataclass
class StructD:
    s: InnerStruct
    m: typing.Dict[str, typing.List[int]]


def test_dataclass_int_preserving(ctx: TransformContext) -> None:
    """flytekit: test_dataclass_int_preserving (a Dict[int, …] field was written but could not be read back)."""
    tf = ctx.engine.get_transformer(InnerStruct)
    o: Any = InnerStruct(a=5, b=None, c=[1, 2, 3])
    lv = tf.to_literal(ctx, o, InnerStruct, tf.get_literal_type(InnerStruct))
    assert tf.to_python_value(ctx, lv=lv, expected_python_type=InnerStruct) == o

    o = StructB(s=InnerStruct(a=5, b=None, c=[1, 2, 3]), m={5: "b"}, n=[[1, 2, 3], [4, 5, 6]], o={1: {2: 3}, 4: {5: 6}})
    lv = tf.to_literal(ctx, o, StructB, tf.get_literal_type(StructB))
    assert tf.to_python_value(ctx, lv=lv, expected_python_type=StructB) == o
    assert roundtrip(ctx, o, StructB) == o
    assert roundtrip(ctx, [o, o], List[StructB]) == [o, o]

    o = StructC(s=InnerStruct(a=5, b=None, c=[1, 2, 3]), m={"a": 5})
    assert roundtrip(ctx, o, StructC) == o
    o = StructD(s=InnerStruct(a=5, b=None, c=[1, 2, 3]), m={"a": [5]})
    assert roundtrip(ctx, o, StructD) == o


@dataclass
class Datum:
    x: int
    y: str
    z: typing.Dict[int, int]
    w: List[int]


@task
def create_dataclasses() -> List[Datum]:
    return [Datum(x=1, y="1", z={1: 1}, w=[1, 1, 1, 1])]


@task
def concat_dataclasses(x: List[Datum], y: List[Datum]) -> List[Datum]:
    return x + y


@workflow
def datum_wf() -> List[Datum]:
    all_dataclasses: List[Datum] = []
    for _ in range(10):
        data = create_dataclasses()
        all_dataclasses = concat_dataclasses(x=all_dataclasses, y=data)
    return all_dataclasses


def test_dataclass_encoder_and_decoder_registry() -> None:
    """flytekit: test_dataclass_encoder_and_decoder_registry (a workflow instead of a dynamic)."""
    datum_list = datum_wf()
    assert len(datum_list) == 10
    assert datum_list[0] == Datum(x=1, y="1", z={1: 1}, w=[1, 1, 1, 1])


# ---------------------------------------------------------------- Dict[K, V] with non-str keys


@dataclass
class Rec:
    n: int


@pytest.mark.parametrize(
    ("t", "value"),
    [
        (Dict[int, str], {1: "a", 2: "b", 3: "c"}),
        (Dict[str, Dict[int, str]], {"a": {1: "a", 2: "b"}, "b": {4: "d"}}),
        (Dict[int, Color], {1: Color.RED, 2: Color.BLUE}),
        (Dict[int, Rec], {1: Rec(1), 2: Rec(2)}),
        (Dict[int, datetime.datetime], {1: datetime.datetime(2024, 5, 5, 1, 2, 3)}),
        (Dict[int, List[int]], {0: [0, 1, -1]}),
        (Dict[float, Optional[int]], {0.5: None, 1.5: 2}),
        (Dict[bool, str], {True: "yes"}),
    ],
)
def test_dicts_with_non_str_keys_keep_their_value_types(ctx: TransformContext, t: Any, value: Any) -> None:
    """flytekit: test_offloaded_literal's Dict[int, str] cases; Dict[K, V] used to ignore V."""
    back = roundtrip(ctx, value, t)
    assert back == value
    assert [type(v) for v in back.values()] == [type(v) for v in value.values()]


@pytest.mark.parametrize(
    ("t", "value", "where"),
    [
        (Dict[int, str], {1: "a", 2: 2}, "$[2]"),
        (Dict[int, Color], {1: "red"}, "$[1]"),
        (Dict[int, Rec], {1: {"n": 1}}, "$[1]"),
        (Dict[int, str], {"1": "a"}, "$['1']"),
    ],
)
def test_dicts_with_non_str_keys_refuse_wrong_values(ctx: TransformContext, t: Any, value: Any, where: str) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_literal(ctx, value, t)
    assert info.value.location == where


def test_untyped_dicts_stay_plain_msgpack(ctx: TransformContext) -> None:
    value = {1: "a", "b": [1, 2.5, None], "c": {"d": True}}
    lv = ctx.engine.to_literal(ctx, value, dict)
    assert msgpack.unpackb(lv.scalar.binary.value, strict_map_key=False) == value  # type: ignore[union-attr]
    assert roundtrip(ctx, value, dict) == value


def test_a_pickled_dict_without_a_pickling_plugin_says_what_to_install(ctx: TransformContext) -> None:
    """flytekit: test_dict_transformer's allow_pickle case, with no fallback plugin installed (core env)."""
    from typing import Annotated

    allow = Annotated[dict, {"allow_pickle": True}]
    with pytest.raises(TypeTransformerFailedError, match="typeflow-pickle"):
        ctx.engine.to_literal(ctx, {"x": datetime.datetime(2024, 5, 5)}, allow)
    lv = Literal(scalar=Scalar(generic={"pickle_file": "/tmp/x.pkl"}), metadata={"format": "pickle"})
    with pytest.raises(TypeTransformerFailedError, match="typeflow-pickle"):
        ctx.engine.to_python_value(ctx, lv, dict)
    assert ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, {"x": "hello"}, allow), dict) == {"x": "hello"}


def test_typed_dicts_read_flytekit_113s_json_struct(ctx: TransformContext) -> None:
    """flytekit 1.13 wrote dicts as JSON structs (string keys); flytekit reads them through the declared type's decoder."""
    lv = Literal(scalar=Scalar(generic={"1": "a", "2": "b"}), metadata={"format": "json"})
    assert ctx.engine.to_python_value(ctx, lv, Dict[int, str]) == {1: "a", 2: "b"}
    assert ctx.engine.to_python_value(ctx, Literal(scalar=Scalar(generic={"x": [1, 2]})), Dict[str, List[int]]) == {"x": [1, 2]}
