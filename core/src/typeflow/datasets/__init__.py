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
- :class:`DatasetTransformer`: what a plugin registers for each of its frame types;
- :func:`current_read`, :func:`measures_expansion`: the read budget as a parquet
  decoder sees it (:mod:`typeflow.datasets.budget`).

Reading from a literal is bounded: a dataset URI is a file or a folder of files
(flytekit's form; :mod:`~typeflow.datasets.folders`), each opened through the
context's read policy; a parquet file's footer and page headers are checked
(declared columns against its own schema, decoded size against the read
budget) before any decoder runs (:mod:`~typeflow.datasets.reading`).

typeflow-pandas and typeflow-polars register their frame types and parquet
codecs here; neither depends on the other.
"""

from __future__ import annotations

from typeflow.datasets.annotations import DEFAULT_FORMAT, GENERIC_FORMAT, PARQUET, Columns, Format
from typeflow.datasets.budget import DatasetRead, current_read, measures_expansion
from typeflow.datasets.codecs import Combiner, DatasetCodecs, Decoder, Encoder, codecs_for, register_decoder, register_encoder
from typeflow.datasets.columns import is_index_column
from typeflow.datasets.handle import StructuredDataset
from typeflow.datasets.transformer import TRANSFORMER_NAME, DatasetTransformer, StructuredDatasetTransformer

__all__ = [
    "DEFAULT_FORMAT",
    "GENERIC_FORMAT",
    "PARQUET",
    "TRANSFORMER_NAME",
    "Columns",
    "Combiner",
    "DatasetCodecs",
    "DatasetRead",
    "DatasetTransformer",
    "Decoder",
    "Encoder",
    "Format",
    "StructuredDataset",
    "StructuredDatasetTransformer",
    "codecs_for",
    "current_read",
    "is_index_column",
    "measures_expansion",
    "register_decoder",
    "register_encoder",
]
