"""typeflow-pickle: values of types no transformer claims become cloudpickle blobs.

Installed, it is found through its entry point (``pickle`` in
``typeflow.fallbacks``) the first time such a type is converted; nothing
needs importing, except :class:`BatchSize` to batch lists:

    from typing import Annotated, List
    from typeflow_pickle import BatchSize

    Annotated[List[People], BatchSize(1000)]   # one pickle file per 1000 People

Pickles record the Python and cloudpickle versions that wrote them; one from
another Python minor version is refused unless
``engine.context(pickle_allow_version_mismatch=True)`` (or
``TYPEFLOW_PICKLE_ALLOW_VERSION_MISMATCH=1``). Set ``TYPEFLOW_PICKLE_KEY`` to
sign pickles with HMAC-SHA256 and refuse unsigned or tampered ones.

Importing this package loads neither cloudpickle nor typeflow's engine.
"""

from __future__ import annotations

from typing import Any

from typeflow_pickle._batch import BatchSize

__version__ = "0.1.0"

__all__ = [
    "ALLOW_VERSION_MISMATCH_OPTION",
    "FORMAT",
    "KEY_OPTION",
    "WORKERS_OPTION",
    "BatchSize",
    "PickleDecodeError",
    "PickleError",
    "PickleSignatureError",
    "PickleTransformer",
    "PickleVersionError",
    "__version__",
]

# name -> module that defines it; imported on first access so importing this package stays light
_LAZY = {
    "PickleTransformer": "typeflow_pickle.transformer",
    "FORMAT": "typeflow_pickle.blobs",
    "WORKERS_OPTION": "typeflow_pickle.blobs",
    "KEY_OPTION": "typeflow_pickle.signing",
    "ALLOW_VERSION_MISMATCH_OPTION": "typeflow_pickle.metadata",
    "PickleError": "typeflow_pickle.errors",
    "PickleDecodeError": "typeflow_pickle.errors",
    "PickleSignatureError": "typeflow_pickle.errors",
    "PickleVersionError": "typeflow_pickle.errors",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'typeflow_pickle' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value
