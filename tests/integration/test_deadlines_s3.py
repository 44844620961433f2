"""A trickling S3 endpoint cannot hold a read or write past the I/O deadline (typeflow.deadlines).

The endpoint is the real S3 server (moto, 127.0.0.1) behind a TCP proxy that
passes one byte every 4 s: each byte restarts the socket's read timeout (15 s),
so without a total deadline such a read lasts as long as the server likes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from typeflow import TypeEngine, deadlines
from typeflow.errors import IODeadlineError
from typeflow.storage import S3_CONFIG

pytest.importorskip("s3fs", reason='install "typeflow[s3]"')

#: the trickle: one byte every this many seconds (under S3_CONFIG's read timeout, so it never fires)
TRICKLE = 4.0
#: the deadline the tests set; short, so the tests are quick
DEADLINE = 5.0
#: what the deadline may overrun by (the event loop hand-over, the machine's load)
SLACK = 4.0
#: without the deadline these calls would go on for minutes; the tests give up on them after this long
GIVE_UP = DEADLINE + 40


def _run_bounded(call: Callable[[], Any]) -> tuple[BaseException | None, float]:
    """Run ``call`` on a thread; its exception (``None`` if it returned) and how long it took."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    start = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(GIVE_UP)
    elapsed = time.monotonic() - start
    assert outcome, f"the call was still held after {elapsed:.0f} s (deadline {DEADLINE} s)"
    return outcome[0], elapsed


def test_the_trickle_stays_under_the_socket_read_timeout() -> None:
    assert S3_CONFIG["read_timeout"] > TRICKLE  # else the socket timeout, not the deadline, would end the tests


def test_a_read_from_an_endpoint_trickling_a_byte_every_4_s_ends_at_the_deadline(trickling_s3: Any) -> None:
    proxy, url = trickling_s3
    ctx = TypeEngine().context(storage=url, io_deadline=DEADLINE)
    uri = ctx.storage.new_uri(".bin")
    with ctx.open_write(uri) as f:  # at full speed, through the same proxy
        f.write(b"x" * 300_000)
    proxy.trickle(TRICKLE)

    def read() -> None:
        with ctx.open_read(uri) as blob:
            blob.read()

    error, elapsed = _run_bounded(read)
    assert isinstance(error, IODeadlineError), repr(error)
    assert error.uri == uri and error.deadline == DEADLINE
    assert "io_deadline" in str(error) and "TYPEFLOW_IO_DEADLINE" in str(error)
    assert DEADLINE - 0.5 <= elapsed <= DEADLINE + SLACK, elapsed


def test_a_write_to_an_endpoint_taking_a_byte_every_4_s_ends_at_the_deadline(
    trickling_s3: Any, s3_keys: Callable[[str], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy, url = trickling_s3
    monkeypatch.setenv("TYPEFLOW_IO_DEADLINE", f"{DEADLINE:g}s")  # the environment's setting, this time
    ctx = TypeEngine().context(storage=url)
    assert ctx.io_deadline == DEADLINE
    ctx.storage.write_bytes(ctx.storage.new_uri(".bin"), b"warm")  # client and connection made at full speed
    proxy.trickle(TRICKLE, upstream=True)
    uri = ctx.storage.new_uri(".bin")

    def write() -> None:
        with ctx.open_write(uri) as f:
            f.write(b"y" * 200_000)

    error, elapsed = _run_bounded(write)
    assert isinstance(error, IODeadlineError), repr(error)
    assert error.uri == uri and error.deadline == DEADLINE
    assert elapsed <= DEADLINE + SLACK, elapsed
    proxy.trickle(0, upstream=True)
    key = uri.removeprefix("s3://").split("/", 1)[1]
    assert key not in s3_keys(url), "the failed write landed"


def test_a_plugin_conversion_reading_from_a_trickling_endpoint_ends_at_the_deadline(trickling_s3: Any) -> None:
    np = pytest.importorskip("numpy")
    pytest.importorskip("typeflow_numpy")
    proxy, url = trickling_s3
    engine = TypeEngine()
    ctx = engine.context(storage=url, io_deadline=DEADLINE)
    lv = engine.to_literal(ctx, np.arange(50_000, dtype=np.float64), np.ndarray)
    proxy.trickle(TRICKLE)
    error, elapsed = _run_bounded(lambda: engine.to_python_value(ctx, lv, np.ndarray))
    assert isinstance(error, IODeadlineError), repr(error)
    assert error.uri == lv.scalar.blob.uri
    assert elapsed <= DEADLINE + SLACK, elapsed


def test_a_large_blob_from_a_slow_but_steady_endpoint_is_read_past_the_deadline(trickling_s3: Any) -> None:
    """A big blob is not a slow storage: 3 MiB at 1 MiB/s takes ~3 s against a 1.5 s deadline, and completes.

    Every byte moved extends the deadline by 1/MIN_RATE (256 KiB/s) seconds; the
    trickle above earns next to nothing, this read earns 12 s.
    """
    proxy, url = trickling_s3
    ctx = TypeEngine().context(storage=url, io_deadline=1.5)
    uri = ctx.storage.new_uri(".bin")
    payload = bytes(range(256)) * (3 * 4096)
    with ctx.open_write(uri) as f:
        f.write(payload)
    proxy.limit(1 << 20)
    got: list[bytes] = []

    def read() -> None:
        with ctx.open_read(uri) as blob:
            got.append(blob.read())

    error, elapsed = _run_bounded(read)
    assert error is None, repr(error)
    assert got == [payload]
    assert elapsed > 1.5, elapsed  # it did run past the deadline, on the bytes it moved


def test_without_a_setting_the_deadline_is_the_documented_default(trickling_s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TYPEFLOW_IO_DEADLINE", raising=False)
    _, url = trickling_s3
    assert TypeEngine().context(storage=url).io_deadline == deadlines.DEFAULT_IO_DEADLINE == 300
