"""The packed protocol: how a list of values of one type becomes one column, and back.

A transformer whose values can be held packed defines

- ``pack_column(ctx, values, python_type) -> Column``: check and pack a whole
  list of values of ``python_type``; raise (``TypeError``, ``ValueError``,
  ``OverflowError``, ``KeyError`` or a :class:`TypeTransformerFailedError`)
  when it cannot, and the caller converts the values one by one instead, which
  either gives the expanded form or names the bad element's path;
- ``unpack_column(ctx, column, python_type) -> list | None``: the values of a
  column, or ``None`` when the column is not one it reads in bulk (the caller
  then reads the element literals one by one).

A transformer whose values are one primitive each may instead keep the
simpler protocol of typeflow 0.1: ``packed_kind`` (a primitive column kind),
``packed_tag`` (for binaries), ``pack_many(values, python_type)`` returning the
raw values and ``unpack_many(raw_values, python_type)`` returning the list.

Packing is only ever a faster way to the same literals: a packed collection
compares equal to the expanded one, and reading either gives the same values.
``engine.context(packed=False)`` turns it off (every element gets its own literal).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from typeflow.columns import Column, LiteralsColumn, PrimitiveColumn
from typeflow.errors import TypeTransformerFailedError
from typeflow.transformer import TransformContext, TypeTransformer, strip_annotated

#: what a fast path raises when it cannot pack or unpack in bulk (the slow path then says why, if it fails)
FAST_PATH_ERRORS = (TypeError, ValueError, OverflowError, KeyError, IndexError)


class CannotPack(ValueError):
    """Raised inside a fast path when values have no packed form; the caller converts them one by one."""


def packable(ctx: TransformContext, transformer: TypeTransformer[Any], python_type: Any) -> bool:
    """Whether lists of ``python_type`` are held packed by ``transformer``."""
    if not ctx.options.get("packed", True):
        return False
    speaks = getattr(transformer, "pack_column", None) is not None or getattr(transformer, "packed_kind", None) is not None
    if not speaks or getattr(transformer, "to_literal_collection", None) is not None:
        return False
    return not strip_annotated(python_type)[1]  # annotated elements (HashMethod, …) need their own literals


def _pack_column(ctx: TransformContext, transformer: Any, values: list[Any], python_type: Any) -> Column:
    if getattr(transformer, "pack_column", None) is not None:
        column: Column = transformer.pack_column(ctx, values, python_type)
        return column
    kind, tag = transformer.packed_kind, getattr(transformer, "packed_tag", "")
    return PrimitiveColumn(kind, transformer.pack_many(values, python_type), tag)


def _unpack_column(ctx: TransformContext, transformer: Any, column: Column, python_type: Any) -> list[Any] | None:
    if getattr(transformer, "unpack_column", None) is not None:
        out: list[Any] | None = transformer.unpack_column(ctx, column, python_type)
        return out
    if (
        isinstance(column, PrimitiveColumn)
        and column.kind == transformer.packed_kind
        and column.tag == getattr(transformer, "packed_tag", "")
    ):
        values: list[Any] = transformer.unpack_many(column.values, python_type)
        return values
    return None


def pack(ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
    """``values`` of ``python_type`` as one column: packed if the type has a packed form, else their literals."""
    transformer = ctx.engine.get_transformer(python_type)
    if packable(ctx, transformer, python_type):
        try:
            return _pack_column(ctx, transformer, values, python_type)
        except CannotPack:
            pass
    engine = ctx.engine
    expected = engine.to_literal_type(python_type)
    return LiteralsColumn.unchecked(tuple(engine.to_literal(ctx, v, python_type, expected) for v in values))


def unpack(ctx: TransformContext, column: Column, python_type: Any) -> list[Any]:
    """The values of ``python_type`` that ``column`` holds (in bulk where its transformer can)."""
    engine = ctx.engine
    transformer = engine.get_transformer(python_type)
    if not isinstance(column, LiteralsColumn) and packable(ctx, transformer, python_type):
        out = _unpack_column(ctx, transformer, column, python_type)
        if out is not None:
            return out
    return [engine.to_python_value(ctx, lit, python_type) for lit in column.literals()]


def try_pack(ctx: TransformContext, transformer: TypeTransformer[Any], values: list[Any], python_type: Any) -> Column | None:
    """The packed column of a top-level list or map, or ``None`` (then convert element by element)."""
    if not values or not packable(ctx, transformer, python_type):  # an empty tuple is smaller than any column
        return None
    try:
        column = _pack_column(ctx, transformer, values, python_type)
    except FAST_PATH_ERRORS:  # includes TypeTransformerFailedError and CannotPack
        return None
    return None if isinstance(column, LiteralsColumn) else column


def try_unpack(ctx: TransformContext, transformer: TypeTransformer[Any], column: Column, python_type: Any) -> list[Any] | None:
    """The values of a top-level packed list or map, or ``None`` (then read element by element)."""
    if isinstance(column, LiteralsColumn) or not packable(ctx, transformer, python_type):
        return None
    try:
        out = _unpack_column(ctx, transformer, column, python_type)
    except FAST_PATH_ERRORS:
        return None
    return out


def interleave(index: bytes, parts: Sequence[Iterable[Any]]) -> list[Any]:
    """Merge ``parts`` back into one list: element ``i`` is the next unused value of ``parts[index[i]]``."""
    iterators: list[Iterator[Any]] = [iter(p) for p in parts]
    return list(map(next, map(iterators.__getitem__, index)))


def check_types(values: Sequence[Any], allowed: set[type] | frozenset[type], what: str) -> None:
    """Raise ``TypeError`` unless every value's exact type is in ``allowed`` (one pass in C)."""
    if values and not set(map(type, values)) <= allowed:
        raise TypeError(f"not all {what}")


def failed(reason: str, python_type: Any) -> TypeTransformerFailedError:
    return TypeTransformerFailedError(reason, python_type=python_type)
