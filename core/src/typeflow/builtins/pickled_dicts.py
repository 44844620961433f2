"""flytekit's pickle-dict form: a ``generic`` struct ``{"pickle_file": uri}`` with ``metadata={"format": "pickle"}``.

flytekit writes it for ``Annotated[dict, kwtypes(allow_pickle=True)]`` when
msgpack cannot hold the dict. typeflow writes and reads it only through the
installed fallback plugin (typeflow-pickle), so its checks apply: the blob's
versions and signature, and where a literal may point (read confinement).
"""

from __future__ import annotations

from typing import Any

from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Blob, BlobMetadata, BlobType, Literal, Scalar
from typeflow.transformer import TransformContext, TypeTransformer

__all__ = ["FORMAT_KEY", "is_pickled_dict", "read", "write"]

FORMAT_KEY = "format"
PICKLE = "pickle"
PICKLE_FILE = "pickle_file"
_PICKLE_BLOB = BlobType("PythonPickle")


def is_pickled_dict(lv: Literal) -> bool:
    return bool(lv.metadata) and lv.metadata.get(FORMAT_KEY) == PICKLE and lv.scalar is not None and lv.scalar.generic is not None  # type: ignore[union-attr]


def _fallback(ctx: TransformContext, python_type: Any, doing: str) -> TypeTransformer[Any]:
    transformer = ctx.engine.fallback_transformer(dict)
    if transformer is None:
        raise TypeTransformerFailedError(
            f"{doing} a pickled dict needs a fallback plugin that pickles, and none is installed",
            python_type=python_type,
            hint="install typeflow-pickle",
        )
    return transformer


def write(ctx: TransformContext, value: dict[Any, Any], python_type: Any) -> Literal:
    """Pickle ``value`` through the fallback plugin and wrap the blob in flytekit's pickle-dict form."""
    blob_lv = _fallback(ctx, python_type, "writing").to_literal(ctx, value, dict, None)
    blob = blob_lv.scalar.blob if blob_lv.scalar is not None else None
    if blob is None:
        raise TypeTransformerFailedError("the fallback plugin did not write a blob for the dict", python_type=python_type)
    return Literal(scalar=Scalar(generic={PICKLE_FILE: blob.uri}), metadata={**(blob_lv.metadata or {}), FORMAT_KEY: PICKLE})


def read(ctx: TransformContext, lv: Literal, python_type: Any) -> dict[Any, Any]:
    """Read the pickle-dict form back through the fallback plugin (its checks decide whether it may be unpickled)."""
    generic = lv.scalar.generic if lv.scalar is not None else None
    uri = generic.get(PICKLE_FILE) if generic else None
    if not isinstance(uri, str) or not uri:
        raise TypeTransformerFailedError(f"a pickled dict literal needs a {PICKLE_FILE!r} string", python_type=python_type)
    meta = {k: v for k, v in (lv.metadata or {}).items() if k != FORMAT_KEY}
    blob_lv = Literal(scalar=Scalar(blob=Blob(BlobMetadata(_PICKLE_BLOB), uri)), metadata=meta)
    value = _fallback(ctx, python_type, "reading").to_python_value(ctx, blob_lv, dict)
    if not isinstance(value, dict):
        raise TypeTransformerFailedError(f"the pickle at {uri} does not hold a dict", python_type=python_type)
    return value
