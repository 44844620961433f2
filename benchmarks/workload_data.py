"""Workload names, sizes and data generators shared by typeflow's and flytekit's benchmark sides.

Imported by code that runs in the typeflow ``bench`` env and by ``flytekit_side.py`` in the
``bench-flytekit`` env, so it imports only the standard library at top level: numpy and
pandas are imported inside the generators that need them.

The core values follow ``bench_core.py`` exactly: one ``random.Random(7)`` drawing the ints,
then the map, then the records, so both sides (and ``bench_core``) see identical data.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

# Stable keys shared by both sides: flytekit_side.py prints {key: seconds}, bench_flytekit.py reads them.
LIST_INT = "list_int"
DICT_STR_FLOAT = "dict_str_float"
LIST_REC = "list_rec"
PICKLE_OBJS = "pickle_objs"
NDARRAY = "ndarray"
DATAFRAME = "dataframe"
IMPORT = "import"
GET_TRANSFORMER = "get_transformer"

WORKLOADS = (LIST_INT, DICT_STR_FLOAT, LIST_REC, PICKLE_OBJS, NDARRAY, DATAFRAME, IMPORT, GET_TRANSFORMER)
VALUE_WORKLOADS = (LIST_INT, DICT_STR_FLOAT, LIST_REC, PICKLE_OBJS, NDARRAY, DATAFRAME)

SEED = 7
PICKLE_BATCH = 1000  # BatchSize(n) for the pickle workload
NDARRAY_BYTES = 100 * 1024 * 1024  # 100 MiB of float64


@dataclasses.dataclass
class Rec:
    id: int
    name: str
    score: float
    history: list[int]


class Obj:
    """A small custom object no transformer claims, so it goes through pickle on both sides."""

    __slots__ = ("ident", "label", "tags", "weight")

    def __init__(self, ident: int, label: str, weight: float, tags: tuple[int, ...]) -> None:
        self.ident = ident
        self.label = label
        self.weight = weight
        self.tags = tags

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Obj):
            return NotImplemented
        return (self.ident, self.label, self.weight, self.tags) == (other.ident, other.label, other.weight, other.tags)

    def __hash__(self) -> int:
        return hash((self.ident, self.label, self.weight, self.tags))

    def __repr__(self) -> str:
        return f"Obj({self.ident!r}, {self.label!r}, {self.weight!r}, {self.tags!r})"


def sizes(quick: bool) -> dict[str, int]:
    """Item counts per workload; ``quick`` divides each by 10."""
    full = {
        LIST_INT: 1_000_000,
        DICT_STR_FLOAT: 100_000,
        LIST_REC: 10_000,
        PICKLE_OBJS: 100_000,
        NDARRAY: NDARRAY_BYTES // 8,  # float64 elements
        DATAFRAME: 1_000_000,  # rows
    }
    return {k: v // 10 for k, v in full.items()} if quick else full


def make_ints(rng: random.Random, n: int) -> list[int]:
    return [rng.randint(-(2**40), 2**40) for _ in range(n)]


def make_floats_map(rng: random.Random, n: int) -> dict[str, float]:
    return {f"key-{i}": rng.random() for i in range(n)}


def make_recs(rng: random.Random, n: int) -> list[Rec]:
    return [Rec(i, f"name-{i}", rng.random(), [rng.randint(0, 1000) for _ in range(5)]) for i in range(n)]


def core_values(quick: bool) -> tuple[list[int], dict[str, float], list[Rec]]:
    """The ints, the map and the records, drawn in bench_core's order from one Random(7)."""
    n = sizes(quick)
    rng = random.Random(SEED)
    ints = make_ints(rng, n[LIST_INT])
    floats = make_floats_map(rng, n[DICT_STR_FLOAT])
    recs = make_recs(rng, n[LIST_REC])
    return ints, floats, recs


def make_objs(n: int) -> list[Obj]:
    rng = random.Random(SEED)
    return [Obj(i, f"obj-{i}", rng.random(), tuple(rng.randint(0, 1000) for _ in range(3))) for i in range(n)]


def make_ndarray(n: int) -> Any:
    """``n`` float64 values (numpy imported here)."""
    import numpy as np

    return np.random.default_rng(SEED).random(n)


def dataframe_columns(rows: int) -> dict[str, Any]:
    """The ten columns of the DataFrame workloads, as numpy arrays (strings as object arrays; numpy imported here)."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    columns: dict[str, Any] = {}
    for i in range(4):
        columns[f"f{i}"] = rng.random(rows)
    for i in range(4):
        columns[f"i{i}"] = rng.integers(-(2**40), 2**40, rows, dtype=np.int64)
    labels = np.array([f"label-{i}" for i in range(1000)], dtype=object)
    columns["s0"] = labels[rng.integers(0, 1000, rows)]
    columns["s1"] = np.char.add("id-", rng.integers(0, 10**9, rows).astype(str)).astype(object)
    return columns


def make_dataframe(rows: int) -> Any:
    """``rows`` x 10: four float64, four int64 and two string columns (pandas imported here)."""
    import pandas as pd

    return pd.DataFrame(dataframe_columns(rows))


def make_polars_frame(rows: int) -> Any:
    """The same ``rows`` x 10 data as :func:`make_dataframe`, as a polars DataFrame (no pandas involved)."""
    import polars as pl

    return pl.DataFrame(
        [
            pl.Series(name, values, dtype=pl.String if values.dtype == object else None)
            for name, values in dataframe_columns(rows).items()
        ]
    )


def make_value(key: str, quick: bool) -> Any:
    """The value for one value workload (core values come from :func:`core_values`)."""
    n = sizes(quick)[key]
    if key in (LIST_INT, DICT_STR_FLOAT, LIST_REC):
        return core_values(quick)[(LIST_INT, DICT_STR_FLOAT, LIST_REC).index(key)]
    if key == PICKLE_OBJS:
        return make_objs(n)
    if key == NDARRAY:
        return make_ndarray(n)
    if key == DATAFRAME:
        return make_dataframe(n)
    raise KeyError(key)


def same(key: str, a: Any, b: Any) -> bool:
    """Whether a round trip gave back equal data."""
    if key == NDARRAY:
        import numpy as np

        return a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b))
    if key == DATAFRAME:
        if list(a.columns) != list(b.columns) or len(a) != len(b):
            return False
        for col in a.columns:
            x, y = a[col], b[col]
            if x.dtype.kind in "fi" and x.dtype != y.dtype:
                return False
            if x.tolist() != y.tolist():
                return False
        return True
    return bool(a == b)


def describe(key: str, quick: bool) -> str:
    """A human label for a workload at its size."""
    n = sizes(quick).get(key, 0)
    return {
        LIST_INT: f"List[int], {n:,} items",
        DICT_STR_FLOAT: f"Dict[str, float], {n:,} entries",
        LIST_REC: f"List[Rec], {n:,} dataclasses",
        PICKLE_OBJS: f"{n:,} custom objects, BatchSize({PICKLE_BATCH})",
        NDARRAY: f"{n * 8 / 2**20:g} MiB float64 ndarray",
        DATAFRAME: f"{n:,} x 10 DataFrame",
        IMPORT: "import (overhead over a bare interpreter)",
        GET_TRANSFORMER: "cached get_transformer(List[int]) per call",
    }[key]
