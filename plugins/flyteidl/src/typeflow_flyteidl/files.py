"""``read_literal_map`` / ``write_literal_map``: Flyte's ``inputs.pb`` and ``outputs.pb`` on any fsspec URL.

A Flyte task pod reads its inputs from ``inputs.pb`` and writes ``outputs.pb``:
each a serialized ``flyteidl.core.LiteralMap``. These functions read and write
such files through typeflow's storage, so a local path, ``s3://``, ``gs://``
or any other fsspec URL works, writes are atomic (a failed write leaves no
file), and every failure is a :class:`~typeflow.errors.StorageError` naming
the URI.
"""

from __future__ import annotations

import posixpath

from typeflow.literals import LiteralMap
from typeflow.storage import Storage, get_storage, is_local

from .decode import decode, decode_literal_map
from .encode import encode_literal_map

__all__ = ["read_literal_map", "write_literal_map"]


def _storage_for(uri: str, storage: str | None) -> Storage:
    if storage is not None:
        return get_storage(storage)
    if is_local(uri):
        import os

        return get_storage(os.path.dirname(os.path.abspath(uri.removeprefix("file://"))) or ".")
    return get_storage(posixpath.dirname(uri))


def read_literal_map(uri: str, *, storage: str | None = None) -> LiteralMap:
    """The ``LiteralMap`` in the file at ``uri`` (a task's ``inputs.pb`` or ``outputs.pb``).

        lm = read_literal_map("s3://my-flyte-bucket/metadata/propeller/.../outputs.pb")
        typeflow.LiteralsResolver(lm).get("o0", as_type=list[int])

    ``storage`` is the storage URL to read through (default: the file's
    folder), so its settings and trust rules apply. Raises
    :class:`~typeflow.errors.LiteralDecodeError` when the bytes are not a
    ``LiteralMap``.
    """
    data = _storage_for(uri, storage).read_bytes(uri)
    lm: LiteralMap = decode(data, decode_literal_map, "LiteralMap")
    return lm


def write_literal_map(lm: LiteralMap, uri: str, *, storage: str | None = None) -> None:
    """Write ``lm`` to ``uri`` as a serialized ``flyteidl.core.LiteralMap`` (what flytekit's ``outputs.pb`` holds)."""
    if not isinstance(lm, LiteralMap):
        from typeflow.errors import TypeflowError

        raise TypeflowError(f"write_literal_map writes a typeflow LiteralMap, not a {type(lm).__name__}")
    data = encode_literal_map(lm)
    _storage_for(uri, storage).write_bytes(uri, data)
