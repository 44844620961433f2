"""Declared columns against stored ones: their literal types, and whether they fit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from typeflow.datasets.annotations import Columns
from typeflow.errors import TypeflowError, TypeTransformerFailedError
from typeflow.literals import DatasetColumn, LiteralType, SimpleType

__all__ = ["COLUMNS_HINT", "check_declared", "declared_columns", "is_index_column", "mismatch"]

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


def is_index_column(name: str) -> bool:
    """pyarrow's name for an unnamed pandas index stored as a column (``__index_level_0__``).

    Readers without an index (polars) leave these out, as pandas' own reader
    turns them back into the index.
    """
    return name.startswith("__index_level_") and name.endswith("__")
