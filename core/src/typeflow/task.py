"""``@task`` and ``@workflow``: a local function boundary that passes through literals.

Calling a decorated function converts every keyword argument to a literal and
back, calls the function, and does the same with its result, exactly as
values cross a task boundary: values are checked against the annotations, and
the caller never receives the very object the function returned.

    @task
    def greet(name: str) -> People:
        return People(name)

    greet(name="Foo")        # keyword arguments, as in flytekit
    greet.interface.outputs  # {"o0": LiteralType(...)}
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec, TypeVar, get_args, get_origin, overload

from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal, LiteralMap, LiteralType
from typeflow.transformer import TransformContext

__all__ = ["Interface", "task", "workflow"]

P = ParamSpec("P")
R = TypeVar("R")
NoneType = type(None)


@dataclass(frozen=True)
class Interface:
    """Names and types of a task's inputs and outputs."""

    input_types: dict[str, Any]
    output_types: dict[str, Any]
    inputs: dict[str, LiteralType]
    outputs: dict[str, LiteralType]
    defaults: dict[str, Any]


def _is_named_tuple(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, tuple) and hasattr(t, "_fields")


def _output_types(return_type: Any) -> dict[str, Any]:
    if return_type is inspect.Signature.empty or return_type is None or return_type is NoneType:
        return {}
    if _is_named_tuple(return_type):
        hints = typing.get_type_hints(return_type, include_extras=True)
        return {name: hints.get(name, Any) for name in return_type._fields}
    if get_origin(return_type) is tuple:
        args = get_args(return_type)
        if args and args[-1] is not Ellipsis:
            return {f"o{i}": t for i, t in enumerate(args)}
    return {"o0": return_type}


class Task(Generic[P, R]):
    """A function whose inputs and outputs cross a literal boundary on every call.

    Generic in the decorated function's parameters and result, so a type
    checker sees ``greet(name="Foo")`` as the function's own signature (a wrong
    argument type is flagged) and its result as the declared return type.
    """

    kind = "task"

    def __init__(self, fn: Callable[P, R], storage: str | None = None) -> None:
        functools.update_wrapper(self, fn)
        # called with converted keyword arguments only, which P cannot express
        self._fn: Callable[..., Any] = fn
        self._storage = storage
        self._interface: Interface | None = None
        self._return_type: Any = None

    @property
    def name(self) -> str:
        return f"{self._fn.__module__}.{self._fn.__qualname__}"

    def _hints(self) -> tuple[inspect.Signature, dict[str, Any]]:
        signature = inspect.signature(self._fn)
        try:
            hints = typing.get_type_hints(self._fn, include_extras=True)
        except Exception as exc:
            raise TypeTransformerFailedError(f"cannot resolve the annotations of {self.name}: {exc}") from exc
        return signature, hints

    @property
    def interface(self) -> Interface:
        """Python and literal types of every input and output (built once)."""
        if self._interface is None:
            from typeflow.engine import TypeEngine

            engine = TypeEngine.default()
            signature, hints = self._hints()
            inputs: dict[str, Any] = {}
            defaults: dict[str, Any] = {}
            for name, param in signature.parameters.items():
                if name not in hints:
                    raise TypeTransformerFailedError(
                        f"input {name!r} of {self.kind} {self.name} has no type annotation",
                        hint="annotate every input, e.g. def f(x: int) -> str",
                    )
                inputs[name] = hints[name]
                if param.default is not inspect.Parameter.empty:
                    defaults[name] = param.default
            self._return_type = hints.get("return", inspect.Signature.empty)
            outputs = _output_types(self._return_type)
            self._interface = Interface(
                input_types=inputs,
                output_types=outputs,
                inputs={n: engine.to_literal_type(t) for n, t in inputs.items()},
                outputs={n: engine.to_literal_type(t) for n, t in outputs.items()},
                defaults=defaults,
            )
        return self._interface

    def _context(self) -> TransformContext:
        from typeflow.engine import TypeEngine

        return TypeEngine.default().context(storage=self._storage)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if args:
            raise TypeError(f"{self.kind} {self.name} takes keyword arguments only, e.g. {self._fn.__name__}(name=...)")
        interface = self.interface
        unknown = [n for n in kwargs if n not in interface.input_types]
        if unknown:
            raise TypeError(f"{self.kind} {self.name} got unexpected input(s) {unknown}")
        values = {**interface.defaults, **kwargs}
        missing = [n for n in interface.input_types if n not in values]
        if missing:
            raise TypeError(f"{self.kind} {self.name} is missing input(s) {missing}")
        ctx = self._context()
        produced = _PRODUCED.get()
        token = _PRODUCED.set({}) if produced is None and self.kind == "workflow" else None
        try:
            result: R = self._run(ctx, values, interface, _PRODUCED.get())
            return result
        finally:
            if token is not None:
                _PRODUCED.reset(token)

    def _run(self, ctx: TransformContext, values: dict[str, Any], interface: Interface, produced: _Produced | None) -> Any:
        engine = ctx.engine
        inputs = _to_literal_map(ctx, values, interface.input_types, interface.inputs, produced)
        native = engine.literal_map_to_kwargs(ctx, inputs, interface.input_types)
        result = self._fn(**native)
        outputs = interface.output_types
        if not outputs:
            if result is not None:
                raise TypeTransformerFailedError(f"{self.kind} {self.name} declares no output but returned {result!r}")
            return None
        names = list(outputs)
        return_type = self._return_type  # resolved once, with the interface
        named = _is_named_tuple(return_type)  # even with one field: its fields are the outputs
        if len(names) == 1 and not named:
            result_values = {names[0]: result}
        else:
            if not isinstance(result, tuple) or len(result) != len(names):
                what = f"a {return_type.__qualname__} ({len(names)} field(s))" if named else f"{len(names)} values"
                raise TypeTransformerFailedError(f"{self.kind} {self.name} must return {what}", value=result)
            result_values = dict(zip(names, result))
        try:
            literal_outputs = _to_literal_map(ctx, result_values, outputs, interface.outputs, produced)
        except TypeTransformerFailedError as exc:
            exc.reason = f"output of {self.kind} {self.name}: {exc.reason}"
            raise
        back = engine.literal_map_to_kwargs(ctx, literal_outputs, outputs)
        if produced is not None:  # inside a workflow: remember which literal each output came from
            for name, value in back.items():
                produced[id(value)] = (value, literal_outputs.literals[name], interface.outputs[name])
        ordered = tuple(back[n] for n in names)
        if named:
            return return_type(*ordered)
        if len(names) == 1:
            return ordered[0]
        return ordered

    def __repr__(self) -> str:
        return f"<{self.kind} {self.name}>"


# Inside a workflow, each value a task returned, with the literal it crossed as: handing
# that very object to the next task (or returning it from the workflow) reuses the literal,
# as Flyte's promises do, instead of converting it again (no second set of pickle files).
_Produced = dict[int, tuple[Any, Literal, LiteralType]]
_PRODUCED: contextvars.ContextVar[_Produced | None] = contextvars.ContextVar("typeflow_workflow_outputs", default=None)


def _to_literal_map(
    ctx: TransformContext,
    values: dict[str, Any],
    python_types: dict[str, Any],
    literal_types: dict[str, LiteralType],
    produced: _Produced | None,
) -> LiteralMap:
    reused: dict[str, Literal] = {}
    if produced:
        for name, value in values.items():
            known = produced.get(id(value))
            if known is not None and known[0] is value and known[2] == literal_types[name]:
                reused[name] = known[1]
    fresh = {n: v for n, v in values.items() if n not in reused}
    converted = ctx.engine.dict_to_literal_map(ctx, fresh, python_types) if fresh else LiteralMap({})
    merged = {**converted.literals, **reused}
    return LiteralMap({name: merged[name] for name in values})


class Workflow(Task[P, R]):
    """A function composing tasks; its own inputs and outputs cross the boundary too."""

    kind = "workflow"


@overload
def task(fn: Callable[P, R], *, storage: str | None = None) -> Task[P, R]: ...
@overload
def task(fn: None = None, *, storage: str | None = None) -> Callable[[Callable[P, R]], Task[P, R]]: ...
def task(fn: Callable[P, R] | None = None, *, storage: str | None = None) -> Task[P, R] | Callable[[Callable[P, R]], Task[P, R]]:
    """Make ``fn`` a task: ``@task`` or ``@task(storage="s3://bucket/prefix")``.

    The result keeps ``fn``'s signature for type checkers (``ParamSpec``).
    """
    if fn is None:
        return lambda f: Task(f, storage=storage)
    return Task(fn, storage=storage)


@overload
def workflow(fn: Callable[P, R], *, storage: str | None = None) -> Workflow[P, R]: ...
@overload
def workflow(fn: None = None, *, storage: str | None = None) -> Callable[[Callable[P, R]], Workflow[P, R]]: ...
def workflow(
    fn: Callable[P, R] | None = None, *, storage: str | None = None
) -> Workflow[P, R] | Callable[[Callable[P, R]], Workflow[P, R]]:
    """Make ``fn`` a workflow: ``@workflow`` or ``@workflow(storage=...)``; keeps ``fn``'s signature for type checkers."""
    if fn is None:
        return lambda f: Workflow(f, storage=storage)
    return Workflow(fn, storage=storage)
