"""``pathlib.Path`` declared as a type: the file or folder it names travels as a blob.

flytekit has no transformer for ``pathlib.Path`` (it pickles the path object);
the nearest form it has is ``FlyteFile``'s, so a path to a file is written as
``File`` writes it (a ``SINGLE`` blob of format ``""``, which flytekit reads as
a ``FlyteFile``) and a path to a folder as ``Directory`` writes it (a
``MULTIPART`` blob, its file count in the literal's metadata). The literal
type is ``File``'s: one declared type has one literal type, and which kind of
blob a value is shows in the literal itself.

Reading is eager, unlike ``File``: a ``Path`` is a local path, so the blob is
downloaded (through the context's read policy) to a fresh local folder and the
path of that copy returned. ``Annotated[Path, BatchSize(n)]`` bounds the files
in flight for folders, as for ``Directory``.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import stat
from typing import Any

from typeflow.batching import batch_size_of
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import BlobDimensionality, BlobType, Literal, LiteralType
from typeflow.transformer import AsyncTypeTransformer, TransformContext, strip_annotated
from typeflow.types import Directory, File
from typeflow.types._base import PathValue

from .files import FILES_KEY, DirectoryTransformer, FileTransformer
from .simple import literal_kind

__all__ = ["PathTransformer"]

_PICKLE_FORMAT = "PythonPickle"


class PathTransformer(AsyncTypeTransformer[pathlib.Path]):
    """``pathlib.Path`` ↔ the blob of the file (``SINGLE``) or folder (``MULTIPART``) it names; read back as a local copy."""

    def __init__(self) -> None:
        super().__init__("Path", pathlib.Path)
        self._files = FileTransformer()
        self._folders = DirectoryTransformer()

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(blob=BlobType("", BlobDimensionality.SINGLE))

    def assert_type(self, t: Any, v: Any) -> None:
        _local_text(v, t)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        if isinstance(python_val, PathValue) and python_val.remote_source is not None:
            # a File/Directory read from a literal (or naming a remote URI): passed on, not copied
            if isinstance(python_val, Directory):
                return self._folders.to_literal(ctx, python_val, Directory, None)
            return self._files.to_literal(ctx, python_val, File, None)
        path = _local_text(python_val, python_type)
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            raise TypeTransformerFailedError(
                f"no such file or folder: {path}",
                python_type=python_type,
                value=python_val,
                hint="create it before returning it, or pass an existing path",
            ) from None
        except OSError as exc:
            raise TypeTransformerFailedError(
                f"cannot read {path}: {exc.strerror}", python_type=python_type, value=python_val
            ) from exc
        if stat.S_ISDIR(mode):
            folder = Directory(path, files_in_flight=batch_size_of(strip_annotated(python_type)[1]))
            return self._folders.to_literal(ctx, folder, Directory, None)
        if stat.S_ISREG(mode):
            return self._files.to_literal(ctx, File(path), File, None)
        raise TypeTransformerFailedError(
            f"{path} is neither a regular file nor a folder", python_type=python_type, value=python_val
        )

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> pathlib.Path:
        blob = lv.scalar.blob if lv.scalar is not None else None
        if blob is None:
            raise TypeTransformerFailedError(f"cannot read {literal_kind(lv)} as a Path", python_type=expected_python_type)
        if blob.metadata.type.format == _PICKLE_FORMAT:
            return self._unpickle(ctx, lv, expected_python_type)
        if blob.metadata.type.dimensionality == BlobDimensionality.MULTIPART:
            count = (lv.metadata or {}).get(FILES_KEY)
            expected_files = int(count) if count is not None and count.isdigit() else None
            limit = batch_size_of(strip_annotated(expected_python_type)[1])
            local = Directory.from_literal_uri(blob.uri, ctx, limit, expected_files).download()
        else:
            local = File.from_literal_uri(blob.uri, ctx).download()
        return pathlib.Path(local)

    def _unpickle(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> pathlib.Path:
        """A path pickled by typeflow-pickle (as typeflow 0.1 wrote a declared ``Path``): read by that plugin."""
        fallback = self.engine.fallback_transformer(pathlib.Path)
        if fallback is None:
            raise TypeTransformerFailedError(
                "this literal is a pickled Path object (typeflow 0.1 pickled a declared Path), not a file",
                python_type=expected_python_type,
                hint="install typeflow-pickle to read it",
            )
        value = fallback.to_python_value(ctx, lv, expected_python_type)
        if not isinstance(value, pathlib.Path):  # typeflow-pickle checks the class itself; another fallback may not
            raise TypeTransformerFailedError(
                f"the pickle holds a {type(value).__name__}, not a Path", python_type=expected_python_type
            )
        return value

    async def async_to_literal(
        self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None
    ) -> Literal:
        return await asyncio.to_thread(self.to_literal, ctx, python_val, python_type, expected)

    async def async_to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> pathlib.Path:
        return await asyncio.to_thread(self.to_python_value, ctx, lv, expected_python_type)


def _local_text(value: Any, python_type: Any) -> str:
    """The local path a value declared as ``Path`` names (a ``Path``, a ``str``, any ``os.PathLike`` of str)."""
    if isinstance(value, (str, os.PathLike)) and not isinstance(value, PathValue):
        text = os.fspath(value)
        if isinstance(text, str):
            if "://" in text and not text.startswith("file://"):
                raise TypeTransformerFailedError(
                    f"{text} is a URI, not a local path", python_type=python_type, value=value, hint="declare the type as File"
                )
            return text[len("file://") :] if text.startswith("file://") else text
    if isinstance(value, PathValue):
        return value.path  # a local File/Directory: its path; a remote one's is where it would download to, never read
    raise TypeTransformerFailedError("expected a pathlib.Path or a str path", python_type=python_type, value=value)
