"""A real S3 server on 127.0.0.1 (moto's threaded server), never a mock of the client."""

from __future__ import annotations

import logging
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


def _start_server() -> tuple[Any, str]:
    pytest.importorskip("boto3")
    server_module = pytest.importorskip("moto.server", reason="the integration env installs moto[server]")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def _point_at(endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "typeflow-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "typeflow-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    # never pick up a developer's real AWS configuration
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


def _create_bucket(endpoint: str) -> str:
    import boto3

    bucket = f"typeflow-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    return bucket


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """One S3 server for the session; each test gets its own bucket."""
    pytest.importorskip("s3fs", reason='install "typeflow[s3]"')
    server, endpoint = _start_server()
    yield endpoint
    server.stop()


@pytest.fixture
def s3_url(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """``s3://<fresh bucket>/prefix`` on the local S3 server, with the AWS_* variables pointing at it."""
    _point_at(moto_endpoint, monkeypatch, tmp_path)
    return f"s3://{_create_bucket(moto_endpoint)}/prefix"


def _list_keys(url: str) -> list[str]:
    import os

    import boto3

    bucket = url.removeprefix("s3://").split("/", 1)[0]
    client = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
    return [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


@pytest.fixture
def s3_keys() -> Callable[[str], list[str]]:
    """Lists every key in the bucket of an ``s3://`` URL with boto3, straight from the server."""
    return _list_keys


class StoppableS3:
    """A server of its own, so a test can stop it."""

    def __init__(self, server: Any, endpoint: str, url: str) -> None:
        self.server = server
        self.endpoint = endpoint
        self.url = url

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture
def stoppable_s3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[StoppableS3]:
    pytest.importorskip("s3fs", reason='install "typeflow[s3]"')
    server, endpoint = _start_server()
    _point_at(endpoint, monkeypatch, tmp_path)
    handle = StoppableS3(server, endpoint, f"s3://{_create_bucket(endpoint)}/prefix")
    yield handle
    try:
        server.stop()
    except Exception:
        pass


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A TCP server that accepts connections and never answers: the worst kind of S3 outage."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    listener.close()


class TricklingProxy:
    """A TCP proxy on 127.0.0.1 in front of the S3 server that can slow either direction to one byte per interval.

    ``trickle(4.0)`` makes the server's answers arrive one byte every 4 s
    (``upstream=True``: the server receives requests that slowly instead):
    every byte restarts a socket's read timeout, so only a total deadline
    ends such a request. Open connections switch too.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self.interval: dict[str, float] = {"up": 0.0, "down": 0.0}
        self.rate: dict[str, int] = {"up": 0, "down": 0}
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def trickle(self, interval: float, *, upstream: bool = False) -> None:
        self.interval["up" if upstream else "down"] = interval

    def limit(self, rate: int, *, upstream: bool = False) -> None:
        """Pass at most ``rate`` bytes per second (``0``: full speed): a slow but steady server."""
        self.rate["up" if upstream else "down"] = rate

    def _accept(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                continue
            try:
                server = socket.create_connection(self._target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, server]
            for src, dst, way in ((client, server, "up"), (server, client, "down")):
                threading.Thread(target=self._pump, args=(src, dst, way), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, way: str) -> None:
        pending = b""
        try:
            while not self._stop.is_set():
                if not pending:
                    pending = src.recv(65536)
                    if not pending:
                        break
                interval, rate = self.interval[way], self.rate[way]
                if interval:
                    dst.sendall(pending[:1])
                    pending = pending[1:]
                    self._stop.wait(interval)
                elif rate:
                    step = max(rate // 20, 1)  # a twentieth of a second's worth at a time
                    dst.sendall(pending[:step])
                    pending = pending[step:]
                    self._stop.wait(0.05)
                else:
                    dst.sendall(pending)
                    pending = b""
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with self._lock:
            for s in self._sockets:
                s.close()
        self._listener.close()


@pytest.fixture
def trickling_s3(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[TricklingProxy, str]]:
    """A proxy in front of the session's S3 server, the AWS_* variables pointing at the proxy, and a fresh bucket's URL."""
    host, port = moto_endpoint.removeprefix("http://").split(":")
    proxy = TricklingProxy((host, int(port)))
    _point_at(proxy.endpoint, monkeypatch, tmp_path)
    try:
        yield proxy, f"s3://{_create_bucket(moto_endpoint)}/prefix"
    finally:
        proxy.close()
