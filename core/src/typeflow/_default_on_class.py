"""``TypeEngine.to_literal_type(t)`` on the class means the default engine; on an instance, that engine.

flytekit code calls its engine's methods on the class (``TypeEngine.register(...)``,
``TypeEngine.to_literal(ctx, ...)``). typeflow keeps all state on engine instances,
so such a call is routed to :meth:`TypeEngine.default`, while ``engine.method(...)``
keeps meaning that engine.

:class:`default_on_class` gives type checkers the method's own signature
(``ParamSpec``), which cannot carry overloads. The conversions whose result is
of the expected type (``to_python_value``, ``async_to_python_value``) use
:class:`to_python_value_method` / :class:`async_to_python_value_method`
instead: the same descriptor, bound to a signature overloaded on that type.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, cast, overload

if TYPE_CHECKING:
    from typeflow.literals import Literal
    from typeflow.transformer import TransformContext

__all__ = [
    "AsyncToPythonValue",
    "ToPythonValue",
    "async_to_python_value_method",
    "default_on_class",
    "to_python_value_method",
]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
E = TypeVar("E", bound="_HasDefault")


class _HasDefault(Protocol):
    __dict__: dict[str, object]

    @classmethod
    def default(cls: type[E]) -> E: ...


class _Binder:
    """The runtime half: bind to ``cls.default()`` on the class, to the instance (cached in its dict) otherwise."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.__name__: str = fn.__name__
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    def _bind(self, instance: Any, owner: Any) -> Any:
        if instance is None:
            assert owner is not None
            return self.fn.__get__(owner.default(), owner)
        bound = self.fn.__get__(instance, owner)
        # a non-data descriptor yields to the instance dict: later lookups on this engine cost a dict hit
        instance.__dict__[self.__name__] = bound
        return bound

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {getattr(self.fn, '__qualname__', self.fn)!r}>"


class default_on_class(_Binder, Generic[E, P, R]):
    """A method that, looked up on the class, is bound to ``cls.default()``."""

    def __init__(self, fn: Callable[Concatenate[E, P], R]) -> None:
        super().__init__(fn)

    @overload
    def __get__(self, instance: None, owner: type[E]) -> Callable[P, R]: ...

    @overload
    def __get__(self, instance: E, owner: type[E] | None = None) -> Callable[P, R]: ...

    def __get__(self, instance: E | None, owner: type[E] | None = None) -> Callable[P, R]:
        return cast("Callable[P, R]", self._bind(instance, owner))


class ToPythonValue(Protocol):
    """``to_python_value(ctx, lv, expected_python_type)``: a value of the expected type.

    For a class or a generic alias (``People``, ``list[int]``) the result is of
    that type; for special forms (``Optional[int]``, ``Annotated[...]``) it is ``Any``.
    """

    @overload
    def __call__(self, ctx: TransformContext, lv: Literal, expected_python_type: type[T]) -> T: ...
    @overload
    def __call__(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any: ...


class AsyncToPythonValue(Protocol):
    """``await async_to_python_value(ctx, lv, expected_python_type)``: typed as :class:`ToPythonValue`."""

    @overload
    def __call__(self, ctx: TransformContext, lv: Literal, expected_python_type: type[T]) -> Awaitable[T]: ...
    @overload
    def __call__(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Awaitable[Any]: ...


class to_python_value_method(_Binder):
    """:class:`default_on_class` for ``to_python_value``: bound, it is a :class:`ToPythonValue`."""

    def __init__(self, fn: Callable[[Any, TransformContext, Literal, Any], Any]) -> None:
        super().__init__(fn)

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> ToPythonValue: ...

    @overload
    def __get__(self, instance: object, owner: type[Any] | None = None) -> ToPythonValue: ...

    def __get__(self, instance: object | None, owner: type[Any] | None = None) -> ToPythonValue:
        return cast(ToPythonValue, self._bind(instance, owner))


class async_to_python_value_method(_Binder):
    """:class:`default_on_class` for ``async_to_python_value``: bound, it is an :class:`AsyncToPythonValue`."""

    def __init__(self, fn: Callable[[Any, TransformContext, Literal, Any], Awaitable[Any]]) -> None:
        super().__init__(fn)

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> AsyncToPythonValue: ...

    @overload
    def __get__(self, instance: object, owner: type[Any] | None = None) -> AsyncToPythonValue: ...

    def __get__(self, instance: object | None, owner: type[Any] | None = None) -> AsyncToPythonValue:
        return cast(AsyncToPythonValue, self._bind(instance, owner))
