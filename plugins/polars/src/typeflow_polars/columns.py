"""Column literal types from a polars schema (what the literal of a written frame records).

The mapping matches typeflow-pandas' mapping of Arrow types, so a column has
the same literal type whichever plugin wrote it, and a declared ``Columns``
check means the same thing on both sides.
"""

from __future__ import annotations

from typing import Any

from typeflow.literals import DatasetColumn, LiteralType, SimpleType

__all__ = ["object_columns", "polars_columns", "polars_literal_type"]


def polars_literal_type(dtype: Any) -> LiteralType:
    """The literal type of one polars dtype (``STRUCT`` for nested, decimal, time or unknown types)."""
    import polars as pl

    if dtype == pl.Boolean:
        simple = SimpleType.BOOLEAN
    elif dtype.is_integer():
        simple = SimpleType.INTEGER
    elif dtype.is_float():
        simple = SimpleType.FLOAT
    elif isinstance(dtype, pl.Datetime) or dtype == pl.Date:
        simple = SimpleType.DATETIME
    elif isinstance(dtype, pl.Duration):
        simple = SimpleType.DURATION
    elif dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum)):  # categories are strings
        simple = SimpleType.STRING
    elif dtype == pl.Binary:
        simple = SimpleType.BINARY
    elif dtype == pl.Null:
        simple = SimpleType.NONE
    else:
        simple = SimpleType.STRUCT
    return LiteralType(simple=simple)


def polars_columns(schema: Any) -> tuple[DatasetColumn, ...]:
    """The columns of a polars schema with their literal types."""
    return tuple(DatasetColumn(name, polars_literal_type(dtype)) for name, dtype in schema.items())


def object_columns(schema: Any) -> list[str]:
    """Columns of Python objects (``pl.Object``), which parquet cannot store."""
    import polars as pl

    return [name for name, dtype in schema.items() if dtype == pl.Object]
