"""``StructuredDataset``: a handle on a dataset literal, opened lazily.

    sd = typeflow.to_python_value(lv, StructuredDataset)   # reads nothing yet
    frame = sd.open(pd.DataFrame).all()                       # now reads (only the declared columns)
    table = sd.open(pyarrow.Table).all()

A handle made from a value, ``StructuredDataset(dataframe=df)``, is written
when it crosses a boundary, like a DataFrame.
"""

from __future__ import annotations

from typing import Any

from typeflow.literals import StructuredDatasetMetadata

__all__ = ["StructuredDataset"]


class StructuredDataset:
    """A dataset by value (``dataframe=``) or by reference (``uri=``), read on :meth:`all`."""

    def __init__(
        self,
        dataframe: Any = None,
        uri: str | None = None,
        metadata: StructuredDatasetMetadata | None = None,
        file_format: str = "parquet",
        columns: list[str] | None = None,
    ) -> None:
        if dataframe is None and uri is None:
            raise ValueError("StructuredDataset needs a dataframe= or a uri=")
        self._dataframe = dataframe
        self.uri = uri
        self.metadata = metadata
        self.file_format = metadata.structured_dataset_type.format if metadata is not None else file_format
        self.columns = columns
        self._open_as: Any = None

    @property
    def dataframe(self) -> Any:
        """The in-memory value this handle was made from (``None`` for a handle on stored data)."""
        return self._dataframe

    def open(self, python_type: Any) -> StructuredDataset:
        """Choose what :meth:`all` returns: ``pd.DataFrame`` or ``pyarrow.Table`` (or any registered type)."""
        self._open_as = python_type
        return self

    def all(self) -> Any:
        """Read the whole dataset (only ``columns`` when declared) as the type given to :meth:`open`."""
        from typeflow_pandas.transformer import read_dataset

        if self._dataframe is not None and (self._open_as is None or isinstance(self._dataframe, self._open_as)):
            return self._dataframe
        if self._open_as is None:
            raise ValueError("call .open(pd.DataFrame) (or another type) before .all()")
        assert self.uri is not None
        return read_dataset(self.uri, self._open_as, self.file_format, self.columns)

    def __repr__(self) -> str:
        where = f"uri={self.uri!r}" if self.uri else "in memory"
        return f"StructuredDataset({where}, format={self.file_format!r})"
