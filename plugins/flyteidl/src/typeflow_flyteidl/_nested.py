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

import array
from bisect import bisect_left
from collections.abc import Callable, Sequence
from itertools import accumulate, chain, compress, repeat
from typing import Any

from typeflow.columns import (
    MAX_UNION_VARIANTS,
    Column,
    ListColumn,
    LiteralsColumn,
    MapColumn,
    NoneColumn,
    PrimitiveColumn,
    UnionColumn,
)
from typeflow.literals import Literal, LiteralType, SimpleType

from . import _frames
from ._codec import CODECS, KindCodec, codec_of
from ._frames import LENGTHS, HeadCache, field_heads, framed
from ._rows import Rows, varint_lengths

__all__ = ["ListCodec", "LiteralsCodec", "MapCodec", "NoneCodec", "UnionCodec", "entry_sizes", "map_entries", "map_entry_parts"]


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

            heads = HeadCache(head)
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


def _framed(sizes: Any) -> Any:
    """Each size plus its field's tag and length prefix (numpy arrays stay arrays)."""
    np = _frames.numpy()
    if np is not None:
        values = np.asarray(sizes, dtype=np.int64)
        return values + 1 + varint_lengths(np, values.view(np.uint64))
    lengths = LENGTHS
    return [1 + len(lengths[x]) + x for x in sizes]


def _boundaries(part_sizes: Sequence[int], piece_sizes: Any) -> list[int] | None:
    """How many pieces each part holds, when the parts are the pieces in order (``None`` if a part splits a piece)."""
    np = _frames.numpy()
    if np is not None:
        ends = np.cumsum(np.asarray(piece_sizes, dtype=np.int64))
        parts = np.asarray(part_sizes, dtype=np.int64)
        part_ends = np.cumsum(parts)
        if (len(ends) and int(ends[-1])) != (int(part_ends[-1]) if len(parts) else 0):
            return None
        last = np.searchsorted(ends, part_ends)  # the piece each part ends in
        nonempty = parts > 0
        if not bool((ends[np.minimum(last[nonempty], len(ends) - 1)] == part_ends[nonempty]).all()):
            return None
        taken = np.where(nonempty, last + 1, 0)
        taken = np.maximum.accumulate(taken)
        return np.diff(taken, prepend=0).tolist()  # type: ignore[no-any-return]
    ends_list = list(accumulate(piece_sizes))
    counts = []
    taken_so_far = 0
    total = 0
    for size in part_sizes:
        if not size:
            counts.append(0)
            continue
        total += size
        end = bisect_left(ends_list, total, lo=taken_so_far)
        if end == len(ends_list) or ends_list[end] != total:
            return None
        counts.append(end + 1 - taken_so_far)
        taken_so_far = end + 1
    return counts if taken_so_far == len(ends_list) else None


def entry_sizes(keys: Sequence[str], value_sizes: Any) -> Any:
    """Each map entry's framed size, of its key and a value ``Literal`` of ``value_sizes``."""
    joined = "".join(keys)
    key_sizes = list(map(len, keys)) if joined.isascii() else [len(k.encode()) for k in keys]
    return _framed(_plus(_framed(key_sizes), _framed(value_sizes)))


def _plus(a: Any, b: Any) -> Any:
    return a + b if not isinstance(a, list) else list(map(int.__add__, a, b))


def _piece_sizes(codec: KindCodec, column: Column, canonical: bool) -> Any:
    """Each element ``Literal``'s canonical size (computed where the codec can tell, else by encoding it)."""
    sizes = codec.literal_sizes(column) if canonical else None
    if isinstance(sizes, int):
        return [sizes] * len(column)
    if sizes is None:
        return list(map(len, codec.pieces(column)))
    return sizes


class _Parts(KindCodec):
    """A kind whose element is one length-delimited field (``collection`` or ``map``) holding a payload."""

    field_tag = 0  # 0x12 collection, 0x1a map
    view_field = ""

    def __init__(self) -> None:
        #: the column :meth:`from_view` built last, with each element's payload size: its size check needs no encoding
        self._read: tuple[Column, list[int]] | None = None

    def matches(self, first: Literal) -> bool:
        return (
            getattr(first, self.view_field) is not None
            and first.hash is None
            and first.metadata is None
            and first.offloaded_metadata is None
        )

    def from_view(self, literal_view: Any, count: Callable[[], int]) -> Column | None:
        from . import bulk

        payloads = list(getattr(literal_view, self.view_field))
        if not payloads:
            return None
        column = self.from_payloads(payloads, b"".join(payloads), bulk.CANONICAL.get())
        if column is not None:
            self._read = (column, list(map(len, payloads)))
        return column

    def from_payloads(self, payloads: list[bytes], joined: bytes, canonical: bool) -> Column | None:
        """The column of elements holding these payloads (``joined``: all of them, one payload of the child kind)."""
        raise NotImplementedError

    def canonical_size(self, column: Column) -> int | None:
        read = self._read
        if read is None or read[0] is not column:
            return None
        return int(sum(_framed(_framed(read[1]))))


class ListCodec(_Parts):
    """``Literal{collection{...}}``: each element's child elements framed once and joined.

    Read back as one child column: the elements' collections, joined, are one
    collection of every child element, read in bulk; each element's length
    is where its payload ends among the child elements.
    """

    kind = "list"
    field_tag = 0x12
    view_field = "collection"

    def element_bytes(self, column: Column) -> list[bytes]:
        child = column.child  # type: ignore[attr-defined]
        pieces = framed(0x0A, codec_of(child).pieces(child)) if len(child) else []
        offsets = column.offsets().tolist()  # type: ignore[attr-defined]
        bodies = list(map(b"".join, map(pieces.__getitem__, map(slice, offsets[:-1], offsets[1:]))))
        return framed(0x12, bodies)

    def from_payloads(self, payloads: list[bytes], joined: bytes, canonical: bool) -> Column | None:
        from . import bulk
        from .decode import first_literal

        if not joined:
            return ListColumn.unchecked(array.array("q", bytes(8 * len(payloads))), LiteralsColumn.unchecked(()))
        first = first_literal(joined)
        child = None if first is None else bulk.decode_collection(joined, first)
        if child is None:
            return None
        counts = _boundaries(list(map(len, payloads)), _framed(_piece_sizes(codec_of(child), child, canonical)))
        if counts is None:
            return None
        return ListColumn.unchecked(array.array("q", counts), child)


def map_entry_parts(keys: Sequence[str], values: Sequence[bytes]) -> list[bytes]:
    """The pieces of each ``LiteralMap`` entry (``0a L 0a L``, key, ``12 L``, value), four per entry, in order.

    ``values[i]`` is the ``Literal`` bytes of ``keys[i]``'s value. Joined, they
    are the entries; no bytes are concatenated per entry. Raises
    ``UnicodeEncodeError`` for a key with a lone surrogate (the caller says which).
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
    parts: list[bytes] = [b""] * (4 * len(encoded))
    parts[0::4] = map(heads.__getitem__, zip(map(len, encoded), value_sizes))
    parts[1::4] = encoded
    parts[2::4] = map(value_heads.__getitem__, value_sizes)
    parts[3::4] = values
    return parts


def map_entries(keys: Sequence[str], values: Sequence[bytes]) -> list[bytes]:
    """Each ``LiteralMap`` entry's bytes (see :func:`map_entry_parts`)."""
    parts = map_entry_parts(keys, values)
    return list(map(b"".join, zip(parts[0::4], parts[1::4], parts[2::4], parts[3::4])))


class MapCodec(_Parts):
    """``Literal{map{...}}``: each element's entries (key, value literal), joined.

    Read back as one child column: the elements' maps, joined, are one map
    payload of every entry (keys repeating across elements), read through
    the merged view; each element's keys are the entries its payload holds.
    """

    kind = "map"
    field_tag = 0x1A
    view_field = "map"

    def element_bytes(self, column: Column) -> list[bytes]:
        child = column.child  # type: ignore[attr-defined]
        keys = list(chain.from_iterable(column.keys_of()))  # type: ignore[attr-defined]
        parts = map_entry_parts(keys, codec_of(child).pieces(child)) if len(child) else []
        offsets = [4 * x for x in column.offsets().tolist()]  # type: ignore[attr-defined]
        bodies = list(map(b"".join, map(parts.__getitem__, map(slice, offsets[:-1], offsets[1:]))))
        return framed(0x1A, bodies)

    def from_payloads(self, payloads: list[bytes], joined: bytes, canonical: bool) -> Column | None:
        from . import _views, bulk
        from .decode import first_literal

        if not joined:
            return MapColumn.unchecked(((),), None, LiteralsColumn.unchecked(()), len(payloads))
        first = first_literal(joined, entry=True)
        codec = None if first is None else bulk.codec_for(first)
        view = _views.parse("Map", joined)
        if codec is None or view is None:
            return None
        keys = list(view.literals.key)
        child = codec.from_view(view.literals.value, keys.__len__)
        if child is None or len(child) != len(keys):
            return None
        if canonical:  # protobuf's bytes: sizes prove them (each entry holds one key and one value of one datum)
            sizes = entry_sizes(keys, _piece_sizes(codec, child, canonical))
            if int(sum(sizes)) != len(joined):
                return None
        else:
            entries = map_entries(keys, codec.pieces(child))
            if b"".join(entries) != joined:
                return None
            sizes = list(map(len, entries))
        counts = _boundaries(list(map(len, payloads)), sizes)
        if counts is None:
            return None
        shapes_of: list[tuple[str, ...]] = []
        at = 0
        for c in counts:
            shapes_of.append(tuple(keys[at : at + c]))
            at += c
        shapes = tuple(dict.fromkeys(shapes_of))
        if any(len(set(shape)) != len(shape) for shape in shapes):
            return None  # a key repeated within one map: protobuf keeps the last, the element decoder too
        index = None
        if len(shapes) > 1:
            number = {shape: i for i, shape in enumerate(shapes)}
            index = array.array("q", map(number.__getitem__, shapes_of))
        return MapColumn.unchecked(shapes, index, child, len(payloads))


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
