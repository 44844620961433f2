"""typeflow-numpy: numpy arrays as plain ``.npy`` blobs, numpy scalars as primitives.

Installed, it is found through its entry point; nothing needs importing:

    >>> import numpy as np, typeflow
    >>> engine = typeflow.TypeEngine()
    >>> ctx = engine.context(storage="/tmp/typeflow-doc")
    >>> lv = engine.to_literal(ctx, np.eye(2), np.ndarray)
    >>> lv.scalar.blob.metadata.type.format
    'NumpyArray'

Arrays are streamed to a single ``.npy`` file that ``np.load(path,
allow_pickle=False)`` reads; arrays of Python objects are refused.
``NDArray[dtype]`` refuses arrays of another dtype (it never casts). Pass
``numpy_mmap=True`` to ``engine.context(...)`` (or set
``TYPEFLOW_NUMPY_MMAP=1``) to memory-map blobs on local storage when reading.
"""

from __future__ import annotations

from typeflow_numpy.arrays import FORMAT, MMAP_OPTION, NDArrayTransformer, declared_dtype
from typeflow_numpy.scalars import NumpyScalarTransformer

__version__ = "0.1.0"

__all__ = ["FORMAT", "MMAP_OPTION", "NDArrayTransformer", "NumpyScalarTransformer", "__version__", "declared_dtype"]
