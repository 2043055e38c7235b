"""The embedding cache keeps the vectors used last in memory, bounded, in front of SQLite."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np

from aligner.embed import encoder as encoder_module
from aligner.embed.encoder import EmbeddingCache


def test_vectors_come_back_the_same_from_memory_and_from_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(encoder_module, "MEMORY_BYTES", 3 * 4 * 4)  # three 4-float rows
    cache = EmbeddingCache(tmp_path / "v.sqlite", 4)
    vectors = {f"k{i}": np.arange(4, dtype=np.float32) + i for i in range(5)}
    cache.put_many(vectors)
    assert list(cache._memory) == ["k2", "k3", "k4"]  # the oldest rows left memory
    found = cache.get_many(list(vectors))
    assert set(found) == set(vectors)
    for key, vector in vectors.items():
        assert found[key].tobytes() == vector.tobytes()
    assert len(cache._memory) == 3
    again = EmbeddingCache(tmp_path / "v.sqlite", 4)  # a new process: disk only
    assert again.get_many(["k0", "missing"]).keys() == {"k0"}


def test_earlier_versions_of_a_cache_go_once_no_process_has_them_open(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGNER_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "embeddings"
    folder.mkdir(parents=True)
    for name in ("usem3.sqlite", "usem3-v1.sqlite", "usem3-v3.sqlite", "usem3-parts.sqlite",
                 "other.sqlite"):
        _database(folder / name)
    outside = _database(tmp_path / "outside.sqlite")
    (folder / "usem3-v0.sqlite").symlink_to(outside)
    holder = _hold_open(folder / "usem3-v1.sqlite")  # an older aligner still running
    try:
        encoder_module.open_cache(None, "usem3", 4).get_many(["k"])
        left = sorted(path.name for path in folder.iterdir())
        assert "usem3.sqlite" not in left and "usem3.sqlite-wal" not in left
        assert {"usem3-v1.sqlite", "usem3-v2.sqlite", "usem3-v3.sqlite",  # in use; current;
                "usem3-parts.sqlite", "other.sqlite", "usem3-v0.sqlite"} <= set(left)  # a newer
        assert not [name for name in left if name.startswith(".")]  # no trash left behind
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert _rows(folder / "usem3-v1.sqlite") == 1  # the holder's data is whole
    encoder_module.open_cache(None, "usem3", 4).get_many(["k"])  # a later process
    assert not (folder / "usem3-v1.sqlite").exists()
    assert (folder / "usem3-v0.sqlite").is_symlink() and _rows(outside) == 1
    encoder_module.open_cache(None, "usem3-parts", 4).get_many(["k"])
    assert not (folder / "usem3-parts.sqlite").exists() and (folder / "other.sqlite").exists()


def _database(path: Path) -> Path:
    """A cache file in WAL mode with one row left in its WAL (as a killed process leaves it)."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute("CREATE TABLE t (x INTEGER)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    shutil.copy(f"{path}-wal", f"{path}-wal.kept")
    connection.close()
    os.replace(f"{path}-wal.kept", f"{path}-wal")
    return path


def _hold_open(path: Path) -> subprocess.Popen:
    """Another process with ``path`` open, until its standard input closes."""
    holder = subprocess.Popen(
        [sys.executable, "-c", ("import sqlite3, sys\n"
                                f"c = sqlite3.connect({str(path)!r}); "
                                "c.execute('SELECT * FROM t').fetchall()\n"
                                "print('open', flush=True); sys.stdin.read()")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "open\n"
    return holder


def _rows(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT COUNT(*) FROM t").fetchone()[0]
    finally:
        connection.close()


def test_a_new_cache_file_has_large_pages_and_an_older_one_keeps_its_own(tmp_path):
    """New files get 16 KiB pages (a sentence's parts fit in one); a file made with SQLite's
    4 KiB pages, by an earlier version, is read and extended as it is."""
    from aligner.cachefile import PAGE_BYTES

    def page_size(path: Path) -> int:
        with sqlite3.connect(path) as connection:
            return connection.execute("PRAGMA page_size").fetchone()[0]

    parts = {"new": np.arange(1537, dtype=np.float32)}
    EmbeddingCache(tmp_path / "new.sqlite", 1537).put_many(parts)
    assert page_size(tmp_path / "new.sqlite") == PAGE_BYTES == 16384
    old = tmp_path / "old.sqlite"
    with sqlite3.connect(old) as connection:
        connection.execute("PRAGMA page_size=4096")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
    cache = EmbeddingCache(old, 1537)
    cache.put_many(parts)
    assert page_size(old) == 4096
    assert EmbeddingCache(old, 1537).get_many(["new"])["new"].tobytes() == parts["new"].tobytes()
