"""Page chrome removal: a jusText-style classifier over paragraph features.

Every paragraph gets features (length, words, stop-word density, letter and lower-case
shares, sentence-final punctuation, contact details, dates, navigation/credit vocabulary) and
an intrinsic class; then its neighbours decide the unsure cases, as in jusText (Pomikálek
2011), and its position decides the title (before the body) and the sections after the body:

* ``bad`` with a reason, from strong evidence: ``footer`` (copyright), ``contact`` (e-mail,
  web address, phone, postal address), ``widget`` (keyboard shortcuts, clusters of tiny
  lines such as weather or currency boxes), ``numeric``, ``meta`` (a short date line),
  ``navigation`` / ``related-links`` (section headings), ``credit`` (photo credits);
* ``good``: long prose that ends like a sentence;
* ``near-good``: shorter prose, kept unless the nearest good-or-bad paragraphs on both sides
  are bad (else ``isolated``);
* ``short``: kept between good paragraphs, or next to one when it is a sentence
  (else ``short``);
* ``title``: the first headline-shaped paragraph before the body.

After the article body (the last run of good paragraphs) a navigation heading opens a
section of page furniture: what follows it is ``related-links``, ``navigation`` or ``poll``.
Nothing here names a site; the word lists in :mod:`aligner.ingest.lexicon` are generic.

Lengths are measured so that scripts compare: a Chinese or Japanese character carries about
what three Latin letters do, a Hangul syllable two (:func:`text_width`), and a run of Chinese,
Japanese or Thai text, written without spaces, counts as many words as its length suggests.

>>> page = ["Weather", "+11", "USD", "4.82", "Minister met his Chinese counterpart today in "
...         "the capital, and they talked about the many issues of security in the region.",
...         "They agreed to meet again next year.", "© 2024 News Ltd, info@news.example"]
>>> verdicts = classify_paragraphs(page, "en")
>>> [(v.boilerplate, v.reason) for v in verdicts]  # doctest: +NORMALIZE_WHITESPACE
[(True, 'navigation'), (True, 'numeric'), (True, 'widget'), (True, 'numeric'), (False, ''),
 (False, ''), (True, 'footer')]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from aligner.ingest.lexicon import (ADDRESS_WORDS, CREDIT_WORDS, NAVIGATION_WORDS,
                                    RELATED_WORDS, STOPWORDS)
from aligner.ingest.meta import find_date

GOOD, NEAR_GOOD, SHORT, BAD = "good", "near-good", "short", "bad"
TITLE, ISOLATED = "title", "isolated"

LENGTH_GOOD = 100
"""Characters from which a paragraph that ends like a sentence counts as body on its own."""
LENGTH_SHORT = 40
"""Below this many characters a paragraph is ``short``: its neighbours decide."""
PROSE_LOWER_SHARE = 0.5
HEADING_MAX_WORDS = 5
TITLE_MIN_CHARS, TITLE_MAX_CHARS = 20, 250
WIDGET_LINE_CHARS = 30
WIDGET_RUN = 3
CONTACT_MAX_WORDS = 20
# Stop-word density below which prose is not prose (per language; others: not used).
STOPWORD_FLOOR: dict[str, float] = {"ru": 0.05, "en": 0.15}

_SPACE = re.compile(r"\s")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_HAN_KANA = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HANGUL = "\uac00-\ud7af"
_THAI = "\u0e01-\u0e4e"
# A sentence-final stop (Latin, CJK, Arabic-script), or the last letter of Thai prose, which
# has no final punctuation.
_SENTENCE_END = re.compile(rf"(?:[.!?…。！？؟۔][\"'»”’)\]」』）]*|[{_THAI}])$")
# Characters wider than a Latin letter, with what each one counts for (see text_width).
_WIDE_WEIGHTS = ((re.compile(f"[{_HAN_KANA}]"), 3), (re.compile(f"[{_HANGUL}]"), 2))
# Scripts written without spaces, with the characters one of their words has on average.
_UNSPACED_RUNS = ((re.compile(f"[{_HAN_KANA}]+"), 2), (re.compile(f"[{_THAI}]+"), 5))
# Any character of the scripts above: most paragraphs have none and skip them in one scan.
_WIDE_OR_UNSPACED = re.compile(f"[{_HAN_KANA}{_HANGUL}{_THAI}]")
# Marks of contact details and site furniture; each regex runs only when a cheap substring
# test (the trigger) says it might match.
_CHROME_MARKS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("copyright", ("©", "(c)", "copyright", "rights reserved", "права защищены"),
     re.compile(r"©|\(c\)\s*\d|\bcopyright\b|all rights reserved|все права защищены")),
    ("email", ("@",), re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("url", ("http", "www."), re.compile(r"\bhttps?://\S+|\bwww\.\S+")),
    ("phone", ("+", "("), re.compile(r"\+\d[\d\s()\-]{8,}\d|\(\d{3,5}\)\s?\d[\d\s\-]{4,}\d")),
    ("shortcut", ("+",), re.compile(r"\b(?:ctrl|cmd|alt|shift)\s*\+\s*\w+")),
)
_CONTACT_MARKS = frozenset({"email", "url", "phone"})
_POSTCODE = re.compile(r"^\s*\d{5,6},")
_CREDIT_LABEL = re.compile(r"^\s*(?:фото|photo|источник|source|credit)s?\s*:", re.IGNORECASE)
_SECOND_PERSON = re.compile(r"\b(?:вы|вас|вам|ваш\w*|you|your)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Features:
    """What the classifier knows about one paragraph.

    Words, stop-word density, width, word count and the final punctuation are computed at
    once; the shares below only when a rule asks, which is mostly for short paragraphs.
    """

    text: str = field(repr=False)
    words: tuple[str, ...]
    stop_density: float
    ends_sentence: bool
    chars: int
    """The text's width in Latin letters (:func:`text_width`)."""
    word_count: int
    """Words, runs of unspaced scripts counted by their length."""

    def share(self, vocabulary: frozenset[str]) -> float:
        """Share of the words that belong to ``vocabulary``."""
        return sum(map(vocabulary.__contains__, self.words)) / (len(self.words) or 1)

    @property
    def letter_share(self) -> float:
        """Letters among the visible characters."""
        visible = len(self.text) - len(_SPACE.findall(self.text))
        return len(_LETTER.findall(self.text)) / (visible or 1)

    @property
    def lower_share(self) -> float:
        """Words that start with a lower-case or caseless letter (prose; headlines and names
        start with capitals)."""
        lower = sum(not word[0].isupper() for word in _WORD.findall(self.text))
        return lower / (len(self.words) or 1)


@dataclass(frozen=True)
class Verdict:
    """The decision for one paragraph: body or boilerplate, the reason, and the class."""

    boilerplate: bool
    reason: str
    label: str


def paragraph_features(text: str, lang: str) -> Features:
    """Compute the classifier's features for one paragraph of language ``lang``."""
    words = tuple(_WORD.findall(text.lower()))
    stopwords = STOPWORDS.get(lang, frozenset())
    other_script = _WIDE_OR_UNSPACED.search(text) is not None
    return Features(text=text, words=words,
                    stop_density=sum(map(stopwords.__contains__, words)) / (len(words) or 1),
                    ends_sentence=bool(_SENTENCE_END.search(text)),
                    chars=text_width(text) if other_script else len(text),
                    word_count=_word_count(text, len(words)) if other_script else len(words))


def text_width(text: str) -> int:
    """Length in Latin-letter equivalents: CJK characters count 3, Hangul syllables 2.

    >>> text_width("Talks"), text_width("会谈"), text_width("회담")
    (5, 6, 4)
    """
    return len(text) + sum((weight - 1) * len(pattern.findall(text))
                           for pattern, weight in _WIDE_WEIGHTS)


def _word_count(text: str, words: int) -> int:
    """``words`` found between spaces, where a run of an unspaced script counts by its length.

    >>> _word_count("新华社记者报道", 1), _word_count("Talks went well", 3)
    (4, 3)
    """
    for pattern, chars_per_word in _UNSPACED_RUNS:
        for run in pattern.findall(text):
            words += -(-len(run) // chars_per_word) - 1  # the run was one word already
    return words


def strong_reason(features: Features) -> str:
    """Reason for a paragraph that is chrome whatever its neighbours, or ``""``."""
    words = features.word_count
    if words <= CONTACT_MAX_WORDS:
        marks = chrome_marks(features.text)
        if "copyright" in marks:
            return "footer"
        if marks & _CONTACT_MARKS or _is_address(features):
            return "contact"
        if "shortcut" in marks:
            return "widget"
    if words > HEADING_MAX_WORDS:
        return ""
    if find_date(features.text):
        return "meta"
    if features.letter_share < 0.5:
        return "numeric"
    if not features.ends_sentence and (_CREDIT_LABEL.match(features.text)
                                       or features.share(CREDIT_WORDS)):
        return "credit"
    if is_heading(features):
        return "related-links" if features.share(RELATED_WORDS) else "navigation"
    return ""


def chrome_marks(text: str) -> set[str]:
    """Which of copyright, email, url, phone, shortcut a paragraph shows.

    >>> sorted(chrome_marks("© 2024 News, info@news.example, +7 (771) 228-04-01"))
    ['copyright', 'email', 'phone']
    """
    lower = text.lower()
    return {name for name, triggers, pattern in _CHROME_MARKS
            if any(trigger in lower for trigger in triggers) and pattern.search(lower)}


def _is_address(features: Features) -> bool:
    """A postal address: a leading postcode, or three address words (ул., дом, street...)."""
    return bool(_POSTCODE.match(features.text)) or \
        features.share(ADDRESS_WORDS) * len(features.words) >= 3


def is_heading(features: Features) -> bool:
    """A navigation heading: a few words, mostly navigation vocabulary, no full stop."""
    return (0 < features.word_count <= HEADING_MAX_WORDS and not features.ends_sentence
            and features.share(NAVIGATION_WORDS) + features.share(RELATED_WORDS) >= 0.5)


def intrinsic_label(features: Features, lang: str) -> str:
    """``good``, ``near-good`` or ``short`` from the paragraph alone (``bad`` if not prose)."""
    # Russian news prose can go a whole sentence without a stop word; mostly lower-case
    # words say "prose" too, where lists of names and headlines are capitalised.
    prose = (features.stop_density >= STOPWORD_FLOOR.get(lang, 0.0)
             or features.lower_share >= PROSE_LOWER_SHARE)
    if features.chars >= LENGTH_GOOD and features.ends_sentence and prose:
        return GOOD
    if features.chars < LENGTH_SHORT or features.word_count < 4:
        return SHORT
    if prose:
        return NEAR_GOOD
    return SHORT if features.chars < LENGTH_GOOD else BAD


def is_headline(features: Features) -> bool:
    """Shaped like a headline: a few words to a long line, letters, no final full stop."""
    return (3 <= features.word_count and TITLE_MIN_CHARS <= features.chars <= TITLE_MAX_CHARS
            and not features.text.endswith((".", "。")) and features.letter_share >= 0.6
            and any(ch.isalpha() and not ch.isupper() for ch in features.text))


def classify_paragraphs(texts: Sequence[str], lang: str) -> list[Verdict]:
    """Decide for every paragraph of a page whether it is title, article body or chrome."""
    features = [paragraph_features(text, lang) for text in texts]
    reasons = [strong_reason(f) for f in features]
    labels = [BAD if reason else intrinsic_label(f, lang) for f, reason in zip(features, reasons)]
    title = _title_index(features, labels)
    if title is not None:
        labels[title] = TITLE
    if GOOD not in labels:
        # A page of short paragraphs only: the prose among them is the body.
        labels = [GOOD if label == NEAR_GOOD else label for label in labels]
    labels = _resolve_short(_resolve_near_good(labels), features)
    _mark_tail_sections(features, reasons, labels)
    runs = _chrome_runs(labels)
    return [_verdict(f, reason, label, run)
            for f, reason, label, run in zip(features, reasons, labels, runs)]


def _title_index(features: Sequence[Features], labels: Sequence[str]) -> int | None:
    """The first headline-shaped paragraph that is neither chrome nor after the body's start,
    and that prose follows: a page of one paragraph is body, not a title."""
    for index, (feature, label) in enumerate(zip(features, labels)):
        if label == GOOD:
            return None
        if label != BAD and is_headline(feature):
            return index if {GOOD, NEAR_GOOD} & set(labels[index + 1:]) else None
    return None


def _resolve_near_good(labels: list[str]) -> list[str]:
    """A near-good paragraph is body unless the nearest good-or-bad paragraphs are both bad.

    As in jusText, short and other near-good paragraphs are looked through; a page edge and
    the title count as bad.
    """
    before, after = _neighbours(labels, (SHORT, NEAR_GOOD))
    return [(GOOD if GOOD in (before[i], after[i]) else ISOLATED) if label == NEAR_GOOD
            else label for i, label in enumerate(labels)]


def _resolve_short(labels: list[str], features: Sequence[Features]) -> list[str]:
    """A short paragraph is body between good paragraphs, or beside one if it is a sentence."""
    before, after = _neighbours(labels, (SHORT,))
    resolved = list(labels)
    for i, label in enumerate(labels):
        if label == SHORT:
            sentence = features[i].ends_sentence and features[i].word_count >= 3
            sides = (before[i], after[i])
            body = sides == (GOOD, GOOD) or sentence and GOOD in sides
            resolved[i] = GOOD if body else SHORT
    return resolved


def _neighbours(labels: Sequence[str], skip: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """For each paragraph, the nearest label before and after it that is not in ``skip``.

    A page edge and the title read as ``bad``. Linear time: long menus stay cheap.
    """
    def scan(order: Sequence[int]) -> list[str]:
        nearest = [BAD] * len(labels)
        last = BAD
        for index in order:
            nearest[index] = last
            if labels[index] not in skip:
                last = BAD if labels[index] == TITLE else labels[index]
        return nearest

    return scan(range(len(labels))), scan(range(len(labels) - 1, -1, -1))


def _mark_tail_sections(features: Sequence[Features], reasons: list[str],
                        labels: list[str]) -> None:
    """After the body, a navigation heading opens chrome: relabel what follows it."""
    body_end = _body_end(labels)
    if body_end < 0:
        return
    section = ""
    for i in range(body_end + 1, len(labels)):
        if reasons[i] in ("navigation", "related-links"):
            section = "related-links" if "related-links" in (section, reasons[i]) else reasons[i]
        elif section:
            labels[i] = BAD
            if not reasons[i]:
                reasons[i] = _section_reason(features[i], section)


def _body_end(labels: Sequence[str]) -> int:
    """Index of the last paragraph of the last run of two good paragraphs (or last good)."""
    goods = [i for i, label in enumerate(labels) if label == GOOD]
    for first, second in zip(reversed(goods[:-1]), reversed(goods)):
        if second == first + 1:
            return second
    return goods[-1] if goods else -1


def _section_reason(features: Features, section: str) -> str:
    if features.ends_sentence and _SECOND_PERSON.search(" ".join(features.words)):
        return "poll"
    return section


def _verdict(features: Features, reason: str, label: str, chrome_run: int) -> Verdict:
    if label == GOOD:
        return Verdict(False, "", GOOD)
    if label == TITLE:
        return Verdict(False, "title", TITLE)
    if reason:
        return Verdict(True, reason, BAD)
    if features.chars <= WIDGET_LINE_CHARS and chrome_run >= WIDGET_RUN:
        # a tiny line among other chrome lines: a weather, currency or menu box
        return Verdict(True, "widget", label)
    if label == BAD:
        return Verdict(True, "low-text-density", label)
    return Verdict(True, label, label)


def _chrome_runs(labels: Sequence[str]) -> list[int]:
    """For each paragraph, the length of the run of consecutive non-body paragraphs it is in."""
    runs = [0] * len(labels)
    start = 0
    for index in range(len(labels) + 1):
        if index == len(labels) or labels[index] in (GOOD, TITLE):
            for member in range(start, index):
                runs[member] = index - start
            start = index + 1
    return runs
