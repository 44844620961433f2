"""``File`` ↔ ``SINGLE`` blob, ``Directory`` ↔ ``MULTIPART`` blob (flytekit's ``FlyteFilePath`` / ``FlyteDirectory``).

Uploads run on a worker thread in the async API, so a map of several files
moves them at once; reading back never transfers anything: the value
downloads itself on first use.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from typeflow.batching import batch_size_of
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Blob, BlobDimensionality, BlobMetadata, BlobType, Literal, LiteralType, Scalar
from typeflow.transformer import AsyncTypeTransformer, TransformContext, strip_annotated
from typeflow.types import Directory, File
from typeflow.types._base import PathValue, is_remote

from .simple import literal_kind

__all__ = ["DirectoryTransformer", "FileTransformer"]

#: Literal.metadata key: how many files a directory held when it was written (checked when it is read)
FILES_KEY = "typeflow.files"
_PICKLE_FORMAT = "PythonPickle"


def _declared(t: Any, root: type[PathValue]) -> type[PathValue]:
    cls = strip_annotated(t)[0]
    if cls is os.PathLike:
        return root
    if not (isinstance(cls, type) and issubclass(cls, root)):
        raise TypeTransformerFailedError(f"not a {root.__name__} type", python_type=t)
    return cls


def _local_source(value: Any, python_type: Any, root: type[PathValue]) -> tuple[str | None, str, str | None]:
    """``(remote uri, local path, upload destination)`` of a value declared as ``File``/``Directory``."""
    if isinstance(value, PathValue):
        if not isinstance(value, root):
            other = "Directory" if root is File else "File"
            raise TypeTransformerFailedError(
                f"a {other} is not a {root.__name__}", python_type=python_type, value=value, hint=f"declare the type as {other}"
            )
        if value.remote_source is not None:
            return value.remote_source, "", None
        return None, value._local_path or "", value._upload_to
    if isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
        if isinstance(text, str):
            if is_remote(text):
                return text, "", None
            return None, text[len("file://") :] if text.startswith("file://") else text, None
    raise TypeTransformerFailedError(
        f"expected a {root.__name__}, a str path or a pathlib.Path", python_type=python_type, value=value
    )


def _blob_of(lv: Literal, python_type: Any, root: type[PathValue]) -> Blob:
    blob = lv.scalar.blob if lv.scalar is not None else None
    if blob is None:
        raise TypeTransformerFailedError(f"cannot read {literal_kind(lv)} as a {root.__name__}", python_type=python_type)
    if root is File and blob.metadata.type.dimensionality == BlobDimensionality.MULTIPART:
        raise TypeTransformerFailedError(
            f"the blob at {blob.uri} is a directory (a MULTIPART blob), not a file",
            python_type=python_type,
            hint="read it as Directory",
        )
    if root is Directory and blob.metadata.type.dimensionality == BlobDimensionality.SINGLE:
        raise TypeTransformerFailedError(
            f"the blob at {blob.uri} is a single file, not a directory", python_type=python_type, hint="read it as File"
        )
    return blob


class _PathTransformer(AsyncTypeTransformer[Any]):
    root: type[PathValue]
    dimensionality: BlobDimensionality

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(blob=BlobType(_declared(t, self.root).format, self.dimensionality))

    def assert_type(self, t: Any, v: Any) -> None:
        _local_source(v, t, self.root)  # refuses what is not a path, and a File given as a Directory (or back)

    def _literal(self, python_type: Any, uri: str, metadata: dict[str, str] | None = None) -> Literal:
        fmt = _declared(python_type, self.root).format
        blob = Blob(BlobMetadata(BlobType(fmt, self.dimensionality)), uri)
        return Literal(scalar=Scalar(blob=blob), metadata=metadata)

    async def async_to_literal(
        self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None
    ) -> Literal:
        return await asyncio.to_thread(self.to_literal, ctx, python_val, python_type, expected)

    async def async_to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        return self.to_python_value(ctx, lv, expected_python_type)

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        blob = literal_type.blob
        if blob is None or blob.dimensionality != self.dimensionality or blob.format == _PICKLE_FORMAT:
            raise ValueError(f"not a {self.root.__name__} blob type")
        if blob.format and self._claimed_elsewhere(literal_type):
            raise ValueError(f"blob format {blob.format!r} belongs to another transformer")
        return self.root[blob.format] if blob.format else self.root  # type: ignore[index]

    def _claimed_elsewhere(self, literal_type: LiteralType) -> bool:
        """Whether a transformer for a richer type (an array, a stream, …) reads this blob format.

        A blob of a known format is that type's, not just a file: plugins are
        loaded first so their transformers can claim it.
        """
        engine = self.engine
        engine.load_all_plugins()
        for reg in engine.registry.transformers():
            transformer = reg.transformer
            if isinstance(transformer, _PathTransformer):
                continue
            try:
                transformer.guess_python_type(literal_type)
            except (ValueError, TypeError, NotImplementedError):
                continue
            return True
        return False


class FileTransformer(_PathTransformer):
    """``File`` (and ``File["csv"]``, ``os.PathLike``) ↔ a ``SINGLE`` blob whose format is the file's."""

    root = File
    dimensionality = BlobDimensionality.SINGLE

    def __init__(self) -> None:
        super().__init__("FlyteFilePath", File)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        from typeflow import transfer

        remote, local, destination = _local_source(python_val, python_type, File)
        metadata = python_val.metadata if isinstance(python_val, File) else None
        if remote is not None:  # already in storage, or the user's own remote file: not copied again
            return self._literal(python_type, remote, metadata)
        if strip_annotated(python_type)[0] is os.PathLike:  # as in flytekit: a plain path type stays out of the way
            return self._literal(python_type, os.path.abspath(local), metadata)
        _check_local(local, python_type, python_val, want_dir=False)
        uri = destination or transfer.child_uri(ctx.storage.new_prefix(), os.path.basename(local))
        transfer.upload_file(ctx, local, uri)
        return self._literal(python_type, uri, metadata)

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> File:
        blob = _blob_of(lv, expected_python_type, File)
        cls = _declared(expected_python_type, File)
        return cls.from_literal_uri(blob.uri, ctx, lv.metadata)  # type: ignore[attr-defined, no-any-return]


class DirectoryTransformer(_PathTransformer):
    """``Directory`` (and ``Directory["png"]``) ↔ a ``MULTIPART`` blob: every file under the folder."""

    root = Directory
    dimensionality = BlobDimensionality.MULTIPART

    def __init__(self) -> None:
        super().__init__("FlyteDirectory", Directory)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        from typeflow import transfer

        remote, local, destination = _local_source(python_val, python_type, Directory)
        if remote is not None:
            count = getattr(python_val, "expected_files", None)
            return self._literal(python_type, remote, {FILES_KEY: str(count)} if count is not None else None)
        _check_local(local, python_type, python_val, want_dir=True)
        entries = transfer.list_tree(None, local)
        prefix = destination or ctx.storage.new_prefix()
        limit = _files_in_flight(python_type, python_val) or transfer.default_files_in_flight(ctx.storage, prefix)
        transfer.upload_tree(ctx, local, entries, prefix, limit)
        return self._literal(python_type, prefix, {FILES_KEY: str(len(entries))})

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Directory:
        blob = _blob_of(lv, expected_python_type, Directory)
        cls = _declared(expected_python_type, Directory)
        count = (lv.metadata or {}).get(FILES_KEY)
        expected_files = int(count) if count is not None and count.isdigit() else None
        limit = batch_size_of(strip_annotated(expected_python_type)[1])
        return cls.from_literal_uri(blob.uri, ctx, limit, expected_files)  # type: ignore[attr-defined, no-any-return]


def _files_in_flight(python_type: Any, value: Any) -> int | None:
    declared = batch_size_of(strip_annotated(python_type)[1])
    if declared is not None:
        return declared
    return getattr(value, "files_in_flight", None)


def _check_local(path: str, python_type: Any, value: Any, want_dir: bool) -> None:
    kind = "Directory" if want_dir else "File"
    if not path:
        raise TypeTransformerFailedError(f"a {kind} needs a path", python_type=python_type, value=value)
    if not os.path.exists(path):
        raise TypeTransformerFailedError(
            f"no such {'folder' if want_dir else 'file'}: {path}",
            python_type=python_type,
            value=value,
            hint=f"create it before returning it, or pass the {kind} of an existing one",
        )
    if want_dir and not os.path.isdir(path):
        raise TypeTransformerFailedError(
            f"{path} is a file, not a folder", python_type=python_type, value=value, hint="declare the type as File"
        )
    if not want_dir:
        if os.path.isdir(path):
            raise TypeTransformerFailedError(
                f"{path} is a folder, not a file", python_type=python_type, value=value, hint="declare the type as Directory"
            )
        if not os.path.isfile(path):
            raise TypeTransformerFailedError(f"{path} is not a regular file", python_type=python_type, value=value)
