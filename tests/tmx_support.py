"""Helpers shared by the tests of the tmx package (not a test module itself)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tmx import TmxHeader, TmxUnit, WriteStats, write_tmx

FIXED_DATE = "20240102T030405Z"
HEADER_ATTRS = ('creationtool="x" creationtoolversion="1" segtype="sentence" o-tmf="x" '
                'adminlang="en" datatype="plaintext" creationdate="20240101T000000Z"')


def tu_xml(src: str = "Да", tgt: str = "Yes", src_lang: str = "ru", tgt_lang: str = "en",
           attrs: str = "") -> str:
    """A hand-written ``<tu>`` with a source and a target variant."""
    return (f'<tu{attrs}><tuv xml:lang="{src_lang}"><seg>{src}</seg></tuv>'
            f'<tuv xml:lang="{tgt_lang}"><seg>{tgt}</seg></tuv></tu>')


def tmx_text(body: str, doctype: str = "", header_attrs: str = HEADER_ATTRS,
             srclang: str = "ru") -> str:
    """A hand-written TMX document; ``body`` starts on line 5 (with an empty ``doctype``)."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}\n<tmx version="1.4">\n'
            f'<header {header_attrs} srclang="{srclang}"/>\n<body>\n{body}\n</body>\n</tmx>\n')


def header(srclang: str = "ru", **extra: object) -> TmxHeader:
    """A header with a fixed date, so outputs are byte-identical across runs."""
    return TmxHeader(srclang=srclang, creationtool="aligner-tests", creationdate=FIXED_DATE,
                     **extra)  # type: ignore[arg-type]


def sample_units() -> list[TmxUnit]:
    """Three units with props, notes, markup characters and Cyrillic."""
    return [
        TmxUnit("Кошка сидит на окне.", "The cat is sitting on the window.", "ru", "en",
                props={"x-align-score": "0.9300", "x-bead-type": "1-1"}, tuid="d1:0"),
        TmxUnit("Мы пошли домой & легли <спать>.", "We went home & went to <bed>.", "ru", "en",
                props=[("x-align-score", "0.5000"), ("x-note", "a"), ("x-note", "b")],
                notes=("checked by hand",), tuid="d1:1"),
        TmxUnit("Это «ёлочки» и ]]> тоже.", "These are \"quotes\" and ]]> too.", "ru", "en",
                props={"x-align-score": "0.1000", "x-bead-type": "2-1"}, tuid="d1:2"),
    ]


def write(path: Path, units: Iterable[TmxUnit], **options: object) -> WriteStats:
    """Write units with the test header."""
    return write_tmx(path, units, header(), **options)  # type: ignore[arg-type]
