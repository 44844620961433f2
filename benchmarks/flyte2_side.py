"""The Flyte 2 side of the benchmarks: run inside the ``bench-flyte2`` env (the ``flyte`` package, 2.x, no typeflow).

    tox -e bench-flyte2                                   # builds the env
    .tox/bench-flyte2/bin/python benchmarks/flyte2_side.py [--quick] [--only KEY ...]

Round trip = ``await flyte.types.TypeEngine.to_literal(v, t, TypeEngine.to_literal_type(t))`` →
protobuf bytes (``lv.SerializeToString()``) → ``Literal.FromString(...)`` →
``await TypeEngine.to_python_value(lv, t)``, all inside one running event loop (Flyte 2's
TypeEngine is async). Every round trip is checked to give back equal data.

Prints one JSON object on stdout: ``{workload_key: seconds, ..., "versions": {...}, "notes": {...}}``.
Only the packed workloads (``workload_data.PACKED_WORKLOADS``, at ``COMPARE_SIZE`` elements) are measured.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import platform
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workload_data as wd  # noqa: E402

VERSIONS = ["flyte", "flyteidl2", "protobuf", "mashumaro", "pydantic"]
#: Flyte 2 takes from 15 s to several minutes per 100k-element round trip: one timed run each
REPEATS = 1


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in VERSIONS:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return found


async def roundtrip(value: Any, t: Any) -> Any:
    from flyte.types import TypeEngine

    lv = await TypeEngine.to_literal(value, t, TypeEngine.to_literal_type(t))
    data = lv.SerializeToString()
    back = type(lv).FromString(data)
    return await TypeEngine.to_python_value(back, t)


async def measure(key: str, quick: bool) -> tuple[float, bool]:
    """Best wall time of the round trip, and whether it gave back equal data."""
    value = wd.make_value(key, quick)
    t = wd.packed_type(key)
    best, equal = float("inf"), True
    for _ in range(REPEATS):
        gc.collect()
        start = time.perf_counter()
        out = await roundtrip(value, t)
        best = min(best, time.perf_counter() - start)
        equal = equal and wd.same(key, value, out)
        del out
    return best, equal


async def main_async(selected: list[str], quick: bool) -> dict[str, Any]:
    result: dict[str, Any] = {}
    notes: dict[str, str] = {}
    # warm up: the first conversion of a type builds Flyte 2's transformer caches
    for key in selected:
        await roundtrip(wd.packed_value(key, 10), wd.packed_type(key))
    for key in selected:
        start = time.perf_counter()
        seconds, equal = await measure(key, quick)
        result[key] = seconds
        if not equal:
            notes[key] = "Flyte 2 did not give back equal data"
        print(f"flyte2 {key}: {seconds:.6g} s (measured in {time.perf_counter() - start:.1f} s)", file=sys.stderr)
    if notes:
        result["notes"] = notes
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="sizes divided by 10, for a smoke run")
    parser.add_argument("--only", nargs="+", choices=wd.PACKED_WORKLOADS, default=None, help="workload keys to run")
    args = parser.parse_args(argv)
    selected = args.only or list(wd.PACKED_WORKLOADS)
    with contextlib.redirect_stdout(sys.stderr):  # keep stdout for the JSON line
        result = asyncio.run(main_async(selected, args.quick))
    result["versions"] = versions()
    result["quick"] = args.quick
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
