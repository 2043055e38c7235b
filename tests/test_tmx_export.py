"""aligner.export: alignments (and bead scores) to TMX units and files."""

from __future__ import annotations

from pathlib import Path

import pytest

from aligner.errors import ConfigurationError, InputError
from aligner.export import alignment_units, segtype_for, write_alignment_tmx
from aligner.records import Alignment, Bead, BeadScore
from tmx import read_header, read_units, validate


def alignment(src_id: str = "000_ru", multi: bool = False,
              signature: dict[str, str] | None = None) -> Alignment:
    beads = ([Bead((0, 1), (0,), 0.8), Bead((2,), (1,), 0.7)] if multi else
             [Bead((0,), (0,), 0.9), Bead((1,), ()), Bead((2,), (1,), 0.7)])
    return Alignment(src_id, src_id.replace("ru", "en"), "ru", "en",
                     ("Первое.", "Лишнее.", "Третье."), ("First.", "Third."), tuple(beads),
                     signature or {"stage": "align", "max_bead": "3"})


def test_units_skip_null_beads_and_carry_props() -> None:
    scores = [BeadScore(61.234, 20.5), None, BeadScore(10.0, None, doubtful=True)]
    units = list(alignment_units(alignment(), scores))
    assert [(u.source, u.target, u.tuid) for u in units] == [
        ("Первое.", "First.", "000_ru:0"), ("Третье.", "Third.", "000_ru:2")]
    assert dict(units[0].props) == {
        "x-align-score": "0.9000", "x-bead-type": "1-1", "x-src-doc": "000_ru",
        "x-tgt-doc": "000_en", "x-src-idx": "0", "x-tgt-idx": "0", "x-mt-chrf": "61.23",
        "x-mt-bleu": "20.50", "x-mt-doubtful": "no"}
    assert units[1].prop("x-mt-bleu") is None and units[1].prop("x-mt-doubtful") == "yes"


def test_multi_sentence_beads_join_text_and_make_segtype_paragraph() -> None:
    [first, _] = alignment_units(alignment(multi=True))
    assert (first.source, first.prop("x-src-idx"), first.prop("x-bead-type")) == (
        "Первое. Лишнее.", "0,1", "2-1")
    assert segtype_for([alignment(multi=True)]) == "paragraph"
    assert segtype_for([alignment()]) == "sentence"


def test_write_alignment_tmx_round_trips_with_signature(tmp_path: Path) -> None:
    path = tmp_path / "out.tmx"
    alignments = [alignment("000_ru"), alignment("001_ru", multi=True)]
    stats = write_alignment_tmx(path, alignments, locale_style="region")
    units = list(read_units(path))
    assert stats.written == len(units) == 3 and stats.duplicates == 1  # "Третье." twice
    assert {(u.src_lang, u.tgt_lang) for u in units} == {("ru-RU", "en-US")}
    header = read_header(path)
    assert (header.srclang, header.segtype, header.creationtool) == ("ru-RU", "paragraph",
                                                                   "aligner")
    import lxml
    from aligner import __version__
    assert dict(header.props) == {
        "x-align-max_bead": "3", "x-align-stage": "align", "x-signature-aligner": __version__,
        "x-signature-duplicates": "pairs", "x-signature-locale_style": "region",
        "x-signature-stage": "tmx", "x-signature-v:lxml": lxml.__version__}
    assert validate(path).issues == []


def test_bad_arguments(tmp_path: Path) -> None:
    path = tmp_path / "out.tmx"
    with pytest.raises(InputError, match="2 bead scores for 3 beads"):
        list(alignment_units(alignment(), [None, None]))
    with pytest.raises(ConfigurationError, match="unknown locale style 'posix'"):
        write_alignment_tmx(path, [alignment()], locale_style="posix")
    with pytest.raises(InputError, match="no alignments"):
        write_alignment_tmx(path, [])
    reverse = Alignment("e", "r", "en", "ru", ("Yes.",), ("Да.",), (Bead((0,), (0,)),))
    with pytest.raises(InputError, match="source language 'en' differs"):
        write_alignment_tmx(path, [alignment(), reverse])
    assert not path.exists()
