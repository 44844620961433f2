"""typeflow-pydantic is found through its installed entry point, and only when a model shows up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from typeflow.testing import assert_entry_point_discoverable

PROBE = textwrap.dedent(
    """
    import json, sys
    import typeflow
    seen = {"after_import": sorted(m for m in ("pydantic", "typeflow_pydantic") if m in sys.modules)}
    engine = typeflow.TypeEngine()
    ctx = engine.context(storage=sys.argv[1])
    engine.to_python_value(ctx, engine.to_literal(ctx, {"a": 1.5}, dict[str, float]), dict[str, float])
    seen["after_builtins"] = sorted(m for m in ("pydantic", "typeflow_pydantic") if m in sys.modules)
    import pydantic
    class Point(pydantic.BaseModel):
        x: int
    seen["after_import_pydantic"] = sorted(m for m in ("typeflow_pydantic",) if m in sys.modules)
    back = engine.to_python_value(ctx, engine.to_literal(ctx, Point(x=1), Point), Point)
    seen["after_model"] = sorted(m for m in ("pydantic", "typeflow_pydantic") if m in sys.modules)
    seen["source"] = engine.resolve(Point).source.distribution
    seen["plugin_file"] = sys.modules["typeflow_pydantic"].__file__
    seen["equal"] = back == Point(x=1)
    print(json.dumps(seen))
    """
)


def test_entry_point_pydantic_is_declared_and_loads() -> None:
    entry = assert_entry_point_discoverable("typeflow-pydantic", "pydantic")
    assert entry.value == "typeflow_pydantic.plugin"


def test_import_typeflow_does_not_import_pydantic_and_a_model_loads_the_plugin(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TYPEFLOW_DISABLE_PLUGINS"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["after_import"] == []
    assert seen["after_builtins"] == []
    assert seen["after_import_pydantic"] == [], "importing pydantic alone must not load the plugin"
    assert seen["after_model"] == ["pydantic", "typeflow_pydantic"]
    assert seen["source"] == "typeflow-pydantic"
    assert seen["equal"] is True
    checkout = os.environ.get("TYPEFLOW_CHECKOUT")
    if checkout:  # the plugin must come from the installed wheel, not the source tree
        assert not Path(seen["plugin_file"]).resolve().is_relative_to(Path(checkout, "plugins").resolve())


def test_disabling_the_plugin_leaves_models_unclaimed(tmp_path: Path) -> None:
    code = (
        "import sys, pydantic, typeflow\n"
        "from typeflow.errors import NoTransformerError\n"
        "class P(pydantic.BaseModel):\n"
        "    x: int\n"
        "try:\n"
        "    typeflow.TypeEngine().get_transformer(P)\n"
        "    print('claimed')\n"
        "except NoTransformerError:\n"
        "    print('refused')\n"
        "print('loaded' if 'typeflow_pydantic' in sys.modules else 'not loaded')\n"
    )
    env = dict(os.environ, TYPEFLOW_DISABLE_PLUGINS="pydantic")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["refused", "not loaded"]
