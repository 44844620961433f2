"""``BatchSize``: how many items of a list, directory or stream travel together.

``Annotated[List[T], BatchSize(n)]`` writes a pickled list in files of ``n``
items (typeflow-pickle); ``Annotated[Directory, BatchSize(n)]`` keeps at most
``n`` files of a directory in flight at once; ``Annotated[Iterator[T],
BatchSize(n)]`` writes a stream in batches of ``n`` items.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["BatchSize", "batch_size_of"]


class BatchSize:
    """``Annotated[T, BatchSize(n)]``: move ``n`` items of ``T`` at a time.

    For a list of a pickled type, one pickle file per ``n`` items (read back
    as one flat list); for a :class:`~typeflow.types.Directory`, at most ``n``
    files uploading or downloading at once; for an ``Iterator[T]``, one batch
    file per ``n`` items.

    >>> from typing import Annotated, List
    >>> Batched = Annotated[List[object], BatchSize(1000)]
    >>> BatchSize(2).val
    2
    """

    __slots__ = ("val",)

    def __init__(self, val: int) -> None:
        if isinstance(val, bool) or not isinstance(val, int) or val < 1:
            raise ValueError(f"BatchSize takes a positive int, got {val!r}")
        self.val = val

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BatchSize) and other.val == self.val

    def __hash__(self) -> int:
        return hash((BatchSize, self.val))

    def __repr__(self) -> str:
        return f"BatchSize({self.val})"


def batch_size_of(annotations: Iterable[Any]) -> int | None:
    """The first :class:`BatchSize` among a type's ``Annotated`` metadata, else ``None``."""
    for annotation in annotations:
        if isinstance(annotation, BatchSize):
            return annotation.val
    return None
