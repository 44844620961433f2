"""Packed collections and maps, converted in bulk: their repeated fields as bytes.

A packed collection of a million ints is a million ``Literal`` messages in
flyteidl. Building a protobuf object per element takes seconds, so each
packed kind has a :class:`KindCodec` here that writes the whole repeated
field as bytes (the exact bytes protobuf's serializer produces) and reads it
back into one array.

Reading uses *merge views*: private message types, wire-compatible with
``LiteralCollection`` / ``LiteralMap``, whose element field is singular (so
protobuf merges every element into one message) and whose leaf fields are
repeated (so merging appends): one C-level parse yields every value in
order. A view would also accept bytes that are not in the canonical
per-element form (a hash on an element, a missing value), so every bulk read
is checked by re-encoding the values: the bulk result is used only when the
bytes are identical, and otherwise the element-by-element decoder reads them.

To add a packed kind: subclass :class:`KindCodec`, set ``kind`` (the name in
:data:`typeflow.packed.PACKED_KINDS`), implement ``literal_bytes`` and
``from_view`` (and a faster ``encode_collection`` where it pays), and add an
instance to :data:`CODECS`. Nothing else in the package changes.
"""

from __future__ import annotations

import array
import contextvars
import sys
from collections.abc import Callable, Sequence
from typing import Any

from typeflow.literals import Literal, PackedLiteralMap, PackedLiterals

from ._wire import varint

__all__ = ["CODECS", "KindCodec", "decode_collection", "decode_map", "encode_collection", "encode_map"]

_LITTLE = sys.byteorder == "little"

#: set while decoding bytes protobuf's own serializer wrote (``from_flyteidl``): such bytes hold each
#: singular field at most once, in minimal form, which lets a codec check a bulk read by its length alone
CANONICAL: contextvars.ContextVar[bool] = contextvars.ContextVar("typeflow_flyteidl_canonical", default=False)


class _Lengths(dict[int, bytes]):
    """``lengths[n]`` is the varint of ``n``, computed once per length."""

    def __missing__(self, n: int) -> bytes:
        value = self[n] = varint(n)
        return value


LENGTHS = _Lengths()


def wrap(field_byte: int, payload: bytes) -> bytes:
    """A length-delimited field (one-byte tag) holding ``payload``."""
    return bytes((field_byte,)) + LENGTHS[len(payload)] + payload


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        return None
    return numpy


# --------------------------------------------------------------------------- merge views


_VIEW_PROTO = "typeflow_flyteidl_views.proto"
_views: dict[str, Any] = {}


def _view(name: str) -> Any:
    """A merge-view message class (built once, in a private descriptor pool)."""
    if not _views:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

        proto = descriptor_pb2.FileDescriptorProto(name=_VIEW_PROTO, package="typeflow_views", syntax="proto3")
        repeated, singular = 3, 1
        layout: dict[str, list[tuple[str, int, int, int, str]]] = {
            # name: [(field, number, type, label, message type)]; types: 1 double, 3 int64, 8 bool, 9 string, 11 message, 12 bytes
            "Prim": [
                ("integer", 1, 3, repeated, ""),
                ("float_value", 2, 1, repeated, ""),
                ("string_value", 3, 9, repeated, ""),
                ("boolean", 4, 8, repeated, ""),
            ],
            "Bin": [("value", 1, 12, repeated, ""), ("tag", 2, 9, repeated, "")],
            "Scalar": [("primitive", 1, 11, singular, "Prim"), ("binary", 3, 11, singular, "Bin")],
            "Lit": [("scalar", 1, 11, singular, "Scalar")],
            "Coll": [("literals", 1, 11, singular, "Lit")],
            "Entry": [("key", 1, 9, repeated, ""), ("value", 2, 11, singular, "Lit")],
            "Map": [("literals", 1, 11, singular, "Entry")],
        }
        for message, fields in layout.items():
            m = proto.message_type.add(name=message)
            for fname, number, ftype, label, type_name in fields:
                f = m.field.add(name=fname, number=number, type=ftype, label=label)  # type: ignore[arg-type]
                if type_name:
                    f.type_name = f".typeflow_views.{type_name}"
        pool = descriptor_pool.DescriptorPool()
        pool.Add(proto)
        for message in layout:
            _views[message] = message_factory.GetMessageClass(pool.FindMessageTypeByName(f"typeflow_views.{message}"))
    return _views[name]


def _parse_view(name: str, payload: bytes) -> Any:
    from google.protobuf.message import DecodeError

    try:
        return _view(name).FromString(payload)
    except DecodeError:
        return None  # e.g. a string that is not UTF-8: the element decoder says where


# --------------------------------------------------------------------------- kinds


class KindCodec:
    """Writes and reads the repeated field of one packed kind as bytes."""

    kind: str = ""

    def matches(self, first: Literal) -> bool:
        """Whether a collection whose first element is ``first`` may be held in this kind."""
        s = first.scalar
        return (
            s is not None
            and s.primitive is not None
            and s.primitive.kind == self.kind
            and first.hash is None
            and first.metadata is None
        )

    def literal_bytes(self, values: Sequence[Any], tag: str) -> list[bytes]:
        """Each value's ``Literal`` message bytes."""
        raise NotImplementedError

    def encode_collection(self, values: Sequence[Any], tag: str) -> bytes:
        """The ``LiteralCollection`` message bytes of ``values``."""
        prefix = b"\x0a"
        lengths = LENGTHS
        parts: list[bytes] = []
        append = parts.append
        for lit in self.literal_bytes(values, tag):
            append(prefix + lengths[len(lit)])
            append(lit)
        return b"".join(parts)

    def from_view(self, literal_view: Any) -> tuple[Sequence[Any], str] | None:
        """The values (and tag) a merged ``Lit`` view holds, or ``None`` if it holds another kind."""
        raise NotImplementedError

    def canonical_size(self, values: Sequence[Any], tag: str) -> int | None:
        """The byte size of the canonical collection of ``values``, if this codec can tell it without encoding.

        In protobuf's own serialization every element holds its value at most
        once and nothing is smaller than the canonical element, so a payload of
        exactly this size holds nothing but the canonical elements: the bulk
        read needs no re-encoding to be checked.
        """
        return None

    def matches_bytes(self, values: Sequence[Any], tag: str, payload: bytes) -> bool | None:
        """Whether ``payload`` is the canonical collection of ``values``, told without encoding (``None``: cannot tell)."""
        return None

    def literal_sizes(self, values: Sequence[Any], tag: str) -> Sequence[int] | int | None:
        """Each canonical element ``Literal``'s byte size (one int when all are equal), if known without encoding."""
        return None


class _PrimitiveCodec(KindCodec):
    """A primitive kind whose element is ``Literal{scalar{primitive{<field>}}}``."""

    field_byte = 0  # the Primitive field's tag byte

    def prefix(self, value_bytes: int) -> bytes:
        p = 1 + value_bytes
        s = 1 + len(LENGTHS[p]) + p
        return b"\x0a" + LENGTHS[s] + b"\x0a" + LENGTHS[p] + bytes((self.field_byte,))

    def values_of(self, prim_view: Any) -> Any:
        return getattr(prim_view, self.kind)

    def from_view(self, literal_view: Any) -> tuple[Sequence[Any], str] | None:
        return self.held(self.values_of(literal_view.scalar.primitive)), ""

    def held(self, values: Any) -> Sequence[Any]:
        return tuple(values)


class IntegerCodec(_PrimitiveCodec):
    kind = "integer"
    field_byte = 0x08

    def literal_bytes(self, values: Sequence[Any], tag: str) -> list[bytes]:
        prefixes: dict[int, bytes] = {}
        out = []
        for v in values:
            vb = varint(v)
            n = len(vb)
            p = prefixes.get(n)
            if p is None:
                p = prefixes[n] = self.prefix(n)
            out.append(p + vb)
        return out

    def encode_collection(self, values: Sequence[Any], tag: str) -> bytes:
        np = _numpy()
        if np is not None and len(values) > 64:
            return _int_collection_numpy(np, values)
        return super().encode_collection(values, tag)

    def held(self, values: Any) -> Sequence[Any]:
        np = _numpy()
        if np is not None:
            held = array.array("q")
            held.frombytes(memoryview(np.ascontiguousarray(values, dtype=np.int64)).cast("B"))  # one copy, at C speed
            return held
        return array.array("q", values)

    def canonical_size(self, values: Sequence[Any], tag: str) -> int | None:
        return 7 * len(values) + _varint_sizes_total(values)

    def literal_sizes(self, values: Sequence[Any], tag: str) -> Sequence[int] | int | None:
        return [5 + len(varint(v)) for v in values]

    def matches_bytes(self, values: Sequence[Any], tag: str, payload: bytes) -> bool | None:
        np = _numpy()
        if np is None or not len(values):
            return None
        return _int_collection_matches(np, values, payload)


def _int_collection_numpy(np: Any, values: Sequence[Any]) -> bytes:
    """Every element ``0a k+5 0a k+3 0a k+1 08 <k-byte varint>``, built byte column by byte column, then compacted.

    Column ``7 + j`` holds the varint's ``j``-th 7-bit group of each value (with
    the continuation bit where more follow); ``keep`` drops the columns past
    each value's length, so the row-major compaction is the canonical encoding.
    """
    raw = values if isinstance(values, array.array) and values.typecode == "q" else array.array("q", values)
    u = np.frombuffer(raw, dtype=np.int64).view(np.uint64)
    n = len(u)
    thresholds = np.uint64(1) << np.arange(7, 64, 7, dtype=np.uint64)
    k = (np.searchsorted(thresholds, u, side="right") + 1).astype(np.uint8)
    octets = np.ascontiguousarray(u.astype("<u8").view(np.uint8).reshape(n, 8).T)  # octets[q] = byte q of every value
    cols = np.empty((17, n), dtype=np.uint8)
    keep = np.empty((17, n), dtype=bool)
    cols[0] = 0x0A
    np.add(k, 5, out=cols[1])
    cols[2] = 0x0A
    np.add(k, 3, out=cols[3])
    cols[4] = 0x0A
    np.add(k, 1, out=cols[5])
    cols[6] = 0x08
    keep[:7] = True
    for j in range(10):
        q, r = divmod(7 * j, 8)
        group = cols[7 + j]
        np.right_shift(octets[q], r, out=group)
        if r > 1 and q + 1 < 8:
            group |= octets[q + 1] << (8 - r)
        group &= 0x7F
        np.greater(k, j, out=keep[7 + j])
        if j < 9:
            group |= (k > j + 1).view(np.uint8) << 7
    data: bytes = np.ascontiguousarray(cols.T)[np.ascontiguousarray(keep.T)].tobytes()
    return data


def _varint_sizes_total(values: Sequence[Any]) -> int:
    np = _numpy()
    if np is not None:
        raw = values if isinstance(values, array.array) and values.typecode == "q" else array.array("q", values)
        u = np.frombuffer(raw, dtype=np.int64).view(np.uint64)
        thresholds = np.uint64(1) << np.arange(7, 64, 7, dtype=np.uint64)
        return int(np.searchsorted(thresholds, u, side="right").sum()) + len(u)
    return sum(len(varint(v)) for v in values)


def _int_collection_matches(np: Any, values: Sequence[Any], payload: bytes) -> bool:
    """Whether ``payload`` is the canonical collection of ``values``, from its bytes at computed offsets.

    Each element must be ``0a k+5 0a k+3 0a k+1 08`` then a varint of exactly
    ``k`` bytes (``k`` the minimal length of its value): its last byte low, the
    others high. Then every element holds exactly one integer, so the merged
    values are the elements' values in order, and the bytes are canonical.
    """
    raw = values if isinstance(values, array.array) and values.typecode == "q" else array.array("q", values)
    u = np.frombuffer(raw, dtype=np.int64).view(np.uint64)
    thresholds = np.uint64(1) << np.arange(7, 64, 7, dtype=np.uint64)
    k = np.searchsorted(thresholds, u, side="right").astype(np.int64) + 1
    sizes = k + 7
    if int(sizes.sum()) != len(payload):
        return False
    data = np.frombuffer(payload, dtype=np.uint8)
    starts = np.cumsum(sizes) - sizes
    for offset, byte in enumerate(_INT_PREFIX):
        expected = k + byte if offset % 2 else byte
        if not bool((data[starts + offset] == expected).all()):
            return False
    if np.any(data[starts + sizes - 1] >= 0x80):
        return False
    # the prefixes are low bytes, so the high bytes all lie in the varints: k - 1 in each, none elsewhere
    return int(np.count_nonzero(data >= 0x80)) == int((k - 1).sum())


#: bytes 0-6 of a collection element holding an integer whose varint has k bytes: 0a k+5 0a k+3 0a k+1 08
_INT_PREFIX = (0x0A, 5, 0x0A, 3, 0x0A, 1, 0x08)


class FloatCodec(_PrimitiveCodec):
    kind = "float_value"
    field_byte = 0x11
    #: an element is these 7 bytes then the 8-byte little-endian double
    ELEMENT = b"\x0a\x0d\x0a\x0b\x0a\x09\x11"

    def _doubles(self, values: Sequence[Any]) -> bytes:
        raw = values if isinstance(values, array.array) and values.typecode == "d" else array.array("d", values)
        if not _LITTLE:
            raw = array.array("d", raw)
            raw.byteswap()
        return raw.tobytes()

    def literal_bytes(self, values: Sequence[Any], tag: str) -> list[bytes]:
        data = _strided(self.ELEMENT[2:], self._doubles(values), 8)
        return [data[i : i + 13] for i in range(0, len(data), 13)]

    def encode_collection(self, values: Sequence[Any], tag: str) -> bytes:
        return _strided(self.ELEMENT, self._doubles(values), 8)

    def canonical_size(self, values: Sequence[Any], tag: str) -> int | None:
        return 15 * len(values)

    def literal_sizes(self, values: Sequence[Any], tag: str) -> Sequence[int] | int | None:
        return 13

    def held(self, values: Any) -> Sequence[Any]:
        np = _numpy()
        if np is not None:
            held = array.array("d")
            held.frombytes(memoryview(np.ascontiguousarray(values, dtype=np.float64)).cast("B"))
            return held
        return array.array("d", values)


class BooleanCodec(_PrimitiveCodec):
    kind = "boolean"
    field_byte = 0x20
    ELEMENT = b"\x0a\x06\x0a\x04\x0a\x02\x20"

    def literal_bytes(self, values: Sequence[Any], tag: str) -> list[bytes]:
        return [b"\x0a\x04\x0a\x02\x20\x01" if v else b"\x0a\x04\x0a\x02\x20\x00" for v in values]

    def encode_collection(self, values: Sequence[Any], tag: str) -> bytes:
        return _strided(self.ELEMENT, bytes(map(bool, values)), 1)

    def canonical_size(self, values: Sequence[Any], tag: str) -> int | None:
        return 8 * len(values)

    def literal_sizes(self, values: Sequence[Any], tag: str) -> Sequence[int] | int | None:
        return 6


def _strided(prefix: bytes, payload: bytes, width: int) -> bytes:
    """Elements of ``prefix`` + ``width`` payload bytes each, interleaved by strided copies (no per-element work)."""
    n = len(payload) // width
    stride = len(prefix) + width
    out = bytearray(stride * n)
    for j, byte in enumerate(prefix):
        out[j::stride] = bytes((byte,)) * n
    for j in range(width):
        out[len(prefix) + j :: stride] = payload[j::width]
    return bytes(out)


class StringCodec(_PrimitiveCodec):
    kind = "string_value"
    field_byte = 0x1A

    def literal_bytes(self, values: Sequence[Any], tag: str) -> list[bytes]:
        prefixes: dict[int, bytes] = {}
        out = []
        for s in values:
            sb = s.encode("utf-8")
            n = len(sb)
            p = prefixes.get(n)
            if p is None:
                vb = LENGTHS[n]
                p = prefixes[n] = self.prefix(len(vb) + n) + vb
            out.append(p + sb)
        return out


class BinaryCodec(KindCodec):
    """``Literal{scalar{binary{value, tag}}}``: bytes lists, dataclass records (msgpack)."""

    kind = "binary"

    def matches(self, first: Literal) -> bool:
        s = first.scalar
        return s is not None and s.binary is not None and first.hash is None and first.metadata is None

    def literal_bytes(self, values: Sequence[Any], tag: str) -> list[bytes]:
        tail = (b"\x12" + LENGTHS[len(tag.encode("utf-8"))] + tag.encode("utf-8")) if tag else b""
        heads: dict[int, bytes] = {}
        out = []
        for value in values:
            n = len(value)
            head = heads.get(n)
            if head is None:
                field = (b"\x0a" + LENGTHS[n]) if n else b""
                b = len(field) + n + len(tail)
                s = 1 + len(LENGTHS[b]) + b
                head = heads[n] = b"\x0a" + LENGTHS[s] + b"\x1a" + LENGTHS[b] + field
            out.append(head + value + tail if tail else head + value)
        return out

    def from_view(self, literal_view: Any) -> tuple[Sequence[Any], str] | None:
        binary = literal_view.scalar.binary
        tags = binary.tag
        return tuple(binary.value), (tags[0] if len(tags) else "")


CODECS: dict[str, KindCodec] = {c.kind: c for c in (IntegerCodec(), FloatCodec(), StringCodec(), BooleanCodec(), BinaryCodec())}


# --------------------------------------------------------------------------- entry points of the codec


def encode_collection(packed: PackedLiterals) -> bytes:
    """The ``LiteralCollection`` message bytes of a packed collection."""
    return _codec(packed.kind).encode_collection(packed.values, packed.tag)


def encode_map(packed: PackedLiteralMap, key_bytes: Callable[[str], bytes]) -> bytes:
    """The ``LiteralMap`` message bytes of a packed map (entries in the map's order)."""
    lits = _codec(packed.kind).literal_bytes(packed.raw_values, packed.tag)
    lengths = LENGTHS
    heads: dict[tuple[int, int], tuple[bytes, bytes]] = {}
    parts: list[bytes] = []
    append = parts.append
    for key, lit in zip(packed.raw_keys, lits):
        kb = key_bytes(key)
        shape = (len(kb), len(lit))
        frame = heads.get(shape)
        if frame is None:
            k, v = shape
            entry = 1 + len(lengths[k]) + k + 1 + len(lengths[v]) + v
            frame = heads[shape] = (b"\x0a" + lengths[entry] + b"\x0a" + lengths[k], b"\x12" + lengths[v])
        append(frame[0])
        append(kb)
        append(frame[1])
        append(lit)
    return b"".join(parts)


def _codec(kind: str) -> KindCodec:
    codec = CODECS.get(kind)
    if codec is None:
        raise NotImplementedError(f"typeflow-flyteidl has no bulk codec for packed kind {kind!r}")
    return codec


def codec_for(first: Literal) -> KindCodec | None:
    """The codec whose kind a collection starting with ``first`` may be held in."""
    for codec in CODECS.values():
        if codec.matches(first):
            return codec
    return None


def decode_collection(payload: bytes, first: Literal) -> PackedLiterals | None:
    """A packed collection of ``LiteralCollection`` bytes, or ``None`` when they are not one packed kind."""
    codec = codec_for(first)
    if codec is None:
        return None
    view = _parse_view("Coll", payload)
    if view is None:
        return None
    found = codec.from_view(view.literals)
    if found is None:
        return None
    values, tag = found
    try:
        packed = PackedLiterals(codec.kind, values, tag)
    except (TypeError, ValueError, OverflowError):
        return None
    size = codec.canonical_size(packed.values, tag) if CANONICAL.get() else None
    if size is not None:
        return packed if size == len(payload) else None
    exact = codec.matches_bytes(packed.values, tag, payload)
    if exact is not None:
        return packed if exact else None
    if codec.encode_collection(packed.values, tag) != payload:
        return None
    return packed


def decode_map(payload: bytes, first: Literal, key_bytes: Callable[[str], bytes]) -> PackedLiteralMap | None:
    """A packed map of ``LiteralMap`` bytes, or ``None`` when its values are not one packed kind."""
    codec = codec_for(first)
    if codec is None:
        return None
    view = _parse_view("Map", payload)
    if view is None:
        return None
    found = codec.from_view(view.literals.value)
    if found is None:
        return None
    values, tag = found
    keys = tuple(view.literals.key)
    if len(keys) != len(values) or len(set(keys)) != len(keys):
        return None  # a repeated key: protobuf keeps the last; the element decoder does too
    try:
        packed = PackedLiteralMap(codec.kind, keys, values, tag)
    except (TypeError, ValueError, OverflowError):
        return None
    sizes = codec.literal_sizes(packed.raw_values, tag) if CANONICAL.get() else None
    if sizes is not None:
        return packed if _canonical_map_size(keys, sizes, key_bytes) == len(payload) else None
    if encode_map(packed, key_bytes) != payload:
        return None
    return packed


def _canonical_map_size(keys: Sequence[str], sizes: Sequence[int] | int, key_bytes: Callable[[str], bytes]) -> int:
    """The byte size of canonical map entries of ``keys`` whose value literals have ``sizes``."""
    lengths = LENGTHS
    key_sizes = map(len, map(key_bytes, keys))
    value_sizes = [sizes] * len(keys) if isinstance(sizes, int) else sizes
    total = 0
    for k, v in zip(key_sizes, value_sizes):
        entry = 2 + len(lengths[k]) + k + len(lengths[v]) + v
        total += 1 + len(lengths[entry]) + entry
    return total
