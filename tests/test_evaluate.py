"""Strict/lax P, R, F1 on hand-made cases (numbers checked by hand against vecalign's rules)."""

from __future__ import annotations

import pytest

from aligner.errors import InputError
from aligner.evaluate import (evaluate_alignments, evaluate_files, match_counts, parse_bead_line,
                               read_beads)

GOLD = [((0,), (0,)), ((1, 2), (1,)), ((3,), ()), ((4,), (2, 3))]


def test_perfect_alignment_scores_one() -> None:
    score = evaluate_alignments([GOLD], [GOLD])
    assert (score.strict.precision, score.strict.recall, score.strict.f1) == (1.0, 1.0, 1.0)
    assert score.lax.f1 == 1.0


def test_split_many_to_one_is_lax_but_not_strict() -> None:
    test = [((0,), (0,)), ((1,), (1,)), ((2,), ()), ((3,), ()), ((4,), (2, 3))]
    score = evaluate_alignments([GOLD], [test])
    # precision: 5 beads, strict hits [0]:[0], [3]:[], [4]:[2,3] -> 3/5;
    # lax: [1]:[1] overlaps gold [1,2]:[1] on both sides; [2]:[] cannot -> 4/5
    assert score.precision_counts.tp_strict == 3 and score.precision_counts.fp_strict == 2
    assert score.precision_counts.tp_lax == 4 and score.precision_counts.fp_lax == 1
    # recall over 3 non-null gold beads: strict 2/3, lax 3/3
    assert score.strict.recall == pytest.approx(2 / 3)
    assert score.lax.recall == 1.0
    assert score.strict.f1 == pytest.approx(2 * 0.6 * (2 / 3) / (0.6 + 2 / 3))


def test_null_beads_count_only_strictly() -> None:
    gold = [((0,), (0,)), ((1,), ())]
    test = [((0,), (0,)), ((), (0,)), ((1,), ())]
    counts = match_counts(gold, test)
    assert (counts.tp_strict, counts.fp_strict, counts.tp_lax, counts.fp_lax) == (2, 1, 2, 1)


def test_merged_many_to_many_bead() -> None:
    gold = [((0,), (0,)), ((1,), (1,))]
    test = [((0, 1), (0, 1))]
    score = evaluate_alignments([gold], [test])
    assert score.strict.precision == 0.0 and score.strict.recall == 0.0 and score.strict.f1 == 0.0
    assert score.lax.precision == 1.0 and score.lax.recall == 1.0


def test_duplicate_test_beads_are_counted_once() -> None:
    gold = [((0,), (0,)), ((1,), (1,))]
    test = [((0,), (0,)), ((0,), (0,)), ((1,), (0,))]
    score = evaluate_alignments([gold], [test])
    assert score.precision_counts.tp_strict == 1 and score.precision_counts.fp_strict == 1
    assert score.strict.precision == 0.5 and score.strict.recall == 0.5


def test_counts_are_summed_over_documents_before_dividing() -> None:
    doc_a = ([((0,), (0,))], [((0,), (0,))])
    doc_b = ([((0,), (0,)), ((1,), (1,)), ((2,), (2,))], [((0, 1, 2), (0, 1, 2))])
    score = evaluate_alignments([doc_a[0], doc_b[0]], [doc_a[1], doc_b[1]])
    assert score.strict.precision == 0.5       # (1 + 0) / (1 + 1), not the mean of 1 and 0
    assert score.strict.recall == 0.25         # 1 of 4 gold beads


def test_empty_test_gives_zero_not_an_error() -> None:
    score = evaluate_alignments([GOLD], [[]])
    assert score.strict.f1 == 0.0 and score.lax.f1 == 0.0


def test_parse_and_read(tmp_path) -> None:
    path = tmp_path / "a.gold"
    path.write_text("[0]:[0]\n\n[1, 2]:[]\n[]:[1]\n", encoding="utf-8")
    assert read_beads(path) == [((0,), (0,)), ((1, 2), ()), ((), (1,))]
    with pytest.raises(InputError, match="a.gold:2: not a bead line"):
        parse_bead_line("[0]-[1]", f"{path.name}:2")
    with pytest.raises(InputError) as error:
        parse_bead_line("[x]:[1]", "a.gold:3")
    assert str(error.value) == ("a.gold:3: not a bead line '[x]:[1]' ('[x]' is not a list of "
                                "indices); expected e.g. [3, 4]:[5]")


def test_mismatched_file_counts_are_an_error() -> None:
    with pytest.raises(InputError, match="1 gold documents but 2 test"):
        evaluate_alignments([GOLD], [GOLD, GOLD])


@pytest.mark.parametrize("line, problem", [
    ("[True]:[0]", "non-negative integers"),
    ("[1, 0]:[0]", "increase without repeats"),
    ("[0, 0]:[1]", "increase without repeats"),
])
def test_bead_lines_with_bad_indices_are_refused(line, problem):
    with pytest.raises(InputError, match=problem):
        parse_bead_line(line, "gold:1")


def test_a_gold_file_that_is_not_utf8_is_a_one_line_error(tmp_path):
    gold = tmp_path / "gold"
    gold.write_bytes(b"\xff\xfe\x00[0]:[0]\n\xc3")
    with pytest.raises(InputError, match="not UTF-8 text"):
        read_beads(gold)


def test_a_gold_file_without_beads_is_an_error_not_a_zero_score(tmp_path) -> None:
    gold, test = tmp_path / "a.gold", tmp_path / "a.test"
    gold.write_text("\n", encoding="utf-8")
    test.write_text("[0]:[0]\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"^{gold}: no beads in this gold file; nothing to "):
        evaluate_files([gold], [test])
    test.write_text("", encoding="utf-8")  # an empty system output against real gold: zeros
    gold.write_text("[0]:[0]\n", encoding="utf-8")
    assert evaluate_files([gold], [test]).strict.f1 == 0.0
