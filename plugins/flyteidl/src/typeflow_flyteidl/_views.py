"""Merge views: private message types that read a whole packed collection in one C-level parse.

Each view is wire-compatible with the flyteidl message it stands for, but the
element field is *singular* (protobuf merges every element into one message)
and the leaf fields are *repeated* (merging appends), so parsing a
``LiteralCollection``'s bytes as ``Coll`` yields every element's integer,
float, string, timestamp seconds, … in order, in one array per field. A
union's stored types come out one per element (``UnionV.type``), and nested
collections and maps as their payload bytes, one per element.

A view accepts bytes that are not one canonical element per value (a hash on
an element, a field left out), so every read through a view is checked by the
codec that uses it (by size, or by encoding the values again).
"""

from __future__ import annotations

from typing import Any

__all__ = ["parse", "view"]

_PACKAGE = "typeflow_views"
_REPEATED, _SINGULAR = 3, 1
_DOUBLE, _INT64, _INT32, _BOOL, _STRING, _MESSAGE, _BYTES = 1, 3, 5, 8, 9, 11, 12

#: message: [(field, number, type, label, message type)]
_LAYOUT: dict[str, list[tuple[str, int, int, int, str]]] = {
    "Time": [("seconds", 1, _INT64, _REPEATED, ""), ("nanos", 2, _INT32, _REPEATED, "")],
    "Prim": [
        ("integer", 1, _INT64, _REPEATED, ""),
        ("float_value", 2, _DOUBLE, _REPEATED, ""),
        ("string_value", 3, _STRING, _REPEATED, ""),
        ("boolean", 4, _BOOL, _REPEATED, ""),
        ("datetime", 5, _MESSAGE, _SINGULAR, "Time"),
        ("duration", 6, _MESSAGE, _SINGULAR, "Time"),
    ],
    "Bin": [("value", 1, _BYTES, _REPEATED, ""), ("tag", 2, _STRING, _REPEATED, "")],
    "Void": [],
    "UnionV": [("value", 1, _MESSAGE, _SINGULAR, "Lit"), ("type", 2, _BYTES, _REPEATED, "")],
    "Scalar": [
        ("primitive", 1, _MESSAGE, _SINGULAR, "Prim"),
        ("binary", 3, _MESSAGE, _SINGULAR, "Bin"),
        ("none_type", 5, _MESSAGE, _SINGULAR, "Void"),
        ("union", 9, _MESSAGE, _SINGULAR, "UnionV"),
    ],
    "Lit": [
        ("scalar", 1, _MESSAGE, _SINGULAR, "Scalar"),
        ("collection", 2, _BYTES, _REPEATED, ""),
        ("map", 3, _BYTES, _REPEATED, ""),
    ],
    "Coll": [("literals", 1, _MESSAGE, _SINGULAR, "Lit")],
    "Entry": [("key", 1, _STRING, _REPEATED, ""), ("value", 2, _MESSAGE, _SINGULAR, "Lit")],
    "Map": [("literals", 1, _MESSAGE, _SINGULAR, "Entry")],
    # one (empty) message per element: how many elements a collection or map has, told in C
    "Empty": [],
    "Count": [("literals", 1, _MESSAGE, _REPEATED, "Empty")],
}
_classes: dict[str, Any] = {}


def view(name: str) -> Any:
    """The view message class ``name`` (all are built once, in a private descriptor pool)."""
    if not _classes:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

        proto = descriptor_pb2.FileDescriptorProto(name="typeflow_flyteidl_views.proto", package=_PACKAGE, syntax="proto3")
        for message, fields in _LAYOUT.items():
            m = proto.message_type.add(name=message)
            for fname, number, ftype, label, type_name in fields:
                f = m.field.add(name=fname, number=number, type=ftype, label=label)  # type: ignore[arg-type]
                if type_name:
                    f.type_name = f".{_PACKAGE}.{type_name}"
                elif label == _REPEATED and ftype not in (_STRING, _BYTES):
                    # unpacked, as each element holds it: ByteSize() is then the elements' fields' total size
                    f.options.packed = False
        pool = descriptor_pool.DescriptorPool()
        pool.Add(proto)
        for message in _LAYOUT:
            _classes[message] = message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{_PACKAGE}.{message}"))
    return _classes[name]


def parse(name: str, payload: bytes | memoryview) -> Any:
    """``payload`` parsed as the view ``name``, or ``None`` when protobuf refuses it (e.g. a string not UTF-8)."""
    from google.protobuf.message import DecodeError

    try:
        return view(name).FromString(payload)
    except DecodeError:
        return None  # the element decoder reads it and says where
