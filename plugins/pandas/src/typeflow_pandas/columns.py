"""Column literal types from an Arrow schema (what the literal of a written frame records)."""

from __future__ import annotations

from typing import Any

from typeflow.datasets import is_index_column
from typeflow.literals import DatasetColumn, LiteralType, SimpleType

__all__ = ["arrow_columns", "arrow_literal_type"]


def arrow_literal_type(arrow_type: Any) -> LiteralType:
    """The literal type of one Arrow column type (``STRUCT`` for nested or unknown types)."""
    import pyarrow as pa

    types = pa.types
    if types.is_dictionary(arrow_type):  # a pandas categorical: the type of its values
        return arrow_literal_type(arrow_type.value_type)
    if types.is_boolean(arrow_type):
        simple = SimpleType.BOOLEAN
    elif types.is_integer(arrow_type):
        simple = SimpleType.INTEGER
    elif types.is_floating(arrow_type):
        simple = SimpleType.FLOAT
    elif types.is_timestamp(arrow_type) or types.is_date(arrow_type):
        simple = SimpleType.DATETIME
    elif types.is_duration(arrow_type):
        simple = SimpleType.DURATION
    elif types.is_string(arrow_type) or types.is_large_string(arrow_type):
        simple = SimpleType.STRING
    elif types.is_binary(arrow_type) or types.is_large_binary(arrow_type):
        simple = SimpleType.BINARY
    elif types.is_null(arrow_type):
        simple = SimpleType.NONE
    else:
        simple = SimpleType.STRUCT
    return LiteralType(simple=simple)


def arrow_columns(schema: Any) -> tuple[DatasetColumn, ...]:
    """The data columns of an Arrow schema with their literal types (a pandas index stored as columns left out)."""
    pandas_metadata = schema.pandas_metadata if schema.metadata and b"pandas" in schema.metadata else None
    index = {c for c in (pandas_metadata or {}).get("index_columns", ()) if isinstance(c, str)}
    return tuple(
        DatasetColumn(field.name, arrow_literal_type(field.type))
        for field in schema
        if field.name not in index and not is_index_column(field.name)
    )
