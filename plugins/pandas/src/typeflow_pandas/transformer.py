"""Transformers for ``pd.DataFrame``, ``pyarrow.Table`` and the ``StructuredDataset`` handle."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from typeflow import TransformContext, TypeTransformer
from typeflow.errors import StorageError, TypeflowError, TypeTransformerFailedError
from typeflow.literals import (
    DatasetColumn,
    Literal,
    LiteralType,
    Scalar,
    SimpleType,
    StructuredDatasetMetadata,
    StructuredDatasetType,
)
from typeflow.literals import StructuredDataset as DatasetLiteral
from typeflow.storage import is_local, open_uri
from typeflow_pandas.annotations import Columns, declared
from typeflow_pandas.codecs import find_decoder, find_encoder, formats
from typeflow_pandas.dataset import StructuredDataset

_SIMPLE = SimpleType


def _arrow_literal_type(arrow_type: pa.DataType) -> LiteralType:
    types = pa.types
    if types.is_boolean(arrow_type):
        simple = _SIMPLE.BOOLEAN
    elif types.is_integer(arrow_type):
        simple = _SIMPLE.INTEGER
    elif types.is_floating(arrow_type):
        simple = _SIMPLE.FLOAT
    elif types.is_timestamp(arrow_type) or types.is_date(arrow_type):
        simple = _SIMPLE.DATETIME
    elif types.is_duration(arrow_type):
        simple = _SIMPLE.DURATION
    elif types.is_string(arrow_type) or types.is_large_string(arrow_type) or types.is_dictionary(arrow_type):
        simple = _SIMPLE.STRING
    elif types.is_binary(arrow_type) or types.is_large_binary(arrow_type):
        simple = _SIMPLE.BINARY
    else:
        simple = _SIMPLE.STRUCT
    return LiteralType(simple=simple)


def _declared_columns(ctx_engine: Any, columns: Columns) -> tuple[DatasetColumn, ...]:
    return tuple(DatasetColumn(name, ctx_engine.to_literal_type(t)) for name, t in columns.types.items())


def _engine(transformer: TypeTransformer[Any]) -> Any:
    registry = getattr(transformer, "_registry", None)
    if registry is not None:
        return registry.engine
    from typeflow import TypeEngine

    return TypeEngine.default()


def read_dataset(uri: str, python_type: Any, fmt: str, columns: list[str] | None) -> Any:
    """Read the dataset at ``uri`` as ``python_type``; errors name the URI."""
    decoder = find_decoder(python_type, fmt)
    if decoder is None:
        raise TypeTransformerFailedError(
            f"no decoder reads format {fmt!r} as {getattr(python_type, '__qualname__', python_type)}",
            hint=f"formats with decoders: {formats()}; a plugin adds one with typeflow_pandas.register_decoder",
        )
    try:
        if is_local(uri):
            path = uri[len("file://") :] if uri.startswith("file://") else uri
            import os

            if not os.path.exists(path):
                raise StorageError("cannot read (blob not found)", uri=uri)
            return decoder(path, columns)  # type: ignore[arg-type]  # pyarrow reads a local path natively
        with open_uri(uri) as f:
            return decoder(f, columns)
    except TypeflowError:
        raise
    except KeyError as exc:
        raise TypeTransformerFailedError(f"dataset at {uri} has no column {exc}", hint="check the declared Columns(...)") from exc
    except (pa.ArrowException, OSError, ValueError) as exc:
        if columns and "No match for FieldRef" in str(exc):
            raise TypeTransformerFailedError(
                f"dataset at {uri} lacks a declared column ({exc})", hint="check the declared Columns(...)"
            ) from exc
        raise StorageError(
            f"cannot read {fmt} dataset ({type(exc).__name__}: {exc}); it is corrupt or not {fmt}", uri=uri
        ) from exc


class DatasetTransformer(TypeTransformer[Any]):
    """``pd.DataFrame`` or ``pyarrow.Table`` ↔ a structured dataset literal (parquet by default)."""

    def __init__(self, name: str, python_type: type) -> None:
        super().__init__(name, python_type)

    def get_literal_type(self, t: Any) -> LiteralType:
        _, columns, fmt = declared(t)
        cols = _declared_columns(_engine(self), columns) if columns else ()
        return LiteralType(structured_dataset_type=StructuredDatasetType(columns=cols, format=fmt))

    def _check_frame(self, value: Any, python_type: Any, columns: Columns | None) -> list[str] | None:
        base = self.python_type
        if not isinstance(value, base):
            raise TypeTransformerFailedError(
                f"expected a {base.__module__}.{base.__qualname__}", python_type=python_type, value=value
            )
        names = list(value.column_names) if isinstance(value, pa.Table) else list(value.columns)
        bad = [n for n in names if not isinstance(n, str)]
        if bad:
            raise TypeTransformerFailedError(
                f"column names must be str, got {bad[:3]!r}",
                python_type=python_type,
                hint="rename them first, e.g. df.columns = df.columns.astype(str)",
            )
        if columns is None:
            return None
        missing = [c for c in columns.names if c not in names]
        if missing:
            raise TypeTransformerFailedError(
                f"declared column(s) {missing} are not in the frame (it has {names})", python_type=python_type
            )
        return columns.names

    def write(self, ctx: TransformContext, value: Any, python_type: Any) -> Literal:
        _, columns, fmt = declared(python_type)
        selected = self._check_frame(value, python_type, columns)
        encoder = find_encoder(self.python_type, fmt)
        if encoder is None:
            raise TypeTransformerFailedError(
                f"no encoder writes {self.python_type.__qualname__} as {fmt!r}",
                python_type=python_type,
                hint=f"formats with encoders: {formats()}; a plugin adds one with typeflow_pandas.register_encoder",
            )
        uri = ctx.storage.new_uri(f".{fmt}")
        try:
            with ctx.storage.open_write(uri) as f:
                encoder(value, f, selected)
        except TypeflowError:
            raise
        except (pa.ArrowException, ValueError, TypeError) as exc:
            raise TypeTransformerFailedError(
                f"cannot write the frame as {fmt} ({type(exc).__name__}: {exc})",
                python_type=python_type,
                hint="give object columns a single type (e.g. df[col].astype(str))",
            ) from exc
        schema = (
            value.schema if isinstance(value, pa.Table) else pa.Schema.from_pandas(value if selected is None else value[selected])
        )
        if columns:
            cols = _declared_columns(ctx.engine, columns)
        else:
            cols = tuple(
                DatasetColumn(field.name, _arrow_literal_type(field.type))
                for field in schema
                if not (field.name.startswith("__index_level_") and field.name.endswith("__"))
            )
        metadata = StructuredDatasetMetadata(StructuredDatasetType(columns=cols, format=fmt))
        return Literal(scalar=Scalar(structured_dataset=DatasetLiteral(uri=uri, metadata=metadata)))

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        return self.write(ctx, python_val, python_type)

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        sd = lv.scalar.structured_dataset if lv.scalar is not None else None
        if sd is None:
            raise TypeTransformerFailedError(
                f"cannot read a {lv.variant} literal as {self.python_type.__qualname__}", python_type=expected_python_type
            )
        _, columns, _ = declared(expected_python_type)
        fmt = (
            sd.metadata.structured_dataset_type.format
            if sd.metadata and sd.metadata.structured_dataset_type.format
            else "parquet"
        )
        return read_dataset(sd.uri, self.python_type, fmt, columns.names if columns else None)

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        sdt = literal_type.structured_dataset_type
        if sdt is None or self.python_type is pa.Table:
            raise ValueError("not a structured dataset type (or not the DataFrame transformer)")
        return self.python_type


class StructuredDatasetTransformer(TypeTransformer[StructuredDataset]):
    """The lazy handle: by reference in, by reference out; written only when it holds a value."""

    def __init__(self, frames: dict[type, DatasetTransformer]) -> None:
        super().__init__("StructuredDataset", StructuredDataset)
        self._frames = frames

    def get_literal_type(self, t: Any) -> LiteralType:
        _, columns, fmt = declared(t)
        cols = _declared_columns(_engine(self), columns) if columns else ()
        return LiteralType(structured_dataset_type=StructuredDatasetType(columns=cols, format=fmt))

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
                    "StructuredDataset holds a value no dataset transformer writes", python_type=python_type, value=frame
                )
            return writer.write(ctx, frame, python_type)
        assert python_val.uri is not None
        metadata = python_val.metadata or StructuredDatasetMetadata(StructuredDatasetType(format=python_val.file_format))
        return Literal(scalar=Scalar(structured_dataset=DatasetLiteral(uri=python_val.uri, metadata=metadata)))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> StructuredDataset:
        sd = lv.scalar.structured_dataset if lv.scalar is not None else None
        if sd is None:
            raise TypeTransformerFailedError(
                f"cannot read a {lv.variant} literal as a StructuredDataset", python_type=expected_python_type
            )
        _, columns, _ = declared(expected_python_type)
        return StructuredDataset(uri=sd.uri, metadata=sd.metadata, columns=columns.names if columns else None)
