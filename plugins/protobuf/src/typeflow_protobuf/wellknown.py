"""Well-known types whose JSON form is not an object, as typeflow's own primitive literals.

flytekit cannot store these at all (its struct cannot hold a JSON string or
number); typeflow gives them the literal types their values mean:
``Timestamp`` → DATETIME, ``Duration`` → DURATION, the wrappers
(``Int64Value`` …) → their primitive, ``FieldMask`` → STRING. Each literal
type also records the message type under ``pb_type``, as for any message.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message

from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import INT64_MAX, INT64_MIN, Binary, Literal, Primitive, Scalar, SimpleType

__all__ = ["SCALAR_FORMS", "ScalarForm", "scalar_form"]

_EPOCH = _dt.datetime(1970, 1, 1)
_UTC_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


@dataclass(frozen=True)
class ScalarForm:
    """How one well-known message maps to a primitive literal and back."""

    simple: SimpleType
    write: Callable[[Any], Literal]
    read: Callable[[Literal, Any], Any]


def _primitive(**kw: Any) -> Literal:
    return Literal(scalar=Scalar(primitive=Primitive(**kw)))


def _value_of(lv: Literal, kind: str) -> Any:
    primitive = lv.scalar.primitive if lv.scalar is not None else None
    if primitive is None or primitive.kind != kind:
        raise TypeTransformerFailedError(f"expected a {kind} primitive literal")
    return primitive.value


def _write_timestamp(msg: Any) -> Literal:
    if msg.nanos % 1000:
        raise TypeTransformerFailedError(
            f"the Timestamp has nanosecond precision (nanos={msg.nanos}); a DATETIME literal holds microseconds",
            value=msg,
            hint="round it to microseconds first (ts.nanos -= ts.nanos % 1000)",
        )
    try:
        when = _EPOCH + _dt.timedelta(seconds=msg.seconds, microseconds=msg.nanos // 1000)
    except OverflowError:
        raise TypeTransformerFailedError(
            "the Timestamp is outside the years 1-9999 that a DATETIME holds", value=msg, hint="check the seconds field"
        ) from None
    return _primitive(datetime=when.replace(tzinfo=_dt.timezone.utc))


def _read_timestamp(lv: Literal, cls: Any) -> Any:
    when: _dt.datetime = _value_of(lv, "datetime")
    delta = (when.astimezone(_dt.timezone.utc) - _UTC_EPOCH) if when.tzinfo is not None else when - _EPOCH
    seconds, micros = divmod(delta // _dt.timedelta(microseconds=1), 1_000_000)
    return cls(seconds=seconds, nanos=micros * 1000)


def _write_duration(msg: Any) -> Literal:
    if msg.nanos % 1000:
        raise TypeTransformerFailedError(
            f"the Duration has nanosecond precision (nanos={msg.nanos}); a DURATION literal holds microseconds",
            value=msg,
            hint="round it to microseconds first (d.nanos -= d.nanos % 1000)",
        )
    return _primitive(duration=_dt.timedelta(seconds=msg.seconds, microseconds=msg.nanos // 1000))


def _read_duration(lv: Literal, cls: Any) -> Any:
    delta: _dt.timedelta = _value_of(lv, "duration")
    micros = delta // _dt.timedelta(microseconds=1)
    # protobuf durations carry the sign on both fields: -1.5s is seconds=-1, nanos=-500000000
    seconds = int(micros / 1_000_000)
    return cls(seconds=seconds, nanos=(micros - seconds * 1_000_000) * 1000)


def _write_int(msg: Any) -> Literal:
    if not INT64_MIN <= msg.value <= INT64_MAX:
        raise TypeTransformerFailedError(
            f"{msg.value} does not fit a signed 64-bit INTEGER literal", value=msg, hint="use a StringValue for it"
        )
    return _primitive(integer=int(msg.value))


def _wrapper(simple: SimpleType, kind: str, convert: Callable[[Any], Any]) -> ScalarForm:
    def write(msg: Any) -> Literal:
        return _primitive(**{kind: convert(msg.value)})

    def read(lv: Literal, cls: Any) -> Any:
        return cls(value=_value_of(lv, kind))

    return ScalarForm(simple, write, read)


def _read_int(lv: Literal, cls: Any) -> Any:
    try:
        return cls(value=_value_of(lv, "integer"))
    except ValueError as exc:  # a negative number into UInt64Value, or beyond Int32Value's range
        raise TypeTransformerFailedError(f"the integer does not fit {cls.DESCRIPTOR.full_name}: {exc}") from None


def _write_bytes(msg: Any) -> Literal:
    return Literal(scalar=Scalar(binary=Binary(bytes(msg.value), "bytes")))


def _read_bytes(lv: Literal, cls: Any) -> Any:
    binary = lv.scalar.binary if lv.scalar is not None else None
    if binary is None or binary.tag != "bytes":
        raise TypeTransformerFailedError("expected a binary literal tagged 'bytes'")
    return cls(value=binary.value)


def _write_field_mask(msg: Any) -> Literal:
    return _primitive(string_value=msg.ToJsonString())


def _read_field_mask(lv: Literal, cls: Any) -> Any:
    mask = cls()
    mask.FromJsonString(_value_of(lv, "string_value"))
    return mask


_INT = ScalarForm(SimpleType.INTEGER, _write_int, _read_int)

#: well-known message full names → their primitive forms
SCALAR_FORMS: dict[str, ScalarForm] = {
    "google.protobuf.Timestamp": ScalarForm(SimpleType.DATETIME, _write_timestamp, _read_timestamp),
    "google.protobuf.Duration": ScalarForm(SimpleType.DURATION, _write_duration, _read_duration),
    "google.protobuf.Int32Value": _INT,
    "google.protobuf.Int64Value": _INT,
    "google.protobuf.UInt32Value": _INT,
    "google.protobuf.UInt64Value": _INT,
    "google.protobuf.FloatValue": _wrapper(SimpleType.FLOAT, "float_value", float),
    "google.protobuf.DoubleValue": _wrapper(SimpleType.FLOAT, "float_value", float),
    "google.protobuf.BoolValue": _wrapper(SimpleType.BOOLEAN, "boolean", bool),
    "google.protobuf.StringValue": _wrapper(SimpleType.STRING, "string_value", str),
    "google.protobuf.BytesValue": ScalarForm(SimpleType.BINARY, _write_bytes, _read_bytes),
    "google.protobuf.FieldMask": ScalarForm(SimpleType.STRING, _write_field_mask, _read_field_mask),
}


def scalar_form(cls: type[Message]) -> ScalarForm | None:
    """The primitive form of a well-known message class, or ``None`` for a message stored as a struct."""
    return SCALAR_FORMS.get(cls.DESCRIPTOR.full_name)
