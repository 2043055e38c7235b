"""Streaming TMX 1.4b writer that CAT tools (OmegaT, Trados, memoQ) import the first time.

Every rule of ``shared/docs/TMX.md`` is applied here, so no caller can forget one: the seven
header attributes plus ``creationdate``; language codes as read or in a BCP 47 style;
a ``srclang`` on each unit whose source language is not the header's; XML-forbidden
characters removed (and counted); no empty segments; no whitespace around segment text;
duplicates handled by a stated policy; UTF-8 without BOM; a DOCTYPE. Inline markup (TMX
level 2) is written as it was read.

Units are serialised as strings (the escaping lxml uses), not element trees: with markup,
building a tree per unit would cost more than the whole write.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any, BinaryIO, Protocol

from lxml import etree

from tmx._atomic import atomic_output
from tmx.errors import TmxError, TmxWriteError
from tmx.inline import (Content, attributes_xml, content_xml, escape_attribute, escape_text,
                        parse_fragment, strip_content)
from tmx.parse import MAX_SEGMENT_BYTES
from tmx.model import NO_TUV_INFO, LeftOut, MetaAttrs, TmxHeader, TmxUnit, TuvInfo, attrs_of
from tmx.text import ILLEGAL_XML, clean_text, has_illegal_xml, lang_key, normalize_lang, text_key

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
DOCTYPE = b'<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'

#: ``pairs``: drop a unit whose (languages, source, target) was already written; several
#: targets for one source are all kept (OmegaT's tm/auto then applies the last one).
#: ``source``: keep only the first unit of each (languages, source): one translation per source.
#: ``none``: write every unit (memory stays flat: no keys are remembered).
#: Segments compare with their markup: units that differ only in markup are not duplicates.
DUPLICATE_POLICIES = ("pairs", "source", "none")
#: why the writer leaves out a unit whose text its own reader would refuse
TOO_LONG = "text over the reader's size limit"


class ByteSink(Protocol):
    """Where :class:`TmxWriter` writes: a binary file, or anything with its ``write``."""

    def write(self, data: bytes, /) -> int: ...


@dataclass
class WriteStats:
    """What the writer did with the units it was given; ``left_out`` names the units skipped."""

    written: int = 0
    skipped_empty: int = 0
    duplicates: int = 0
    chars_removed: int = 0
    units_cleaned: int = 0
    tuids_renamed: int = 0
    left_out: LeftOut = field(default_factory=LeftOut)
    #: SHA-256 of the file :func:`write_tmx` wrote (hex), from the bytes as they were written
    sha256: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"written": self.written, "skipped_empty": self.skipped_empty,
                "duplicates": self.duplicates, "chars_removed": self.chars_removed,
                "units_cleaned": self.units_cleaned, "tuids_renamed": self.tuids_renamed,
                "left_out": self.left_out.to_json()}


def _clean(text: str) -> str:
    """``text`` without XML-forbidden characters and surrounding whitespace (one scan)."""
    return clean_text(text)[0]


def _over_reader_limit(*texts: str) -> bool:
    """Whether a text is longer than the reader accepts (4 bytes a character at most)."""
    return any(len(text) * 4 > MAX_SEGMENT_BYTES and len(text.encode("utf-8")) > MAX_SEGMENT_BYTES
               for text in texts)


@functools.lru_cache(maxsize=1024)
def _prop_type(prop_type: str) -> str:
    return attributes_xml((("type", prop_type or "x-empty"),))


def _metadata_xml(props: tuple[tuple[str, str], ...], notes: tuple[str, ...], indent: str,
                  meta_attrs: MetaAttrs = ()) -> str:
    """``<prop>`` and ``<note>`` elements, each on its own line; values cleaned and stripped."""
    if not props and not notes:
        return ""
    parts = [f"{indent}<prop{_prop_attributes(_clean(key), meta_attrs, index)}>"
             f"{escape_text(_clean(value))}</prop>" for index, (key, value) in enumerate(props)]
    parts += [f"{indent}<note{attributes_xml(attrs_of(meta_attrs, 'note', index))}>"
              f"{escape_text(_clean(note))}</note>" for index, note in enumerate(notes)]
    return "".join(parts)


def _prop_attributes(prop_type: str, meta_attrs: MetaAttrs, index: int) -> str:
    return _prop_type(prop_type) + attributes_xml(attrs_of(meta_attrs, "prop", index))


def _tuv_parts(lang: str, info: TuvInfo) -> tuple[str, str]:
    """The XML of a ``<tuv>`` before and after its segment's content."""
    if not info:
        return f"\n    <tuv{attributes_xml((('xml:lang', lang),))}><seg>", "</seg></tuv>"
    return (f"\n    <tuv{attributes_xml((('xml:lang', lang), *info.attrs))}>"
            f"{_metadata_xml(info.props, info.notes, chr(10) + '      ', info.meta_attrs)}"
            "\n      <seg>",
            "</seg>\n    </tuv>")


def _tuv_xml(lang: str, info: TuvInfo, seg: str) -> str:
    before, after = _tuv_parts(lang, info)
    return before + seg + after


def _braces(text: str) -> str:
    """``text`` as literal text of a ``str.format`` template."""
    return text.replace("{", "{{").replace("}", "}}")


@functools.lru_cache(maxsize=256)
def _unit_template(prop_types: tuple[str, ...], note_count: int, meta_attrs: MetaAttrs,
                   src_lang: str, tgt_lang: str, source_tuv: TuvInfo | None,
                   target_tuv: TuvInfo | None) -> str:
    """A ``str.format`` template of a ``<tu>`` of one shape, its slots in order: the ``<tu>``
    attributes, each prop value and note, the two segments (a tree per unit costs more)."""
    parts = ["<tu{}>"]
    parts += [_braces(f"\n    <prop{_prop_attributes(_clean(key), meta_attrs, index)}>")
              + "{}</prop>" for index, key in enumerate(prop_types)]
    parts += [_braces(f"\n    <note{attributes_xml(attrs_of(meta_attrs, 'note', index))}>")
              + "{}</note>" for index in range(note_count)]
    for lang, info in ((src_lang, source_tuv), (tgt_lang, target_tuv)):
        before, after = _tuv_parts(lang, info or NO_TUV_INFO)
        parts.append(_braces(before) + "{}" + _braces(after))
    return "".join(parts)


def _metadata_values(unit: TmxUnit) -> list[str]:
    """The unit's prop values and notes, cleaned, stripped and escaped, in template order."""
    return [escape_text(_clean(text))
            for text in [value for _, value in unit.props] + list(unit.notes)]


def _segment(text: str, markup: Content | None) -> tuple[str, str, int]:
    """(plain text, XML, forbidden characters removed) of a segment, surrounding space removed."""
    if markup is None:
        cleaned, removed = clean_text(text)
        return cleaned, escape_text(cleaned), removed
    xml = content_xml(strip_content(markup))
    if not has_illegal_xml(xml):
        return text.strip(), xml, 0
    xml, removed = ILLEGAL_XML.subn("", xml)
    return text.strip(), xml, removed


def _set_attributes(element: etree._Element, attrs: Iterable[tuple[str, str]]) -> None:
    for name, value in attrs:
        element.set(XML_LANG if name == "xml:lang" else name, ILLEGAL_XML.sub("", value))


def _header_xml(header: TmxHeader, srclang: str, adminlang: str) -> bytes:
    """The ``<header>`` element as XML, built once for all headers that differ only in their
    creation date (a run writes one such header per pair's file)."""
    undated = _undated_header_xml(replace(header, creationdate=_UNDATED), srclang, adminlang)
    return undated.replace(f'creationdate="{_UNDATED}"'.encode(),
                           f'creationdate="{header.creationdate}"'.encode(), 1)


_UNDATED = "00000000T000000Z"  # stands for the date in a cached header (any date's shape)


@functools.lru_cache(maxsize=16)
def _undated_header_xml(header: TmxHeader, srclang: str, adminlang: str) -> bytes:
    attributes = dict(header.attributes(), srclang=srclang, adminlang=adminlang)
    element = etree.Element("header", attributes)
    meta_attrs = header.meta_attrs
    for index, (prop_type, value) in enumerate(header.props):
        prop = etree.SubElement(element, "prop", type=_clean(prop_type))
        _set_attributes(prop, attrs_of(meta_attrs, "prop", index))
        prop.text = _clean(value)
    for index, note in enumerate(header.notes):
        note_element = etree.SubElement(element, "note")
        _set_attributes(note_element, attrs_of(meta_attrs, "note", index))
        note_element.text = _clean(note)
    for ude in header.udes:
        element.append(parse_fragment(ude))
    if len(element):
        element.text = "\n    "
        for child in element:
            child.tail = "\n    "
        element[-1].tail = "\n  "
    return etree.tostring(element, encoding="UTF-8")


class TmxWriter:
    """Write units one by one to a binary stream; use as a context manager.

    ``locale_style`` ``keep`` writes language codes as they are; ``unique_tuids`` renames a
    tuid already written (``ID-2``...), remembering every tuid.

    >>> import io
    >>> out = io.BytesIO()
    >>> header = TmxHeader(srclang="ru", creationdate="20240101T000000Z")
    >>> with TmxWriter(out, header) as writer:
    ...     writer.write(TmxUnit(" Кошка. ", "The cat.", "ru", "en"))
    True
    >>> b'<seg>\\xd0\\x9a\\xd0\\xbe\\xd1\\x88\\xd0\\xba\\xd0\\xb0.</seg>' in out.getvalue()
    True
    """

    def __init__(self, stream: ByteSink, header: TmxHeader, locale_style: str = "keep",
                 duplicates: str = "pairs", unique_tuids: bool = False) -> None:
        if duplicates not in DUPLICATE_POLICIES:
            raise TmxError(f"unknown duplicate policy {duplicates!r}: use one of "
                           f"{', '.join(DUPLICATE_POLICIES)}")
        header.check_writable()
        self.stream = stream
        self.locale_style = locale_style
        self.duplicates = duplicates
        self.srclang = (header.srclang if header.srclang.lower() == "*all*"
                        else normalize_lang(header.srclang, locale_style))
        self.header = header
        self.stats = WriteStats()
        self._langs: dict[str, str] = {}
        self._seen: set[bytes] = set()
        self._tuids: set[str] | None = set() if unique_tuids else None

    def __enter__(self) -> TmxWriter:
        adminlang = normalize_lang(self.header.adminlang, self.locale_style)
        self.stream.write(XML_DECLARATION + DOCTYPE + b'<tmx version="1.4">\n  '
                          + _header_xml(self.header, self.srclang, adminlang)
                          + b"\n  <body>\n  ")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if exc_type is None:
            self.stream.write(b"</body>\n</tmx>")

    def _lang(self, code: str, unit: TmxUnit) -> str:
        normalized = self._langs.get(code)
        if normalized is None:
            try:
                normalized = self._langs[code] = normalize_lang(code, self.locale_style)
            except TmxError as error:
                raise TmxWriteError(f"{unit.name()}: {error}") from None
        return normalized

    def _is_duplicate(self, src_lang: str, tgt_lang: str, source: str, target: str) -> bool:
        if self.duplicates == "none":
            return False
        fields = (lang_key(src_lang), lang_key(tgt_lang), source) if self.duplicates == "source" \
            else (lang_key(src_lang), lang_key(tgt_lang), source, target)
        key = text_key(*fields)
        if key in self._seen:
            return True
        self._seen.add(key)
        return False

    def _tuid(self, tuid: str | None) -> str | None:
        if tuid is None:
            return None
        if not tuid.isprintable() or " " in tuid:  # whitespace, forbidden characters
            tuid = "_".join(ILLEGAL_XML.sub("", tuid).split()) or "_"
        if self._tuids is None:
            return tuid
        unique, number = tuid, 1
        while unique in self._tuids:
            number += 1
            unique = f"{tuid}-{number}"
        if number > 1:
            self.stats.tuids_renamed += 1
        self._tuids.add(unique)
        return unique

    def _tu_attributes(self, unit: TmxUnit, src_lang: str) -> str:
        tuid = self._tuid(unit.tuid)
        tuid_xml = "" if tuid is None else f' tuid="{escape_attribute(tuid)}"'
        own_srclang = self.srclang != "*all*" and lang_key(src_lang) != lang_key(self.srclang)
        if not unit.attrs and not own_srclang:
            return tuid_xml
        attrs = [(name, src_lang if name == "srclang" else value) for name, value in unit.attrs]
        if own_srclang and not any(name == "srclang" for name, _ in attrs):
            attrs.append(("srclang", src_lang))
        return tuid_xml + attributes_xml(tuple(attrs))

    def write(self, unit: TmxUnit) -> bool:
        """Write one unit; return False when it was left out (empty or duplicate)."""
        src_lang, tgt_lang = self._lang(unit.src_lang, unit), self._lang(unit.tgt_lang, unit)
        source, source_xml, removed_src = _segment(unit.source, unit.source_markup)
        target, target_xml, removed_tgt = _segment(unit.target, unit.target_markup)
        others = self._others(unit) if unit.others else ""
        if removed_src or removed_tgt:
            self.stats.chars_removed += removed_src + removed_tgt
            self.stats.units_cleaned += 1
        if not source or not target:
            self.stats.skipped_empty += 1
            self.stats.left_out.add("empty segment", unit.name())
            return False
        if _over_reader_limit(source_xml, target_xml, *(value for _, value in unit.props),
                              *unit.notes):
            self.stats.left_out.add(TOO_LONG, unit.name())
            return False
        if self._is_duplicate(src_lang, tgt_lang, source_xml, target_xml + others):
            self.stats.duplicates += 1
            self.stats.left_out.add("duplicate", unit.name())
            return False
        template = _unit_template(
            tuple([key for key, _ in unit.props]), len(unit.notes), unit.meta_attrs,
            src_lang, tgt_lang,
            None if unit.source_tuv is NO_TUV_INFO else unit.source_tuv,
            None if unit.target_tuv is NO_TUV_INFO else unit.target_tuv)
        xml = template.format(self._tu_attributes(unit, src_lang), *_metadata_values(unit),
                              source_xml, target_xml)
        self.stream.write(f"{xml}{others}\n  </tu>\n  ".encode("utf-8"))
        self.stats.written += 1
        return True

    def _others(self, unit: TmxUnit) -> str:
        """The ``<tuv>`` elements of a multilingual unit's further variants; empty ones are
        left out (and named)."""
        tuvs = []
        for variant in unit.others:
            text, xml, removed = _segment(variant.text, variant.markup)
            self.stats.chars_removed += removed
            if text:
                tuvs.append(_tuv_xml(self._lang(variant.lang, unit), variant.info, xml))
            else:
                self.stats.left_out.add(f"empty {variant.lang} variant", unit.name())
        return "".join(tuvs)

    def write_all(self, units: Iterable[TmxUnit]) -> WriteStats:
        """Write every unit; return the running statistics."""
        for unit in units:
            self.write(unit)
        return self.stats


def write_tmx(path: str | os.PathLike[str], units: Iterable[TmxUnit], header: TmxHeader,
              locale_style: str = "keep", duplicates: str = "pairs",
              unique_tuids: bool = False) -> WriteStats:
    """Write ``units`` to ``path`` atomically: on any error the old file (if any) is untouched.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tm.tmx"
    >>> units = [TmxUnit("Да.", "Yes.", "ru", "en"), TmxUnit("Да.", "Yes.", "ru", "en")]
    >>> stats = write_tmx(path, units, TmxHeader(srclang="ru"))
    >>> stats.written, stats.duplicates, stats.left_out.summary()
    (1, 1, "1 left out: 1 duplicate ('Да.')")
    >>> stats.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    True
    """
    with atomic_output(path) as handle:
        hashing = _HashingStream(handle)
        with TmxWriter(hashing, header, locale_style, duplicates, unique_tuids) as writer:
            stats = writer.write_all(units)
        stats.sha256 = hashing.digest.hexdigest()
        return stats


class _HashingStream:
    """A binary output that hashes what it passes on, so a written file's digest needs no
    second read."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.stream.write(data)

