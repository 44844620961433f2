"""Cross-reads with flytekit 1.16's ProtobufTransformer, from golden data flytekit produced.

``golden/flytekit_1_16.json`` was made by ``golden/make_flytekit_golden.py`` (its
docstring says how to regenerate it) in an env with flytekit 1.16 and this
plugin installed; that script checked live that typeflow reads flytekit's
literals and flytekit reads typeflow's. Here, without flytekit, we check that
typeflow still reads what flytekit wrote, still writes the same literal and
literal type, and that the messages flytekit cannot store are the ones
typeflow stores as primitives.

Until the typeflow-flyteidl bridge is installed in this env, flytekit's
literals are read from flyteidl's JSON form with the small decoder below,
which knows only the shapes the protobuf transformer writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from typeflow import TransformContext
from typeflow.literals import Literal, LiteralCollection, Primitive, Scalar, SimpleType, Void

from .samples import SAMPLES

GOLDEN = json.loads((Path(__file__).parent / "golden" / "flytekit_1_16.json").read_text())
RECORDS = {r["name"]: r for r in GOLDEN["records"]}
STORED = [n for n, r in RECORDS.items() if "literal" in r]
_PRIMITIVES = {"floatValue": "float_value", "stringValue": "string_value", "boolean": "boolean", "integer": "integer"}


def from_flyteidl_json(d: dict[str, Any]) -> Literal:
    """A flyteidl ``Literal`` in its JSON form (``MessageToDict``) → typeflow, for the transformer's shapes."""
    if "collection" in d:
        return Literal(collection=LiteralCollection(tuple(from_flyteidl_json(x) for x in d["collection"].get("literals", []))))
    scalar = d["scalar"]
    if "generic" in scalar:
        return Literal(scalar=Scalar(generic=scalar["generic"]))
    if "noneType" in scalar:
        return Literal(scalar=Scalar(none_type=Void()))
    ((kind, value),) = scalar["primitive"].items()
    return Literal(scalar=Scalar(primitive=Primitive(**{_PRIMITIVES[kind]: value})))


def test_the_golden_file_was_made_by_flytekit_1_16() -> None:
    assert GOLDEN["flytekit"].startswith("1.16.")
    assert set(RECORDS) == set(SAMPLES)


@pytest.mark.parametrize("name", STORED)
def test_typeflow_reads_what_flytekit_wrote(ctx: TransformContext, name: str) -> None:
    cls, make = SAMPLES[name]
    assert ctx.engine.to_python_value(ctx, from_flyteidl_json(RECORDS[name]["literal"]), cls) == make()


@pytest.mark.parametrize("name", STORED)
def test_typeflow_writes_the_literal_flytekit_writes(ctx: TransformContext, name: str) -> None:
    cls, make = SAMPLES[name]
    assert ctx.engine.to_literal(ctx, make(), cls) == from_flyteidl_json(RECORDS[name]["literal"])
    if RECORDS[name].get("flytekit_reads_own") is True:
        assert RECORDS[name]["flytekit_reads_typeflow"] is True


@pytest.mark.parametrize("name", STORED)
def test_the_literal_type_is_flytekits(ctx: TransformContext, name: str) -> None:
    cls, _ = SAMPLES[name]
    lt = ctx.engine.to_literal_type(cls)
    assert lt.simple == SimpleType.STRUCT and RECORDS[name]["literal_type"]["simple"] == "STRUCT"
    assert lt.metadata == RECORDS[name]["literal_type"]["metadata"]


def test_flytekit_cannot_store_timestamps_or_durations_and_typeflow_stores_primitives(ctx: TransformContext) -> None:
    for name, simple in (("timestamp", SimpleType.DATETIME), ("duration", SimpleType.DURATION)):
        assert "Failed to convert" in RECORDS[name]["flytekit_error"]
        cls, _ = SAMPLES[name]
        lt = ctx.engine.to_literal_type(cls)
        assert lt.simple == simple
        assert lt.metadata == RECORDS[name]["literal_type"]["metadata"]  # the same pb_type
