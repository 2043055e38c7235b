"""The continuation signal: beads end where both sides' sentences end alike."""

from __future__ import annotations

import numpy as np

from aligner.alignment import AlignConfig, align_sentences
from aligner.signals.continuation import ContinuationScorer, open_ends


def test_lines_ending_in_colon_semicolon_or_comma_go_on() -> None:
    lines = ["Die Mannschaft :", "a ) la réfraction ;", "Nous suivîmes la piste ,", "Fin .",
             "Dernier :"]
    assert open_ends(lines).tolist() == [0.0, 1.0, 1.0, 1.0, 0.0, 0.0]


def test_only_a_bead_ending_mid_sentence_on_one_side_pays() -> None:
    scorer = ContinuationScorer(["Er sagte :", "Wir gehen .", "Ende ."],
                                ["Il dit :", "Nous partons ;", "ensemble .", "Fin ."])
    rows, cols = np.array([1, 2, 2]), np.array([1, 2, 3])
    assert scorer.score(1, 1, rows, cols).tolist() == [0.0, -1.0, 0.0]


def test_a_bead_is_not_cut_after_a_semicolon_that_length_alone_would_cut() -> None:
    # a third pair, so that one bead of the whole document is not the only perfect length
    # match (the length ratio is the document's own, and its spread relative to its sentences)
    src = ["a" * 100 + " .", "b" * 100 + " .", "f" * 100 + " ."]
    tgt = ["c" * 94 + " ;", "d" * 10 + " .", "e" * 88 + " .", "g" * 100 + " ."]

    def beads(*signals: str) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        return [(b.src, b.tgt) for b in align_sentences(src, tgt, AlignConfig(signals=signals))]

    assert beads("length") == [((0,), (0,)), ((1,), (1, 2)), ((2,), (3,))]
    assert beads("length", "continuation") == [((0,), (0, 1)), ((1,), (2,)), ((2,), (3,))]
