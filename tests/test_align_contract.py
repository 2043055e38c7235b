"""Contract of the aligner for every combination of signals, and its search on its own."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from align_cases import EN, GOLD, MT, RU
from hypothesis import given, settings
from hypothesis import strategies as st

from aligner.alignment import AlignConfig, align_sentences
from aligner.alignment.search import Band, Lattice, best_path
from aligner.errors import ConfigurationError, InputError
from aligner.records import Bead
from aligner.signals import SIGNALS
from aligner.signals.embedding import MarginScorer, SideVectors

COMBINATIONS = [combo for size in range(1, len(SIGNALS) + 1)
                for combo in itertools.combinations(sorted(SIGNALS), size)]


def check_contract(beads: list[Bead], n: int, m: int) -> None:
    """Monotone, every sentence in exactly one bead, scores finite, confidence in [0, 1]."""
    assert [i for b in beads for i in b.src] == list(range(n))
    assert [j for b in beads for j in b.tgt] == list(range(m))
    for bead in beads:
        assert 0.0 <= bead.confidence <= 1.0
        assert all(math.isfinite(v) for v in bead.scores.values())


@pytest.mark.parametrize("signals", COMBINATIONS, ids=",".join)
def test_contract_for_every_signal_combination(signals: tuple[str, ...]) -> None:
    config = AlignConfig(signals=signals, src_lang="ru", tgt_lang="en")
    beads = align_sentences(RU, EN, config, translation=MT)
    check_contract(beads, len(RU), len(EN))
    assert beads == align_sentences(RU, EN, config, translation=MT)
    used = set(signals)
    similarity = {"neighbour"} if any(SIGNALS[name].similarity for name in signals) else set()
    for bead in beads:
        if not bead.is_null:
            assert set(bead.scores) == used | {"total", "evidence", "posterior"} | similarity
        assert 0.0 < bead.scores["posterior"] <= 1.0


def test_all_signals_find_the_gold_alignment() -> None:
    beads = align_sentences(RU, EN, AlignConfig(src_lang="ru", tgt_lang="en"), translation=MT)
    assert [(b.src, b.tgt) for b in beads] == GOLD


def test_without_translation_the_mt_signal_is_skipped() -> None:
    beads = align_sentences(RU, EN, AlignConfig(src_lang="ru", tgt_lang="en"))
    check_contract(beads, len(RU), len(EN))
    assert all("mt" not in b.scores for b in beads)


def test_paragraph_boundaries_are_never_crossed() -> None:
    src_par = [0, 0, 0, 0, 0, 1, 1]
    tgt_par = [0, 0, 0, 0, 1, 2, 2]   # a boundary inside the true 1-2 bead
    beads = align_sentences(RU, EN, AlignConfig(src_lang="ru", tgt_lang="en"),
                            src_paragraphs=src_par, tgt_paragraphs=tgt_par)
    check_contract(beads, len(RU), len(EN))
    for bead in beads:
        assert len({src_par[i] for i in bead.src}) <= 1
        assert len({tgt_par[j] for j in bead.tgt}) <= 1


@pytest.mark.parametrize("m", [1, 2, 3])
def test_very_short_side_with_paragraphs(m: int) -> None:
    beads = align_sentences(RU, EN[:m], AlignConfig(signals=("length", "anchors")),
                            src_paragraphs=[0] * len(RU), tgt_paragraphs=[0] * m)
    check_contract(beads, len(RU), m)


def test_empty_side_gives_null_beads() -> None:
    beads = align_sentences(RU, [])
    assert [(b.src, b.tgt) for b in beads] == [((i,), ()) for i in range(len(RU))]
    assert align_sentences([], []) == []


def test_bad_input_is_reported() -> None:
    with pytest.raises(InputError, match="translation has 2 lines but the source has 7"):
        align_sentences(RU, EN, translation=MT[:2])
    with pytest.raises(InputError, match="paragraph ids"):
        align_sentences(RU, EN, src_paragraphs=[0])
    with pytest.raises(ConfigurationError, match="unknown language"):
        AlignConfig(src_lang="Russian")


def test_one_enormous_line_gives_sane_output() -> None:
    huge = " ".join(RU) * 300
    beads = align_sentences([huge, RU[0]], EN[:2], AlignConfig(signals=("embedding", "length")))
    check_contract(beads, 2, 2)


def test_long_documents_use_the_coarse_pass_and_stay_monotone() -> None:
    rng = np.random.default_rng(7)
    src = ["x" * int(k) for k in rng.integers(5, 200, size=700)]
    tgt = ["y" * int(len(s) * 1.1) for s in src]
    del tgt[100:103]
    beads = align_sentences(src, tgt, AlignConfig(signals=("length",), coarse_cells=10_000))
    check_contract(beads, len(src), len(tgt))
    assert sum(b.type == "1-1" for b in beads) > 600


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 12), st.integers(0, 12), st.floats(-1.0, 0.0), st.integers(0, 10**6))
def test_search_covers_every_cell_path(n: int, m: int, skip: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    table = rng.normal(size=(n + 1, m + 1, 3, 3))

    def scorer(a: int, b: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return table[rows, cols, a - 1, b - 1]

    path = best_path(Band.full(n, m), m, [(1, 1), (1, 2), (2, 1), (2, 2)], scorer, skip)
    assert sum(a for a, _, _, _ in path) == n and sum(b for _, b, _, _ in path) == m
    i = j = 0
    for a, b, end_i, end_j in path:
        i, j = i + a, j + b
        assert (i, j) == (end_i, end_j)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.floats(-1.0, 0.0), st.integers(0, 10**6),
       st.floats(0.1, 2.0))
def test_every_sentence_is_in_exactly_one_bead_of_each_path(n: int, m: int, skip: float,
                                                            seed: int, temperature: float) -> None:
    """Lattice.log_posteriors reads any bead: over all the beads that hold one sentence, the
    probabilities add up to 1, and on the best path they are its posteriors."""
    rng = np.random.default_rng(seed)
    table = rng.normal(size=(n + 1, m + 1, 3, 3))
    types = [(1, 1), (1, 2), (2, 1), (2, 2)]
    lattice = Lattice.build(Band.full(n, m), types, lambda a, b, r, c: table[r, c, a - 1, b - 1],
                            skip)
    beads = [(a, b, i, j) for a, b in [*types, (1, 0), (0, 1), (3, 3)]
             for i in range(a, n + 1) for j in range(b, m + 1)]
    probability = np.exp(lattice.log_posteriors(beads, temperature))
    for side, count in ((0, n), (1, m)):
        for sentence in range(count):
            holding = [k for k, bead in enumerate(beads)
                       if bead[2 + side] - bead[side] <= sentence < bead[2 + side]]
            assert math.isclose(probability[holding].sum(), 1.0, rel_tol=1e-6)
    assert probability[[k for k, bead in enumerate(beads) if bead[:2] == (3, 3)]].sum() == 0.0
    path = lattice.best_path(m)
    assert np.allclose(probability[[beads.index(bead) for bead in path]],
                       lattice.posteriors(path, temperature))


def test_headline_and_paraphrased_lead_stay_two_beads() -> None:
    src = ["Токаев принял министра обороны Китая",
           "Президент Казахстана Касым-Жомарт Токаев принял министра обороны КНР Вэй Фэнхэ.",
           "Стороны обсудили военное сотрудничество."]
    tgt = ["Tokayev receives Chinese defence minister",
           "Kazakh President Kassym-Jomart Tokayev received China's defence minister Wei Fenghe.",
           "The sides discussed military cooperation."]
    beads = align_sentences(src, tgt, AlignConfig(src_lang="ru", tgt_lang="en"))
    assert [(b.src, b.tgt) for b in beads] == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]


def test_confidence_separates_right_from_wrong_beads() -> None:
    unrelated = ["It rained in Paris all week.", "Stock markets fell on Monday morning.",
                 "A new museum of modern art opened in Rome.", "The recipe needs two eggs."]
    right = align_sentences(RU[:4], EN[:4], AlignConfig(src_lang="ru", tgt_lang="en"))
    wrong = align_sentences(RU[:4], unrelated, AlignConfig(src_lang="ru", tgt_lang="en"))
    assert min(b.confidence for b in right) > 0.8
    assert max(b.confidence for b in wrong if not b.is_null) < 0.7


@pytest.mark.parametrize("translation", [None, "mt"])
def test_short_document_leaves_out_an_untranslated_sentence(translation: str | None) -> None:
    # with one target sentence, the margin must not be estimated from that sentence alone
    src = ["Моя мама жила с родителями на первом этаже старого дома.",
           "Сначала стучали в дверь, потом в окно, а потом разбили стекло.",
           "Эти люди точно знали, что дома кто-то есть."]
    tgt = ["First they knocked on the door, then on the window, and then they broke the glass; "
           "these people knew for sure that someone was at home."]
    mt = ["My mother lived with her parents on the ground floor of an old house.",
          "First they knocked on the door, then on the window, and then broke the glass.",
          "These people knew for sure that someone was at home."]
    beads = align_sentences(src, tgt, AlignConfig(src_lang="ru", tgt_lang="en"),
                            translation=mt if translation else None)
    assert [(b.src, b.tgt) for b in beads] == [((0,), ()), ((1, 2), (0,))]


def test_a_stray_dash_joins_its_sentence_instead_of_being_left_out() -> None:
    src = RU[:3] + ["-"] + RU[3:4]
    beads = align_sentences(src, EN[:4], AlignConfig(src_lang="ru", tgt_lang="en"))
    check_contract(beads, len(src), 4)
    assert [(b.src, b.tgt) for b in beads] == [((0,), (0,)), ((1,), (1,)), ((2, 3), (2,)),
                                               ((4,), (3,))]


@pytest.mark.parametrize("a,b", [(1, 1), (2, 1), (1, 3), (2, 2)])
def test_dense_and_banded_margin_scores_agree(a: int, b: int) -> None:
    rng = np.random.default_rng(7)
    src, tgt = rng.normal(size=(12, 16)), rng.normal(size=(9, 16))
    dense = MarginScorer(SideVectors(src), SideVectors(tgt), 1.2, 0.5, 0.15, dense_cells=200)
    banded = MarginScorer(SideVectors(src), SideVectors(tgt), 1.2, 0.5, 0.15, dense_cells=0)
    rows, cols = np.meshgrid(np.arange(a, 13), np.arange(b, 10), indexing="ij")
    rows, cols = rows.ravel(), cols.ravel()
    assert np.allclose(dense.score(a, b, rows, cols), banded.score(a, b, rows, cols), atol=1e-5)


@pytest.mark.parametrize("refine_span", [0, 3])
def test_unscored_beads_are_the_scored_ones_without_scores(refine_span: int) -> None:
    config = AlignConfig(src_lang="ru", tgt_lang="en").with_signal("embedding",
                                                                    refine_span=refine_span)
    scored = align_sentences(RU, EN, config, translation=MT)
    unscored = align_sentences(RU, EN, config, translation=MT, scored=False)
    assert [(b.src, b.tgt) for b in unscored] == [(b.src, b.tgt) for b in scored]
    assert all(not bead.scores for bead in unscored)
