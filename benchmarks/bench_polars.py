"""1,000,000 x 10 polars DataFrame round trip through local storage vs df.write_parquet + pl.read_parquet.

The same data as the pandas workload (``workload_data.dataframe_columns``).
Further rows: the same frame read back as a ``LazyFrame`` and collected
(against ``pl.scan_parquet(...).collect()``), and a declared subset of two of
the ten columns (against ``pl.read_parquet(columns=...)``), both on one file.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from harness import Row, best_of_pair
from workload_data import DATAFRAME, make_polars_frame, sizes


def run(quick: bool) -> list[Row]:
    import polars as pl
    from polars.testing import assert_frame_equal

    from typeflow import TypeEngine, wire
    from typeflow_polars import Columns

    rows = sizes(quick)[DATAFRAME]
    frame = make_polars_frame(rows)
    root = Path(tempfile.mkdtemp(prefix="typeflow-bench-polars-"))
    try:
        engine = TypeEngine()
        ctx = engine.context(storage=str(root / "typeflow"))

        def typeflow_round_trip() -> object:
            lv = engine.to_literal(ctx, frame, pl.DataFrame)
            return engine.to_python_value(ctx, wire.loads(wire.dumps(lv)), pl.DataFrame)

        raw_path = root / "raw.parquet"

        def raw_round_trip() -> object:
            frame.write_parquet(raw_path)
            return pl.read_parquet(raw_path)

        assert_frame_equal(typeflow_round_trip(), frame)  # type: ignore[arg-type]
        typeflow_s, raw_s = best_of_pair(typeflow_round_trip, raw_round_trip)

        stored = engine.to_literal(ctx, frame, pl.DataFrame)

        def typeflow_lazy() -> object:
            return engine.to_python_value(ctx, stored, pl.LazyFrame).collect()

        def raw_lazy() -> object:
            return pl.scan_parquet(raw_path).collect()

        assert_frame_equal(typeflow_lazy(), frame)  # type: ignore[arg-type]
        lazy_s, raw_lazy_s = best_of_pair(typeflow_lazy, raw_lazy)

        subset = Annotated[pl.DataFrame, Columns(f0=float, s0=str)]

        def typeflow_subset() -> object:
            return engine.to_python_value(ctx, stored, subset)

        def raw_subset() -> object:
            return pl.read_parquet(raw_path, columns=["f0", "s0"])

        assert_frame_equal(typeflow_subset(), raw_subset())  # type: ignore[arg-type]
        subset_s, raw_subset_s = best_of_pair(typeflow_subset, raw_subset)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    shape = f"{rows:,} x {frame.width}"
    return [
        Row(f"polars DataFrame {shape} round trip, local storage", typeflow_s, "df.write_parquet + pl.read_parquet", raw_s, 1.3),
        Row(f"polars DataFrame {shape}: read as LazyFrame and collect", lazy_s, "pl.scan_parquet(...).collect()", raw_lazy_s),
        Row(f"polars DataFrame {shape}: read 2 declared columns", subset_s, "pl.read_parquet(columns=[...])", raw_subset_s),
    ]
