"""Which first-party plugin handles a type, and the pip command that installs it here.

A type from numpy, pandas, pyarrow, pydantic, polars or protobuf has a typeflow
plugin made for it. When that plugin is not installed, errors and the pickle
fallback's log name it first, with an install line that works for the way
typeflow itself was installed:

* from a package index: ``pip install typeflow-numpy``;
* from a checkout folder (``pip install ./core``): the plugin's folder in that
  same checkout, as an absolute path;
* from a git URL: the same repository and commit, the plugin's subdirectory;
* from a wheel built elsewhere: the folder to install from a typeflow checkout.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import metadata
from typing import Any
from urllib.parse import unquote, urlparse

__all__ = ["FIRST_PARTY", "FOLDERS", "FirstParty", "fallback_hint", "first_party_for", "install_line", "missing_plugin_hint"]


@dataclass(frozen=True)
class FirstParty:
    """A plugin made in the typeflow repository: its distribution and its folder there."""

    distribution: str
    folder: str


#: module prefix of a type -> the first-party plugin for it (a prefix matches itself and its submodules)
FIRST_PARTY: dict[str, FirstParty] = {
    "numpy": FirstParty("typeflow-numpy", "plugins/numpy"),
    "pandas": FirstParty("typeflow-pandas", "plugins/pandas"),
    "pyarrow": FirstParty("typeflow-pandas", "plugins/pandas"),
    "pydantic": FirstParty("typeflow-pydantic", "plugins/pydantic"),
    "polars": FirstParty("typeflow-polars", "plugins/polars"),
    "google.protobuf": FirstParty("typeflow-protobuf", "plugins/protobuf"),
}

#: distribution -> folder, for every first-party package an install line may name
FOLDERS: dict[str, str] = {
    "typeflow": "core",
    "typeflow-pickle": "plugins/pickle",
    "typeflow-flyteidl": "plugins/flyteidl",
    **{p.distribution: p.folder for p in FIRST_PARTY.values()},
}


def _modules(t: Any) -> list[str]:
    """Modules of ``t``, of its generic origin, and of the classes in their MROs."""
    from typing import get_origin

    out: list[str] = []
    for obj in (t, get_origin(t)):
        if obj is None:
            continue
        for cls in getattr(obj, "__mro__", (obj,)):
            module = getattr(cls, "__module__", None)
            if isinstance(module, str) and module not in out:
                out.append(module)
    return out


def first_party_for(t: Any) -> FirstParty | None:
    """The first-party plugin made for ``t``'s package, or ``None``."""
    for module in _modules(t):
        for prefix, plugin in FIRST_PARTY.items():
            if module == prefix or module.startswith(prefix + "."):
                return plugin
    return None


def _installed(distribution: str) -> bool:
    try:
        metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return False
    return True


def _core_origin() -> dict[str, Any] | None:
    """typeflow's ``direct_url.json`` (PEP 610), or ``None`` when it came from an index."""
    try:
        text = metadata.distribution("typeflow").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    if not text:
        return None
    try:
        origin = json.loads(text)
    except ValueError:
        return None
    return origin if isinstance(origin, dict) else None


def _local_path(url: str) -> str | None:
    parsed = urlparse(url)
    return unquote(parsed.path) if parsed.scheme == "file" else None


def _one(distribution: str, origin: dict[str, Any] | None) -> tuple[str, bool]:
    """The pip argument installing ``distribution``, and whether it is a path relative to a checkout."""
    folder = FOLDERS.get(distribution)
    if origin is None or folder is None:
        return distribution, False
    url = str(origin.get("url", ""))
    if "vcs_info" in origin:
        vcs = origin["vcs_info"]
        commit = f"@{vcs['commit_id']}" if isinstance(vcs, dict) and vcs.get("commit_id") else ""
        base = url.split("#", 1)[0]
        return f'"{distribution} @ {vcs.get("vcs", "git")}+{base}{commit}#subdirectory={folder}"', False
    if "dir_info" in origin:
        core = _local_path(url)
        if core is not None:
            candidate = os.path.join(os.path.dirname(os.path.normpath(core)), folder)
            if os.path.isfile(os.path.join(candidate, "pyproject.toml")):
                return candidate, False
    return f"./{folder}", True


def install_line(distributions: list[str]) -> str:
    """A ``pip install`` command for ``distributions`` that works where this typeflow came from."""
    origin = _core_origin()
    parts = [_one(d, origin) for d in distributions]
    line = "pip install " + " ".join(arg for arg, _ in parts)
    if any(relative for _, relative in parts):
        line += " (from the root of a typeflow checkout)"
    return line


def missing_plugin_hint(t: Any) -> str | None:
    """``"install typeflow-numpy (...)"`` when ``t`` has a first-party plugin that would handle it but is not in use.

    ``None`` when there is no such plugin, or it is installed and enabled.
    """
    plugin = first_party_for(t)
    if plugin is None:
        return None
    if _installed(plugin.distribution):
        from typeflow import discovery

        if not any(discovery.disabled_by(e) for e in discovery.entries() if _same(e.distribution, plugin.distribution)):
            return None
        return (
            f"{plugin.distribution} handles this type but TYPEFLOW_DISABLE_PLUGINS disables it; "
            "remove it from that variable for a real literal type"
        )
    return f"install {plugin.distribution} for a real literal type: {install_line([plugin.distribution])}"


def _same(a: str, b: str) -> bool:
    return a.lower().replace("_", "-") == b.lower().replace("_", "-")


def fallback_hint() -> str:
    """How to get the pickle fallback for types nothing else claims (installed, disabled, or not there)."""
    if _installed("typeflow-pickle"):
        return "enable typeflow-pickle (TYPEFLOW_DISABLE_PLUGINS names it) to pickle types nothing else claims"
    return f"install typeflow-pickle to pickle types nothing else claims: {install_line(['typeflow-pickle'])}"
