"""flytekit's side of ``bench_flyteidl.py``: run inside the ``bench-flytekit`` env (flytekit 1.16.x, no typeflow).

    .tox/bench-flytekit/bin/python benchmarks/flyteidl_flytekit_side.py [--quick]

For each workload, flytekit's literal (``TypeEngine.to_literal``, untimed) is
converted with ``lv.to_flyte_idl()`` and back with ``Literal.from_flyte_idl``:
the same model↔protobuf step typeflow's ``to_flyteidl`` + ``from_flyteidl``
make (key ``<workload>``); and the same through the serialized bytes, as
flytekit writes and reads ``outputs.pb`` (``SerializeToString`` after
``to_flyte_idl``, ``FromString`` before ``from_flyte_idl``; key
``<workload>:bytes``). Prints one JSON object ``{key: seconds}`` on stdout.
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
    from flyteidl.core import literals_pb2
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine
    from flytekit.models.literals import Literal

    parse = literals_pb2.Literal.FromString
    ctx = FlyteContextManager.current_context()
    out: dict[str, float] = {}
    for key in KEYS:
        t = TYPES[key]
        lv = TypeEngine.to_literal(ctx, wd.make_value(key, args.quick), t, TypeEngine.to_literal_type(t))
        rounds = 2 if key == wd.LIST_INT else 3
        out[key] = _best(lambda lv=lv: Literal.from_flyte_idl(lv.to_flyte_idl()), lv, rounds)
        out[f"{key}:bytes"] = _best(
            lambda lv=lv: Literal.from_flyte_idl(parse(lv.to_flyte_idl().SerializeToString())), lv, rounds
        )
    print(json.dumps(out))
    return 0


def _best(convert: typing.Callable[[], typing.Any], lv: typing.Any, rounds: int) -> float:
    """The best of ``rounds`` timings of ``convert()``, checked to give ``lv`` back."""
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        back = convert()
        best = min(best, time.perf_counter() - start)
    assert back == lv
    return best


if __name__ == "__main__":
    sys.exit(main())
