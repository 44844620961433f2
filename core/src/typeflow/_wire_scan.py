"""A cheap pass over a msgpack body before it is decoded: structure, budgets, real byte offsets.

msgpack's C decoder allocates what headers declare (a list of ``n`` slots for
an array header of ``n``) before it has seen the elements, and builds the
whole tree before typeflow looks at it. This pass walks the headers only
(nothing is built) and refuses:

* a declared length that cannot fit in what remains: every element still
  owed by an open array or map needs at least one byte, so the slots
  allocated at any moment never exceed the bytes left;
* more msgpack objects than ``max_objects``;
* an estimated decoded size over ``max_memory`` (:func:`estimate` charges
  every container, entry and item at least what its Python objects and the
  literal-model objects built from it take, and string and binary payloads
  twice, so the decoder's real peak stays below the estimate);
* extension types, the reserved byte ``0xc1``, truncation, trailing bytes.

:func:`scan` is the fast pass; when it finds a problem, or the decoder fails
afterwards, :func:`locate_error` walks again object by object (also checking
map keys and UTF-8) to name the exact byte offset.
"""

from __future__ import annotations

import struct

from typeflow.errors import LiteralDecodeError

__all__ = ["COSTS", "Scan", "locate_error", "scan"]

#: bytes charged per array, array item, map, map entry, string or binary, number, and payload byte;
#: calibrated (tests/fuzz) so that what msgpack and the model decoder really allocate stays below
COSTS: dict[str, float] = {"array": 100, "item": 24, "map": 160, "entry": 100, "string": 100, "number": 40, "payload": 2.5}

_U16 = struct.Struct(">H").unpack_from
_U32 = struct.Struct(">I").unpack_from

# bytes after the type byte for numbers, nil and booleans
_WIDTH = {0xC0: 0, 0xC2: 0, 0xC3: 0, 0xCA: 4, 0xCB: 8, 0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8, 0xD0: 1, 0xD1: 2, 0xD2: 4, 0xD3: 8}
# (bytes of the length field, kind) for str/bin/array/map with an explicit length: kind 1 str, 2 bin, 3 array, 4 map
_SIZED = {
    0xC4: (1, 2),
    0xC5: (2, 2),
    0xC6: (4, 2),
    0xD9: (1, 1),
    0xDA: (2, 1),
    0xDB: (4, 1),
    0xDC: (2, 3),
    0xDD: (4, 3),
    0xDE: (2, 4),
    0xDF: (4, 4),
}
_EXT_LENGTH_BYTES = {0xC7: 1, 0xC8: 2, 0xC9: 4, 0xD4: 0, 0xD5: 0, 0xD6: 0, 0xD7: 0, 0xD8: 0}
_EXT = frozenset(_EXT_LENGTH_BYTES)


class Scan:
    """What :func:`scan` found: the number of msgpack objects and the estimated decoded size in bytes."""

    __slots__ = ("objects", "size")

    def __init__(self, objects: int, size: int) -> None:
        self.objects = objects
        self.size = size


class _Refused(Exception):
    """The fast pass found a problem; :func:`locate_error` says what and where."""


def _fail(reason: str, offset: int) -> LiteralDecodeError:
    return LiteralDecodeError(reason, where=f"byte {offset}")


def scan(data: bytes, start: int, max_objects: int, max_memory: int) -> Scan:
    """Check the msgpack object at ``data[start:]`` against the budgets; byte offsets count from ``data``'s start."""
    try:
        return _scan(data, start, max_objects, max_memory)
    except (_Refused, IndexError, struct.error):
        raise locate_error(data, start, max_objects, max_memory) from None


def _scan(data: bytes, start: int, max_objects: int, max_memory: int) -> Scan:
    end = len(data)
    pos = start
    pending = 1  # objects still owed by the open containers (1: the top object)
    objects = 1
    arrays = items = maps = entries = strings = numbers = 0
    width = _WIDTH
    sized = _SIZED
    while pending:
        b = data[pos]  # IndexError past the end: truncated
        pos += 1
        pending -= 1
        if b < 0x80 or b >= 0xE0:
            continue  # fixint
        if b >= 0xA0:
            if b <= 0xBF:
                pos += b & 0x1F  # fixstr; overrunning the end is caught below
                strings += 1
                continue
            w = width.get(b)
            if w is not None:
                pos += w
                numbers += 1
                continue
            spec = sized.get(b)
            if spec is None:
                raise _Refused
            size, kind = spec
            if size == 1:
                n = data[pos]
            elif size == 2:
                (n,) = _U16(data, pos)
            else:
                (n,) = _U32(data, pos)
            pos += size
            if kind <= 2:
                pos += n
                strings += 1
                if pos > end:
                    raise _Refused
                continue
        elif b < 0x90:
            n, kind = b & 0x0F, 4
        else:
            n, kind = b & 0x0F, 3
        if kind == 3:
            arrays += 1
            items += n
            pending += n
            objects += n
        else:
            maps += 1
            entries += n
            pending += 2 * n
            objects += 2 * n
        if pending > end - pos or objects > max_objects:
            raise _Refused
    if pos != end:
        raise _Refused
    size = estimate(end - start, arrays, items, maps, entries, strings, numbers)
    if size > max_memory:
        raise _over_budget(size, max_memory, start)
    return Scan(objects, size)


def _over_budget(size: int, max_memory: int, start: int) -> LiteralDecodeError:
    return LiteralDecodeError(
        f"decoding would take about {size} bytes of memory, over the max_memory limit of {max_memory} "
        "(pass wire.loads(data, max_memory=...) to allow more)",
        where=f"byte {start}",
    )


def estimate(payload: int, arrays: int, items: int, maps: int, entries: int, strings: int, numbers: int) -> int:
    """Estimated bytes of Python objects for a body of ``payload`` bytes holding these objects."""
    c = COSTS
    containers = c["array"] * arrays + c["item"] * items + c["map"] * maps + c["entry"] * entries
    return int(containers + c["string"] * strings + c["number"] * numbers + c["payload"] * payload)


def locate_error(data: bytes, start: int, max_objects: int, max_memory: int) -> LiteralDecodeError:
    """The first problem in the msgpack object at ``data[start:]``, with its byte offset.

    Walks object by object, checking as the fast pass does plus map keys and
    UTF-8; if nothing is found, says so at ``start`` (the decoder's own
    message is then the best there is).
    """
    end = len(data)
    pos = start
    pending = 1
    objects = 1
    arrays = items = maps = entries = strings = numbers = 0
    stack: list[list[int]] = []  # [items still owed, is_map] of each open container
    while pending:
        if pos >= end:
            return _fail(f"truncated: {pending} more msgpack object(s) expected", end)
        at = pos
        b = data[pos]
        pos += 1
        pending -= 1
        is_key = bool(stack) and stack[-1][1] == 1 and stack[-1][0] % 2 == 0
        if stack:
            stack[-1][0] -= 1
            while stack and stack[-1][0] == 0:
                stack.pop()
        n, kind = 0, 0
        if b < 0x80 or b >= 0xE0:
            pass
        elif b <= 0x8F:
            n, kind = b & 0x0F, 4
        elif b <= 0x9F:
            n, kind = b & 0x0F, 3
        elif b <= 0xBF:
            n, kind = b & 0x1F, 1
        elif b in _WIDTH:
            if pos + _WIDTH[b] > end:
                return _fail("truncated inside a number", at)
            pos += _WIDTH[b]
            numbers += 1
        elif b in _SIZED:
            size, kind = _SIZED[b]
            if pos + size > end:
                return _fail("truncated inside a length", at)
            n = data[pos] if size == 1 else (_U16 if size == 2 else _U32)(data, pos)[0]
            pos += size
        elif b in _EXT:
            code_at = pos + _EXT_LENGTH_BYTES[b]
            code = f" {struct.unpack_from('b', data, code_at)[0]}" if code_at < end else ""
            return _fail(f"msgpack extension type{code} is not part of the typeflow wire format", at)
        else:
            return _fail("byte 0xc1 is never used by msgpack", at)
        if is_key and kind not in (1, 2):
            return _fail("map keys must be strings", at)
        if kind in (1, 2):
            if n > end - pos:
                return _fail(f"declared length {n} exceeds the {end - pos} bytes left", at)
            if kind == 1:
                try:
                    data[pos : pos + n].decode("utf-8")
                except UnicodeDecodeError as exc:
                    return _fail(f"invalid UTF-8 in a string ({exc.reason})", pos + exc.start)
            pos += n
            strings += 1
        elif kind:
            owed = n if kind == 3 else 2 * n
            pending += owed
            objects += owed
            if kind == 3:
                arrays, items = arrays + 1, items + n
            else:
                maps, entries = maps + 1, entries + n
            if pending > end - pos:
                noun = "items" if kind == 3 else "entries"
                return _fail(f"declares {n} {noun}, more than the {end - pos} bytes left can hold", at)
            if objects > max_objects:
                return _fail(f"more than {max_objects} msgpack objects (the max_objects limit)", at)
            if owed:
                stack.append([owed, kind - 3])

    if pos != end:
        return _fail(f"{end - pos} trailing bytes after the msgpack body", pos)
    size = estimate(end - start, arrays, items, maps, entries, strings, numbers)
    if size > max_memory:
        return _over_budget(size, max_memory, start)
    return _fail("malformed msgpack body", start)
