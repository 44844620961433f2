"""``Annotated`` metadata for datasets: declared columns and the storage format.

flytekit's spellings are read too, so annotations port unchanged: a ``dict``
(or flytekit's ``kwtypes(...)``, an ``OrderedDict``) declares columns, and a
plain ``str`` names the format (``Annotated[pd.DataFrame, "csv"]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from typeflow.errors import TypeTransformerFailedError
from typeflow.transformer import strip_annotated

__all__ = ["DEFAULT_FORMAT", "GENERIC_FORMAT", "PARQUET", "Columns", "Format", "declared"]

PARQUET = "parquet"
#: the format of a type that declares none (flytekit's ``GENERIC_FORMAT``): any format reads, parquet is written
GENERIC_FORMAT = ""
#: what a value is written as when its type declares no format
DEFAULT_FORMAT = PARQUET


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
            raise TypeTransformerFailedError(
                f"Columns(...) names must be str, got {bad!r}",
                hint=f"name the columns with strings, e.g. Columns({{{str(bad[0])!r}: ...}})",
            )
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
    """``Annotated[pd.DataFrame, Format("parquet")]``: the storage format.

    Without one, a type's format is generic (``""``, as in flytekit): values are
    written as parquet and a dataset of any format is read.
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeTransformerFailedError(f"Format(...) takes a format name such as 'parquet', got {name!r}")
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Format) and self.name == other.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"Format({self.name!r})"


def declared(t: Any) -> tuple[Any, Columns | None, str]:
    """``(base type, Columns or None, format)`` of a possibly annotated dataset type.

    The format is :data:`GENERIC_FORMAT` when the type declares none. Declaring
    columns or a format twice is refused.
    """
    base, metadata = strip_annotated(t)
    columns: Columns | None = None
    fmt: str | None = None
    for item in metadata:
        found_columns: Columns | None = None
        found_format: str | None = None
        if isinstance(item, Columns):
            found_columns = item
        elif isinstance(item, Mapping):
            found_columns = Columns(item) if item else None  # flytekit's kwtypes(...) or a plain dict; {} declares nothing
        elif isinstance(item, Format):
            found_format = item.name
        elif isinstance(item, str):
            found_format = item  # flytekit's Annotated[pd.DataFrame, "csv"]
        if found_columns is not None:
            if columns is not None and columns != found_columns:
                raise TypeTransformerFailedError(
                    f"columns are declared twice ({columns!r} and {found_columns!r})", python_type=t, hint="declare them once"
                )
            columns = found_columns
        if found_format is not None:
            if fmt is not None and fmt != found_format:
                raise TypeTransformerFailedError(
                    f"a format is declared twice ({fmt!r} and {found_format!r})", python_type=t, hint="declare it once"
                )
            fmt = found_format
    return base, columns, fmt if fmt is not None else GENERIC_FORMAT
