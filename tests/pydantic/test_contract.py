"""typeflow.testing's contract suite for pydantic models, through the installed plugin's entry point."""

from __future__ import annotations

import datetime
from typing import Optional

import msgpack
from pydantic import BaseModel

from typeflow.literals import Binary, Literal, LiteralCollection, LiteralMap, Primitive, Scalar
from typeflow.testing import TransformerContract

from .samples import Aliased, Color, Item, Order, aliased, orders


def msgpack_literal(obj: object) -> Literal:
    return Literal(scalar=Scalar(binary=Binary(msgpack.packb(obj), "msgpack")))


class Other(BaseModel):
    n: int


class TestOrder(TransformerContract):
    python_type = Order

    def values(self) -> list[Order]:
        return orders()

    def bad_values(self) -> list[object]:
        good = orders()[0]
        wrong_field = Order.model_construct(**{**dict(good), "items": "not a list"})
        return [good.model_dump(), Item(n=1), "order", 3, wrong_field]

    def bad_literals(self) -> list[Literal]:
        return [
            msgpack_literal({"id": "x", "placed": "2024-01-01T00:00:00Z", "color": "red", "items": [], "prices": {}}),
            msgpack_literal({"id": 1}),
            msgpack_literal([1, 2]),
            Literal(scalar=Scalar(binary=Binary(b"\xc1\xc1", "msgpack"))),
            Literal(scalar=Scalar(binary=Binary(msgpack.packb({"id": 1}), "json"))),
            Literal(scalar=Scalar(primitive=Primitive(string_value="{}"))),
        ]


class TestItem(TransformerContract):
    python_type = Item

    def values(self) -> list[Item]:
        return [Item(n=0), Item(n=-(2**63), label="min"), Item(n=2**63 - 1, label="")]

    def bad_values(self) -> list[object]:
        return [Other(n=1), {"n": 1}]

    def bad_literals(self) -> list[Literal]:
        return [msgpack_literal({"n": 1.5}), msgpack_literal({"label": "no n"})]


class TestAliased(TransformerContract):
    python_type = Aliased

    def values(self) -> list[Aliased]:
        return aliased()

    def bad_values(self) -> list[object]:
        return [Item(n=1), {"firstName": "Ada"}]

    def bad_literals(self) -> list[Literal]:
        return [msgpack_literal({"score": 1.0}), msgpack_literal({"firstName": 3})]


class TestOptionalOrder(TransformerContract):
    python_type = Optional[Order]

    def values(self) -> list[Optional[Order]]:
        return [*orders(), None]

    def bad_values(self) -> list[object]:
        return [Item(n=1), "order"]

    def bad_literals(self) -> list[Literal]:
        return [msgpack_literal({"id": "x"}), Literal(scalar=Scalar(primitive=Primitive(string_value="order")))]


class TestListOfOrders(TransformerContract):
    python_type = list[Order]

    def values(self) -> list[list[Order]]:
        return [orders(), [], [orders()[1]] * 3]

    def bad_values(self) -> list[object]:
        return [[orders()[0], Item(n=1)], orders()[0]]

    def bad_literals(self) -> list[Literal]:
        return [Literal(collection=LiteralCollection((msgpack_literal({"id": 1}),))), msgpack_literal([])]


class TestDictOfItems(TransformerContract):
    python_type = dict[str, Item]

    def values(self) -> list[dict[str, Item]]:
        return [{"a": Item(n=1), "b": Item(n=2, label="b")}, {}]

    def bad_values(self) -> list[object]:
        return [{"a": Other(n=1)}, {1: Item(n=1)}, [Item(n=1)]]

    def bad_literals(self) -> list[Literal]:
        return [Literal(map=LiteralMap({"a": msgpack_literal({"n": "x"})})), msgpack_literal({"a": {"n": 1}})]


class Event(BaseModel):
    at: datetime.datetime
    color: Color = Color.GREEN


class TestNaiveAndAwareDatetimes(TransformerContract):
    python_type = Event

    def values(self) -> list[Event]:
        return [
            Event(at=datetime.datetime(2020, 2, 29, 1, 2, 3, 4)),
            Event(at=datetime.datetime(2020, 2, 29, 1, 2, 3, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))),
        ]

    def bad_values(self) -> list[object]:
        return [Item(n=1), {"at": "2020-01-01"}]

    def bad_literals(self) -> list[Literal]:
        return [msgpack_literal({"at": "not a time"}), msgpack_literal({"at": "2020-01-01T00:00:00Z", "color": "blue"})]
