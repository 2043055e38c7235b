"""TMX level 2: a segment's inline markup (``bpt ept it ph hi sub ut``) kept as markup.

A segment is a :data:`Content` tuple of text strings and :class:`Inline` elements, each with
its attributes in file order and its own content (``sub`` nests inside native codes, ``hi``
and ``sub`` hold translatable text). The plain text used for scoring, filtering and
deduplication drops the native codes. The XML form keeps attributes in their original order;
segment text is escaped as lxml escapes it (``& < >``), text inside inline elements as the
TMX specification's examples do (``&lt;B>``: ``>`` kept), so that most native codes are
written back byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Union

from lxml import etree

from tmx.errors import TmxError
from tmx.text import ILLEGAL_XML

#: Elements whose content is native code of the original format (e.g. ``<b>``), not text.
NATIVE_CODE_TAGS = frozenset({"bpt", "ept", "ph", "it", "ut"})
XML_NAMESPACE = "{http://www.w3.org/XML/1998/namespace}"
MARKUP_MODES = ("keep", "strip")

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Inline:
    """One inline element: ``tag``, attributes in file order, content (text and elements).

    >>> bold = Inline("bpt", (("i", "1"), ("type", "bold")), ("<b>",))
    >>> content_xml(("Le ", bold, "chat > chien"))
    'Le <bpt i="1" type="bold">&lt;b></bpt>chat &gt; chien'
    """

    tag: str
    attrs: Pairs = ()
    content: tuple[Union[str, Inline], ...] = ()

    def xml(self) -> str:
        return content_xml((self,))


Content = tuple[Union[str, Inline], ...]
_CACHE_SIZE = 4096
_ELEMENT_XML: dict[tuple[str, Pairs, str], str] = {}


def escape_text(text: str, code: bool = False) -> str:
    """Escape text content as lxml does: ``& < >`` and carriage return. ``code``: text inside
    an inline element, escaped as the TMX specification's examples do (``<bpt i="1">&lt;B>
    </bpt>``): ``>`` stays unless it ends ``]]>``.

    >>> escape_text("a<b & c>\\r"), escape_text("<b> & ]]>", code=True)
    ('a&lt;b &amp; c&gt;&#13;', '&lt;b> &amp; ]]&gt;')
    """
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if code:
        if "]]>" in text:
            text = text.replace("]]>", "]]&gt;")
    elif ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


_ATTRIBUTE_ESCAPES = str.maketrans({'"': "&quot;", "\n": "&#10;", "\t": "&#9;"})


_ATTRIBUTE_SPECIAL = re.compile('[&<>"\n\r\t]')


def escape_attribute(value: str) -> str:
    """Escape an attribute value as lxml does (double quotes, line breaks and tabs too).

    >>> escape_attribute('a "b"\\tc')
    'a &quot;b&quot;&#9;c'
    """
    if _ATTRIBUTE_SPECIAL.search(value) is None:
        return value
    return escape_text(value).translate(_ATTRIBUTE_ESCAPES)


_ATTRIBUTES_XML: dict[Pairs, str] = {}


def attributes_xml(attrs: Pairs) -> str:
    """`` name="value"`` for each attribute, escaped, XML-forbidden characters removed.

    Attribute sets repeat (``i="1" x="1" type="bold"``): each is escaped once.

    >>> attributes_xml((("type", 'a"b'), ("x", "1")))
    ' type="a&quot;b" x="1"'
    """
    cached = _ATTRIBUTES_XML.get(attrs)
    if cached is None:
        if len(_ATTRIBUTES_XML) >= _CACHE_SIZE:
            _ATTRIBUTES_XML.clear()
        cached = _ATTRIBUTES_XML[attrs] = "".join([
            f' {name}="{escape_attribute(ILLEGAL_XML.sub("", value))}"' for name, value in attrs])
    return cached


def content_xml(content: Iterable[Union[str, Inline]], code: bool = False) -> str:
    """The XML of a segment's content (what goes between ``<seg>`` and ``</seg>``); ``code``:
    the content of an inline element (``>`` kept, see :func:`escape_text`)."""
    # The writer's inner loop: one flat pass; an element holding one text (the usual native
    # code, e.g. <bpt i="1">&lt;b></bpt>) is cached, as such elements repeat throughout a TM.
    parts = []
    for node in content:
        if type(node) is str:
            if code or "&" in node or "<" in node or ">" in node or "\r" in node:
                node = escape_text(node, code)  # type: ignore[arg-type]
            parts.append(node)  # type: ignore[arg-type]
            continue
        inner = node.content  # type: ignore[union-attr]
        if len(inner) == 1 and type(inner[0]) is str:
            key = (node.tag, node.attrs, inner[0])  # type: ignore[union-attr]
            element = _ELEMENT_XML.get(key)
            if element is None:
                if len(_ELEMENT_XML) >= _CACHE_SIZE:
                    _ELEMENT_XML.clear()
                element = _ELEMENT_XML[key] = _element_xml(
                    key[0], key[1], escape_text(key[2], code=True))  # type: ignore[arg-type]
            parts.append(element)
        else:
            parts.append(_element_xml(node.tag, node.attrs,  # type: ignore[union-attr]
                                      content_xml(inner, True) if inner else ""))
    return "".join(parts)


def _element_xml(tag: str, attrs: Pairs, inner_xml: str) -> str:
    """An element around the XML of its content (self-closed when empty)."""
    attributes = attributes_xml(attrs)
    if not inner_xml:
        return f"<{tag}{attributes}/>"
    return f"<{tag}{attributes}>{inner_xml}</{tag}>"


def plain_text(content: Iterable[Union[str, Inline]]) -> str:
    """The text of a segment without native codes: ``hi`` text kept, ``bpt``... dropped.

    >>> plain_text(("Click ", Inline("ph", (), ("<img>",)), " to ", Inline("hi", (), ("go",))))
    'Click  to go'
    """
    parts = []
    for node in content:
        if type(node) is str:
            parts.append(node)
        elif node.tag not in NATIVE_CODE_TAGS:  # type: ignore[union-attr]
            parts.append(plain_text(node.content))  # type: ignore[union-attr]
    return "".join(parts)  # type: ignore[arg-type]


def count_elements(content: Iterable[Union[str, Inline]]) -> int:
    """How many inline elements a segment holds, nested ones (``sub``) included."""
    return sum(1 + count_elements(node.content) for node in content if type(node) is not str)


def attribute_name(name: str) -> str:
    """An lxml attribute key as written in XML (``{...XML namespace}lang`` -> ``xml:lang``)."""
    if name.startswith(XML_NAMESPACE):
        return "xml:" + name[len(XML_NAMESPACE):]
    return name.rsplit("}", 1)[-1]


def element_content(element: etree._Element) -> Content:
    """The content of a parsed ``<seg>`` (or inline element), comments and PIs left out."""
    nodes: list[Union[str, Inline]] = [element.text] if element.text else []
    for child in element:
        if isinstance(child.tag, str):
            attrs = tuple([(attribute_name(key), value) for key, value in child.attrib.items()])
            nodes.append(Inline(child.tag, attrs, element_content(child)))
        if child.tail:
            if nodes and type(nodes[-1]) is str:  # a dropped comment split the text
                nodes[-1] += child.tail  # type: ignore[operator]
            else:
                nodes.append(child.tail)
    return tuple(nodes)


_FRAGMENT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                                   load_dtd=False)


def parse_fragment(xml: str) -> etree._Element:
    """Parse one element given as XML, safely (no entities, no network, size limits)."""
    try:
        return etree.fromstring(xml, _FRAGMENT_PARSER)
    except etree.XMLSyntaxError as error:
        raise TmxError(f"not well-formed XML: {error}: {xml[:60]!r}") from None


def parse_content(xml: str) -> Content:
    """Parse the XML form of a segment's content (as :func:`content_xml` writes it).

    >>> parse_content('Le <bpt i="1">&lt;b&gt;</bpt>chat') == (
    ...     "Le ", Inline("bpt", (("i", "1"),), ("<b>",)), "chat")
    True
    """
    return element_content(parse_fragment(f"<seg>{xml}</seg>"))


def strip_content(content: Content) -> Content:
    """Leading whitespace of the first text and trailing whitespace of the last removed."""
    if not content:
        return content
    first, last = content[0], content[-1]
    if not ((type(first) is str and first[:1].isspace())
            or (type(last) is str and last[-1:].isspace())):
        return content
    nodes = list(content)
    if nodes and type(nodes[0]) is str:
        nodes[0] = nodes[0].lstrip()  # type: ignore[union-attr]
    if nodes and type(nodes[-1]) is str:
        nodes[-1] = nodes[-1].rstrip()  # type: ignore[union-attr]
    return tuple([node for node in nodes if type(node) is not str or node])
