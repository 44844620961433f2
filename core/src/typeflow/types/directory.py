"""``Directory``: a folder of files, on this machine or in storage (flytekit's ``FlyteDirectory``)."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from typeflow.types._base import PathValue, is_remote
from typeflow.types.file import File

if TYPE_CHECKING:
    from typeflow.transfer import Entry
    from typeflow.transformer import TransformContext

__all__ = ["Directory"]


class Directory(PathValue):
    """A folder: a local path or a remote URI; a ``MULTIPART`` blob holding every file under it.

        >>> from typing import Annotated
        >>> from typeflow import BatchSize
        >>> from typeflow.types import Directory
        >>> Images = Annotated[Directory["png"], BatchSize(100)]   # at most 100 files in flight at once

    Converting uploads every file under the folder, nested paths kept, to a
    fresh prefix in storage (``files_in_flight`` at a time: the type's
    ``BatchSize``, else fsspec's own default). Reading back gives a
    ``Directory`` that downloads nothing until :meth:`download`, ``os.fspath()``
    or ``/``; :meth:`crawl` and :meth:`listdir` list it without downloading, and
    :meth:`file` fetches one file of it alone. Object stores keep no empty
    folders, so an empty sub-folder does not survive a round trip.
    """

    def __init__(self, path: str | os.PathLike[str], remote_path: str | None = None, files_in_flight: int | None = None) -> None:
        super().__init__(path, remote_path)
        self.files_in_flight = files_in_flight
        self.expected_files: int | None = None
        self._entries: list[Entry] | None = None

    @classmethod
    def from_literal_uri(
        cls, uri: str, ctx: TransformContext | None, files_in_flight: int | None = None, expected_files: int | None = None
    ) -> Directory:
        """A ``Directory`` for a multipart blob a literal names; listed and fetched (confined by ``ctx``) on first use."""
        value = cls.__new__(cls)
        value._init_from_storage(uri, ctx)
        value.files_in_flight = files_in_flight
        value.expected_files = expected_files
        value._entries = None
        return value

    # ------------------------------------------------------------------ listing without downloading

    def entries(self) -> list[Entry]:
        """Every file under the directory (relative path, URI, size), listed once, without downloading."""
        if self._entries is None:
            from typeflow import transfer
            from typeflow.errors import StorageError

            if self._remote is None:
                entries = transfer.list_tree(None, self._local_path or ".")
            else:
                entries = transfer.list_tree(self._ctx, self._remote, storage=self._storage)
                if self.expected_files is not None and len(entries) != self.expected_files:
                    raise StorageError(
                        f"the directory holds {len(entries)} files but its literal says {self.expected_files}: "
                        "files were deleted or added after it was written",
                        uri=self._remote,
                    )
            self._entries = entries
        return list(self._entries)

    def crawl(self) -> Iterator[tuple[str, str]]:
        """``(base, relative path)`` for every file under the directory, as flytekit's ``crawl``; no download."""
        base = self._remote if self._remote is not None else (self._local_path or "")
        for entry in self.entries():
            yield base, entry.relpath

    def listdir(self) -> list[File | Directory]:
        """The files and folders directly inside, as lazy ``File`` / ``Directory`` values; no download."""
        children: dict[str, File | Directory] = {}
        base = self._remote if self._remote is not None else (self._local_path or "")
        sep = "/" if is_remote(base) else os.sep
        for entry in self.entries():
            head, _, rest = entry.relpath.partition("/")
            if head in children:
                continue
            location = base.rstrip("/" + os.sep) + sep + head
            if not rest:
                children[head] = self._child_file(entry.uri)
            else:
                child: Directory
                if self._remote is None:
                    child = Directory(location)
                else:
                    child = Directory.from_literal_uri(location, self._ctx, self.files_in_flight)
                    child._storage = self._storage
                children[head] = child
        return [children[name] for name in sorted(children)]

    def file(self, relpath: str) -> File:
        """One file of the directory, by its relative path, as a lazy ``File`` (fetches that file alone)."""
        from typeflow import transfer
        from typeflow.errors import StorageError

        wanted = transfer.safe_relpath(relpath, str(self))
        for entry in self.entries():
            if entry.relpath == wanted:
                return self._child_file(entry.uri)
        raise StorageError(f"no file {relpath!r} in the directory", uri=str(self))

    def _child_file(self, uri: str) -> File:
        if self._remote is None:
            return File(uri)
        child = File.from_literal_uri(uri, self._ctx)
        child._storage = self._storage
        return child

    # ------------------------------------------------------------------ download

    def _fetch(self, local: str) -> None:
        from typeflow import transfer

        assert self._remote is not None
        entries = self.entries()
        limit = self.files_in_flight or transfer.default_files_in_flight(self._storage, self._remote)
        transfer.download_tree(self._ctx, self._remote, entries, local, limit, storage=self._storage)

    def __truediv__(self, other: str | os.PathLike[str]) -> pathlib.Path:
        """``directory / "a.csv"``: a path inside the local copy (downloading the directory first)."""
        return pathlib.Path(self.download()) / other


Directory._format_root = Directory
