"""Mistakes a type checker must flag in a user's module (each line below is an expected mypy error)."""

from __future__ import annotations

from typeflow import TypeEngine, task, workflow
from typeflow.literals import Literal


@task
def greet(name: str) -> str:
    return name


@workflow
def welcome(times: int) -> str:
    return greet(name="x") * times


def use() -> None:
    greet(name=3)  # expect: arg-type
    greet(nam="Foo")  # expect: call-arg
    welcome(times="2")  # expect: arg-type
    length: int = greet(name="Foo")  # expect: assignment
    print(length)


async def convert(lv: Literal) -> None:
    engine = TypeEngine()
    ctx = engine.context()
    count: int = engine.to_python_value(ctx, lv, str)  # expect: assignment
    name: str = TypeEngine.to_python_value(ctx, lv, list[int])  # expect: assignment
    raw = await engine.async_to_python_value(ctx, lv, bytes)
    text: str = raw  # expect: assignment
    engine.to_python_value(ctx, "not a literal", int)  # expect: call-overload
    engine.to_python_value(lv, ctx, int)  # expect: call-overload
    print(count, name, text)
