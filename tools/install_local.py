"""Build the given package folders as wheels and install them into this Python.

Used by every tox env so that packages come from this checkout as real wheels
(never editable), and entry points come from installed metadata:

    python tools/install_local.py core plugins/numpy
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(folders: list[str]) -> int:
    extra = [a for a in folders if a.startswith("--")]
    folders = [f for f in folders if not f.startswith("--")]
    uv = shutil.which("uv")
    out = Path(tempfile.mkdtemp(prefix="typeflow-wheels-"))
    wheels = []
    requirements = []
    for spec in folders:
        folder, _, extras = spec.partition("[")
        source = (ROOT / folder).resolve()
        before = set(out.glob("*.whl"))
        if uv:
            cmd = [uv, "build", "--wheel", "--quiet", "--out-dir", str(out), str(source)]
        else:
            cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(source)]
        subprocess.run(cmd, check=True)
        built = sorted(set(out.glob("*.whl")) - before)
        if not built:
            print(f"no wheel was built from {source}", file=sys.stderr)
            return 1
        wheels.extend(built)
        name = built[0].name.split("-")[0].replace("_", "-")
        requirements.append(f"{name}[{extras}" + f" @ {built[0].as_uri()}" if extras else str(built[0]))
    if uv:
        cmd = [uv, "pip", "install", "--python", sys.executable]
        for w in wheels:  # the local wheels win over anything of the same name on the index
            cmd += ["--reinstall-package", w.name.split("-")[0].replace("_", "-")]
    else:
        cmd = [sys.executable, "-m", "pip", "install", "--force-reinstall"]
    cmd += extra
    cmd += requirements
    env = dict(os.environ, UV_PYTHON_DOWNLOADS="never")
    subprocess.run(cmd, check=True, env=env)
    print("installed:", ", ".join(w.name for w in wheels))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
