"""``typeflow cache info|clear``: how much the local storage holds, and emptying it.

The default storage (``TYPEFLOW_STORAGE``, else ``$XDG_CACHE_HOME/typeflow``,
else ``~/.cache/typeflow``) only grows: every blob a conversion writes stays
there. ``info`` counts its blobs and their size; ``clear`` removes them.

``clear`` removes only what typeflow writes there: the two-hex-digit folders
blob URIs live in (``3f/3fa2...npy``) and the unfinished writes of writers
that are gone (``.typeflow-partial``; a live writer's is kept). Anything
else in the folder is left alone, so pointing ``TYPEFLOW_STORAGE`` at a
folder that also holds other files cannot lose them. Remote storage
(``s3://...``) is not touched: use the bucket's own lifecycle rules.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from dataclasses import dataclass
from typing import Any

from typeflow.cli._common import InputError, human_size, print_json

__all__ = ["Usage", "blob_folders", "register", "run", "usage"]

#: blob URIs are <root>/<2 hex digits>/<32 hex digits><suffix>
_BLOB_FOLDER = re.compile(r"[0-9a-f]{2}")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("cache", parents=[common], help="size or clear the local storage typeflow writes blobs to")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    info = actions.add_parser("info", parents=[common], help="where the storage is, how many blobs, how big")
    info.add_argument("--storage", help="a storage folder other than the default")
    info.set_defaults(run=run)
    clear = actions.add_parser("clear", parents=[common], help="remove every blob typeflow wrote to the storage")
    clear.add_argument("--storage", help="a storage folder other than the default")
    clear.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    clear.set_defaults(run=run)


@dataclass(frozen=True)
class Usage:
    """What a storage folder holds: its blobs (files, a multi-file value counting each file) and their bytes."""

    path: str
    exists: bool
    blobs: int
    size_bytes: int

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "exists": self.exists, "blobs": self.blobs, "size_bytes": self.size_bytes}


def storage_folder(given: str | None) -> str:
    """The local folder of ``given``, or of the default storage; remote storage is refused."""
    from typeflow.storage import default_storage_url, is_local

    url = given or default_storage_url()
    if not is_local(url):
        raise InputError(
            f"the storage is {url}, which is not a local folder; typeflow cache sizes and clears local storage only "
            "(empty a bucket with its own tools or a lifecycle rule)"
        )
    path = url[len("file://") :] if url.startswith("file://") else url
    return os.path.abspath(os.path.expanduser(path))


def blob_folders(root: str) -> list[str]:
    """The folders under ``root`` that typeflow's blob URIs are in."""
    try:
        names = os.listdir(root)
    except FileNotFoundError:
        return []
    return sorted(os.path.join(root, n) for n in names if _BLOB_FOLDER.fullmatch(n) and os.path.isdir(os.path.join(root, n)))


def usage(root: str) -> Usage:
    """Count the blobs under ``root`` and add up their sizes (symbolic links are not followed)."""
    blobs = size = 0
    for folder in blob_folders(root):
        for dirpath, _dirs, files in os.walk(folder):
            for name in files:
                try:
                    size += os.lstat(os.path.join(dirpath, name)).st_size
                except OSError:
                    continue
                blobs += 1
    return Usage(root, os.path.isdir(root), blobs, size)


def _confirmed(before: Usage) -> bool:
    if not sys.stdin.isatty():
        raise InputError(
            f"would remove {before.blobs:,} blobs ({human_size(before.size_bytes)}) from {before.path}; "
            "pass --yes to confirm (no terminal to ask on)"
        )
    answer = input(f"remove {before.blobs:,} blobs ({human_size(before.size_bytes)}) from {before.path}? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def clear(root: str) -> None:
    """Remove typeflow's blob folders under ``root``, and dead writers' unfinished writes; other files there stay."""
    from typeflow import _partial

    for folder in blob_folders(root):
        shutil.rmtree(folder)
    _partial.sweep(root, older_than=0)


def run(args: argparse.Namespace) -> int:
    root = storage_folder(args.storage)
    before = usage(root)
    if args.action == "info":
        if args.json:
            print_json(before.as_json())
        else:
            state = "" if before.exists else " (does not exist yet)"
            print(f"storage: {root}{state}")
            print(f"blobs:   {before.blobs:,}")
            print(f"size:    {human_size(before.size_bytes)} ({before.size_bytes:,} bytes)")
        return 0
    if before.blobs and not args.yes and not _confirmed(before):
        print("nothing removed")
        return 1
    clear(root)
    if args.json:
        print_json({"path": root, "removed_blobs": before.blobs, "removed_bytes": before.size_bytes})
    else:
        print(f"removed {before.blobs:,} blobs ({human_size(before.size_bytes)}) from {root}")
    return 0
