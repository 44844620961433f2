"""Packed forms: every element kind against its raw codec, at 200k and 2M elements.

Round trip = to_literal → wire.dumps → wire.loads → to_python_value, against the raw codec
of the same data in the same run (msgpack ``packb`` + ``unpackb``; msgpack timestamps for
aware datetimes; mashumaro's msgpack codec where msgpack has no form for the element:
dates, timedeltas, enums, dataclasses). For each workload and size three rows: time, wire
size (typeflow's ``wire.dumps`` bytes over the raw codec's bytes) and peak memory
(tracemalloc's peak above the start of the round trip, the same measure for both sides,
taken in runs of their own so tracing does not slow the timed runs).

    python benchmarks/bench_packed.py --breakdown      # where typeflow's time goes, per step
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgpack
import workload_data as wd
from harness import Row, best_of_pair, peak_extra_memory

from typeflow import TypeEngine, wire

SIZES = (200_000, 2_000_000)
QUICK_SIZES = (20_000,)
MIB = 2**20

TIME_TARGET = {wd.LIST_OPT_REC: 2.5}  # dataclass rows; 3x otherwise
WIRE_TARGET = {wd.LIST_STR: 1.2, wd.LIST_BOOL: 1.2}  # 1.5x otherwise
MEMORY_TARGET = 2.0
MASHUMARO = {wd.LIST_DATE, wd.LIST_TIMEDELTA, wd.LIST_ENUM, wd.LIST_OPT_REC}


def raw_codec(key: str) -> tuple[str, Callable[[Any], bytes], Callable[[bytes], Any]]:
    """The raw library's encode and decode for a workload, and its label."""
    if key in MASHUMARO:
        from mashumaro.codecs.msgpack import MessagePackDecoder, MessagePackEncoder

        t = wd.packed_type(key)
        return "mashumaro msgpack encode+decode", MessagePackEncoder(t).encode, MessagePackDecoder(t).decode
    if key == wd.LIST_DATETIME:
        return (
            "msgpack timestamps packb+unpackb",
            lambda v: msgpack.packb(v, datetime=True),
            lambda b: msgpack.unpackb(b, timestamp=3),
        )
    return "msgpack packb+unpackb", msgpack.packb, msgpack.unpackb


def _roundtrip(engine: TypeEngine, ctx: Any, value: Any, t: Any) -> Any:
    lv = engine.to_literal(ctx, value, t)
    data = wire.dumps(lv)
    del lv  # as a process that sends the bytes would
    back = wire.loads(data)
    del data
    return engine.to_python_value(ctx, back, t)


def measure(key: str, n: int, repeat: int) -> list[Row]:
    engine = TypeEngine()
    ctx = engine.context()
    t = wd.packed_type(key)
    value = wd.packed_value(key, n)
    label = wd.packed_label(key, n)
    codec_label, encode, decode = raw_codec(key)
    if _roundtrip(engine, ctx, value, t) != value:
        raise AssertionError(f"typeflow round trip of {label} did not give back equal data")
    if decode(encode(value)) != value:
        raise AssertionError(f"{codec_label} round trip of {label} did not give back equal data")
    typeflow_bytes = len(wire.dumps(engine.to_literal(ctx, value, t)))
    raw_bytes = len(encode(value))
    typeflow_s, raw_s = best_of_pair(lambda: _roundtrip(engine, ctx, value, t), lambda: decode(encode(value)), repeat)
    typeflow_peak = peak_extra_memory(lambda: _roundtrip(engine, ctx, value, t))
    raw_peak = peak_extra_memory(lambda: decode(encode(value)))
    return [
        Row(label, typeflow_s, codec_label, raw_s, TIME_TARGET.get(key, 3.0)),
        Row(
            f"{label}: wire size",
            typeflow_bytes / MIB,
            f"{codec_label.split(' encode')[0].split(' packb')[0]} bytes",
            raw_bytes / MIB,
            WIRE_TARGET.get(key, 1.5),
            unit="MiB",
        ),
        Row(f"{label}: peak memory", typeflow_peak / MIB, f"{codec_label} peak", raw_peak / MIB, MEMORY_TARGET, unit="MiB"),
    ]


def run(quick: bool, keys: tuple[str, ...] = wd.PACKED_WORKLOADS, sizes: tuple[int, ...] | None = None) -> list[Row]:
    rows = []
    for n in sizes or (QUICK_SIZES if quick else SIZES):
        for key in keys:
            print(f"bench_packed: {key} at {n:,}", file=sys.stderr)
            rows.extend(measure(key, n, repeat=3 if n >= 1_000_000 else 5))
    return rows


def breakdown(key: str, n: int) -> None:
    """Print how long each step of typeflow's round trip takes (best of 3)."""
    engine = TypeEngine()
    ctx = engine.context()
    t = wd.packed_type(key)
    value = wd.packed_value(key, n)
    _, encode, decode = raw_codec(key)
    lv = engine.to_literal(ctx, value, t)
    data = wire.dumps(lv)
    back = wire.loads(data)
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("to_literal", lambda: engine.to_literal(ctx, value, t)),
        ("wire.dumps", lambda: wire.dumps(lv)),
        ("wire.loads", lambda: wire.loads(data)),
        ("to_python_value", lambda: engine.to_python_value(ctx, back, t)),
        ("raw encode", lambda: encode(value)),
        ("raw decode", lambda: decode(encode(value))),
    ]
    cells = []
    for name, fn in steps:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
        cells.append(f"{name} {best * 1e3:.1f} ms")
    print(f"{wd.packed_label(key, n)}: " + ", ".join(cells))


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--breakdown", action="store_true", help="time each step of typeflow's round trip")
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--only", nargs="*", default=list(wd.PACKED_WORKLOADS), choices=wd.PACKED_WORKLOADS)
    args = parser.parse_args()
    if args.breakdown:
        for key in args.only:
            breakdown(key, args.size)
        return 0
    from run import table

    print(table(run(False, tuple(args.only), (args.size,))))
    return 0


if __name__ == "__main__":
    assert dt  # datetime is used by the workload types
    sys.exit(main())
