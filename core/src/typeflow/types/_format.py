"""``File["csv"]``, ``File[TypeVar("csv")]``: one cached subclass per format."""

from __future__ import annotations

import threading
import types
import typing
from typing import Any, TypeVar

__all__ = ["format_name", "with_format"]

C = TypeVar("C", bound=type)

_classes: dict[tuple[type, str], type] = {}
_lock = threading.Lock()


def format_name(item: Any) -> str:
    """The format a subscript names: a str (``"csv"``, ``".csv"``) or a TypeVar named after it."""
    if isinstance(item, TypeVar):
        item = item.__name__
    elif typing.get_origin(item) is typing.Annotated:  # flytekit's FileExt: Annotated[str, FileExt("csv")]
        item = str(typing.get_args(item)[1])
    if not isinstance(item, str):
        hint = ""
        if isinstance(item, types.ModuleType):  # File[csv]: an unquoted annotation found the module `csv`
            hint = (
                f"; an annotation File[{item.__name__}] names the module {item.__name__}: write "
                f"File[TypeVar({item.__name__!r})], or make an alias (CSVFile = File[{item.__name__!r}]) outside annotations"
            )
        raise TypeError(f"a file format is a str or a TypeVar named after it, e.g. File['csv']; got {item!r}{hint}")
    return item.strip().lstrip("~").lstrip(".")


def with_format(base: C, item: Any) -> C:
    """``base`` specialised to the format ``item``; the same class object for the same format.

    One class per format keeps ``File["csv"] is File["csv"]``, so dispatch
    caches and type comparisons see one type.
    """
    fmt = format_name(item)
    root: type = getattr(base, "_format_root", base)
    if not fmt:
        return root  # type: ignore[return-value]
    key = (root, fmt)
    cls = _classes.get(key)
    if cls is None:
        with _lock:
            cls = _classes.get(key)
            if cls is None:
                cls = type(
                    f"{root.__name__}[{fmt!r}]", (root,), {"format": fmt, "__module__": root.__module__, "_format_root": root}
                )
                cls.__qualname__ = f"{root.__qualname__}[{fmt!r}]"
                _classes[key] = cls
    return cls  # type: ignore[return-value]
