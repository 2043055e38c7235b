"""Embedding signal: cosine of sentence-encoder vectors of the two spans, margin-normalised.

A span's vector is composed from its sentences' token sums (:mod:`aligner.embed.usem3_spans`:
as good as embedding the joined text, at no extra model cost); spans up to ``exact_span``
sentences may instead be embedded as their joined text, and an encoder that cannot compose
falls back to the normalised sum of sentence vectors. The cosine is corrected by a *margin*:
the mean cosine of each span with a fixed sample of the other side's sentences, so generic
sentences ("Yes.", dates) that resemble everything do not win beads (as in LASER mining and
vecalign's normalisation)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from aligner.embed import Encoder, check_encoder, get_encoder, normalise_rows
from aligner.records import Bead
from aligner.embed.usem3_spans import SpanComposer
from aligner.signals.base import (DENSE_CELLS, PrefixSums, Signal, SignalInput, SignalParams,
                                  SpanScorer, bead_sizes, bounded, pair_dots, register)

MARGIN_SAMPLE = 64  # other-side sentences a span is compared with to estimate its margin
# Median mean cosine of a span with the other side's sentences, measured on the dev documents
# (USE vectors and the MT signal's n-gram vectors alike).
MARGIN_PRIOR = 0.23
PRIOR_WEIGHT = 2.0
REFINE_BELOW = 0.9  # with refine_span: beads under this confidence get exact span embeddings


@dataclass(frozen=True)
class MarginParams(SignalParams):
    """How a similarity signal's cosines are corrected and checked (embedding and MT alike)."""

    margin: float = bounded(1.2, "Weight of the margin subtracted from each cosine (the "
                                 "span's mean cosine with unrelated sentences).", low=0.0)
    member_weight: float = bounded(0.5, "Penalty per unit shortfall of the weakest member of "
                                        "a bead of 3+ sentences.", low=0.0)
    member_floor: float = bounded(0.15, "Margin-corrected cosine a member of a 3+ sentence "
                                        "bead should reach.", low=-1.0, high=1.0)


class SideVectors:
    """Unit vectors of every span of one side, by span length, computed on first use.

    By default a span's vector is the normalised sum of its sentences' vectors; subclasses
    may compute some spans exactly (:meth:`_exact`).
    """

    def __init__(self, single: np.ndarray) -> None:
        self.single = normalise_rows(np.asarray(single, dtype=np.float32))
        self.count = len(single)
        self._single = single
        self._by_length: dict[int, np.ndarray] = {1: self._padded(self.single, 1)}

    @functools.cached_property
    def _sums(self) -> PrefixSums:
        """Prefix sums of the sentence vectors (made on first use: composed spans need none)."""
        return PrefixSums(np.asarray(self._single, dtype=np.float32))

    def _padded(self, vectors: np.ndarray, length: int) -> np.ndarray:
        """Rows indexed by span end: row ``i`` is the span ``i-length .. i-1`` (zeros before)."""
        out = np.zeros((self.count + 1, vectors.shape[1]), dtype=np.float32)
        out[length:] = vectors
        return out

    def _exact(self, length: int, ends: np.ndarray) -> np.ndarray | None:
        return None

    def spans(self, length: int) -> np.ndarray:
        """Unit vectors of every span of ``length`` sentences, indexed by span end."""
        if length not in self._by_length:
            ends = np.arange(length, self.count + 1)
            vectors = self._exact(length, ends)
            if vectors is None:
                vectors = normalise_rows(self._sums.spans(ends, length).astype(np.float32))
            self._by_length[length] = self._padded(vectors, length)
        return self._by_length[length]


class EncodedSide(SideVectors):
    """Sentence-encoder vectors of spans.

    Spans up to ``exact_span`` sentences are embedded as one text; longer ones come from
    ``composer`` (:meth:`Encoder.span_composers`) where the encoder has one, else are summed.
    """

    def __init__(self, sentences: Sequence[str], encoder: Encoder, exact_span: int,
                 composer: SpanComposer | None = None, longest: int = 1) -> None:
        self.sentences = list(sentences)
        self.encoder = encoder
        self.exact_span = exact_span
        self.composer = composer
        if composer is None:
            self._composed: dict[int, np.ndarray] = {}
            single = encoder.embed(self.sentences)
        else:
            # sentences, and the spans not embedded as text: every length the composer made
            # with those up to ``longest`` (free), so the side serves any longer bead too
            self._composed = composer.all_spans(
                [1, *range(exact_span + 1, composer.layout_longest(longest) + 1)])
            single = self._composed.get(1, np.zeros((0, encoder.dim), dtype=np.float32))
        super().__init__(single)

    def _exact(self, length: int, ends: np.ndarray) -> np.ndarray | None:
        if length <= self.exact_span:
            return self._embed_spans(length, ends)
        if length in self._composed:
            return self._composed[length]
        return None if self.composer is None else self.composer.spans(length, ends)

    def _embed_spans(self, length: int, ends: np.ndarray) -> np.ndarray:
        return self.encoder.embed([" ".join(self.sentences[end - length:end]) for end in ends])

    def refine(self, length: int, ends: np.ndarray) -> None:
        """Embed the spans of ``length`` sentences ending at ``ends`` exactly (not summed)."""
        ends = np.unique(ends[(ends >= length) & (ends <= self.count)])
        if length > self.exact_span and len(ends):
            self.spans(length)[ends] = self._embed_spans(length, ends)


def margin_sample(vectors: np.ndarray) -> np.ndarray:
    """Up to ``MARGIN_SAMPLE`` rows spread evenly over ``vectors`` (deterministic).

    >>> margin_sample(np.eye(3)).shape
    (3, 3)
    """
    if len(vectors) <= MARGIN_SAMPLE:
        return vectors
    picks = np.linspace(0, len(vectors) - 1, MARGIN_SAMPLE).round().astype(int)
    return vectors[picks]


def expected_cosine(similarities: np.ndarray) -> np.ndarray:
    """Each row's typical cosine with unrelated sentences: its mean over the sample.

    The best match in the sample is left out (it may be the row's translation), and the mean
    is shrunk towards ``MARGIN_PRIOR`` by ``PRIOR_WEIGHT`` pseudo-sentences, so a document
    whose other side has one or two sentences does not subtract a translation's own cosine.

    >>> expected_cosine(np.array([[0.9]])).round(3).tolist()  # nothing to compare with
    [0.23]
    """
    count = similarities.shape[1]
    if not count:
        return np.full(len(similarities), MARGIN_PRIOR, dtype=np.float32)
    unrelated = similarities.sum(axis=1) - similarities.max(axis=1)
    return (unrelated + MARGIN_PRIOR * PRIOR_WEIGHT) / (count - 1 + PRIOR_WEIGHT)


class MarginScorer(SpanScorer):
    """Margin-corrected cosine between span vectors of the two sides.

    A bead of three or more sentences is also checked member by member: every sentence should
    resemble the other side's span. An omitted sentence swallowed next to its neighbour's true
    match resembles nothing, so the weakest member's margin-corrected cosine below
    ``member_floor`` costs ``member_weight`` times the shortfall.
    """

    def __init__(self, src: SideVectors, tgt: SideVectors, margin: float,
                 member_weight: float = 0.0, member_floor: float = 0.0,
                 dense_cells: int = DENSE_CELLS) -> None:
        self.src, self.tgt, self.margin = src, tgt, margin
        self.member_weight, self.member_floor = member_weight, member_floor
        self._src_sample = margin_sample(src.single)
        self._tgt_sample = margin_sample(tgt.single)
        self._margins: dict[tuple[str, int], np.ndarray] = {}
        self._dense = (src.count + 1) * (tgt.count + 1) <= dense_cells
        self._grids: dict[tuple[int, int], np.ndarray] = {}

    def _margin(self, side: str, length: int) -> np.ndarray:
        key = (side, length)
        if key not in self._margins:
            vectors = (self.src if side == "src" else self.tgt).spans(length)
            sample = self._tgt_sample if side == "src" else self._src_sample
            self._margins[key] = expected_cosine(vectors @ sample.T)
        return self._margins[key]

    def sentence_features(self) -> tuple[np.ndarray, np.ndarray]:
        return self.src.single, self.tgt.single

    def _corrected(self, a: int, b: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        if self._dense:
            return self._grid(a, b)[rows, cols]
        cosine = pair_dots(self.src.spans(a), self.tgt.spans(b), rows, cols)
        if not self.margin:
            return cosine
        expected = 0.5 * (self._margin("src", a)[rows] + self._margin("tgt", b)[cols])
        return cosine - self.margin * expected

    def _grid(self, a: int, b: int) -> np.ndarray:
        """Margin-corrected cosines of every ``a``-span with every ``b``-span (small documents)."""
        if (a, b) not in self._grids:
            grid = self.src.spans(a) @ self.tgt.spans(b).T
            if self.margin:
                grid -= 0.5 * self.margin * (self._margin("src", a)[:, None]
                                             + self._margin("tgt", b)[None, :])
            self._grids[(a, b)] = grid
        return self._grids[(a, b)]

    def _weakest_member(self, a: int, b: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        members = [self._corrected(1, b, rows - k, cols) for k in range(a)] if a > 1 else []
        members += [self._corrected(a, 1, rows, cols - k) for k in range(b)] if b > 1 else []
        return np.min(members, axis=0)

    def score(self, a: int, b: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        corrected = self._corrected(a, b, rows, cols)
        if self.member_weight and a + b >= 3:
            weakest = self._weakest_member(a, b, rows, cols)
            corrected = corrected + self.member_weight * np.minimum(weakest - self.member_floor, 0)
        return corrected

    def score_types(self, types: Sequence[tuple[int, int]], counts: Sequence[int],
                    rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """:meth:`score` of several bead types at once: on small documents, read from their
        grids stacked together (the same numbers, in fewer and larger operations)."""
        if not self._dense:
            return super().score_types(types, counts, rows, cols)
        checked = [(a, b) for a, b in types if self.member_weight and a + b >= 3]
        members = ([(1, b) for a, b in checked if a > 1] + [(a, 1) for a, b in checked if b > 1])
        order = {size: k for k, size in enumerate(dict.fromkeys([*types, *members]))}
        # the grids one after another, then +inf: what a bead's missing members read
        parts = [self._grid(a, b).ravel() for a, b in order]
        grids = np.concatenate([*parts, np.full(1, np.inf, dtype=parts[0].dtype)])
        height, width = self.src.count + 1, self.tgt.count + 1
        cells = rows * width + cols
        corrected = grids[np.repeat([order[size] * height * width for size in types], counts)
                          + cells]
        if not checked:
            return corrected
        a, b = bead_sizes(types, counts)
        big = np.flatnonzero(a + b >= 3)
        a, b, cells = a[big], b[big], cells[big]
        # the weakest member: each source sentence against the target span (grid (1, b)),
        # and each target sentence against the source span (grid (a, 1))
        one_src = np.array([order.get((1, size), 0) for size in range(int(b.max()) + 1)])
        one_tgt = np.array([order.get((size, 1), 0) for size in range(int(a.max()) + 1)])
        steps = np.arange(max(int(a.max()), int(b.max())))[:, None]
        missing = len(grids) - 1
        src_members = np.where((a > 1) & (steps < a), one_src[b] * height * width + cells
                               - steps * width, missing)
        tgt_members = np.where((b > 1) & (steps < b), one_tgt[a] * height * width + cells
                               - steps, missing)
        weakest = np.minimum(grids[src_members].min(axis=0), grids[tgt_members].min(axis=0))
        corrected[big] = (corrected[big]
                          + self.member_weight * np.minimum(weakest - self.member_floor, 0))
        return corrected


class EmbeddingScorer(MarginScorer):
    """Margin scorer of encoder vectors that, after a first search, embeds the spans of up to
    ``refine_span`` sentences around unsure beads as their joined text (0: never)."""

    def __init__(self, src: EncodedSide, tgt: EncodedSide, params: EmbeddingParams,
                 longest: int) -> None:
        super().__init__(src, tgt, params.margin, params.member_weight, params.member_floor)
        self.sides = (src, tgt)
        self.exact_span, self.refine_span = params.exact_span, params.refine_span
        self.longest = min(params.refine_span, longest)
        self.refines = self.refine_span > self.exact_span

    def refine(self, beads: Sequence[Bead]) -> bool:
        if not self.refines:
            return False
        ends = unsure_ends(beads, self.refine_span)
        if not any(len(side_ends) for side_ends in ends):
            return False
        for side, side_ends in zip(self.sides, ends):
            for length in range(side.exact_span + 1, self.longest + 1):
                side.refine(length, side_ends)
        self._margins.clear()
        self._grids.clear()
        return True


def unsure_ends(beads: Sequence[Bead], reach: int) -> tuple[np.ndarray, np.ndarray]:
    """Span ends near beads the first search was unsure of (many-sentence or low confidence).

    Long spans that overlap such a bead (and end at most ``reach - 1`` sentences after it) get
    exact embeddings in the second search; elsewhere the composed vectors were enough.

    >>> unsure_ends([Bead((0, 1), (0,), 0.99, {})], 2)[0].tolist()
    [1, 2]
    """
    src_ends: set[int] = set()
    tgt_ends: set[int] = set()
    for bead in beads:
        if bead.is_null or (len(bead.src) + len(bead.tgt) < 3
                            and bead.confidence >= REFINE_BELOW):
            continue
        for ends, side in ((src_ends, bead.src), (tgt_ends, bead.tgt)):
            ends.update(range(side[0] + 1, side[-1] + reach))
    return np.array(sorted(src_ends), dtype=np.int64), np.array(sorted(tgt_ends), dtype=np.int64)


@dataclass(frozen=True)
class EmbeddingParams(MarginParams):
    """The embedding signal's parameters."""

    encoder: str = field(default="usem3", metadata={
        "help": "Sentence encoder (see `aligner models`)."})
    exact_span: int = bounded(1, "Embed spans of up to N sentences as their joined text "
                                 "(slower); longer spans are composed from each sentence's "
                                 "token sums.", low=1)
    refine_span: int = bounded(0, "Second search with spans of up to N sentences embedded as "
                                  "text around unsure beads (0: off; several times slower for "
                                  "a small gain).", low=0)

    def __post_init__(self) -> None:
        check_encoder(self.encoder)
        super().__post_init__()


@register
class EmbeddingSignal(Signal):
    """Multilingual sentence-encoder similarity of the two spans of a bead."""

    name = "embedding"
    help = "the sentence-embedding signal"
    weight = 1.0
    Params = EmbeddingParams
    similarity = True

    def prepare_documents(self, sides: Sequence[Sequence[str]], max_span: int) -> None:
        get_encoder(self.params.encoder).prepare_composers(sides, max_span)  # kept for prepare

    def prepare(self, data: SignalInput) -> EmbeddingScorer:
        params: EmbeddingParams = self.params
        encoder = get_encoder(params.encoder)
        composers = encoder.span_composers([data.src, data.tgt], data.max_span) or [None, None]
        return EmbeddingScorer(
            EncodedSide(data.src, encoder, params.exact_span, composers[0], data.max_span),
            EncodedSide(data.tgt, encoder, params.exact_span, composers[1], data.max_span),
            params, data.max_span)
