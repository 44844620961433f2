"""``typeflow plugins``: installed plugins, and with ``--load`` whether each one loads.

Without ``--load`` nothing is imported: the table comes from installed
metadata. It still flags a ``typeflow.plugins`` entry point whose name is no
importable top-level package, since typeflow loads a plugin only for types of
the package its entry point is named after, so such a plugin never loads.

With ``--load`` every enabled plugin is imported into a fresh engine; the
command exits 1 when any plugin is broken or registers a type another plugin
registered too without ``override=True``, and lists, under each plugin, the
types it took over from another with ``override=True`` and what
``TYPEFLOW_ALLOW_OVERRIDES`` let it register outside its lane
(:mod:`typeflow.lanes`). A plugin refused for leaving its lane is broken.

Packages that provide something else are listed too, each row saying what it
provides: readers of file forms for ``typeflow inspect`` and forms of
offloaded payloads (imported with ``--load`` only, so listing never imports
protobuf), and the flytekit plugin of a typeflow package (flytekit loads it;
typeflow never does).
"""

from __future__ import annotations

import argparse
import importlib.util
from typing import Any

from typeflow import discovery
from typeflow.cli._common import print_json

__all__ = ["register", "run"]

_COLUMNS = ("name", "group", "distribution", "version", "status", "provides")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "plugins",
        parents=[common],
        help="list installed plugins: loaded, disabled, broken or conflicting",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    p.add_argument("--load", action="store_true", help="import every plugin now; exit 1 if any is broken or conflicting")
    p.set_defaults(run=run)


def name_warning(entry: discovery.PluginEntry) -> str | None:
    """Why ``entry``'s name can never match a type, or ``None`` when it can."""
    if entry.group != discovery.PLUGINS_GROUP:
        return None  # fallbacks load whatever their name
    try:
        found = importlib.util.find_spec(entry.name) is not None
    except (ImportError, ValueError):
        found = False
    if found:
        return None
    return (
        f"no importable package is named {entry.name!r}: typeflow loads this plugin only for types whose top "
        f"package is {entry.name!r}; name the entry point after the top package of the types it handles "
        f'(e.g. numpy = "typeflow_numpy.plugin")'
    )


def provides(entry: discovery.PluginEntry) -> str:
    """What ``entry`` gives a typeflow user, in a few words."""
    if entry.group == discovery.PLUGINS_GROUP:
        return f"types of {entry.name}"
    if entry.group == discovery.FALLBACKS_GROUP:
        return "types no other plugin handles"
    if entry.group == discovery.READERS_GROUP:
        return f"typeflow inspect reads {entry.name} files"
    if entry.group == discovery.PAYLOADS_GROUP:
        return f"offloaded payloads in the {entry.name} form"
    return "a flytekit plugin (flytekit loads it)"


#: when typeflow imports the entry points of each provided group (the flytekit group: never)
_LOADS_WHEN = {
    discovery.READERS_GROUP: "loads when typeflow inspect runs",
    discovery.PAYLOADS_GROUP: "loads when a literal is offloaded or an offloaded one is read",
}


def _load_provided(entry: discovery.PluginEntry) -> None:
    """Import a reader or payload form entry point and check what it names; :class:`PluginError` if it fails."""
    from typeflow.cli.inspect import Reader
    from typeflow.offload import PayloadForm

    kind: type[Any] = Reader if entry.group == discovery.READERS_GROUP else PayloadForm
    obj = entry.load()
    if not isinstance(obj, kind):
        raise entry.error(f"{entry.value!r} is a {type(obj).__name__}, not a {kind.__module__}.{kind.__qualname__}")


_Key = tuple[str, str]  # (entry-point name, distribution)


def _load_states() -> tuple[dict[discovery.PluginEntry, Any], dict[_Key, list[str]], dict[_Key, list[str]]]:
    """Load every plugin into a fresh engine: each entry's error, its conflicts and its overrides."""
    from typeflow.engine import TypeEngine

    engine = TypeEngine()
    engine.load_all_plugins()
    conflicts: dict[_Key, list[str]] = {}
    for error in engine.registry.conflicts.values():
        conflicts.setdefault((error.plugin or "", error.distribution or ""), []).append(str(error))
    overrides: dict[_Key, list[str]] = {}
    for override in engine.registry.overrides:
        source = override.by.source
        overrides.setdefault((source.plugin, source.distribution), []).append(str(override))
    return engine.plugin_states(), conflicts, overrides


def rows(load: bool) -> list[dict[str, Any]]:
    """One row per installed entry point: its metadata, status, cause, overrides and warnings."""
    states: dict[discovery.PluginEntry, Any] = {}
    conflicts: dict[_Key, list[str]] = {}
    overrides: dict[_Key, list[str]] = {}
    if load:
        states, conflicts, overrides = _load_states()
    out = []
    for entry in discovery.entries():
        disabled_by = discovery.disabled_by(entry)
        clash = conflicts.get((entry.name, entry.distribution), [])
        if disabled_by is not None:
            status, cause = "disabled", f"TYPEFLOW_DISABLE_PLUGINS names {disabled_by!r}"
        elif entry in states and states[entry] is not None:
            status, cause = "broken", str(states[entry])
        elif clash:
            status, cause = "conflicting", "; ".join(clash)
        elif entry in states:
            status, cause = "loaded", ""
        else:
            status, cause = "not loaded", "" if load else "loads when a value of its type is first converted"
        warning = name_warning(entry)
        overridden = overrides.get((entry.name, entry.distribution), [])
        out.append(_row(entry, status, cause, overridden, [warning] if warning else []))
    return out + _provided_rows(load)


def _row(entry: discovery.PluginEntry, status: str, cause: str, overrides: list[Any], warnings: list[str]) -> dict[str, Any]:
    """One entry point's row of ``typeflow plugins`` (its JSON object; the table shows some of its keys)."""
    return {
        "name": entry.name,
        "group": entry.group,
        "distribution": entry.distribution,
        "version": entry.version,
        "module": entry.value,
        "status": status,
        "cause": cause,
        "provides": provides(entry),
        "overrides": overrides,
        "warnings": warnings,
    }


def _provided_rows(load: bool) -> list[dict[str, Any]]:
    """Rows for inspect readers and payload forms (loaded with ``load``) and flytekit plugins (never loaded here)."""
    from typeflow.errors import PluginError

    out: list[dict[str, Any]] = []
    for entry in discovery.provided_entries():
        if entry.group not in _LOADS_WHEN:
            status, cause = "for flytekit", "flytekit imports it when flytekit is imported; typeflow does not load it"
        elif not load:
            status, cause = "not loaded", _LOADS_WHEN[entry.group]
        else:
            try:
                _load_provided(entry)
                status, cause = "loaded", ""
            except PluginError as exc:
                status, cause = "broken", str(exc)
        out.append(_row(entry, status, cause, [], []))
    return out


def run(args: argparse.Namespace) -> int:
    table = rows(args.load)
    failed = any(r["status"] in ("broken", "conflicting") for r in table)
    if args.json:
        print_json(table)
        return 1 if failed else 0
    if not table:
        from typeflow.hints import install_line

        print(f"no typeflow plugins installed (for example: {install_line(['typeflow-numpy', 'typeflow-pickle'])})")
        return 0
    widths = {k: max(len(k), *(len(str(r[k])) for r in table)) for k in _COLUMNS}
    print("  ".join(k.upper().ljust(widths[k]) for k in _COLUMNS).rstrip())
    for r in table:
        line = "  ".join(str(r[k]).ljust(widths[k]) for k in _COLUMNS)
        if r["status"] in ("broken", "disabled", "conflicting"):
            line += f"  {r['cause']}"
        print(line.rstrip())
        for override in r["overrides"]:
            print(f"  overrides: {override}")
        for warning in r["warnings"]:
            print(f"  warning: {r['name']}: {warning}")
    if not args.load:
        print("\n(status without importing plugin modules; `typeflow plugins --load` imports them and reports failures)")
    elif failed:
        print("\nsome plugins are broken or conflicting: fix or uninstall them, or disable one with TYPEFLOW_DISABLE_PLUGINS")
    return 1 if failed else 0
