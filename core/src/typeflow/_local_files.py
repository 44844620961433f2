"""Files on this machine: copying them (the kernel's fast path, ``.part`` files renamed into place) and listing folders.

Used by :mod:`typeflow.transfer` for uploads into local storage, downloads of
local blobs and local directory trees. A copy into storage goes to a ``.part``
file first (see :mod:`typeflow._partial`) and is renamed into place only when
complete; a blob a literal names is opened as a regular file only. Failures
are :class:`~typeflow.errors.StorageError` naming the URI, and a missing file
says which side was missing.
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from typeflow import _partial
from typeflow.errors import StorageError, TypeflowError
from typeflow.storage import _wrap, open_regular_file

if TYPE_CHECKING:
    from typeflow.progress import Transfer

__all__ = [
    "CHUNK",
    "Entry",
    "check_size",
    "copy",
    "copy_failed",
    "copy_open",
    "copy_stored",
    "discard",
    "file_size",
    "list_folder",
    "prune_empty",
    "put_local",
]


@dataclass(frozen=True)
class Entry:
    """One file of a directory in storage: its path relative to the directory, its URI and size."""

    relpath: str
    uri: str
    size: int | None


#: bytes per read when a copy is done in chunks (a progress bar is drawn, or ``sendfile`` is not there)
CHUNK = 8 * 2**20


def copy(src: str, dst: str, transfer: Transfer) -> None:
    """Copy the user's own local file ``src`` to ``dst`` (fast path: the kernel copies)."""
    if not transfer.shows_progress:
        shutil.copyfile(src, dst)
        return
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        copy_open(fin, fout, transfer)


def copy_open(fin: IO[bytes], fout: IO[bytes], transfer: Transfer) -> None:
    """Copy between open files: ``sendfile`` where it works and no bar is drawn, chunks otherwise."""
    if not transfer.shows_progress and hasattr(os, "sendfile"):
        try:
            offset, infd, outfd = 0, fin.fileno(), fout.fileno()
            while sent := os.sendfile(outfd, infd, offset, 2**30):
                offset += sent
            return
        except OSError:
            fout.seek(0)
            fout.truncate()
            fin.seek(0)
    while chunk := fin.read(CHUNK):
        fout.write(chunk)
        transfer.advance(len(chunk))


def copy_failed(action: str, uri: str, exc: OSError, src: str, dst: str) -> StorageError:
    """``exc`` from copying the local file ``src`` to ``dst`` as a :class:`StorageError` naming ``uri``.

    A missing file says which side was missing, naming it: the source blob, or
    the folder the copy goes into (either may vanish while a tree is copied).
    """
    if not isinstance(exc, FileNotFoundError):
        return _wrap(action, uri, exc)
    named = [p for p in (exc.filename, getattr(exc, "filename2", None)) if isinstance(p, str)]
    if src in named or (not named and not os.path.lexists(src)):
        return StorageError(f"cannot {action} (source blob not found: {src})", uri=uri)
    # the folder the copy goes into: the first one named that is not there (the .part file's, or the blob's own)
    folders = [os.path.dirname(p) for p in (*named, dst)]
    folder = next((f for f in folders if not os.path.isdir(f)), os.path.dirname(dst))
    return StorageError(f"cannot {action} (destination folder not found: {folder})", uri=uri)


def copy_stored(path: str, uri: str, dst: str, transfer: Transfer) -> None:
    """Copy a local blob a literal names: opened as a regular file only, and checked on the open descriptor."""
    with open_regular_file(path, uri) as fin:
        try:
            with open(dst, "wb") as fout:
                copy_open(fin, fout, transfer)
        except BaseException as exc:
            discard(dst)
            if isinstance(exc, OSError) and not isinstance(exc, TypeflowError):
                raise copy_failed("read", uri, exc, path, dst) from exc
            raise


def put_local(src: str, dst: str, transfer: Transfer, folder_made: bool = False, root: str | None = None) -> None:
    """Copy into local storage: to a ``.part`` file first (see :mod:`typeflow._partial`), renamed into place when complete.

    ``root``: the local storage folder ``dst`` is in, if any (its partial folder holds the ``.part``).
    """
    temp = ""
    try:
        if not folder_made:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
        if root is not None:
            _partial.sweep_now_and_then(root)
        temp = _partial.temp_path(root, dst)
        durable = _partial.fsync_wanted()
        with open(src, "rb") as fin, _partial.open_partial(temp) as fout:
            copy_open(fin, fout, transfer)
            if durable:
                fout.flush()
                _partial.sync_file(fout.fileno())
            if _partial.RENAME_WHILE_OPEN:
                _partial.rename_into_place(temp, dst)
        if not _partial.RENAME_WHILE_OPEN:
            _partial.rename_into_place(temp, dst)
        if durable:
            _partial.sync_folder(os.path.dirname(dst))
    except BaseException as exc:
        if temp:
            try:
                os.remove(temp)
            except OSError:
                pass
        if isinstance(exc, OSError) and not isinstance(exc, TypeflowError):
            raise copy_failed("write", dst, exc, src, dst) from exc
        raise


def file_size(path: str, uri: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError as exc:
        raise _wrap("read", uri, exc) from exc


def check_size(dst: str, uri: str, size: int | None) -> None:
    if size is None:
        return
    got = os.path.getsize(dst)
    if got != size:
        discard(dst)
        raise StorageError(f"cannot read (truncated: expected {size} bytes, got {got})", uri=uri)


def discard(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def prune_empty(root: str) -> None:
    for folder, _, _ in sorted(os.walk(root, topdown=False), key=lambda t: -len(t[0])):
        try:
            os.rmdir(folder)
        except OSError:
            pass


def list_folder(root: str, uri: str, confined: bool) -> list[Entry]:
    """Every regular file under the local folder ``root`` as an :class:`Entry` (named by ``uri`` in errors), sorted.

    ``confined`` (a folder a literal names): symlinks are not followed and
    anything but a regular file is refused; otherwise (the user's own folder)
    links to files are followed and other things skipped.
    """
    if not os.path.isdir(root):
        reason = "expected a folder, found a file" if os.path.exists(root) else f"source folder not found: {root}"
        raise StorageError(f"cannot read ({reason})", uri=uri)
    entries: list[Entry] = []
    pending = [(root, "")]
    while pending:  # scandir: each entry's type (and a regular file's size) without a path lookup per file
        folder, rel_folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                found = list(listing)
        except FileNotFoundError as exc:  # removed while the tree was listed
            raise StorageError(f"cannot read (source folder not found: {folder})", uri=uri) from exc
        except OSError as exc:
            raise _wrap("read", folder, exc) from exc
        for item in found:
            rel = f"{rel_folder}{item.name}"
            try:
                if item.is_dir(follow_symlinks=False):
                    pending.append((item.path, rel + "/"))
                    continue
                st = item.stat(follow_symlinks=not confined)
            except OSError as exc:
                raise _wrap("read", item.path, exc) from exc
            if stat.S_ISDIR(st.st_mode):  # a link to a folder in the user's own folder: not followed
                continue
            if not stat.S_ISREG(st.st_mode):
                if confined:
                    raise StorageError(
                        "cannot read (not a regular file: only regular files are read from storage)", uri=item.path
                    )
                continue  # a dangling link or a socket in the user's own folder: nothing to upload
            entries.append(Entry(rel, item.path, st.st_size))
    return sorted(entries, key=lambda e: e.relpath)
