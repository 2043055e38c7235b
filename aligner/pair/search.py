"""Document vectors and their nearest neighbours across languages, in bounded memory.

A document vector pools its sentence vectors: the mean of all of them plus the means of the
first, middle and last third, each normalised, so two documents about the same event but
told in another order sit further apart than a translation and its original. Neighbours are
found by exact inner product over row blocks (``block`` rows at a time), keeping only the
``k`` best per row, so memory stays at ``block x n`` floats whatever the collection size.

The exact search costs ``queries x base`` products: 19 s at 16k documents per side on an
idle core, about 300 s at 64k. Above :data:`EXACT_LIMIT` base rows, when faiss is installed
(``pip install 'aligner[scale]'``), an inverted-file index takes its place: k-means cuts the
base into about ``4 sqrt(n)`` cells and each query is compared with the rows of its
:data:`PROBED_CELLS` nearest cells only, about ``n^1.5`` products in all. Scores of the
neighbours it returns are exact inner products. The index is trained and filled with one
thread, so the same vectors always give the same cells and the same neighbours, whatever
``--threads``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from aligner.threads import thread_count

POSITION_PARTS = 3
# Weight of the whole-document mean against each positional third in the pooled vector.
MEAN_WEIGHT = 2.0
# Base rows above which the inverted-file index replaces the exact search (with faiss):
# below it the exact search is as fast and misses nothing.
EXACT_LIMIT = 8192
CELLS_PER_ROOT = 4  # k-means cells per square root of the base rows
PROBED_CELLS = 16  # cells each query is compared with
KMEANS_ITERATIONS = 10
KMEANS_SEED = 20240425

def pooled_vector(sentence_vectors: np.ndarray) -> np.ndarray:
    """One unit-length, order-aware vector for a document from its sentence vectors.

    A sentence falls in the third where its centre lies; a third with no sentence of its
    own (documents of one or two sentences) takes the mean instead.

    >>> vectors = np.eye(3, dtype=np.float32)
    >>> pooled = pooled_vector(vectors)
    >>> pooled.shape, round(float(np.linalg.norm(pooled)), 5)
    ((12,), 1.0)
    >>> float(pooled_vector(vectors) @ pooled_vector(vectors[::-1])) < 0.99
    True
    """
    count, dim = sentence_vectors.shape
    if count == 0:
        return np.zeros(dim * (POSITION_PARTS + 1), dtype=np.float32)
    mean = _unit(sentence_vectors.mean(axis=0))
    centres = (np.arange(count) + 0.5) / count
    part_of = np.minimum((centres * POSITION_PARTS).astype(int), POSITION_PARTS - 1)
    parts = [_unit(sentence_vectors[part_of == part].mean(axis=0)) if np.any(part_of == part)
             else mean for part in range(POSITION_PARTS)]
    pooled = np.concatenate([MEAN_WEIGHT * mean, *parts])
    return _unit(pooled).astype(np.float32)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def document_matrix(sentence_vectors: Sequence[np.ndarray]) -> np.ndarray:
    """Stack the pooled vectors of several documents into a ``(documents, dim)`` matrix."""
    return np.stack([pooled_vector(vectors) for vectors in sentence_vectors]).astype(np.float32)


@dataclass(frozen=True)
class Neighbours:
    """The ``k`` nearest base rows of every query row, best first.

    ``indices[i, j]`` is the j-th nearest base row of query ``i`` and ``scores[i, j]`` its
    cosine; rows with fewer than ``k`` base rows are padded with index ``-1``.
    """

    indices: np.ndarray
    scores: np.ndarray

    def mean_score(self, k: int | None = None) -> np.ndarray:
        """Mean cosine of each query's ``k`` nearest neighbours (all by default): the local
        density used by the margin."""
        indices, scores = self.indices[:, :k], self.scores[:, :k]
        valid = indices >= 0
        totals = np.where(valid, scores, 0.0).sum(axis=1)
        return totals / np.maximum(valid.sum(axis=1), 1)


def nearest_neighbours(queries: np.ndarray, base: np.ndarray, k: int, block: int = 1024,
                       exact_limit: int = EXACT_LIMIT) -> Neighbours:
    """The ``k`` nearest base rows of each query row by inner product: exact up to
    ``exact_limit`` base rows (or without faiss), else from an inverted-file index."""
    if len(base) > exact_limit and len(queries) and k:
        try:
            import faiss  # the optional `scale` extra, needed only past exact_limit
        except ImportError:
            faiss = None
        if faiss is not None:
            return _indexed_neighbours(faiss, queries, base, k)
    return exact_neighbours(queries, base, k, block)


def exact_neighbours(queries: np.ndarray, base: np.ndarray, k: int,
                     block: int = 1024) -> Neighbours:
    """Exact ``k`` nearest neighbours by inner product, ``block`` query rows at a time.

    Ties go to the lower base index, so the result is deterministic.

    >>> base = np.eye(4, dtype=np.float32)
    >>> found = exact_neighbours(base[[2, 0]], base, k=2, block=1)
    >>> found.indices[:, 0].tolist(), found.scores[:, 0].tolist()
    ([2, 0], [1.0, 1.0])
    """
    rows, kept = len(queries), min(k, len(base))
    indices = np.full((rows, k), -1, dtype=np.int64)
    scores = np.full((rows, k), -np.inf, dtype=np.float32)
    if rows == 0 or kept == 0:
        return Neighbours(indices, scores)
    for start in range(0, rows, block):
        similarity = queries[start:start + block] @ base.T
        top = np.argpartition(-similarity, kept - 1, axis=1)[:, :kept]
        top_scores = np.take_along_axis(similarity, top, axis=1)
        order = np.lexsort((top, -top_scores), axis=1)
        indices[start:start + block, :kept] = np.take_along_axis(top, order, axis=1)
        scores[start:start + block, :kept] = np.take_along_axis(top_scores, order, axis=1)
    return Neighbours(indices, scores)


def _indexed_neighbours(faiss: Any, queries: np.ndarray, base: np.ndarray,
                        k: int) -> Neighbours:
    """Approximate ``k`` nearest neighbours from an inverted-file index over ``base`` (exact
    scores, ties to the lower index, padded with ``-1`` like :func:`exact_neighbours`)."""
    base = np.ascontiguousarray(base, dtype=np.float32)
    dim, cells = base.shape[1], max(1, int(CELLS_PER_ROOT * np.sqrt(len(base))))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, cells, faiss.METRIC_INNER_PRODUCT)
    index.cp.niter, index.cp.seed = KMEANS_ITERATIONS, KMEANS_SEED
    index.cp.min_points_per_centroid = 1  # few rows per cell is the point; no warning
    faiss.omp_set_num_threads(1)  # cells must not depend on how the work was split
    index.train(base)
    index.add(base)
    index.nprobe = PROBED_CELLS
    faiss.omp_set_num_threads(thread_count())  # queries are independent: any thread count
    scores, indices = index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
    scores = np.where(indices >= 0, scores, -np.inf).astype(np.float32)
    order = np.lexsort((np.where(indices >= 0, indices, len(base)), -scores), axis=1)
    return Neighbours(np.take_along_axis(indices, order, axis=1).astype(np.int64),
                      np.take_along_axis(scores, order, axis=1))
