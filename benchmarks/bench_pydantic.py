"""typeflow-pydantic: 10,000 pydantic models round trip against model_dump + msgpack + model_validate.

Round trip = to_literal → wire.dumps → wire.loads → to_python_value of a
``List[Order]`` (held packed: one array of msgpack records). The baseline
does what the plugin does at its core, per model, with the raw libraries:
``msgpack.packb(m.model_dump(mode="json"))`` and
``Order.model_validate(msgpack.unpackb(b))``. typeflow validates in pydantic's
JSON mode (as flytekit does), which is the price of reading datetimes,
enums and bytes exactly as their JSON form spells them.
"""

from __future__ import annotations

import datetime
import enum
import random
from typing import Optional

import msgpack
from harness import Row, best_of_pair
from pydantic import BaseModel

from typeflow import TypeEngine, wire


class Color(str, enum.Enum):
    RED = "red"
    GREEN = "green"


class Line(BaseModel):
    sku: str
    quantity: int


class Order(BaseModel):
    id: int
    name: str
    score: float
    history: list[int]
    placed: datetime.datetime
    color: Color
    note: Optional[str] = None
    line: Line


def make_orders(n: int) -> list[Order]:
    rng = random.Random(7)
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    return [
        Order(
            id=i,
            name=f"name-{i}",
            score=rng.random(),
            history=[rng.randint(0, 1000) for _ in range(5)],
            placed=start + datetime.timedelta(seconds=i),
            color=Color.RED if i % 2 else Color.GREEN,
            note=None if i % 3 else f"note-{i}",
            line=Line(sku=f"sku-{i % 100}", quantity=i % 7),
        )
        for i in range(n)
    ]


def run(quick: bool) -> list[Row]:
    n = 1_000 if quick else 10_000
    repeat = 3 if quick else 15  # the machine is shared: more alternating runs let the best of each side be a quiet one
    orders = make_orders(n)
    engine = TypeEngine()
    ctx = engine.context()
    engine.to_literal_type(list[Order])  # load the plugin and build the schema outside the timed runs

    def typeflow_round_trip() -> list[Order]:
        lv = engine.to_literal(ctx, orders, list[Order])
        back: list[Order] = engine.to_python_value(ctx, wire.loads(wire.dumps(lv)), list[Order])
        return back

    def raw_round_trip() -> list[Order]:
        packed = [msgpack.packb(m.model_dump(mode="json")) for m in orders]
        return [Order.model_validate(msgpack.unpackb(b)) for b in packed]

    assert typeflow_round_trip() == orders
    assert raw_round_trip() == orders
    typeflow_s, raw_s = best_of_pair(typeflow_round_trip, raw_round_trip, repeat)
    return [
        Row(
            f"List[Order], {n:,} pydantic models",
            typeflow_s,
            "model_dump + msgpack + model_validate",
            raw_s,
            1.5,
        )
    ]
