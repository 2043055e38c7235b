"""Streaming, safe TMX reader: TMX 1.1-1.4b, UTF-8 or UTF-16 (BOM), `lang` or `xml:lang`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields

from lxml import etree

from tmx.errors import TmxParseError
from tmx.model import TmxHeader, TmxUnit
from tmx.parse import Source, check_no_entities, iter_tmx, source_name
from tmx.text import primary_language

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Inline elements that carry native codes (e.g. "<b>"), not translatable text.
READER_TAGS = ("tmx", "header", "tu")
NATIVE_CODE_TAGS = frozenset({"bpt", "ept", "ph", "it", "ut"})
_HEADER_FIELDS = {f.name.replace("_", "-"): f.name for f in fields(TmxHeader)
                  if f.name not in ("props", "notes")}


def tuv_lang(tuv: etree._Element) -> str:
    """The language of a ``<tuv>``: ``xml:lang`` (TMX 1.4) or ``lang`` (TMX 1.1)."""
    return tuv.get(XML_LANG) or tuv.get("lang") or ""


def seg_text(seg: etree._Element) -> str:
    """The text of a ``<seg>``, without the native codes of inline ``bpt/ept/ph/it/ut`` tags."""
    parts = [seg.text or ""]
    for child in seg:
        if child.tag not in NATIVE_CODE_TAGS and isinstance(child.tag, str):
            parts.append(seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _children(element: etree._Element) -> tuple[list[tuple[str, str]], list[str],
                                                list[tuple[str, str]]]:
    """Props, notes and ``(language, text)`` variants of a ``tu`` or ``header``, in one pass."""
    props, notes, variants = [], [], []
    for child in element:
        tag = child.tag
        if tag == "prop":
            props.append((child.get("type", ""), child.text or ""))
        elif tag == "note":
            notes.append(child.text or "")
        elif tag == "tuv":
            seg = child.find("seg")
            if seg is not None:
                variants.append((tuv_lang(child), seg_text(seg)))
    return props, notes, variants


def header_from_element(element: etree._Element) -> TmxHeader:
    """A :class:`TmxHeader` from a parsed ``<header>``, leniently (missing attributes default)."""
    values = {field: element.get(attribute) for attribute, field in _HEADER_FIELDS.items()
              if element.get(attribute) is not None}
    props, notes, _ = _children(element)
    values.setdefault("srclang", "")
    return TmxHeader(props=props, notes=notes, **values)


class TmxReader:
    """Iterate over the bilingual units of a TMX file, streaming.

    A ``<tu>`` with N variants gives N-1 units: its source variant (the ``tu``'s or the
    header's ``srclang``; ``*all*`` means the first variant) paired with each other one, or
    only with those in ``tgt_lang`` when given (region variants match: ``en-GB`` is ``en``).
    ``header`` is set once the header has been read; ``skipped`` counts ``<tu>`` elements that
    gave no unit (no source variant, no target variant).
    """

    def __init__(self, source: Source, tgt_lang: str | None = None) -> None:
        self.source = source
        self.name = source_name(source)
        self.tgt_lang = tgt_lang
        self.header: TmxHeader | None = None
        self.skipped = 0

    def __iter__(self) -> Iterator[TmxUnit]:
        for event, element in iter_tmx(self.source, READER_TAGS):
            if event == "end" and element.tag == "header":
                check_no_entities(self.name, element)
                self.header = header_from_element(element)
            elif event == "end" and element.tag == "tu":
                if self.header is None:
                    raise TmxParseError(f"{self.name}: line {element.sourceline}: <tu> before "
                                        "any <header>; this is not a TMX file")
                units = self._units(element)
                if not units:
                    self.skipped += 1
                yield from units

    def _units(self, tu: etree._Element) -> list[TmxUnit]:
        check_no_entities(self.name, tu)
        props, notes, variants = _children(tu)
        # No srclang anywhere (invalid, but seen in the wild): the first variant is the source.
        srclang = tu.get("srclang") or self.header.srclang or "*all*"
        source_index = self._source_index(srclang, variants)
        if source_index is None:
            return []
        src_lang, source = variants[source_index]
        wanted = primary_language(self.tgt_lang) if self.tgt_lang else None
        return [TmxUnit(source, target, src_lang, lang, props, notes, tu.get("tuid"))
                for index, (lang, target) in enumerate(variants)
                if index != source_index and (wanted is None or primary_language(lang) == wanted)]

    @staticmethod
    def _source_index(srclang: str, variants: list[tuple[str, str]]) -> int | None:
        if not variants:
            return None
        if srclang.lower() == "*all*":
            return 0
        langs = [lang for lang, _ in variants]
        if srclang in langs:
            return langs.index(srclang)
        primaries = [primary_language(lang) for lang in langs]
        wanted = primary_language(srclang)
        return primaries.index(wanted) if wanted in primaries else None


def read_units(source: Source, tgt_lang: str | None = None) -> Iterator[TmxUnit]:
    """Yield the units of a TMX file, streaming and safely (see :class:`TmxReader`).

    >>> import io
    >>> data = (b'<tmx version="1.1"><header srclang="EN-US" creationtool="t" '
    ...         b'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" '
    ...         b'datatype="plaintext"/><body><tu><tuv lang="EN-US"><seg>Yes</seg></tuv>'
    ...         b'<tuv lang="RU"><seg>&#x414;&#x430;</seg></tuv></tu></body></tmx>')
    >>> [(u.source, u.target, u.src_lang, u.tgt_lang) for u in read_units(io.BytesIO(data))]
    [('Yes', 'Да', 'EN-US', 'RU')]
    """
    yield from TmxReader(source, tgt_lang)


def read_header(source: Source) -> TmxHeader:
    """Read only the header of a TMX file (stops parsing right after it)."""
    for event, element in iter_tmx(source, READER_TAGS):
        if event == "end" and element.tag == "header":
            check_no_entities(source_name(source), element)
            return header_from_element(element)
        if event == "end":
            break
    raise TmxParseError(f"{source_name(source)}: no <header> element: not a TMX file")
