"""typeflow-protobuf is found through its installed entry point, and only when a message shows up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from typeflow.testing import assert_entry_point_discoverable

from .samples import SAMPLE_PKGS

PROBE = textwrap.dedent(
    """
    import json, sys
    import typeflow
    watched = ("google.protobuf", "typeflow_protobuf")
    seen = {"after_import": sorted(m for m in watched if m in sys.modules)}
    engine = typeflow.TypeEngine()
    ctx = engine.context(storage=sys.argv[1])
    engine.to_python_value(ctx, engine.to_literal(ctx, [1, 2], list[int]), list[int])
    seen["after_builtins"] = sorted(m for m in watched if m in sys.modules)
    from tfsample import orders_pb2
    seen["after_import_messages"] = sorted(m for m in ("typeflow_protobuf",) if m in sys.modules)
    msg = orders_pb2.Order(id="x")
    back = engine.to_python_value(ctx, engine.to_literal(ctx, msg, orders_pb2.Order), orders_pb2.Order)
    seen["after_message"] = sorted(m for m in watched if m in sys.modules)
    seen["source"] = engine.resolve(orders_pb2.Order).source.distribution
    seen["plugin_file"] = sys.modules["typeflow_protobuf"].__file__
    seen["equal"] = back == msg
    print(json.dumps(seen))
    """
)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TYPEFLOW_DISABLE_PLUGINS"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SAMPLE_PKGS), env.get("PYTHONPATH", "")]))
    return {**env, **extra}


def test_entry_point_google_is_declared_and_loads() -> None:
    entry = assert_entry_point_discoverable("typeflow-protobuf", "google")
    assert entry.value == "typeflow_protobuf.plugin"


def test_import_typeflow_does_not_import_protobuf_and_a_users_message_loads_the_plugin(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)], capture_output=True, text=True, env=_env(), cwd=tmp_path, timeout=120
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["after_import"] == []
    assert seen["after_builtins"] == []
    assert seen["after_import_messages"] == [], "importing generated messages alone must not load the plugin"
    assert seen["after_message"] == ["google.protobuf", "typeflow_protobuf"]
    assert seen["source"] == "typeflow-protobuf"
    assert seen["equal"] is True
    checkout = os.environ.get("TYPEFLOW_CHECKOUT")
    if checkout:  # the plugin must come from the installed wheel, not the source tree
        assert not Path(seen["plugin_file"]).resolve().is_relative_to(Path(checkout, "plugins").resolve())


def test_disabling_the_plugin_leaves_messages_unclaimed(tmp_path: Path) -> None:
    code = (
        "import sys, typeflow\n"
        "from typeflow.errors import NoTransformerError\n"
        "from tfsample import orders_pb2\n"
        "try:\n"
        "    typeflow.TypeEngine().get_transformer(orders_pb2.Order)\n"
        "    print('claimed')\n"
        "except NoTransformerError:\n"
        "    print('refused')\n"
        "print('loaded' if 'typeflow_protobuf' in sys.modules else 'not loaded')\n"
    )
    env = _env(TYPEFLOW_DISABLE_PLUGINS="google")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["refused", "not loaded"]
