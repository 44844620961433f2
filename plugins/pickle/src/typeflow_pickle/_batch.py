"""``BatchSize``: how many list items go into one pickle file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["BatchSize", "batch_size_of"]


class BatchSize:
    """``Annotated[List[T], BatchSize(n)]``: pickle a list of ``T`` in files of ``n`` items each.

    Without it a list of a type no transformer claims goes into one pickle
    file; with it, into ``ceil(len / n)`` files, read back as one flat list.

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
