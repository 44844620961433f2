"""Errors of typeflow-pickle; every one is a :class:`typeflow.errors.TypeTransformerFailedError`."""

from __future__ import annotations

from typing import Any

from typeflow.errors import TypeTransformerFailedError

__all__ = ["PickleDecodeError", "PickleError", "PickleSignatureError", "PickleVersionError"]


class PickleError(TypeTransformerFailedError):
    """A pickle blob could not be written or read; ``uri`` names the blob when there is one."""

    def __init__(self, reason: str, *, uri: str | None = None, python_type: Any = None, hint: str | None = None) -> None:
        self.uri = uri
        super().__init__(reason, python_type=python_type, hint=hint)


class PickleVersionError(PickleError):
    """The pickle was written by another Python minor version; refused before unpickling."""

    def __init__(self, reason: str, *, uri: str, written_by: str, running: str, hint: str, python_type: Any = None) -> None:
        self.written_by = written_by
        self.running = running
        super().__init__(reason, uri=uri, python_type=python_type, hint=hint)


class PickleSignatureError(PickleError):
    """A signing key is set and the blob's HMAC signature is missing or wrong; refused before unpickling."""


class PickleDecodeError(PickleError):
    """The blob's bytes do not unpickle (corrupt, truncated, or a class that cannot be imported here)."""
