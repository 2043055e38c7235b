"""Length signal: Gale and Church's (1993) log-probability of the two spans' character lengths.

The expected target/source length ratio is the document's own (its total lengths, as Gale and
Church do), and the spread is stated relative to the document's mean sentence length, so
Japanese against English (one character against three) is scored as fairly as German against
French. Where both sides write with scripts of the same density (two alphabets; or Chinese,
Japanese, Korean on both sides) character counts are comparable, so the ratio is shrunk
towards 1 by ``PRIOR_SENTENCES`` sentences' worth of text: one omitted sentence of a short
document then does not skew it. Between an alphabet and CJK there is no such prior. Measured on
the dev pool, the ratio and spread of the document's confident one-to-one pairs did worse:
those pairs are the easy ones (their spread is too small) and in short documents half of them
may be halves of merged lines.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence

import numpy as np

from aligner.signals.base import (PrefixSums, Signal, SignalInput, SpanScorer, bead_sizes,
                                  register)

# Gale-Church's 6.8 characters of variance per character, for sentences of about 120
# characters: a relative spread sd / mean of 0.24 for a sentence of average length.
RELATIVE_SPREAD = 0.24
PRIOR_SENTENCES = 8.0  # weight of the prior ratio 1 (same script density), in mean sentences
DENSE_SHARE = 0.3  # a side whose letters are at least this share CJK/Hangul is a dense script
_DENSE = re.compile("[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
FLOOR = -10.0  # log-probabilities below this carry no further information, only noise


def _normal_log_tail(delta: np.ndarray) -> np.ndarray:
    """log P(|Z| >= |delta|) for a standard normal Z, floored at ``FLOOR``.

    >>> _normal_log_tail(np.array([0.0, 1.96])).round(3).tolist()  # 5 % two-sided at 1.96
    [-0.0, -2.996]
    """
    x = np.abs(np.asarray(delta, dtype=np.float64)) / math.sqrt(2.0)
    # erfc(x) by Abramowitz and Stegun 7.1.26 (error < 1.5e-7), in log space to avoid underflow
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                                                                          + t * 1.061405429))))
    return np.maximum(np.log(poly) - x * x, FLOOR)


class LengthScorer(SpanScorer):
    """Gale-Church match score of span lengths, with the document's own ratio and scale.

    >>> scorer = LengthScorer(np.array([10.0, 20, 30]), np.array([30.0, 60, 90]))
    >>> scorer.ratio, scorer.score(1, 1, np.array([2]), np.array([2])).round(6).tolist()
    (3.0, [-0.0])
    """

    def __init__(self, src_lengths: np.ndarray, tgt_lengths: np.ndarray,
                 prior_ratio: float | None = None) -> None:
        src_lengths = np.asarray(src_lengths, dtype=np.float64)
        tgt_lengths = np.asarray(tgt_lengths, dtype=np.float64)
        self.src = PrefixSums(src_lengths[:, None])
        self.tgt = PrefixSums(tgt_lengths[:, None])
        prior = 0.0 if prior_ratio is None else PRIOR_SENTENCES * _mean(src_lengths)
        self.ratio = ((max(float(tgt_lengths.sum()), 1.0) + prior * (prior_ratio or 0.0))
                      / (max(float(src_lengths.sum()), 1.0) + prior))
        self.variance = RELATIVE_SPREAD ** 2 * _mean(tgt_lengths)

    def score(self, a: int | np.ndarray, b: int | np.ndarray, rows: np.ndarray,
              cols: np.ndarray) -> np.ndarray:
        src_len = self.src.spans(rows, a)[:, 0] * self.ratio
        tgt_len = self.tgt.spans(cols, b)[:, 0]
        mean = np.maximum((src_len + tgt_len) / 2.0, 1.0)
        delta = (tgt_len - src_len) / np.sqrt(mean * self.variance)
        return _normal_log_tail(delta)

    def score_types(self, types: Sequence[tuple[int, int]], counts: Sequence[int],
                    rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """:meth:`score` of several bead types at once (each bead's sizes as arrays)."""
        return self.score(*bead_sizes(types, counts), rows, cols)


@register
class LengthSignal(Signal):
    """Sentence-length prior (Gale-Church, ratio and scale from the document)."""

    name = "length"
    help = "the length (Gale-Church) signal"
    weight = 0.02

    def prepare(self, data: SignalInput) -> LengthScorer:
        same_density = _dense_side(tuple(data.src)) == _dense_side(tuple(data.tgt))
        return LengthScorer(np.array([len(s) for s in data.src], dtype=np.float64),
                            np.array([len(s) for s in data.tgt], dtype=np.float64),
                            1.0 if same_density else None)


def _mean(lengths: np.ndarray) -> float:
    return max(float(lengths.mean()), 1.0) if len(lengths) else 1.0


@functools.lru_cache(maxsize=1024)
def _dense_side(sentences: tuple[str, ...]) -> bool:
    """:func:`dense_script`, kept for the sides seen last: pairing verifies a document against
    each of its candidates, so the same side is prepared several times in a row."""
    return dense_script(sentences)


def dense_script(sentences: Sequence[str]) -> bool:
    """Whether a side is written mostly in a dense script (Chinese, Japanese, Korean).

    >>> dense_script(["東京で会談した。"]), dense_script(["Talks in Tokyo."])
    (True, False)
    """
    letters = sum(map(str.isalpha, "".join(sentences)))
    return sum(len(_DENSE.findall(s)) for s in sentences) >= DENSE_SHARE * max(letters, 1)
