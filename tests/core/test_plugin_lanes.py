"""Plugins stay in their lane (typeflow.lanes): a real plugin wheel trying to reach outside its package.

``tf-rogue`` (entry point ``tfrogue``) always registers its own class and, as
``TF_ROGUE_MODE`` says, also: an override of ``int``, a transformer for another
package's class (``decimal.Decimal``), a predicate for every dataclass, a
predicate matching any class named ``Special``, a predicate that raises.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .dists import install, run_python, wheel


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = str(tmp_path_factory.mktemp("wheels"))
    return install([wheel("tf-rogue", out), wheel("tf-point", out), wheel("tf-point-plus", out)], tmp_path_factory.mktemp("site"))


def check(code: str, site: Path, **env: str) -> str:
    proc = run_python(code, site, **{"TYPEFLOW_ALLOW_OVERRIDES": "", **env})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def plugins_json(site: Path, **env: str) -> dict[str, dict[str, object]]:
    import os

    environ = {**os.environ, "PYTHONPATH": str(site), "TYPEFLOW_ALLOW_OVERRIDES": "", **env}
    proc = subprocess.run(
        [sys.executable, "-m", "typeflow", "plugins", "--load", "--json"],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )
    return {row["distribution"]: row for row in json.loads(proc.stdout)}


LOAD_ROGUE = """
import logging
import typeflow
from typeflow import TypeEngine
from typeflow.errors import PluginError
from tfrogue import Own
engine = TypeEngine()
ctx = engine.context()
def load():
    try:
        lv = engine.to_literal(ctx, Own("x"), Own)
    except PluginError as exc:
        return exc
    assert lv.scalar.primitive.string_value == "rogue:x"
    return None
"""


def test_a_plugin_overriding_int_is_refused_and_int_keeps_its_built_in_transformer(site: Path) -> None:
    out = check(
        LOAD_ROGUE
        + """
error = load()
assert error is not None, "the override was accepted"
assert error.distribution == "tf-rogue", error.distribution
print(error)
assert engine.to_literal(ctx, 3, int).scalar.primitive.integer == 3
assert engine.registry.overrides == []
assert isinstance(load(), PluginError)  # refused for good: its own class does not convert either (rolled back)
""",
        site,
        TF_ROGUE_MODE="int",
    )
    assert "'tfrogue' from tf-rogue 0.3.0" in out
    assert "over the built-in transformer for int" in out
    assert "its lane: tfrogue" in out
    assert "TYPEFLOW_ALLOW_OVERRIDES=tf-rogue" in out


def test_an_allowed_distribution_may_override_int_and_the_override_is_logged_and_listed(site: Path) -> None:
    out = check(
        LOAD_ROGUE
        + """
records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append(record)
logging.getLogger("typeflow.plugins").addHandler(Keep())
logging.getLogger("typeflow.plugins").setLevel(logging.INFO)
assert load() is None
assert engine.to_literal(ctx, 3, int).scalar.primitive.string_value == "rogue:3"
(override,) = engine.registry.overrides
assert override.python_type is int and override.outside_lane and override.replaced.source.plugin == "builtins"
print(override)
print([r.getMessage() for r in records if r.levelno == logging.INFO])
""",
        site,
        TF_ROGUE_MODE="int",
        TYPEFLOW_ALLOW_OVERRIDES="Tf_Rogue",  # distribution names compare as pip does
    )
    assert "int: 'RogueInt' from tfrogue (tf-rogue 0.3.0) overrides 'int' from builtins (typeflow )" in out
    assert "(outside its lane, allowed by TYPEFLOW_ALLOW_OVERRIDES)" in out
    assert "override: int: 'RogueInt'" in out
    rows = plugins_json(site, TF_ROGUE_MODE="int", TYPEFLOW_ALLOW_OVERRIDES="tf-rogue")
    assert rows["tf-rogue"]["status"] == "loaded"
    assert any("int: 'RogueInt'" in o for o in rows["tf-rogue"]["overrides"]), rows["tf-rogue"]  # type: ignore[union-attr]


def test_typeflow_plugins_reports_a_plugin_refused_for_leaving_its_lane_as_broken(site: Path) -> None:
    rows = plugins_json(site, TF_ROGUE_MODE="int")
    assert rows["tf-rogue"]["status"] == "broken"
    assert "TYPEFLOW_ALLOW_OVERRIDES=tf-rogue" in str(rows["tf-rogue"]["cause"])


def test_another_packages_class_is_outside_the_lane_even_when_nobody_claims_it(site: Path) -> None:
    out = check(
        LOAD_ROGUE
        + """
error = load()
print(error)
import decimal
from typeflow.errors import NoTransformerError
try:
    engine.get_transformer(decimal.Decimal)
except NoTransformerError:
    print("no transformer for Decimal")
""",
        site,
        TF_ROGUE_MODE="foreign",
    )
    assert "registers 'RogueDecimal' for decimal.Decimal, which is outside its lane" in out
    assert "no transformer for Decimal" in out
    allowed = check(
        LOAD_ROGUE
        + """
assert load() is None
import decimal
print(engine.to_literal(ctx, decimal.Decimal("1.5"), decimal.Decimal).scalar.primitive.string_value)
print(engine.registry.overrides[0])
""",
        site,
        TF_ROGUE_MODE="foreign",
        TYPEFLOW_ALLOW_OVERRIDES="tf-rogue",
    )
    assert "rogue:1.5" in allowed
    assert "Decimal: 'RogueDecimal' from tfrogue (tf-rogue 0.3.0) is registered (outside its lane" in allowed


def test_a_predicate_claiming_every_dataclass_is_refused(site: Path) -> None:
    code = (
        LOAD_ROGUE
        + """
import dataclasses
@dataclasses.dataclass
class Config:
    name: str = "a"
error = load()
print("error:", error)
lv = engine.to_literal(ctx, Config(), Config)
print("binary" if lv.scalar.binary is not None else lv.scalar.primitive.string_value)
print([str(o) for o in engine.registry.overrides])
"""
    )
    out = check(code, site, TF_ROGUE_MODE="dataclasses")
    assert "registers a predicate for 'RogueDataclass' that accepts a dataclass of another package" in out
    assert "it would be asked before the built-in families" in out
    assert "binary" in out  # the built-in dataclass transformer, untouched
    allowed = check(code, site, TF_ROGUE_MODE="dataclasses", TYPEFLOW_ALLOW_OVERRIDES="tf-rogue")
    assert "error: None" in allowed
    assert "rogue:" in allowed
    assert (
        "classes accepted by predicate is_dataclass: 'RogueDataclass' from tfrogue (tf-rogue 0.3.0) would be asked before"
        in allowed
    )


def test_a_narrow_predicate_is_asked_only_about_its_own_packages_types(site: Path) -> None:
    out = check(
        LOAD_ROGUE
        + """
from typeflow.errors import NoTransformerError
from tfrogue import Special
assert load() is None
print(engine.to_literal(ctx, Special("s"), Special).scalar.primitive.string_value)
class Mine:
    pass
Special = type("Special", (Mine,), {})  # a class of this program's own, named like the plugin's
try:
    print(engine.resolve(Special))
except NoTransformerError:
    print("not claimed")
""",
        site,
        TF_ROGUE_MODE="narrow",
    )
    assert "rogue:s" in out
    assert "not claimed" in out


def test_a_predicate_that_raises_for_a_built_in_type_is_refused(site: Path) -> None:
    out = check(LOAD_ROGUE + "\nprint(load())", site, TF_ROGUE_MODE="raising")
    assert "registers a predicate for 'RogueRaising' that raised AttributeError for int" in out


def test_a_plugin_replacing_another_plugins_type_inside_its_lane_is_allowed_and_listed(site: Path) -> None:
    out = check(
        """
        import typeflow
        from typeflow import TypeEngine
        from tfpoint import Point
        engine = TypeEngine()
        print(engine.get_transformer(Point).name)
        print([str(o) for o in engine.registry.overrides])
        """,
        site,
    )
    assert "PointAsText" in out
    assert "Point: 'PointAsText' from tfpoint (tf-point-plus 2.0.0) overrides 'Point' from tfpoint (tf-point 1.2.3)" in out


def test_your_own_register_may_override_a_built_in_and_is_listed(site: Path) -> None:
    out = check(
        """
        from typeflow import TypeEngine
        from tfrogue.plugin import Marked
        engine = TypeEngine()
        engine.register(Marked("MyInt", int), override=True)
        ctx = engine.context()
        print(engine.to_literal(ctx, 7, int).scalar.primitive.string_value)
        print(engine.registry.overrides[0])
        """,
        site,
    )
    assert "rogue:7" in out
    assert "int: 'MyInt' from user (<engine.register> ) overrides 'int' from builtins" in out
