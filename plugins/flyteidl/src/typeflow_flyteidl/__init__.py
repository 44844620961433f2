"""typeflow-flyteidl: typeflow's literals as flyteidl protobuf messages, Flyte's ``inputs.pb``/``outputs.pb``.

    >>> import typeflow
    >>> from typeflow_flyteidl import to_flyteidl, from_flyteidl
    >>> lv = typeflow.to_literal({"a": 1.5}, dict[str, float])
    >>> from_flyteidl(to_flyteidl(lv)) == lv
    True

``to_flyteidl`` / ``from_flyteidl`` convert ``Literal``, ``LiteralType`` and
``LiteralMap`` losslessly; packed collections and maps are written and read
in bulk, as bytes. ``read_literal_map`` / ``write_literal_map`` read and write
a task's ``inputs.pb`` / ``outputs.pb`` on any fsspec URL. With the
``[flytekit]`` extra, flytekit tasks use typeflow's plugins for the types
flytekit would otherwise pickle (see :mod:`typeflow_flyteidl.flytekit_plugin`).
"""

from __future__ import annotations

from typeflow_flyteidl.files import read_literal_map, write_literal_map
from typeflow_flyteidl.messages import from_bytes, from_flyteidl, to_bytes, to_flyteidl

__version__ = "0.1.0"

__all__ = ["__version__", "from_bytes", "from_flyteidl", "read_literal_map", "to_bytes", "to_flyteidl", "write_literal_map"]
