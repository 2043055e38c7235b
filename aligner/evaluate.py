"""Strict and lax precision, recall and F1 of sentence alignments (vecalign's ``score.py``).

A bead is a pair of index tuples ``(src, tgt)``. Per document:

* precision runs over the system's beads, duplicates removed, null beads included: *strict*
  when the bead equals a gold bead, *lax* when some gold bead overlaps it on both sides (so a
  null bead can only be right strictly);
* recall runs over the gold beads with both sides non-empty, against the system's non-null
  beads, in the same way.

Counts are summed over documents before P, R and F1 are computed (0 where undefined).
Gold files (one bead a line, ``[3, 4]:[5]``, as :meth:`~aligner.records.Bead.gold_format`
writes it) are read here, with a size cap (:func:`read_beads`).

>>> gold = [((0,), (0,)), ((1,), (1, 2))]
>>> test = [((0,), (0,)), ((1,), (1,)), ((), (2,))]
>>> score = evaluate_alignments([gold], [test])
>>> round(score.strict.precision, 4), score.strict.recall, score.lax.recall
(0.3333, 0.5, 1.0)
"""

from __future__ import annotations

import ast
import math
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aligner.errors import ConfigurationError, InputError
from aligner.io import excerpt, read_capped_lines

MAX_BEAD_LINE_CHARS = 10_000

BeadIndices = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class Counts:
    """True and false positives of one direction (precision or recall), strict and lax."""

    tp_strict: int = 0
    fp_strict: int = 0
    tp_lax: int = 0
    fp_lax: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp_strict + other.tp_strict, self.fp_strict + other.fp_strict,
                      self.tp_lax + other.tp_lax, self.fp_lax + other.fp_lax)


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1."""

    precision: float
    recall: float
    f1: float

    def to_json(self) -> dict[str, float]:
        return {"precision": round(self.precision, 6), "recall": round(self.recall, 6),
                "f1": round(self.f1, 6)}


@dataclass(frozen=True)
class AlignmentScore:
    """Strict and lax P/R/F1 with the summed counts behind them."""

    strict: PRF
    lax: PRF
    precision_counts: Counts
    recall_counts: Counts
    documents: int

    def to_json(self) -> dict[str, object]:
        return {"strict": self.strict.to_json(), "lax": self.lax.to_json(),
                "documents": self.documents,
                "precision_counts": vars(self.precision_counts).copy(),
                "recall_counts": vars(self.recall_counts).copy()}


def match_counts(reference: Iterable[BeadIndices], candidates: Iterable[BeadIndices]) -> Counts:
    """Count each distinct candidate bead as a strict / lax hit or miss against ``reference``.

    >>> match_counts([((0,), (0, 1))], [((0,), (0,)), ((0,), (0,)), ((1,), ())])
    Counts(tp_strict=0, fp_strict=2, tp_lax=1, fp_lax=1)
    """
    reference_set = {(tuple(s), tuple(t)) for s, t in reference}
    linked: dict[int, set[int]] = defaultdict(set)
    for src, tgt in reference_set:
        for i in src:
            linked[i].update(tgt)
    tp_strict = fp_strict = tp_lax = fp_lax = 0
    for src, tgt in {(tuple(s), tuple(t)) for s, t in candidates}:
        if not src and not tgt:
            continue
        if (src, tgt) in reference_set:
            tp_strict += 1
            tp_lax += 1
            continue
        fp_strict += 1
        overlapping = set().union(*(linked[i] for i in src)) if src else set()
        if overlapping.intersection(tgt):
            tp_lax += 1
        else:
            fp_lax += 1
    return Counts(tp_strict, fp_strict, tp_lax, fp_lax)


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _prf(precision: float, recall: float) -> PRF:
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PRF(precision, recall, f1)


def wilson_interval(right: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of the proportion ``right / total`` (95 % for ``z`` = 1.96): how far
    the strict accuracy of a few dozen beads may wander by chance alone.

    >>> [round(bound, 3) for bound in wilson_interval(90, 100)]
    [0.826, 0.945]
    >>> wilson_interval(0, 0)
    (0.0, 1.0)
    """
    if total <= 0:
        return 0.0, 1.0
    share, spread = right / total, z * z / total
    centre = (share + spread / 2) / (1 + spread)
    half = z * math.sqrt(share * (1 - share) / total + spread / (4 * total)) / (1 + spread)
    return max(centre - half, 0.0), min(centre + half, 1.0)


def evaluate_alignments(gold: Sequence[Sequence[BeadIndices]],
                     test: Sequence[Sequence[BeadIndices]]) -> AlignmentScore:
    """Strict and lax P/R/F1 over documents paired in order (counts summed, then divided)."""
    if len(gold) != len(test):
        raise InputError(f"{len(gold)} gold documents but {len(test)} test documents; "
                         "give one test file per gold file, in the same order")
    precision = Counts()
    recall = Counts()
    for gold_beads, test_beads in zip(gold, test):
        precision = precision + match_counts(gold_beads, test_beads)
        recall = recall + match_counts([b for b in test_beads if b[0] and b[1]],
                                       [b for b in gold_beads if b[0] and b[1]])
    strict = _prf(_ratio(precision.tp_strict, precision.tp_strict + precision.fp_strict),
                  _ratio(recall.tp_strict, recall.tp_strict + recall.fp_strict))
    lax = _prf(_ratio(precision.tp_lax, precision.tp_lax + precision.fp_lax),
               _ratio(recall.tp_lax, recall.tp_lax + recall.fp_lax))
    return AlignmentScore(strict, lax, precision, recall, len(gold))


def parse_bead_line(line: str, where: str = "<string>") -> BeadIndices:
    """Parse one gold-format line such as ``[3, 4]:[5]`` or ``[7]:[]``.

    >>> parse_bead_line("[3, 4]:[5]")
    ((3, 4), (5,))
    >>> parse_bead_line("[]:[9]")
    ((), (9,))
    """
    left, sep, right = line.strip().partition(":")
    try:
        if len(line) > MAX_BEAD_LINE_CHARS:  # literal_eval's memory grows with the line
            raise ValueError(f"longer than {MAX_BEAD_LINE_CHARS} characters")
        if not sep:
            raise ValueError("no ':'")
        src, tgt = _literal(left), _literal(right)
        if not (isinstance(src, list) and isinstance(tgt, list)):
            raise ValueError("not two lists")
        if not all(type(i) is int and i >= 0 for i in src + tgt):
            raise ValueError("indices must be non-negative integers")
        if any(side != sorted(set(side)) for side in (src, tgt)):
            raise ValueError("indices must increase without repeats")
    except (ValueError, SyntaxError) as error:
        raise InputError(f"{where}: not a bead line {excerpt(line.strip())} ({error}); "
                         "expected e.g. [3, 4]:[5]") from None
    return tuple(src), tuple(tgt)


def _literal(side: str) -> object:
    """One side of a bead line as the Python literal it should be (a list of indices)."""
    try:
        return ast.literal_eval(side.strip())
    except (ValueError, SyntaxError):  # their messages name parser internals
        raise ValueError(f"{excerpt(side.strip())} is not a list of indices") from None


def read_beads(path: str | os.PathLike[str]) -> list[BeadIndices]:
    """Read a gold-format file (one bead per line; blank lines skipped)."""
    return [parse_bead_line(line, f"{path}:{number}")
            for number, line in read_capped_lines(path, "bead lines such as [3, 4]:[5]")
            if line.strip()]


def evaluate_files(gold_paths: Sequence[str | os.PathLike[str]],
                test_paths: Sequence[str | os.PathLike[str]]) -> AlignmentScore:
    """Score gold-format test files against gold files paired in order; a gold file without
    beads is an error (an empty test file scores zero)."""
    if len(gold_paths) != len(test_paths):
        raise ConfigurationError(f"{len(gold_paths)} gold files but {len(test_paths)} test "
                                 "files; pass them in matching order")
    gold = [read_beads(path) for path in gold_paths]
    for path, beads in zip(gold_paths, gold):
        if not beads:
            raise InputError(f"{path}: no beads in this gold file; nothing to score against "
                             "(one bead a line, such as [3, 4]:[5])")
    return evaluate_alignments(gold, [read_beads(path) for path in test_paths])
