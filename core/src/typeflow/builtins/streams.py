"""``typing.BinaryIO`` / ``typing.TextIO`` ↔ a ``SINGLE`` blob (formats as flytekit names them).

Writing copies what the stream still holds (from its current position) to
storage in chunks, never all at once; text is stored as UTF-8. Reading gives
an open, read-only stream on the blob, which the caller closes: the stored
file itself for local storage, a streaming remote file otherwise.
"""

from __future__ import annotations

import io
import typing
from typing import Any

from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Blob, BlobDimensionality, BlobMetadata, BlobType, Literal, LiteralType, Scalar
from typeflow.transformer import TransformContext, TypeTransformer

from .simple import literal_kind

__all__ = ["BINARY_FORMAT", "TEXT_FORMAT", "BinaryIOTransformer", "TextIOTransformer"]

#: mimetypes' names for ``.bin`` and ``.txt``, as flytekit uses them
BINARY_FORMAT = "application/octet-stream"
TEXT_FORMAT = "text/plain"
_CHUNK = 1 << 20


class _StreamTransformer(TypeTransformer[Any]):
    format: str
    text: bool

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(blob=BlobType(self.format, BlobDimensionality.SINGLE))

    def assert_type(self, t: Any, v: Any) -> None:
        if not callable(getattr(v, "read", None)):
            raise TypeTransformerFailedError("expected a readable stream (an open file)", python_type=t, value=v)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        self.assert_type(python_type, python_val)
        uri = ctx.storage.new_uri(".txt" if self.text else ".bin")
        with ctx.open_write(uri) as out:
            while True:
                try:
                    chunk = python_val.read(_CHUNK)
                except Exception as exc:  # the source failed, not storage: say so (nothing is kept)
                    raise TypeTransformerFailedError(
                        f"reading the stream failed ({type(exc).__name__}: {exc}); nothing of it was kept",
                        python_type=python_type,
                    ) from exc
                if not chunk:
                    break
                out.write(self._encode(chunk, python_type, python_val))
        return Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType(self.format, BlobDimensionality.SINGLE)), uri)))

    def _encode(self, chunk: Any, python_type: Any, stream: Any) -> bytes:
        if self.text:
            if not isinstance(chunk, str):
                raise TypeTransformerFailedError(
                    "the stream gives bytes, not text", python_type=python_type, value=stream, hint="declare it as BinaryIO"
                )
            return chunk.encode("utf-8")
        if isinstance(chunk, str):
            raise TypeTransformerFailedError(
                "the stream gives text, not bytes", python_type=python_type, value=stream, hint="declare it as TextIO"
            )
        return bytes(chunk)

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        from typeflow.transfer import open_blob

        blob = lv.scalar.blob if lv.scalar is not None else None
        if blob is None or blob.metadata.type.dimensionality != BlobDimensionality.SINGLE:
            raise TypeTransformerFailedError(
                f"cannot read {literal_kind(lv)} as a {self.name} stream (expected a single-file blob)",
                python_type=expected_python_type,
            )
        stream = open_blob(ctx, blob.uri)
        if self.text:
            return io.TextIOWrapper(stream, encoding="utf-8", newline="")
        return stream

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        blob = literal_type.blob
        if blob is not None and blob.dimensionality == BlobDimensionality.SINGLE and blob.format == self.format:
            return self.python_type
        raise ValueError(f"not a {self.format} blob type")


class BinaryIOTransformer(_StreamTransformer):
    """``typing.BinaryIO``: the stream's bytes in a blob of format ``application/octet-stream``."""

    format = BINARY_FORMAT
    text = False

    def __init__(self) -> None:
        super().__init__("BinaryIO", typing.BinaryIO)


class TextIOTransformer(_StreamTransformer):
    """``typing.TextIO``: the stream's text, UTF-8, in a blob of format ``text/plain``."""

    format = TEXT_FORMAT
    text = True

    def __init__(self) -> None:
        super().__init__("TextIO", typing.TextIO)
