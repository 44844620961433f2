"""Length-delimited pieces, joined without a Python step per piece where that can be helped.

A packed collection's elements become ``tag + varint(len) + bytes`` fields.
The helpers here build those with C-level ``map``/``join`` over cached heads
(one ``dict`` lookup per piece, no bytes concatenated per piece), so a list of
element byte strings becomes a collection or map payload in one join.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ._wire import varint

__all__ = ["LENGTHS", "HeadCache", "field_heads", "fields_joined", "framed", "numpy", "varint_size"]


class _Lengths(dict[int, bytes]):
    """``LENGTHS[n]`` is the varint of ``n``, computed once per length."""

    def __missing__(self, n: int) -> bytes:
        value = self[n] = varint(n)
        return value


LENGTHS = _Lengths()


class HeadCache(dict[int, bytes]):
    """``heads[n]``: the bytes that go before an ``n``-byte value, built by ``make(n)`` once per length."""

    def __init__(self, make: Callable[[int], bytes]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, n: int) -> bytes:
        value = self[n] = self.make(n)
        return value


_HEADS: dict[int, HeadCache] = {}


def field_heads(tag: int) -> dict[int, bytes]:
    """The head table of length-delimited fields with the one-byte ``tag`` (field number below 16): tag + varint(n)."""
    heads = _HEADS.get(tag)
    if heads is None:
        tag_byte = bytes((tag,))
        heads = _HEADS[tag] = HeadCache(lambda n: tag_byte + LENGTHS[n])
    return heads


def varint_size(n: int) -> int:
    """How many bytes the varint of ``n`` (``0 <= n``) takes."""
    return len(LENGTHS[n]) if n < 1 << 21 else len(varint(n))


def fields_joined(tag: int, pieces: Sequence[bytes]) -> bytes:
    """Every piece as a length-delimited field with the one-byte ``tag``, concatenated."""
    heads = field_heads(tag)
    parts: list[bytes] = [b""] * (2 * len(pieces))
    parts[0::2] = map(heads.__getitem__, map(len, pieces))
    parts[1::2] = pieces
    return b"".join(parts)


def framed(tag: int, pieces: Sequence[bytes]) -> list[bytes]:
    """Each piece as its own length-delimited field with the one-byte ``tag``."""
    heads = field_heads(tag)
    return list(map(bytes.__add__, map(heads.__getitem__, map(len, pieces)), pieces))


def numpy() -> Any:
    """The numpy module, or ``None`` when it is not installed (every path then has a pure-Python twin)."""
    try:
        import numpy
    except ImportError:
        return None
    return numpy
