"""Dataset URIs named by someone else's literal, read as polars frames: confined, one regular file, never a glob."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import polars as pl
import pytest

from typeflow import TypeEngine
from typeflow.errors import StorageError
from typeflow.literals import Literal, Scalar, StructuredDataset

FRAME_TYPES = [pl.DataFrame, pl.LazyFrame]


def dataset_literal(uri: str) -> Literal:
    return Literal(scalar=Scalar(structured_dataset=StructuredDataset(uri=uri)))


def parquet_bytes() -> bytes:
    buf = io.BytesIO()
    pl.DataFrame({"a": [1, 2, 3]}).write_parquet(buf)
    return buf.getvalue()


def collected(value: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return value.collect() if isinstance(value, pl.LazyFrame) else value


@pytest.mark.parametrize("t", FRAME_TYPES)
def test_an_inline_data_parquet_is_refused_unless_listed(tmp_path: Path, t: type) -> None:
    uri = "data:application/octet-stream;base64," + base64.b64encode(parquet_bytes()).decode()
    ctx = TypeEngine().context(storage=str(tmp_path))
    with pytest.raises(StorageError, match=r"refused to read.*'data:'"):
        ctx.engine.to_python_value(ctx, dataset_literal(uri), t)
    listed = TypeEngine().context(storage=str(tmp_path), read_roots=["data:"])
    assert collected(listed.engine.to_python_value(listed, dataset_literal(uri), t))["a"].to_list() == [1, 2, 3]


@pytest.mark.parametrize("t", FRAME_TYPES)
def test_a_glob_pattern_is_not_expanded(tmp_path: Path, t: type) -> None:
    folder = tmp_path / "storage" / "ab"
    folder.mkdir(parents=True)
    (folder / "one.parquet").write_bytes(parquet_bytes())
    (folder / "two.parquet").write_bytes(parquet_bytes())
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    with pytest.raises(StorageError):
        ctx.engine.to_python_value(ctx, dataset_literal(str(folder / "*.parquet")), t)


@pytest.mark.parametrize("t", FRAME_TYPES)
def test_a_directory_is_not_scanned(tmp_path: Path, t: type) -> None:
    folder = tmp_path / "storage" / "ab" / "dataset"
    (folder / "deep").mkdir(parents=True)
    (folder / "deep" / "part.parquet").write_bytes(parquet_bytes())
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    with pytest.raises(StorageError, match=r"sub-folder \('deep'\).*not partitioned or nested"):
        ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), t)


@pytest.mark.parametrize("uri", ["http://127.0.0.1:9/x.parquet", "memory://elsewhere/x.parquet", "simplecache::/tmp/x.parquet"])
@pytest.mark.parametrize("t", FRAME_TYPES)
def test_foreign_protocols_are_refused(tmp_path: Path, uri: str, t: type) -> None:
    ctx = TypeEngine().context(storage=str(tmp_path))
    with pytest.raises(StorageError, match="refused to read"):
        ctx.engine.to_python_value(ctx, dataset_literal(uri), t)


def test_a_lazy_handle_reads_under_the_context_it_came_from(tmp_path: Path) -> None:
    from typeflow.datasets import StructuredDataset as Handle

    uri = "data:application/octet-stream;base64," + base64.b64encode(parquet_bytes()).decode()
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    handle = ctx.engine.to_python_value(ctx, dataset_literal(uri), Handle)
    for t in FRAME_TYPES:
        with pytest.raises(StorageError, match="refused to read"):
            handle.open(t).all()
