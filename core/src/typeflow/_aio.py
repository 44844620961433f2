"""Run a coroutine to completion from synchronous code, even inside a running loop."""

from __future__ import annotations

import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def _running_loop() -> Any:
    import asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` and return its result.

    With no event loop running in this thread, a fresh loop runs it here. Inside
    a running loop (a sync API called from async code) blocking that loop would
    deadlock anything the coroutine awaits on it, so the coroutine runs on a
    worker thread with its own loop while this thread waits.
    """
    import asyncio

    if _running_loop() is None:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def worker() -> None:
        try:
            box["result"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=worker, name="typeflow-sync-bridge", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]  # type: ignore[no-any-return]
