"""Checkers that walk a value against a type hint and say where it differs.

Built once per type and cached; a dataclass checker calls its fields'
checkers, so a bad value deep inside a record is reported as
``$.inner.items[2]``. Used before encoding dataclasses, because the encoder
writes whatever it is given.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import types
import typing
from collections.abc import Callable
from typing import Any, get_args, get_origin

from typeflow.errors import TypeTransformerFailedError
from typeflow.transformer import strip_annotated

Checker = Callable[[Any], None]
NoneType = type(None)

_cache: dict[Any, Checker] = {}


def _fail(reason: str, t: Any, value: Any) -> TypeTransformerFailedError:
    return TypeTransformerFailedError(reason, python_type=t, value=value)


def _ok(value: Any) -> None:
    return None


def _instance(t: type, reason: str) -> Checker:
    def check(value: Any) -> None:
        if not isinstance(value, t):
            raise _fail(reason, t, value)

    return check


def _int(value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _fail("expected an int", int, value)


def _float(value: Any) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise _fail("expected a float", float, value)


def _bool(value: Any) -> None:
    if type(value) is not bool:
        raise _fail("expected a bool", bool, value)


_SIMPLE: dict[Any, Checker] = {
    int: _int,
    float: _float,
    bool: _bool,
    str: _instance(str, "expected a str"),
    bytes: _instance(bytes, "expected bytes"),
    _dt.datetime: _instance(_dt.datetime, "expected a datetime"),
    _dt.date: _instance(_dt.date, "expected a date"),
    _dt.timedelta: _instance(_dt.timedelta, "expected a timedelta"),
    NoneType: lambda v: None if v is None else (_ for _ in ()).throw(_fail("expected None", NoneType, v)),
    Any: _ok,
    object: _ok,
}


#: exact types each simple checker accepts without a closer look: a list of them is checked in one C pass
_ACCEPTS: dict[Checker, frozenset[type]] = {
    _int: frozenset({int}),
    _float: frozenset({int, float}),
    _bool: frozenset({bool}),
    _SIMPLE[str]: frozenset({str}),
    _SIMPLE[bytes]: frozenset({bytes}),
    _SIMPLE[_dt.datetime]: frozenset({_dt.datetime}),
    _SIMPLE[_dt.date]: frozenset({_dt.date, _dt.datetime}),
    _SIMPLE[_dt.timedelta]: frozenset({_dt.timedelta}),
}


def _all_accepted(values: Any, item: Checker) -> bool:
    """Whether every value's exact type is one ``item`` accepts (``False`` means: look one by one)."""
    accepted = _ACCEPTS.get(item)
    return accepted is not None and set(map(type, values)) <= accepted


def checker(t: Any) -> Checker:
    """The (cached) checker for type hint ``t``."""
    try:
        found = _cache.get(t)
    except TypeError:
        return _build(t)
    if found is None:
        # a placeholder first, so recursive dataclasses terminate
        _cache[t] = lambda v: _cache[t](v)
        found = _cache[t] = _build(t)
    return found


def _build(t: Any) -> Checker:
    t, _ = strip_annotated(t)
    simple = _SIMPLE.get(t) if not isinstance(t, list) else None
    if simple is not None:
        return simple
    origin = get_origin(t)
    args = get_args(t)
    if origin in (typing.Union, types.UnionType):
        return _union(t, [checker(a) for a in args])
    if origin is typing.Literal:
        allowed = set(args)

        def check_literal(value: Any) -> None:
            if value not in allowed:
                raise _fail(f"expected one of {sorted(map(repr, allowed))}", t, value)

        return check_literal
    if origin in (list, set, frozenset) or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        return _sequence(origin, checker(args[0]) if args else _ok)
    if origin is tuple:
        return _tuple([checker(a) for a in args])
    if origin is dict:
        return _mapping(*(checker(a) for a in args) if args else (_ok, _ok))
    if dataclasses.is_dataclass(t) and isinstance(t, type):
        return _dataclass(t)
    if isinstance(t, type) and issubclass(t, enum.Enum):
        return _instance(t, f"expected a member of {t.__name__}")
    check_type = origin if isinstance(origin, type) else t
    if isinstance(check_type, type):
        return _instance(check_type, f"expected {check_type.__name__}")
    return _ok


def _union(t: Any, variants: list[Checker]) -> Checker:
    def check(value: Any) -> None:
        for variant in variants:
            try:
                variant(value)
                return
            except TypeTransformerFailedError:
                continue
        raise _fail("value matches no variant of the union", t, value)

    return check


def _sequence(kind: type, item: Checker) -> Checker:
    def check(value: Any) -> None:
        if not isinstance(value, kind):
            raise _fail(f"expected a {kind.__name__}", kind, value)
        if item is _ok or _all_accepted(value, item):
            return
        for i, element in enumerate(value):  # type: ignore[var-annotated,arg-type]
            try:
                item(element)
            except TypeTransformerFailedError as exc:
                raise exc.at(f"[{i}]") from None

    return check


def _tuple(items: list[Checker]) -> Checker:
    def check(value: Any) -> None:
        if not isinstance(value, tuple) or len(value) != len(items):
            raise _fail(f"expected a tuple of {len(items)}", tuple, value)
        for i, (element, item) in enumerate(zip(value, items)):
            try:
                item(element)
            except TypeTransformerFailedError as exc:
                raise exc.at(f"[{i}]") from None

    return check


def _mapping(key: Checker, val: Checker) -> Checker:
    def check(value: Any) -> None:
        if not isinstance(value, dict):
            raise _fail("expected a dict", dict, value)
        if (key is _ok or _all_accepted(value, key)) and (val is _ok or _all_accepted(value.values(), val)):
            return
        for k, v in value.items():
            try:
                key(k)
                val(v)
            except TypeTransformerFailedError as exc:
                raise exc.at(f"[{k!r}]") from None

    return check


def field_types(cls: type) -> dict[str, Any]:
    """Resolved field types of a dataclass (string annotations evaluated)."""
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception as exc:
        raise TypeTransformerFailedError(f"cannot resolve the field types of {cls.__qualname__}: {exc}", python_type=cls) from exc
    return {f.name: hints.get(f.name, Any) for f in dataclasses.fields(cls)}


def _dataclass(cls: type) -> Checker:
    fields = list(field_types(cls).items())
    checks = [(name, checker(t)) for name, t in fields]

    def check(value: Any) -> None:
        if not isinstance(value, cls):
            raise _fail(f"expected a {cls.__qualname__}", cls, value)
        for name, field_check in checks:
            try:
                field_check(getattr(value, name))
            except TypeTransformerFailedError as exc:
                raise exc.at(f".{name}") from None

    return check
