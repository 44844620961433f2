"""LiteralsResolver as flytekit's: ``lr[name]`` converts, get_literal, as_python_native, typed errors.

Sources: ``tests/flytekit/unit/core/test_type_engine.py`` and ``test_literals_resolver.py``; each test
names its source.
"""

import enum
import typing
from dataclasses import dataclass
from typing import Any

import pytest

from typeflow import LiteralsResolver, TransformContext, TypeEngine, task
from typeflow.errors import TypeflowError, TypeTransformerFailedError
from typeflow.literals import Literal, LiteralCollection, LiteralMap, LiteralType, Primitive, Scalar, SimpleType


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


# ---------------------------------------------------------------- LiteralsResolver


def _lm() -> dict[str, Literal]:
    return {
        "my_map": Literal(
            map=LiteralMap(
                {
                    "k1": Literal(scalar=Scalar(primitive=Primitive(string_value="v1"))),
                    "k2": Literal(scalar=Scalar(primitive=Primitive(string_value="2"))),
                }
            )
        ),
        "my_list": Literal(
            collection=LiteralCollection([Literal(scalar=Scalar(primitive=Primitive(integer=i))) for i in (1, 2, 3)])
        ),
        "val_a": Literal(scalar=Scalar(primitive=Primitive(integer=21828))),
    }


def _variable_map() -> dict[str, LiteralType]:
    return {
        "my_map": TypeEngine.to_literal_type(typing.Dict[str, str]),
        "my_list": TypeEngine.to_literal_type(typing.List[int]),
        "val_a": TypeEngine.to_literal_type(int),
    }


@pytest.mark.parametrize(
    ("name", "python_type", "expected"),
    [("my_list", typing.List[int], [1, 2, 3]), ("my_map", typing.Dict[str, str], {"k1": "v1", "k2": "2"})],
)
def test_literals_resolver(name: str, python_type: Any, expected: Any) -> None:
    """flytekit test_literals_resolver: test_literals_resolver."""
    lr = LiteralsResolver({"a": _lm()[name]})
    assert lr.get("a", python_type) == expected


def test_literals_resolver_interface(ctx: TransformContext) -> None:
    """flytekit test_literals_resolver: test_interface (without the DataFrame)."""
    lm = _lm()
    lr = LiteralsResolver(lm, variable_map=_variable_map(), ctx=ctx)
    with pytest.raises(TypeflowError):
        lr["not"]
    with pytest.raises(ValueError):  # flytekit raises ValueError
        lr["not"]
    with pytest.raises(KeyError):  # and it is still a Mapping
        lr["not"]
    with pytest.raises(TypeflowError):
        lr.get_literal("not")
    with pytest.raises(TypeflowError):
        lr.get("not")
    assert "not" not in lr and "my_list" in lr

    assert lr["my_list"] == [1, 2, 3]  # [] converts, guessing from the literal type
    assert lr.get("my_map") == {"k1": "v1", "k2": "2"}
    assert lr.get_literal("my_list") is lm["my_list"]
    assert lr["my_list"] is lr["my_list"]  # converted once
    assert dict(lr.items()) == {"my_map": {"k1": "v1", "k2": "2"}, "my_list": [1, 2, 3], "val_a": 21828}
    assert lr.literals["val_a"] is lm["val_a"]


def test_a_variable_map_of_python_types_is_refused_at_construction() -> None:
    with pytest.raises(TypeTransformerFailedError, match="LiteralType") as info:
        LiteralsResolver(_lm(), variable_map={"val_a": int})  # type: ignore[dict-item]
    assert "update_type_hints" in str(info.value) and "val_a" in str(info.value)


def test_get_python_native() -> None:
    """flytekit test_literals_resolver: test_get_python_native."""

    @task
    def outputs() -> typing.Tuple[typing.Dict[str, str], typing.List[int], int]:
        return {}, [], 0

    lr = LiteralsResolver(_lm(), variable_map=_variable_map())
    python_types = {"my_map": typing.Dict[str, str], "my_list": typing.List[int], "val_a": int}
    assert lr.as_python_native(python_types) == ({"k1": "v1", "k2": "2"}, [1, 2, 3], 21828)
    renamed = LiteralsResolver({f"o{i}": lm for i, lm in enumerate(_lm().values())})
    assert renamed.as_python_native(outputs.interface) == ({"k1": "v1", "k2": "2"}, [1, 2, 3], 21828)
    single = LiteralsResolver({"val_a": _lm()["val_a"]})
    assert single.as_python_native({"val_a": int}) == 21828
    assert LiteralsResolver({}).as_python_native({}) is None


def test_get_python_native_without_a_variable_map_uses_the_interfaces_types() -> None:
    """flytekit test_literals_resolver: test_get_python_native_vm (flytekit insists on a variable map)."""
    lr = LiteralsResolver(_lm())
    python_types = {"my_map": typing.Dict[str, str], "my_list": typing.List[int], "val_a": int}
    assert lr.as_python_native(python_types) == ({"k1": "v1", "k2": "2"}, [1, 2, 3], 21828)
    with pytest.raises(TypeflowError, match="my_list"):
        lr.as_python_native({"my_map": typing.Dict[str, str], "val_a": int})


def test_guess_of_dataclass(ctx: TransformContext) -> None:
    """flytekit: test_guess_of_dataclass."""

    @dataclass
    class Foo:
        x: int
        y: str
        z: typing.Dict[str, int]

        def hello(self) -> None: ...

    foo = Foo(1, "hello", {"world": 3})
    lv = ctx.engine.to_literal(ctx, foo, Foo, ctx.engine.to_literal_type(Foo))
    lr = LiteralsResolver({"a": lv}, ctx=ctx)
    assert lr.get("a", Foo) == foo
    assert hasattr(lr.get("a", Foo), "hello") is True


def test_resolver_conversion_errors_are_typeflow_errors(ctx: TransformContext) -> None:
    lr = LiteralsResolver({"a": Literal(scalar=Scalar(primitive=Primitive(string_value="x")))}, ctx=ctx)
    with pytest.raises(TypeflowError):
        lr.get("a", int)
    broken = LiteralsResolver({"a": Literal(scalar=Scalar(generic={"x": 1}))}, {"a": LiteralType(simple=SimpleType.ERROR)}, ctx)
    with pytest.raises(TypeflowError):
        broken["a"]
