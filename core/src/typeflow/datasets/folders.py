"""Which files a dataset URI names: one file, or the files directly inside a folder (flytekit's form).

flytekit writes a DataFrame's ``uri`` as a folder holding its parquet file(s)
(``<uri>/00000``), and reads a folder as one dataset. typeflow reads that form
too, within what a literal may make it read:

* only the folder's own files are listed, never sub-folders (a folder that
  holds one is refused: a partitioned dataset is not read from a literal);
  hidden and marker files (``.…``, ``_SUCCESS``, ``_metadata``) are skipped;
* at most ``dataset_max_files`` files (``engine.context(dataset_max_files=N)``
  / ``TYPEFLOW_DATASET_MAX_FILES``, default :data:`DEFAULT_MAX_FILES`); a local
  listing stops reading the folder there;
* a local folder must lie inside the storage folder or a read root (as for a
  :class:`~typeflow.types.Directory`), a remote one on the storage's bucket or
  under a read root; every file is then checked and opened through the
  context's read policy like any other blob.
"""

from __future__ import annotations

import os
from typing import Any

from typeflow.confine import FOLDER_LISTED, ReadLocation
from typeflow.errors import StorageError
from typeflow.transformer import TransformContext

__all__ = ["DEFAULT_MAX_FILES", "MAX_FILES_OPTION", "dataset_files"]

#: the context option (and ``TYPEFLOW_DATASET_MAX_FILES``)
MAX_FILES_OPTION = "dataset_max_files"
DEFAULT_MAX_FILES = 1000


def max_files(ctx: TransformContext) -> int:
    raw = ctx.option(MAX_FILES_OPTION, DEFAULT_MAX_FILES)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = -1
    if value < 1:
        raise StorageError(f"the {MAX_FILES_OPTION} setting must be a positive number of files, got {raw!r}")
    return value


def _skipped(name: str) -> bool:
    return name.startswith((".", "_"))


def _too_many(uri: str, limit: int) -> StorageError:
    return StorageError(
        f"cannot read the dataset folder: it holds more than {limit} files; if you trust it, raise the limit with "
        f"engine.context({MAX_FILES_OPTION}=N) or TYPEFLOW_{MAX_FILES_OPTION.upper()}=N",
        uri=uri,
    )


def _sub_folder(uri: str, name: str) -> StorageError:
    return StorageError(
        f"cannot read the dataset folder: it holds a sub-folder ({name!r}); typeflow reads the files directly "
        "in a dataset folder, not partitioned or nested datasets",
        uri=uri,
    )


def dataset_files(ctx: TransformContext, uri: str) -> list[ReadLocation]:
    """The files to read for the dataset at ``uri`` (checked by the context's read policy), in name order."""
    loc = ctx.check_read(uri)
    limit = max_files(ctx)
    if loc.local:
        if not os.path.isdir(loc.path):
            return [loc]
        # listing a folder: only inside the storage folder or a read root
        ctx.check_read(uri, roots_only=True, reason=FOLDER_LISTED)
        names = _list_local(loc.path, uri, limit)
        files = [os.path.join(loc.path, name) for name in names]
    else:
        fs = ctx.storage._filesystem_for(loc)
        if not _is_remote_folder(fs, loc.url, uri):
            return [loc]
        names = _list_remote(fs, loc.url, uri, limit)
        files = [f"{uri.rstrip('/')}/{name}" for name in names]
    if not files:
        raise StorageError("cannot read the dataset folder: it holds no data files", uri=uri)
    return [ctx.check_read(f) for f in files]


def _list_local(path: str, uri: str, limit: int) -> list[str]:
    names: list[str] = []
    try:
        with os.scandir(path) as listing:
            for entry in listing:  # a lazy iterator: a folder of a million files is not read whole
                if _skipped(entry.name):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    raise _sub_folder(uri, entry.name)
                names.append(entry.name)
                if len(names) > limit:
                    raise _too_many(uri, limit)
    except OSError as exc:
        if isinstance(exc, StorageError):
            raise
        raise StorageError(f"cannot list the dataset folder ({type(exc).__name__}: {exc})", uri=uri) from exc
    return sorted(names)


def _is_remote_folder(fs: Any, url: str, uri: str) -> bool:
    try:
        info = fs.info(url)
    except FileNotFoundError:
        return False  # the reader says "blob not found"
    except Exception as exc:
        raise StorageError(f"cannot read ({type(exc).__name__}: {exc})", uri=uri) from exc
    return bool(info.get("type") == "directory")


def _list_remote(fs: Any, url: str, uri: str, limit: int) -> list[str]:
    try:
        entries = fs.ls(url, detail=True)
    except Exception as exc:
        raise StorageError(f"cannot list the dataset folder ({type(exc).__name__}: {exc})", uri=uri) from exc
    base = fs._strip_protocol(url).rstrip("/")
    names: list[str] = []
    for entry in entries:
        full = str(entry.get("name", "")).rstrip("/")
        parent, _, name = full.rpartition("/")
        if parent != base or not name:
            raise StorageError(f"the folder listing returned {full!r}, which is not directly in the folder", uri=uri)
        if _skipped(name):
            continue
        if entry.get("type") == "directory":
            raise _sub_folder(uri, name)
        names.append(name)
        if len(names) > limit:
            raise _too_many(uri, limit)
    return sorted(names)
