"""typeflow-pandas: DataFrames and pyarrow Tables as parquet structured datasets.

    from typing import Annotated
    import pandas as pd
    from typeflow_pandas import Columns, StructuredDataset

    People = Annotated[pd.DataFrame, Columns(name=str, age=int)]   # declared columns, read as a subset
    sd = typeflow.to_python_value(lv, StructuredDataset)           # a lazy handle: sd.open(pd.DataFrame).all()

The structured-dataset layer (``Columns``, ``Format``, the handle, the codec
tables) lives in :mod:`typeflow.datasets`, shared with every other DataFrame
plugin; the names below are the same objects, re-exported so code written for
typeflow-pandas keeps working.

Importing this package does not import pandas or pyarrow; the plugin module
does, when typeflow first converts a DataFrame.
"""

from __future__ import annotations

from typeflow.datasets import (
    Columns,
    DatasetCodecs,
    Decoder,
    Encoder,
    Format,
    StructuredDataset,
    codecs_for,
    register_decoder,
    register_encoder,
)

__all__ = [
    "Columns",
    "DatasetCodecs",
    "Decoder",
    "Encoder",
    "Format",
    "StructuredDataset",
    "codecs_for",
    "register_decoder",
    "register_encoder",
]
__version__ = "0.1.0"
