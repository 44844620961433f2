"""Element literals read one by one, held as the column typeflow would have packed them in.

flyteidl has no packed form: a collection typeflow held as one column arrives
as one ``Literal`` per element. :mod:`.bulk` reads the common kinds straight
into a column; what it leaves to the element decoder (lists, maps, unions of
nested values, elements written with other field orders) comes here, and is
held as a column again when its elements are uniform: one primitive kind, one
binary tag, datetimes, unions (one column per stored type), lists (one child
column) or maps (their key tuples and one child column). Undecorated elements
only: a hash, metadata or an offloaded literal keeps the expanded form.

A packed collection compares equal to the expanded one, so this changes
nothing a reader sees, only how much memory the literal takes and how fast
typeflow's transformers read it.
"""

from __future__ import annotations

import array
from collections.abc import Sequence
from itertools import chain
from typing import Any

from typeflow.columns import (
    MAX_UNION_VARIANTS,
    Column,
    DatetimeColumn,
    ListColumn,
    LiteralsColumn,
    MapColumn,
    NoneColumn,
    PrimitiveColumn,
    UnionColumn,
)
from typeflow.literals import Literal, LiteralType, PackedLiteralMap, PackedLiterals, SimpleType

__all__ = ["column_of", "concat"]

_TOP = ("scalar", "collection", "map")


def _plain(lit: Literal) -> bool:
    return lit.hash is None and lit.metadata is None and lit.offloaded_metadata is None


def column_of(literals: Sequence[Literal]) -> Column | None:
    """The column holding ``literals`` when they are uniform and undecorated, else ``None``."""
    if not literals or not all(map(_plain, literals)):
        return None
    first = literals[0]
    try:
        if first.collection is not None:
            return _lists(literals)
        if first.map is not None:
            return _maps(literals)
        if first.scalar is not None:
            return _scalars(literals)
    except (AttributeError, TypeError, ValueError, OverflowError):
        return None  # not uniform after all (or values a column does not hold): stay expanded
    return None


def _scalars(literals: Sequence[Literal]) -> Column | None:
    scalars = [x.scalar for x in literals]
    first = scalars[0]
    assert first is not None
    if first.primitive is not None:
        kind = first.primitive.kind
        primitives = [s.primitive for s in scalars]  # type: ignore[union-attr]
        if not all(p is not None and p.kind == kind for p in primitives):
            return None
        values = [getattr(p, kind) for p in primitives]
        return DatetimeColumn(values) if kind == "datetime" else PrimitiveColumn(kind, values)
    if first.binary is not None:
        tag = first.binary.tag
        binaries = [s.binary for s in scalars]  # type: ignore[union-attr]
        if not all(b is not None and b.tag == tag for b in binaries):
            return None
        return PrimitiveColumn("binary", [b.value for b in binaries], tag)  # type: ignore[union-attr]
    if first.union is not None:
        unions = [s.union for s in scalars]  # type: ignore[union-attr]
        if not all(u is not None for u in unions):
            return None
        return _unions([u.stored_type for u in unions], [u.value for u in unions])  # type: ignore[union-attr]
    return None


def _numbered(types: Sequence[LiteralType]) -> tuple[list[LiteralType], bytes] | None:
    """The distinct types (first seen first) and each one's number (types are compared by value: not hashable)."""
    variants: list[LiteralType] = []
    index = bytearray()
    for t in types:
        for i, v in enumerate(variants):
            if v is t or v == t:
                index.append(i)
                break
        else:
            if len(variants) == MAX_UNION_VARIANTS:
                return None
            index.append(len(variants))
            variants.append(t)
    return variants, bytes(index)


def _unions(types: list[LiteralType], values: list[Literal]) -> Column | None:
    numbered = _numbered(types)
    if numbered is None:
        return None
    variants, index = numbered
    groups: list[list[Literal]] = [[] for _ in variants]
    for i, value in zip(index, values):
        groups[i].append(value)
    columns: list[Column] = []
    for variant, group in zip(variants, groups):
        if variant.simple == SimpleType.NONE and all(v.scalar is not None and v.scalar.none_type is not None for v in group):
            columns.append(NoneColumn(len(group)))
        else:
            columns.append(column_of(group) or LiteralsColumn.unchecked(tuple(group)))
    return UnionColumn(variants, index, columns)


def _child(parts: Sequence[Sequence[Literal]]) -> Column:
    """One column of the elements of every part: their columns joined, else read again as literals."""
    columns = (
        [p.column for p in parts if isinstance(p, PackedLiterals) and len(p)]
        if all(isinstance(p, PackedLiterals) for p in parts)
        else None
    )
    if columns:
        joined = concat(columns)
        if joined is not None:
            return joined
    items = tuple(chain.from_iterable(parts))
    return column_of(items) or LiteralsColumn.unchecked(items)


def _lists(literals: Sequence[Literal]) -> Column | None:
    if not all(x.collection is not None for x in literals):
        return None
    parts = [x.collection.literals for x in literals]  # type: ignore[union-attr]
    lengths = array.array("q", map(len, parts))
    return ListColumn.unchecked(lengths, _child(parts) if sum(lengths) else LiteralsColumn.unchecked(()))


def _maps(literals: Sequence[Literal]) -> Column | None:
    if not all(x.map is not None for x in literals):
        return None
    maps = [x.map.literals for x in literals]  # type: ignore[union-attr]
    shapes_of = [tuple(m) for m in maps]
    shapes = tuple(dict.fromkeys(shapes_of))
    index: array.array[int] | None = None
    if len(shapes) > 1:
        number = {s: i for i, s in enumerate(shapes)}
        index = array.array("q", map(number.__getitem__, shapes_of))
    if all(isinstance(m, PackedLiteralMap) for m in maps):
        columns = [m.column for m in maps if isinstance(m, PackedLiteralMap) and len(m)]
        child = concat(columns) if columns else LiteralsColumn.unchecked(())
        if child is not None:
            return MapColumn(shapes, index, child, len(maps))
    values = tuple(chain.from_iterable(m.values() for m in maps))
    return MapColumn(shapes, index, column_of(values) or LiteralsColumn.unchecked(values), len(maps))


# --------------------------------------------------------------------------- joining columns


def concat(columns: Sequence[Column]) -> Column | None:
    """One column of every element of ``columns`` in order, when they are of one kind (``None`` otherwise)."""
    if not columns:
        return None
    first = columns[0]
    kind = type(first)
    if not all(type(c) is kind for c in columns):
        return None
    if len(columns) == 1:
        return first
    if isinstance(first, PrimitiveColumn):
        return _concat_primitives(columns)  # type: ignore[arg-type]
    if isinstance(first, DatetimeColumn):
        return _concat_datetimes(columns)  # type: ignore[arg-type]
    if isinstance(first, NoneColumn):
        return NoneColumn(sum(map(len, columns)))
    if isinstance(first, LiteralsColumn):
        return LiteralsColumn.unchecked(tuple(chain.from_iterable(c.items for c in columns)))  # type: ignore[attr-defined]
    if isinstance(first, UnionColumn):
        return _concat_unions(columns)  # type: ignore[arg-type]
    if isinstance(first, ListColumn):
        child = concat([c.child for c in columns])  # type: ignore[attr-defined]
        if child is None:
            return None
        lengths = array.array("q", chain.from_iterable(c.lengths for c in columns))  # type: ignore[attr-defined]
        return ListColumn.unchecked(lengths, child)
    if isinstance(first, MapColumn):
        return _concat_maps(columns)  # type: ignore[arg-type]
    return None


def _concat_primitives(columns: Sequence[PrimitiveColumn]) -> Column | None:
    first = columns[0]
    if not all(c.kind == first.kind and c.tag == first.tag for c in columns):
        return None
    values: Any = first.values
    if isinstance(values, array.array):
        joined = array.array(values.typecode)
        for c in columns:
            joined.extend(c.values)
        return PrimitiveColumn.unchecked(first.kind, joined, first.tag)
    if isinstance(values, bytes):
        return PrimitiveColumn.unchecked(first.kind, b"".join(c.values for c in columns), first.tag)
    return PrimitiveColumn.unchecked(first.kind, tuple(chain.from_iterable(c.values for c in columns)), first.tag)


def _concat_datetimes(columns: Sequence[DatetimeColumn]) -> Column:
    instants = tuple(chain.from_iterable(c.instants for c in columns))
    flags = {c.naive for c in columns if isinstance(c.naive, bool)}
    if len(flags) == 1 and all(isinstance(c.naive, bool) for c in columns):
        return DatetimeColumn.unchecked(instants, flags.pop())
    naive = b"".join(c.naive if isinstance(c.naive, bytes) else bytes((int(c.naive),)) * len(c) for c in columns)
    return DatetimeColumn.unchecked(instants, naive)


def _concat_unions(columns: Sequence[UnionColumn]) -> Column | None:
    numbered = _numbered(list(chain.from_iterable(c.variants for c in columns)))
    if numbered is None:
        return None
    variants, flat = numbered
    numbers: list[bytes] = []  # each column's variant numbers in the joined column
    at = 0
    for c in columns:
        numbers.append(flat[at : at + len(c.variants)])
        at += len(c.variants)
    index = b"".join(c.index.translate(n + bytes(256 - len(n))) for c, n in zip(columns, numbers))
    parts: list[list[Column]] = [[] for _ in variants]
    for c, n in zip(columns, numbers):
        for number, child in zip(n, c.columns):
            parts[number].append(child)
    children = []
    for part in parts:
        joined = concat([p for p in part if len(p)] or part[:1])
        if joined is None:
            return None
        children.append(joined)
    return UnionColumn.unchecked(tuple(variants), index, tuple(children))


def _concat_maps(columns: Sequence[MapColumn]) -> Column | None:
    child = concat([c.child for c in columns])
    if child is None:
        return None
    shapes_of = list(chain.from_iterable(c.keys_of() for c in columns))
    shapes = tuple(dict.fromkeys(shapes_of))
    index: array.array[int] | None = None
    if len(shapes) > 1:
        number = {s: i for i, s in enumerate(shapes)}
        index = array.array("q", map(number.__getitem__, shapes_of))
    return MapColumn.unchecked(shapes, index, child, len(shapes_of))
