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
from tmx.errors import TmxError
from tmx.model import TOOL_VERSION, TmxHeader, TmxUnit, tmx_date
from tmx.reader import read_header, read_units
from tmx.text import primary_language, text_key
from tmx.writer import WriteStats, write_tmx

PathLike = str | os.PathLike[str]
CONVERT_FORMATS = ("tsv", "jsonl", "moses")
SCORE_PROP = "x-align-score"
DEFAULT_TOOL = ("tmx", TOOL_VERSION)


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

    def to_json(self) -> dict[str, Any]:
        bins = len(self.score_histogram)
        return {"files": self.files, "units": self.units,
                "languages": dict(sorted(self.languages.items())),
                "duplicate_pairs": self.duplicate_pairs,
                "sources_with_several_targets": self.sources_with_several_targets,
                "bead_types": dict(sorted(self.bead_types.items())),
                "score_histogram": {f"{i / bins:.1f}-{(i + 1) / bins:.1f}": count
                                    for i, count in enumerate(self.score_histogram)},
                "unscored": self.unscored}


def tm_stats(paths: Sequence[PathLike], score_prop: str = SCORE_PROP) -> TmStats:
    """Count units, language pairs, duplicates and the score histogram of TMX files.

    Duplicates are counted across all the files, as ``merge`` would see them.
    """
    stats = TmStats(files=len(paths))
    seen_pairs: set[bytes] = set()
    target_of: dict[bytes, bytes] = {}
    several: set[bytes] = set()
    for path in paths:
        for unit in read_units(path):
            stats.units += 1
            langs = (primary_language(unit.src_lang), primary_language(unit.tgt_lang))
            stats.languages[f"{unit.src_lang}->{unit.tgt_lang}"] += 1
            pair = text_key(*langs, unit.source, unit.target)
            if pair in seen_pairs:
                stats.duplicate_pairs += 1
            seen_pairs.add(pair)
            source = text_key(*langs, unit.source)
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
                 dropped: Counter[str]) -> Iterator[TmxUnit]:
    """Yield the units every filter accepts; count each drop under the first filter refusing."""
    for unit in units:
        refusing = next((f for f in filters if not f.accept(unit)), None)
        if refusing is None:
            yield unit
        else:
            dropped[refusing.name] += 1


# --- files ----------------------------------------------------------------------------------

def _merged_header(headers: Sequence[tuple[PathLike, TmxHeader]], tool: tuple[str, str],
                   props: Iterable[tuple[str, str]]) -> TmxHeader:
    first_path, first = headers[0]
    for path, header in headers[1:]:
        if primary_language(header.srclang) != primary_language(first.srclang):
            raise TmxError(f"{path}: source language {header.srclang!r} differs from "
                           f"{first_path}'s {first.srclang!r}; merge files of one direction")
    segtypes = {header.segtype for _, header in headers}
    # Units of different segmentation together: "paragraph" is the honest upper bound.
    segtype = segtypes.pop() if len(segtypes) == 1 else "paragraph"
    return TmxHeader(srclang=first.srclang, creationtool=tool[0], creationtoolversion=tool[1],
                     segtype=segtype, creationdate=tmx_date(), props=tuple(props))


def merge_tmx(paths: Sequence[PathLike], out: PathLike, duplicates: str = "pairs",
              locale_style: str = "bare", tool: tuple[str, str] = DEFAULT_TOOL,
              props: Iterable[tuple[str, str]] = ()) -> WriteStats:
    """Merge TMX files into ``out`` (atomically), dropping duplicates by the ``duplicates`` policy.

    The inputs must share a source language; ``tool`` (name, version) and ``props`` go into
    the output header.
    """
    if not paths:
        raise TmxError("merge needs at least one input file")
    headers = [(path, read_header(path)) for path in paths]
    header = _merged_header(headers, tool, props)
    units = (unit for path in paths for unit in read_units(path))
    return write_tmx(out, units, header, locale_style=locale_style, duplicates=duplicates)


def filter_tmx(path: PathLike, out: PathLike, filters: Sequence[UnitFilter],
               locale_style: str = "bare", tool: tuple[str, str] = DEFAULT_TOOL,
               props: Iterable[tuple[str, str]] = ()) -> tuple[WriteStats, Counter[str]]:
    """Write the units of ``path`` that pass every filter to ``out`` (atomically).

    Returns the writer's statistics and the drop count of each filter; the output header
    records the filters in an ``x-filters`` prop.
    """
    described = " ".join(f.describe() for f in filters) or "none"
    header = _merged_header([(path, read_header(path))], tool,
                            (*props, ("x-filters", described)))
    dropped: Counter[str] = Counter()
    stats = write_tmx(out, filter_units(read_units(path), filters, dropped), header,
                      locale_style=locale_style, duplicates="none")
    return stats, dropped


def _tsv_field(text: str) -> str:
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def write_tsv(units: Iterable[TmxUnit], stream: IO[str]) -> int:
    r"""Write ``source<TAB>target`` lines; backslash, tab and newlines are escaped (``\t``).

    >>> import io; out = io.StringIO()
    >>> write_tsv([TmxUnit("a\tb", "c", "ru", "en")], out), out.getvalue()
    (1, 'a\\tb\tc\n')
    """
    count = 0
    for unit in units:
        stream.write(f"{_tsv_field(unit.source)}\t{_tsv_field(unit.target)}\n")
        count += 1
    return count


def write_jsonl(units: Iterable[TmxUnit], stream: IO[str]) -> int:
    """Write one JSON object per unit (every field, props included)."""
    count = 0
    for unit in units:
        stream.write(json.dumps(unit.to_json(), ensure_ascii=False, sort_keys=True) + "\n")
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


def moses_paths(prefix: PathLike, src_lang: str, tgt_lang: str) -> tuple[str, str]:
    """The two files of a Moses parallel corpus: ``PREFIX.ru`` and ``PREFIX.en``.

    >>> moses_paths("out/corpus", "ru-RU", "en")
    ('out/corpus.ru', 'out/corpus.en')
    """
    base = os.fspath(prefix)
    return f"{base}.{primary_language(src_lang)}", f"{base}.{primary_language(tgt_lang)}"


def _one_line(text: str) -> str:
    """``text`` with every line break (as :meth:`str.splitlines` sees them) made a space."""
    return " ".join(text.splitlines())


def write_moses(path: PathLike, prefix: PathLike) -> tuple[int, int]:
    """Convert a TMX file to a Moses corpus (two files, one segment per line), atomically.

    Line breaks inside a segment would break the line alignment: they become spaces.
    Returns (units written, segments whose line breaks were replaced).
    """
    header = read_header(path)
    first = next(iter(read_units(path)), None)
    if first is None:
        raise TmxError(f"{path}: no units to convert (srclang {header.srclang!r})")
    src_path, tgt_path = moses_paths(prefix, first.src_lang, first.tgt_lang)
    count = flattened = 0
    with ExitStack() as stack:
        src_out = stack.enter_context(text_output(stack.enter_context(atomic_output(src_path))))
        tgt_out = stack.enter_context(text_output(stack.enter_context(atomic_output(tgt_path))))
        for unit in read_units(path, tgt_lang=first.tgt_lang):
            source, target = _one_line(unit.source), _one_line(unit.target)
            flattened += (source != unit.source) + (target != unit.target)
            src_out.write(source + "\n")
            tgt_out.write(target + "\n")
            count += 1
    return count, flattened


def convert_tmx(path: PathLike, fmt: str, stream: BinaryIO) -> int:
    """Convert a TMX file to ``tsv`` or ``jsonl`` on a binary stream; return the unit count."""
    writers = {"tsv": write_tsv, "jsonl": write_jsonl}
    if fmt not in writers:
        raise TmxError(f"cannot write {fmt!r} to one stream: use tsv or jsonl "
                       "(moses writes two files, see write_moses)")
    with text_output(stream) as text:
        return writers[fmt](read_units(path), text)
