"""Many small messages of one shape built at once with numpy (no Python step per message).

A :class:`Rows` holds ``n`` messages as byte *segments*: each segment is a
``(width, n)`` block of bytes with a keep mask, so a row may leave bytes of a
segment out (a varint shorter than the segment is wide, a field proto3 omits,
a union variant the row does not hold). Segments are added after or before
the ones already there (a length prefix goes before the message it
measures), and :meth:`Rows.build` compacts every row's kept bytes in order:
the concatenated messages, exactly as protobuf writes them one by one.

Only used when numpy is importable; each caller has a pure-Python twin.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["Rows", "varint_lengths"]

Segment = tuple[Any, Any]  # (bytes (width, n) or (width, 1), keep (width, n) or None: all kept)


def varint_lengths(np: Any, u: Any) -> Any:
    """The byte length of the minimal varint of each uint64 in ``u`` (1 to 10), as uint8."""
    if not len(u) or int(u.max()) < 0x80:  # lengths and other small numbers: one byte each
        return np.ones(len(u), dtype=np.uint8)
    k = np.ones(len(u), dtype=np.uint8)
    for bits in range(7, 64, 7):  # one pass per threshold: cheaper than a binary search per value
        k += (u >= np.uint64(1 << bits)).view(np.uint8)
    return k


def _varint_segment(np: Any, u: Any) -> tuple[Any, Any, Any]:
    """The varints of ``u`` (uint64) as a segment, and each one's length."""
    n = len(u)
    k = varint_lengths(np, u)
    width = int(k.max()) if n else 1
    cols = np.empty((width, n), dtype=np.uint8)
    for j in range(width):
        group = (u >> np.uint64(7 * j)) & np.uint64(0x7F)
        if j + 1 < width:
            group |= (k > j + 1).astype(np.uint64) << np.uint64(7)
        cols[j] = group
    keep = None if width == 1 else np.arange(width)[:, None] < k[None, :]
    return cols, keep, k


class Rows:
    """``n`` messages built as byte segments, compacted row by row at the end."""

    __slots__ = ("_after", "_before", "n", "np", "sizes")

    def __init__(self, np: Any, n: int) -> None:
        self.np = np
        self.n = n
        self._before: list[Segment] = []  # prepended segments, the latest first in the message
        self._after: list[Segment | _Merged] = []
        #: each row's byte size so far
        self.sizes = np.zeros(n, dtype=np.int64)

    # ------------------------------------------------------------------ adding segments

    def _keep(self, width: int, present: Any) -> Any:
        return None if present is None else self.np.broadcast_to(present[None, :], (width, self.n))

    def _count(self, width: Any, present: Any) -> None:
        self.sizes += width if present is None else width * present

    def append_const(self, data: bytes, present: Any = None) -> Rows:
        """The same bytes at the end of every row (of the rows ``present`` marks)."""
        np = self.np
        self._after.append((np.frombuffer(data, dtype=np.uint8)[:, None], self._keep(len(data), present)))
        self._count(len(data), present)
        return self

    def prepend_const(self, data: bytes) -> Rows:
        np = self.np
        self._before.append((np.frombuffer(data, dtype=np.uint8)[:, None], None))
        self.sizes += len(data)
        return self

    def append_bytes(self, matrix: Any, present: Any = None) -> Rows:
        """Row ``i`` gets ``matrix[i]`` (an ``(n, width)`` uint8 array)."""
        width = matrix.shape[1]
        self._after.append((matrix.T, self._keep(width, present)))
        self._count(width, present)
        return self

    def append_varint(self, values: Any, tag: int | None = None, present: Any = None) -> Rows:
        """The minimal varint of each uint64 value, after the one-byte ``tag`` if given (only where ``present``)."""
        np = self.np
        if tag is not None:
            self.append_const(bytes((tag,)), present)
        cols, keep, k = _varint_segment(np, values)
        if present is not None:
            keep = np.broadcast_to(present[None, :], cols.shape) if keep is None else keep & present[None, :]
            k = k * present
        self._after.append((cols, keep))
        self.sizes += k
        return self

    def prepend_length(self, tag: int) -> Rows:
        """Make each row a length-delimited field: ``tag`` and the varint of the row's size go in front."""
        cols, keep, k = _varint_segment(self.np, self.sizes.astype(self.np.uint64))
        self._before.append((cols, keep))
        self._before.append((self.np.full((1, 1), tag, dtype=self.np.uint8), None))
        self.sizes += k + 1
        return self

    # ------------------------------------------------------------------ results

    def segments(self) -> list[Segment | _Merged]:
        return [*reversed(self._before), *self._after]

    def width(self) -> int:
        """How many byte columns the rows take before compaction."""
        return sum(s.width() if isinstance(s, _Merged) else s[0].shape[0] for s in self.segments())

    def _fill(self, matrix: Any, keep: Any, rows: Any, column: int) -> None:
        """Write these rows' bytes and keep marks into ``matrix[rows, column:]`` (row-major, one row per message)."""
        for segment in self.segments():
            if isinstance(segment, _Merged):
                segment.fill(matrix, keep, rows, column)
                column += segment.width()
                continue
            cols, kept = segment
            width = cols.shape[0]
            matrix[rows, column : column + width] = cols.T
            keep[rows, column : column + width] = True if kept is None else kept.T
            column += width

    def build(self) -> bytes:
        """Every row's bytes, concatenated in row order."""
        np, n = self.np, self.n
        width = self.width()
        if not n or not width:
            return b""
        matrix = np.zeros((n, width), dtype=np.uint8)
        keep = np.zeros((n, width), dtype=bool)
        self._fill(matrix, keep, slice(None), 0)
        return bytes(matrix[keep].tobytes())

    def pieces(self) -> list[bytes]:
        """Every row's bytes as its own byte string."""
        data = self.build()
        ends = self.np.cumsum(self.sizes).tolist()
        return list(map(data.__getitem__, map(slice, [0, *ends[:-1]], ends)))

    @classmethod
    def merge(cls, np: Any, parts: Sequence[Rows], index: bytes) -> Rows:
        """One row per element of ``index``: row ``i`` is the next unused row of ``parts[index[i]]``.

        The parts share their byte columns (each row keeps only its own part's
        bytes), so the merged rows are as wide as the widest part.
        """
        n = len(index)
        out = cls(np, n)
        which = np.frombuffer(index, dtype=np.uint8)
        wheres = [np.flatnonzero(which == number) for number in range(len(parts))]
        for part, where in zip(parts, wheres):
            out.sizes[where] = part.sizes
        out._after.append(_Merged(list(parts), wheres))
        return out


class _Merged:
    """A segment whose rows come from several :class:`Rows`, each row from one of them."""

    __slots__ = ("parts", "wheres")

    def __init__(self, parts: list[Rows], wheres: list[Any]) -> None:
        self.parts = parts
        self.wheres = wheres

    def width(self) -> int:
        return max((p.width() for p in self.parts if p.n), default=0)

    def fill(self, matrix: Any, keep: Any, rows: Any, column: int) -> None:
        for part, where in zip(self.parts, self.wheres):
            if not len(where):
                continue
            np, width = part.np, part.width()
            # each part is laid out densely first, then moved to its rows in one scatter
            own = np.zeros((part.n, width), dtype=np.uint8)
            own_keep = np.zeros((part.n, width), dtype=bool)
            part._fill(own, own_keep, slice(None), 0)
            target = where if isinstance(rows, slice) else rows[where]
            matrix[target, column : column + width] = own
            keep[target, column : column + width] = own_keep
