"""Streaming, safe TMX reader: TMX 1.1-1.4b, UTF-8 or UTF-16 (BOM), `lang` or `xml:lang`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields

from lxml import etree

from tmx.errors import TmxParseError
from tmx.inline import Content, attribute_name, element_content, plain_text
from tmx.model import NO_TUV_INFO, LeftOut, MetaAttrs, TmxHeader, TmxUnit, TuvInfo, Variant
from tmx.parse import Source, check_no_entities, iter_tmx, source_name
from tmx.text import lang_key, lang_matches

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
READER_TAGS = ("tmx", "header", "tu")
_HEADER_FIELDS = {f.name.replace("_", "-"): f.name for f in fields(TmxHeader)
                  if f.name not in ("props", "notes", "extra", "udes", "meta_attrs")}
_LANG_ATTRIBUTES = frozenset({XML_LANG, "lang"})


def tuv_lang(tuv: etree._Element) -> str:
    """The language of a ``<tuv>``: ``xml:lang`` (TMX 1.4) or ``lang`` (TMX 1.1)."""
    return tuv.get(XML_LANG) or tuv.get("lang") or ""


def seg_content(seg: etree._Element) -> tuple[str, Content | None]:
    """The plain text of a ``<seg>`` and, when it has inline elements, its content."""
    if not len(seg):
        return seg.text or "", None
    content = element_content(seg)
    return plain_text(content), content


def seg_text(seg: etree._Element) -> str:
    """The text of a ``<seg>``, without the native codes of inline ``bpt/ept/ph/it/ut`` tags."""
    return seg_content(seg)[0]


def _attributes(element: etree._Element, leave_out: frozenset[str] = frozenset()
                ) -> tuple[tuple[str, str], ...]:
    return tuple([(attribute_name(key), value) for key, value in element.attrib.items()
                  if key not in leave_out])


def _children(element: etree._Element) -> tuple[list[tuple[str, str]], list[str],
                                                list[Variant], MetaAttrs]:
    """Props, notes, variants and the props' and notes' attributes of a ``tu``, ``tuv`` or
    ``header``, in one pass."""
    props, notes, variants, meta = [], [], [], []
    for child in element:
        tag = child.tag
        if tag == "prop":
            if len(child.attrib) > 1:
                meta.append(("prop", len(props), _attributes(child, frozenset({"type"}))))
            props.append((child.get("type", ""), child.text or ""))
        elif tag == "note":
            if len(child.attrib):
                meta.append(("note", len(notes), _attributes(child)))
            notes.append(child.text or "")
        elif tag == "tuv":
            seg = child.find("seg")
            if seg is not None:
                variants.append(_variant(child, seg))
    return props, notes, variants, tuple(sorted(meta))  # one order however they interleave


def _variant(tuv: etree._Element, seg: etree._Element) -> Variant:
    text, markup = seg_content(seg)
    info = NO_TUV_INFO
    if len(tuv) > 1 or len(tuv.attrib) > 1:
        props, notes, _, meta = _children(tuv)
        info = TuvInfo(_attributes(tuv, _LANG_ATTRIBUTES), tuple(props), tuple(notes), meta)
    return Variant(tuv_lang(tuv), text, markup, info)


def header_from_element(element: etree._Element) -> TmxHeader:
    """A :class:`TmxHeader` from a parsed ``<header>``, leniently (missing attributes default)."""
    values = {field: element.get(attribute) for attribute, field in _HEADER_FIELDS.items()
              if element.get(attribute) is not None}
    extra = _attributes(element, frozenset(_HEADER_FIELDS))
    props, notes, _, meta = _children(element)
    udes = [etree.tostring(child, encoding="unicode", with_tail=False)
            for child in element if child.tag == "ude"]
    values.setdefault("srclang", "")
    return TmxHeader(props=props, notes=notes, extra=extra, udes=udes, meta_attrs=meta, **values)


class TmxReader:
    """Iterate over the bilingual units of a TMX file, streaming.

    A ``<tu>`` with N variants gives N-1 units: its source variant paired with each other one,
    or only with those in ``tgt_lang`` when given; with ``multilingual`` (and no
    ``tgt_lang``) it gives one unit, the variants after the first target in ``others``. The
    source variant is the one in ``src_lang`` when given, else in the ``tu``'s or the
    header's ``srclang`` (``*all*``: the first variant). Languages compare
    case-insensitively, exactly when the code asked for has a region (``en-GB`` is not
    ``en-US``), by language when it has none (``en`` is ``en-GB``).
    A ``<tu>`` that gives several units gives them distinct tuids (``tuid-LANG``).

    ``header`` is set once the header has been read; ``left_out`` counts and names each
    ``<tu>`` that gave no unit, by reason.
    """

    def __init__(self, source: Source, tgt_lang: str | None = None,
                 src_lang: str | None = None, multilingual: bool = False) -> None:
        self.source = source
        self.name = source_name(source)
        self.tgt_lang = tgt_lang
        self.src_lang = src_lang
        self.multilingual = multilingual and tgt_lang is None
        self.header: TmxHeader | None = None
        self.left_out = LeftOut()

    @property
    def skipped(self) -> int:
        """How many ``<tu>`` elements gave no unit."""
        return self.left_out.total

    def __iter__(self) -> Iterator[TmxUnit]:
        for event, element in iter_tmx(self.source, READER_TAGS):
            if event == "end" and element.tag == "header":
                check_no_entities(self.name, element)
                self.header = header_from_element(element)
            elif event == "end" and element.tag == "tu":
                if self.header is None:
                    raise TmxParseError(f"{self.name}: line {element.sourceline}: <tu> before "
                                        "any <header>; this is not a TMX file")
                yield from self._units(element)

    def _units(self, tu: etree._Element) -> list[TmxUnit]:
        check_no_entities(self.name, tu)
        props, notes, variants, meta = _children(tu)
        origin = f"{self.name}:{tu.sourceline}"
        tuid = tu.get("tuid")
        # No srclang anywhere (invalid, but seen in the wild): the first variant is the source.
        srclang = self.src_lang or tu.get("srclang") or self.header.srclang or "*all*"
        source_index = _source_index(srclang, variants)
        if source_index is None:
            self._leave_out(f"no {srclang} variant", origin, tuid)
            return []
        source = variants[source_index]
        targets = [variant for index, variant in enumerate(variants) if index != source_index
                   and (self.tgt_lang is None or lang_matches(variant.lang, self.tgt_lang))]
        if not targets:
            self._leave_out(f"no {self.tgt_lang or 'target'} variant", origin, tuid)
            return []
        attrs = _attributes(tu, frozenset({"tuid"}))
        if self.multilingual:
            target, *others = targets
            return [TmxUnit(source.text, target.text, source.lang, target.lang, tuple(props),
                            tuple(notes), tuid, source.markup, target.markup, attrs,
                            source.info, target.info, tuple(others), meta, origin)]
        return [TmxUnit(source.text, target.text, source.lang, target.lang, tuple(props),
                        tuple(notes), _split_tuid(tuid, target.lang, len(targets)),
                        source.markup, target.markup, attrs, source.info, target.info, (),
                        meta, origin)
                for target in targets]

    def _leave_out(self, reason: str, origin: str, tuid: str | None) -> None:
        self.left_out.add(reason, origin + (f" (tuid {tuid})" if tuid else ""))


def _split_tuid(tuid: str | None, lang: str, units: int) -> str | None:
    """A multilingual ``<tu>`` read as several units: each gets its own tuid."""
    return tuid if tuid is None or units == 1 else f"{tuid}-{lang}"


def _source_index(srclang: str, variants: list[Variant]) -> int | None:
    if not variants:
        return None
    if srclang.lower() == "*all*":
        return 0
    wanted = lang_key(srclang)
    exact = [index for index, variant in enumerate(variants) if lang_key(variant.lang) == wanted]
    if exact:
        return exact[0]
    return next((index for index, variant in enumerate(variants)
                 if lang_matches(variant.lang, srclang)), None)


def read_units(source: Source, tgt_lang: str | None = None,
               src_lang: str | None = None) -> Iterator[TmxUnit]:
    """Yield the units of a TMX file, streaming and safely (see :class:`TmxReader`).

    >>> import io
    >>> data = (b'<tmx version="1.1"><header srclang="EN-US" creationtool="t" '
    ...         b'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" '
    ...         b'datatype="plaintext"/><body><tu><tuv lang="EN-US"><seg>Yes</seg></tuv>'
    ...         b'<tuv lang="RU"><seg>&#x414;&#x430;</seg></tuv></tu></body></tmx>')
    >>> [(u.source, u.target, u.src_lang, u.tgt_lang) for u in read_units(io.BytesIO(data))]
    [('Yes', 'Да', 'EN-US', 'RU')]
    """
    yield from TmxReader(source, tgt_lang, src_lang)


def read_header(source: Source) -> TmxHeader:
    """Read only the header of a TMX file (stops parsing right after it)."""
    for event, element in iter_tmx(source, READER_TAGS):
        if event == "end" and element.tag == "header":
            check_no_entities(source_name(source), element)
            return header_from_element(element)
        if event == "end":
            break
    raise TmxParseError(f"{source_name(source)}: no <header> element: not a TMX file")
