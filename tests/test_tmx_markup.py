"""TMX level 2: inline markup read as markup, written back, converted, and never merged away."""

from __future__ import annotations

import io
import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from tmx_support import HEADER_ATTRS, header

from aligner.cli import main
from tmx import (Inline, TmxReader, TmxUnit, TmxWriter, count_elements, merge_tmx, read_units,
                 validate, write_tmx)
from tmx.inline import content_xml, escape_attribute, escape_text, parse_content, strip_content
from tmx.text import ILLEGAL_XML
from tmx.validate import tmx14_dtd

LEVEL2 = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
    f'<header {HEADER_ATTRS} srclang="en-US"><note>kept</note></header>\n<body>\n'
    '<tu tuid="1" usagecount="3"><prop type="x-a" xml:lang="en">1</prop>'
    '<tuv xml:lang="EN-US" creationid="ys"><note>tuv note</note>'
    '<seg><it pos="begin" x="1">&lt;I></it><bpt i="1" x="2">&lt;B></bpt>Click '
    '<ph x="3" type="image">&lt;IMG ALT="<sub>Start &amp; go</sub>"></ph> to '
    '<hi x="4">start</hi>.<ept i="1">&lt;/B></ept><ut>{\\f1}</ut></seg></tuv>'
    '<tuv xml:lang="fr-ca"><seg><bpt i="1" x="2">&lt;B></bpt>Cliquez<ept i="1">&lt;/B></ept>'
    '</seg></tuv></tu>\n'
    '<tu tuid="2"><tuv xml:lang="en-us"><seg>Cliquez</seg></tuv>'
    '<tuv xml:lang="fr-CA"><seg>Cliquez</seg></tuv><tuv xml:lang="de"><seg>Klick</seg></tuv>'
    '</tu>\n</body>\n</tmx>\n')


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["tmx", *args])
    return result.exit_code, result.stdout, result.stderr


def level2(tmp_path: Path) -> Path:
    path = tmp_path / "level2.tmx"
    path.write_text(LEVEL2, encoding="utf-8")
    return path


def test_markup_is_read_as_markup_with_plain_text_beside_it(tmp_path: Path) -> None:
    unit = next(read_units(level2(tmp_path)))
    assert unit.source == "Click  to start." and unit.target == "Cliquez"
    assert count_elements(unit.source_markup) == 7  # it bpt ph sub hi ept ut
    ph = unit.source_markup[3]
    assert ph == Inline("ph", (("x", "3"), ("type", "image")),
                        ('<IMG ALT="', Inline("sub", (), ("Start & go",)), '">'))
    assert unit.attrs == (("usagecount", "3"),) and unit.source_tuv.notes == ("tuv note",)
    assert unit.meta_attrs == (("prop", 0, (("xml:lang", "en"),)),)
    assert unit.source_tuv.attrs == (("creationid", "ys"),)


def test_round_trip_keeps_markup_metadata_and_multilingual_units(tmp_path: Path) -> None:
    source = level2(tmp_path)
    out = tmp_path / "out.tmx"
    stats = merge_tmx([source], out, duplicates="none")
    assert stats.written == 2 and validate(out).ok
    assert [u.source_xml() for u in read_units(out)] == [u.source_xml() for u in
                                                         read_units(source)]
    text = out.read_text(encoding="utf-8")
    # Native codes written as the TMX specification writes them; every element kept as read.
    assert ('<seg><it pos="begin" x="1">&lt;I></it><bpt i="1" x="2">&lt;B></bpt>Click <ph x="3" '
            'type="image">&lt;IMG ALT="<sub>Start &amp; go</sub>"></ph> to <hi x="4">start</hi>.'
            '<ept i="1">&lt;/B></ept><ut>{\\f1}</ut></seg>') in text
    assert '<tuv xml:lang="EN-US" creationid="ys">' in text and "<note>tuv note</note>" in text
    assert '<prop type="x-a" xml:lang="en">1</prop>' in text
    assert '<tu tuid="2">' in text and '<tuv xml:lang="de"><seg>Klick</seg></tuv>' in text
    assert [u.tuid for u in read_units(out)] == ["1", "2-fr-CA", "2-de"]
    again = tmp_path / "again.tmx"
    merge_tmx([out], again, duplicates="none")
    assert again.read_text(encoding="utf-8").split("<body>")[1] == text.split("<body>")[1]


def test_units_differing_only_in_markup_are_not_duplicates(tmp_path: Path) -> None:
    one = (("i", "1"),)
    bold = (Inline("bpt", one, ("<b>",)), "big", Inline("ept", one, ("</b>",)))
    italic = (Inline("bpt", one, ("<i>",)), "big", Inline("ept", one, ("</i>",)))
    units = [TmxUnit("big", "gros", "en", "fr", source_markup=bold, target_markup=bold),
             TmxUnit("big", "gros", "en", "fr", source_markup=italic, target_markup=italic),
             TmxUnit("big", "gros", "en", "fr", source_markup=bold, target_markup=bold)]
    stats = write_tmx(tmp_path / "tm.tmx", units, header("en"), duplicates="pairs")
    assert (stats.written, stats.duplicates) == (2, 1)
    assert stats.left_out.to_json() == {"duplicate": {"count": 1, "units": ["'big'"]}}


def test_languages_case_insensitive_and_srclang_per_unit(tmp_path: Path) -> None:
    path = level2(tmp_path)
    reader = TmxReader(path, tgt_lang="fr-ca")
    assert [(u.src_lang, u.tgt_lang) for u in reader] == [("EN-US", "fr-ca"), ("en-us", "fr-CA")]
    reader = TmxReader(path, tgt_lang="fr-FR")
    assert list(reader) == [] and reader.left_out.counts == {"no fr-FR variant": 2}
    code, out, _ = run("stats", "--json", str(path))
    stats = json.loads(out)
    assert code == 0 and stats["languages"] == {"en-us->fr-ca": 2, "en-us->de": 1}
    code, out, _ = run("stats", "--json", "--src-lang", "de", str(path))
    assert json.loads(out)["left_out"] == {"no de variant": {
        "count": 1, "units": [f"{path}:5 (tuid 1)"]}}


def test_convert_markup_keep_and_strip(tmp_path: Path) -> None:
    path = level2(tmp_path)
    code, out, _ = run("convert", str(path), "--to", "tsv", "--tgt-lang", "fr")
    assert code == 0 and out.splitlines()[0].startswith('<it pos="begin" x="1">&lt;I></it>')
    code, out, _ = run("convert", str(path), "--to", "tsv", "--markup", "strip")
    assert out.splitlines() == ["Click  to start.\tCliquez", "Cliquez\tCliquez", "Cliquez\tKlick"]
    jsonl = tmp_path / "tm.jsonl"
    code, out, err = run("convert", str(path), "--to", "jsonl", "-o", str(jsonl), "--json")
    assert code == 0 and json.loads(out)["units"] == 3 and "3 units; none left out" in err
    units = [TmxUnit.from_json(json.loads(line)) for line in jsonl.read_text().splitlines()]
    assert units == list(read_units(path))
    code, _, err = run("convert", str(path), "--to", "moses", "-o", str(tmp_path / "c"),
                       "--tgt-lang", "fr-CA")
    assert code == 0 and "2 units" in err and "none left out" in err
    assert (tmp_path / "c.EN-US").read_text().splitlines() == ["Click  to start.", "Cliquez"]
    assert (tmp_path / "c.fr-CA").read_text().splitlines() == ["Cliquez", "Cliquez"]
    code, _, err = run("convert", str(path), "--to", "moses", "-o", str(tmp_path / "d"),
                       "--tgt-lang", "de")
    assert code == 0 and "1 left out: 1 no de variant" in err


def test_quiet_keeps_the_warning_that_names_the_units_left_out(tmp_path: Path) -> None:
    path = level2(tmp_path)
    out = tmp_path / "out.tmx"
    left = f"1 left out: 1 no de variant ({path}:5 (tuid 1))"
    for words, where, lead in (
            (["filter", str(path), "--src-lang", "en-US", "--tgt-lang", "de", "-o", str(out)],
             out, "not filtered: "),
            (["merge", str(path), "--src-lang", "en-US", "--tgt-lang", "de", "-o", str(out)],
             out, ""),
            (["convert", str(path), "--to", "tsv", "--src-lang", "en-US", "--tgt-lang", "de",
              "-o", str(tmp_path / "out.tsv")], tmp_path / "out.tsv", "")):
        code, _, err = run(*words, "-q")
        assert (code, err) == (0, f"Warning: {where}: {lead}{left}\n"), words
        code, _, err = run(*words)
        assert err.startswith(f"Warning: {where}: {lead}{left}\n{where}: ")
        assert err.endswith(f"; {lead}1 left out (named above)\n")
    code, _, err = run("merge", str(path), "-o", str(out), "-q")
    assert (code, err) == (0, "")


def test_filter_and_merge_name_every_unit_left_out(tmp_path: Path) -> None:
    path = level2(tmp_path)
    out = tmp_path / "f.tmx"
    code, stdout, err = run("filter", str(path), "--max-length", "8", "--src-lang", "en-US",
                            "--tgt-lang", "de", "-o", str(out), "--json")
    result = json.loads(stdout)
    assert code == 0 and result["written"] == 1
    assert result["left_out"] == {"no de variant": {"count": 1,
                                                    "units": [f"{path}:5 (tuid 1)"]}}
    assert "not filtered: 1 left out: 1 no de variant" in err
    code, stdout, _ = run("merge", str(path), str(path), "-o", str(out), "--json")
    result = json.loads(stdout)
    assert result["duplicates"] == 2 and result["left_out"]["duplicate"]["count"] == 2


TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe"
                             "\uffff" + "".join(map(chr, range(1, 32)))), max_size=6)
# The TMX 1.4 DTD: required attributes first, then the optional ones each element allows.
REQUIRED = {"bpt": ("i",), "ept": ("i",), "it": ("pos",), "ph": (), "ut": (), "hi": (),
            "sub": ()}
OPTIONAL = {"bpt": ("x", "type"), "ept": (), "it": ("x", "type"), "ph": ("x", "assoc", "type"),
            "ut": ("x",), "hi": ("x", "type"), "sub": ("datatype", "type")}


def element(tag: str, content: st.SearchStrategy) -> st.SearchStrategy:
    required = tuple((name, "begin" if name == "pos" else "1") for name in REQUIRED[tag])
    optional = st.lists(st.tuples(st.sampled_from(OPTIONAL[tag]), TEXT), max_size=2,
                        unique_by=lambda pair: pair[0]) if OPTIONAL[tag] else st.just([])
    return st.builds(lambda attrs, inner: Inline(tag, required + tuple(attrs), tuple(inner)),
                     optional, content)


SUB = element("sub", st.lists(TEXT, max_size=1))
CODE = st.one_of(*(element(tag, st.lists(st.one_of(TEXT, SUB), max_size=3))
                   for tag in ("bpt", "ept", "it", "ph", "ut")))
CONTENT = st.lists(st.one_of(TEXT, CODE, element("hi", st.lists(TEXT, max_size=2))),
                   min_size=1, max_size=5).map(tuple)


def _merged(content: tuple) -> tuple:
    """Adjacent texts joined, empty ones dropped: the form a parser gives back."""
    nodes: list = []
    for node in content:
        if isinstance(node, Inline):
            node = Inline(node.tag, node.attrs, _merged(node.content))
        elif not node:
            continue
        elif nodes and isinstance(nodes[-1], str):
            nodes[-1] += node
            continue
        nodes.append(node)
    return tuple(nodes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CONTENT)
def test_any_markup_reads_back_as_written_in_a_dtd_valid_file(content: tuple) -> None:
    xml = content_xml(content)
    assert parse_content(xml) == _merged(content)
    out = io.BytesIO()
    unit = TmxUnit("x", "y", "en", "fr", source_markup=content, target_markup=content)
    with TmxWriter(out, header("en"), duplicates="none") as writer:
        assert writer.write(unit)
    tree = etree.parse(io.BytesIO(out.getvalue()))
    assert tmx14_dtd().validate(tree), tmx14_dtd().error_log
    [back] = read_units(io.BytesIO(out.getvalue()))
    assert back.source_xml() == back.target_xml() == content_xml(strip_content(content))


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=12).filter(
    lambda text: not ILLEGAL_XML.search(text)))
def test_segment_text_is_escaped_as_lxml_escapes_it(text: str) -> None:
    seg = etree.Element("seg")
    seg.text = text
    assert etree.tostring(seg, encoding="unicode") == f"<seg>{escape_text(text)}</seg>"
    seg.set("type", text)
    assert etree.tostring(seg, encoding="unicode").startswith(
        f'<seg type="{escape_attribute(text)}">')


def test_convert_json_summary_needs_an_output_file(tmp_path: Path) -> None:
    code, out, err = run("convert", str(level2(tmp_path)), "--to", "tsv", "--json")
    assert code == 2 and out == "" and "--json need -o" in err


def test_braces_and_private_use_characters_in_metadata_stay_text(tmp_path: Path) -> None:
    from tmx import TuvInfo
    odd = "{}\ue000{0}"
    unit = TmxUnit(odd, odd, "en", "fr", props=((odd, odd),), notes=(odd,), tuid=odd,
                   attrs=(("changeid", odd),), source_tuv=TuvInfo((("changeid", odd),),
                                                                  ((odd, odd),), (odd,)))
    write_tmx(tmp_path / "odd.tmx", [unit], header("en"))
    [back] = read_units(tmp_path / "odd.tmx")
    assert back == unit and validate(tmp_path / "odd.tmx").ok
