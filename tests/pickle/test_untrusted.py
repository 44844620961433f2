"""Pickles named by someone else's literal never run without a key: every path to a foreign blob is refused."""

from __future__ import annotations

import base64
import http.server
import threading
import typing
from collections.abc import Iterator
from pathlib import Path

import cloudpickle
import pytest

from typeflow import TypeEngine
from typeflow.errors import StorageError, TypeflowError
from typeflow.literals import (
    Blob,
    BlobMetadata,
    BlobType,
    Literal,
    LiteralCollection,
    LiteralMap,
    LiteralType,
    Scalar,
    TypeStructure,
)
from typeflow.literals import Union as UnionValue
from typeflow.storage import get_storage
from typeflow_pickle import PickleDecodeError, PickleSignatureError

from ..helpers import POWER_LOSS_DAMAGE, damage_as_a_power_loss_can
from .samples import People, Tripwire


def pickle_literal(uri: str) -> Literal:
    return Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("PythonPickle")), uri)))


class _Handler(http.server.BaseHTTPRequestHandler):
    payload = b""
    requests: list[str] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        self.wfile.write(self.payload)

    do_HEAD = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def evil_server(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    _Handler.payload = cloudpickle.dumps(Tripwire(tmp_path / "ran-from-http"))
    _Handler.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Handler.requests
    server.shutdown()
    server.server_close()


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "ran"


@pytest.fixture
def payload(marker: Path) -> bytes:
    return cloudpickle.dumps(Tripwire(marker))


def _foreign_uri(form: str, storage: Path, tmp_path: Path, payload: bytes) -> str:
    outside = tmp_path / "attacker" / "evil.pkl"
    outside.parent.mkdir(exist_ok=True)
    outside.write_bytes(payload)
    if form == "any_local_path":
        return str(outside)
    if form == "dotdot_out_of_storage":
        storage.mkdir(parents=True, exist_ok=True)
        return f"{storage}/../attacker/evil.pkl"
    if form == "file_url":
        return f"file://{outside}"
    if form == "symlink_in_storage":
        link = storage / "ab" / "evil.pkl"
        link.parent.mkdir(parents=True)
        link.symlink_to(outside)
        return str(link)
    if form == "data_url":
        return "data:application/octet-stream;base64," + base64.b64encode(payload).decode()
    if form == "memory_url":
        memory = get_storage("memory://typeflow-attacker")
        uri = memory.new_uri(".pkl")
        memory.write_bytes(uri, payload)
        return uri
    assert form == "chained_url"
    return f"simplecache::file://{outside}"


FORMS = [
    "any_local_path",
    "dotdot_out_of_storage",
    "file_url",
    "symlink_in_storage",
    "data_url",
    "memory_url",
    "chained_url",
]


@pytest.mark.parametrize("form", FORMS)
def test_an_unsigned_pickle_outside_storage_is_never_unpickled(
    storage: Path, tmp_path: Path, payload: bytes, marker: Path, form: str
) -> None:
    ctx = TypeEngine().context(storage=str(storage))
    uri = _foreign_uri(form, storage, tmp_path, payload)
    with pytest.raises(StorageError, match="refused to read") as info:
        ctx.engine.to_python_value(ctx, pickle_literal(uri), People)
    assert not marker.exists(), f"a pickle at {uri} was unpickled"
    assert info.value.uri == uri and "read_roots" in str(info.value)


@pytest.mark.parametrize("form", FORMS)
def test_an_unsigned_list_of_pickles_outside_storage_is_never_unpickled(
    storage: Path, tmp_path: Path, payload: bytes, marker: Path, form: str
) -> None:
    uri = _foreign_uri(form, storage, tmp_path, payload)
    for workers in (1, 4):
        ctx = TypeEngine().context(storage=str(storage), pickle_workers=workers)
        lv = Literal(collection=LiteralCollection((pickle_literal(uri),)))
        with pytest.raises(StorageError, match="refused to read"):
            ctx.engine.to_python_value(ctx, lv, list[People])
        assert not marker.exists()


def test_an_http_pickle_is_refused_without_a_request(storage: Path, evil_server: tuple[str, list[str]], tmp_path: Path) -> None:
    base, requests = evil_server
    ctx = TypeEngine().context(storage=str(storage))
    with pytest.raises(StorageError, match="refused to read"):
        ctx.engine.to_python_value(ctx, pickle_literal(f"{base}/evil.pkl"), People)
    assert requests == [] and not (tmp_path / "ran-from-http").exists()


def test_a_listed_read_root_is_trusted_for_unsigned_pickles(storage: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "p.pkl").write_bytes(cloudpickle.dumps(People("Ada")))
    ctx = TypeEngine().context(storage=str(storage), read_roots=[str(shared)])
    assert ctx.engine.to_python_value(ctx, pickle_literal(str(shared / "p.pkl")), People) == People("Ada")


def test_pickles_in_the_own_storage_still_round_trip(storage: Path) -> None:
    ctx = TypeEngine().context(storage=str(storage))
    lv = ctx.engine.to_literal(ctx, [People("a"), People("b")], list[People])
    assert ctx.engine.to_python_value(ctx, lv, list[People]) == [People("a"), People("b")]


@pytest.mark.parametrize("how", ["Any", "List[Any]", "Optional[Any]", "resolver_without_type", "guessed_type"])
def test_no_declared_class_never_unpickles_without_opt_in(storage: Path, marker: Path, how: str) -> None:
    import typing

    from typeflow import LiteralsResolver
    from typeflow.literals import LiteralMap

    ctx = TypeEngine().context(storage=str(storage))
    engine = ctx.engine
    single = engine.to_literal(ctx, Tripwire(marker), Tripwire)
    listed = engine.to_literal(ctx, [Tripwire(marker)], list[Tripwire])
    with pytest.raises(TypeflowError, match=r"pickle_untyped|matches no variant"):
        if how == "Any":
            engine.to_python_value(ctx, single, typing.Any)
        elif how == "List[Any]":
            engine.to_python_value(ctx, listed, list[typing.Any])
        elif how == "Optional[Any]":
            engine.to_python_value(ctx, single, typing.Optional[typing.Any])
        elif how == "resolver_without_type":
            LiteralsResolver(LiteralMap({"x": single}), ctx=ctx).get("x")
        else:
            engine.to_python_value(ctx, single, engine.guess_python_type(engine.to_literal_type(typing.Any)))
    assert not marker.exists()
    allowed = TypeEngine().context(storage=str(storage), pickle_untyped=True)
    allowed.engine.to_python_value(allowed, single, typing.Any)
    assert marker.exists()


def test_a_full_disk_while_pickling_is_a_storage_error(storage: Path) -> None:
    from contextlib import contextmanager

    from typeflow.storage import LocalStorage

    class FullDisk(LocalStorage):
        """Local storage whose files are /dev/full: every write fails with a real ENOSPC."""

        @contextmanager
        def open_write(self, uri: str):  # type: ignore[no-untyped-def,override]
            with open("/dev/full", "wb", buffering=0) as f:
                yield f

    from typeflow import TransformContext

    ctx = TransformContext(TypeEngine(), FullDisk(str(storage)))
    with pytest.raises(StorageError, match="No space left") as info:
        ctx.engine.to_literal(ctx, People("a" * 10_000), People)
    assert "cannot pickle" not in str(info.value)


@pytest.mark.parametrize("damage", POWER_LOSS_DAMAGE)
@pytest.mark.parametrize("many", [False, True], ids=["one value", "a list"])
def test_a_blob_a_power_loss_can_leave_unsynced_is_a_typed_error(storage: Path, damage: str, many: bool) -> None:
    """What an unsynced, renamed blob can hold after a power loss (TYPEFLOW_FSYNC is off by default)."""
    from typing import List

    engine = TypeEngine()
    ctx = engine.context(storage=str(storage))
    python_type: object = List[People] if many else People
    value = [People("a"), People("b")] if many else People("c" * 1000)
    lv = engine.to_literal(ctx, value, python_type)
    literals = lv.collection.literals if lv.collection is not None else (lv,)
    for item in literals:
        damage_as_a_power_loss_can(item.scalar.blob.uri, damage)
    with pytest.raises(TypeflowError) as info:
        engine.to_python_value(ctx, lv, python_type)
    assert any(item.scalar.blob.uri in str(info.value) for item in literals)


#: how flytekit holds bytes (it pickles them) in each container, around one blob literal
_BYTES_FORMS = {
    "bytes": lambda blob: (blob, bytes),
    "List[bytes]": lambda blob: (Literal(collection=LiteralCollection((blob,))), list[bytes]),
    "Dict[str, bytes]": lambda blob: (Literal(map=LiteralMap({"k": blob})), dict[str, bytes]),
    "Optional[bytes]": lambda blob: (
        Literal(scalar=Scalar(union=UnionValue(blob, _FLYTEKIT_BYTES_TYPE))),
        typing.Optional[bytes],
    ),
}
_FLYTEKIT_BYTES_TYPE = LiteralType(
    blob=BlobType("PythonPickle"), metadata={"python_class_name": "<class 'bytes'>"}, structure=TypeStructure("FlytePickle")
)


@pytest.mark.parametrize("container", list(_BYTES_FORMS))
@pytest.mark.parametrize("form", FORMS)
def test_a_pickle_outside_storage_declared_as_bytes_is_never_unpickled(
    storage: Path, tmp_path: Path, payload: bytes, marker: Path, form: str, container: str
) -> None:
    """flytekit's form of bytes is a pickle: a literal naming one outside storage does not get it unpickled."""
    uri = _foreign_uri(form, storage, tmp_path, payload)
    lv, python_type = _BYTES_FORMS[container](pickle_literal(uri))
    for profile in ("typeflow", "flytekit-1.16"):
        ctx = TypeEngine().context(storage=str(storage), profile=profile)
        with pytest.raises(StorageError, match="refused to read") as info:
            ctx.engine.to_python_value(ctx, lv, python_type)
        assert info.value.uri == uri
        assert not marker.exists(), f"a pickle at {uri} was unpickled as {container}"


@pytest.mark.parametrize("container", list(_BYTES_FORMS))
def test_a_pickle_declared_as_bytes_that_holds_something_else_is_refused(storage: Path, container: str) -> None:
    """A blob in storage (so trusted to unpickle) whose object is not bytes: a typed error naming both classes."""
    storage.mkdir(parents=True)
    for held in (People("Ada"), "a str", bytearray(b"almost")):
        path = storage / "other.pkl"
        path.write_bytes(cloudpickle.dumps(held))
        lv, python_type = _BYTES_FORMS[container](pickle_literal(str(path)))
        ctx = TypeEngine().context(storage=str(storage))
        with pytest.raises(PickleDecodeError, match="not the declared bytes") as info:
            ctx.engine.to_python_value(ctx, lv, python_type)
        assert info.value.uri == str(path)


def test_a_pickle_declared_as_bytes_is_read_from_a_listed_read_root(storage: Path, tmp_path: Path) -> None:
    shared = tmp_path / "flyte-bucket"
    shared.mkdir()
    (shared / "b.pkl").write_bytes(cloudpickle.dumps(b"\x00ok"))
    ctx = TypeEngine().context(storage=str(storage), read_roots=[str(shared)])
    for container, form in _BYTES_FORMS.items():
        lv, python_type = form(pickle_literal(str(shared / "b.pkl")))
        expected = {"bytes": b"\x00ok", "List[bytes]": [b"\x00ok"], "Dict[str, bytes]": {"k": b"\x00ok"}}
        assert ctx.engine.to_python_value(ctx, lv, python_type) == expected.get(container, b"\x00ok")


def test_with_a_key_an_unsigned_pickle_declared_as_bytes_is_refused_before_unpickling(
    storage: Path, payload: bytes, marker: Path
) -> None:
    storage.mkdir(parents=True)
    path = storage / "unsigned.pkl"
    path.write_bytes(payload)
    ctx = TypeEngine().context(storage=str(storage), pickle_key="a key")
    for form in _BYTES_FORMS.values():
        lv, python_type = form(pickle_literal(str(path)))
        with pytest.raises(PickleSignatureError):
            ctx.engine.to_python_value(ctx, lv, python_type)
    assert not marker.exists()


def test_with_a_key_a_pickle_signed_as_another_class_is_not_unpickled_as_bytes(storage: Path, marker: Path) -> None:
    ctx = TypeEngine().context(storage=str(storage), pickle_key="a key")
    signed = ctx.engine.to_literal(ctx, Tripwire(marker), Tripwire)
    with pytest.raises(PickleSignatureError, match="signed as a"):
        ctx.engine.to_python_value(ctx, signed, bytes)
    assert not marker.exists()
