"""Length signal: Gale and Church's (1993) log-probability of the two spans' character lengths.

The expected target/source length ratio is estimated from the document pair itself (so it
works for any language pair); the variance per character is Gale and Church's 6.8.
"""

from __future__ import annotations

import math

import numpy as np

from aligner.signals.base import PrefixSums, Signal, SignalInput, SpanScorer, register

VARIANCE_PER_CHAR = 6.8
PRIOR_CHARS = 1000.0  # weight of the prior ratio 1.0, in characters of text
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
    """Gale-Church match score of span lengths."""

    def __init__(self, src_lengths: np.ndarray, tgt_lengths: np.ndarray) -> None:
        # shrunk towards 1: in a short document one omitted sentence would skew the ratio
        self.ratio = ((float(tgt_lengths.sum()) + PRIOR_CHARS)
                      / (float(src_lengths.sum()) + PRIOR_CHARS))
        self.src = PrefixSums(src_lengths[:, None])
        self.tgt = PrefixSums(tgt_lengths[:, None])

    def score(self, a: int, b: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        src_len = self.src.spans(rows, a)[:, 0] * self.ratio
        tgt_len = self.tgt.spans(cols, b)[:, 0]
        mean = np.maximum((src_len + tgt_len) / 2.0, 1.0)
        delta = (tgt_len - src_len) / np.sqrt(mean * VARIANCE_PER_CHAR)
        return _normal_log_tail(delta)


@register
class LengthSignal(Signal):
    """Sentence-length prior (Gale-Church)."""

    name = "length"
    help = "the length (Gale-Church) signal"
    weight = 0.05

    def prepare(self, data: SignalInput) -> LengthScorer:
        return LengthScorer(np.array([len(s) for s in data.src], dtype=np.float64),
                            np.array([len(s) for s in data.tgt], dtype=np.float64))
