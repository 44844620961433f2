"""Packed forms: a collection or map whose elements are held as one column, not one literal each.

A packed collection reads, iterates and compares exactly like the expanded
tuple of :class:`~typeflow.literals.Literal` objects, and a packed map like
the expanded dict; element literals are built only on demand. This is where
most of the speed for large lists and maps comes from. The column kinds are in
:mod:`typeflow.columns`.

    >>> from typeflow.literals import Literal, Primitive, Scalar
    >>> packed = PackedLiterals("integer", [1, 2, 3])
    >>> packed[1] == Literal(scalar=Scalar(primitive=Primitive(integer=2)))
    True
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

from typeflow.columns import PRIMITIVE_KINDS, Column, DatetimeColumn, LiteralsColumn, PrimitiveColumn, pack_values

if TYPE_CHECKING:
    from typeflow.literals import Literal

__all__ = ["PACKED_KINDS", "PackedLiteralMap", "PackedLiterals", "pack_values"]

#: primitive kinds a packed collection or map may hold, with the Python type of one value
PACKED_KINDS = {**PRIMITIVE_KINDS, "datetime": datetime.datetime}


def _primitive_column(kind: str, values: Sequence[Any], tag: str) -> Column:
    if kind == "datetime":
        if tag:
            raise ValueError("only the binary kind takes a tag")
        return DatetimeColumn(values)
    return PrimitiveColumn(kind, values, tag)


def _sequence_equal(a: Sequence[Any], b: Sequence[Any]) -> bool:
    return len(a) == len(b) and all(x == y for x, y in zip(a, b))


class PackedLiterals(Sequence["Literal"]):
    """A collection of literals held as one :class:`~typeflow.columns.Column`.

    ``PackedLiterals("integer", values)`` packs primitives (``tag`` is for the
    binary kind); :meth:`of` wraps any column. Indexing and iteration build the
    element :class:`Literal` on demand, and a packed collection compares equal
    to the expanded tuple of literals.
    """

    __slots__ = ("column",)

    def __init__(self, kind: str, values: Sequence[Any], tag: str = "") -> None:
        self.column: Column = _primitive_column(kind, values, tag)

    @classmethod
    def of(cls, column: Column) -> PackedLiterals:
        """The collection of ``column``'s elements."""
        if not isinstance(column, Column):
            raise TypeError(f"PackedLiterals.of takes a Column, not {type(column).__name__}")
        packed = cls.__new__(cls)
        packed.column = column
        return packed

    @property
    def kind(self) -> str:
        """The column kind: a primitive kind (``"integer"``, …) or ``union``, ``list``, ``map``, ``literals``."""
        return self.column.kind

    @property
    def tag(self) -> str:
        """The binary tag of a binary column, else ``""``."""
        return getattr(self.column, "tag", "")

    @property
    def values(self) -> Any:
        """The storage of a primitive column (see :class:`~typeflow.columns.PrimitiveColumn`)."""
        column = self.column
        if not isinstance(column, PrimitiveColumn):
            raise AttributeError(f"a packed {column.kind} collection has no primitive values; read .column")
        return column.values

    def __len__(self) -> int:
        return len(self.column)

    @overload
    def __getitem__(self, index: int) -> Literal: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Literal, ...]: ...
    def __getitem__(self, index: int | slice) -> Literal | tuple[Literal, ...]:
        n = len(self.column)
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step == 1:
                return tuple(self.column.slice(start, max(start, stop)).literals())
            return tuple(self.column.literal(i) for i in range(start, stop, step))
        i = index.__index__()
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("packed collection index out of range")
        return self.column.literal(i)

    def __iter__(self) -> Iterator[Literal]:
        return self.column.literals()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedLiterals):
            verdict = self.column.same_as(other.column)
            if verdict is not None:
                return verdict
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        if isinstance(other, Sequence) and not isinstance(other, (str, bytes)):
            return _sequence_equal(self, other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PackedLiterals({self.kind!r}, <{len(self)} values>)"


class PackedLiteralMap(Mapping[str, "Literal"]):
    """A map of str keys to literals held as one column; reads like ``dict[str, Literal]``.

    ``PackedLiteralMap("float_value", keys, values)`` packs primitives;
    :meth:`of` pairs keys with any column.
    """

    __slots__ = ("_by_key", "column", "raw_keys")

    def __init__(self, kind: str, keys: Sequence[str], values: Sequence[Any], tag: str = "") -> None:
        self._init(keys, _primitive_column(kind, values, tag))

    @classmethod
    def of(cls, keys: Sequence[str], column: Column) -> PackedLiteralMap:
        """The map of ``keys[i]`` to element ``i`` of ``column``."""
        if not isinstance(column, Column):
            raise TypeError(f"PackedLiteralMap.of takes a Column, not {type(column).__name__}")
        packed = cls.__new__(cls)
        packed._init(keys, column)
        return packed

    @classmethod
    def unchecked(cls, keys: tuple[str, ...] | list[str], column: Column) -> PackedLiteralMap:
        """Like :meth:`of`, for keys already known to be distinct strs, one per element."""
        packed = cls.__new__(cls)
        packed.raw_keys, packed.column, packed._by_key = keys, column, None
        return packed

    def _init(self, keys: Sequence[str], column: Column) -> None:
        keys = tuple(keys)
        if keys and not set(map(type, keys)) <= {str}:
            raise TypeError("PackedLiteralMap: keys must be str")
        if len(set(keys)) != len(keys):
            raise ValueError("PackedLiteralMap: duplicate keys")
        if len(keys) != len(column):
            raise ValueError("PackedLiteralMap: keys and values differ in length")
        self.raw_keys: tuple[str, ...] | list[str] = keys
        self.column: Column = column
        self._by_key: dict[str, int] | None = None

    @property
    def kind(self) -> str:
        return self.column.kind

    @property
    def tag(self) -> str:
        return getattr(self.column, "tag", "")

    @property
    def raw_values(self) -> Any:
        """The storage of a primitive column, in key order."""
        column = self.column
        if not isinstance(column, PrimitiveColumn):
            raise AttributeError(f"a packed {column.kind} map has no primitive values; read .column")
        return column.values

    def raw(self) -> dict[str, Any]:
        """A new ``dict`` of key to raw value (primitive and datetime columns only)."""
        column = self.column
        if not isinstance(column, (PrimitiveColumn, DatetimeColumn)):
            raise TypeError(f"a packed {column.kind} map has no raw values")
        return dict(zip(self.raw_keys, column.tolist()))

    def __getitem__(self, key: str) -> Literal:
        if self._by_key is None:
            self._by_key = {k: i for i, k in enumerate(self.raw_keys)}
        index = self._by_key.get(key)
        if index is None:
            raise KeyError(key)
        return self.column.literal(index)

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw_keys)

    def __len__(self) -> int:
        return len(self.raw_keys)

    def items(self) -> Any:
        return list(zip(self.raw_keys, self.column.literals()))

    def values(self) -> Any:
        return list(self.column.literals())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedLiteralMap) and list(self.raw_keys) == list(other.raw_keys):
            verdict = self.column.same_as(other.column)
            if verdict is not None:
                return verdict
        if isinstance(other, Mapping):
            return len(self) == len(other) and all(k in other and other[k] == v for k, v in self.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PackedLiteralMap({self.kind!r}, <{len(self)} entries>)"


def expanded(column: Column) -> tuple[Literal, ...]:
    """The element literals of ``column`` as a tuple (what an unpacked collection holds)."""
    if isinstance(column, LiteralsColumn):
        return column.items
    return tuple(column.literals())
