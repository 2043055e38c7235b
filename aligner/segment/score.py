"""How well a splitter finds reference sentence boundaries in raw text made of joined segments.

Reference segments (one per line, as in WMT data) are joined into one paragraph per document,
as raw text would read; a boundary after a segment that ends with a stop is one the splitter
should find (one after a headline without a stop cannot be found in raw text).

>>> docs = [["Talks began.", "They ended", "late.", "It rained."]]
>>> score = boundary_score(docs, lambda text: [(0, 12), (13, 28), (29, 39)])
>>> score.expected, score.found, score.cuts, score.extra
(2, 1, 2, 1)
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from aligner.segment.base import Span

_ENDS_WITH_STOP = re.compile(r"[.!?。！？؟۔][\"'”’」』）)»]*$")


@dataclass(frozen=True)
class BoundaryScore:
    """Reference boundaries after a stop (``expected``), those the splitter cut (``found``),
    its cuts (``cuts``) and those at no reference boundary (``extra``)."""

    expected: int = 0
    found: int = 0
    cuts: int = 0
    extra: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 0.0

    @property
    def precision(self) -> float:
        return 1.0 - self.extra / self.cuts if self.cuts else 0.0


def boundary_score(documents: Iterable[Sequence[str]], split: Callable[[str], list[Span]],
                   joiner: str = " ") -> BoundaryScore:
    """Score ``split`` on ``documents`` (lists of segments) joined with ``joiner``.

    :param joiner: ``""`` for scripts that write no space between sentences (zh, ja).
    """
    expected = found = cuts = extra = 0
    for segments in documents:
        lengths = [len(segment) + len(joiner) for segment in segments]
        boundaries = [offset - len(joiner) for offset in itertools.accumulate(lengths)][:-1]
        wanted = {offset for offset, segment in zip(boundaries, segments)
                  if _ENDS_WITH_STOP.search(segment)}
        ours = {end for _, end in split(joiner.join(segments))[:-1]}
        expected, found = expected + len(wanted), found + len(wanted & ours)
        cuts, extra = cuts + len(ours), extra + len(ours - set(boundaries))
    return BoundaryScore(expected, found, cuts, extra)
