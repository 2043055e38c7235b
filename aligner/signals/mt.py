"""MT signal: character n-gram overlap of a machine translation of the source with the target.

As in Bleualign, the source is first translated into the target language (line by line,
given by the caller); a bead's score is the cosine of the character 2- to 4-gram counts of
its translated source span and of its target span, a chrF-like similarity that sums over
spans in O(1) by prefix sums. Frequent n-grams ("the ", "ing") make unrelated sentences look
alike, so the cosine is margin-corrected and many-sentence beads are checked member by
member, exactly like the embedding signal.
"""

from __future__ import annotations

import re

from aligner.errors import InputError
from aligner.signals.base import Signal, SignalInput, hashed_counts
from aligner.signals.embedding import MarginScorer, SideVectors

DIM = 1024
ORDERS = (2, 3, 4)


def char_ngrams(text: str) -> list[str]:
    """Character n-grams of a lower-cased, space-normalised text (orders 2-4).

    >>> char_ngrams("Ab c")[:4]
    ['ab', 'b ', ' c', 'ab ']
    """
    clean = re.sub(r"\s+", " ", text.lower()).strip()
    return [clean[k:k + n] for n in ORDERS for k in range(len(clean) - n + 1)]


class MTSignal(Signal):
    """chrF-like similarity of MT(source span) and target span."""

    name = "mt"
    needs_translation = True

    def __init__(self, weight: float = 1.0, margin: float = 1.0, member_weight: float = 0.0,
                 member_floor: float = 0.0) -> None:
        super().__init__(weight)
        self.margin, self.member_weight, self.member_floor = margin, member_weight, member_floor

    def prepare(self, data: SignalInput) -> MarginScorer:
        if data.translation is None:
            raise InputError("the mt signal needs a translation of the source")
        if len(data.translation) != len(data.src):
            raise InputError(f"the translation has {len(data.translation)} lines but the source "
                             f"has {len(data.src)} sentences; give one line per sentence")
        return MarginScorer(SideVectors(hashed_counts(map(char_ngrams, data.translation), DIM)),
                            SideVectors(hashed_counts(map(char_ngrams, data.tgt), DIM)),
                            self.margin, self.member_weight, self.member_floor)
