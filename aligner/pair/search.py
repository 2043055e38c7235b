"""Document vectors and their nearest neighbours across languages, in bounded memory.

A document vector pools its sentence vectors: the mean of all of them plus the means of the
first, middle and last third, each normalised, so two documents about the same event but
told in another order sit further apart than a translation and its original. Neighbours are
found by exact inner product over row blocks (``block`` rows at a time), keeping only the
``k`` best per row, so memory stays at ``block x n`` floats whatever the collection size.

The exact search costs ``queries x base`` products: about 10-17 s of CPU per direction at
16k documents per side, some 16 times that at 64k. Above :data:`EXACT_LIMIT` base rows, when
faiss is installed (``pip install 'aligner[scale]'``), an inverted file takes its place:
faiss's k-means, fitted on :data:`TRAINING_ROWS_PER_CELL` sampled rows per cell (so its cost
grows as ``n``), cuts the base into about ``4 sqrt(n)`` cells, and each query is compared
with the rows of its :data:`PROBED_CELLS` nearest cells only. Those products are taken cell
by cell, as a matrix product of a cell's rows with the queries that probe it
(:func:`listed_per_cell`), so each row is read once per cell instead of once per query, and no
copy of the base is held. Cells are far from even on real pooled vectors: one central cell
held 7,716 of 52,429 documents and 40,205 queries probed it, so a cell's product is taken
for at most :data:`SCAN_PRODUCTS` query-row pairs at a time and the scan's memory stays
bounded however large a cell grows (that one cell's product at once took about 4.9 GiB). Its
time still grows faster than ``n^1.5`` (spherical k-means evens the cells, but missed one
true partner among the 4 nearest in both directions at 52k documents, where these cells
missed none), and on real pooled vectors the queries scan about half of the base at 16k and at
64k documents alike.

So the cells are scanned in a smaller space: the base's :data:`SCAN_DIMENSIONS` principal axes
(of the 2048 dimensions of a pooled vector, the first 512 carry 93 % of the second moment of
real ones), fitted on :data:`AXIS_SAMPLE` sampled rows, a fixed cost. The scan keeps the
:data:`PER_CELL` best rows of each probed cell by their score in that space, and the
:data:`SHORTLIST` best of those per query are re-ranked by their exact inner product. The
cells and probes stay those of the full vectors (cells fitted in the smaller space lost true
partners), so what changes is only which of the scanned rows are compared exactly. Scores of
the neighbours found are exact inner products. The cells and axes are fitted with one thread,
so the same vectors always give the same cells and the same neighbours, whatever
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
# Cells each query is compared with. On the pooled vectors of 16k real documents per side,
# 16 cells found 80 % of the 8 nearest documents, 32 cells 89 %, 64 cells 95 %.
PROBED_CELLS = 64
# Dimensions the cells are scanned in (principal axes of the base); the rows a query keeps
# from the scan are then compared in all dimensions. On real pooled vectors of 16k documents,
# the 32 best of a query by its score on 512 axes held its exact 4 nearest always (2,000
# queries against the whole base; 384 axes missed 6 of 8,000, 256 axes 57).
SCAN_DIMENSIONS = 512
AXIS_SAMPLE = 8192  # base rows the principal axes are estimated from
PER_CELL = 16  # rows of each probed cell a query keeps by its score on the axes
SHORTLIST = 32  # rows per query re-ranked by their exact inner product
QUERY_CHUNK = 8192  # queries scanned together (bounds the memory of what they keep)
# Query-by-row products of one cell taken at once (about 16 bytes each: the scores, their
# negation, the ranks): 64 MiB, however many queries probe a cell and rows it holds.
SCAN_PRODUCTS = 2**22
TRAINING_ROWS_PER_CELL = 32  # k-means is fitted on this many sampled base rows per cell
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
    """Approximate ``k`` nearest neighbours from an inverted file over ``base``: k-means
    cells (faiss), each query compared with the rows of its nearest cells only (exact
    scores, ties to the lower index, padded with ``-1`` like :func:`exact_neighbours`)."""
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    base = np.ascontiguousarray(base, dtype=np.float32)
    dim, cells = base.shape[1], min(len(base), max(1, int(CELLS_PER_ROOT * np.sqrt(len(base)))))
    centroids = faiss.IndexFlatIP(dim)
    clustering = faiss.Clustering(dim, cells)
    clustering.niter, clustering.seed = KMEANS_ITERATIONS, KMEANS_SEED
    clustering.min_points_per_centroid = 1  # few rows per cell is the point; no warning
    clustering.max_points_per_centroid = TRAINING_ROWS_PER_CELL
    faiss.omp_set_num_threads(1)  # cells must not depend on how the work was split
    clustering.train(base, centroids)
    faiss.omp_set_num_threads(thread_count())  # rows are independent: any thread count
    _, cell_of = centroids.search(base, 1)
    _, probed = centroids.search(queries, min(PROBED_CELLS, cells))
    axes = principal_axes(base, SCAN_DIMENSIONS)
    return reranked_scan(queries, base, axes, cell_of[:, 0], probed, k)


def principal_axes(base: np.ndarray, dimensions: int) -> np.ndarray | None:
    """The ``dimensions`` principal axes (about the origin, as inner products are taken) of
    ``base`` as columns, estimated from :data:`AXIS_SAMPLE` rows drawn with a fixed seed;
    ``None`` when the rows have no more dimensions than that.

    >>> base = np.array([[3.0, 0.0, 0.1], [-3.0, 0.1, 0.0], [0.0, 2.0, 0.0]], dtype=np.float32)
    >>> np.abs(principal_axes(base, 2)).round(1).T.tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    if base.shape[1] <= dimensions:
        return None
    sample = base
    if len(base) > AXIS_SAMPLE:
        rows = np.random.default_rng(KMEANS_SEED).choice(len(base), AXIS_SAMPLE, replace=False)
        sample = base[np.sort(rows)]
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):  # LAPACK's eigh differs by thread count
        moment = (sample.T @ sample).astype(np.float64)
        _, axes = np.linalg.eigh(moment)  # ascending eigenvalues
    return np.ascontiguousarray(axes[:, ::-1][:, :dimensions], dtype=np.float32)


def reranked_scan(queries: np.ndarray, base: np.ndarray, axes: np.ndarray | None,
                  cell_of: np.ndarray, probed: np.ndarray, k: int) -> Neighbours:
    """The ``k`` nearest base rows of each query among the cells it probes, scanned on
    ``axes`` (all dimensions when ``None``): the :data:`SHORTLIST` best by that score, from
    the :data:`PER_CELL` best of each cell (each at least ``k``), are re-ranked by their
    exact inner product.
    Exact scores, ties to the lower index, padded with ``-1``; :data:`QUERY_CHUNK` queries
    at a time, so memory stays bounded.

    >>> base = np.eye(4, dtype=np.float32)
    >>> queries = np.array([[0.6, 0.8, 0, 0], [0, 0, 0.8, 0.6]], dtype=np.float32)
    >>> found = reranked_scan(queries, base, base[:, :2], np.array([0, 0, 1, 1]),
    ...                       np.array([[0], [1]]), k=3)
    >>> found.indices.tolist(), [round(float(score), 1) for score in found.scores[:, 0]]
    ([[1, 0, -1], [2, 3, -1]], [0.8, 0.8])
    """
    reduced_base = base if axes is None else base @ axes
    indices = np.empty((len(queries), k), dtype=np.int64)
    scores = np.empty((len(queries), k), dtype=np.float32)
    for start in range(0, len(queries), QUERY_CHUNK):
        chunk = queries[start:start + QUERY_CHUNK]
        reduced = chunk if axes is None else chunk @ axes
        listed, listed_scores = listed_per_cell(reduced, reduced_base, cell_of,
                                                probed[start:start + QUERY_CHUNK],
                                                max(PER_CELL, k))
        short = best_unordered(listed, listed_scores, max(SHORTLIST, k))
        found = best_listed(short, exact_scores(chunk, base, short), k, len(base))
        indices[start:start + len(chunk)] = found.indices
        scores[start:start + len(chunk)] = found.scores
    return Neighbours(indices, scores)


def best_unordered(listed: np.ndarray, scores: np.ndarray, count: int) -> np.ndarray:
    """Each row's ``count`` best of its ``listed`` base rows by ``scores``, in no order
    (all of them when it lists no more)."""
    if listed.shape[1] <= count:
        return listed
    top = np.argpartition(scores, listed.shape[1] - count, axis=1)[:, -count:]
    return np.take_along_axis(listed, top, axis=1)


def exact_scores(queries: np.ndarray, base: np.ndarray, listed: np.ndarray) -> np.ndarray:
    """The inner product of each query with each of its ``listed`` base rows (``-inf`` for
    ``-1``), a column at a time so that only one gathered row per query is held."""
    scores = np.empty(listed.shape, dtype=np.float32)
    for column in range(listed.shape[1]):
        rows = listed[:, column]
        scores[:, column] = np.einsum("ij,ij->i", queries, base[np.maximum(rows, 0)])
    scores[listed < 0] = -np.inf
    return scores


def listed_per_cell(queries: np.ndarray, base: np.ndarray, cell_of: np.ndarray,
                    probed: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best base rows of each query in each cell it probes, unordered, and their
    scores: ``(queries, probes * k)`` arrays, ``-1`` and ``-inf`` where a cell holds fewer.

    The work goes cell by cell: one matrix product of the queries probing a cell with the
    cell's rows, so each row is read once per cell, not once per query.

    >>> base = np.eye(4, dtype=np.float32)
    >>> queries = np.array([[0.6, 0.8, 0, 0], [0, 0, 0.8, 0.6]], dtype=np.float32)
    >>> listed, scores = listed_per_cell(queries, base, np.array([0, 0, 1, 1]),
    ...                                  np.array([[0], [1]]), k=3)
    >>> best_listed(listed, scores, 3, len(base)).indices.tolist()
    [[1, 0, -1], [2, 3, -1]]
    """
    rows, probes = probed.shape
    cells = int(probed.max()) + 1
    listed = np.full((rows * probes, k), -1, dtype=np.int32)
    listed_scores = np.full((rows * probes, k), -np.inf, dtype=np.float32)
    members = np.argsort(cell_of, kind="stable")
    member_bounds = np.searchsorted(cell_of[members], np.arange(cells + 1))
    slots = np.argsort(probed.ravel(), kind="stable")  # (query, probe) slots by cell
    slot_bounds = np.searchsorted(probed.ravel()[slots], np.arange(cells + 1))
    for cell in range(cells):
        in_cell = members[member_bounds[cell]:member_bounds[cell + 1]]
        asking = slots[slot_bounds[cell]:slot_bounds[cell + 1]]
        if len(in_cell) == 0 or len(asking) == 0:
            continue
        cell_rows, kept = base[in_cell], min(k, len(in_cell))
        step = max(1, SCAN_PRODUCTS // len(in_cell))
        for start in range(0, len(asking), step):
            some = asking[start:start + step]
            similarity = queries[some // probes] @ cell_rows.T
            top = np.argpartition(-similarity, kept - 1, axis=1)[:, :kept]
            listed[some, :kept] = in_cell[top]
            listed_scores[some, :kept] = np.take_along_axis(similarity, top, axis=1)
    return listed.reshape(rows, -1), listed_scores.reshape(rows, -1)


def best_listed(listed: np.ndarray, scores: np.ndarray, k: int, padding: int) -> Neighbours:
    """Each row's ``k`` best of its ``listed`` base rows (``-1``: none) by falling score,
    ties to the lower index, a block of rows at a time so that the sort's work arrays
    stay small.

    >>> best = best_listed(np.array([[3, 1, -1, 2]]), np.array([[0.5, 0.9, -np.inf, 0.9]]),
    ...                    k=3, padding=4)
    >>> best.indices.tolist(), best.scores.tolist()
    ([[1, 2, 3]], [[0.9, 0.9, 0.5]])
    """
    rows = len(listed)
    indices = np.empty((rows, k), dtype=np.int64)
    best = np.empty((rows, k), dtype=scores.dtype)
    step = max(1, SCAN_PRODUCTS // max(1, listed.shape[1]))
    for start in range(0, rows, step):
        some, some_scores = listed[start:start + step], scores[start:start + step]
        order = np.lexsort((np.where(some >= 0, some, padding), -some_scores), axis=1)[:, :k]
        indices[start:start + step] = np.take_along_axis(some, order, axis=1)
        best[start:start + step] = np.take_along_axis(some_scores, order, axis=1)
    return Neighbours(indices, best)
