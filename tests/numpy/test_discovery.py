"""typeflow-numpy is found through its installed entry point, and only when a numpy type shows up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

PROBE = textwrap.dedent(
    """
    import json, sys
    import typeflow
    seen = {"after_import": sorted(m for m in ("numpy", "typeflow_numpy") if m in sys.modules)}
    engine = typeflow.TypeEngine()
    ctx = engine.context(storage=sys.argv[1])
    engine.to_python_value(ctx, engine.to_literal(ctx, [1, 2], list[int]), list[int])
    seen["after_builtin_conversion"] = sorted(m for m in ("numpy", "typeflow_numpy") if m in sys.modules)
    import numpy as np
    seen["after_import_numpy"] = sorted(m for m in ("typeflow_numpy",) if m in sys.modules)
    lv = engine.to_literal(ctx, np.arange(4.0), np.ndarray)
    back = engine.to_python_value(ctx, lv, np.ndarray)
    seen["after_array"] = sorted(m for m in ("numpy", "typeflow_numpy") if m in sys.modules)
    resolution = engine.resolve(np.ndarray)
    seen["source"] = [resolution.source.plugin, resolution.source.distribution]
    seen["step"] = resolution.step
    seen["plugin_file"] = sys.modules["typeflow_numpy"].__file__
    seen["equal"] = back.tolist() == [0.0, 1.0, 2.0, 3.0]
    print(json.dumps(seen))
    """
)


def test_entry_point_numpy_is_declared_in_installed_metadata() -> None:
    found = [ep for ep in metadata.entry_points(group="typeflow.plugins") if ep.name == "numpy"]
    assert [ep.value for ep in found] == ["typeflow_numpy.plugin"]
    assert found[0].dist is not None and found[0].dist.metadata["Name"] == "typeflow-numpy"


def test_import_typeflow_alone_does_not_import_numpy_and_an_array_loads_the_plugin(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TYPEFLOW_DISABLE_PLUGINS"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["after_import"] == []
    assert seen["after_builtin_conversion"] == []
    assert seen["after_import_numpy"] == [], "importing numpy alone must not load the plugin"
    assert seen["after_array"] == ["numpy", "typeflow_numpy"]
    assert seen["source"] == ["numpy", "typeflow-numpy"]
    assert "after loading plugin" in seen["step"]
    assert seen["equal"] is True
    checkout = os.environ.get("TYPEFLOW_CHECKOUT")
    if checkout:  # the plugin must come from the installed wheel, not the source tree
        assert not Path(seen["plugin_file"]).resolve().is_relative_to(Path(checkout, "plugins").resolve())


def test_disabling_the_plugin_by_name_leaves_ndarray_unclaimed(tmp_path: Path) -> None:
    code = (
        "import sys, numpy as np, typeflow\n"
        "from typeflow.errors import NoTransformerError\n"
        "try:\n"
        "    typeflow.TypeEngine().get_transformer(np.ndarray)\n"
        "except NoTransformerError as exc:\n"
        "    print('refused:', exc)\n"
        "print('loaded' if 'typeflow_numpy' in sys.modules else 'not loaded')\n"
    )
    env = dict(os.environ, TYPEFLOW_DISABLE_PLUGINS="numpy")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "not loaded"
