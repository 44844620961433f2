"""Progress: a tqdm bar on a terminal for long transfers when asked; DEBUG lines with size and time always."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from typeflow import TransformContext, TypeEngine
from typeflow.progress import PROGRESS_MIN_BYTES, progress_enabled
from typeflow.types import Directory, File


def test_every_transfer_logs_its_size_and_duration_at_debug(
    ctx: TransformContext, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    src = tmp_path / "data.bin"
    src.write_bytes(b"x" * 10_240)
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "a").write_bytes(b"a")
    (tmp_path / "dir" / "b").write_bytes(b"bb")
    with caplog.at_level(logging.DEBUG, logger="typeflow.transfer"):
        back = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, str(src), File), File)
        back.download()
        ctx.engine.to_literal(ctx, str(tmp_path / "dir"), Directory)
    messages = [r.getMessage() for r in caplog.records if r.name == "typeflow.transfer"]
    assert any(m.startswith("upload ") and "(10.0 KiB) took " in m and m.endswith(" s") for m in messages), messages
    assert any(m.startswith("download ") and "(10.0 KiB) took " in m for m in messages), messages
    assert any(m.startswith("upload ") and "(3 B in 2 files) took " in m for m in messages), messages


def test_progress_is_off_unless_asked(engine: TypeEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TYPEFLOW_PROGRESS", raising=False)
    assert not progress_enabled(engine.context())
    assert progress_enabled(engine.context(progress=True))
    monkeypatch.setenv("TYPEFLOW_PROGRESS", "1")
    assert progress_enabled(engine.context())
    assert not progress_enabled(engine.context(progress=False))
    monkeypatch.setenv("TYPEFLOW_PROGRESS", "0")
    assert not progress_enabled(engine.context())


def test_no_bar_when_stderr_is_not_a_terminal(ctx: TransformContext, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(PROGRESS_MIN_BYTES + 1))
    progress_ctx = ctx.engine.context(storage=ctx.storage.url, progress=True)
    ctx.engine.to_literal(progress_ctx, str(src), File)
    assert capfd.readouterr().err == ""


_CHILD = textwrap.dedent(
    """
    import sys
    from typeflow import TypeEngine
    from typeflow.types import File
    engine = TypeEngine()
    ctx = engine.context(storage=sys.argv[1])
    for path in sys.argv[2:]:
        engine.to_python_value(ctx, engine.to_literal(ctx, path, File), File).download()
    """
)


def _on_a_terminal(tmp_path: Path, *files: Path, progress: str) -> str:
    """Run conversions in a child whose stderr is a pseudo-terminal; what it drew there."""
    import pty

    pytest.importorskip("tqdm", reason='progress bars need tqdm: pip install "typeflow[progress]"')
    main, child = pty.openpty()
    import fcntl
    import struct
    import termios

    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # a terminal has a width; tqdm draws to it
    env = dict(os.environ, TYPEFLOW_PROGRESS=progress)
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(tmp_path / "storage"), *map(str, files)],
        stderr=child,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    os.close(child)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    assert proc.wait(timeout=120) == 0
    return out.decode(errors="replace")


def test_a_long_transfer_shows_a_bar_on_a_terminal(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(PROGRESS_MIN_BYTES * 2))
    drawn = _on_a_terminal(tmp_path, big, progress="1")
    assert "upload big.bin" in drawn and "download big.bin" in drawn, drawn
    assert "/8.00M" in drawn and "B/s" in drawn, drawn


def test_short_transfers_and_unasked_ones_draw_nothing(tmp_path: Path) -> None:
    small = tmp_path / "small.bin"
    small.write_bytes(b"x" * 1000)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(PROGRESS_MIN_BYTES * 2))
    assert _on_a_terminal(tmp_path, small, progress="1") == ""
    assert _on_a_terminal(tmp_path, big, progress="0") == ""
