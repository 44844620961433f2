"""Messages shared by the tests and by the script that makes the flytekit golden file.

Imports protobuf and the sample package only (no typeflow), so flytekit's Python can import it too.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

SAMPLE_PKGS = Path(__file__).resolve().parent / "sample_pkgs"
if str(SAMPLE_PKGS) not in sys.path:
    sys.path.insert(0, str(SAMPLE_PKGS))

from google.protobuf import descriptor_pb2, duration_pb2, struct_pb2, timestamp_pb2  # noqa: E402
from tfsample import orders_pb2  # noqa: E402


def order() -> Any:
    msg = orders_pb2.Order(
        id="A-1",
        items=[orders_pb2.Item(sku="s1", quantity=2, big=2**40), orders_pb2.Item(sku="s2")],
        status=orders_pb2.PLACED,
        prices={"s1": 1.5, "s2": -0.25},
        note=b"\x00\xffnote",
        ratio=0.1,
        coupon="",
    )
    msg.placed.FromSeconds(1_700_000_000)
    msg.extra.update({"k": [1, "v", None, {"deep": True}]})
    msg.ship_to.city = "Oslo"
    msg.by_sku["s1"].quantity = 3
    return msg


def struct() -> Any:
    s = struct_pb2.Struct()
    s.update({"a": 1, "b": [1.5, "x", None, True, {"c": []}], "e": {}})
    return s


def list_value() -> Any:
    lv = struct_pb2.ListValue()
    lv.extend([1, "x", None, True, {"a": 2}, [False, "y"]])
    return lv


def file_descriptor() -> Any:
    fd = descriptor_pb2.FileDescriptorProto(name="x.proto", package="p")
    fd.message_type.add(name="M").field.add(name="f", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_INT64)
    return fd


def timestamp() -> Any:
    return timestamp_pb2.Timestamp(seconds=1_700_000_000, nanos=123_456_000)


def duration() -> Any:
    return duration_pb2.Duration(seconds=90, nanos=500_000_000)


#: name → (message class, value factory)
SAMPLES: dict[str, tuple[Any, Any]] = {
    "order": (orders_pb2.Order, order),
    "empty-order": (orders_pb2.Order, orders_pb2.Order),
    "struct": (struct_pb2.Struct, struct),
    "list-value": (struct_pb2.ListValue, list_value),
    "file-descriptor": (descriptor_pb2.FileDescriptorProto, file_descriptor),
    "timestamp": (timestamp_pb2.Timestamp, timestamp),
    "duration": (duration_pb2.Duration, duration),
}
