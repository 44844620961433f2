"""Progress of long blob transfers: a bar on a terminal, DEBUG log lines always.

``engine.context(progress=True)`` (or ``TYPEFLOW_PROGRESS=1``) shows a tqdm
bar on stderr for a transfer of at least :data:`PROGRESS_MIN_BYTES`, when
stderr is a terminal and tqdm is installed (``pip install "typeflow[progress]"``).
Every transfer, shown or not, logs one DEBUG line on the ``typeflow.transfer``
logger with its size and duration.

The bar is fed through fsspec's callback protocol, so remote file systems
report bytes as they move them; local copies report in chunks.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typeflow.transformer import TransformContext

__all__ = ["PROGRESS_MIN_BYTES", "Transfer", "progress_enabled"]

log = logging.getLogger("typeflow.transfer")

#: transfers smaller than this never show a bar: they finish before one is useful
PROGRESS_MIN_BYTES = 4 * 2**20

_FALSE = ("", "0", "false", "False", "no", "off")
_warned_no_tqdm = False


def progress_enabled(ctx: TransformContext | None) -> bool:
    """Whether the context (or ``TYPEFLOW_PROGRESS``) asks for progress bars."""
    if ctx is None:
        import os

        raw: Any = os.environ.get("TYPEFLOW_PROGRESS", "")
    else:
        raw = ctx.option("progress", "")
    if isinstance(raw, str):
        return raw.strip() not in _FALSE
    return bool(raw)


def _bar(total: int, label: str) -> Any:
    """A tqdm bar on stderr, or None where none can be shown."""
    global _warned_no_tqdm
    if not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        if not _warned_no_tqdm:
            _warned_no_tqdm = True
            log.warning('progress was asked for but tqdm is not installed: pip install "typeflow[progress]"')
        return None
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=label, file=sys.stderr, leave=False)


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover - the loop always returns


@functools.cache
def _file_callback_class() -> type:
    from fsspec.callbacks import Callback

    class FileCallback(Callback):  # type: ignore[misc]
        """One file's bytes, reported to its :class:`Transfer` as they move."""

        def __init__(self, transfer: Transfer) -> None:
            super().__init__()
            self._transfer = transfer
            self._seen = 0

        def call(self, *args: Any, **kwargs: Any) -> None:
            value = int(self.value or 0)
            if value > self._seen:
                self._transfer.advance(value - self._seen)
                self._seen = value

    return FileCallback


class Transfer:
    """One blob moving (a file, a directory's files, a stream batch): progress and a DEBUG line.

    with Transfer(ctx, "upload", uri, total_bytes) as t:
        fs.put_file(src, dst, callback=t.callback())
    """

    def __init__(self, ctx: TransformContext | None, action: str, uri: str, total: int, files: int = 1) -> None:
        self.action = action
        self.uri = uri
        self.total = total
        self.files = files
        self._lock = threading.Lock()
        self._bar = (
            _bar(total, f"{action} {uri.rsplit('/', 1)[-1]}") if total >= PROGRESS_MIN_BYTES and progress_enabled(ctx) else None
        )
        self._start = 0.0

    @property
    def shows_progress(self) -> bool:
        return self._bar is not None

    def advance(self, n: int) -> None:
        """``n`` more bytes moved (thread-safe)."""
        if self._bar is not None and n:
            with self._lock:
                self._bar.update(n)

    def callback(self) -> Any:
        """An fsspec callback reporting one file's bytes to this transfer (fsspec's no-op one when no bar is drawn)."""
        if self._bar is None:
            from fsspec.callbacks import DEFAULT_CALLBACK

            return DEFAULT_CALLBACK
        return _file_callback_class()(self)

    def __enter__(self) -> Transfer:
        self._start = time.perf_counter()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        elapsed = time.perf_counter() - self._start
        if self._bar is not None:
            self._bar.close()
        if log.isEnabledFor(logging.DEBUG):
            files = f" in {self.files} files" if self.files != 1 else ""
            outcome = "failed after" if kind is not None else "took"
            log.debug("%s %s (%s%s) %s %.3f s", self.action, self.uri, _human(self.total), files, outcome, elapsed)
