"""``aligner score``: sentence and document MT scores for aligned beads."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from aligner.beadfile import read_alignments
from aligner.cli.common import (InputPath, OutputPath, echo_json, json_option, quiet_option,
                                reports_errors)
from aligner.cli.models import (given_translation_options, make_translator, translate_all,
                                translation_options)
from aligner.errors import ConfigurationError
from aligner.io import refuse_output_over_input, write_jsonl
from aligner.mt.translator import read_translation_file
from aligner.records import Alignment
from aligner.score import (DEFAULT_THRESHOLD, THRESHOLD_METRICS, Threshold, language_pair,
                           score_alignments)


@click.command()
@click.argument("alignments", type=InputPath(dir_okay=False, path_type=Path))
@click.option("--translation", type=InputPath(dir_okay=False, path_type=Path), default=None,
              help="Precomputed MT from any engine: one line per source sentence of every "
                   "alignment in the file, in order (instead of running a model), e.g. "
                   "--translation doc.mt.en.")
@translation_options
@click.option("--threshold", type=click.FloatRange(0, 100), default=DEFAULT_THRESHOLD,
              show_default=True,
              help="Beads scoring below this are flagged doubtful, e.g. --threshold 25.")
@click.option("--threshold-metric", type=click.Choice(THRESHOLD_METRICS), default="chrf",
              show_default=True,
              help="Sentence metric the threshold applies to, e.g. --threshold-metric bleu.")
@click.option("-o", "--output", type=OutputPath(dir_okay=False, path_type=Path), default=None,
              help="Write scored alignments as JSON Lines (one document per line), "
                   "e.g. -o scored.jsonl.")
@quiet_option
@json_option
@reports_errors
def score(alignments: Path, translation: Path | None, model_id: str | None, device: str,
          beam_size: int, max_length: int, batch_size: int | None, threads: int | None,
          no_cache: bool, threshold: float, threshold_metric: str, output: Path | None,
          quiet: bool, as_json: bool) -> None:
    """Score aligned beads and documents against machine translation of the source side.

    ALIGNMENTS holds one Alignment record (`Alignment.to_json()`) per line, or scored records
    from `aligner score -o`, or one `alignments/SRC__TGT.jsonl` file of `aligner run`. Per
    bead: sentence chrF and BLEU; per document: corpus BLEU, chrF and TER with sacrebleu
    signatures. Beads below the threshold are flagged doubtful; scores are always kept.

    \b
    Example:
      aligner score aligned.jsonl -o scored.jsonl     # MT with the installed ru-en model
      aligner score aligned.jsonl --translation doc.mt.en --threshold 25 --json
    """
    given = given_translation_options(click.get_current_context())
    if translation is not None and given:
        raise ConfigurationError(f"--translation gives the MT, so {', '.join(given)} would do "
                                 "nothing; give a translation file or a model's options, not "
                                 "both")
    refuse_output_over_input(output, [path for path in (alignments, translation) if path])
    documents = read_alignments(alignments)
    sources = [sentence for doc in documents for sentence in doc.src_sentences]
    if translation is not None:
        mt = read_translation_file(translation, len(sources))
        mt_signature = {"file": str(translation)}
    else:
        mt, mt_signature = _machine_translate(documents, sources, model_id, device, beam_size,
                                              max_length, batch_size, threads, no_cache, quiet)
    decision = Threshold(threshold, threshold_metric)
    scored = score_alignments(documents, mt, decision, mt_signature)
    if output is not None:
        write_jsonl(output, (item.to_json() for item in scored))
    summaries = [item.summary() for item in scored]
    if as_json:
        echo_json({"documents": summaries, "threshold": decision.to_json(),
                   "output": str(output) if output else None})
    elif not quiet or output is None:
        for summary in summaries:
            click.echo(_summary_line(summary))


def _machine_translate(documents: Sequence[Alignment], sources: list[str], model_id: str | None,
                       device: str, beam_size: int, max_length: int, batch_size: int | None,
                       threads: int | None, no_cache: bool,
                       quiet: bool) -> tuple[list[str], dict[str, str]]:
    src_lang, tgt_lang = language_pair(documents)
    translator = make_translator(src_lang, tgt_lang, model_id, device, beam_size, max_length,
                                 batch_size, threads, no_cache)
    return translate_all(translator, sources, quiet), translator.signature()


def _summary_line(summary: dict) -> str:
    corpus = "  ".join(f"{name} {summary[name]:.1f}" for name in ("BLEU", "chrF2", "TER")
                       if name in summary)
    return (f"{summary['src_id']} / {summary['tgt_id']}: {summary['beads']} beads, "
            f"{summary['doubtful']} doubtful  {corpus}")
