"""Plugins installed as real wheels, found through their entry points."""

from __future__ import annotations

from pathlib import Path

import pytest

from .dists import install, run_python, wheel


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = str(tmp_path_factory.mktemp("wheels"))
    names = ["tf-point", "tf-broken", "tf-badhook", "tf-shared-a", "tf-shared-b", "tf-future"]
    return {name: wheel(name, out) for name in names}


@pytest.fixture(scope="session")
def site(wheels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every test plugin installed into one folder."""
    return install(list(wheels.values()), tmp_path_factory.mktemp("site"))


def check(code: str, site: Path, **env: str) -> str:
    proc = run_python(code, site, **env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_plugin_module_is_imported_only_when_its_type_is_first_converted(site: Path, tmp_path: Path) -> None:
    out = check(
        f"""
        import sys
        import typeflow
        from typeflow import TypeEngine
        assert "tfpoint.plugin" not in sys.modules
        engine = TypeEngine()
        ctx = engine.context(storage={str(tmp_path)!r})
        engine.to_literal(ctx, 3, int)
        assert "tfpoint.plugin" not in sys.modules, "an unrelated conversion loaded the plugin"
        from tfpoint import Point
        lv = engine.to_literal(ctx, Point(1, 2), Point)
        assert "tfpoint.plugin" in sys.modules
        assert engine.to_python_value(ctx, lv, Point) == Point(1, 2)
        print(lv.scalar.primitive.string_value, engine.resolve(Point).source)
        """,
        site,
    )
    assert out.split()[0] == "1,2"
    assert "tf-point" in out and "1.2.3" in out


def test_third_party_plugin_written_from_the_design_works_unchanged(site: Path) -> None:
    out = check(
        """
        import typeflow
        from tfpoint import Point, Point3
        lv = typeflow.to_literal(Point(4, 5), Point)
        print(typeflow.to_literal_type(Point).simple.name, typeflow.to_python_value(lv, Point).x)
        # a subclass resolves through the MRO after its base's plugin is found by name
        print(typeflow.TypeEngine.default().resolve(Point3).step)
        """,
        site,
    )
    first, second = out.splitlines()
    assert first == "STRING 4"
    assert "base class Point" in second


def test_broken_plugin_raises_plugin_error_naming_distribution_and_others_keep_working(site: Path) -> None:
    out = check(
        """
        import typeflow
        from typeflow.errors import PluginError
        from tfbroken import Thing
        from tfpoint import Point
        try:
            typeflow.to_literal(Thing(), Thing)
        except PluginError as exc:
            print("ERR", exc.distribution, exc.version, "|", exc)
        assert typeflow.to_python_value(typeflow.to_literal([1, 2], list[int]), list[int]) == [1, 2]
        assert typeflow.to_python_value(typeflow.to_literal(Point(1, 1), Point), Point) == Point(1, 1)
        try:  # the same error again, not a different one, on the next attempt
            typeflow.to_literal(Thing(), Thing)
        except PluginError as exc:
            print("AGAIN", exc.distribution)
        """,
        site,
    )
    assert "ERR tf-broken 0.0.1 |" in out
    assert "tfbroken needs a library that is not installed" in out
    assert "AGAIN tf-broken" in out


def test_hook_with_wrong_signature_is_a_plugin_error(site: Path) -> None:
    out = check(
        """
        import typeflow
        from typeflow.errors import PluginError
        from tfbadhook import Gadget
        try:
            typeflow.to_literal(Gadget(), Gadget)
        except PluginError as exc:
            print(exc.distribution, "|", exc)
        print(typeflow.to_python_value(typeflow.to_literal("ok", str), str))
        """,
        site,
    )
    assert out.startswith("tf-badhook |")
    assert "extra_argument" in out
    assert out.strip().endswith("ok")


def test_two_distributions_claiming_one_type_is_a_plugin_error_naming_both(site: Path) -> None:
    out = check(
        """
        import typeflow
        from typeflow.errors import PluginError
        from tfshared import OnlyA, Shared
        for attempt in range(2):
            try:
                typeflow.to_literal(Shared(), Shared)
            except PluginError as exc:
                print("ERR", exc)
        print("ONLY-A", typeflow.TypeEngine.default().get_transformer(OnlyA).name)
        """,
        site,
    )
    errors = [line for line in out.splitlines() if line.startswith("ERR")]
    assert len(errors) == 2
    assert "tf-shared-a" in errors[0] and "tf-shared-b" in errors[0]
    assert "ONLY-A only-a" in out


def test_plugin_requiring_an_incompatible_core_is_refused_before_import(site: Path) -> None:
    out = check(
        """
        import sys
        import typeflow
        from typeflow.errors import PluginError
        from tffuture import Future
        try:
            typeflow.to_literal(Future(), Future)
        except PluginError as exc:
            print(exc.distribution, "|", exc)
        print("imported" if "tffuture.plugin" in sys.modules else "not imported")
        """,
        site,
    )
    assert out.startswith("tf-future |")
    assert "typeflow>=99" in out
    assert "not imported" in out


def test_disabled_plugin_is_skipped_and_the_type_has_no_transformer(site: Path) -> None:
    out = check(
        """
        import sys
        import typeflow
        from typeflow.errors import NoTransformerError
        from tfpoint import Point
        try:
            typeflow.to_literal(Point(1, 2), Point)
        except NoTransformerError as exc:
            print("NOTRANSFORMER", exc)
        print("tfpoint.plugin" in sys.modules)
        """,
        site,
        TYPEFLOW_DISABLE_PLUGINS="tfbroken, tfpoint",
    )
    assert "NOTRANSFORMER" in out
    assert "install typeflow-pickle" in out
    assert out.strip().endswith("False")


def test_unknown_type_error_names_type_plugins_and_fix(site: Path) -> None:
    out = check(
        """
        import typeflow
        from typeflow.errors import NoTransformerError
        class Local: pass
        try:
            typeflow.to_literal(Local(), Local)
        except NoTransformerError as exc:
            print(exc)
        """,
        site,
    )
    assert "Local" in out
    assert "install typeflow-pickle" in out
    assert "engine.register" in out


def test_own_plugin_is_loaded_before_settling_for_a_base_class_from_another_package(site: Path) -> None:
    out = check(
        """
        import typeflow
        from tfpoint import Label

        engine = typeflow.TypeEngine()
        resolution = engine.resolve(Label)  # Label subclasses str, but tfpoint's plugin claims it
        print(resolution.transformer.name, "|", resolution.source)
        """,
        site,
    )
    assert out.startswith("Label |") and "tf-point" in out


def test_one_module_behind_two_entry_points_loads_once(tmp_path: Path, wheels: dict[str, Path]) -> None:
    site = install([wheels["tf-point"]], tmp_path / "site")
    info = next(site.glob("tf_point-*.dist-info"))
    entry_points = info / "entry_points.txt"
    entry_points.write_text(entry_points.read_text() + "tfpoint_alias = tfpoint.plugin\n")
    out = check(
        """
        import typeflow
        engine = typeflow.TypeEngine()
        engine.load_all_plugins()
        print(sorted((e.name, err is None) for e, err in engine.plugin_states().items()))
        """,
        site,
    )
    assert out.strip() == "[('tfpoint', True), ('tfpoint_alias', True)]"


def test_load_plugin_loads_one_entry_point_once_and_returns_its_error(site: Path) -> None:
    out = check(
        """
        import sys
        from typeflow import TypeEngine, discovery
        by_name = {e.name: e for e in discovery.entries()}
        engine = TypeEngine()
        assert engine.load_plugin(by_name["tfpoint"]) is None
        assert "tfpoint.plugin" in sys.modules
        from tfpoint import Point
        print(engine.resolve(Point).step)
        error = engine.load_plugin(by_name["tfbroken"])
        print(type(error).__name__, error.distribution)
        assert engine.load_plugin(by_name["tfbroken"]) is error  # loaded once: the same error again
        assert engine.plugin_states() == {by_name["tfpoint"]: None, by_name["tfbroken"]: error}
        """,
        site,
    )
    step, error = out.splitlines()
    assert "exact" in step
    assert error == "PluginError tf-broken"
