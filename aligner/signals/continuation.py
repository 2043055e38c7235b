"""Continuation signal: a bead should end where both sides' sentences end alike.

Splitters of tokenised corpora cut at colons and semicolons, so a "sentence" ending in ``:``,
``;`` or ``,`` often goes on in the next line ("a ) la réfraction ... ;" / "b ) ..."). A bead
that ends after such a line on one side but after a full stop on the other has most likely cut
that side's sentence short. Where both sides end alike (``said:`` / ``заявил:``) nothing is
paid, so parallel splits are not pushed into merges.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from aligner.signals.base import Signal, SignalInput, SpanScorer, register

_OPEN_END = re.compile(r"[:;,]\s*$")


def open_ends(sentences: Sequence[str]) -> np.ndarray:
    """For each boundary 0..n (boundary k follows sentence k-1): 1.0 where the text goes on.

    The document's end is never open.

    >>> open_ends(["a ) la réfraction ;", "b ) la déviation .", "c ) :"]).tolist()
    [0.0, 1.0, 0.0, 0.0]
    """
    ends = np.zeros(len(sentences) + 1, dtype=np.float64)
    ends[1:-1] = [bool(_OPEN_END.search(sentence)) for sentence in sentences[:-1]]
    return ends


class ContinuationScorer(SpanScorer):
    """Minus one where a bead ends mid-sentence on exactly one side."""

    def __init__(self, src: Sequence[str], tgt: Sequence[str]) -> None:
        self.src, self.tgt = open_ends(src), open_ends(tgt)

    def score(self, a: int, b: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return -np.abs(self.src[rows] - self.tgt[cols])

    def score_types(self, types: Sequence[tuple[int, int]], counts: Sequence[int],
                    rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """:meth:`score` of several bead types at once (it reads only where beads end)."""
        return self.score(0, 0, rows, cols)


@register
class ContinuationSignal(Signal):
    """Penalty for beads that end after a colon, semicolon or comma on one side only."""

    name = "continuation"
    help = "the signal that keeps beads from ending after ':' or ';' on one side only"
    weight = 0.15

    def prepare(self, data: SignalInput) -> ContinuationScorer:
        return ContinuationScorer(data.src, data.tgt)
