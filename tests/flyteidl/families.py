"""The value families the conformance tests exchange with flytekit (one module, so both flytekit envs share it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import operator
import typing
from collections.abc import Callable
from typing import Annotated, Any, Dict, List, Optional, Union

from typeflow import HashMethod
from typeflow_pickle import BatchSize


class Color(str, enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclasses.dataclass
class Point:
    x: int
    y: float
    label: str = ""


@dataclasses.dataclass
class Route:
    name: str
    points: List[Point]
    color: Color
    tags: Dict[str, int] = dataclasses.field(default_factory=dict)
    home: Optional[Point] = None


class Obj:
    """A class neither typeflow nor flytekit has a transformer for: both pickle it."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Obj) and other.n == self.n

    def __repr__(self) -> str:
        return f"Obj({self.n})"


def _sha(value: Any) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class Family:
    name: str
    value: Any
    python_type: Any
    equal: Callable[[Any, Any], bool] = operator.eq
    #: the same type spelled for flytekit, where the spelling differs (declared DataFrame columns)
    flytekit_type: Any = None

    @property
    def flyte_type(self) -> Any:
        return self.python_type if self.flytekit_type is None else self.flytekit_type

    def __repr__(self) -> str:
        return self.name


UTC = dt.timezone.utc

CORE: list[Family] = [
    Family("int", -(2**40), int),
    Family("float", 2.5, float),
    Family("str", "héllo", str),
    Family("bool", True, bool),
    Family("datetime", dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC), dt.datetime),
    Family("date", dt.date(2024, 5, 6), dt.date),
    Family("timedelta", dt.timedelta(days=2, seconds=3, microseconds=4), dt.timedelta),
    Family("none", None, type(None)),
    Family("list-of-list", [[1, 2], [], [3]], List[List[int]]),
    Family("dict-of-list", {"a": [1.5], "b": []}, Dict[str, List[float]]),
    Family("list-of-dict", [{"a": "x"}, {}], List[Dict[str, str]]),
    Family("untyped-dict", {"a": 1, "b": [1, "x", None], "c": {"d": 2.5}}, dict),
    Family("int-keyed-dict", {1: "a", 2: "b"}, Dict[int, str]),
    Family("dataclass", Point(1, 2.5, "p"), Point),
    Family("nested-dataclass", Route("r", [Point(1, 2.0)], Color.GREEN, {"k": 1}, Point(0, 0.0)), Route),
    Family("list-of-dataclasses", [Point(i, i / 2) for i in range(5)], List[Point]),
    Family("str-enum", Color.RED, Color),
    Family("typing-literal", "b", typing.Literal["a", "b"]),
    Family("optional-int", 3, Optional[int]),
    Family("optional-none", None, Optional[int]),
    Family("union-int-str", "x", Union[int, str]),
    Family("union-str-enum", Color.GREEN, Union[str, Color]),
    Family("hash-method", "cached", Annotated[str, HashMethod(_sha)]),
]

#: flytekit pickles bytes; typeflow writes them so under the flytekit profiles (its own form is BINARY)
BYTES: list[Family] = [
    Family("bytes", b"\x00\x01\xff", bytes),
    Family("bytes-empty", b"", bytes),
    Family("list-of-bytes", [b"a", b"", b"\x00c"], List[bytes]),
    Family("optional-bytes", b"x", Optional[bytes]),
    Family("optional-bytes-none", None, Optional[bytes]),
    Family("dict-of-bytes", {"k": b"v", "e": b""}, Dict[str, bytes]),
]

PICKLES: list[Family] = [
    Family("pickled-object", Obj(7), Obj),
    Family("list-of-pickles", [Obj(i) for i in range(5)], List[Obj]),
    Family("list-of-pickles-batched", [Obj(i) for i in range(5)], Annotated[List[Obj], BatchSize(2)]),
]


def arrays_and_frames() -> list[Family]:
    import numpy as np
    import pandas as pd
    from flytekit import kwtypes

    from typeflow_pandas import Columns

    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    same = lambda a, b: bool(a.equals(b))  # noqa: E731
    return [
        Family("ndarray", np.arange(12, dtype=np.float64).reshape(3, 4), np.ndarray, lambda a, b: bool(np.array_equal(a, b))),
        Family("dataframe", frame, pd.DataFrame, same),
        Family(
            "dataframe-with-columns",
            frame,
            Annotated[pd.DataFrame, Columns(a=int, b=str)],
            same,
            Annotated[pd.DataFrame, kwtypes(a=int, b=str)],
        ),
    ]
