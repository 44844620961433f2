"""Declared columns against stored ones: their literal types, and whether they fit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from typeflow.datasets.annotations import Columns
from typeflow.errors import TypeflowError, TypeTransformerFailedError
from typeflow.literals import DatasetColumn, LiteralType, SimpleType

if TYPE_CHECKING:
    from typeflow.datasets.footer import ParquetFooter

__all__ = ["COLUMNS_HINT", "check_declared", "check_file_columns", "declared_columns", "is_index_column", "mismatch"]

COLUMNS_HINT = "declare only columns the dataset has, with their stored types (see Columns(...))"

_OPAQUE = (SimpleType.STRUCT, SimpleType.NONE)


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


def mismatch(declared: LiteralType, stored: LiteralType) -> bool:
    """True when a column declared as ``declared`` certainly cannot hold what was stored as ``stored``.

    Only simple types are compared; a nested, all-null or unknown column is never refused.
    """
    if declared.simple is None or stored.simple is None:
        return False
    if declared.simple in _OPAQUE or stored.simple in _OPAQUE:
        return False
    return declared.simple != stored.simple


def check_declared(declared_cols: Sequence[DatasetColumn], stored: Sequence[DatasetColumn], where: str) -> None:
    """Refuse declared columns the stored ones lack, or whose stored type plainly differs."""
    if not stored:
        return  # nothing recorded: the decoder finds out
    by_name = {c.name: c.literal_type for c in stored}
    missing = [c.name for c in declared_cols if c.name not in by_name]
    if missing:
        raise TypeTransformerFailedError(f"{where} has no column(s) {missing}; it has {list(by_name)}", hint=COLUMNS_HINT)
    wrong = [
        f"{c.name}: declared {c.literal_type}, stored {by_name[c.name]}"
        for c in declared_cols
        if mismatch(c.literal_type, by_name[c.name])
    ]
    if wrong:
        raise TypeTransformerFailedError(f"{where}: declared column types differ ({'; '.join(wrong)})", hint=COLUMNS_HINT)


def check_file_columns(footer: ParquetFooter, names: Sequence[str] | None, declared: Sequence[DatasetColumn], where: str) -> None:
    """Refuse columns to read that the parquet file itself lacks, or whose stored type plainly differs from the declared one.

    The file's own schema decides, not what the literal says about it.
    """
    stored = {c.name: c for c in footer.columns}
    wanted = list(names) if names is not None else [c.name for c in declared]
    missing = [n for n in wanted if n not in stored]
    if missing:
        have = [c.name for c in footer.data_columns()]
        raise TypeTransformerFailedError(f"{where} has no column(s) {missing}; it has {have}", hint=COLUMNS_HINT)
    wrong = []
    for column in declared:
        simple = column.literal_type.simple
        kinds = stored[column.name].kinds if column.name in stored else frozenset()
        if simple is None or simple in _OPAQUE or not kinds or simple in kinds:
            continue
        shown = " or ".join(sorted(k.name for k in kinds))
        wrong.append(f"{column.name}: declared {simple.name}, stored {shown}")
    if wrong:
        raise TypeTransformerFailedError(f"{where}: declared column types differ ({'; '.join(wrong)})", hint=COLUMNS_HINT)


def is_index_column(name: str) -> bool:
    """pyarrow's name for an unnamed pandas index stored as a column (``__index_level_0__``).

    Readers without an index (polars) leave these out, as pandas' own reader
    turns them back into the index.
    """
    return name.startswith("__index_level_") and name.endswith("__")
