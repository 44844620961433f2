"""Numpy scalars ↔ primitive literals, coming back as the declared numpy type."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from typeflow import TransformContext, TypeEngine
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import LiteralType, SimpleType

from ..helpers import roundtrip


@pytest.fixture
def loaded(ctx: TransformContext) -> TransformContext:
    """A context whose engine has loaded typeflow-numpy (converting an array loads it)."""
    ctx.engine.get_transformer(np.ndarray)
    return ctx


CASES: list[tuple[Any, Any, SimpleType]] = [
    (np.float64, np.float64(0.1), SimpleType.FLOAT),
    (np.float32, np.float32(1.1), SimpleType.FLOAT),
    (np.float16, np.float16(-2.5), SimpleType.FLOAT),
    (np.int8, np.int8(-128), SimpleType.INTEGER),
    (np.int16, np.int16(300), SimpleType.INTEGER),
    (np.int32, np.int32(-(2**31)), SimpleType.INTEGER),
    (np.int64, np.int64(2**63 - 1), SimpleType.INTEGER),
    (np.uint8, np.uint8(255), SimpleType.INTEGER),
    (np.uint16, np.uint16(65535), SimpleType.INTEGER),
    (np.uint32, np.uint32(2**32 - 1), SimpleType.INTEGER),
    (np.uint64, np.uint64(2**63 - 1), SimpleType.INTEGER),
    (np.bool_, np.bool_(True), SimpleType.BOOLEAN),
    (np.str_, np.str_("héllo"), SimpleType.STRING),
    (np.bytes_, np.bytes_(b"ab"), SimpleType.BINARY),
    (np.datetime64, np.datetime64("2024-02-29T12:34:56.123456"), SimpleType.DATETIME),
    (np.timedelta64, np.timedelta64(90, "m"), SimpleType.DURATION),
]


@pytest.mark.parametrize(("t", "value", "simple"), CASES, ids=[c[0].__name__ for c in CASES])
def test_numpy_scalar_round_trips_as_its_own_type(loaded: TransformContext, t: Any, value: Any, simple: SimpleType) -> None:
    assert loaded.engine.to_literal_type(t) == LiteralType(simple=simple)
    back = roundtrip(loaded, value, t)
    assert type(back) is t
    assert back == value


def test_a_numpy_scalar_is_a_plain_primitive_literal(loaded: TransformContext) -> None:
    assert loaded.engine.to_literal(loaded, np.int32(5), np.int32) == loaded.engine.to_literal(loaded, 5, int)
    assert loaded.engine.to_literal(loaded, np.bool_(False), np.bool_) == loaded.engine.to_literal(loaded, False, bool)
    assert loaded.engine.to_literal(loaded, np.float32(0.5), np.float32) == loaded.engine.to_literal(loaded, 0.5, float)


def test_python_numbers_are_accepted_for_numpy_scalar_types(loaded: TransformContext) -> None:
    assert type(roundtrip(loaded, 3, np.int16)) is np.int16
    assert roundtrip(loaded, 0.1, np.float32) == np.float32(0.1)
    assert type(roundtrip(loaded, True, np.bool_)) is np.bool_
    assert roundtrip(loaded, dt.timedelta(seconds=1), np.timedelta64) == np.timedelta64(1, "s")


def test_int_and_float_literals_read_as_numpy_floats(loaded: TransformContext) -> None:
    lv = loaded.engine.to_literal(loaded, 7, int)
    back = loaded.engine.to_python_value(loaded, lv, np.float32)
    assert type(back) is np.float32 and back == 7


def test_numpy_scalar_types_leave_builtin_literal_types_to_the_builtins(loaded: TransformContext) -> None:
    assert loaded.engine.guess_python_type(LiteralType(simple=SimpleType.FLOAT)) is float
    assert loaded.engine.guess_python_type(LiteralType(simple=SimpleType.INTEGER)) is int


@pytest.mark.parametrize(
    ("t", "value", "message"),
    [
        (np.int8, 128, r"range -128..127 of numpy.int8"),
        (np.uint8, -1, r"range 0..255"),
        (np.uint64, np.uint64(2**63), r"signed 64-bit"),
        (np.int64, 1.5, "expected an integer"),
        (np.int64, True, "expected an integer"),
        (np.float32, 1e300, "outside the range of numpy.float32"),
        (np.float64, 10**400, "too large for a float"),
        (np.float64, "1.0", "expected a float"),
        (np.bool_, 1, "expected a bool"),
        (np.str_, b"x", "expected a str"),
        (np.datetime64, np.datetime64("NaT"), "NaT has no DATETIME"),
        (np.datetime64, np.datetime64("2024-01-01T00:00:00.000000001"), "microseconds"),
        (np.timedelta64, np.timedelta64(1, "ns"), "microseconds"),
        (np.timedelta64, np.timedelta64(1, "M"), "months or years"),
    ],
)
def test_values_a_numpy_scalar_or_a_primitive_cannot_hold_are_refused(
    loaded: TransformContext, t: Any, value: Any, message: str
) -> None:
    with pytest.raises(TypeTransformerFailedError, match=message):
        loaded.engine.to_literal(loaded, value, t)


def test_reading_an_integer_outside_the_declared_type_is_refused(loaded: TransformContext) -> None:
    lv = loaded.engine.to_literal(loaded, 1000, int)
    with pytest.raises(TypeTransformerFailedError, match=r"range -128\.\.127"):
        loaded.engine.to_python_value(loaded, lv, np.int8)


def test_reading_a_literal_of_another_kind_is_refused(loaded: TransformContext) -> None:
    lv = loaded.engine.to_literal(loaded, "x", str)
    with pytest.raises(TypeTransformerFailedError, match=r"cannot read a string_value primitive as numpy\.int64"):
        loaded.engine.to_python_value(loaded, lv, np.int64)


def test_aware_datetime_reads_back_as_the_same_utc_instant(loaded: TransformContext) -> None:
    aware = dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    back = roundtrip(loaded, aware, np.datetime64)
    assert back == np.datetime64("2024-01-01T10:00:00")


def test_list_of_numpy_scalars_round_trips_element_by_element(loaded: TransformContext) -> None:
    values = [np.int32(1), np.int32(-2)]
    back = roundtrip(loaded, values, list[np.int32])
    assert back == values and all(type(v) is np.int32 for v in back)  # type: ignore[union-attr]


_ENGINE = TypeEngine()


@settings(max_examples=100, deadline=None)
@given(st.floats(width=32))
def test_any_float32_round_trips_exactly(value: float) -> None:
    ctx = _ENGINE.context()
    x = np.float32(value)
    back = _ENGINE.to_python_value(ctx, _ENGINE.to_literal(ctx, x, np.float32), np.float32)
    assert type(back) is np.float32
    assert back.tobytes() == x.tobytes() or (np.isnan(x) and np.isnan(back))


def test_numpy_int_on_a_fresh_engine_loads_the_plugin(ctx: TransformContext) -> None:
    back = roundtrip(ctx, np.int64(3), np.int64)
    assert type(back) is np.int64


def test_numpy_float64_on_a_fresh_engine_comes_back_as_float64(ctx: TransformContext) -> None:
    back = roundtrip(ctx, np.float64(0.5), np.float64)
    assert type(back) is np.float64
