"""Pickles record the Python version that wrote them; another minor version is refused before unpickling."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Annotated, List

import pytest

import typeflow
from typeflow import TransformContext, TypeEngine, wire
from typeflow.literals import Literal, LiteralCollection
from typeflow_pickle import BatchSize, PickleDecodeError, PickleVersionError

from .samples import People, Tripwire

RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"
OTHER = "3.10" if RUNNING != "3.10" else "3.11"


def claim_version(lv: Literal, version: str) -> Literal:
    return dataclasses.replace(lv, metadata={**(lv.metadata or {}), "pickle.python": version})


def test_pickle_of_another_minor_version_is_refused_before_unpickling(pctx: TransformContext, tmp_path: Path) -> None:
    marker = tmp_path / "payload-ran"
    lv = claim_version(pctx.engine.to_literal(pctx, Tripwire(marker), Tripwire), OTHER)
    with pytest.raises(PickleVersionError) as info:
        pctx.engine.to_python_value(pctx, lv, Tripwire)
    message = str(info.value)
    assert f"Python {OTHER}" in message and f"Python {RUNNING}" in message
    assert "pickle_allow_version_mismatch=True" in message and "TYPEFLOW_PICKLE_ALLOW_VERSION_MISMATCH=1" in message
    assert info.value.uri is not None and info.value.uri in message
    assert (info.value.written_by, info.value.running) == (OTHER, RUNNING)
    assert not marker.exists()


def test_one_batch_of_another_version_refuses_the_whole_list_before_any_unpickling(
    pctx: TransformContext, tmp_path: Path
) -> None:
    marker = tmp_path / "first-batch-ran"
    t = Annotated[List[Tripwire], BatchSize(1)]
    lv = pctx.engine.to_literal(pctx, [Tripwire(marker), Tripwire(marker)], t)
    assert lv.collection is not None
    first, second = lv.collection.literals
    forged = Literal(collection=LiteralCollection((first, claim_version(second, OTHER))))
    with pytest.raises(PickleVersionError) as info:
        pctx.engine.to_python_value(pctx, forged, t)
    assert info.value.location == "$[1]"
    assert not marker.exists()


def test_the_opt_out_reads_it_as_an_option_or_from_the_environment(
    storage: Path, pctx: TransformContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    lv = claim_version(pctx.engine.to_literal(pctx, People("Ada"), People), OTHER)
    allowed = TypeEngine().context(storage=str(storage), pickle_allow_version_mismatch=True)
    assert allowed.engine.to_python_value(allowed, lv, People) == People("Ada")
    monkeypatch.setenv("TYPEFLOW_PICKLE_ALLOW_VERSION_MISMATCH", "1")
    assert pctx.engine.to_python_value(pctx, lv, People) == People("Ada")
    monkeypatch.setenv("TYPEFLOW_PICKLE_ALLOW_VERSION_MISMATCH", "0")
    with pytest.raises(PickleVersionError):
        pctx.engine.to_python_value(pctx, lv, People)


# ---------------------------------------------------------------------------- two real interpreters

PEOPLE_MODULE = textwrap.dedent(
    """
    from pathlib import Path


    class People:
        def __init__(self, name):
            self.name = name


    class Tripwire:
        def __init__(self, path):
            self.path = path

        def __reduce__(self):
            return (Path.touch, (Path(self.path),))
    """
)

WRITER = textwrap.dedent(
    """
    import json, sys
    from typing import Annotated, List
    import typeflow
    from typeflow_pickle import BatchSize
    from crossmod import People, Tripwire

    storage, out, marker = sys.argv[1:4]
    engine = typeflow.TypeEngine()
    ctx = engine.context(storage=storage)
    people = engine.to_literal(ctx, [People(c) for c in "foo"], Annotated[List[People], BatchSize(2)])
    trip = engine.to_literal(ctx, Tripwire(marker), Tripwire)
    with open(out, "w") as f:
        json.dump({"people": typeflow.wire.dumps(people).hex(), "trip": typeflow.wire.dumps(trip).hex(),
                   "python": "%d.%d" % sys.version_info[:2]}, f)
    """
)


def _checkout() -> Path:
    return Path(os.environ.get("TYPEFLOW_CHECKOUT") or Path(__file__).resolve().parents[2])


@pytest.fixture(scope="session")
def other_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv of Python OTHER with core and typeflow-pickle installed as wheels from this checkout."""
    finder = shutil.which(f"python{OTHER}")
    if finder is None:
        pytest.fail(f"python{OTHER} is not on PATH: export PYENV_VERSION=3.11.7:3.10.13:3.12.1:3.13.0")
    exe = subprocess.run(
        [finder, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True, check=True
    ).stdout.strip()
    venv = tmp_path_factory.mktemp("other-python") / "venv"
    env = dict(os.environ, UV_PYTHON_DOWNLOADS="never")
    uv = shutil.which("uv")
    create = [uv, "venv", "--quiet", "--python", exe, str(venv)] if uv else [exe, "-m", "venv", str(venv)]
    subprocess.run(create, check=True, env=env, timeout=120)
    python = venv / "bin" / "python"
    result = subprocess.run(
        [str(python), str(_checkout() / "tools" / "install_local.py"), "core", "plugins/pickle"],
        cwd=_checkout(),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return python


def test_pickle_written_by_another_interpreter_is_refused_then_read_with_the_opt_out(
    other_python: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moddir = tmp_path / "mod"
    moddir.mkdir()
    (moddir / "crossmod.py").write_text(PEOPLE_MODULE)
    storage, out, marker = tmp_path / "storage", tmp_path / "literals.json", tmp_path / "payload-ran"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TYPEFLOW_PICKLE")}
    env["PYTHONPATH"] = str(moddir)
    written = subprocess.run(
        [str(other_python), "-c", WRITER, str(storage), str(out), str(marker)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert written.returncode == 0, written.stderr
    record = json.loads(out.read_text())
    assert record["python"] == OTHER != RUNNING
    people_lv = wire.loads(bytes.fromhex(record["people"]))
    trip_lv = wire.loads(bytes.fromhex(record["trip"]))
    assert isinstance(people_lv, Literal) and isinstance(trip_lv, Literal)
    assert people_lv.collection is not None and len(people_lv.collection.literals) == 2

    monkeypatch.syspath_prepend(str(moddir))
    import crossmod  # the same module, importable here: its classes were pickled by reference

    engine = typeflow.TypeEngine()
    ctx = engine.context(storage=str(storage))
    with pytest.raises(PickleVersionError) as info:
        engine.to_python_value(ctx, trip_lv, crossmod.Tripwire)
    assert f"Python {OTHER}" in str(info.value) and f"Python {RUNNING}" in str(info.value)
    assert "TYPEFLOW_PICKLE_ALLOW_VERSION_MISMATCH" in str(info.value)
    with pytest.raises(PickleVersionError):
        engine.to_python_value(ctx, people_lv, Annotated[List[crossmod.People], BatchSize(2)])
    assert not marker.exists(), "a pickle of another Python version was unpickled"

    allowed = engine.context(storage=str(storage), pickle_allow_version_mismatch=True)
    people = engine.to_python_value(allowed, people_lv, Annotated[List[crossmod.People], BatchSize(2)])
    assert [p.name for p in people] == ["f", "o", "o"]
    assert all(type(p) is crossmod.People for p in people)
    with pytest.raises(PickleDecodeError, match="not the declared"):  # a Tripwire unpickles to touch()'s None
        engine.to_python_value(allowed, trip_lv, crossmod.Tripwire)
    assert marker.exists(), "with the opt-out the pickle is really unpickled"
