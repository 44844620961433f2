"""Running a transfer's file jobs at most ``limit`` at a time: on a thread pool, or on an async file system's loop.

Both stop starting jobs after the first failure, wait for the ones in flight,
and raise that first failure.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["run_async", "run_threads"]


def run_threads(jobs: Sequence[Callable[[], None]], limit: int) -> None:
    if len(jobs) <= 1 or limit <= 1:
        for job in jobs:
            job()
        return
    failed = threading.Event()
    errors: list[BaseException] = []

    def guarded(job: Callable[[], None]) -> None:
        if failed.is_set():
            return
        try:
            job()
        except BaseException as exc:
            errors.append(exc)
            failed.set()

    with ThreadPoolExecutor(max_workers=min(limit, len(jobs)), thread_name_prefix="typeflow-transfer") as pool:
        for job in jobs:
            pool.submit(contextvars.copy_context().run, guarded, job)
    if errors:
        raise errors[0]


def run_async(fs: Any, jobs: Sequence[Callable[[], Awaitable[None]]], limit: int) -> None:
    import asyncio

    from fsspec.asyn import sync

    async def main() -> None:
        gate = asyncio.Semaphore(max(limit, 1))
        errors: list[BaseException] = []

        async def guarded(job: Callable[[], Awaitable[None]]) -> None:
            async with gate:
                if errors:
                    return
                try:
                    await job()
                except BaseException as exc:
                    errors.append(exc)

        await asyncio.gather(*(guarded(job) for job in jobs))
        if errors:
            raise errors[0]

    sync(fs.loop, main)
