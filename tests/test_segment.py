"""Sentence splitting: labelled ru/en cases, offsets, other languages, the seed texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aligner.segment import (model_language, punkt_tokenizer, split_dateline, split_sentences,
                             splitter_signature)

CASES = json.loads((Path(__file__).parent / "cases" / "ru_en_split.json").read_text("utf-8"))


def _case_params() -> list[pytest.param]:
    params = []
    for case in CASES["cases"]:
        marks = [pytest.mark.xfail(reason=case.get("comment", "known failure"), strict=True)] \
            if case["expect"] == "fail" else []
        params.append(pytest.param(case, id=case["label"], marks=marks))
    return params


def _sentences(text: str, lang: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text, lang)]


@pytest.mark.parametrize("case", _case_params())
def test_labelled_case(case: dict) -> None:
    assert _sentences(case["text"], case["lang"]) == case["sentences"]


def test_cases_cover_both_languages_and_known_failures() -> None:
    langs = {case["lang"] for case in CASES["cases"]}
    expects = {case["expect"] for case in CASES["cases"]}
    assert langs == {"ru", "en"} and expects == {"pass", "fail"}


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


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=_ALPHABET, max_size=300), lang=st.sampled_from(["ru", "en", "de"]))
def test_spans_are_ordered_trimmed_and_lose_no_text(text: str, lang: str) -> None:
    spans = split_sentences(text, lang)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert not text[previous_end:start].strip()  # only whitespace between sentences
        previous_end = end
    assert not text[previous_end:].strip()
