"""With numpy installed but not typeflow-numpy, arrays are pickled, and every message names typeflow-numpy first."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest


def _run(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = dict(os.environ, TYPEFLOW_STORAGE=str(tmp_path / "storage"), **env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=environ, cwd=tmp_path, timeout=120
    )


@pytest.fixture(autouse=True)
def numpy_without_its_plugin() -> None:
    """The situation under test: numpy is importable, typeflow-numpy is not installed."""
    import numpy  # noqa: F401  (the pickle env installs numpy for these tests)

    with pytest.raises(metadata.PackageNotFoundError):
        metadata.distribution("typeflow-numpy")


def test_an_array_is_pickled_and_the_log_line_names_typeflow_numpy(tmp_path: Path) -> None:
    proc = _run(
        """
        import logging
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
        import numpy as np
        import typeflow
        lv = typeflow.to_literal(np.arange(3), np.ndarray)
        print(lv.scalar.blob.metadata.type.format)
        print(typeflow.to_python_value(lv, np.ndarray).tolist())
        """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["PythonPickle", "[0,", "1,", "2]"]
    (line,) = [x for x in proc.stderr.splitlines() if x.startswith("typeflow.pickle:")]
    assert "numpy.ndarray" in line
    assert "install typeflow-numpy for a real literal type: pip install" in line
    assert "register a TypeTransformer" not in line


def test_without_the_fallback_the_error_names_typeflow_numpy_before_typeflow_pickle(tmp_path: Path) -> None:
    proc = _run(
        """
        import numpy as np
        import typeflow
        from typeflow.errors import NoTransformerError
        try:
            typeflow.to_literal_type(np.ndarray)
        except NoTransformerError as exc:
            print(exc)
        """,
        tmp_path,
        TYPEFLOW_DISABLE_PLUGINS="typeflow-pickle",
    )
    assert proc.returncode == 0, proc.stderr
    message = proc.stdout
    assert "Install typeflow-numpy for a real literal type: pip install" in message
    assert re.search(r"plugins looked at: pickle \(typeflow-pickle [^)]*\) \(disabled\)", message), message
    fixes = message[message.index("(plugins looked at") :].split(")). ", 1)[1]
    assert fixes.index("typeflow-numpy") < fixes.index("typeflow-pickle"), fixes


def test_explain_shows_the_fallback_and_which_plugin_would_do_better(tmp_path: Path) -> None:
    exe = shutil.which("typeflow")
    assert exe, "the typeflow console script is not on PATH"
    proc = subprocess.run([exe, "explain", "numpy.ndarray", "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["dispatch_step"] == "fallback" and info["distribution"] == "typeflow-pickle"
    assert info["hint"].startswith("install typeflow-numpy")


def test_a_type_of_a_package_without_a_first_party_plugin_gets_the_generic_advice(tmp_path: Path) -> None:
    proc = _run(
        """
        import logging, fractions
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
        import typeflow
        typeflow.to_literal(fractions.Fraction(1, 3), fractions.Fraction)
        """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "register a TypeTransformer" in proc.stderr and "typeflow-numpy" not in proc.stderr
