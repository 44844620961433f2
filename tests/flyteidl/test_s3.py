"""A Flyte bucket on a real S3 server (moto's, on 127.0.0.1): outputs.pb and the blobs it points at."""

from __future__ import annotations

from pathlib import Path

import pytest

import typeflow
from typeflow.errors import StorageError
from typeflow_flyteidl import read_literal_map, write_literal_map

from .families import Obj


def test_outputs_in_a_flyte_bucket_are_read_with_the_raw_data_prefix_as_a_read_root(s3_url: str, tmp_path: Path) -> None:
    bucket = s3_url.rsplit("/", 1)[0]
    raw = f"{bucket}/raw"
    outputs = f"{bucket}/metadata/propeller/proj-dev-exec/n0/data/0/outputs.pb"
    engine = typeflow.TypeEngine()
    writer = engine.context(storage=raw, profile="flytekit-1.16")
    lm = engine.dict_to_literal_map(writer, {"o0": [1, 2, 3], "o1": [Obj(1), Obj(2)]}, {"o0": list[int], "o1": list[Obj]})
    write_literal_map(lm, outputs)

    read = read_literal_map(outputs)
    assert read == lm
    local = engine.context(storage=str(tmp_path / "local"))
    assert typeflow.LiteralsResolver(read, ctx=local).get("o0", as_type=list[int]) == [1, 2, 3]
    with pytest.raises(StorageError):  # a pickle in a bucket nobody listed is never unpickled
        typeflow.LiteralsResolver(read, ctx=local).get("o1", as_type=list[Obj])
    trusted = engine.context(storage=str(tmp_path / "local"), read_roots=[raw])
    assert typeflow.LiteralsResolver(read, ctx=trusted).get("o1", as_type=list[Obj]) == [Obj(1), Obj(2)]


def test_a_missing_outputs_pb_in_a_bucket_is_a_storage_error_naming_it(s3_url: str) -> None:
    with pytest.raises(StorageError, match="outputs"):
        read_literal_map(f"{s3_url}/nope/outputs.pb")
