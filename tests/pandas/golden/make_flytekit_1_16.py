"""Write ``flytekit_1_16.json``: what flytekit 1.16 makes of DataFrames and StructuredDataset handles.

The pandas tests compare typeflow's literal types and handle metadata with
these, field by field. Regenerate with flytekit 1.16 installed (the
``bench-flytekit`` tox env has it):

    tox -e bench-flytekit
    .tox/bench-flytekit/bin/python tests/pandas/golden/make_flytekit_1_16.py

Each entry is flyteidl's JSON form (``MessageToDict``) of a flytekit
``LiteralType``, or of the ``StructuredDatasetMetadata`` a literal or a
handle carries (URIs vary from run to run and are left out).
"""

from __future__ import annotations

import json
import sys
import tempfile
import typing
from pathlib import Path
from typing import Annotated, Any

import flytekit
import pandas as pd
from flytekit import FlyteContextManager, kwtypes
from flytekit.core.type_engine import TypeEngine
from flytekit.types.structured.structured_dataset import StructuredDataset
from google.protobuf.json_format import MessageToDict

HERE = Path(__file__).resolve().parent


def _dict(model: Any) -> Any:
    return MessageToDict(model.to_flyte_idl())


def main() -> int:
    ctx = FlyteContextManager.current_context()
    frame = pd.DataFrame({"name": ["a", "b"], "age": [1, 2]})
    types = {
        "pd.DataFrame": pd.DataFrame,
        "Annotated[pd.DataFrame, kwtypes(name=str, age=int)]": Annotated[pd.DataFrame, kwtypes(name=str, age=int)],
        'Annotated[pd.DataFrame, "csv"]': Annotated[pd.DataFrame, "csv"],
        "StructuredDataset": StructuredDataset,
        'Annotated[StructuredDataset, kwtypes(age=int), "csv"]': Annotated[StructuredDataset, kwtypes(age=int), "csv"],
        "Optional[pd.DataFrame]": typing.Optional[pd.DataFrame],
    }
    literal_types = {name: _dict(TypeEngine.to_literal_type(t)) for name, t in types.items()}

    def written_metadata(value: Any, t: Any) -> Any:
        lv = TypeEngine.to_literal(ctx, value, t, TypeEngine.to_literal_type(t))
        return _dict(lv.scalar.structured_dataset.metadata)

    with tempfile.TemporaryDirectory() as tmp:
        existing = f"{tmp}/existing.parquet"
        frame.to_parquet(existing)
        declared = Annotated[StructuredDataset, kwtypes(age=int), "csv"]
        literal_metadata = {
            "pd.DataFrame value": written_metadata(frame, pd.DataFrame),
            "StructuredDataset(uri=existing) as StructuredDataset": written_metadata(
                StructuredDataset(uri=existing), StructuredDataset
            ),
            'StructuredDataset(uri=existing, file_format="parquet") as StructuredDataset': written_metadata(
                StructuredDataset(uri=existing, file_format="parquet"), StructuredDataset
            ),
            'StructuredDataset(uri=existing, file_format="parquet") as Annotated[StructuredDataset, kwtypes(age=int), "csv"]': (
                written_metadata(StructuredDataset(uri=existing, file_format="parquet"), declared)
            ),
        }
        two_columns = Annotated[pd.DataFrame, kwtypes(name=str, age=int)]
        lv = TypeEngine.to_literal(ctx, frame, two_columns, TypeEngine.to_literal_type(two_columns))
        handles = {}
        for name, t in {
            "StructuredDataset": StructuredDataset,
            "Annotated[StructuredDataset, kwtypes(age=int)]": Annotated[StructuredDataset, kwtypes(age=int)],
        }.items():
            handle = TypeEngine.to_python_value(ctx, lv, t)
            handles[f"a two-column literal read as {name}"] = {
                "metadata": _dict(handle.metadata),
                "file_format": handle.file_format,
            }
        first, second = (TypeEngine.to_python_value(ctx, lv, StructuredDataset) for _ in range(2))
        handles["handles of one literal compare equal"] = first == second
        handles["StructuredDataset(uri=u).file_format"] = StructuredDataset(uri=lv.scalar.structured_dataset.uri).file_format
    golden = {
        "flytekit": flytekit.__version__,
        "literal_types": literal_types,
        "literal_metadata": literal_metadata,
        "handles": handles,
    }
    (HERE / "flytekit_1_16.json").write_text(json.dumps(golden, indent=2, sort_keys=True) + "\n")
    print(f"wrote {HERE / 'flytekit_1_16.json'} from flytekit {flytekit.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
