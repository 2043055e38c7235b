"""The review's edit model and realignment, without HTTP: every edit, its refusals, history."""

from __future__ import annotations

import pytest

from aligner.errors import EditError, StaleEditError
from aligner.records import Alignment, Bead, BeadScore
from aligner.review import model
from aligner.review.model import CONFIRMED, EDITED, MACHINE, PairReview, PairSession
from aligner.review.realign import machine_runs, realign
from aligner.review.store import review_from_records, review_records

SRC = ("Один.", "Два.", "Три.", "Четыре.", "Пять.")
TGT = ("One.", "Two.", "Three.", "Four.", "Five.")


def review_of(*beads: tuple[tuple[int, ...], tuple[int, ...], float]) -> PairReview:
    alignment = Alignment("ru", "en", "ru", "en", SRC, TGT,
                          tuple(Bead(src, tgt, confidence, {"total": 0.1})
                                for src, tgt, confidence in beads))
    scores = [BeadScore(50.0, 20.0, "mt") for _ in beads]
    return PairReview.from_machine("ru__en", alignment, scores,
                                   [confidence < 0.5 for _, _, confidence in beads])


def diagonal() -> PairReview:
    return review_of(*[((i,), (i,), 0.9 - 0.1 * i) for i in range(5)])


def shape(review: PairReview) -> list[tuple[list[int], list[int]]]:
    return [(list(bead.src), list(bead.tgt)) for bead in review.beads]


def test_confirm_fixes_a_bead_and_the_estimate_drops_by_its_doubt():
    review = diagonal()
    confirmed = model.confirm(review, 4)
    assert confirmed.status[4] == CONFIRMED and confirmed.beads == review.beads
    assert confirmed.expected_wrong() == pytest.approx(review.expected_wrong() - 0.5)
    assert confirmed.changes == {"confirm": 1}
    assert model.unconfirm(confirmed, 4).status[4] == MACHINE
    with pytest.raises(EditError, match="already confirmed"):
        model.confirm(confirmed, 4)
    with pytest.raises(EditError, match="not confirmed"):
        model.unconfirm(review, 0)


def test_merge_up_and_down():
    assert shape(model.merge(diagonal(), 1, "down"))[1] == ([1, 2], [1, 2])
    merged = model.merge(diagonal(), 1, "up")
    assert shape(merged)[:2] == [([0, 1], [0, 1]), ([2], [2])]
    assert merged.status[:2] == (EDITED, MACHINE) and merged.mt[0] is None
    assert merged.beads[0].confidence == 1.0 and merged.changes == {"merge": 1}
    with pytest.raises(EditError, match="no bead up"):
        model.merge(diagonal(), 0, "up")
    with pytest.raises(EditError, match="no bead down"):
        model.merge(diagonal(), 4, "down")
    with pytest.raises(EditError, match="direction"):
        model.merge(diagonal(), 1, "left")


def test_split_cuts_each_side_where_asked():
    review = review_of(((0, 1), (0,), 0.3), ((2,), (1, 2), 0.8), ((3, 4), (3, 4), 0.9))
    assert shape(model.split(review, 2, 1, 1))[2:] == [([3], [3]), ([4], [4])]
    assert shape(model.split(review, 0, 1, 1))[:2] == [([0], [0]), ([1], [])]
    assert shape(model.split(review, 1, 0, 1))[1:3] == [([], [1]), ([2], [2])]
    for src_at, tgt_at, message in ((0, 0, "without sentences"), (2, 2, "without sentences"),
                                    (3, 1, "src_at 3"), (1, -1, "tgt_at -1"),
                                    ("1", 1, "src_at '1'")):
        with pytest.raises(EditError, match=message):
            model.split(review, 2, src_at, tgt_at)


def test_move_gives_a_sentence_to_the_neighbour_and_leaves_the_donor_unvouched():
    shifted = review_of(((0,), (), 0.4), ((1,), (0,), 0.1), ((2,), (1,), 0.3),
                        ((3,), (2,), 0.3), ((4,), (3, 4), 0.9))
    moved = model.move(shifted, 1, "tgt", 0, "up")
    assert shape(moved)[:2] == [([0], [0]), ([1], [])]
    assert moved.status[:2] == (EDITED, MACHINE)
    assert moved.beads[1].confidence == 0.0 and moved.doubtful[1]
    down = model.move(review_of(*[((i,), (i,), 0.9) for i in range(5)]), 3, "src", 3, "down")
    assert shape(down)[3:] == [([], [3]), ([3, 4], [4])]
    with pytest.raises(EditError, match="not in bead 1"):
        model.move(shifted, 1, "tgt", 3, "up")
    with pytest.raises(EditError, match="only the last"):
        model.move(review_of(((0, 1), (0, 1), 0.5), ((2, 3, 4), (2, 3, 4), 0.5)), 0, "src", 0,
                   "down")
    with pytest.raises(EditError, match="no bead up"):
        model.move(shifted, 0, "src", 0, "up")
    with pytest.raises(EditError, match="side must be"):
        model.move(shifted, 1, "left", 0, "up")


def test_a_moved_sentence_that_empties_its_bead_removes_it():
    review = review_of(((0,), (0,), 0.9), ((), (1,), 0.2), ((1, 2, 3, 4), (2, 3, 4), 0.9))
    assert shape(model.move(review, 1, "tgt", 1, "up"))[:2] == [([0], [0, 1]),
                                                                ([1, 2, 3, 4], [2, 3, 4])]


def test_untranslated_sentences_leave_as_null_beads():
    review = review_of(((0, 1), (0,), 0.3), ((2,), (1,), 0.8), ((3, 4), (2, 3, 4), 0.9))
    assert shape(model.untranslated(review, 0, "src", 1))[:2] == [([0], [0]), ([1], [])]
    assert shape(model.untranslated(review, 0, "src", 0))[:2] == [([0], []), ([1], [0])]
    assert shape(model.untranslated(review, 1, "tgt", 1))[1:3] == [([], [1]), ([2], [])]
    with pytest.raises(EditError, match="split the bead first"):
        model.untranslated(review, 2, "tgt", 3)
    nulled = model.untranslated(review, 1, "src", 2)
    with pytest.raises(EditError, match="already untranslated"):
        model.untranslated(nulled, 1, "src", 2)


def test_text_edits_change_one_sentence_and_drop_its_stale_mt_score():
    edited = model.edit_text(diagonal(), "tgt", 2, "  Three,\n fixed. ")
    assert edited.alignment.tgt_sentences[2] == "Three, fixed."
    assert edited.status[2] == EDITED and edited.mt[2] is None and edited.mt[1] is not None
    for side, sentence, text, message in (("tgt", 5, "x", "does not exist"),
                                          ("src", 0, "   ", "is empty"),
                                          ("src", 0, "x" * 5000, "longer than"),
                                          ("middle", 0, "x", "side must be")):
        with pytest.raises(EditError, match=message):
            model.edit_text(diagonal(), side, sentence, text)


@pytest.mark.parametrize("index", [-1, 5, "2", True, None])
def test_bead_indices_out_of_range_are_refused(index):
    with pytest.raises(EditError, match="does not exist"):
        model.confirm(diagonal(), index)


def test_history_undoes_and_redoes_with_a_version_counter():
    session = PairSession(diagonal())
    session.apply(0, model.confirm(session.current, 1))
    session.apply(1, model.merge(session.current, 2, "down"))
    assert session.version == 2 and session.dirty
    assert len(session.undo(2).beads) == 5
    assert session.undo(3).status[1] == MACHINE and not session.dirty
    assert session.redo(4).status[1] == CONFIRMED
    with pytest.raises(StaleEditError, match="version 4 but the pair is at version 5"):
        session.apply(4, session.current)
    session.apply(5, model.confirm(session.current, 0))
    with pytest.raises(EditError, match="nothing to redo"):
        session.redo(6)
    session.mark_saved()
    assert not session.dirty


def test_machine_runs():
    assert machine_runs([CONFIRMED, MACHINE, MACHINE, EDITED, MACHINE]) == [(1, 3), (4, 5)]
    assert machine_runs([]) == []


class CountingAligner:
    """A diagonal aligner (1-1 beads, the longer side's rest as null beads) that records
    what it was asked to align: enough to test which sentences get realigned."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], list[str]]] = []

    def __call__(self, src, tgt, config=None):
        self.calls.append((list(src), list(tgt)))
        pairs = min(len(src), len(tgt))
        beads = [Bead((i,), (i,), 0.7) for i in range(pairs)]
        beads += [Bead((i,), (), 0.98) for i in range(pairs, len(src))]
        return beads + [Bead((), (j,), 0.98) for j in range(pairs, len(tgt))]


def test_realign_redoes_only_machine_beads_next_to_a_fixed_one():
    shifted = review_of(((0,), (), 0.4), ((1,), (0,), 0.1), ((2,), (1,), 0.3),
                        ((3,), (2,), 0.3), ((4,), (3, 4), 0.9))
    fixed = model.move(shifted, 1, "tgt", 0, "up")
    aligner = CountingAligner()
    redone = realign(fixed, aligner=aligner)
    assert aligner.calls == [(list(SRC[1:]), list(TGT[1:]))]
    assert shape(redone) == [([i], [i]) for i in range(5)]
    assert redone.status == (EDITED,) + (MACHINE,) * 4
    assert redone.changes == {"move": 1, "realign": 1}
    untouched = diagonal()
    assert realign(untouched, aligner=aligner) is untouched  # nothing fixed: nothing to redo
    assert len(aligner.calls) == 1


def test_realign_windows_grow_until_they_agree_with_the_machine():
    sentences = tuple(f"S{i}." for i in range(60))
    alignment = Alignment("a", "b", "ru", "en", sentences, sentences,
                          tuple(Bead((i,), (i,), 0.9) for i in range(60)))
    review = model.confirm(PairReview.from_machine("a__b", alignment), 30)
    aligner = CountingAligner()
    redone = realign(review, aligner=aligner, window=4)
    # agreement at the far edge after the first window on each side: two short calls
    assert [len(src) for src, _ in aligner.calls] == [4, 4]
    assert redone is review  # nothing differed


def test_a_review_reads_back_from_its_records():
    review = model.split(model.confirm(review_of(((0, 1), (0, 1), 0.3), ((2, 3, 4), (2, 3, 4),
                                                                            0.9)), 1), 0, 1, 1)
    records = list(review_records(review, {"machine_fingerprint": "abc"}))
    assert records[0]["changes"] == {"confirm": 1, "split": 1}
    assert review_from_records("ru__en", records) == review
