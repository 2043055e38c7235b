"""Text blocks from HTML pages, parsed safely (no network, no entity expansion, no scripts).

Block-level elements become paragraphs separated by blank lines; scripts, styles, forms and
other invisible parts are dropped. A page nested deeper than libxml2's limit (256 open
elements, e.g. hundreds of unclosed ``<font>`` tags) is parsed again with its inline tags
removed and its block tags turned into line breaks, so no text is lost past the limit. The
page's chrome (menus, footers) is left as text for the chrome classifier, which decides on
features rather than markup.

>>> html_to_text(b"<html><head><title>T</title><script>x()</script></head><body>"
...              b"<h1>Title</h1><p>One <b>bold</b> line.</p><ul><li>A</li><li>B</li></ul>"
...              b"</body></html>")
'Title\\n\\nOne bold line.\\n\\nA\\n\\nB'
"""

from __future__ import annotations

import codecs
import re

from aligner.errors import InputError

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_DROPPED = ("script", "style", "noscript", "template", "svg", "iframe", "object", "form",
            "button", "select", "head")
_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td",
                     "th", "tr", "blockquote", "pre", "article", "section", "header",
                     "footer", "nav", "aside", "main", "figure", "figcaption", "address",
                     "table", "ul", "ol", "dl", "br", "hr", "title", "caption"})
_SPACES = re.compile(r"[ \t\u00a0\r\f\v]+")
_CHARSET_SCAN_BYTES = 2048
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_MARK = "\ue000"  # a private-use character: block boundaries survive text_content()
_TAG = re.compile(rb"<(/?)([A-Za-z][\w:-]*)[^<>]*>")
_KEPT_WHEN_FLATTENED = frozenset({"html", "head", "title", "body", "meta", *_DROPPED})


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag near its start, if Python knows it.

    >>> declared_charset(b'<html><head><meta charset="windows-1251">')
    'cp1251'
    >>> declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=KOI8-R">')
    'koi8_r'
    >>> declared_charset(b"<p>no declaration</p>") is None
    True
    """
    match = _META_CHARSET.search(data[:_CHARSET_SCAN_BYTES])
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name.replace("-", "_")
    except LookupError:
        return None


def looks_like_html(text: str) -> bool:
    """Whether a text file is really an HTML page.

    >>> looks_like_html("<!DOCTYPE html><html>"), looks_like_html("Plain <b> text")
    (True, False)
    """
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


def html_to_text(data: bytes | str, name: str = "<html>") -> str:
    """Visible text of an HTML page, one block per paragraph (blank-line separated).

    :raises InputError: the page stays too deeply nested even with its inline tags removed.
    """
    from lxml import etree

    raw = data.encode("utf-8") if isinstance(data, str) else data
    if not raw.strip():
        return ""
    root, too_deep = _parse(raw)
    if too_deep:
        root, too_deep = _parse(_TAG.sub(_flatten_tag, raw))
        if too_deep:
            raise InputError(f"{name}: HTML nested deeper than 256 elements even without its "
                             "inline tags; its text cannot all be read")
    if root is None:
        return ""
    etree.strip_elements(root, *_DROPPED, with_tail=False)
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.tail = _MARK + (element.tail or "")
            element.text = _MARK + (element.text or "")
    blocks = (_SPACES.sub(" ", block).strip() for block in root.text_content().split(_MARK))
    return "\n\n".join(block for block in blocks if block)


def _parse(raw: bytes) -> tuple[object | None, bool]:
    """The parsed page, and whether libxml2 stopped at its nesting limit (dropping the rest)."""
    from lxml import html

    parser = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                             recover=True, encoding="utf-8", default_doctype=False)
    root = html.document_fromstring(raw, parser=parser)
    too_deep = any("Excessive depth" in entry.message for entry in parser.error_log)
    return root, too_deep


def _flatten_tag(match: re.Match[bytes]) -> bytes:
    """Inline tags go, block tags become ``<br>``: the same text and paragraph breaks, flat."""
    tag = match.group(2).decode("ascii").lower()
    if tag in _KEPT_WHEN_FLATTENED:
        return match.group()
    return b"<br>" if tag in _BLOCKS else b""
