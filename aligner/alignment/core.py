"""Sentence alignment: signals -> coarse path -> band -> full bead search -> beads.

1. Each enabled signal prepares a scorer for the document pair, then calibrates it to the
   document's confident pairs (mutual best matches of the sentence vectors): the MT signal's
   weight follows how well the translation agrees with them.
2. For all but short documents, a cheap coarse-to-fine pass (cosine of per-sentence vectors
   and lengths, with 1-1, 1-2, 2-1, 2-2 and null beads; halving both sides until the matrix
   is small) finds a rough path.
3. The full search runs in a band around that path (short documents: over every cell) with
   every bead type up to ``max_bead`` sentences, scoring each candidate by the weighted sum of
   the signals.
4. Every bead gets its per-signal scores, its posterior (its probability among all paths
   through the band, by forward-backward over the same scored beads) and a confidence
   calibrated from that posterior.
5. Each scorer is offered those beads (:meth:`SpanScorer.refine`, the calibration hook); if
   any changed, the search runs once more. The search asks the signals what they are
   (``similarity``, ``needs_translation``) and never tests a signal's name or type.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from aligner.alignment.config import AlignConfig
from aligner.alignment.search import Band, BeadType, Lattice, best_path
from aligner.embed import normalise_rows
from aligner.errors import ConfigurationError, InputError
from aligner.paths import cache_dir
from aligner.records import Alignment, Bead, Document
from aligner.signals import SIGNALS, SignalInput, SpanScorer
from aligner.signals.base import MIN_PAIRS, pair_dots
from aligner.signals.embedding import SideVectors
from aligner.signals.length import LengthScorer
from aligner.signature import make_signature

COARSE_TYPES: tuple[BeadType, ...] = ((1, 1), (1, 2), (2, 1), (2, 2))
COARSE_RADIUS = 6
FULL_SEARCH_CELLS = 2_500  # smaller documents are searched whole: a coarse pass costs more
# Confidence of a bead: logistic(coefficients . confidence_features), one set of coefficients
# for beads with both sides and one for null beads. The features:
# - the logit of the bead's posterior: its probability among all paths through the band, each
#   weighted by exp(score / (CONFIDENCE_TEMPERATURE * similarity units)); a bead whose
#   sentences could as well be split or merged with a neighbour at nearly the same score gets
#   about an even share;
# - the document's share of beads with more than two sentences: how much the document in hand
#   depends on such choices;
# - (beads with both sides) the neighbour similarity: how close the sentence just outside the
#   bead comes to the bead's own match (near 0: the two sides' sentence boundaries cross there,
#   and a larger bead may be the right one);
# - (beads with both sides) the length signal's score: the spans' length mismatch against the
#   document's own length ratio and spread.
# The temperature and coefficients maximise the likelihood of "bead is strictly right" over every
# document of the dev pool, with and without MT (``benchmarks/align_quality.py --calibrate
# --all-documents``, which prints the leave-one-set-out reliability per set, with and without
# the last two features). Tried and dropped: the bead's evidence and size (no gain once the
# posterior is in), punctuation at the bead's ends (it marks Text+Berg's errors but not the
# news sets'), the document's null-bead share, share of uncertain beads, share of unfinished
# sentences, and evidence relative to the document's median (none moved the held-out sets);
# agreement with a second alignment of the same document (the same lattice with the merge
# penalty or the null cost moved, beads of at most 3 sentences, the similarity signals alone,
# bertalign's scoring on the sentence vectors): whether the bead recurs there, and the
# document's disagreement rate. Text+Berg's confident errors recur in every such alignment.
# Most of them are pieces of a larger gold bead (the two sides' sentence boundaries cross);
# neither emitting the larger bead (adjacent beads merged when the joined span's similarity beats
# the pieces by a fixed or document-relative margin, or its cross similarity is high) nor reading
# the lattice mass of the larger beads, or the merge gain, as a feature holds leaving Text+Berg
# out: the news sets give them nothing to learn from (``benchmarks/bead_merge.py``).
CONFIDENCE_TEMPERATURE = 0.03
CONFIDENCE_COEFFICIENTS = (1.906, 0.39, -5.072, -1.024, 0.258)
NULL_COEFFICIENTS = (2.692, 0.462, -6.953)  # null beads read the first three features only
CONFIDENCE_FEATURES = ("posterior", "large", "neighbour", "length")
# Neighbour similarity of a bead without sentence vectors (no similarity signal), and length
# score of a bead without the length signal: their medians over the dev pool's beads with both
# sides (a missing score is not read as the best one)
TYPICAL_NEIGHBOUR = -0.43
TYPICAL_LENGTH = -0.42
NEIGHBOUR_ROWS = 8192  # window rows of the beads whose neighbour similarity is computed together


def confidence_model() -> str:
    """The confidence model as one signature value, so an output says which model rated it.

    >>> confidence_model()
    'posterior,large,neighbour,length:t=0.03:paired=1.906,0.39,-5.072,-1.024,0.258:null=2.692,0.462,-6.953:typical_neighbour=-0.43:typical_length=-0.42'
    """
    def numbers(values: Sequence[float]) -> str:
        return ",".join(str(value) for value in values)

    return (f"{','.join(CONFIDENCE_FEATURES)}:t={CONFIDENCE_TEMPERATURE}"
            f":paired={numbers(CONFIDENCE_COEFFICIENTS)}:null={numbers(NULL_COEFFICIENTS)}"
            f":typical_neighbour={TYPICAL_NEIGHBOUR}:typical_length={TYPICAL_LENGTH}")


def bead_types(max_bead: int) -> list[BeadType]:
    """Every ``a-b`` bead with both sides non-empty and at most ``max_bead`` sentences.

    >>> bead_types(3)
    [(1, 1), (1, 2), (2, 1)]
    """
    return [(a, total - a) for total in range(2, max_bead + 1) for a in range(1, total)]


class CombinedScorer:
    """Weighted sum of the signals' scores, minus a penalty for each extra sentence in a bead.

    Every bead with both sides also pays ``bead_cost``: two unrelated sentences (evidence near
    zero once margin-corrected) then lose to a ``1-0`` plus a ``0-1`` bead, while the choice
    between merging a sentence and leaving it out (one bead either way) is unchanged.
    """

    def __init__(self, scorers: dict[str, SpanScorer], weights: dict[str, float],
                 merge_penalty: float, size_power: float = 0.0, bead_cost: float = 0.0) -> None:
        self.scorers, self.weights, self.merge_penalty = scorers, weights, merge_penalty
        self.size_power, self.bead_cost = size_power, bead_cost

    def __call__(self, a: int, b: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return self._total(a, b, len(rows), self._scores(a, b, rows, cols))

    def score_types(self, types: Sequence[BeadType], counts: Sequence[int], rows: np.ndarray,
                    cols: np.ndarray) -> np.ndarray:
        """The totals of beads of several types at once (see :meth:`SpanScorer.score_types`)."""
        scores = {name: scorer.score_types(types, counts, rows, cols)
                  for name, scorer in self.scorers.items()}
        return self._totals(types, counts, scores)

    def breakdown(self, a: int, b: int, rows: np.ndarray, cols: np.ndarray
                  ) -> list[dict[str, float]]:
        """Each signal's raw score of each bead, plus ``total`` (one call per signal)."""
        return self.breakdown_types([(a, b)], [len(rows)], rows, cols)

    def breakdown_types(self, types: Sequence[BeadType], counts: Sequence[int],
                        rows: np.ndarray, cols: np.ndarray) -> list[dict[str, float]]:
        """:meth:`breakdown` of beads of several types, grouped as in :meth:`score_types`."""
        scores = {name: scorer.score_types(types, counts, rows, cols)
                  for name, scorer in self.scorers.items()}
        scores["total"] = self._totals(types, counts, scores)
        columns = [(name, values.tolist()) for name, values in scores.items()]
        return [{name: values[k] for name, values in columns} for k in range(len(rows))]

    def _scores(self, a: int, b: int, rows: np.ndarray, cols: np.ndarray
                ) -> dict[str, np.ndarray]:
        return {name: scorer.score(a, b, rows, cols) for name, scorer in self.scorers.items()}

    def _total(self, a: int, b: int, count: int, scores: Mapping[str, np.ndarray]) -> np.ndarray:
        return self._totals([(a, b)], [count], scores)

    def _totals(self, types: Sequence[BeadType], counts: Sequence[int],
                scores: Mapping[str, np.ndarray]) -> np.ndarray:
        evidence = np.zeros(sum(counts))
        for name in self.scorers:
            evidence += self.weights[name] * scores[name]
        # A bead's evidence speaks for all its sentences: scaling it by the bead's size keeps
        # one right 2-2 bead from losing to two wrong 1-1 beads merely by counting twice.
        # (Each type's factor and penalty are computed once, as Python numbers.)
        scale = np.repeat([((a + b) / 2) ** self.size_power for a, b in types], counts)
        penalty = np.repeat([self.merge_penalty * (a + b - 2) for a, b in types], counts)
        return evidence * scale - penalty - self.bead_cost


class CoarseScorer:
    """Cosine of summed per-sentence vectors plus a small length term (for the coarse pass)."""

    def __init__(self, src: np.ndarray, tgt: np.ndarray, src_len: np.ndarray,
                 tgt_len: np.ndarray) -> None:
        self.src, self.tgt = SideVectors(src), SideVectors(tgt)
        self.length = LengthScorer(src_len, tgt_len)

    def __call__(self, a: int, b: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        cosine = pair_dots(self.src.spans(a), self.tgt.spans(b), rows, cols)
        return cosine + 0.02 * self.length.score(a, b, rows, cols) - 0.05 * (a + b - 2)


def _halve(rows: np.ndarray) -> np.ndarray:
    """Sum rows in pairs (the last one alone when the count is odd)."""
    padded = rows if len(rows) % 2 == 0 else np.concatenate([rows, np.zeros_like(rows[:1])])
    return padded[0::2] + padded[1::2]


def coarse_nodes(src: np.ndarray, tgt: np.ndarray, src_len: np.ndarray, tgt_len: np.ndarray,
                 skip: float, max_cells: int) -> list[tuple[int, int]]:
    """Cells of a rough path, found by halving both sides until the full matrix is small."""
    n, m = len(src), len(tgt)
    if (n + 1) * (m + 1) <= max_cells or n < 4 or m < 4:
        band = Band.full(n, m)
    else:
        coarse = coarse_nodes(_halve(src), _halve(tgt), _halve(src_len), _halve(tgt_len),
                              skip, max_cells)
        band = Band.around([(min(2 * i, n), min(2 * j, m)) for i, j in coarse], n, m,
                           COARSE_RADIUS)
    beads = best_path(band, m, COARSE_TYPES, CoarseScorer(src, tgt, src_len, tgt_len), skip)
    return [(0, 0)] + [(i, j) for _, _, i, j in beads]


def _breaks(paragraphs: Sequence[int] | None, count: int, side: str) -> np.ndarray | None:
    if paragraphs is None:
        return None
    if len(paragraphs) != count:
        raise InputError(f"{side} paragraph ids: {len(paragraphs)} given for {count} sentences")
    ids = np.asarray(paragraphs)
    return np.concatenate([[True], ids[1:] != ids[:-1]]) if count else np.zeros(0, dtype=bool)


def usable_signals(config: AlignConfig, translated: bool,
                   how: str = "give one") -> tuple[str, ...]:
    """The signals of ``config`` that can run with (``translated``) or without a machine
    translation of the source; a ConfigurationError when none can (aligning on no evidence
    would still rate its beads confident). ``how`` says how the caller gives a translation.

    >>> usable_signals(AlignConfig(signals=("embedding", "mt")), translated=False)
    ('embedding',)
    >>> usable_signals(AlignConfig(signals=("mt",)), translated=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    aligner.errors.ConfigurationError: no signal to align with: mt needs a translation of ...
    """
    usable = tuple(name for name in config.signals
                   if translated or not SIGNALS[name].needs_translation)
    if not usable:
        raise ConfigurationError(f"no signal to align with: {', '.join(config.signals)} needs "
                                 f"a translation of the source; {how}, or choose other "
                                 "signals too")
    return usable


def _prepare(src: Sequence[str], tgt: Sequence[str], config: AlignConfig,
             translation: Sequence[str] | None) -> dict[str, SpanScorer]:
    usable = usable_signals(config, translated=translation is not None)
    data = SignalInput(src=src, tgt=tgt, src_lang=config.src_lang, tgt_lang=config.tgt_lang,
                       translation=translation, max_span=config.max_span)
    return {name: config.signal(name).prepare(data) for name in usable}


PREPARED_SENTENCES = 4096  # sentences of the document pairs whose prepared signals are kept


class PreparedSignals:
    """The signals prepared and calibrated for the document pairs aligned last, kept while
    their sentences number at most ``limit``: a run aligns each parallel pair twice with the
    same signals (verification, then the pair's own alignment), and the scorers, with what
    they computed on the way (span vectors, similarity grids), serve both.

    Only scorers that stay as prepared are kept (none refines); what they compute later on
    demand is the same whenever it is computed, so a kept scorer gives the same scores as a
    new one. ``max_span`` is not part of the key: scorers read spans of any length. Like the
    encoder's kept span composers, they are the memory of one cache root: a new root (a
    cold start) starts without them.
    """

    def __init__(self, limit: int = PREPARED_SENTENCES) -> None:
        self.limit = limit
        self._kept: OrderedDict[tuple[object, ...], tuple[dict[str, SpanScorer], int]] = \
            OrderedDict()
        self._sentences = 0
        self._lock = threading.Lock()  # threads of one process (a review server) share it
        self._root: Path | None = None

    def get(self, src: Sequence[str], tgt: Sequence[str], config: AlignConfig,
            translation: Sequence[str] | None) -> dict[str, SpanScorer]:
        """Calibrated scorers of ``config``'s usable signals for ``src`` and ``tgt``."""
        usable = usable_signals(config, translated=translation is not None)
        key = (tuple(src), tuple(tgt), config.src_lang, config.tgt_lang,
               None if translation is None else tuple(translation),
               tuple((name, config.params[name]) for name in usable))
        try:
            hash(key)
        except TypeError:  # a signal's parameters that cannot be compared: prepared anew
            key = None
        with self._lock:
            if cache_dir() != self._root:
                self._kept.clear()
                self._sentences, self._root = 0, cache_dir()
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key][0]
        scorers = _prepare(src, tgt, config, translation)
        _calibrate(scorers, sentence_vectors(scorers))
        size = len(src) + len(tgt)
        if (key is None or any(scorer.refines for scorer in scorers.values())
                or size > self.limit):
            return scorers
        with self._lock:
            if key not in self._kept:
                self._kept[key] = (scorers, size)
                self._sentences += size
            while self._sentences > self.limit:
                self._sentences -= self._kept.popitem(last=False)[1][1]
        return scorers


_PREPARED = PreparedSignals()


CONFIDENT_CELLS = 4_000_000  # larger documents look for confident pairs among sampled rows


def prepare_documents(sides: Sequence[Sequence[str]], config: AlignConfig) -> None:
    """Let each signal of ``config`` compute ahead what it will read of each of ``sides`` (the
    sentences of documents this process is about to align), where many documents cost less
    together than one by one (the embedding signal's span vectors)."""
    if not sides:
        return
    for name in config.signals:
        config.signal(name).prepare_documents(sides, config.max_span)


def confident_pairs(src: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    """One-to-one pairs that sentence vectors agree on: mutual best matches, kept in order.

    Each source sentence's most similar target sentence, where that target's most similar
    source sentence is the same one; pairs that cross the document's order are dropped (the
    longest increasing run is kept). Rows of (source, target) indices.

    >>> confident_pairs(np.eye(3), np.eye(3)[[1, 0, 2]]).tolist()
    [[1, 0], [2, 2]]
    """
    if not len(src) or not len(tgt):
        return np.zeros((0, 2), dtype=np.int64)
    rows = np.arange(len(src))
    if len(src) * len(tgt) > CONFIDENT_CELLS:
        rows = np.unique(np.linspace(0, len(src) - 1, max(CONFIDENT_CELLS // len(tgt), 1))
                         .round().astype(np.int64))
    similarity = np.asarray(src, dtype=np.float32)[rows] @ np.asarray(tgt, dtype=np.float32).T
    best_tgt = similarity.argmax(axis=1)
    mutual = similarity.argmax(axis=0)[best_tgt] == np.arange(len(rows))
    return _in_order(np.stack([rows[mutual], best_tgt[mutual]], axis=1))


def _in_order(pairs: np.ndarray) -> np.ndarray:
    """The longest run of ``pairs`` (sorted by source) whose targets increase too."""
    tails: list[int] = []  # tails[k]: the pair ending the best run of k + 1 found so far
    tail_targets: list[int] = []
    before = np.full(len(pairs), -1)
    for k, target in enumerate(pairs[:, 1].tolist()):
        at = bisect.bisect_left(tail_targets, target)
        before[k] = tails[at - 1] if at else -1
        tails[at:at + 1], tail_targets[at:at + 1] = [k], [target]
    chain, k = [], tails[-1] if tails else -1
    while k >= 0:
        chain.append(k)
        k = before[k]
    return pairs[chain[::-1]].reshape(-1, 2)


def sentence_vectors(scorers: Mapping[str, SpanScorer]) -> tuple[np.ndarray, np.ndarray] | None:
    """Each side's sentence vectors from the first similarity signal (None without one)."""
    return next((scorer.sentence_features() for name, scorer in scorers.items()
                 if SIGNALS[name].similarity), None)


def _calibrate(scorers: dict[str, SpanScorer],
               vectors: tuple[np.ndarray, np.ndarray] | None) -> None:
    """Let every signal adapt to the document's confident pairs (mutual best matches of the
    sentence ``vectors``; none without them)."""
    pairs = confident_pairs(*vectors) if vectors else np.zeros((0, 2), dtype=np.int64)
    for scorer in scorers.values():
        scorer.calibrate(pairs)
    _weigh_by_separation({name: scorer for name, scorer in scorers.items()
                          if SIGNALS[name].similarity}, pairs)


def _weigh_by_separation(similar: dict[str, SpanScorer], pairs: np.ndarray) -> None:
    """Scale each similarity signal's reliability by how well it separates the document's
    confident pairs from shifted ones, relative to the best-separating signal.

    Separation: median score of the pairs minus the median score of the same sources with
    another pair's target. A translation that tells the pairs apart half as well as the
    sentence vectors gets half their say, so a looser MT cannot outvote them.
    """
    if len(similar) < 2 or len(pairs) < MIN_PAIRS:
        return
    rows, cols = pairs[:, 0] + 1, pairs[:, 1] + 1
    separation = {name: float(np.median(scorer.score(1, 1, rows, cols))
                              - np.median(scorer.score(1, 1, rows, np.roll(cols, 1))))
                  for name, scorer in similar.items()}
    best = max(separation.values())
    if best <= 0:
        return
    for name, scorer in similar.items():
        scorer.reliability *= float(np.clip(separation[name] / best, 0.0, 1.0)) ** 2


def _null_beads(src_count: int, tgt_count: int) -> list[Bead]:
    return ([Bead((i,), (), 1.0, {}) for i in range(src_count)]
            + [Bead((), (j,), 1.0, {}) for j in range(tgt_count)])


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -700.0, 700.0)))


def confidence_features(beads: Sequence[Bead]) -> np.ndarray:
    """Features of one document's beads (rows as CONFIDENCE_COEFFICIENTS): 1, the logit of the
    bead's posterior (clipped to 1e-6 .. 1 - 1e-6), the document's share of beads with more
    than two sentences, and for beads with both sides their ``neighbour`` and ``length`` scores
    (0 for null beads, whose model reads only the first three).

    >>> beads = [Bead((0,), (0,), scores={"posterior": 0.5, "neighbour": -0.3, "length": -1.0}),
    ...          Bead((1, 2, 3), (), scores={"posterior": 1.0})]
    >>> confidence_features(beads).round(2).tolist()
    [[1.0, 0.0, 0.5, -0.3, -1.0], [1.0, 13.82, 0.5, 0.0, 0.0]]
    """
    return _features([bead.scores for bead in beads],
                     [(len(bead.src), len(bead.tgt)) for bead in beads])


def _features(scores: Sequence[Mapping[str, float]], sizes: Sequence[tuple[int, int]]
              ) -> np.ndarray:
    """:func:`confidence_features` of beads given by their ``scores`` and side ``sizes``."""
    p = np.clip(np.array([bead["posterior"] for bead in scores], dtype=np.float64),
                1e-6, 1 - 1e-6)
    share = large_share([a + b for a, b in sizes])
    own = np.array([[0.0, 0.0] if not (a and b) else
                    [bead.get("neighbour", TYPICAL_NEIGHBOUR),
                     bead.get("length", TYPICAL_LENGTH)] for bead, (a, b) in zip(scores, sizes)])
    own = own.reshape(-1, 2)
    return np.column_stack([np.ones_like(p), np.log(p / (1 - p)), np.full_like(p, share), own])


def large_share(sizes: Sequence[int]) -> float:
    """Share of beads with more than two sentences (``sizes``: sentences per bead)."""
    return sum(size > 2 for size in sizes) / max(len(sizes), 1)


def confidences(features: np.ndarray, paired: np.ndarray,
                coefficients: Sequence[float] = CONFIDENCE_COEFFICIENTS,
                null_coefficients: Sequence[float] = NULL_COEFFICIENTS) -> np.ndarray:
    """Calibrated probability that each bead is right, from its :func:`confidence_features`;
    ``paired`` marks the beads with both sides (null beads read the first
    ``len(null_coefficients)`` features).

    >>> features = np.array([[1.0, 0.0, 0.0, -0.5, 0.0],     # even posterior, clear neighbours
    ...                      [1.0, 0.0, 0.0, -0.05, 0.0],    # a neighbour nearly as close
    ...                      [1.0, 0.0, 0.0, 0.0, 0.0]])     # a null bead
    >>> confidences(features, np.array([True, True, False]), (1.7, 0.4, -4.9, -1.0, 0.2),
    ...             (2.0, 0.4, -6.0)).round(2).tolist()
    [0.9, 0.85, 0.88]
    """
    x = np.asarray(features, dtype=np.float64)
    paired_logit = x @ np.asarray(coefficients, dtype=np.float64)
    null_logit = x[:, :len(null_coefficients)] @ np.asarray(null_coefficients, dtype=np.float64)
    return _logistic(np.where(np.asarray(paired, dtype=bool), paired_logit, null_logit))


def neighbour_similarity(path: Sequence[tuple[int, int, int, int]], src: np.ndarray,
                         tgt: np.ndarray) -> list[float | None]:
    """For each bead with both sides (None for null beads), how close a sentence just outside
    it comes to its own match: the highest cosine of one of its sentences with the other
    side's sentence just before or after the bead, minus the mean cosine of its sentences
    with their best partner inside the bead. ``src`` and ``tgt`` are unit sentence vectors.

    Around -0.4 on clean news; near 0 where the two sides' sentence boundaries cross (the
    bead's neighbour holds part of its translation, as in a split 2-2 bead).

    >>> vectors = np.eye(3)
    >>> neighbour_similarity([(1, 1, 1, 1), (1, 1, 2, 2), (1, 0, 3, 2)], vectors, vectors)
    [-1.0, -1.0, None]
    >>> tgt = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0]])  # target 1 also resembles source 0
    >>> [round(v, 2) for v in neighbour_similarity([(1, 1, 1, 1), (1, 1, 2, 2)], vectors[:2], tgt)]
    [-0.4, -0.2]
    """
    out: list[float | None] = [None] * len(path)
    by_shape: dict[tuple[int, int], list[int]] = {}
    for k, (a, b, _, _) in enumerate(path):
        if a and b:
            by_shape.setdefault((a, b), []).append(k)
    # beads of one shape share a window width, so one wide bead never widens the others'
    for (a, b), beads in sorted(by_shape.items()):
        step = max(1, NEIGHBOUR_ROWS // (a + b + 4))
        for first in range(0, len(beads), step):
            chunk = beads[first:first + step]
            values = _neighbour_windows(np.array([path[k] for k in chunk]), src, tgt)
            for k, value in zip(chunk, values.tolist()):
                out[k] = value
    return out


def _neighbour_windows(beads: np.ndarray, src: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    """:func:`neighbour_similarity` of beads ``(a, b, i, j)`` with both sides, together: each
    bead's window holds its sentences and the one just before and after on each side."""
    a, b, i, j = beads.T
    src_in, src_near, src_rows = _window(i - a, i, len(src))
    tgt_in, tgt_near, tgt_rows = _window(j - b, j, len(tgt))
    # one product per cell, its own sum (einsum, not BLAS): a cosine never depends on the
    # window's shape, so on the other beads
    cosine = np.einsum("nad,nbd->nab", src[src_rows], tgt[tgt_rows])
    inside = np.where(src_in[:, :, None] & tgt_in[:, None, :], cosine, -np.inf)
    # summed in order (cumsum): the zeros of a wider window then change no bit
    best = (np.where(src_in, inside.max(axis=2), 0).cumsum(axis=1)[:, -1]
            + np.where(tgt_in, inside.max(axis=1), 0).cumsum(axis=1)[:, -1])
    own = best / (a + b).astype(np.float32)
    near_cells = ((src_in[:, :, None] & tgt_near[:, None, :])
                  | (src_near[:, :, None] & tgt_in[:, None, :]))
    near = np.where(near_cells, cosine, -np.inf).max(axis=(1, 2))
    near[near == -np.inf] = 0.0  # alone in its document: no neighbour
    return near.astype(np.float64) - own.astype(np.float64)


def _window(first: np.ndarray, stop: np.ndarray,
            count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bead, sentences ``first - 1 .. stop`` of a side of ``count``: which are the bead's,
    which are its neighbours (those that exist), and their indices (clipped into range)."""
    index = (first - 1)[:, None] + np.arange(int((stop - first).max()) + 2)
    inside = (index >= first[:, None]) & (index < stop[:, None])
    near = ((index == (first - 1)[:, None]) | (index == stop[:, None])) & (index >= 0) & (
        index < count)
    return inside, near, index.clip(0, count - 1)


def align_sentences(src: Sequence[str], tgt: Sequence[str], config: AlignConfig | None = None,
                    translation: Sequence[str] | None = None,
                    src_paragraphs: Sequence[int] | None = None,
                    tgt_paragraphs: Sequence[int] | None = None, *,
                    scored: bool = True) -> list[Bead]:
    """Align two lists of sentences into beads, in order, covering every sentence once.

    ``translation`` is a machine translation of ``src`` into the target language, line by line;
    ``src_paragraphs``/``tgt_paragraphs`` give each sentence's paragraph id: no bead crosses a
    paragraph boundary. ``scored=False`` gives the same beads without their posterior,
    calibrated confidence and scores (the :class:`Bead` defaults), for callers that read only
    which sentences each bead joins (pair verification).
    """
    config = config or AlignConfig()
    if translation is not None and len(translation) != len(src):
        raise InputError(f"the translation has {len(translation)} lines but the source has "
                         f"{len(src)} sentences; give one translated line per source sentence")
    src_breaks = _breaks(src_paragraphs, len(src), "source")
    tgt_breaks = _breaks(tgt_paragraphs, len(tgt), "target")
    if not src or not tgt:
        return _null_beads(len(src), len(tgt))
    scorers = _PREPARED.get(src, tgt, config, translation)
    vectors = sentence_vectors(scorers)
    weights = {name: config.weight(name) * scorer.reliability for name, scorer in scorers.items()}
    units = similarity_units(weights)
    skip = config.skip * units
    # the bead cost is counted in similarity evidence: without such a signal there is none
    similarity = any(SIGNALS[name].similarity for name in scorers)
    combined = CombinedScorer(scorers, weights, config.merge_penalty, config.size_power,
                              config.bead_cost * units * similarity)
    if (len(src) + 1) * (len(tgt) + 1) <= FULL_SEARCH_CELLS:
        band = Band.full(len(src), len(tgt))
    else:
        src_len = np.array([len(s) for s in src], dtype=np.float64)
        tgt_len = np.array([len(s) for s in tgt], dtype=np.float64)
        features = next((f for f in (s.sentence_features() for s in scorers.values()) if f),
                        (src_len[:, None], tgt_len[:, None]))
        nodes = coarse_nodes(features[0].astype(np.float64), features[1].astype(np.float64),
                             src_len, tgt_len, config.skip, config.coarse_cells)
        band = Band.around(nodes, len(src), len(tgt), config.band)
    types = bead_types(config.max_bead)

    def search(scored: bool) -> list[Bead]:
        lattice = Lattice.build(band, types, combined, skip, src_breaks, tgt_breaks)
        if not scored:
            path = attach_marks(lattice.best_path(len(tgt)), src, tgt, src_breaks, tgt_breaks)
            return [Bead(tuple(range(i - a, i)), tuple(range(j - b, j))) for a, b, i, j in path]
        return _search(lattice, combined, units, src, tgt, src_breaks, tgt_breaks, vectors)

    # a scorer that refines reads the first search's confidences
    beads = search(scored or any(scorer.refines for scorer in scorers.values()))
    refined = [scorer.refine(beads) for scorer in scorers.values()]  # every scorer is asked
    if any(refined):
        return search(scored)
    return beads if scored else [Bead(bead.src, bead.tgt) for bead in beads]


def _search(lattice: Lattice, combined: CombinedScorer, units: float, src: Sequence[str],
            tgt: Sequence[str], src_breaks: np.ndarray | None, tgt_breaks: np.ndarray | None,
            vectors: tuple[np.ndarray, np.ndarray] | None) -> list[Bead]:
    """The best path's beads, with each one's posterior in the lattice, its neighbour
    similarity (from the sentence ``vectors``, where there are any) and its confidence."""
    raw = lattice.best_path(len(tgt))
    posterior = lattice.posteriors(raw, CONFIDENCE_TEMPERATURE * units)
    path = attach_marks(raw, src, tgt, src_breaks, tgt_breaks)
    neighbours = (neighbour_similarity(path, *(normalise_rows(np.asarray(v, dtype=np.float32))
                                               for v in vectors))
                  if vectors else [None] * len(path))
    return _make_beads(path, combined, lattice.skip, units,
                       joined_posteriors(raw, posterior, path), neighbours)


def joined_posteriors(raw: Sequence[tuple[int, int, int, int]], posterior: np.ndarray,
                      path: Sequence[tuple[int, int, int, int]]) -> list[float]:
    """Posterior of each bead of ``path``, which joins consecutive beads of ``raw`` (stray
    marks attached): the least posterior among the joined beads with both sides.

    >>> joined_posteriors([(1, 1, 1, 1), (1, 0, 2, 1)], np.array([0.8, 0.3]), [(2, 1, 2, 1)])
    [0.8]
    """
    out, k = [], 0
    for _, _, i, j in path:
        parts = []
        while not parts or raw[k - 1][2:] != (i, j):
            parts.append((raw[k][0] and raw[k][1], float(posterior[k])))
            k += 1
        out.append(min(p for paired, p in parts if paired or not any(q for q, _ in parts)))
    return out


# a stray dash, bullet or quote: one or two marks, no letter or digit (longer wordless lines,
# such as OCR noise "....." or "- _-", are left to the search: often nobody translated them)
_MARK = re.compile(r"^\s*[\W_]{0,2}\s*$")


def attach_marks(path: list[tuple[int, int, int, int]], src: Sequence[str], tgt: Sequence[str],
                 src_breaks: np.ndarray | None = None, tgt_breaks: np.ndarray | None = None
                 ) -> list[tuple[int, int, int, int]]:
    """Join null beads of stray marks ("-", "*") to the neighbouring bead.

    Such a line is punctuation that the splitter cut off (a dialogue dash, a bullet), never a
    sentence a translator left out; it joins the bead before it in its paragraph, else the
    bead after it.

    >>> attach_marks([(1, 1, 1, 1), (1, 0, 2, 1)], ["Da.", "-"], ["Yes."])
    [(2, 1, 2, 1)]
    >>> attach_marks([(0, 1, 0, 1), (1, 1, 1, 2)], ["Da."], ["*", "Yes."])
    [(1, 2, 1, 2)]
    >>> attach_marks([(1, 1, 1, 1), (1, 0, 2, 1)], ["Da.", "....."], ["Yes."])  # OCR noise
    [(1, 1, 1, 1), (1, 0, 2, 1)]
    """
    beads = list(path)
    k = 0
    while k < len(beads):
        a, b, i, j = beads[k]
        side, breaks, at = (src, src_breaks, i - 1) if b == 0 else (tgt, tgt_breaks, j - 1)
        if (a + b == 1 and _MARK.match(side[at])
                and _join(beads, k, b == 0, _starts_paragraph(breaks, at),
                          _starts_paragraph(breaks, at + 1))):
            continue
        k += 1
    return beads


def _starts_paragraph(breaks: np.ndarray | None, index: int) -> bool:
    return breaks is not None and index < len(breaks) and bool(breaks[index])


def _join(beads: list[tuple[int, int, int, int]], k: int, on_src: bool, cut_before: bool,
          cut_after: bool) -> bool:
    """Merge the one-sentence null bead ``k`` into a non-null neighbour; whether it could."""
    da, db = (1, 0) if on_src else (0, 1)
    if k > 0 and not cut_before:
        a, b, i, j = beads[k - 1]
        if a and b:
            beads[k - 1:k + 1] = [(a + da, b + db, i + da, j + db)]
            return True
    if k + 1 < len(beads) and not cut_after:
        a, b, i, j = beads[k + 1]
        if a and b:
            beads[k:k + 2] = [(a + da, b + db, i, j)]
            return True
    return False


def similarity_units(weights: Mapping[str, float]) -> float:
    """Units of similarity evidence in use: the weights of the similarity signals among
    ``weights`` (1.0 without any).

    Each similarity signal (:attr:`Signal.similarity`: embedding, MT) adds about one unit to a
    right bead's total, so the cost of leaving a sentence out (``skip`` per unit), the per-bead
    cost and the confidence scale grow with them; length and anchors only adjust.

    >>> similarity_units({"embedding": 1.0, "mt": 0.5, "length": 0.05})
    1.5
    """
    return sum(w for name, w in weights.items() if SIGNALS[name].similarity) or 1.0


def _make_beads(path: list[tuple[int, int, int, int]], combined: CombinedScorer, skip: float,
                units: float, posteriors: Sequence[float],
                neighbours: Sequence[float | None]) -> list[Bead]:
    """Beads of a path with their scores (one call per signal), posterior, neighbour
    similarity and confidence."""
    by_type: dict[tuple[int, int], list[int]] = {}
    for k, (a, b, _, _) in enumerate(path):
        if a and b:
            by_type.setdefault((a, b), []).append(k)
    scores: list[dict[str, float]] = [{"total": skip} for _ in path]
    members = [k for group in by_type.values() for k in group]
    if members:
        rows = np.array([path[k][2] for k in members])
        cols = np.array([path[k][3] for k in members])
        counts = [len(group) for group in by_type.values()]
        for k, bead_scores in zip(members, combined.breakdown_types(list(by_type), counts,
                                                                    rows, cols)):
            # the evidence: the total without the search's per-bead cost, per similarity unit
            scores[k] = {**bead_scores,
                         "evidence": (bead_scores["total"] + combined.bead_cost) / units}
    for k, neighbour in enumerate(neighbours):
        if neighbour is not None:
            scores[k]["neighbour"] = neighbour
        scores[k]["posterior"] = float(posteriors[k])
    sizes = [(a, b) for a, b, _, _ in path]
    conf = confidences(_features(scores, sizes), np.array([bool(a and b) for a, b in sizes]))
    return [Bead(tuple(range(i - a, i)), tuple(range(j - b, j)), float(c), bead_scores)
            for (a, b, i, j), c, bead_scores in zip(path, conf, scores)]


def align_documents(src: Document, tgt: Document, config: AlignConfig | None = None,
                    translation: Sequence[str] | None = None) -> Alignment:
    """Align two ingested documents (paragraphs are hard boundaries) into an :class:`Alignment`."""
    config = config or AlignConfig()
    config = replace(config, src_lang=config.src_lang or src.lang,
                     tgt_lang=config.tgt_lang or tgt.lang)
    beads = align_sentences(src.sentence_texts, tgt.sentence_texts, config, translation,
                            [s.paragraph for s in src.sentences],
                            [s.paragraph for s in tgt.sentences])
    options = dict(config.to_json(), translation=translation is not None,
                   confidence=confidence_model())
    return Alignment(src.id, tgt.id, src.lang, tgt.lang, tuple(src.sentence_texts),
                     tuple(tgt.sentence_texts), tuple(beads), make_signature("align", options))
