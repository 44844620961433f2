"""Columns: many element literals of one shape, held without one Python object per literal.

A :class:`Column` stands for a sequence of element :class:`~typeflow.literals.Literal`
objects and builds each one only when it is read. Columns nest, so every
element kind the built-ins produce has a packed form:

- :class:`PrimitiveColumn`: integers, floats, strings, booleans, durations
  or tagged binaries, in one array;
- :class:`DatetimeColumn`: datetimes (dates included, as midnights), as UTC
  instants and which of them are naive;
- :class:`NoneColumn`: ``n`` none literals (a union's ``None`` variant);
- :class:`UnionColumn`: a variant index per element and one column per variant
  (``Optional[T]``: the ``T`` values plus a null mask);
- :class:`ListColumn`: lists, as one length per element and one child column of
  all their elements;
- :class:`MapColumn`: str-keyed maps, as their distinct key tuples, which one
  each element has, and one child column of all their values;
- :class:`LiteralsColumn`: element literals held as they are, for a union
  variant or child that has no packed form.

:class:`~typeflow.packed.PackedLiterals` and :class:`~typeflow.packed.PackedLiteralMap`
wrap a column so that it reads, iterates and compares exactly like the
expanded tuple (or dict) of literals. Storage attributes (``values``,
``index``, ``lengths``, …) are shared with the literal: treat them as read-only.
"""

from __future__ import annotations

import array
import datetime as _dt
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from itertools import accumulate, islice, repeat
from operator import add, attrgetter, sub
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import typeflow.literals as _lit
    from typeflow.literals import Literal, LiteralType
else:

    class _FirstUse:
        """Stands for ``typeflow.literals`` until first used (that module imports this one)."""

        def __getattr__(self, name: str) -> Any:
            import typeflow.literals

            globals()["_lit"] = typeflow.literals  # later reads find the module itself
            return getattr(typeflow.literals, name)

    _lit = _FirstUse()

__all__ = [
    "PRIMITIVE_KINDS",
    "Column",
    "DatetimeColumn",
    "ListColumn",
    "LiteralsColumn",
    "MapColumn",
    "NoneColumn",
    "PrimitiveColumn",
    "UnionColumn",
    "int64_array",
    "pack_values",
    "variant_counts",
]

UTC = _dt.timezone.utc
ONE_MICROSECOND = _dt.timedelta(microseconds=1)
_TZINFO = attrgetter("tzinfo")
_BOOLS = (False, True)
#: the most variants a union column tells apart (its index holds one byte per element)
MAX_UNION_VARIANTS = 255

#: what each primitive kind holds: the Python type of one value, and how the column stores them
PRIMITIVE_KINDS: dict[str, type] = {
    "integer": int,  # array('q')
    "float_value": float,  # array('d')
    "string_value": str,  # a tuple (or list) of str
    "boolean": bool,  # bytes, one 0/1 byte per element
    "binary": bytes,  # a tuple (or list) of bytes, with the column's tag
    "duration": _dt.timedelta,  # a tuple (or list) of timedeltas, within DURATION_RANGE
}
_ARRAY_CODES = {"integer": "q", "float_value": "d"}
#: durations a column holds: those that move the epoch to a datetime (the wire carries them as
#: msgpack timestamps, which msgpack converts in C); longer ones are held one literal each
DURATION_RANGE = (
    _dt.datetime.min.replace(tzinfo=_dt.timezone.utc) - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc),
    _dt.datetime.max.replace(tzinfo=_dt.timezone.utc) - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc),
)


def check_durations(values: Sequence[_dt.timedelta]) -> None:
    """Raise ``TypeError``/``OverflowError`` unless ``values`` are timedeltas a column holds."""
    if not values:
        return
    if not set(map(type, values)) <= {_dt.timedelta}:
        raise TypeError("duration values must all be datetime.timedelta")
    if min(values) < DURATION_RANGE[0] or max(values) > DURATION_RANGE[1]:
        raise OverflowError("a duration longer than a column holds (about 8,000 years)")


#: array('l') converts ints in a digit loop where array('q') goes through a byte array, twice as slow on big ints
_LONG_IS_INT64 = array.array("l").itemsize == 8


def int64_array(values: Any) -> array.array[int]:
    """``array('q', values)``, faster: raises ``TypeError``/``OverflowError`` like it."""
    if not _LONG_IS_INT64 or isinstance(values, array.array):
        return array.array("q", values)
    out = array.array("q")
    out.frombytes(memoryview(array.array("l", values)).cast("B"))
    return out


class Column(ABC):
    """Elements of one shape, each read as a :class:`Literal` on demand."""

    __slots__ = ()
    kind: ClassVar[str]

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def literal(self, index: int) -> Literal:
        """The element literal at ``index`` (``0 <= index < len(self)``)."""

    def literals(self) -> Iterator[Literal]:
        """Every element literal, in order (cheaper than indexing one by one)."""
        return map(self.literal, range(len(self)))

    @abstractmethod
    def slice(self, start: int, stop: int) -> Column:
        """Elements ``start`` to ``stop`` (``0 <= start <= stop <= len(self)``) as a column of the same kind."""

    def same_as(self, other: Column) -> bool | None:
        """Whether ``other`` holds the same literals, when that can be told from storage; ``None`` if not."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<{len(self)} {self.kind}>)"


# --------------------------------------------------------------------------- primitives


def _primitive_maker(kind: str) -> Any:
    if kind == "boolean":
        return lambda v: _lit.Primitive(boolean=_BOOLS[v])
    return lambda v: _lit.Primitive(**{kind: v})


_MAKERS = {kind: _primitive_maker(kind) for kind in PRIMITIVE_KINDS}


def pack_values(kind: str, values: Sequence[Any]) -> Sequence[Any] | bytes:
    """Check ``values`` for a primitive kind and put them in the column's storage form.

    Raises ``TypeError``/``OverflowError`` when a value does not fit the kind.
    Durations may be given as timedeltas or as microseconds; booleans as bools
    or as bytes of 0/1.
    """
    if kind not in PRIMITIVE_KINDS:
        raise ValueError(f"unknown primitive column kind {kind!r}; expected one of {sorted(PRIMITIVE_KINDS)}")
    code = _ARRAY_CODES.get(kind)
    if kind == "duration":
        held_durations = tuple(values)
        check_durations(held_durations)
        return held_durations
    if code is not None:
        if isinstance(values, array.array) and values.typecode == code:
            return values
        return int64_array(values) if code == "q" else array.array(code, values)
    if kind == "boolean":
        if isinstance(values, (bytes, bytearray)):
            if bytes(values).translate(None, b"\x00\x01"):
                raise TypeError("packed boolean bytes must each be 0 or 1")
            return bytes(values)
        if values and not set(map(type, values)) <= {bool}:
            raise TypeError("packed boolean values must all be bool")
        return bytes(values)
    held = tuple(values)
    expected = PRIMITIVE_KINDS[kind]
    if held and not set(map(type, held)) <= {expected}:
        raise TypeError(f"packed {kind} values must all be {expected.__name__}")
    return held


class PrimitiveColumn(Column):
    """One primitive kind (or tagged binaries) in one array.

    ``values`` is the storage: ``array('q')`` for integers, ``array('d')`` for floats, ``bytes`` of 0/1 for
    booleans, a tuple or list of the values otherwise. :meth:`tolist` gives
    the values as :class:`Primitive` holds them.
    """

    __slots__ = ("kind", "tag", "values")
    kind: str  # type: ignore[misc]

    def __init__(self, kind: str, values: Sequence[Any], tag: str = "") -> None:
        if kind not in PRIMITIVE_KINDS:
            raise ValueError(f"PrimitiveColumn: unknown kind {kind!r}; expected one of {sorted(PRIMITIVE_KINDS)}")
        if tag and kind != "binary":
            raise ValueError("PrimitiveColumn: only the binary kind takes a tag")
        if not isinstance(tag, str):
            raise TypeError("PrimitiveColumn: tag must be a str")
        self.kind = kind
        self.tag = tag
        self.values: Any = pack_values(kind, values)

    @classmethod
    def unchecked(cls, kind: str, values: Any, tag: str = "") -> PrimitiveColumn:
        """A column over ``values`` already in storage form and checked (by a transformer or the decoder)."""
        column = cls.__new__(cls)
        column.kind = kind
        column.tag = tag
        column.values = values
        return column

    def __len__(self) -> int:
        return len(self.values)

    def literal(self, index: int) -> Literal:
        if self.kind == "binary":
            return _lit.Literal(scalar=_lit.Scalar(binary=_lit.Binary(self.values[index], self.tag)))
        return _lit.Literal(scalar=_lit.Scalar(primitive=_MAKERS[self.kind](self.values[index])))

    def literals(self) -> Iterator[Literal]:
        Literal, Scalar = _lit.Literal, _lit.Scalar
        if self.kind == "binary":
            Binary, tag = _lit.Binary, self.tag
            return (Literal(scalar=Scalar(binary=Binary(v, tag))) for v in self.values)
        make = _MAKERS[self.kind]
        return (Literal(scalar=Scalar(primitive=make(v))) for v in self.values)

    def slice(self, start: int, stop: int) -> PrimitiveColumn:
        return PrimitiveColumn.unchecked(self.kind, self.values[start:stop], self.tag)

    def tolist(self) -> list[Any]:
        """The values as :class:`Primitive` holds them (bools, timedeltas, …), in a new list."""
        if self.kind == "boolean":
            return list(map(_BOOLS.__getitem__, self.values))
        if isinstance(self.values, array.array):
            return self.values.tolist()
        return list(self.values)

    def same_as(self, other: Column) -> bool | None:
        if isinstance(other, PrimitiveColumn) and other.kind == self.kind and other.tag == self.tag:
            a, b = self.values, other.values
            if type(a) is not type(b):  # a tuple and a list of the same values
                return len(a) == len(b) and all(x == y for x, y in zip(a, b))
            return bool(a == b)
        return None

    def __repr__(self) -> str:
        return f"PrimitiveColumn({self.kind!r}, <{len(self)} values>)"


EPOCH_UTC = _dt.datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_NAIVE = _dt.datetime(1970, 1, 1)
#: the instant a date stands for: its midnight, read as UTC
MIDNIGHT_UTC = _dt.time(tzinfo=UTC)


def as_instants(values: Any) -> Any:
    """Naive datetimes as aware ones with the same wall clock in UTC (no local time involved)."""
    return map(add, map(sub, values, repeat(EPOCH_NAIVE)), repeat(EPOCH_UTC))


def as_naive(instants: Any) -> Any:
    """The inverse of :func:`as_instants`."""
    return map(add, map(sub, instants, repeat(EPOCH_UTC)), repeat(EPOCH_NAIVE))


class DatetimeColumn(Column):
    """Datetimes held as UTC instants, and which of them are naive.

    An aware datetime is its instant; a naive one is held as its wall clock
    read as UTC and comes back naive. ``naive`` is ``False`` (all aware),
    ``True`` (all naive: dates, as midnights, are) or bytes with one 0/1 per
    element. ``DatetimeColumn(values)`` takes naive or aware datetimes (aware
    ones in any zone, kept as the same instant, as :class:`Primitive` does).
    """

    __slots__ = ("instants", "naive")
    kind = "datetime"

    def __init__(self, values: Sequence[_dt.datetime]) -> None:
        values = list(values)
        if values and not set(map(type, values)) <= {_dt.datetime}:
            raise TypeError("DatetimeColumn: values must all be datetime.datetime")
        zones = set(map(_TZINFO, values))
        if None not in zones:
            self.naive: bool | bytes = False
            self.instants: Sequence[_dt.datetime] = tuple(values if zones <= {UTC} else (v.astimezone(UTC) for v in values))
        elif zones == {None}:
            self.naive = True
            self.instants = tuple(as_instants(values))
        else:
            self.naive = bytes(v.tzinfo is None for v in values)
            self.instants = tuple(
                v - EPOCH_NAIVE + EPOCH_UTC if v.tzinfo is None else v if v.tzinfo is UTC else v.astimezone(UTC) for v in values
            )

    @classmethod
    def unchecked(cls, instants: Sequence[_dt.datetime], naive: bool | bytes) -> DatetimeColumn:
        """A column over aware UTC datetimes and their naive flag(s), already checked."""
        column = cls.__new__(cls)
        column.instants, column.naive = instants, naive
        return column

    def __len__(self) -> int:
        return len(self.instants)

    def _value(self, instant: _dt.datetime, naive: Any) -> _dt.datetime:
        return instant - EPOCH_UTC + EPOCH_NAIVE if naive else instant

    def literal(self, index: int) -> Literal:
        naive = self.naive if isinstance(self.naive, bool) else self.naive[index]
        value = self._value(self.instants[index], naive)
        return _lit.Literal(scalar=_lit.Scalar(primitive=_lit.Primitive(datetime=value)))

    def literals(self) -> Iterator[Literal]:
        Literal, Scalar, Primitive = _lit.Literal, _lit.Scalar, _lit.Primitive
        return (Literal(scalar=Scalar(primitive=Primitive(datetime=v))) for v in self.tolist())

    def tolist(self) -> list[_dt.datetime]:
        """The datetimes as :class:`Primitive` holds them: naive ones naive, aware ones in UTC."""
        if self.naive is False:
            return list(self.instants)
        if self.naive is True:
            return list(as_naive(self.instants))
        return list(map(self._value, self.instants, self.naive))

    def slice(self, start: int, stop: int) -> DatetimeColumn:
        naive = self.naive if isinstance(self.naive, bool) else self.naive[start:stop]
        return DatetimeColumn.unchecked(self.instants[start:stop], naive)

    def same_as(self, other: Column) -> bool | None:
        if isinstance(other, DatetimeColumn) and isinstance(self.naive, bool) and other.naive is self.naive:
            return len(self.instants) == len(other.instants) and all(a == b for a, b in zip(self.instants, other.instants))
        return None


class NoneColumn(Column):
    """``count`` none literals: the ``None`` variant of a union column."""

    __slots__ = ("count",)
    kind = "none"

    def __init__(self, count: int) -> None:
        if type(count) is not int or count < 0:
            raise ValueError("NoneColumn: count must be a non-negative int")
        self.count = count

    def __len__(self) -> int:
        return self.count

    def literal(self, index: int) -> Literal:
        return _lit.Literal(scalar=_lit.Scalar(none_type=_lit.Void()))

    def literals(self) -> Iterator[Literal]:
        none = self.literal(0)  # literals are immutable, so one object serves every element
        return repeat(none, self.count)

    def slice(self, start: int, stop: int) -> NoneColumn:
        return NoneColumn(stop - start)

    def same_as(self, other: Column) -> bool | None:
        return len(other) == self.count if isinstance(other, NoneColumn) else None


class LiteralsColumn(Column):
    """Element literals held as they are (a variant or child without a packed form)."""

    __slots__ = ("items",)
    kind = "literals"

    def __init__(self, items: Sequence[Literal]) -> None:
        items = tuple(items)
        if not all(isinstance(x, _lit.Literal) for x in items):
            raise TypeError("LiteralsColumn: items must be Literal")
        self.items = items

    @classmethod
    def unchecked(cls, items: tuple[Literal, ...]) -> LiteralsColumn:
        column = cls.__new__(cls)
        column.items = items
        return column

    def __len__(self) -> int:
        return len(self.items)

    def literal(self, index: int) -> Literal:
        return self.items[index]

    def literals(self) -> Iterator[Literal]:
        return iter(self.items)

    def slice(self, start: int, stop: int) -> LiteralsColumn:
        return LiteralsColumn.unchecked(self.items[start:stop])


# --------------------------------------------------------------------------- unions


def variant_counts(index: bytes, variants: int) -> list[int]:
    """How many elements of a union column's ``index`` name each of its ``variants`` (every byte below ``variants``).

    With two variants the index is a 0/1 mask, and its ones are counted as the bits
    of one integer, several times faster than ``bytes.count`` on long columns.
    """
    if variants == 2:
        ones = int.from_bytes(index, "little").bit_count()
        return [len(index) - ones, ones]
    return [index.count(n) for n in range(variants)]


class UnionColumn(Column):
    """Union literals: one variant number per element, and one column per variant.

    Element ``i`` is ``Union(value, stored_type=variants[index[i]])``, its value
    being the next unread element of ``columns[index[i]]``. ``Optional[T]`` is
    the union of ``T`` and ``None``: its index is the null mask, and only the
    non-null values are stored.
    """

    __slots__ = ("_ranks", "columns", "index", "variants")
    kind = "union"

    def __init__(self, variants: Sequence[LiteralType], index: bytes, columns: Sequence[Column]) -> None:
        variants, columns = tuple(variants), tuple(columns)
        if not all(isinstance(v, _lit.LiteralType) for v in variants):
            raise TypeError("UnionColumn: variants must be LiteralType")
        if not all(isinstance(c, Column) for c in columns):
            raise TypeError("UnionColumn: columns must be Column")
        if not isinstance(index, (bytes, bytearray)):
            raise TypeError("UnionColumn: index must be bytes")
        index = bytes(index)
        if len(variants) != len(columns) or len(variants) > MAX_UNION_VARIANTS:
            raise ValueError(f"UnionColumn: one column per variant, at most {MAX_UNION_VARIANTS} variants")
        if index.translate(None, bytes(range(len(variants)))):
            raise ValueError("UnionColumn: index names a variant that does not exist")
        for number, (column, count) in enumerate(zip(columns, variant_counts(index, len(variants)))):
            if count != len(column):
                raise ValueError(f"UnionColumn: variant {number} has {len(column)} values but {count} elements")
        self.variants: tuple[LiteralType, ...] = variants
        self.index = index
        self.columns: tuple[Column, ...] = columns
        self._ranks: array.array[int] | None = None

    @classmethod
    def unchecked(cls, variants: tuple[LiteralType, ...], index: bytes, columns: tuple[Column, ...]) -> UnionColumn:
        column = cls.__new__(cls)
        column.variants, column.index, column.columns, column._ranks = variants, index, columns, None
        return column

    def __len__(self) -> int:
        return len(self.index)

    def _element(self, number: int, value: Literal) -> Literal:
        return _lit.Literal(scalar=_lit.Scalar(union=_lit.Union(value, self.variants[number])))

    def literal(self, index: int) -> Literal:
        if self._ranks is None:
            seen = [0] * len(self.columns)
            ranks = array.array("q", bytes(8 * len(self.index)))
            for i, number in enumerate(self.index):
                ranks[i] = seen[number]
                seen[number] += 1
            self._ranks = ranks
        number = self.index[index]
        return self._element(number, self.columns[number].literal(self._ranks[index]))

    def literals(self) -> Iterator[Literal]:
        iterators = [c.literals() for c in self.columns]
        return map(self._element, self.index, map(next, map(iterators.__getitem__, self.index)))

    def slice(self, start: int, stop: int) -> UnionColumn:
        index = self.index
        parts = tuple(
            c.slice(index.count(n, 0, start), index.count(n, 0, start) + index.count(n, start, stop))
            for n, c in enumerate(self.columns)
        )
        return UnionColumn.unchecked(self.variants, index[start:stop], parts)

    def same_as(self, other: Column) -> bool | None:
        if not isinstance(other, UnionColumn) or other.variants != self.variants or other.index != self.index:
            return None
        verdicts = [a.same_as(b) for a, b in zip(self.columns, other.columns)]
        return None if None in verdicts else all(verdicts)


# --------------------------------------------------------------------------- lists and maps


def _offsets(lengths: Any) -> array.array[int]:
    return array.array("q", accumulate(lengths, initial=0))


class ListColumn(Column):
    """Collection literals: each element's length, and one child column of all their elements."""

    __slots__ = ("_offsets", "child", "lengths")
    kind = "list"

    def __init__(self, lengths: Sequence[int], child: Column) -> None:
        if not isinstance(child, Column):
            raise TypeError("ListColumn: child must be a Column")
        lengths = array.array("q", lengths)
        if lengths and min(lengths) < 0:
            raise ValueError("ListColumn: lengths must not be negative")
        if sum(lengths) != len(child):
            raise ValueError("ListColumn: the lengths do not add up to the child column's length")
        self.lengths = lengths
        self.child = child
        self._offsets: array.array[int] | None = None

    @classmethod
    def unchecked(cls, lengths: array.array[int], child: Column) -> ListColumn:
        column = cls.__new__(cls)
        column.lengths, column.child, column._offsets = lengths, child, None
        return column

    def __len__(self) -> int:
        return len(self.lengths)

    def offsets(self) -> array.array[int]:
        """Where each element starts in the child column, plus the end (``len(self) + 1`` numbers)."""
        if self._offsets is None:
            self._offsets = _offsets(self.lengths)
        return self._offsets

    def _element(self, start: int, stop: int) -> Literal:
        from typeflow.packed import PackedLiterals

        return _lit.Literal(collection=_lit.LiteralCollection(PackedLiterals.of(self.child.slice(start, stop))))

    def literal(self, index: int) -> Literal:
        offsets = self.offsets()
        return self._element(offsets[index], offsets[index + 1])

    def literals(self) -> Iterator[Literal]:
        offsets = self.offsets()
        return map(self._element, offsets, islice(offsets, 1, None))

    def slice(self, start: int, stop: int) -> ListColumn:
        offsets = self.offsets()
        return ListColumn.unchecked(self.lengths[start:stop], self.child.slice(offsets[start], offsets[stop]))

    def same_as(self, other: Column) -> bool | None:
        if isinstance(other, ListColumn) and other.lengths == self.lengths:
            return self.child.same_as(other.child)
        return None


class MapColumn(Column):
    """Map literals with str keys: their distinct key tuples, which one each has, and one child of all values.

    ``shapes`` are the distinct key tuples; element ``i`` has keys
    ``shapes[index[i]]`` (``index`` is ``None`` when every element has the one
    shape) and takes its values, in that order, from the child column.
    """

    __slots__ = ("_offsets", "child", "count", "index", "shapes")
    kind = "map"

    def __init__(self, shapes: Sequence[Sequence[str]], index: Sequence[int] | None, child: Column, count: int) -> None:
        held: tuple[tuple[str, ...], ...] = tuple(tuple(s) for s in shapes)
        if not isinstance(child, Column):
            raise TypeError("MapColumn: child must be a Column")
        for shape in held:
            if not all(type(k) is str for k in shape) or len(set(shape)) != len(shape):
                raise ValueError("MapColumn: each shape must be distinct str keys")
        if not held:
            raise ValueError("MapColumn: at least one shape")
        if index is None:
            if len(held) != 1:
                raise ValueError("MapColumn: without an index there must be exactly one shape")
            total = count * len(held[0])
        else:
            index = array.array("q", index)
            if len(index) != count or (index and not 0 <= min(index) <= max(index) < len(held)):
                raise ValueError("MapColumn: the index must give one existing shape per element")
            sizes = [len(s) for s in held]
            total = sum(map(sizes.__getitem__, index))
        if total != len(child):
            raise ValueError("MapColumn: the shapes do not add up to the child column's length")
        self.shapes: tuple[tuple[str, ...], ...] = held
        self.index: Sequence[int] | None = index
        self.child = child
        self.count = count
        self._offsets: array.array[int] | None = None

    @classmethod
    def unchecked(cls, shapes: tuple[tuple[str, ...], ...], index: Sequence[int] | None, child: Column, count: int) -> MapColumn:
        column = cls.__new__(cls)
        column.shapes, column.index, column.child, column.count, column._offsets = shapes, index, child, count, None
        return column

    def __len__(self) -> int:
        return self.count

    def keys_of(self) -> Iterator[tuple[str, ...]]:
        """The key tuple of each element, in order."""
        if self.index is None:
            return repeat(self.shapes[0], self.count)
        return map(self.shapes.__getitem__, self.index)

    def offsets(self) -> array.array[int]:
        """Where each element's values start in the child column, plus the end."""
        if self._offsets is None:
            self._offsets = _offsets(map(len, self.keys_of()))
        return self._offsets

    def _element(self, keys: tuple[str, ...], start: int, stop: int) -> Literal:
        from typeflow.packed import PackedLiteralMap

        return _lit.Literal(map=_lit.LiteralMap(PackedLiteralMap.of(keys, self.child.slice(start, stop))))

    def literal(self, index: int) -> Literal:
        offsets = self.offsets()
        keys = self.shapes[0] if self.index is None else self.shapes[self.index[index]]
        return self._element(keys, offsets[index], offsets[index + 1])

    def literals(self) -> Iterator[Literal]:
        offsets = self.offsets()
        return map(self._element, self.keys_of(), offsets, islice(offsets, 1, None))

    def slice(self, start: int, stop: int) -> MapColumn:
        offsets = self.offsets()
        index = None if self.index is None else self.index[start:stop]
        return MapColumn.unchecked(self.shapes, index, self.child.slice(offsets[start], offsets[stop]), stop - start)

    def same_as(self, other: Column) -> bool | None:
        if (
            isinstance(other, MapColumn)
            and other.shapes == self.shapes
            and other.count == self.count
            and list(other.keys_of()) == list(self.keys_of())
        ):
            return self.child.same_as(other.child)
        return None
