"""Ingestion: seeds (chrome, titles, dates, sentences), encodings, mojibake, HTML, bad input."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aligner.errors import InputError, UnsupportedLanguageError
from aligner.ingest import document_from_lines, document_from_text, ingest_paths, read_document
from aligner.ingest.chrome import classify_paragraphs
from aligner.ingest.langid import identify_language
from aligner.records import Document

SEED_000 = "000_63edd8b27567c1c6.txt"
SEED_001 = "001_b6fc149c3712bbef.txt"
SEED_002 = "002_1775d5543770e237.txt"
SEED_003 = "003_69a9eb7133609d45.txt"
SEED_004 = "004_717bd8db24a8932b.txt"


@pytest.fixture(scope="module")
def seeds() -> dict[str, Document]:
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    return {doc.id[:3]: doc for doc in ingest_paths([corpus]).documents}


def _reasons(doc: Document) -> dict[str, str]:
    return {p.text: p.reason for p in doc.paragraphs if p.boilerplate}


def _body_texts(doc: Document) -> list[str]:
    return [p.text for p in doc.paragraphs if not p.boilerplate and not p.is_title]


# ------------------------------------------------------------------ seeds


def test_seed_000_every_chrome_item_is_boilerplate_with_a_reason(seeds: dict) -> None:
    reasons = _reasons(seeds["000"])
    chrome = ["Астана", "Сейчас", "-11", "Завтра", "-3", "USD", "444", "-0.87", "EUR", "476",
              "-0.84", "RUB", "4.82", "0.00", "117", "пресс-служба Акорды"]
    for item in chrome:
        assert reasons.get(item), f"{item!r} not marked as boilerplate"
    footer = [text for text in reasons if text.startswith(("©", "050013", "Заметили ошибку"))]
    assert len(footer) == 3 and all(reasons[text] for text in footer)
    assert reasons["117"] == "numeric" and reasons["пресс-служба Акорды"] == "credit"
    assert {reasons[text] for text in footer} <= {"footer", "contact", "widget"}


def test_seed_000_title_and_seventeen_body_sentences(seeds: dict) -> None:
    doc = seeds["000"]
    assert doc.title == "Президент РК принял министра обороны КНР Вэй Фэнхэ"
    assert doc.lang == "ru" and doc.lang_confidence > 0.9 and doc.encoding == "utf-8"
    assert len(doc.sentences) == 17
    assert doc.title not in doc.sentence_texts
    assert doc.sentences[0].text.startswith("Касым-Жомарт Токаев принял")
    assert doc.sentences[-1].text.startswith("Собеседники также обменялись")
    assert not any("Ctrl+Enter" in s or "365info" in s for s in doc.sentence_texts)


def test_seed_000_every_body_paragraph_is_kept(corpus_dir: Path, seeds: dict) -> None:
    lines = (corpus_dir / SEED_000).read_text("utf-8").splitlines()
    article = [line for line in lines if len(line) > 100 and not line.startswith("©")]
    assert _body_texts(seeds["000"]) == article


def test_seed_002_dateline_is_a_paragraph_of_its_own(seeds: dict) -> None:
    doc = seeds["002"]
    assert doc.lang == "en" and doc.date == "2022-04-25" and doc.title is None
    assert len(doc.sentences) == 17
    first = doc.sentences[0].text
    assert first.startswith("Kassym-Jomart Tokayev held a meeting")
    assert first.endswith("Kazinform cites the Akorda press service.")
    assert "date 2022-04-25" not in doc.clean_text and "KAZINFORM" not in doc.clean_text
    assert _reasons(doc) == {"date 2022-04-25": "meta", "NUR-SULTAN. KAZINFORM –": "dateline"}
    dateline = [p.text for p in doc.paragraphs].index("NUR-SULTAN. KAZINFORM –")
    assert doc.sentences[0].paragraph == dateline + 1


def test_seed_001_chrome_title_and_date(seeds: dict) -> None:
    doc = seeds["001"]
    reasons = _reasons(doc)
    assert doc.title and doc.title.startswith("Минобороны КНР: Китай выступает")
    assert doc.date == "2022-04-29T11:38"
    for heading in ("новости по теме", "Читаемое", "Новости RT", "Новости Китая", "Ваше мнение"):
        assert reasons.get(heading) in ("navigation", "related-links"), heading
    poll = next(text for text in reasons if text.startswith("Эра космоса"))
    assert reasons[poll] == "poll"
    assert reasons["Фото: Акорда"] == "credit"
    assert reasons["29.04.2022, 11:38 27061"] == "meta"
    assert doc.title not in doc.sentence_texts
    assert reasons["НУР-СУЛТАН. 29 АПРЕЛЯ -"] == "dateline"
    assert doc.sentences[0].text.startswith("В ходе встречи президента Казахстана")
    assert doc.sentences[-1].text.startswith("Напомним, встреча Токаева")


@pytest.mark.parametrize("body", [
    "NATO said on Monday that the talks with the two ministers had gone well.",
    "US – China talks resumed on Monday after a break of several months.",
    "The talks – the first in a year – went well, officials said on Monday.",
    "МИД – Министерство иностранных дел – сообщил о визите министра в Пекин."])
def test_first_words_without_a_dateline_stay_in_the_body(body: str) -> None:
    doc = document_from_text("d", "", f"{body}\n\nThe second paragraph follows it here.",
                             "ru" if body.startswith("МИД") else "en")
    assert doc.sentence_texts[0] == body and not _reasons(doc)


def test_dateline_only_leaves_the_first_body_paragraph() -> None:
    text = ("Leaders agree on trade\n\nLONDON — The leaders agreed on a new trade corridor.\n\n"
            "PARIS — This later paragraph keeps its first words.")
    doc = document_from_text("d", "", text, "en")
    assert doc.title == "Leaders agree on trade" and _reasons(doc) == {"LONDON —": "dateline"}
    assert doc.sentence_texts == ["The leaders agreed on a new trade corridor.",
                                  "PARIS — This later paragraph keeps its first words."]


def test_seed_003_related_links_are_boilerplate(seeds: dict) -> None:
    doc = seeds["003"]
    reasons = _reasons(doc)
    assert doc.title == ("Китай видит в Казахстане важного партнера в региональной дипломатии"
                         " - МИД КНР")
    assert doc.date == "2024-03-30"
    assert reasons["Читайте также"] == "related-links" and reasons["Новости"] == "navigation"
    headlines = [text for text in reasons if text.startswith(("Новая Зеландия", "Четверо",
                                                              "На востоке", "Экспорт", "ЦБ РФ"))]
    assert len(headlines) == 6 and {reasons[h] for h in headlines} == {"related-links"}
    assert doc.sentences[-1].text == "Нуртлеу, сообщил ранее МИД Казахстана, посетит с " \
                                     "официальными визитами США и КНР."


def test_seed_004_is_all_body(seeds: dict) -> None:
    doc = seeds["004"]
    assert doc.title is None and not _reasons(doc)
    assert "Ван И." in doc.sentences[0].text and doc.sentences[1].text.startswith("Темой")


def test_sentence_offsets_point_into_clean_text(seeds: dict) -> None:
    for doc in seeds.values():
        for sentence in doc.sentences:
            assert doc.clean_text[sentence.start:sentence.end] == sentence.text
            paragraph = doc.paragraphs[sentence.paragraph]
            assert sentence.text in paragraph.text and not paragraph.boilerplate


def test_documents_round_trip_through_json(seeds: dict) -> None:
    for doc in seeds.values():
        assert Document.from_json(doc.to_json()) == doc


# ------------------------------------------------------------------ chrome generalises


def test_chrome_on_an_unseen_english_site_layout() -> None:
    page = ["Home", "World", "Business", "Sport", "Opinion",
            "Leaders agree on new trade corridor",
            "By Jane Doe | Photo: Reuters",
            "The leaders of the two countries agreed on Tuesday to build a new trade corridor "
            "that will link their railways and ports, officials said after the talks.",
            "The corridor is expected to cut delivery times by a third. It will be financed by "
            "both governments and by private investors from the region.",
            "Work starts next year.",
            "Related stories", "Ports expand as trade grows", "Railway strike ends after talks",
            "Subscribe to our newsletter", "Contact us: news@example.org, +1 (555) 123-4567",
            "Copyright 2024 Example Media. All rights reserved."]
    verdicts = classify_paragraphs(page, "en")
    body = [text for text, v in zip(page, verdicts) if not v.boilerplate and v.label != "title"]
    assert body == page[7:10]
    assert [text for text, v in zip(page, verdicts) if v.label == "title"] == [page[5]]
    reasons = {text: v.reason for text, v in zip(page, verdicts) if v.boilerplate}
    assert {reasons[t] for t in page[:5]} <= {"navigation", "widget"}
    assert reasons["Related stories"] == reasons["Ports expand as trade grows"] == "related-links"
    assert reasons[page[-2]] == "contact" and reasons[page[-1]] == "footer"


def test_unseen_page_gets_its_title(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Home\nWorld\nOpinion\n\nLeaders agree on new trade corridor\n\n"
                    "The leaders of the two countries agreed on Tuesday to build a new trade "
                    "corridor, officials said after the talks in the capital.\n\n"
                    "Copyright 2024 Example Media\n", "utf-8")
    doc = read_document(page)
    assert doc.title == "Leaders agree on new trade corridor" and len(doc.sentences) == 1


# ------------------------------------------------------------------ encodings


def _portable_000(corpus_dir: Path) -> str:
    """Seed 000 with the few characters koi8-r cannot encode replaced."""
    text = (corpus_dir / SEED_000).read_text("utf-8")
    return text.translate(str.maketrans({"«": '"', "»": '"', "–": "-", "©": "(c)"}))


@pytest.mark.parametrize(("codec", "encoding"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1251", "cp1251"),
    ("koi8-r", "koi8-r"), ("utf-16", "utf-16"), ("utf-16-be", "utf-16")])
def test_same_text_in_any_encoding_gives_identical_sentences(
        tmp_path: Path, corpus_dir: Path, codec: str, encoding: str) -> None:
    text = _portable_000(corpus_dir)
    reference = tmp_path / "reference.txt"
    reference.write_text(text, "utf-8")
    encoded = tmp_path / f"000.{codec}.txt"
    data = text.encode(codec)
    encoded.write_bytes(b"\xfe\xff" + data if codec == "utf-16-be" else data)
    doc = read_document(encoded)
    assert doc.encoding == encoding
    assert doc.sentence_texts == read_document(reference).sentence_texts
    assert len(doc.sentences) == 17 and doc.lang == "ru"


def test_crlf_line_ends_give_the_same_sentences(tmp_path: Path, corpus_dir: Path) -> None:
    text = (corpus_dir / SEED_002).read_text("utf-8")
    path = tmp_path / "crlf.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    assert read_document(path).sentence_texts == read_document(corpus_dir / SEED_002).sentence_texts


@pytest.mark.parametrize(("wrong", "right", "what"), [
    ("cp1251", "utf-8", "UTF-8 text read as cp1251"),
    ("latin-1", "cp1251", "cp1251 text read as latin-1")])
def test_mojibake_is_repaired_and_reported(tmp_path: Path, corpus_dir: Path, wrong: str,
                                           right: str, what: str) -> None:
    text = _portable_000(corpus_dir)
    garbled = text.encode(right).decode(wrong)
    path = tmp_path / "garbled.txt"
    path.write_text(garbled, "utf-8")
    doc = read_document(path)
    assert doc.warnings == (f"repaired mojibake: {what}",)
    assert len(doc.sentences) == 17 and doc.sentences[0].text.startswith("Касым-Жомарт")


def test_unrepairable_mojibake_is_reported(tmp_path: Path, corpus_dir: Path) -> None:
    text = _portable_000(corpus_dir)
    lossy = text.encode("utf-8").decode("cp1252", errors="replace")
    path = tmp_path / "lossy.txt"
    path.write_text(lossy, "utf-8")
    # py3langid reads the garbage as some language no splitter serves: the error says why
    with pytest.raises(UnsupportedLanguageError,
                       match="lossy.txt: no sentence splitter .*mojibake"):
        read_document(path)


# ------------------------------------------------------------------ HTML


def test_html_page_is_read_as_text_blocks(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Визит министра</title>"
        "<script>var x = 'Не текст.';</script><style>p {color: red}</style></head><body>"
        "<nav><a href='/'>Главная</a> <a href='/news'>Новости</a></nav>"
        "<h1>Президент принял министра обороны Китая</h1>"
        "<p>Касым-Жомарт Токаев принял министра обороны Китайской Народной Республики, "
        "сообщает пресс-служба Акорды. Стороны обсудили сотрудничество.</p>"
        "<p>Министр дал высокую оценку внешней политике Казахстана.</p>"
        "<footer>© 2024 Новости, info@example.kz</footer></body></html>".encode("utf-8"))
    doc = read_document(page)
    assert doc.title == "Президент принял министра обороны Китая"
    assert doc.sentence_texts == [
        "Касым-Жомарт Токаев принял министра обороны Китайской Народной Республики, "
        "сообщает пресс-служба Акорды.", "Стороны обсудили сотрудничество.",
        "Министр дал высокую оценку внешней политике Казахстана."]
    assert "var x" not in doc.clean_text


@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r"])
def test_html_declared_charset_is_used(tmp_path: Path, charset: str) -> None:
    page = tmp_path / "page.htm"
    body = "Министр обороны прибыл в Астану. Переговоры прошли успешно."
    page.write_bytes(f'<html><head><meta charset="{charset}"></head><body><p>{body}</p>'
                     "</body></html>".encode(charset))
    doc = read_document(page)
    assert doc.encoding == {"windows-1251": "cp1251", "koi8-r": "koi8-r"}[charset]
    assert doc.sentence_texts == ["Министр обороны прибыл в Астану.", "Переговоры прошли успешно."]


def test_html_entities_are_not_expanded_from_outside(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", "utf-8")
    page = tmp_path / "xxe.html"
    page.write_text(f'<!DOCTYPE html [<!ENTITY x SYSTEM "file://{secret}">]><html><body>'
                    "<p>The talks between the two ministers went well, officials said on "
                    "Monday after the meeting.</p><p>&x;</p></body></html>", "utf-8")
    assert "TOP SECRET" not in read_document(page).clean_text


def test_html_internal_entities_are_not_expanded() -> None:
    from aligner.ingest.html import html_to_text

    levels = "".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, 8))
    bomb = f'<!DOCTYPE html [<!ENTITY e0 "lol">{levels}]><html><body><p>&e7;</p>' \
           "<p>&amp; &eacute; &#1055;</p></body></html>"
    text = html_to_text(bomb)
    assert "lollol" not in text and len(text) < 100 and text.endswith("& é П")


# ------------------------------------------------------------------ language


def test_lang_override_and_confidence(corpus_dir: Path) -> None:
    doc = read_document(corpus_dir / SEED_002, lang="de")
    assert doc.lang == "de" and doc.lang_confidence == 1.0
    auto = read_document(corpus_dir / SEED_002)
    assert auto.lang == "en" and 0.0 <= auto.lang_confidence <= 1.0


@pytest.mark.parametrize(("dataset", "lang"), [("wmt22-jaen", "ja"), ("wmt22-enzh", "zh")])
def test_chinese_and_japanese_documents_are_told_apart(shared_dir: Path, dataset: str,
                                                       lang: str) -> None:
    """Ingestion picks the splitter by language: every WMT22 document gets its own code
    (py3langid's 'wuu' for two Chinese news documents is read as zh)."""
    paths = sorted((shared_dir / "data" / dataset / "seg").glob(f"doc[0-9][0-9][0-9].{lang}"))
    langs = {path.name: identify_language(path.read_text("utf-8"))[0] for path in paths}
    assert len(langs) == 120 and set(langs.values()) == {lang}


# ------------------------------------------------------------------ bad input


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.txt: no such file or directory"):
        read_document(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="no such file or directory"):
        ingest_paths([tmp_path / "nope"])


@pytest.mark.parametrize(("content", "message"), [
    (b"", "file is empty"), (b" \n\t\n", "file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
    (random.Random(7).randbytes(3000).replace(b"\x00", b"\x80"), "undecodable bytes"),
    (b"\xff\xfe" + b"\x00\xd8" * 10, "undecodable bytes"),
    (b"ab\x01\x02\x03\x04\x05\x06" * 50, "binary file")])
def test_bad_files_raise_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as error:
        read_document(path)
    assert str(error.value).startswith(f"{path}: ") and "\n" not in str(error.value)


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:  # sparse: 100 MB on paper, nothing on disk
        handle.truncate(100 * 2**20)
    with pytest.raises(InputError, match=r"big\.txt: file is 100\.0 MiB, over the 64 MiB limit"):
        read_document(big)


def test_folders_read_every_ending_the_message_names(tmp_path: Path, corpus_dir: Path) -> None:
    from aligner.ingest.document import LANGUAGE_SUFFIXES, READ_FROM_FOLDERS, TEXT_SUFFIXES

    for suffix in TEXT_SUFFIXES:  # the message is built from the endings read: one rule
        assert f"{suffix}," in READ_FROM_FOLDERS if suffix else "no extension" in READ_FROM_FOLDERS
    assert f"such as {LANGUAGE_SUFFIXES[0]}" in READ_FROM_FOLDERS
    page = corpus_dir / SEED_002
    (tmp_path / "page.xhtml").write_text(
        f"<html><body><p>{page.read_text('utf-8')}</p></body></html>", "utf-8")
    result = ingest_paths([tmp_path])
    assert [doc.id for doc in result.documents] == ["page"] and result.skipped == []


def test_folder_skips_bad_files_unless_strict(tmp_path: Path, corpus_dir: Path) -> None:
    (tmp_path / "good.txt").write_text((corpus_dir / SEED_002).read_text("utf-8"), "utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\x00")  # not a text suffix: not read
    result = ingest_paths([tmp_path])
    assert [doc.id for doc in result.documents] == ["good"]
    assert result.skipped == [  # in path order, whatever step found each one
        (str(tmp_path / "empty.txt"), "file is empty; nothing to ingest"),
        (str(tmp_path / "image.png"), ("ending .png is not read from folders (.txt, .text, "
                                       ".html, .htm, .xhtml, a language code such as .ru, or "
                                       "no extension); name the file to read it"))]
    with pytest.raises(InputError, match=r"image\.png: ending \.png is not read"):
        ingest_paths([tmp_path], strict=True)
    (tmp_path / "image.png").unlink()
    with pytest.raises(InputError, match=r"empty\.txt: file is empty"):
        ingest_paths([tmp_path], strict=True)


@pytest.mark.parametrize("map_tasks", [None, map])
def test_links_to_nothing_and_pipes_in_a_folder_are_named_never_opened(tmp_path: Path,
                                                                       corpus_dir: Path,
                                                                       map_tasks) -> None:
    (tmp_path / "good.txt").write_text((corpus_dir / SEED_002).read_text("utf-8"), "utf-8")
    (tmp_path / "gone.ru").symlink_to(tmp_path / "deleted.ru")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    os.mkfifo(tmp_path / "pipe.en")  # opening it would wait for a writer forever
    result = ingest_paths([tmp_path], map_tasks=map_tasks)
    assert [doc.id for doc in result.documents] == ["good"]
    assert sorted((Path(path).name, reason.split(" (")[0]) for path, reason in result.skipped) \
        == [("gone.ru", "a broken symbolic link"), ("loop", "a broken symbolic link"),
            ("pipe.en", "not a regular file")]
    with pytest.raises(InputError, match=r"(gone\.ru|loop): a broken symbolic link|"
                                         r"pipe\.en: not a regular file"):
        ingest_paths([tmp_path], strict=True)


def test_folder_of_language_named_files(tmp_path: Path, corpus_dir: Path) -> None:
    shutil.copy(corpus_dir / SEED_000, tmp_path / "doc000.ru")
    shutil.copy(corpus_dir / SEED_002, tmp_path / "doc000.en")
    (tmp_path / "tool.py").write_text("print('not a document')\n", "utf-8")
    docs = ingest_paths([tmp_path]).documents
    assert [(doc.id, doc.lang) for doc in docs] == [("doc000", "en"), ("doc000-2", "ru")]


def test_folder_without_text_files(tmp_path: Path) -> None:
    (tmp_path / "picture.png").write_bytes(b"\x89PNG")
    with pytest.raises(InputError, match="no text files"):
        ingest_paths([tmp_path])


def test_named_bad_file_is_an_error_even_without_strict(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(InputError, match="file is empty"):
        ingest_paths([tmp_path / "empty.txt"])


def test_colliding_stems_get_unique_ids(tmp_path: Path, corpus_dir: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "news.txt").write_text(
            (corpus_dir / SEED_002).read_text("utf-8"), "utf-8")
    ids = [doc.id for doc in ingest_paths([tmp_path]).documents]
    assert ids == ["news", "news-2"]


# ------------------------------------------------------------------ pre-split input


def test_presplit_lines_are_sentences(tmp_path: Path) -> None:
    path = tmp_path / "dev.de"
    path.write_text("Erster Satz.\nZweiter Satz\n.EOA\nDritter Satz.\n\n\nVierter.\n", "utf-8")
    doc = read_document(path, lang="de", presplit=True)
    assert doc.sentence_texts == ["Erster Satz.", "Zweiter Satz", "Dritter Satz.", "Vierter."]
    assert [s.paragraph for s in doc.sentences] == [0, 0, 1, 2]
    for sentence in doc.sentences:
        assert doc.clean_text[sentence.start:sentence.end] == sentence.text


def test_document_from_lines_identifies_the_language() -> None:
    doc = document_from_lines("x", "", ["Президент принял министра обороны Китая."], None)
    assert doc.lang == "ru" and doc.sentence_texts == ["Президент принял министра обороны Китая."]


def test_chrome_removal_keeps_real_article_text(shared_dir: Path) -> None:
    """WMT22 ru-en documents are all article text: almost nothing may be called chrome."""
    seg = shared_dir / "data" / "wmt22-ruen" / "seg"
    kept = total = kept_news = total_news = 0
    for line in (seg.parent / "index.tsv").read_text("utf-8").splitlines()[1:]:
        name, _, domain, _ = line.split("\t")
        for side, lang in (("ru", None), ("en", None)):
            doc = read_document(seg / f"{name}.{side}", lang)
            body = sum(not p.boilerplate for p in doc.paragraphs)
            kept, total = kept + body, total + len(doc.paragraphs)
            if domain == "news":
                kept_news, total_news = kept_news + body, total_news + len(doc.paragraphs)
    assert total > 4000 and kept / total >= 0.96
    assert kept_news / total_news >= 0.99


_PAGE_ALPHABET = "абвгдеАБВГДЕabcdeXYZ 0123456789.,!?«»\"©@+:-\n\n\n\u00a0\t"


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=_PAGE_ALPHABET, min_size=1, max_size=400),
       lang=st.sampled_from(["ru", "en"]))
def test_any_page_gives_a_consistent_document(text: str, lang: str) -> None:
    doc = document_from_text("p", "", text, lang)
    assert all(p.reason for p in doc.paragraphs if p.boilerplate or p.is_title)
    assert sum(p.is_title for p in doc.paragraphs) <= 1
    for sentence in doc.sentences:
        assert doc.clean_text[sentence.start:sentence.end] == sentence.text
        assert sentence.text in doc.paragraphs[sentence.paragraph].text
    body = [p.text for p in doc.paragraphs if not p.boilerplate and not p.is_title]
    assert doc.clean_text == "\n\n".join(body)
    assert "".join(doc.clean_text.split()) == "".join("".join(doc.sentence_texts).split())
    assert Document.from_json(doc.to_json()) == doc
