"""typeflow-flyteidl: Flyte's ``.pb`` files against typeflow's own wire, and the protobuf bridge against flytekit's.

Two rows per workload (1,000,000-int ``List[int]``, 100,000-entry
``Dict[str, float]``, 10,000 dataclasses), measured in one run:

- ``write_literal_map`` + ``read_literal_map`` of a one-entry literal map
  against ``wire.dumps`` + ``wire.loads`` of the same map written and read on
  the same path through the same storage calls (an atomic write, then a
  read) (target ≤ 10x);
- ``to_flyteidl`` + ``from_flyteidl`` of the literal against flytekit's
  ``to_flyte_idl`` + ``from_flyte_idl`` of flytekit's literal of the same value,
  measured by ``flyteidl_flytekit_side.py`` in the ``bench-flytekit`` env
  (target ≥ 50x faster). The bridge is timed before and after flytekit's
  side runs, and the better time kept.

A third row per workload times the same conversion through the serialized
bytes, as a task's ``outputs.pb`` is written and read: ``to_bytes`` +
``from_bytes`` against flytekit's ``to_flyte_idl`` + ``SerializeToString`` +
``FromString`` + ``from_flyte_idl`` (no target: no protobuf message is built
on typeflow's side, so protobuf's floor does not bound it).

Each bridge row is followed by the floor under it: protobuf's own
``Literal.FromString`` of the bytes ``to_flyteidl`` hands it plus
``SerializeToString`` of that message, the two protobuf calls the bridge
makes (no target: it says how much faster than flytekit any bridge that
returns and reads a real protobuf message can be).

Two more workloads of the packed column kinds, 100,000 aware ``datetime`` and
100,000 ``Optional[int]`` (10% None), have the bridge row only (no target).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import workload_data as wd  # noqa: E402
from harness import Row, best_of, best_of_pair  # noqa: E402

KEYS = (wd.LIST_INT, wd.DICT_STR_FLOAT, wd.LIST_REC)
#: packed column kinds measured through the bridge only (no target)
BRIDGE_ONLY = (wd.LIST_DATETIME, wd.LIST_OPT_INT)
FILE_TARGET = 10.0
BRIDGE_TARGET = 1 / 50


def _python_type(key: str) -> Any:
    if key in wd.PACKED:
        return wd.packed_type(key)
    return {wd.LIST_INT: list[int], wd.DICT_STR_FLOAT: dict[str, float], wd.LIST_REC: list[wd.Rec]}[key]


def _flytekit_times(quick: bool) -> dict[str, float]:
    python = Path(os.environ.get("FLYTEKIT_PYTHON", REPO / ".tox" / "bench-flytekit" / "bin" / "python"))
    if not python.exists():
        print(f"bench_flyteidl: no flytekit interpreter at {python}; run `tox -e bench-flytekit` first", file=sys.stderr)
        return {}
    cmd = [str(python), str(HERE / "flyteidl_flytekit_side.py"), *(["--quick"] if quick else [])]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        print(f"bench_flyteidl: the flytekit side failed (exit {proc.returncode})", file=sys.stderr)
        return {}
    times: dict[str, float] = json.loads(lines[-1])
    return times


def run(quick: bool) -> list[Row]:
    try:
        import typeflow
        from typeflow.storage import get_storage
        from typeflow_flyteidl import read_literal_map, write_literal_map
    except ImportError as exc:
        print(f"bench_flyteidl: skipped ({exc})", file=sys.stderr)
        return []
    engine = typeflow.TypeEngine()
    root = Path(tempfile.mkdtemp(prefix="typeflow-bench-flyteidl-"))
    repeat = 3 if quick else 5
    rows = []
    try:
        ctx = engine.context(storage=str(root / "storage"))
        maps = {}
        for key in KEYS + BRIDGE_ONLY:
            maps[key] = engine.dict_to_literal_map(ctx, {"x": wd.make_value(key, quick)}, {"x": _python_type(key)})
        # the bridge is timed before and after flytekit's side (which takes minutes on a shared machine): the better
        # time is kept, so a slow spell during one of them does not decide the ratio
        before = {key: _bridge_time(lm.literals["x"], repeat) for key, lm in maps.items()}
        bytes_before = {key: _bytes_time(maps[key].literals["x"], repeat) for key in KEYS}
        floor_before = {key: _floor_time(maps[key].literals["x"], repeat) for key in KEYS}
        flytekit = _flytekit_times(quick)
        bridge = {key: min(before[key], _bridge_time(lm.literals["x"], repeat)) for key, lm in maps.items()}
        floor = {key: min(floor_before[key], _floor_time(maps[key].literals["x"], repeat)) for key in KEYS}
        through_bytes = {key: min(bytes_before[key], _bytes_time(maps[key].literals["x"], repeat)) for key in KEYS}
        for key, lm in maps.items():
            if key in BRIDGE_ONLY:
                rows.extend(_bridge_row(key, quick, bridge[key], flytekit, None))
                continue
            path = str(root / "outputs.pb")
            write_literal_map(lm, path)
            assert read_literal_map(path) == lm

            def through_pb(lm: Any = lm, path: str = path) -> Any:
                write_literal_map(lm, path)
                return read_literal_map(path)

            def through_wire(lm: Any = lm, path: str = path) -> Any:
                # through the same storage calls write_literal_map makes (an atomic write, then a read)
                storage = get_storage(str(root))
                storage.write_bytes(path, typeflow.wire.dumps(lm))
                return typeflow.wire.loads(storage.read_bytes(path))

            pb_s, wire_s = best_of_pair(through_pb, through_wire, repeat)
            rows.append(
                Row(
                    f"{wd.describe(key, quick)}: write_literal_map + read_literal_map",
                    pb_s,
                    "typeflow wire, same file",
                    wire_s,
                    FILE_TARGET,
                )
            )
            rows.extend(_bridge_row(key, quick, bridge[key], flytekit, BRIDGE_TARGET))
            rows.extend(_floor_row(key, quick, floor[key], flytekit))
            rows.extend(_bytes_row(key, quick, through_bytes[key], flytekit))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return rows


def _bridge_time(lv: Any, repeat: int) -> float:
    """The best time of ``from_flyteidl(to_flyteidl(lv))`` (checked to give ``lv`` back)."""
    from typeflow_flyteidl import from_flyteidl, to_flyteidl

    assert from_flyteidl(to_flyteidl(lv)) == lv
    return best_of(lambda: from_flyteidl(to_flyteidl(lv)), repeat)


def _bytes_time(lv: Any, repeat: int) -> float:
    """The best time of ``from_bytes(to_bytes(lv))`` (checked to give ``lv`` back)."""
    from typeflow_flyteidl import from_bytes, to_bytes

    assert from_bytes(to_bytes(lv), "Literal") == lv
    return best_of(lambda: from_bytes(to_bytes(lv), "Literal"), repeat)


def _bytes_row(key: str, quick: bool, bytes_s: float, flytekit: dict[str, float]) -> list[Row]:
    """``to_bytes`` + ``from_bytes`` against flytekit's model↔protobuf step plus protobuf's serialize and parse."""
    theirs = flytekit.get(f"{key}:bytes")
    if theirs is None:
        return []
    return [
        Row(
            f"{wd.describe(key, quick)}: to_bytes + from_bytes (the .pb bytes)",
            bytes_s,
            "flytekit to_flyte_idl + SerializeToString + FromString + from_flyte_idl",
            theirs,
            None,
            f"typeflow {theirs / bytes_s:,.0f}x faster",
        )
    ]


def _floor_time(lv: Any, repeat: int) -> float:
    """The best time of protobuf's ``FromString`` + ``SerializeToString`` of the message ``to_flyteidl(lv)`` is."""
    from typeflow_flyteidl import to_bytes
    from typeflow_flyteidl.messages import message_class

    data = to_bytes(lv)
    parse = message_class("Literal").FromString
    return best_of(lambda: parse(data).SerializeToString(), repeat)


def _floor_row(key: str, quick: bool, floor_s: float, flytekit: dict[str, float]) -> list[Row]:
    """protobuf's own parse + serialize of the bridge's message, against flytekit's model↔protobuf step."""
    if key not in flytekit:
        return []
    return [
        Row(
            f"{wd.describe(key, quick)}: protobuf FromString + SerializeToString of the same message (floor)",
            floor_s,
            "flytekit to_flyte_idl + from_flyte_idl",
            flytekit[key],
            None,
            f"no bridge through a real message beats {flytekit[key] / floor_s:,.0f}x",
        )
    ]


def _bridge_row(key: str, quick: bool, bridge_s: float, flytekit: dict[str, float], target: float | None) -> list[Row]:
    """``to_flyteidl`` + ``from_flyteidl`` against flytekit's model↔protobuf step of the same value."""
    if key not in flytekit:
        return []
    speedup = flytekit[key] / bridge_s
    return [
        Row(
            f"{wd.describe(key, quick)}: to_flyteidl + from_flyteidl",
            bridge_s,
            "flytekit to_flyte_idl + from_flyte_idl",
            flytekit[key],
            target,
            f"typeflow {speedup:,.0f}x faster",
        )
    ]
