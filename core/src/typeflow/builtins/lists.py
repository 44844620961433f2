"""``List[T]``: a collection literal; lists of every built-in element kind are held packed.

Packed means one column (see :mod:`typeflow.columns`), lists of lists and of
maps included. A bad element is reported with its path (``$[2]``), found by a
second, per-element pass only after the fast pass failed.
"""

from __future__ import annotations

import array
from bisect import bisect_right
from itertools import chain, islice, repeat
from typing import Any, get_args

from typeflow.columns import Column, ListColumn
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal, LiteralCollection, LiteralType, PackedLiterals
from typeflow.storage import deleted_on_failure
from typeflow.transformer import TransformContext, TypeTransformer, strip_annotated

from .flyte_forms import msgpack_bytes, read_msgpack
from .packing import CannotPack, ElementFailed, check_types, pack, try_pack, try_unpack, unpack
from .simple import literal_kind

__all__ = ["ListTransformer"]


class ListTransformer(TypeTransformer[list[Any]]):
    """``List[T]``: a collection literal whose elements are ``T`` literals."""

    def __init__(self) -> None:
        super().__init__("Typed List", list)

    @staticmethod
    def element_type(t: Any) -> tuple[Any, tuple[Any, ...]]:
        inner, annotations = strip_annotated(t)
        args = get_args(inner)
        if len(args) != 1:
            raise TypeTransformerFailedError(
                "a list needs its element type", python_type=t, hint="declare it as List[T] or list[T]"
            )
        return args[0], annotations

    def get_literal_type(self, t: Any) -> LiteralType:
        element, _ = self.element_type(t)
        return LiteralType(collection_type=self.engine.to_literal_type(element))

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        if type(python_val) is not list:
            raise TypeTransformerFailedError("expected a list", python_type=python_type, value=python_val)
        element_type, annotations = self.element_type(python_type)
        engine = ctx.engine
        element = engine.get_transformer(element_type)
        whole = getattr(element, "to_literal_collection", None)
        if whole is not None:
            return whole(ctx, python_val, element_type, annotations)  # type: ignore[no-any-return]
        column = try_pack(ctx, element, python_val, element_type)
        if column is not None:
            return Literal(collection=LiteralCollection(PackedLiterals.of(column)))
        element_lt = expected.collection_type if expected is not None else None
        out = []
        with deleted_on_failure(ctx.storage):  # a later element failing leaves no blob of the earlier ones
            for i, value in enumerate(python_val):
                try:
                    out.append(engine.to_literal(ctx, value, element_type, element_lt))
                except TypeTransformerFailedError as exc:
                    raise exc.at(f"[{i}]") from exc.__cause__
        return Literal(collection=LiteralCollection(tuple(out)))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> list[Any]:
        if lv.collection is None:
            data = msgpack_bytes(lv)
            if data is not None:  # a list Flyte resolved out of a dataclass (attribute access)
                value: list[Any] = read_msgpack(data, expected_python_type)
                return value
            raise TypeTransformerFailedError(f"cannot read {literal_kind(lv)} as a list", python_type=expected_python_type)
        element_type, annotations = self.element_type(expected_python_type)
        engine = ctx.engine
        element = engine.get_transformer(element_type)
        whole = getattr(element, "to_python_collection", None)
        if whole is not None:
            return whole(ctx, lv, element_type, annotations)  # type: ignore[no-any-return]
        literals = lv.collection.literals
        if isinstance(literals, PackedLiterals):
            values = try_unpack(ctx, element, literals.column, element_type)
            if values is not None:
                return values
        out = []
        for i, item in enumerate(literals):
            try:
                out.append(engine.to_python_value(ctx, item, element_type))
            except TypeTransformerFailedError as exc:
                raise exc.at(f"[{i}]") from exc.__cause__
        return out

    def pack_column(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        """Lists of ``python_type`` as one length each and one column of all their elements."""
        element_type, _ = self.element_type(python_type)
        if getattr(ctx.engine.get_transformer(element_type), "to_literal_collection", None) is not None:
            raise CannotPack("its elements convert whole lists at once")
        check_types(values, {list}, "lists")
        lengths = array.array("q", map(len, values))
        return ListColumn.unchecked(lengths, pack(ctx, list(chain.from_iterable(values)), element_type))

    def unpack_column(self, ctx: TransformContext, column: Column, python_type: Any) -> list[Any] | None:
        if not isinstance(column, ListColumn):
            return None
        element_type, _ = self.element_type(python_type)
        child = column.child
        try:
            elements = iter(unpack(ctx, child, element_type))
        except ElementFailed as exc:
            if exc.column is not child:
                raise
            offsets = column.offsets()
            owner = bisect_right(offsets, exc.position) - 1  # the list that holds the child's element
            raise ElementFailed(column, owner, exc.error.at(f"[{exc.position - offsets[owner]}]")) from None
        return list(map(list, map(islice, repeat(elements), column.lengths)))

    def reads_kinds(self, python_type: Any) -> tuple[tuple[str, str], ...]:
        """Collection literals, and the msgpack binaries Flyte makes of a dataclass's list field."""
        return (("list", ""), ("binary", "msgpack"))

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.collection_type is None:
            raise ValueError("not a collection type")
        return list[self.engine.guess_python_type(literal_type.collection_type)]  # type: ignore[misc]
