"""The interface every alignment signal implements, and helpers to score spans fast.

A *signal* is one :class:`Signal` subclass, registered once with :func:`register`: its name,
its default weight, its parameters (a frozen dataclass, :attr:`Signal.Params`, whose field
defaults and ``help`` metadata are the only defaults and the CLI's help) and what it is
(:attr:`Signal.similarity`, :attr:`Signal.needs_translation`). It looks at the two sides
once (:meth:`Signal.prepare`) and returns a :class:`SpanScorer`, which scores candidate beads
in bulk: bead ``k`` joins source sentences ``rows[k]-a .. rows[k]-1`` with target sentences
``cols[k]-b .. cols[k]-1``. Scores are additive evidence (higher means "more likely a
translation"); the search weighs and sums them, offers each scorer a first search's beads
(:meth:`SpanScorer.refine`, the calibration hook) and knows nothing else about the signals.
"""

from __future__ import annotations

import functools
import itertools
import math
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar

import numpy as np

from aligner.errors import ConfigurationError
from aligner.records import Bead


@dataclass(frozen=True)
class SignalInput:
    """What a signal may look at: both sides' sentences, languages, an optional translation."""

    src: Sequence[str]
    tgt: Sequence[str]
    src_lang: str | None = None
    tgt_lang: str | None = None
    translation: Sequence[str] | None = None
    max_span: int = 4


class SpanScorer(ABC):
    """Scores beads given by their end positions and sizes (prepared for one document pair).

    ``reliability`` scales the signal's weight for this document (1.0 unless
    :meth:`calibrate` found the signal less trustworthy here).
    """

    reliability: float = 1.0

    @abstractmethod
    def score(self, a: int, b: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Scores of beads ``src[rows-a:rows]`` x ``tgt[cols-b:cols]``, with ``a, b >= 1``."""

    def score_types(self, types: Sequence[tuple[int, int]], counts: Sequence[int],
                    rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Scores of beads of several types in one call: the first ``counts[0]`` of ``rows``
        and ``cols`` are of type ``types[0]``, the next ``counts[1]`` of ``types[1]``, ...

        The same numbers :meth:`score` gives type by type (here, by default, that is how they
        are computed); scorers that can score mixed sizes together override it, which saves
        the search its many small calls on short documents.
        """
        bounds = np.cumsum([0, *counts])
        parts = [self.score(a, b, rows[first:stop], cols[first:stop])
                 for (a, b), first, stop in zip(types, bounds[:-1], bounds[1:])]
        return np.concatenate(parts) if parts else np.zeros(0)

    def sentence_features(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Per-sentence vectors of both sides that a cosine can compare, if this signal has any.

        The search uses them to find a coarse path (and so its band) cheaply.
        """
        return None

    def calibrate(self, pairs: np.ndarray) -> None:
        """Adapt to this document before the search, given its confident one-to-one pairs.

        ``pairs`` holds (source, target) sentence indices of pairs the sentence vectors agree
        on (mutual best matches in order); signals whose trust depends on the text (how good
        a translation is) read it off here and set ``reliability``.
        """

    #: Whether :meth:`refine` may change anything (it then reads the first search's bead
    #: confidences, which the search must compute even when its caller needs none).
    refines: bool = False

    def refine(self, beads: Sequence[Bead]) -> bool:
        """Fit this scorer to the document in hand, given a first search's ``beads``.

        The calibration hook: a scorer may re-estimate what it learnt from the document
        (or compute exact values where the search was unsure). True when it changed, so the
        search runs again; the default changes nothing.
        """
        return False


Bounds = tuple[float | None, float | None]
#: A signal's weight: a negative one would reward the disagreement the signal measures.
WEIGHT_BOUNDS: Bounds = (0.0, None)


def bead_sizes(types: Sequence[tuple[int, int]],
               counts: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Each bead's source and target sizes, for beads laid out as :meth:`SpanScorer.score_types`
    takes them (``counts[k]`` beads of type ``types[k]``, one type after another).

    >>> [sizes.tolist() for sizes in bead_sizes([(1, 1), (1, 2)], [2, 1])]
    [[1, 1, 1], [1, 1, 2]]
    """
    return (np.repeat([a for a, _ in types], counts).astype(np.int64),
            np.repeat([b for _, b in types], counts).astype(np.int64))


def bounded(default: Any, help: str, low: float | None = None,
            high: float | None = None) -> Any:
    """A parameter field with its default, its help (the CLI's) and its natural range."""
    return field(default=default, metadata={"help": help, "bounds": (low, high)})


def check_bounds(name: str, value: float, bounds: Bounds) -> None:
    """Refuse a value that is not a finite number within ``bounds`` (``None``: open).

    >>> check_bounds("margin", -1.0, (0.0, None))
    Traceback (most recent call last):
    ...
    aligner.errors.ConfigurationError: margin must be at least 0, not -1.0
    """
    low, high = bounds
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ConfigurationError(f"{name} must be a number, not {value!r}")
    if (math.isfinite(value) and (low is None or value >= low)
            and (high is None or value <= high)):
        return
    if low is not None and high is not None:
        allowed = f"between {low:g} and {high:g}"
    elif low is not None:
        allowed = f"at least {low:g}"
    elif high is not None:
        allowed = f"at most {high:g}"
    else:
        allowed = "a finite number"
    raise ConfigurationError(f"{name} must be {allowed}, not {value}")


@dataclass(frozen=True)
class SignalParams:
    """Base of a signal's parameters: each field made with :func:`bounded` is checked."""

    def __post_init__(self) -> None:
        for item in fields(self):
            if item.metadata.get("bounds"):
                check_bounds(item.name, getattr(self, item.name), item.metadata["bounds"])


@dataclass(frozen=True)
class NoParams(SignalParams):
    """Parameters of a signal that has none."""


class Signal(ABC):
    """One source of evidence, with its own parameters; its weight lives in ``AlignConfig``.

    Subclasses set ``name`` (the registry key, CLI switches ``--no-NAME``, ``--NAME-weight``),
    ``help`` (one line for the CLI), ``weight`` (the default weight) and, where they have
    parameters, ``Params``: a frozen dataclass whose fields carry their defaults and a
    ``help`` metadata entry (a :class:`SignalParams` whose fields made with :func:`bounded`
    also carry their natural range, checked here and by the CLI).
    """

    name: ClassVar[str] = ""
    help: ClassVar[str] = ""
    weight: ClassVar[float] = 1.0
    Params: ClassVar[type[Any]] = NoParams
    needs_translation: ClassVar[bool] = False
    # Similarity signals add about one unit of evidence to a right bead (a margin-corrected
    # cosine): the null-bead cost, the per-bead cost and the confidence scale count in them.
    similarity: ClassVar[bool] = False

    def __init__(self, params: Any = None) -> None:
        self.params = self.Params() if params is None else params

    @abstractmethod
    def prepare(self, data: SignalInput) -> SpanScorer:
        """Precompute whatever this signal needs for one document pair."""

    def prepare_documents(self, sides: Sequence[Sequence[str]], max_span: int) -> None:
        """Compute ahead, for many documents at once (``sides``: their sentences), what
        :meth:`prepare` will read of each (``max_span`` as in :class:`SignalInput`), where that
        costs less together; by default nothing."""


SIGNALS: dict[str, type[Signal]] = {}
S = TypeVar("S", bound=type[Signal])


def register(cls: S) -> S:
    """Class decorator: make a signal known by its ``name`` (the one place a signal is listed).

    >>> @register
    ... class Quiet(Signal):
    ...     name, help = "quiet", "says nothing"
    ...     def prepare(self, data): ...
    >>> SIGNALS.pop("quiet") is Quiet
    True
    """
    if not cls.name or cls.name in SIGNALS:
        raise ValueError(f"signal name {cls.name!r} is empty or registered twice")
    SIGNALS[cls.name] = cls
    return cls


class PrefixSums:
    """Sums of consecutive rows of a matrix in O(1) per span, via prefix sums.

    >>> sums = PrefixSums(np.array([[1.0], [2.0], [4.0]]))
    >>> sums.spans(np.array([2, 3]), 2).ravel().tolist()
    [3.0, 6.0]
    """

    def __init__(self, rows: np.ndarray) -> None:
        dtype = np.result_type(rows.dtype, np.float32)  # float32 stays float32: half the memory
        self.prefix = np.zeros((rows.shape[0] + 1,) + rows.shape[1:], dtype=dtype)
        np.cumsum(rows, axis=0, out=self.prefix[1:])

    def spans(self, ends: np.ndarray, length: int) -> np.ndarray:
        """Sum of rows ``end-length .. end-1`` for each end (ends must be >= length)."""
        return self.prefix[ends] - self.prefix[ends - length]


def hashed_counts(features: Iterable[Iterable[str]], dim: int) -> np.ndarray:
    """Count vectors of string features hashed into ``dim`` buckets (CRC-32: stable across runs).

    >>> hashed_counts([["ab", "ab"], []], 8).sum(axis=1).tolist()
    [2.0, 0.0]
    """
    return bucket_counts([feature_buckets(feats, dim) for feats in features], dim)


def feature_buckets(features: Iterable[str], dim: int) -> tuple[int, ...]:
    """The bucket of each feature among ``dim`` (see :func:`hashed_counts`)."""
    return tuple(zlib.crc32(feat.encode("utf-8")) % dim for feat in features)


def bucket_counts(buckets: Sequence[Sequence[int]], dim: int) -> np.ndarray:
    """Count vectors of each row's feature buckets, all rows in one ``bincount``.

    >>> bucket_counts([(1, 1, 3), ()], 4).tolist()
    [[0.0, 2.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]]
    """
    sizes = [len(row) for row in buckets]
    flat = np.fromiter(itertools.chain.from_iterable(buckets), dtype=np.int64, count=sum(sizes))
    cells = np.repeat(np.arange(len(buckets), dtype=np.int64), sizes) * dim + flat
    counts = np.bincount(cells, minlength=len(buckets) * dim)
    return counts.reshape(len(buckets), dim).astype(np.float32)


MIN_PAIRS = 3  # fewer confident pairs than this say nothing about a signal
BLOCK_ROWS = 32  # rows of a band per dense block in pair_dots
# Documents with at most this many cells get a bead type's scores from one dense matrix
# product (cheaper than many small gathers; the member checks then only index into it).
DENSE_CELLS = 10_000


def pair_dots(left: np.ndarray, right: np.ndarray, rows: np.ndarray,
              cols: np.ndarray) -> np.ndarray:
    """``left[rows[k]] . right[cols[k]]`` for every k.

    Cells of a band come row by row, so a block of consecutive cells touches few rows and
    columns: one dense matrix product over that rectangle (BLAS) is then much cheaper than
    gathering two vectors per cell. Scattered cells fall back to the gather.

    >>> pair_dots(np.eye(3), np.eye(3), np.array([0, 1, 2]), np.array([0, 2, 2])).tolist()
    [1.0, 0.0, 1.0]
    """
    out = np.empty(len(rows), dtype=np.result_type(left.dtype, right.dtype))
    if not len(rows):
        return out
    per_row = len(rows) / (int(rows.max()) - int(rows.min()) + 1)
    step = max(int(BLOCK_ROWS * per_row), 1)
    for start in range(0, len(rows), step):
        r, c = rows[start:start + step], cols[start:start + step]
        r0, c0 = int(r.min()), int(c.min())
        height, width = int(r.max()) - r0 + 1, int(c.max()) - c0 + 1
        if height * width <= 4 * len(r):
            block = left[r0:r0 + height] @ right[c0:c0 + width].T
            out[start:start + len(r)] = block[r - r0, c - c0]
        else:
            out[start:start + len(r)] = np.einsum("ij,ij->i", left[r], right[c])
    return out


class HashedSpanScorer(SpanScorer):
    """Cosine between hashed feature counts of a source span and a target span."""

    def __init__(self, src_counts: np.ndarray, tgt_counts: np.ndarray) -> None:
        self.counts = (src_counts, tgt_counts)
        self._spans: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._dense = (len(src_counts) + 1) * (len(tgt_counts) + 1) <= DENSE_CELLS

    def sentence_features(self) -> tuple[np.ndarray, np.ndarray]:
        return self.counts

    def span_counts(self, side: int, length: int) -> tuple[np.ndarray, np.ndarray]:
        """Counts of every span of ``length`` sentences (indexed by span end) and their norms."""
        if (side, length) not in self._spans:
            sums = self._sides[side]  # (not needed by small documents: made on first use)
            ends = np.arange(length, len(sums.prefix))
            spans = np.zeros_like(sums.prefix)
            spans[ends] = sums.spans(ends, length)
            self._spans[side, length] = (spans, np.linalg.norm(spans, axis=1))
        return self._spans[side, length]

    def dots(self, a: int | np.ndarray, b: int | np.ndarray, rows: np.ndarray,
             cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Dot products of the two spans' counts, and each span's norm, per bead (``a`` and
        ``b`` may be arrays, a size per bead, on small documents). Counts are whole numbers:
        every way of summing gives the same dots and squared norms."""
        if self._dense:
            return self._grams.dots(a, b, rows, cols)
        src, src_norm = self.span_counts(0, a)
        tgt, tgt_norm = self.span_counts(1, b)
        return pair_dots(src, tgt, rows, cols), src_norm[rows], tgt_norm[cols]

    @functools.cached_property
    def _sides(self) -> tuple[PrefixSums, PrefixSums]:
        return PrefixSums(self.counts[0]), PrefixSums(self.counts[1])

    @functools.cached_property
    def _grams(self) -> SpanGrams:
        return SpanGrams(*self.counts)

    def score(self, a: int | np.ndarray, b: int | np.ndarray, rows: np.ndarray,
              cols: np.ndarray) -> np.ndarray:
        dots, src_norm, tgt_norm = self.dots(a, b, rows, cols)
        norms = src_norm * tgt_norm
        return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)

    def score_types(self, types: Sequence[tuple[int, int]], counts: Sequence[int],
                    rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """:meth:`score` of several bead types at once (small documents: one pass)."""
        if not self._dense:
            return super().score_types(types, counts, rows, cols)
        return self.score(*bead_sizes(types, counts), rows, cols)


class SpanGrams:
    """Dot products and norms of summed count vectors of any two spans, from the sentences'
    products summed over rectangles (2-D prefix sums): whole numbers, so exactly the values
    of the summed vectors' own products, with one matrix product per side pair.

    >>> grams = SpanGrams(np.array([[1.0, 0.0], [1.0, 1.0]]), np.array([[2.0, 1.0]]))
    >>> [values.round(3).tolist() for values in grams.dots(2, 1, np.array([2]), np.array([1]))]
    [[5.0], [2.236], [2.236]]
    """

    def __init__(self, src: np.ndarray, tgt: np.ndarray) -> None:
        self.dtype = np.result_type(src.dtype, tgt.dtype, np.float32)
        self.cross = self._prefix(src @ tgt.T)
        self.src = self._prefix(src @ src.T)
        self.tgt = self._prefix(tgt @ tgt.T)

    @staticmethod
    def _prefix(products: np.ndarray) -> np.ndarray:
        prefix = np.zeros((products.shape[0] + 1, products.shape[1] + 1))
        np.cumsum(np.cumsum(products, axis=0, dtype=np.float64), axis=1, out=prefix[1:, 1:])
        return prefix

    @staticmethod
    def _block(prefix: np.ndarray, rows: np.ndarray, a: int | np.ndarray, cols: np.ndarray,
               b: int | np.ndarray) -> np.ndarray:
        """Sums of ``prefix``'s products over rows ``rows-a .. rows-1``, columns ``cols-b ..``
        (read through flat indices: cheaper than pairs of index arrays)."""
        flat, width = prefix.ravel(), prefix.shape[1]
        at = rows * width + cols
        above = at - a * width
        return flat[at] - flat[above] - flat[at - b] + flat[above - b]

    def dots(self, a: int | np.ndarray, b: int | np.ndarray, rows: np.ndarray,
             cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """As :meth:`HashedSpanScorer.dots`: the spans' dots, then each span's norm."""
        dots = self._block(self.cross, rows, a, cols, b).astype(self.dtype)
        src = np.sqrt(self._block(self.src, rows, a, rows, a).astype(self.dtype))
        tgt = np.sqrt(self._block(self.tgt, cols, b, cols, b).astype(self.dtype))
        return dots, src, tgt
