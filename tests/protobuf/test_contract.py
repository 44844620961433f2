"""typeflow.testing's contract suite for protobuf messages, through the installed plugin's entry point."""

from __future__ import annotations

import datetime
from typing import Any, Optional

from google.protobuf import descriptor_pb2, duration_pb2, empty_pb2, field_mask_pb2, struct_pb2, timestamp_pb2, wrappers_pb2

from typeflow.literals import Binary, Literal, LiteralCollection, Primitive, Scalar, Void
from typeflow.testing import TransformerContract

from . import samples
from .samples import orders_pb2


def generic(data: dict[str, Any]) -> Literal:
    return Literal(scalar=Scalar(generic=data))


def string(text: str) -> Literal:
    return Literal(scalar=Scalar(primitive=Primitive(string_value=text)))


class TestOrder(TransformerContract):
    python_type = orders_pb2.Order

    def values(self) -> list[Any]:
        return [samples.order(), orders_pb2.Order(), orders_pb2.Order(coupon="")]

    def bad_values(self) -> list[object]:
        return [orders_pb2.Item(sku="x"), samples.struct(), {"id": "x"}, "order"]

    def bad_literals(self) -> list[Literal]:
        return [
            generic({"id": 3.0}),
            generic({"nope": 1.0}),
            generic({"items": [{}, {"quantity": "many"}]}),
            generic({"status": "NO_SUCH_STATUS"}),
            string("{}"),
            Literal(collection=LiteralCollection(())),
        ]


class TestItem(TransformerContract):
    python_type = orders_pb2.Item

    def values(self) -> list[Any]:
        return [orders_pb2.Item(sku="s", quantity=-(2**31), big=-(2**63)), orders_pb2.Item(big=2**63 - 1)]

    def bad_values(self) -> list[object]:
        return [orders_pb2.Order(), {"sku": "x"}, 3]

    def bad_literals(self) -> list[Literal]:
        return [generic({"sku": 1.0}), generic({"quantity": 1.5}), generic({"id": "an order"})]


class TestNestedMessage(TransformerContract):
    python_type = orders_pb2.Order.Address

    def values(self) -> list[Any]:
        return [orders_pb2.Order.Address(city="Bergen")]

    def bad_values(self) -> list[object]:
        return [orders_pb2.Item(), "Bergen"]

    def bad_literals(self) -> list[Literal]:
        return [generic({"city": ["not", "a", "string"]}), string("Bergen")]


class TestStruct(TransformerContract):
    python_type = struct_pb2.Struct

    def values(self) -> list[Any]:
        return [samples.struct(), struct_pb2.Struct()]

    def bad_values(self) -> list[object]:
        return [{"a": 1}, samples.list_value()]

    def bad_literals(self) -> list[Literal]:
        return [string("{}"), Literal(collection=LiteralCollection(()))]


class TestListValue(TransformerContract):
    python_type = struct_pb2.ListValue

    def values(self) -> list[Any]:
        return [samples.list_value(), struct_pb2.ListValue()]

    def bad_literals(self) -> list[Literal]:
        when = Literal(scalar=Scalar(primitive=Primitive(datetime=datetime.datetime(2020, 1, 1))))
        return [Literal(collection=LiteralCollection((when,))), string("[]")]

    def bad_values(self) -> list[object]:
        return [samples.struct(), [1, 2]]


class TestValue(TransformerContract):
    python_type = struct_pb2.Value

    def values(self) -> list[Any]:
        out = [struct_pb2.Value(number_value=2.5), struct_pb2.Value(string_value="s"), struct_pb2.Value(bool_value=False)]
        out.append(struct_pb2.Value(null_value=struct_pb2.NULL_VALUE))
        nested = struct_pb2.Value()
        nested.struct_value.update({"a": [1, 2]})
        listed = struct_pb2.Value()
        listed.list_value.extend(["x", None])
        return [*out, nested, listed]

    def bad_values(self) -> list[object]:
        return [samples.struct(), 2.5]

    def bad_literals(self) -> list[Literal]:
        return [Literal(scalar=Scalar(primitive=Primitive(datetime=datetime.datetime(2020, 1, 1))))]


class TestTimestamp(TransformerContract):
    python_type = timestamp_pb2.Timestamp

    def values(self) -> list[Any]:
        return [
            samples.timestamp(),
            timestamp_pb2.Timestamp(),
            timestamp_pb2.Timestamp(seconds=-62135596800),  # 0001-01-01
            timestamp_pb2.Timestamp(seconds=253402300799, nanos=999_999_000),  # 9999-12-31
            timestamp_pb2.Timestamp(seconds=-1, nanos=5000),
        ]

    def bad_values(self) -> list[object]:
        return [timestamp_pb2.Timestamp(seconds=1, nanos=1), samples.duration()]

    def bad_literals(self) -> list[Literal]:
        return [generic({"seconds": 1.0}), string("2020-01-01T00:00:00Z")]


class TestDuration(TransformerContract):
    python_type = duration_pb2.Duration

    def values(self) -> list[Any]:
        return [
            samples.duration(),
            duration_pb2.Duration(),
            duration_pb2.Duration(seconds=-1, nanos=-500_000_000),
            duration_pb2.Duration(nanos=-1000),
            duration_pb2.Duration(seconds=315_576_000_000),
        ]

    def bad_values(self) -> list[object]:
        return [duration_pb2.Duration(nanos=1), samples.timestamp()]

    def bad_literals(self) -> list[Literal]:
        return [Literal(scalar=Scalar(primitive=Primitive(datetime=datetime.datetime(2020, 1, 1)))), string("90s")]


class TestWrappersAndFieldMask(TransformerContract):
    python_type = wrappers_pb2.Int64Value

    def values(self) -> list[Any]:
        return [wrappers_pb2.Int64Value(value=-(2**63)), wrappers_pb2.Int64Value()]

    def bad_literals(self) -> list[Literal]:
        return [string("5"), Literal(scalar=Scalar(none_type=Void()))]

    def bad_values(self) -> list[object]:
        return [wrappers_pb2.Int32Value(value=1), 5]


class TestUInt64Value(TransformerContract):
    python_type = wrappers_pb2.UInt64Value

    def values(self) -> list[Any]:
        return [wrappers_pb2.UInt64Value(value=2**63 - 1)]

    def bad_values(self) -> list[object]:
        return [wrappers_pb2.UInt64Value(value=2**63)]

    def bad_literals(self) -> list[Literal]:
        return [Literal(scalar=Scalar(primitive=Primitive(integer=-1)))]


class TestBytesValue(TransformerContract):
    python_type = wrappers_pb2.BytesValue

    def values(self) -> list[Any]:
        return [wrappers_pb2.BytesValue(value=b"\x00\xff"), wrappers_pb2.BytesValue()]

    def bad_values(self) -> list[object]:
        return [wrappers_pb2.StringValue(value="x"), b"raw bytes"]

    def bad_literals(self) -> list[Literal]:
        return [string("AP8="), Literal(scalar=Scalar(binary=Binary(b"x", "msgpack")))]


class TestFieldMask(TransformerContract):
    python_type = field_mask_pb2.FieldMask

    def values(self) -> list[Any]:
        return [field_mask_pb2.FieldMask(paths=["a.b", "c_d"]), field_mask_pb2.FieldMask()]

    def bad_values(self) -> list[object]:
        return [wrappers_pb2.StringValue(value="a.b"), "a.b"]

    def bad_literals(self) -> list[Literal]:
        return [generic({"paths": ["a"]}), Literal(scalar=Scalar(none_type=Void()))]


class TestEmpty(TransformerContract):
    python_type = empty_pb2.Empty

    def values(self) -> list[Any]:
        return [empty_pb2.Empty()]

    def bad_values(self) -> list[object]:
        return [orders_pb2.Item(), {}]

    def bad_literals(self) -> list[Literal]:
        return [generic({"x": 1.0}), string("")]


class TestGeneratedGoogleMessage(TransformerContract):
    python_type = descriptor_pb2.FileDescriptorProto

    def values(self) -> list[Any]:
        return [samples.file_descriptor()]

    def bad_values(self) -> list[object]:
        return [descriptor_pb2.DescriptorProto(name="M"), orders_pb2.Order()]

    def bad_literals(self) -> list[Literal]:
        return [generic({"messageType": [{"field": [{"label": "NO_SUCH_LABEL"}]}]}), generic({"syntax": 3.0})]


class TestOptionalOrder(TransformerContract):
    python_type = Optional[orders_pb2.Order]

    def values(self) -> list[Any]:
        return [samples.order(), None]

    def bad_values(self) -> list[object]:
        return [orders_pb2.Item(), "order"]

    def bad_literals(self) -> list[Literal]:
        return [generic({"nope": 1.0}), string("order")]


class TestListOfOrders(TransformerContract):
    python_type = list[orders_pb2.Order]

    def values(self) -> list[Any]:
        return [[samples.order(), orders_pb2.Order()], []]

    def bad_values(self) -> list[object]:
        return [[samples.order(), orders_pb2.Item()], samples.order()]

    def bad_literals(self) -> list[Literal]:
        return [
            Literal(collection=LiteralCollection((generic({"id": "ok"}), generic({"nope": 1.0})))),
            generic({"id": "not a list"}),
        ]
