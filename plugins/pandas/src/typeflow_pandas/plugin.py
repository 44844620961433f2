"""typeflow-pandas hook implementations."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

from typeflow import hookimpl
from typeflow_pandas.codecs import register_parquet
from typeflow_pandas.transformer import DatasetTransformer, StructuredDatasetTransformer


@hookimpl
def typeflow_register_transformers(registry: Any) -> None:
    register_parquet()
    frames = {
        pd.DataFrame: DatasetTransformer("pandas.DataFrame", pd.DataFrame),
        pa.Table: DatasetTransformer("pyarrow.Table", pa.Table),
    }
    for transformer in frames.values():
        registry.register(transformer)
    registry.register(StructuredDatasetTransformer(frames))
