"""Anchor signal: numbers and names shared by the two spans (Russian transliterated to Latin).

Numbers are compared normalised (``1 000,5`` and ``1,000.5`` agree, ``4.5`` and ``45`` do
not); names are capitalised words after the first, compared by character 3-grams so that
``Токаев`` and ``Tokayev`` still share most of them. German capitalises every noun, so names are not used
when either side is German (numbers still are).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from aligner.signals.base import (HashedSpanScorer, Signal, SignalInput, hashed_counts,
                                  register)

DIM = 512
NUMBER_DIM = 256
NUMBER_MISMATCH = 1.0
_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_LATIN = ("a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
          "r", "s", "t", "u", "f", "h", "ts", "ch", "sh", "sh", "", "y", "", "e", "yu", "ya")
_TRANSLIT = str.maketrans(dict(zip(_CYRILLIC, _LATIN)))
NUMBER = re.compile(r"\d+(?:[ \u00a0\u202f,.]\d{3})*(?:[.,]\d+)?")
_CAPITALISED = re.compile(r"(?<!^)(?<![.!?]\s)\b([A-ZА-ЯЁ][\w-]+)")
NAMELESS_LANGS = frozenset({"de"})


def romanise(word: str) -> str:
    """Lower-case Latin spelling of a word (Cyrillic transliterated, ``y``/``i`` merged).

    >>> romanise("Москва"), romanise("Kyiv")
    ('moskva', 'kiiv')
    """
    latin = word.lower().translate(_TRANSLIT)
    return re.sub(r"[^a-z0-9]", "", latin.replace("y", "i").replace("j", "i"))


def normalise_number(token: str) -> str:
    """Thousands separators removed, decimal comma made a dot.

    >>> normalise_number("1 000,5"), normalise_number("1,000"), normalise_number("4.82")
    ('1000.5', '1000', '4.82')
    """
    parts = re.split(r"[ \u00a0\u202f,.]", token)
    if len(parts) > 1 and len(parts[-1]) != 3:
        return "".join(parts[:-1]) + "." + parts[-1]
    return "".join(parts)


def anchor_features(sentence: str, names: bool = True) -> list[str]:
    """Number tokens and name 3-grams of one sentence.

    >>> anchor_features("В 2022 году Токаев принял Вэй Фэнхэ.")[:3]
    ['n:2022', '#to', 'tok']
    """
    features = ["n:" + normalise_number(match) for match in NUMBER.findall(sentence)]
    if names:
        for word in _CAPITALISED.findall(sentence):
            padded = f"#{romanise(word)}#"
            features.extend(padded[k:k + 3] for k in range(len(padded) - 2))
    return features


class AnchorScorer(HashedSpanScorer):
    """Cosine of the spans' anchors, minus ``mismatch`` where both spans hold numbers and
    share none ("96,5 %" against "3.51 %": same topic, different sentence)."""

    def __init__(self, src: Sequence[str], tgt: Sequence[str], names: bool,
                 mismatch: float) -> None:
        super().__init__(hashed_counts((anchor_features(s, names) for s in src), DIM),
                         hashed_counts((anchor_features(s, names) for s in tgt), DIM))
        self.numbers = HashedSpanScorer(hashed_counts(map(_numbers, src), NUMBER_DIM),
                                        hashed_counts(map(_numbers, tgt), NUMBER_DIM))
        self.mismatch = mismatch

    def score(self, a: int, b: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        shared = self.numbers.score(a, b, rows, cols)
        src_norm = self.numbers.span_counts(0, a)[1][rows]
        tgt_norm = self.numbers.span_counts(1, b)[1][cols]
        disjoint = (src_norm > 0) & (tgt_norm > 0) & (shared == 0)
        return super().score(a, b, rows, cols) - self.mismatch * disjoint


def _numbers(sentence: str) -> list[str]:
    return [normalise_number(match) for match in NUMBER.findall(sentence)]


@register
class AnchorSignal(Signal):
    """Overlap of numbers and names between the spans (cosine of hashed counts)."""

    name = "anchors"
    help = "the numbers-and-names signal"
    weight = 0.3

    def prepare(self, data: SignalInput) -> AnchorScorer:
        names = not NAMELESS_LANGS.intersection({data.src_lang, data.tgt_lang})
        return AnchorScorer(data.src, data.tgt, names, NUMBER_MISMATCH)
