"""The review of one pair as a frozen record, and a person's edits as pure functions on it.

A :class:`PairReview` is the pair's :class:`~aligner.records.Alignment` plus, per bead, who
vouches for it (``machine``; ``confirmed``: a person checked the machine's bead; ``edited``: a
person made it), its MT agreement (kept only while the bead is unchanged) and the count of
each kind of edit. Every edit returns a new record or raises :class:`EditError` naming what
does not fit, so the web layer stays thin and the rules are tested without HTTP.

Beads a person confirmed or made are fixed points: they count as right in the estimate of
wrong beads, and :mod:`aligner.review.realign` aligns only the beads between them again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from aligner.errors import EditError, StaleEditError
from aligner.records import Alignment, Bead, BeadScore

MACHINE, CONFIRMED, EDITED = "machine", "confirmed", "edited"
STATUSES = (MACHINE, CONFIRMED, EDITED)
SIDES = ("src", "tgt")
MAX_SENTENCE_CHARS = 4000
MAX_HISTORY = 1000  # undo steps kept per pair


@dataclass(frozen=True)
class PairReview:
    """One pair under review: the alignment and, per bead, status, MT score, doubtful flag."""

    key: str
    alignment: Alignment
    status: tuple[str, ...]
    mt: tuple[BeadScore | None, ...]
    doubtful: tuple[bool, ...]
    changes: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        count = len(self.alignment.beads)
        if not len(self.status) == len(self.mt) == len(self.doubtful) == count:
            raise ValueError(f"{self.key}: per-bead fields do not match the {count} beads")
        unknown = set(self.status) - set(STATUSES)
        if unknown:
            raise ValueError(f"{self.key}: unknown bead status {sorted(unknown)[0]!r}")

    @classmethod
    def from_machine(cls, key: str, alignment: Alignment,
                     mt: Sequence[BeadScore | None] | None = None,
                     doubtful: Sequence[bool] | None = None) -> PairReview:
        """The machine's alignment, nothing reviewed yet."""
        count = len(alignment.beads)
        return cls(key, alignment, (MACHINE,) * count, tuple(mt or (None,) * count),
                   tuple(doubtful or (False,) * count))

    @property
    def beads(self) -> tuple[Bead, ...]:
        return self.alignment.beads

    def reviewed(self, index: int) -> bool:
        return self.status[index] != MACHINE

    def expected_wrong(self) -> float:
        """Expected number of wrong beads: ``1 - confidence`` summed over unreviewed beads."""
        return sum(1.0 - bead.confidence for bead, status in zip(self.beads, self.status)
                   if status == MACHINE)

    @property
    def change_count(self) -> int:
        return sum(self.changes.values())

    def bead_index(self, index: Any) -> int:
        """``index`` checked against the beads (an :class:`EditError` names the range)."""
        if not isinstance(index, int) or isinstance(index, bool) \
                or not 0 <= index < len(self.beads):
            raise EditError(f"{self.key}: bead {index!r} does not exist (the pair has "
                            f"{len(self.beads)} beads, 0..{len(self.beads) - 1})")
        return index


# ---------------------------------------------------------------- edits

def confirm(review: PairReview, index: int) -> PairReview:
    """The machine's bead is right: it becomes a fixed point."""
    index = review.bead_index(index)
    if review.reviewed(index):
        raise EditError(f"{review.key}: bead {index} is already {review.status[index]}")
    status = list(review.status)
    status[index] = CONFIRMED
    return replace(review, status=tuple(status), changes=counted(review.changes, "confirm"))


def unconfirm(review: PairReview, index: int) -> PairReview:
    """Take back a confirmation: the bead is the machine's again."""
    index = review.bead_index(index)
    if review.status[index] != CONFIRMED:
        raise EditError(f"{review.key}: bead {index} is not confirmed")
    status = list(review.status)
    status[index] = MACHINE
    return replace(review, status=tuple(status), changes=counted(review.changes, "unconfirm"))


def merge(review: PairReview, index: int, direction: str) -> PairReview:
    """Join bead ``index`` with the bead above (``up``) or below (``down``)."""
    index = review.bead_index(index)
    other = index + _step(direction)
    if not 0 <= other < len(review.beads):
        raise EditError(f"{review.key}: bead {index} has no bead {direction} to merge with")
    first, second = sorted((index, other))
    a, b = review.beads[first], review.beads[second]
    return _replaced(review, first, second + 1, [(a.src + b.src, a.tgt + b.tgt)], "merge")


def split(review: PairReview, index: int, src_at: Any, tgt_at: Any) -> PairReview:
    """Cut bead ``index`` in two: its first ``src_at`` source and ``tgt_at`` target sentences,
    then the rest."""
    index = review.bead_index(index)
    bead = review.beads[index]
    for name, at, side in (("src_at", src_at, bead.src), ("tgt_at", tgt_at, bead.tgt)):
        if not isinstance(at, int) or isinstance(at, bool) or not 0 <= at <= len(side):
            raise EditError(f"{review.key}: {name} {at!r} must lie in 0..{len(side)} for "
                            f"bead {index} ({bead.type})")
    parts = [(bead.src[:src_at], bead.tgt[:tgt_at]), (bead.src[src_at:], bead.tgt[tgt_at:])]
    if any(not src and not tgt for src, tgt in parts):
        raise EditError(f"{review.key}: splitting bead {index} ({bead.type}) at "
                        f"{src_at}/{tgt_at} leaves one part without sentences")
    return _replaced(review, index, index + 1, parts, "split")


def move(review: PairReview, index: int, side: str, sentence: Any, direction: str
         ) -> PairReview:
    """Move ``sentence`` (the first of its side in bead ``index`` for ``up``, the last for
    ``down``) into the neighbouring bead.

    The receiving bead becomes the person's; the bead that lost the sentence stays a machine
    bead of confidence 0 (first in the queue, and realigning around the fix may redo it).
    """
    index, position = _sentence_in_bead(review, index, side, sentence)
    other = index + _step(direction)
    members = getattr(review.beads[index], side)
    edge = 0 if direction == "up" else len(members) - 1
    if position != edge:
        raise EditError(f"{review.key}: only the {'first' if direction == 'up' else 'last'} "
                        f"{side} sentence of bead {index} can move {direction}")
    if not 0 <= other < len(review.beads):
        raise EditError(f"{review.key}: bead {index} has no bead {direction} to move into")
    beads = {k: [list(review.beads[k].src), list(review.beads[k].tgt)] for k in (index, other)}
    axis = SIDES.index(side)
    beads[index][axis].remove(sentence)
    if direction == "up":
        beads[other][axis].append(sentence)
    else:
        beads[other][axis].insert(0, sentence)
    first = min(index, other)
    made, status = [], []
    for k in (first, first + 1):
        src, tgt = tuple(beads[k][0]), tuple(beads[k][1])
        if src or tgt:
            # The receiving bead is the person's; the one that gave the sentence away is
            # not vouched for: unknown confidence, and realigning may redo it.
            made.append(Bead(src, tgt, 0.0 if k == index else 1.0, {}))
            status.append(MACHINE if k == index else EDITED)
    return with_beads(review, first, first + 2, made, status, (None,) * len(made),
                      [value == MACHINE for value in status], "move")


def untranslated(review: PairReview, index: int, side: str, sentence: Any) -> PairReview:
    """``sentence`` has no translation: it leaves bead ``index`` for a null bead of its own.

    Only the first or last sentence of a side can leave (the beads stay in order); the rest
    of the bead stays together.
    """
    index, position = _sentence_in_bead(review, index, side, sentence)
    bead = review.beads[index]
    members = getattr(bead, side)
    if bead.is_null and len(members) == 1:
        raise EditError(f"{review.key}: {side} sentence {sentence} is already untranslated")
    if position not in (0, len(members) - 1):
        raise EditError(f"{review.key}: {side} sentence {sentence} lies inside bead {index}; "
                        "split the bead first")
    alone = ((sentence,), ()) if side == "src" else ((), (sentence,))
    rest_side = tuple(i for i in members if i != sentence)
    rest = (rest_side, bead.tgt) if side == "src" else (bead.src, rest_side)
    parts = [alone, rest] if position == 0 else [rest, alone]
    return _replaced(review, index, index + 1, [p for p in parts if p[0] or p[1]],
                     "untranslated")


def edit_text(review: PairReview, side: str, sentence: Any, text: Any) -> PairReview:
    """Correct a sentence's text (a typo in the document); its bead counts as edited."""
    if side not in SIDES:
        raise EditError(f"{review.key}: side must be one of {', '.join(SIDES)}, not {side!r}")
    texts = list(getattr(review.alignment, f"{side}_sentences"))
    if not isinstance(sentence, int) or isinstance(sentence, bool) \
            or not 0 <= sentence < len(texts):
        raise EditError(f"{review.key}: {side} sentence {sentence!r} does not exist "
                        f"(0..{len(texts) - 1})")
    if not isinstance(text, str) or not text.strip():
        raise EditError(f"{review.key}: the new text of {side} sentence {sentence} is empty")
    if len(text) > MAX_SENTENCE_CHARS:
        raise EditError(f"{review.key}: the new text of {side} sentence {sentence} is longer "
                        f"than {MAX_SENTENCE_CHARS} characters")
    texts[sentence] = " ".join(text.split())
    alignment = replace(review.alignment, **{f"{side}_sentences": tuple(texts)})
    index = next(k for k, bead in enumerate(review.beads) if sentence in getattr(bead, side))
    status, mt, doubtful = list(review.status), list(review.mt), list(review.doubtful)
    status[index], mt[index], doubtful[index] = EDITED, None, False
    return replace(review, alignment=alignment, status=tuple(status), mt=tuple(mt),
                   doubtful=tuple(doubtful), changes=counted(review.changes, "text"))


def with_beads(review: PairReview, start: int, stop: int, beads: Sequence[Bead],
               status: Sequence[str], mt: Sequence[BeadScore | None],
               doubtful: Sequence[bool], kind: str | None = None) -> PairReview:
    """Beads ``start:stop`` replaced by ``beads`` (with their fields), ``kind`` counted."""
    alignment = replace(review.alignment,
                        beads=review.beads[:start] + tuple(beads) + review.beads[stop:])
    return PairReview(review.key, alignment,
                      review.status[:start] + tuple(status) + review.status[stop:],
                      review.mt[:start] + tuple(mt) + review.mt[stop:],
                      review.doubtful[:start] + tuple(doubtful) + review.doubtful[stop:],
                      counted(review.changes, kind) if kind else review.changes)


def _replaced(review: PairReview, start: int, stop: int,
              parts: Sequence[tuple[tuple[int, ...], tuple[int, ...]]], kind: str
              ) -> PairReview:
    """Beads ``start:stop`` replaced by beads a person made (confidence 1, edited)."""
    beads = [Bead(tuple(src), tuple(tgt), 1.0, {}) for src, tgt in parts]
    count = len(beads)
    return with_beads(review, start, stop, beads, (EDITED,) * count, (None,) * count,
                      (False,) * count, kind)


def counted(changes: Mapping[str, int], kind: str) -> dict[str, int]:
    """``changes`` with one more edit of ``kind``.

    >>> counted({"merge": 1}, "split")
    {'merge': 1, 'split': 1}
    """
    counts = Counter(changes)
    counts[kind] += 1
    return dict(sorted(counts.items()))


def _step(direction: str) -> int:
    if direction not in ("up", "down"):
        raise EditError(f"direction must be up or down, not {direction!r}")
    return -1 if direction == "up" else 1


def _sentence_in_bead(review: PairReview, index: int, side: str, sentence: Any
                      ) -> tuple[int, int]:
    """The bead index and the sentence's position within its side of that bead."""
    index = review.bead_index(index)
    if side not in SIDES:
        raise EditError(f"{review.key}: side must be one of {', '.join(SIDES)}, not {side!r}")
    members = getattr(review.beads[index], side)
    if sentence not in members or isinstance(sentence, bool):
        raise EditError(f"{review.key}: {side} sentence {sentence!r} is not in bead {index} "
                        f"({side} sentences: {list(members)})")
    return index, members.index(sentence)


# ---------------------------------------------------------------- history

class PairSession:
    """A pair's states in order, for undo and redo, with a version counter.

    Every change (an edit, an undo, a redo) raises ``version`` by one; a request must name the
    version it was made against, so an edit made on a stale page is refused, not misapplied.
    """

    def __init__(self, review: PairReview) -> None:
        self.states = [review]
        self.position = 0
        self.version = 0
        self.saved = review

    @property
    def current(self) -> PairReview:
        return self.states[self.position]

    @property
    def dirty(self) -> bool:
        return self.current is not self.saved

    @property
    def can_undo(self) -> bool:
        return self.position > 0

    @property
    def can_redo(self) -> bool:
        return self.position < len(self.states) - 1

    def check(self, version: Any) -> None:
        if version != self.version or isinstance(version, bool):
            raise StaleEditError(f"{self.current.key}: the edit was made on version {version!r} "
                                 f"but the pair is at version {self.version}; reload the pair")

    def apply(self, version: Any, review: PairReview) -> PairReview:
        """Make ``review`` (computed from :attr:`current`) the new state."""
        self.check(version)
        del self.states[self.position + 1:]
        self.states.append(review)
        if len(self.states) > MAX_HISTORY:
            del self.states[0]
        self.position = len(self.states) - 1
        self.version += 1
        return review

    def undo(self, version: Any) -> PairReview:
        self.check(version)
        if not self.can_undo:
            raise EditError(f"{self.current.key}: nothing to undo")
        self.position -= 1
        self.version += 1
        return self.current

    def redo(self, version: Any) -> PairReview:
        self.check(version)
        if not self.can_redo:
            raise EditError(f"{self.current.key}: nothing to redo")
        self.position += 1
        self.version += 1
        return self.current

    def mark_saved(self) -> None:
        self.saved = self.current
