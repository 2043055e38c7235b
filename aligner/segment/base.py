"""The base of every sentence splitter: blocks, trimming and offsets live here.

A variant only says where the sentences of one block (text without blank lines) end.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable

Span = tuple[int, int]

_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")


class Splitter(ABC):
    """Splits text into sentence spans; sentences never cross a blank line.

    :param signature: how this splitter is named in output signatures (name and version).
    """

    def __init__(self, signature: str) -> None:
        self.signature = signature

    def split(self, text: str) -> list[Span]:
        """Character spans ``(start, end)`` of the sentences of ``text``, whitespace trimmed."""
        spans: list[Span] = []
        for block_start, block_end in blocks(text):
            for start, end in self.split_block(text[block_start:block_end]):
                start, end = trim(text, block_start + start, block_start + end)
                if start < end:
                    spans.append((start, end))
        return spans

    @abstractmethod
    def split_block(self, block: str) -> list[Span]:
        """Spans of the sentences of one block, relative to it; they may carry spaces."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.signature!r})"


def blocks(text: str) -> Iterable[Span]:
    """Spans of the blank-line separated blocks of ``text`` that contain a non-space.

    >>> list(blocks("One.\\n \\nTwo.\\n\\n\\n"))
    [(0, 4), (7, 11)]
    """
    start = 0
    for match in _BLANK_LINE.finditer(text):
        if text[start:match.start()].strip():
            yield start, match.start()
        start = match.end()
    if text[start:].strip():
        yield start, len(text)


def cut_at(ends: Iterable[int], length: int) -> list[Span]:
    """Pieces of a block of ``length`` characters cut after each offset in ``ends``.

    >>> cut_at([3, 7], 10)
    [(0, 3), (3, 7), (7, 10)]
    """
    spans: list[Span] = []
    start = 0
    for end in ends:
        if start < end < length:
            spans.append((start, end))
            start = end
    spans.append((start, length))
    return spans


def trim(text: str, start: int, end: int) -> Span:
    """Shrink a span so that it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
