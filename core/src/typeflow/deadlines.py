"""The I/O deadline: the longest one remote blob read or write may wait on its storage, in total.

Per-socket timeouts (:data:`typeflow.storage.S3_CONFIG`) end a request whose
server goes silent, but not one whose server trickles a byte every few
seconds: each byte restarts the socket's timer, and a read can be held for as
long as the server likes. The deadline bounds the *sum* of the time one blob
operation spends waiting on the storage: a read from opening the blob to
closing it, a write from opening to the upload's commit, one upload or
download of a file, a listing, a delete. Time the caller spends between calls
(producing the data it writes, using what it read) does not count, so a slow
producer is never cut off; only a slow storage is.

The deadline is ``engine.context(io_deadline=S)``, else ``TYPEFLOW_IO_DEADLINE``
(seconds, or with a unit: ``90s``, ``5m``, ``1h``; ``none`` turns it off), else
:data:`DEFAULT_IO_DEADLINE` (300 s, aiohttp's own default for one request).

A large blob is not a slow storage: every byte the operation moves adds
``1 / MIN_RATE`` seconds to what it may wait (:meth:`Clock.earn`), so a
transfer that keeps up an average of :data:`MIN_RATE` (256 KiB/s) is never
cut off, however large, while a server trickling a byte every few seconds
earns next to nothing and is cut off at the deadline.
Going over it raises :class:`~typeflow.errors.IODeadlineError` naming the URI
and the setting.

How it is enforced: on ``s3://`` storage (s3fs), inside every HTTP request,
so a trickling endpoint is cut off at the deadline (the request is cancelled,
the connection closed); for files of a tree moved concurrently, on the event
loop for any async file system. Elsewhere the storage's own timeouts bound a
single request, and the deadline is checked before and after each one. Local
storage has no deadline: a local read refuses FIFOs and devices instead.
"""

from __future__ import annotations

import contextvars
import os
import re
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, TypeVar

from typeflow.errors import IODeadlineError, StorageError, TypeflowError

if TYPE_CHECKING:
    from typeflow.transformer import TransformContext

__all__ = [
    "DEFAULT_IO_DEADLINE",
    "IO_DEADLINE_OPTION",
    "MIN_RATE",
    "Clock",
    "active",
    "io_deadline",
    "parse_seconds",
]

#: the context option (and, upper-cased with ``TYPEFLOW_``, the environment variable)
IO_DEADLINE_OPTION = "io_deadline"
#: seconds one remote blob operation may wait on its storage when nothing else is set
DEFAULT_IO_DEADLINE = 300.0
#: bytes per second: each byte moved extends the operation's deadline by 1/MIN_RATE s
MIN_RATE = 256 * 1024

_UNITS = {"": 1.0, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}
_SECONDS = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*")
_OFF = ("none", "off")

T = TypeVar("T")


def parse_seconds(raw: Any) -> float | None:
    """``30``, ``"90s"``, ``"5m"``, ``"1h"`` → seconds; ``None``/``"none"``/``"off"`` → ``None`` (no deadline).

    ``ValueError`` for anything else, zero and negative numbers included.
    """
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in _OFF):
        return None
    if isinstance(raw, bool):
        raise ValueError(f"not a duration: {raw!r} (use seconds; none turns it off)")
    if isinstance(raw, (int, float)):
        seconds = float(raw)
    else:
        match = _SECONDS.fullmatch(str(raw))
        if match is None or match.group(2).lower() not in _UNITS:
            raise ValueError(f"not a duration: {raw!r} (use seconds, or a unit such as 90s, 5m or 1h; none turns it off)")
        seconds = float(match.group(1)) * _UNITS[match.group(2).lower()]
    if not seconds > 0 or seconds == float("inf"):
        raise ValueError(f"a deadline must be a positive number of seconds, got {raw!r} (none turns it off)")
    return seconds


def io_deadline(ctx: TransformContext | None = None) -> float | None:
    """Seconds one remote blob operation may wait (option ``io_deadline`` / ``TYPEFLOW_IO_DEADLINE``); ``None`` is off.

    Without a context, the environment variable or the default.
    """
    if ctx is not None:
        raw = ctx.option(IO_DEADLINE_OPTION, DEFAULT_IO_DEADLINE)
    else:
        raw = os.environ.get(f"TYPEFLOW_{IO_DEADLINE_OPTION.upper()}", DEFAULT_IO_DEADLINE)
    try:
        return parse_seconds(raw)
    except ValueError as exc:
        raise StorageError(f"the {IO_DEADLINE_OPTION} setting is invalid: {exc}") from None


class Clock:
    """The waiting left to one blob operation; ``with clock.waiting():`` around each call to the storage.

    While a call runs, :func:`active` tells code on other threads and event
    loops that the call came from (fsspec's loop, the S3 HTTP session) when
    it must give up: contexts are copied into the tasks a call starts.
    """

    __slots__ = ("action", "by_transport", "left", "seconds", "uri")

    def __init__(self, seconds: float | None, uri: str, action: str = "read") -> None:
        self.seconds = seconds
        self.uri = uri
        self.action = action
        self.left = seconds
        self.by_transport = False

    def earn(self, nbytes: int, *, transport: bool = False) -> None:
        """``nbytes`` moved: the operation may wait ``nbytes / MIN_RATE`` seconds longer (a call in progress too).

        The HTTP session counts the bytes it moves (``transport=True``); once it
        has, the file wrapper's own counts of the same bytes are ignored.
        """
        if self.left is None or nbytes <= 0:
            return
        if transport:
            self.by_transport = True
        elif self.by_transport:
            return
        self.left += nbytes / MIN_RATE

    def error(self) -> IODeadlineError:
        """The error for this operation going over its deadline."""
        seconds = self.seconds or 0.0
        return IODeadlineError(
            f"cannot {self.action}: waited on the storage for more than the I/O deadline of {seconds:g} s; "
            f"if the storage is only slow, raise it with engine.context({IO_DEADLINE_OPTION}=S) or "
            f"TYPEFLOW_{IO_DEADLINE_OPTION.upper()}=S (seconds, or none)",
            uri=self.uri,
            deadline=seconds,
        )

    def waiting(self) -> _Waiting:
        """Context manager around one call that waits on the storage (refused at once once nothing is left)."""
        return _Waiting(self)

    async def bound(self, awaitable: Awaitable[T]) -> T:
        """Await ``awaitable`` on an event loop within what is left; cancelled, and :class:`IODeadlineError`, at the end."""
        if self.left is None:
            return await awaitable
        start = time.monotonic()
        active = _Active(start, self)
        token = _active.set(active)
        try:
            return await _within(awaitable, active)
        finally:
            _active.reset(token)
            self.left -= time.monotonic() - start


class _Active:
    """The deadline of the call in progress: when it started, and the operation's clock."""

    __slots__ = ("clock", "start")

    def __init__(self, start: float, clock: Clock) -> None:
        self.start = start
        self.clock = clock

    @property
    def at(self) -> float:
        """The monotonic instant the call must end by: later as the call moves bytes (:meth:`Clock.earn`)."""
        return self.start + (self.clock.left or 0.0)

    async def bound(self, awaitable: Awaitable[T]) -> T:
        return await _within(awaitable, self)


_active: contextvars.ContextVar[_Active | None] = contextvars.ContextVar("typeflow_io_deadline", default=None)


def active() -> _Active | None:
    """The deadline of the storage call this code runs for, or ``None`` (no typeflow call, or no deadline).

    ``await active().bound(coro)`` awaits within it.
    """
    return _active.get()


async def _within(awaitable: Awaitable[T], active: _Active) -> T:
    import asyncio  # only where an event loop already runs: importing typeflow does not import asyncio

    if active.at - time.monotonic() <= 0:
        if asyncio.iscoroutine(awaitable):
            awaitable.close()  # never started: no "coroutine was never awaited" warning
        raise active.clock.error()
    task = asyncio.ensure_future(awaitable)
    try:
        while True:
            left = active.at - time.monotonic()  # re-read: bytes moved meanwhile push the deadline out
            if left <= 0:
                task.cancel()
                await asyncio.wait((task,))  # until the request is torn down; its own outcome no longer matters
                if not task.cancelled():
                    task.exception()  # retrieved: no "exception was never retrieved" warning
                raise active.clock.error()
            done, _ = await asyncio.wait((task,), timeout=left)
            if done:
                return task.result()
    except asyncio.CancelledError:
        task.cancel()
        raise


class _Waiting:
    __slots__ = ("clock", "start", "token")

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def __enter__(self) -> None:
        left = self.clock.left
        if left is None:
            return
        if left <= 0:
            raise self.clock.error()
        self.start = time.monotonic()
        self.token = _active.set(_Active(self.start, self.clock))

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        left = self.clock.left
        if left is None:
            return
        _active.reset(self.token)
        spent = time.monotonic() - self.start
        self.clock.left = left - spent  # ``left`` includes what the call earned
        if exc is not None and not isinstance(exc, TypeflowError) and isinstance(exc, Exception) and self.clock.left <= 0:
            # the storage failed after the deadline had passed (a timeout, a cancelled request): say why
            raise self.clock.error() from exc
