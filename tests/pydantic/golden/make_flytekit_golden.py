"""Regenerate flytekit_1_16.json: what flytekit 1.16 writes for the sample models, and what it reads of typeflow's.

Run it with a Python that has flytekit 1.16, pydantic 2 and typeflow-pydantic installed:

    uv venv -p python3.11 /tmp/fk && uv pip install --python /tmp/fk/bin/python "flytekit>=1.16,<1.17" "pydantic>=2.11"
    /tmp/fk/bin/python tools/install_local.py core plugins/pydantic
    /tmp/fk/bin/python tests/pydantic/golden/make_flytekit_golden.py

For each sample value it records what flytekit's PydanticTransformer wrote (the
msgpack bytes, the literal type's JSON Schema, annotation and
``structure.dataclass_type``, and the serialised flyteidl ``Literal`` and
``LiteralType``), checks that typeflow reads flytekit's literal back as the
value, checks that flytekit reads typeflow's literal back as the value, and
records typeflow's bytes that flytekit read. ``test_flytekit_golden.py``
then checks, without flytekit, that typeflow still reads flytekit's bytes and
still writes the bytes flytekit was shown to read.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent.parent))  # the checkout root, for tests.pydantic.samples

import flytekit  # noqa: E402
import pydantic  # noqa: E402
from flytekit.core.context_manager import FlyteContextManager  # noqa: E402
from flytekit.core.type_engine import TypeEngine  # noqa: E402
from flytekit.models.literals import Binary, Literal, Scalar  # noqa: E402
from google.protobuf.json_format import MessageToDict  # noqa: E402

import typeflow  # noqa: E402
from tests.pydantic import samples  # noqa: E402
from typeflow import literals as tl  # noqa: E402


def record(name: str, value: pydantic.BaseModel, python_type: type[pydantic.BaseModel]) -> dict[str, object]:
    ctx = FlyteContextManager.current_context()
    lt = TypeEngine.to_literal_type(python_type)
    lv = TypeEngine.to_literal(ctx, value, python_type, lt)
    try:
        flytekit_reads_own = TypeEngine.to_python_value(ctx, lv, python_type) == value
    except Exception:  # flytekit writes field names but validates by alias: it cannot read its own aliased models
        flytekit_reads_own = False

    engine = typeflow.TypeEngine()
    tf_ctx = engine.context(storage=str(HERE / ".storage"))
    fk_literal = tl.Literal(scalar=tl.Scalar(binary=tl.Binary(lv.scalar.binary.value, lv.scalar.binary.tag)))
    assert engine.to_python_value(tf_ctx, fk_literal, python_type) == value, f"typeflow does not read flytekit's {name}"
    ours = engine.to_literal(tf_ctx, value, python_type).scalar.binary
    theirs = Literal(scalar=Scalar(binary=Binary(value=ours.value, tag=ours.tag)))
    assert TypeEngine.to_python_value(ctx, theirs, python_type) == value, f"flytekit does not read typeflow's {name}"

    lt_pb = lt.to_flyte_idl()
    return {
        "name": name,
        "type": python_type.__name__,
        "binary": base64.b64encode(lv.scalar.binary.value).decode(),
        "tag": lv.scalar.binary.tag,
        "flytekit_reads_own": flytekit_reads_own,
        "typeflow_binary_read_by_flytekit": base64.b64encode(ours.value).decode(),
        "metadata": MessageToDict(lt_pb.metadata),
        "annotation": MessageToDict(lt_pb.annotation.annotations),
        "dataclass_type": {k: MessageToDict(v) for k, v in lt_pb.structure.dataclass_type.items()},
        "literal_pb": base64.b64encode(lv.to_flyte_idl().SerializeToString()).decode(),
        "literal_type_pb": base64.b64encode(lt_pb.SerializeToString()).decode(),
    }


def main() -> None:
    out = []
    for i, order in enumerate(samples.orders()):
        out.append({**record(f"order-{i}", order, samples.Order), "index": i})
    for i, value in enumerate(samples.aliased()):
        out.append({**record(f"aliased-{i}", value, samples.Aliased), "index": i})
    doc = {"flytekit": flytekit.__version__, "pydantic": pydantic.VERSION, "records": out}
    (HERE / "flytekit_1_16.json").write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(out)} records with flytekit {flytekit.__version__}, pydantic {pydantic.VERSION}")


if __name__ == "__main__":
    main()
