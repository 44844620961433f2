"""The dataset transformers: one per frame type a plugin registers, and the ``StructuredDataset`` handle's.

A DataFrame plugin registers its frame types with :class:`DatasetTransformer`
and its codecs with :mod:`typeflow.datasets.codecs`; everything else (declared
columns, formats, where blobs go, reading through any plugin's decoder, the
handle) lives here, so every frame library behaves the same way:

    @hookimpl
    def typeflow_register_transformers(registry):
        import polars as pl
        codecs = codecs_for(registry)
        codecs.provide_encoder(pl.DataFrame, "parquet", write_frame)
        codecs.provide_decoder(pl.DataFrame, "parquet", read_frame)
        registry.register(DatasetTransformer(pl.DataFrame))

Literal types follow flytekit 1.16: a frame type with nothing declared has a
generic format (``""``) and no columns; ``Columns`` and ``Format`` fill them.
The literal of a value records the format it was written in and its columns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from typeflow import discovery
from typeflow.datasets.annotations import DEFAULT_FORMAT, GENERIC_FORMAT, Columns, declared
from typeflow.datasets.codecs import codecs_for, frame_type_name
from typeflow.datasets.columns import COLUMNS_HINT, check_declared, declared_columns
from typeflow.datasets.handle import StructuredDataset
from typeflow.datasets.reading import read_dataset
from typeflow.errors import TypeflowError, TypeTransformerFailedError
from typeflow.literals import (
    DatasetColumn,
    Literal,
    LiteralType,
    Scalar,
    StructuredDatasetMetadata,
    StructuredDatasetType,
)
from typeflow.literals import StructuredDataset as DatasetLiteral
from typeflow.transformer import TransformContext, TypeTransformer

__all__ = ["TRANSFORMER_NAME", "DatasetTransformer", "StructuredDatasetTransformer"]

#: flytekit's name for the transformer of every frame type and of the handle (union variants are tagged with it)
TRANSFORMER_NAME = "StructuredDataset Transformer"

ColumnNames = Callable[[Any], "list[Any]"]


def _default_column_names(value: Any) -> list[Any]:
    names = value.column_names if hasattr(value, "column_names") else value.columns  # pyarrow.Table, or a DataFrame
    return list(names)


def dataset_type(engine: Any, t: Any) -> LiteralType:
    """The literal type of a (possibly annotated) frame or handle type."""
    _, columns, fmt = declared(t)
    cols = declared_columns(engine, columns) if columns else ()
    return LiteralType(structured_dataset_type=StructuredDatasetType(columns=cols, format=fmt))


def _dataset_of(lv: Literal, python_type: Any) -> DatasetLiteral:
    sd = lv.scalar.structured_dataset if lv.scalar is not None else None
    if sd is None:
        raise TypeTransformerFailedError(
            f"expected a structured dataset literal, got a {lv.variant} literal",
            python_type=python_type,
            hint="pass the literal a DataFrame or StructuredDataset was converted to",
        )
    return sd


def _stored_type(sd: DatasetLiteral) -> StructuredDatasetType:
    sdt = sd.metadata.structured_dataset_type if sd.metadata is not None else None
    return sdt if sdt is not None else StructuredDatasetType()


def _dataset_to_read(
    ctx: TransformContext, lv: Literal, python_type: Any
) -> tuple[DatasetLiteral, StructuredDatasetType, tuple[DatasetColumn, ...]]:
    """The dataset ``lv`` holds, its stored type, and the declared columns (checked against the stored ones)."""
    sd = _dataset_of(lv, python_type)
    stored = _stored_type(sd)
    _, columns, _ = declared(python_type)
    if columns is None:
        return sd, stored, ()
    wanted = declared_columns(ctx.engine, columns)
    check_declared(wanted, stored.columns, f"dataset at {sd.uri}")
    return sd, stored, wanted


class DatasetTransformer(TypeTransformer[Any]):
    """A frame type (``pd.DataFrame``, ``pl.LazyFrame``, …) ↔ a structured dataset literal, parquet by default.

    ``column_names(value)`` lists a value's column names (default: ``value.column_names``
    or ``value.columns``); ``guesses`` makes :meth:`guess_python_type` answer
    with this type (one frame type should: typeflow-pandas' ``pd.DataFrame``);
    ``convert_hint`` tells a user who passed another type how to convert it.
    """

    def __init__(
        self,
        python_type: Any,
        *,
        column_names: ColumnNames | None = None,
        guesses: bool = False,
        convert_hint: str | None = None,
    ) -> None:
        super().__init__(TRANSFORMER_NAME, python_type)
        self._column_names = column_names or _default_column_names
        self._guesses = guesses
        self._convert_hint = convert_hint

    def get_literal_type(self, t: Any) -> LiteralType:
        return dataset_type(self.engine, t)

    def assert_type(self, t: Any, v: Any) -> None:
        if not isinstance(v, self.python_type):
            raise TypeTransformerFailedError(
                f"expected a {frame_type_name(self.python_type)}", python_type=t, value=v, hint=self._convert_hint
            )

    def _checked_names(self, value: Any, python_type: Any) -> list[str]:
        self.assert_type(python_type, value)
        names = self._column_names(value)
        bad = [(i, n) for i, n in enumerate(names) if not isinstance(n, str)]
        if bad:
            first = bad[0][0]
            kinds = sorted({type(n).__name__ for _, n in bad})
            raise TypeTransformerFailedError(
                f"column names must be str, got {[n for _, n in bad[:3]]!r} (of types {kinds})",
                python_type=python_type,
                hint="rename them first, e.g. df.columns = df.columns.astype(str)",
            ).at(f".columns[{first}]")
        if len(set(names)) != len(names):
            duplicated = sorted({n for n in names if names.count(n) > 1})
            raise TypeTransformerFailedError(
                f"column names must be unique, {duplicated} appear more than once",
                python_type=python_type,
                hint="rename or drop the duplicated columns",
            ).at(f".columns[{names.index(duplicated[0], names.index(duplicated[0]) + 1)}]")
        return names

    def write(self, ctx: TransformContext, value: Any, python_type: Any, file_format: str = GENERIC_FORMAT) -> Literal:
        """Write ``value`` to a new blob under ``ctx.storage`` and return its structured dataset literal.

        The format is the declared one, else ``file_format``, else parquet.
        """
        _, columns, fmt = declared(python_type)
        fmt = fmt or file_format or DEFAULT_FORMAT
        names = self._checked_names(value, python_type)
        wanted: list[str] | None = None
        declared_cols: tuple[DatasetColumn, ...] = ()
        if columns is not None:
            missing = [c for c in columns.names if c not in names]
            if missing:
                raise TypeTransformerFailedError(
                    f"declared column(s) {missing} are not in the frame (it has {names})",
                    python_type=python_type,
                    hint=COLUMNS_HINT,
                )
            wanted = columns.names
            declared_cols = declared_columns(ctx.engine, columns)
        codecs = codecs_for(ctx)
        encoder = codecs.encoder(self.python_type, fmt)
        if encoder is None:
            raise TypeTransformerFailedError(
                f"no encoder writes {frame_type_name(self.python_type)} as {fmt!r}",
                python_type=python_type,
                hint=f"formats it writes: {codecs.formats(self.python_type, writing=True)}; "
                "a plugin adds one with typeflow.datasets.register_encoder",
            )
        uri = ctx.storage.new_uri(f".{fmt}")
        try:
            with ctx.open_write(uri) as f:
                written = encoder(value, f, wanted)
        except TypeflowError:
            raise
        except Exception as exc:  # the blob is discarded by open_write
            raise TypeTransformerFailedError(
                f"cannot write the frame as {fmt} to {uri} ({type(exc).__name__}: {exc})",
                python_type=python_type,
                hint="give each column values of a single type that the format can store, e.g. df[col] = df[col].astype(str)",
            ) from exc
        stored = tuple(written or ())
        if declared_cols:
            check_declared(declared_cols, stored, f"the frame written to {uri}")
        metadata = StructuredDatasetMetadata(StructuredDatasetType(columns=declared_cols or stored, format=fmt))
        return Literal(scalar=Scalar(structured_dataset=DatasetLiteral(uri=uri, metadata=metadata)))

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        return self.write(ctx, python_val, python_type)

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        sd, stored, wanted = _dataset_to_read(ctx, lv, expected_python_type)
        names = [c.name for c in wanted] if wanted else None
        return read_dataset(ctx, codecs_for(ctx), sd.uri, self.python_type, stored.format, names, declared=wanted)

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        """This frame type (annotated with its ``Columns`` when the literal type declares them), if it ``guesses``."""
        sdt = literal_type.structured_dataset_type
        if sdt is None or not self._guesses:
            raise ValueError(f"{frame_type_name(self.python_type)} is not what structured dataset types are guessed as")
        return _with_columns(self.engine, self.python_type, sdt)


def _with_columns(engine: Any, t: Any, sdt: StructuredDatasetType) -> Any:
    if not sdt.columns:
        return t
    try:
        types = {c.name: engine.guess_python_type(c.literal_type) for c in sdt.columns}
    except TypeflowError:
        return t
    return Annotated[t, Columns(types)]


def _every_plugin_loaded(engine: Any) -> bool:
    disabled = discovery.disabled_names()
    states = engine.plugin_states()
    return all(
        e in states for e in discovery.entries() if e.group == discovery.PLUGINS_GROUP and not discovery.is_disabled(e, disabled)
    )


class StructuredDatasetTransformer(TypeTransformer[StructuredDataset]):
    """The lazy handle: by reference in, by reference out; written only when it holds a frame."""

    def __init__(self) -> None:
        super().__init__(TRANSFORMER_NAME, StructuredDataset)

    def get_literal_type(self, t: Any) -> LiteralType:
        return dataset_type(self.engine, t)

    def assert_type(self, t: Any, v: Any) -> None:
        if not isinstance(v, StructuredDataset):
            raise TypeTransformerFailedError(
                "expected a typeflow.datasets.StructuredDataset",
                python_type=t,
                value=v,
                hint="wrap a frame as StructuredDataset(dataframe=df), or declare the frame's own type",
            )

    def _frame_writer(self, ctx: TransformContext, frame: Any, python_type: Any) -> DatasetTransformer:
        try:
            writer = ctx.engine.get_transformer(type(frame))
        except TypeflowError:
            writer = None
        if not isinstance(writer, DatasetTransformer):
            raise TypeTransformerFailedError(
                f"StructuredDataset holds a {frame_type_name(type(frame))}, which no dataset plugin writes",
                python_type=python_type,
                value=frame,
                hint="hold a pandas or polars frame (pip install typeflow-pandas / typeflow-polars), "
                "or register a DatasetTransformer for that type",
            )
        return writer

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        self.assert_type(python_type, python_val)
        handle: StructuredDataset = python_val
        frame = handle.dataframe
        if frame is not None:
            return self._frame_writer(ctx, frame, python_type).write(ctx, frame, python_type, handle.file_format)
        read_from = handle.literal
        if read_from is not None and read_from.uri == handle.uri:
            return Literal(scalar=Scalar(structured_dataset=read_from))  # passed through: the literal it came from
        assert handle.uri is not None  # the handle's constructor requires a frame or a URI
        # existing data: the declared format wins, then the handle's own; the declared columns, then the handle's
        _, columns, fmt = declared(python_type)
        recorded = handle.metadata.structured_dataset_type if handle.metadata is not None else StructuredDatasetType()
        sdt = StructuredDatasetType(
            columns=declared_columns(ctx.engine, columns) if columns else recorded.columns,
            format=fmt or handle.file_format,
            external_schema_type=recorded.external_schema_type,
            external_schema_bytes=recorded.external_schema_bytes,
        )
        return Literal(scalar=Scalar(structured_dataset=DatasetLiteral(uri=handle.uri, metadata=StructuredDatasetMetadata(sdt))))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> StructuredDataset:
        sd, stored, wanted = _dataset_to_read(ctx, lv, expected_python_type)
        # as flytekit: the handle's type lists the declared columns, or the stored ones when none are declared
        sdt = StructuredDatasetType(
            columns=wanted or stored.columns,
            format=stored.format,
            external_schema_type=stored.external_schema_type,
            external_schema_bytes=stored.external_schema_bytes,
        )
        names = [c.name for c in wanted] if wanted else None
        handle = StructuredDataset(uri=sd.uri, metadata=StructuredDatasetMetadata(sdt), columns=names, context=ctx)
        handle._literal = sd
        return handle

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        """``StructuredDataset`` (with its ``Columns``), unless an installed frame plugin guesses first.

        Asked only once every installed plugin is loaded, so the answer does
        not depend on which frame types this engine happened to see before:
        with typeflow-pandas installed it is ``pd.DataFrame``, otherwise the handle.
        """
        sdt = literal_type.structured_dataset_type
        if sdt is None:
            raise ValueError("not a structured dataset type")
        engine = self.engine
        if not _every_plugin_loaded(engine):
            raise ValueError("structured dataset types are guessed once every plugin is loaded")
        return _with_columns(engine, StructuredDataset, sdt)
