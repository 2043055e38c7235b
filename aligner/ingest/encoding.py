"""Bytes to text: size and binary checks, encoding detection, mojibake repair.

Detection order: a byte-order mark (UTF-8, UTF-16, UTF-32), then strict UTF-8, then charset-
normalizer (which tells cp1251, koi8-r, mac-cyrillic and the Latin code pages apart by their
chaos and coherence measures), first over the code pages news archives use, then, when that
finds no coherent language, over every code page it knows. After decoding, text that is itself
mojibake (UTF-8 bytes once read as cp1251 or latin-1, or cp1251 bytes read as latin-1) is
repaired when the repair is exact, and reported in the document's warnings either way.

>>> news = "Президент принял министра обороны. Стороны обсудили сотрудничество в регионе."
>>> decode_bytes(news.encode("koi8-r"), "news.txt").encoding
'koi8-r'
>>> repair_mojibake("Ïðèâåò, ìèð")
('Привет, мир', 'cp1251 text read as latin-1')
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Any

from aligner.errors import InputError

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest input file read (64 MiB): a single news document is never near this size."""

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Python codec names -> the names written to documents.
_CANONICAL = {"utf_8": "utf-8", "utf_16": "utf-16", "utf_32": "utf-32", "koi8_r": "koi8-r",
              "koi8_u": "koi8-u", "mac_cyrillic": "mac-cyrillic", "iso8859_5": "iso-8859-5",
              "latin_1": "latin-1", "cp1125": "cp866"}
# Cyrillic, then Western, Central European, Greek, Turkish and Baltic code pages.
_NEWS_CODE_PAGES = ("cp1251", "koi8_r", "mac_cyrillic", "iso8859_5", "cp866", "koi8_u",
                    "cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "cp1253",
                    "cp1254", "cp1257")
_MIN_COHERENCE = 0.2
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.01
# (wrong decoder, right decoder, what happened) tried in this order.
_MOJIBAKE_REPAIRS: tuple[tuple[str, str, str], ...] = (
    ("cp1251", "utf-8", "UTF-8 text read as cp1251"),
    ("cp1252", "utf-8", "UTF-8 text read as cp1252"),
    ("latin-1", "utf-8", "UTF-8 text read as latin-1"),
    ("latin-1", "cp1251", "cp1251 text read as latin-1"),
    ("cp1252", "cp1251", "cp1251 text read as cp1252"),
)
_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_LATIN1_LETTERS = re.compile(r"[À-ÿ]")
# Two-character sequences that UTF-8 Cyrillic turns into when read as cp1251 or latin-1.
# UTF-8 Cyrillic read as cp1251 turns every letter into "Р" or "С" and one of these.
_UTF8_MOJIBAKE = re.compile(r"[РС][\u0402-\u040f\u0452-\u045f‚„…†‡€‰‹›‘’“”•–—™¤¦§©«¬®°±µ¶·№»]")
# Characters real Cyrillic text next to never contains but that mojibake is full of.
_MOJIBAKE_HINT = re.compile(r"[\u0402\u0403\u0405\u0409-\u040f\u0452\u0453\u0455"
                            r"\u0459-\u045f‚†‡€‰™µ¶]")


@dataclass(frozen=True)
class DecodedText:
    """Text decoded from a file, the encoding used, and what was noticed on the way."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def check_size(size: int, name: str, max_bytes: int = MAX_FILE_BYTES) -> None:
    """Refuse files larger than ``max_bytes`` (before reading them)."""
    if size > max_bytes:
        raise InputError(f"{name}: file is {size / 2**20:.1f} MiB, over the "
                         f"{max_bytes / 2**20:g} MiB limit for one document; "
                         "split it into one file per article")


def decode_bytes(data: bytes, name: str, declared: str | None = None) -> DecodedText:
    """Decode a document's bytes; raise :class:`InputError` for empty, binary or undecodable.

    :param declared: the encoding the file declares (an HTML ``<meta charset>``), used when
        the bytes are not UTF-8 and decode with it without error.
    """
    if not data.strip():
        raise InputError(f"{name}: file is empty; nothing to ingest")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _finish(_decode_strict(data, codec, name), codec, name)
    if b"\x00" in data:
        raise InputError(f"{name}: binary file (NUL bytes, no UTF-16 byte-order mark); "
                         "give plain text or HTML")
    for codec in ("utf-8", declared):
        if codec:
            try:
                return _finish(data.decode(codec), codec, name)
            except (UnicodeDecodeError, LookupError):
                pass
    return _finish(*_detect(data, name), name)


def _decode_strict(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise InputError(f"{name}: undecodable bytes at offset {error.start} for its "
                         f"{codec} byte-order mark; re-save the file as UTF-8") from None


def _detect(data: bytes, name: str) -> tuple[str, str]:
    """charset-normalizer over the usual news code pages first, then over all of them.

    The first pass is about twice as fast and, unlike the open one, tells short koi8-r texts
    from shift_jis; the open pass decides whenever the first finds no coherent language.
    """
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(_NEWS_CODE_PAGES)).best()
    if not _coherent(best):
        anywhere = from_bytes(data).best()
        if anywhere is not None and (best is None or anywhere.coherence > best.coherence):
            best = anywhere
    if best is None:
        raise InputError(f"{name}: undecodable bytes: not UTF-8 and no known encoding fits; "
                         "re-save the file as UTF-8")
    return str(best), best.encoding


def _coherent(match: Any) -> bool:
    return match is not None and bool(match.languages) and match.coherence >= _MIN_COHERENCE


def _finish(text: str, codec: str, name: str) -> DecodedText:
    """Reject binary content, normalise line ends, repair mojibake."""
    text = text.lstrip("\ufeff")
    controls = len(_CONTROL.findall(text)) if _CONTROL.search(text) else 0
    if controls > _MAX_CONTROL_SHARE * len(text):
        raise InputError(f"{name}: binary file ({controls} control characters); "
                         "give plain text or HTML")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{name}: file is empty; nothing to ingest")
    encoding = _canonical(codec)
    if not looks_like_mojibake(text):
        return DecodedText(text=text, encoding=encoding)
    repaired, what = repair_mojibake(text)
    if what:
        return DecodedText(text=repaired, encoding=encoding,
                           warnings=(f"repaired mojibake: {what}",))
    return DecodedText(text=text, encoding=encoding, warnings=(
        "text looks like mojibake (wrongly decoded Cyrillic) and could not be repaired exactly",))


def _canonical(codec: str) -> str:
    return _CANONICAL.get(codec, codec.replace("_", "-"))


def looks_like_mojibake(text: str) -> bool:
    """Whether ``text`` shows the marks of Cyrillic decoded with the wrong code page.

    >>> looks_like_mojibake("РџСЂРёРІРµС‚"), looks_like_mojibake("Привет")
    (True, False)
    """
    if _CYRILLIC.search(text) is None:  # Cyrillic read as a Latin code page: "Ïðèâåò"
        latin1 = len(_LATIN1_LETTERS.findall(text))
        return latin1 >= 3 and latin1 > 0.3 * _letters(text)
    if _MOJIBAKE_HINT.search(text) is None:  # the usual case, decided without counting
        return False
    marks = len(_UTF8_MOJIBAKE.findall(text))
    return marks >= 3 and marks > 0.05 * _letters(text)


def _letters(text: str) -> int:
    return sum(map(str.isalpha, text)) or 1


def repair_mojibake(text: str) -> tuple[str, str]:
    """Undo a wrong decoding exactly, or return ``(text, "")`` when none applies.

    A repair is accepted only when re-encoding and decoding succeed without loss and the
    result reads as Cyrillic where the input did not.

    >>> repair_mojibake("РџСЂРёРІРµС‚, РјРёСЂ")
    ('Привет, мир', 'UTF-8 text read as cp1251')
    >>> repair_mojibake("Ça va, merci")
    ('Ça va, merci', '')
    """
    if not looks_like_mojibake(text):
        return text, ""
    for wrong, right, what in _MOJIBAKE_REPAIRS:
        try:
            candidate = text.encode(wrong).decode(right)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if not looks_like_mojibake(candidate) and _CYRILLIC.search(candidate):
            return candidate, what
    return text, ""
