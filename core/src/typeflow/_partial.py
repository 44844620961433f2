"""Unfinished local writes: where they go, how a live one is told from a dead one, and the sweep of dead ones.

A local blob is written to a temporary ``.part`` file and renamed into place
when complete. Inside a storage folder the ``.part`` files go to one folder
of their own, :data:`PARTIAL_FOLDER` (``<storage>/.typeflow-partial``), so
that finding them never means scanning the blobs.

A writer that is killed leaves its ``.part`` behind. While a writer lives it
holds an exclusive ``flock`` on its file (released by the kernel when the
process dies, however it dies), so the sweep can tell: it removes a ``.part``
only when it can take that lock itself *and* the file has not been modified
for :data:`SAFE_AGE` seconds (an hour; the second guard, for file systems
where locks are not shared between machines). A finished writer renames its
file while still holding the lock, so the sweep never sees it unlocked.

The sweep runs when a storage folder is first written to in a process, and
again at most once per :data:`SAFE_AGE` in a long-running one. Without
``fcntl`` (Windows) the age is the only guard there, and Windows refuses to
delete a file another process has open.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import threading
import time
import uuid
from typing import IO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "PARTIAL_FOLDER",
    "RENAME_WHILE_OPEN",
    "SAFE_AGE",
    "fsync_wanted",
    "hold",
    "open_partial",
    "rename_into_place",
    "sweep",
    "sweep_now_and_then",
    "sync_file",
    "sync_folder",
    "sync_tree",
    "temp_path",
]

#: the folder of a storage folder that holds its unfinished writes
PARTIAL_FOLDER = ".typeflow-partial"
#: seconds a dead writer's ``.part`` stays before a sweep removes it
SAFE_AGE = 3600.0

#: a finished writer renames its file before closing it (keeping the lock); Windows cannot rename an open file
RENAME_WHILE_OPEN = fcntl is not None

_log = logging.getLogger("typeflow.storage")
_last_sweep: dict[str, float] = {}
_sweep_lock = threading.Lock()
_devices: dict[str, bool] = {}


def _on_same_device(root: str, directory: str) -> bool:
    """Whether ``directory`` (a blob folder under ``root``) is on the partial folder's file system (cached)."""
    known = _devices.get(directory)
    if known is None:
        try:
            known = os.stat(root).st_dev == os.stat(directory).st_dev
        except OSError:
            known = False
        _devices[directory] = known
    return known


def temp_path(root: str | None, final: str) -> str:
    """Where to write ``final`` before renaming it into place.

    In ``root``'s partial folder when ``final`` lies inside ``root`` (the
    storage folder) on the same file system, so a rename can move it; beside
    ``final`` otherwise. The folders must exist (``final``'s too).
    """
    name = f"{os.path.basename(final)}.{uuid.uuid4().hex[:8]}.part"
    directory = os.path.dirname(final)
    if root is not None and directory.startswith(root.rstrip(os.sep) + os.sep):
        partial = os.path.join(root, PARTIAL_FOLDER)
        if _on_same_device(root, directory):
            try:
                os.makedirs(partial, exist_ok=True)
                return os.path.join(partial, name)
            except OSError:
                pass
    return os.path.join(directory, f".{name}")


def hold(fd: int) -> None:
    """Mark the ``.part`` open on ``fd`` as a live writer's (until the descriptor is closed)."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)


def sweep_now_and_then(root: str) -> None:
    """Sweep ``root``'s partial folder if this process has not done so in the last :data:`SAFE_AGE` seconds."""
    now = time.monotonic()
    last = _last_sweep.get(root)
    if last is not None and now - last < SAFE_AGE:
        return
    with _sweep_lock:
        last = _last_sweep.get(root)
        if last is not None and now - last < SAFE_AGE:
            return
        _last_sweep[root] = now
    try:
        removed = sweep(root)
    except OSError as exc:  # a sweep is housekeeping: it never fails the write that ran it
        _log.debug("could not sweep %s: %s", root, exc)
        return
    if removed:
        _log.info("removed %d unfinished write(s) of killed writers from %s", len(removed), os.path.join(root, PARTIAL_FOLDER))


def sweep(root: str, older_than: float = SAFE_AGE) -> list[str]:
    """Remove the ``.part`` files (and folders) of dead writers in ``root``'s partial folder; the paths removed.

    Only those unmodified for ``older_than`` seconds whose lock nobody holds.
    """
    folder = os.path.join(root, PARTIAL_FOLDER)
    try:
        with os.scandir(folder) as listing:
            found = [e for e in listing if e.name.endswith(".part")]
    except (FileNotFoundError, NotADirectoryError):
        return []
    removed = []
    now = time.time()
    for entry in found:
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if now - st.st_mtime < older_than or not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            continue
        if _remove_if_dead(entry.path, st):
            removed.append(entry.path)
    return removed


def _remove_if_dead(path: str, st: os.stat_result) -> bool:
    is_dir = stat.S_ISDIR(st.st_mode)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | (getattr(os, "O_DIRECTORY", 0) if is_dir else 0))
    except OSError:
        return False
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False  # a live writer holds it
        if os.fstat(fd).st_ino != st.st_ino:
            return False  # replaced since it was listed
        if is_dir:
            shutil.rmtree(path)
        else:
            os.remove(path)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def fsync_wanted() -> bool:
    """``TYPEFLOW_FSYNC=1``: local writes reach the disk before they are renamed into place (read at write time).

    Off by default: a killed process never leaves a partial blob at a final
    path either way (the rename comes after the last write, and the kernel
    keeps what was written); fsync adds durability across a power loss or a
    kernel crash, at a price measured in docs/RELIABILITY.md (about 2-3x the
    time of a large local write, and a millisecond or more per small blob).
    """
    return os.environ.get("TYPEFLOW_FSYNC", "") not in ("", "0", "false", "False", "no")


def sync_file(fd: int) -> None:
    """The data of the open file ``fd`` on disk."""
    os.fsync(fd)


def sync_folder(path: str) -> None:
    """The folder ``path``'s entries (a rename into it) on disk; a no-op where folders cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sync_tree(root: str) -> None:
    """Every file and folder under ``root`` (a finished ``.part`` folder) on disk, before it is renamed."""
    for folder, _, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        sync_folder(folder)


def rename_into_place(temp: str, final: str) -> None:
    """Rename a finished ``.part`` to its final path, making the folder again if it went meanwhile (``typeflow cache clear``)."""
    try:
        os.replace(temp, final)
    except FileNotFoundError:
        if not os.path.exists(temp):
            raise
        os.makedirs(os.path.dirname(final), exist_ok=True)
        os.replace(temp, final)


def open_partial(path: str) -> IO[bytes]:
    """Create the ``.part`` file ``path`` and hold it (see :func:`hold`)."""
    f = open(path, "xb")  # noqa: SIM115 - the caller closes it
    try:
        hold(f.fileno())
    except BaseException:
        f.close()
        raise
    return f
