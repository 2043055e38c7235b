"""Align a pair again around what a person fixed: their beads are fixed points.

Beads a person confirmed or made stay as they are. Each run of machine beads next to such a
bead is aligned again with the aligner's own search (:func:`aligner.alignment.align_sentences`)
over exactly the sentences of that run, so no new bead crosses a fixed one.

An error is local, so a run is not realigned whole: a window of machine beads next to the
fixed bead is aligned again, and the window doubles until the new beads agree with the
machine's at the window's far edge (from there on, the machine's beads stand) or reach the
next fixed bead. Fixing one bead of a 1,000-sentence pair then aligns a few dozen sentences,
not the whole pair.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from aligner.alignment import AlignConfig, align_sentences
from aligner.records import Bead
from aligner.review.model import MACHINE, PairReview, counted, with_beads

WINDOW = 12  # machine beads realigned next to a fixed bead before checking agreement
Aligner = Callable[..., list[Bead]]


def realign(review: PairReview, config: AlignConfig | None = None, doubtful_below: float = 0.5,
            aligner: Aligner = align_sentences, window: int = WINDOW) -> PairReview:
    """The pair with every run of machine beads next to a fixed bead aligned again.

    New beads are machine beads (confidence from the aligner; a bead equal to an old one keeps
    its MT score); those under ``doubtful_below`` are doubtful.
    """
    base = config or AlignConfig()
    config = replace(base, src_lang=base.src_lang or review.alignment.src_lang,
                     tgt_lang=base.tgt_lang or review.alignment.tgt_lang)
    redo = _Realigner(review, config, doubtful_below, aligner)
    runs = machine_runs(review.status)
    for start, stop in reversed(runs):  # from the end: earlier indices stay valid
        left = start > 0
        right = stop < len(review.status)
        if not (left or right):
            continue  # nothing fixed anywhere: the machine's alignment is this alignment
        if right:
            stop = redo.from_edge(start, stop, window, forward=False)
        if left and stop > start:
            redo.from_edge(start, stop, window, forward=True)
    if redo.review is review:
        return review
    return replace(redo.review, changes=counted(review.changes, "realign"))


def machine_runs(status: Sequence[str]) -> list[tuple[int, int]]:
    """Maximal ``(start, stop)`` runs of machine beads.

    >>> machine_runs(["machine", "confirmed", "machine", "machine", "edited"])
    [(0, 1), (2, 4)]
    """
    runs, start = [], None
    for index, value in enumerate([*status, "end"]):
        if value == MACHINE and start is None:
            start = index
        elif value != MACHINE and start is not None:
            runs.append((start, index))
            start = None
    return runs


class _Realigner:
    """Realigns windows of one review, replacing beads as it goes."""

    def __init__(self, review: PairReview, config: AlignConfig, doubtful_below: float,
                 aligner: Aligner) -> None:
        self.review, self.config = review, config
        self.doubtful_below, self.aligner = doubtful_below, aligner

    def from_edge(self, start: int, stop: int, window: int, forward: bool) -> int:
        """Realign beads of ``start:stop`` from one edge (the start when ``forward``) in
        growing windows; return where the untouched machine beads begin (forward: the index
        after the new beads) or end (backward: the index of the first new bead)."""
        size = window
        while True:
            low, high = (start, min(stop, start + size)) if forward \
                else (max(start, stop - size), stop)
            old = self.review.beads[low:high]
            new = self._aligned(old)
            whole = high - low == stop - start
            far = (new[-1], old[-1]) if forward else (new[0], old[0])
            if whole or _same(*far):
                self._replace(low, high, new)
                return low + len(new) if forward else low
            size *= 2

    def _aligned(self, beads: Sequence[Bead]) -> list[Bead]:
        alignment = self.review.alignment
        src = [i for bead in beads for i in bead.src]
        tgt = [j for bead in beads for j in bead.tgt]
        first_src = src[0] if src else 0
        first_tgt = tgt[0] if tgt else 0
        found = self.aligner([alignment.src_sentences[i] for i in src],
                             [alignment.tgt_sentences[j] for j in tgt], self.config)
        return [Bead(tuple(i + first_src for i in bead.src),
                     tuple(j + first_tgt for j in bead.tgt), bead.confidence, bead.scores)
                for bead in found]

    def _replace(self, low: int, high: int, new: Sequence[Bead]) -> None:
        review = self.review
        kept = {(bead.src, bead.tgt): k for k, bead in enumerate(review.beads[low:high], low)}
        mt = [review.mt[kept[(b.src, b.tgt)]] if (b.src, b.tgt) in kept else None for b in new]
        doubtful = [bead.confidence < self.doubtful_below for bead in new]
        if _changed(review.beads[low:high], new):
            self.review = with_beads(review, low, high, new, (MACHINE,) * len(new), mt,
                                     doubtful)


def _same(a: Bead, b: Bead) -> bool:
    return a.src == b.src and a.tgt == b.tgt


def _changed(old: Sequence[Bead], new: Sequence[Bead]) -> bool:
    return len(old) != len(new) or not all(_same(a, b) for a, b in zip(old, new))
