"""Writer and reader of the tmx package: round trip and the writer rules of TMX.md."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest
from lxml import etree
from tmx_support import FIXED_DATE, header, sample_units, write

from tmx import TmxError, TmxReader, TmxUnit, TmxWriteError, read_header, read_units, validate
from tmx.validate import tmx14_dtd


def test_round_trip_is_identical_props_notes_and_tuids_included(tmp_path: Path) -> None:
    path = tmp_path / "tm.tmx"
    units = sample_units()
    stats = write(path, units)
    assert stats.written == 3
    assert list(read_units(path)) == units


def test_headers_that_differ_only_in_their_date_keep_their_own(tmp_path: Path) -> None:
    from dataclasses import replace

    from tmx import write_tmx
    first = header(props={"x-signature-stage": "tmx"})
    second = replace(first, creationdate="20250102T030405Z")
    for name, written in (("a.tmx", first), ("b.tmx", second), ("c.tmx", first)):
        write_tmx(tmp_path / name, sample_units(), written)
        assert read_header(tmp_path / name) == written
    texts = [(tmp_path / name).read_bytes() for name in ("a.tmx", "b.tmx", "c.tmx")]
    assert texts[0] == texts[2]
    assert texts[1] == texts[0].replace(first.creationdate.encode(), b"20250102T030405Z")


def test_header_round_trip_and_required_attributes(tmp_path: Path) -> None:
    path = tmp_path / "tm.tmx"
    written = header(props={"x-signature-stage": "tmx"}, notes=("made in a test",))
    from tmx import write_tmx
    write_tmx(path, sample_units(), written)
    assert read_header(path) == written
    element = etree.parse(str(path)).getroot().find("header")
    for attribute in ("creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang",
                      "srclang", "datatype", "creationdate"):
        assert element.get(attribute), attribute
    assert element.get("creationdate") == FIXED_DATE


def test_file_is_utf8_without_bom_with_declaration_and_doctype(tmp_path: Path) -> None:
    path = tmp_path / "tm.tmx"
    write(path, sample_units())
    data = path.read_bytes()
    assert not data.startswith(codecs.BOM_UTF8)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n'
                           b'<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4">')
    tree = etree.parse(str(path))
    assert tmx14_dtd().validate(tree), tmx14_dtd().error_log
    assert validate(path).issues == []


def test_srclang_equals_source_tuv_and_source_comes_first(tmp_path: Path) -> None:
    path = tmp_path / "tm.tmx"
    write(path, sample_units())
    root = etree.parse(str(path)).getroot()
    srclang = root.find("header").get("srclang")
    for tu in root.iter("tu"):
        first = tu.find("tuv")
        assert first.get("{http://www.w3.org/XML/1998/namespace}lang") == srclang == "ru"


def test_illegal_characters_removed_and_counted_whitespace_stripped(tmp_path: Path) -> None:
    path = tmp_path / "tm.tmx"
    dirty = TmxUnit("  Да\x00\x07 \ud800нет\uffff \n", "\tYes\x1b no ", "ru", "en")
    stats = write(path, [dirty])
    assert (stats.chars_removed, stats.units_cleaned) == (5, 1)
    [unit] = read_units(path)
    assert (unit.source, unit.target) == ("Да нет", "Yes no")


def test_empty_units_are_never_written(tmp_path: Path) -> None:
    path = tmp_path / "tm.tmx"
    units = [TmxUnit("Да.", "", "ru", "en"), TmxUnit(" \x01 ", "Yes", "ru", "en"),
             TmxUnit("Да.", "Yes.", "ru", "en")]
    stats = write(path, units)
    assert (stats.written, stats.skipped_empty) == (1, 2)
    assert b"<seg></seg>" not in path.read_bytes() and b"<seg/>" not in path.read_bytes()


@pytest.mark.parametrize(("policy", "expected"), [
    ("pairs", [("Да.", "Yes."), ("Да.", "Sure.")]),
    ("source", [("Да.", "Yes.")]),
    ("none", [("Да.", "Yes."), ("Да.", "Yes."), ("Да.", "Sure.")]),
])
def test_duplicate_policies(tmp_path: Path, policy: str, expected: list[tuple[str, str]]) -> None:
    path = tmp_path / "tm.tmx"
    units = [TmxUnit("Да.", "Yes.", "ru", "en"), TmxUnit(" Да.", "Yes.", "ru", "en"),
             TmxUnit("Да.", "Sure.", "ru", "en")]
    stats = write(path, units, duplicates=policy)
    assert [(u.source, u.target) for u in read_units(path)] == expected
    assert stats.duplicates == 3 - len(expected)


@pytest.mark.parametrize(("style", "codes", "expected"), [
    ("bare", ("ru_RU", "EN-us"), ("ru", "en")),
    ("region", ("ru", "en"), ("ru-RU", "en-US")),
    ("region", ("rus", "en-GB"), ("ru-RU", "en-GB")),
    ("keep", ("eN-uS", "fr_CA"), ("eN-uS", "fr_CA")),
])
def test_locale_styles(tmp_path: Path, style: str, codes: tuple[str, str],
                       expected: tuple[str, str]) -> None:
    path = tmp_path / "tm.tmx"
    from tmx import write_tmx
    write_tmx(path, [TmxUnit("Да.", "Yes.", *codes)], header(codes[0]), locale_style=style)
    [unit] = read_units(path)
    assert (unit.src_lang, unit.tgt_lang) == expected
    assert read_header(path).srclang == expected[0]


def test_tuid_whitespace_replaced(tmp_path: Path) -> None:
    path = tmp_path / "tm.tmx"
    write(path, [TmxUnit("Да.", "Yes.", "ru", "en", tuid="doc 1\t2")])
    assert [unit.tuid for unit in read_units(path)] == ["doc_1_2"]


def test_unit_in_another_direction_says_its_own_srclang(tmp_path: Path) -> None:
    path = tmp_path / "tm.tmx"
    write(path, [TmxUnit("Да.", "Yes.", "RU", "en"), TmxUnit("No.", "Нет.", "en", "ru")])
    text = path.read_text(encoding="utf-8")
    assert "<tu>" in text and '<tu srclang="en">' in text  # RU is the header's ru: no srclang
    assert [(u.src_lang, u.source) for u in read_units(path)] == [("RU", "Да."), ("en", "No.")]
    assert validate(path).ok


def test_output_is_readable_by_others_like_any_file(tmp_path: Path) -> None:
    path = tmp_path / "tm.tmx"
    write(path, sample_units())
    assert path.stat().st_mode & 0o777 == 0o644


def test_crash_in_the_middle_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "tm.tmx"

    def units():
        yield TmxUnit("Да.", "Yes.", "ru", "en")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write(path, units())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("options", "message"), [
    ({"segtype": "chapter"}, "segtype 'chapter'"),
    ({"creationtool": "OmegaT"}, "creationtool 'OmegaT'"),
    ({"creationdate": "2024-01-01"}, "YYYYMMDDThhmmssZ"),
    ({"creationdate": "20240101T000000Z\n"}, "YYYYMMDDThhmmssZ"),
])
def test_bad_headers_are_refused(tmp_path: Path, options: dict[str, str], message: str) -> None:
    from tmx import TmxHeader, write_tmx
    with pytest.raises(TmxError, match=re.escape(message)):
        write_tmx(tmp_path / "x.tmx", [], TmxHeader(srclang="ru", **options))
    with pytest.raises(TmxError, match="invalid language code"):
        write_tmx(tmp_path / "x.tmx", [], TmxHeader(srclang="russian!"))


def test_output_is_deterministic(tmp_path: Path) -> None:
    write(tmp_path / "a.tmx", sample_units())
    write(tmp_path / "b.tmx", sample_units())
    assert (tmp_path / "a.tmx").read_bytes() == (tmp_path / "b.tmx").read_bytes()


def test_reader_accepts_tmx11_lang_utf16_bom_and_region_variants(tmp_path: Path) -> None:
    text = ('<?xml version="1.0" encoding="UTF-16"?>\n<tmx version="1.1"><header '
            'creationtool="X" creationtoolversion="1" segtype="sentence" o-tmf="x" '
            'adminlang="EN-US" srclang="RU-RU" datatype="plaintext"/><body>'
            '<tu><tuv lang="RU-RU"><seg>Да</seg></tuv><tuv lang="EN-GB"><seg>Yes</seg></tuv>'
            '<tuv lang="DE"><seg>Ja</seg></tuv></tu>'
            '<tu><tuv lang="FR"><seg>Oui</seg></tuv></tu></body></tmx>')
    path = tmp_path / "old.tmx"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    reader = TmxReader(path)
    assert [(u.source, u.target, u.tgt_lang) for u in reader] == [
        ("Да", "Yes", "EN-GB"), ("Да", "Ja", "DE")]
    assert reader.skipped == 1 and reader.header.srclang == "RU-RU"
    assert [u.target for u in read_units(path, tgt_lang="en")] == ["Yes"]


def test_reader_without_srclang_takes_the_first_variant(tmp_path: Path) -> None:
    path = tmp_path / "nosrc.tmx"
    path.write_text('<tmx version="1.4"><header creationtool="X"/><body><tu>'
                    '<tuv xml:lang="ru"><seg>Да</seg></tuv><tuv xml:lang="en"><seg>Yes</seg>'
                    '</tuv></tu></body></tmx>', encoding="utf-8")
    assert [(u.source, u.target) for u in read_units(path)] == [("Да", "Yes")]
    assert not validate(path).ok


def test_reader_skips_native_codes_of_inline_markup(tmp_path: Path) -> None:
    path = tmp_path / "level2.tmx"
    path.write_text(
        '<tmx version="1.4"><header creationtool="X" creationtoolversion="1" '
        'segtype="sentence" o-tmf="x" adminlang="en" srclang="*all*" datatype="html"/><body>'
        '<tu><tuv xml:lang="ru"><seg><bpt i="1">&lt;b&gt;</bpt>Да<ept i="1">&lt;/b&gt;</ept>'
        '!</seg></tuv><tuv xml:lang="en"><seg><hi>Yes</hi>!</seg></tuv></tu></body></tmx>',
        encoding="utf-8")
    assert [(u.source, u.target) for u in read_units(path)] == [("Да!", "Yes!")]


def test_store_parse_of_bytes_is_identity(tmp_path: Path) -> None:
    from tmx import TmxFile
    store = TmxFile(header(props={"x-signature-stage": "test"}), sample_units())
    assert TmxFile.parse(bytes(store)) == store
    store.save(tmp_path / "tm.tmx")
    assert TmxFile.read(tmp_path / "tm.tmx") == store


def test_unit_with_an_invalid_language_is_named_and_nothing_written(tmp_path: Path) -> None:
    path = tmp_path / "tm.tmx"
    units = [TmxUnit("Да.", "Yes.", "ru", "en"), TmxUnit("Нет.", "No.", "ru", "en/../x",
                                                        tuid="7")]
    with pytest.raises(TmxWriteError, match=r"tuid 7: invalid language code 'en/\.\./x'"):
        write(path, units)
    assert not path.exists()
