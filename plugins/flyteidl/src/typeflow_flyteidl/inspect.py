"""``typeflow inspect FILE.pb``: the reader of flyteidl files, found through ``typeflow.inspect_readers``.

A Flyte ``inputs.pb`` / ``outputs.pb`` is a serialized ``LiteralMap``; a file
holding a single ``Literal`` or ``LiteralType`` is read too. The bytes do not
say which message they are, and protobuf parses almost any of them as any
message (a field it does not know is kept aside, so a ``Literal`` parses as
an empty ``LiteralMap``). So a message is taken only when protobuf finds no
unknown field in it and writes it back at the file's size; when none fits
that exactly (bytes protobuf would merge, such as a field written twice), one
with no unknown field is taken. An empty file is an empty ``LiteralMap``: what
Flyte writes for a task with no outputs.
"""

from __future__ import annotations

from typing import Any

from typeflow.cli.inspect import Reader
from typeflow.errors import LiteralDecodeError

from .messages import from_bytes, message_class

__all__ = ["READER"]

_MESSAGES = ("LiteralMap", "Literal", "LiteralType")
_CORRUPT = "not valid protobuf"


def _looks_like_protobuf(head: bytes) -> bool:
    # every form starts with a length-delimited or varint field 1..15, or is empty (a message with no field set);
    # typeflow's own forms are tried first
    return not head or (head[0] >> 3 != 0 and head[0] & 7 in (0, 2))


def _fit(data: bytes, message: str) -> tuple[int, str]:
    """How well the bytes fit ``message``: 2 exactly, 1 with only its fields but not canonically written, 0 not at all.

    With the score, why a message does not fit (empty when it does).
    """
    from google.protobuf.message import DecodeError

    try:
        parsed = message_class(message).FromString(data)
    except DecodeError:
        return 0, _CORRUPT
    size = parsed.ByteSize()
    parsed.DiscardUnknownFields()  # recursive: an unknown field anywhere in the tree changes the size
    if parsed.ByteSize() != size:
        return 0, f"has fields a {message} does not have"
    return (2 if size == len(data) else 1), ""


def _decode(data: bytes) -> Any:
    if not data:  # every message parses from no bytes; a Flyte file with none is a LiteralMap with no entries
        return from_bytes(data, "LiteralMap")
    fits = {message: _fit(data, message) for message in _MESSAGES}
    errors = [f"{m}: {why}" for m, (score, why) in fits.items() if not score]
    for message in sorted((m for m in _MESSAGES if fits[m][0]), key=lambda m: -fits[m][0]):
        try:
            return from_bytes(data, message)
        except LiteralDecodeError as exc:
            errors.append(f"{message}: {exc}")
    if all(why == _CORRUPT for _, why in fits.values()):
        raise LiteralDecodeError("not a flyteidl LiteralMap, Literal or LiteralType: the bytes are not valid protobuf")
    raise LiteralDecodeError("not a flyteidl LiteralMap, Literal or LiteralType (" + "; ".join(errors) + ")")


#: the flyteidl form of ``typeflow inspect``
READER = Reader("flyteidl", _looks_like_protobuf, _decode)
