"""What each pickle blob's ``Literal.metadata`` records, and the checks made on it before unpickling.

Every key is a str → str entry of the blob literal's metadata:

===================== =========================================================
``pickle.python``      Python major.minor that wrote the pickle (``"3.11"``)
``pickle.cloudpickle`` cloudpickle version that wrote it
``pickle.protocol``    pickle protocol number
``pickle.kind``        ``"value"`` (one object) or ``"batch"`` (a list of items)
``pickle.items``       number of items in a batch
``pickle.batch``       ``"i/n"``: this file's place among the list's files
``pickle.size``        bytes in the file
``pickle.class``       the declared Python type the value was written as
``pickle.list``        identity of the list a file belongs to (one id per written list)
``pickle.hmac-sha256`` signature (only when a key was set), see :mod:`.signing`
===================== =========================================================
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from typeflow.transformer import TransformContext

from .errors import PickleError, PickleVersionError

__all__ = [
    "ALLOW_VERSION_MISMATCH_OPTION",
    "BATCH",
    "CLASS",
    "CLOUDPICKLE",
    "ITEMS",
    "KIND",
    "LIST",
    "PROTOCOL",
    "PYTHON",
    "RUNNING_PYTHON",
    "SIGNATURE",
    "SIZE",
    "check_python_version",
    "class_label",
    "is_true",
    "recorded_size",
]

PYTHON = "pickle.python"
CLOUDPICKLE = "pickle.cloudpickle"
PROTOCOL = "pickle.protocol"
KIND = "pickle.kind"
ITEMS = "pickle.items"
BATCH = "pickle.batch"
SIZE = "pickle.size"
SIGNATURE = "pickle.hmac-sha256"
CLASS = "pickle.class"
LIST = "pickle.list"

#: context option (or ``TYPEFLOW_PICKLE_ALLOW_VERSION_MISMATCH=1``) that reads pickles of another Python minor version
ALLOW_VERSION_MISMATCH_OPTION = "pickle_allow_version_mismatch"
#: the Python major.minor of this process, as recorded in ``pickle.python``
RUNNING_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"

_TRUE = frozenset({"1", "true", "yes", "on"})


def is_true(value: Any) -> bool:
    """An option's value as a flag: ``True``, or a string such as ``"1"``/``"true"``/``"yes"``."""
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return bool(value)


def check_python_version(ctx: TransformContext, meta: Mapping[str, str], uri: str, python_type: Any) -> None:
    """Refuse a pickle written by another Python minor version, unless the opt-out option is set.

    A pickle with no recorded version (written by another tool, e.g. flytekit) is read as is.
    """
    written_by = meta.get(PYTHON)
    if written_by is None or written_by == RUNNING_PYTHON:
        return
    if is_true(ctx.option(ALLOW_VERSION_MISMATCH_OPTION, False)):
        return
    cloudpickle_version = meta.get(CLOUDPICKLE, "unknown")
    raise PickleVersionError(
        f"the pickle at {uri} was written by Python {written_by} (cloudpickle {cloudpickle_version}), "
        f"but this is Python {RUNNING_PYTHON}; pickles are only reliable within one Python minor version, "
        "so nothing was unpickled",
        uri=uri,
        written_by=written_by,
        running=RUNNING_PYTHON,
        python_type=python_type,
        hint=(
            f"read it with Python {written_by}, or, if every class in it is importable here (none defined in "
            f"__main__), opt out with engine.context({ALLOW_VERSION_MISMATCH_OPTION}=True) or "
            f"TYPEFLOW_{ALLOW_VERSION_MISMATCH_OPTION.upper()}=1"
        ),
    )


def recorded_size(meta: Mapping[str, str], uri: str) -> int | None:
    """The file size the literal records, or ``None`` when it records none."""
    raw = meta.get(SIZE)
    if raw is None:
        return None
    try:
        size = int(raw)
    except ValueError:
        size = -1
    if size < 0:
        raise PickleError(f"the literal of {uri} records an invalid size {raw!r}", uri=uri)
    return size


def class_label(t: Any) -> str:
    """How a declared type is recorded in ``pickle.class``: ``module.QualName``, or the type expression."""
    if isinstance(t, type):
        return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
    return repr(t).replace("typing.", "")
