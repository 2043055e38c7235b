"""``aligner tmx``: validate, inspect, merge, filter and convert TMX translation memories."""

from __future__ import annotations

import functools
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

import tmx as tmxlib
from aligner import __version__
from aligner.cli.common import (InputPath, OutputPath, UserError, echo_json, json_option,
                                quiet_option, reports_errors, warn)
from aligner.errors import ConfigurationError
from aligner.export import signature_props
from aligner.io import atomic_write, refuse_output_over_input, write_json
from aligner.signature import make_signature, signature_path

F = TypeVar("F", bound=Callable[..., Any])
OUTPUT = OutputPath(dir_okay=False, path_type=Path)
INPUTS = InputPath(dir_okay=False, path_type=Path)
TOOL = ("aligner", __version__)


def reports_tmx_errors(command: F) -> F:
    """Like :func:`reports_errors`, for the ``tmx`` library's own :class:`tmx.TmxError` too."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except tmxlib.TmxUsageError as error:
            raise UserError(str(error), ConfigurationError.exit_code) from None
        except tmxlib.TmxError as error:
            raise UserError(str(error)) from None

    return reports_errors(wrapper)  # type: ignore[return-value]


def _signature_props(stage: str, options: dict[str, object]) -> list[tuple[str, str]]:
    return signature_props(make_signature(stage, options, packages=("lxml",)))


def _summary(message: str, quiet: bool) -> None:
    if not quiet:
        click.echo(message, err=True)


def _left_out(where: object, left_out: tmxlib.LeftOut, lead: str = "") -> str:
    """The summary's words for the units a command left out. The units themselves are told
    in a warning first, which ``--quiet`` keeps (it drops the summary)."""
    if not left_out.total:
        return f"{lead}none left out"
    warn(f"{where}: {lead}{left_out.summary()}")
    return f"{lead}{left_out.total} left out (named above)"


locale_option = click.option("--locale-style", type=click.Choice(tmxlib.LOCALE_STYLES),
                             default="keep", show_default=True,
                             help="Language codes: as read (keep), 'ru'/'en' (bare) or "
                                  "'ru-RU'/'en-US' (region; Trados imports per locale). "
                                  "Example: --locale-style region")


def languages_options(command: F) -> F:
    """``--src-lang`` and ``--tgt-lang``: the direction a command reads."""
    command = click.option(
        "--tgt-lang", default=None,
        help="Only targets in this language: exact with a region (en-GB is not en-US), any "
             "region without one (en). Example: --tgt-lang en-GB")(command)
    return click.option(
        "--src-lang", default=None,
        help="Source language (default: each unit's srclang, else the header's); matched "
             "like --tgt-lang. Example: --src-lang en-US")(command)  # type: ignore[return-value]


@click.group()
def tmx() -> None:
    """Validate, inspect, merge, filter and convert TMX files.

    \b
    Example:
      aligner tmx validate out/corpus.tmx
      aligner tmx filter out/corpus.tmx --min-score 0.5 -o out/clean.tmx
    """


@tmx.command()
@click.argument("files", nargs=-1, required=True, type=INPUTS)
@quiet_option
@json_option
@reports_tmx_errors
def validate(files: tuple[Path, ...], quiet: bool, as_json: bool) -> None:
    """Check TMX files against the TMX 1.4 DTD and the rules CAT tools enforce beyond it.

    Reports every problem with its line: DTD violations, srclang without a matching <tuv>,
    dates, language codes, empty segments, whitespace, control characters. Exit 1 when a
    file has an error (warnings alone pass).

    \b
    Example:
      aligner tmx validate out/corpus.tmx other.tmx --json
    """
    reports = [tmxlib.validate(path) for path in files]
    if as_json:
        echo_json([report.to_json() for report in reports])
    else:
        for report in reports:
            for issue in report.issues:
                click.echo(f"{report.path}:{issue.line or 0}: {issue.level}: {issue.message}")
            _summary(f"{report.path}: {'OK' if report.ok else 'INVALID'}, {report.units} units, "
                     f"{len(report.errors)} errors, {len(report.warnings)} warnings", quiet)
    invalid = [report.path for report in reports if not report.ok]
    if invalid:
        raise UserError(f"{len(invalid)} of {len(reports)} files invalid: {', '.join(invalid)}")


@tmx.command()
@click.argument("files", nargs=-1, required=True, type=INPUTS)
@click.option("--score-prop", default="x-align-score", show_default=True,
              help="Numeric prop the histogram counts. Example: --score-prop x-mt-chrf")
@languages_options
@json_option
@reports_tmx_errors
def stats(files: tuple[Path, ...], score_prop: str, src_lang: str | None,
          tgt_lang: str | None, as_json: bool) -> None:
    """Count units, language pairs, duplicates and the score histogram of TMX files.

    Language pairs are counted by lower-case code; a <tu> with no variant in the languages
    is counted and named as left out.

    \b
    Example:
      aligner tmx stats out/corpus.tmx --json
      aligner tmx stats memoq.tmx --src-lang en-US --tgt-lang fr-CA
    """
    result = tmxlib.tm_stats(files, score_prop=score_prop,
                             languages=tmxlib.Languages(src_lang, tgt_lang)).to_json()
    if as_json:
        echo_json(result)
        return
    click.echo(f"files\t{result['files']}\nunits\t{result['units']}")
    for pair, count in result["languages"].items():
        click.echo(f"language pair {pair}\t{count}")
    click.echo(f"duplicate pairs\t{result['duplicate_pairs']}")
    click.echo(f"sources with several targets\t{result['sources_with_several_targets']}")
    for bead_type, count in result["bead_types"].items():
        click.echo(f"bead type {bead_type}\t{count}")
    for score_bin, count in result["score_histogram"].items():
        click.echo(f"{score_prop} {score_bin}\t{count}\t{'#' * min(count, 60)}")
    click.echo(f"unscored\t{result['unscored']}")
    click.echo(f"left out\t{sum(entry['count'] for entry in result['left_out'].values())}")
    for reason, entry in result["left_out"].items():
        click.echo(f"left out: {reason}\t{entry['count']}\t{', '.join(entry['units'][:3])}")


duplicates_option = click.option(
    "--duplicates", type=click.Choice(tmxlib.DUPLICATE_POLICIES), default="pairs",
    show_default=True, help="pairs: drop repeated (source, target); source: keep the first "
                            "target of each source; none: keep all. "
                            "Example: --duplicates source")


@tmx.command()
@click.argument("files", nargs=-1, required=True, type=INPUTS)
@click.option("-o", "--output", required=True, type=OUTPUT,
              help="Merged TMX to write. Example: -o all.tmx")
@duplicates_option
@locale_option
@languages_options
@quiet_option
@json_option
@reports_tmx_errors
def merge(files: tuple[Path, ...], output: Path, duplicates: str, locale_style: str,
          src_lang: str | None, tgt_lang: str | None, quiet: bool, as_json: bool) -> None:
    """Merge TMX files into one, removing duplicates (units that differ in markup are kept).

    Inline markup, props and notes (header, unit, variant) and attributes are kept; a unit
    whose source language is not the first file's keeps its own srclang; a repeated tuid
    gets a suffix. Every unit not written is counted and named.

    \b
    Example:
      aligner tmx merge a.tmx b.tmx -o all.tmx --duplicates source
      aligner tmx merge trados.tmx memoq.tmx --src-lang en-US --tgt-lang de-DE -o de.tmx
    """
    refuse_output_over_input(output, files)
    props = _signature_props("tmx-merge", {"duplicates": duplicates, "inputs": len(files),
                                           "locale_style": locale_style,
                                           "src_lang": src_lang, "tgt_lang": tgt_lang})
    written = tmxlib.merge_tmx(files, output, duplicates=duplicates, locale_style=locale_style,
                               tool=TOOL, props=props,
                               languages=tmxlib.Languages(src_lang, tgt_lang))
    result = written.to_json()
    if as_json:
        echo_json(result)
    _summary(f"{output}: {result['written']} units written, {result['duplicates']} duplicates "
             f"and {result['skipped_empty']} empty units dropped, {result['tuids_renamed']} "
             f"repeated tuids renamed; {_left_out(output, written.left_out)}", quiet)


@tmx.command(name="filter")
@click.argument("file", type=INPUTS)
@click.option("-o", "--output", required=True, type=OUTPUT,
              help="Filtered TMX to write. Example: -o clean.tmx")
@click.option("--min-score", type=click.FloatRange(0, 1), default=None,
              help="Keep units whose x-align-score is at least this (unscored units dropped). "
                   "Example: --min-score 0.5")
@click.option("--min-chrf", type=click.FloatRange(0, 100), default=None,
              help="Keep units whose MT chrF (x-mt-chrf) is at least this. Example: --min-chrf 40")
@click.option("--max-length-ratio", type=click.FloatRange(1, None), default=None,
              help="Drop units whose longer side has more than R times the characters of the "
                   "shorter. Example: --max-length-ratio 2.5")
@click.option("--min-length", type=click.IntRange(1, None), default=1, show_default=True,
              help="Drop units with a side shorter than this many characters. "
                   "Example: --min-length 3")
@click.option("--max-length", type=click.IntRange(1, None), default=None,
              help="Drop units with a side longer than this many characters. "
                   "Example: --max-length 1000")
@click.option("--bead-type", "bead_types", multiple=True,
              help="Keep only these bead types (x-bead-type), e.g. --bead-type 1-1.")
@click.option("--drop-identical", is_flag=True, help="Drop units whose source equals the target.")
@locale_option
@languages_options
@quiet_option
@json_option
@reports_tmx_errors
def filter_command(file: Path, output: Path, min_score: float | None, min_chrf: float | None,
                   max_length_ratio: float | None, min_length: int, max_length: int | None,
                   bead_types: tuple[str, ...], drop_identical: bool, locale_style: str,
                   src_lang: str | None, tgt_lang: str | None, quiet: bool,
                   as_json: bool) -> None:
    """Keep the units of a TMX file that pass every filter; report what each one dropped.

    Filters read the plain text (inline markup is kept in the output, not measured).

    \b
    Example:
      aligner tmx filter corpus.tmx --min-score 0.5 --max-length-ratio 2.5 -o clean.tmx
      aligner tmx filter kit.tmx --src-lang en-US --tgt-lang en-GB -o en-gb.tmx
    """
    refuse_output_over_input(output, [file])
    filters: list[tmxlib.UnitFilter] = [tmxlib.LengthRange(min_length, max_length)]
    if min_score is not None:
        filters.append(tmxlib.MinScore(min_score))
    if min_chrf is not None:
        filters.append(tmxlib.MinScore(min_chrf, prop="x-mt-chrf"))
    if max_length_ratio is not None:
        filters.append(tmxlib.MaxLengthRatio(max_length_ratio))
    if bead_types:
        filters.append(tmxlib.BeadTypes(frozenset(bead_types)))
    if drop_identical:
        filters.append(tmxlib.DropIdentical())
    props = _signature_props("tmx-filter", {"filters": [f.describe() for f in filters],
                                            "src_lang": src_lang, "tgt_lang": tgt_lang})
    written, dropped = tmxlib.filter_tmx(file, output, filters, locale_style=locale_style,
                                         tool=TOOL, props=props,
                                         languages=tmxlib.Languages(src_lang, tgt_lang))
    result = {"written": written.written, "dropped": dict(sorted(dropped.counts.items())),
              "dropped_units": dropped.to_json(), "skipped_empty": written.skipped_empty,
              "left_out": written.left_out.to_json()}
    if as_json:
        echo_json(result)
    drops = ", ".join(f"{count} by {name}" for name, count in result["dropped"].items())
    _summary(f"{output}: {written.written} units kept; dropped {drops or 'none'} "
             f"({dropped.summary()}); {_left_out(output, written.left_out, 'not filtered: ')}",
             quiet)


@tmx.command()
@click.argument("file", type=INPUTS)
@click.option("--to", "fmt", type=click.Choice(tmxlib.CONVERT_FORMATS), required=True,
              help="tsv: source<TAB>target (\\t \\n \\\\ escaped); jsonl: every field; "
                   "moses: two files OUT.ru and OUT.en, one segment per line. Example: --to moses")
@click.option("-o", "--output", type=OUTPUT, default=None,
              help="File to write (default: stdout); for moses, the prefix (required). "
                   "Example: -o corpus")
@click.option("--markup", type=click.Choice(tmxlib.MARKUP_MODES), default=None,
              help="keep: segments as TMX inline XML (tags kept, & < > escaped); strip: plain "
                   "text. Default: keep for tsv/jsonl, strip for moses. Example: --markup strip")
@languages_options
@quiet_option
@json_option
@reports_tmx_errors
def convert(file: Path, fmt: str, output: Path | None, markup: str | None,
            src_lang: str | None, tgt_lang: str | None, quiet: bool, as_json: bool) -> None:
    """Convert a TMX file to TSV, JSON Lines or a Moses parallel corpus.

    Moses files are named by --src-lang/--tgt-lang (else the file's languages) and refused
    when both would get the same name; units in other languages are counted and named.

    \b
    Example:
      aligner tmx convert corpus.tmx --to tsv -o corpus.tsv
      aligner tmx convert corpus.tmx --to moses -o corpus     # corpus.ru + corpus.en
      aligner tmx convert kit.tmx --to moses --src-lang en-US --tgt-lang en-GB -o kit
    """
    for written in (output, signature_path(output)) if output else ():
        refuse_output_over_input(written, [file])
    languages = tmxlib.Languages(src_lang, tgt_lang)
    if output is None and (fmt == "moses" or as_json):
        raise click.UsageError("--to moses and --json need -o: the data cannot share stdout"
                               if as_json else "--to moses writes two files: give their "
                               "prefix with -o")
    markup = markup or ("strip" if fmt == "moses" else "keep")
    if fmt == "moses":
        result = tmxlib.write_moses(file, output, markup, languages)
        where = f"{output}.*"
    elif output is not None:
        with atomic_write(output, "wb") as handle:
            result = tmxlib.convert_tmx(file, fmt, handle, markup, languages)
        where = str(output)
    else:
        # Spool first: a file that turns out broken halfway must not leave half a TSV on stdout.
        with tempfile.TemporaryFile() as spool:
            result = tmxlib.convert_tmx(file, fmt, spool, markup, languages)
            spool.seek(0)
            shutil.copyfileobj(spool, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        where = "stdout"
    if output is not None:  # TSV, JSON Lines and Moses have no room for it: it goes beside
        write_json(signature_path(output), make_signature("tmx-convert", {
            "to": fmt, "markup": markup, "src_lang": src_lang, "tgt_lang": tgt_lang},
            packages=("lxml",)))
    if as_json:
        echo_json(result.to_json())
    flattened = (f"; {result.flattened} segments had line breaks replaced by spaces"
                 if fmt == "moses" else "")
    _summary(f"{where}: {result.units} units{flattened}; {_left_out(where, result.left_out)}",
             quiet)
