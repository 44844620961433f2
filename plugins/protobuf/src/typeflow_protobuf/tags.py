"""The ``pb_type`` tag that names a message class in a literal type, and finding the class again.

flytekit records ``f"{cls.__module__}.{cls.__name__}"`` under ``pb_type``.
typeflow records the module and the message's name inside it: the same for
every top-level message, and loadable for a nested one (``Outer.Inner``).

Resolving a tag never imports a module named by untrusted data: only modules
already imported, and the ``google.protobuf`` well-known-type modules that
ship with protobuf, are looked in.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from google.protobuf.message import Message

__all__ = ["PB_TYPE_KEY", "resolve_tag", "tag"]

#: the metadata key flytekit's ProtobufTransformer uses
PB_TYPE_KEY = "pb_type"

_WELL_KNOWN_MODULES = frozenset(
    f"google.protobuf.{name}_pb2"
    for name in ("any", "api", "duration", "empty", "field_mask", "source_context", "struct", "timestamp", "type", "wrappers")
)


def tag(cls: type[Message]) -> str:
    """The ``pb_type`` of a message class: its module and its name inside it (``Outer.Inner`` when nested).

    The nesting comes from the descriptor: older protobuf runtimes give nested
    classes a bare ``__qualname__``.
    """
    names = []
    descriptor: Any = cls.DESCRIPTOR
    while descriptor is not None:
        names.append(descriptor.name)
        descriptor = descriptor.containing_type
    return f"{cls.__module__}.{'.'.join(reversed(names))}"


def resolve_tag(value: str) -> type[Message]:
    """The message class a ``pb_type`` names; ``ValueError`` (saying what to do) when it cannot be found safely."""
    for split in range(value.count("."), 0, -1):  # the module is the longest imported prefix
        parts = value.split(".")
        module_name, attrs = ".".join(parts[:split]), parts[split:]
        module = sys.modules.get(module_name)
        if module is None and module_name in _WELL_KNOWN_MODULES:
            module = importlib.import_module(module_name)
        if module is None:
            continue
        obj: object = module
        for attr in attrs:
            obj = getattr(obj, attr, None)
        if isinstance(obj, type) and issubclass(obj, Message):
            return obj
    raise ValueError(
        f"protobuf message type {value!r} is not loaded; import the module that defines it "
        "(typeflow never imports a module named in a literal), or pass the Python type explicitly"
    )
