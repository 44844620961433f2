"""What :class:`File` and :class:`Directory` share: a local path or a remote URI, fetched lazily."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from typeflow.types._format import with_format

if TYPE_CHECKING:
    from typeflow.storage import Storage
    from typeflow.transformer import TransformContext

__all__ = ["PathValue", "is_remote"]


def is_remote(path: str) -> bool:
    """A URI with a scheme other than ``file://`` (``s3://…``, ``gs://…``, ``memory://…``)."""
    return "://" in path and not path.startswith("file://")


def _local(path: str) -> str:
    return path[len("file://") :] if path.startswith("file://") else path


class PathValue(os.PathLike[str]):
    """A file or folder that is either on this machine or in storage (then fetched on first use)."""

    #: the format in the blob type (``File["csv"]`` sets it); ``""`` for any
    format: ClassVar[str] = ""
    _format_root: ClassVar[type]

    def __init__(self, path: str | os.PathLike[str], remote_path: str | None = None) -> None:
        if isinstance(path, PathValue):
            raise TypeError(f"{type(self).__name__}() takes a path or URI; {path!r} already is one")
        text = os.fspath(path)
        if not isinstance(text, str):
            raise TypeError(f"{type(self).__name__}() takes a str path or URI, got {type(text).__name__}")
        self._lock = threading.Lock()
        self._ctx: TransformContext | None = None  # set when the value was read from a literal: reads are confined
        self._storage: Storage | None = None
        if is_remote(text):
            if remote_path is not None and remote_path != text:
                raise ValueError(f"{text} is already remote; remote_path= names where a local file is uploaded to")
            self._remote: str | None = text
            self._local_path: str | None = None
            self._upload_to: str | None = None
            self._downloaded = False
        else:
            self._remote = None
            self._local_path = _local(text)
            self._upload_to = remote_path
            self._downloaded = True

    def __class_getitem__(cls, item: Any) -> Any:
        """``File["csv"]`` / ``File[TypeVar("csv")]``: this type with a format in its blob type."""
        return with_format(cls, item)

    def _init_from_storage(self, uri: str, ctx: TransformContext | None) -> None:
        """Make this a value read from a literal: ``uri`` is fetched on first use, confined by ``ctx``.

        A blob in local storage is copied on first use too, like a download:
        the value's path is never the stored blob itself, so writing to it
        cannot change what other readers of the literal see.
        """
        self._lock = threading.Lock()
        self._remote = uri
        self._local_path = None
        self._upload_to = None
        self._downloaded = False
        self._ctx = ctx
        self._storage = ctx.storage if ctx is not None else None

    # ------------------------------------------------------------------ where it is

    @property
    def remote_path(self) -> str | None:
        """The blob URI in storage (read back or remote), else the upload destination given, else ``None``."""
        return self._remote or self._upload_to

    @property
    def remote_source(self) -> str | None:
        """Where the value is fetched from (flytekit's name); ``None`` for a local one."""
        return self._remote

    @property
    def downloaded(self) -> bool:
        """Whether the bytes are on this machine (always for a local value)."""
        return self._downloaded

    @property
    def path(self) -> str:
        """The local path: where the value is, or for a remote one where it is (or will be) downloaded to."""
        if self._local_path is None:
            with self._lock:
                if self._local_path is None:
                    self._local_path = self._download_target()
        return self._local_path

    def _download_target(self) -> str:
        from typeflow.transfer import local_download_dir

        assert self._remote is not None
        name = self._remote.rstrip("/").rsplit("/", 1)[-1] or "blob"
        return os.path.join(local_download_dir(), name)

    def download(self) -> str:
        """Fetch the value if it is remote (once) and return its local path."""
        if not self._downloaded:
            with self._lock:
                if not self._downloaded:
                    if self._local_path is None:
                        self._local_path = self._download_target()
                    self._fetch(self._local_path)
                    self._downloaded = True
        assert self._local_path is not None
        return self._local_path

    def _fetch(self, local: str) -> None:
        raise NotImplementedError

    def __fspath__(self) -> str:
        return self.download()

    # ------------------------------------------------------------------ identity

    def _location(self) -> str:
        return self._remote if self._remote is not None else os.path.abspath(self._local_path or "")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PathValue):
            return (
                self._format_root is other._format_root and self.format == other.format and self._location() == other._location()
            )
        if isinstance(other, (str, os.PathLike)) and not isinstance(other, PathValue):
            return self._location() == os.fspath(other) or (
                self._remote is None and self._location() == os.path.abspath(os.fspath(other))
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._location())

    def __str__(self) -> str:
        return self._remote if self._remote is not None else (self._local_path or "")

    def __repr__(self) -> str:
        fmt = f"[{self.format!r}]" if self.format else ""
        return f"{self._format_root.__name__}{fmt}({str(self)!r})"

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_lock", None)
        return state

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __reduce_ex__(self, protocol: Any) -> Any:
        # File["csv"] is made at run time, so instances pickle by their root class and format
        return (_rebuild, (self._format_root, self.format), self.__getstate__())


def _rebuild(root: type, fmt: str) -> Any:
    cls = with_format(root, fmt) if fmt else root
    return object.__new__(cls)
