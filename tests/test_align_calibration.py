"""Signals that calibrate to the document in hand, and calibrated bead confidence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from align_cases import EN, GOLD, MT, RU

from aligner.alignment import AlignConfig, align_sentences
from aligner.alignment.core import confidences, confident_pairs
from aligner.evaluate import read_beads
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


def test_confidence_grows_with_evidence() -> None:
    evidence = np.linspace(-0.3, 0.9, 25)
    pair, _ = confidences(evidence, np.full(25, 2), 0.0, 0)
    assert np.all(np.diff(pair) > 0) and pair[0] < 0.3 and pair[-1] > 0.9


def test_confident_beads_on_dev_documents_are_right(shared_dir: Path) -> None:
    folder = shared_dir / "data" / "wmt22-jaen" / "seg_perturbed"
    confident = right = 0
    for gold_path in sorted(folder.glob("doc*.gold"))[:12]:
        stem = gold_path.with_suffix("")
        src = stem.with_suffix(".ja").read_text(encoding="utf-8").splitlines()
        tgt = stem.with_suffix(".en").read_text(encoding="utf-8").splitlines()
        gold = set(read_beads(gold_path))
        for bead in align_sentences(src, tgt, AlignConfig(src_lang="ja", tgt_lang="en")):
            if bead.confidence >= 0.9:
                confident += 1
                right += (bead.src, bead.tgt) in gold
    assert confident >= 30 and right / confident >= 0.9
