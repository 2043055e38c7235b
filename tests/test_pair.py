"""Document pairing: anchors, neighbour search, screening, assignment, and the seeds end to end."""

from __future__ import annotations

import multiprocessing
import random
from collections import Counter
from dataclasses import replace
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from aligner.errors import ConfigurationError
from aligner.pair import PairConfig, PairingResult, pair_documents
from aligner.pair.anchors import (dice, document_anchors, extract_dates, extract_numbers,
                                  fold_name)
from aligner.pair.core import Candidate, decide_pairs, find_candidates
from aligner.pair.evidence import parallel_confidence, relatedness
from aligner.pair.screen import screen_documents
from aligner.pair.search import nearest_neighbours, pooled_vector
from aligner.records import Document, PairEvidence, Paragraph, Sentence

SEED_PARALLEL = ("000_63edd8b27567c1c6", "002_1775d5543770e237")


def make_document(doc_id: str, lang: str, sentences: list[str]) -> Document:
    """A document of one paragraph per sentence, built without the ingest stage."""
    text = "\n\n".join(sentences)
    records, offset = [], 0
    for index, sentence in enumerate(sentences):
        records.append(Sentence(sentence, index, offset, offset + len(sentence)))
        offset += len(sentence) + 2
    return Document(id=doc_id, path=f"{doc_id}.txt", lang=lang, encoding="utf-8",
                    paragraphs=tuple(Paragraph(s) for s in sentences),
                    sentences=tuple(records), clean_text=text)


# --- anchors -------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("25 апреля 2022 года", {"04-25"}),
    ("on April 25, 2022", {"04-25"}),
    ("the 3rd of May", {"05-03"}),
    ("29.04.2022, 11:38", {"04-29"}),
    ("date 2022-04-25", {"04-25"}),
    ("в 5 машинах и 7 марках", set()),
    ("may 40", set()),
])
def test_dates_in_both_languages(text, expected):
    assert extract_dates(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("1 000 000 рублей", {"1000000"}), ("1,000,000 roubles", {"1000000"}),
    ("4,82 тенге", {"4.82"}), ("4.82 tenge", {"4.82"}), ("30-ю годовщину", {"30"}),
])
def test_numbers_normalised_across_conventions(text, expected):
    assert extract_numbers(text) == expected


@pytest.mark.parametrize("russian,english", [
    ("Токаев", "Tokayev"), ("Казахстан", "Kazakhstan"), ("Щукин", "Shchukin"),
    ("Вашингтон", "Washington"), ("Цюрих", "Tsyurikh"),
])
def test_names_fold_to_one_spelling(russian, english):
    assert fold_name(russian) == fold_name(english)


def test_anchor_agreement_separates_translation_from_other_text():
    ru = document_anchors(["Касым-Жомарт Токаев принял Вэй Фэнхэ 25 апреля 2022 года.",
                           "Стороны обсудили 30-летие отношений."])
    en = document_anchors(["Kassym-Jomart Tokayev received Wei Fenghe on April 25, 2022.",
                           "The sides discussed the 30th anniversary of relations."])
    other = document_anchors(["Wang Yi met Murat Nurtleu in Beijing on March 30.",
                              "China supports Kazakhstan, the minister said."])
    assert dice(ru.dates, en.dates) == 1.0 and dice(ru.numbers, en.numbers) == 1.0
    assert dice(ru.names, en.names) > 0.5 > dice(ru.names, other.names)
    assert dice(ru.dates, other.dates) == 0.0


def test_anchor_kind_absent_on_both_sides_is_left_out():
    plain_ru, plain_en = document_anchors(["просто текст"]), document_anchors(["just text"])
    assert dice(plain_ru.numbers, plain_en.numbers) is None
    assert dice(plain_ru.dates, plain_en.dates) is None


# --- vectors and search --------------------------------------------------------------------

def test_pooled_vector_is_order_aware_and_unit_length():
    rng = np.random.default_rng(0)
    sentences = rng.normal(size=(6, 16)).astype(np.float32)
    forward, backward = pooled_vector(sentences), pooled_vector(sentences[::-1])
    assert np.isclose(np.linalg.norm(forward), 1.0)
    assert float(forward @ forward) == pytest.approx(1.0)
    assert float(forward @ backward) < 0.95


@pytest.mark.parametrize("block", [1, 3, 1024])
def test_blocked_search_equals_brute_force(block):
    rng = np.random.default_rng(1)
    queries = rng.normal(size=(11, 8)).astype(np.float32)
    base = rng.normal(size=(7, 8)).astype(np.float32)
    found = nearest_neighbours(queries, base, k=3, block=block)
    brute = np.argsort(-(queries @ base.T), axis=1, kind="stable")[:, :3]
    assert found.indices.tolist() == brute.tolist()
    assert np.all(np.diff(found.scores, axis=1) <= 0)


def test_search_pads_when_base_is_smaller_than_k():
    found = nearest_neighbours(np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32), k=4)
    assert found.indices[:, 2:].tolist() == [[-1, -1], [-1, -1]]
    assert found.mean_score().tolist() == [0.5, 0.5]


def test_candidates_come_from_both_directions_within_the_window():
    src = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    tgt = np.array([[0.96, 0.28], [0.6, 0.8], [-1.0, 0.0]], dtype=np.float32)
    candidates = find_candidates(src, tgt, PairConfig(neighbours=2, verify_window=0.2))
    pairs = {(c.src, c.tgt) for c in candidates}
    # src 0 -> tgt 0 (0.96); src 1 -> tgt 1 (0.8); tgt 2 is opposite to everything
    assert (0, 0) in pairs and (1, 1) in pairs
    assert all(c.tgt != 2 for c in candidates)


def hub_collection(spokes: int = 30, dim: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Target 0 (the hub) near every source; source 0 is its translation, source i > 0 has
    target i as its translation, closer to it than the hub (cosine about 0.89)."""
    rng = np.random.default_rng(3)
    hub = np.eye(dim)[0]
    src = np.stack([hub] + [hub + 0.5 * np.eye(dim)[i] for i in range(1, spokes + 1)])
    tgt = src + 0.01 * rng.standard_normal(src.shape)
    unit = [rows / np.linalg.norm(rows, axis=1, keepdims=True) for rows in (src, tgt)]
    return unit[0].astype(np.float32), unit[1].astype(np.float32)


def test_a_hub_takes_part_in_at_most_max_candidates_and_keeps_its_partner():
    src, tgt = hub_collection()
    unbounded = find_candidates(src, tgt, PairConfig(max_candidates=100))
    assert sum(c.tgt == 0 and c.close for c in unbounded) == 31  # every source finds the hub
    bounded = find_candidates(src, tgt, PairConfig(max_candidates=4))
    for side in ("src", "tgt"):
        counts = Counter(getattr(c, side) for c in bounded)
        assert max(counts.values()) <= 4
    assert sum(c.tgt == 0 for c in bounded) == 4
    pairs = {(c.src, c.tgt) for c in bounded if c.close}
    assert {(i, i) for i in range(31)} <= pairs  # every translation still found


def test_the_bound_keeps_the_best_margins_and_changes_nothing_below_it():
    src, tgt = hub_collection()
    unbounded = find_candidates(src, tgt, PairConfig(max_candidates=100))
    assert find_candidates(src, tgt, PairConfig(max_candidates=32)) == unbounded
    kept = [c for c in find_candidates(src, tgt, PairConfig(max_candidates=4)) if c.tgt == 0]
    spokes = sorted((c for c in unbounded if c.tgt == 0 and c.src > 0),
                    key=lambda c: -c.margin)
    assert [c.src for c in kept if c.src > 0] == sorted(c.src for c in spokes[:3])


# --- screening -----------------------------------------------------------------------------

def test_screening_sets_aside_other_languages_empty_and_duplicates():
    documents = [make_document("b", "ru", ["Один.", "Два."]),
                 make_document("a", "ru", ["Один.", "Два."]),
                 make_document("c", "de", ["Eins."]),
                 make_document("d", "en", ["One."]),
                 Document(id="e", path="e.txt", lang="en", encoding="utf-8", paragraphs=(),
                          sentences=(), clean_text="")]
    screened = screen_documents(documents, "ru", "en")
    assert [doc.id for doc in screened.src] == ["a"]
    assert [doc.id for doc in screened.tgt] == ["d"]
    reasons = dict(screened.set_aside)
    assert reasons["b"] == "same text as a"
    assert "'de' is neither 'ru' nor 'en'" in reasons["c"]
    assert reasons["e"] == "no body sentence to compare"


# --- evidence and assignment ---------------------------------------------------------------

STRONG = PairEvidence(coverage_src=1.0, coverage_tgt=1.0, aligned=True, embedding=0.85,
                      margin=0.45, length=0.9, names=0.6, numbers=1.0, sentences_src=1.0,
                      sentences_tgt=1.0)
SAME_EVENT = PairEvidence(coverage_src=0.25, coverage_tgt=0.3, aligned=True, embedding=0.7,
                          margin=0.05, length=0.6, names=0.45, numbers=0.5, sentences_src=0.3,
                          sentences_tgt=0.25)
UNRELATED = PairEvidence(coverage_src=0.0, coverage_tgt=0.0, aligned=True, embedding=0.2,
                         margin=0.0, length=0.4, names=0.05, sentences_src=0.0,
                         sentences_tgt=0.0)


def test_confidence_orders_translation_same_event_and_unrelated():
    assert parallel_confidence(STRONG) > 0.9
    assert parallel_confidence(SAME_EVENT) < 0.1
    assert relatedness(SAME_EVENT) > 0.5 > relatedness(UNRELATED)


def test_mt_evidence_moves_the_confidence():
    borderline = replace(STRONG, coverage_src=0.7, coverage_tgt=0.7)
    assert (parallel_confidence(replace(borderline, mt_chrf=0.6))
            > parallel_confidence(borderline)
            > parallel_confidence(replace(borderline, mt_chrf=0.1)))


def test_greedy_assignment_is_one_to_one_and_best_first():
    src = [make_document("r1", "ru", ["x"]), make_document("r2", "ru", ["y"])]
    tgt = [make_document("e1", "en", ["x"]), make_document("e2", "en", ["y"])]
    weaker = replace(STRONG, coverage_src=0.8, coverage_tgt=0.8)
    scored = [(Candidate(0, 0, 0.9, 0.4), STRONG), (Candidate(1, 0, 0.8, 0.3), weaker),
              (Candidate(1, 1, 0.2, 0.0), UNRELATED)]
    pairs = decide_pairs(scored, src, tgt, PairConfig())
    labels = {(p.src_id, p.tgt_id): p.label for p in pairs}
    assert labels[("r1", "e1")] == "parallel"
    # r2 also looks like a translation of e1, but e1 is taken: it says the same things
    assert labels[("r2", "e1")] == "same-event"
    assert ("r2", "e2") not in labels
    assert all(0.0 <= p.confidence <= 1.0 for p in pairs)
    assert {"p_parallel", "p_related", "coverage_src"} <= dict(pairs[0].evidence.items()).keys()


@pytest.mark.parametrize("options,message", [
    ({"neighbours": 0}, "neighbours must be at least 1"),
    ({"max_candidates": 0}, "max_candidates must be at least 1"),
    ({"parallel_threshold": 1.5}, "parallel_threshold must lie in"),
])
def test_config_rejects_bad_values(options, message):
    with pytest.raises(ConfigurationError, match=message):
        PairConfig(**options)


def test_same_source_and_target_language_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="both 'ru'"):
        pair_documents([], "ru", "ru")


# --- bad collections (no encoder needed: nothing to pair) ----------------------------------

def test_one_language_only_gives_a_warning_and_everything_unpaired():
    documents = [make_document("a", "ru", ["Один."]), make_document("b", "ru", ["Два."])]
    result = pair_documents(documents)
    assert result.pairs == [] and result.unpaired == ["a", "b"]
    assert "no English ('en') documents among the 2 given" in result.warnings[-1]


def test_single_document_gives_a_warning():
    result = pair_documents([make_document("a", "en", ["One."])])
    assert result.unpaired == ["a"]
    assert "no Russian ('ru') documents" in result.warnings[-1]


# --- end to end: seeds and determinism -----------------------------------------------------

@pytest.fixture(scope="module")
def seed_documents(tmp_path_factory: pytest.TempPathFactory) -> list[Document]:
    from aligner.ingest import ingest_paths

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    return ingest_paths([corpus]).documents


@pytest.fixture(scope="module")
def seed_result(seed_documents, tmp_path_factory: pytest.TempPathFactory) -> PairingResult:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ALIGNER_CACHE_DIR", str(tmp_path_factory.mktemp("seed-cache")))
        return pair_documents(seed_documents)


def test_seeds_have_exactly_one_parallel_pair(seed_result):
    parallel = [(p.src_id, p.tgt_id) for p in seed_result.parallel]
    assert parallel == [SEED_PARALLEL]
    assert seed_result.parallel[0].confidence > 0.5


def test_seeds_have_their_three_relations(seed_result):
    labels = {(p.src_id[:3], p.tgt_id[:3]): p.label for p in seed_result.pairs}
    assert labels == {("000", "002"): "parallel", ("001", "002"): "same-event",
                      ("003", "002"): "related", ("004", "002"): "related"}
    assert {doc[:3] for doc in seed_result.unpaired} == {"001", "003", "004"}


def test_seed_relations_show_the_evidence_that_decided_them(seed_result):
    pairs = {p.src_id[:3]: p for p in seed_result.pairs}
    # 001 is RT's report of the meeting on 25 April: the same date, sentences that agree
    assert pairs["001"].evidence.event_date == 1.0
    assert min(pairs["001"].evidence.sentences_src, pairs["001"].evidence.sentences_tgt) \
        >= 0.2
    assert "same date" in pairs["001"].basis
    # 003 (March 2024 in Beijing) is another meeting: its dates disagree
    assert pairs["003"].evidence.event_date == 0.0 and "dates differ" in pairs["003"].basis
    # 004 (Tokayev receives Wang Yi) shares the topic and Tokayev, not the event
    assert pairs["004"].evidence.participants < pairs["001"].evidence.participants
    assert pairs["004"].evidence.sentences_src == 0.0


def test_seed_evidence_is_complete_and_in_range(seed_result):
    evidence = seed_result.parallel[0].evidence
    for key in ("coverage_src", "coverage_tgt", "length", "embedding", "margin", "names",
                "p_parallel", "p_related"):
        assert 0.0 <= getattr(evidence, key) <= 1.0, key
    assert evidence.coverage_src > 0.8 and evidence.coverage_tgt > 0.8


def test_pairing_is_deterministic_whatever_the_input_order(seed_documents, seed_result):
    shuffled = list(seed_documents)
    random.Random(7).shuffle(shuffled)
    again = pair_documents(shuffled)
    assert again.to_json() == seed_result.to_json()


def test_verification_on_a_process_pool_gives_the_same_result(seed_documents, seed_result):
    tasks_run = []

    def pool_map(function, tasks):
        tasks = list(tasks)
        tasks_run.extend(tasks)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
            return list(pool.map(function, tasks))

    result = pair_documents(seed_documents, map_tasks=pool_map)
    assert result.to_json() == seed_result.to_json()
    assert len(tasks_run) >= 2  # one task per source document with candidates
    assert result.parallel[0].evidence.aligned == 1.0  # a real alignment ran in a worker


def test_verification_in_this_process_prepares_its_documents_together(seed_documents, seed_result,
                                                                      monkeypatch):
    import aligner.pair.core as pair_core

    prepared = []

    def spy(sides, config):
        prepared.append([tuple(side) for side in sides])
        real_prepare(sides, config)

    real_prepare = pair_core.prepare_documents
    monkeypatch.setattr(pair_core, "prepare_documents", spy)
    result = pair_documents(seed_documents)
    assert result.to_json() == seed_result.to_json()
    by_id = {document.id: tuple(document.sentence_texts) for document in seed_documents}
    windows = [window for window in prepared if window]
    assert len(windows) == 1  # a few short documents: one window
    assert {by_id[doc_id] for doc_id in SEED_PARALLEL} <= set(windows[0])


def test_duplicate_document_is_set_aside_and_the_pair_kept(seed_documents):
    original = next(doc for doc in seed_documents if doc.id == SEED_PARALLEL[1])
    copy = Document.from_json({**original.to_json(), "id": "zz_copy"})
    result = pair_documents([*seed_documents, copy])
    assert [(p.src_id, p.tgt_id) for p in result.parallel] == [SEED_PARALLEL]
    assert ("zz_copy", f"same text as {SEED_PARALLEL[1]}") in result.set_aside
    assert "zz_copy" in result.unpaired


def test_result_json_carries_signature(seed_result):
    data = seed_result.to_json()
    assert data["signature"]["stage"] == "pair"
    assert data["signature"]["src_lang"] == "ru"
    assert data["pairs"][0]["label"] == "parallel"


def test_given_translations_add_mt_evidence(seed_documents):
    by_id = {doc.id: doc for doc in seed_documents}
    ru, en = (by_id[doc_id] for doc_id in SEED_PARALLEL)
    # A stand-in MT of the Russian body: its English version, padded to one line per sentence.
    lines = (en.sentence_texts * 2)[:len(ru.sentences)]
    result = pair_documents([ru, en], translations={ru.id: lines})
    assert result.parallel[0].evidence.mt_chrf > 0.5
    assert result.signature["mt"] == "given"


def test_translation_with_wrong_line_count_names_the_document(seed_documents):
    from aligner.errors import InputError

    ru = next(doc for doc in seed_documents if doc.id == SEED_PARALLEL[0])
    en = next(doc for doc in seed_documents if doc.id == SEED_PARALLEL[1])
    with pytest.raises(InputError, match=f"{ru.id}: the translation has 1 lines for"):
        pair_documents([ru, en], translations={ru.id: ["one line"]})


def test_wmt22_documents_pair_with_partners_removed(shared_dir):
    from aligner.ingest import document_from_lines

    folder = shared_dir / "data" / "wmt22-ruen" / "split_perturbed"
    names = sorted(path.stem for path in folder.glob("doc*.ru"))[40:54]
    documents, gold = [], set()
    for number, name in enumerate(names):
        sides = {lang: (folder / f"{name}.{lang}").read_text(encoding="utf-8").splitlines()
                 for lang in ("ru", "en")}
        # ids that do not reveal the partner: English numbered backwards
        ru_id, en_id = f"r{number:02d}", f"e{len(names) - number:02d}"
        if number % 5 != 1:
            documents.append(document_from_lines(ru_id, f"{ru_id}.txt", sides["ru"], "ru"))
        if number % 5 != 2:
            documents.append(document_from_lines(en_id, f"{en_id}.txt", sides["en"], "en"))
        if number % 5 not in (1, 2):
            gold.add((ru_id, en_id))
    result = pair_documents(documents)
    assert {(p.src_id, p.tgt_id) for p in result.parallel} == gold
    unpaired = {doc.id for doc in documents} - {i for pair in gold for i in pair}
    assert set(result.unpaired) == unpaired


def test_translator_adds_mt_evidence_and_signature(seed_documents, tmp_path, monkeypatch):
    from argos_fixture import TEST_MAX_LENGTH, no_network, tiny_package_archive, use_package_dir

    from aligner.mt import install_model, load_translator

    use_package_dir(monkeypatch, tmp_path / "argos")
    install_model(tiny_package_archive())
    translator = load_translator("ru", "en", max_decoding_length=TEST_MAX_LENGTH)
    with no_network():
        result = pair_documents(seed_documents, translator=translator)
    # the tiny model has random weights: its output is gibberish, so chrF is low, but the
    # other evidence still carries the true pair
    assert [(p.src_id, p.tgt_id) for p in result.parallel] == [SEED_PARALLEL]
    assert 0.0 <= result.parallel[0].evidence.mt_chrf < 0.3
    assert result.signature["mt"] == translator.model_id
