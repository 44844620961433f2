"""typeflow-pickle: lists of small custom objects round trip through local storage, against raw cloudpickle.

Round trip = to_literal → wire.dumps → wire.loads → to_python_value, with the
pickle files in a local folder. The baselines write the same batches with
``cloudpickle.dump`` to files in a folder on the same file system and read
them back with ``pickle.load`` into one flat list.
"""

from __future__ import annotations

import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, List

import cloudpickle
from harness import Row, best_of_pair

from typeflow import TypeEngine, wire
from typeflow_pickle import BatchSize


class Item:
    """A small custom object no transformer claims."""

    __slots__ = ("name", "score", "uid")

    def __init__(self, uid: int, name: str, score: float) -> None:
        self.uid = uid
        self.name = name
        self.score = score

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Item) and (self.uid, self.name, self.score) == (other.uid, other.name, other.score)


def _clear(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def _raw_round_trip(items: list[Any], batch: int, folder: Path) -> list[Any]:
    paths = []
    for n, start in enumerate(range(0, len(items), batch)):
        path = folder / f"{n}.pkl"
        with path.open("wb") as f:
            cloudpickle.dump(items[start : start + batch], f)
        paths.append(path)
    out: list[Any] = []
    for path in paths:
        with path.open("rb") as f:
            out.extend(pickle.load(f))
    return out


def run(quick: bool) -> list[Row]:
    """Rows for 100,000 objects at BatchSize(1000) and in one file (10,000 when ``quick``)."""
    count = 10_000 if quick else 100_000
    repeat = 3 if quick else 5
    items = [Item(i, f"name-{i}", i * 0.5) for i in range(count)]
    root = Path(tempfile.mkdtemp(prefix="typeflow-bench-pickle-"))
    storage, raw = root / "storage", root / "raw"
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage))
    batched = Annotated[List[Item], BatchSize(1000)]
    engine.get_transformer(Item)  # load the plugin outside the timed runs

    def typeflow_round_trip(t: Any) -> list[Any]:
        lv = engine.to_literal(ctx, items, t)
        back: list[Any] = engine.to_python_value(ctx, wire.loads(wire.dumps(lv)), t)
        return back

    rows = []
    try:
        for label, t, batch, target in [
            (f"{count:,} small objects at BatchSize(1000) round trip, local storage", batched, 1000, 1.5),
            (f"{count:,} small objects in one pickle file (default List) round trip, local storage", List[Item], count, 1.2),
        ]:
            _clear(storage)
            _clear(raw)
            assert typeflow_round_trip(t) == items
            assert _raw_round_trip(items, batch, raw) == items
            typeflow_s, raw_s = best_of_pair(
                lambda t=t: typeflow_round_trip(t),
                lambda b=batch: _raw_round_trip(items, b, raw),
                repeat,
                setup=lambda: _clear(storage),
                baseline_setup=lambda: _clear(raw),
            )
            files = "one file" if batch >= count else f"{-(-count // batch)} files"
            rows.append(Row(label, typeflow_s, f"cloudpickle.dump + pickle.load, {files}", raw_s, target))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return rows
