"""Dataset folders and parquet budgets on real S3 (moto's server on 127.0.0.1).

flytekit writes a DataFrame's ``uri`` as a folder holding ``00000``; on S3 that
is a prefix. typeflow lists the prefix's direct objects (never deeper),
reads each through the context's read policy, and checks every file's footer
and page headers against the read budget before decoding.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.parquet_forge import dataset_literal, forge_int_run, forge_string_run
from typeflow import TypeEngine
from typeflow.errors import ReadBudgetError, StorageError

pytest.importorskip("s3fs", reason='install "typeflow[s3]"')
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pytest.importorskip("typeflow_pandas")
pytest.importorskip("typeflow_polars")


def parquet(frame: Any) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf)
    return buf.getvalue()


def collected(value: Any) -> Any:
    return value.collect() if isinstance(value, pl.LazyFrame) else value


def test_a_flytekit_style_folder_on_s3_reads_as_one_frame(s3_url: str) -> None:
    ctx = TypeEngine().context(storage=s3_url)
    folder = f"{s3_url}/raw/abc123"
    ctx.storage.write_bytes(f"{folder}/00000", parquet(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})))
    ctx.storage.write_bytes(f"{folder}/00001", parquet(pd.DataFrame({"a": [3], "b": ["z"]})))
    ctx.storage.write_bytes(f"{folder}/_SUCCESS", b"")
    expected = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    for uri in (folder, folder + "/"):
        pd.testing.assert_frame_equal(ctx.engine.to_python_value(ctx, dataset_literal(uri), pd.DataFrame), expected)
        for t in (pl.DataFrame, pl.LazyFrame):
            assert collected(ctx.engine.to_python_value(ctx, dataset_literal(uri), t))["a"].to_list() == [1, 2, 3]


def test_a_folder_on_s3_is_not_listed_recursively(s3_url: str) -> None:
    ctx = TypeEngine().context(storage=s3_url)
    folder = f"{s3_url}/raw/nested"
    ctx.storage.write_bytes(f"{folder}/part=1/00000", parquet(pd.DataFrame({"a": [1]})))
    with pytest.raises(StorageError, match=r"sub-folder \('part=1'\)"):
        ctx.engine.to_python_value(ctx, dataset_literal(folder), pd.DataFrame)


@pytest.mark.parametrize("python_type", ["pandas", "polars", "polars-lazy"])
@pytest.mark.parametrize("blob", ["file", "folder"])
def test_a_tiny_parquet_blob_on_s3_is_refused_by_the_budget(s3_url: str, python_type: str, blob: str) -> None:
    t = {"pandas": pd.DataFrame, "polars": pl.DataFrame, "polars-lazy": pl.LazyFrame}[python_type]
    ctx = TypeEngine().context(storage=s3_url)
    for data in (forge_int_run(150_000_000), forge_string_run(1500, b"x" * 2**20)):
        uri = f"{s3_url}/attack/{len(data)}" + ("/00000" if blob == "folder" else ".parquet")
        ctx.storage.write_bytes(uri, data)
        with pytest.raises(ReadBudgetError):
            ctx.engine.to_python_value(ctx, dataset_literal(uri.removesuffix("/00000")), t)
