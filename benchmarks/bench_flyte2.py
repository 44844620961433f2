"""typeflow vs Flyte 2 (the ``flyte`` package) on the packed workloads, at 100,000 elements, in the same run.

Runs in the typeflow ``bench`` env. The Flyte 2 side runs ``flyte2_side.py`` in a subprocess on
the interpreter of the ``bench-flyte2`` env (``FLYTE2_PYTHON``, default
``<repo>/.tox/bench-flyte2/bin/python``; build it with ``tox -e bench-flyte2``). Flyte 2's
``TypeEngine`` is async; its side awaits every conversion inside one event loop.

typeflow round trip = to_literal → wire.dumps → wire.loads → to_python_value; Flyte 2's =
to_literal → protobuf bytes → from bytes → to_python_value. Target: at least 100x faster.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import workload_data as wd
from bench_flytekit import REPO, again, compare, flytekit_side, typeflow_side
from harness import Row

BASELINE = "Flyte 2"


def flyte2_python() -> Path:
    return Path(os.environ.get("FLYTE2_PYTHON") or REPO / ".tox" / "bench-flyte2" / "bin" / "python")


def run(quick: bool) -> list[Row]:
    python = flyte2_python()
    if not python.exists():
        print(
            f"bench_flyte2: no Flyte 2 interpreter at {python}; run `tox -e bench-flyte2` first (or set FLYTE2_PYTHON)",
            file=sys.stderr,
        )
        return []
    typeflow_times = typeflow_side(quick, list(wd.PACKED_WORKLOADS))
    if not typeflow_times:
        return []
    other = flytekit_side(python, quick, list(typeflow_times), script="flyte2_side.py")
    if other is None:
        return []
    return compare(again(typeflow_times, quick), other, "flyte", BASELINE)
