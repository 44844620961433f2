"""Sample types and helpers for the typeflow-pickle tests."""

from __future__ import annotations

from pathlib import Path


class People:
    """A plain class no transformer claims: the fallback pickles it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, People) and other.name == self.name

    def __repr__(self) -> str:
        return f"People({self.name!r})"


class Tripwire:
    """Unpickling it creates ``path``: proof that a blob was (or was not) unpickled."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return (Path.touch, (self.path,))


def files_in(folder: Path) -> list[Path]:
    """The real files under ``folder`` (pickle blobs; no temporary files are left behind)."""
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
