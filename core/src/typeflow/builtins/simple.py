"""int, float, str, bool, datetime, date, timedelta, bytes and None.

Each primitive transformer also speaks the packed protocol of
:mod:`typeflow.builtins.packing`: ``pack_column`` checks and packs a whole list
in C where it can (raising on any bad element, so the caller converts one by
one and reports the path), and ``unpack_column`` turns a column back into a list.
"""

from __future__ import annotations

import array
import datetime as _dt
import operator
from collections.abc import Iterable
from itertools import repeat
from typing import Any

import msgpack

from typeflow.columns import MIDNIGHT_UTC, Column, DatetimeColumn, PrimitiveColumn, check_durations, int64_array
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import INT64_MAX, INT64_MIN, Binary, Literal, LiteralType, Primitive, Scalar, SimpleType, Void
from typeflow.transformer import TransformContext, TypeTransformer

from . import pickled_bytes
from .flyte_forms import MSGPACK, msgpack_bytes, read_msgpack_simple
from .packing import CannotPack, check_types, failed_element

NoneType = type(None)


def literal_kind(lv: Literal) -> str:
    """A short description of what a literal holds, for error messages."""
    if lv.scalar is not None:
        s = lv.scalar
        if s.primitive is not None:
            return f"a {s.primitive.kind} primitive"
        for name in s.VARIANTS:
            if getattr(s, name) is not None:
                return f"a {name} scalar"
    return f"a {lv.variant} literal"


class PrimitiveTransformer(TypeTransformer[Any]):
    """Shared shape of the primitive transformers."""

    simple: SimpleType
    kind: str
    #: the tag of a binary column
    packed_tag = ""

    def __init__(self, name: str, t: type) -> None:
        super().__init__(name, t)
        self._literal_type = LiteralType(simple=self.simple)

    def get_literal_type(self, t: Any = None) -> LiteralType:
        return self._literal_type

    def to_raw(self, value: Any, python_type: Any) -> Any:
        """Validate one value and return what the :class:`Primitive` field holds."""
        raise NotImplementedError

    def assert_type(self, t: Any, v: Any) -> None:
        """The check :meth:`to_raw` makes (an int for a float is fine; a bool for an int is not)."""
        self.to_raw(v, t)

    def from_primitive(self, p: Primitive, lv: Literal, python_type: Any) -> Any:
        value = getattr(p, self.kind)
        if value is None:
            raise TypeTransformerFailedError(f"cannot read {literal_kind(lv)} as {self.name}", python_type=python_type)
        return value

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        return Literal(scalar=Scalar(primitive=Primitive(**{self.kind: self.to_raw(python_val, python_type)})))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        p = lv.scalar.primitive if lv.scalar is not None else None
        if p is None:
            data = msgpack_bytes(lv)
            if data is not None:  # a value Flyte resolved out of a dataclass (attribute access)
                return read_msgpack_simple(data, self.python_type)
            raise TypeTransformerFailedError(f"cannot read {literal_kind(lv)} as {self.name}", python_type=expected_python_type)
        return self.from_primitive(p, lv, expected_python_type)

    def pack_column(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        """A column of ``values``; raises if any is not a plain value of this type."""
        return PrimitiveColumn.unchecked(self.kind, self.pack_values(values), self.packed_tag)

    def pack_values(self, values: list[Any]) -> Any:
        """``values`` checked and in the column's storage form (see :class:`PrimitiveColumn`)."""
        raise NotImplementedError

    def unpack_column(self, ctx: TransformContext, column: Column, python_type: Any) -> list[Any] | None:
        if isinstance(column, PrimitiveColumn) and column.kind == self.kind and column.tag == self.packed_tag:
            return self.unpack_values(column)
        return None

    def unpack_values(self, column: PrimitiveColumn) -> list[Any]:
        values = column.values
        return values.tolist() if isinstance(values, array.array) else list(values)

    def own_storage(self, column: Column) -> Iterable[Any] | None:
        """``column``'s storage when it is of this transformer's own kind (for ``iter_column``), else ``None``."""
        if isinstance(column, PrimitiveColumn) and column.kind == self.kind and column.tag == self.packed_tag:
            values: Iterable[Any] = column.values
            return values
        return None

    #: column kinds besides its own that an element of this type may be read from
    also_reads: tuple[tuple[str, str], ...] = ()

    def reads_kinds(self, python_type: Any) -> tuple[tuple[str, str], ...]:
        """Its own kind, what :meth:`from_primitive` converts, and the msgpack binaries Flyte makes of a field."""
        return ((self.kind, self.packed_tag), ("binary", MSGPACK), *self.also_reads)

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        # metadata or an annotation means a more specific type (a plugin's) wrote this literal
        if literal_type.simple == self.simple and literal_type.metadata is None and literal_type.annotation is None:
            return self.python_type
        raise ValueError(f"{self.name} does not reverse {literal_type}")


class IntTransformer(PrimitiveTransformer):
    simple = SimpleType.INTEGER
    kind = "integer"

    def __init__(self) -> None:
        super().__init__("int", int)

    def to_raw(self, value: Any, python_type: Any) -> int:
        # bool is an int subclass, but flytekit refuses True for int, and so does typeflow
        if isinstance(value, (float, bool)) or not hasattr(type(value), "__index__"):
            raise TypeTransformerFailedError("expected an integer", python_type=python_type, value=value)
        number = operator.index(value)
        if not INT64_MIN <= number <= INT64_MAX:
            raise TypeTransformerFailedError(
                "integer outside the signed 64-bit range literals hold",
                python_type=python_type,
                value=value,
                hint="store it as a str (or Decimal via a custom transformer) instead",
            )
        return number

    def from_primitive(self, p: Primitive, lv: Literal, python_type: Any) -> Any:
        f = p.float_value
        if f is not None:  # Flyte Console sends every number as a float
            if f.is_integer():
                return int(f)
            raise TypeTransformerFailedError(
                f"cannot read the float {f!r} as an int without losing its fraction", python_type=python_type
            )
        return super().from_primitive(p, lv, python_type)

    also_reads = (("float_value", ""),)

    def unpack_column(self, ctx: TransformContext, column: Column, python_type: Any) -> list[Any] | None:
        if isinstance(column, PrimitiveColumn) and column.kind == "float_value":  # whole floats, as one by one
            floats = column.values
            if all(map(float.is_integer, floats)):
                return list(map(int, floats))
            raise failed_element(ctx, column, list(map(float.is_integer, floats)).index(False), python_type)
        return super().unpack_column(ctx, column, python_type)

    def pack_exact(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        """Values all of exactly ``int`` (no bools among them): only the range is checked."""
        return PrimitiveColumn.unchecked(self.kind, int64_array(values))

    def iter_column(self, ctx: TransformContext, column: Column, python_type: Any) -> Iterable[Any] | None:
        """An integer column's int64 array: iterating it gives the ints (see ``packing.iterate``)."""
        return self.own_storage(column)

    def pack_values(self, values: list[Any]) -> Any:
        # checks every element is integer-like and in range, in C, but takes bools
        if bool in set(map(type, values)):
            raise TypeError("a bool among the ints")
        return int64_array(values)


class FloatTransformer(PrimitiveTransformer):
    simple = SimpleType.FLOAT
    kind = "float_value"

    def __init__(self) -> None:
        super().__init__("float", float)

    def to_raw(self, value: Any, python_type: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeTransformerFailedError("expected a float (or int)", python_type=python_type, value=value)
        try:
            return float(value)
        except OverflowError:
            raise TypeTransformerFailedError("integer too large for a float", python_type=python_type, value=value) from None

    def pack_values(self, values: list[Any]) -> Any:
        check_types(values, {float, int}, "floats")
        return array.array("d", values)

    def pack_exact(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        return PrimitiveColumn.unchecked(self.kind, array.array("d", values))

    def iter_column(self, ctx: TransformContext, column: Column, python_type: Any) -> Iterable[Any] | None:
        """A float column's float64 array (see ``packing.iterate``)."""
        return self.own_storage(column)

    also_reads = (("integer", ""),)

    def unpack_column(self, ctx: TransformContext, column: Column, python_type: Any) -> list[Any] | None:
        if isinstance(column, PrimitiveColumn) and column.kind == "integer":  # ints read as floats, as one by one
            return list(map(float, column.values))  # twice as fast as through array('d')
        return super().unpack_column(ctx, column, python_type)

    def from_primitive(self, p: Primitive, lv: Literal, python_type: Any) -> Any:
        if p.integer is not None:  # an int literal reads as a float, as in flytekit
            return float(p.integer)
        return super().from_primitive(p, lv, python_type)


class StrTransformer(PrimitiveTransformer):
    simple = SimpleType.STRING
    kind = "string_value"

    def __init__(self) -> None:
        super().__init__("str", str)

    def pack_values(self, values: list[Any]) -> Any:
        if values and not set(map(type, values)) <= {str}:
            return tuple(map(self._plain, values))
        return tuple(values)

    def pack_exact(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        return PrimitiveColumn.unchecked(self.kind, values)  # a new list of plain strs (see packing.pack_exact)

    def iter_column(self, ctx: TransformContext, column: Column, python_type: Any) -> Iterable[Any] | None:
        """A string column's tuple or list of strs (see ``packing.iterate``)."""
        return self.own_storage(column)

    @staticmethod
    def _plain(value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError("not all str")
        return str.__str__(value)

    def to_raw(self, value: Any, python_type: Any) -> str:
        if not isinstance(value, str):
            raise TypeTransformerFailedError("expected a str", python_type=python_type, value=value)
        return str.__str__(value)  # the plain str of a str subclass, without its __str__


#: msgpack writes False and True as these single bytes
_MSGPACK_FALSE_TRUE = b"\xc2\xc3"
_TO_BITS = bytes.maketrans(_MSGPACK_FALSE_TRUE, b"\x00\x01")
_FROM_BITS = bytes.maketrans(b"\x00\x01", _MSGPACK_FALSE_TRUE)


def _msgpack_array_header(n: int) -> bytes:
    if n < 16:
        return bytes((0x90 | n,))
    if n < 2**16:
        return b"\xdc" + n.to_bytes(2, "big")
    return b"\xdd" + n.to_bytes(4, "big")


class BoolTransformer(PrimitiveTransformer):
    """bool; a list of bools is one 0/1 byte per element.

    msgpack writes a bool as one byte, so packing a list with msgpack and
    checking that nothing else was written proves every element a bool, in C;
    reading back goes the other way. Both run at msgpack's own speed.
    """

    simple = SimpleType.BOOLEAN
    kind = "boolean"

    def __init__(self) -> None:
        super().__init__("bool", bool)

    def pack_values(self, values: list[Any]) -> Any:
        body = msgpack.packb(values)
        payload = body[len(_msgpack_array_header(len(values))) :]
        if len(payload) != len(values) or payload.translate(None, _MSGPACK_FALSE_TRUE):
            raise TypeError("not all bool")
        return payload.translate(_TO_BITS)

    def pack_exact(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        return PrimitiveColumn.unchecked(self.kind, bytes(values))

    def unpack_values(self, column: PrimitiveColumn) -> list[Any]:
        bits: bytes = column.values
        out: list[Any] = msgpack.unpackb(_msgpack_array_header(len(bits)) + bits.translate(_FROM_BITS))
        return out

    def to_raw(self, value: Any, python_type: Any) -> bool:
        if type(value) is not bool:
            raise TypeTransformerFailedError("expected a bool", python_type=python_type, value=value)
        return value


class DatetimeTransformer(PrimitiveTransformer):
    """Aware datetimes keep their instant and come back in UTC; naive ones come back naive."""

    simple = SimpleType.DATETIME
    kind = "datetime"

    def __init__(self) -> None:
        super().__init__("datetime", _dt.datetime)

    def pack_column(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        check_types(values, {_dt.datetime}, "datetime")  # subclasses (pandas.Timestamp) go one by one
        return DatetimeColumn(values)

    def unpack_column(self, ctx: TransformContext, column: Column, python_type: Any) -> list[Any] | None:
        return column.tolist() if isinstance(column, DatetimeColumn) else None

    def to_raw(self, value: Any, python_type: Any) -> _dt.datetime:
        if not isinstance(value, _dt.datetime):
            raise TypeTransformerFailedError("expected a datetime.datetime", python_type=python_type, value=value)
        if type(value) is not _dt.datetime:  # e.g. pandas.Timestamp: keep the value, drop the subclass
            return _dt.datetime(
                value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond, value.tzinfo
            )
        plain: _dt.datetime = value
        return plain


class DateTransformer(PrimitiveTransformer):
    """A date is stored as midnight UTC of that day (a DATETIME literal), as flytekit reads it.

    The midnight is aware: a DATETIME travels to Flyte as a protobuf
    ``Timestamp``, an instant, which comes back aware; a naive midnight would
    not equal itself after the trip. Any DATETIME reads as its UTC date.
    """

    simple = SimpleType.DATETIME
    kind = "datetime"

    def __init__(self) -> None:
        super().__init__("date", _dt.date)

    def to_raw(self, value: Any, python_type: Any) -> _dt.datetime:
        if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
            raise TypeTransformerFailedError("expected a datetime.date", python_type=python_type, value=value)
        return _dt.datetime(value.year, value.month, value.day, tzinfo=_dt.timezone.utc)

    def from_primitive(self, p: Primitive, lv: Literal, python_type: Any) -> Any:
        stored: _dt.datetime = super().from_primitive(p, lv, python_type)
        return stored.date()

    def pack_column(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        check_types(values, {_dt.date}, "date")
        return DatetimeColumn.unchecked(tuple(map(_dt.datetime.combine, values, repeat(MIDNIGHT_UTC))), False)

    def unpack_column(self, ctx: TransformContext, column: Column, python_type: Any) -> list[Any] | None:
        # an instant's UTC date: a naive datetime's own date, an aware one's date in UTC
        return list(map(_dt.datetime.date, column.instants)) if isinstance(column, DatetimeColumn) else None

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        raise ValueError("DATETIME reverses to datetime, not date")


class TimedeltaTransformer(PrimitiveTransformer):
    simple = SimpleType.DURATION
    kind = "duration"

    def __init__(self) -> None:
        super().__init__("timedelta", _dt.timedelta)

    def to_raw(self, value: Any, python_type: Any) -> _dt.timedelta:
        if not isinstance(value, _dt.timedelta):
            raise TypeTransformerFailedError("expected a datetime.timedelta", python_type=python_type, value=value)
        return _dt.timedelta(value.days, value.seconds, value.microseconds)

    def pack_values(self, values: list[Any]) -> Any:
        check_durations(values)  # longer than ~8,000 years: those lists are held one literal per element
        return tuple(values)


class BytesTransformer(PrimitiveTransformer):
    """bytes (or bytearray/memoryview) as a ``Binary`` tagged ``bytes``.

    Under the flytekit profiles a value is written as flytekit writes it, a
    pickle (see :mod:`.pickled_bytes`), and lists and maps of bytes are not
    packed, so that each element is its own pickle. Whatever the profile, a
    pickle blob is read too. The literal type stays ``BINARY``: it is built
    without a context.
    """

    simple = SimpleType.BINARY
    kind = "binary"
    packed_tag = "bytes"

    def __init__(self) -> None:
        super().__init__("bytes", bytes)

    def pack_column(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        if pickled_bytes.writes_pickle(ctx):
            raise CannotPack(f"the {ctx.profile} profile writes each bytes value as its own pickle")
        return super().pack_column(ctx, values, python_type)

    def pack_values(self, values: list[Any]) -> Any:
        if values and not set(map(type, values)) <= {bytes}:
            return tuple(self.to_raw(v, bytes) for v in values)
        return tuple(values)

    def reads_kinds(self, python_type: Any) -> tuple[tuple[str, str], ...]:
        return (("binary", self.packed_tag),)  # not msgpack: bytes read only bytes-tagged binaries

    def to_raw(self, value: Any, python_type: Any) -> bytes:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeTransformerFailedError("expected bytes", python_type=python_type, value=value)
        return bytes(value)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        raw = self.to_raw(python_val, python_type)
        if pickled_bytes.writes_pickle(ctx):
            return pickled_bytes.write(ctx, raw, python_type)
        return Literal(scalar=Scalar(binary=Binary(raw, self.packed_tag)))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        if pickled_bytes.is_pickle_blob(lv):  # flytekit's form (it pickles bytes)
            return pickled_bytes.read(ctx, lv, expected_python_type)
        b = lv.scalar.binary if lv.scalar is not None else None
        if b is None or b.tag != self.packed_tag:
            raise TypeTransformerFailedError(f"cannot read {literal_kind(lv)} as bytes", python_type=expected_python_type)
        return b.value


class NoneTransformer(TypeTransformer[None]):
    accepts_none = True

    def __init__(self) -> None:
        super().__init__("none", NoneType)

    def get_literal_type(self, t: Any = None) -> LiteralType:
        return LiteralType(simple=SimpleType.NONE)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        if python_val is not None:
            raise TypeTransformerFailedError("expected None", python_type=python_type, value=python_val)
        return Literal(scalar=Scalar(none_type=Void()))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> None:
        if lv.scalar is None or lv.scalar.none_type is None:
            raise TypeTransformerFailedError(f"cannot read {literal_kind(lv)} as None", python_type=expected_python_type)
        return None

    def reads_kinds(self, python_type: Any) -> tuple[tuple[str, str], ...]:
        return (("none", ""),)

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.simple == SimpleType.NONE:
            return NoneType
        raise ValueError(f"none does not reverse {literal_type}")


def transformers() -> list[TypeTransformer[Any]]:
    return [
        IntTransformer(),
        FloatTransformer(),
        StrTransformer(),
        BoolTransformer(),
        DatetimeTransformer(),
        DateTransformer(),
        TimedeltaTransformer(),
        BytesTransformer(),
        NoneTransformer(),
    ]
