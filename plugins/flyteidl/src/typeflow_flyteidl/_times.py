"""Bulk codecs of datetime and duration columns: ``google.protobuf.Timestamp`` / ``Duration`` elements.

An element is ``Literal{scalar{primitive{datetime|duration{seconds, nanos}}}}``,
proto3 leaving out a zero ``seconds`` or ``nanos``. Turning a million Python
datetimes into seconds and nanoseconds (and back) one by one costs far more
than the protobuf bytes themselves, so both directions go through msgpack,
which converts datetimes to and from its Timestamp extension in C: the
instants are shifted so that msgpack writes every one in its 15-byte form
(``c7 0c ff``, big-endian nanoseconds and seconds), and strided copies pick
the numbers out of those bytes (or put them in, for reading). Durations ride
the same path as the instants the epoch moved by them.
"""

from __future__ import annotations

import array
import datetime as _dt
import sys
from collections.abc import Callable, Sequence
from itertools import repeat
from operator import add, sub
from typing import Any

import msgpack

from typeflow.columns import Column, DatetimeColumn, PrimitiveColumn
from typeflow.literals import Literal

from . import _frames
from ._codec import KindCodec, is_bare_primitive
from ._frames import LENGTHS
from ._rows import Rows, varint_lengths
from ._wire import varint

__all__ = ["DatetimeCodec", "DurationCodec", "instants_of", "split_instants"]

UTC = _dt.timezone.utc
EPOCH = _dt.datetime(1970, 1, 1, tzinfo=UTC)
_LITTLE = sys.byteorder == "little"
_NANOS = 10**9
#: google.protobuf.Duration's range: ±10,000 years
_MAX_SECONDS = 315_576_000_000
_MSGPACK_TS96 = b"\xc7\x0c\xff"  # ext 8, 12 bytes, type -1: nanoseconds (u32) then seconds (i64), big-endian


def _gather(body: bytes | bytearray | memoryview, stride: int, offset: int, width: int, n: int) -> bytearray:
    """Bytes ``offset .. offset+width`` of each ``stride``-byte record, packed together (strided copies)."""
    out = bytearray(width * n)
    for j in range(width):
        out[j::width] = body[offset + j :: stride]
    return out


def _big_endian(code: str, raw: bytes | bytearray) -> array.array[int]:
    values = array.array(code)
    values.frombytes(raw)
    if _LITTLE:
        values.byteswap()
    return values


def _msgpack_array_head(n: int) -> bytes:
    if n < 16:
        return bytes((0x90 | n,))
    if n < 1 << 16:
        return b"\xdc" + n.to_bytes(2, "big")
    return b"\xdd" + n.to_bytes(4, "big")


#: a msgpack 15-byte Timestamp, as numpy reads it: the ext head, then big-endian nanoseconds and seconds
_TS96_FIELDS = [("head", "S3"), ("nanos", ">u4"), ("seconds", ">i8")]


def split_instants(instants: Sequence[_dt.datetime]) -> tuple[Any, Any]:
    """The Timestamp ``seconds`` (floor) and ``nanos`` of aware datetimes, converted in C.

    Two int64 sequences (numpy arrays when numpy is importable, else
    ``array('q')``). Raises ``OverflowError`` when shifting the instants for
    msgpack leaves datetime's range (instants nearly 2,000 years apart); the
    caller then converts them one by one.
    """
    n = len(instants)
    if not n:
        return array.array("q"), array.array("q")
    latest = max(instants)
    shift = 0
    if latest >= EPOCH:  # move every instant before the epoch: msgpack then writes each in its 15-byte form
        delta = latest - EPOCH
        shift = delta.days * 86_400 + delta.seconds + 1
        instants = list(map(sub, instants, repeat(_dt.timedelta(seconds=shift))))
    data = msgpack.packb(instants, datetime=True)
    head = len(_msgpack_array_head(n))
    if len(data) != head + 15 * n:
        raise OverflowError("msgpack did not write every instant in its 15-byte form")
    np = _frames.numpy()
    if np is not None:
        records = np.frombuffer(data, dtype=_TS96_FIELDS, offset=head)
        return records["seconds"].astype(np.int64) + shift, records["nanos"].astype(np.int64)
    body = memoryview(data)[head:]
    nanos = array.array("q", _big_endian("I" if array.array("I").itemsize == 4 else "L", _gather(body, 15, 3, 4, n)))
    seconds = _big_endian("q", _gather(body, 15, 7, 8, n))
    if shift:
        seconds = array.array("q", map(add, seconds, repeat(shift)))
    return seconds, nanos


def _bounds(values: Any) -> tuple[int, int]:
    """The least and greatest of a non-empty int sequence (numpy's own reduction for an array)."""
    if hasattr(values, "min"):
        return int(values.min()), int(values.max())
    return min(values), max(values)


def instants_of(seconds: Any, nanos: Any) -> list[_dt.datetime] | None:
    """Aware UTC datetimes of Timestamp ``seconds`` and ``nanos`` (``0 <= nanos < 10**9``), built in C.

    Sub-microsecond nanos are dropped, as the element decoder drops them.
    ``None`` when a value is outside datetime's range or the nanos are not a
    Timestamp's (the element decoder then says which).
    """
    n = len(seconds)
    if n:
        low, high = _bounds(nanos)
        if low < 0 or high >= _NANOS:
            return None
    np = _frames.numpy()
    if np is not None:
        records = np.empty(n, dtype=_TS96_FIELDS)
        records["head"] = _MSGPACK_TS96
        records["nanos"] = nanos
        records["seconds"] = seconds
        body = records.tobytes()
    else:
        buffer = bytearray(15 * n)
        for j, byte in enumerate(_MSGPACK_TS96):
            buffer[j::15] = bytes((byte,)) * n
        raw_nanos = array.array("L" if array.array("L").itemsize == 4 else "I", nanos)
        raw_seconds = array.array("q", seconds)
        if _LITTLE:
            raw_nanos.byteswap()
            raw_seconds.byteswap()
        nb, sb = raw_nanos.tobytes(), raw_seconds.tobytes()
        for j in range(4):
            buffer[3 + j :: 15] = nb[j::4]
        for j in range(8):
            buffer[7 + j :: 15] = sb[j::8]
        body = bytes(buffer)
    try:
        out: list[_dt.datetime] = msgpack.unpackb(_msgpack_array_head(n) + body, timestamp=3)
    except (ValueError, OverflowError):
        return None
    return out


def _time_bytes(seconds: int, nanos: int) -> bytes:
    """A Timestamp / Duration message: proto3 leaves a zero field out."""
    return (b"\x08" + varint(seconds) if seconds else b"") + (b"\x10" + varint(nanos) if nanos else b"")


class _TimeCodec(KindCodec):
    """Elements ``Literal{scalar{primitive{<field>{seconds, nanos}}}}``."""

    field_byte = 0  # the Primitive field's tag: 0x2a datetime, 0x32 duration
    view_field = ""

    def __init__(self) -> None:
        #: the column :meth:`from_view` built last, with the view's numbers: its size check needs no conversion back
        self._read: tuple[Column, tuple[Any, Any]] | None = None

    def numbers(self, column: Column) -> tuple[Any, Any]:
        """:meth:`split`, or the numbers the column was just read from."""
        read = self._read
        if read is not None and read[0] is column:
            return read[1]
        return self.split(column)

    def matches(self, first: Literal) -> bool:
        return is_bare_primitive(first, self.kind)

    def split(self, column: Column) -> tuple[Any, Any]:
        """The column's protobuf ``seconds`` and ``nanos`` (``array('q')`` or numpy int64 arrays)."""
        raise NotImplementedError

    def element_bytes(self, column: Column) -> list[bytes]:
        return self.time_elements(*self.split(column))

    def time_elements(self, seconds: Any, nanos: Any) -> list[bytes]:
        """Each element's ``Literal`` bytes (a negative ``nanos``, a duration's, as protobuf writes an int32: 10 bytes)."""
        tag = bytes((self.field_byte,))
        lengths = LENGTHS
        heads: dict[int, bytes] = {}
        out: list[bytes] = []
        append = out.append
        for s, ns in zip(seconds.tolist(), nanos.tolist()):
            t = _time_bytes(s, ns)
            head = heads.get(len(t))
            if head is None:
                p = 2 + len(t)  # tag + one-byte length + the message (at most 21 bytes)
                head = heads[len(t)] = b"\x0a" + lengths[2 + p] + b"\x0a" + lengths[p] + tag + lengths[len(t)]
            append(head + t)
        return out

    def rows(self, np: Any, column: Column) -> Rows | None:
        seconds, nanos = self.split(column)
        s = np.asarray(seconds, dtype=np.int64)
        ns = np.asarray(nanos, dtype=np.int64)
        rows = Rows(np, len(s))
        rows.append_varint(s.view(np.uint64), tag=0x08, present=s != 0)
        rows.append_varint(ns.view(np.uint64), tag=0x10, present=ns != 0)
        return rows.prepend_length(self.field_byte).prepend_length(0x0A).prepend_length(0x0A)

    def view_numbers(self, literal_view: Any) -> tuple[Any, Any] | None:
        """The view's seconds and nanos, when every merged element provably held a ``seconds`` of its own.

        Each element holds its fields at most once, and a zero is left out: so
        only when there are as many nanos as seconds (or none) do the two line
        up element by element. No seconds at all (instants in the epoch's first
        second) cannot be told apart from elements without a value: the element
        decoder reads those.
        """
        t = getattr(literal_view.scalar.primitive, self.view_field)
        seconds, nanos = t.seconds, t.nanos
        if not len(seconds) or len(nanos) not in (0, len(seconds)):
            return None
        np = _frames.numpy()
        if np is not None:  # numpy reads protobuf's repeated numbers in C
            s = np.array(seconds, dtype=np.int64)
            return s, (np.array(nanos, dtype=np.int64) if len(nanos) else np.zeros(len(s), dtype=np.int64))
        return array.array("q", seconds), (array.array("q", nanos) if len(nanos) else array.array("q", bytes(8 * len(seconds))))

    def canonical_size(self, column: Column) -> int | None:
        seconds, nanos = self.numbers(column)
        np = _frames.numpy()
        if np is not None:
            s = np.asarray(seconds, dtype=np.int64)
            ns = np.asarray(nanos, dtype=np.int64)
            fields = (varint_lengths(np, s.view(np.uint64)) + 1) * (s != 0)
            fields += (varint_lengths(np, ns.view(np.uint64)) + 1) * (ns != 0)
            return 8 * len(s) + int(fields.sum())  # a message of at most 21 bytes: every length prefix is one byte
        return sum(8 + len(_time_bytes(s, ns)) for s, ns in zip(seconds.tolist(), nanos.tolist()))  # type: ignore[attr-defined]


class DatetimeCodec(_TimeCodec):
    kind = "datetime"
    field_byte = 0x2A
    view_field = "datetime"

    def split(self, column: Column) -> tuple[Any, Any]:
        instants = column.instants  # type: ignore[attr-defined]
        try:
            return split_instants(instants)
        except OverflowError:
            pass
        seconds, nanos = array.array("q"), array.array("q")
        for value in instants:
            delta = value - EPOCH
            seconds.append(delta.days * 86_400 + delta.seconds)
            nanos.append(delta.microseconds * 1000)
        return seconds, nanos

    def from_view(self, literal_view: Any, count: Callable[[], int]) -> Column | None:
        numbers = self.view_numbers(literal_view)
        if numbers is None:
            return None
        instants = instants_of(*numbers)
        if instants is None:
            return None
        column = DatetimeColumn.unchecked(tuple(instants), False)
        self._read = (column, numbers)
        return column


class DurationCodec(_TimeCodec):
    """Durations: protobuf's ``seconds`` and ``nanos`` carry the duration's sign (truncated towards zero)."""

    kind = "duration"
    field_byte = 0x32
    view_field = "duration"

    def split(self, column: Column) -> tuple[Any, Any]:
        values: list[_dt.timedelta] = column.tolist()  # type: ignore[attr-defined]
        try:
            seconds, nanos = split_instants(list(map(add, values, repeat(EPOCH))))
        except OverflowError:
            seconds, nanos = array.array("q"), array.array("q")
            for value in values:
                micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
                seconds.append(micros // 1_000_000)
                nanos.append(micros % 1_000_000 * 1000)
        np = _frames.numpy()
        if np is not None and len(seconds):
            s = np.array(seconds, dtype=np.int64)
            ns = np.array(nanos, dtype=np.int64)
            negative = (s < 0) & (ns > 0)
            s[negative] += 1
            ns[negative] -= _NANOS
            return s, ns
        truncated_s, truncated_ns = array.array("q"), array.array("q")
        for s_, ns_ in zip(seconds, nanos):
            if s_ < 0 and ns_:
                s_, ns_ = s_ + 1, ns_ - _NANOS
            truncated_s.append(s_)
            truncated_ns.append(ns_)
        return truncated_s, truncated_ns

    def from_view(self, literal_view: Any, count: Callable[[], int]) -> Column | None:
        numbers = self.view_numbers(literal_view)
        if numbers is None:
            return None
        seconds, nanos = numbers
        (low_ns, high_ns), (low_s, high_s) = _bounds(nanos), _bounds(seconds)
        if low_ns <= -_NANOS or high_ns >= _NANOS or max(-low_s, high_s) > _MAX_SECONDS:
            return None  # not a Duration protobuf reads into a timedelta: the element decoder says why
        # protobuf's form (both parts carry the sign) to whole microseconds, then to the floor form a Timestamp holds
        np = _frames.numpy()
        if np is not None:
            s, ns = np.asarray(seconds, dtype=np.int64), np.asarray(nanos, dtype=np.int64)
            micros = s * 1_000_000 + np.where(ns >= 0, ns // 1000, -(-ns // 1000))
            floor_seconds = micros // 1_000_000
            instants = instants_of(floor_seconds, (micros - floor_seconds * 1_000_000) * 1000)
        else:
            micros_list = [s * 1_000_000 + (ns // 1000 if ns >= 0 else -(-ns // 1000)) for s, ns in zip(seconds, nanos)]
            instants = instants_of([m // 1_000_000 for m in micros_list], [m % 1_000_000 * 1000 for m in micros_list])
        if instants is None:
            return None
        try:
            column = PrimitiveColumn("duration", list(map(sub, instants, repeat(EPOCH))))
        except (TypeError, ValueError, OverflowError):
            return None  # longer than a column holds: one literal each
        self._read = (column, numbers)
        return column
