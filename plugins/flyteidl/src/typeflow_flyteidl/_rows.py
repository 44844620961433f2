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
    """The byte length of the minimal varint of each uint64 in ``u`` (1 to 10), as int64."""
    thresholds = np.uint64(1) << np.arange(7, 64, 7, dtype=np.uint64)
    return np.searchsorted(thresholds, u, side="right").astype(np.int64) + 1


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
        self._after: list[Segment] = []
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

    def segments(self) -> list[Segment]:
        return [*reversed(self._before), *self._after]

    def build(self) -> bytes:
        """Every row's bytes, concatenated in row order."""
        np, n = self.np, self.n
        segments = self.segments()
        if not n or not segments:
            return b""
        cols = np.concatenate([np.broadcast_to(c, (c.shape[0], n)) for c, _ in segments])
        if all(k is None for _, k in segments):
            return bytes(np.ascontiguousarray(cols.T).tobytes())
        keep = np.concatenate([np.ones((c.shape[0], n), dtype=bool) if k is None else k for c, k in segments])
        return bytes(np.ascontiguousarray(cols.T)[np.ascontiguousarray(keep.T)].tobytes())

    def pieces(self) -> list[bytes]:
        """Every row's bytes as its own byte string."""
        data = self.build()
        ends = self.np.cumsum(self.sizes).tolist()
        return list(map(data.__getitem__, map(slice, [0, *ends[:-1]], ends)))

    @classmethod
    def merge(cls, np: Any, parts: Sequence[Rows], index: bytes) -> Rows:
        """One row per element of ``index``: row ``i`` is the next unused row of ``parts[index[i]]``."""
        n = len(index)
        out = cls(np, n)
        which = np.frombuffer(index, dtype=np.uint8)
        for number, part in enumerate(parts):
            where = np.flatnonzero(which == number)
            if not len(where):
                continue
            for c, k in part.segments():
                width = c.shape[0]
                cols = np.zeros((width, n), dtype=np.uint8)
                cols[:, where] = np.broadcast_to(c, (width, len(where)))
                keep = np.zeros((width, n), dtype=bool)
                keep[:, where] = True if k is None else k
                out._after.append((cols, keep))
            out.sizes[where] = part.sizes
        return out
