"""Bulk codecs of the primitive columns: integers, floats, booleans, strings and tagged binaries.

An element is ``Literal{scalar{primitive{<field>}}}`` (a binary:
``Literal{scalar{binary{value, tag}}}``). Its bytes depend on the value's
length only through a few length prefixes, so each codec keeps a head table
per value length and writes every element with one lookup, or writes the
whole collection by strided copies (floats, booleans) or numpy byte columns
(integers). Reading takes the merged view's repeated field as the column.
"""

from __future__ import annotations

import array
import sys
from collections.abc import Callable, Sequence
from typing import Any

from typeflow.columns import Column, PrimitiveColumn
from typeflow.literals import Literal

from . import _frames
from ._codec import SMALL, KindCodec, is_bare_primitive, nested_sizes, nested_total, wrapped_size
from ._frames import LENGTHS, HeadCache, fields_joined
from ._rows import Rows, varint_lengths
from ._wire import varint

__all__ = ["BinaryCodec", "BooleanCodec", "FloatCodec", "IntegerCodec", "StringCodec", "int64_values", "primitive_head"]

_LITTLE = sys.byteorder == "little"


def primitive_head(field_byte: int, value_bytes: int) -> bytes:
    """``0a L 0a L <field>``: the bytes of ``Literal{scalar{primitive{...}}}`` before a ``value_bytes``-long value."""
    p = 1 + value_bytes
    s = 1 + len(LENGTHS[p]) + p
    return b"\x0a" + LENGTHS[s] + b"\x0a" + LENGTHS[p] + bytes((field_byte,))


def int64_values(values: Any) -> array.array[int]:
    """Integers as ``array('q')`` (no copy when they already are one)."""
    return values if isinstance(values, array.array) and values.typecode == "q" else array.array("q", values)


class _PrimitiveCodec(KindCodec):
    """A primitive kind whose element is ``Literal{scalar{primitive{<field>}}}``."""

    field_byte = 0  # the Primitive field's tag byte

    def matches(self, first: Literal) -> bool:
        return is_bare_primitive(first, self.kind)

    def from_view(self, literal_view: Any, count: Callable[[], int]) -> Column | None:
        values = self.held(getattr(literal_view.scalar.primitive, self.kind))
        return PrimitiveColumn.unchecked(self.kind, values) if len(values) else None

    def held(self, values: Any) -> Sequence[Any]:
        held: list[Any] = values[:]  # a list, built in C
        return held

    def view_literal_size(self, literal_view: Any, column: Column) -> int | None:
        return 4 * len(column) + int(literal_view.scalar.primitive.ByteSize())

    def wrap_rows(self, rows: Rows) -> Rows:
        """Rows holding each element's ``Primitive`` bytes → each element's ``Literal`` bytes."""
        return rows.prepend_length(0x0A).prepend_length(0x0A)


# --------------------------------------------------------------------------- integers


class IntegerCodec(_PrimitiveCodec):
    kind = "integer"
    field_byte = 0x08

    def element_bytes(self, column: Column) -> list[bytes]:
        prefixes: dict[int, bytes] = {}
        out: list[bytes] = []
        append = out.append
        for v in column.values:  # type: ignore[attr-defined]
            vb = varint(v)
            n = len(vb)
            p = prefixes.get(n)
            if p is None:
                p = prefixes[n] = primitive_head(0x08, n)
            append(p + vb)
        return out

    def rows(self, np: Any, column: Column) -> Rows | None:
        u = np.frombuffer(int64_values(column.values), dtype=np.int64).view(np.uint64)  # type: ignore[attr-defined]
        return self.wrap_rows(Rows(np, len(u)).append_varint(u, tag=0x08))

    def encode_collection(self, column: Column) -> bytes:
        np = _frames.numpy()
        if np is not None and len(column) > SMALL:
            return _int_collection_numpy(np, column.values)  # type: ignore[attr-defined]
        return fields_joined(0x0A, self.element_bytes(column))

    def held(self, values: Any) -> Sequence[Any]:
        np = _frames.numpy()
        if np is not None:
            held = array.array("q")
            held.frombytes(memoryview(np.ascontiguousarray(values, dtype=np.int64)).cast("B"))  # one copy, at C speed
            return held
        return array.array("q", values)

    def canonical_size(self, column: Column) -> int | None:
        return 7 * len(column) + _varint_sizes_total(column.values)  # type: ignore[attr-defined]

    def view_literal_size(self, literal_view: Any, column: Column) -> int | None:
        if _frames.numpy() is not None:
            return None  # numpy's varint lengths (canonical_size) are faster than protobuf's ByteSize here
        return super().view_literal_size(literal_view, column)

    def literal_sizes(self, column: Column) -> Sequence[int] | int | None:
        np = _frames.numpy()
        if np is not None:
            u = np.frombuffer(int64_values(column.values), dtype=np.int64).view(np.uint64)  # type: ignore[attr-defined]
            return varint_lengths(np, u) + 5  # type: ignore[no-any-return]
        return [5 + len(varint(v)) for v in column.values]  # type: ignore[attr-defined]

    def matches_payload(self, column: Column, payload: bytes | memoryview) -> bool | None:
        np = _frames.numpy()
        if np is None or not len(column):
            return None
        return _int_collection_matches(np, column.values, payload)  # type: ignore[attr-defined]


def _int_collection_numpy(np: Any, values: Sequence[int]) -> bytes:
    """Every element ``0a k+5 0a k+3 0a k+1 08 <k-byte varint>``, built byte column by byte column, then compacted.

    Column ``7 + j`` holds the varint's ``j``-th 7-bit group of each value (with
    the continuation bit where more follow); ``keep`` drops the columns past
    each value's length, so the row-major compaction is the canonical encoding.
    (:class:`~._rows.Rows` builds the same bytes; this one is tuned for the
    plain collection, the most common packed form.)
    """
    u = np.frombuffer(int64_values(values), dtype=np.int64).view(np.uint64)
    n = len(u)
    k = varint_lengths(np, u).astype(np.uint8)
    octets = np.ascontiguousarray(u.astype("<u8").view(np.uint8).reshape(n, 8).T)  # octets[q] = byte q of every value
    cols = np.empty((17, n), dtype=np.uint8)
    cols[0] = 0x0A
    np.add(k, 5, out=cols[1])
    cols[2] = 0x0A
    np.add(k, 3, out=cols[3])
    cols[4] = 0x0A
    np.add(k, 1, out=cols[5])
    cols[6] = 0x08
    for j in range(10):
        q, r = divmod(7 * j, 8)
        group = cols[7 + j]
        np.right_shift(octets[q], r, out=group)
        if r > 1 and q + 1 < 8:
            group |= octets[q + 1] << (8 - r)
        group &= 0x7F
        if j < 9:
            group |= (k > j + 1).view(np.uint8) << 7
    # row i keeps its 7 head bytes and k[i] varint bytes: row k of a table of the 11 masks, gathered row-major
    keep = np.take(np.arange(17)[None, :] < np.arange(7, 18)[:, None], k, axis=0)
    data: bytes = np.ascontiguousarray(cols.T)[keep].tobytes()
    return data


def _varint_sizes_total(values: Sequence[int]) -> int:
    np = _frames.numpy()
    if np is not None:
        u = np.frombuffer(int64_values(values), dtype=np.int64).view(np.uint64)
        return int(varint_lengths(np, u).sum())
    return sum(len(varint(v)) for v in values)


def _int_collection_matches(np: Any, values: Sequence[int], payload: bytes | memoryview) -> bool:
    """Whether ``payload`` is the canonical collection of ``values``, from its bytes at computed offsets.

    Each element must be ``0a k+5 0a k+3 0a k+1 08`` then a varint of exactly
    ``k`` bytes (``k`` the minimal length of its value): its last byte low, the
    others high. Then every element holds exactly one integer, so the merged
    values are the elements' values in order, and the bytes are canonical.
    The seven head bytes and the varint's first byte of each element are read
    as one little-endian word (an overlapping view, one gather per element).
    """
    u = np.frombuffer(int64_values(values), dtype=np.int64).view(np.uint64)
    k = varint_lengths(np, u)
    sizes = k.astype(np.intp) + 7
    total = int(sizes.sum())
    if total != len(payload):
        return False
    data = np.frombuffer(payload, dtype=np.uint8)
    ends = np.cumsum(sizes)
    starts = ends - sizes
    # every element is 8 bytes or more, so each start has a whole word after it
    heads = np.ndarray(shape=(len(data) - 7,), dtype="<u8", buffer=payload, strides=(1,))[starts]
    expected = k.astype(np.uint64) * np.uint64(_INT_LENGTHS) + np.uint64(_INT_HEAD)
    if not bool(((heads & np.uint64(_SEVEN_BYTES)) == expected).all()):
        return False
    ends -= 1
    if np.any(data[ends] >= 0x80):
        return False
    # the heads are low bytes, so the high bytes all lie in the varints: k - 1 in each, none elsewhere
    return int(np.count_nonzero(data >= 0x80)) == total - 8 * len(u)


#: bytes 0-6 of a collection element holding an integer whose varint has k bytes, 0a k+5 0a k+3 0a k+1 08, as a
#: little-endian word: the constant bytes plus k times a one in each length byte
_INT_HEAD = int.from_bytes(bytes((0x0A, 5, 0x0A, 3, 0x0A, 1, 0x08, 0)), "little")
_INT_LENGTHS = int.from_bytes(bytes((0, 1, 0, 1, 0, 1, 0, 0)), "little")
_SEVEN_BYTES = (1 << 56) - 1


# --------------------------------------------------------------------------- fixed-width kinds


def strided(prefix: bytes, payload: bytes, width: int) -> bytes:
    """Elements of ``prefix`` + ``width`` payload bytes each, interleaved by strided copies (no per-element work)."""
    n = len(payload) // width
    stride = len(prefix) + width
    out = bytearray(stride * n)
    for j, byte in enumerate(prefix):
        out[j::stride] = bytes((byte,)) * n
    for j in range(width):
        out[len(prefix) + j :: stride] = payload[j::width]
    return bytes(out)


def little_doubles(values: Any) -> bytes:
    raw = values if isinstance(values, array.array) and values.typecode == "d" else array.array("d", values)
    if not _LITTLE:
        raw = array.array("d", raw)
        raw.byteswap()
    return raw.tobytes()


class FloatCodec(_PrimitiveCodec):
    kind = "float_value"
    field_byte = 0x11
    #: a collection element is these 7 bytes then the 8-byte little-endian double
    ELEMENT = b"\x0a\x0d\x0a\x0b\x0a\x09\x11"

    def element_bytes(self, column: Column) -> list[bytes]:
        data = strided(self.ELEMENT[2:], little_doubles(column.values), 8)  # type: ignore[attr-defined]
        return [data[i : i + 13] for i in range(0, len(data), 13)]

    def rows(self, np: Any, column: Column) -> Rows | None:
        raw = np.frombuffer(little_doubles(column.values), dtype=np.uint8).reshape(len(column), 8)  # type: ignore[attr-defined]
        return self.wrap_rows(Rows(np, len(column)).append_const(b"\x11").append_bytes(raw))

    def encode_collection(self, column: Column) -> bytes:
        return strided(self.ELEMENT, little_doubles(column.values), 8)  # type: ignore[attr-defined]

    def canonical_size(self, column: Column) -> int | None:
        return 15 * len(column)

    def view_literal_size(self, literal_view: Any, column: Column) -> int | None:
        return None  # canonical_size needs no pass at all

    def literal_sizes(self, column: Column) -> Sequence[int] | int | None:
        return 13

    def held(self, values: Any) -> Sequence[Any]:
        np = _frames.numpy()
        if np is not None:
            held = array.array("d")
            held.frombytes(memoryview(np.ascontiguousarray(values, dtype=np.float64)).cast("B"))
            return held
        return array.array("d", values)


class BooleanCodec(_PrimitiveCodec):
    kind = "boolean"
    field_byte = 0x20
    ELEMENT = b"\x0a\x06\x0a\x04\x0a\x02\x20"
    _TRUE, _FALSE = b"\x0a\x04\x0a\x02\x20\x01", b"\x0a\x04\x0a\x02\x20\x00"

    def element_bytes(self, column: Column) -> list[bytes]:
        pick = (self._FALSE, self._TRUE)
        return list(map(pick.__getitem__, _bool_bytes(column.values)))  # type: ignore[attr-defined]

    def rows(self, np: Any, column: Column) -> Rows | None:
        raw = np.frombuffer(_bool_bytes(column.values), dtype=np.uint8).reshape(len(column), 1)  # type: ignore[attr-defined]
        return self.wrap_rows(Rows(np, len(column)).append_const(b"\x20").append_bytes(raw))

    def encode_collection(self, column: Column) -> bytes:
        return strided(self.ELEMENT, _bool_bytes(column.values), 1)  # type: ignore[attr-defined]

    def canonical_size(self, column: Column) -> int | None:
        return 8 * len(column)

    def view_literal_size(self, literal_view: Any, column: Column) -> int | None:
        return None  # canonical_size needs no pass at all

    def literal_sizes(self, column: Column) -> Sequence[int] | int | None:
        return 6

    def held(self, values: Any) -> Sequence[Any]:
        return bytes(values)  # the column's storage: one 0/1 byte per element


def _bool_bytes(values: Any) -> bytes:
    return values if isinstance(values, bytes) else bytes(map(bool, values))


# --------------------------------------------------------------------------- strings and binaries


def _string_head(n: int) -> bytes:
    return primitive_head(0x1A, len(LENGTHS[n]) + n) + LENGTHS[n]


def utf8_all(values: Sequence[str]) -> list[bytes]:
    """Every string as UTF-8 (``UnicodeEncodeError`` for a lone surrogate: the caller says which element)."""
    return list(map(str.encode, values))


def byte_lengths(values: Sequence[str]) -> Sequence[int]:
    """The UTF-8 byte length of each string (their lengths, when all are ASCII)."""
    if "".join(values).isascii():
        return list(map(len, values))
    return list(map(len, utf8_all(values)))


class StringCodec(_PrimitiveCodec):
    kind = "string_value"
    field_byte = 0x1A

    def element_bytes(self, column: Column) -> list[bytes]:
        encoded = utf8_all(column.values)  # type: ignore[attr-defined]
        heads = HeadCache(_string_head)
        return list(map(bytes.__add__, map(heads.__getitem__, map(len, encoded)), encoded))

    def encode_collection(self, column: Column) -> bytes:
        encoded = utf8_all(column.values)  # type: ignore[attr-defined]
        heads = HeadCache(lambda n: b"\x0a" + LENGTHS[wrapped_size(n, 3)] + _string_head(n))
        parts: list[bytes] = [b""] * (2 * len(encoded))
        parts[0::2] = map(heads.__getitem__, map(len, encoded))
        parts[1::2] = encoded
        return b"".join(parts)

    def canonical_size(self, column: Column) -> int | None:
        return nested_total(byte_lengths(column.values), 4)  # type: ignore[attr-defined]

    def literal_sizes(self, column: Column) -> Sequence[int] | int | None:
        return nested_sizes(byte_lengths(column.values), 3)  # type: ignore[attr-defined]


class BinaryCodec(KindCodec):
    """``Literal{scalar{binary{value, tag}}}``: byte strings, dataclass records and untyped dicts (msgpack)."""

    kind = "binary"

    def matches(self, first: Literal) -> bool:
        s = first.scalar
        return (
            s is not None
            and s.binary is not None
            and first.hash is None
            and first.metadata is None
            and first.offloaded_metadata is None
        )

    @staticmethod
    def _tail(tag: str) -> bytes:
        data = tag.encode("utf-8")
        return b"\x12" + LENGTHS[len(data)] + data if data else b""

    def _heads(self, tail: bytes, framing: int) -> HeadCache:
        """Heads by value length: ``framing`` 1 adds the collection element's own prefix."""

        def make(n: int) -> bytes:
            field = (b"\x0a" + LENGTHS[n]) if n else b""
            b = len(field) + n + len(tail)
            s = 1 + len(LENGTHS[b]) + b
            head = b"\x0a" + LENGTHS[s] + b"\x1a" + LENGTHS[b] + field
            return b"\x0a" + LENGTHS[1 + len(LENGTHS[s]) + s] + head if framing else head

        return HeadCache(make)

    def element_bytes(self, column: Column) -> list[bytes]:
        values: Sequence[bytes] = column.values  # type: ignore[attr-defined]
        tail = self._tail(column.tag)  # type: ignore[attr-defined]
        heads = self._heads(tail, 0)
        if not tail:
            return list(map(bytes.__add__, map(heads.__getitem__, map(len, values)), values))
        n = len(values)
        parts: list[bytes] = [tail] * (3 * n)
        parts[0::3] = map(heads.__getitem__, map(len, values))
        parts[1::3] = values
        return list(map(b"".join, zip(parts[0::3], parts[1::3], parts[2::3])))

    def encode_collection(self, column: Column) -> bytes:
        values: Sequence[bytes] = column.values  # type: ignore[attr-defined]
        n = len(values)
        if not n:
            return b""
        tail = self._tail(column.tag)  # type: ignore[attr-defined]
        heads = self._heads(tail, 1)
        # each tag goes with the next element's head: one piece between two values, not two
        joints = HeadCache(lambda size: tail + heads[size])
        lengths = list(map(len, values))
        parts: list[bytes] = [tail] * (2 * n + 1)
        parts[0] = heads[lengths[0]]
        parts[1::2] = values
        parts[2:-1:2] = map(joints.__getitem__, lengths[1:])
        return b"".join(parts)

    def from_view(self, literal_view: Any, count: Callable[[], int]) -> Column | None:
        binary = literal_view.scalar.binary
        values = binary.value[:]  # a list of bytes, built in C
        if not values:
            return None
        tags = binary.tag
        if not len(tags):
            tag = ""
        elif len(tags) != len(values):
            return None  # a tag without a value (an empty one, which proto3 leaves out): element by element
        elif _frames.numpy() is not None:
            tag = tags[0]  # that every element has this tag is checked at its offset (matches_payload)
        elif len(set(tags)) == 1:
            tag = tags[0]
        else:
            return None  # elements with different tags: not one column
        return PrimitiveColumn.unchecked("binary", values, tag)

    def matches_payload(self, column: Column, payload: bytes | memoryview) -> bool | None:
        """Whether ``payload`` is exactly the canonical elements of ``column``, checked at computed offsets (numpy).

        With every length below 128 each element is ``0a L 0a L 1a L [0a n
        <value>] [12 t <tag>]``: the heads at each computed start and the tag
        at each computed end pin every element's fields, so the values the
        view merged are the elements' values, and their tag is the column's.
        """
        np = _frames.numpy()
        values: Sequence[bytes] = column.values  # type: ignore[attr-defined]
        if np is None or not values:
            return None
        tail = np.frombuffer(self._tail(column.tag), dtype=np.uint8)  # type: ignore[attr-defined]
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        if int(lengths.max()) + len(tail) + 8 >= 128:
            return None  # longer length prefixes: compared by encoding again
        binary = np.where(lengths > 0, lengths + 2, 0) + len(tail)
        sizes = binary + 6
        if int(sizes.sum()) != len(payload):
            return False
        data = np.frombuffer(payload, dtype=np.uint8)
        starts = np.cumsum(sizes) - sizes
        heads = ((0, 0x0A), (1, binary + 4), (2, 0x0A), (3, binary + 2), (4, 0x1A), (5, binary))
        if not all(bool((data[starts + at] == expected).all()) for at, expected in heads):
            return False
        present = starts[lengths > 0]
        if not (bool((data[present + 6] == 0x0A).all()) and bool((data[present + 7] == lengths[lengths > 0]).all())):
            return False
        if len(tail):
            ends = starts + sizes
            return bool((data[ends[:, None] - len(tail) + np.arange(len(tail))] == tail).all())
        return True

    def view_literal_size(self, literal_view: Any, column: Column) -> int | None:
        """The merged ``Bin``'s size, once every element is shown to hold exactly one tag, the column's.

        Each canonical element holds at most one tag, so as many tags as
        elements means one each; with the values cleared, the merged message
        serializes to its tag fields alone, which must be the column's tag
        field repeated (compared as bytes, in C).
        """
        binary = literal_view.scalar.binary
        n = len(column)
        size = int(binary.ByteSize())
        tail = self._tail(column.tag)  # type: ignore[attr-defined]
        if len(binary.tag) != (n if tail else 0):
            return None
        if tail:
            binary.ClearField("value")
            if binary.SerializeToString() != tail * n:
                return None
        return 4 * n + size

    def canonical_size(self, column: Column) -> int | None:
        if _frames.numpy() is not None:
            return None  # the offsets check (matches_payload) also proves the tag of every element
        values: Sequence[bytes] = column.values  # type: ignore[attr-defined]
        if not values:
            return 0
        tail = len(self._tail(column.tag))  # type: ignore[attr-defined]
        n = len(values)
        longest = max(map(len, values))
        if longest + tail + 8 < 128:  # every length prefix is one byte: no Python step per element
            present = n - values.count(b"")  # proto3 leaves an empty value out
            return sum(map(len, values)) + 2 * present + (tail + 6) * n
        return sum(self._literal_sizes(column, 1))

    def literal_sizes(self, column: Column) -> Sequence[int] | int | None:
        if _frames.numpy() is not None:
            return None  # from_view left the elements' tags to be checked at their offsets: sizes prove nothing of them
        return self._literal_sizes(column, 0)

    def _literal_sizes(self, column: Column, framing: int) -> list[int]:
        tail = len(self._tail(column.tag))  # type: ignore[attr-defined]
        lengths = LENGTHS
        fields = [(1 + len(lengths[n]) + n if n else 0) + tail for n in map(len, column.values)]  # type: ignore[attr-defined]
        return nested_sizes(fields, 2 + framing)
