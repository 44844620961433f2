"""Regenerate flytekit_1_16.json: what flytekit 1.16's ProtobufTransformer writes for the sample messages.

Run it with a Python that has flytekit 1.16 and typeflow-protobuf installed:

    uv venv -p python3.11 /tmp/fk && uv pip install --python /tmp/fk/bin/python "flytekit>=1.16,<1.17"
    /tmp/fk/bin/python tools/install_local.py core plugins/protobuf
    /tmp/fk/bin/python tests/protobuf/golden/make_flytekit_golden.py

For each sample it records flytekit's literal type (its ``metadata``) and
literal, as flyteidl's JSON form and as serialised flyteidl messages, or the
error flytekit raised writing it. It checks live, where flytekit can do it,
that typeflow reads flytekit's literal and that flytekit reads typeflow's.
``test_flytekit_golden.py`` then checks, without flytekit, that typeflow still
reads flytekit's literals and still writes the same ones.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent.parent))  # the checkout root, for tests.protobuf.samples

import flytekit  # noqa: E402
import google.protobuf  # noqa: E402
from flytekit.core.context_manager import FlyteContextManager  # noqa: E402
from flytekit.core.type_engine import TypeEngine  # noqa: E402
from flytekit.models.literals import Literal, Scalar  # noqa: E402
from google.protobuf import struct_pb2  # noqa: E402
from google.protobuf.json_format import MessageToDict  # noqa: E402

import typeflow  # noqa: E402
from tests.protobuf.samples import SAMPLES  # noqa: E402
from typeflow import literals as tl  # noqa: E402


def record(name: str, cls: Any, value: Any) -> dict[str, Any]:
    ctx = FlyteContextManager.current_context()
    engine = typeflow.TypeEngine()
    tf_ctx = engine.context(storage=str(HERE / ".storage"))
    lt = TypeEngine.to_literal_type(cls)
    out: dict[str, Any] = {"name": name, "literal_type": MessageToDict(lt.to_flyte_idl())}
    try:
        lv = TypeEngine.to_literal(ctx, value, cls, lt)
    except Exception as exc:  # flytekit cannot store messages whose JSON form is not an object
        out["flytekit_error"] = f"{type(exc).__name__}: {exc}"
        return out
    out["literal"] = MessageToDict(lv.to_flyte_idl())
    out["literal_pb"] = base64.b64encode(lv.to_flyte_idl().SerializeToString()).decode()
    try:
        out["flytekit_reads_own"] = TypeEngine.to_python_value(ctx, lv, cls) == value
    except Exception as exc:  # flytekit writes a ListValue as a collection, which it cannot read back
        out["flytekit_reads_own"] = f"{type(exc).__name__}: {exc}"
    ours = engine.to_literal(tf_ctx, value, cls)
    if lv.scalar is not None and lv.scalar.generic is not None:
        theirs = tl.Literal(scalar=tl.Scalar(generic=MessageToDict(lv.scalar.generic)))
        assert engine.to_python_value(tf_ctx, theirs, cls) == value, f"typeflow does not read flytekit's {name}"
        assert ours.scalar is not None and ours.scalar.generic is not None
        struct = struct_pb2.Struct()
        struct.update(ours.scalar.generic)
        flytekit_reads = TypeEngine.to_python_value(ctx, Literal(scalar=Scalar(generic=struct)), cls)
        assert flytekit_reads == value, f"flytekit does not read typeflow's {name}"
        out["flytekit_reads_typeflow"] = True
    return out


def main() -> None:
    records = [record(name, cls, make()) for name, (cls, make) in SAMPLES.items()]
    doc = {"flytekit": flytekit.__version__, "protobuf": google.protobuf.__version__, "records": records}
    (HERE / "flytekit_1_16.json").write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(records)} records with flytekit {flytekit.__version__}, protobuf {google.protobuf.__version__}")


if __name__ == "__main__":
    main()
