"""Dynamic programming over beads inside a band of cells, and the bands themselves.

A cell ``(i, j)`` means "the first ``i`` source and ``j`` target sentences are aligned".
Row ``i`` keeps only the columns ``band.lo[i] .. band.hi[i]``, so time and memory grow with
``n * width``, never ``n * m``. Bead scores are computed in bulk per bead type (vectorised
over every cell of the band); the row loop then only takes maxima. Runs of ``0-1`` beads
inside a row are solved in one vectorised prefix-maximum instead of a loop over columns.
The same scored beads (a :class:`Lattice`) give each bead of the best path its posterior
probability (forward-backward, with log-sum-exp in place of the maxima).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

BeadType = tuple[int, int]
# (a, b, rows, cols) -> scores of beads src[rows-a:rows] x tgt[cols-b:cols], a, b >= 1
TypeScorer = Callable[[int, int, np.ndarray, np.ndarray], np.ndarray]

START, CHAIN = -1, -2  # back-pointer codes besides bead type indices
NEG = -1e18


@dataclass(frozen=True)
class Band:
    """For each row ``i`` (0..n) the inclusive column range ``lo[i] .. hi[i]``."""

    lo: np.ndarray
    hi: np.ndarray

    @property
    def n(self) -> int:
        return len(self.lo) - 1

    @property
    def widths(self) -> np.ndarray:
        return self.hi - self.lo + 1

    @classmethod
    def full(cls, n: int, m: int) -> Band:
        """Every cell (for short documents and the coarsest level).

        >>> Band.full(2, 3).widths.tolist()
        [4, 4, 4]
        """
        return cls(np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64))

    @classmethod
    def around(cls, nodes: Sequence[tuple[int, int]], n: int, m: int, radius: int) -> Band:
        """Cells within ``radius`` of the rectangle between consecutive path nodes.

        >>> band = Band.around([(0, 0), (1, 1), (2, 2)], 2, 2, 0)
        >>> band.lo.tolist(), band.hi.tolist()
        ([0, 0, 1], [1, 2, 2])
        """
        lo = np.full(n + 1, m + 1, dtype=np.int64)
        hi = np.full(n + 1, -1, dtype=np.int64)
        for (i0, j0), (i1, j1) in zip(nodes[:-1], nodes[1:]):
            first, last = max(i0 - radius, 0), min(i1 + radius, n) + 1
            lo[first:last] = np.minimum(lo[first:last], j0 - radius)
            hi[first:last] = np.maximum(hi[first:last], j1 + radius)
        lo[0], hi[n] = 0, m
        lo = np.clip(np.minimum(lo, hi), 0, m)
        hi = np.clip(np.maximum(hi, lo), 0, m)
        return cls(lo, hi)


@dataclass(frozen=True)
class Cells:
    """The band's cells flattened row by row, with each row's offset into the flat arrays."""

    band: Band
    rows: np.ndarray
    cols: np.ndarray
    starts: np.ndarray

    @classmethod
    def of(cls, band: Band) -> Cells:
        widths = band.widths
        starts = np.zeros(len(widths) + 1, dtype=np.int64)
        np.cumsum(widths, out=starts[1:])
        rows = np.repeat(np.arange(len(widths)), widths)
        cols = band.lo[rows] + (np.arange(starts[-1]) - starts[rows])
        return cls(band, rows, cols, starts)

    def index(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Flat index of cells ``(rows, cols)``; -1 where a cell lies outside the band."""
        row = np.maximum(rows, 0)
        lo = self.band.lo[row]
        inside = (rows >= 0) & (cols >= lo) & (cols <= self.band.hi[row])
        return np.where(inside, self.starts[row] + cols - lo, -1)


class Paragraphs:
    """Where one side's paragraphs start (``breaks[k]``: sentence ``k`` starts one), counted
    once for every span checked."""

    def __init__(self, breaks: np.ndarray | None) -> None:
        self.count = None if breaks is None else len(breaks)
        self._crossings = (None if breaks is None else
                           np.concatenate([[0], np.cumsum(breaks.astype(np.int64))]))

    def span_ok(self, ends: np.ndarray, length: int | np.ndarray) -> np.ndarray:
        """Whether each span ``end-length .. end-1`` stays inside one paragraph (``length``
        may be a column of lengths: a row of answers per length).

        >>> Paragraphs(np.array([True, False, True])).span_ok(np.array([2, 3]), 2).tolist()
        [True, False]
        """
        if self._crossings is None:
            return np.ones(np.broadcast(ends, length).shape, dtype=bool)
        # spans that do not fit are rejected elsewhere: clipped, they only index safely
        ends = np.clip(ends, np.minimum(length, self.count), self.count)
        starts = np.clip(ends - length + 1, 0, self.count)
        inside = self._crossings[ends] - self._crossings[starts] == 0
        return (np.asarray(length) <= 1) | ((np.asarray(length) <= self.count) & inside)


def best_path(band: Band, m: int, bead_types: Sequence[BeadType], scorer: TypeScorer,
              skip: float, src_breaks: np.ndarray | None = None,
              tgt_breaks: np.ndarray | None = None, chunk: int = 50_000
              ) -> list[tuple[int, int, int, int]]:
    """The highest-scoring bead sequence from ``(0, 0)`` to ``(n, m)`` inside ``band``.

    ``bead_types`` are ``(a, b)`` sizes with ``a, b >= 1`` (scored by ``scorer``); ``1-0`` and
    ``0-1`` beads are always allowed and score ``skip`` each (usually negative). Returns beads
    as ``(a, b, i, j)``: ``src[i-a:i]`` with ``tgt[j-b:j]``, in order.
    """
    return Lattice.build(band, bead_types, scorer, skip, src_breaks, tgt_breaks,
                         chunk).best_path(m)


@dataclass(frozen=True)
class Lattice:
    """Every bead the search may take inside a band, scored once: per bead type (rows of
    ``prev`` and ``gain``, the last type ``1-0``) each cell's predecessor (flat index, -1:
    none) and the bead's score; ``0-1`` beads join neighbouring cells of a row and score
    ``skip``. The best path and the posterior of its beads read the same scores."""

    cells: Cells
    types: tuple[BeadType, ...]
    prev: np.ndarray
    gain: np.ndarray
    skip: float

    @classmethod
    def build(cls, band: Band, bead_types: Sequence[BeadType], scorer: TypeScorer,
              skip: float, src_breaks: np.ndarray | None = None,
              tgt_breaks: np.ndarray | None = None, chunk: int = 50_000) -> Lattice:
        cells = Cells.of(band)
        types = (*bead_types, (1, 0))
        prev, gain = _transitions(cells, types, scorer, skip, src_breaks, tgt_breaks, chunk)
        return cls(cells, types, prev, gain, skip)

    def best_path(self, m: int) -> list[tuple[int, int, int, int]]:
        """The highest-scoring bead sequence (see :func:`best_path`)."""
        cells, band, skip = self.cells, self.cells.band, self.skip
        total = len(cells.rows)
        score = np.full(total + 1, NEG)  # the extra last entry stands for "no predecessor"
        prev = np.where(self.prev < 0, total, self.prev)
        back = np.full(total, START, dtype=np.int64)
        chain_from = np.zeros(total, dtype=np.int64)
        steps = np.arange(int(band.widths.max()))
        starts, firsts = cells.starts.tolist(), band.lo.tolist()
        for i in range(band.n + 1):
            s0, s1 = starts[i], starts[i + 1]
            candidates = score[prev[:, s0:s1]] + self.gain[:, s0:s1]
            best = np.argmax(candidates, axis=0)
            row = candidates.max(axis=0)  # the value at ``best``
            row_back = np.where(row > NEG / 2, best, START)
            if i == 0 and firsts[0] == 0:
                row[0], row_back[0] = 0.0, START
            _zero_one_runs(row, row_back, skip, chain_from[s0:s1], firsts[i], steps[:s1 - s0])
            score[s0:s1] = row
            back[s0:s1] = row_back
        return _backtrack(cells, self.types, back, chain_from, m)

    def posteriors(self, path: Sequence[tuple[int, int, int, int]], temperature: float
                   ) -> np.ndarray:
        """Probability of each bead of ``path`` among all paths through the band, each path
        weighted by exp(its score / ``temperature``) (forward-backward over the same beads).

        A bead whose sentences could as well be split or merged with a neighbour at nearly
        the same score gets about an even share; one with no close rival gets nearly 1.

        >>> lattice = Lattice.build(Band.full(1, 1), [(1, 1)], lambda a, b, r, c: r * 0.0, -1.0)
        >>> path = lattice.best_path(1)
        >>> path, lattice.posteriors(path, 1.0).round(3).tolist()  # 1 / (1 + 2 exp(-2))
        ([(1, 1, 1, 1)], [0.787])
        """
        return np.exp(np.minimum(self.log_posteriors(path, temperature), 0.0))

    def log_posteriors(self, beads: Sequence[tuple[int, int, int, int]], temperature: float
                       ) -> np.ndarray:
        """Log probability of each of ``beads`` among all paths through the band, weighted as
        in :meth:`posteriors`: any bead ``(a, b, i, j)`` (``src[i-a:i]`` with
        ``tgt[j-b:j]``), on the best path or not; ``-inf`` for one that no path takes (a size
        not searched, a cell outside the band, a span across a paragraph boundary).

        The public way to read the lattice beyond the best path (e.g. how much weight the
        larger beads that contain a bead carry).

        >>> lattice = Lattice.build(Band.full(1, 1), [(1, 1)], lambda a, b, r, c: r * 0.0, -1.0)
        >>> beads = [(1, 1, 1, 1), (1, 0, 1, 0), (2, 1, 1, 1)]  # 1-1; 1-0 before a 0-1; no 2-1
        >>> np.exp(lattice.log_posteriors(beads, 1.0)).round(3).tolist()  # exp(-2) / (1 + ...)
        [0.787, 0.107, 0.0]
        """
        band = self.cells.band
        forward = np.append(self._forward(temperature), -np.inf)  # index -1: no cell
        backward = np.append(self._backward(temperature), -np.inf)
        log_total = forward[self._at(band.n, int(band.hi[-1]))]
        codes = {t: k for k, t in enumerate(self.types)}
        a, b, i, j = np.array(beads, dtype=np.int64).reshape(-1, 4).T
        known = np.array([bead in codes or bead == (0, 1)
                          for bead in zip(a.tolist(), b.tolist())], dtype=bool)
        at = np.where((i >= 0) & (i <= band.n), self.cells.index(np.clip(i, 0, band.n), j), -1)
        zero_one = (a == 0) & (b == 1)  # 0-1 beads join neighbouring cells of a row
        code = np.array([codes.get(bead, 0) for bead in zip(a.tolist(), b.tolist())],
                        dtype=np.int64)
        before = np.where(zero_one, self.cells.index(np.clip(i, 0, band.n), j - 1),
                          self.prev[code, at])
        gain = np.where(zero_one, self.skip, self.gain[code, at])
        logs = forward[before] + gain / temperature + backward[at] - log_total
        return np.where(known & (at >= 0), logs, -np.inf)

    def _at(self, i: int, j: int) -> int:
        return int(self.cells.index(np.array([i]), np.array([j]))[0])

    def _forward(self, temperature: float) -> np.ndarray:
        """Log of the summed weight of all paths from the start to each cell."""
        cells, band = self.cells, self.cells.band
        total = len(cells.rows)
        forward = np.full(total + 1, -np.inf)  # the extra last entry: "no predecessor"
        prev = np.where(self.prev < 0, total, self.prev)
        scaled = self.gain / temperature
        runs = (self.skip / temperature) * np.arange(int(band.widths.max()))
        starts = cells.starts.tolist()
        with np.errstate(divide="ignore"):  # log(0) = -inf: no path
            for i in range(band.n + 1):
                s0, s1 = starts[i], starts[i + 1]
                row = _logsumexp(forward[prev[:, s0:s1]] + scaled[:, s0:s1])
                if i == 0 and band.lo[0] == 0:
                    row[0] = 0.0
                # 0-1 runs inside the row: f[j] = log sum_k<=j exp(row[k] + step * (j - k))
                run = runs[:s1 - s0]
                forward[s0:s1] = np.logaddexp.accumulate(row - run) + run
        return forward[:total]

    def _backward(self, temperature: float) -> np.ndarray:
        """Log of the summed weight of all paths from each cell to the end."""
        cells, band = self.cells, self.cells.band
        total = len(cells.rows)
        backward = np.full(total + 1, -np.inf)
        following = np.full((len(self.types), total), total, dtype=np.int64)
        types, ends = np.nonzero(self.prev >= 0)
        following[types, self.prev[types, ends]] = ends
        scaled = np.concatenate([self.gain / temperature,
                                 np.full((len(self.types), 1), -np.inf)], axis=1)
        runs = (self.skip / temperature) * np.arange(int(band.widths.max()))
        starts = cells.starts.tolist()
        with np.errstate(divide="ignore"):  # log(0) = -inf: no path
            for i in range(band.n, -1, -1):
                s0, s1 = starts[i], starts[i + 1]
                nxt = following[:, s0:s1]
                row = _logsumexp(np.take_along_axis(scaled, nxt, axis=1) + backward[nxt])
                if i == band.n:
                    row[-1] = 0.0
                # 0-1 runs to the right: b[j] = log sum_k>=j exp(row[k] + step * (k - j))
                run = runs[:s1 - s0]
                backward[s0:s1] = np.logaddexp.accumulate((row + run)[::-1])[::-1] - run
        return backward[:total]


def _logsumexp(values: np.ndarray) -> np.ndarray:
    """Log of the sum of exponentials down the first axis (-inf where all are -inf)."""
    top = values.max(axis=0)
    finite = np.where(np.isfinite(top), top, 0.0)
    return np.log(np.exp(values - finite).sum(axis=0)) + finite  # log(0): the caller's errstate


def _transitions(cells: Cells, types: Sequence[BeadType], scorer: TypeScorer, skip: float,
                 src_breaks: np.ndarray | None, tgt_breaks: np.ndarray | None, chunk: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Per bead type (rows): each cell's predecessor's flat index (-1: none) and the gain.

    Types are checked together while their cells number at most ``chunk`` (every type at
    once on short documents), and scored together where ``scorer`` has ``score_types``
    (:meth:`aligner.signals.SpanScorer.score_types`): a few large array operations instead
    of many small ones per type. ``score_types`` gives each type the scores of its own call,
    and a type whose cells would be split (more than ``chunk``) is scored one type at a
    time as before, so the gains do not depend on the grouping.
    """
    total = len(cells.rows)
    prevs = np.full((len(types), total), -1, dtype=np.int64)
    gains = np.full((len(types), total), NEG)
    paragraphs = Paragraphs(src_breaks), Paragraphs(tgt_breaks)
    sizes = np.array(types, dtype=np.int64).reshape(-1, 2)
    step = max(1, chunk // max(total, 1))
    for first in range(0, len(types), step):
        group = sizes[first:first + step]
        a, b = group[:, :1], group[:, 1:]
        source = cells.index(cells.rows - a, cells.cols - b)
        ok = ((source >= 0) & (cells.cols >= b)
              & paragraphs[0].span_ok(np.maximum(cells.rows, a), a)
              & paragraphs[1].span_ok(np.maximum(cells.cols, b), b))
        prevs[first:first + len(group)] = np.where(ok, source, -1)
        type_of, at = np.divmod(np.flatnonzero(ok), total)
        counts = np.bincount(type_of, minlength=len(group)).tolist()
        where = np.split(at, np.cumsum(counts)[:-1])
        _score_group(gains[first:first + len(group)], types[first:first + step], where, cells,
                     scorer, skip, chunk)
    return prevs, gains


def _score_group(gains: np.ndarray, types: Sequence[BeadType], where: Sequence[np.ndarray],
                 cells: Cells, scorer: TypeScorer, skip: float, chunk: int) -> None:
    """Fill ``gains`` (a row per type) at each type's cells ``where`` (in place)."""
    scored = [k for k, (_, b) in enumerate(types) if b and len(where[k])]
    for k, (a, b) in enumerate(types):
        if not b:
            gains[k, where[k]] = skip * a
    score_types = getattr(scorer, "score_types", None)
    if score_types is not None and sum(len(where[k]) for k in scored) <= chunk:
        if scored:
            at = np.concatenate([where[k] for k in scored])
            values = score_types([types[k] for k in scored], [len(where[k]) for k in scored],
                                 cells.rows[at], cells.cols[at])
            gains[np.repeat(scored, [len(where[k]) for k in scored]), at] = values
        return
    for k in scored:
        a, b = types[k]
        for start in range(0, len(where[k]), chunk):
            part = where[k][start:start + chunk]
            gains[k, part] = scorer(a, b, cells.rows[part], cells.cols[part])


def _zero_one_runs(row: np.ndarray, row_back: np.ndarray, skip: float, chain_from: np.ndarray,
                   first_col: int, steps: np.ndarray) -> None:
    """Let each cell end a run of 0-1 beads from an earlier cell of the same row (in place;
    ``steps``: 0, 1, ... as long as the row)."""
    lift = skip * steps
    lifted = row - lift
    running = np.maximum.accumulate(lifted)
    origin = np.maximum.accumulate(np.where(lifted >= running, steps, 0))
    chained = running + lift
    better = (origin < steps) & (chained > row)
    row[better] = chained[better]
    row_back[better] = CHAIN
    chain_from[:] = np.where(better, origin + first_col, chain_from)


def _backtrack(cells: Cells, types: Sequence[BeadType], back: np.ndarray,
               chain_from: np.ndarray, m: int) -> list[tuple[int, int, int, int]]:
    n = cells.band.n
    at = int(cells.index(np.array([n]), np.array([m]))[0])
    if at < 0 or back[at] == START and (n, m) != (0, 0):
        raise RuntimeError("no path through the band reaches the end; this is a bug")
    beads = []
    i, j = n, m
    starts, firsts = cells.starts.tolist(), cells.band.lo.tolist()
    while (i, j) != (0, 0):
        at = starts[i] + j - firsts[i]  # the path's cells lie inside the band
        code = int(back[at])
        if code == CHAIN:
            origin = int(chain_from[at])
            beads.extend((0, 1, i, col) for col in range(j, origin, -1))
            j = origin
            continue
        if code == START:
            raise RuntimeError("back-pointers broke off before the start; this is a bug")
        a, b = types[code]
        beads.append((a, b, i, j))
        i, j = i - a, j - b
    beads.reverse()
    return beads
