"""flytekit's form of ``bytes``: a ``PythonPickle`` blob.

flytekit (1.13 to 1.16) has no transformer for ``bytes``, so it pickles
them like any type it does not know: the literal type is flytekit's pickle
blob type (``python_class_name: "<class 'bytes'>"``), the value a pickle
file; a ``List[bytes]`` is one file per element, a ``Dict[str, bytes]`` one per
value, and an ``Optional[bytes]`` a union variant tagged ``FlytePickle``.

typeflow's own form is a ``BINARY`` literal. Under the flytekit profiles
(:data:`PROFILES`) typeflow writes flytekit's form instead, and whatever the
profile it reads both. It writes and reads the pickle only through the
installed fallback plugin (typeflow-pickle), so that plugin's checks apply:
where a literal may point (read confinement), versions, signatures, and the
unpickled object's class, which must be ``bytes``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal, LiteralType, TypeStructure
from typeflow.transformer import PROFILES as ALL_PROFILES
from typeflow.transformer import TransformContext, TypeTransformer

__all__ = ["PROFILES", "is_bytes_pickle_type", "is_pickle_blob", "read", "union_stored_type", "write", "writes_pickle"]

#: the profiles whose consumer (flytekit) reads bytes only as a pickle
PROFILES = tuple(p for p in ALL_PROFILES if p.startswith("flytekit-"))
PICKLE_FORMAT = "PythonPickle"
#: how flytekit names the pickled class in the literal type's metadata
CLASS_NAME_KEY = "python_class_name"
_BYTES_CLASS_NAME = str(bytes)


def writes_pickle(ctx: TransformContext) -> bool:
    """Whether this context writes ``bytes`` as flytekit does (a pickle) instead of a ``BINARY`` literal."""
    return ctx.profile in PROFILES


def is_pickle_blob(lv: Literal) -> bool:
    blob = lv.scalar.blob if lv.scalar is not None else None
    return blob is not None and blob.metadata.type.format == PICKLE_FORMAT


def is_bytes_pickle_type(lt: LiteralType) -> bool:
    """Whether ``lt`` is flytekit's literal type of ``bytes`` (a pickle blob type naming ``bytes``)."""
    return (
        lt.blob is not None and lt.blob.format == PICKLE_FORMAT and (lt.metadata or {}).get(CLASS_NAME_KEY) == _BYTES_CLASS_NAME
    )


def _fallback(ctx: TransformContext, python_type: Any, doing: str) -> TypeTransformer[Any]:
    transformer = ctx.engine.fallback_transformer(bytes)
    if transformer is None:
        if doing == "writing":
            reason = f"flytekit reads bytes only as a pickle (profile {ctx.profile})"
            hint = "install typeflow-pickle, or write with the default profile (a BINARY literal, which flytekit cannot read)"
        else:
            reason = "the literal holds bytes as flytekit writes them, a pickle"
            hint = "install typeflow-pickle"
        raise TypeTransformerFailedError(
            f"{reason}, and typeflow-pickle (or another fallback plugin that pickles) is not installed",
            python_type=python_type,
            hint=hint,
        )
    return transformer


def write(ctx: TransformContext, value: bytes, python_type: Any) -> Literal:
    """``value`` pickled through the fallback plugin, as flytekit writes a ``bytes``."""
    return _fallback(ctx, python_type, "writing").to_literal(ctx, value, bytes, None)


def read(ctx: TransformContext, lv: Literal, python_type: Any) -> bytes:
    """A pickle blob read back through the fallback plugin, whose checks decide whether it may be unpickled."""
    value = _fallback(ctx, python_type, "reading").to_python_value(ctx, lv, bytes)
    if not isinstance(value, bytes):  # the fallback checks the class; this holds if another fallback does not
        raise TypeTransformerFailedError(f"the pickle does not hold bytes but a {type(value).__name__}", python_type=python_type)
    return value if type(value) is bytes else bytes(value)


def union_stored_type(ctx: TransformContext, python_type: Any) -> LiteralType:
    """The stored type of a pickled ``bytes`` union variant, as flytekit's union transformer matches it (tag ``FlytePickle``)."""
    fallback = _fallback(ctx, python_type, "writing")
    return dataclasses.replace(fallback.get_literal_type(bytes), structure=TypeStructure(fallback.name))
