"""Plugin lanes: which types a plugin may register transformers for.

A plugin is code you installed, but installing one plugin should not hand it
every other type: a plugin for ``pandas`` has no business replacing ``int``, or
claiming every dataclass. A plugin is in charge of its **lane**:

* the types of the top packages its entry points are named after (all the
  entry points of its distribution that load the same module: typeflow-pandas'
  ``pandas`` and ``pyarrow``), where a type is of a package when a class of
  that package is in its MRO — the same rule dispatch uses to decide which
  plugins to load for a type (``mypkg.User(pydantic.BaseModel)`` is in the
  ``pydantic`` lane);
* the classes its own module's top package defines (``typeflow_numpy``'s).

Names of :data:`RESERVED` packages give no lane: core's own types and the
modules of its built-in families (``int``, ``datetime``, enums, dataclasses,
``typing`` forms) are core's.

Inside its hook a plugin may then not

* register a transformer for a type outside its lane (which would, besides,
  take effect only once the plugin happened to be loaded for another type);
* replace a built-in transformer (``override=True`` on ``int``, ``os.PathLike``, …);
* register a predicate that accepts any of :data:`PROBES` (built-in types, a
  dataclass, an enum, a plain class: types outside its package), which would
  outrank the built-in families; a predicate that passes is still asked only
  about types of its lane.

Each is refused with a :class:`~typeflow.errors.PluginError` naming the plugin,
the type and the setting that allows it, and the plugin's load is rolled back:
``TYPEFLOW_ALLOW_OVERRIDES=<distribution>[,<distribution>…]`` (read when
plugins load) lets the distributions it lists register anything. Every
override that happens (a plugin replacing another's transformer inside its
lane, an allowed plugin outside it, ``engine.register(..., override=True)``)
is kept in ``registry.overrides``, logged at INFO on ``typeflow.plugins``, and
listed by ``typeflow plugins --load``. Your own ``engine.register`` has no lane.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import os
import re
from collections.abc import Callable, Iterable
from typing import Any, get_origin

from typeflow import discovery

__all__ = ["ALLOW_OVERRIDES_ENV", "PROBES", "RESERVED", "Lane", "allowed_distributions", "lane_for"]

#: distributions allowed to register outside their lane (comma-separated), read when plugins load
ALLOW_OVERRIDES_ENV = "TYPEFLOW_ALLOW_OVERRIDES"

#: top packages whose names give a plugin no lane: typeflow's own, and those of the built-in families
RESERVED = frozenset(
    {"typeflow", "builtins", "typing", "typing_extensions", "types", "abc", "collections", "enum", "dataclasses", "datetime"}
)


@dataclasses.dataclass
class _ProbeRecord:
    value: int = 0


class _ProbeEnum(str, enum.Enum):
    A = "a"


class _ProbePlain:
    pass


#: classes of other packages a plugin's predicate must not accept (one of each built-in family, and a plain class)
PROBES: tuple[type, ...] = (
    int,
    float,
    str,
    bool,
    bytes,
    type(None),
    list,
    dict,
    tuple,
    datetime.datetime,
    datetime.date,
    datetime.timedelta,
    object,
    _ProbeRecord,
    _ProbeEnum,
    _ProbePlain,
)


_PROBE_KINDS = {_ProbeRecord: "a dataclass of another package", _ProbeEnum: "an enum of another package"}
_PROBE_KINDS[_ProbePlain] = "a plain class of another package"


def describe_probe(probe: type) -> str:
    """How messages name a probe: ``int``, ``datetime.datetime``, ``a dataclass of another package``."""
    if probe in _PROBE_KINDS:
        return _PROBE_KINDS[probe]
    return probe.__qualname__ if probe.__module__ == "builtins" else f"{probe.__module__}.{probe.__qualname__}"


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def allowed_distributions() -> frozenset[str]:
    """The distributions ``TYPEFLOW_ALLOW_OVERRIDES`` lists, normalised (``Typeflow_Foo`` is ``typeflow-foo``)."""
    raw = os.environ.get(ALLOW_OVERRIDES_ENV, "")
    return frozenset(_normalized(n.strip()) for n in raw.split(",") if n.strip())


@dataclasses.dataclass(frozen=True)
class Lane:
    """The packages one plugin module is in charge of, and whether the user let it go outside them."""

    packages: frozenset[str]
    distribution: str
    allowed: bool = False

    def covers(self, t: Any) -> bool:
        """Whether type ``t`` (a class or a generic alias of one) is of this lane's packages."""
        try:
            names = discovery.candidate_names(t, get_origin(t))
        except Exception:  # an odd type object whose MRO cannot be read is no type of ours
            return False
        return any(name in self.packages for name in names)

    def describe(self) -> str:
        return ", ".join(sorted(self.packages)) or "none"

    def allow_hint(self) -> str:
        return f"if you trust it to, set {ALLOW_OVERRIDES_ENV}={self.distribution}"

    def first_probe_accepted(self, predicate: Callable[[type], bool]) -> tuple[str | None, BaseException | None]:
        """What the first of :data:`PROBES` ``predicate`` accepts is (and the exception it raised), else ``(None, None)``."""
        for probe in PROBES:
            try:
                if predicate(probe):
                    return describe_probe(probe), None
            except Exception as exc:
                return describe_probe(probe), exc
        return None, None

    def confine(self, predicate: Callable[[type], bool]) -> Callable[[type], bool]:
        """``predicate``, asked only about classes of this lane."""

        def within_lane(cls: type) -> bool:
            return self.covers(cls) and predicate(cls)

        within_lane.__qualname__ = getattr(predicate, "__qualname__", repr(predicate))
        within_lane.__wrapped__ = predicate  # type: ignore[attr-defined]
        return within_lane


def lane_for(entry: discovery.PluginEntry, same_module: Iterable[discovery.PluginEntry] = ()) -> Lane:
    """The lane of the plugin module behind ``entry`` (and the other entry points loading that module)."""
    names = {entry.name, *(e.name for e in same_module)}
    names.add(entry.value.partition(":")[0].strip().partition(".")[0])
    packages = frozenset(n for n in names if n and n not in RESERVED)
    allowed = _normalized(entry.distribution) in allowed_distributions()
    return Lane(packages, entry.distribution, allowed)
