"""Named values to a :class:`LiteralMap` and back: the map conversions of :class:`~typeflow.engine.TypeEngine`.

Each entry converts on its own; an error names the entry (``$.people[3]``).
When some type has an asynchronous transformer, the entries are awaited
together (the sync API runs that on a worker thread inside a running loop).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from typeflow._aio import run_sync
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import LiteralMap
from typeflow.transformer import TransformContext

if TYPE_CHECKING:
    from typeflow.engine import TypeEngine

__all__ = ["async_dict_to_literal_map", "async_literal_map_to_kwargs", "dict_to_literal_map", "literal_map_to_kwargs"]


def _has_async(engine: TypeEngine, python_types: Mapping[str, Any]) -> bool:
    return any(engine._plan(t).transformer.is_async for t in python_types.values())


def dict_to_literal_map(
    engine: TypeEngine, ctx: TransformContext, values: Mapping[str, Any], type_hints: Mapping[str, Any]
) -> LiteralMap:
    """Convert named values (``{"x": 1}``) with their types (``{"x": int}``) to a :class:`LiteralMap`."""
    hints = _hints_for(values, type_hints)
    if _has_async(engine, hints):
        return run_sync(async_dict_to_literal_map(engine, ctx, values, hints))
    out = {}
    for name, value in values.items():
        try:
            out[name] = engine.to_literal(ctx, value, hints[name])
        except TypeTransformerFailedError as exc:
            raise exc.at(_segment(name)) from exc.__cause__
    return LiteralMap(out)


async def async_dict_to_literal_map(
    engine: TypeEngine, ctx: TransformContext, values: Mapping[str, Any], type_hints: Mapping[str, Any]
) -> LiteralMap:
    """Like :meth:`dict_to_literal_map`, awaiting asynchronous transformers together."""
    import asyncio

    hints = _hints_for(values, type_hints)
    names = list(values)
    results = await asyncio.gather(*(engine.async_to_literal(ctx, values[n], hints[n]) for n in names), return_exceptions=True)
    return LiteralMap(dict(zip(names, _raise_first(names, results))))


def literal_map_to_kwargs(
    engine: TypeEngine, ctx: TransformContext, lm: LiteralMap, python_types: Mapping[str, Any]
) -> dict[str, Any]:
    """Convert a :class:`LiteralMap` to keyword arguments of the given types."""
    _check_names(lm, python_types)
    if _has_async(engine, python_types):
        return run_sync(async_literal_map_to_kwargs(engine, ctx, lm, python_types))
    out = {}
    for name, t in python_types.items():
        if name not in lm.literals:
            continue
        try:
            out[name] = engine.to_python_value(ctx, lm.literals[name], t)
        except TypeTransformerFailedError as exc:
            raise exc.at(_segment(name)) from exc.__cause__
    return out


async def async_literal_map_to_kwargs(
    engine: TypeEngine, ctx: TransformContext, lm: LiteralMap, python_types: Mapping[str, Any]
) -> dict[str, Any]:
    """Like :meth:`literal_map_to_kwargs`, awaiting asynchronous transformers together."""
    import asyncio

    _check_names(lm, python_types)
    names = [n for n in python_types if n in lm.literals]
    results = await asyncio.gather(
        *(engine.async_to_python_value(ctx, lm.literals[n], python_types[n]) for n in names), return_exceptions=True
    )
    return dict(zip(names, _raise_first(names, results)))


def _segment(name: str) -> str:
    return f".{name}" if name.isidentifier() else f"[{name!r}]"


def _hints_for(values: Mapping[str, Any], type_hints: Mapping[str, Any]) -> Mapping[str, Any]:
    missing = [n for n in values if n not in type_hints]
    if missing:
        raise TypeTransformerFailedError(f"no type given for {missing}", hint="pass a type hint for every value")
    return type_hints


def _check_names(lm: LiteralMap, python_types: Mapping[str, Any]) -> None:
    if not isinstance(lm, LiteralMap):
        raise TypeTransformerFailedError("expected a LiteralMap", value=lm)
    unexpected = [n for n in lm.literals if n not in python_types]
    if unexpected:
        raise TypeTransformerFailedError(
            f"literal map holds {unexpected}, which have no Python type", hint="pass a type for every entry"
        )


def _raise_first(names: list[str], results: list[Any]) -> list[Any]:
    for name, result in zip(names, results):
        if isinstance(result, TypeTransformerFailedError):
            raise result.at(_segment(name))
        if isinstance(result, BaseException):
            raise result
    return results
