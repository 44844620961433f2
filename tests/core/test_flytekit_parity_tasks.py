"""A task returning a one-field NamedTuple, as flytekit's test_type_hints has it.

Sources: ``tests/flytekit/unit/core/test_type_engine.py`` and ``test_literals_resolver.py``; each test
names its source.
"""

import enum
from typing import NamedTuple

import pytest

from typeflow import task, workflow
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import LiteralType, SimpleType


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


# ---------------------------------------------------------------- a one-field NamedTuple output


class MyOutput(NamedTuple):
    ref: str


@task
def produce_things() -> MyOutput:
    return MyOutput(ref="ref")


@workflow
def run_things() -> MyOutput:
    return produce_things()


def test_ref_as_key_name() -> None:
    """flytekit test_type_hints: test_ref_as_key_name (a one-field NamedTuple output stays a NamedTuple)."""
    out = produce_things()
    assert isinstance(out, MyOutput) and out.ref == "ref"
    assert run_things().ref == "ref"
    assert set(produce_things.interface.outputs) == {"ref"}
    assert produce_things.interface.outputs["ref"] == LiteralType(simple=SimpleType.STRING)


def test_a_one_field_named_tuple_output_checks_its_field() -> None:
    @task
    def wrong() -> MyOutput:
        return MyOutput(ref=3)  # type: ignore[arg-type]

    with pytest.raises(TypeTransformerFailedError, match=r"\$\.ref"):
        wrong()

    @task
    def not_a_tuple() -> MyOutput:
        return "ref"  # type: ignore[return-value]

    with pytest.raises(TypeTransformerFailedError, match="MyOutput"):
        not_a_tuple()
