"""Text and language-code hygiene shared by the writer, the reader and the validator."""

from __future__ import annotations

import hashlib
import re

from tmx.errors import TmxError

# Characters XML 1.0 forbids: C0 controls except TAB/LF/CR, lone surrogates, U+FFFE/U+FFFF.
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Allowed by XML 1.0 but discouraged, and invisible in a CAT tool: DEL and C1 controls.
DISCOURAGED = re.compile("[\x7f-\x9f]")

#: ``keep``: codes written as read; ``bare``: ``ru``; ``region``: ``ru-RU``.
LOCALE_STYLES = ("keep", "bare", "region")

# ISO 639-2/3 codes that have a two-letter BCP 47 form (BCP 47 requires the shorter one;
# OmegaT silently ignores units in ``rus``).
_THREE_TO_TWO = {
    "rus": "ru", "eng": "en", "ukr": "uk", "bel": "be", "kaz": "kk", "deu": "de", "ger": "de",
    "fra": "fr", "fre": "fr", "spa": "es", "ita": "it", "por": "pt", "zho": "zh", "chi": "zh",
    "jpn": "ja", "kor": "ko", "ara": "ar", "tur": "tr", "pol": "pl", "uzb": "uz", "kir": "ky",
}
# Region used with ``--locale-style region`` when the code has none.
DEFAULT_REGIONS = {
    "ru": "RU", "en": "US", "uk": "UA", "be": "BY", "kk": "KZ", "de": "DE", "fr": "FR",
    "es": "ES", "it": "IT", "pt": "PT", "zh": "CN", "ja": "JP", "ko": "KR", "ar": "SA",
    "tr": "TR", "pl": "PL", "uz": "UZ", "ky": "KG",
}
_LANG_CODE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")
_BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
# A code that can name a file: letters, digits and hyphens only (no path separator or dot).
_FILE_SAFE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


def has_illegal_xml(text: str) -> bool:
    """Whether ``text`` holds a character XML 1.0 forbids.

    Every such character is unprintable, and ``isprintable()`` is several times faster than
    the regular expression: the writer asks this of every text it writes.

    >>> has_illegal_xml("Да\\t"), has_illegal_xml("a\\x01")
    (False, True)
    """
    return not text.isprintable() and ILLEGAL_XML.search(text) is not None


def clean_text(text: str) -> tuple[str, int]:
    """Remove characters XML 1.0 forbids and strip surrounding whitespace.

    Returns the cleaned text and how many forbidden characters were removed.

    >>> clean_text(" a\\x00b\\ufffe ")
    ('ab', 2)
    """
    if not has_illegal_xml(text):
        return text.strip(), 0
    cleaned, removed = ILLEGAL_XML.subn("", text)
    return cleaned.strip(), removed


def text_key(*fields: str) -> bytes:
    """A 16-byte digest of some texts: compact dedupe keys for millions of units.

    >>> text_key("a", "b") == text_key("a", "b") != text_key("ab", "")
    True
    """
    joined = "\x00".join(fields).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(joined, digest_size=16).digest()


def normalize_lang(code: str, style: str = "bare") -> str:
    """Turn a language code into the BCP 47 form CAT tools match (hyphen, ``ru`` or ``ru-RU``).

    ``style="keep"`` returns the code as it is (once checked to be a language code);
    ``style="bare"`` keeps only the language (``ru_RU`` -> ``ru``); ``style="region"`` adds
    the region, from the code or a default (``ru`` -> ``ru-RU``).

    >>> normalize_lang("ru_ru"), normalize_lang("eng"), normalize_lang("ru", "region")
    ('ru', 'en', 'ru-RU')
    >>> normalize_lang("en-GB", "region"), normalize_lang("eN-uS", "keep")
    ('en-GB', 'eN-uS')
    """
    if style not in LOCALE_STYLES:
        raise TmxError(f"unknown locale style {style!r}: use one of {', '.join(LOCALE_STYLES)}")
    if not _LANG_CODE.match(code or ""):
        raise TmxError(f"invalid language code {code!r}: use a BCP 47 code such as 'ru' or 'en-US'")
    if style == "keep":
        return code
    parts = code.replace("_", "-").split("-")
    language = parts[0].lower()
    language = _THREE_TO_TWO.get(language, language)
    region = next((part.upper() for part in parts[1:] if len(part) == 2 and part.isalpha()), None)
    if style == "bare":
        return language
    region = region or DEFAULT_REGIONS.get(language)
    if region is None:
        raise TmxError(f"no default region for language {language!r}: pass a code such as "
                       f"'{language}-XX' or use locale style 'bare'")
    return f"{language}-{region}"


def primary_language(code: str | None) -> str:
    """The primary subtag of a code, lower case: ``en-GB`` and ``EN_us`` both give ``en``.

    >>> primary_language("EN_us"), primary_language(None)
    ('en', '')
    """
    if not code:
        return ""
    language = code.replace("_", "-").split("-")[0].lower()
    return _THREE_TO_TWO.get(language, language)


def lang_key(code: str | None) -> str:
    """A code as compared: lower case, hyphens (``EN_us`` -> ``en-us``).

    >>> lang_key("EN_us")
    'en-us'
    """
    return (code or "").replace("_", "-").lower()


def lang_matches(code: str | None, wanted: str) -> bool:
    """Whether ``code`` is the language asked for: exactly (any case) when ``wanted`` names a
    region or script, by primary subtag when it is a bare language.

    >>> lang_matches("EN-us", "en-US"), lang_matches("en-GB", "en-US"), lang_matches("en-GB", "en")
    (True, False, True)
    """
    if "-" in lang_key(wanted):
        return lang_key(code) == lang_key(wanted)
    return bool(code) and primary_language(code) == primary_language(wanted)


def file_safe_lang(code: str) -> str:
    """``code`` when it can be part of a file name, else :class:`TmxError`.

    >>> file_safe_lang("en-GB")
    'en-GB'
    >>> file_safe_lang("en/../../x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tmx.errors.TmxError: language code 'en/../../x' cannot name a file: ...
    """
    if not _FILE_SAFE.match(code):
        raise TmxError(f"language code {code!r} cannot name a file: use letters, digits and "
                       "hyphens (e.g. 'en-GB')")
    return code


def is_bcp47(code: str) -> bool:
    """Whether ``code`` is written as BCP 47 with a hyphen and a two-letter language if one exists.

    >>> is_bcp47("ru-RU"), is_bcp47("ru_RU"), is_bcp47("rus"), is_bcp47("RU")
    (True, False, False, False)
    """
    return bool(_BCP47.match(code)) and code.split("-")[0] not in _THREE_TO_TWO
