"""Safe, streaming XML parsing of untrusted TMX files, shared by the reader and the validator.

No entity is ever expanded, nothing is fetched (no network, no DTD loading, no gzip
decompression by libxml2), text nodes are capped by libxml2's default limits (no huge-tree
option), and processed elements are freed so memory stays flat however large the file is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import BinaryIO, Union

from lxml import etree

from tmx.errors import TmxParseError

Source = Union[str, os.PathLike, BinaryIO]

#: libxml2's largest text node without its huge-tree option (XML_MAX_TEXT_LENGTH, in UTF-8
#: bytes): the writer leaves out units with a longer text, so what it writes can be read.
MAX_SEGMENT_BYTES = 10_000_000
SAFE_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "huge_tree": False,
                       "load_dtd": False, "remove_comments": True, "remove_pis": True}
# Elements whose subtrees a consumer handles whole; freed right after they are yielded.
UNIT_TAGS = frozenset({"tu", "header"})

_REFUSALS = (
    ("amplification", "refused: entity expansion (a 'billion laughs' attack?)"),
    ("entity", "refused: entity references are not allowed in TMX"),
    ("excessive depth", "refused: elements nested deeper than libxml2's safe limit (256)"),
    ("huge", "refused: a text node or name larger than libxml2's safe limit (10 MB)"),
    ("extra content at the end", "not well-formed: content after the end of <tmx>"),
)
_BLANK_READ = 64 * 1024
_POSITION = re.compile(r",\s*line \d+, column \d+$")  # libxml2 repeats it in the message
_ROOT_CLOSE = [(b" \t\r\n", b"</tmx>")] + [
    (" \t\r\n".encode(codec), "</tmx>".encode(codec)) for codec in ("utf-16-le", "utf-16-be")]


def source_name(source: Source) -> str:
    """A printable name for a path or an open file."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return str(getattr(source, "name", "<stream>"))


def _ends_with_root_close(handle: BinaryIO) -> bool:
    """Whether a seekable file ends with ``</tmx>`` (UTF-8 or UTF-16), whitespace aside."""
    try:
        handle.seek(0, os.SEEK_END)
        handle.seek(max(0, handle.tell() - 1024))
        tail = handle.read()
    except (OSError, ValueError):
        return True
    return any(tail.rstrip(space).endswith(close) for space, close in _ROOT_CLOSE)


def _is_blank(handle: BinaryIO) -> bool:
    """Whether a seekable file holds nothing but whitespace (read no further than 64 KiB)."""
    try:
        handle.seek(0)
        head = handle.read(_BLANK_READ + 1)
    except (OSError, ValueError):
        return False
    return len(head) <= _BLANK_READ and not head.strip()


def _syntax_error(name: str, error: etree.XMLSyntaxError, handle: BinaryIO,
                  root_seen: bool) -> TmxParseError:
    """A readable error for the input ``handle``, read up to its root element or beyond."""
    if not root_seen and _is_blank(handle):
        return TmxParseError(f"{name}: the file is empty (no XML element); give a TMX file")
    message = _POSITION.sub("", (error.msg or str(error)).strip())
    where = f"line {error.lineno}" + (f", column {error.offset}" if error.offset else "")
    lowered = message.lower()
    for needle, explanation in _REFUSALS:
        if needle in lowered:
            return TmxParseError(f"{name}: {explanation} ({where}: {message})", error.lineno)
    if root_seen and "char 0x" not in lowered and not _ends_with_root_close(handle):
        return TmxParseError(f"{name}: truncated: the file ends before </tmx> ({where}: "
                             f"{message})", error.lineno)
    return TmxParseError(f"{name}: not well-formed XML at {where}: {message}", error.lineno)


def _refuse_entity_declarations(name: str, root: etree._Element) -> None:
    dtd = root.getroottree().docinfo.internalDTD
    entities = [entity.name for entity in dtd.iterentities()] if dtd is not None else []
    if entities:
        raise TmxParseError(
            f"{name}: refused: the DOCTYPE declares entities ({', '.join(entities[:3])}); "
            "TMX never needs them and they are how billion-laughs and XXE attacks work")


def check_no_entities(name: str, element: etree._Element) -> None:
    """Raise if ``element`` contains an unexpanded entity reference such as ``&nbsp;``."""
    for node in element.iter(etree.Entity):
        raise TmxParseError(
            f"{name}: refused: entity reference {node.text} at line {node.sourceline or '?'}; "
            "TMX allows only the five XML entities (&amp; &lt; &gt; &quot; &apos;)",
            node.sourceline)


def iter_tmx(source: Source, tags: tuple[str, ...] | None = None
             ) -> Iterator[tuple[str, etree._Element]]:
    """Yield ``("start", root)`` then ``("end", element)`` for the header and each body child.

    ``tags`` limits the parser's events to those elements (much faster: a reader needs only
    ``tmx``, ``header`` and ``tu``); None reports every child of ``<body>``, as a validator
    needs. ``header`` and ``tu`` elements are cleared after the consumer has handled them.

    :raises TmxParseError: the file is unreadable, not TMX, hostile or malformed.
    """
    name = source_name(source)
    try:
        handle = open(source, "rb") if isinstance(source, (str, os.PathLike)) else source
    except OSError as error:
        raise TmxParseError(f"{name}: cannot read: {error.strerror or error}") from None
    root_seen = False
    try:
        for item in _events(name, handle, tags):
            root_seen = True
            yield item
    except etree.XMLSyntaxError as error:
        raise _syntax_error(name, error, handle, root_seen) from None
    except OSError as error:  # the read failed (a disk error, a device that refuses reads)
        raise TmxParseError(f"{name}: cannot read: {error.strerror or error}") from None
    finally:
        if handle is not source:
            handle.close()


def _events(name: str, handle: BinaryIO, tags: tuple[str, ...] | None
            ) -> Iterator[tuple[str, etree._Element]]:
    parser = etree.iterparse(handle, events=("start", "end"), tag=tags, **SAFE_PARSER_OPTIONS)
    root = None
    for event, element in parser:
        if root is None:
            root = element.getroottree().getroot()
            _check_root(name, root)
            yield "start", root
        if event == "start":
            continue
        parent = element.getparent()
        if (parent is root and element.tag == "header") or (
                parent is not None and parent.tag == "body" and parent.getparent() is root):
            yield "end", element
            if element.tag in UNIT_TAGS:
                _free(element)
    if root is None:  # no event: with ``tags``, a root that is not <tmx> gives none
        _check_root(name, parser.root)


def _check_root(name: str, root: etree._Element) -> None:
    _refuse_entity_declarations(name, root)
    if root.tag != "tmx":
        raise TmxParseError(f"{name}: not a TMX file: the root element is <{root.tag}>, "
                            "not <tmx>", root.sourceline)


def _free(element: etree._Element) -> None:
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
