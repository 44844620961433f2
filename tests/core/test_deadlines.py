"""The I/O deadline (typeflow.deadlines): settings, and its enforcement on file systems other than S3.

The S3 path (a trickling endpoint cut off inside the HTTP request) is in
tests/integration/test_deadlines_s3.py; here a slow fsspec file system of our
own shows the check between calls, and fsspec's own event loop shows that a
call's deadline reaches the coroutines it starts.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import fsspec
import fsspec.asyn
import pytest
from fsspec.implementations.memory import MemoryFile, MemoryFileSystem

from typeflow import TypeEngine, deadlines
from typeflow.deadlines import Clock, parse_seconds
from typeflow.errors import IODeadlineError, StorageError
from typeflow.storage import FsspecStorage


class SlowFile(MemoryFile):
    def read(self, size: int = -1) -> bytes:
        time.sleep(SlowMemoryFileSystem.delay)
        return super().read(size)

    def write(self, data: Any) -> int:
        time.sleep(SlowMemoryFileSystem.delay)
        return super().write(data)


class SlowMemoryFileSystem(MemoryFileSystem):
    """memory:// whose every read and write call takes ``delay`` seconds: a storage that is slow, not silent."""

    protocol = "tfslowmem"
    store: dict[str, Any] = {}
    pseudo_dirs = [""]
    delay = 0.0

    def _open(self, path: str, mode: str = "rb", **kwargs: Any) -> Any:
        f = super()._open(path, mode, **kwargs)
        slow = SlowFile(self, f.path, f.getvalue())
        if "w" in mode:
            slow.commit()  # memory:// shows a file from the moment it is opened
        return slow


fsspec.register_implementation("tfslowmem", SlowMemoryFileSystem, clobber=True)


@pytest.fixture
def slow_storage() -> Any:
    SlowMemoryFileSystem.store.clear()
    SlowMemoryFileSystem.delay = 0.0
    yield FsspecStorage("tfslowmem://bucket/prefix")
    SlowMemoryFileSystem.delay = 0.0


# ----------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        (30, 30.0),
        (0.5, 0.5),
        ("90", 90.0),
        ("90s", 90.0),
        ("1.5m", 90.0),
        ("2h", 7200.0),
        (None, None),
        ("none", None),
        ("OFF", None),
    ],
)
def test_deadline_settings_are_seconds_with_an_optional_unit_or_none(raw: Any, seconds: float | None) -> None:
    assert parse_seconds(raw) == seconds


@pytest.mark.parametrize("raw", [0, -1, "0", "-5", "soon", "5 days", True, float("inf"), float("nan"), ""])
def test_a_deadline_must_be_a_positive_duration(raw: Any) -> None:
    with pytest.raises(ValueError, match="none turns it off"):
        parse_seconds(raw)


def test_the_deadline_comes_from_the_context_then_the_environment_then_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = TypeEngine()
    monkeypatch.delenv("TYPEFLOW_IO_DEADLINE", raising=False)
    assert engine.context().io_deadline == deadlines.DEFAULT_IO_DEADLINE == 300
    assert deadlines.io_deadline() == 300
    monkeypatch.setenv("TYPEFLOW_IO_DEADLINE", "2m")
    assert engine.context().io_deadline == 120
    assert deadlines.io_deadline() == 120
    assert engine.context(io_deadline=7).io_deadline == 7
    assert engine.context(io_deadline=None).io_deadline is None
    monkeypatch.setenv("TYPEFLOW_IO_DEADLINE", "none")
    assert engine.context().io_deadline is None


def test_a_bad_deadline_setting_is_a_storage_error_naming_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYPEFLOW_IO_DEADLINE", "soon")
    with pytest.raises(StorageError, match="io_deadline setting is invalid"):
        _ = TypeEngine().context().io_deadline


# ----------------------------------------------------------------------------- enforcement


def test_a_slow_storage_read_ends_at_the_next_call_after_the_deadline(slow_storage: FsspecStorage) -> None:
    uri = slow_storage.new_uri(".bin")
    slow_storage.write_bytes(uri, b"z" * 100_000)
    SlowMemoryFileSystem.delay = 0.25
    ctx = TypeEngine().context(storage=slow_storage.url, io_deadline=1)
    start = time.monotonic()
    with pytest.raises(IODeadlineError) as info, ctx.open_read(uri) as f:
        while f.read(1000):
            pass
    elapsed = time.monotonic() - start
    assert info.value.uri == uri and info.value.deadline == 1
    assert "waited on the storage for more than the I/O deadline of 1 s" in str(info.value)
    assert elapsed < 1 + 0.25 + 1.5, elapsed  # one call past the deadline at most (sync file systems cannot be cut)


def test_a_slow_storage_write_ends_at_the_deadline_and_leaves_nothing(slow_storage: FsspecStorage) -> None:
    SlowMemoryFileSystem.delay = 0.25
    ctx = TypeEngine().context(storage=slow_storage.url, io_deadline=0.6)
    uri = ctx.storage.new_uri(".bin")
    with pytest.raises(IODeadlineError) as info, ctx.open_write(uri) as f:
        for _ in range(20):
            f.write(b"w" * 100)
    assert info.value.uri == uri
    assert not slow_storage.fs.exists(uri)


def test_time_the_caller_spends_between_calls_does_not_count(slow_storage: FsspecStorage) -> None:
    SlowMemoryFileSystem.delay = 0.05
    ctx = TypeEngine().context(storage=slow_storage.url, io_deadline=0.5)
    uri = ctx.storage.new_uri(".bin")
    with ctx.open_write(uri) as f:
        for _ in range(4):
            time.sleep(0.3)  # a slow producer: 1.2 s of its own time, 0.2 s waiting on the storage
            f.write(b"p" * 10)
    assert ctx.storage.read_bytes(uri, deadline=None) == b"p" * 40


def test_with_the_deadline_off_a_slow_read_completes(slow_storage: FsspecStorage) -> None:
    uri = slow_storage.new_uri(".bin")
    slow_storage.write_bytes(uri, b"q" * 5000)
    SlowMemoryFileSystem.delay = 0.1
    ctx = TypeEngine().context(storage=slow_storage.url, io_deadline=None)
    with ctx.open_read(uri) as f:
        got = b"".join(iter(lambda: f.read(1000), b""))
    assert got == b"q" * 5000


def test_a_calls_deadline_reaches_the_coroutines_it_starts_on_fsspecs_loop() -> None:
    """What the S3 HTTP session relies on: fsspec's loop runs a call's coroutines in a copy of the caller's context."""
    seen: list[Any] = []

    async def on_the_loop() -> None:
        seen.append(deadlines.active())
        await asyncio.gather(*(asyncio.sleep(0) for _ in range(2)))

    clock = Clock(30, "s3://b/k")
    with clock.waiting():
        fsspec.asyn.sync(fsspec.asyn.get_loop(), on_the_loop)
    fsspec.asyn.sync(fsspec.asyn.get_loop(), on_the_loop)
    assert seen[0] is not None and seen[0].clock is clock
    assert seen[1] is None


def test_an_awaited_call_is_cancelled_at_its_deadline() -> None:
    cancelled = []

    async def hung() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    start = time.monotonic()
    with pytest.raises(IODeadlineError) as info:
        asyncio.run(Clock(0.3, "gs://b/k", "write").bound(hung()))
    assert time.monotonic() - start < 3
    assert cancelled == [True]
    assert info.value.uri == "gs://b/k" and "cannot write" in str(info.value)


def test_a_clock_with_nothing_left_refuses_the_next_call_at_once() -> None:
    clock = Clock(0.05, "s3://b/k")
    with clock.waiting():
        time.sleep(0.1)
    with pytest.raises(IODeadlineError), clock.waiting():
        pytest.fail("the call ran")


# ----------------------------------------------------------------------------- large is not slow


def test_a_steady_read_of_a_large_blob_runs_past_the_deadline_on_what_it_moves(slow_storage: FsspecStorage) -> None:
    """Each byte moved adds 1/MIN_RATE s: 4 MiB in 8 calls of 0.2 s (1.6 s) against a 0.5 s deadline completes."""
    uri = slow_storage.new_uri(".bin")
    slow_storage.write_bytes(uri, b"L" * (4 << 20))
    SlowMemoryFileSystem.delay = 0.2
    ctx = TypeEngine().context(storage=slow_storage.url, io_deadline=0.5)
    start = time.monotonic()
    with ctx.open_read(uri) as f:
        got = b"".join(iter(lambda: f.read(512 << 10), b""))
    assert len(got) == 4 << 20
    assert time.monotonic() - start > 0.5  # it did wait past the deadline, on bytes it was moving


def test_an_awaited_call_that_keeps_moving_bytes_is_not_cut_at_the_deadline() -> None:
    """The S3 session's case: the deadline of a call in progress moves out as its body arrives."""

    async def moving(steps: int, earns: bool) -> int:
        active = deadlines.active()
        assert active is not None
        for _ in range(steps):
            await asyncio.sleep(0.1)
            if earns:
                active.clock.earn(deadlines.MIN_RATE // 5, transport=True)  # 0.2 s earned per 0.1 s step
        return steps

    assert asyncio.run(Clock(0.3, "s3://b/k").bound(moving(8, earns=True))) == 8
    with pytest.raises(IODeadlineError):
        asyncio.run(Clock(0.3, "s3://b/k").bound(moving(8, earns=False)))


def test_a_byte_every_few_calls_earns_next_to_nothing() -> None:
    clock = Clock(1.0, "s3://b/k")
    for _ in range(1000):
        clock.earn(1)
    assert clock.left is not None and clock.left < 1.01
