"""Bulk codecs of the columns that hold other columns: unions (and their ``None`` variant), lists, maps, literals.

Writing builds on the child columns' codecs: a union element is its value's
``Literal`` bytes inside ``Literal{scalar{union{value, stored_type}}}``, where
every length prefix depends only on the value's size (one head lookup per
element) and the stored type's bytes are written once per variant; a list
element frames its child elements once and joins them; a map element joins
its entries. When every variant has a numpy row form, a union of a million
``Optional[int]`` is built in numpy rows without a Python step per element.

Reading a union goes through the merged view: one stored type per element
(the variant index) and the merged values, one column per leaf field. Lists
and maps are read element by element at their own level, each inner
collection or map in bulk, and joined (:mod:`.repack`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain, compress, repeat
from typing import Any

from typeflow.columns import MAX_UNION_VARIANTS, Column, LiteralsColumn, NoneColumn, PrimitiveColumn, UnionColumn
from typeflow.literals import Literal, LiteralType, SimpleType

from ._codec import CODECS, KindCodec, codec_of
from ._frames import LENGTHS, field_heads, framed
from ._rows import Rows

__all__ = ["ListCodec", "LiteralsCodec", "MapCodec", "NoneCodec", "UnionCodec", "map_entries"]


class _Heads(dict[int, bytes]):
    def __init__(self, make: Callable[[int], bytes]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, n: int) -> bytes:
        value = self[n] = self.make(n)
        return value


def _interleave(index: bytes, parts: Sequence[Sequence[bytes]]) -> list[bytes]:
    iterators = [iter(p) for p in parts]
    return list(map(next, map(iterators.__getitem__, index)))


# --------------------------------------------------------------------------- none


class NoneCodec(KindCodec):
    """``Literal{scalar{none_type{}}}``: the ``None`` variant of a union (never a column of its own)."""

    kind = "none"
    ELEMENT = b"\x0a\x02\x2a\x00"

    def element_bytes(self, column: Column) -> list[bytes]:
        return [self.ELEMENT] * len(column)

    def rows(self, np: Any, column: Column) -> Rows | None:
        return Rows(np, len(column)).append_const(self.ELEMENT)

    def matches(self, first: Literal) -> bool:
        return False  # a collection of nones stays a collection: typeflow holds none only inside unions

    def from_view(self, literal_view: Any, count: Callable[[], int]) -> Column | None:
        return None


# --------------------------------------------------------------------------- unions


def _type_bytes(variant: LiteralType) -> bytes:
    from .encode import encode_literal_type

    return encode_literal_type(variant)


#: the view field (and codec kind) holding the values of a variant of each simple type
_LEAVES = {
    SimpleType.INTEGER: "integer",
    SimpleType.FLOAT: "float_value",
    SimpleType.STRING: "string_value",
    SimpleType.BOOLEAN: "boolean",
    SimpleType.DATETIME: "datetime",
    SimpleType.DURATION: "duration",
    SimpleType.BINARY: "binary",
    SimpleType.STRUCT: "binary",  # dataclasses and dicts: msgpack binaries (a JSON struct fails the check)
    SimpleType.NONE: "none",
}


def _leaf(variant: LiteralType) -> str | None:
    if variant.enum_type is not None:
        return "string_value"
    return _LEAVES.get(variant.simple) if variant.simple is not None else None  # type: ignore[arg-type]


class UnionCodec(KindCodec):
    """``Literal{scalar{union{value, stored_type}}}``: Optional and Union elements."""

    kind = "union"

    def matches(self, first: Literal) -> bool:
        return (
            first.scalar is not None
            and first.scalar.union is not None
            and first.hash is None
            and first.metadata is None
            and first.offloaded_metadata is None
        )

    @staticmethod
    def _tails(column: UnionColumn) -> list[bytes]:
        return [b"\x12" + LENGTHS[len(t)] + t for t in map(_type_bytes, column.variants)]

    def element_bytes(self, column: Column) -> list[bytes]:
        assert isinstance(column, UnionColumn)
        parts = []
        for child, tail in zip(column.columns, self._tails(column)):
            values = codec_of(child).element_bytes(child) if len(child) else []

            def head(c: int, tail: bytes = tail) -> bytes:
                u = 1 + len(LENGTHS[c]) + c + len(tail)
                s = 1 + len(LENGTHS[u]) + u
                return b"\x0a" + LENGTHS[s] + b"\x4a" + LENGTHS[u] + b"\x0a" + LENGTHS[c]

            heads = _Heads(head)
            parts.append(list(map(b"".join, zip(map(heads.__getitem__, map(len, values)), values, repeat(tail)))))
        return _interleave(column.index, parts)

    def rows(self, np: Any, column: Column) -> Rows | None:
        assert isinstance(column, UnionColumn)
        parts = []
        for child, tail in zip(column.columns, self._tails(column)):
            child_rows = codec_of(child).rows(np, child)
            if child_rows is None:
                return None
            parts.append(child_rows.prepend_length(0x0A).append_const(tail))
        return Rows.merge(np, parts, column.index).prepend_length(0x4A).prepend_length(0x0A)

    def from_view(self, literal_view: Any, count: Callable[[], int]) -> Column | None:
        from .decode import decode_literal_type

        union = literal_view.scalar.union
        types = list(union.type)
        if not types:
            return None
        variants = list(dict.fromkeys(types))
        if len(variants) > MAX_UNION_VARIANTS:
            return None
        number = {t: i for i, t in enumerate(variants)}
        index = bytes(map(number.__getitem__, types))
        literal_types = tuple(decode_literal_type(t, (0, len(t)), "$") for t in variants)
        leaves = [_leaf(t) for t in literal_types]
        if None in leaves:
            return None  # a list, map or other variant: read element by element
        columns: list[Column | None] = [None] * len(variants)
        for leaf in dict.fromkeys(x for x in leaves if x is not None):
            members = [i for i, x in enumerate(leaves) if x == leaf]
            if leaf == "none":
                for i in members:
                    columns[i] = NoneColumn(index.count(i))
                continue
            expected = sum(map(index.count, members))
            merged = CODECS[leaf].from_view(union.value, expected.__int__)
            if merged is None or len(merged) != expected:
                return None
            if len(members) == 1:
                columns[members[0]] = merged
                continue
            shared = index.translate(None, bytes(i for i in range(len(variants)) if i not in members))
            for i in members:
                picked = _select(merged, shared.translate(bytes(int(b == i) for b in range(256))))
                if picked is None:
                    return None
                columns[i] = picked
        return UnionColumn.unchecked(literal_types, index, tuple(c for c in columns if c is not None))


def _select(column: Column, mask: bytes) -> Column | None:
    """The elements of a primitive column where ``mask`` (one 0/1 byte per element) is 1."""
    if isinstance(column, PrimitiveColumn):
        values = list(compress(column.tolist(), mask))
        try:
            return PrimitiveColumn(column.kind, values, column.tag)
        except (TypeError, ValueError, OverflowError):
            return None
    return None


# --------------------------------------------------------------------------- lists and maps


class ListCodec(KindCodec):
    """``Literal{collection{...}}``: each element's child elements framed once and joined."""

    kind = "list"

    def element_bytes(self, column: Column) -> list[bytes]:
        child = column.child  # type: ignore[attr-defined]
        pieces = framed(0x0A, codec_of(child).pieces(child)) if len(child) else []
        offsets = column.offsets().tolist()  # type: ignore[attr-defined]
        bodies = list(map(b"".join, map(pieces.__getitem__, map(slice, offsets[:-1], offsets[1:]))))
        return framed(0x12, bodies)

    def matches(self, first: Literal) -> bool:
        return False  # read element by element at this level; each inner collection is read in bulk

    def from_view(self, literal_view: Any, count: Callable[[], int]) -> Column | None:
        return None


def map_entries(keys: Sequence[str], values: Sequence[bytes]) -> list[bytes]:
    """Each ``LiteralMap`` entry (``0a L 0a L key 12 L value``) of ``keys[i]`` and the ``Literal`` bytes ``values[i]``.

    Raises ``UnicodeEncodeError`` for a key with a lone surrogate (the caller says which).
    """
    encoded = list(map(str.encode, keys))
    value_heads = field_heads(0x12)
    lengths = LENGTHS

    class Heads(dict[tuple[int, int], bytes]):
        def __missing__(self, shape: tuple[int, int]) -> bytes:
            k, v = shape
            entry = 1 + len(lengths[k]) + k + 1 + len(lengths[v]) + v
            head = self[shape] = b"\x0a" + lengths[entry] + b"\x0a" + lengths[k]
            return head

    heads = Heads()
    value_sizes = list(map(len, values))
    return list(
        map(
            b"".join,
            zip(
                map(heads.__getitem__, zip(map(len, encoded), value_sizes)),
                encoded,
                map(value_heads.__getitem__, value_sizes),
                values,
            ),
        )
    )


class MapCodec(KindCodec):
    """``Literal{map{...}}``: each element's entries (key, value literal), joined."""

    kind = "map"

    def element_bytes(self, column: Column) -> list[bytes]:
        child = column.child  # type: ignore[attr-defined]
        keys = list(chain.from_iterable(column.keys_of()))  # type: ignore[attr-defined]
        entries = map_entries(keys, codec_of(child).pieces(child)) if len(child) else []
        offsets = column.offsets().tolist()  # type: ignore[attr-defined]
        bodies = list(map(b"".join, map(entries.__getitem__, map(slice, offsets[:-1], offsets[1:]))))
        return framed(0x1A, bodies)

    def matches(self, first: Literal) -> bool:
        return False

    def from_view(self, literal_view: Any, count: Callable[[], int]) -> Column | None:
        return None


class LiteralsCodec(KindCodec):
    """Element literals held as they are: each one through the element encoder."""

    kind = "literals"

    def element_bytes(self, column: Column) -> list[bytes]:
        from .encode import encode_literal

        assert isinstance(column, LiteralsColumn)
        return [encode_literal(x, f"$[{i}]") for i, x in enumerate(column.items)]

    def matches(self, first: Literal) -> bool:
        return False

    def from_view(self, literal_view: Any, count: Callable[[], int]) -> Column | None:
        return None
