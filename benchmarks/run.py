"""Run every benchmark module and print one table (``--quick`` for small sizes, ``--write`` to update RESULTS.md).

tox -e bench                 # full sizes
tox -e bench -- --quick      # a fast smoke run
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import platform
import sys
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import Row, machine  # noqa: E402

MODULES = [
    "bench_core",
    "bench_pickle",
    "bench_numpy",
    "bench_pandas",
    "bench_polars",
    "bench_pydantic",
    "bench_packed",
    "bench_files",
    "bench_flytekit",
    "bench_flyte2",
    "bench_flyteidl",
]
LIBRARIES = [
    "typeflow",
    "msgpack",
    "mashumaro",
    "numpy",
    "pandas",
    "pyarrow",
    "cloudpickle",
    "fsspec",
    "s3fs",
    "moto",
    "pluggy",
    "pydantic",
    "polars",
]


def _fmt(value: float, unit: str) -> str:
    return _fmt_time(value) if unit == "s" else f"{value:.1f} {unit}"


def _fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def table(rows: list[Row]) -> str:
    lines = [
        "| workload | typeflow | baseline | baseline time | ratio | target | met | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.workload} | {_fmt(r.typeflow_s, r.unit)} | {r.baseline} | {_fmt(r.baseline_s, r.unit)} | "
            f"{_ratio(r.ratio)} | {_target(r.target)} | {r.met} | {r.note} |"
        )
    return "\n".join(lines)


def _ratio(ratio: float) -> str:
    """Two decimals, or two significant digits below 0.1 (a 900x speed-up is 0.0011x, not 0.00x)."""
    return f"{ratio:.2f}x" if ratio >= 0.1 else f"{ratio:.2g}x"


def _target(target: float | None) -> str:
    if target is None:
        return ""
    if target < 1:  # "at least N x faster"
        return f"≤ {target:.2g}x (≥ {1 / target:.3g}x faster)"
    return f"≤ {target:g}x"


def versions() -> str:
    found = []
    for name in LIBRARIES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--write", action="store_true", help="write the table to benchmarks/RESULTS.md")
    parser.add_argument("--only", nargs="*", default=None, help="module names to run (default: all)")
    args = parser.parse_args()
    rows: list[Row] = []
    for name in args.only or MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            print(f"skipping {name}: {exc}", file=sys.stderr)
            continue
        print(f"running {name} ...", file=sys.stderr)
        rows.extend(module.run(args.quick))
    header = (
        f"Measured {dt.date.today().isoformat()} on {machine()}.\n\n"
        f"Python {platform.python_version()}; {versions()}.\n\n"
        "Times are best of several runs; ratio = typeflow / baseline, measured in the same run.\n"
    )
    output = header + "\n" + table(rows) + "\n"
    print(output)
    if args.write:
        write_results(HERE / "RESULTS.md", output)
    return 0


NOTES = "## Notes"


def write_results(path: Path, table_text: str) -> None:
    """Replace the measured part of RESULTS.md, keeping its hand-written ``## Notes`` section."""
    old = path.read_text() if path.exists() else ""
    notes = old[old.index(NOTES) :] if NOTES in old else ""
    path.write_text("# Benchmark results\n\n" + table_text + ("\n" + notes if notes else ""))


if __name__ == "__main__":
    sys.exit(main())
