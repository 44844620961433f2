"""Find where in a JSON struct a message fails to parse, as a typeflow path (``$.items[1].kind``).

``json_format.ParseError`` names the location only sometimes; this walks the
struct field by field, parsing one field at a time, to find the first bad one.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message

__all__ = ["locate"]

_MAX_DEPTH = 100


def _segment(key: str) -> str:
    return f".{key}" if key.isidentifier() else f"[{key!r}]"


def _fails(obj: Any, message: Message) -> bool:
    try:
        json_format.ParseDict(obj, message)
    except (json_format.ParseError, TypeError, ValueError, AttributeError, RecursionError):
        return True
    return False


def _child(message: Message, key: str) -> tuple[Any, bool, bool] | None:
    """(field descriptor, is repeated, is map) of JSON key ``key``, or ``None`` for an unknown key."""
    descriptor = message.DESCRIPTOR
    field: Any = descriptor.fields_by_camelcase_name.get(key) or descriptor.fields_by_name.get(key)
    if field is None:
        return None
    message_type = field.message_type
    is_map = bool(message_type is not None and message_type.GetOptions().map_entry)
    # protobuf 5+ has is_repeated; older runtimes only the label
    repeated = field.is_repeated if hasattr(field, "is_repeated") else field.label == field.LABEL_REPEATED
    repeated = bool(repeated) and not is_map
    return field, repeated, is_map


def locate(obj: Any, cls: type[Message]) -> tuple[str, ...]:
    """Path segments to the first part of ``obj`` that ``cls`` cannot parse (empty: the whole value)."""
    return _locate(obj, cls(), 0)


def _locate(obj: Any, message: Message, depth: int) -> tuple[str, ...]:
    if depth > _MAX_DEPTH or not isinstance(obj, dict) or message.DESCRIPTOR.full_name.startswith("google.protobuf."):
        return ()
    for key, value in obj.items():
        if not _fails({key: value}, type(message)()):
            continue
        here = (_segment(str(key)),)
        found = _child(message, str(key))
        if found is None:
            return here
        field, repeated, is_map = found
        if field.message_type is None:
            return here
        holder = type(message)()
        container: Any = getattr(holder, field.name)
        if repeated and isinstance(value, list):
            for i, item in enumerate(value):
                element = container.add()
                if _fails(item, type(element)()):
                    return (*here, f"[{i}]", *_locate(item, element, depth + 1))
            return here
        if is_map and isinstance(value, dict):
            value_field = field.message_type.fields_by_name["value"]
            for k, item in value.items():
                if value_field.message_type is None:
                    if _fails({key: {k: item}}, type(message)()):
                        return (*here, f"[{k!r}]")
                    continue
                try:
                    element = container[k]
                except (TypeError, ValueError, KeyError):  # a key of the wrong kind for the map
                    return (*here, f"[{k!r}]")
                if _fails(item, type(element)()):
                    return (*here, f"[{k!r}]", *_locate(item, element, depth + 1))
            return here
        return (*here, *_locate(value, container, depth + 1))
    return ()
