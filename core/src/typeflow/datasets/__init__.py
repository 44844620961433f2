"""Structured datasets: the part every DataFrame plugin shares (no pandas, polars or pyarrow here).

    from typing import Annotated
    from typeflow.datasets import Columns, Format, StructuredDataset

    People = Annotated[pd.DataFrame, Columns(name=str, age=int)]   # declared columns, read as a subset
    sd = typeflow.to_python_value(lv, StructuredDataset)           # a lazy handle
    sd.open(pd.DataFrame).all()                                     # or sd.open(pl.DataFrame).all()

- :class:`Columns`, :class:`Format`: ``Annotated`` metadata of frame types;
- :class:`StructuredDataset`: the lazy handle (its transformer is built in);
- :mod:`~typeflow.datasets.codecs`: encoders and decoders by (Python type, format),
  one table per engine, shared by every plugin, so a frame written by one plugin
  reads as another's type;
- :class:`DatasetTransformer`: what a plugin registers for each of its frame types.

typeflow-pandas and typeflow-polars register their frame types and parquet
codecs here; neither depends on the other.
"""

from __future__ import annotations

from typeflow.datasets.annotations import DEFAULT_FORMAT, GENERIC_FORMAT, PARQUET, Columns, Format
from typeflow.datasets.codecs import DatasetCodecs, Decoder, Encoder, codecs_for, register_decoder, register_encoder
from typeflow.datasets.columns import is_index_column
from typeflow.datasets.handle import StructuredDataset
from typeflow.datasets.transformer import TRANSFORMER_NAME, DatasetTransformer, StructuredDatasetTransformer

__all__ = [
    "DEFAULT_FORMAT",
    "GENERIC_FORMAT",
    "PARQUET",
    "TRANSFORMER_NAME",
    "Columns",
    "DatasetCodecs",
    "DatasetTransformer",
    "Decoder",
    "Encoder",
    "Format",
    "StructuredDataset",
    "StructuredDatasetTransformer",
    "codecs_for",
    "is_index_column",
    "register_decoder",
    "register_encoder",
]
