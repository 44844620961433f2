"""Reading a stored dataset through the decoder registered for its format and the wanted type."""

from __future__ import annotations

from typing import Any

from typeflow.datasets.annotations import DEFAULT_FORMAT
from typeflow.datasets.codecs import DatasetCodecs, frame_type_name
from typeflow.datasets.columns import COLUMNS_HINT
from typeflow.errors import StorageError, TypeflowError, TypeTransformerFailedError
from typeflow.transformer import TransformContext

__all__ = ["read_dataset"]


def read_dataset(
    ctx: TransformContext, codecs: DatasetCodecs, uri: str, python_type: Any, fmt: str, columns: list[str] | None
) -> Any:
    """Read the dataset at ``uri`` as ``python_type`` (only ``columns`` when given); errors name the URI.

    ``uri`` comes from a literal, so it is opened through ``ctx`` (its read
    policy): a local one only when it is a regular file, never a directory
    scan. ``fmt`` is the format the literal records; a generic one (``""``, as
    a flytekit handle on existing data may carry) reads as parquet.
    """
    fmt = fmt or DEFAULT_FORMAT
    decoder = codecs.decoder(python_type, fmt)
    if decoder is None:
        readers = [frame_type_name(t) for t in codecs.types(fmt, writing=False)]
        raise TypeTransformerFailedError(
            f"no decoder reads format {fmt!r} as {frame_type_name(python_type)} (dataset at {uri})",
            hint=f"formats it reads: {codecs.formats(python_type, writing=False)}; types that read {fmt!r}: {readers}; "
            "a plugin adds one with typeflow.datasets.register_decoder",
        )
    try:
        path = ctx.local_path(uri)
        if path is not None:
            return decoder(path, columns)  # parquet readers read a local file natively (memory-mapped)
        with ctx.open_read(uri) as f:
            return decoder(f, columns)
    except TypeflowError:
        raise
    except Exception as exc:  # codec (pyarrow, polars, …) errors never escape bare
        text = str(exc)
        if columns and (isinstance(exc, KeyError) or "No match for FieldRef" in text or "not in schema" in text):
            raise TypeTransformerFailedError(
                f"dataset at {uri} lacks a declared column ({type(exc).__name__}: {text})", hint=COLUMNS_HINT
            ) from exc
        raise StorageError(
            f"cannot read {fmt} dataset ({type(exc).__name__}: {text}); it is corrupt, truncated or not {fmt}; write it again",
            uri=uri,
        ) from exc
