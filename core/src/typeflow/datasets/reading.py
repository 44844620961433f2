"""Reading a stored dataset through the decoder registered for its format and the wanted type.

The one place dataset URIs from literals are opened. For parquet, before any
decoder runs, every file of the dataset is inspected (its footer, and the
page headers of the columns to read): declared columns are checked against
the file's own schema, and what the columns decode to is checked against the
context's read budget (:mod:`typeflow.budgets`), so a few hundred bytes that
claim gigabytes are refused without allocating them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from typeflow.budgets import check_read_budget, read_budget
from typeflow.confine import ReadLocation
from typeflow.datasets.annotations import DEFAULT_FORMAT, PARQUET
from typeflow.datasets.budget import DatasetRead, _Tally, measures, measuring
from typeflow.datasets.codecs import DatasetCodecs, Decoder, frame_type_name
from typeflow.datasets.columns import COLUMNS_HINT, check_file_columns
from typeflow.datasets.folders import dataset_files
from typeflow.datasets.footer import FOOTER_MEMORY_FACTOR, ColumnSize, ParquetFooter, read_footer
from typeflow.datasets.pages import walk_pages
from typeflow.errors import StorageError, TypeflowError, TypeTransformerFailedError
from typeflow.literals import DatasetColumn
from typeflow.storage import open_regular_file
from typeflow.transformer import TransformContext

__all__ = ["read_dataset"]


def read_dataset(
    ctx: TransformContext,
    codecs: DatasetCodecs,
    uri: str,
    python_type: Any,
    fmt: str,
    columns: list[str] | None,
    declared: Sequence[DatasetColumn] = (),
) -> Any:
    """Read the dataset at ``uri`` as ``python_type`` (only ``columns`` when given); errors name the URI.

    ``uri`` comes from a literal, so it is opened through ``ctx`` (its read
    policy, only regular files): a file, or a folder of files (flytekit's
    form; see :mod:`typeflow.datasets.folders`), never a recursive scan.
    ``fmt`` is the format the literal records; a generic one (``""``, as a
    flytekit handle on existing data may carry) reads as parquet.
    ``declared`` are the declared columns with their types, checked against
    each parquet file's own schema.
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
    files = dataset_files(ctx, uri)
    combiner = codecs.combiner(python_type) if len(files) > 1 else None
    if len(files) > 1 and combiner is None:
        raise TypeTransformerFailedError(
            f"the dataset at {uri} is a folder of {len(files)} files, and nothing joins "
            f"{frame_type_name(python_type)} values read from several files",
            hint="read it as a type whose plugin joins files (pandas, pyarrow or polars frames), or add one with "
            "typeflow.datasets.codecs_for(registry).provide_combiner(type, join)",
        )
    try:
        if fmt == PARQUET:
            values = _read_parquet(ctx, uri, files, decoder, columns, declared)
        else:
            values = [_decode(ctx, loc, decoder, columns) for loc in files]
        return values[0] if combiner is None else combiner(values)
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


def _decode(ctx: TransformContext, loc: ReadLocation, decoder: Decoder, columns: list[str] | None, opened: bool = False) -> Any:
    """Run ``decoder`` on one file; ``opened``: the file was already opened (so found to be a regular file)."""
    if loc.local:
        if not opened:
            open_regular_file(loc.path, loc.uri).close()  # a missing file, a FIFO or a device: a StorageError now
        return decoder(loc.path, columns)  # parquet readers read a local file natively
    with ctx.storage.open_location(loc) as f:
        return decoder(f, columns)


def _inspect(
    ctx: TransformContext, loc: ReadLocation, columns: list[str] | None, declared: Sequence[DatasetColumn], max_footer: int
) -> tuple[ParquetFooter, list[ColumnSize]]:
    """A file's footer (its columns checked against ``columns``/``declared``) and what the columns to read decode to."""
    with ctx.storage.open_location(loc) as f:
        footer = read_footer(f, loc.uri, max_bytes=max_footer)
        check_file_columns(footer, columns, declared, f"the parquet file {loc.uri}")
        touched = footer.read_columns(columns)
        pages = walk_pages(f, footer, touched, loc.uri)
    return footer, footer.estimate(touched, pages)


def _read_parquet(
    ctx: TransformContext,
    uri: str,
    files: list[ReadLocation],
    decoder: Decoder,
    columns: list[str] | None,
    declared: Sequence[DatasetColumn],
) -> list[Any]:
    max_footer = max(read_budget(ctx) // FOOTER_MEMORY_FACTOR, 1)
    inspected = [_inspect(ctx, loc, columns, declared, max_footer) for loc in files]
    needed = sum(size.decoded for _, sizes in inspected for size in sizes)
    rows = sum(footer.num_rows for footer, _ in inspected)
    names = {size.name for _, sizes in inspected for size in sizes}
    spread = f", {len(files)} files" if len(files) > 1 else ""
    what = f"the parquet dataset ({len(names)} column(s), {rows:,} rows{spread}; sizes from its footer and page headers)"
    check_read_budget(ctx, needed, uri, what, stored=sum(footer.size for footer, _ in inspected))
    tally = _Tally(ctx, uri, needed)
    values = []
    for loc, (footer, sizes) in zip(files, inspected):
        read = DatasetRead(tally, loc.uri, footer.size, sizes)
        if not measures(decoder):
            read.charge_all_bounds()  # it does not measure its strings: charge the most they could be
        with measuring(read):
            values.append(_decode(ctx, loc, decoder, columns, opened=True))
    return values
