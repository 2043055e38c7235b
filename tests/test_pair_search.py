"""The candidate search above EXACT_LIMIT: an inverted file (faiss k-means cells, scanned
cell by cell) that finds the true partners and nearly all exact neighbours, returns exact
scores and the same neighbours whatever the thread count."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from aligner.pair.search import (Neighbours, best_listed, exact_neighbours, listed_per_cell,
                                 nearest_neighbours)
from aligner.threads import use_threads

pytest.importorskip("faiss")


def scan_cells(queries: np.ndarray, base: np.ndarray, cell_of: np.ndarray,
               probed: np.ndarray, k: int) -> Neighbours:
    """The full scan of the probed cells, the reference the re-ranked scan is held to: the
    ``k`` nearest base rows of each query among the rows of its cells, exact scores."""
    listed, listed_scores = listed_per_cell(queries, base, cell_of, probed, k)
    return best_listed(listed, listed_scores, k, len(base))


def partners(size: int, dim: int = 64, spread: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Base rows in clusters and, per base row, a slightly moved copy as its query; with
    ``spread``, rows vary in their first ``spread`` dimensions only, plus a little noise in
    all (as real pooled vectors, most of whose second moment lies on few axes)."""
    rng = np.random.default_rng(7)
    spread = spread or dim
    centres = rng.standard_normal((size // 50, dim))
    base = centres[rng.integers(0, len(centres), size)] + 0.8 * rng.standard_normal((size, dim))
    base[:, spread:] = 0.1 * rng.standard_normal((size, dim - spread))
    queries = base + 0.05 * rng.standard_normal((size, dim))
    unit = [rows / np.linalg.norm(rows, axis=1, keepdims=True) for rows in (queries, base)]
    return unit[0].astype(np.float32), unit[1].astype(np.float32)


@pytest.fixture
def restore_threads():
    yield
    use_threads(1)


def test_index_finds_the_partners_with_exact_scores():
    queries, base = partners(3000)
    found = nearest_neighbours(queries, base, k=4, exact_limit=100)
    exact = exact_neighbours(queries, base, k=4)
    assert np.mean(found.indices[:, 0] == np.arange(3000)) >= 0.99
    assert np.mean(found.indices[:, 0] == exact.indices[:, 0]) >= 0.99
    assert np.allclose(found.scores, np.einsum("ij,ikj->ik", queries, base[found.indices]),
                       atol=1e-5)
    assert np.all(np.diff(found.scores, axis=1) <= 0)


def test_index_gives_the_same_neighbours_with_any_thread_count(restore_threads):
    queries, base = partners(2000)
    use_threads(1)
    one = nearest_neighbours(queries, base, k=4, exact_limit=100)
    use_threads(2)
    two = nearest_neighbours(queries, base, k=4, exact_limit=100)
    assert np.array_equal(one.indices, two.indices)
    assert np.array_equal(one.scores, two.scores)


def test_cells_scanned_on_principal_axes_give_the_exact_neighbours(monkeypatch,
                                                                   restore_threads):
    """Scanned on fewer axes than the vectors have, the rows each query keeps are re-ranked
    in all dimensions: the neighbours are those of the full scan, with exact scores, and the
    same with any thread count."""
    from aligner.pair import search

    queries, base = partners(3000, dim=96, spread=24)
    monkeypatch.setattr(search, "SCAN_DIMENSIONS", 32)
    monkeypatch.setattr(search, "QUERY_CHUNK", 700)  # several chunks
    use_threads(1)
    found = nearest_neighbours(queries, base, k=4, exact_limit=100)
    use_threads(2)
    again = nearest_neighbours(queries, base, k=4, exact_limit=100)
    monkeypatch.setattr(search, "SCAN_DIMENSIONS", 96)  # no axes: the cells in all dimensions
    full = nearest_neighbours(queries, base, k=4, exact_limit=100)
    assert np.array_equal(found.indices, again.indices)
    assert np.array_equal(found.scores, again.scores)
    assert np.mean(found.indices == full.indices) >= 0.999
    assert np.allclose(found.scores, np.einsum("ij,ikj->ik", queries, base[found.indices]),
                       atol=1e-5)


def test_principal_axes_hold_the_spread_of_the_rows():
    from aligner.pair.search import principal_axes

    _, base = partners(2000, dim=96, spread=24)
    axes = principal_axes(base, 24)
    assert axes.shape == (96, 24)
    assert np.allclose(axes.T @ axes, np.eye(24), atol=1e-4)
    kept = np.linalg.norm(base @ axes, axis=1) / np.linalg.norm(base, axis=1)
    assert kept.min() > 0.95  # the noise dimensions are left out
    assert principal_axes(base, 96) is None


def test_more_neighbours_than_the_shortlist_are_all_found():
    """k above the rows kept per cell and per query (pair -k 40): the lists widen to k."""
    from aligner.pair import search

    queries, base = partners(3000)
    k = search.SHORTLIST + 8
    found = nearest_neighbours(queries, base, k=k, exact_limit=100)
    exact = exact_neighbours(queries, base, k=k)
    assert found.indices.shape == (3000, k) and np.all(found.indices >= 0)
    shared = [len(set(a) & set(b)) for a, b in zip(found.indices.tolist(),
                                                   exact.indices.tolist())]
    assert np.mean(shared) / k >= 0.95


def test_principal_axes_are_the_same_with_any_thread_count(restore_threads):
    """LAPACK's eigendecomposition of a large moment matrix splits its work by threads."""
    from aligner.pair.search import principal_axes

    _, base = partners(3000, dim=1024, spread=600)
    use_threads(1)
    one = principal_axes(base, 512)
    use_threads(2)
    two = principal_axes(base, 512)
    assert one.tobytes() == two.tobytes()


def test_without_faiss_the_search_stays_exact(monkeypatch):
    queries, base = partners(500)
    monkeypatch.setitem(sys.modules, "faiss", None)  # import faiss now raises ImportError
    found = nearest_neighbours(queries, base, k=4, exact_limit=100)
    exact = exact_neighbours(queries, base, k=4)
    assert np.array_equal(found.indices, exact.indices)


def test_the_index_returns_nearly_all_exact_neighbours():
    """Not only each query's partner: the relation neighbours after it are found too, so
    the candidates of a large collection are nearly the exact ones."""
    queries, base = partners(3000)
    found = nearest_neighbours(queries, base, k=8, exact_limit=100)
    exact = exact_neighbours(queries, base, k=8)
    shared = [len(set(a) & set(b)) for a, b in zip(found.indices.tolist(),
                                                   exact.indices.tolist())]
    assert np.mean(shared) / 8 >= 0.95


def test_cells_are_scanned_for_the_queries_that_probe_them_only():
    base = np.eye(4, dtype=np.float32)
    queries = np.array([[0.6, 0.8, 0.0, 0.0], [0.0, 0.0, 0.6, 0.8]], dtype=np.float32)
    cell_of = np.array([0, 0, 1, 1])
    found = scan_cells(queries, base, cell_of, np.array([[0], [0]]), k=3)
    assert found.indices.tolist() == [[1, 0, -1], [0, 1, -1]]  # query 1 never sees cell 1
    assert np.allclose(found.scores[0, :2], [0.8, 0.6]) and found.scores[1, 0] == 0.0
    both = scan_cells(queries, base, cell_of, np.array([[0, 1], [1, 0]]), k=3)
    assert both.indices.tolist() == [[1, 0, 2], [3, 2, 0]]  # ties to the lower index


def test_scanning_a_cell_in_small_blocks_finds_the_same_neighbours(monkeypatch):
    """A cell that many queries probe is scanned a block of products at a time (bounded
    memory), and the top-k is taken a block of rows at a time: the same neighbours (a
    product of another shape may differ in the last bit of a score)."""
    from aligner.pair import search

    queries, base = partners(600)
    cell_of = np.arange(600) % 3  # three large cells; every query probes two of them
    probed = np.stack([np.arange(600) % 3, (np.arange(600) + 1) % 3], axis=1)
    whole = scan_cells(queries, base, cell_of, probed, k=5)
    monkeypatch.setattr(search, "SCAN_PRODUCTS", 1000)  # 5 queries x 200 rows at a time
    blocks = scan_cells(queries, base, cell_of, probed, k=5)
    assert np.array_equal(whole.indices, blocks.indices)
    assert np.allclose(whole.scores, blocks.scores, rtol=0, atol=1e-6)
    assert np.all(whole.indices >= 0)
