"""The similarity grid of a pair: the report draws the alignment path over it."""

from __future__ import annotations

import numpy as np

from aligner.embed import get_encoder
from aligner.records import Alignment, SimilarityGrid

SIMILARITY_GRID = 24


def similarity_grid(alignment: Alignment, encoder_name: str,
                    size: int = SIMILARITY_GRID) -> SimilarityGrid | None:
    """Sentence similarity of a pair pooled into at most ``size`` x ``size`` cells.

    Embeddings come from the encoder's disk cache (pairing embedded the same sentences).
    """
    if not alignment.src_sentences or not alignment.tgt_sentences:
        return None
    encoder = get_encoder(encoder_name)
    cells = pooled_similarity(encoder.embed(alignment.src_sentences),
                              encoder.embed(alignment.tgt_sentences), size)
    return SimilarityGrid(cells, encoder.name)


def pooled_similarity(src: np.ndarray, tgt: np.ndarray, size: int
                      ) -> tuple[tuple[int, ...], ...]:
    """Cosine similarity of unit rows, max-pooled over even blocks, in whole percent.

    Rows are processed a block at a time, so long documents never need the whole matrix.

    >>> src = np.array([[1, 0], [0, 1], [0, 1]], dtype=np.float32)
    >>> tgt = np.array([[1, 0], [0.6, 0.8]], dtype=np.float32)
    >>> pooled_similarity(src, tgt, 2)  # rows 0-1 pooled, row 2 alone
    ((100, 80), (0, 80))
    """
    row_blocks = np.array_split(np.arange(len(src)), min(size, len(src)))
    col_starts = [block[0] for block in np.array_split(np.arange(len(tgt)), min(size, len(tgt)))]
    rows = []
    for block in row_blocks:
        pooled = np.maximum.reduceat((src[block] @ tgt.T).max(axis=0), col_starts)
        rows.append(tuple(int(round(float(v) * 100)) for v in np.clip(pooled, 0.0, 1.0)))
    return tuple(rows)
