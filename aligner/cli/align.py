"""``aligner align`` (two documents into beads) and ``aligner eval`` (beads against gold)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from aligner.alignment import AlignConfig, usable_signals
from aligner.beadfile import alignment_lines
from aligner.cli.common import (
    InputPath,
    OutputPath,
    echo_json,
    language_code,
    quiet_option,
    reports_errors,
    threads_option,
    warn,
)
from aligner.cli.signal_options import align_config, signal_options
from aligner.evaluate import evaluate_files
from aligner.io import atomic_write, json_line, refuse_output_over_input, write_json
from aligner.records import Alignment
from aligner.signature import signature_path

FORMATS = ("beads", "tsv", "jsonl", "tmx")
SIDECAR_FORMATS = ("beads", "tsv")  # their signature goes to NAME.signature.json beside them
DEFAULTS = AlignConfig()


def _write(alignment: Alignment, fmt: str, out: str | None) -> None:
    if fmt == "tmx":
        from aligner.export import write_alignment_tmx  # the TMX writer (lxml): only for tmx

        write_alignment_tmx(out, [alignment], signature=alignment.signature)
        return
    text = "".join(line + "\n" for line in _lines(alignment, fmt))
    if out is None:
        click.echo(text, nl=False)
    else:
        with atomic_write(out) as handle:
            handle.write(text)
        if fmt in SIDECAR_FORMATS:  # no room for the signature inside: it goes beside
            write_json(signature_path(out), dict(alignment.signature))


def _lines(alignment: Alignment, fmt: str) -> list[str]:
    if fmt == "beads":
        return [bead.gold_format() for bead in alignment.beads]
    if fmt == "tsv":
        return [f"{bead.confidence:.4f}\t{bead.type}\t" + "\t".join(alignment.bead_texts(bead))
                for bead in alignment.beads]
    return [json_line(record) for record in alignment_lines(alignment)]


@click.command()
@click.argument("src", type=InputPath(dir_okay=False))
@click.argument("tgt", type=InputPath(dir_okay=False))
@click.option("--src-lang", default=None, callback=language_code,
              help="Source language (ISO 639), detected if not given; e.g. --src-lang ru.")
@click.option("--tgt-lang", default=None, callback=language_code,
              help="Target language (ISO 639), detected if not given; e.g. --tgt-lang en.")
@click.option("--presplit", is_flag=True,
              help="Inputs have one sentence per line ('.EOA' or a blank line ends a paragraph).")
@click.option("--translation", type=InputPath(dir_okay=False), default=None,
              help="Machine translation of SRC into the target language, one line per sentence; "
                   "e.g. --translation a.mt.en.")
@click.option("--max-bead", type=click.IntRange(2, 12), default=DEFAULTS.max_bead,
              show_default=True,
              help="Most sentences in one bead (both sides together), e.g. --max-bead 4.")
@click.option("--signals", default=",".join(DEFAULTS.signals), show_default=True,
              help="Comma-separated signals to combine (mt is used only with --translation), "
                   "e.g. --signals embedding,length.")
@signal_options()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="beads", show_default=True,
              help="beads: gold-format lines; tsv: texts side by side; jsonl: everything; "
                   "tmx: TMX 1.4b (needs -o); e.g. --format tsv.")
@click.option("-o", "--output", "out", type=OutputPath(dir_okay=False), default=None,
              help="Write here (atomically) instead of stdout; beads and tsv files get their "
                   "signature beside them (e.g. -o a.tsv: a.signature.json).")
@threads_option
@quiet_option
@reports_errors
def align(src: str, tgt: str, src_lang: str | None, tgt_lang: str | None, presplit: bool,
          translation: str | None, max_bead: int, signals: str, fmt: str, out: str | None,
          quiet: bool, **settings: Any) -> None:
    """Align two documents sentence by sentence into beads.

    \b
    Example:
      aligner align news.ru news.en --presplit --src-lang ru --tgt-lang en
      aligner align a.html b.html --format tsv -o pairs.tsv
      aligner align a.html b.html --no-anchors --length-weight 0.1 --embedding-exact-span 2
    """
    from aligner.api import align as align_sides  # the aligner stack: --help stays quick

    if fmt == "tmx" and out is None:
        raise click.UsageError("--format tmx needs an output file (-o OUT.tmx)")
    inputs = [path for path in (src, tgt, translation) if path]
    refuse_output_over_input(out, inputs)
    if out is not None and fmt in SIDECAR_FORMATS:
        refuse_output_over_input(signature_path(out), inputs)
    chosen = [name.strip() for name in signals.split(",") if name.strip()]
    config = align_config(settings, chosen, max_bead=max_bead, src_lang=src_lang,
                          tgt_lang=tgt_lang)
    usable_signals(config, translated=translation is not None, how="give --translation FILE")
    for path, lang in ((src, src_lang), (tgt, tgt_lang)):
        if presplit and lang is None:
            raise click.UsageError(f"{path}: with --presplit give the language "
                                   "(--src-lang/--tgt-lang)")
    alignment = align_sides(Path(src), Path(tgt), src_lang, tgt_lang, presplit=presplit,
                            translation=Path(translation) if translation else None,
                            config=config)
    why = ("every line is empty" if presplit else "every paragraph looked like page chrome "
           "(too short, a widget, a footer); --presplit keeps every line")
    for path, sentences in ((src, alignment.src_sentences), (tgt, alignment.tgt_sentences)):
        if not sentences:
            warn(f"{Path(path)}: no sentences ({why}); every sentence of the other side is a "
                 "null bead")
    _write(alignment, fmt, out)
    if not quiet and out is not None:
        nulls = sum(bead.is_null for bead in alignment.beads)
        click.echo(f"{len(alignment.beads)} beads ({nulls} null) written to {out}", err=True)


@click.command()
@click.option("--gold", "gold", multiple=True, required=True,
              type=InputPath(dir_okay=False),
              help="Gold bead file (repeatable), e.g. --gold dev.gold.")
@click.option("--test", "test", multiple=True, required=True,
              type=InputPath(dir_okay=False),
              help="System bead file, paired with --gold in order (repeatable), e.g. "
                   "--test dev.beads.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@reports_errors
def evaluate(gold: tuple[str, ...], test: tuple[str, ...], as_json: bool) -> None:
    """Score alignments against gold beads: strict and lax precision, recall, F1.

    \b
    Example:
      aligner eval --gold dev.gold --test dev.beads
      aligner eval --gold a.gold --gold b.gold --test a.out --test b.out --json
    """
    score = evaluate_files(gold, test)
    if as_json:
        echo_json(score.to_json())
        return
    click.echo(f"{'':8}{'precision':>10}{'recall':>10}{'f1':>10}")
    for name, prf in (("strict", score.strict), ("lax", score.lax)):
        click.echo(f"{name:8}{prf.precision:10.4f}{prf.recall:10.4f}{prf.f1:10.4f}")
