"""Cross-reads with flytekit 1.16's pydantic transformer, from golden data flytekit produced.

``golden/flytekit_1_16.json`` was made by ``golden/make_flytekit_golden.py`` (its
docstring says how to regenerate it) in an env with flytekit 1.16 and this
plugin installed. That script checked both directions live: typeflow reads
flytekit's literal, and flytekit reads typeflow's. Here, without flytekit, we
check that typeflow still reads flytekit's bytes, and still writes exactly the
bytes flytekit was shown to read, with the literal type flytekit writes.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from typeflow import TransformContext
from typeflow.literals import Binary, Literal, Scalar

from . import samples

GOLDEN = json.loads((Path(__file__).parent / "golden" / "flytekit_1_16.json").read_text())
TYPES = {"Order": (samples.Order, samples.orders), "Aliased": (samples.Aliased, samples.aliased)}


def _floats(obj: Any) -> Any:
    """A protobuf Struct holds numbers as doubles: compare schemas with ints as floats."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, (int, float)):
        return float(obj)
    if isinstance(obj, dict):
        return {k: _floats(v) for k, v in obj.items()}
    return [_floats(v) for v in obj]


def _case(rec: dict[str, Any]) -> tuple[Any, Any]:
    python_type, values = TYPES[rec["type"]]
    return python_type, values()[rec["index"]]


RECORDS = GOLDEN["records"]


def test_the_golden_file_was_made_by_flytekit_1_16() -> None:
    assert GOLDEN["flytekit"].startswith("1.16.")
    assert {r["type"] for r in RECORDS} == set(TYPES)


@pytest.mark.parametrize("rec", RECORDS, ids=[r["name"] for r in RECORDS])
def test_typeflow_reads_what_flytekit_wrote(ctx: TransformContext, rec: dict[str, Any]) -> None:
    python_type, value = _case(rec)
    lv = Literal(scalar=Scalar(binary=Binary(base64.b64decode(rec["binary"]), rec["tag"])))
    assert ctx.engine.to_python_value(ctx, lv, python_type) == value


@pytest.mark.parametrize("rec", RECORDS, ids=[r["name"] for r in RECORDS])
def test_typeflow_writes_the_bytes_flytekit_read(ctx: TransformContext, rec: dict[str, Any]) -> None:
    python_type, value = _case(rec)
    lv = ctx.engine.to_literal(ctx, value, python_type)
    assert lv.scalar is not None and lv.scalar.binary is not None
    assert lv.scalar.binary.tag == rec["tag"] == "msgpack"
    assert lv.scalar.binary.value == base64.b64decode(rec["typeflow_binary_read_by_flytekit"])
    if rec["flytekit_reads_own"]:  # no aliases: both write the very same bytes
        assert lv.scalar.binary.value == base64.b64decode(rec["binary"])


@pytest.mark.parametrize("rec", RECORDS, ids=[r["name"] for r in RECORDS])
def test_the_literal_type_is_flytekits(ctx: TransformContext, rec: dict[str, Any]) -> None:
    python_type, _ = _case(rec)
    lt = ctx.engine.to_literal_type(python_type)
    assert _floats(lt.metadata) == _floats(rec["metadata"])
    assert lt.annotation == rec["annotation"]


_SIMPLE_NAMES = {"INTEGER", "FLOAT", "STRING", "BOOLEAN", "DATETIME", "DURATION", "STRUCT"}


@pytest.mark.parametrize("rec", RECORDS, ids=[r["name"] for r in RECORDS])
def test_the_field_literal_types_are_flytekits(ctx: TransformContext, rec: dict[str, Any]) -> None:
    # structure.dataclass_type, checked in full against flytekit in the flyteidl env; here: the fields typed and
    # their simple types. flytekit types a UUID field as a pickle: without typeflow-pickle, typeflow leaves it out,
    # as flytekit leaves out a field it cannot type
    python_type, _ = _case(rec)
    lt = ctx.engine.to_literal_type(python_type)
    assert lt.structure is not None and lt.structure.tag == ""
    ours = dict(lt.structure.dataclass_type or {})
    theirs = rec["dataclass_type"]
    pickled = {name for name, t in theirs.items() if t.get("blob", {}).get("format") == "PythonPickle"}
    assert set(ours) == set(theirs) - pickled
    for name, field_type in ours.items():
        if theirs[name].get("simple") in _SIMPLE_NAMES:
            assert field_type.simple is not None and field_type.simple.name == theirs[name]["simple"], name
