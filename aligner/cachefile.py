"""The one opener of the persistent SQLite caches (embeddings, translations).

A cache only saves time, so it must never stop the work: a damaged file (truncated, not a
database) is set aside as ``NAME.damaged-<time>`` and rebuilt; a file this process cannot use
(read-only, made by another user; an unreachable folder; a lock held too long) is left alone
and the work goes on without a cache. Either way one :class:`AlignerWarning` line says so.
Each process opens its own connection (one must not cross a fork), shared by its threads.
The files of a cache's earlier versions (``stale`` names in its folder) are deleted when a
process first opens it, once no process has them open (:func:`remove_unused`).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from aligner.errors import AlignerWarning

T = TypeVar("T")
BUSY_TIMEOUT = 60.0  # seconds to wait for another process's write
PAGE_BYTES = 16384  # page size of a new cache file
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_COMPANIONS = ("-wal", "-shm")  # WAL mode's files beside a database


class CacheFile:
    """One SQLite cache file with ``schema``; :meth:`use` runs work on it, or falls back.

    >>> import tempfile
    >>> cache = CacheFile(Path(tempfile.mkdtemp()) / "c.sqlite", "CREATE TABLE t (x INTEGER)")
    >>> cache.use(lambda db: db.execute("SELECT COUNT(*) FROM t").fetchone()[0], fallback=-1)
    0
    """

    def __init__(self, path: Path, schema: str,
                 stale: Callable[[str], bool] | None = None) -> None:
        self.path = path
        self.schema = schema
        self.stale = stale  # names, in the same folder, of the earlier versions of this cache
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = -1
        self._unusable = False

    def use(self, work: Callable[[sqlite3.Connection], T], fallback: T) -> T:
        """``work(connection)`` in one committed transaction; ``fallback`` without a cache."""
        with self._lock:
            connection = self._connect()
            if connection is None:
                return fallback
            try:
                with connection:
                    return work(connection)
            except sqlite3.DatabaseError as error:
                self._give_up(f"{self.path}: cache failed ({error}); working without it")
                return fallback

    def close(self) -> None:
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                self._connection.close()
            self._connection = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._pid != os.getpid():  # a new process: neither the connection nor a verdict
            self._connection, self._unusable, self._pid = None, False, os.getpid()
        if self._connection is None and not self._unusable:
            self._connection = self._open()
            if self._connection is not None and self.stale is not None:
                remove_unused(self._stale_files())
        return self._connection

    def _stale_files(self) -> list[Path]:
        """The database files of this cache's folder that ``stale`` names (not links)."""
        try:
            entries = list(os.scandir(self.path.parent))
        except OSError:
            return []
        return sorted(Path(entry.path) for entry in entries
                      if entry.name != self.path.name and self.stale(entry.name)
                      and entry.is_file(follow_symlinks=False))

    def _open(self) -> sqlite3.Connection | None:
        try:
            return _open_database(self.path, self.schema)
        except sqlite3.DatabaseError as error:
            if getattr(error, "sqlite_errorname", "") not in _DAMAGED:
                return self._give_up(f"{self.path}: cannot use the cache ({error}); "
                                     "working without it")
        except OSError as error:
            return self._give_up(f"{self.path}: cannot use the cache ({error.strerror or error});"
                                 " working without it")
        try:
            aside = _set_aside(self.path)
            connection = _open_database(self.path, self.schema)
        except (sqlite3.DatabaseError, OSError) as error:
            return self._give_up(f"{self.path}: damaged cache that cannot be replaced ({error});"
                                 " working without it")
        _warn(f"{self.path}: damaged cache set aside as {aside.name} and rebuilt")
        return connection

    def _give_up(self, message: str) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection, self._unusable = None, True
        _warn(message)


def _open_database(path: Path, schema: str) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT, check_same_thread=False)
    try:
        # pages of 16 KiB (a new file only): a vector or a sentence's parts (6 KiB) then needs
        # no overflow page, and a cold run's writes take a third less CPU; reads cost the same
        connection.execute(f"PRAGMA page_size={PAGE_BYTES}")
        connection.execute("PRAGMA journal_mode=WAL")  # readers and a writer at once
        # a cache may lose its last write on power loss, never its consistency
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(schema)
        connection.commit()
    except BaseException:
        connection.close()
        raise
    return connection


def remove_unused(paths: Iterable[Path]) -> None:
    """Delete the SQLite databases ``paths`` (with their WAL files) that no process has open.

    A database is taken over with SQLite's own exclusive lock, which waits for nobody: a
    process that has it open holds a shared lock (every cache here is in WAL mode), so a file
    in use stays and goes on a later call. The files are unlinked while the lock is held, so
    nothing is left half-deleted if this process dies; one that opens the name later makes a
    new database.
    """
    for path in paths:
        try:  # mode=rw: a file another process has just removed is not made again
            connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=rw", uri=True,
                                         timeout=0, isolation_level=None)
        except sqlite3.Error:
            continue
        try:
            connection.execute("PRAGMA locking_mode=EXCLUSIVE")  # held until closed
            mode = connection.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            if mode != "delete":  # still WAL: in use by another process
                continue
            connection.execute("BEGIN EXCLUSIVE")
            for suffix in ("", *_COMPANIONS):
                if os.path.lexists(f"{path}{suffix}"):
                    os.unlink(f"{path}{suffix}")
            connection.execute("ROLLBACK")
        except (sqlite3.Error, OSError):
            pass  # in use, damaged or not ours: left as it is
        finally:
            connection.close()


def _set_aside(path: Path) -> Path:
    """Rename a damaged database (and its WAL files) out of the way; return its new path."""
    aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
    os.replace(path, aside)
    for suffix in _COMPANIONS:
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            os.replace(companion, Path(f"{aside}{suffix}"))
    return aside


def _warn(message: str) -> None:
    warnings.warn(message, AlignerWarning, stacklevel=4)
