"""Translation-memory operations on TMX files: statistics, merge, filter and convert.

All of them stream: units are read, decided on and written one at a time. Scores and
decisions are kept apart (OpusFilter's habit): a filter reads a number from a unit's props and
a threshold decides, so thresholds can be retuned without recomputing anything.
"""

from __future__ import annotations

import io
import json
import os
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO

from tmx._atomic import atomic_output
from tmx.errors import TmxError, TmxUsageError
from tmx.inline import MARKUP_MODES
from tmx.model import (TOOL_VERSION, LeftOut, TmxHeader, TmxUnit, split_attrs, tmx_date,
                       with_attrs)
from tmx.reader import TmxReader, read_header
from tmx.text import file_safe_lang, lang_key, lang_matches, text_key
from tmx.writer import WriteStats, write_tmx

PathLike = str | os.PathLike[str]
CONVERT_FORMATS = ("tsv", "jsonl", "moses")
SCORE_PROP = "x-align-score"
DEFAULT_TOOL = ("tmx", TOOL_VERSION)


@dataclass(frozen=True)
class Languages:
    """The language direction a command selects; None: whatever each file says.

    Exact (any case) when a code has a region (``en-GB``), by language when bare (``en``).
    """

    src_lang: str | None = None
    tgt_lang: str | None = None

    def __post_init__(self) -> None:
        if self.src_lang and lang_key(self.src_lang) == lang_key(self.tgt_lang):
            raise TmxUsageError(f"source and target language are both {self.src_lang!r}: a "
                                "unit needs two (see --src-lang/--tgt-lang)")


ANY_LANGUAGES = Languages()


def read_selected(paths: Iterable[PathLike], languages: Languages, left_out: LeftOut,
                  multilingual: bool = False) -> Iterator[TmxUnit]:
    """The units of several files in ``languages``; each ``<tu>`` that gives none is added to
    ``left_out`` once its file has been read. ``multilingual``: see :class:`TmxReader`."""
    for path in paths:
        reader = TmxReader(path, languages.tgt_lang, languages.src_lang, multilingual)
        yield from reader
        left_out.update(reader.left_out)


# --- statistics -----------------------------------------------------------------------------

@dataclass
class TmStats:
    """Counts over one or more TMX files: units, language pairs, duplicates, score histogram."""

    files: int = 0
    units: int = 0
    languages: Counter[str] = field(default_factory=Counter)
    duplicate_pairs: int = 0
    sources_with_several_targets: int = 0
    bead_types: Counter[str] = field(default_factory=Counter)
    score_histogram: list[int] = field(default_factory=lambda: [0] * 10)
    unscored: int = 0
    left_out: LeftOut = field(default_factory=LeftOut)

    def to_json(self) -> dict[str, Any]:
        bins = len(self.score_histogram)
        return {"files": self.files, "units": self.units,
                "languages": dict(sorted(self.languages.items())),
                "duplicate_pairs": self.duplicate_pairs,
                "sources_with_several_targets": self.sources_with_several_targets,
                "bead_types": dict(sorted(self.bead_types.items())),
                "score_histogram": {f"{i / bins:.1f}-{(i + 1) / bins:.1f}": count
                                    for i, count in enumerate(self.score_histogram)},
                "unscored": self.unscored, "left_out": self.left_out.to_json()}


def tm_stats(paths: Sequence[PathLike], score_prop: str = SCORE_PROP,
             languages: Languages = ANY_LANGUAGES) -> TmStats:
    """Count units, language pairs, duplicates and the score histogram of TMX files.

    Duplicates are counted across all the files, as ``merge`` would see them (markup
    included: units that differ only in markup are not duplicates). Language pairs are
    counted by their lower-case codes (``en-US`` and ``en-us`` are one language).
    """
    stats = TmStats(files=len(paths))
    seen_pairs: set[bytes] = set()
    target_of: dict[bytes, bytes] = {}
    several: set[bytes] = set()
    for unit in read_selected(paths, languages, stats.left_out):
        stats.units += 1
        langs = (lang_key(unit.src_lang), lang_key(unit.tgt_lang))
        stats.languages["->".join(langs)] += 1
        source_xml = unit.source_xml()
        pair = text_key(*langs, source_xml, unit.target_xml())
        if pair in seen_pairs:
            stats.duplicate_pairs += 1
        seen_pairs.add(pair)
        source = text_key(*langs, source_xml)
        if target_of.setdefault(source, pair) != pair:
            several.add(source)
        _count_score(stats, unit.score(score_prop))
        if unit.prop("x-bead-type"):
            stats.bead_types[unit.prop("x-bead-type")] += 1
    stats.sources_with_several_targets = len(several)
    return stats


def _count_score(stats: TmStats, score: float | None) -> None:
    if score is None or not 0.0 <= score <= 1.0:
        stats.unscored += 1
        return
    bins = len(stats.score_histogram)
    stats.score_histogram[min(int(score * bins), bins - 1)] += 1


# --- filters: a score read from the unit, a threshold decides --------------------------------

class UnitFilter(ABC):
    """Keep or drop a unit; ``name`` labels the drop counts."""

    name: str = "filter"

    @abstractmethod
    def accept(self, unit: TmxUnit) -> bool:
        """Whether ``unit`` is kept."""

    def describe(self) -> str:
        """A short ``name=value`` description, recorded in the output header."""
        return self.name


@dataclass(frozen=True)
class MinScore(UnitFilter):
    """Keep units whose numeric prop (default ``x-align-score``) is at least ``threshold``.

    >>> MinScore(0.5).accept(TmxUnit("a", "b", "ru", "en", props={"x-align-score": "0.7"}))
    True
    """

    threshold: float
    prop: str = SCORE_PROP
    keep_unscored: bool = False

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"min-{self.prop.removeprefix('x-')}"

    def accept(self, unit: TmxUnit) -> bool:
        score = unit.score(self.prop)
        return self.keep_unscored if score is None else score >= self.threshold

    def describe(self) -> str:
        return f"{self.name}={self.threshold}"


@dataclass(frozen=True)
class MaxLengthRatio(UnitFilter):
    """Keep units whose longer side has at most ``ratio`` times the characters of the shorter.

    >>> MaxLengthRatio(2.0).accept(TmxUnit("aaaaa", "b", "ru", "en"))
    False
    """

    ratio: float
    name = "max-length-ratio"

    def accept(self, unit: TmxUnit) -> bool:
        shorter, longer = sorted((len(unit.source), len(unit.target)))
        return longer <= self.ratio * max(shorter, 1)

    def describe(self) -> str:
        return f"{self.name}={self.ratio}"


@dataclass(frozen=True)
class LengthRange(UnitFilter):
    """Keep units whose both sides have between ``min_chars`` and ``max_chars`` characters."""

    min_chars: int = 1
    max_chars: int | None = None
    name = "length"

    def __post_init__(self) -> None:
        if self.max_chars is not None and self.min_chars > self.max_chars:
            raise TmxUsageError(f"the least length {self.min_chars} is above the most, "
                                f"{self.max_chars}: no unit could pass "
                                "(see --min-length/--max-length)")

    def accept(self, unit: TmxUnit) -> bool:
        lengths = (len(unit.source), len(unit.target))
        return min(lengths) >= self.min_chars and (
            self.max_chars is None or max(lengths) <= self.max_chars)

    def describe(self) -> str:
        return f"{self.name}={self.min_chars}..{self.max_chars or ''}"


@dataclass(frozen=True)
class BeadTypes(UnitFilter):
    """Keep units whose ``x-bead-type`` is one of ``types`` (e.g. only ``1-1``)."""

    types: frozenset[str]
    name = "bead-type"

    def accept(self, unit: TmxUnit) -> bool:
        return unit.prop("x-bead-type") in self.types

    def describe(self) -> str:
        return f"{self.name}={','.join(sorted(self.types))}"


@dataclass(frozen=True)
class DropIdentical(UnitFilter):
    """Drop units whose source equals the target (untranslated text, numbers, names)."""

    name = "drop-identical"

    def accept(self, unit: TmxUnit) -> bool:
        return unit.source.strip() != unit.target.strip()


def filter_units(units: Iterable[TmxUnit], filters: Sequence[UnitFilter],
                 dropped: LeftOut) -> Iterator[TmxUnit]:
    """Yield the units every filter accepts; count each drop under the first filter refusing."""
    for unit in units:
        refusing = next((f for f in filters if not f.accept(unit)), None)
        if refusing is None:
            yield unit
        else:
            dropped.add(refusing.name, unit.name())


# --- files ---------------------------------------------------------------------------------

def _unique(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(items))


def _merged_header(headers: Sequence[TmxHeader], tool: tuple[str, str],
                   props: Iterable[tuple[str, str]], languages: Languages) -> TmxHeader:
    """The inputs' header: the first file's attributes, every file's props, notes and udes
    (after ``props``, this command's own).

    ``tool`` becomes the creation tool (it wrote this file); an attribute the files disagree
    on takes an honest general value (``segtype`` paragraph, ``datatype`` unknown).
    """
    first = headers[0]
    segtypes = {header.segtype for header in headers}
    datatypes = {header.datatype for header in headers}
    srclang = first.srclang
    if languages.src_lang and not lang_matches(srclang, languages.src_lang):
        srclang = languages.src_lang
    merged_props, notes, meta_attrs = split_attrs(
        _unique([*((prop, ()) for prop in props),
                 *(item for h in headers for item in with_attrs(h.props, h.meta_attrs, "prop"))]),
        _unique(item for h in headers for item in with_attrs(h.notes, h.meta_attrs, "note")))
    return TmxHeader(srclang=srclang, creationtool=tool[0], creationtoolversion=tool[1],
                     segtype=segtypes.pop() if len(segtypes) == 1 else "paragraph",
                     o_tmf=first.o_tmf, adminlang=first.adminlang,
                     datatype=datatypes.pop() if len(datatypes) == 1 else "unknown",
                     creationdate=tmx_date(), extra=first.extra, props=merged_props,
                     notes=notes, udes=_unique(u for h in headers for u in h.udes),
                     meta_attrs=meta_attrs)


def merge_tmx(paths: Sequence[PathLike], out: PathLike, duplicates: str = "pairs",
              locale_style: str = "keep", tool: tuple[str, str] = DEFAULT_TOOL,
              props: Iterable[tuple[str, str]] = (),
              languages: Languages = ANY_LANGUAGES) -> WriteStats:
    """Merge TMX files into ``out`` (atomically), dropping duplicates by the ``duplicates`` policy.

    A unit whose source language is not the first file's says so in its own ``srclang``;
    multilingual units stay multilingual (unless ``languages`` selects a target); tuids stay
    unique (a repeated one gets a suffix). ``tool`` (name, version) and ``props``
    go into the output header; the returned ``left_out`` names every unit not written.
    """
    if not paths:
        raise TmxError("merge needs at least one input file")
    header = _merged_header([read_header(path) for path in paths], tool, props, languages)
    read_left_out = LeftOut()
    stats = write_tmx(out, read_selected(paths, languages, read_left_out, True), header,
                      locale_style=locale_style, duplicates=duplicates, unique_tuids=True)
    stats.left_out.update(read_left_out)
    return stats


def filter_tmx(path: PathLike, out: PathLike, filters: Sequence[UnitFilter],
               locale_style: str = "keep", tool: tuple[str, str] = DEFAULT_TOOL,
               props: Iterable[tuple[str, str]] = (),
               languages: Languages = ANY_LANGUAGES) -> tuple[WriteStats, LeftOut]:
    """Write the units of ``path`` that pass every filter to ``out`` (atomically).

    Filters judge the source and the first target of a multilingual unit, which stays
    multilingual. Returns the writer's statistics (its ``left_out`` also names the units the
    reader could not use) and the units each filter dropped; the output header records the
    filters in an ``x-filters`` prop.
    """
    described = " ".join(f.describe() for f in filters) or "none"
    header = _merged_header([read_header(path)], tool, (*props, ("x-filters", described)),
                            languages)
    dropped, read_left_out = LeftOut(), LeftOut()
    units = filter_units(read_selected([path], languages, read_left_out, True), filters,
                         dropped)
    stats = write_tmx(out, units, header, locale_style=locale_style, duplicates="none",
                      unique_tuids=True)
    stats.left_out.update(read_left_out)
    return stats, dropped


def _tsv_field(text: str) -> str:
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def _check_markup(markup: str) -> None:
    if markup not in MARKUP_MODES:
        raise TmxError(f"unknown markup mode {markup!r}: use one of {', '.join(MARKUP_MODES)}")


def _sides(unit: TmxUnit, markup: str) -> tuple[str, str]:
    """Source and target as plain text (``strip``) or as TMX inline XML (``keep``)."""
    if markup == "strip":
        return unit.source, unit.target
    return unit.source_xml(), unit.target_xml()


def write_tsv(units: Iterable[TmxUnit], stream: IO[str], markup: str = "keep") -> int:
    r"""Write ``source<TAB>target`` lines; backslash, tab and newlines are escaped (``\t``).

    With ``markup="keep"`` each side is TMX inline XML (``&amp; &lt; &gt;`` escaped, inline
    elements as tags); with ``strip``, plain text.

    >>> import io; out = io.StringIO()
    >>> write_tsv([TmxUnit("a\tb", "c&d", "ru", "en")], out), out.getvalue()
    (1, 'a\\tb\tc&amp;d\n')
    """
    count = 0
    for unit in units:
        source, target = _sides(unit, markup)
        stream.write(f"{_tsv_field(source)}\t{_tsv_field(target)}\n")
        count += 1
    return count


def write_jsonl(units: Iterable[TmxUnit], stream: IO[str], markup: str = "keep") -> int:
    """Write one JSON object per unit (every field; the markup as XML unless ``strip``)."""
    count = 0
    for unit in units:
        data = unit.to_json(markup=markup == "keep")
        stream.write(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count


@contextmanager
def text_output(stream: BinaryIO) -> Iterator[IO[str]]:
    """A UTF-8 text view of a binary stream, detached (not closed) at the end."""
    wrapper = io.TextIOWrapper(stream, encoding="utf-8", newline="\n")
    try:
        yield wrapper
        wrapper.flush()
    finally:
        wrapper.detach()


@dataclass
class ConvertStats:
    """What a conversion wrote, and the units it could not (no variant in the languages)."""

    units: int = 0
    flattened: int = 0  # segments whose line breaks became spaces (Moses)
    left_out: LeftOut = field(default_factory=LeftOut)

    def to_json(self) -> dict[str, Any]:
        return {"units": self.units, "flattened": self.flattened,
                "left_out": self.left_out.to_json()}


def moses_paths(prefix: PathLike, src_lang: str, tgt_lang: str) -> tuple[str, str]:
    """The two files of a Moses parallel corpus, ``PREFIX.SRC`` and ``PREFIX.TGT``.

    The codes must be safe in a file name and name two different files.

    >>> moses_paths("out/corpus", "ru-RU", "en")
    ('out/corpus.ru-RU', 'out/corpus.en')
    >>> moses_paths("out/corpus", "en-US", "en-us")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tmx.errors.TmxError: source and target language 'en-US' and 'en-us' would both write ...
    """
    base = os.fspath(prefix)
    src, tgt = file_safe_lang(src_lang), file_safe_lang(tgt_lang)
    if lang_key(src) == lang_key(tgt):
        raise TmxError(f"source and target language {src_lang!r} and {tgt_lang!r} would both "
                       f"write {base}.{lang_key(src)}: give --src-lang and --tgt-lang that "
                       "differ")
    return f"{base}.{src}", f"{base}.{tgt}"


def _one_line(text: str) -> str:
    """``text`` with every line break (as :meth:`str.splitlines` sees them) made a space."""
    return " ".join(text.splitlines())


def _moses_languages(path: PathLike, languages: Languages) -> Languages:
    """The direction of a Moses corpus: the languages asked for, else the file's own."""
    src_lang, tgt_lang = languages.src_lang, languages.tgt_lang
    if src_lang is None or tgt_lang is None:
        first = next(iter(TmxReader(path, tgt_lang, src_lang)), None)
        if first is None:
            raise TmxError(f"{path}: no units to convert in the languages asked for "
                           f"({src_lang or 'source'} -> {tgt_lang or 'target'})")
        src_lang, tgt_lang = src_lang or first.src_lang, tgt_lang or first.tgt_lang
    return Languages(src_lang, tgt_lang)


def write_moses(path: PathLike, prefix: PathLike, markup: str = "strip",
                languages: Languages = ANY_LANGUAGES) -> ConvertStats:
    """Convert a TMX file to a Moses corpus (two files, one segment per line), atomically.

    The files are named by the languages asked for, else by the file's source language and
    its first unit's target language; only units in those languages are written (the others
    are counted in ``left_out``). Line breaks inside a segment would break the line
    alignment: they become spaces.
    """
    _check_markup(markup)
    languages = _moses_languages(path, languages)
    src_path, tgt_path = moses_paths(prefix, languages.src_lang, languages.tgt_lang)
    if any(os.path.realpath(out) == os.path.realpath(path) for out in (src_path, tgt_path)):
        raise TmxError(f"{path}: --to moses would write over this input; choose another -o")
    stats = ConvertStats()
    with ExitStack() as stack:
        src_out = stack.enter_context(text_output(stack.enter_context(atomic_output(src_path))))
        tgt_out = stack.enter_context(text_output(stack.enter_context(atomic_output(tgt_path))))
        for unit in read_selected([path], languages, stats.left_out):
            source, target = _sides(unit, markup)
            one_line_source, one_line_target = _one_line(source), _one_line(target)
            stats.flattened += (one_line_source != source) + (one_line_target != target)
            src_out.write(one_line_source + "\n")
            tgt_out.write(one_line_target + "\n")
            stats.units += 1
    return stats


def convert_tmx(path: PathLike, fmt: str, stream: BinaryIO, markup: str = "keep",
                languages: Languages = ANY_LANGUAGES) -> ConvertStats:
    """Convert a TMX file to ``tsv`` or ``jsonl`` on a binary stream."""
    writers = {"tsv": write_tsv, "jsonl": write_jsonl}
    if fmt not in writers:
        raise TmxError(f"cannot write {fmt!r} to one stream: use tsv or jsonl "
                       "(moses writes two files, see write_moses)")
    _check_markup(markup)
    stats = ConvertStats()
    with text_output(stream) as text:
        stats.units = writers[fmt](read_selected([path], languages, stats.left_out), text,
                                   markup)
    return stats
