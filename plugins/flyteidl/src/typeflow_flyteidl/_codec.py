"""What every packed kind's bulk codec does (:class:`KindCodec`), and the helpers they share.

A codec converts one column kind (:mod:`typeflow.columns`) between the column
and the protobuf bytes of its elements, all at once:

- writing: :meth:`KindCodec.element_bytes` gives each element's ``Literal``
  bytes without building a ``Literal`` (pure Python, C-level maps and joins),
  and :meth:`KindCodec.rows` the same elements as numpy :class:`~._rows.Rows`
  where the kind has a bounded element size (one numpy pass for all elements);
- reading: :meth:`KindCodec.from_view` takes the merged view of a collection's
  (or map's) elements (:mod:`._views`) and gives the column they hold, or
  ``None``. The caller then checks the column is exactly what the bytes say:
  :meth:`KindCodec.canonical_size` where a size proves it (bytes protobuf wrote
  itself), else by encoding the column again and comparing bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from typeflow.columns import Column
from typeflow.literals import Literal

from . import _frames
from ._frames import LENGTHS, fields_joined
from ._rows import Rows

__all__ = [
    "CODECS",
    "SMALL",
    "Fallback",
    "KindCodec",
    "codec_of",
    "is_bare_primitive",
    "nested_sizes",
    "nested_total",
    "wrapped_size",
]


class Fallback(Exception):
    """A column the bulk codec does not write (the element-by-element encoder writes it, or says why it cannot)."""


#: below this many elements numpy's per-call overhead costs more than a Python pass
SMALL = 48


class KindCodec:
    """Writes and reads one column kind's elements as protobuf bytes, in bulk.

    To add a kind: subclass, set :attr:`kind` (the column's ``kind``),
    implement :meth:`element_bytes`, :meth:`matches` and :meth:`from_view`
    (and :meth:`rows` / :meth:`canonical_size` where they pay), and add an
    instance to :data:`typeflow_flyteidl.bulk.CODECS`.
    """

    kind: ClassVar[str] = ""

    # ------------------------------------------------------------------ writing

    def element_bytes(self, column: Column) -> list[bytes]:
        """Each element's canonical ``Literal`` message bytes."""
        raise NotImplementedError

    def rows(self, np: Any, column: Column) -> Rows | None:
        """Each element's ``Literal`` bytes as numpy rows, or ``None`` when the kind has no bounded row form."""
        return None

    def pieces(self, column: Column) -> list[bytes]:
        """:meth:`element_bytes`, through numpy rows when they are cheaper."""
        np = _frames.numpy()
        if np is not None and len(column) > SMALL:
            rows = self.rows(np, column)
            if rows is not None:
                return rows.pieces()
        return self.element_bytes(column)

    def encode_collection(self, column: Column) -> bytes:
        """The ``LiteralCollection`` message bytes of the column's elements."""
        np = _frames.numpy()
        if np is not None and len(column) > SMALL:
            rows = self.rows(np, column)
            if rows is not None:
                return rows.prepend_length(0x0A).build()
        return fields_joined(0x0A, self.element_bytes(column))

    # ------------------------------------------------------------------ reading

    def matches(self, first: Literal) -> bool:
        """Whether a collection whose first element is ``first`` may be a column of this kind."""
        raise NotImplementedError

    def from_view(self, literal_view: Any, count: Callable[[], int]) -> Column | None:
        """The column a merged ``Lit`` view holds, or ``None`` if it holds another kind.

        ``count()`` gives the number of elements the view merged (computed
        only when asked). The result is checked by the caller.
        """
        raise NotImplementedError

    def canonical_size(self, column: Column) -> int | None:
        """The byte size of the canonical collection of ``column``, where a payload of that size can hold nothing else.

        Only for bytes protobuf serialized itself: each element holds each of
        its fields at most once, so when every element of the column is
        proven to hold one datum of its own (an integer, a string, …) nothing
        is smaller than the canonical element, and a payload of exactly this
        size is exactly these elements. ``None``: the kind cannot tell (the
        caller encodes the column again and compares).
        """
        return None

    def literal_sizes(self, column: Column) -> Sequence[int] | int | None:
        """Each element ``Literal``'s canonical byte size (one int when all are equal), under the same rule."""
        return None

    def view_literal_size(self, literal_view: Any, column: Column) -> int | None:
        """The total canonical size of ``column``'s element ``Literal`` messages, told by the merged view in C.

        The merged leaf message (``Prim``, ``Bin``) holds every element's leaf
        fields, so its ``ByteSize()`` is the sum of their sizes; each element
        adds its ``scalar`` and kind headers, two bytes each when lengths are
        below 128. In bytes protobuf serialized itself, an element holds each
        field at most once and nothing is smaller than its canonical form, so
        a payload of exactly this size (plus each element's own two-byte
        header) is exactly the column's elements; larger lengths or anything
        else in an element only make it larger. Only for such bytes
        (``CANONICAL``); may consume the view. ``None``: the kind cannot tell.
        """
        return None

    def matches_payload(self, column: Column, payload: bytes | memoryview) -> bool | None:
        """Whether ``payload`` is exactly the canonical collection of ``column``, told faster than by encoding it."""
        return None


#: the codec of each column kind (``typeflow_flyteidl.bulk`` fills it)
CODECS: dict[str, KindCodec] = {}


def is_bare_primitive(first: Literal, kind: str) -> bool:
    """Whether ``first`` is a primitive of ``kind`` with no hash, metadata or offloading (a column's element)."""
    s = first.scalar
    return (
        s is not None
        and s.primitive is not None
        and s.primitive.kind == kind
        and first.hash is None
        and first.metadata is None
        and first.offloaded_metadata is None
    )


def codec_of(column: Column) -> KindCodec:
    """The codec of ``column``'s kind (:class:`Fallback` when there is none)."""
    codec = CODECS.get(column.kind)
    if codec is None:
        raise Fallback(f"no bulk codec for packed kind {column.kind!r}")
    return codec


def nested_sizes(sizes: Sequence[int], tags: int) -> list[int]:
    """The sizes of ``tags`` nested length-delimited fields (one-byte tags) around pieces of ``sizes``."""
    lengths = LENGTHS
    out = list(sizes)
    for _ in range(tags):
        out = [1 + len(lengths[s]) + s for s in out]
    return out


def nested_total(sizes: Sequence[int], tags: int) -> int:
    """The total of :func:`nested_sizes` (without a Python step per piece when every prefix is one byte)."""
    if not sizes:
        return 0
    if max(sizes) + 2 * tags < 128:
        return sum(sizes) + 2 * tags * len(sizes)
    return sum(nested_sizes(sizes, tags))


def wrapped_size(size: int, tags: int) -> int:
    """The size of ``tags`` nested length-delimited fields (one-byte tags) around one piece of ``size`` bytes."""
    for _ in range(tags):
        size += 1 + len(LENGTHS[size])
    return size
