"""Files, directories and streams: typeflow against fsspec's own ``put``/``get`` of the same data.

- a 1 GiB file: ``to_literal(File)`` against ``fs.put_file``; reading it back
  and downloading it (``to_python_value`` + ``download()``) against ``fs.get_file``;
- a directory of 2,000 files (4 KiB each, in 20 sub-folders): ``to_literal(Directory)``
  against ``fs.put(recursive=True)``; reading back and downloading against
  ``fs.get(recursive=True)``;

each to and from local storage (``LocalFileSystem``) and a real S3 server
(moto's server on 127.0.0.1, in its own process, through s3fs), in the same run.
Typeflow's download times include ``to_python_value``; upload times include
the literal.

- ``Iterator[Rec]``: peak memory (tracemalloc) of writing and reading a stream
  of 100,000 and of 1,000,000 records, against holding the same records in a list.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

from harness import Row, best_of_pair, peak_extra_memory

FILE_BYTES = 2**30
DIR_FILES = 2_000
DIR_FILE_BYTES = 4096


def _make_file(path: Path, size: int) -> None:
    chunk = os.urandom(2**20)
    with open(path, "wb") as f:
        for _ in range(size // len(chunk)):
            f.write(chunk)


def _make_tree(root: Path, files: int) -> None:
    for i in range(files):
        folder = root / f"part-{i % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:05d}.bin").write_bytes(os.urandom(DIR_FILE_BYTES))


class _Moto:
    """moto's S3 server on 127.0.0.1, in a process of its own (so it does not share the client's GIL)."""

    def __enter__(self) -> str:
        import socket
        import subprocess
        import sys
        import time

        import boto3

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the moto server did not start") from None
                time.sleep(0.2)
        self.saved = {
            k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")
        }
        os.environ.update(
            AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1"
        )
        bucket = f"bench-{uuid.uuid4().hex[:8]}"
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
        return f"s3://{bucket}"

    def __exit__(self, *exc: object) -> None:
        self.server.terminate()
        self.server.wait(timeout=30)
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _pair(
    label: str,
    ours: Callable[[], Any],
    theirs: Callable[[], Any],
    baseline: str,
    repeat: int,
    cleanup: Callable[[], Any],
    note: str = "",
) -> Row:
    typeflow_s, raw_s = best_of_pair(ours, theirs, repeat=repeat, setup=cleanup, baseline_setup=cleanup)
    return Row(label, typeflow_s, baseline, raw_s, target=1.2, note=note)


def _transfer_rows(where: str, storage_url: str, fs: Any, work: Path, file_path: Path, tree: Path, quick: bool) -> list[Row]:
    from typeflow import TypeEngine
    from typeflow.types import Directory, File

    engine = TypeEngine()
    # the local rows take a second: more runs keep the shared machine's noise out of them
    repeat = 2 if quick else (3 if storage_url.startswith("s3://") else 9)
    size = f"{file_path.stat().st_size / 2**30:.0f} GiB" if not quick else f"{file_path.stat().st_size / 2**20:.0f} MiB"
    files = sum(1 for _ in tree.rglob("*.bin"))
    rows: list[Row] = []
    downloads = work / "downloads"

    def fresh_storage() -> None:
        shutil.rmtree(downloads, ignore_errors=True)
        downloads.mkdir()

    def storage_url_for(kind: str) -> str:
        url = f"{storage_url}/{kind}-{uuid.uuid4().hex[:6]}"
        if url.startswith("s3://"):
            _patient_storage(url)
        return url

    # ------------------------------------------------------------------ one big file
    up_url = storage_url_for("file")
    ctx = engine.context(storage=up_url)

    raw_target = f"{up_url}/raw/{file_path.name}"

    def clean_uploads() -> None:
        fresh_storage()
        if fs.exists(up_url):
            fs.rm(up_url, recursive=True)
        fs.makedirs(f"{up_url}/raw", exist_ok=True)  # put_file into a local folder needs it; untimed

    rows.append(
        _pair(
            f"File, {size}: upload to {where}",
            lambda: engine.to_literal(ctx, File(str(file_path)), File),
            lambda: fs.put_file(str(file_path), raw_target),
            "fsspec put_file",
            repeat,
            clean_uploads,
        )
    )
    stored = engine.to_literal(ctx, File(str(file_path)), File)
    stored_uri = stored.scalar.blob.uri  # type: ignore[union-attr]

    def ours_get() -> None:
        engine.to_python_value(ctx, stored, File).download()

    def theirs_get() -> None:
        fs.get_file(stored_uri, str(downloads / f"{uuid.uuid4().hex}.bin"))

    rows.append(
        _pair(
            f"File, {size}: download from {where}",
            ours_get,
            theirs_get,
            "fsspec get_file",
            repeat,
            _clear_downloads(downloads),
            note="includes to_python_value",
        )
    )
    fs.rm(up_url, recursive=True)

    # ------------------------------------------------------------------ a directory of many files
    dir_url = storage_url_for("dir")
    dctx = engine.context(storage=dir_url)

    def clean_dir() -> None:
        fresh_storage()
        if fs.exists(dir_url):
            fs.rm(dir_url, recursive=True)

    rows.append(
        _pair(
            f"Directory, {files:,} files: upload to {where}",
            lambda: engine.to_literal(dctx, Directory(str(tree)), Directory),
            lambda: fs.put(str(tree) + "/", f"{dir_url}/raw-{uuid.uuid4().hex[:6]}/", recursive=True),
            "fsspec put(recursive=True)",
            repeat,
            clean_dir,
        )
    )
    stored_dir = engine.to_literal(dctx, Directory(str(tree)), Directory)
    stored_dir_uri = stored_dir.scalar.blob.uri  # type: ignore[union-attr]

    def ours_get_dir() -> None:
        engine.to_python_value(dctx, stored_dir, Directory).download()

    def theirs_get_dir() -> None:
        fs.get(stored_dir_uri + "/", str(downloads / uuid.uuid4().hex) + "/", recursive=True)

    rows.append(
        _pair(
            f"Directory, {files:,} files: download from {where}",
            ours_get_dir,
            theirs_get_dir,
            "fsspec get(recursive=True)",
            repeat,
            _clear_downloads(downloads),
            note="includes to_python_value and the listing",
        )
    )
    fs.rm(dir_url, recursive=True)
    shutil.rmtree(downloads, ignore_errors=True)
    return rows


#: moto assembles a 1 GiB multipart upload in one request that says nothing for a while; typeflow's default
#: 15 s read timeout (right for real S3, which keeps such a request alive) would abort it, on both sides
_PATIENT = {"connect_timeout": 60, "read_timeout": 600, "retries": {"total_max_attempts": 1, "mode": "standard"}}


def _patient_storage(url: str) -> Any:
    """The storage typeflow uses for ``url``, made with :data:`_PATIENT` timeouts (and shared through its cache)."""
    from typeflow import storage

    made = storage.FsspecStorage(url, config_kwargs=dict(_PATIENT))
    storage._storages[storage._cache_key(url)] = made
    return made


def _clear_downloads(downloads: Path) -> Callable[[], None]:
    def clear() -> None:
        from typeflow import transfer

        shutil.rmtree(downloads, ignore_errors=True)
        downloads.mkdir()
        root = transfer._download_root
        if root is not None:  # typeflow's own download folder: empty it between runs, as the baseline's is
            for child in os.listdir(root):
                shutil.rmtree(os.path.join(root, child), ignore_errors=True)

    return clear


def _stream_rows(quick: bool, work: Path) -> list[Row]:
    from workload_data import Rec

    from typeflow import BatchSize, TypeEngine

    engine = TypeEngine()
    ctx = engine.context(storage=str(work / "streams"))
    rows = []
    stream_type = Annotated[Iterator[Rec], BatchSize(1000)]
    for count in (10_000, 100_000) if quick else (100_000, 1_000_000):

        def records(n: int = count) -> Iterator[Rec]:
            for i in range(n):
                yield Rec(i, f"name-{i}", i * 0.5, [i, i + 1, i + 2])

        def write_and_read(n: int = count) -> None:
            back = engine.to_python_value(ctx, engine.to_literal(ctx, records(n), stream_type), stream_type)
            assert sum(1 for _ in back) == n

        def as_a_list(n: int = count) -> None:
            held = list(records(n))
            assert len(held) == n

        write_and_read(1000)  # warm codecs and dispatch outside the measurement
        ours = peak_extra_memory(write_and_read) / 2**20
        theirs = peak_extra_memory(as_a_list) / 2**20
        rows.append(
            Row(
                f"Iterator[Rec] of {count:,} records: write + read, peak memory",
                ours,
                "the records held in a list",
                theirs,
                note="BatchSize(1000); peak stays flat as the stream grows",
                unit="MiB",
            )
        )
    return rows


def run(quick: bool) -> list[Row]:
    from fsspec.implementations.local import LocalFileSystem

    work = Path(tempfile.mkdtemp(prefix="typeflow-bench-files-"))
    rows: list[Row] = []
    try:
        big = work / "big.bin"
        _make_file(big, 16 * 2**20 if quick else FILE_BYTES)
        tree = work / "tree"
        _make_tree(tree, 50 if quick else DIR_FILES)
        rows += _transfer_rows("local storage", str(work / "local"), LocalFileSystem(), work, big, tree, quick)
        try:
            import s3fs  # noqa: F401
            from moto.server import ThreadedMotoServer  # noqa: F401
        except ImportError as exc:
            print(f"skipping the S3 rows: {exc}")
        else:
            with _Moto() as bucket:
                fs = _patient_storage(f"{bucket}/x").fs  # the very s3fs instance typeflow uses for the bucket
                rows += _transfer_rows("S3 (moto)", bucket, fs, work, big, tree, quick)
        rows += _stream_rows(quick, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows
