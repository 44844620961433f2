"""Optional HMAC-SHA256 signing of pickle blobs (key: ``TYPEFLOW_PICKLE_KEY`` or the ``pickle_key`` option).

The signature of one file covers its bytes, every other entry of its
literal's metadata (versions, kind, item count, batch position, size, the
declared class ``pickle.class``, and for a list's files the list's identity
``pickle.list``), and the blob's URI. So changing the file or its metadata,
swapping in another file, replaying a signed blob under another URI, reading
a blob signed for one class where another is declared, reordering, dropping
or splicing batches of two lists, or composing lone signed values into a
list are all refused. It is stored in the blob literal's metadata under
``pickle.hmac-sha256``; the file itself stays a plain pickle.

With a key set, reading refuses a blob whose signature is missing or wrong
*before* any of its bytes are unpickled: the bytes are fed to the HMAC while
they stream in, never more than the signed size (itself within the read
budget), and checked before anything is unpickled. An explicitly empty key
(``pickle_key=""`` or ``None``, or ``TYPEFLOW_PICKLE_KEY=""``) is an error,
never a silent "off".
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from typing import IO, Any

from typeflow.transformer import TransformContext

from .errors import PickleSignatureError
from .metadata import SIGNATURE

__all__ = ["KEY_OPTION", "SigningWriter", "key_from", "new_mac", "sign", "verify", "verify_mac"]

#: context option (or ``TYPEFLOW_PICKLE_KEY``) holding the signing key
KEY_OPTION = "pickle_key"
KEY_ENV = "TYPEFLOW_PICKLE_KEY"
_DOMAIN = b"\x00typeflow-pickle/metadata/v2\x00"


def key_from(ctx: TransformContext) -> bytes | None:
    """The signing key from the context option ``pickle_key``, else ``TYPEFLOW_PICKLE_KEY``; ``None`` when neither is set.

    A key that is given but empty (or ``None`` as the option) raises
    :class:`PickleSignatureError`: turning verification off must be a visible choice.
    """
    if KEY_OPTION in ctx.options:
        key = ctx.options[KEY_OPTION]
        source = f"engine.context({KEY_OPTION}=...)"
    else:
        key = os.environ.get(KEY_ENV)
        if key is None:
            return None
        source = KEY_ENV
    if key is None or key == "" or key == b"":
        raise PickleSignatureError(
            f"the pickle signing key from {source} is empty; an empty key would turn signature checks off",
            hint=f"pass the real key, or remove the {KEY_OPTION} option and unset {KEY_ENV} to read unsigned pickles "
            "(only from your own storage)",
        )
    if isinstance(key, str):
        return key.encode("utf-8")
    if isinstance(key, (bytes, bytearray)):
        return bytes(key)
    raise PickleSignatureError(f"option {KEY_OPTION} must be str or bytes, not {type(key).__name__}")


def new_mac(key: bytes) -> Any:
    """A fresh HMAC-SHA256 to feed a file's bytes into."""
    return hmac.new(key, digestmod=hashlib.sha256)


def _finish(mac: Any, meta: Mapping[str, str], uri: str) -> str:
    signed = {k: v for k, v in meta.items() if k != SIGNATURE}
    mac.update(_DOMAIN)
    mac.update(json.dumps({"metadata": signed, "uri": uri}, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    digest: str = mac.hexdigest()
    return digest


def sign(mac: Any, meta: Mapping[str, str], uri: str) -> str:
    """The signature of the file at ``uri`` whose bytes went into ``mac``, together with its metadata."""
    return _finish(mac, meta, uri)


def _unsigned(uri: str, python_type: Any) -> PickleSignatureError:
    return PickleSignatureError(
        f"the pickle at {uri} is not signed, and a signing key is set, so it was not unpickled",
        uri=uri,
        python_type=python_type,
        hint="write it again with TYPEFLOW_PICKLE_KEY set, or unset the key to read unsigned pickles you trust",
    )


def verify_mac(mac: Any, meta: Mapping[str, str], uri: str, python_type: Any = None) -> None:
    """Raise :class:`PickleSignatureError` unless ``meta`` holds the signature of the bytes fed to ``mac``."""
    claimed = meta.get(SIGNATURE)
    if claimed is None:
        raise _unsigned(uri, python_type)
    if not hmac.compare_digest(_finish(mac, meta, uri), claimed):
        raise PickleSignatureError(
            f"the pickle at {uri} does not match its HMAC-SHA256 signature (its bytes, its literal's metadata or "
            "its URI were changed, or it was signed with another key), so it was not unpickled",
            uri=uri,
            python_type=python_type,
            hint="do not trust this blob; if it is genuine, read it with the key it was written with (TYPEFLOW_PICKLE_KEY)",
        )


def verify(key: bytes, data: bytes, meta: Mapping[str, str], uri: str, python_type: Any = None) -> None:
    """Raise :class:`PickleSignatureError` unless ``meta`` holds the right signature of ``data``, ``meta`` and ``uri``."""
    if SIGNATURE not in meta:
        raise _unsigned(uri, python_type)
    mac = new_mac(key)
    mac.update(data)
    verify_mac(mac, meta, uri, python_type)


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
