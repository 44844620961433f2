"""``typing.Literal[...]`` of str, int, float or bool, in flytekit 1.16's form.

The literal type is the values' simple type with the allowed values in the
annotation (``{"literal_values": [...]}``); a value is the plain primitive.
Literals written under the older enum form (a string primitive) still read.
"""

from __future__ import annotations

import typing
from typing import Any, get_args

from typeflow.columns import Column, LiteralsColumn
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal, LiteralType, SimpleType
from typeflow.transformer import TransformContext, TypeTransformer, strip_annotated

from .packing import check_types, failed_element, pack, unpack

__all__ = ["LITERAL_VALUES", "LiteralTypeTransformer"]

#: the annotation key that holds the allowed values, as flytekit writes it
LITERAL_VALUES = "literal_values"

_SIMPLE = {str: SimpleType.STRING, int: SimpleType.INTEGER, float: SimpleType.FLOAT, bool: SimpleType.BOOLEAN}


class LiteralTypeTransformer(TypeTransformer[Any]):
    """``typing.Literal["a", "b"]`` ↔ a STRING primitive among those values (likewise int, float, bool)."""

    def __init__(self) -> None:
        super().__init__("LiteralTypeTransformer", typing.Literal)  # flytekit's name: union tags must match

    @staticmethod
    def values(t: Any) -> tuple[Any, ...]:
        """The allowed values, all of one of str, int, float or bool."""
        args = get_args(strip_annotated(t)[0])
        if not args:
            raise TypeTransformerFailedError("typing.Literal needs at least one value", python_type=t)
        base = type(args[0])
        if base not in _SIMPLE or not all(type(a) is base for a in args):
            raise TypeTransformerFailedError(
                "the values of a typing.Literal must all be str, all int, all float or all bool",
                python_type=t,
                hint="split it into a Union of Literals, or use an Enum",
            )
        return args

    def _base(self, t: Any) -> tuple[type, tuple[Any, ...]]:
        allowed = self.values(t)
        return type(allowed[0]), allowed

    def get_literal_type(self, t: Any) -> LiteralType:
        base, allowed = self._base(t)
        return LiteralType(simple=_SIMPLE[base], annotation={LITERAL_VALUES: list(allowed)})

    def assert_type(self, t: Any, v: Any) -> None:
        base, allowed = self._base(t)
        if type(v) is not base or v not in allowed:
            raise TypeTransformerFailedError(f"expected one of {list(allowed)}", python_type=t, value=v)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        self.assert_type(python_type, python_val)
        base = type(python_val)
        return ctx.engine.to_literal(ctx, python_val, base)

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        base, allowed = self._base(expected_python_type)
        value: Any = ctx.engine.to_python_value(ctx, lv, base)
        if value not in allowed:
            raise TypeTransformerFailedError(
                f"{value!r} is not one of {list(allowed)}", python_type=expected_python_type, value=value
            )
        return value

    def pack_column(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        """The values, in one column of their simple type (through that type's own packing)."""
        base, allowed = self._base(python_type)
        check_types(values, {base}, base.__name__)
        if not set(values) <= set(allowed):
            raise ValueError("a value outside the Literal")
        return pack(ctx, values, base)

    def unpack_column(self, ctx: TransformContext, column: Column, python_type: Any) -> list[Any] | None:
        base, allowed = self._base(python_type)
        if isinstance(column, LiteralsColumn):
            return None
        values = unpack(ctx, column, base)
        allowed_set = set(allowed)
        if not set(values) <= allowed_set:
            inside = list(map(allowed_set.__contains__, values))
            raise failed_element(ctx, column, inside.index(False), python_type)
        return values

    def reads_kinds(self, python_type: Any) -> Any:
        """What its simple type reads."""
        base, _ = self._base(python_type)
        kinds_of = getattr(self.engine.get_transformer(base), "reads_kinds", None)
        return None if kinds_of is None else kinds_of(base)

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        allowed = (literal_type.annotation or {}).get(LITERAL_VALUES)
        if literal_type.simple is None or not isinstance(allowed, list) or not allowed:
            raise ValueError("not a typing.Literal type")
        t = typing.Literal[tuple(allowed)]  # type: ignore[valid-type]
        self.values(t)  # the values agree with one simple type
        if _SIMPLE[type(allowed[0])] != literal_type.simple:
            raise ValueError(f"literal values {allowed!r} are not {literal_type.simple.name}")
        return t
