"""Blobs written during a conversion, recorded so that a failed conversion can delete them again.

:func:`recording_writes` collects the URI of every blob written in a block
(threads started with a copy of its context too); storage calls
:func:`note_written` for each one. :func:`deleted_on_failure` deletes them
when the block raises. All three are re-exported by :mod:`typeflow.storage`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typeflow.storage import Storage

__all__ = ["deleted_on_failure", "note_written", "recording_writes"]


_recorders: contextvars.ContextVar[tuple[list[str], ...]] = contextvars.ContextVar("typeflow_written_blobs", default=())


@contextmanager
def recording_writes() -> Iterator[list[str]]:
    """Collect the URI of every blob written in this context (threads started with its copy too).

    For a conversion made of many nested ones (a stream's batches, a record's
    fields): when a later part fails, the blobs the earlier parts wrote are
    known and can be deleted, so a failed conversion leaves nothing behind.
    Blobs that already existed (a ``File`` already in storage) are never in it.
    """
    written: list[str] = []
    token = _recorders.set((*_recorders.get(), written))
    try:
        yield written
    finally:
        _recorders.reset(token)


def note_written(uri: str) -> None:
    """Tell the active :func:`recording_writes` blocks that a blob now exists at ``uri``."""
    for written in _recorders.get():
        written.append(uri)  # list.append is atomic: worker threads may share one list


@contextmanager
def deleted_on_failure(storage: Storage) -> Iterator[None]:
    """Delete the blobs written to ``storage`` inside the block when it raises.

    For a conversion that writes several blobs (a list or map converted
    element by element, a record's engine-typed fields, a stream's batches):
    a part failing after earlier ones wrote blobs leaves none of them behind.
    """
    with recording_writes() as written:
        try:
            yield
        except BaseException:
            for uri in list(written):  # a snapshot: worker threads may still append
                try:
                    storage.delete(uri)
                except Exception as exc:  # the conversion's own error matters more; say what was left
                    import logging

                    logging.getLogger("typeflow").warning("could not delete %s after a conversion failed: %s", uri, exc)
            raise
