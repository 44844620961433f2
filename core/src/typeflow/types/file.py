"""``File``: one file, on this machine or in storage (flytekit's ``FlyteFile``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any

from typeflow.types._base import PathValue

if TYPE_CHECKING:
    from typeflow.transformer import TransformContext

__all__ = ["File"]


class File(PathValue):
    """A file: a local path or a remote URI, uploaded once when converted, downloaded lazily when read.

        >>> from typeflow.types import File
        >>> report = File("/tmp/report.csv")          # a local file: uploaded to storage when converted
        >>> File["csv"].format                        # the format goes into the blob type
        'csv'

    Converting a ``File`` (or a ``str`` / ``pathlib.Path`` declared as
    ``File``) uploads the local file to the context's storage and gives a
    ``SINGLE`` blob literal; a ``File`` that is already in storage (it was
    read from a literal, or names a remote URI) is not copied again. Reading
    the literal back gives a ``File`` whose :attr:`remote_path` is the blob
    URI; nothing is downloaded until :meth:`open`, :meth:`download` or
    ``os.fspath()`` asks for the bytes.

    ``remote_path=`` on a local file names where it is uploaded to instead of
    a fresh location in storage. ``metadata`` travels in ``Literal.metadata``.
    """

    def __init__(
        self, path: str | os.PathLike[str], remote_path: str | None = None, metadata: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(path, remote_path)
        self.metadata: dict[str, str] | None = dict(metadata) if metadata else None

    @classmethod
    def from_literal_uri(cls, uri: str, ctx: TransformContext | None, metadata: Mapping[str, str] | None = None) -> File:
        """A ``File`` for a blob a literal names; fetched (and confined by ``ctx``) on first use."""
        value = cls.__new__(cls)
        value._init_from_storage(uri, ctx)
        value.metadata = dict(metadata) if metadata else None
        return value

    def open(self, mode: str = "rb", **kwargs: Any) -> IO[Any]:
        """Open the local copy (downloading it first if the file is remote), as :func:`open` does."""
        return open(self.download(), mode, **kwargs)

    def _fetch(self, local: str) -> None:
        from typeflow import transfer

        assert self._remote is not None
        transfer.download_file(self._ctx, self._remote, local, storage=self._storage)


File._format_root = File
