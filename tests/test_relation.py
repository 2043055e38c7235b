"""Relations between documents that are not translations: event evidence and the rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from test_pair import STRONG, UNRELATED, make_document

from aligner.errors import ConfigurationError
from aligner.pair import PairConfig, RelationRule
from aligner.pair.anchors import fold_name
from aligner.pair.core import Candidate, decide_pairs, find_candidates
from aligner.pair.relation import (date_agreement, event_facts, names_match,
                                   participant_overlap, resolve_dates)

WEDNESDAY = date(2022, 1, 5)


@pytest.mark.parametrize("text,published,expected", [
    ("Встреча состоялась 25 апреля.", date(2022, 4, 29), {"2022-04-25", "2022-04-29"}),
    ("The talks of December 30 went well.", WEDNESDAY, {"2021-12-30", "2022-01-05"}),
    ("He spoke on Monday.", WEDNESDAY, {"2022-01-03", "2022-01-05"}),
    ("Он выступил в понедельник.", WEDNESDAY, {"2022-01-03", "2022-01-05"}),
    ("Об этом стало известно вчера.", WEDNESDAY, {"2022-01-04", "2022-01-05"}),
    ("It happened on April 25, 2019.", WEDNESDAY, {"2019-04-25", "2022-01-05"}),
    ("Встреча состоялась 25 апреля.", None, {"--04-25"}),
    ("No date at all.", None, set()),
])
def test_dates_are_resolved_against_the_document_date(text, published, expected):
    assert resolve_dates(text, published) == expected


@pytest.mark.parametrize("src,tgt,expected", [
    ({"2022-04-25"}, {"2022-04-25", "2022-04-29"}, 1.0),
    ({"2022-04-25"}, {"--04-25"}, 1.0),
    ({"2022-04-25"}, {"2022-04-29"}, 0.5),
    ({"2022-04-25"}, {"2024-03-30"}, 0.0),
    ({"2022-04-25"}, {"--03-30"}, 0.0),
    ({"2022-04-25"}, set(), None),
])
def test_date_agreement(src, tgt, expected):
    assert date_agreement(frozenset(src), frozenset(tgt)) == expected


def test_the_document_date_comes_from_ingest_and_bad_dates_are_ignored():
    assert event_facts(["Он прибыл вчера."], "2022-04-29T11:38").dates == frozenset(
        {"2022-04-28", "2022-04-29"})
    assert event_facts(["Он прибыл вчера."], "not a date").dates == frozenset()


@pytest.mark.parametrize("russian,english,same", [
    ("Фэнхэ", "Fenghe", True), ("Токаевым", "Tokayev", True), ("Вэй", "Wei", True),
    ("Ливерпуле", "Liverpool", True), ("Китай", "China", False), ("Вэй", "Wang", False),
])
def test_names_match_across_scripts_and_case_endings(russian, english, same):
    assert names_match(fold_name(russian), fold_name(english)) is same


def test_participants_count_salient_names_only():
    ru = event_facts(["Президент Токаев принял Вэй Фэнхэ.", "Токаев и Вэй Фэнхэ говорили.",
                      "Упомянут и Пекин."], None)
    en = event_facts(["President Tokayev met Wei Fenghe.", "Then Tokayev and Wei Fenghe "
                      "spoke.", "Nothing else."], None)
    other = event_facts(["Глава МИД Ван И встретил Токаева.", "Потом Ван И уехал.",
                         "Ван И доволен."], None)
    assert participant_overlap(ru.names, en.names) == 1.0
    assert participant_overlap(ru.names, other.names) < 0.5


def test_rule_decides_from_the_evidence_with_its_basis():
    rule = RelationRule(related_embedding=0.4, event_sentences=0.2, event_participants=0.5,
                        event_sentences_named=0.05)
    base = replace(UNRELATED, embedding=0.6, sentences_src=0.3, sentences_tgt=0.25)
    same = rule.decide(replace(base, event_date=1.0))
    assert same.label == "same-event" and "shared sentences 0.25" in same.basis
    assert "same date" in same.basis
    assert rule.decide(replace(base, event_date=0.0)).label == "related"
    assert rule.decide(replace(base, embedding=0.3)).label is None
    few = replace(base, sentences_src=0.1, sentences_tgt=0.1)
    assert rule.decide(few).label == "related"
    assert rule.decide(replace(few, participants=0.6)).label == "same-event"


def test_rule_rejects_thresholds_out_of_range():
    with pytest.raises(ConfigurationError, match="event_sentences must lie in"):
        RelationRule(event_sentences=1.5)


def test_rule_thresholds_are_in_the_pairing_signature():
    options = PairConfig(relations=RelationRule(related_embedding=0.42)).options()
    assert options["relations.related_embedding"] == 0.42
    assert "relations.event_sentences" in options


def test_far_neighbours_are_kept_only_above_the_topic_bar_and_never_close():
    src = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)
    tgt = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.45, 0.0, 0.893]], dtype=np.float32)
    config = PairConfig(verify_window=0.2, relations=RelationRule(related_embedding=0.5))
    found = {(c.src, c.tgt): c.close for c in find_candidates(src, tgt, config)}
    # source 0 and target 1 (cosine 0.6) lie outside the window of both documents' best
    # (1.0) but above the topic bar; source 0 and target 2 (0.45) lie below both
    assert found[(0, 0)] is True and found[(1, 1)] is True
    assert found[(0, 1)] is False and found[(1, 0)] is False
    assert (0, 2) not in found


def test_a_far_candidate_is_never_parallel():
    src = [make_document("r1", "ru", ["x"])]
    tgt = [make_document("e1", "en", ["x"])]
    pairs = decide_pairs([(Candidate(0, 0, 0.9, 0.4, close=False), STRONG)], src, tgt,
                         PairConfig())
    assert [(p.label, p.basis.startswith("shared sentences")) for p in pairs] == [
        ("same-event", True)]


def test_further_neighbours_count_for_relations_only():
    src = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32)
    tgt = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.6, 0.8, 0.0]], dtype=np.float32)
    relations = RelationRule(related_embedding=0.5)
    narrow = PairConfig(neighbours=1, relation_neighbours=1, relations=relations)
    wide = PairConfig(neighbours=1, relation_neighbours=2, relations=relations)
    few = {(c.src, c.tgt): c for c in find_candidates(src, tgt, narrow)}
    more = {(c.src, c.tgt): c for c in find_candidates(src, tgt, wide)}
    # target 2 is source 0's second neighbour (cosine 0.6): a candidate for a relation only
    assert (0, 2) not in few and more[(0, 2)].close is False
    # the translation candidates and their margins do not change
    assert {key for key, c in more.items() if c.close} == set(few)
    assert all(more[key].margin == few[key].margin for key in few)
