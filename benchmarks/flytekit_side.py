"""The flytekit side of the benchmarks: run inside the ``bench-flytekit`` env (flytekit 1.16.x, no typeflow).

    tox -e bench-flytekit                                   # builds the env
    .tox/bench-flytekit/bin/python benchmarks/flytekit_side.py [--quick] [--only KEY ...]

Round trip = ``TypeEngine.to_literal(ctx, v, t, TypeEngine.to_literal_type(t))`` → protobuf bytes
(``lv.to_flyte_idl().SerializeToString()``) → ``Literal.from_flyte_idl(...)`` →
``TypeEngine.to_python_value(ctx, lv, t)``; blobs go through local storage in a temp dir.
Every round trip is checked to give back equal data.

Prints one JSON object on stdout: ``{workload_key: seconds, ..., "versions": {...}, "notes": {...}}``
with the keys of ``workload_data.WORKLOADS``. Everything else (flytekit's logging) goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import timeit
import typing
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workload_data as wd  # noqa: E402
from harness import python_import_time  # noqa: E402  (standard library only)

# Timed runs per workload (best of N). flytekit takes about a minute on List[int] and 15 s on the
# pickles, so the slow ones run once.
REPEATS = {
    wd.LIST_INT: 1,
    wd.DICT_STR_FLOAT: 1,
    wd.LIST_REC: 3,
    wd.PICKLE_OBJS: 1,
    wd.NDARRAY: 3,
    wd.DATAFRAME: 3,
    **dict.fromkeys(wd.PACKED_WORKLOADS, 1),  # 100k elements take flytekit from seconds to minutes
}
VERSIONS = ["flytekit", "flyteidl", "protobuf", "mashumaro", "cloudpickle", "numpy", "pandas", "pyarrow", "fsspec"]


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in VERSIONS:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return found


def python_type(key: str) -> Any:
    if key in wd.PACKED:
        return wd.packed_type(key)
    if key == wd.LIST_INT:
        return typing.List[int]
    if key == wd.DICT_STR_FLOAT:
        return typing.Dict[str, float]
    if key == wd.LIST_REC:
        return typing.List[wd.Rec]
    if key == wd.PICKLE_OBJS:
        try:  # where older flytekit kept it
            from flytekit.types.pickle.pickle import BatchSize  # type: ignore[attr-defined]
        except ImportError:  # flytekit 1.16
            from flytekit.core.type_engine import BatchSize
        return typing.Annotated[typing.List[wd.Obj], BatchSize(wd.PICKLE_BATCH)]
    if key == wd.NDARRAY:
        import numpy as np

        return np.ndarray
    if key == wd.DATAFRAME:
        import pandas as pd

        return pd.DataFrame
    raise KeyError(key)


@contextlib.contextmanager
def local_context() -> Iterator[tuple[Any, Path]]:
    """flytekit's current context with a local sandbox and raw output prefix in a fresh temp dir."""
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.data_persistence import FileAccessProvider

    root = Path(tempfile.mkdtemp(prefix="flytekit-bench-"))
    raw = root / "raw"
    raw.mkdir()
    try:
        fa = FileAccessProvider(local_sandbox_dir=str(root / "sandbox"), raw_output_prefix=str(raw))
        builder = FlyteContextManager.current_context().with_file_access(fa)
        with FlyteContextManager.with_context(builder) as ctx:
            yield ctx, raw
    finally:
        shutil.rmtree(root, ignore_errors=True)


def roundtrip(ctx: Any, value: Any, t: Any) -> Any:
    from flyteidl.core import literals_pb2
    from flytekit.core.type_engine import TypeEngine
    from flytekit.models.literals import Literal

    lv = TypeEngine.to_literal(ctx, value, t, TypeEngine.to_literal_type(t))
    data = lv.to_flyte_idl().SerializeToString()
    back = Literal.from_flyte_idl(literals_pb2.Literal.FromString(data))
    return TypeEngine.to_python_value(ctx, back, t)


def best_of_returning(fn: Callable[[], Any], repeat: int, setup: Callable[[], None]) -> tuple[float, Any]:
    """Best wall time of ``fn()`` over ``repeat`` runs, each after an untimed ``setup()``, and the first run's result."""
    best, first = float("inf"), None
    for i in range(repeat):
        setup()
        gc.collect()
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
        if i == 0:
            first = out
        del out
    return best, first


def forget_converted_literals() -> None:
    """Empty flytekit's literal cache, so a timed run converts rather than looks up.

    ``TypeEngine.to_literal`` keys an LRU cache on ``hash(cloudpickle.dumps(value))`` and returns
    the earlier literal for an equal value (same blob URI, nothing written). Computing that key
    stays in every timed run, since flytekit does it on every call.
    """
    from flytekit.core.type_engine import TypeEngine

    cache = getattr(TypeEngine, "_LITERAL_CACHE", None)
    if cache is not None:
        cache.clear()
    elif hasattr(TypeEngine, "_get_literal_cache_key"):  # a cache kept somewhere this does not know
        print(
            "flytekit_side: flytekit caches literals but has no TypeEngine._LITERAL_CACHE to empty; "
            "repeated runs may time cache hits",
            file=sys.stderr,
        )


def count_files(root: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(root))


def measure_value(key: str, quick: bool, notes: dict[str, str]) -> float:
    value = wd.make_value(key, quick)
    t = python_type(key)
    with local_context() as (ctx, raw):
        seconds, back = best_of_returning(lambda: roundtrip(ctx, value, t), REPEATS[key], forget_converted_literals)
        if not wd.same(key, value, back):
            if key not in wd.PACKED:
                raise AssertionError(f"flytekit round trip of {key} did not give back equal data")
            notes[key] = "flytekit did not give back equal data"
        if key == wd.PICKLE_OBJS:
            per_run = count_files(raw) // REPEATS[key]
            notes[key] = f"flytekit wrote {per_run:,} pickle files per round trip of {len(value):,} objects" + (
                f" (BatchSize({wd.PICKLE_BATCH}) not applied to a list of pickles)" if per_run == len(value) else ""
            )
    return seconds


def measure_import(quick: bool) -> float:
    repeat = 3 if quick else 7
    return python_import_time("import flytekit", repeat) - python_import_time("pass", repeat)


def measure_get_transformer(quick: bool) -> float:
    from flytekit.core.type_engine import TypeEngine

    t = typing.List[int]
    TypeEngine.get_transformer(t)
    number = 20_000 if quick else 100_000
    return min(timeit.repeat(lambda: TypeEngine.get_transformer(t), number=number, repeat=5)) / number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="sizes divided by 10, for a smoke run")
    parser.add_argument("--only", nargs="+", choices=wd.WORKLOADS, default=None, help="workload keys to run")
    args = parser.parse_args(argv)
    selected = args.only or list(wd.WORKLOADS)
    result: dict[str, Any] = {}
    notes: dict[str, str] = {}
    # flytekit logs and warns on stdout in places; keep stdout for the JSON line.
    with contextlib.redirect_stdout(sys.stderr):
        for key in wd.WORKLOADS:
            if key not in selected:
                continue
            start = time.perf_counter()
            if key == wd.IMPORT:
                result[key] = measure_import(args.quick)
            elif key == wd.GET_TRANSFORMER:
                result[key] = measure_get_transformer(args.quick)
            else:
                result[key] = measure_value(key, args.quick, notes)
            print(
                f"flytekit {key}: {result[key]:.6g} s (measured in {time.perf_counter() - start:.1f} s)",
                file=sys.stderr,
            )
    result["versions"] = versions()
    result["quick"] = args.quick
    if notes:
        result["notes"] = notes
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
