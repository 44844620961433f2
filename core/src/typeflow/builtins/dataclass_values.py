"""Which values a declared dataclass takes, as in flytekit, and the record each is written as.

* an instance of the class: as itself;
* an instance of a subclass: with its own fields (written with the
  subclass's codec), so a reader declaring the subclass, or a mashumaro
  discriminator on the base, gets them back;
* an instance of another dataclass of the same shape: what FlyteRemote does
  when it guesses a dataclass from a literal type and converts the user's
  value of the original class. Its fields must all be fields of the declared
  class and read as them; the value is converted to the declared class;
* a dict of the fields (missing ``Optional`` fields are ``None``; unknown keys
  are refused), checked field by field.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from typing import Any, get_args, get_origin

from typeflow.errors import TypeTransformerFailedError
from typeflow.transformer import strip_annotated

from .validate import checker, field_types

__all__ = ["as_declared"]

NoneType = type(None)


def as_declared(value: Any, cls: type, codec_of: Callable[[type], Any]) -> tuple[type, Any]:
    """``(class to encode with, value)`` for ``value`` declared as dataclass ``cls``; raises if it is not one."""
    kind = type(value)
    if kind is cls or (isinstance(value, cls) and dataclasses.is_dataclass(value)):
        return kind, value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return cls, _convert_dataclass(value, cls, codec_of)
    if isinstance(value, dict):
        return cls, _from_dict(value, cls)
    raise TypeTransformerFailedError(
        f"expected a {cls.__qualname__} (a dataclass), or a dict of its fields",
        python_type=cls,
        value=value,
        hint="only dataclasses are converted as dataclass types",
    )


def _convert_dataclass(value: Any, cls: type, codec_of: Callable[[type], Any]) -> Any:
    """A value of another dataclass of the same shape, as ``cls`` (decoded from its own record)."""
    extra = [f.name for f in dataclasses.fields(value) if f.name not in {g.name for g in dataclasses.fields(cls)}]
    if extra:
        raise TypeTransformerFailedError(
            f"a {type(value).__qualname__} is not a {cls.__qualname__}: it has fields {extra} that {cls.__qualname__} lacks",
            python_type=cls,
            value=value,
        )
    own = codec_of(type(value))
    own.check(value)
    target = codec_of(cls)
    try:
        return target.decode(own.encode(value))
    except Exception as exc:
        raise TypeTransformerFailedError(
            f"a {type(value).__qualname__} does not read as a {cls.__qualname__} ({type(exc).__name__}: {exc})",
            python_type=cls,
            value=value,
        ) from None


def _optional_inner(t: Any) -> tuple[bool, Any]:
    t = strip_annotated(t)[0]
    if get_origin(t) in (typing.Union, types.UnionType) and NoneType in get_args(t):
        rest = [a for a in get_args(t) if a is not NoneType]
        return True, rest[0] if len(rest) == 1 else t
    return False, t


def _check_dict(value: dict[Any, Any], cls: type) -> None:
    hints = field_types(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    extra = sorted(str(k) for k in value if k not in hints)
    if extra:
        raise TypeTransformerFailedError(
            f"the dict has keys that are not fields of {cls.__qualname__}: extra {extra}", python_type=cls, value=value
        )
    missing = [
        name
        for name, f in fields.items()
        if name not in value
        and not _optional_inner(hints[name])[0]
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise TypeTransformerFailedError(
            f"the dict is missing fields of {cls.__qualname__}: missing {missing}", python_type=cls, value=value
        )
    for name, item in value.items():
        optional, inner = _optional_inner(hints[name])
        try:
            if isinstance(item, dict) and isinstance(inner, type) and dataclasses.is_dataclass(inner):
                _check_dict(item, inner)
            elif not (optional and item is None):
                checker(hints[name])(item)
        except TypeTransformerFailedError as exc:
            raise exc.at(f".{name}") from None


def _from_dict(value: dict[Any, Any], cls: type) -> Any:
    _check_dict(value, cls)
    hints = field_types(cls)
    complete = {name: value.get(name) for name in hints if name in value or _optional_inner(hints[name])[0]}
    from mashumaro.codecs.basic import BasicDecoder

    try:
        return BasicDecoder(cls).decode(complete)
    except Exception as exc:
        raise TypeTransformerFailedError(f"the dict does not read as a {cls.__qualname__}: {exc}", python_type=cls) from None
