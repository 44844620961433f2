"""Mistakes a type checker must flag in a user's module (each line below is an expected mypy error)."""

from __future__ import annotations

from typeflow import task, workflow


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
