"""Local storage: unique names, atomic writes, errors naming the URI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from typeflow import TypeEngine
from typeflow.errors import StorageError
from typeflow.storage import LocalStorage, default_storage_url, get_storage


def open_uri(uri: str) -> Any:
    """Open ``uri`` as a reader of a literal would, with its protocol listed as a read root when remote."""
    roots = [uri.split("://", 1)[0] + "://"] if "://" in uri else []
    return TypeEngine().context(read_roots=roots).open_read(uri)


def test_default_storage_is_a_persistent_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TYPEFLOW_STORAGE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_storage_url() == str(tmp_path / "typeflow")
    monkeypatch.setenv("TYPEFLOW_STORAGE", str(tmp_path / "elsewhere"))
    assert TypeEngine().context().storage.url == str(tmp_path / "elsewhere")


def test_new_uris_are_unique(tmp_path: Path) -> None:
    storage = LocalStorage(str(tmp_path))
    uris = {storage.new_uri(".bin") for _ in range(1000)}
    assert len(uris) == 1000 and all(u.startswith(str(tmp_path)) and u.endswith(".bin") for u in uris)


def test_writes_are_atomic_and_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    storage = LocalStorage(str(tmp_path))
    uri = storage.new_uri()
    with pytest.raises(RuntimeError), storage.open_write(uri) as f:
        f.write(b"partial")
        assert not os.path.exists(uri), "data is visible at the final path before the write completed"
        raise RuntimeError("the writer failed midway")
    assert not os.path.exists(uri)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    storage.write_bytes(uri, b"whole")
    assert storage.read_bytes(uri) == b"whole"


def test_missing_blob_is_a_storage_error_naming_the_uri(tmp_path: Path) -> None:
    uri = str(tmp_path / "nope.bin")
    with pytest.raises(StorageError, match="blob not found") as info, open_uri(uri):
        pass
    assert info.value.uri == uri and uri in str(info.value)


def test_unwritable_location_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    storage = LocalStorage(str(blocker))  # a file where a folder should be
    with pytest.raises(StorageError) as info, storage.open_write(storage.new_uri()) as f:
        f.write(b"x")
    assert str(blocker) in str(info.value)


# procfs takes no new folder or file: the kernel answers ENOENT, whoever asks
NO_ENTRY = "No such file or directory"


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("/proc/nope/x.bin", f"the folder /proc/nope cannot be created: {NO_ENTRY}"),
        ("/proc/x.bin", f"no file can be created in /proc: {NO_ENTRY}"),
        ("{tmp}/file/x.bin", "the folder {tmp}/file cannot be created: a file has that name"),
    ],
)
def test_a_write_whose_folder_cannot_take_it_says_so(tmp_path: Path, uri: str, reason: str) -> None:
    (tmp_path / "file").write_bytes(b"")
    uri, reason = uri.format(tmp=tmp_path), reason.format(tmp=tmp_path)
    storage = LocalStorage(os.path.dirname(uri))
    with pytest.raises(StorageError) as info:
        storage.write_bytes(uri, b"x")
    assert str(info.value).startswith(f"cannot write ({reason}") and str(info.value).endswith(uri)
    assert "blob not found" not in str(info.value) and info.value.uri == uri


def test_storage_objects_are_shared_per_url(tmp_path: Path) -> None:
    assert get_storage(str(tmp_path)) is get_storage(str(tmp_path))


def test_memory_filesystem_through_fsspec() -> None:
    storage = get_storage("memory://typeflow-test")
    uri = storage.new_uri(".bin")
    storage.write_bytes(uri, b"remote")
    assert storage.read_bytes(uri) == b"remote"
    with pytest.raises(StorageError, match="blob not found"):
        storage.read_bytes(uri + ".missing")


def test_delete_removes_a_blob_and_a_missing_blob_is_not_an_error(tmp_path: Path) -> None:
    storage = LocalStorage(str(tmp_path))
    uri = storage.new_uri(".bin")
    storage.write_bytes(uri, b"x")
    storage.delete(uri)
    assert not os.path.exists(uri)
    storage.delete(uri)  # already gone
    remote = get_storage("memory://typeflow-test-delete")
    remote_uri = remote.new_uri(".bin")
    remote.write_bytes(remote_uri, b"x")
    remote.delete(remote_uri)
    with pytest.raises(StorageError, match="blob not found"):
        remote.read_bytes(remote_uri)
    remote.delete(remote_uri)


def test_delete_failing_is_a_storage_error_naming_the_uri(tmp_path: Path) -> None:
    storage = LocalStorage(str(tmp_path))
    folder = storage.join("a-folder")
    os.makedirs(folder)
    with pytest.raises(StorageError, match="cannot delete") as info:
        storage.delete(folder)
    assert info.value.uri == folder
