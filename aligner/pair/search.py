"""Document vectors and their nearest neighbours across languages, in bounded memory.

A document vector pools its sentence vectors: the mean of all of them plus the means of the
first, middle and last third, each normalised, so two documents about the same event but
told in another order sit further apart than a translation and its original. Neighbours are
found by exact inner product over row blocks (``block`` rows at a time), keeping only the
``k`` best per row, so memory stays at ``block x n`` floats whatever the collection size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

POSITION_PARTS = 3
# Weight of the whole-document mean against each positional third in the pooled vector.
MEAN_WEIGHT = 2.0


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


def nearest_neighbours(queries: np.ndarray, base: np.ndarray, k: int,
                       block: int = 1024) -> Neighbours:
    """Exact ``k`` nearest neighbours by inner product, ``block`` query rows at a time.

    Ties go to the lower base index, so the result is deterministic.

    >>> base = np.eye(4, dtype=np.float32)
    >>> found = nearest_neighbours(base[[2, 0]], base, k=2, block=1)
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
