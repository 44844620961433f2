"""The typeflow exception hierarchy.

Every error typeflow raises for bad values, bad literals, bad bytes, broken
plugins or failing storage is a :class:`TypeflowError`. Messages say what went
wrong, where, and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "IODeadlineError",
    "LiteralDecodeError",
    "LiteralNotFoundError",
    "NoTransformerError",
    "PluginError",
    "ProfileError",
    "ReadBudgetError",
    "RestrictedTypeError",
    "StorageError",
    "TypeTransformerFailedError",
    "TypeflowError",
]


class TypeflowError(Exception):
    """Base of every error typeflow raises."""

    def __reduce__(self) -> Any:
        # keyword-only constructors: rebuild from the instance state, keeping the exact subclass
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[TypeflowError], args: tuple[Any, ...], state: dict[str, Any]) -> TypeflowError:
    error = cls.__new__(cls)
    BaseException.__init__(error, *args)
    error.__dict__.update(state)
    return error


def type_name(t: Any, qualified: bool = True) -> str:
    """A type as messages show it: ``mymodule.People``, ``int``, ``List[int]`` (``People`` unqualified)."""
    if isinstance(t, type):
        return t.__qualname__ if not qualified or t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
    return repr(t).replace("typing.", "")


def _short_repr(value: Any, limit: int = 80) -> str:
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class TypeTransformerFailedError(TypeflowError, TypeError, ValueError):
    """A value or literal could not be converted.

    Carries the location inside the value (``$.people[3].name``) so a bad
    element deep in a structure is easy to find. Containers add their segment
    with :meth:`at` while the error travels outwards.
    """

    def __init__(
        self,
        reason: str,
        *,
        python_type: Any = None,
        value: Any = ...,
        hint: str | None = None,
        path: Sequence[str] = (),
    ) -> None:
        self.reason = reason
        self.python_type = python_type
        self.value = value
        self.hint = hint
        self.path: tuple[str, ...] = tuple(path)
        super().__init__(reason)

    def at(self, segment: str) -> TypeTransformerFailedError:
        """Prefix ``segment`` (``[2]``, ``.name``, ``['key']``) to the path; returns self."""
        self.path = (segment, *self.path)
        return self

    @property
    def location(self) -> str:
        return "$" + "".join(self.path)

    def __str__(self) -> str:
        parts = []
        if self.path:
            parts.append(f"at {self.location}: ")
        parts.append(self.reason)
        if self.value is not ...:
            parts.append(f" (got {_short_repr(self.value)} of type {type_name(type(self.value))}")
            if self.python_type is not None:
                parts.append(f", expected {type_name(self.python_type)}")
            parts.append(")")
        elif self.python_type is not None:
            parts.append(f" (type {type_name(self.python_type)})")
        if self.hint:
            parts.append(f". {self.hint}")
        return "".join(parts)


class RestrictedTypeError(TypeTransformerFailedError):
    """A type that must never cross a task boundary was used as one."""


class NoTransformerError(TypeflowError, TypeError):
    """No transformer, plugin or fallback claims a Python type.

    The message names the fix: first the typeflow plugin made for the type's
    package when there is one and it is not installed (``typeflow-numpy`` for
    a numpy type), then registering a transformer or the pickle fallback,
    each with an install line that works where typeflow came from.
    """

    def __init__(self, python_type: Any, looked_at: Iterable[str] = ()) -> None:
        from typeflow.hints import fallback_hint, missing_plugin_hint

        self.python_type = python_type
        self.looked_at = tuple(looked_at)
        plugins = ", ".join(self.looked_at) if self.looked_at else "none matched"
        first = missing_plugin_hint(python_type)
        fixes = [f"{first[0].upper()}{first[1:]}." if first else "Install a plugin that handles it."]
        fixes.append(f"Or register a TypeTransformer with engine.register(...), or {fallback_hint()}")
        super().__init__(f"no transformer for type {type_name(python_type)} (plugins looked at: {plugins}). " + " ".join(fixes))


class LiteralDecodeError(TypeflowError, ValueError):
    """Bytes or a dict could not be decoded into a literal; says where."""

    def __init__(self, reason: str, *, where: str | None = None) -> None:
        self.reason = reason
        self.where = where
        super().__init__(f"{reason} (at {where})" if where else reason)


class ProfileError(TypeflowError, ValueError):
    """An unknown profile name (``engine.context(profile=...)`` or ``TYPEFLOW_PROFILE``)."""


class PluginError(TypeflowError):
    """A plugin failed to load, broke the hook contract, or conflicts with another.

    Names the entry point, the distribution and its version.
    """

    def __init__(
        self,
        message: str,
        *,
        plugin: str | None = None,
        distribution: str | None = None,
        version: str | None = None,
    ) -> None:
        self.plugin = plugin
        self.distribution = distribution
        self.version = version
        super().__init__(message)


class LiteralNotFoundError(TypeflowError, KeyError, ValueError):
    """A name a literal map does not hold was asked for (a ``KeyError``, and a ``ValueError`` as flytekit raises)."""

    def __init__(self, name: str, held: Iterable[str]) -> None:
        self.name = name
        self.held = tuple(held)
        super().__init__(f"{name!r} is not in this literal map; it holds {sorted(self.held)}")

    def __str__(self) -> str:  # KeyError would show the message quoted
        return str(self.args[0])


class StorageError(TypeflowError, OSError):
    """Reading or writing a blob failed; names the URI."""

    def __init__(self, message: str, *, uri: str | None = None) -> None:
        self.uri = uri
        super().__init__(f"{message}: {uri}" if uri else message)


class ReadBudgetError(StorageError):
    """A blob would decode to more than the context's read budget; names the budget and how to raise it."""

    def __init__(self, message: str, *, uri: str | None = None, budget: int = 0, needed: int | None = None) -> None:
        self.budget = budget
        self.needed = needed
        super().__init__(message, uri=uri)


class IODeadlineError(StorageError):
    """A remote read or write waited on its storage longer than the context's I/O deadline.

    Names the URI, the deadline (``.deadline``, seconds) and how to raise it
    (``engine.context(io_deadline=S)`` / ``TYPEFLOW_IO_DEADLINE``); see :mod:`typeflow.deadlines`.
    """

    def __init__(self, message: str, *, uri: str | None = None, deadline: float = 0.0) -> None:
        self.deadline = deadline
        super().__init__(message, uri=uri)
