"""The read budget of one dataset read, as parquet decoders see it.

Before any file of a dataset is decoded, :func:`~typeflow.datasets.reading.read_dataset`
adds up what the columns to read decode to (from each file's footer and page
headers) and checks it against the context's read budget
(:mod:`typeflow.budgets`). One thing a footer cannot say is how long the
strings of a dictionary- or delta-encoded column become: a 1 MiB dictionary
entry used by 1,500 rows decodes to 1.5 GB. When that could take the read
over the budget, a decoder that knows how to measure it (typeflow-pandas reads
such columns dictionary-encoded and sums their lengths; typeflow-polars sums
them on its shared string views) asks :meth:`DatasetRead.unmeasured` which
columns to measure and :meth:`DatasetRead.charge` s what it found, before
materialising them. A decoder that does not say it measures
(:func:`measures_expansion`) is charged the bound up front instead.

    @measures_expansion
    def read_frame(source, columns):
        read = current_read()
        for name in read.unmeasured() if read else ():
            read.charge(measure(name), f"column {name!r}")
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any, TypeVar

from typeflow.budgets import check_read_budget, read_budget
from typeflow.datasets.footer import ColumnSize
from typeflow.errors import StorageError
from typeflow.transformer import TransformContext

__all__ = ["DatasetRead", "current_read", "measures_expansion", "measuring"]

F = TypeVar("F", bound=Callable[..., Any])

_MEASURES = "__typeflow_measures_expansion__"
_current: contextvars.ContextVar[DatasetRead | None] = contextvars.ContextVar("typeflow_dataset_read", default=None)


def measures_expansion(decoder: F) -> F:
    """Mark a parquet decoder that measures its dictionary/delta strings through :func:`current_read`."""
    setattr(decoder, _MEASURES, True)
    return decoder


def measures(decoder: Any) -> bool:
    """Whether ``decoder`` was marked with :func:`measures_expansion`."""
    return bool(getattr(decoder, _MEASURES, False))


class _Tally:
    """What the files of one dataset read have been charged so far (shared by their :class:`DatasetRead`)."""

    __slots__ = ("ctx", "needed", "uri")

    def __init__(self, ctx: TransformContext, uri: str, needed: int) -> None:
        self.ctx = ctx
        self.uri = uri
        self.needed = needed

    def charge(self, nbytes: int, what: str) -> None:
        check_read_budget(self.ctx, self.needed + nbytes, self.uri, what)
        self.needed += nbytes


class DatasetRead:
    """One parquet file of a dataset read, while its decoder runs.

    ``uri`` is the file (``dataset_uri`` the literal's), ``size`` its size in
    bytes, ``columns`` the top-level columns the decoder reads and ``sizes``
    what each decodes to.
    """

    def __init__(self, tally: _Tally, uri: str, size: int, sizes: Sequence[ColumnSize]) -> None:
        self._tally = tally
        self.uri = uri
        self.size = size
        self.sizes = tuple(sizes)
        self._pending = {s.name: s for s in self.sizes if s.expandable}

    @property
    def dataset_uri(self) -> str:
        return self._tally.uri

    @property
    def columns(self) -> list[str]:
        return [s.name for s in self.sizes]

    @property
    def decoded(self) -> int:
        """What this file's columns to read decode to, as checked before the decoder ran."""
        return sum(s.decoded for s in self.sizes)

    @property
    def budget(self) -> int:
        """The context's read budget in bytes."""
        return read_budget(self._tally.ctx)

    @property
    def charged(self) -> int:
        """Bytes charged to the whole dataset read so far."""
        return self._tally.needed

    def unmeasured(self, *, bounded: Sequence[str] = ()) -> list[str]:
        """The flat columns whose strings the decoder must measure and :meth:`charge` before materialising them.

        Empty when even their longest possible strings fit the budget. Columns
        that cannot be measured (nested ones, and those in ``bounded``: the
        decoder's way of saying it cannot measure them) are charged their bound
        here, which raises :class:`~typeflow.errors.ReadBudgetError` when it is over.
        """
        if not self._pending:
            return []
        if self._tally.needed + sum(s.expandable for s in self._pending.values()) <= self.budget:
            self._pending.clear()
            return []
        for name in [n for n, s in self._pending.items() if not s.flat or n in bounded]:
            self.charge_bound(name)
        return list(self._pending)

    def charge(self, nbytes: int, what: str) -> None:
        """Add ``nbytes`` (measured) to the read; :class:`~typeflow.errors.ReadBudgetError` if that is over the budget."""
        self._tally.charge(nbytes, f"{what} in {self.uri}")

    def measured(self, name: str, nbytes: int) -> None:
        """Charge what column ``name``'s strings measured, and stop listing it as unmeasured."""
        self._pending.pop(name, None)
        self.charge(nbytes, f"the strings of column {name!r} (measured)")

    def charge_bound(self, name: str) -> None:
        """Charge column ``name`` the most its strings could decode to (for a reader that cannot measure them)."""
        size = self._pending.pop(name, None)
        if size is None:
            return
        encoding = "dictionary-encoded" if size.dictionary >= size.delta else "delta-encoded"
        self.charge(size.expandable, f"column {name!r} ({encoding} strings, each as long as its page data allows)")

    def charge_all_bounds(self) -> None:
        """Charge every column its bound: what a decoder that does not measure gets."""
        for name in list(self._pending):
            self.charge_bound(name)

    def read_all(self, f: IO[bytes]) -> bytes:
        """The whole file (for a decoder that keeps a copy in memory), charged to the read first."""
        self.charge(self.size, "a copy of the file in memory")
        data = f.read(self.size + 1)
        if len(data) != self.size:
            changed = f"the file changed while it was read: {len(data)} of {self.size} bytes"
            raise StorageError(f"cannot read ({changed})", uri=self.uri)
        return data


def current_read() -> DatasetRead | None:
    """The parquet file being decoded now, if a dataset read is under way in this context."""
    return _current.get()


@contextmanager
def measuring(read: DatasetRead) -> Iterator[DatasetRead]:
    """Make ``read`` the :func:`current_read` while a decoder runs."""
    token = _current.set(read)
    try:
        yield read
    finally:
        _current.reset(token)
