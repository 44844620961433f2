"""File-like types: :class:`File` and :class:`Directory` (flytekit's ``FlyteFile`` / ``FlyteDirectory``).

    from typeflow.types import File, Directory

Both are ``os.PathLike``: a local path or a remote URI. Converting one
uploads it once to the context's storage; the value read back downloads
lazily, on first ``open()``, ``download()`` or ``os.fspath()``.
"""

from __future__ import annotations

from typeflow.types.directory import Directory
from typeflow.types.file import File

__all__ = ["Directory", "File"]
