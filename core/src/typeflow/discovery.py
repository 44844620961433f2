"""Finding plugins: one scan of entry-point metadata per process, lazy imports.

Entry-point groups:

* ``typeflow.plugins`` — the entry-point *name* is the top import package of
  the types the plugin handles (``numpy = "typeflow_numpy.plugin"``); the
  module is imported only when a type from that package is first converted.
* ``typeflow.fallbacks`` — loaded only when nothing else claims a type.

A package may provide other things than transformers: readers of file forms
for ``typeflow inspect`` (``typeflow.inspect_readers``), forms of offloaded
payloads (``typeflow.offload_payloads``), and a flytekit plugin
(``flytekit.plugins``, which flytekit loads). :func:`provided_entries` lists
those, from metadata only, for ``typeflow plugins`` and ``typeflow version``.

``TYPEFLOW_DISABLE_PLUGINS=a,b`` skips entry points in both groups, each item
an entry-point name (``numpy``: every entry point of that name) or a
distribution name (``typeflow-numpy``: every entry point of that distribution,
so one of two plugins sharing an entry-point name can be turned off); it is
read each time plugins are about to load.
"""

from __future__ import annotations

import importlib
import os
import re
import threading
from dataclasses import dataclass
from importlib import metadata
from types import ModuleType
from typing import Any, TypeVar

from typeflow.errors import PluginError

__all__ = [
    "FALLBACKS_GROUP",
    "FLYTEKIT_GROUP",
    "PAYLOADS_GROUP",
    "PLUGINS_GROUP",
    "READERS_GROUP",
    "PluginEntry",
    "candidate_names",
    "declared",
    "disabled_by",
    "disabled_names",
    "entries",
    "is_disabled",
    "provided_entries",
    "rescan",
]

T = TypeVar("T")

PLUGINS_GROUP = "typeflow.plugins"
FALLBACKS_GROUP = "typeflow.fallbacks"
_GROUPS = (PLUGINS_GROUP, FALLBACKS_GROUP)
#: readers of file forms for ``typeflow inspect`` (each entry point loads to a ``typeflow.cli.inspect.Reader``)
READERS_GROUP = "typeflow.inspect_readers"
#: forms of offloaded payloads (``typeflow.offload.PAYLOADS_GROUP``; each loads to a ``typeflow.offload.PayloadForm``)
PAYLOADS_GROUP = "typeflow.offload_payloads"
#: flytekit's own plugin group; listed for distributions that also declare a typeflow group
FLYTEKIT_GROUP = "flytekit.plugins"


@dataclass(frozen=True)
class PluginEntry:
    """One installed entry point of a typeflow group, with its distribution."""

    name: str
    group: str
    value: str
    distribution: str
    version: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.distribution} {self.version})"

    def error(self, message: str) -> PluginError:
        return PluginError(
            f"plugin {self.name!r} from {self.distribution} {self.version}: {message}",
            plugin=self.name,
            distribution=self.distribution,
            version=self.version,
        )

    def check_requirements(self) -> None:
        """Refuse a plugin whose distribution requires a typeflow this is not."""
        try:
            requires = metadata.distribution(self.distribution).requires or []
        except metadata.PackageNotFoundError:
            return
        core_version = _core_version()
        for line in requires:
            spec = _typeflow_specifier(line)
            if spec is None:
                continue
            from packaging.specifiers import SpecifierSet

            try:
                if not SpecifierSet(spec).contains(core_version, prereleases=True):
                    raise self.error(
                        f"requires typeflow{spec}, but typeflow {core_version} is installed; upgrade one of them so they match"
                    )
            except ValueError:
                return

    def load(self) -> ModuleType | Any:
        """Import the entry point's module (and attribute); errors become :class:`PluginError`."""
        module_name, _, attr = self.value.partition(":")
        try:
            obj: Any = importlib.import_module(module_name.strip())
            for part in filter(None, attr.strip().split(".")):
                obj = getattr(obj, part)
        except Exception as exc:
            raise self.error(f"failed to import {self.value!r}: {type(exc).__name__}: {exc}") from exc
        return obj


def _core_version() -> str:
    from typeflow import __version__

    return __version__


def _typeflow_specifier(requirement: str) -> str | None:
    """The version specifier of a ``typeflow`` requirement line, else ``None``."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(requirement)
    except InvalidRequirement:
        return None
    if req.name.lower().replace("_", "-") != "typeflow" or (req.marker and not req.marker.evaluate({"extra": ""})):
        return None
    return str(req.specifier) or None


_lock = threading.Lock()
_entries: tuple[PluginEntry, ...] | None = None
#: what :func:`declared` loaded, per (group, kind): entry points are loaded once per process, like the scan
_declared: dict[tuple[str, type[Any]], list[Any]] = {}


def entries() -> tuple[PluginEntry, ...]:
    """Every installed typeflow entry point, scanned once per process."""
    global _entries
    if _entries is None:
        with _lock:
            if _entries is None:
                _entries = _scan()
    return _entries


def rescan() -> tuple[PluginEntry, ...]:
    """Forget the cached scan and what :func:`declared` loaded (after installing a plugin in a running process); scan again."""
    global _entries
    with _lock:
        _entries = _scan()
        _declared.clear()
    return _entries


def provided_entries() -> tuple[PluginEntry, ...]:
    """Entry points of typeflow packages that are not plugins: inspect readers, payload forms, flytekit plugins.

    A ``flytekit.plugins`` entry point is listed only when its distribution
    declares a ``typeflow.*`` entry point too (typeflow-flyteidl's, not
    flytekit's own plugins). Metadata only: nothing is imported.
    """
    found = _scan((READERS_GROUP, PAYLOADS_GROUP, FLYTEKIT_GROUP))
    ours = {e.distribution for e in (*entries(), *found) if e.group.startswith("typeflow.")}
    return tuple(e for e in found if e.distribution in ours)


def declared(group: str, kind: type[T], what: str) -> list[T]:
    """The ``kind`` objects installed packages declare in entry-point ``group``, in the order found.

    One that fails to import, or is not a ``kind``, is skipped with a
    warning naming it (``what`` says what it is, e.g. "inspect reader"), so
    one broken package does not take the others with it. Loaded once per
    process (:func:`rescan` forgets it): offloading asks on every conversion.
    """
    key = (group, kind)
    cached = _declared.get(key)
    if cached is None:
        cached = _declared[key] = _load_declared(group, kind, what)
    return list(cached)


def _load_declared(group: str, kind: type[T], what: str) -> list[T]:
    import logging

    found: list[T] = []
    for ep in metadata.entry_points(group=group):
        try:
            obj = ep.load()
        except Exception as exc:
            logging.getLogger("typeflow").warning("%s %s (%s) failed to load: %s", what, ep.name, ep.value, exc)
            continue
        if isinstance(obj, kind):
            found.append(obj)
        else:
            logging.getLogger("typeflow").warning("%s %s (%s) is not a %s", what, ep.name, ep.value, kind.__name__)
    return found


def _scan(groups: tuple[str, ...] = _GROUPS) -> tuple[PluginEntry, ...]:
    found: dict[tuple[str, str, str, str], PluginEntry] = {}
    all_eps = metadata.entry_points()
    for group in groups:
        for ep in all_eps.select(group=group):
            dist = ep.dist
            dist_name = dist.metadata["Name"] if dist is not None else "<unknown distribution>"
            version = dist.version if dist is not None else "?"
            entry = PluginEntry(ep.name, group, ep.value, dist_name, version)
            found.setdefault((group, ep.name, ep.value, dist_name), entry)
    # deterministic order: entry points sharing a name load in distribution-name order
    return tuple(sorted(found.values(), key=lambda e: (e.group, e.name, e.distribution.lower())))


def disabled_names() -> frozenset[str]:
    """The items of ``TYPEFLOW_DISABLE_PLUGINS`` (comma separated): entry-point or distribution names."""
    raw = os.environ.get("TYPEFLOW_DISABLE_PLUGINS", "")
    return frozenset(n.strip() for n in raw.split(",") if n.strip())


def _normalized(name: str) -> str:
    # PEP 503: distribution names compare case-insensitively, with runs of -_. alike
    return re.sub(r"[-_.]+", "-", name).lower()


def disabled_by(entry: PluginEntry, disabled: frozenset[str] | None = None) -> str | None:
    """The ``TYPEFLOW_DISABLE_PLUGINS`` item that disables ``entry`` (its name or its distribution's), else ``None``."""
    items = disabled_names() if disabled is None else disabled
    if not items:
        return None
    if entry.name in items:
        return entry.name
    dist = _normalized(entry.distribution)
    for item in items:
        if _normalized(item) == dist:
            return item
    return None


def is_disabled(entry: PluginEntry, disabled: frozenset[str] | None = None) -> bool:
    """Whether ``TYPEFLOW_DISABLE_PLUGINS`` names ``entry`` or its distribution."""
    return disabled_by(entry, disabled) is not None


def top_package(obj: Any) -> str | None:
    module = getattr(obj, "__module__", None)
    if not isinstance(module, str) or module in ("builtins", "typing", "__main__"):
        return None
    return module.partition(".")[0]


def candidate_names(t: Any, origin: Any = None) -> list[str]:
    """Entry-point names that may handle ``t``: top packages of it, its origin, its MRO."""
    names: list[str] = []
    for obj in (t, origin):
        if obj is None:
            continue
        for cls in getattr(obj, "__mro__", (obj,)):
            name = top_package(cls)
            if name and name not in names:
                names.append(name)
    return names
