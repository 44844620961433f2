"""``StructuredDataset``: a handle on a dataset literal, opened lazily (as flytekit's).

    sd = typeflow.to_python_value(lv, StructuredDataset)   # reads nothing yet
    frame = sd.open(pd.DataFrame).all()                       # now reads (only the declared columns)
    table = sd.open(pyarrow.Table).all()

A handle made from a value, ``StructuredDataset(dataframe=df)``, is written
when it crosses a boundary, like a DataFrame; a handle on stored data passes
through by reference, without a copy.
"""

from __future__ import annotations

from typing import Any

from typeflow.literals import StructuredDatasetMetadata

__all__ = ["StructuredDataset"]


class StructuredDataset:
    """A dataset by value (``dataframe=``) or by reference (``uri=``), read only on :meth:`all`.

    ``columns`` limits what :meth:`all` reads; ``metadata`` is the literal's
    (format and column types); ``engine`` is whose codecs read it (the
    default engine when not given); ``context`` is whose read policy (storage,
    read roots) :meth:`all` reads under (a handle read from a literal keeps the
    context it was read with; otherwise the engine's default context).
    """

    def __init__(
        self,
        dataframe: Any = None,
        uri: str | None = None,
        metadata: StructuredDatasetMetadata | None = None,
        file_format: str = "parquet",
        columns: list[str] | None = None,
        engine: Any = None,
        context: Any = None,
    ) -> None:
        if dataframe is None and uri is None:
            raise ValueError("StructuredDataset needs a dataframe= or a uri=")
        self._dataframe = dataframe
        self.uri = uri
        self.metadata = metadata
        self.file_format = (
            metadata.structured_dataset_type.format
            if metadata is not None and metadata.structured_dataset_type.format
            else file_format
        )
        self.columns = columns
        self._engine = engine if engine is not None or context is None else context.engine
        self._context = context
        self._open_as: Any = None

    @property
    def dataframe(self) -> Any:
        """The in-memory value this handle was made from (``None`` for a handle on stored data)."""
        return self._dataframe

    def open(self, python_type: Any) -> StructuredDataset:
        """Choose what :meth:`all` returns: ``pd.DataFrame``, ``pyarrow.Table`` or any type with a decoder."""
        self._open_as = python_type
        return self

    def all(self) -> Any:
        """Read the dataset (only ``columns`` when set) as the type given to :meth:`open`.

        Errors: :class:`~typeflow.errors.StorageError` naming the URI for a missing
        or corrupt blob; :class:`~typeflow.errors.TypeTransformerFailedError` when
        no decoder reads the format as that type.
        """
        if self._dataframe is not None and (self._open_as is None or isinstance(self._dataframe, self._open_as)):
            return self._dataframe
        if self._open_as is None:
            raise ValueError("call .open(pd.DataFrame) (or pyarrow.Table) before .all()")
        if self.uri is None:
            raise ValueError(f"this handle holds a {type(self._dataframe).__qualname__}, not a {self._open_as!r}")
        from typeflow_pandas.codecs import codecs_for
        from typeflow_pandas.transformer import read_dataset

        engine = self._engine
        if engine is None:
            from typeflow import TypeEngine

            engine = TypeEngine.default()
        engine.get_transformer(StructuredDataset)  # loads this plugin, and so the codecs, on that engine
        ctx = self._context if self._context is not None else engine.context()
        return read_dataset(ctx, codecs_for(engine), self.uri, self._open_as, self.file_format, self.columns)

    def __repr__(self) -> str:
        where = f"uri={self.uri!r}" if self.uri else f"in memory: {type(self._dataframe).__qualname__}"
        columns = f", columns={self.columns!r}" if self.columns else ""
        return f"StructuredDataset({where}, format={self.file_format!r}{columns})"
