"""Literal forms flytekit writes and reads, translated from flytekit 1.16's tests.

Sources: ``tests/flytekit/unit/core/test_type_engine.py`` and
``tests/flytekit/unit/core/test_type_engine_binary_idl.py``; each test names its source.
"""

import datetime
import enum
import typing
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Dict, List, Optional

import msgpack
import pytest
from mashumaro.codecs.msgpack import MessagePackEncoder

from typeflow import TransformContext
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Binary, Literal, Primitive, Scalar

MSGPACK = {"cache-key-metadata": {"serialization-format": "msgpack"}}


def _binary(data: bytes) -> Literal:
    return Literal(scalar=Scalar(binary=Binary(value=data, tag="msgpack")))


# ---------------------------------------------------------------- Binary (msgpack) values, as Flyte resolves attributes


class Status(enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"


@pytest.mark.parametrize(
    ("t", "values"),
    [
        (int, [1, 2, 20240918, -1, -2, -20240918]),
        (float, [2024.0918, 5.0, -2024.0918, -5.0]),
        (bool, [True, False]),
        (str, ["hello", "world", "flyte", "kit", "is", "awesome"]),
        (datetime.datetime, [datetime.datetime(2024, 9, 18), datetime.datetime(2024, 9, 18, 1, 1, 1, 1)]),
        (date, [date(2024, 9, 18)]),
        (timedelta, [timedelta(days=1, seconds=1, microseconds=1), timedelta(days=-1, seconds=-1, microseconds=-1)]),
        (Status, [Status.PENDING]),
    ],
)
def test_simple_types_read_from_msgpack_binary(ctx: TransformContext, t: Any, values: list[Any]) -> None:
    """flytekit test_type_engine_binary_idl: test_simple_type_transformer."""
    encoder = MessagePackEncoder(t)
    for value in values:
        assert ctx.engine.to_python_value(ctx, _binary(encoder.encode(value)), t) == value


def test_a_msgpack_binary_of_the_wrong_simple_type_is_refused(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError):
        ctx.engine.to_python_value(ctx, _binary(msgpack.packb("1")), int)
    with pytest.raises(TypeTransformerFailedError):
        ctx.engine.to_python_value(ctx, _binary(msgpack.packb(1)), bool)
    with pytest.raises(TypeTransformerFailedError):
        ctx.engine.to_python_value(ctx, _binary(b"\xc1"), int)  # not msgpack


def test_untyped_dict_reads_msgpack_with_any_keys(ctx: TransformContext) -> None:
    """flytekit test_type_engine_binary_idl: test_untyped_dict."""
    dict_inputs: list[dict[Any, Any]] = [
        {1: "a", "key": 2.5, True: False, 3.14: 100},  # noqa: F601 - flytekit's input: True is the key 1
        {"a": 1, -2: "b", 3.5: True, False: 3.1415},
        {1: [-1, "a", 2.5, False], "key_list": ["str", 3.14, True, 42], True: [False, 2.718, "test"]},  # noqa: F601
        {"nested_dict": {-1: 2, "key": "value", True: 3.14, False: "string"}, 3.14: {"pi": 3.14, "e": 2.718, 42: True}},
        {"list_of_dicts": [{"a": 1, "b": -2}, {"key1": "value1"}], 10: [{"nested_list": [-1, "value", 3.14]}]},
    ]
    for dict_input in dict_inputs:
        lv = _binary(MessagePackEncoder(dict).encode(dict_input))
        assert ctx.engine.to_python_value(ctx, lv, dict) == dict_input


@dataclass
class InnerDC:
    a: int = -1
    b: float = 2.1
    c: str = "Hello, Flyte"
    d: bool = False
    e: List[int] = field(default_factory=lambda: [0, 1, 2, -1, -2])
    f: List[List[int]] = field(default_factory=lambda: [[0], [1], [-1]])
    g: List[Dict[int, bool]] = field(default_factory=lambda: [{0: False}, {1: True}, {-1: True}])
    h: Dict[int, bool] = field(default_factory=lambda: {0: False, 1: True, -1: False})
    i: Dict[int, List[int]] = field(default_factory=lambda: {0: [0, 1, -1]})
    j: Dict[int, Dict[int, int]] = field(default_factory=lambda: {1: {-1: 0}})
    k: dict = field(default_factory=lambda: {"key": "value"})  # type: ignore[type-arg]
    enum_status: Status = field(default=Status.PENDING)


@dataclass
class DC:
    a: int = -1
    inner_dc: InnerDC = field(default_factory=InnerDC)
    enum_status: Status = field(default=Status.PENDING)


@pytest.mark.parametrize(
    ("t", "value"),
    [
        (List[int], [1, -2, 3]),
        (List[float], [1.0, -2.0, 3.0]),
        (List[str], ["a", "b", "c"]),
        (List[bool], [True, False, True]),
        (List[List[int]], [[1, -2], [-3, 4]]),
        (List[List[str]], [["a", "b"], ["c", "d"]]),
        (List[Dict[str, int]], [{"key1": -1, "key2": 2}]),
        (List[Dict[str, float]], [{"key1": 1.0, "key2": -2.0}]),
        (List[Dict[int, InnerDC]], [{1: InnerDC(), -1: InnerDC(), 0: InnerDC()}]),
        (List[Dict[int, DC]], [{1: DC(), -1: DC()}]),
        (List[List[InnerDC]], [[InnerDC(), InnerDC()]]),
        (Dict[str, int], {"key1": 1, "key2": -2}),
        (Dict[str, float], {"key1": 1.0, "key2": -2.0}),
        (Dict[str, List[int]], {"key1": [1, -2]}),
        (Dict[str, DC], {"x": DC()}),
        (Dict[int, str], {1: "a", -1: "b"}),
        (DC, DC()),
    ],
)
def test_containers_and_dataclasses_read_from_msgpack_binary(ctx: TransformContext, t: Any, value: Any) -> None:
    """flytekit test_type_engine_binary_idl: test_list_transformer, test_dict_transformer."""
    lv = _binary(MessagePackEncoder(t).encode(value))
    assert ctx.engine.to_python_value(ctx, lv, t) == value


def test_a_union_reads_a_msgpack_binary_with_the_variant_of_its_type(ctx: TransformContext) -> None:
    """flytekit: SimpleTransformer.from_binary_idl's example, ``DC.a: Union[int, bool, str, float]``."""
    pt = typing.Union[int, bool, str, float]
    assert ctx.engine.to_python_value(ctx, _binary(msgpack.packb(1)), pt) == 1
    assert ctx.engine.to_python_value(ctx, _binary(msgpack.packb(True)), pt) is True
    assert ctx.engine.to_python_value(ctx, _binary(msgpack.packb("1")), pt) == "1"
    assert ctx.engine.to_python_value(ctx, _binary(msgpack.packb(1.5)), pt) == 1.5


# ---------------------------------------------------------------- generic structs, Console numbers


def test_backward_compatible_with_untyped_dict_in_protobuf_struct(ctx: TransformContext) -> None:
    """flytekit test_type_engine_binary_idl: test_backward_compatible_with_untyped_dict_in_protobuf_struct (1.13's JSON form)."""
    dict_input = {"a": 1.0, "b": "str", "c": False, "d": True, "e": [1.0, 2.0, -1.0, 0.0], "f": {"a": {"b": [1.0, -1.0]}}}
    upstream_output = Literal(scalar=Scalar(generic=dict_input), metadata={"format": "json"})
    assert ctx.engine.to_python_value(ctx, upstream_output, dict) == dict_input
    assert ctx.engine.to_python_value(ctx, Literal(scalar=Scalar(generic=dict_input)), typing.Dict[str, Any]) == dict_input


def test_an_integral_float_reads_as_an_int(ctx: TransformContext) -> None:
    """flytekit: _handle_flyte_console_float_input_to_int (Console sends every number as a float)."""
    assert ctx.engine.to_python_value(ctx, Literal(scalar=Scalar(primitive=Primitive(float_value=3.0))), int) == 3
    assert ctx.engine.to_python_value(ctx, Literal(scalar=Scalar(primitive=Primitive(float_value=-2.0))), Optional[int]) == -2
    # flytekit truncates 3.5 to 3; typeflow refuses to lose the fraction (README, "Differences from flytekit")
    with pytest.raises(TypeTransformerFailedError, match=r"3\.5"):
        ctx.engine.to_python_value(ctx, Literal(scalar=Scalar(primitive=Primitive(float_value=3.5))), int)
