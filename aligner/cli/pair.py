"""``aligner pair``: say which documents are translations, reports of one event, or related."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from aligner.cli.common import (InputPath, OutputPath, echo_json, json_option, language_code,
                                progress, quiet_option, reports_errors, threads_option, warn,
                                warn_skipped)
from aligner.cli.pair_options import pair_config, pair_options
from aligner.io import refuse_output_over_input
from aligner.mt import load_translator
from aligner.pair import PairingResult
from aligner.records import LABEL_MEANINGS, PAIR_LABELS, DocPair


@click.command()
@click.argument("paths", nargs=-1, required=True,
                type=InputPath(path_type=Path))
@click.option("--src-lang", default="ru", show_default=True, callback=language_code,
              help="Language of the original documents (ISO 639-1), e.g. --src-lang de.")
@click.option("--tgt-lang", default="en", show_default=True, callback=language_code,
              help="Language of their translations (ISO 639-1), e.g. --tgt-lang fr.")
@click.option("-o", "--output", type=OutputPath(dir_okay=False, path_type=Path),
              help="Also write the pairs and the unpaired documents to this TSV file "
                   "(signature in NAME.signature.json beside it), e.g. -o pairs.tsv.")
@click.option("--mt", "use_mt", is_flag=True,
              help="Add machine-translation evidence (needs an installed Argos model; slower).")
@pair_options
@json_option
@threads_option
@quiet_option
@reports_errors
def pair(paths: tuple[Path, ...], src_lang: str, tgt_lang: str, output: Path | None,
         use_mt: bool, as_json: bool, quiet: bool, **settings: Any) -> None:
    """Find which documents are translations of each other, and which report one event.

    PATH is a text or HTML file, a folder of them, or a JSON Lines file written by
    `aligner ingest`. Prints each accepted pair (source, target, label, confidence, the
    evidence that decided it, all evidence), then the documents left without a parallel
    partner and what each label means. Labels: parallel (a translation of the same text,
    one-to-one), same-event (independent reports of one event), related (same topic,
    another event). With -o, the TSV has a header row and its signature goes to
    NAME.signature.json beside it.

    \b
    Example:
      aligner pair corpus/
      aligner pair corpus/ -o pairs.tsv --json
      aligner pair archive/ --max-candidates 32 -k 8
    """
    from aligner.api import pair_documents, read_documents  # the pairing stack: --help stays quick

    refuse_output_over_input(output, paths)
    documents = read_documents(paths)
    for skipped, reason in documents.skipped:
        warn_skipped(skipped, reason)
    translator = load_translator(src_lang, tgt_lang) if use_mt else None
    result = pair_documents(
        documents, src_lang, tgt_lang, pair_config(settings), translator=translator,
        progress=lambda items, desc, total: progress(items, desc, quiet, total=total))
    for message in result.warnings:
        warn(message)
    if output is not None:
        result.write_tsv(output)
    if as_json:
        echo_json({**result.to_json(), "skipped": documents.summary()["skipped"]})
    elif output is None or not quiet:  # with -o the listing is a summary: --quiet drops it
        click.echo(format_result(result))


def format_evidence(pair: DocPair) -> str:
    """Evidence as ``key=value`` pairs, two decimals, in key order."""
    return pair.evidence_text(".2f")


def format_result(result: PairingResult) -> str:
    """The human-readable listing: one line per pair (label, confidence, the basis of the
    decision, then all evidence), then the unpaired documents and what each label means."""
    lines = [f"{pair.src_id}  {pair.tgt_id}  {pair.label:<10}  {pair.confidence:.3f}  "
             f"[{pair.basis}]  {format_evidence(pair)}" for pair in result.pairs]
    if not result.pairs:
        lines.append("no pairs found")
    counts = ", ".join(f"{sum(pair.label == label for pair in result.pairs)} {label}"
                       for label in PAIR_LABELS)
    lines.append(f"{counts}; {len(result.unpaired)} without a parallel partner"
                 + (":" if result.unpaired else ""))
    lines.extend(f"unpaired    {doc_id}" for doc_id in result.unpaired)
    lines.extend(f"{label}: {LABEL_MEANINGS[label]}" for label in PAIR_LABELS)
    return "\n".join(lines)
