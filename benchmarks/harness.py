"""Shared timing and memory helpers for the benchmark modules.

Every ``benchmarks/bench_*.py`` defines ``run(quick: bool) -> list[Row]``;
``benchmarks/run.py`` runs them all and prints one table. Ratios are always
typeflow time over the raw library's time on the same data, in the same run.
"""

from __future__ import annotations

import gc
import os
import platform
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Row:
    """One line of the results table."""

    workload: str
    typeflow_s: float
    baseline: str  # what was compared against, e.g. "msgpack packb+unpackb"
    baseline_s: float
    target: float | None = None  # the ratio to stay within (typeflow/baseline), if any
    note: str = ""
    unit: str = "s"  # "s" for times; "MiB" for memory rows

    @property
    def ratio(self) -> float:
        return self.typeflow_s / self.baseline_s if self.baseline_s else float("inf")

    @property
    def met(self) -> str:
        if self.target is None:
            return ""
        return "yes" if self.ratio <= self.target else "NO"


def best_of(fn: Callable[[], Any], repeat: int = 5, setup: Callable[[], Any] | None = None) -> float:
    """Best wall time of ``fn()`` over ``repeat`` runs (``setup`` runs untimed before each)."""
    best = float("inf")
    for _ in range(repeat):
        if setup is not None:
            setup()
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def best_of_pair(
    fn: Callable[[], Any],
    baseline: Callable[[], Any],
    repeat: int = 5,
    setup: Callable[[], Any] | None = None,
    baseline_setup: Callable[[], Any] | None = None,
) -> tuple[float, float]:
    """Best wall times of ``fn()`` and ``baseline()``, run alternately ``repeat`` times each.

    Alternating puts both sides through the same stretch of a shared, noisy
    machine, so a slow spell cannot land on one side of a ratio only.
    """
    best_fn = best_base = float("inf")
    for _ in range(repeat):
        best_fn = min(best_fn, best_of(fn, 1, setup))
        best_base = min(best_base, best_of(baseline, 1, baseline_setup))
    return best_fn, best_base


def peak_extra_memory(fn: Callable[[], Any]) -> int:
    """Peak bytes allocated while ``fn()`` runs, above what was allocated before (tracemalloc).

    numpy and pyarrow report their buffers to tracemalloc, so array memory counts.
    """
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base


def python_import_time(statement: str, repeat: int = 7) -> float:
    """Best wall time of ``python -c statement`` in a fresh interpreter (seconds)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        best = min(best, time.perf_counter() - start)
    return best


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"


_lock = threading.Lock()
