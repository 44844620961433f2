"""typeflow vs flytekit 1.16 on the same workloads and data, measured in the same run.

Runs in the typeflow ``bench`` env. The flytekit side runs ``flytekit_side.py`` in a subprocess on
the interpreter of the ``bench-flytekit`` env (``FLYTEKIT_PYTHON``, default
``<repo>/.tox/bench-flytekit/bin/python``; build it with ``tox -e bench-flytekit``).

typeflow round trip = to_literal → wire.dumps → wire.loads → to_python_value, blobs in a temp dir.
Ratios are typeflow time / flytekit time; targets are those of the benchmark issue.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path
from typing import Annotated, Any

import workload_data as wd
from harness import Row, best_of, python_import_time

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BASELINE = "flytekit 1.16"

# typeflow/flytekit ratio to stay within: "at least 100x faster" → 0.01, "faster" → 1.0.
TARGETS = {
    wd.LIST_INT: 0.01,
    wd.DICT_STR_FLOAT: 1 / 30,
    wd.LIST_REC: 0.2,
    wd.PICKLE_OBJS: 0.1,
    wd.NDARRAY: 1.0,
    wd.DATAFRAME: 1.0,
    wd.IMPORT: 0.04,
    wd.GET_TRANSFORMER: 1 / 7,
    **dict.fromkeys(wd.PACKED_WORKLOADS, 0.01),  # the packed-forms issue: at least 100x faster at 100k elements
}
# Plugins (and the libraries they convert) that a workload needs on the typeflow side.
NEEDS = {
    wd.PICKLE_OBJS: ("typeflow_pickle",),
    wd.NDARRAY: ("numpy", "typeflow_numpy"),
    wd.DATAFRAME: ("pandas", "typeflow_pandas"),
}
REPEATS = {
    wd.LIST_INT: 5,
    wd.DICT_STR_FLOAT: 5,
    wd.LIST_REC: 5,
    wd.PICKLE_OBJS: 3,
    wd.NDARRAY: 3,
    wd.DATAFRAME: 3,
    **dict.fromkeys(wd.PACKED_WORKLOADS, 5),
}


def flytekit_python() -> Path:
    return Path(os.environ.get("FLYTEKIT_PYTHON") or REPO / ".tox" / "bench-flytekit" / "bin" / "python")


def _missing(key: str) -> str | None:
    """The first module a workload needs that does not import, or None."""
    for name in NEEDS.get(key, ()):
        try:
            importlib.import_module(name)
        except ImportError:
            return name
    return None


def _python_type(key: str) -> Any:
    if key in wd.PACKED:
        return wd.packed_type(key)
    if key == wd.LIST_INT:
        return list[int]
    if key == wd.DICT_STR_FLOAT:
        return dict[str, float]
    if key == wd.LIST_REC:
        return list[wd.Rec]
    if key == wd.PICKLE_OBJS:
        from typeflow_pickle import BatchSize

        return Annotated[list[wd.Obj], BatchSize(wd.PICKLE_BATCH)]
    if key == wd.NDARRAY:
        import numpy as np

        return np.ndarray
    if key == wd.DATAFRAME:
        import pandas as pd

        return pd.DataFrame
    raise KeyError(key)


def _roundtrip(engine: Any, ctx: Any, value: Any, t: Any) -> Any:
    from typeflow import wire

    lv = engine.to_literal(ctx, value, t)
    return engine.to_python_value(ctx, wire.loads(wire.dumps(lv)), t)


def _typeflow_value(engine: Any, key: str, quick: bool) -> float:
    value = wd.make_value(key, quick)
    t = _python_type(key)
    root = tempfile.mkdtemp(prefix="typeflow-bench-")
    try:
        ctx = engine.context(storage=root)
        if not wd.same(key, value, _roundtrip(engine, ctx, value, t)):
            raise AssertionError(f"typeflow round trip of {key} did not give back equal data")
        return best_of(lambda: _roundtrip(engine, ctx, value, t), REPEATS[key])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _typeflow_import(quick: bool) -> float:
    repeat = 3 if quick else 7
    return python_import_time("import typeflow", repeat) - python_import_time("pass", repeat)


def _typeflow_get_transformer(engine: Any, quick: bool) -> float:
    t = list[int]
    engine.get_transformer(t)
    number = 100_000 if quick else 1_000_000
    return min(timeit.repeat(lambda: engine.get_transformer(t), number=number, repeat=5)) / number


def typeflow_side(quick: bool, keys: list[str]) -> dict[str, float]:
    """typeflow's seconds per workload; workloads whose plugin is missing or fails are skipped with a note."""
    from typeflow import TypeEngine

    engine = TypeEngine()
    times: dict[str, float] = {}
    for key in keys:
        missing = _missing(key)
        if missing is not None:
            print(f"bench_flytekit: skipping {key}: {missing} is not importable", file=sys.stderr)
            continue
        try:
            if key == wd.IMPORT:
                times[key] = _typeflow_import(quick)
            elif key == wd.GET_TRANSFORMER:
                times[key] = _typeflow_get_transformer(engine, quick)
            else:
                times[key] = _typeflow_value(engine, key, quick)
        except Exception as exc:  # an incomplete plugin should not sink the other workloads
            print(f"bench_flytekit: skipping {key}: typeflow failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    return times


def flytekit_side(python: Path, quick: bool, keys: list[str], script: str = "flytekit_side.py") -> dict[str, Any] | None:
    """Run ``script`` (flytekit_side.py) on ``python``; its JSON result, or None (with a note) if it failed."""
    cmd = [str(python), str(HERE / script), *(["--quick"] if quick else []), "--only", *keys]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        print(f"bench_flytekit: the flytekit side failed (exit {proc.returncode}): {' '.join(cmd)}", file=sys.stderr)
        return None
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def run(quick: bool) -> list[Row]:
    python = flytekit_python()
    if not python.exists():
        print(
            f"bench_flytekit: no flytekit interpreter at {python}; run `tox -e bench-flytekit` first "
            "(or set FLYTEKIT_PYTHON) to compare against flytekit",
            file=sys.stderr,
        )
        return []
    typeflow_times = typeflow_side(quick, list(wd.WORKLOADS))
    if not typeflow_times:
        return []
    flytekit = flytekit_side(python, quick, list(typeflow_times))
    if flytekit is None:
        return []
    return compare(again(typeflow_times, quick), flytekit, "flytekit", BASELINE)


def again(typeflow_times: dict[str, float], quick: bool) -> dict[str, float]:
    """typeflow's times measured once more after the other side ran, keeping the better of the two.

    The other side takes minutes; timing typeflow before and after it puts typeflow's runs on
    both sides of that stretch of a shared machine, as the raw-codec rows alternate run by run.
    """
    later = typeflow_side(quick, list(typeflow_times))
    return {key: min(seconds, later.get(key, seconds)) for key, seconds in typeflow_times.items()}


def compare(typeflow_times: dict[str, float], other: dict[str, Any], name: str, baseline: str) -> list[Row]:
    """Rows of typeflow's time against ``other``'s (the JSON a side script printed)."""
    version = other.get("versions", {}).get(name, "?")
    notes = other.get("notes", {})
    rows = []
    for key, typeflow_s in typeflow_times.items():
        if key not in other:
            print(f"bench: the {name} side gave no time for {key}", file=sys.stderr)
            continue
        flytekit_s = float(other[key])
        speedup = flytekit_s / typeflow_s if typeflow_s else float("inf")
        faster = f"typeflow {speedup:,.1f}x faster" if speedup >= 1 else f"{name} {1 / speedup:,.1f}x faster"
        note = f"{faster}; {name} {version}"
        if key == wd.IMPORT:
            note += f"; typeflow {typeflow_s * 1e3:.1f} ms, flytekit {flytekit_s * 1e3:.0f} ms"
        elif key == wd.GET_TRANSFORMER:
            note += f"; typeflow {typeflow_s * 1e9:.0f} ns, flytekit {flytekit_s * 1e9:.0f} ns"
        if key in notes:
            note += f"; {notes[key]}"
        rows.append(Row(wd.describe(key, bool(other.get("quick"))), typeflow_s, baseline, flytekit_s, TARGETS[key], note))
    return rows
