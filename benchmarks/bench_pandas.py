"""1,000,000 x 10 DataFrame round trip through local storage vs df.to_parquet + pd.read_parquet.

A second row reads a declared subset (two of the ten columns) against
``pd.read_parquet(columns=...)`` on the same file.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from harness import Row, best_of_pair
from workload_data import DATAFRAME, make_dataframe, sizes


def run(quick: bool) -> list[Row]:
    import pandas as pd

    from typeflow import TypeEngine, wire
    from typeflow_pandas import Columns

    rows = sizes(quick)[DATAFRAME]
    frame = make_dataframe(rows)
    root = Path(tempfile.mkdtemp(prefix="typeflow-bench-pandas-"))
    try:
        engine = TypeEngine()
        ctx = engine.context(storage=str(root / "typeflow"))

        def typeflow_round_trip() -> object:
            lv = engine.to_literal(ctx, frame, pd.DataFrame)
            return engine.to_python_value(ctx, wire.loads(wire.dumps(lv)), pd.DataFrame)

        raw_path = root / "raw.parquet"

        def raw_round_trip() -> object:
            frame.to_parquet(raw_path)
            return pd.read_parquet(raw_path)

        pd.testing.assert_frame_equal(typeflow_round_trip(), frame)  # type: ignore[arg-type]
        typeflow_s, raw_s = best_of_pair(typeflow_round_trip, raw_round_trip)

        stored = engine.to_literal(ctx, frame, pd.DataFrame)
        subset = Annotated[pd.DataFrame, Columns(f0=float, s0=str)]

        def typeflow_subset() -> object:
            return engine.to_python_value(ctx, stored, subset)

        def raw_subset() -> object:
            return pd.read_parquet(raw_path, columns=["f0", "s0"])

        pd.testing.assert_frame_equal(typeflow_subset(), raw_subset())  # type: ignore[arg-type]
        subset_s, raw_subset_s = best_of_pair(typeflow_subset, raw_subset)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return [
        Row(
            f"DataFrame {rows:,} x {frame.shape[1]} round trip, local storage",
            typeflow_s,
            "df.to_parquet + pd.read_parquet",
            raw_s,
            1.3,
        ),
        Row(
            f"DataFrame {rows:,} x {frame.shape[1]}: read 2 declared columns",
            subset_s,
            "pd.read_parquet(columns=[...])",
            raw_subset_s,
        ),
    ]
