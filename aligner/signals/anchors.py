"""Anchor signal: numbers and names shared by the two spans (Russian transliterated to Latin).

Numbers are compared normalised (``1 000,5`` and ``1,000.5`` agree, ``4.5`` and ``45`` do
not; full-width digits are NFKC-folded, so ``２５`` is ``25``; a scale word or CJK unit
multiplies, so ``1.5億``, ``150 million`` and ``150 млн`` are all 150000000; CJK numerals such
as ``三十`` or ``二〇二二`` are numbers too); names are capitalised words after the first, compared by character 3-grams so that
``Токаев`` and ``Tokayev`` still share most of them. German capitalises every noun, so names are not used
when either side is German (numbers still are).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import numpy as np

from aligner.signals.base import (HashedSpanScorer, Signal, SignalInput, bucket_counts,
                                  feature_buckets, register)

DIM = 512
NUMBER_DIM = 256
NUMBER_MISMATCH = 1.0
_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_LATIN = ("a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
          "r", "s", "t", "u", "f", "h", "ts", "ch", "sh", "sh", "", "y", "", "e", "yu", "ya")
_TRANSLIT = str.maketrans(dict(zip(_CYRILLIC, _LATIN)))
NUMBER = re.compile(r"\d+(?:[ \u00a0\u202f,.]\d{3})*(?:[.,]\d+)?")
# a number with the scale after it: "150 million", "1.5億", "2万", "3 млрд", "20 тыс."
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
           "mio": 10**6, "mrd": 10**9, "milliard": 10**9, "milliarde": 10**9,
           "milliarden": 10**9, "milliards": 10**9, "millions": 10**6, "millionen": 10**6,
           "тыс": 10**3, "млн": 10**6, "млрд": 10**9, "трлн": 10**12,
           "千": 10**3, "万": 10**4, "萬": 10**4, "億": 10**8, "亿": 10**8, "兆": 10**12}
_SCALED = re.compile(r"(" + NUMBER.pattern + r")(?:\s?(" + "|".join(
    sorted(_SCALES, key=len, reverse=True)) + r")(?![^\W\d_]{3}))?", re.IGNORECASE)
_CJK_DIGITS = {c: k for k, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2, "兩": 2}
_CJK_UNITS = {"十": 10, "百": 100, "千": 1000}
_CJK_BIG = {"万": 10**4, "萬": 10**4, "億": 10**8, "亿": 10**8, "兆": 10**12}
# two or more numeral characters with at least one digit (a lone 一 or 千 is mostly a word)
_CJK_NUMBER = re.compile("(?=[^ ]*[〇一二三四五六七八九零两兩])[〇一二三四五六七八九零两兩十百千万萬億亿兆]{2,}")
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


def _scaled(number: str, scale: int) -> str:
    """``number`` times ``scale``, written without exponent or trailing zeros."""
    try:
        value = Decimal(number) * scale
    except InvalidOperation:
        return number
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def cjk_numeral(text: str) -> int:
    """Value of a CJK numeral (positional digits or digits with units).

    >>> cjk_numeral("二〇二二"), cjk_numeral("三十五"), cjk_numeral("五千万"), cjk_numeral("十一")
    (2022, 35, 50000000, 11)
    """
    if not any(c in _CJK_UNITS or c in _CJK_BIG for c in text):
        return int("".join(str(_CJK_DIGITS[c]) for c in text))
    total = section = digit = 0
    for char in text:
        if char in _CJK_DIGITS:
            digit = _CJK_DIGITS[char]
        elif char in _CJK_UNITS:
            section += (digit or 1) * _CJK_UNITS[char]
            digit = 0
        else:
            total += ((section + digit) or 1) * _CJK_BIG[char]
            section = digit = 0
    return total + section + digit


def numbers(sentence: str) -> list[str]:
    """Normalised numbers of a sentence (NFKC, scale words and CJK units applied).

    >>> numbers("月収１００万円、2.5 million, 三十人 und 1.000,5 t")
    ['1000000', '2500000', '1000.5', '30']
    """
    text = unicodedata.normalize("NFKC", sentence)
    found = []
    for match in _SCALED.finditer(text):
        value = normalise_number(match.group(1))
        scale = match.group(2)
        found.append(_scaled(value, _SCALES[scale.lower()]) if scale else value)
    found.extend(str(cjk_numeral(match)) for match in _CJK_NUMBER.findall(text))
    return found


def anchor_features(sentence: str, names: bool = True,
                    found: Sequence[str] | None = None) -> list[str]:
    """Number tokens and name 3-grams of one sentence (``found``: its :func:`numbers`, when
    the caller has them already).

    >>> anchor_features("В 2022 году Токаев принял Вэй Фэнхэ.")[:3]
    ['n:2022', '#to', 'tok']
    """
    features = ["n:" + number for number in (numbers(sentence) if found is None else found)]
    if names:
        for word in _CAPITALISED.findall(sentence):
            padded = f"#{romanise(word)}#"
            features.extend(padded[k:k + 3] for k in range(len(padded) - 2))
    return features


@lru_cache(maxsize=8192)
def _anchors(sentence: str, names: bool) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The hash buckets of a sentence's anchor features and numbers; kept for the sentences
    seen last, since a run aligns a document more than once (verification, then the pair's
    alignment)."""
    found = numbers(sentence)
    return (feature_buckets(anchor_features(sentence, names, found), DIM),
            feature_buckets(found, NUMBER_DIM))


class AnchorScorer(HashedSpanScorer):
    """Cosine of the spans' anchors, minus ``mismatch`` where both spans hold numbers and
    share none ("96,5 %" against "3.51 %": same topic, different sentence)."""

    def __init__(self, src: Sequence[str], tgt: Sequence[str], names: bool,
                 mismatch: float) -> None:
        src_anchors = [_anchors(s, names) for s in src]
        tgt_anchors = [_anchors(s, names) for s in tgt]
        super().__init__(bucket_counts([a[0] for a in src_anchors], DIM),
                         bucket_counts([a[0] for a in tgt_anchors], DIM))
        self.numbers = HashedSpanScorer(
            bucket_counts([a[1] for a in src_anchors], NUMBER_DIM),
            bucket_counts([a[1] for a in tgt_anchors], NUMBER_DIM))
        self.mismatch = mismatch

    def score(self, a: int | np.ndarray, b: int | np.ndarray, rows: np.ndarray,
              cols: np.ndarray) -> np.ndarray:
        shared, src_numbers, tgt_numbers = self.numbers.dots(a, b, rows, cols)
        disjoint = (src_numbers > 0) & (tgt_numbers > 0) & (shared == 0)
        return super().score(a, b, rows, cols) - self.mismatch * disjoint


@register
class AnchorSignal(Signal):
    """Overlap of numbers and names between the spans (cosine of hashed counts)."""

    name = "anchors"
    help = "the numbers-and-names signal"
    weight = 0.3

    def prepare(self, data: SignalInput) -> AnchorScorer:
        names = not NAMELESS_LANGS.intersection({data.src_lang, data.tgt_lang})
        return AnchorScorer(data.src, data.tgt, names, NUMBER_MISMATCH)
