"""Dataset URIs named by someone else's literal: confined, regular files only, no directory scans."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from typeflow import TypeEngine
from typeflow.errors import StorageError
from typeflow.literals import Literal, Scalar, StructuredDataset


def dataset_literal(uri: str) -> Literal:
    return Literal(scalar=Scalar(structured_dataset=StructuredDataset(uri=uri)))


def parquet_bytes() -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.table({"a": [1, 2, 3]}), buf)
    return buf.getvalue()


def test_an_inline_data_parquet_is_refused(tmp_path: Path) -> None:
    uri = "data:application/octet-stream;base64," + base64.b64encode(parquet_bytes()).decode()
    ctx = TypeEngine().context(storage=str(tmp_path))
    with pytest.raises(StorageError, match=r"refused to read.*'data:'"):
        ctx.engine.to_python_value(ctx, dataset_literal(uri), pd.DataFrame)
    listed = TypeEngine().context(storage=str(tmp_path), read_roots=["data:"])
    assert listed.engine.to_python_value(listed, dataset_literal(uri), pd.DataFrame)["a"].tolist() == [1, 2, 3]


def test_a_directory_is_not_scanned(tmp_path: Path) -> None:
    folder = tmp_path / "storage" / "ab" / "dataset"
    (folder / "deep" / "deeper").mkdir(parents=True)
    (folder / "deep" / "deeper" / "part.parquet").write_bytes(parquet_bytes())
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    with pytest.raises(StorageError, match=r"sub-folder \('deep'\).*not partitioned or nested"):
        ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), pd.DataFrame)


def test_a_lazy_handle_reads_under_the_context_it_came_from(tmp_path: Path) -> None:
    from typeflow_pandas import StructuredDataset as Handle

    outside = tmp_path / "elsewhere.parquet"
    outside.write_bytes(parquet_bytes())
    uri = "data:application/octet-stream;base64," + base64.b64encode(parquet_bytes()).decode()
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    handle = ctx.engine.to_python_value(ctx, dataset_literal(uri), Handle)
    with pytest.raises(StorageError, match="refused to read"):
        handle.open(pd.DataFrame).all()


@pytest.mark.parametrize("uri", ["http://127.0.0.1:9/x.parquet", "memory://elsewhere/x.parquet", "simplecache::/tmp/x.parquet"])
def test_foreign_protocols_are_refused(tmp_path: Path, uri: str) -> None:
    ctx = TypeEngine().context(storage=str(tmp_path))
    with pytest.raises(StorageError, match="refused to read"):
        ctx.engine.to_python_value(ctx, dataset_literal(uri), pd.DataFrame)
