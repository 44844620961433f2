"""Read confinement: a literal chooses the URI, the context's settings choose what may be read."""

from __future__ import annotations

import base64
import http.server
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from typeflow import TypeEngine
from typeflow.confine import ReadPolicy
from typeflow.errors import StorageError
from typeflow.storage import get_storage


@pytest.fixture
def storage(tmp_path: Path) -> Path:
    folder = tmp_path / "storage"
    folder.mkdir()
    return folder


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the storage folder."""
    path = tmp_path / "elsewhere" / "secret.bin"
    path.parent.mkdir()
    path.write_bytes(b"not yours")
    return path


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "4")
        self.end_headers()
        self.wfile.write(b"pwnd")

    do_HEAD = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on 127.0.0.1 that records every request it gets."""
    _CountingHandler.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _CountingHandler.requests
    server.shutdown()
    server.server_close()


def refused(ctx_uri: tuple[object, str], roots_only: bool = False) -> StorageError:
    ctx, uri = ctx_uri
    with pytest.raises(StorageError) as info, ctx.open_read(uri, roots_only=roots_only):  # type: ignore[attr-defined]
        pass
    return info.value


def test_a_blob_in_storage_is_read(storage: Path) -> None:
    ctx = TypeEngine().context(storage=str(storage))
    uri = ctx.storage.new_uri(".bin")
    ctx.storage.write_bytes(uri, b"mine")
    with ctx.open_read(uri) as f:
        assert f.read() == b"mine"
    with ctx.open_read(uri, roots_only=True) as f:
        assert f.read() == b"mine"


def test_local_storage_reads_other_regular_local_files_but_not_for_code(storage: Path, outside: Path) -> None:
    ctx = TypeEngine().context(storage=str(storage))
    with ctx.open_read(str(outside)) as f:
        assert f.read() == b"not yours"
    err = refused((ctx, str(outside)), roots_only=True)
    assert err.uri == str(outside) and str(outside) in str(err)
    assert "read_roots" in str(err) and "TYPEFLOW_READ_ROOTS" in str(err) and str(outside.parent) in str(err)
    assert "its content runs code when read" in str(err)


@pytest.mark.parametrize("form", ["dotdot", "file_url", "symlink", "file_url_dotdot"])
def test_paths_are_normalised_before_the_check(storage: Path, outside: Path, form: str) -> None:
    ctx = TypeEngine().context(storage=str(storage))
    if form == "dotdot":
        uri = f"{storage}/../elsewhere/secret.bin"
    elif form == "file_url":
        uri = f"file://{outside}"
    elif form == "file_url_dotdot":
        uri = f"file://{storage}/ab/../../elsewhere/secret.bin"
    else:
        link = storage / "ab" / "link.bin"
        link.parent.mkdir()
        link.symlink_to(outside)
        uri = str(link)
    err = refused((ctx, uri), roots_only=True)
    assert err.uri == uri and str(outside) in str(err)
    with ctx.open_read(uri) as f:  # a plain read (not code) of a local file is allowed on local storage
        assert f.read() == b"not yours"


def test_a_read_root_admits_a_folder_by_argument_and_by_environment(
    storage: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = TypeEngine()
    with engine.context(storage=str(storage), read_roots=[str(outside.parent)]).open_read(str(outside), roots_only=True) as f:
        assert f.read() == b"not yours"
    monkeypatch.setenv("TYPEFLOW_READ_ROOTS", f"memory://, {outside.parent}")
    ctx = engine.context(storage=str(storage))
    assert ctx.read_roots == ("memory://", str(outside.parent))
    with ctx.open_read(f"file://{outside}", roots_only=True) as f:
        assert f.read() == b"not yours"
    # an explicit argument replaces the environment's list
    assert engine.context(storage=str(storage), read_roots=[]).read_roots == ()


def test_a_root_is_a_folder_not_a_name_prefix(storage: Path, tmp_path: Path) -> None:
    sibling = tmp_path / "storage-evil" / "x.bin"
    sibling.parent.mkdir()
    sibling.write_bytes(b"x")
    ctx = TypeEngine().context(storage=str(storage))
    refused((ctx, str(sibling)), roots_only=True)


@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
def test_only_regular_files_are_opened(storage: Path, kind: str) -> None:
    ctx = TypeEngine().context(storage=str(storage))
    if kind == "fifo":
        path = storage / "pipe"
        os.mkfifo(path)
        uri = str(path)
        expected = "FIFO"
    elif kind == "directory":
        (storage / "ab").mkdir()
        uri = str(storage / "ab")
        expected = "directory"
    else:
        uri = "/dev/zero"
        expected = "character device"
    start = time.monotonic()
    err = refused((ctx, uri))
    assert time.monotonic() - start < 5, "opening a FIFO must not wait for a writer"
    assert expected in str(err) and err.uri == uri
    with pytest.raises(StorageError, match=expected):
        ctx.local_path(uri)


def test_http_urls_are_refused_without_any_request(storage: Path, http_server: tuple[str, list[str]]) -> None:
    base, requests = http_server
    ctx = TypeEngine().context(storage=str(storage))
    err = refused((ctx, f"{base}/blob.pkl"))
    assert requests == [], "a refused URI must not send a request"
    assert repr(base) in str(err) and "read_roots" in str(err)


def test_data_memory_and_chained_urls_are_refused_unless_listed(storage: Path, outside: Path) -> None:
    ctx = TypeEngine().context(storage=str(storage))
    data = "data:application/octet-stream;base64," + base64.b64encode(b"inline").decode()
    memory = get_storage("memory://typeflow-confine-test")
    memory_uri = memory.new_uri(".bin")
    memory.write_bytes(memory_uri, b"in memory")
    for uri, root in (
        (data, "data:"),
        (memory_uri, "memory://"),
        (f"simplecache::{outside}", "simplecache::"),
        (f"simplecache::{memory_uri}", "simplecache::memory://"),
    ):
        err = refused((ctx, uri))
        assert err.uri == uri and "read_roots" in str(err)
        assert root in str(err), f"the error should name the root that allows {uri}: {err}"
    listed = TypeEngine().context(storage=str(storage), read_roots=["data:", "memory://"])
    with listed.open_read(data) as f:
        assert f.read() == b"inline"
    with listed.open_read(memory_uri) as f:
        assert f.read() == b"in memory"
    refused((listed, f"simplecache::{memory_uri}"))  # listing memory:// does not admit a chain over it
    chained = TypeEngine().context(storage=str(storage), read_roots=["simplecache::memory://typeflow-confine-test"])
    with chained.open_read(f"simplecache::{memory_uri}") as f:
        assert f.read() == b"in memory"


def test_remote_storage_reads_its_own_bucket_only() -> None:
    policy = ReadPolicy("s3://team-bucket/prefix")
    assert policy.check("s3://team-bucket/other-execution/blob.npy").bucket == "team-bucket"
    assert policy.check("s3a://team-bucket/x").scheme == "s3"
    for uri in (
        "s3://other-bucket/blob.npy",
        "gs://team-bucket/blob.npy",
        "/etc/passwd",
        "file:///etc/passwd",
        "https://team-bucket.s3.amazonaws.com/x",
    ):
        with pytest.raises(StorageError, match="refused to read") as info:
            policy.check(uri)
        assert info.value.uri == uri
    with pytest.raises(StorageError, match="'s3://other-bucket'"):
        policy.check("s3://other-bucket/blob.npy")
    with pytest.raises(StorageError, match=r"'\.' or '\.\.'"):
        policy.check("s3://team-bucket/prefix/../../x")
    # executable content: only the storage's own prefix
    assert policy.check("s3://team-bucket/prefix/ab/blob.pkl", roots_only=True)
    with pytest.raises(StorageError, match="runs code"):
        policy.check("s3://team-bucket/elsewhere/blob.pkl", roots_only=True)
    with pytest.raises(StorageError):
        policy.check("s3://team-bucket/prefix-evil/blob.pkl", roots_only=True)
    rooted = ReadPolicy("s3://team-bucket/prefix", ["s3://shared/datasets"])
    assert rooted.check("s3://shared/datasets/a.parquet", roots_only=True)
    with pytest.raises(StorageError):
        rooted.check("s3://shared/other/a.parquet")


def test_memory_storage_reads_only_its_own_prefix() -> None:
    storage = get_storage("memory://typeflow-confine-own/prefix")
    uri = storage.new_uri(".bin")
    storage.write_bytes(uri, b"own")
    other = get_storage("memory://typeflow-confine-other")
    other_uri = other.new_uri(".bin")
    other.write_bytes(other_uri, b"other")
    ctx = TypeEngine().context(storage=storage.url)
    with ctx.open_read(uri) as f:
        assert f.read() == b"own"
    refused((ctx, other_uri))
    with pytest.raises(StorageError, match="refused"):
        storage.read_bytes(other_uri)  # the storage's own reads are confined too


def test_storage_delete_refuses_a_uri_outside_its_root(storage: Path, outside: Path) -> None:
    with pytest.raises(StorageError, match="refused to delete") as info:
        get_storage(str(storage)).delete(str(outside))
    assert outside.exists()
    message = str(info.value)
    assert str(outside) in message and f"storage's root ({storage})" in message
    assert "deletes only blobs inside its own storage" in message
    assert "refused to read" not in message and "runs code" not in message
    remote = get_storage("memory://typeflow-confine-delete/own")
    elsewhere = "memory://typeflow-confine-delete/other/blob.bin"
    get_storage("memory://typeflow-confine-delete/other").write_bytes(elsewhere, b"not yours")
    with pytest.raises(StorageError, match="refused to delete") as info:
        remote.delete(elsewhere)
    assert f"refused to delete {elsewhere}: " in str(info.value)
    assert get_storage("memory://typeflow-confine-delete/other").read_bytes(elsewhere) == b"not yours"


def test_a_bad_uri_is_a_storage_error(storage: Path) -> None:
    ctx = TypeEngine().context(storage=str(storage))
    for uri in ("", "no-protocol-here://", "a\x00b", "://x"):
        with pytest.raises(StorageError):
            ctx.check_read(uri)
