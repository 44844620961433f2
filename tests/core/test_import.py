"""`import typeflow` stays light: no plugin, no heavy library."""

from __future__ import annotations

import json

from .dists import run_python

HEAVY = [
    *("numpy", "pandas", "pyarrow", "cloudpickle", "fsspec", "mashumaro", "asyncio", "tqdm"),
    *("pydantic", "google", "polars", "flyteidl"),  # heavy plugins' libraries (google: protobuf)
]


def test_import_typeflow_loads_no_plugin_and_no_heavy_library() -> None:
    proc = run_python(
        """
        import json, sys
        import typeflow
        from typeflow import TypeEngine, TypeTransformer, hookimpl, wire
        from typeflow.literals import Literal
        print(json.dumps(sorted(sys.modules)))
        """,
        None,
    )
    assert proc.returncode == 0, proc.stderr
    modules = set(json.loads(proc.stdout))
    loaded = [m for m in HEAVY if m in modules]
    assert loaded == [], f"import typeflow loaded {loaded}"
    plugins = [m for m in modules if m.startswith(("typeflow_", "typeflow.builtins"))]
    assert plugins == [], plugins


def test_converting_builtins_still_loads_no_heavy_library() -> None:
    proc = run_python(
        """
        import json, sys, tempfile
        import typeflow
        ctx = typeflow.TypeEngine.default().context(storage=tempfile.mkdtemp())
        lv = typeflow.to_literal({"a": [1, 2]}, dict[str, list[int]], ctx)
        typeflow.wire.loads(typeflow.wire.dumps(lv))
        print(json.dumps(sorted(sys.modules)))
        """,
        None,
    )
    assert proc.returncode == 0, proc.stderr
    modules = set(json.loads(proc.stdout))
    assert [m for m in ("numpy", "pandas", "pyarrow", "cloudpickle", "fsspec", "tqdm") if m in modules] == []


def test_bare_import_typeflow_defers_storage_and_its_stdlib_modules() -> None:
    # `import typeflow` is what a CLI, a task module or a plugin pays at start (the import benchmark);
    # storage, confinement and deadlines, and the stdlib modules they need, load with the first context
    proc = run_python(
        """
        import json, sys
        import typeflow
        print(json.dumps(sorted(sys.modules)))
        """,
        None,
    )
    assert proc.returncode == 0, proc.stderr
    modules = set(json.loads(proc.stdout))
    deferred = ["typeflow.storage", "typeflow.confine", "typeflow._partial", "typeflow.deadlines", "typeflow.engine"]
    deferred += ["dataclasses", "inspect", "logging", "uuid", "shutil"]
    assert [m for m in deferred if m in modules] == []
