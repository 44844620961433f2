"""Hypothesis strategies derived from Python types, and a strategy of types to depth 4."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import typing
from typing import Any, Optional

from hypothesis import strategies as st

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
FLOATS = st.floats(allow_nan=False)  # NaN never equals itself; covered by a dedicated test
TEXT = st.text()  # includes NUL and non-BMP characters


def is_comparable(value: dt.datetime) -> bool:
    """Whether an aware datetime equals its own instant in UTC, which is what a round trip gives back.

    A local time in a DST fold or gap (``ZoneInfo("Turkey")``, 1995-09-24 01:00) never compares
    equal to a datetime in another zone (PEP 495), and one near ``datetime.min``/``max`` may have
    no instant a datetime holds; both have tests of their own.
    """
    try:
        return value == value.astimezone(dt.timezone.utc)
    except OverflowError:
        return False


#: aware datetimes in any zone, each equal to its instant in UTC
AWARE_DATETIMES = st.datetimes(timezones=st.timezones()).filter(is_comparable)


class Color(str, enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclasses.dataclass
class Point:
    x: int
    y: float


@dataclasses.dataclass
class Shape:
    name: str
    points: list[Point]
    color: Color
    tags: dict[str, int] = dataclasses.field(default_factory=dict)
    parent: Optional[Point] = None
    when: Optional[dt.datetime] = None


SIMPLE: dict[Any, st.SearchStrategy[Any]] = {
    int: INT64,
    float: FLOATS,
    str: TEXT,
    bool: st.booleans(),
    bytes: st.binary(),
    dt.datetime: st.datetimes() | AWARE_DATETIMES,
    dt.date: st.dates(),
    dt.timedelta: st.timedeltas(),
    Color: st.sampled_from(Color),
    Point: st.builds(Point, x=INT64, y=FLOATS),
    typing.Literal["a", "b"]: st.sampled_from(["a", "b"]),
}
SIMPLE[Shape] = st.builds(
    Shape,
    name=TEXT,
    points=st.lists(SIMPLE[Point], max_size=3),
    color=SIMPLE[Color],
    tags=st.dictionaries(TEXT, INT64, max_size=3),
    parent=st.none() | SIMPLE[Point],
    when=st.none() | st.datetimes(),
)


def values_of(t: Any) -> st.SearchStrategy[Any]:
    """Values of type ``t``."""
    if t in SIMPLE:
        return SIMPLE[t]
    origin, args = typing.get_origin(t), typing.get_args(t)
    if origin is list:
        return st.lists(values_of(args[0]), max_size=4)
    if origin is dict:
        return st.dictionaries(TEXT, values_of(args[1]), max_size=4)
    if origin is typing.Union:
        return st.one_of(*(st.none() if a is type(None) else values_of(a) for a in args))
    raise NotImplementedError(t)


def _nest(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        inner.map(lambda t: list[t]),  # type: ignore[valid-type]
        inner.map(lambda t: dict[str, t]),  # type: ignore[valid-type]
        inner.map(lambda t: Optional[t]),
    )


LEAVES = st.sampled_from(list(SIMPLE))
TYPES = LEAVES | _nest(LEAVES) | _nest(_nest(LEAVES)) | _nest(_nest(_nest(LEAVES)))


def depth(t: Any) -> int:
    args = [a for a in typing.get_args(t) if a is not type(None) and a is not str]
    return 1 + max(map(depth, args), default=0) if typing.get_origin(t) in (list, dict, typing.Union) else 0
