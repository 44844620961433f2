"""Models and values shared by the tests and by the script that makes the flytekit golden file.

Imports pydantic only (no typeflow), so flytekit's Python can import it too.
"""

from __future__ import annotations

import datetime
import enum
import uuid
from typing import Optional

from pydantic import BaseModel, Field

UTC = datetime.timezone.utc


class Color(str, enum.Enum):
    RED = "red"
    GREEN = "green"


class Item(BaseModel):
    n: int
    label: Optional[str] = None


class Order(BaseModel):
    """Nested models, Optional, List, Dict, Enum and datetime fields."""

    id: int
    placed: datetime.datetime
    color: Color
    items: list[Item]
    prices: dict[str, float]
    note: Optional[str] = None
    parent: Optional[Item] = None
    due: Optional[datetime.date] = None
    wait: datetime.timedelta = datetime.timedelta(0)
    ref: uuid.UUID = uuid.UUID(int=0)


class Aliased(BaseModel):
    """A field whose JSON name is an alias."""

    first_name: str = Field(alias="firstName")
    score: float = 0.0


def orders() -> list[Order]:
    return [
        Order(
            id=1,
            placed=datetime.datetime(2024, 5, 1, 12, 30, 15, 250000, tzinfo=UTC),
            color=Color.RED,
            items=[Item(n=1), Item(n=2, label="two")],
            prices={"a": 1.5, "b": -0.25},
        ),
        Order(
            id=2**40,
            placed=datetime.datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
            color=Color.GREEN,
            items=[],
            prices={},
            note="ünïcode ✓",
            parent=Item(n=-7, label=""),
            due=datetime.date(2000, 1, 1),
            wait=datetime.timedelta(days=1, seconds=2, microseconds=3),
            ref=uuid.UUID("12345678-1234-5678-1234-567812345678"),
        ),
    ]


def aliased() -> list[Aliased]:
    return [Aliased(firstName="Ada", score=2.5)]
