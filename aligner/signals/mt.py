"""MT signal: character n-gram overlap of a machine translation of the source with the target.

As in Bleualign, the source is first translated into the target language (line by line,
given by the caller); a bead's score is the cosine of the character 2- to 4-gram and word 1-
and 2-gram counts (chrF- and BLEU-like) of its translated source span and of its target span,
which sums over spans in O(1) by prefix sums. Punctuation is dropped first (tokenised and
untokenised texts must agree). Frequent n-grams ("the ", "ing") make unrelated sentences
look alike, so counts are weighted by their inverse frequency in the document, the cosine
is margin-corrected and many-sentence beads are checked member by member, exactly like the
embedding signal.
"""

from __future__ import annotations

import re

import numpy as np

from aligner.errors import InputError
from aligner.signals.base import MIN_PAIRS, Signal, SignalInput, hashed_counts, register
from aligner.signals.embedding import MarginParams, MarginScorer, SideVectors

DIM = 1024
# Pseudo-count of the shrinkage towards "no say": a translation checked on n confident pairs
# keeps n / (n + PRIOR_PAIRS) of its measured reliability, so the noisy estimate of a short
# document cannot hand it the full weight. Fitted over the dev pool (15 to 30 give the same
# F1 on every set; 5 or fewer, or 40 and more, let MT lower some set).
PRIOR_PAIRS = 20.0
ORDERS = (2, 3, 4)
_PUNCT = re.compile(r"[^\w\s]")  # tokenised and untokenised texts must agree ("d' a" vs "d'a")


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", _PUNCT.sub(" ", text.lower())).strip()


def char_ngrams(text: str) -> list[str]:
    """Character n-grams of a lower-cased, space-normalised text (orders 2-4).

    >>> char_ngrams("Ab c")[:4]
    ['ab', 'b ', ' c', 'ab ']
    """
    clean = _normalise(text)
    return [clean[k:k + n] for n in ORDERS for k in range(len(clean) - n + 1)]


def overlap_features(text: str) -> list[str]:
    """Character n-grams plus word 1- and 2-grams (BLEU-like: word order and whole words count).

    >>> overlap_features("Ab c")[-3:]
    ['w:ab', 'w:c', 'w:ab c']
    """
    words = _normalise(text).split()
    return (char_ngrams(text) + ["w:" + w for w in words]
            + ["w:" + " ".join(pair) for pair in zip(words, words[1:])])


def idf_weights(counts: np.ndarray) -> np.ndarray:
    """Inverse document frequency of each feature bucket over the document's own sentences.

    Frequent n-grams ("the ", "ing") say little about which sentence is which.

    >>> idf_weights(np.array([[1.0, 1.0], [1.0, 0.0]])).astype(float).round(3).tolist()
    [0.0, 0.405]
    """
    frequency = (counts > 0).sum(axis=0)
    return np.log((len(counts) + 1) / (frequency + 1)).astype(np.float32)


@register
class MTSignal(Signal):
    """chrF- and BLEU-like similarity of MT(source span) and target span."""

    name = "mt"
    help = "the MT-overlap signal (used only with a translation)"
    weight = 1.0
    Params = MarginParams
    needs_translation = True
    similarity = True

    def prepare(self, data: SignalInput) -> MarginScorer:
        if data.translation is None:
            raise InputError("the mt signal needs a translation of the source")
        if len(data.translation) != len(data.src):
            raise InputError(f"the translation has {len(data.translation)} lines but the source "
                             f"has {len(data.src)} sentences; give one line per sentence")
        translated = hashed_counts(map(overlap_features, data.translation), DIM)
        target = hashed_counts(map(overlap_features, data.tgt), DIM)
        weights = idf_weights(np.concatenate([translated, target]))
        params: MarginParams = self.params
        return MTScorer(SideVectors(translated * weights), SideVectors(target * weights),
                        params.margin, params.member_weight, params.member_floor)


class MTScorer(MarginScorer):
    """Margin-corrected overlap of MT(source span) and target span, trusted as far as the
    translation agrees with the document's confident pairs."""

    def calibrate(self, pairs: np.ndarray) -> None:
        """``reliability``: how often the translation prefers a confident pair's target to
        another confident pair's (0.5 is chance, mapped to 0; always, to 1), shrunk by the
        number of pairs it was measured on.

        A shuffled or unrelated translation gets no say, a loose one a smaller one, and one
        that the document gives too few pairs to check gets little or none.
        """
        if len(pairs) < MIN_PAIRS:
            self.reliability = 0.0
            return
        rows, cols = pairs[:, 0] + 1, pairs[:, 1] + 1
        right = self.score(1, 1, rows, cols)
        wrongs = [self.score(1, 1, rows, np.roll(cols, shift))
                  for shift in range(1, min(len(pairs), 4))]
        wins = [np.mean(right > wrong) + 0.5 * np.mean(right == wrong) for wrong in wrongs]
        measured = float(np.clip(2 * np.mean(wins) - 1, 0.0, 1.0))
        self.reliability = measured * len(pairs) / (len(pairs) + PRIOR_PAIRS)
