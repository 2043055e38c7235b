"""Evidence that two documents are translations, and its calibration into a confidence.

Each candidate pair gets a few numbers, all in [0, 1]: the share of sentences on each side
that the alignment engine puts in confident beads, beads whose two sides' sentence vectors
agree (``coverage_src``, ``coverage_tgt``; ``aligned`` is 0 when a cheap pre-check found too
few sentences with any counterpart to be worth aligning, and coverage is then that share), the
agreement of numbers, dates and names (``numbers``, ``dates``, ``names``: absent when neither
side has any), the length ratio (``length``), the cosine of the pooled document vectors
(``embedding``), how far that cosine stands above both documents' other neighbours
(``margin``), and the chrF of a machine translation against the target when one is available
(``mt_chrf``). A logistic model turns them into the probability of a translation
(``confidence``) and a separate one into the probability of a shared topic (``relatedness``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from aligner.pair.anchors import Anchors, dice
from aligner.pair.relation import EventFacts, date_agreement, participant_overlap
from aligner.records import Bead, Document, PairEvidence

# Logistic weights of the parallel model. Coverage does most of the work: a translation
# aligns nearly every sentence, a same-event report a few; the margin keeps two near-identical
# templates (product pages) apart. Anchor terms are centred on 0.5, so a kind absent from
# both sides counts neither for nor against. Chosen on a coarse grid for the widest gap
# between true and false candidates of the wmt22 dev variants (split, split_perturbed,
# seg_perturbed; 770 candidates), then checked on the seeds; a coarse grid, not a fit.
PARALLEL_WEIGHTS: Mapping[str, float] = {
    "bias": -8.0, "coverage": 10.0, "embedding": 2.0, "margin": 14.0, "length": 1.0,
    "numbers": 2.5, "dates": 1.0, "names": 1.0, "mt_chrf": 5.0,
}
# Document chrF of a real MT (WMT22 Online-B on seg_perturbed) against the target: true
# pairs 0.45-0.9 (median 0.66), false candidates that reach alignment 0.2-0.6 (median 0.40);
# the centre sits at the lowest true pair, so MT only ever adds a little against a pair.
MT_CHRF_CENTRE = 0.45
# Weights of the topic model: the pooled cosine and shared names say "same story".
RELATED_WEIGHTS: Mapping[str, float] = {"bias": -7.5, "embedding": 11.0, "names": 2.0,
                                        "dates": 1.0, "numbers": 0.5}


@dataclass(frozen=True)
class DocumentView:
    """What verification needs from one document, computed once and shared by its candidates."""

    document: Document
    sentences: tuple[str, ...]
    vectors: np.ndarray
    anchors: Anchors
    characters: int
    facts: EventFacts


def bead_similarity(bead: Bead, src_vectors: np.ndarray, tgt_vectors: np.ndarray) -> float:
    """Cosine of the summed sentence vectors of a bead's two sides (0 for a null bead).

    >>> vectors = np.eye(2, dtype=np.float32)
    >>> round(bead_similarity(Bead((0, 1), (0,)), vectors, vectors), 4)
    0.7071
    """
    if bead.is_null:
        return 0.0
    src = src_vectors[list(bead.src)].sum(axis=0)
    tgt = tgt_vectors[list(bead.tgt)].sum(axis=0)
    norms = float(np.linalg.norm(src) * np.linalg.norm(tgt))
    return float(src @ tgt) / norms if norms else 0.0


def coverage(beads: Sequence[Bead], src_vectors: np.ndarray, tgt_vectors: np.ndarray,
             min_similarity: float) -> tuple[float, float]:
    """Share of source and target sentences in beads whose sides' cosine reaches the bar.

    The engine's own bead confidence is relative to the other candidate beads of the pair,
    so in a two-sentence document even a true bead can look doubtful; the cosine of a bead is
    an absolute measure of whether its two sides say the same thing.

    >>> vectors = np.eye(3, dtype=np.float32)
    >>> beads = [Bead((0,), (0,)), Bead((1,), ()), Bead((2,), (1,))]
    >>> coverage(beads, vectors, vectors[[0, 2]], min_similarity=0.5)
    (0.6666666666666666, 1.0)
    """
    confident = [bead for bead in beads
                 if bead_similarity(bead, src_vectors, tgt_vectors) >= min_similarity]
    src_covered = sum(len(bead.src) for bead in confident)
    tgt_covered = sum(len(bead.tgt) for bead in confident)
    return src_covered / max(len(src_vectors), 1), tgt_covered / max(len(tgt_vectors), 1)


def length_ratio(src_characters: int, tgt_characters: int) -> float:
    """Shorter over longer body length, in characters (1.0 for equal lengths).

    >>> length_ratio(90, 100), length_ratio(0, 0)
    (0.9, 1.0)
    """
    longer = max(src_characters, tgt_characters)
    return min(src_characters, tgt_characters) / longer if longer else 1.0


def matched_shares(src_vectors: np.ndarray, tgt_vectors: np.ndarray,
                   min_similarity: float) -> tuple[float, float]:
    """Share of sentences on each side whose best match on the other side reaches the bar.

    Order is ignored: a cheap stand-in for coverage (one small matrix product, no
    alignment), used to skip the alignment of candidates that cannot be translations, and,
    at a stricter bar, the share of sentences two reports of one event have in common.

    >>> vectors = np.eye(3, dtype=np.float32)
    >>> matched_shares(vectors, vectors[:1], 0.5)
    (0.3333333333333333, 1.0)
    """
    similarity = src_vectors @ tgt_vectors.T
    return (float(np.mean(similarity.max(axis=1) >= min_similarity)),
            float(np.mean(similarity.max(axis=0) >= min_similarity)))


def gather_evidence(src: DocumentView, tgt: DocumentView, beads: Sequence[Bead] | None,
                    similarity: float, margin: float, min_bead_similarity: float,
                    sentence_match: float, mt_chrf: float | None = None,
                    shares: tuple[float, float] = (0.0, 0.0)) -> PairEvidence:
    """All evidence of one candidate pair, the event evidence of
    :mod:`aligner.pair.relation` included.

    ``beads`` is ``None`` when the alignment was skipped: coverage is then the ``shares`` of
    :func:`matched_shares` and ``aligned`` is false.
    """
    if beads is None:
        coverage_src, coverage_tgt = shares
    else:
        coverage_src, coverage_tgt = coverage(beads, src.vectors, tgt.vectors,
                                              min_bead_similarity)
    sentences_src, sentences_tgt = matched_shares(src.vectors, tgt.vectors, sentence_match)
    return PairEvidence(
        coverage_src=coverage_src, coverage_tgt=coverage_tgt, aligned=beads is not None,
        length=length_ratio(src.characters, tgt.characters),
        embedding=max(similarity, 0.0), margin=max(margin, 0.0),
        sentences_src=sentences_src, sentences_tgt=sentences_tgt,
        numbers=dice(src.anchors.numbers, tgt.anchors.numbers),
        dates=dice(src.anchors.dates, tgt.anchors.dates),
        names=dice(src.anchors.names, tgt.anchors.names),
        participants=participant_overlap(src.facts.names, tgt.facts.names),
        event_date=date_agreement(src.facts.dates, tgt.facts.dates), mt_chrf=mt_chrf)


def parallel_confidence(evidence: PairEvidence) -> float:
    """Probability that the pair is a translation, from its evidence.

    >>> from dataclasses import replace
    >>> strong = PairEvidence(coverage_src=1.0, coverage_tgt=0.95, aligned=True, length=0.9,
    ...                       embedding=0.85, margin=0.4, sentences_src=1.0, sentences_tgt=0.9,
    ...                       names=0.7)
    >>> parallel_confidence(strong) > 0.9
    True
    >>> same_event = replace(strong, coverage_src=0.2, coverage_tgt=0.1, embedding=0.7,
    ...                      margin=0.05, length=0.6, names=0.5)
    >>> parallel_confidence(same_event) < 0.1
    True
    """
    weights = PARALLEL_WEIGHTS
    score = (weights["bias"]
             + weights["coverage"] * min(evidence.coverage_src, evidence.coverage_tgt)
             + weights["embedding"] * evidence.embedding
             + weights["margin"] * evidence.margin
             + weights["length"] * evidence.length
             + _anchor_terms(evidence, weights, centre=0.5))
    if evidence.mt_chrf is not None:
        score += weights["mt_chrf"] * (evidence.mt_chrf - MT_CHRF_CENTRE)
    return _logistic(score)


def relatedness(evidence: PairEvidence) -> float:
    """Probability that the two documents tell the same story, translated or not.

    >>> from dataclasses import replace
    >>> pair = PairEvidence(coverage_src=0.0, coverage_tgt=0.0, aligned=False, length=0.8,
    ...                     embedding=0.75, margin=0.0, sentences_src=0.0, sentences_tgt=0.0)
    >>> relatedness(replace(pair, names=0.5)) > 0.5 > relatedness(replace(pair, embedding=0.3))
    True
    """
    weights = RELATED_WEIGHTS
    return _logistic(weights["bias"] + weights["embedding"] * evidence.embedding
                     + _anchor_terms(evidence, weights, centre=0.0))


def _anchor_terms(evidence: PairEvidence, weights: Mapping[str, float],
                  centre: float) -> float:
    agreements = {"numbers": evidence.numbers, "dates": evidence.dates, "names": evidence.names}
    return sum(weights[kind] * (value - centre)
               for kind, value in agreements.items() if value is not None)


def _logistic(score: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(score, 50.0), -50.0)))
