"""DataFrames and handles take the forms flytekit 1.16 gives them.

``golden/flytekit_1_16.json`` was written by flytekit 1.16 itself
(``golden/make_flytekit_1_16.py`` says how to regenerate it); each test
converts the same declarations with typeflow and compares flyteidl's JSON form
of the result with flytekit's, field by field.
"""

from __future__ import annotations

import json
import pickle
from collections import OrderedDict
from pathlib import Path
from typing import Annotated, Any, Optional

import pandas as pd
import pytest

from typeflow import TransformContext
from typeflow.literals import LiteralType, StructuredDatasetMetadata, StructuredDatasetType
from typeflow_pandas import Columns, Format, StructuredDataset

GOLDEN = json.loads((Path(__file__).parent / "golden" / "flytekit_1_16.json").read_text())


def idl_type(lt: LiteralType) -> dict[str, Any]:
    """flyteidl's JSON form (``MessageToDict``: default values left out) of the literal types used here."""
    out: dict[str, Any] = {}
    if lt.simple is not None:
        out["simple"] = lt.simple.name
    if lt.structured_dataset_type is not None:
        out["structuredDatasetType"] = idl_dataset_type(lt.structured_dataset_type)
    if lt.union_type is not None:
        out["unionType"] = {"variants": [idl_type(v) for v in lt.union_type.variants]}
    if lt.structure is not None and lt.structure.tag:
        out["structure"] = {"tag": lt.structure.tag}
    return out


def idl_dataset_type(sdt: StructuredDatasetType) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if sdt.columns:
        out["columns"] = [{"name": c.name, "literalType": idl_type(c.literal_type)} for c in sdt.columns]
    if sdt.format:
        out["format"] = sdt.format
    if sdt.external_schema_type:
        out["externalSchemaType"] = sdt.external_schema_type
    return out


def idl_metadata(metadata: StructuredDatasetMetadata | None) -> dict[str, Any]:
    assert metadata is not None
    return {"structuredDatasetType": idl_dataset_type(metadata.structured_dataset_type)}


TYPES = {
    "pd.DataFrame": pd.DataFrame,
    "Annotated[pd.DataFrame, kwtypes(name=str, age=int)]": Annotated[pd.DataFrame, Columns(name=str, age=int)],
    'Annotated[pd.DataFrame, "csv"]': Annotated[pd.DataFrame, Format("csv")],
    "StructuredDataset": StructuredDataset,
    'Annotated[StructuredDataset, kwtypes(age=int), "csv"]': Annotated[StructuredDataset, Columns(age=int), Format("csv")],
}


@pytest.mark.parametrize("name", list(TYPES))
def test_literal_types_match_flytekit(ctx: TransformContext, name: str) -> None:
    assert idl_type(ctx.engine.to_literal_type(TYPES[name])) == GOLDEN["literal_types"][name]


def test_a_plain_dataframe_has_a_generic_format_and_no_columns_as_in_flytekit(ctx: TransformContext) -> None:
    lt = ctx.engine.to_literal_type(pd.DataFrame)
    assert lt == LiteralType(structured_dataset_type=StructuredDatasetType())
    assert GOLDEN["literal_types"]["pd.DataFrame"] == {"structuredDatasetType": {}}


def test_flytekits_own_spellings_give_the_same_literal_types(ctx: TransformContext) -> None:
    ported = {
        "Annotated[pd.DataFrame, kwtypes(name=str, age=int)]": Annotated[pd.DataFrame, OrderedDict(name=str, age=int)],
        'Annotated[pd.DataFrame, "csv"]': Annotated[pd.DataFrame, "csv"],
        'Annotated[StructuredDataset, kwtypes(age=int), "csv"]': Annotated[StructuredDataset, OrderedDict(age=int), "csv"],
    }
    for name, t in ported.items():
        assert idl_type(ctx.engine.to_literal_type(t)) == GOLDEN["literal_types"][name], name


def test_a_dataframe_union_variant_is_tagged_as_in_flytekit(ctx: TransformContext) -> None:
    ours = idl_type(ctx.engine.to_literal_type(Optional[pd.DataFrame]))["unionType"]["variants"]
    theirs = GOLDEN["literal_types"]["Optional[pd.DataFrame]"]["unionType"]["variants"]
    frame_variant = [v for v in ours if "structuredDatasetType" in v]
    assert frame_variant == [v for v in theirs if "structuredDatasetType" in v]


def test_a_written_frame_records_the_format_it_was_written_in(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, pd.DataFrame({"name": ["a"], "age": [1]}), pd.DataFrame)
    ours = idl_metadata(lv.scalar.structured_dataset.metadata)  # type: ignore[union-attr]
    theirs = GOLDEN["literal_metadata"]["pd.DataFrame value"]
    assert ours["structuredDatasetType"]["format"] == theirs["structuredDatasetType"]["format"] == "parquet"
    # deliberate difference: typeflow also records the written columns, so a reader can check a declared subset
    assert [c["name"] for c in ours["structuredDatasetType"]["columns"]] == ["name", "age"]


@pytest.fixture
def existing(tmp_path: Path) -> str:
    path = tmp_path / "existing.parquet"
    pd.DataFrame({"name": ["a", "b"], "age": [1, 2]}).to_parquet(path)
    return str(path)


def test_a_handle_on_existing_data_records_the_declared_format_and_columns(ctx: TransformContext, existing: str) -> None:
    cases = {
        "StructuredDataset(uri=existing) as StructuredDataset": (StructuredDataset(uri=existing), StructuredDataset),
        'StructuredDataset(uri=existing, file_format="parquet") as StructuredDataset': (
            StructuredDataset(uri=existing, file_format="parquet"),
            StructuredDataset,
        ),
        'StructuredDataset(uri=existing, file_format="parquet") as Annotated[StructuredDataset, kwtypes(age=int), "csv"]': (
            StructuredDataset(uri=existing, file_format="parquet"),
            Annotated[StructuredDataset, Columns(age=int), Format("csv")],
        ),
    }
    for name, (handle, t) in cases.items():
        lv = ctx.engine.to_literal(ctx, handle, t)
        assert lv.scalar.structured_dataset.uri == existing  # type: ignore[union-attr]  # by reference, no copy
        assert idl_metadata(lv.scalar.structured_dataset.metadata) == GOLDEN["literal_metadata"][name], name  # type: ignore[union-attr]


def test_a_handle_on_existing_data_without_a_format_reads_as_parquet(ctx: TransformContext, existing: str) -> None:
    lv = ctx.engine.to_literal(ctx, StructuredDataset(uri=existing), StructuredDataset)
    assert StructuredDataset(uri=existing).file_format == GOLDEN["handles"]["StructuredDataset(uri=u).file_format"] == ""
    frame = ctx.engine.to_python_value(ctx, lv, Annotated[pd.DataFrame, Columns(age=int)])
    assert frame["age"].tolist() == [1, 2] and list(frame.columns) == ["age"]


def test_a_handle_read_from_a_literal_keeps_the_declared_columns(ctx: TransformContext) -> None:
    t = Annotated[pd.DataFrame, Columns(name=str, age=int)]
    lv = ctx.engine.to_literal(ctx, pd.DataFrame({"name": ["a", "b"], "age": [1, 2]}), t)
    for name, handle_type in {
        "StructuredDataset": StructuredDataset,
        "Annotated[StructuredDataset, kwtypes(age=int)]": Annotated[StructuredDataset, Columns(age=int)],
    }.items():
        handle = ctx.engine.to_python_value(ctx, lv, handle_type)
        theirs = GOLDEN["handles"][f"a two-column literal read as {name}"]
        assert idl_metadata(handle.metadata) == theirs["metadata"], name
        assert handle.file_format == theirs["file_format"]
    narrow = ctx.engine.to_python_value(ctx, lv, Annotated[StructuredDataset, Columns(age=int)])
    assert list(narrow.open(pd.DataFrame).all().columns) == ["age"]


def test_handles_pickle_and_compare_equal_by_content(ctx: TransformContext) -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    lv = ctx.engine.to_literal(ctx, frame, pd.DataFrame)
    first, second = (ctx.engine.to_python_value(ctx, lv, StructuredDataset) for _ in range(2))
    assert (first == second) is GOLDEN["handles"]["handles of one literal compare equal"] is True
    restored = pickle.loads(pickle.dumps(first))  # a handle holds its engine; the pickle leaves it out
    assert restored == first
    pd.testing.assert_frame_equal(restored.open(pd.DataFrame).all(), frame)
    by_value = StructuredDataset(dataframe=frame)
    assert pickle.loads(pickle.dumps(by_value)) == by_value == StructuredDataset(dataframe=frame.copy())
    assert by_value != StructuredDataset(dataframe=frame.assign(a=[9, 9]))
