"""pydantic's validation errors as typeflow errors, keeping pydantic's location as the path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from typeflow.errors import TypeTransformerFailedError

__all__ = ["location_path", "validation_failed"]

_SHOWN = 3  # errors listed in one message; the rest are counted


def location_path(loc: Sequence[int | str]) -> tuple[str, ...]:
    """pydantic's ``('items', 1, 'n')`` as typeflow path segments ``('.items', '[1]', '.n')``."""
    segments = []
    for part in loc:
        if isinstance(part, int):
            segments.append(f"[{part}]")
        elif part.isidentifier():
            segments.append(f".{part}")
        else:  # a dict key, or a union/tagged-union branch name such as "function-after[...]"
            segments.append(f"[{part!r}]")
    return tuple(segments)


def _where(loc: Sequence[int | str]) -> str:
    return "$" + "".join(location_path(loc))


def validation_failed(exc: ValidationError, python_type: Any, *, reading: str) -> TypeTransformerFailedError:
    """A :class:`TypeTransformerFailedError` at the first error's location, with pydantic's messages.

    ``reading`` says what was being validated ("the stored record", "the JSON struct").
    """
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:  # pydantic always reports at least one; be safe with a plain message
        return TypeTransformerFailedError(f"{reading} fails validation: {exc}", python_type=python_type)
    first = errors[0]
    reason = f"{reading} fails validation: {first['msg']} [{first['type']}]"
    others = [f"{_where(e['loc'])}: {e['msg']}" for e in errors[1:_SHOWN]]
    if others:
        reason += "; also " + "; ".join(others)
    if len(errors) > _SHOWN:
        reason += f"; and {len(errors) - _SHOWN} more"
    name = getattr(python_type, "__qualname__", repr(python_type))
    return TypeTransformerFailedError(
        reason,
        python_type=python_type,
        path=location_path(first["loc"]),
        hint=f"the record does not fit the model {name} as it is defined now; read it with the model version that "
        "wrote it, or give the changed fields defaults so older records still validate",
    )
