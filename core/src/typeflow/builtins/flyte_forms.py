"""Reading the literal forms Flyte produces elsewhere, for types typeflow writes another way.

* A msgpack ``Binary`` holding a plain value: Flyte resolves attribute access
  on a dataclass output (``wf(dc.a)``) into the field's msgpack bytes, whatever
  the field's type. Simple types read it as flytekit does (the exact type, no
  coercion; datetimes, dates and durations through mashumaro, which wrote
  them); enums, lists, dicts and dataclasses through mashumaro's decoder for
  the declared type.
* A ``generic`` struct as an untyped ``dict`` (Console inputs, and flytekit
  1.13's JSON dicts, ``metadata={"format": "json"}``).
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Callable
from typing import Any

import msgpack

from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal
from typeflow.transformer import strip_annotated

__all__ = ["MSGPACK", "MSGPACK_ANNOTATION", "msgpack_bytes", "read_msgpack", "read_msgpack_simple"]

MSGPACK = "msgpack"
#: how flytekit marks a STRUCT literal type serialised with msgpack
MSGPACK_ANNOTATION = {"cache-key-metadata": {"serialization-format": "msgpack"}}
_DECODED_BY_MASHUMARO = (_dt.datetime, _dt.date, _dt.timedelta)

_decoders: dict[Any, Callable[[bytes], Any]] = {}
_lock = threading.Lock()


def msgpack_bytes(lv: Literal) -> bytes | None:
    """The bytes of a msgpack ``Binary`` literal, else ``None``."""
    b = lv.scalar.binary if lv.scalar is not None else None
    return b.value if b is not None and b.tag == MSGPACK else None


def _unpack(data: bytes) -> Any:
    return msgpack.unpackb(data, raw=False, strict_map_key=False)


def _decoder(t: Any) -> Callable[[bytes], Any]:
    try:
        return _decoders[t]
    except KeyError:
        pass
    except TypeError:  # an unhashable type expression: build one each time
        return _build(t)
    with _lock:
        found = _decoders.get(t)
        if found is None:
            found = _decoders[t] = _build(t)
    return found


def _build(t: Any) -> Callable[[bytes], Any]:
    from mashumaro.codecs.msgpack import MessagePackDecoder

    try:
        return MessagePackDecoder(t, pre_decoder_func=_unpack).decode  # type: ignore[no-any-return]
    except Exception as exc:
        raise TypeTransformerFailedError(
            f"cannot read msgpack bytes as this type: {type(exc).__name__}: {exc}", python_type=t
        ) from None


def read_msgpack(data: bytes, python_type: Any) -> Any:
    """Decode msgpack ``data`` (as Flyte writes a value of ``python_type``) with mashumaro's decoder for that type."""
    t = strip_annotated(python_type)[0]
    decode = _decoder(t)
    try:
        return decode(data)
    except Exception as exc:
        raise TypeTransformerFailedError(
            f"cannot read the msgpack bytes as this type: {type(exc).__name__}: {exc}", python_type=python_type
        ) from None


def read_msgpack_simple(data: bytes, python_type: type) -> Any:
    """A simple value from msgpack: exactly of ``python_type`` (an int is read as a float, as everywhere)."""
    if python_type in _DECODED_BY_MASHUMARO:
        return read_msgpack(data, python_type)
    try:
        value = _unpack(data)
    except Exception as exc:
        raise TypeTransformerFailedError(f"corrupt msgpack bytes: {exc}", python_type=python_type) from None
    if python_type is float and type(value) is int:
        return float(value)
    if type(value) is not python_type:
        raise TypeTransformerFailedError(
            f"the msgpack bytes hold a {type(value).__name__}, not a {python_type.__name__}", python_type=python_type, value=value
        )
    return value
