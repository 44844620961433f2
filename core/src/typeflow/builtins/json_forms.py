"""flytekit 1.13's JSON forms of dataclasses and dicts, written under the ``flytekit-1.13`` profile.

flytekit 1.14 moved dataclasses and dicts that are not ``Dict[str, V]`` to
msgpack ``Binary`` values, typeflow's form; flytekit 1.13 reads only its
JSON ``generic`` structs:

- a dataclass: mashumaro's JSON of the record, parsed into a
  ``google.protobuf.Struct`` (the literal's ``scalar.generic``);
- an untyped ``dict`` or a ``Dict[K, V]`` with non-str keys: the dict's JSON
  (keys become strings), with ``metadata={"format": "json"}``.

``engine.context(profile="flytekit-1.13")`` writes these; whatever the
profile, typeflow reads both forms (the struct through the declared type's
decoder, as flytekit does). A Struct's numbers are doubles: ints travel
exactly up to 2**53 (typeflow-flyteidl refuses larger ones by name).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal, Scalar
from typeflow.transformer import TransformContext, strip_annotated

__all__ = ["PROFILE", "NotJson", "dataclass_literal", "dict_literal", "writes_json"]

#: the profile whose consumer reads dataclasses and dicts only as JSON structs
PROFILE = "flytekit-1.13"
#: the literal metadata flytekit 1.13 puts on a dict's JSON struct
JSON_METADATA = {"format": "json"}

_encoders: dict[Any, Callable[[Any], str]] = {}
_lock = threading.Lock()


class NotJson(ValueError):
    """The value has no JSON form (the message says why)."""


def writes_json(ctx: TransformContext) -> bool:
    """Whether this context writes dataclasses and dicts in flytekit 1.13's JSON forms."""
    return ctx.profile == PROFILE


def _encoder(t: Any) -> Callable[[Any], str]:
    encode = _encoders.get(t)
    if encode is None:
        from mashumaro.codecs.json import JSONEncoder

        with _lock:
            encode = _encoders.get(t)
            if encode is None:
                try:
                    encode = _encoders[t] = JSONEncoder(t).encode
                except Exception as exc:
                    raise TypeTransformerFailedError(
                        f"flytekit 1.13's JSON form cannot hold this type ({type(exc).__name__}: {exc})",
                        python_type=t,
                        hint="write it with the default profile (msgpack), which flytekit 1.14 and later read",
                    ) from None
    return encode


def _struct(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise NotJson("its JSON is not an object")
    return value


def dataclass_literal(record: Any, cls: type, python_type: Any) -> Literal:
    """A checked dataclass ``record`` as flytekit 1.13 writes it: its JSON as a ``generic`` struct."""
    try:
        text = _encoder(cls)(record)
    except TypeTransformerFailedError:
        raise
    except Exception as exc:
        raise TypeTransformerFailedError(
            f"cannot write the record as JSON: {type(exc).__name__}: {exc}", python_type=python_type, value=record
        ) from None
    return Literal(scalar=Scalar(generic=_struct(text)))


def dict_literal(value: dict[Any, Any], python_type: Any, *, typed: bool) -> Literal:
    """A dict as flytekit 1.13 writes it: ``json.dumps``'s struct, ``metadata={"format": "json"}``.

    ``typed``: a checked ``Dict[K, V]``, written with mashumaro's JSON encoder
    for that type (enums, datetimes and dataclasses among the values as their
    JSON forms); else ``json.dumps`` of the plain value, as flytekit does.
    Raises :class:`NotJson` when the value has no JSON form.
    """
    try:
        text = _encoder(strip_annotated(python_type)[0])(value) if typed else json.dumps(value)
    except TypeTransformerFailedError:
        raise
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:
        raise NotJson(f"{type(exc).__name__}: {exc}") from None
    return Literal(scalar=Scalar(generic=_struct(text)), metadata=dict(JSON_METADATA))
