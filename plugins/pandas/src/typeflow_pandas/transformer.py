"""Transformers for ``pd.DataFrame``, ``pyarrow.Table`` and the ``StructuredDataset`` handle."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from typeflow import TransformContext, TypeTransformer
from typeflow.errors import StorageError, TypeflowError, TypeTransformerFailedError
from typeflow.literals import (
    DatasetColumn,
    Literal,
    LiteralType,
    Scalar,
    StructuredDatasetMetadata,
    StructuredDatasetType,
)
from typeflow.literals import StructuredDataset as DatasetLiteral
from typeflow_pandas.annotations import PARQUET, Columns, declared
from typeflow_pandas.codecs import DatasetCodecs, codecs_for
from typeflow_pandas.columns import mismatch
from typeflow_pandas.dataset import StructuredDataset

__all__ = ["DatasetTransformer", "StructuredDatasetTransformer", "read_dataset"]

_COLUMNS_HINT = "declare only columns the dataset has, with their stored types (see Columns(...))"


def _type_name(t: Any) -> str:
    module = getattr(t, "__module__", "")
    return f"{module.partition('.')[0]}.{t.__qualname__}" if module and hasattr(t, "__qualname__") else repr(t)


def declared_columns(engine: Any, columns: Columns) -> tuple[DatasetColumn, ...]:
    """The literal types of declared columns, through ``engine``."""
    out = []
    for name, t in columns.types.items():
        try:
            out.append(DatasetColumn(name, engine.to_literal_type(t)))
        except TypeflowError as exc:
            raise TypeTransformerFailedError(
                f"declared column {name!r} has type {t!r}, which has no literal type ({exc})",
                hint="declare columns with plain types such as int, float, str, bool, datetime",
            ) from exc
    return tuple(out)


def _dataset_type(engine: Any, t: Any) -> LiteralType:
    _, columns, fmt = declared(t)
    cols = declared_columns(engine, columns) if columns else ()
    return LiteralType(structured_dataset_type=StructuredDatasetType(columns=cols, format=fmt))


def check_declared(declared_cols: Sequence[DatasetColumn], stored: Sequence[DatasetColumn], where: str) -> None:
    """Refuse declared columns the stored ones lack, or whose stored type plainly differs."""
    if not stored:
        return  # nothing recorded: the decoder finds out
    by_name = {c.name: c.literal_type for c in stored}
    missing = [c.name for c in declared_cols if c.name not in by_name]
    if missing:
        raise TypeTransformerFailedError(f"{where} has no column(s) {missing}; it has {list(by_name)}", hint=_COLUMNS_HINT)
    wrong = [
        f"{c.name}: declared {c.literal_type}, stored {by_name[c.name]}"
        for c in declared_cols
        if mismatch(c.literal_type, by_name[c.name])
    ]
    if wrong:
        raise TypeTransformerFailedError(f"{where}: declared column types differ ({'; '.join(wrong)})", hint=_COLUMNS_HINT)


def read_dataset(
    ctx: TransformContext, codecs: DatasetCodecs, uri: str, python_type: Any, fmt: str, columns: list[str] | None
) -> Any:
    """Read the dataset at ``uri`` as ``python_type`` (only ``columns`` when given); errors name the URI.

    ``uri`` comes from a literal, so it is opened through ``ctx`` (its read
    policy): a local one only when it is a regular file, never a directory scan.
    """
    decoder = codecs.decoder(python_type, fmt)
    if decoder is None:
        raise TypeTransformerFailedError(
            f"no decoder reads format {fmt!r} as {_type_name(python_type)} (dataset at {uri})",
            hint=f"formats it reads: {codecs.formats(python_type, writing=False)}; "
            "a plugin adds one with typeflow_pandas.register_decoder",
        )
    try:
        path = ctx.local_path(uri)
        if path is not None:
            return decoder(path, columns)  # pyarrow reads a local file natively (memory-mapped)
        with ctx.open_read(uri) as f:
            return decoder(f, columns)
    except TypeflowError:
        raise
    except Exception as exc:  # pyarrow (and any codec) errors never escape bare
        text = str(exc)
        if columns and (isinstance(exc, KeyError) or "No match for FieldRef" in text or "not in schema" in text):
            raise TypeTransformerFailedError(
                f"dataset at {uri} lacks a declared column ({type(exc).__name__}: {text})", hint=_COLUMNS_HINT
            ) from exc
        raise StorageError(
            f"cannot read {fmt} dataset ({type(exc).__name__}: {text}); it is corrupt, truncated or not {fmt}; write it again",
            uri=uri,
        ) from exc


def _dataset_of(lv: Literal, python_type: Any) -> DatasetLiteral:
    sd = lv.scalar.structured_dataset if lv.scalar is not None else None
    if sd is None:
        raise TypeTransformerFailedError(
            f"expected a structured dataset literal, got a {lv.variant} literal",
            python_type=python_type,
            hint="pass the literal a DataFrame, pyarrow.Table or StructuredDataset was converted to",
        )
    return sd


def _stored(sd: DatasetLiteral) -> tuple[str, tuple[DatasetColumn, ...]]:
    sdt = sd.metadata.structured_dataset_type if sd.metadata is not None else None
    if sdt is None:
        return PARQUET, ()
    return sdt.format or PARQUET, tuple(sdt.columns)


def _dataset_to_read(ctx: TransformContext, lv: Literal, python_type: Any) -> tuple[DatasetLiteral, str, list[str] | None]:
    """The dataset ``lv`` holds, its format, and the declared column names (checked against the stored ones)."""
    sd = _dataset_of(lv, python_type)
    fmt, stored = _stored(sd)
    _, columns, _ = declared(python_type)
    if columns is None:
        return sd, fmt, None
    check_declared(declared_columns(ctx.engine, columns), stored, f"dataset at {sd.uri}")
    return sd, fmt, columns.names


class DatasetTransformer(TypeTransformer[Any]):
    """``pd.DataFrame`` or ``pyarrow.Table`` ↔ a structured dataset literal (parquet by default)."""

    def get_literal_type(self, t: Any) -> LiteralType:
        return _dataset_type(self.engine, t)

    def _column_names(self, value: Any, python_type: Any) -> list[Any]:
        base = self.python_type
        if not isinstance(value, base):
            raise TypeTransformerFailedError(f"expected a {_type_name(base)}", python_type=python_type, value=value)
        names = list(value.column_names) if hasattr(value, "column_names") else list(value.columns)
        bad = [n for n in names if not isinstance(n, str)]
        if bad:
            raise TypeTransformerFailedError(
                f"column names must be str, got {bad[:3]!r}",
                python_type=python_type,
                hint="rename them first, e.g. df.columns = df.columns.astype(str)",
            )
        if len(set(names)) != len(names):
            duplicated = sorted({n for n in names if names.count(n) > 1})
            raise TypeTransformerFailedError(
                f"column names must be unique, {duplicated} appear more than once",
                python_type=python_type,
                hint="rename or drop the duplicated columns",
            )
        return names

    def write(self, ctx: TransformContext, value: Any, python_type: Any) -> Literal:
        """Write ``value`` to a new blob under ``ctx.storage`` and return its structured dataset literal."""
        _, columns, fmt = declared(python_type)
        names = self._column_names(value, python_type)
        wanted: list[str] | None = None
        declared_cols: tuple[DatasetColumn, ...] = ()
        if columns is not None:
            missing = [c for c in columns.names if c not in names]
            if missing:
                raise TypeTransformerFailedError(
                    f"declared column(s) {missing} are not in the frame (it has {names})",
                    python_type=python_type,
                    hint=_COLUMNS_HINT,
                )
            wanted = columns.names
            declared_cols = declared_columns(ctx.engine, columns)
        codecs = codecs_for(ctx)
        encoder = codecs.encoder(self.python_type, fmt)
        if encoder is None:
            raise TypeTransformerFailedError(
                f"no encoder writes {_type_name(self.python_type)} as {fmt!r}",
                python_type=python_type,
                hint=f"formats it writes: {codecs.formats(self.python_type, writing=True)}; "
                "a plugin adds one with typeflow_pandas.register_encoder",
            )
        uri = ctx.storage.new_uri(f".{fmt}")
        try:
            with ctx.storage.open_write(uri) as f:
                written = encoder(value, f, wanted)
        except TypeflowError:
            raise
        except Exception as exc:  # the blob is discarded by open_write
            raise TypeTransformerFailedError(
                f"cannot write the frame as {fmt} to {uri} ({type(exc).__name__}: {exc})",
                python_type=python_type,
                hint="give each object column values of a single type, e.g. df[col] = df[col].astype(str)",
            ) from exc
        stored = tuple(written or ())
        if declared_cols:
            check_declared(declared_cols, stored, f"the frame written to {uri}")
        metadata = StructuredDatasetMetadata(StructuredDatasetType(columns=declared_cols or stored, format=fmt))
        return Literal(scalar=Scalar(structured_dataset=DatasetLiteral(uri=uri, metadata=metadata)))

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        return self.write(ctx, python_val, python_type)

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        sd, fmt, names = _dataset_to_read(ctx, lv, expected_python_type)
        return read_dataset(ctx, codecs_for(ctx), sd.uri, self.python_type, fmt, names)

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        """``pd.DataFrame`` (annotated with its ``Columns`` when the literal type declares them)."""
        sdt = literal_type.structured_dataset_type
        if sdt is None or self.python_type.__module__.partition(".")[0] != "pandas":
            raise ValueError(f"{self.name} guesses only structured dataset types, as pandas.DataFrame")
        if not sdt.columns:
            return self.python_type
        engine = self.engine
        try:
            types = {c.name: engine.guess_python_type(c.literal_type) for c in sdt.columns}
        except TypeflowError:
            return self.python_type
        return Annotated[self.python_type, Columns(types)]


class StructuredDatasetTransformer(TypeTransformer[StructuredDataset]):
    """The lazy handle: by reference in, by reference out; written only when it holds a value."""

    def __init__(self, frames: dict[Any, DatasetTransformer]) -> None:
        super().__init__("typeflow_pandas.StructuredDataset", StructuredDataset)
        self._frames = frames

    def get_literal_type(self, t: Any) -> LiteralType:
        return _dataset_type(self.engine, t)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        if not isinstance(python_val, StructuredDataset):
            raise TypeTransformerFailedError(
                "expected a typeflow_pandas.StructuredDataset", python_type=python_type, value=python_val
            )
        frame = python_val.dataframe
        if frame is not None:
            writer = next((w for t, w in self._frames.items() if isinstance(frame, t)), None)
            if writer is None:
                raise TypeTransformerFailedError(
                    f"StructuredDataset holds a {type(frame).__qualname__}; it can hold {[_type_name(t) for t in self._frames]}",
                    python_type=python_type,
                    value=frame,
                )
            return writer.write(ctx, frame, python_type)
        assert python_val.uri is not None  # the handle's constructor requires one of the two
        metadata = python_val.metadata or StructuredDatasetMetadata(StructuredDatasetType(format=python_val.file_format))
        return Literal(scalar=Scalar(structured_dataset=DatasetLiteral(uri=python_val.uri, metadata=metadata)))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> StructuredDataset:
        sd, _, names = _dataset_to_read(ctx, lv, expected_python_type)
        return StructuredDataset(uri=sd.uri, metadata=sd.metadata, columns=names, engine=ctx.engine, context=ctx)
