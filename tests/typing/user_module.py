"""A user's module written from the README: mypy --strict must accept it, and see the types below.

Checked by test_typed_api.py (not imported by pytest: it has no tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Optional, assert_type

import typeflow
from typeflow import LiteralsResolver, TypeEngine, task, workflow
from typeflow.literals import Literal, LiteralMap


@dataclass
class People:
    name: str
    friends: list[str] = field(default_factory=list)


@task
def greet(name: str) -> People:
    return People(name)


@task(storage="/tmp/typeflow-typing")
def count(people: list[People], minimum: int = 0) -> int:
    return max(len(people), minimum)


class Split(NamedTuple):
    first: str
    rest: list[str]


@task
def split(names: list[str]) -> Split:
    return Split(names[0], names[1:])


@workflow
def welcome(name: str) -> People:
    return greet(name=name)


def use() -> None:
    assert_type(welcome(name="Foo"), People)
    assert_type(greet(name="Foo").friends, list[str])
    assert_type(count(people=[People("a")]), int)
    assert_type(split(names=["a", "b"]).rest, list[str])

    lv = typeflow.to_literal({"a": [1, 2]}, dict[str, list[int]])
    assert_type(lv, Literal)
    assert_type(typeflow.to_python_value(lv, dict[str, list[int]]), dict[str, list[int]])
    assert_type(typeflow.to_python_value(typeflow.to_literal(People("x"), People), People), People)
    maybe = typeflow.to_python_value(typeflow.to_literal(None, Optional[int]), Optional[int])
    print(maybe)  # a special form: Any, not an error

    engine = TypeEngine.default()
    ctx = engine.context()
    assert_type(engine.to_python_value(ctx, lv, dict[str, list[int]]), dict[str, list[int]])
    assert_type(TypeEngine.to_python_value(ctx, lv, dict[str, list[int]]), dict[str, list[int]])
    assert_type(engine.to_python_value(ctx, typeflow.to_literal(People("x"), People), People), People)
    assert_type(engine.to_python_value(ctx=ctx, lv=lv, expected_python_type=People).friends, list[str])
    print(engine.to_python_value(ctx, lv, Optional[int]))  # a special form: Any
    lm = engine.dict_to_literal_map(ctx, {"n": 3}, {"n": int})
    assert_type(lm, LiteralMap)
    resolver = LiteralsResolver(lm.literals)
    assert_type(resolver.get("n", int), int)
    data = typeflow.wire.dumps(lv)
    assert_type(data, bytes)


async def use_async() -> None:
    engine = TypeEngine()
    ctx = engine.context()
    lv = await engine.async_to_literal(ctx, [1, 2], list[int])
    assert_type(await engine.async_to_python_value(ctx, lv, list[int]), list[int])
    assert_type(await TypeEngine.async_to_python_value(ctx, lv, People), People)
