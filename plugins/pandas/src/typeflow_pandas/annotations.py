"""``Annotated`` metadata for datasets: declared columns and the storage format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from typeflow.transformer import strip_annotated


class Columns:
    """Declared columns, in the spirit of flytekit's ``kwtypes``.

    ``Annotated[pd.DataFrame, Columns(name=str, age=int)]`` writes and reads only
    those columns (in that order), and records their literal types in the
    literal type. Reading a dataset with fewer declared columns than it holds
    reads only those columns from the parquet file. A column whose stored type
    plainly differs from its declaration (``age=int`` over a float column) is
    refused with :class:`~typeflow.errors.TypeTransformerFailedError`.

    Names that are not identifiers go in a mapping: ``Columns({"first name": str})``.

    >>> Columns(name=str, age=int).names
    ['name', 'age']
    """

    __slots__ = ("types",)

    def __init__(self, mapping: Mapping[str, Any] | None = None, /, **types: Any) -> None:
        merged: dict[str, Any] = {**(mapping or {}), **types}
        if not merged:
            raise ValueError("Columns(...) needs at least one column, e.g. Columns(name=str, age=int)")
        bad = [k for k in merged if not isinstance(k, str)]
        if bad:
            raise TypeError(f"Columns(...) names must be str, got {bad!r}")
        self.types: dict[str, Any] = merged

    @property
    def names(self) -> list[str]:
        """The declared column names, in declaration order."""
        return list(self.types)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Columns) and self.types == other.types

    def __hash__(self) -> int:
        return hash(tuple((k, repr(v)) for k, v in self.types.items()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={getattr(v, '__name__', v)}" for k, v in self.types.items())
        return f"Columns({inner})"


class Format:
    """``Annotated[pd.DataFrame, Format("parquet")]``: the storage format (default ``parquet``)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Format) and self.name == other.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"Format({self.name!r})"


PARQUET = "parquet"


def declared(t: Any) -> tuple[Any, Columns | None, str]:
    """``(base type, Columns or None, format)`` of a possibly annotated dataset type."""
    base, metadata = strip_annotated(t)
    columns = next((m for m in metadata if isinstance(m, Columns)), None)
    fmt = next((m.name for m in metadata if isinstance(m, Format)), PARQUET)
    return base, columns, fmt
