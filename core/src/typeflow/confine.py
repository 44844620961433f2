"""Read confinement: which blob URIs a literal may make typeflow read.

A literal chooses where typeflow reads; the reader's own settings choose what
it trusts. A :class:`ReadPolicy` (one per :class:`~typeflow.TransformContext`)
decides from two things only:

* **the context storage's location.** For remote storage, the same
  object-store protocol *and* bucket (``s3://bucket/...`` storage reads any
  key of that bucket, so a task reads what other executions wrote there). For
  local storage, any regular local file.
* **read roots**, listed by the user: ``engine.context(read_roots=[...])`` or
  ``TYPEFLOW_READ_ROOTS`` (comma-separated, read when the context is made).
  A root is a local folder (``/data/shared``), a URL prefix
  (``s3://other-bucket``, ``s3://b/prefix``, ``https://host/path``), a whole
  protocol (``https://``, ``memory://``), ``data:`` for inline ``data:`` URIs,
  or a chained prefix (``simplecache::s3://bucket``).

Everything else is refused with a :class:`~typeflow.errors.StorageError`
naming the URI and the read root that would allow it: other buckets and
protocols, ``http(s)://`` (no request is ever sent to a server a literal
names), ``memory://``, ``data:``, chained URLs (``simplecache::...``).

Paths are normalised before the check: ``file://`` is stripped, ``..`` and
symlinks are resolved (a symlink in storage pointing outside it is judged by
its target). Remote URIs with ``.`` or ``..`` segments are refused outright.

Content that *executes* when read (pickles without a signing key), and a
local folder to list (a ``Directory``, a dataset folder), ask for the stricter
``roots_only`` check: the URI must lie inside the storage's own root (its
folder, or its ``bucket/prefix``) or a read root; the rest of the bucket or
file system is not enough. The refusal says which reason applied.
:meth:`ReadPolicy.check_delete` (for :meth:`Storage.delete
<typeflow.storage.Storage.delete>`) admits the storage's own root alone.

Readers never use this module directly: they open literal URIs through
:meth:`TransformContext.open_read` / :meth:`~TransformContext.local_path`,
which check first.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from typeflow.errors import StorageError

__all__ = [
    "FOLDER_LISTED",
    "OWN_STORAGE_ONLY",
    "READ_ROOTS_ENV",
    "RUNS_CODE",
    "ReadLocation",
    "ReadPolicy",
    "read_roots_from_env",
]

#: comma-separated read roots, read when a context is made
READ_ROOTS_ENV = "TYPEFLOW_READ_ROOTS"

#: the reason a ``roots_only`` refusal gives by default: the content executes when read (an unsigned pickle)
RUNS_CODE = "its content runs code when read"
#: the reason for a local folder a literal names (a ``Directory``, a dataset folder): listing it is the risk, not its content
FOLDER_LISTED = "a literal chose this folder, and typeflow lists a local folder only inside the roots you allow"
#: why a delete outside the storage root is refused (:meth:`ReadPolicy.check_delete`)
OWN_STORAGE_ONLY = "typeflow deletes only blobs inside its own storage"

_LOCAL_SCHEMES = ("file://", "local://")
#: protocols that are the same store under two names
_ALIASES = {"s3a": "s3", "gcs": "gs", "abfss": "abfs", "az": "abfs"}


@dataclass(frozen=True)
class ReadLocation:
    """Where a URI points once normalised.

    ``local`` locations have ``path`` (an absolute, symlink-free path);
    remote ones have ``scheme`` (``"s3"``, ``"https"``, ``"data"``, …),
    ``bucket`` (the host or bucket, ``""`` when there is none) and ``url``
    (the normalised URL to open). ``chain`` is the ``a::b::`` prefix of a
    chained URL, else ``""``.
    """

    uri: str
    local: bool
    path: str = ""
    scheme: str = ""
    bucket: str = ""
    key: str = ""
    url: str = ""
    chain: str = ""

    def describe(self) -> str:
        if self.local:
            return self.path
        return self.url


def _strip_local_scheme(uri: str) -> str | None:
    """The path of a local URI (a plain path, ``file://``, ``local://``), else ``None``."""
    for prefix in _LOCAL_SCHEMES:
        if uri.startswith(prefix):
            rest = uri[len(prefix) :]
            if rest.startswith("localhost/"):
                rest = rest[len("localhost") :]
            return rest
    if "://" in uri or "::" in uri or uri.startswith("data:"):
        return None
    return uri


def _real(path: str) -> str:
    return os.path.realpath(os.path.abspath(os.path.expanduser(path)))


def locate(uri: str) -> ReadLocation:
    """Normalise ``uri``; ``StorageError`` when it cannot be read as a blob location at all."""
    if not isinstance(uri, str) or not uri:
        raise StorageError(f"a blob URI must be a non-empty string, got {uri!r}", uri=str(uri))
    if "\x00" in uri:
        raise StorageError("a blob URI must not contain NUL characters", uri=uri)
    local = _strip_local_scheme(uri)
    if local is not None:
        if not local:
            raise StorageError("empty local path", uri=uri)
        return ReadLocation(uri, True, path=_real(local))
    chain = ""
    inner = uri
    if "::" in uri:
        head, _, inner = uri.rpartition("::")
        chain = head + "::"
    if inner.startswith("data:"):
        return ReadLocation(uri, False, scheme="data", url=uri, chain=chain)
    local = _strip_local_scheme(inner)
    if local is not None:  # simplecache::/path - the chain still needs a root
        return ReadLocation(uri, False, path=_real(local), scheme="file", url=chain + _real(local), chain=chain)
    scheme, sep, rest = inner.partition("://")
    if not sep or not scheme or not scheme.replace("+", "").replace("-", "").replace(".", "").isalnum():
        raise StorageError("not a path or a URL with a protocol", uri=uri)
    scheme = _ALIASES.get(scheme.lower(), scheme.lower())
    bucket, _, key = rest.partition("/")
    segments = key.split("/")
    if any(s in (".", "..") for s in segments) or bucket in (".", ".."):
        raise StorageError("a remote URI must not contain '.' or '..' segments", uri=uri)
    return ReadLocation(uri, False, scheme=scheme, bucket=bucket, key=key, url=f"{chain}{scheme}://{rest}", chain=chain)


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _key_within(key: str, prefix: str) -> bool:
    prefix = prefix.strip("/")
    if not prefix:
        return True
    key = key.strip("/")
    return key == prefix or key.startswith(prefix + "/")


@dataclass(frozen=True)
class _Root:
    text: str
    where: ReadLocation | None  # None: a whole protocol ("https://") or "data:"
    protocol: str = ""

    def admits(self, loc: ReadLocation) -> bool:
        where = self.where
        if where is None:
            return not loc.local and loc.scheme == self.protocol and loc.chain == self.chain_of_text()
        if where.local:
            return loc.local and _within(loc.path, where.path)
        if loc.local or loc.chain != where.chain:
            return False
        if where.scheme == "file":  # a chained local root: simplecache::/data
            return loc.scheme == "file" and _within(loc.path, where.path)
        return loc.scheme == where.scheme and loc.bucket == where.bucket and _key_within(loc.key, where.key)

    def chain_of_text(self) -> str:
        return self.text.rpartition("::")[0] + "::" if "::" in self.text else ""


def _parse_root(text: str) -> _Root:
    text = text.strip()
    if not text:
        raise StorageError("an empty read root", uri=text)
    inner = text.rpartition("::")[2]
    if inner in ("data:", "data://"):
        return _Root(text, None, "data")
    if inner.endswith("://") and inner.count("://") == 1:
        scheme = inner[: -len("://")].lower()
        if scheme in ("file", "local"):
            return _Root(text, ReadLocation(text, True, path=os.sep))
        return _Root(text, None, _ALIASES.get(scheme, scheme))
    return _Root(text, locate(text))


def read_roots_from_env() -> tuple[str, ...]:
    """The roots in ``TYPEFLOW_READ_ROOTS`` (comma-separated; empty entries ignored)."""
    raw = os.environ.get(READ_ROOTS_ENV, "")
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _suggest(loc: ReadLocation) -> str:
    """The narrowest read root that would admit ``loc``."""
    if loc.local:
        return os.path.dirname(loc.path) or loc.path
    if loc.scheme == "data":
        return f"{loc.chain}data:"
    if loc.scheme == "file":
        return f"{loc.chain}{os.path.dirname(loc.path)}"
    if loc.scheme in ("http", "https"):
        return f"{loc.chain}{loc.scheme}://{loc.bucket}"
    if loc.scheme == "memory":
        return f"{loc.chain}memory://"
    return f"{loc.chain}{loc.scheme}://{loc.bucket}"


class ReadPolicy:
    """What one context may read: its storage's location plus its read roots.

    ``storage_url`` is the context storage's URL (a local folder or an fsspec
    URL); ``read_roots`` the extra roots. :meth:`check` returns the normalised
    :class:`ReadLocation` or raises :class:`StorageError`.
    """

    __slots__ = ("_roots", "_storage", "read_roots", "storage_url")

    def __init__(self, storage_url: str, read_roots: Iterable[str] = ()) -> None:
        self.storage_url = storage_url
        self.read_roots: tuple[str, ...] = tuple(read_roots)
        self._storage = _parse_root(storage_url)
        self._roots: Sequence[_Root] = tuple(_parse_root(r) for r in self.read_roots)

    @property
    def storage_location(self) -> ReadLocation:
        where = self._storage.where
        assert where is not None  # a storage URL always names a place
        return where

    def in_storage_root(self, loc: ReadLocation) -> bool:
        """Whether ``loc`` lies inside the storage's own folder or ``bucket/prefix``."""
        return self._storage.admits(loc)

    def on_storage_location(self, loc: ReadLocation) -> bool:
        """Whether ``loc`` is on the storage's location: same protocol and bucket, or any local file for local storage."""
        where = self.storage_location
        if where.local:
            return loc.local
        if loc.local or loc.chain or where.chain:
            return False
        if where.scheme in ("http", "https", "data", "memory", "file"):
            return self.in_storage_root(loc)  # no bucket to share: only the storage's own prefix
        return loc.scheme == where.scheme and loc.bucket == where.bucket

    def check(self, uri: str, *, roots_only: bool = False, reason: str | None = None) -> ReadLocation:
        """The normalised location of ``uri`` if this policy lets it be read, else ``StorageError``.

        ``roots_only`` (for content that executes when read, such as unsigned
        pickles, and for local folders to list): only the storage's own root or
        a read root admits it; ``reason`` says why in the refusal
        (:data:`RUNS_CODE` unless given, :data:`FOLDER_LISTED`).
        """
        loc = locate(uri)
        if any(root.admits(loc) for root in self._roots):
            return loc
        if self.in_storage_root(loc) or (not roots_only and self.on_storage_location(loc)):
            return loc
        raise self.refusal(loc, roots_only, reason)

    def check_delete(self, uri: str) -> ReadLocation:
        """The normalised location of ``uri`` if it lies inside the storage's own root, else ``StorageError``.

        For deletes: read roots and the rest of the storage's bucket or file
        system never count, since typeflow removes only blobs in its own storage.
        """
        loc = locate(uri)
        if self.in_storage_root(loc):
            return loc
        raise StorageError(
            f"refused to delete {loc.describe()}: it is not inside this storage's root ({self.storage_url}); {OWN_STORAGE_ONLY}",
            uri=loc.uri,
        )

    def refusal(self, loc: ReadLocation, roots_only: bool, reason: str | None = None) -> StorageError:
        suggestion = _suggest(loc)
        if roots_only:
            scope = f"inside this context's storage root ({self.storage_url}) or a read root"
            why = reason or RUNS_CODE
        else:
            where = self.storage_location
            scope = (
                "on this context's storage (local files)"
                if where.local
                else f"on this context's storage ({where.scheme}://{where.bucket}) or under a read root"
            )
            why = "a literal chooses the URI, so only locations you allow are read"
        roots = f" (read roots: {', '.join(self.read_roots)})" if self.read_roots else ""
        return StorageError(
            f"refused to read {loc.describe()}: it is not {scope}{roots}; {why}. "
            f"To allow it, add {suggestion!r} to engine.context(read_roots=[...]) or to {READ_ROOTS_ENV}",
            uri=loc.uri,
        )

    def __repr__(self) -> str:
        return f"ReadPolicy({self.storage_url!r}, read_roots={self.read_roots!r})"
