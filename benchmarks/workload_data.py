"""Workload names, sizes and data generators shared by typeflow's and flytekit's benchmark sides.

Imported by code that runs in the typeflow ``bench`` env and by ``flytekit_side.py`` in the
``bench-flytekit`` env, so it imports only the standard library at top level: numpy and
pandas are imported inside the generators that need them.

The core values follow ``bench_core.py`` exactly: one ``random.Random(7)`` drawing the ints,
then the map, then the records, so both sides (and ``bench_core``) see identical data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import random
import typing
from collections.abc import Callable
from typing import Any, Optional, Union

# Stable keys shared by both sides: flytekit_side.py prints {key: seconds}, bench_flytekit.py reads them.
LIST_INT = "list_int"
DICT_STR_FLOAT = "dict_str_float"
LIST_REC = "list_rec"
PICKLE_OBJS = "pickle_objs"
NDARRAY = "ndarray"
DATAFRAME = "dataframe"
IMPORT = "import"
GET_TRANSFORMER = "get_transformer"

# The element kinds of the packed-forms issue: every row of its table, plus Dict[str, Optional[float]].
LIST_OPT_INT = "list_opt_int"
LIST_UNION_INT_STR = "list_union_int_str"
LIST_DATETIME = "list_datetime"
LIST_DATE = "list_date"
LIST_TIMEDELTA = "list_timedelta"
LIST_ENUM = "list_enum"
LIST_SMALL_DICTS = "list_small_dicts"
LIST_OPT_REC = "list_opt_rec"
LIST_BOOL = "list_bool"
LIST_STR = "list_str"
DICT_OPT_FLOAT = "dict_opt_float"
PACKED_WORKLOADS = (
    LIST_OPT_INT,
    LIST_UNION_INT_STR,
    LIST_DATETIME,
    LIST_DATE,
    LIST_TIMEDELTA,
    LIST_ENUM,
    LIST_SMALL_DICTS,
    LIST_OPT_REC,
    LIST_BOOL,
    LIST_STR,
    DICT_OPT_FLOAT,
)

WORKLOADS = (LIST_INT, DICT_STR_FLOAT, LIST_REC, PICKLE_OBJS, NDARRAY, DATAFRAME, IMPORT, GET_TRANSFORMER, *PACKED_WORKLOADS)
VALUE_WORKLOADS = (LIST_INT, DICT_STR_FLOAT, LIST_REC, PICKLE_OBJS, NDARRAY, DATAFRAME, *PACKED_WORKLOADS)

SEED = 7
PICKLE_BATCH = 1000  # BatchSize(n) for the pickle workload
NDARRAY_BYTES = 100 * 1024 * 1024  # 100 MiB of float64


@dataclasses.dataclass
class Rec:
    id: int
    name: str
    score: float
    history: list[int]


class Color(str, enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


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


_UTC = dt.timezone.utc
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)
_SHAPES = (("a", "b", "c"), ("a", "b", "c"), ("a", "b", "c"), ("x", "y"), ("a", "b", "c", "d"))


def _opt_ints(rng: random.Random, n: int) -> list[Optional[int]]:
    return [None if rng.random() < 0.1 else rng.randint(-(2**40), 2**40) for _ in range(n)]


def _ints_and_strs(rng: random.Random, n: int) -> list[Union[int, str]]:
    return [rng.randint(-(2**40), 2**40) if rng.random() < 0.5 else f"s-{rng.randint(0, 10**9)}" for _ in range(n)]


def _datetimes(rng: random.Random, n: int) -> list[dt.datetime]:
    # aware, in UTC: msgpack timestamps (the raw codec) hold instants only
    return [_EPOCH + dt.timedelta(seconds=rng.randint(0, 4 * 10**9), microseconds=rng.randint(0, 999_999)) for _ in range(n)]


def _dates(rng: random.Random, n: int) -> list[dt.date]:
    start = dt.date(1900, 1, 1).toordinal()
    return [dt.date.fromordinal(start + rng.randint(0, 73_000)) for _ in range(n)]


def _timedeltas(rng: random.Random, n: int) -> list[dt.timedelta]:
    return [dt.timedelta(seconds=rng.randint(-(10**6), 10**6), microseconds=rng.randint(0, 999_999)) for _ in range(n)]


def _colors(rng: random.Random, n: int) -> list[Color]:
    members = list(Color)
    return [rng.choice(members) for _ in range(n)]


def _small_dicts(rng: random.Random, n: int) -> list[dict[str, int]]:
    # mostly one shape, some others: records and counters as they come
    return [{k: rng.randint(-1000, 10**6) for k in rng.choice(_SHAPES)} for _ in range(n)]


def _opt_recs(rng: random.Random, n: int) -> list[Optional[Rec]]:
    return [None if rng.random() < 0.1 else rec for rec in make_recs(rng, n)]


def _bools(rng: random.Random, n: int) -> list[bool]:
    return [rng.random() < 0.5 for _ in range(n)]


def _strs(rng: random.Random, n: int) -> list[str]:
    return [f"str-{rng.randint(0, 10**9)}" for _ in range(n)]


def _opt_floats_map(rng: random.Random, n: int) -> dict[str, Optional[float]]:
    return {f"key-{i}": None if rng.random() < 0.1 else rng.random() for i in range(n)}


#: per packed workload: the Python type, the generator, and the element count of the issue's table
PACKED: dict[str, tuple[Any, Callable[[random.Random, int], Any], int]] = {
    LIST_OPT_INT: (typing.List[Optional[int]], _opt_ints, 200_000),
    LIST_UNION_INT_STR: (typing.List[Union[int, str]], _ints_and_strs, 200_000),
    LIST_DATETIME: (typing.List[dt.datetime], _datetimes, 200_000),
    LIST_DATE: (typing.List[dt.date], _dates, 200_000),
    LIST_TIMEDELTA: (typing.List[dt.timedelta], _timedeltas, 200_000),
    LIST_ENUM: (typing.List[Color], _colors, 200_000),
    LIST_SMALL_DICTS: (typing.List[typing.Dict[str, int]], _small_dicts, 100_000),
    LIST_OPT_REC: (typing.List[Optional[Rec]], _opt_recs, 20_000),
    LIST_BOOL: (typing.List[bool], _bools, 1_000_000),
    LIST_STR: (typing.List[str], _strs, 1_000_000),
    DICT_OPT_FLOAT: (typing.Dict[str, Optional[float]], _opt_floats_map, 100_000),
}


def packed_value(key: str, n: int) -> Any:
    """``n`` elements of a packed workload, from their own ``random.Random(7)``."""
    return PACKED[key][1](random.Random(SEED), n)


def packed_type(key: str) -> Any:
    return PACKED[key][0]


_PACKED_LABELS = {
    LIST_OPT_INT: "List[Optional[int]], {n:,} items (10% None)",
    LIST_UNION_INT_STR: "List[Union[int, str]], {n:,} items",
    LIST_DATETIME: "List[datetime], {n:,} aware datetimes",
    LIST_DATE: "List[date], {n:,} items",
    LIST_TIMEDELTA: "List[timedelta], {n:,} items",
    LIST_ENUM: "List[Color] (str enum), {n:,} items",
    LIST_SMALL_DICTS: "List[Dict[str, int]], {n:,} small dicts",
    LIST_OPT_REC: "List[Optional[Rec]], {n:,} dataclasses (10% None)",
    LIST_BOOL: "List[bool], {n:,} items",
    LIST_STR: "List[str], {n:,} items",
    DICT_OPT_FLOAT: "Dict[str, Optional[float]], {n:,} entries (10% None)",
}


def packed_label(key: str, n: int) -> str:
    return _PACKED_LABELS[key].format(n=n)


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
    if key in PACKED:
        return packed_value(key, COMPARE_SIZE // (10 if quick else 1))
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


#: the element count at which every packed workload is compared with flytekit and Flyte 2
COMPARE_SIZE = 100_000


def describe(key: str, quick: bool) -> str:
    """A human label for a workload at its size."""
    if key in PACKED:
        return packed_label(key, COMPARE_SIZE // (10 if quick else 1))
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
