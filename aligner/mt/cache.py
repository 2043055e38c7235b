"""A persistent translation cache: SQLite, keyed by model key and a hash of the source text.

One database under :func:`aligner.paths.cache_dir` serves every model. It runs in WAL mode
with a busy timeout, so several processes (local workers, Dask workers on one host) can read
and write it at once; each process opens its own connection on first use, through
:mod:`aligner.cachefile` (a damaged file is rebuilt, an unusable one skipped).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from aligner.cachefile import CacheFile
from aligner.paths import cache_dir

#: SQLite caps the number of ``?`` parameters per statement; stay well below it.
_CHUNK = 500
_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    model TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    translation TEXT NOT NULL,
    PRIMARY KEY (model, text_hash)
) WITHOUT ROWID
"""


def text_hash(text: str) -> str:
    """The cache key of a source text.

    >>> text_hash("Привет")[:12]
    'dd679c0b9fd4'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class TranslationCache:
    """Translations stored by (model key, text hash); safe to share between processes.

    >>> import tempfile
    >>> cache = TranslationCache(Path(tempfile.mkdtemp()) / "mt.sqlite")
    >>> cache.put("m1", {"один": "one"})
    >>> cache.get("m1", ["один", "два"])
    {'один': 'one'}
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else cache_dir() / "translations.sqlite"
        self._file = CacheFile(self.path, _SCHEMA)

    def get(self, model: str, texts: Iterable[str]) -> dict[str, str]:
        """The cached translations of those ``texts`` that have one, by text."""
        by_hash: dict[str, str] = {text_hash(text): text for text in texts}
        hashes = list(by_hash)

        def lookup(connection: sqlite3.Connection) -> dict[str, str]:
            found: dict[str, str] = {}
            for start in range(0, len(hashes), _CHUNK):
                chunk = hashes[start:start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(
                    f"SELECT text_hash, translation FROM translations "
                    f"WHERE model = ? AND text_hash IN ({marks})", [model, *chunk])
                found.update((by_hash[digest], translation) for digest, translation in rows)
            return found

        return self._file.use(lookup, fallback={})

    def put(self, model: str, translations: Mapping[str, str]) -> None:
        """Store ``{source text: translation}`` for ``model`` in one transaction."""
        rows = [(model, text_hash(text), target) for text, target in translations.items()]
        if rows:
            self._file.use(lambda connection: connection.executemany(
                "INSERT OR REPLACE INTO translations (model, text_hash, translation) "
                "VALUES (?, ?, ?)", rows), fallback=None)

    def count(self, model: str | None = None) -> int:
        """Number of cached translations, for one model or all (0 without a usable cache)."""
        query, args = "SELECT COUNT(*) FROM translations", []
        if model is not None:
            query, args = query + " WHERE model = ?", [model]
        return self._file.use(lambda connection: int(
            connection.execute(query, args).fetchone()[0]), fallback=0)

    def close(self) -> None:
        self._file.close()

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"])  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"TranslationCache({str(self.path)!r})"


def unique(texts: Sequence[str]) -> list[str]:
    """The distinct texts in first-seen order.

    >>> unique(["a", "b", "a"])
    ['a', 'b']
    """
    return list(dict.fromkeys(texts))
