"""``to_flyteidl`` / ``from_flyteidl``: typeflow's literal model ↔ ``flyteidl.core`` protobuf messages.

Both go through the byte codec: ``to_flyteidl`` encodes the model and lets
protobuf parse the bytes into a message in one C-level call, and
``from_flyteidl`` serializes the message once and decodes the bytes. So a
packed collection of a million ints never becomes a million Python objects
on either side.
"""

from __future__ import annotations

from typing import Any

from typeflow.errors import TypeflowError
from typeflow.literals import Literal, LiteralMap, LiteralType

from .decode import decode, decode_literal, decode_literal_map, decode_literal_type
from .encode import encode_literal, encode_literal_map, encode_literal_type

__all__ = ["from_bytes", "from_flyteidl", "message_class", "to_bytes", "to_flyteidl"]

_READERS = {"Literal": decode_literal, "LiteralType": decode_literal_type, "LiteralMap": decode_literal_map}


def message_class(name: str) -> Any:
    """The ``flyteidl.core`` message class named ``Literal``, ``LiteralType`` or ``LiteralMap``."""
    if name == "LiteralType":
        from flyteidl.core import types_pb2

        return types_pb2.LiteralType
    from flyteidl.core import literals_pb2

    return getattr(literals_pb2, name)


def _name_of(obj: Any) -> str:
    if isinstance(obj, Literal):
        return "Literal"
    if isinstance(obj, LiteralType):
        return "LiteralType"
    if isinstance(obj, LiteralMap):
        return "LiteralMap"
    raise TypeflowError(
        f"typeflow-flyteidl converts a Literal, LiteralType or LiteralMap, not a {type(obj).__module__}.{type(obj).__qualname__}"
    )


def to_bytes(obj: Literal | LiteralType | LiteralMap) -> bytes:
    """The serialized ``flyteidl.core`` message of a typeflow ``Literal``, ``LiteralType`` or ``LiteralMap``."""
    name = _name_of(obj)
    if name == "Literal":
        return encode_literal(obj)  # type: ignore[arg-type]
    if name == "LiteralType":
        return encode_literal_type(obj)  # type: ignore[arg-type]
    return encode_literal_map(obj)  # type: ignore[arg-type]


def from_bytes(data: bytes, message: str = "LiteralMap") -> Any:
    """Read serialized ``flyteidl.core`` bytes of ``message`` (``"Literal"``, ``"LiteralType"``, ``"LiteralMap"``)."""
    if message not in _READERS:
        raise TypeflowError(f"typeflow-flyteidl reads Literal, LiteralType or LiteralMap bytes, not {message!r}")
    return decode(bytes(data), _READERS[message], message)


def to_flyteidl(obj: Literal | LiteralType | LiteralMap) -> Any:
    """A typeflow ``Literal`` / ``LiteralType`` / ``LiteralMap`` as the ``flyteidl.core`` protobuf message.

        >>> import typeflow
        >>> pb = to_flyteidl(typeflow.to_literal([1, 2], list[int]))
        >>> [x.scalar.primitive.integer for x in pb.collection.literals]
        [1, 2]

    Raises :class:`~typeflow.errors.TypeTransformerFailedError` for values
    flyteidl cannot hold (a ``generic`` holding bytes, an int above 2**53 in
    a Struct, a string with a lone surrogate, a duration beyond 10,000 years).
    """
    name = _name_of(obj)
    return message_class(name).FromString(to_bytes(obj))


def from_flyteidl(message: Any) -> Literal | LiteralType | LiteralMap:
    """A ``flyteidl.core`` ``Literal`` / ``LiteralType`` / ``LiteralMap`` message as typeflow's model.

    flytekit's model objects (``flytekit.models.literals.Literal``, …) are accepted too.

    Raises :class:`~typeflow.errors.LiteralDecodeError` for forms typeflow has
    no model of (``Schema`` literals) and for messages that are not literals.
    """
    if not hasattr(message, "DESCRIPTOR") and hasattr(message, "to_flyte_idl"):
        message = message.to_flyte_idl()  # a flytekit model object
    descriptor = getattr(message, "DESCRIPTOR", None)
    name = getattr(descriptor, "full_name", None)
    if name not in ("flyteidl.core.Literal", "flyteidl.core.LiteralType", "flyteidl.core.LiteralMap"):
        got = name or type(message).__name__
        raise TypeflowError(f"from_flyteidl reads a flyteidl.core Literal, LiteralType or LiteralMap message, not {got}")
    short = name.rpartition(".")[2]
    # protobuf's own serialization: canonical, so bulk reads are checked by size
    return decode(message.SerializeToString(), _READERS[short], short, canonical=True)  # type: ignore[no-any-return]
