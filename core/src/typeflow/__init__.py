"""typeflow: convert Python values to typed, portable literals and back.

    >>> import typeflow
    >>> lv = typeflow.to_literal([1, 2, 3], list[int])
    >>> typeflow.to_python_value(lv, list[int])
    [1, 2, 3]

Importing typeflow loads no plugin and nothing heavy; the engine, plugins and
storage are set up on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, overload

from typeflow.errors import (
    LiteralDecodeError,
    NoTransformerError,
    PluginError,
    RestrictedTypeError,
    StorageError,
    TypeflowError,
    TypeTransformerFailedError,
)
from typeflow.transformer import AsyncTypeTransformer, HashMethod, TransformContext, TypeTransformer

if TYPE_CHECKING:
    from typeflow import wire
    from typeflow.batching import BatchSize
    from typeflow.engine import TypeEngine
    from typeflow.hookspecs import hookimpl
    from typeflow.literals import Literal, LiteralType
    from typeflow.resolver import LiteralsResolver
    from typeflow.task import task, workflow

__version__ = "0.1.0"

__all__ = [
    "AsyncTypeTransformer",
    "BatchSize",
    "HashMethod",
    "LiteralDecodeError",
    "LiteralsResolver",
    "NoTransformerError",
    "PluginError",
    "RestrictedTypeError",
    "StorageError",
    "TransformContext",
    "TypeEngine",
    "TypeTransformer",
    "TypeTransformerFailedError",
    "TypeflowError",
    "__version__",
    "guess_python_type",
    "hookimpl",
    "task",
    "to_literal",
    "to_literal_type",
    "to_python_value",
    "wire",
    "workflow",
]

# name -> module that defines it; imported on first access so `import typeflow` stays light
_LAZY = {
    "BatchSize": "typeflow.batching",
    "TypeEngine": "typeflow.engine",
    "hookimpl": "typeflow.hookspecs",
    "LiteralsResolver": "typeflow.resolver",
    "task": "typeflow.task",
    "workflow": "typeflow.task",
    "wire": None,
    "literals": None,
    "types": None,
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'typeflow' has no attribute {name!r}")
    import importlib

    module_name = _LAZY[name]
    if module_name is None:
        value: Any = importlib.import_module(f"typeflow.{name}")
    else:
        value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def _context(ctx: TransformContext | None) -> TransformContext:
    if ctx is not None:
        return ctx
    from typeflow.engine import TypeEngine

    return TypeEngine.default().context()


def to_literal_type(python_type: Any) -> LiteralType:
    """The literal type of ``python_type``, on the default engine."""
    from typeflow.engine import TypeEngine

    return TypeEngine.default().to_literal_type(python_type)


def to_literal(python_val: Any, python_type: Any, ctx: TransformContext | None = None) -> Literal:
    """Convert a value to a literal on the default engine (default storage unless ``ctx`` is given)."""
    ctx = _context(ctx)
    return ctx.engine.to_literal(ctx, python_val, python_type)


_T = TypeVar("_T")


@overload
def to_python_value(lv: Literal, python_type: type[_T], ctx: TransformContext | None = None) -> _T: ...
@overload
def to_python_value(lv: Literal, python_type: Any, ctx: TransformContext | None = None) -> Any: ...
def to_python_value(lv: Literal, python_type: Any, ctx: TransformContext | None = None) -> Any:
    """Convert a literal back to a value of ``python_type`` on the default engine.

    For type checkers the result is of ``python_type`` when it is a class or a
    generic alias (``People``, ``list[int]``, ``dict[str, float]``); for special
    forms (``Optional[int]``, ``Annotated[...]``) it is ``Any``.
    """
    ctx = _context(ctx)
    return ctx.engine.to_python_value(ctx, lv, python_type)


def guess_python_type(literal_type: LiteralType) -> Any:
    """A Python type for ``literal_type``, on the default engine."""
    from typeflow.engine import TypeEngine

    return TypeEngine.default().guess_python_type(literal_type)
