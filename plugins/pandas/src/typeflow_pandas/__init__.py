"""typeflow-pandas: DataFrames and pyarrow Tables as parquet structured datasets.

    from typing import Annotated
    import pandas as pd
    from typeflow_pandas import Columns, StructuredDataset

    People = Annotated[pd.DataFrame, Columns(name=str, age=int)]   # declared columns, read as a subset
    sd = typeflow.to_python_value(lv, StructuredDataset)           # a lazy handle: sd.open(pd.DataFrame).all()

Importing this package does not import pandas or pyarrow; the plugin module
does, when typeflow first converts a DataFrame.
"""

from __future__ import annotations

from typeflow_pandas.annotations import Columns, Format
from typeflow_pandas.codecs import DatasetCodecs, Decoder, Encoder, codecs_for, register_decoder, register_encoder
from typeflow_pandas.dataset import StructuredDataset

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
