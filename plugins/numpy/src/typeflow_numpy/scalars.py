"""Numpy scalars (``np.float32``, ``np.int64``, ``np.bool_``, …) ↔ primitive literals.

A value declared as a numpy scalar type comes back as that type:
``np.float32`` → FLOAT → ``np.float32``. Values that the declared type or a
primitive cannot hold exactly are refused, never wrapped or rounded:
``np.uint64`` above 2**63-1, ``np.datetime64`` finer than a microsecond, NaT.

Complex scalars have no primitive; store them in a 0-d array (``np.ndarray``).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np

from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import INT64_MAX, INT64_MIN, Binary, Literal, LiteralType, Primitive, Scalar, SimpleType
from typeflow.transformer import TransformContext, TypeTransformer

__all__ = [
    "FLOAT_TYPES",
    "INTEGER_TYPES",
    "NumpyBoolTransformer",
    "NumpyBytesTransformer",
    "NumpyDatetimeTransformer",
    "NumpyFloatTransformer",
    "NumpyIntegerTransformer",
    "NumpyScalarTransformer",
    "NumpyStrTransformer",
    "NumpyTimedeltaTransformer",
    "transformers",
]


def _unique(types: list[Any]) -> tuple[type[np.generic], ...]:
    out: list[type[np.generic]] = []
    for t in types:
        if isinstance(t, type) and t not in out:
            out.append(t)
    return tuple(out)


FLOAT_TYPES = _unique([np.float16, np.float32, np.float64])
INTEGER_TYPES = _unique(
    [
        *(np.int8, np.int16, np.int32, np.int64, np.intc, np.int_, np.longlong),
        *(np.uint8, np.uint16, np.uint32, np.uint64, np.uintc, np.uint, np.ulonglong),
    ]
)


class NumpyScalarTransformer(TypeTransformer[Any]):
    """Shared shape: one numpy scalar type ↔ one :class:`Primitive` field."""

    simple: SimpleType
    kind: str

    def __init__(self, scalar: type[np.generic]) -> None:
        super().__init__(f"numpy.{scalar.__name__}", scalar)
        self._literal_type = LiteralType(simple=self.simple)

    def get_literal_type(self, t: Any = None) -> LiteralType:
        return self._literal_type

    def assert_type(self, t: Any, v: Any) -> None:
        self.to_raw(v, t)

    def to_raw(self, value: Any, python_type: Any) -> Any:
        """Check ``value`` and return what the primitive field holds."""
        raise NotImplementedError

    def from_raw(self, raw: Any, python_type: Any) -> Any:
        """The numpy scalar for a primitive's value."""
        return self.python_type(raw)

    def refuse(self, reason: str, python_type: Any, value: Any = ..., hint: str | None = None) -> TypeTransformerFailedError:
        return TypeTransformerFailedError(reason, python_type=python_type, value=value, hint=hint)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        return Literal(scalar=Scalar(primitive=Primitive(**{self.kind: self.to_raw(python_val, python_type)})))

    def primitive_value(self, lv: Literal, python_type: Any) -> Any:
        p = lv.scalar.primitive if lv.scalar is not None else None
        value = getattr(p, self.kind, None) if p is not None else None
        if value is None:
            shown = f"a {p.kind} primitive" if p is not None else f"a {lv.variant} literal"
            raise self.refuse(f"cannot read {shown} as {self.name}", python_type)
        return value

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        return self.from_raw(self.primitive_value(lv, expected_python_type), expected_python_type)


class NumpyFloatTransformer(NumpyScalarTransformer):
    """``np.float16/32/64`` ↔ FLOAT; the value is first held as the declared type."""

    simple = SimpleType.FLOAT
    kind = "float_value"

    def to_raw(self, value: Any, python_type: Any) -> float:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise self.refuse("expected a float", python_type, value)
        try:
            source = float(value)
        except OverflowError:
            raise self.refuse("integer too large for a float", python_type, value) from None
        with np.errstate(over="ignore"):
            held = self.python_type(source)
        if np.isinf(held) and not np.isinf(source):
            raise self.refuse(f"value outside the range of {self.name}", python_type, value)
        return float(held)

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        p = lv.scalar.primitive if lv.scalar is not None else None
        if p is not None and p.integer is not None:  # an int literal reads as a float, as for float
            return self.python_type(p.integer)
        return super().to_python_value(ctx, lv, expected_python_type)


class NumpyIntegerTransformer(NumpyScalarTransformer):
    """Signed and unsigned numpy integers ↔ INTEGER (a signed 64-bit literal)."""

    simple = SimpleType.INTEGER
    kind = "integer"

    def _check_range(self, number: int, python_type: Any, value: Any) -> None:
        info = np.iinfo(self.python_type)
        low, high = max(int(info.min), INT64_MIN), min(int(info.max), INT64_MAX)
        if not low <= number <= high:
            hint = "integer literals are signed 64-bit; store larger values as str" if number > INT64_MAX else None
            raise self.refuse(f"integer outside the range {low}..{high} of {self.name}", python_type, value, hint)

    def to_raw(self, value: Any, python_type: Any) -> int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise self.refuse("expected an integer", python_type, value)
        number = int(value)
        self._check_range(number, python_type, value)
        return number

    def from_raw(self, raw: Any, python_type: Any) -> Any:
        self._check_range(raw, python_type, raw)
        return self.python_type(raw)


class NumpyBoolTransformer(NumpyScalarTransformer):
    simple = SimpleType.BOOLEAN
    kind = "boolean"

    def to_raw(self, value: Any, python_type: Any) -> bool:
        if not isinstance(value, (bool, np.bool_)):
            raise self.refuse("expected a bool", python_type, value)
        return bool(value)


class NumpyStrTransformer(NumpyScalarTransformer):
    simple = SimpleType.STRING
    kind = "string_value"

    def to_raw(self, value: Any, python_type: Any) -> str:
        if not isinstance(value, str):
            raise self.refuse("expected a str", python_type, value)
        return str.__str__(value)


class NumpyBytesTransformer(NumpyScalarTransformer):
    """``np.bytes_`` ↔ a ``Binary`` tagged ``bytes``, as ``bytes`` is."""

    simple = SimpleType.BINARY
    kind = "binary"

    def to_raw(self, value: Any, python_type: Any) -> bytes:
        if not isinstance(value, bytes):
            raise self.refuse("expected bytes", python_type, value)
        return bytes(value)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        return Literal(scalar=Scalar(binary=Binary(self.to_raw(python_val, python_type), "bytes")))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        b = lv.scalar.binary if lv.scalar is not None else None
        if b is None or b.tag != "bytes":
            raise self.refuse(f"cannot read a {lv.variant} literal as {self.name}", expected_python_type)
        return self.python_type(b.value)


class NumpyDatetimeTransformer(NumpyScalarTransformer):
    """``np.datetime64`` ↔ DATETIME (microseconds); comes back as ``datetime64[us]``."""

    simple = SimpleType.DATETIME
    kind = "datetime"

    def to_raw(self, value: Any, python_type: Any) -> _dt.datetime:
        if isinstance(value, _dt.datetime):
            return value
        if not isinstance(value, np.datetime64):
            raise self.refuse("expected a numpy.datetime64", python_type, value)
        if np.isnat(value):
            raise self.refuse("NaT has no DATETIME literal", python_type, value, "use Optional[...] and None instead")
        micro = value.astype("datetime64[us]")
        item = micro.item()
        if micro != value or not isinstance(item, _dt.datetime):
            raise self.refuse("datetime64 outside what a DATETIME literal holds (microseconds, years 1-9999)", python_type, value)
        return item

    def from_raw(self, raw: Any, python_type: Any) -> Any:
        if raw.tzinfo is not None:  # datetime64 has no time zone: keep the instant, in UTC
            raw = raw.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return np.datetime64(raw, "us")


class NumpyTimedeltaTransformer(NumpyScalarTransformer):
    """``np.timedelta64`` ↔ DURATION (microseconds); comes back as ``timedelta64[us]``."""

    simple = SimpleType.DURATION
    kind = "duration"

    def to_raw(self, value: Any, python_type: Any) -> _dt.timedelta:
        if isinstance(value, _dt.timedelta):
            return value
        if not isinstance(value, np.timedelta64):
            raise self.refuse("expected a numpy.timedelta64", python_type, value)
        if np.isnat(value):
            raise self.refuse("NaT has no DURATION literal", python_type, value, "use Optional[...] and None instead")
        if np.datetime_data(value.dtype)[0] in ("Y", "M"):
            raise self.refuse("a timedelta64 in months or years has no fixed length", python_type, value)
        micro = value.astype("timedelta64[us]")
        item = micro.item()
        if micro != value or not isinstance(item, _dt.timedelta):
            raise self.refuse("timedelta64 outside what a DURATION literal holds (microseconds)", python_type, value)
        return item

    def from_raw(self, raw: Any, python_type: Any) -> Any:
        return np.timedelta64(raw, "us")


def transformers() -> list[NumpyScalarTransformer]:
    """One transformer per numpy scalar type this plugin maps to a primitive."""
    out: list[NumpyScalarTransformer] = [NumpyFloatTransformer(t) for t in FLOAT_TYPES]
    out += [NumpyIntegerTransformer(t) for t in INTEGER_TYPES]
    out += [
        NumpyBoolTransformer(np.bool_),
        NumpyStrTransformer(np.str_),
        NumpyBytesTransformer(np.bytes_),
        NumpyDatetimeTransformer(np.datetime64),
        NumpyTimedeltaTransformer(np.timedelta64),
    ]
    return out
