"""``StructuredDataset``: a handle on a dataset, opened lazily as any frame type (as flytekit's).

    sd = typeflow.to_python_value(lv, StructuredDataset)   # reads nothing yet
    frame = sd.open(pd.DataFrame).all()                       # now reads (only the declared columns)
    lazy = sd.open(pl.LazyFrame).all()                        # or another plugin's type, from the same file

A handle made from a value, ``StructuredDataset(dataframe=df)``, is written
when it crosses a boundary, like the frame itself; a handle on stored data
(``StructuredDataset(uri=...)``, or one read from a literal) passes through
by reference, without a copy.
"""

from __future__ import annotations

from typing import Any

from typeflow.datasets.annotations import GENERIC_FORMAT
from typeflow.literals import DatasetColumn, StructuredDatasetMetadata
from typeflow.literals import StructuredDataset as DatasetLiteral

__all__ = ["StructuredDataset"]


class StructuredDataset:
    """A dataset by value (``dataframe=``) or by reference (``uri=``), read only on :meth:`all`.

    ``file_format`` is the stored format (``""``: not said; the declared type's
    format, or parquet, applies); ``columns`` limits what :meth:`all` reads;
    ``metadata`` is the dataset's type (format and columns: for a handle read
    from a literal, the declared columns, or the stored ones when none are
    declared); ``engine`` is whose codecs read it (the default engine when not
    given); ``context`` is whose read policy (storage, read roots) :meth:`all`
    reads under (a handle read from a literal keeps the context it was read
    with; otherwise the engine's default context).

    Handles compare equal when they hold the same thing: the same stored
    dataset (URI, format, columns, metadata), or equal frames. They pickle
    without their engine and context (the unpickled handle reads through the
    default engine's context).
    """

    __hash__ = None  # type: ignore[assignment]  # mutable (open() changes what all() returns), compared by content

    def __init__(
        self,
        dataframe: Any = None,
        uri: str | None = None,
        metadata: StructuredDatasetMetadata | None = None,
        file_format: str = GENERIC_FORMAT,
        columns: list[str] | None = None,
        engine: Any = None,
        context: Any = None,
    ) -> None:
        if dataframe is None and uri is None:
            raise ValueError("StructuredDataset needs a dataframe= or a uri=")
        self._dataframe = dataframe
        self.uri = uri
        self.metadata = metadata
        recorded = metadata.structured_dataset_type.format if metadata is not None else GENERIC_FORMAT
        self.file_format = recorded or file_format
        self.columns = list(columns) if columns is not None else None
        self._engine = engine if engine is not None or context is None else context.engine
        self._context = context
        self._open_as: Any = None
        self._literal: DatasetLiteral | None = None

    @property
    def dataframe(self) -> Any:
        """The in-memory value this handle was made from (``None`` for a handle on stored data)."""
        return self._dataframe

    @property
    def literal(self) -> DatasetLiteral | None:
        """The dataset literal this handle was read from (``None`` for a handle made in Python)."""
        return self._literal

    def open(self, python_type: Any) -> StructuredDataset:
        """Choose what :meth:`all` returns: ``pd.DataFrame``, ``pl.LazyFrame``, or any type with a decoder."""
        self._open_as = python_type
        return self

    def all(self) -> Any:
        """Read the dataset (only ``columns`` when set) as the type given to :meth:`open`.

        The plugin of that type is loaded first (so ``sd.open(pl.DataFrame)``
        works on an engine that has not seen a polars frame yet).

        Errors: :class:`~typeflow.errors.StorageError` naming the URI for a missing
        or corrupt blob; :class:`~typeflow.errors.TypeTransformerFailedError` when
        no decoder reads the format as that type.
        """
        if self._dataframe is not None and (self._open_as is None or isinstance(self._dataframe, self._open_as)):
            return self._dataframe
        if self._open_as is None:
            raise ValueError("call .open(pd.DataFrame) (or another frame type, such as pl.DataFrame) before .all()")
        if self.uri is None:
            raise ValueError(f"this handle holds a {type(self._dataframe).__qualname__}, not a {self._open_as!r}")
        from typeflow.datasets.codecs import codecs_for
        from typeflow.datasets.reading import read_dataset

        engine = self._engine
        if engine is None:
            from typeflow.engine import TypeEngine

            engine = TypeEngine.default()
        reader = _reader_type(engine, self._open_as)
        ctx = self._context if self._context is not None else engine.context()
        return read_dataset(ctx, codecs_for(engine), self.uri, reader, self.file_format, self.columns, self._declared())

    def _declared(self) -> list[DatasetColumn]:
        """The columns :meth:`all` reads, with their types as this handle's metadata records them."""
        if self.columns is None or self.metadata is None:
            return []
        wanted = set(self.columns)
        return [c for c in self.metadata.structured_dataset_type.columns if c.name in wanted]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StructuredDataset):
            return NotImplemented
        mine = (self.uri, self.file_format, self.columns, self.metadata)
        theirs = (other.uri, other.file_format, other.columns, other.metadata)
        return mine == theirs and _same_frame(self._dataframe, other._dataframe)

    def __getstate__(self) -> dict[str, Any]:
        # an engine holds locks and a plugin manager, a context its engine: they belong to one process
        return {**self.__dict__, "_engine": None, "_context": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        where = f"uri={self.uri!r}" if self.uri else f"in memory: {type(self._dataframe).__qualname__}"
        columns = f", columns={self.columns!r}" if self.columns else ""
        return f"StructuredDataset({where}, format={self.file_format!r}{columns})"


def _same_frame(a: Any, b: Any) -> bool:
    """Frames are equal when they are one object, or of one type and ``a.equals(b)`` (pandas, polars, pyarrow)."""
    if a is b:
        return True
    if a is None or b is None or type(a) is not type(b):
        return False
    equals = getattr(a, "equals", None)
    return bool(equals(b)) if callable(equals) else False


def _reader_type(engine: Any, wanted: Any) -> Any:
    """The type whose decoder reads ``wanted``: itself, or the frame type its dataset transformer serves.

    Resolving it loads its plugin (and so its codecs) on ``engine``.
    """
    from typeflow.datasets.codecs import codecs_for
    from typeflow.datasets.transformer import DatasetTransformer
    from typeflow.errors import TypeflowError

    try:
        transformer = engine.get_transformer(wanted)
    except TypeflowError:
        return wanted  # no plugin claims it: read_dataset says no decoder reads it
    codecs = codecs_for(engine)
    if isinstance(transformer, DatasetTransformer) and not codecs.formats(wanted, writing=False):
        return transformer.python_type  # a subclass of a frame type reads through its base's decoders
    return wanted
