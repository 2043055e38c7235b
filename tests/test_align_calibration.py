"""Signals that calibrate to the document in hand, and calibrated bead confidence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from align_cases import EN, GOLD, MT, RU

from aligner.alignment import AlignConfig, align_sentences, bead_types
from aligner.alignment.core import (CONFIDENCE_COEFFICIENTS, CONFIDENCE_FEATURES,
                                    NULL_COEFFICIENTS, TYPICAL_LENGTH, TYPICAL_NEIGHBOUR,
                                    confidence_features,
                                    confidence_model, confidences, confident_pairs,
                                    neighbour_similarity)
from aligner.alignment.search import Band, Lattice
from aligner.embed import normalise_rows
from aligner.evaluate import read_beads, wilson_interval
from aligner.signals import SignalInput
from aligner.signals.anchors import AnchorSignal, numbers
from aligner.signals.length import LengthScorer
from aligner.signals.mt import PRIOR_PAIRS, MTSignal

# RU in Japanese: one character against about three of English, full-width digits
JA = [
    "カザフスタン大統領は中国の国防相を迎えた。",
    "会談は２０２２年４月２５日にアコルダで行われた。",
    "双方は軍事協力について協議した。",
    "国家元首は外交関係樹立３０周年に言及した。",
    "この文には翻訳がない。",
    "国防相は習近平国家主席からのあいさつを伝え、大統領は感謝の意を表した。",
    "最後に双方は対話を続けることで合意した。",
]


def test_numbers_are_nfkc_folded_and_cjk_units_multiply() -> None:
    assert numbers("２０２２年４月２５日") == ["2022", "4", "25"]
    assert numbers("月収100万円") == numbers("a monthly 1,000,000 yen") == ["1000000"]
    assert numbers("1.5億ドル") == numbers("$150 million") == numbers("150 млн долларов")
    assert numbers("三十五人と二〇二二年") == ["35", "2022"]
    assert numbers("千葉さんと一緒に") == []  # a lone numeral character is a word


def test_full_width_numbers_match_their_ascii_spelling() -> None:
    src = ["会談は２０２２年４月２５日に行われた。"]
    tgt = ["The talks were held on 25 April 2022.", "The talks were held on 26 May 2021."]
    scorer = AnchorSignal().prepare(SignalInput(src=src, tgt=tgt, src_lang="ja", tgt_lang="en"))
    same, other = scorer.score(1, 1, np.array([1, 1]), np.array([1, 2]))
    assert same > 0.4 and other < 0  # other numbers: a mismatch


def test_length_ratio_and_scale_come_from_the_document() -> None:
    src = np.array([20.0, 35, 12, 50, 28, 40])
    tgt = src * 3.0 + np.array([2.0, -3, 1, 4, -2, 0])
    scorer = LengthScorer(src, tgt)
    assert scorer.ratio == pytest.approx(3.0, abs=0.05)
    rows, cols = np.arange(1, 7), np.arange(1, 7)
    right = scorer.score(1, 1, rows, cols)
    shifted = scorer.score(1, 1, rows[:-1], cols[1:])
    assert right.min() > -1.0 and right.mean() > shifted.mean() + 2.0
    # the same document in units three times larger (another script) scores alike
    rescaled = LengthScorer(src, tgt / 3.0).score(1, 1, rows, cols)
    assert np.allclose(rescaled, right, atol=0.05)


def test_japanese_against_english_aligns_like_russian() -> None:
    beads = align_sentences(JA, EN, AlignConfig(src_lang="ja", tgt_lang="en"))
    assert [(b.src, b.tgt) for b in beads] == GOLD


def test_confident_pairs_are_mutual_best_matches_in_order() -> None:
    vectors = np.eye(4)
    pairs = confident_pairs(vectors, vectors[[0, 2, 1, 3]]).tolist()
    assert len(pairs) == 3 and pairs[0] == [0, 0] and pairs[-1] == [3, 3]  # one crossing left out
    assert pairs[1] in ([1, 2], [2, 1])


CONFIDENT = [[0, 0], [1, 1], [2, 2], [3, 3], [6, 6]]


def _mt_reliability(translation: list[str], pairs: list[list[int]] = CONFIDENT) -> float:
    scorer = MTSignal().prepare(SignalInput(src=RU, tgt=EN, translation=translation))
    scorer.calibrate(np.array(pairs, dtype=np.int64).reshape(-1, 2))
    return scorer.reliability


def test_mt_weight_shrinks_for_a_shuffled_or_unrelated_translation() -> None:
    shuffled = MT[3:] + MT[:3]
    unrelated = ["Stock markets fell on Monday.", "It rained in Paris.", "Two eggs.",
                 "A museum opened.", "The cat sleeps.", "Trains were late.", "Snow in May."]
    good = _mt_reliability(MT)
    assert good > 0.9 * len(CONFIDENT) / (len(CONFIDENT) + PRIOR_PAIRS)
    assert _mt_reliability(shuffled) < 0.3 * good
    assert _mt_reliability(unrelated) < 0.3 * good


def test_mt_weight_grows_with_the_pairs_it_was_checked_on() -> None:
    assert _mt_reliability(MT, CONFIDENT[:2]) == 0.0  # too few pairs to check it: no say
    assert 0.0 < _mt_reliability(MT, CONFIDENT[:3]) < _mt_reliability(MT)


def test_a_shuffled_translation_does_not_pull_beads_apart() -> None:
    config = AlignConfig(src_lang="ru", tgt_lang="en")
    beads = align_sentences(RU, EN, config, translation=MT[3:] + MT[:3])
    assert [(b.src, b.tgt) for b in beads] == GOLD


def _paths(i: int, j: int, types: list[tuple[int, int]]):  # every bead sequence to (i, j)
    if (i, j) == (0, 0):
        yield []
        return
    for a, b in types:
        if a <= i and b <= j:
            for path in _paths(i - a, j - b, types):
                yield [*path, (a, b, i, j)]


def test_bead_posteriors_sum_over_every_path_through_the_bead() -> None:
    rng = np.random.default_rng(3)
    table: dict[tuple[int, ...], float] = {}

    def scorer(a: int, b: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return np.array([table.setdefault((a, b, r, c), rng.normal(0.0, 0.5))
                         for r, c in zip(rows.tolist(), cols.tolist())])

    skip, temperature = -0.3, 0.4
    lattice = Lattice.build(Band.full(4, 5), bead_types(4), scorer, skip)
    path = lattice.best_path(5)

    def score(p: list[tuple[int, int, int, int]]) -> float:
        return sum(table[bead] if bead[0] and bead[1] else skip for bead in p)

    every = list(_paths(4, 5, bead_types(4) + [(1, 0), (0, 1)]))
    weights = np.exp(np.array([score(p) for p in every]) / temperature)
    exact = [weights[[bead in p for p in every]].sum() / weights.sum() for bead in path]
    assert path == max(every, key=score)
    assert np.allclose(lattice.posteriors(path, temperature), exact)


def test_a_near_tie_between_merging_and_leaving_out_gets_an_even_posterior() -> None:
    def scorer(margin: float):  # a 1-2 bead against a 1-1 bead (1:1) plus a 0-1 bead (:2)
        def score(a: int, b: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
            if (a, b) == (1, 1):
                return np.where(cols == 1, 1.0, -5.0)
            return np.full(len(rows), 0.9 + margin if (a, b) == (1, 2) else -5.0)
        return score

    for margin, low, high in ((0.0, 0.4, 0.6), (0.3, 0.99, 1.0)):
        lattice = Lattice.build(Band.full(1, 2), bead_types(3), scorer(margin), -0.1)
        path = lattice.best_path(2)
        posterior = lattice.posteriors(path, 0.05)
        assert low <= posterior.min() <= high, (margin, path, posterior)


def _features(posterior: np.ndarray, share: float = 0.0, neighbour: float = -0.4,
              length: float = 0.0) -> np.ndarray:
    logit = np.log(posterior / (1 - posterior))
    return np.column_stack([np.ones_like(posterior), logit, np.full_like(posterior, share),
                            np.full_like(posterior, neighbour), np.full_like(posterior, length)])


def test_confidence_grows_with_the_posterior() -> None:
    posterior = np.linspace(0.01, 0.9999, 25)
    for paired in (True, False):
        conf = confidences(_features(posterior), np.full(25, paired))
        assert np.all(np.diff(conf) > 0) and conf[0] < 0.7 and conf[-1] > 0.9
    # a document of many large beads rests on many granularity choices: less confidence
    assert np.all(confidences(_features(posterior, share=0.3), np.full(25, True))
                  < confidences(_features(posterior), np.full(25, True)))


def test_a_close_neighbour_or_a_length_mismatch_lowers_confidence() -> None:
    posterior = np.linspace(0.5, 0.9999, 25)
    paired = np.full(25, True)
    clear = confidences(_features(posterior, neighbour=-0.5), paired)
    assert np.all(confidences(_features(posterior, neighbour=0.0), paired) < clear - 0.001)
    assert np.all(confidences(_features(posterior, neighbour=-0.5, length=-4.0), paired)
                  < clear - 0.001)
    # null beads have neither: their confidence reads the posterior and the document only
    null = np.full(25, False)
    assert np.array_equal(confidences(_features(posterior, neighbour=0.0, length=-4.0), null),
                          confidences(_features(posterior), null))


def test_neighbour_similarity_marks_sentence_boundaries_that_cross() -> None:
    rng = np.random.default_rng(5)
    src = rng.normal(size=(4, 64))
    src /= np.linalg.norm(src, axis=1, keepdims=True)
    path = [(1, 1, k, k) for k in range(1, 5)]
    clean = neighbour_similarity(path, src, src.copy())
    assert all(value < -0.6 for value in clean)  # each sentence's own match is far the best
    # target 2 (0-based) holds half of source 1's content: beads 1-1 and 2-2 become suspect
    crossed = src.copy()
    crossed[2] = src[1] + src[2]
    crossed /= np.linalg.norm(crossed, axis=1, keepdims=True)
    values = neighbour_similarity(path, src, crossed)
    assert values[1] > -0.35 and values[2] > -0.1  # target 2 matches source 1 about as well
    assert values[0] < -0.6 and values[3] < -0.6  # beads next to no crossing: unchanged
    assert neighbour_similarity([(1, 0, 1, 0), (0, 1, 1, 1)], src[:1], src[:1]) == [None, None]


def test_a_beads_neighbour_similarity_is_its_own_whatever_the_other_beads() -> None:
    rng = np.random.default_rng(7)
    src, tgt = (rng.normal(size=(n, 32)).astype(np.float32) for n in (17, 12))
    src, tgt = normalise_rows(src), normalise_rows(tgt)
    path = [(1, 1, 1, 1), (0, 1, 1, 2), (2, 1, 3, 3), (1, 0, 4, 3), (3, 4, 7, 7), (2, 3, 9, 10),
            (8, 2, 17, 12)]
    together = neighbour_similarity(path, src, tgt)
    assert together[1] is None and together[3] is None
    for k, bead in enumerate(path):
        if together[k] is not None:  # alone, its window is the shape of its own bead
            assert neighbour_similarity([bead], src, tgt) == [together[k]]
            assert together[k] == pytest.approx(_neighbour_by_definition(bead, src, tgt),
                                                abs=1e-6)


def test_one_wide_bead_does_not_widen_the_others_windows() -> None:
    import tracemalloc
    rng = np.random.default_rng(3)
    src, tgt = (normalise_rows(rng.normal(size=(n, 512)).astype(np.float32))
                for n in (2200, 2001))
    path = [(1, 1, k + 1, k + 1) for k in range(2000)] + [(200, 1, 2200, 2001)]
    tracemalloc.start()
    values = neighbour_similarity(path, src, tgt)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert values[7] == neighbour_similarity([path[7]], src, tgt)[0]
    assert peak < 64 * 2**20  # windows 202 rows wide for all 2,001 beads: about 1.6 GiB


def _neighbour_by_definition(bead: tuple[int, int, int, int], src: np.ndarray,
                             tgt: np.ndarray) -> float:
    a, b, i, j = bead
    inside = src[i - a:i].astype(np.float64) @ tgt[j - b:j].astype(np.float64).T
    own = (inside.max(axis=1).sum() + inside.max(axis=0).sum()) / (a + b)
    near = [float(src[r] @ tgt[c]) for r in range(i - a, i)
            for c in (j - b - 1, j) if 0 <= c < len(tgt)]
    near += [float(src[r] @ tgt[c]) for c in range(j - b, j)
             for r in (i - a - 1, i) if 0 <= r < len(src)]
    return max(near, default=0.0) - own


def test_beads_with_both_sides_carry_their_neighbour_similarity() -> None:
    beads = align_sentences(RU, EN, AlignConfig(src_lang="ru", tgt_lang="en"))
    paired = [bead for bead in beads if not bead.is_null]
    assert paired and all(-2.0 <= bead.scores["neighbour"] <= 1.0 for bead in paired)
    assert all("neighbour" not in bead.scores for bead in beads if bead.is_null)
    features = confidence_features(beads)
    assert features.shape == (len(beads), len(CONFIDENCE_COEFFICIENTS))
    assert np.allclose(confidences(features, np.array([not b.is_null for b in beads])),
                       [bead.confidence for bead in beads])
    # without sentence vectors (no similarity signal) a typical value stands in
    alone = align_sentences(RU, EN, AlignConfig(signals=("length",), src_lang="ru",
                                                tgt_lang="en"))
    assert all("neighbour" not in bead.scores for bead in alone)
    paired_alone = np.array([not bead.is_null for bead in alone])
    assert np.all(confidence_features(alone)[paired_alone, 3] == TYPICAL_NEIGHBOUR)
    # nor is a missing length score read as the best one (0)
    unmeasured = align_sentences(RU, EN, AlignConfig(signals=("embedding",), src_lang="ru",
                                                     tgt_lang="en"))
    assert all("length" not in bead.scores for bead in unmeasured)
    paired_unmeasured = np.array([not bead.is_null for bead in unmeasured])
    assert np.all(confidence_features(unmeasured)[paired_unmeasured, 4] == TYPICAL_LENGTH)


def test_the_confidence_model_is_signed_with_its_features() -> None:
    model = confidence_model()
    assert model.startswith(",".join(CONFIDENCE_FEATURES) + ":")
    assert f"paired={','.join(str(c) for c in CONFIDENCE_COEFFICIENTS)}" in model
    assert len(CONFIDENCE_COEFFICIENTS) == len(CONFIDENCE_FEATURES) + 1  # and the constant
    assert len(NULL_COEFFICIENTS) == 3


def test_a_granularity_choice_is_less_confident_than_a_clear_pair() -> None:
    config = AlignConfig(src_lang="ru", tgt_lang="en")
    loose = EN[:5] + ["He also thanked the minister for the visit."] + EN[6:]
    confidence = {}
    for name, tgt in (("close", EN), ("loose", loose)):
        beads = align_sentences(RU, tgt, config)
        assert [(b.src, b.tgt) for b in beads] == GOLD
        confidence[name] = {(b.src, b.tgt): b.confidence for b in beads}
    merged = ((5,), (4, 5))  # one Russian sentence, two English: merge, or leave one out?
    clear = [confidence["close"][(i,), (i,)] for i in (0, 1, 2, 6)]
    assert confidence["close"][merged] < min(clear)
    assert confidence["loose"][merged] < confidence["close"][merged] - 0.01


def test_confidence_is_calibrated_on_dev_documents(shared_dir: Path) -> None:
    folder = shared_dir / "data" / "wmt22-jaen" / "seg_perturbed"
    confidence, right = [], []
    for gold_path in sorted(folder.glob("doc*.gold"))[:12]:
        stem = gold_path.with_suffix("")
        src = stem.with_suffix(".ja").read_text(encoding="utf-8").splitlines()
        tgt = stem.with_suffix(".en").read_text(encoding="utf-8").splitlines()
        gold = set(read_beads(gold_path))
        for bead in align_sentences(src, tgt, AlignConfig(src_lang="ja", tgt_lang="en")):
            confidence.append(bead.confidence)
            right.append((bead.src, bead.tgt) in gold)
    confidence_, right_ = np.array(confidence), np.array(right, dtype=float)
    sure = confidence_ >= 0.9
    assert sure.sum() >= 30 and right_[sure].mean() >= 0.95
    assert abs(confidence_.mean() - right_.mean()) <= 0.05
    assert (~sure).sum() >= 3 and right_[~sure].mean() < right_[sure].mean() - 0.1  # ranked


def test_a_bins_sampling_interval_holds_its_accuracy_and_narrows_with_beads() -> None:
    low, high = wilson_interval(34, 40)  # a 0.7-0.9 bin of a news set: 0.85 right
    assert low < 0.85 < high and high - low > 0.2  # such a bin cannot tell 0.80 from 0.90
    wide, narrow = wilson_interval(9, 10), wilson_interval(900, 1000)
    assert wide[0] < narrow[0] < 0.9 < narrow[1] < wide[1] and narrow[1] - narrow[0] < 0.04
    assert wilson_interval(10, 10)[1] == 1.0 and wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(0, 0) == (0.0, 1.0)  # an empty bin says nothing
