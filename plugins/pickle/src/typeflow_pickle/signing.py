"""Optional HMAC-SHA256 signing of pickle blobs (key: ``TYPEFLOW_PICKLE_KEY`` or the ``pickle_key`` option).

The signature of one file covers its bytes *and* every other entry of its
literal's metadata (versions, kind, item count, batch position, size), so
changing the file, swapping in another file, reordering or dropping batches,
or editing the metadata are all detected. It is stored in the blob literal's
metadata under ``pickle.hmac-sha256``; the file itself stays a plain pickle.

With a key set, reading refuses a blob whose signature is missing or wrong
*before* any of its bytes are unpickled.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import IO, Any

from typeflow.transformer import TransformContext

from .errors import PickleSignatureError
from .metadata import SIGNATURE

__all__ = ["KEY_OPTION", "SigningWriter", "key_from", "sign", "verify"]

#: context option (or ``TYPEFLOW_PICKLE_KEY``) holding the signing key
KEY_OPTION = "pickle_key"
_DOMAIN = b"\x00typeflow-pickle/metadata/v1\x00"


def key_from(ctx: TransformContext) -> bytes | None:
    """The signing key from the context option ``pickle_key`` or ``TYPEFLOW_PICKLE_KEY``; ``None`` when unset or empty."""
    key = ctx.option(KEY_OPTION)
    if key is None or key == "" or key == b"":
        return None
    if isinstance(key, str):
        return key.encode("utf-8")
    if isinstance(key, (bytes, bytearray)):
        return bytes(key)
    raise TypeError(f"option {KEY_OPTION} must be str or bytes, not {type(key).__name__}")


def new_mac(key: bytes) -> Any:
    """A fresh HMAC-SHA256 to feed a file's bytes into."""
    return hmac.new(key, digestmod=hashlib.sha256)


def _finish(mac: Any, meta: Mapping[str, str]) -> str:
    signed = {k: v for k, v in meta.items() if k != SIGNATURE}
    mac.update(_DOMAIN)
    mac.update(json.dumps(signed, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    digest: str = mac.hexdigest()
    return digest


def sign(mac: Any, meta: Mapping[str, str]) -> str:
    """The signature of a file whose bytes went into ``mac``, together with its metadata."""
    return _finish(mac, meta)


def verify(key: bytes, data: bytes, meta: Mapping[str, str], uri: str, python_type: Any = None) -> None:
    """Raise :class:`PickleSignatureError` unless ``meta`` holds the right signature of ``data`` and ``meta``."""
    claimed = meta.get(SIGNATURE)
    if claimed is None:
        raise PickleSignatureError(
            f"the pickle at {uri} is not signed, and a signing key is set, so it was not unpickled",
            uri=uri,
            python_type=python_type,
            hint="write it again with TYPEFLOW_PICKLE_KEY set, or unset the key to read unsigned pickles you trust",
        )
    mac = new_mac(key)
    mac.update(data)
    if not hmac.compare_digest(_finish(mac, meta), claimed):
        raise PickleSignatureError(
            f"the pickle at {uri} does not match its HMAC-SHA256 signature (its bytes or its literal's metadata "
            "were changed, or it was signed with another key), so it was not unpickled",
            uri=uri,
            python_type=python_type,
            hint="do not trust this blob; if it is genuine, read it with the key it was written with (TYPEFLOW_PICKLE_KEY)",
        )


class SigningWriter:
    """Passes writes to a file, counting bytes and feeding them to an HMAC when one is given."""

    __slots__ = ("_f", "_mac", "size")

    def __init__(self, f: IO[bytes], mac: Any | None) -> None:
        self._f = f
        self._mac = mac
        self.size = 0

    def write(self, data: Any) -> int:
        self._f.write(data)
        if self._mac is not None:
            self._mac.update(data)
        n = memoryview(data).nbytes
        self.size += n
        return n
