"""``TypeEngine.to_literal_type(t)`` on the class means the default engine; on an instance, that engine.

flytekit code calls its engine's methods on the class (``TypeEngine.register(...)``,
``TypeEngine.to_literal(ctx, ...)``). typeflow keeps all state on engine instances,
so such a call is routed to :meth:`TypeEngine.default`, while ``engine.method(...)``
keeps meaning that engine.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, Generic, ParamSpec, Protocol, TypeVar, overload

__all__ = ["default_on_class"]

P = ParamSpec("P")
R = TypeVar("R")
E = TypeVar("E", bound="_HasDefault")


class _HasDefault(Protocol):
    __dict__: dict[str, object]

    @classmethod
    def default(cls: type[E]) -> E: ...


class default_on_class(Generic[E, P, R]):
    """A method that, looked up on the class, is bound to ``cls.default()``."""

    def __init__(self, fn: Callable[Concatenate[E, P], R]) -> None:
        self.fn = fn
        self.__name__: str = fn.__name__
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    @overload
    def __get__(self, instance: None, owner: type[E]) -> Callable[P, R]: ...

    @overload
    def __get__(self, instance: E, owner: type[E] | None = None) -> Callable[P, R]: ...

    def __get__(self, instance: E | None, owner: type[E] | None = None) -> Callable[P, R]:
        if instance is None:
            assert owner is not None
            return self.fn.__get__(owner.default(), owner)  # type: ignore[no-any-return]
        bound: Callable[P, R] = self.fn.__get__(instance, owner)
        # a non-data descriptor yields to the instance dict: later lookups on this engine cost a dict hit
        instance.__dict__[self.__name__] = bound
        return bound

    def __repr__(self) -> str:
        return f"<default_on_class {getattr(self.fn, '__qualname__', self.fn)!r}>"
