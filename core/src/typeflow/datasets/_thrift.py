"""A bounded reader of Thrift's compact protocol, for parquet footers from untrusted files.

Only what a parquet footer needs: structs described by a small spec (field id →
name and kind), lists, integers and strings; every other field is skipped. The
input is someone else's bytes, so nothing here trusts a length: a list or
string may not claim more elements than bytes remain, varints stop at 10
bytes, and nesting stops at :data:`MAX_DEPTH`. A malformed input raises
:class:`ThriftError` with the byte offset; the caller turns it into a typed
error naming the URI.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Union

__all__ = ["BINARY", "I32", "I64", "MAX_DEPTH", "STRING", "CompactReader", "ListOf", "Spec", "ThriftError"]

#: deeper than any parquet footer nests (FileMetaData > RowGroup > ColumnChunk > ColumnMetaData > Statistics)
MAX_DEPTH = 24

# compact protocol type ids
_TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(1, 13)

I32 = "i32"
I64 = "i64"
BINARY = "binary"
STRING = "string"


class ListOf:
    """A list field whose elements are of ``kind`` (a scalar kind or a struct :data:`Spec`)."""

    __slots__ = ("kind",)

    def __init__(self, kind: Kind) -> None:
        self.kind = kind


#: a struct: field id -> (name, kind); fields not listed are skipped
Spec = Mapping[int, "tuple[str, Kind]"]
Kind = Union[str, ListOf, Spec]

_WIRE_OF_SCALAR = {I32: (_I32, _I16, _BYTE), I64: (_I64, _I32, _I16, _BYTE), BINARY: (_BINARY,), STRING: (_BINARY,)}


class ThriftError(ValueError):
    """Malformed compact-protocol bytes; ``offset`` is where reading stopped."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} (at byte {offset})")
        self.offset = offset


class CompactReader:
    """Reads compact-protocol values from ``data`` starting at offset 0."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _fail(self, message: str) -> ThriftError:
        return ThriftError(message, self.pos)

    def _byte(self) -> int:
        if self.pos >= len(self.data):
            raise self._fail("unexpected end of data")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def _varint(self) -> int:
        data, pos = self.data, self.pos
        if pos < len(data) and data[pos] < 0x80:  # most varints in a footer are one byte
            self.pos = pos + 1
            return data[pos]
        end = min(len(data), pos + 10)
        result = shift = 0
        while pos < end:
            b = data[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                self.pos = pos
                return result
            shift += 7
        self.pos = pos
        raise self._fail("unterminated or overlong varint")

    def _zigzag(self) -> int:
        n = self._varint()
        return (n >> 1) ^ -(n & 1)

    def _bytes(self) -> bytes:
        n = self._varint()
        if n > len(self.data) - self.pos:
            raise self._fail(f"a string claims {n} bytes, more than remain")
        value = self.data[self.pos : self.pos + n]
        self.pos += n
        return value

    def _list_header(self) -> tuple[int, int]:
        head = self._byte()
        size = head >> 4
        if size == 15:
            size = self._varint()
        # every element takes at least one byte (a bool in a list, an empty struct's stop byte)
        if size > len(self.data) - self.pos:
            raise self._fail(f"a list claims {size} elements, more than bytes remain")
        return size, head & 0x0F

    def struct(self, spec: Spec, depth: int = 0) -> dict[str, Any]:
        """Read one struct: the fields ``spec`` names, by name; others are skipped."""
        if depth > MAX_DEPTH:
            raise self._fail("structs nest too deeply")
        out: dict[str, Any] = {}
        data = self.data
        end = len(data)
        last = 0
        while True:
            if self.pos >= end:
                raise self._fail("unexpected end of data")
            head = data[self.pos]
            self.pos += 1
            wire = head & 0x0F
            if wire == 0:
                return out
            delta = head >> 4
            field = last + delta if delta else self._zigzag()
            last = field
            known = spec.get(field)
            if known is None:
                if wire in (_I32, _I64, _I16):  # the common case of a skipped field, inline: its varint
                    pos = self.pos
                    stop = min(end, pos + 10)
                    while pos < stop and data[pos] & 0x80:
                        pos += 1
                    if pos >= stop:
                        self.pos = pos
                        raise self._fail("unterminated or overlong varint")
                    self.pos = pos + 1
                else:
                    self._skip(wire, depth)
                continue
            name, kind = known
            if kind is I32 or kind is I64:
                if wire not in _WIRE_OF_SCALAR[kind]:
                    raise self._fail(f"expected a {kind}, found wire type {wire}")
                out[name] = self._zigzag()
            else:
                out[name] = self._value(wire, kind, depth)

    def _value(self, wire: int, kind: Kind, depth: int) -> Any:
        if isinstance(kind, str):
            if wire not in _WIRE_OF_SCALAR[kind]:
                raise self._fail(f"expected a {kind}, found wire type {wire}")
            if kind in (I32, I64):
                return self._zigzag()
            raw = self._bytes()
            return raw.decode("utf-8", "replace") if kind == STRING else raw
        if isinstance(kind, ListOf):
            if wire not in (_LIST, _SET):
                raise self._fail(f"expected a list, found wire type {wire}")
            size, element = self._list_header()
            element_kind = kind.kind
            if isinstance(element_kind, str):
                expected = _WIRE_OF_SCALAR[element_kind]
                if size and element not in expected:
                    raise self._fail(f"expected a list of {element_kind}, found element type {element}")
                return [self._value(element, element_kind, depth) for _ in range(size)]
            if size and element != _STRUCT:
                raise self._fail(f"expected a list of structs, found element type {element}")
            if isinstance(element_kind, ListOf):
                raise self._fail("lists of lists are not part of a parquet footer")
            return [self.struct(element_kind, depth + 1) for _ in range(size)]
        if wire != _STRUCT:
            raise self._fail(f"expected a struct, found wire type {wire}")
        return self.struct(kind, depth + 1)

    def _skip(self, wire: int, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise self._fail("values nest too deeply")
        if wire in (_TRUE, _FALSE):
            return
        if wire == _BYTE:
            self._byte()
        elif wire in (_I16, _I32, _I64):
            self._varint()
        elif wire == _DOUBLE:
            if len(self.data) - self.pos < 8:
                raise self._fail("unexpected end of data")
            self.pos += 8
        elif wire == _BINARY:
            self._bytes()
        elif wire in (_LIST, _SET):
            size, element = self._list_header()
            for _ in range(size):
                if element in (_TRUE, _FALSE):
                    self._byte()  # a bool inside a list is one byte
                else:
                    self._skip(element, depth + 1)
        elif wire == _MAP:
            size = self._varint()
            if size > len(self.data) - self.pos:
                raise self._fail(f"a map claims {size} entries, more than bytes remain")
            if size:
                types = self._byte()
                for _ in range(size):
                    for part in (types >> 4, types & 0x0F):
                        if part in (_TRUE, _FALSE):
                            self._byte()
                        else:
                            self._skip(part, depth + 1)
        elif wire == _STRUCT:
            self.struct({}, depth + 1)
        else:
            raise self._fail(f"unknown wire type {wire}")
