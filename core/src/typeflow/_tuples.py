"""Tuple values are refused, as in flytekit: a tuple is not a value in Flyte's type system."""

from __future__ import annotations

from typing import Any, NoReturn

from typeflow.errors import RestrictedTypeError

__all__ = ["TUPLE_REASON", "refuse_tuple_value"]

#: why tuples are refused
TUPLE_REASON = (
    "tuples are not values in Flyte's type system; return several outputs from a task "
    "(a Tuple or NamedTuple return annotation) or use a list or a dataclass"
)


def refuse_tuple_value(value: Any, python_type: Any) -> NoReturn:
    """Raise :class:`RestrictedTypeError` for a tuple (or NamedTuple) value declared as ``python_type``."""
    kind = "a NamedTuple" if hasattr(type(value), "_fields") else "a tuple"
    raise RestrictedTypeError(f"{kind} cannot be converted to a literal: {TUPLE_REASON}", python_type=python_type, value=value)
