"""typeflow-numpy: a 100 MB float64 array round trip through local storage against np.save/np.load.

Round trip = to_literal → wire.dumps → wire.loads → to_python_value, with the
blob in a local folder; the baseline saves and loads the same array with
``np.save``/``np.load`` in a folder on the same file system. Two rows: time,
and extra peak memory (tracemalloc; numpy reports its buffers to it). The
memory row's time columns hold MiB.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
from harness import Row, best_of_pair, peak_extra_memory

from typeflow import TypeEngine, wire

MIB = 1 << 20


def _clear(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def run(quick: bool) -> list[Row]:
    """Time and memory rows for the array round trip (10 MB when ``quick``, else 100 MB)."""
    size_mb = 10 if quick else 100
    repeat = 3 if quick else 5
    array = np.random.default_rng(0).random(size_mb * 1_000_000 // 8)
    root = Path(tempfile.mkdtemp(prefix="typeflow-bench-numpy-"))
    storage, raw = root / "storage", root / "raw"
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage))
    engine.get_transformer(np.ndarray)  # load the plugin outside the timed runs
    raw.mkdir()
    raw_path = raw / "array.npy"

    def typeflow_round_trip() -> np.ndarray:
        lv = engine.to_literal(ctx, array, np.ndarray)
        back: np.ndarray = engine.to_python_value(ctx, wire.loads(wire.dumps(lv)), np.ndarray)
        return back

    def raw_round_trip() -> np.ndarray:
        np.save(raw_path, array, allow_pickle=False)
        back: np.ndarray = np.load(raw_path, allow_pickle=False)
        return back

    try:
        assert np.array_equal(typeflow_round_trip(), array)
        assert np.array_equal(raw_round_trip(), array)
        typeflow_s, raw_s = best_of_pair(
            typeflow_round_trip, raw_round_trip, repeat, setup=lambda: _clear(storage), baseline_setup=lambda: _clear(raw)
        )
        _clear(storage)
        typeflow_mem = peak_extra_memory(typeflow_round_trip) / MIB
        _clear(raw)
        raw_mem = peak_extra_memory(raw_round_trip) / MIB
    finally:
        shutil.rmtree(root, ignore_errors=True)
    workload = f"{size_mb} MB float64 array round trip, local storage"
    return [
        Row(f"{workload}: time", typeflow_s, "np.save + np.load, same file system", raw_s, 1.3),
        Row(
            f"{workload}: extra peak memory",
            typeflow_mem,
            "np.save + np.load extra peak memory",
            raw_mem,
            1.5,
            f"array {array.nbytes / MIB:.1f} MiB",
            unit="MiB",
        ),
    ]
