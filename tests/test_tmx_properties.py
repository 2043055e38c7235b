"""Property tests: any Unicode in, a well-formed, DTD-valid TMX out that re-reads cleaned."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from tmx_support import header

from tmx import TmxUnit, TmxWriter, clean_text, read_units
from tmx.text import ILLEGAL_XML, has_illegal_xml
from tmx.validate import tmx14_dtd

NASTY = ["&", "<", ">", "]]>", "\"", "'", "\x00", "\x01", "\x0b", "\x1f", "\x7f", "\x85",
         "\ud800", "\udfff", "\ufffe", "\uffff", "\u202e", "\u200f",
         "\u0645\u0631\u062d\u0628\u0627",
         "\U0001f600", "\U0001f468\u200d\U0001f469", "\r", "\r\n", "\n", "\t", " ", "\u00a0",
         "\u2028", "&amp;", "&#0;", "<seg>", "Ёлка"]
ANY_CHAR = st.characters(categories=None, exclude_categories=())  # surrogates included
TEXT = st.lists(st.one_of(st.sampled_from(NASTY), st.text(ANY_CHAR, max_size=8)),
                max_size=12).map("".join)
PROP_TYPE = st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12).map(lambda s: "x-" + s)
UNIT = st.builds(TmxUnit, source=TEXT, target=TEXT, src_lang=st.just("ru"),
                 tgt_lang=st.sampled_from(["en", "en-GB", "EN_us"]),
                 props=st.lists(st.tuples(PROP_TYPE, TEXT), max_size=3),
                 notes=st.lists(TEXT, max_size=2).map(tuple),
                 tuid=st.one_of(st.none(), TEXT.filter(lambda t: clean_text(t)[0].strip())))


def _expected(unit: TmxUnit) -> tuple[str, str, tuple[tuple[str, str], ...], tuple[str, ...]]:
    return (clean_text(unit.source)[0], clean_text(unit.target)[0],
            tuple((key, clean_text(value)[0]) for key, value in unit.props),
            tuple(clean_text(note)[0] for note in unit.notes))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(UNIT, max_size=6))
def test_any_text_gives_a_valid_file_that_rereads_cleaned(units: list[TmxUnit]) -> None:
    out = io.BytesIO()
    with TmxWriter(out, header(), locale_style="bare", duplicates="none") as writer:
        written = [unit for unit in units if writer.write(unit)]
    data = out.getvalue()
    tree = etree.parse(io.BytesIO(data))                      # well-formed
    assert tmx14_dtd().validate(tree), tmx14_dtd().error_log  # DTD-valid
    back = list(read_units(io.BytesIO(data)))
    assert [_expected(unit) for unit in written] == [
        (unit.source, unit.target, unit.props, unit.notes) for unit in back]
    kept = [unit for unit in units if all(_expected(unit)[:2])]
    assert len(back) == len(kept) == writer.stats.written
    for unit in back:
        assert unit.source == unit.source.strip() and unit.target == unit.target.strip()
        assert unit.tgt_lang == "en"
        assert unit.tuid is None or not any(char.isspace() for char in unit.tuid)


@settings(max_examples=500, deadline=None)
@given(TEXT)
def test_the_fast_forbidden_character_check_agrees_with_the_pattern(text: str) -> None:
    assert has_illegal_xml(text) == bool(ILLEGAL_XML.search(text))
