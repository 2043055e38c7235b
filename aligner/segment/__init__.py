"""Sentence splitting for every language the aligner supports; the splitter is chosen by language.

* Punkt with NLTK's pretrained parameters, plus news rules (:mod:`aligner.segment.punkt`):
  the languages NLTK has a model for, and close relatives (Ukrainian and Kazakh use the
  Russian model, Catalan the Spanish one...);
* rules (:mod:`aligner.segment.rules`) for Chinese and Japanese, Korean, Arabic-script
  languages and Thai.

Any other language is an :class:`~aligner.errors.UnsupportedLanguageError`, never a document
split into one sentence.

>>> text = "会议于周一举行。双方签署了协议！"
>>> [text[s:e] for s, e in split_sentences(text, "zh")], splitter_signature("zh")
(['会议于周一举行。', '双方签署了协议！'], 'rules:cjk-v1')
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from aligner.errors import UnsupportedLanguageError
from aligner.segment.base import Span, Splitter
from aligner.segment.punkt import (CLOSEST_MODEL, PUNKT_MODELS, PunktSplitter, model_language,
                                   punkt_tokenizer, split_dateline)
from aligner.segment.rules import ArabicSplitter, CjkSplitter, KoreanSplitter, ThaiSplitter

__all__ = ["Span", "Splitter", "SUPPORTED_LANGUAGES", "model_language", "punkt_tokenizer",
           "split_dateline", "split_sentences", "splitter_for", "splitter_signature"]

RULE_SPLITTERS: dict[str, Callable[[], Splitter]] = {
    "zh": lambda: CjkSplitter("zh"),
    "yue": lambda: CjkSplitter("zh"),  # written Cantonese: Chinese punctuation
    "wuu": lambda: CjkSplitter("zh"),
    "ja": lambda: CjkSplitter("ja"),
    "ko": KoreanSplitter,
    "ar": ArabicSplitter,
    "fa": ArabicSplitter,
    "ur": ArabicSplitter,
    "th": ThaiSplitter,
}
SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(sorted(
    (set(PUNKT_MODELS) | set(CLOSEST_MODEL) | set(RULE_SPLITTERS)) - {"und"}))
"""ISO 639 codes with a sentence splitter (besides ``und``: text without letters)."""


def split_sentences(text: str, lang: str) -> list[Span]:
    """Character spans ``(start, end)`` of the sentences of ``text``, whitespace trimmed.

    :param text: any text; blank lines always end a sentence.
    :param lang: ISO 639 code (``pt-BR`` reads as ``pt``).
    :raises UnsupportedLanguageError: no splitter for ``lang``.

    >>> text = "Gen. Wei met U.S. officials. “We agree.”"
    >>> [text[s:e] for s, e in split_sentences(text, "en")]
    ['Gen. Wei met U.S. officials.', '“We agree.”']
    """
    return splitter_for(lang).split(text)


def splitter_signature(lang: str) -> str:
    """How sentences of ``lang`` are split, for output signatures.

    >>> splitter_signature("kk"), splitter_signature("ja"), splitter_signature("th")
    ('punkt:russian+news-rules', 'rules:cjk-v1', 'rules:thai-v1')
    """
    return splitter_for(lang).signature


@lru_cache(maxsize=None)
def splitter_for(lang: str) -> Splitter:
    """The splitter of ``lang`` (cached).

    :raises UnsupportedLanguageError: no splitter for ``lang``; the message lists those there are.
    """
    code = (lang or "").lower().split("-")[0].split("_")[0]
    if code in RULE_SPLITTERS:
        return RULE_SPLITTERS[code]()
    if model_language(code) is not None:
        return PunktSplitter(code)
    raise UnsupportedLanguageError(
        f"no sentence splitter for language {lang!r} (supported: "
        f"{', '.join(SUPPORTED_LANGUAGES)})")
