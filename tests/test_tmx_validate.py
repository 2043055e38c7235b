"""The validator: the DTD plus what the DTD cannot check, each issue with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from tmx_support import HEADER_ATTRS, sample_units, tmx_text, write
from tmx_support import tu_xml as tu

from tmx import validate

def tmx_file(tmp_path: Path, body: str, header_attrs: str = HEADER_ATTRS,
             srclang: str = "ru") -> Path:
    """A TMX file whose ``body`` text starts on line 5."""
    path = tmp_path / "t.tmx"
    path.write_text(tmx_text(body, header_attrs=header_attrs, srclang=srclang), encoding="utf-8")
    return path


def issues(path: Path) -> list[tuple[int | None, str, str]]:
    return [(issue.line, issue.level, issue.message) for issue in validate(path).issues]


def test_our_output_is_clean(tmp_path: Path) -> None:
    path = tmp_path / "ours.tmx"
    write(path, sample_units())
    report = validate(path)
    assert report.ok and report.issues == [] and report.units == 3


@pytest.mark.parametrize(("body", "line", "level", "fragment"), [
    (tu(tgt=""), 5, "error", "empty <seg>"),
    (tu(tgt=" Yes"), 5, "warning", "whitespace around the <seg> text"),
    (tu(tgt="Yes\u0085"), 5, "warning", "control character U+0085"),
    (tu(tgt_lang="en_US"), 5, "error", "language 'en_US' is not BCP 47"),
    (tu(src_lang="rus"), 5, "error", "language 'rus' is not BCP 47"),
    (tu(src_lang="ru-RU"), 5, "warning", "matches a <tuv> only by language"),
    (tu(src_lang="de"), 5, "error", "no <tuv> in the source language 'ru' (found de, en)"),
    (tu(attrs=' creationdate="2024-01-01"'), 5, "error", "is not a TMX date"),
    (tu(attrs=' creationdate="20240101T000000Z&#10;"'), 5, "error", "is not a TMX date"),
    (tu(attrs=' segtype="chapter"'), 5, "error", "DTD: Value \"chapter\" for attribute segtype"),
    ('<tu><tuv xml:lang="ru"><seg>a</seg><prop type="x">1</prop></tuv></tu>', 5, "error",
     "DTD: Element tuv content does not follow the DTD"),
    ('<tu><tuv xml:lang="ru"><seg>a</seg></tuv></tu>', 5, "warning", "<tu> has 1 <tuv>"),
    ('<tuv xml:lang="ru"><seg>a</seg></tuv>', 5, "error", "unexpected <tuv>"),
    (tu(attrs=' tuid="a b"'), 5, "warning", "tuid 'a b' contains whitespace"),
    (tu(attrs=' tuid="1"') + "\n" + tu(attrs=' tuid="1"'), 6, "warning", "tuid '1' is not unique"),
])
def test_each_problem_is_found_at_its_line(tmp_path: Path, body: str, line: int, level: str,
                                           fragment: str) -> None:
    found = issues(tmx_file(tmp_path, body))
    matching = [issue for issue in found if fragment in issue[2]]
    assert matching, found
    assert matching[0][:2] == (line, level)


def test_header_problems(tmp_path: Path) -> None:
    attrs = HEADER_ATTRS.replace('segtype="sentence" ', "").replace("20240101T000000Z", "today")
    found = issues(tmx_file(tmp_path, tu(), attrs, srclang="ru_RU"))
    messages = " | ".join(message for _, _, message in found)
    assert "DTD: Element header does not carry attribute segtype" in messages
    assert "creationdate=\"today\"> is not a TMX date" in messages
    assert "header srclang language 'ru_RU' is not BCP 47" in messages
    assert all(line == 3 for line, _, message in found if "header" in message)


def test_forbidden_control_character_is_a_parse_error_with_line(tmp_path: Path) -> None:
    found = issues(tmx_file(tmp_path, tu(tgt="Yes&#1;")))
    assert len(found) == 1 and found[0][:2] == (5, "error")
    assert "not well-formed XML at line 5" in found[0][2]


def test_structure_and_old_versions(tmp_path: Path) -> None:
    path = tmp_path / "old.tmx"
    path.write_text('<tmx version="1.1"><body></body></tmx>')
    found = issues(path)
    assert found[0][1:] == ("warning", "TMX version 1.1: older TMX is readable, but only 1.4 "
                                       "is checked against the DTD")
    assert found[1][1] == "error"
    assert "must contain <header> then <body>, found <body>" in found[1][2]


def test_issue_count_is_capped(tmp_path: Path) -> None:
    path = tmx_file(tmp_path, "\n".join(tu(tgt="") for _ in range(30)))
    report = validate(path, max_issues=10)
    assert len(report.issues) == 10 and report.truncated and report.units == 30
