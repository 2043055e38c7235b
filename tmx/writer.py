"""Streaming TMX 1.4b writer that CAT tools (OmegaT, Trados, memoQ) import the first time.

Every rule of ``shared/docs/TMX.md`` is applied here, so no caller can forget one: the seven
header attributes plus ``creationdate``; BCP 47 language codes; ``srclang`` equal to the source
``<tuv>``; XML-forbidden characters removed (and counted); no empty segments; no whitespace
around segment text; duplicates handled by a stated policy; UTF-8 without BOM; a DOCTYPE.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from types import TracebackType
from typing import Any, BinaryIO

from lxml import etree

from tmx._atomic import atomic_output
from tmx.errors import TmxError, TmxWriteError
from tmx.model import TmxHeader, TmxUnit
from tmx.parse import MAX_SEGMENT_BYTES
from tmx.text import ILLEGAL_XML, clean_text, normalize_lang, text_key

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'

#: ``pairs``: drop a unit whose (languages, source, target) was already written; several
#: targets for one source are all kept (OmegaT's tm/auto then applies the last one).
#: ``source``: keep only the first unit of each (languages, source): one translation per source.
#: ``none``: write every unit (memory stays flat: no keys are remembered).
DUPLICATE_POLICIES = ("pairs", "source", "none")
_TEMPLATE_CACHE_SIZE = 256


@dataclass
class WriteStats:
    """What the writer did with the units it was given."""

    written: int = 0
    skipped_empty: int = 0
    duplicates: int = 0
    chars_removed: int = 0
    units_cleaned: int = 0
    #: tuids (or unit numbers) of units left out for a text over the reader's limit
    too_long: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class _UnitTemplate:
    """A reusable ``<tu>`` tree for one shape of unit: only texts change between units.

    Building a fresh element tree per unit costs more than serialising it; reusing one per
    shape (prop types, note count, languages) more than doubles the writer's speed.
    """

    def __init__(self, prop_types: tuple[str, ...], note_count: int, langs: tuple[str, str]):
        self.tu = etree.Element("tu")
        self.tu.text = "\n    "
        self.metadata = [self._child(self.tu, "prop", type=key) for key in prop_types] + [
            self._child(self.tu, "note") for _ in range(note_count)]
        self.segs = [etree.SubElement(self._child(self.tu, "tuv", {XML_LANG: lang}), "seg")
                     for lang in langs]
        self.tu[-1].tail = "\n  "
        self.tu.tail = "\n  "

    @staticmethod
    def _child(parent: etree._Element, tag: str, attrib: dict[str, str] | None = None,
               **extra: str) -> etree._Element:
        child = etree.SubElement(parent, tag, attrib or {}, **extra)
        child.tail = "\n    "
        return child

    def fill(self, unit: TmxUnit, source: str, target: str) -> etree._Element:
        texts = _clean_metadata([*(value for _, value in unit.props), *unit.notes,
                                 unit.tuid or ""])
        tuid = texts.pop()
        if unit.tuid is None:
            self.tu.attrib.pop("tuid", None)
        else:
            self.tu.set("tuid", "_".join(tuid.split()) or "_")
        for element, text in zip(self.metadata, texts):
            element.text = text
        self.segs[0].text, self.segs[1].text = source, target
        return self.tu


def _over_reader_limit(*texts: str) -> bool:
    """Whether a text is longer than the reader accepts (4 bytes a character at most)."""
    return any(len(text) * 4 > MAX_SEGMENT_BYTES and len(text.encode("utf-8")) > MAX_SEGMENT_BYTES
               for text in texts)


def _clean_metadata(texts: list[str]) -> list[str]:
    """Strip each text; remove forbidden characters only when one occurs (one scan, fast)."""
    if ILLEGAL_XML.search("\n".join(texts)):
        return [clean_text(text)[0] for text in texts]
    return [text.strip() for text in texts]


class TmxWriter:
    """Write units one by one to a binary stream; use as a context manager.

    >>> import io
    >>> out = io.BytesIO()
    >>> header = TmxHeader(srclang="ru", creationdate="20240101T000000Z")
    >>> with TmxWriter(out, header) as writer:
    ...     writer.write(TmxUnit(" Кошка. ", "The cat.", "ru", "en"))
    True
    >>> b'<seg>\\xd0\\x9a\\xd0\\xbe\\xd1\\x88\\xd0\\xba\\xd0\\xb0.</seg>' in out.getvalue()
    True
    """

    def __init__(self, stream: BinaryIO, header: TmxHeader, locale_style: str = "bare",
                 duplicates: str = "pairs") -> None:
        if duplicates not in DUPLICATE_POLICIES:
            raise TmxError(f"unknown duplicate policy {duplicates!r}: use one of "
                           f"{', '.join(DUPLICATE_POLICIES)}")
        header.check_writable()
        self.stream = stream
        self.locale_style = locale_style
        self.duplicates = duplicates
        self.srclang = normalize_lang(header.srclang, locale_style)
        self.header = header
        self.stats = WriteStats()
        self._langs: dict[str, str] = {}
        self._seen: set[bytes] = set()
        self._templates: dict[tuple[Any, ...], _UnitTemplate] = {}
        self._context: Any = None
        self._xf: Any = None
        self._unit_number = 0

    def __enter__(self) -> TmxWriter:
        # lxml writes the declaration with single quotes; some tools expect the usual form.
        self.stream.write(XML_DECLARATION)
        self._context = etree.xmlfile(self.stream, encoding="UTF-8")
        self._xf = self._context.__enter__()
        self._xf.write_doctype(DOCTYPE)
        self._tmx = self._xf.element("tmx", version="1.4")
        self._tmx.__enter__()
        self._xf.write("\n  ")
        self._xf.write(self._header_element())
        self._body = self._xf.element("body")
        self._body.__enter__()
        self._xf.write("\n  ")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if exc_type is None:
            self._body.__exit__(None, None, None)
            self._xf.write("\n")
            self._tmx.__exit__(None, None, None)
        self._context.__exit__(exc_type, exc, traceback)

    def _header_element(self) -> etree._Element:
        attributes = dict(self.header.attributes(), srclang=self.srclang,
                          adminlang=normalize_lang(self.header.adminlang, self.locale_style))
        element = etree.Element("header", attributes)
        element.tail = "\n  "
        for prop_type, value in self.header.props:
            prop = etree.SubElement(element, "prop", type=clean_text(prop_type)[0])
            prop.text = clean_text(value)[0]
        for note in self.header.notes:
            etree.SubElement(element, "note").text = clean_text(note)[0]
        if len(element):
            element.text = "\n    "
            for child in element:
                child.tail = "\n    "
            element[-1].tail = "\n  "
        return element

    def _lang(self, code: str) -> str:
        normalized = self._langs.get(code)
        if normalized is None:
            normalized = self._langs[code] = normalize_lang(code, self.locale_style)
        return normalized

    def _is_duplicate(self, src_lang: str, tgt_lang: str, source: str, target: str) -> bool:
        if self.duplicates == "none":
            return False
        fields = (src_lang, tgt_lang, source) if self.duplicates == "source" else (
            src_lang, tgt_lang, source, target)
        key = text_key(*fields)
        if key in self._seen:
            return True
        self._seen.add(key)
        return False

    def write(self, unit: TmxUnit) -> bool:
        """Write one unit; return False when it was skipped (empty or duplicate)."""
        self._unit_number += 1
        src_lang, tgt_lang = self._lang(unit.src_lang), self._lang(unit.tgt_lang)
        if src_lang != self.srclang:
            raise TmxWriteError(
                f"unit {self._unit_number} ({unit.tuid or 'no tuid'}): source language "
                f"{unit.src_lang!r} differs from the header's srclang {self.srclang!r}; "
                "write one TMX per language direction")
        source, removed_src = clean_text(unit.source)
        target, removed_tgt = clean_text(unit.target)
        if removed_src or removed_tgt:
            self.stats.chars_removed += removed_src + removed_tgt
            self.stats.units_cleaned += 1
        if not source or not target:
            self.stats.skipped_empty += 1
            return False
        if _over_reader_limit(source, target, *(value for _, value in unit.props), *unit.notes):
            self.stats.too_long.append(unit.tuid or str(self._unit_number))
            return False
        if self._is_duplicate(src_lang, tgt_lang, source, target):
            self.stats.duplicates += 1
            return False
        self._xf.write(self._template(unit, src_lang, tgt_lang).fill(unit, source, target))
        self.stats.written += 1
        return True

    def _template(self, unit: TmxUnit, src_lang: str, tgt_lang: str) -> _UnitTemplate:
        shape = (tuple([key for key, _ in unit.props]), len(unit.notes), src_lang, tgt_lang)
        template = self._templates.get(shape)
        if template is None:
            if len(self._templates) >= _TEMPLATE_CACHE_SIZE:
                self._templates.clear()
            prop_types = tuple(clean_text(key)[0] or "x-empty" for key in shape[0])
            template = self._templates[shape] = _UnitTemplate(prop_types, len(unit.notes),
                                                              (src_lang, tgt_lang))
        return template

    def write_all(self, units: Iterable[TmxUnit]) -> WriteStats:
        """Write every unit; return the running statistics."""
        for unit in units:
            self.write(unit)
        return self.stats


def write_tmx(path: str | os.PathLike[str], units: Iterable[TmxUnit], header: TmxHeader,
              locale_style: str = "bare", duplicates: str = "pairs") -> WriteStats:
    """Write ``units`` to ``path`` atomically: on any error the old file (if any) is untouched.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tm.tmx"
    >>> units = [TmxUnit("Да.", "Yes.", "ru", "en"), TmxUnit("Да.", "Yes.", "ru", "en")]
    >>> write_tmx(path, units, TmxHeader(srclang="ru")).to_json()  # doctest: +NORMALIZE_WHITESPACE
    {'written': 1, 'skipped_empty': 0, 'duplicates': 1, 'chars_removed': 0, 'units_cleaned': 0,
     'too_long': []}
    """
    with atomic_output(path) as handle, TmxWriter(handle, header, locale_style,
                                                  duplicates) as writer:
        return writer.write_all(units)

