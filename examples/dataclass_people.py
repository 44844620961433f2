"""Flyte's greet/welcome example with a dataclass instead of a pickled class.

Every call crosses a task boundary: inputs and outputs become typed literals
(a dataclass becomes msgpack with a JSON Schema) and come back as new objects.

    python examples/dataclass_people.py
"""

from __future__ import annotations

from dataclasses import dataclass, field

import typeflow
from typeflow import task, workflow


@dataclass
class People:
    name: str
    friends: list[str] = field(default_factory=list)


@task
def greet(name: str) -> People:
    return People(name)


@workflow
def welcome(name: str) -> People:
    return greet(name=name)


@task
def greet_all(names: list[str]) -> list[People]:
    return [People(name) for name in names]


@workflow
def welcome_all(names: list[str]) -> list[People]:
    return greet_all(names=names)


if __name__ == "__main__":
    print(welcome(name="Foo"))
    print(welcome_all(names=["f", "o", "o"]))
    lt = typeflow.to_literal_type(People)
    assert lt.simple is not None and lt.metadata is not None
    print(f"People crosses as {lt.simple.name} with a JSON Schema of fields {sorted(lt.metadata['properties'])}")
    lv = typeflow.to_literal(People("Ada", ["Grace"]), People)
    print(f"one People literal is {len(typeflow.wire.dumps(lv))} bytes on the wire")
