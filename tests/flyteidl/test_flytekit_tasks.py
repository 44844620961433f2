"""flytekit tasks with typeflow: inputs.pb written by typeflow, the example plugin's types without pickling, pyflyte-execute."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.type_engine import TypeEngine as FlyteTypeEngine
from flytekit.types.pickle.pickle import FlytePickleTransformer

import typeflow
from typeflow.literals import LiteralMap
from typeflow_flyteidl import from_flyteidl, read_literal_map, write_literal_map
from typeflow_flyteidl.bridge import TypeflowTransformer
from typeflow_flyteidl.flytekit_plugin import BRIDGED

from . import flyte_tasks

CHECKOUT = Path(__file__).resolve().parents[2]


def pyflyte_execute(task_name: str, inputs: LiteralMap, tmp_path: Path) -> LiteralMap:
    """Run ``task_name`` of :mod:`flyte_tasks` as a Flyte task pod does, and read its ``outputs.pb``."""
    write_literal_map(inputs, str(tmp_path / "inputs.pb"))
    command = [
        str(Path(sys.executable).with_name("pyflyte-execute")),
        "--inputs", str(tmp_path / "inputs.pb"),
        "--output-prefix", str(tmp_path / "outputs"),
        "--raw-output-data-prefix", str(tmp_path / "raw"),
        "--resolver", "flytekit.core.python_auto_container.default_task_resolver",
        "--", "task-module", flyte_tasks.__name__, "task-name", task_name,
    ]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(CHECKOUT))
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (tmp_path / "outputs" / "error.pb").exists(), done.stdout + done.stderr
    return read_literal_map(str(tmp_path / "outputs" / "outputs.pb"))


def typeflow_inputs(values: dict[str, Any], types: dict[str, Any]) -> LiteralMap:
    engine = typeflow.TypeEngine.default()
    return engine.dict_to_literal_map(engine.context(profile="flytekit-1.16"), values, types)


def test_flytekit_finds_typeflow_through_its_plugin_entry_point() -> None:
    names = {ep.name: ep.value for ep in metadata.entry_points(group="flytekit.plugins")}
    assert names.get("typeflow") == "typeflow_flyteidl.flytekit_plugin"
    assert BRIDGED[ipaddress.IPv4Address] == "ipaddress"


def test_pyflyte_execute_reads_typeflow_inputs_and_typeflow_reads_its_outputs(tmp_path: Path) -> None:
    inputs = typeflow_inputs(
        {"xs": list(range(10_000)), "weights": {"a": 0.25, "b": 0.5}, "label": "total"},
        {"xs": list[int], "weights": dict[str, float], "label": str},
    )
    outputs = pyflyte_execute("summarize", inputs, tmp_path)
    assert typeflow.LiteralsResolver(outputs).get("o0", as_type=dict[str, float]) == {"total": 49_995_000.0, "weight": 0.75}


def test_flytekit_converts_the_example_plugins_types_through_typeflow_not_pickle() -> None:
    transformer = FlyteTypeEngine.get_transformer(ipaddress.IPv4Address)
    assert isinstance(transformer, TypeflowTransformer)
    assert not isinstance(FlyteTypeEngine.get_transformer(ipaddress.IPv6Network), FlytePickleTransformer)
    ctx = FlyteContextManager.current_context()
    lit = FlyteTypeEngine.to_literal(
        ctx, ipaddress.IPv4Address("10.1.2.3"), ipaddress.IPv4Address, FlyteTypeEngine.to_literal_type(ipaddress.IPv4Address)
    )
    assert lit.scalar.primitive.string_value == "10.1.2.3"
    assert from_flyteidl(lit.to_flyte_idl()) == typeflow.to_literal(ipaddress.IPv4Address("10.1.2.3"), ipaddress.IPv4Address)
    assert FlyteTypeEngine.to_python_value(ctx, lit, ipaddress.IPv4Address) == ipaddress.IPv4Address("10.1.2.3")


def test_a_flytekit_task_uses_the_example_plugins_types_locally() -> None:
    out = flyte_tasks.next_address(address=ipaddress.IPv4Address("10.0.0.1"), network=ipaddress.IPv4Network("10.0.0.0/24"))
    assert out == [ipaddress.IPv4Address("10.0.0.2"), ipaddress.IPv4Address("10.0.0.0")]


def test_a_flytekit_task_uses_the_example_plugins_types_under_pyflyte_execute(tmp_path: Path) -> None:
    inputs = typeflow_inputs(
        {"address": ipaddress.IPv4Address("192.168.1.9"), "network": ipaddress.IPv4Network("192.168.1.0/24")},
        {"address": ipaddress.IPv4Address, "network": ipaddress.IPv4Network},
    )
    outputs = pyflyte_execute("next_address", inputs, tmp_path)
    o0 = outputs.literals["o0"]
    assert o0.collection is not None
    assert [x.scalar.primitive.string_value for x in o0.collection.literals] == ["192.168.1.10", "192.168.1.0"]  # type: ignore[union-attr]
    assert not list((tmp_path / "raw").rglob("*")) if (tmp_path / "raw").exists() else True  # nothing was pickled
    got = typeflow.LiteralsResolver(outputs).get("o0", as_type=list[ipaddress.IPv4Address])
    assert got == [ipaddress.IPv4Address("192.168.1.10"), ipaddress.IPv4Address("192.168.1.0")]


def test_flytekit_keeps_its_own_types() -> None:
    assert not isinstance(FlyteTypeEngine.get_transformer(np.ndarray), TypeflowTransformer)
    assert not isinstance(FlyteTypeEngine.get_transformer(int), TypeflowTransformer)
    assert not isinstance(FlyteTypeEngine.get_transformer(np.float64), TypeflowTransformer)  # a float to flytekit
    assert isinstance(FlyteTypeEngine.get_transformer(np.int64), TypeflowTransformer)  # flytekit would pickle it
