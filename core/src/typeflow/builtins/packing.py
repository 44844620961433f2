"""The packed protocol: how a list of values of one type becomes one column, and back.

A transformer whose values can be held packed defines

- ``pack_column(ctx, values, python_type) -> Column``: check and pack a whole
  list of values of ``python_type``; raise (``TypeError``, ``ValueError``,
  ``OverflowError``, ``KeyError`` or a :class:`TypeTransformerFailedError`)
  when it cannot, and the caller converts the values one by one instead, which
  either gives the expanded form or names the bad element's path;
- ``unpack_column(ctx, column, python_type) -> list | None``: the values of a
  column, or ``None`` when the column is not one it reads in bulk (the caller
  then reads the element literals one by one). When it knows which element
  cannot be read, it raises :class:`ElementFailed` for that element (see
  :func:`failed_element`), so nobody converts the elements before it one by
  one only to find it;
- optionally ``reads_kinds(python_type) -> Collection[tuple[str, str]] | None``:
  the ``(kind, tag)`` pairs (:func:`column_kind`) of the columns some element
  of which a value of ``python_type`` may be read from. A union reading a
  column of a kind not listed skips that variant; ``None`` (or no method)
  means any kind;
- optionally ``pack_exact(ctx, values, python_type) -> Column``: ``pack_column``
  for values a union has already sorted by their exact class (see :func:`pack_exact`);
- optionally ``iter_column(ctx, column, python_type) -> Iterable | None``: the
  values of a column whose storage already holds them as Python has them, to
  be iterated once and not kept (see :func:`iterate`).

A transformer whose values are one primitive each may instead keep the
simpler protocol of typeflow 0.1: ``packed_kind`` (a primitive column kind),
``packed_tag`` (for binaries), ``pack_many(values, python_type)`` returning the
raw values and ``unpack_many(raw_values, python_type)`` returning the list.

Packing is only ever a faster way to the same literals: a packed collection
compares equal to the expanded one, and reading either gives the same values.
``engine.context(packed=False)`` turns it off (every element gets its own literal).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from typeflow.columns import (
    Column,
    DatetimeColumn,
    ListColumn,
    LiteralsColumn,
    MapColumn,
    NoneColumn,
    PrimitiveColumn,
    UnionColumn,
)
from typeflow.errors import TypeTransformerFailedError
from typeflow.storage import deleted_on_failure
from typeflow.transformer import TransformContext, TypeTransformer, strip_annotated

#: what a fast path raises when it cannot pack or unpack in bulk (the slow path then says why, if it fails)
FAST_PATH_ERRORS = (TypeError, ValueError, OverflowError, KeyError, IndexError)


class CannotPack(ValueError):
    """Raised inside a fast path when values have no packed form; the caller converts them one by one."""


class ElementFailed(ValueError):
    """Element ``position`` of ``column`` cannot be read as the declared type; ``error`` says why.

    Raised by bulk readers that know which element fails, and by :func:`unpack`
    when it reads one by one, so that the error reaches the top with its path
    and nobody converts the elements before it a second time. A container
    reading a child column turns the child's position into its own
    (element ``j`` of a list's child is element ``k`` of list ``i``) and adds the
    path segment. Anyone else treats it as any failure of a fast path.
    """

    def __init__(self, column: Column, position: int, error: TypeTransformerFailedError) -> None:
        super().__init__(f"element {position}: {error}")
        self.column = column
        self.position = position
        self.error = error


def failed_element(ctx: TransformContext, column: Column, position: int, python_type: Any) -> ValueError:
    """What to raise when a bulk reader found that element ``position`` does not read as ``python_type``.

    The error is the one reading that element on its own gives (so bulk and
    element-by-element reading fail alike); should that read succeed after
    all, the caller gets a plain failure of the fast path (and reads one by one).
    """
    try:
        ctx.engine.to_python_value(ctx, column.literal(position), python_type)
    except TypeTransformerFailedError as exc:
        return ElementFailed(column, position, exc)
    return CannotPack(f"element {position} reads on its own")


#: the column classes whose elements are literals of one known form (see :func:`column_kind`)
_KNOWN_KINDS = (DatetimeColumn, NoneColumn, UnionColumn, ListColumn, MapColumn)


def column_kind(column: Column) -> tuple[str, str] | None:
    """``(kind, tag)`` of what every element of ``column`` is, or ``None`` when elements may differ.

    ``("integer", "")``, ``("binary", "msgpack")``, ``("datetime", "")``,
    ``("none", "")``, ``("union", "")``, ``("list", "")``, ``("map", "")``, ….
    """
    if type(column) is PrimitiveColumn:
        return column.kind, column.tag
    if type(column) in _KNOWN_KINDS:
        return column.kind, ""
    return None  # element literals held as they are, or a column class of a plugin's


def reads_none_of(ctx: TransformContext, column: Column, python_type: Any) -> bool:
    """Whether no element of ``column`` can be read as ``python_type``, by the column's kind alone.

    ``False`` means "maybe": the transformer does not say what it reads, or the
    column's elements differ in kind.
    """
    kind = column_kind(column)
    if kind is None:
        return False
    kinds_of = getattr(ctx.engine.get_transformer(python_type), "reads_kinds", None)
    if kinds_of is None:
        return False
    kinds = kinds_of(python_type)
    return kinds is not None and kind not in kinds


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
    with deleted_on_failure(ctx.storage):  # blobs of the elements before a failing one (pickled bytes, arrays)
        return LiteralsColumn.unchecked(tuple(engine.to_literal(ctx, v, python_type, expected) for v in values))


def pack_exact(ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
    """Like :func:`pack`, for ``values`` that are all of exactly the class ``python_type`` (a union sorted them).

    A transformer may skip its checks of the values' types then (not of their
    range) by defining ``pack_exact(ctx, values, python_type) -> Column``.
    ``values`` is a new list nobody else holds: the column may keep it as its storage.
    """
    transformer = ctx.engine.get_transformer(python_type)
    # only the class that defines it: a subclass may check more in pack_column (a float subclass's range)
    fast = type(transformer).__dict__.get("pack_exact")
    if fast is not None and packable(ctx, transformer, python_type):
        try:
            column: Column = fast(transformer, ctx, values, python_type)
            return column
        except CannotPack:
            pass
    return pack(ctx, values, python_type)


def unpack(ctx: TransformContext, column: Column, python_type: Any) -> list[Any]:
    """The values of ``python_type`` that ``column`` holds (in bulk where its transformer can).

    Raises :class:`ElementFailed` for ``column`` naming the first element that
    cannot be read. A bulk reader that fails without saying where is followed by
    one pass element by element, at this level only.
    """
    out = read_in_bulk(ctx, column, python_type)
    return read_each(ctx, column, python_type) if out is None else out


def iterate(ctx: TransformContext, column: Column, python_type: Any) -> Iterable[Any]:
    """The values :func:`unpack` gives, for a caller that goes over them once and keeps none of the container.

    A union merging its variants' values does: where the column's storage already
    holds the values as Python has them (an int64 array of ints, a list of
    strings), the transformer's ``iter_column`` hands out the storage itself, and
    no list of each variant's values is built only to be read once. As with
    :func:`pack_exact`, only the class that defines ``iter_column`` uses it (a
    subclass may read more carefully in ``unpack_column``).
    """
    transformer = ctx.engine.get_transformer(python_type)
    fast = type(transformer).__dict__.get("iter_column")
    if fast is not None and packable(ctx, transformer, python_type):
        values: Iterable[Any] | None = fast(transformer, ctx, column, python_type)
        if values is not None:
            return values
    return unpack(ctx, column, python_type)


def read_in_bulk(ctx: TransformContext, column: Column, python_type: Any) -> list[Any] | None:
    """The values of ``column`` through its transformer's bulk reader, or ``None`` when it has none or it failed.

    Raises :class:`ElementFailed` for ``column`` when the reader names the element that fails.
    """
    transformer = ctx.engine.get_transformer(python_type)
    if isinstance(column, LiteralsColumn) or not packable(ctx, transformer, python_type):
        return None
    try:
        return _unpack_column(ctx, transformer, column, python_type)
    except ElementFailed as exc:
        if exc.column is column:
            raise
        return None  # about a column inside, not translated on the way: read this one element by element
    except FAST_PATH_ERRORS:  # includes TypeTransformerFailedError and CannotPack
        return None


def read_each(ctx: TransformContext, column: Column, python_type: Any) -> list[Any]:
    """The values of ``column``, one element literal at a time; raises :class:`ElementFailed` at the first bad one."""
    to_python_value = ctx.engine.to_python_value
    out = []
    for position, item in enumerate(column.literals()):
        try:
            out.append(to_python_value(ctx, item, python_type))
        except TypeTransformerFailedError as exc:
            raise ElementFailed(column, position, exc) from None
    return out


def try_pack(ctx: TransformContext, transformer: TypeTransformer[Any], values: list[Any], python_type: Any) -> Column | None:
    """The packed column of a top-level list or map, or ``None`` (then convert element by element)."""
    if not values or not packable(ctx, transformer, python_type):  # an empty tuple is smaller than any column
        return None
    try:
        column = _pack_column(ctx, transformer, values, python_type)
    except FAST_PATH_ERRORS:  # includes TypeTransformerFailedError and CannotPack
        return None
    return None if isinstance(column, LiteralsColumn) else column


def try_unpack(
    ctx: TransformContext,
    transformer: TypeTransformer[Any],
    column: Column,
    python_type: Any,
    segment: Callable[[int], str] = "[{}]".format,
) -> list[Any] | None:
    """The values of a top-level packed list or map, or ``None`` (then read element by element).

    When the column's reader names the element that fails, raises its error at
    once with the path segment ``segment(position)`` (``[3]``; a map gives ``['key']``).
    """
    if isinstance(column, LiteralsColumn) or not packable(ctx, transformer, python_type):
        return None
    try:
        out = _unpack_column(ctx, transformer, column, python_type)
    except ElementFailed as exc:
        if exc.column is not column:
            return None
        error = exc.error
        raise error.at(segment(exc.position)) from error.__cause__
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
