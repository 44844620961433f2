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

import functools
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, get_args, get_origin

from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import LiteralType
from typeflow.transformer import TransformContext

__all__ = ["Interface", "task", "workflow"]

F = TypeVar("F", bound=Callable[..., Any])
NoneType = type(None)


@dataclass(frozen=True)
class Interface:
    """Names and types of a task's inputs and outputs."""

    input_types: dict[str, Any]
    output_types: dict[str, Any]
    inputs: dict[str, LiteralType]
    outputs: dict[str, LiteralType]
    defaults: dict[str, Any]


def _output_types(return_type: Any) -> dict[str, Any]:
    if return_type is inspect.Signature.empty or return_type is None or return_type is NoneType:
        return {}
    if isinstance(return_type, type) and issubclass(return_type, tuple) and hasattr(return_type, "_fields"):
        hints = typing.get_type_hints(return_type, include_extras=True)
        return {name: hints.get(name, Any) for name in return_type._fields}
    if get_origin(return_type) is tuple:
        args = get_args(return_type)
        if args and args[-1] is not Ellipsis:
            return {f"o{i}": t for i, t in enumerate(args)}
    return {"o0": return_type}


class Task:
    """A function whose inputs and outputs cross a literal boundary on every call."""

    kind = "task"

    def __init__(self, fn: Callable[..., Any], storage: str | None = None) -> None:
        functools.update_wrapper(self, fn)
        self._fn = fn
        self._storage = storage
        self._interface: Interface | None = None

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
            outputs = _output_types(hints.get("return", inspect.Signature.empty))
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

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
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
        engine = ctx.engine
        inputs = engine.dict_to_literal_map(ctx, values, interface.input_types)
        native = engine.literal_map_to_kwargs(ctx, inputs, interface.input_types)
        result = self._fn(**native)
        outputs = interface.output_types
        if not outputs:
            if result is not None:
                raise TypeTransformerFailedError(f"{self.kind} {self.name} declares no output but returned {result!r}")
            return None
        names = list(outputs)
        if len(names) == 1:
            result_values = {names[0]: result}
        else:
            if not isinstance(result, tuple) or len(result) != len(names):
                raise TypeTransformerFailedError(f"{self.kind} {self.name} must return {len(names)} values", value=result)
            result_values = dict(zip(names, result))
        try:
            literal_outputs = engine.dict_to_literal_map(ctx, result_values, outputs)
        except TypeTransformerFailedError as exc:
            exc.reason = f"output of {self.kind} {self.name}: {exc.reason}"
            raise
        back = engine.literal_map_to_kwargs(ctx, literal_outputs, outputs)
        if len(names) == 1:
            return back[names[0]]
        return_type = typing.get_type_hints(self._fn, include_extras=True).get("return")
        ordered = tuple(back[n] for n in names)
        if isinstance(return_type, type) and hasattr(return_type, "_fields"):
            return return_type(*ordered)
        return ordered

    def __repr__(self) -> str:
        return f"<{self.kind} {self.name}>"


class Workflow(Task):
    """A function composing tasks; its own inputs and outputs cross the boundary too."""

    kind = "workflow"


def task(fn: F | None = None, *, storage: str | None = None) -> Any:
    """Make ``fn`` a task: ``@task`` or ``@task(storage="s3://bucket/prefix")``."""
    if fn is None:
        return lambda f: Task(f, storage=storage)
    return Task(fn, storage=storage)


def workflow(fn: F | None = None, *, storage: str | None = None) -> Any:
    """Make ``fn`` a workflow: ``@workflow``."""
    if fn is None:
        return lambda f: Workflow(f, storage=storage)
    return Workflow(fn, storage=storage)
