"""Packed forms: every element kind against its raw codec, at 200k and 2M elements.

Round trip = to_literal → wire.dumps → wire.loads → to_python_value, against the raw codec
of the same data in the same run (msgpack ``packb`` + ``unpackb``; msgpack timestamps for
aware datetimes; mashumaro's msgpack codec where msgpack has no form for the element:
dates, timedeltas, enums, dataclasses). For each workload and size three rows: time, wire
size (typeflow's ``wire.dumps`` bytes over the raw codec's bytes) and peak memory
(tracemalloc's peak above the start of the round trip, the same measure for both sides,
taken in runs of their own so tracing does not slow the timed runs).

Mismatch rows (``MISMATCHES``) write one element type and read the literal as another
that takes it (an ``Optional[int]`` column read as ``Optional[float]``): the read converts
each stored variant's column in bulk. msgpack gives the values back as written, so their
raw side is msgpack's round trip followed by the list comprehension that converts them to
the declared type; the note gives the ratio to the round trip alone.

    python benchmarks/bench_packed.py --breakdown      # where typeflow's time goes, per step
    python benchmarks/bench_packed.py --mismatch       # only the mismatch rows
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional, Union

import msgpack
import workload_data as wd
from harness import Row, best_of, best_of_pair, peak_extra_memory

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


def _floats(values: list[Any]) -> list[Any]:
    return [None if v is None else float(v) for v in values]


def _str_or_float(values: list[Any]) -> list[Any]:
    return [v if type(v) is str else float(v) for v in values]


def _ints(values: list[Any]) -> list[Any]:
    return [None if v is None else int(v) for v in values]


#: stored element type, declared element type, the values' workload, label, and how a msgpack user
#: converts what msgpack gives back (the values as written) to the declared type
MISMATCHES: dict[str, tuple[Any, Any, str, str, Callable[[list[Any]], list[Any]]]] = {
    "opt_int_as_opt_float": (
        typing.List[Optional[int]],
        typing.List[Optional[float]],
        wd.LIST_OPT_INT,
        "List[Optional[int]] read as List[Optional[float]], {n:,} items (10% None)",
        _floats,
    ),
    "int_as_opt_float": (
        typing.List[int],
        typing.List[Optional[float]],
        wd.LIST_INT,
        "List[int] read as List[Optional[float]], {n:,} items",
        _floats,
    ),
    "union_int_str_as_str_float": (
        typing.List[Union[int, str]],
        typing.List[Union[str, float]],
        wd.LIST_UNION_INT_STR,
        "List[Union[int, str]] read as List[Union[str, float]], {n:,} items",
        _str_or_float,
    ),
    "opt_float_as_opt_int": (
        typing.List[Optional[float]],
        typing.List[Optional[int]],
        "whole_floats",
        "List[Optional[float]] (whole numbers) read as List[Optional[int]], {n:,} items (10% None)",
        _ints,
    ),
}


def mismatch_value(key: str, n: int) -> Any:
    source = MISMATCHES[key][2]
    if source == wd.LIST_INT:
        return wd.make_ints(random.Random(wd.SEED), n)
    if source == "whole_floats":
        return [None if v is None else float(v % 2**40) for v in wd.packed_value(wd.LIST_OPT_INT, n)]
    return wd.packed_value(source, n)


def _roundtrip(engine: TypeEngine, ctx: Any, value: Any, t: Any, read_as: Any = None) -> Any:
    lv = engine.to_literal(ctx, value, t)
    data = wire.dumps(lv)
    del lv  # as a process that sends the bytes would
    back = wire.loads(data)
    del data
    return engine.to_python_value(ctx, back, t if read_as is None else read_as)


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


def measure_mismatch(key: str, n: int, repeat: int) -> list[Row]:
    engine = TypeEngine()
    ctx = engine.context()
    stored, declared, _, label, convert = MISMATCHES[key]
    label = label.format(n=n)
    value = mismatch_value(key, n)
    back = _roundtrip(engine, ctx, value, stored, declared)
    expected = engine.to_python_value(ctx, engine.to_literal(engine.context(packed=False), value, stored), declared)
    raw_back = convert(msgpack.unpackb(msgpack.packb(value)))
    if not back == expected == raw_back or [type(v) for v in back] != [type(v) for v in raw_back]:
        raise AssertionError(f"typeflow's read of {label} differs from the expanded literal's or msgpack's")

    def raw() -> Any:
        return convert(msgpack.unpackb(msgpack.packb(value)))

    typeflow_s, raw_s = best_of_pair(lambda: _roundtrip(engine, ctx, value, stored, declared), raw, repeat)
    plain_s = best_of(lambda: msgpack.unpackb(msgpack.packb(value)), repeat)
    typeflow_peak = peak_extra_memory(lambda: _roundtrip(engine, ctx, value, stored, declared))
    raw_peak = peak_extra_memory(raw)
    codec = "msgpack packb+unpackb, then converted"
    note = f"{typeflow_s / plain_s:.2f}x msgpack's round trip without the conversion"
    return [
        Row(label, typeflow_s, codec, raw_s, 3.0, note=note),
        Row(f"{label}: peak memory", typeflow_peak / MIB, f"{codec} peak", raw_peak / MIB, MEMORY_TARGET, unit="MiB"),
    ]


def run(
    quick: bool,
    keys: tuple[str, ...] = wd.PACKED_WORKLOADS,
    sizes: tuple[int, ...] | None = None,
    mismatches: tuple[str, ...] = tuple(MISMATCHES),
) -> list[Row]:
    rows = []
    for n in sizes or (QUICK_SIZES if quick else SIZES):
        for key in keys:
            print(f"bench_packed: {key} at {n:,}", file=sys.stderr)
            rows.extend(measure(key, n, repeat=3 if n >= 1_000_000 else 5))
        for key in mismatches:
            print(f"bench_packed: {key} at {n:,}", file=sys.stderr)
            rows.extend(measure_mismatch(key, n, repeat=3 if n >= 1_000_000 else 5))
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
    parser.add_argument("--only", nargs="*", default=None, choices=wd.PACKED_WORKLOADS)
    parser.add_argument("--mismatch", nargs="*", default=None, choices=list(MISMATCHES), help="mismatch rows (all if none named)")
    args = parser.parse_args()
    if args.only is None:
        args.only = [] if args.mismatch is not None else list(wd.PACKED_WORKLOADS)
    if args.mismatch is None:
        args.mismatch = [] if args.only else list(MISMATCHES)
    elif not args.mismatch:
        args.mismatch = list(MISMATCHES)
    if args.breakdown:
        for key in args.only:
            breakdown(key, args.size)
        return 0
    from run import table

    print(table(run(False, tuple(args.only), (args.size,), tuple(args.mismatch))))
    return 0


if __name__ == "__main__":
    assert dt  # datetime is used by the workload types
    sys.exit(main())
