"""Many threads and asyncio tasks converting into one storage at once: nothing lost, mixed up or corrupted."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import enum
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Optional

import pytest

from typeflow import TransformContext, TypeEngine, TypeTransformer, wire
from typeflow.literals import Blob, BlobDimensionality, BlobMetadata, BlobType, Literal, LiteralType, Scalar

THREADS = 16
PER_THREAD = 500


class Color(str, enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Point:
    x: int
    y: float
    label: str = ""


def value_for(i: int, worker: int) -> tuple[Any, Any]:
    """A value and its type; which one depends on ``i``, its content on both."""
    n = worker * 1_000_000 + i
    choices: list[tuple[Any, Any]] = [
        (n, int),
        (n / 7, float),
        (f"w{worker}-{i}\x00\U0001f600", str),
        (bytes([worker, i % 256]) * 3, bytes),
        (i % 2 == 0, bool),
        ([n, n + 1, -n], list[int]),
        ({f"k{i}": n / 3, "z": -0.0}, dict[str, float]),
        (None if i % 3 else f"s{n}", Optional[str]),
        (Point(n, n / 2, f"p{worker}"), Point),
        (Color.RED if i % 2 else Color.BLUE, Color),
        (dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=n), dt.datetime),
        (dt.timedelta(microseconds=n), dt.timedelta),
        ([Point(n, 0.5)] * 3, list[Point]),
        ({"nested": [[n], [n, n]]}, dict[str, list[list[int]]]),
    ]
    return choices[i % len(choices)]


def fresh_type(worker: int, i: int) -> tuple[Any, Any]:
    """A dataclass type never seen before: its first conversion dispatches while others convert."""
    cls = dataclasses.make_dataclass(f"New_{worker}_{i}", [("a", int), ("b", list[str])])
    return cls(worker * 1000 + i, [str(i)] * 2), cls


def round_trip(engine: TypeEngine, ctx: TransformContext, value: Any, python_type: Any) -> Any:
    lv = engine.to_literal(ctx, value, python_type)
    return engine.to_python_value(ctx, wire.loads(wire.dumps(lv)), python_type)


def run_threads(worker_fn: Callable[[int], Any], threads: int = THREADS) -> list[Any]:
    barrier = threading.Barrier(threads)

    def start(worker: int) -> Any:
        barrier.wait()  # everyone starts at once
        return worker_fn(worker)

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(start, range(threads)))


def test_threads_convert_mixed_types_on_shared_and_fresh_engines_without_corruption(tmp_path: Path) -> None:
    storage = str(tmp_path / "storage")
    shared = TypeEngine()
    default = TypeEngine.default()

    def worker(w: int) -> int:
        engine = (default, shared, TypeEngine())[w % 3]
        ctx = engine.context(storage=storage)
        done = 0
        for i in range(PER_THREAD):
            value, python_type = fresh_type(w, i) if i % 50 == 0 else value_for(i, w)
            back = round_trip(engine, ctx, value, python_type)
            assert back == value and type(back) is type(value), (w, i, value, back)
            if i % 97 == 0:
                engine.to_literal_type(list[dict[str, Optional[Point]]])  # more dispatch while others convert
            done += 1
        return done

    assert sum(run_threads(worker)) == THREADS * PER_THREAD
    # the caches answer exactly what a fresh engine answers
    reference = TypeEngine()
    for engine in (default, shared):
        for i in range(14):
            _, python_type = value_for(i, 0)
            assert engine.get_transformer(python_type).name == reference.get_transformer(python_type).name
            assert engine.to_literal_type(python_type) == reference.to_literal_type(python_type)


@dataclasses.dataclass
class Document:
    content: bytes


class DocumentTransformer(TypeTransformer[Document]):
    """Writes each document as a blob in storage, as blob plugins do."""

    BLOB = BlobType("document", BlobDimensionality.SINGLE)

    def __init__(self) -> None:
        super().__init__("document", Document)

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(blob=self.BLOB)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        uri = ctx.storage.new_uri(".doc")
        with ctx.storage.open_write(uri) as f:
            for start in range(0, len(python_val.content), 64):
                f.write(python_val.content[start : start + 64])
        return Literal(scalar=Scalar(blob=Blob(metadata=BlobMetadata(type=self.BLOB), uri=uri)))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        assert lv.scalar is not None and lv.scalar.blob is not None
        return Document(ctx.storage.read_bytes(lv.scalar.blob.uri))


@pytest.mark.parametrize("where", ["local", "memory"])
def test_threads_writing_blobs_into_one_storage_get_unique_names_and_intact_contents(tmp_path: Path, where: str) -> None:
    engine = TypeEngine()
    engine.register(DocumentTransformer())
    ctx = engine.context(
        storage=str(tmp_path / "blobs") if where == "local" else f"memory://typeflow-concurrency-{tmp_path.name}"
    )
    per_thread = 100

    def worker(w: int) -> list[tuple[str, bytes]]:
        out = []
        for i in range(per_thread):
            content = f"{w}:{i}:".encode() * (1 + (w * i) % 40)
            lv = engine.to_literal(ctx, Document(content), Document)
            assert lv.scalar is not None and lv.scalar.blob is not None
            out.append((lv.scalar.blob.uri, content))
        return out

    written = [item for chunk in run_threads(worker) for item in chunk]
    uris = [uri for uri, _ in written]
    assert len(uris) == THREADS * per_thread == len(set(uris)), "two blobs got the same name"
    for uri, content in written:
        assert ctx.storage.read_bytes(uri) == content
    if where == "local":
        leftovers = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file() and p.name.endswith(".part")]
        assert leftovers == []


def test_asyncio_tasks_convert_concurrently_on_one_loop(tmp_path: Path) -> None:
    engine = TypeEngine()
    engine.register(DocumentTransformer())
    ctx = engine.context(storage=str(tmp_path / "async"))
    tasks_count = 400

    async def one(i: int) -> None:
        value, python_type = (Document(f"doc {i}".encode() * 10), Document) if i % 5 == 0 else value_for(i, 99)
        lv = await engine.async_to_literal(ctx, value, python_type)
        back = await engine.async_to_python_value(ctx, wire.loads(wire.dumps(lv)), python_type)
        assert back == value, (i, value, back)

    async def maps(i: int) -> None:
        values = {f"v{j}": value_for(i + j, 7)[0] for j in range(14)}
        hints = {f"v{j}": value_for(i + j, 7)[1] for j in range(14)}
        lm = await engine.async_dict_to_literal_map(ctx, values, hints)
        assert await engine.async_literal_map_to_kwargs(ctx, lm, hints) == values

    async def main() -> None:
        await asyncio.gather(*(one(i) for i in range(tasks_count)), *(maps(i) for i in range(50)))

    asyncio.run(main())


def test_threads_and_event_loops_together_share_the_default_engine(tmp_path: Path) -> None:
    storage = str(tmp_path / "mixed")
    engine = TypeEngine.default()

    def worker(w: int) -> int:
        ctx = engine.context(storage=storage)
        if w % 2:

            async def run() -> int:
                results = await asyncio.gather(
                    *(engine.async_to_literal(ctx, value_for(i, w)[0], value_for(i, w)[1]) for i in range(100))
                )
                for i, lv in enumerate(results):
                    assert await engine.async_to_python_value(ctx, lv, value_for(i, w)[1]) == value_for(i, w)[0]
                return len(results)

            return asyncio.run(run())
        for i in range(100):
            value, python_type = value_for(i, w)
            assert round_trip(engine, ctx, value, python_type) == value
        return 100

    assert sum(run_threads(worker)) == THREADS * 100


# ----------------------------------------------------------------------------- installed plugins


class Opaque:
    """Claimed by no transformer: the pickle fallback takes it."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque) and other.n == self.n


def plugin_cases() -> list[tuple[str, Callable[[int], tuple[Any, Any]], Callable[[Any, Any], bool]]]:
    cases: list[tuple[str, Callable[[int], tuple[Any, Any]], Callable[[Any, Any], bool]]] = []
    cases.append(("pickle", lambda n: (Opaque(n), Opaque), lambda a, b: a == b))
    cases.append(("numpy", lambda n: _array(n), lambda a, b: bool((a == b).all()) and a.dtype == b.dtype))
    cases.append(("pandas", lambda n: _frame(n), lambda a, b: a.reset_index(drop=True).equals(b)))
    return cases


def _array(n: int) -> tuple[Any, Any]:
    import numpy as np

    return np.arange(n % 50 + 1, dtype=np.int64) * n, np.ndarray


def _frame(n: int) -> tuple[Any, Any]:
    import pandas as pd

    return pd.DataFrame({"a": list(range(n % 20 + 1)), "b": [f"r{n}"] * (n % 20 + 1)}), pd.DataFrame


@pytest.mark.parametrize(("plugin", "make", "same"), plugin_cases(), ids=lambda c: c if isinstance(c, str) else "")
def test_threads_converting_plugin_blobs_into_one_storage(
    plugin: str, make: Callable[[int], tuple[Any, Any]], same: Callable[[Any, Any], bool], tmp_path: Path
) -> None:
    pytest.importorskip(f"typeflow_{plugin}")
    if plugin != "pickle":
        pytest.importorskip(plugin)
    engine = TypeEngine()
    ctx = engine.context(storage=str(tmp_path / plugin))
    per_thread = 40

    def worker(w: int) -> list[tuple[Literal, Any, Any]]:
        out = []
        for i in range(per_thread):
            value, python_type = make(w * 1000 + i)
            out.append((engine.to_literal(ctx, value, python_type), value, python_type))
        return out

    results = [item for chunk in run_threads(worker) for item in chunk]
    uris = [u for lv, _, _ in results for u in _uris(lv)]
    assert len(uris) == len(set(uris)) >= THREADS * per_thread, "blob names collided"
    for lv, value, python_type in results:
        assert same(engine.to_python_value(ctx, lv, python_type), value)


def _uris(lv: Literal) -> list[str]:
    if lv.scalar is not None and lv.scalar.blob is not None:
        return [lv.scalar.blob.uri]
    if lv.scalar is not None and lv.scalar.structured_dataset is not None:
        return [lv.scalar.structured_dataset.uri]
    return []
