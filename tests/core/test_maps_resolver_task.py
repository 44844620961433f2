"""Map conversions, LiteralsResolver, and the @task / @workflow boundary."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Dict, List, NamedTuple, Optional, Union

import pytest

from typeflow import LiteralsResolver, TransformContext, TypeEngine, TypeTransformer, task, workflow
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal, LiteralMap, LiteralType, Primitive, Scalar, SimpleType


@dataclasses.dataclass
class People:
    name: str
    friends: List[str] = dataclasses.field(default_factory=list)


HINTS = {"n": int, "names": List[str], "who": People, "maybe": Optional[float]}
VALUES = {"n": 3, "names": ["a", "b"], "who": People("x", ["y"]), "maybe": None}


def test_dict_to_literal_map_and_back(ctx: TransformContext) -> None:
    lm = ctx.engine.dict_to_literal_map(ctx, VALUES, HINTS)
    assert isinstance(lm, LiteralMap) and set(lm.literals) == set(VALUES)
    assert ctx.engine.literal_map_to_kwargs(ctx, lm, HINTS) == VALUES


def test_async_map_conversions(ctx: TransformContext) -> None:
    async def go() -> dict[str, object]:
        lm = await ctx.engine.async_dict_to_literal_map(ctx, VALUES, HINTS)
        return await ctx.engine.async_literal_map_to_kwargs(ctx, lm, HINTS)

    assert asyncio.run(go()) == VALUES


def test_sync_map_api_works_inside_a_running_loop(ctx: TransformContext) -> None:
    async def go() -> dict[str, object]:
        lm = ctx.engine.dict_to_literal_map(ctx, VALUES, HINTS)
        return ctx.engine.literal_map_to_kwargs(ctx, lm, HINTS)

    assert asyncio.run(go()) == VALUES


def test_map_errors_name_the_entry(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.dict_to_literal_map(ctx, {"n": 1, "names": ["a", 2]}, HINTS)
    assert info.value.location == "$.names[1]"
    lm = ctx.engine.dict_to_literal_map(ctx, {"n": 1}, HINTS)
    with pytest.raises(TypeTransformerFailedError, match="no Python type"):
        ctx.engine.literal_map_to_kwargs(ctx, lm, {"other": int})


def test_literals_resolver_converts_lazily_and_caches(ctx: TransformContext) -> None:
    lm = ctx.engine.dict_to_literal_map(ctx, VALUES, HINTS)
    resolver = LiteralsResolver(lm, {n: ctx.engine.to_literal_type(t) for n, t in HINTS.items()}, ctx)
    assert resolver.native_values == {}
    assert resolver.get("names") == ["a", "b"]
    assert resolver.get("n") == 3
    who = resolver.get("who", People)
    assert who == People("x", ["y"]) and resolver.get("who", People) is who
    assert resolver["n"] == 3 and resolver.get_literal("n") == lm.literals["n"] and len(resolver) == 4
    untyped = LiteralsResolver(lm.literals, ctx=ctx)
    assert untyped.get("names") == ["a", "b"] and untyped.get("n") == 3
    with pytest.raises(KeyError, match="holds"):
        resolver.get("missing")


def test_literals_resolver_without_types_reads_the_variant_a_union_literal_holds(ctx: TransformContext) -> None:
    values = {"n": 3, "none": None, "s": "a", "xs": [1, 2], "who": People("x", ["y"]), "nested": 4}
    hints = {
        "n": Optional[int],
        "none": Optional[int],
        "s": Union[int, str],
        "xs": Optional[List[int]],
        "who": Optional[People],
        "nested": Optional[Union[int, str]],
    }
    lm = ctx.engine.dict_to_literal_map(ctx, values, hints)
    assert all(lv.scalar is not None and lv.scalar.union is not None for lv in lm.literals.values())
    untyped = LiteralsResolver(lm.literals, ctx=ctx)
    got = {name: untyped.get(name) for name in values}
    assert {k: v for k, v in got.items() if k != "who"} == {k: v for k, v in values.items() if k != "who"}
    assert dataclasses.asdict(got["who"]) == {"name": "x", "friends": ["y"]}  # a dataclass rebuilt from the schema
    typed = LiteralsResolver(lm, {n: ctx.engine.to_literal_type(t) for n, t in hints.items()}, ctx)
    assert typed.get("s") == "a" and typed.get("none") is None


class Pair(NamedTuple):
    total: int
    label: str


@task
def greet(name: str) -> People:
    return People(name)


@task
def befriend(person: People, friends: List[str]) -> People:
    person.friends.extend(friends)
    return person


@task
def split(words: List[str], upper: bool = False) -> Pair:
    return Pair(len(words), " ".join(w.upper() if upper else w for w in words))


@workflow
def welcome(name: str) -> People:
    return befriend(person=greet(name=name), friends=["ana"])


def test_task_marshals_inputs_and_outputs_through_literals() -> None:
    original = People("bo")

    @task
    def identity(p: People) -> People:
        assert p is not original and p == original
        return p

    out = identity(p=original)
    assert out == original and out is not original


def test_workflow_calls_tasks_and_returns_a_fresh_object() -> None:
    assert welcome(name="Foo") == People("Foo", ["ana"])


def test_named_tuple_outputs_and_defaults() -> None:
    assert split(words=["a", "b"]) == Pair(2, "a b")
    assert split(words=["a"], upper=True).label == "A"
    assert set(split.interface.outputs) == {"total", "label"}
    assert split.interface.defaults == {"upper": False}


def test_interface_exposes_literal_types() -> None:
    assert set(greet.interface.inputs) == {"name"} and set(greet.interface.outputs) == {"o0"}
    assert greet.interface.outputs["o0"].metadata["title"] == "People"  # type: ignore[index]


def test_task_checks_values_against_annotations() -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"\$\.name"):
        greet(name=3)

    @task
    def broken(n: int) -> Dict[str, int]:
        return {"a": "not an int"}  # type: ignore[dict-item]

    with pytest.raises(TypeTransformerFailedError, match="output of task"):
        broken(n=1)


def test_task_takes_keyword_arguments_only() -> None:
    with pytest.raises(TypeError, match="keyword arguments only"):
        greet("x")
    with pytest.raises(TypeError, match="missing input"):
        greet()


CONVERSIONS: list[str] = []


class Counted:
    def __init__(self, n: int) -> None:
        self.n = n


class CountingTransformer(TypeTransformer[Counted]):
    def __init__(self) -> None:
        super().__init__("Counted", Counted)

    def get_literal_type(self, t: object) -> LiteralType:
        return LiteralType(simple=SimpleType.INTEGER)

    def to_literal(self, ctx: TransformContext, python_val: Counted, python_type: object, expected: object) -> Literal:
        CONVERSIONS.append("to_literal")
        return Literal(scalar=Scalar(primitive=Primitive(integer=python_val.n)))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: object) -> Counted:
        return Counted(lv.scalar.primitive.integer)  # type: ignore[union-attr,arg-type]


@task
def make(n: int) -> Counted:
    return Counted(n)


@task
def bump(c: Counted) -> Counted:
    return Counted(c.n + 1)


@workflow
def flow(n: int) -> Counted:
    return bump(c=make(n=n))


@workflow
def changes_it(n: int) -> Counted:
    made = make(n=n)
    return Counted(made.n * 10)  # a new object: converted at the workflow boundary


def test_a_workflow_reuses_the_literal_a_task_produced_instead_of_converting_again() -> None:
    TypeEngine.default().register(CountingTransformer(), override=True)
    CONVERSIONS.clear()
    assert flow(n=1).n == 2
    # make's and bump's outputs are each converted once; passing make's result to bump and
    # returning bump's result from the workflow reuse those literals
    assert CONVERSIONS == ["to_literal", "to_literal"]
    CONVERSIONS.clear()
    assert changes_it(n=2).n == 20 and CONVERSIONS == ["to_literal", "to_literal"]


def test_a_context_names_its_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    from typeflow.errors import ProfileError

    engine = TypeEngine()
    monkeypatch.delenv("TYPEFLOW_PROFILE", raising=False)
    assert engine.context().profile == "typeflow"
    assert engine.context(profile="flytekit-1.13").profile == "flytekit-1.13"
    with pytest.raises(ProfileError, match=r"'flytekit-2'.*'flytekit-1\.16'"):
        engine.context(profile="flytekit-2")
    monkeypatch.setenv("TYPEFLOW_PROFILE", "flytekit-1.16")
    assert engine.context().profile == "flytekit-1.16"
    monkeypatch.setenv("TYPEFLOW_PROFILE", "nope")
    with pytest.raises(ProfileError, match="TYPEFLOW_PROFILE 'nope'"):
        engine.context()
