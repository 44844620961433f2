"""Real S3 (moto's server on 127.0.0.1): blobs of every plugin round-trip, failures are typed and prompt."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import pytest

import typeflow
from typeflow import TransformContext, TypeEngine
from typeflow.errors import StorageError, TypeTransformerFailedError
from typeflow.literals import Literal
from typeflow.storage import S3_CONFIG, S3_RETRIES, FsspecStorage, get_storage

pytest.importorskip("s3fs", reason='install "typeflow[s3]"')

#: how long an unreachable S3 may take to turn into a StorageError
BOUND_SECONDS = 30


class Measurement:
    """A plain class (not a dataclass) no transformer claims: it goes through the pickle fallback."""

    def __init__(self, name: str, values: list[float], meta: dict[Any, Any]) -> None:
        self.name = name
        self.values = values
        self.meta = meta

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Measurement) and (self.name, self.values, self.meta) == (other.name, other.values, other.meta)

    def __repr__(self) -> str:
        return f"Measurement({self.name!r}, {self.values!r}, {self.meta!r})"


def blob_uris(lv: Literal) -> Iterator[str]:
    """Every blob or dataset URI inside a literal."""
    if lv.scalar is not None:
        if lv.scalar.blob is not None:
            yield lv.scalar.blob.uri
        if lv.scalar.structured_dataset is not None:
            yield lv.scalar.structured_dataset.uri
        if lv.scalar.union is not None:
            yield from blob_uris(lv.scalar.union.value)
    elif lv.collection is not None:
        for item in lv.collection.literals:
            yield from blob_uris(item)
    elif lv.map is not None:
        for item in lv.map.literals.values():
            yield from blob_uris(item)


@pytest.fixture(params=["context", "TYPEFLOW_STORAGE"])
def s3_ctx(request: pytest.FixtureRequest, s3_url: str, monkeypatch: pytest.MonkeyPatch) -> TransformContext:
    """A context on the S3 URL, given either to engine.context(storage=...) or through TYPEFLOW_STORAGE."""
    engine = TypeEngine()
    if request.param == "context":
        return engine.context(storage=s3_url)
    monkeypatch.setenv("TYPEFLOW_STORAGE", s3_url)
    return engine.context()


def round_trip_on_s3(
    ctx: TransformContext, s3_keys: Callable[[str], list[str]], value: Any, python_type: Any
) -> tuple[Any, list[str]]:
    lv = ctx.engine.to_literal(ctx, value, python_type)
    uris = list(blob_uris(typeflow.wire.loads(typeflow.wire.dumps(lv))))  # as another process would see it
    assert uris, f"{python_type} wrote no blob"
    prefix = ctx.storage.url + "/"
    assert all(u.startswith(prefix) for u in uris), uris
    keys = s3_keys(ctx.storage.url)
    for uri in uris:
        key = uri.removeprefix("s3://").split("/", 1)[1]
        assert any(k == key or k.startswith(key + "/") for k in keys), f"{uri} is not on the server"
    return ctx.engine.to_python_value(ctx, lv, python_type), uris


# ----------------------------------------------------------------------------- storage itself


def test_bytes_round_trip_and_land_on_the_server(s3_url: str, s3_keys: Callable[[str], list[str]]) -> None:
    storage = get_storage(s3_url)
    assert isinstance(storage, FsspecStorage)
    uri = storage.new_uri(".bin")
    payload = bytes(range(256)) * 1000
    storage.write_bytes(uri, payload)
    assert storage.read_bytes(uri) == payload
    with TypeEngine().context(storage=s3_url).open_read(uri) as f:
        assert f.read(10) == payload[:10]
    assert s3_keys(s3_url) == [uri.removeprefix("s3://").split("/", 1)[1]]


def test_failed_write_leaves_nothing_in_the_bucket(s3_url: str, s3_keys: Callable[[str], list[str]]) -> None:
    storage = get_storage(s3_url)
    with pytest.raises(RuntimeError), storage.open_write(storage.new_uri(".bin")) as f:
        f.write(b"half of a blob")
        raise RuntimeError("the producer failed")
    assert s3_keys(s3_url) == []


def test_missing_blob_on_s3_is_a_storage_error_naming_the_uri(s3_url: str) -> None:
    uri = f"{s3_url}/no/such/blob.npy"
    with pytest.raises(StorageError, match="blob not found") as info:
        get_storage(s3_url).read_bytes(uri)
    assert info.value.uri == uri


def test_missing_bucket_is_a_storage_error_saying_the_bucket_does_not_exist(s3_url: str) -> None:
    storage = get_storage("s3://typeflow-no-such-bucket/prefix")
    uri = storage.new_uri(".bin")
    with pytest.raises(StorageError, match="bucket 'typeflow-no-such-bucket' does not exist") as info:
        storage.write_bytes(uri, b"x")
    assert info.value.uri == uri
    with pytest.raises(StorageError, match="bucket 'typeflow-no-such-bucket' does not exist") as info:
        storage.read_bytes(uri)
    assert "blob not found" not in str(info.value)


def test_a_missing_blob_in_a_bucket_that_exists_is_still_blob_not_found(s3_url: str) -> None:
    with pytest.raises(StorageError, match="blob not found") as info:
        get_storage(s3_url).read_bytes(f"{s3_url}/missing.bin")
    assert "does not exist" not in str(info.value)


# ----------------------------------------------------------------------------- plugins on S3


def test_pickled_custom_class_round_trips_through_s3(s3_ctx: TransformContext, s3_keys: Callable[[str], list[str]]) -> None:
    pytest.importorskip("typeflow_pickle")
    value = Measurement("run-1", [0.5, float("inf"), -0.0], {(1, 2): "tuple key", None: b"\x00"})
    back, _ = round_trip_on_s3(s3_ctx, s3_keys, value, Measurement)
    assert back == value
    items = [Measurement(f"m{i}", [float(i)], {}) for i in range(5)]
    back_list, _ = round_trip_on_s3(s3_ctx, s3_keys, items, list[Measurement])
    assert back_list == items


def test_delete_removes_the_object_from_the_server(s3_url: str, s3_keys: Callable[[str], list[str]]) -> None:
    storage = get_storage(s3_url)
    uri = storage.new_uri(".bin")
    storage.write_bytes(uri, b"x")
    storage.delete(uri)
    assert s3_keys(s3_url) == []
    storage.delete(uri)  # deleting what is not there is not an error


def test_a_pickled_list_failing_midway_leaves_nothing_in_the_bucket(s3_url: str, s3_keys: Callable[[str], list[str]]) -> None:
    pytest.importorskip("typeflow_pickle")
    from typeflow_pickle import BatchSize

    ctx = TypeEngine().context(storage=s3_url)  # remote storage: batches are written on 8 threads
    items = [Measurement(f"m{i}", [float(i)], {}) for i in range(40)]
    items[33] = Measurement("bad", [], {"lock": threading.Lock()})
    with pytest.raises(TypeTransformerFailedError, match="none of the list's files were kept") as info:
        ctx.engine.to_literal(ctx, items, Annotated[list[Measurement], BatchSize(2)])
    assert info.value.location == "$[33]"
    assert s3_keys(s3_url) == []


def test_numpy_arrays_round_trip_through_s3(s3_ctx: TransformContext, s3_keys: Callable[[str], list[str]]) -> None:
    np = pytest.importorskip("numpy")
    pytest.importorskip("typeflow_numpy")
    rng = np.random.default_rng(7)
    arrays = [
        rng.standard_normal((300, 40)),
        np.arange(10, dtype=np.int8),
        np.array([np.nan, np.inf, -np.inf, 0.0]),
        np.zeros((0, 3), dtype=np.float32),
        np.array(["a", "\U0001f600"]),
    ]
    for array in arrays:
        back, _ = round_trip_on_s3(s3_ctx, s3_keys, array, np.ndarray)
        assert back.dtype == array.dtype and back.shape == array.shape
        np.testing.assert_array_equal(back, array)


def test_dataframes_round_trip_through_s3(s3_ctx: TransformContext, s3_keys: Callable[[str], list[str]]) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("typeflow_pandas")
    frame = pd.DataFrame(
        {
            "id": range(1000),
            "name": [f"row {i} \U0001f600" for i in range(1000)],
            "score": [i / 7 for i in range(1000)],
            "flag": [i % 2 == 0 for i in range(1000)],
        }
    )
    back, _ = round_trip_on_s3(s3_ctx, s3_keys, frame, pd.DataFrame)
    pd.testing.assert_frame_equal(back.reset_index(drop=True), frame)


@pytest.mark.parametrize("lazy", [False, True], ids=["DataFrame", "LazyFrame"])
def test_polars_frames_round_trip_through_s3(s3_ctx: TransformContext, s3_keys: Callable[[str], list[str]], lazy: bool) -> None:
    pl = pytest.importorskip("polars")
    pytest.importorskip("typeflow_polars")
    frame = pl.DataFrame(
        {"id": range(1000), "name": [f"row {i} \U0001f600" for i in range(1000)], "score": [i / 7 for i in range(1000)]}
    )
    python_type = pl.LazyFrame if lazy else pl.DataFrame
    back, _ = round_trip_on_s3(s3_ctx, s3_keys, frame.lazy() if lazy else frame, python_type)
    assert isinstance(back, python_type)
    # a remote blob is fetched once through the context and scanned from memory: the frame outlives the connection
    assert (back.collect() if lazy else back).equals(frame)
    pandas = pytest.importorskip("pandas")
    pytest.importorskip("typeflow_pandas")
    lv = s3_ctx.engine.to_literal(s3_ctx, frame, pl.DataFrame)
    as_pandas = s3_ctx.engine.to_python_value(s3_ctx, lv, pandas.DataFrame)  # written by polars, read by pandas, on S3
    assert as_pandas["id"].tolist() == list(range(1000))


def test_default_engine_shortcuts_use_typeflow_storage(
    s3_url: str, monkeypatch: pytest.MonkeyPatch, s3_keys: Callable[[str], list[str]]
) -> None:
    pytest.importorskip("typeflow_pickle")
    monkeypatch.setenv("TYPEFLOW_STORAGE", s3_url)
    value = Measurement("shortcut", [1.0], {})
    lv = typeflow.to_literal(value, Measurement)
    assert all(uri.startswith(s3_url + "/") for uri in blob_uris(lv))
    assert s3_keys(s3_url)
    assert typeflow.to_python_value(lv, Measurement) == value


# ----------------------------------------------------------------------------- outages


def test_stopped_server_gives_a_storage_error_promptly(stoppable_s3: Any) -> None:
    storage = get_storage(stoppable_s3.url)
    written = storage.new_uri(".bin")
    storage.write_bytes(written, b"before the outage")
    assert storage.read_bytes(written) == b"before the outage"
    stoppable_s3.stop()

    fresh = storage.new_uri(".bin")
    start = time.perf_counter()
    with pytest.raises(StorageError) as info:
        storage.write_bytes(fresh, b"during the outage")
    assert info.value.uri == fresh and fresh in str(info.value)
    with pytest.raises(StorageError) as info:
        storage.read_bytes(written)
    assert info.value.uri == written
    assert time.perf_counter() - start < BOUND_SECONDS


def test_stopped_server_fails_a_plugin_conversion_promptly(stoppable_s3: Any) -> None:
    pytest.importorskip("typeflow_pickle")
    engine = TypeEngine()
    ctx = engine.context(storage=stoppable_s3.url)
    lv = engine.to_literal(ctx, Measurement("x", [1.0], {}), Measurement)
    stoppable_s3.stop()
    start = time.perf_counter()
    with pytest.raises(StorageError) as info:
        engine.to_literal(ctx, Measurement("y", [2.0], {}), Measurement)
    assert info.value.uri and info.value.uri.startswith(stoppable_s3.url)
    with pytest.raises(StorageError) as info:
        engine.to_python_value(ctx, lv, Measurement)
    assert info.value.uri in set(blob_uris(lv))
    assert time.perf_counter() - start < BOUND_SECONDS


def test_silent_server_times_out_with_a_storage_error(silent_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", silent_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    quick = {"connect_timeout": 1, "read_timeout": 1, "retries": {"total_max_attempts": 2, "mode": "standard"}}
    storage = FsspecStorage("s3://silent/prefix", config_kwargs=quick)
    uri = storage.new_uri(".bin")
    start = time.perf_counter()
    with pytest.raises(StorageError) as info:
        storage.write_bytes(uri, b"x")
    assert info.value.uri == uri
    with pytest.raises(StorageError):
        storage.read_bytes(uri)
    assert time.perf_counter() - start < 15


def test_default_s3_settings_bound_a_silent_endpoint(s3_url: str) -> None:
    fs = get_storage(s3_url).fs
    attempts = fs.config_kwargs["retries"]["total_max_attempts"]
    worst = fs.retries * attempts * (fs.config_kwargs["read_timeout"] + fs.config_kwargs["connect_timeout"])
    assert fs.retries == S3_RETRIES
    assert {k: fs.config_kwargs[k] for k in S3_CONFIG} == S3_CONFIG
    assert worst <= 2 * BOUND_SECONDS, f"a silent S3 endpoint could hold a request for {worst} s"


# ----------------------------------------------------------------------------- damaged blobs


def _plugin_value(plugin: str) -> tuple[Any, Any]:
    if plugin == "pickle":
        return Measurement("damaged", [1.0, 2.0] * 200, {"k": "v" * 500}), Measurement
    if plugin == "numpy":
        np = pytest.importorskip("numpy")
        return np.arange(5000, dtype=np.float64), np.ndarray
    if plugin.startswith("polars"):
        pl = pytest.importorskip("polars")
        frame = pl.DataFrame({"a": range(2000), "b": [f"r{i}" for i in range(2000)]})
        return (frame.lazy(), pl.LazyFrame) if plugin == "polars-lazy" else (frame, pl.DataFrame)
    pd = pytest.importorskip("pandas")
    return pd.DataFrame({"a": range(2000), "b": [f"r{i}" for i in range(2000)]}), pd.DataFrame


@pytest.mark.parametrize("damage", ["truncated", "deleted"])
@pytest.mark.parametrize("plugin", ["pickle", "numpy", "pandas", "polars", "polars-lazy"])
def test_damaged_blob_on_s3_is_a_typed_error_naming_the_uri(s3_url: str, plugin: str, damage: str) -> None:
    import boto3

    pytest.importorskip(f"typeflow_{plugin.partition('-')[0]}")
    value, python_type = _plugin_value(plugin)
    engine = TypeEngine()
    ctx = engine.context(storage=s3_url)
    lv = engine.to_literal(ctx, value, python_type)
    uris = list(blob_uris(lv))
    client = boto3.client("s3")
    bucket = s3_url.removeprefix("s3://").split("/", 1)[0]
    keys = [
        o["Key"]
        for uri in uris
        for o in client.list_objects_v2(Bucket=bucket, Prefix=uri.removeprefix("s3://").split("/", 1)[1]).get("Contents", [])
    ]
    assert keys
    for key in keys:
        if damage == "deleted":
            client.delete_object(Bucket=bucket, Key=key)
        else:
            body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
            client.put_object(Bucket=bucket, Key=key, Body=body[: len(body) // 2])
    with pytest.raises((StorageError, TypeTransformerFailedError)) as info:
        engine.to_python_value(ctx, lv, python_type)
    assert any(uri in str(info.value) for uri in uris), f"the error does not name the blob: {info.value}"
