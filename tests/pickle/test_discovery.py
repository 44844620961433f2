"""typeflow-pickle is found through its installed entry point, and loads only when a type nothing claims shows up."""

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
    watched = ("typeflow_pickle", "cloudpickle")
    seen = {"after_import": sorted(m for m in watched if m in sys.modules)}
    engine = typeflow.TypeEngine()
    ctx = engine.context(storage=sys.argv[1])
    engine.to_python_value(ctx, engine.to_literal(ctx, [1, 2], list[int]), list[int])
    seen["after_builtin_conversion"] = sorted(m for m in watched if m in sys.modules)

    class People:
        def __init__(self, name):
            self.name = name

    lv = engine.to_literal(ctx, People("Foo"), People)
    seen["after_unknown_type"] = sorted(m for m in watched if m in sys.modules)
    seen["name"] = engine.to_python_value(ctx, lv, People).name
    resolution = engine.resolve(People)
    seen["step"] = resolution.step
    seen["source"] = str(resolution.source)
    seen["plugin_file"] = sys.modules["typeflow_pickle"].__file__
    print(json.dumps(seen))
    """
)


def _env(**changes: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TYPEFLOW_DISABLE_PLUGINS", "TYPEFLOW_TRACE")}
    env.update(changes)
    return env


def test_entry_point_pickle_is_declared_in_the_fallbacks_group_of_installed_metadata() -> None:
    found = [ep for ep in metadata.entry_points(group="typeflow.fallbacks") if ep.name == "pickle"]
    assert [ep.value for ep in found] == ["typeflow_pickle.plugin"]
    assert found[0].dist is not None and found[0].dist.metadata["Name"] == "typeflow-pickle"
    assert not [ep for ep in metadata.entry_points(group="typeflow.plugins") if ep.value.startswith("typeflow_pickle")]


def test_import_typeflow_loads_no_pickle_and_an_unknown_type_loads_the_fallback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)], capture_output=True, text=True, env=_env(), cwd=tmp_path, timeout=120
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["after_import"] == []
    assert seen["after_builtin_conversion"] == []
    assert seen["after_unknown_type"] == ["cloudpickle", "typeflow_pickle"]
    assert seen["name"] == "Foo"
    assert seen["step"] == "fallback"
    assert "typeflow-pickle" in seen["source"]
    assert "no transformer claims __main__.People" in result.stderr  # the once-per-type warning
    checkout = os.environ.get("TYPEFLOW_CHECKOUT")
    if checkout:  # the plugin must come from the installed wheel, not the source tree
        assert not Path(seen["plugin_file"]).resolve().is_relative_to(Path(checkout, "plugins").resolve())


def test_importing_typeflow_pickle_loads_neither_cloudpickle_nor_the_engine(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from typeflow_pickle import BatchSize\n"
        "print(sorted(m for m in ('cloudpickle', 'typeflow.engine', 'typeflow_pickle.transformer') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_without_the_plugin_an_unknown_type_raises_no_transformer_error_naming_the_package(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import sys, typeflow
        from typeflow.errors import NoTransformerError

        class People:
            pass

        try:
            typeflow.TypeEngine().get_transformer(People)
        except NoTransformerError as exc:
            print("refused:", exc)
        print("loaded" if "typeflow_pickle" in sys.modules else "not loaded")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=_env(TYPEFLOW_DISABLE_PLUGINS="pickle"),
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    refused, loaded = result.stdout.strip().splitlines()
    assert refused.startswith("refused: no transformer for type __main__.People")
    assert "typeflow-pickle" in refused and "TYPEFLOW_DISABLE_PLUGINS" in refused
    assert loaded == "not loaded"
