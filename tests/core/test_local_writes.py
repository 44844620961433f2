"""Local writes: the unfinished writes of killed writers are swept, a live writer's never is; TYPEFLOW_FSYNC.

The writers are real processes: one writes a blob through LocalStorage.open_write,
says where, and waits; the test kills it with SIGKILL (or lets it finish).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from typeflow import _partial
from typeflow.storage import LocalStorage

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL") or _partial.fcntl is None, reason="POSIX processes and locks")

WRITER = textwrap.dedent(
    """
    import sys
    from typeflow.storage import LocalStorage
    storage = LocalStorage(sys.argv[1])
    uri = storage.new_uri(".bin")
    with storage.open_write(uri) as f:
        f.write(b"first half ")
        f.flush()
        print(uri, flush=True)
        sys.stdin.readline()  # until told to finish (or killed)
        f.write(b"second half")
    print("done", flush=True)
    """
)

TREE_WRITER = textwrap.dedent(
    """
    import os, sys
    from typeflow import _local_files, transfer
    from typeflow.progress import Transfer
    root, source = sys.argv[1], sys.argv[2]
    entries = transfer.list_tree(None, source)
    real_copy = _local_files.copy
    def copy(src, dst, t):
        real_copy(src, dst, t)
        print("copied", flush=True)
        sys.stdin.readline()
    _local_files.copy = copy
    with Transfer(None, "upload", root, 0) as t:
        transfer._put_local_tree(os.path.join(root, "ab", "tree"), entries, t, 1, root)
    """
)

HOUR = 3600


class Writer:
    def __init__(self, script: str, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", script, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.first_line = self.proc.stdout.readline().strip()
        assert self.first_line, "the writer did not start"

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def finish(self) -> str:
        out, _ = self.proc.communicate("go\n", timeout=30)
        return out


@pytest.fixture
def root(tmp_path: Path) -> Iterator[str]:
    yield str(tmp_path / "storage")


def partials(root: str) -> list[str]:
    folder = os.path.join(root, _partial.PARTIAL_FOLDER)
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def age(root: str, seconds: float) -> None:
    """Make every .part look untouched for ``seconds`` (what waiting that long would do)."""
    then = time.time() - seconds
    for name in partials(root):
        os.utime(os.path.join(root, _partial.PARTIAL_FOLDER, name), (then, then))


def use_storage_in_a_new_process(root: str) -> None:
    """First use of the storage in a fresh process: write one blob."""
    code = f"from typeflow.storage import LocalStorage; s = LocalStorage({root!r}); s.write_bytes(s.new_uri('.bin'), b'x')"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_killed_writers_part_file_is_swept_when_the_storage_is_next_used(root: str) -> None:
    writer = Writer(WRITER, root)
    (part,) = partials(root)
    writer.kill()
    assert partials(root) == [part], "the killed writer's .part should still be there"
    assert not os.path.exists(writer.first_line), "nothing at the final path"
    age(root, 2 * HOUR)
    use_storage_in_a_new_process(root)
    assert partials(root) == []


def test_a_live_writers_part_file_is_never_swept_however_old(root: str) -> None:
    writer = Writer(WRITER, root)
    age(root, 30 * 24 * HOUR)
    use_storage_in_a_new_process(root)
    assert len(partials(root)) == 1
    assert _partial.sweep(root, older_than=0) == []
    assert writer.finish().strip() == "done"
    with open(writer.first_line, "rb") as f:
        assert f.read() == b"first half second half"
    assert partials(root) == []


def test_a_dead_writers_recent_part_file_waits_for_the_safe_age(root: str) -> None:
    writer = Writer(WRITER, root)
    writer.kill()
    age(root, _partial.SAFE_AGE - 60)
    use_storage_in_a_new_process(root)
    assert len(partials(root)) == 1
    assert len(_partial.sweep(root, older_than=0)) == 1  # nobody holds it: only its age kept it
    assert partials(root) == []


def test_a_killed_directory_upload_is_swept_and_a_live_one_kept(root: str, tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "sub").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "sub/c.txt"):
        (source / name).write_text(name)
    live = Writer(TREE_WRITER, root, str(source))
    dead = Writer(TREE_WRITER, root, str(source))
    dead.kill()
    assert len(partials(root)) == 2
    age(root, 2 * HOUR)
    removed = _partial.sweep(root)
    assert len(removed) == 1 and len(partials(root)) == 1
    live.proc.communicate("go\n" * 3, timeout=30)
    assert sorted(p.name for p in Path(root, "ab", "tree").rglob("*.txt")) == ["a.txt", "b.txt", "c.txt"]
    assert partials(root) == []


def test_only_part_files_in_the_partial_folder_are_swept(root: str) -> None:
    storage = LocalStorage(root)
    blob = storage.new_uri(".bin")
    storage.write_bytes(blob, b"kept")
    folder = Path(root, _partial.PARTIAL_FOLDER)
    (folder / "notes.txt").write_text("not ours")
    beside = Path(blob).with_name(".other.part")
    beside.write_text("not in the partial folder")
    age(root, 2 * HOUR)
    for path in (folder / "notes.txt", beside, Path(blob)):
        os.utime(path, (time.time() - 2 * HOUR,) * 2)
    assert _partial.sweep(root) == []
    assert Path(blob).read_bytes() == b"kept" and beside.exists() and (folder / "notes.txt").exists()


def test_cache_clear_removes_dead_writers_part_files_and_keeps_a_live_ones(root: str) -> None:
    live = Writer(WRITER, root)
    dead = Writer(WRITER, root)
    dead.kill()
    env = dict(os.environ, TYPEFLOW_STORAGE=root)
    subprocess.run([sys.executable, "-m", "typeflow", "cache", "clear", "--yes"], check=True, env=env, timeout=60)
    assert len(partials(root)) == 1
    live.finish()
    assert Path(live.first_line).read_bytes() == b"first half second half"


@pytest.mark.parametrize("setting", ["1", None])
def test_typeflow_fsync_syncs_the_data_before_the_rename_and_then_the_folder(
    root: str, setting: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What os.fsync was called on, seen by a spy that lets every call through to the real fsync."""
    if setting is None:
        monkeypatch.delenv("TYPEFLOW_FSYNC", raising=False)
    else:
        monkeypatch.setenv("TYPEFLOW_FSYNC", setting)
    storage = LocalStorage(root)
    uri = storage.new_uri(".bin")
    synced: list[tuple[str, bool]] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        target = os.readlink(f"/proc/self/fd/{fd}") if os.path.exists("/proc/self/fd") else str(fd)
        synced.append((target, os.path.exists(uri)))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    storage.write_bytes(uri, b"durable")
    if setting is None:
        assert synced == []
        return
    (data, data_then_visible), (folder, _) = synced
    assert data.endswith(".part") and not data_then_visible, "the data must be on disk before the name points at it"
    assert folder == os.path.dirname(uri)
