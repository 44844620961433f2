"""flytekit's side of ``bench_flyteidl.py``: run inside the ``bench-flytekit`` env (flytekit 1.16.x, no typeflow).

    .tox/bench-flytekit/bin/python benchmarks/flyteidl_flytekit_side.py [--quick]

For each workload, flytekit's literal (``TypeEngine.to_literal``, untimed) is
converted with ``lv.to_flyte_idl()`` and back with ``Literal.from_flyte_idl``:
the same model↔protobuf step typeflow's ``to_flyteidl`` + ``from_flyteidl``
make. Prints one JSON object ``{workload_key: seconds}`` on stdout.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import typing
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workload_data as wd  # noqa: E402

KEYS = (wd.LIST_INT, wd.DICT_STR_FLOAT, wd.LIST_REC, wd.LIST_DATETIME, wd.LIST_OPT_INT)
TYPES = {
    wd.LIST_INT: typing.List[int],
    wd.DICT_STR_FLOAT: typing.Dict[str, float],
    wd.LIST_REC: typing.List[wd.Rec],
    wd.LIST_DATETIME: wd.packed_type(wd.LIST_DATETIME),
    wd.LIST_OPT_INT: wd.packed_type(wd.LIST_OPT_INT),
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine
    from flytekit.models.literals import Literal

    ctx = FlyteContextManager.current_context()
    out: dict[str, float] = {}
    for key in KEYS:
        t = TYPES[key]
        lv = TypeEngine.to_literal(ctx, wd.make_value(key, args.quick), t, TypeEngine.to_literal_type(t))
        best = float("inf")
        for _ in range(2 if key == wd.LIST_INT else 3):
            gc.collect()
            start = time.perf_counter()
            back = Literal.from_flyte_idl(lv.to_flyte_idl())
            best = min(best, time.perf_counter() - start)
        assert back == lv
        out[key] = best
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
