"""Cross-reads with flytekit 1.16, live: pydantic models and protobuf messages through real flyteidl messages.

flytekit writes a literal, typeflow-flyteidl turns flytekit's flyteidl message
into typeflow's literal, and typeflow-pydantic / typeflow-protobuf read it;
and the reverse: typeflow writes, flytekit reads what ``to_flyteidl`` made.
(The pydantic and protobuf envs check the same against golden data. Collected
only with flytekit 1.16: see conftest.py.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import pytest
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.type_engine import TypeEngine as FlytekitEngine
from flytekit.models.literals import Literal as FlytekitLiteral

import typeflow
from typeflow_flyteidl import from_flyteidl, to_flyteidl

from ..protobuf.samples import SAMPLES as MESSAGES
from ..pydantic import samples as models

MODELS: dict[str, tuple[Any, Any]] = {
    **{f"order-{i}": (models.Order, v) for i, v in enumerate(models.orders())},
    "item": (models.Item, models.Item(n=3, label="x")),
    "optional-order": (Optional[models.Order], models.orders()[1]),
    "optional-none": (Optional[models.Order], None),
    "list-of-orders": (list[models.Order], models.orders()),
    "dict-of-items": (dict[str, models.Item], {"a": models.Item(n=1), "b": models.Item(n=2)}),
}
# flytekit stores these messages; Timestamp and Duration it cannot (see the protobuf env's golden test)
STORED_MESSAGES = {n: v for n, v in MESSAGES.items() if n not in ("timestamp", "duration")}
# flytekit writes a ListValue as a collection, which its own reader refuses
FLYTEKIT_READS = {n for n in STORED_MESSAGES if n != "list-value"}


@pytest.fixture
def tf_ctx(tmp_path: Path) -> typeflow.TransformContext:
    return typeflow.TypeEngine().context(storage=str(tmp_path / "storage"))


def flytekit_writes(value: Any, python_type: Any) -> Any:
    ctx = FlyteContextManager.current_context()
    return FlytekitEngine.to_literal(ctx, value, python_type, FlytekitEngine.to_literal_type(python_type)).to_flyte_idl()


def flytekit_reads(pb: Any, python_type: Any) -> Any:
    ctx = FlyteContextManager.current_context()
    return FlytekitEngine.to_python_value(ctx, FlytekitLiteral.from_flyte_idl(pb), python_type)


@pytest.mark.parametrize("name", MODELS)
def test_typeflow_reads_flytekits_pydantic_literal(tf_ctx: typeflow.TransformContext, name: str) -> None:
    python_type, value = MODELS[name]
    lv = from_flyteidl(flytekit_writes(value, python_type))
    assert tf_ctx.engine.to_python_value(tf_ctx, lv, python_type) == value


@pytest.mark.parametrize("name", MODELS)
def test_flytekit_reads_typeflows_pydantic_literal(tf_ctx: typeflow.TransformContext, name: str) -> None:
    python_type, value = MODELS[name]
    pb = to_flyteidl(tf_ctx.engine.to_literal(tf_ctx, value, python_type))
    assert flytekit_reads(pb, python_type) == value


@pytest.mark.parametrize("name", [n for n in MODELS if not n.startswith("optional")])
def test_pydantic_literals_are_the_ones_flytekit_writes(tf_ctx: typeflow.TransformContext, name: str) -> None:
    python_type, value = MODELS[name]
    ours = tf_ctx.engine.to_literal(tf_ctx, value, python_type)
    assert ours == from_flyteidl(flytekit_writes(value, python_type))


def test_an_aliased_model_written_by_typeflow_is_read_by_flytekit(tf_ctx: typeflow.TransformContext) -> None:
    # flytekit writes field names but validates by alias, so it cannot read its own aliased models;
    # typeflow writes by alias (flytekit reads it) and reads both
    (value,) = models.aliased()
    pb = to_flyteidl(tf_ctx.engine.to_literal(tf_ctx, value, models.Aliased))
    assert flytekit_reads(pb, models.Aliased) == value
    assert tf_ctx.engine.to_python_value(tf_ctx, from_flyteidl(flytekit_writes(value, models.Aliased)), models.Aliased) == value


@pytest.mark.parametrize("python_type", [models.Order, models.Item, models.Aliased, Optional[models.Order], list[models.Item]])
def test_the_pydantic_literal_type_is_flytekits(tf_ctx: typeflow.TransformContext, python_type: Any) -> None:
    # schema, annotation and structure.dataclass_type (the fields' literal types; a UUID field is a pickle on both sides)
    theirs = from_flyteidl(FlytekitEngine.to_literal_type(python_type).to_flyte_idl())
    assert tf_ctx.engine.to_literal_type(python_type) == theirs


@pytest.mark.parametrize("name", STORED_MESSAGES)
def test_typeflow_reads_flytekits_protobuf_literal(tf_ctx: typeflow.TransformContext, name: str) -> None:
    cls, make = STORED_MESSAGES[name]
    lv = from_flyteidl(flytekit_writes(make(), cls))
    assert tf_ctx.engine.to_python_value(tf_ctx, lv, cls) == make()


@pytest.mark.parametrize("name", sorted(FLYTEKIT_READS))
def test_flytekit_reads_typeflows_protobuf_literal(tf_ctx: typeflow.TransformContext, name: str) -> None:
    cls, make = STORED_MESSAGES[name]
    pb = to_flyteidl(tf_ctx.engine.to_literal(tf_ctx, make(), cls))
    assert flytekit_reads(pb, cls) == make()


@pytest.mark.parametrize("name", STORED_MESSAGES)
def test_protobuf_literals_and_types_are_the_ones_flytekit_writes(tf_ctx: typeflow.TransformContext, name: str) -> None:
    cls, make = STORED_MESSAGES[name]
    assert tf_ctx.engine.to_literal(tf_ctx, make(), cls) == from_flyteidl(flytekit_writes(make(), cls))
    assert tf_ctx.engine.to_literal_type(cls) == from_flyteidl(FlytekitEngine.to_literal_type(cls).to_flyte_idl())


def test_file_fields_cross_read_with_flytekits_flytefile_fields(tf_ctx: typeflow.TransformContext, tmp_path: Path) -> None:
    # both write a file field of a model as {"path": uri} inside the msgpack record
    from flytekit.types.file import FlyteFile
    from pydantic import BaseModel, ConfigDict

    from typeflow.types import File

    class FlytekitReport(BaseModel):
        name: str
        doc: FlyteFile

    class TypeflowReport(BaseModel):
        model_config = ConfigDict(arbitrary_types_allowed=True)
        name: str
        doc: File

    source = tmp_path / "report.txt"
    source.write_text("the report")

    ours = tf_ctx.engine.to_literal(tf_ctx, TypeflowReport(name="t", doc=File(str(source))), TypeflowReport)
    theirs = flytekit_reads(to_flyteidl(ours), FlytekitReport)
    assert theirs.name == "t"
    with open(theirs.doc) as f:
        assert f.read() == "the report"

    written = from_flyteidl(flytekit_writes(FlytekitReport(name="f", doc=FlyteFile(str(source))), FlytekitReport))
    back = tf_ctx.engine.to_python_value(tf_ctx, written, TypeflowReport)
    assert back.name == "f" and Path(back.doc).read_text() == "the report"
