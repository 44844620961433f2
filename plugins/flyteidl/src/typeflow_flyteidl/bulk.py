"""Packed collections and maps, converted in bulk: their repeated fields as bytes.

A packed collection of a million ints is a million ``Literal`` messages in
flyteidl. Building a protobuf object (or a typeflow ``Literal``) per element
takes seconds, so each column kind (:mod:`typeflow.columns`) has a
:class:`KindCodec` in :data:`CODECS` that writes all its elements as the exact
bytes protobuf's serializer produces, and reads them back into one column:

- primitives (integer, float_value, string_value, boolean, binary):
  :mod:`._primitives`; datetime and duration: :mod:`._times`;
- union (and its ``none`` variant), list, map, literals: :mod:`._nested`.

Reading goes through merge views (:mod:`._views`): one C-level parse yields
every element's values. A bulk read is used only when exact: bytes from
``from_flyteidl`` (protobuf's own serialization) are checked by size where a
size proves it (see :meth:`KindCodec.canonical_size`), other bytes by their
bytes at computed offsets or by encoding the column again and comparing.
Otherwise (a hash or metadata on an element, mixed kinds, bytes that are not
canonical) the element decoder reads them, and :mod:`.repack` holds uniform
elements as their column again.

To add a column kind: subclass :class:`KindCodec` (see its docstring) and add
an instance to :data:`CODECS`. Nothing else in the package changes.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Sequence
from typing import Any

from typeflow.columns import Column
from typeflow.literals import Literal, PackedLiteralMap, PackedLiterals

from . import _frames, _views
from ._codec import CODECS, Fallback, KindCodec, codec_of
from ._nested import ListCodec, LiteralsCodec, MapCodec, NoneCodec, UnionCodec, entry_sizes, map_entry_parts
from ._primitives import BinaryCodec, BooleanCodec, FloatCodec, IntegerCodec, StringCodec, strided
from ._times import DatetimeCodec, DurationCodec

__all__ = [
    "CANONICAL",
    "CODECS",
    "Fallback",
    "KindCodec",
    "codec_for",
    "decode_collection",
    "decode_map",
    "encode_collection",
    "encode_map",
]

#: set while decoding bytes protobuf's own serializer wrote (``from_flyteidl``): such bytes hold each
#: singular field at most once, in minimal form, which lets a codec check a bulk read by its length alone
CANONICAL: contextvars.ContextVar[bool] = contextvars.ContextVar("typeflow_flyteidl_canonical", default=False)

for _codec in (
    IntegerCodec(),
    FloatCodec(),
    StringCodec(),
    BooleanCodec(),
    BinaryCodec(),
    DatetimeCodec(),
    DurationCodec(),
    NoneCodec(),
    UnionCodec(),
    ListCodec(),
    MapCodec(),
    LiteralsCodec(),
):
    CODECS[_codec.kind] = _codec

#: codecs a collection may be read in, tried in this order against its first element
_READERS = [c for c in CODECS.values() if c.kind not in ("none", "literals")]

# --------------------------------------------------------------------------- writing


def encode_collection(packed: PackedLiterals) -> bytes:
    """The ``LiteralCollection`` message bytes of a packed collection.

    Raises :class:`Fallback` (or ``UnicodeEncodeError``) for elements the
    element-by-element encoder must write, so that it can say where.
    """
    column = packed.column
    return codec_of(column).encode_collection(column)


def encode_map(packed: PackedLiteralMap) -> bytes:
    """The ``LiteralMap`` message bytes of a packed map (entries in the map's order)."""
    column = packed.column
    keys = packed.raw_keys
    codec = codec_of(column)
    fixed = _FIXED.get(column.kind)
    if fixed is not None and len(keys) > 1:
        data = _fixed_width_map(keys, fixed[0](column), fixed[1])
        if data is not None:
            return data
    return b"".join(map_entry_parts(keys, codec.pieces(column)))


_FLOAT_LITERAL = FloatCodec.ELEMENT[2:]  # 0a 0b 0a 09 11: a float element's Literal, before its 8 bytes
_FIXED: dict[str, tuple[Callable[[Any], bytes], int]] = {
    # kind: (the elements' Literal bytes, concatenated; each one's width)
    "float_value": (lambda c: strided(_FLOAT_LITERAL, _little_doubles(c.values), 8), 13),
    "boolean": (lambda c: strided(b"\x0a\x04\x0a\x02\x20", _bools(c.values), 1), 6),
}


def _little_doubles(values: Any) -> bytes:
    from ._primitives import little_doubles

    return little_doubles(values)


def _bools(values: Any) -> bytes:
    return values if isinstance(values, bytes) else bytes(map(bool, values))


def _fixed_width_map(keys: Sequence[str], literals: bytes, width: int) -> bytes | None:
    """Map entries of ASCII keys and ``width``-byte literals, without a Python step per entry.

    Entry ``i`` is ``0a E 0a K <key> 12 w <literal>``. Everything after a key
    up to the next key (``12 w <literal_i> 0a E 0a K`` of entry ``i + 1``) is a
    fixed-width chunk, so the chunks are built by strided copies and split by
    a regular expression; the keys go between them in one join. Latin-1 text
    stands for the bytes, which ASCII keys already are.
    """
    joined = "".join(keys)
    if not joined.isascii():
        return None
    n = len(keys)
    try:
        sizes = bytes(map(len, keys))
    except ValueError:
        return None  # a key of 256 bytes or more
    if max(sizes) + width + 4 >= 128:
        return None  # two-byte lengths: the general path
    np = _frames.numpy()
    if np is not None:
        return _fixed_width_map_numpy(np, joined.encode("ascii"), sizes, literals, width)
    entries = sizes.translate(bytes((b + width + 4) & 0xFF for b in range(256)))
    stride = width + 6
    chunks = bytearray(stride * n)
    chunks[0::stride] = b"\x12" * n
    chunks[1::stride] = bytes((width,)) * n
    for j in range(width):
        chunks[2 + j :: stride] = literals[j::width]
    chunks[2 + width :: stride] = b"\x0a" * n
    chunks[3 + width :: stride] = entries[1:] + b"\x00"
    chunks[4 + width :: stride] = b"\x0a" * n
    chunks[5 + width :: stride] = sizes[1:] + b"\x00"
    pieces = re.findall(f".{{{stride}}}", chunks.decode("latin-1"), re.DOTALL)
    pieces[-1] = pieces[-1][:-4]  # the last entry has no next one
    parts: list[str] = [""] * (2 * n + 1)
    parts[0] = f"\x0a{chr(entries[0])}\x0a{chr(sizes[0])}"
    parts[1::2] = keys
    parts[2::2] = pieces
    return "".join(parts).encode("latin-1")


def _fixed_width_map_numpy(np: Any, joined: bytes, sizes: bytes, literals: bytes, width: int) -> bytes:
    """:func:`_fixed_width_map` with numpy: the keys (``joined``) and the fixed parts copied to computed offsets."""
    n = len(sizes)
    key_bytes = np.frombuffer(joined, dtype=np.uint8)
    key_sizes = np.frombuffer(sizes, dtype=np.uint8).astype(np.int64)
    entry_sizes = key_sizes + (6 + width)
    starts = np.cumsum(entry_sizes) - entry_sizes
    out = np.empty(int(starts[-1] + entry_sizes[-1]), dtype=np.uint8)
    values = np.frombuffer(literals, dtype=np.uint8).reshape(n, width)
    runs = np.flatnonzero(key_sizes[1:] != key_sizes[:-1]) + 1
    if len(runs) * _RUN <= n:
        _fill_runs(np, out, key_bytes, key_sizes, starts, values, np.concatenate(([0], runs, [n])))
        return bytes(out.tobytes())
    out[starts] = 0x0A
    out[starts + 1] = key_sizes + (4 + width)
    out[starts + 2] = 0x0A
    out[starts + 3] = key_sizes
    key_starts = np.cumsum(key_sizes) - key_sizes
    out[np.repeat(starts + 4 - key_starts, key_sizes) + np.arange(len(key_bytes))] = key_bytes
    tails = np.empty((n, 2 + width), dtype=np.uint8)
    tails[:, 0] = 0x12
    tails[:, 1] = width
    tails[:, 2:] = values
    out[(starts + 4 + key_sizes)[:, None] + np.arange(2 + width)] = tails
    return bytes(out.tobytes())


#: a run of equally long keys is written as one block when the runs average at least this many entries
_RUN = 32


def _fill_runs(np: Any, out: Any, key_bytes: Any, key_sizes: Any, starts: Any, values: Any, bounds: Any) -> None:
    """Entries whose keys are equally long, run by run: each run is a 2-D block filled column by column.

    Keys are often equally long in long stretches (``key-0`` … ``key-99999``,
    ids, hashes): a run of ``m`` entries with ``k``-byte keys is an ``m`` by
    ``k + 6 + width`` block of ``out``, and its keys a ``m`` by ``k`` block of
    ``key_bytes``, so every column is one strided copy.
    """
    width = values.shape[1]
    key_at = 0
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        k = int(key_sizes[lo])
        m = hi - lo
        start = int(starts[lo])
        block = out[start : start + m * (k + 6 + width)].reshape(m, k + 6 + width)
        block[:, 0] = 0x0A
        block[:, 1] = k + 4 + width
        block[:, 2] = 0x0A
        block[:, 3] = k
        block[:, 4 : 4 + k] = key_bytes[key_at : key_at + m * k].reshape(m, k)
        block[:, 4 + k] = 0x12
        block[:, 5 + k] = width
        block[:, 6 + k :] = values[lo:hi]
        key_at += m * k


# --------------------------------------------------------------------------- reading


def codec_for(first: Literal) -> KindCodec | None:
    """The codec a collection starting with ``first`` may be read in."""
    for codec in _READERS:
        if codec.matches(first):
            return codec
    return None


def _count(payload: bytes | memoryview) -> int:
    counted = _views.parse("Count", payload)
    return -1 if counted is None else len(counted.literals)


def decode_collection(payload: bytes | memoryview, first: Literal) -> Column | None:
    """The column of ``LiteralCollection`` bytes, or ``None`` when they are not exactly one column's elements."""
    codec = codec_for(first)
    if codec is None:
        return None
    view = _views.parse("Coll", payload)
    if view is None:
        return None
    try:
        column = codec.from_view(view.literals, lambda: _count(payload))
        if column is None or not _exact(codec, column, payload, view.literals):
            return None
    except (Fallback, TypeError, ValueError, OverflowError, UnicodeError):
        return None  # the element decoder reads it, and says what is wrong if anything is
    return column


def _exact(codec: KindCodec, column: Column, payload: bytes | memoryview, literal_view: Any) -> bool:
    if CANONICAL.get():
        literals = codec.view_literal_size(literal_view, column)
        if literals is not None and literals + 2 * len(column) == len(payload):
            return True  # each element's own header, two bytes: nothing else is in the payload
        size = codec.canonical_size(column)
        if size is not None:
            return size == len(payload)
    verdict = codec.matches_payload(column, payload)
    if verdict is not None:
        return verdict
    return codec.encode_collection(column) == payload


def decode_map(payload: bytes | memoryview, first: Literal) -> PackedLiteralMap | None:
    """A packed map of ``LiteralMap`` bytes, or ``None`` when its values are not exactly one column's elements."""
    codec = codec_for(first)
    if codec is None:
        return None
    view = _views.parse("Map", payload)
    if view is None:
        return None
    entries = view.literals
    keys = entries.key[:]  # a list, built in C
    try:
        column = codec.from_view(entries.value, keys.__len__)
        if column is None or len(column) != len(keys):
            return None
        canonical = CANONICAL.get()
        if not canonical and len(set(keys)) != len(keys):
            return None  # a repeated key: protobuf keeps the last; the element decoder does too
        packed = PackedLiteralMap.unchecked(keys, column)
        if canonical and _sized(codec, entries, keys, column, len(payload)):
            return packed
        sizes = codec.literal_sizes(column) if canonical else None
        exact = _map_size(keys, sizes) == len(payload) if sizes is not None else encode_map(packed) == payload
    except (Fallback, TypeError, ValueError, OverflowError, UnicodeError):
        return None
    return packed if exact else None


def _sized(codec: KindCodec, entries: Any, keys: Sequence[str], column: Column, size: int) -> bool:
    """Whether canonical map entries of ``size`` bytes, merged in ``entries``, are exactly ``keys`` and ``column``.

    Every term is the least an entry can take: its own header and its value
    field's header two bytes each, its key field two bytes plus the key's
    UTF-8 bytes, its value literal what the codec says is the least that holds
    its element (see :meth:`KindCodec.view_literal_size`). A canonical payload
    of exactly their sum holds nothing else, and every length in it is one
    byte. (A key of 126 bytes or more makes the sum fall short: the caller
    then measures the entries exactly.)
    """
    n = len(column)
    joined = "".join(keys)
    keys_size = 2 * n + (len(joined) if joined.isascii() else len(joined.encode("utf-8")))
    literals = codec.view_literal_size(entries.value, column)
    if literals is None:
        fixed = codec.literal_sizes(column)
        if not isinstance(fixed, int):
            return False
        literals = fixed * n
    return keys_size + literals + 4 * n == size


def _map_size(keys: Sequence[str], sizes: Sequence[int] | int) -> int:
    """The byte size of canonical map entries of ``keys`` whose value literals have ``sizes``."""
    n = len(keys)
    if not n:
        return 0
    if isinstance(sizes, int):
        joined = "".join(keys)
        if joined.isascii() and max(map(len, keys)) + sizes + 4 < 128:  # every length prefix is one byte
            return (sizes + 6) * n + len(joined)
        sizes = [sizes] * n
    return int(sum(entry_sizes(keys, sizes)))
