"""Cheap language-independent anchors of a document: numbers, dates and names.

A translation keeps its numbers, its dates and its proper names; a report of the same event
by someone else keeps only some of them. Names are compared across scripts by transliterating
Russian to Latin, folding spelling variants (``Токаев`` -> ``tokaev``, ``Tokayev`` ->
``tokaev``) and comparing character 3-grams, so ``Фэнхэ``/``Fenghe`` still share most grams.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aligner.signals.anchors import NUMBER, normalise_number, romanise

# Spelling variants that romanisations disagree on, folded the same way on both sides (after
# ``romanise``, which merges y/j into i and writes х as h, щ as sh).
_FOLDS: tuple[tuple[str, str], ...] = (
    ("shch", "sh"), ("kh", "h"), ("ck", "k"), ("ph", "f"), ("ie", "e"), ("iu", "u"),
    ("ia", "a"), ("ts", "c"), ("w", "v"), ("x", "ks"), ("q", "k"), ("c", "k"),
)

# Month names: Russian stems take case endings; English months in full or abbreviated.
_MONTH_FORMS: tuple[str, ...] = (
    "январ[ьяюе]|january|jan", "феврал[ьяюе]|february|feb", "март[аеу]?|march|mar",
    "апрел[ьяюе]|april|apr", "ма[йяюе]|may", "июн[ьяюе]|june|jun", "июл[ьяюе]|july|jul",
    "август[аеу]?|august|aug", "сентябр[ьяюе]|september|sept|sep",
    "октябр[ьяюе]|october|oct", "ноябр[ьяюе]|november|nov", "декабр[ьяюе]|december|dec",
)
_MONTH_NUMBER = [re.compile(rf"(?:{forms})\.?$", re.IGNORECASE) for forms in _MONTH_FORMS]
_MONTH = "(?:" + "|".join(_MONTH_FORMS) + r")\b\.?"
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:-?(?:го|е|st|nd|rd|th))?\s+(?:of\s+)?({_MONTH})",
                        re.IGNORECASE)
# The look-ahead for a month's first letter spares trying every month at every word (2.5x).
_MONTH_STARTS = "".join(sorted({form[0] for forms in _MONTH_FORMS for form in forms.split("|")}))
_MONTH_DAY = re.compile(rf"\b(?=[{_MONTH_STARTS}])({_MONTH})\s+(\d{{1,2}})\b", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_YEAR_AFTER = re.compile(r",?\s+((?:19|20)\d\d)\b")
_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’-][^\W\d_]+)*")


@dataclass(frozen=True)
class Anchors:
    """The anchors of one document: normalised numbers, ``MM-DD`` dates, name 3-grams."""

    numbers: frozenset[str]
    dates: frozenset[str]
    names: frozenset[str]


@functools.lru_cache(maxsize=2**16)  # names recur: in a document's anchors, its facts, the archive
def fold_name(word: str) -> str:
    """A name in a spelling shared by its romanisations: transliterated, variants folded.

    >>> fold_name("Токаев") == fold_name("Tokayev")
    True
    >>> fold_name("Казахстан") == fold_name("Kazakhstan")
    True
    """
    folded = romanise(word)
    for variant, common in _FOLDS:
        folded = folded.replace(variant, common)
    return folded


def extract_numbers(text: str) -> set[str]:
    """Every number in ``text``, normalised.

    >>> sorted(extract_numbers("30-ю годовщину, 1 200 человек и 4,5 %"))
    ['1200', '30', '4.5']
    """
    return {normalise_number(match.group()) for match in NUMBER.finditer(text)}


def is_month(word: str) -> bool:
    """Whether ``word`` names a month (English capitalises them; they are not names).

    >>> is_month("December"), is_month("апреля"), is_month("Decembrist")
    (True, True, False)
    """
    return _month(word) is not None


@functools.lru_cache(maxsize=2**16)  # every name word is tested; words recur
def _month(word: str) -> int | None:
    for number, pattern in enumerate(_MONTH_NUMBER, start=1):
        if pattern.match(word):
            return number
    return None


def extract_dates(text: str) -> set[str]:
    """Day-and-month dates in ``text`` as ``MM-DD`` (Russian, English and numeric forms).

    >>> sorted(extract_dates("25 апреля 2022 года, April 26, 29.04.2022 и 2022-05-01"))
    ['04-25', '04-26', '04-29', '05-01']
    """
    return {f"{month:02d}-{day:02d}" for _year, month, day in date_mentions(text)}


@functools.lru_cache(maxsize=4)  # a document's text is read for its anchors, then its facts
def date_mentions(text: str) -> frozenset[tuple[int | None, int, int]]:
    """Dates written in ``text`` as ``(year or None, month, day)``; a year written right after
    a day and month ("25 апреля 2022", "April 25, 2022") is kept.

    >>> sorted(date_mentions("25 апреля 2022 года, April 26, 29.04.22"), key=str)
    [(2022, 4, 25), (2022, 4, 29), (None, 4, 26)]
    """
    dates: set[tuple[int | None, int, int]] = set()
    for match in _DAY_MONTH.finditer(text):
        _add_date(dates, _year_after(text, match.end()), _month(match.group(2)),
                  int(match.group(1)))
    for match in _MONTH_DAY.finditer(text):
        _add_date(dates, _year_after(text, match.end()), _month(match.group(1)),
                  int(match.group(2)))
    for day, month, year in _NUMERIC_DATE.findall(text):
        _add_date(dates, int(year) + (2000 if len(year) == 2 else 0), int(month), int(day))
    for year, month, day in _ISO_DATE.findall(text):
        _add_date(dates, int(year), int(month), int(day))
    return frozenset(dates)


def _year_after(text: str, end: int) -> int | None:
    match = _YEAR_AFTER.match(text, end)
    return int(match.group(1)) if match else None


def _add_date(dates: set[tuple[int | None, int, int]], year: int | None, month: int | None,
              day: int) -> None:
    if month is not None and 1 <= month <= 12 and 1 <= day <= 31:
        dates.add((year, month, day))


@functools.lru_cache(maxsize=4)  # a document's names are read for its anchors, then its facts
def name_words(sentences: tuple[str, ...]) -> tuple[str, ...]:
    """Capitalised words that do not open a sentence (names, acronyms), as written.

    A word the document also writes in lower case is a common word in a title or after a
    quote ("the Head of State" ... "the head of state"), not a name.

    >>> name_words(("В Астане Токаев принял Вэй Фэнхэ.", "Meeting in Beijing with the Minister",
    ...             "The minister came"))
    ('Астане', 'Токаев', 'Вэй', 'Фэнхэ', 'Beijing')
    """
    tokenised = [_WORD.findall(sentence) for sentence in sentences]
    lower = {word for words in tokenised for word in words if word.islower()}
    return tuple(word for words in tokenised for word in words[1:]
                 if word[0].isupper() and word.lower() not in lower)


def char_trigrams(words: Iterable[str]) -> set[str]:
    """Character 3-grams of the folded words, each padded with spaces.

    >>> sorted(char_trigrams(["Вэй"]))
    [' ve', 'ei ', 'vei']
    """
    grams: set[str] = set()
    for word in words:
        folded = f" {fold_name(word)} "
        if len(folded) > 3:
            grams.update(folded[i:i + 3] for i in range(len(folded) - 2))
    return grams


def document_anchors(sentences: Sequence[str]) -> Anchors:
    """Numbers, dates and name 3-grams of a document's sentences."""
    text = "\n".join(sentences)
    return Anchors(numbers=frozenset(extract_numbers(text)),
                   dates=frozenset(extract_dates(text)),
                   names=frozenset(char_trigrams(name_words(tuple(sentences)))))


def dice(first: frozenset[str], second: frozenset[str]) -> float | None:
    """Dice overlap of two sets; ``None`` when both are empty (no evidence either way).

    >>> dice(frozenset("ab"), frozenset("bc")), dice(frozenset(), frozenset())
    (0.5, None)
    """
    if not first and not second:
        return None
    return 2 * len(first & second) / (len(first) + len(second))

