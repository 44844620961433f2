"""``Iterator[T]`` / ``Generator[T, …]`` ↔ a stream: batch files written as the producer yields.

See :mod:`typeflow.streaming` for the form. ``Annotated[Iterator[T],
BatchSize(n)]`` sets the items per batch file (default
:data:`~typeflow.streaming.DEFAULT_BATCH_SIZE`).
"""

from __future__ import annotations

import collections.abc
import typing
from typing import Any, get_args

from typeflow.batching import batch_size_of
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import BlobDimensionality, BlobType, Literal, LiteralType
from typeflow.streaming import DEFAULT_BATCH_SIZE, FORMAT, StreamIterator, read_stream, write_stream
from typeflow.transformer import TransformContext, TypeTransformer, strip_annotated

__all__ = ["IteratorTransformer"]

#: LiteralType.metadata key holding the element type (its wire dict), so the type says what the stream holds
ELEMENT_KEY = "element_type"


class IteratorTransformer(TypeTransformer[Any]):
    """Streams of any type the engine handles; read back as a lazy :class:`~typeflow.streaming.StreamIterator`."""

    def __init__(self) -> None:
        super().__init__("Typed Iterator", collections.abc.Iterator)

    @staticmethod
    def element_type(t: Any) -> Any:
        args = get_args(strip_annotated(t)[0])
        if not args:
            raise TypeTransformerFailedError(
                "a stream needs its element type", python_type=t, hint="declare it as Iterator[T] (or Generator[T, None, None])"
            )
        return args[0]

    def get_literal_type(self, t: Any) -> LiteralType:
        from typeflow import wire

        element = self.engine.to_literal_type(self.element_type(t))
        return LiteralType(
            blob=BlobType(FORMAT, BlobDimensionality.MULTIPART), metadata={ELEMENT_KEY: wire.to_dict(element)["literal_type"]}
        )

    def assert_type(self, t: Any, v: Any) -> None:
        if not isinstance(v, collections.abc.Iterable) or isinstance(v, (str, bytes, dict)):
            raise TypeTransformerFailedError("expected an iterator (a generator, or any iterable)", python_type=t, value=v)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        self.assert_type(python_type, python_val)
        element = self.element_type(python_type)
        if isinstance(python_val, StreamIterator) and not python_val.started and python_val.element_type == element:
            return python_val.literal  # a stream read from storage and passed on untouched: not written again
        size = batch_size_of(strip_annotated(python_type)[1]) or DEFAULT_BATCH_SIZE
        return write_stream(ctx, python_val, element, size)

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> StreamIterator[Any]:
        return read_stream(ctx, lv, self.element_type(expected_python_type))

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        from typeflow import wire

        blob = literal_type.blob
        element = (literal_type.metadata or {}).get(ELEMENT_KEY)
        if blob is None or blob.format != FORMAT or not isinstance(element, dict):
            raise ValueError("not a stream type")
        element_type = wire.from_dict({"typeflow_wire": wire.FORMAT_VERSION, "literal_type": element})
        assert isinstance(element_type, LiteralType)
        return typing.Iterator[self.engine.guess_python_type(element_type)]  # type: ignore[misc]
