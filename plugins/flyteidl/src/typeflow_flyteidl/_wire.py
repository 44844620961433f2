"""Protocol-buffer wire primitives: varints, tags and length-delimited fields.

The codec writes and reads flyteidl's messages as bytes itself, so that a
packed collection of a million values never becomes a million protobuf
objects. These helpers produce exactly the canonical encoding protobuf's own
serializer produces (fields in number order, minimal varints).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

__all__ = [
    "I32",
    "I64",
    "LEN",
    "VARINT",
    "NonCanonical",
    "Reader",
    "field_bytes",
    "field_double",
    "field_message",
    "field_string",
    "field_varint",
    "tag",
    "varint",
]

VARINT = 0
I64 = 1
LEN = 2
I32 = 5

_DOUBLE = struct.Struct("<d")
_SMALL = [bytes((i,)) for i in range(128)]


class NonCanonical(Exception):
    """The bytes are valid protobuf but not in the canonical form the fast decoder reads.

    A singular field or a one-of written twice (protobuf merges or keeps the
    last); the caller re-serializes the message through protobuf, which makes
    it canonical, and decodes again.
    """


def varint(value: int) -> bytes:
    """The minimal varint of ``value`` (negative values as 64-bit two's complement, as protobuf does)."""
    if 0 <= value < 128:
        return _SMALL[value]
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def tag(field: int, wire_type: int) -> bytes:
    return varint((field << 3) | wire_type)


def field_varint(field: int, value: int) -> bytes:
    return tag(field, VARINT) + varint(value)


def field_bytes(field: int, value: bytes) -> bytes:
    return tag(field, LEN) + varint(len(value)) + value


def field_message(field: int, payload: bytes) -> bytes:
    return tag(field, LEN) + varint(len(payload)) + payload


def field_string(field: int, value: str) -> bytes:
    return field_bytes(field, value.encode("utf-8"))


def field_double(field: int, value: float) -> bytes:
    return tag(field, I64) + _DOUBLE.pack(value)


class Reader:
    """Reads the fields of one message from ``data[start:end]``.

    ``fields()`` yields ``(number, wire_type, value)``: an int for varints, a
    float-ready 8-byte slice for fixed64, and a ``(start, end)`` span for
    length-delimited fields (sub-messages are read without copying).
    """

    __slots__ = ("data", "end", "pos")

    def __init__(self, data: bytes, start: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = start
        self.end = len(data) if end is None else end

    def varint(self) -> int:
        data, pos = self.data, self.pos
        result = 0
        shift = 0
        while True:
            if pos >= self.end:
                raise ValueError(f"truncated varint at byte {pos}")
            byte = data[pos]
            pos += 1
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                break
            shift += 7
            if shift >= 70:
                raise ValueError(f"varint longer than 10 bytes at byte {pos}")
        self.pos = pos
        return result & 0xFFFFFFFFFFFFFFFF

    def fields(self) -> Iterator[tuple[int, int, Any]]:
        data = self.data
        while self.pos < self.end:
            start = self.pos
            key = self.varint()
            number, wire_type = key >> 3, key & 7
            if number == 0:
                raise ValueError(f"field number 0 at byte {start}")
            if wire_type == VARINT:
                yield number, wire_type, self.varint()
            elif wire_type == LEN:
                length = self.varint()
                begin = self.pos
                stop = begin + length
                if stop > self.end:
                    raise ValueError(f"field {number} at byte {start} runs past the end of its message")
                self.pos = stop
                yield number, wire_type, (begin, stop)
            elif wire_type == I64:
                stop = self.pos + 8
                if stop > self.end:
                    raise ValueError(f"truncated fixed64 at byte {start}")
                value = data[self.pos : stop]
                self.pos = stop
                yield number, wire_type, value
            elif wire_type == I32:
                stop = self.pos + 4
                if stop > self.end:
                    raise ValueError(f"truncated fixed32 at byte {start}")
                value = data[self.pos : stop]
                self.pos = stop
                yield number, wire_type, value
            else:
                raise ValueError(f"unsupported wire type {wire_type} at byte {start}")


def signed64(value: int) -> int:
    """A varint read as unsigned 64 bits, reinterpreted as int64."""
    return value - (1 << 64) if value >= 1 << 63 else value


def signed32(value: int) -> int:
    """A varint read as unsigned 64 bits, reinterpreted as int32 (protobuf truncates)."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def double(raw: bytes) -> float:
    value: float = _DOUBLE.unpack(raw)[0]
    return value
