"""Core workloads: import cost, dispatch, plugin discovery, and large built-in values.

Round trip = to_literal → wire.dumps → wire.loads → to_python_value.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import timeit
from pathlib import Path

import msgpack
from harness import Row, best_of_pair, python_import_time
from workload_data import Rec, core_values

import typeflow
from typeflow import TypeEngine, wire


def _roundtrip(engine: TypeEngine, value: object, t: object) -> object:
    ctx = engine.context()
    lv = engine.to_literal(ctx, value, t)
    return engine.to_python_value(ctx, wire.loads(wire.dumps(lv)), t)


def import_rows() -> list[Row]:
    bare = python_import_time("pass")
    with_typeflow = python_import_time("import typeflow")
    overhead = with_typeflow - bare
    return [
        Row(
            "import typeflow (overhead over a bare interpreter)", overhead, "50 ms budget", 0.050, 1.0, f"{overhead * 1e3:.1f} ms"
        ),
    ]


def dispatch_rows() -> list[Row]:
    engine = TypeEngine()
    for t in (int, list[int], dict[str, float], Rec):
        engine.get_transformer(t)
    n = 1_000_000
    per_call = min(timeit.repeat(lambda: engine.get_transformer(list[int]), number=n, repeat=5)) / n
    per_call_cls = min(timeit.repeat(lambda: engine.get_transformer(Rec), number=n, repeat=5)) / n
    return [
        Row("cached get_transformer(list[int]) per call", per_call, "1 µs budget", 1e-6, 1.0, f"{per_call * 1e9:.0f} ns"),
        Row("cached get_transformer(dataclass) per call", per_call_cls, "1 µs budget", 1e-6, 1.0, f"{per_call_cls * 1e9:.0f} ns"),
    ]


def plugin_load_rows() -> list[Row]:
    """First conversion that loads a plugin, with 100 distributions installed beside it."""
    root = Path(tempfile.mkdtemp(prefix="typeflow-bench-site-"))
    try:
        site = root / "site"
        site.mkdir()
        for i in range(99):
            info = site / f"filler_{i}-1.0.dist-info"
            info.mkdir()
            (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: filler-{i}\nVersion: 1.0\n")
            (info / "entry_points.txt").write_text(f"[console_scripts]\nfiller{i} = filler_{i}:main\n")
        pkg = site / "benchpoint"
        pkg.mkdir()
        (pkg / "__init__.py").write_text("class Point:\n    def __init__(self, x):\n        self.x = x\n")
        (pkg / "plugin.py").write_text(
            textwrap.dedent(
                """
                from typeflow import TypeTransformer, hookimpl
                from typeflow.literals import Literal, LiteralType, Primitive, Scalar, SimpleType
                from benchpoint import Point

                class PointTransformer(TypeTransformer):
                    def __init__(self):
                        super().__init__("Point", Point)
                    def get_literal_type(self, t):
                        return LiteralType(simple=SimpleType.INTEGER)
                    def to_literal(self, ctx, v, t, expected):
                        return Literal(scalar=Scalar(primitive=Primitive(integer=v.x)))
                    def to_python_value(self, ctx, lv, t):
                        return Point(lv.scalar.primitive.integer)

                @hookimpl
                def typeflow_register_transformers(registry):
                    registry.register(PointTransformer())
                """
            )
        )
        info = site / "benchpoint-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: benchpoint\nVersion: 1.0\nRequires-Dist: typeflow\n")
        (info / "entry_points.txt").write_text("[typeflow.plugins]\nbenchpoint = benchpoint.plugin\n")
        code = textwrap.dedent(
            """
            import time, typeflow
            from benchpoint import Point
            engine = typeflow.TypeEngine()
            start = time.perf_counter()
            engine.get_transformer(Point)
            print(time.perf_counter() - start)
            """
        )
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))
        times = [
            float(subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout)
            for _ in range(5)
        ]
        count = sum(1 for _ in __import__("importlib.metadata").metadata.distributions(path=[str(site)]))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    first = min(times)
    return [
        Row(
            f"first plugin load, {count} extra distributions installed", first, "(absolute)", first, None, f"{first * 1e3:.1f} ms"
        )
    ]


def value_rows(quick: bool) -> list[Row]:
    engine = TypeEngine()
    ints, floats, recs = core_values(quick)
    n_ints, n_map, n_recs = len(ints), len(floats), len(recs)
    assert _roundtrip(engine, ints, list[int]) == ints
    assert _roundtrip(engine, floats, dict[str, float]) == floats
    assert _roundtrip(engine, recs, list[Rec]) == recs

    from mashumaro.codecs.msgpack import MessagePackDecoder, MessagePackEncoder

    encoder, decoder = MessagePackEncoder(list[Rec]), MessagePackDecoder(list[Rec])
    pairs = [
        (
            f"List[int], {n_ints:,} items",
            lambda: _roundtrip(engine, ints, list[int]),
            "msgpack packb+unpackb",
            lambda: msgpack.unpackb(msgpack.packb(ints)),
            3.0,
        ),
        (
            f"Dict[str, float], {n_map:,} entries",
            lambda: _roundtrip(engine, floats, dict[str, float]),
            "msgpack packb+unpackb",
            lambda: msgpack.unpackb(msgpack.packb(floats)),
            3.0,
        ),
        (
            f"List[Rec], {n_recs:,} dataclasses",
            lambda: _roundtrip(engine, recs, list[Rec]),
            "mashumaro msgpack encode+decode",
            lambda: decoder.decode(encoder.encode(recs)),
            2.5,
        ),
    ]
    rows = []
    for label, fn, baseline_label, baseline, target in pairs:
        typeflow_s, baseline_s = best_of_pair(fn, baseline)
        rows.append(Row(label, typeflow_s, baseline_label, baseline_s, target))
    return rows


def run(quick: bool) -> list[Row]:
    assert typeflow.__version__
    return import_rows() + dispatch_rows() + plugin_load_rows() + value_rows(quick)
