"""Sentence alignment: signals -> coarse path -> band -> full bead search -> beads.

1. Each enabled signal prepares a scorer for the document pair.
2. For all but short documents, a cheap coarse-to-fine pass (cosine of per-sentence vectors
   and lengths, with 1-1, 1-2, 2-1, 2-2 and null beads; halving both sides until the matrix
   is small) finds a rough path.
3. The full search runs in a band around that path (short documents: over every cell) with
   every bead type up to ``max_bead`` sentences, scoring each candidate by the weighted sum of
   the signals.
4. Every bead gets its per-signal scores and a calibrated confidence.
5. Each scorer is offered those beads (:meth:`SpanScorer.refine`, the calibration hook); if
   any changed, the search runs once more. The search asks the signals what they are
   (``similarity``, ``needs_translation``) and never tests a signal's name or type.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np

from aligner.align.config import AlignConfig
from aligner.align.search import Band, BeadType, best_path
from aligner.errors import InputError
from aligner.records import Alignment, Bead, Document
from aligner.signals import SIGNALS, SignalInput, SpanScorer
from aligner.signals.base import pair_dots
from aligner.signals.embedding import SideVectors
from aligner.signals.length import LengthScorer
from aligner.signature import make_signature

COARSE_TYPES: tuple[BeadType, ...] = ((1, 1), (1, 2), (2, 1), (2, 2))
COARSE_RADIUS = 6
FULL_SEARCH_CELLS = 2_500  # smaller documents are searched whole: a coarse pass costs more
# Confidence = CONFIDENCE_CEILING * logistic(CONFIDENCE_SLOPE * (total / units - CONFIDENCE_CENTER))
# for beads with
# both sides (units: weight of the similarity signals in use, see similarity_units), and
# NULL_CONFIDENCE (the strict precision of null beads) for null beads. Fitted on the dev sets
# (textberg-dev, wmt22 seg_perturbed and split_perturbed, with and without MT) by
# ``benchmarks/align_quality.py --calibrate``: a maximum-likelihood fit of "bead is strictly
# right" on the bead's normalised total (the ceiling: even top beads are wrong 2-3 % of the
# time), so a bead's confidence is its chance of being right and beads under 0.5 are mostly
# wrong.
CONFIDENCE_CEILING = 0.986
CONFIDENCE_CENTER = 0.06
CONFIDENCE_SLOPE = 15.0
NULL_CONFIDENCE = 0.98


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
        evidence = np.zeros(len(rows))
        for name, scorer in self.scorers.items():
            evidence += self.weights[name] * scorer.score(a, b, rows, cols)
        # A bead's evidence speaks for all its sentences: scaling it by the bead's size keeps
        # one right 2-2 bead from losing to two wrong 1-1 beads merely by counting twice.
        return (evidence * ((a + b) / 2) ** self.size_power - self.merge_penalty * (a + b - 2)
                - self.bead_cost)

    def breakdown(self, a: int, b: int, rows: np.ndarray, cols: np.ndarray
                  ) -> list[dict[str, float]]:
        """Each signal's raw score of each bead, plus ``total`` (one call per signal)."""
        scores = {name: s.score(a, b, rows, cols) for name, s in self.scorers.items()}
        scores["total"] = self(a, b, rows, cols)
        return [{name: float(values[k]) for name, values in scores.items()}
                for k in range(len(rows))]


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


def _prepare(src: Sequence[str], tgt: Sequence[str], config: AlignConfig,
             translation: Sequence[str] | None) -> dict[str, SpanScorer]:
    data = SignalInput(src=src, tgt=tgt, src_lang=config.src_lang, tgt_lang=config.tgt_lang,
                       translation=translation, max_span=config.max_bead - 1)
    return {name: config.signal(name).prepare(data) for name in config.signals
            if translation is not None or not SIGNALS[name].needs_translation}


def _null_beads(src_count: int, tgt_count: int) -> list[Bead]:
    return ([Bead((i,), (), 1.0, {}) for i in range(src_count)]
            + [Bead((), (j,), 1.0, {}) for j in range(tgt_count)])


def confidence(total: float) -> float:
    """Calibrated probability that a bead with this total score is right.

    >>> confidence(CONFIDENCE_CENTER) == CONFIDENCE_CEILING / 2
    True
    """
    exponent = min(-CONFIDENCE_SLOPE * (total - CONFIDENCE_CENTER), 700.0)
    return CONFIDENCE_CEILING / (1.0 + math.exp(exponent))


def align_sentences(src: Sequence[str], tgt: Sequence[str], config: AlignConfig | None = None,
                    translation: Sequence[str] | None = None,
                    src_paragraphs: Sequence[int] | None = None,
                    tgt_paragraphs: Sequence[int] | None = None) -> list[Bead]:
    """Align two lists of sentences into beads, in order, covering every sentence once.

    ``translation`` is a machine translation of ``src`` into the target language, line by line;
    ``src_paragraphs``/``tgt_paragraphs`` give each sentence's paragraph id: no bead crosses a
    paragraph boundary.
    """
    config = config or AlignConfig()
    if translation is not None and len(translation) != len(src):
        raise InputError(f"the translation has {len(translation)} lines but the source has "
                         f"{len(src)} sentences; give one translated line per source sentence")
    src_breaks = _breaks(src_paragraphs, len(src), "source")
    tgt_breaks = _breaks(tgt_paragraphs, len(tgt), "target")
    if not src or not tgt:
        return _null_beads(len(src), len(tgt))
    scorers = _prepare(src, tgt, config, translation)
    units = similarity_units(config, scorers)
    skip = config.skip * units
    # the bead cost is counted in similarity evidence: without such a signal there is none
    similarity = any(SIGNALS[name].similarity for name in scorers)
    combined = CombinedScorer(scorers, {name: config.weight(name) for name in scorers},
                              config.merge_penalty, config.size_power,
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
    path = best_path(band, len(tgt), types, combined, skip, src_breaks, tgt_breaks)
    path = attach_marks(path, src, tgt, src_breaks, tgt_breaks)
    beads = _make_beads(path, combined, skip, units)
    refined = [scorer.refine(beads) for scorer in scorers.values()]  # every scorer is asked
    if any(refined):
        path = best_path(band, len(tgt), types, combined, skip, src_breaks, tgt_breaks)
        path = attach_marks(path, src, tgt, src_breaks, tgt_breaks)
        beads = _make_beads(path, combined, skip, units)
    return beads


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


def similarity_units(config: AlignConfig, signals: Iterable[str]) -> float:
    """Units of similarity evidence in use: the weights of the similarity signals among
    ``signals`` (1.0 without any).

    Each similarity signal (:attr:`Signal.similarity`: embedding, MT) adds about one unit to a
    right bead's total, so the cost of leaving a sentence out (``skip`` per unit), the per-bead
    cost and the confidence scale grow with them; length and anchors only adjust.

    >>> similarity_units(AlignConfig(), ["embedding", "mt", "length"])
    2.0
    """
    return sum(config.weight(name) for name in signals if SIGNALS[name].similarity) or 1.0


def _make_beads(path: list[tuple[int, int, int, int]], combined: CombinedScorer, skip: float,
                units: float) -> list[Bead]:
    """Beads of a path with their scores, scored in one call per bead type."""
    by_type: dict[tuple[int, int], list[int]] = {}
    for k, (a, b, _, _) in enumerate(path):
        if a and b:
            by_type.setdefault((a, b), []).append(k)
    scores: dict[int, dict[str, float]] = {}
    for (a, b), members in by_type.items():
        rows = np.array([path[k][2] for k in members])
        cols = np.array([path[k][3] for k in members])
        scores.update(zip(members, combined.breakdown(a, b, rows, cols)))
    beads = []
    for k, (a, b, i, j) in enumerate(path):
        src, tgt = tuple(range(i - a, i)), tuple(range(j - b, j))
        if k not in scores:
            beads.append(Bead(src, tgt, NULL_CONFIDENCE, {"total": skip}))
        else:
            # confidence reads the evidence, without the search's per-bead cost
            total = scores[k]["total"] + combined.bead_cost
            beads.append(Bead(src, tgt, confidence(total / units), scores[k]))
    return beads


def align_documents(src: Document, tgt: Document, config: AlignConfig | None = None,
                    translation: Sequence[str] | None = None) -> Alignment:
    """Align two ingested documents (paragraphs are hard boundaries) into an :class:`Alignment`."""
    config = config or AlignConfig()
    config = replace(config, src_lang=config.src_lang or src.lang,
                     tgt_lang=config.tgt_lang or tgt.lang)
    beads = align_sentences(src.sentence_texts, tgt.sentence_texts, config, translation,
                            [s.paragraph for s in src.sentences],
                            [s.paragraph for s in tgt.sentences])
    options = dict(config.to_json(), translation=translation is not None)
    return Alignment(src.id, tgt.id, src.lang, tgt.lang, tuple(src.sentence_texts),
                     tuple(tgt.sentence_texts), tuple(beads), make_signature("align", options))
