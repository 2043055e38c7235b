"""Unpacked model copies in the cache (:func:`aligner.paths.unpacked_copy`): a reinstalled
model gets a new copy and its earlier copies go, but never while a process uses one, and
never those of another installation sharing the cache."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Another process: makes or finds the copy, prints its folder, then holds it until stdin ends.
USER = """
import sys
from pathlib import Path
from aligner.paths import unpacked_copy
folder = unpacked_copy("model", Path(sys.argv[1]),
                       lambda staging: (staging / "data.bin").write_bytes(b"unpacked"))
print(folder, flush=True)
sys.stdin.read()
"""


@pytest.fixture
def models(tmp_path, monkeypatch) -> Path:
    """This test's cache (its processes inherit it)."""
    monkeypatch.setenv("ALIGNER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "models"


@contextmanager
def another_process(source: Path) -> Iterator[Path]:
    """A process using the copy of ``source`` (made or found) while the block runs; yields
    its folder."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with subprocess.Popen([sys.executable, "-c", USER, str(source)], env=env, text=True,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as process:
        try:
            yield Path(process.stdout.readline().strip())
        finally:
            process.stdin.close()
            process.wait(timeout=30)


def installed(path: Path, seconds: int) -> Path:
    """``path`` as a (re)installation at time ``seconds`` leaves it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"packed model")
    os.utime(path, (seconds, seconds))
    return path


def test_a_reinstalled_model_gets_a_new_copy_and_the_old_one_goes(models, tmp_path):
    source = installed(tmp_path / "site" / "weights.bin", 1_000_000)
    with another_process(source) as old:
        assert old.parent == models and (old / "data.bin").read_bytes() == b"unpacked"
    installed(source, 2_000_000)
    with another_process(source) as new:
        assert new != old and (new / "data.bin").read_bytes() == b"unpacked"
    assert sorted(models.iterdir()) == [new]  # nothing hidden left behind either


def test_a_copy_in_use_stays_until_its_process_ends(models, tmp_path):
    source = installed(tmp_path / "site" / "weights.bin", 1_000_000)
    with another_process(source) as old:
        installed(source, 2_000_000)
        with another_process(source) as new:
            assert (old / "data.bin").read_bytes() == b"unpacked"  # still there for its user
            assert sorted(models.iterdir()) == [old, new]
    with another_process(source) as found:  # the next process to start cleans up
        assert found == new
    assert sorted(models.iterdir()) == [new]


def test_the_copy_of_another_installation_is_never_deleted(models, tmp_path):
    mine = installed(tmp_path / "site" / "weights.bin", 1_000_000)
    theirs = installed(tmp_path / "other-env" / "weights.bin", 3_000_000)
    with another_process(theirs) as their_copy:
        pass
    installed(mine, 2_000_000)
    with another_process(mine) as my_copy:
        pass
    assert sorted(models.iterdir()) == sorted([my_copy, their_copy])


def test_a_cache_without_file_locks_still_gives_the_copy(models, tmp_path, monkeypatch):
    import errno

    from aligner import paths

    def no_locks(descriptor: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(paths.fcntl, "flock", no_locks)
    monkeypatch.setattr(paths, "_IN_USE", {})
    old = paths.unpacked_copy("model", installed(tmp_path / "site" / "w.bin", 1_000_000),
                              lambda staging: (staging / "data.bin").write_bytes(b"old"))
    new = paths.unpacked_copy("model", installed(tmp_path / "site" / "w.bin", 2_000_000),
                              lambda staging: (staging / "data.bin").write_bytes(b"new"))
    assert (new / "data.bin").read_bytes() == b"new"
    assert (old / "data.bin").read_bytes() == b"old"  # without locks nothing is deleted
