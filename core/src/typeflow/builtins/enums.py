"""Enums whose values are all str, as enum literal types."""

from __future__ import annotations

import enum
import operator
from typing import Any

from typeflow.columns import Column, PrimitiveColumn
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import EnumType, Literal, LiteralType, Primitive, Scalar
from typeflow.transformer import TransformContext, TypeTransformer, strip_annotated

from .flyte_forms import msgpack_bytes, read_msgpack
from .packing import check_types, failed_element
from .simple import literal_kind

_VALUE = operator.attrgetter("_value_")


def _string_column(column: Column) -> Any:
    if isinstance(column, PrimitiveColumn) and column.kind == "string_value":
        return column.values
    return None


def is_enum_type(cls: type) -> bool:
    return issubclass(cls, enum.Enum)


def _string_of(lv: Literal, python_type: Any) -> str:
    p = lv.scalar.primitive if lv.scalar is not None else None
    if p is None or p.string_value is None:
        raise TypeTransformerFailedError(f"cannot read {literal_kind(lv)} as {python_type!r}", python_type=python_type)
    return p.string_value


class EnumTransformer(TypeTransformer[enum.Enum]):
    """``class Color(str, Enum)`` (or any Enum whose values are all str) ↔ the value string."""

    def __init__(self) -> None:
        super().__init__("DefaultEnumTransformer", enum.Enum)  # flytekit's name: union tags must match

    def get_literal_type(self, t: Any) -> LiteralType:
        cls = strip_annotated(t)[0]
        values = [member.value for member in cls]
        bad = [v for v in values if not isinstance(v, str)]
        if bad:
            raise TypeTransformerFailedError(
                f"enum {cls.__qualname__} has non-string values {bad[:3]!r}; only enums whose values are all str are supported",
                python_type=cls,
                hint="give the members string values (class E(str, Enum)), or register a transformer for it",
            )
        return LiteralType(enum_type=EnumType(tuple(values)))

    def assert_type(self, t: Any, v: Any) -> None:
        """A member of ``t``, or of another enum with a value ``t`` has (a guessed enum takes the original's members)."""
        cls = strip_annotated(t)[0]
        if isinstance(v, cls):
            return
        if not isinstance(v, enum.Enum) or v.value not in {m.value for m in cls}:
            raise TypeTransformerFailedError(f"expected a member of {cls.__qualname__}", python_type=cls, value=v)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        self.assert_type(python_type, python_val)
        return Literal(scalar=Scalar(primitive=Primitive(string_value=str.__str__(python_val.value))))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        cls = strip_annotated(expected_python_type)[0]
        data = msgpack_bytes(lv)
        if data is not None:  # a member Flyte resolved out of a dataclass (attribute access)
            return read_msgpack(data, cls)
        value = _string_of(lv, cls)
        try:
            return cls(value)
        except ValueError:
            raise TypeTransformerFailedError(
                f"{value!r} is not a value of enum {cls.__qualname__}",
                python_type=cls,
                hint=f"expected one of {[m.value for m in cls]}",
            ) from None

    def pack_column(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        """Members as their value strings, in one string column."""
        check_types(values, {strip_annotated(python_type)[0]}, "members")
        strings = list(map(_VALUE, values))
        if strings and not set(map(type, strings)) <= {str}:
            strings = list(map(str.__str__, strings))
        return PrimitiveColumn.unchecked("string_value", strings)

    def unpack_column(self, ctx: TransformContext, column: Column, python_type: Any) -> list[Any] | None:
        strings = _string_column(column)
        if strings is None:
            return None
        members = strip_annotated(python_type)[0]._value2member_map_
        try:
            return list(map(members.__getitem__, strings))
        except KeyError:
            known = list(map(members.__contains__, strings))
            raise failed_element(ctx, column, known.index(False), python_type) from None

    def reads_kinds(self, python_type: Any) -> tuple[tuple[str, str], ...]:
        """String literals, and the msgpack binaries Flyte makes of a dataclass's enum field."""
        return (("string_value", ""), ("binary", "msgpack"))

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.enum_type is None:
            raise ValueError("not an enum type")
        return enum.Enum("DynamicEnum", {v: v for v in literal_type.enum_type.values}, type=str)  # type: ignore[misc]
