"""``aligner run``: the main job, from a folder of documents to TMX and a quality report."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from aligner.api import run as run_job
from aligner.cli.common import (InputPath, OutputPath, UserError, echo_json, json_option,
                                language_code, progress, quiet_option, reports_errors,
                                threads_option, warn, warn_skipped)
from aligner.cli.pair_options import pair_config, pair_options
from aligner.cli.signal_options import align_config, signal_options
from aligner.pipeline import RunOptions, RunSummary
from aligner.records import LABEL_MEANINGS

# A run that finds no parallel pair writes consistent (empty) outputs but fails: there is no
# translation memory to take home, and scripts should notice.
NO_PAIRS_EXIT = 1
DEFAULTS = RunOptions()


@click.command()
@click.argument("inputs", nargs=-1, required=True,
                type=InputPath(path_type=Path))
@click.option("-o", "--output", "out", required=True,
              type=OutputPath(file_okay=False, path_type=Path),
              help="Output folder (new, empty, or an earlier run's, whose finished work is "
                   "reused), e.g. -o out/.")
@click.option("--src-lang", default=DEFAULTS.src_lang, show_default=True,
              callback=language_code,
              help="Language of the source documents, e.g. --src-lang de.")
@click.option("--tgt-lang", default=DEFAULTS.tgt_lang, show_default=True,
              callback=language_code,
              help="Language of the target documents, e.g. --tgt-lang fr.")
@click.option("--model", default=None, metavar="ID",
              help="Argos model for MT scoring (package id or pair such as ru-en); "
                   "default: the installed model for the language pair, if any; "
                   "e.g. --model ru-en.")
@click.option("--no-mt", is_flag=True, help="Do not score against machine translation.")
@click.option("--translations", type=InputPath(file_okay=False), default=None,
              metavar="DIR",
              help="Precomputed MT instead of a model: DIR/<document id>.<tgt-lang>, one line "
                   "per body sentence of the source document; e.g. --translations mt/.")
@click.option("--doubtful-below", type=click.FloatRange(0, 1),
              default=DEFAULTS.doubtful_below, show_default=True,
              help="Beads without an MT score are doubtful below this alignment confidence, "
                   "e.g. --doubtful-below 0.7.")
@click.option("--presplit", is_flag=True,
              help="Input files hold one sentence per line (an empty line or .EOA ends a "
                   "paragraph); no chrome removal or sentence splitting.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Local processes that read the documents and do the per-pair work "
                   "(alignment, MT, scoring), e.g. --jobs 2.")
@click.option("--dask-scheduler", metavar="ADDRESS", default=None,
              help="Read the documents and do the per-pair work on this Dask cluster "
                   "(scheduler address tcp://HOST:8786) instead of --jobs, e.g. "
                   "--dask-scheduler tcp://10.0.0.5:8786.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run in OUT (it must exist, with the same options).")
@pair_options
@signal_options(translation_switches=False)
@threads_option
@quiet_option
@json_option
@reports_errors
def run(inputs: tuple[Path, ...], out: Path, src_lang: str, tgt_lang: str, model: str | None,
        no_mt: bool, translations: str | None, doubtful_below: float, presplit: bool, jobs: int,
        dask_scheduler: str | None, resume: bool, quiet: bool, as_json: bool,
        **settings: Any) -> None:
    """Ingest, pair, align, score and export INPUT files or folders into OUT.

    OUT receives documents.jsonl, pairs.tsv (parallel, same-event and related pairs with
    their evidence; its signature in pairs.signature.json), alignments/<src>__<tgt>.jsonl,
    tmx/<src>__<tgt>.tmx, corpus.tmx (all parallel pairs, deduplicated), report.html,
    report.json and signature.json. A re-run, or --resume after an interruption, redoes
    nothing that is already done. Without an installed MT model the run still completes;
    the report says that MT scoring was skipped. The signal options set the alignment, and
    pairing verifies candidates with the same signals and weights (--no-mt also switches the
    MT signal off); the pairing options are those of aligner pair.

    \b
    Example:
      aligner run corpus/ -o out/
      aligner run archive/ -o out/ --jobs 2 --model ru-en
      aligner run archive/ -o out/ --threads 2     # one process, two cores of an idle machine
      aligner run archive/ -o out/ --dask-scheduler tcp://10.0.0.5:8786 --resume
      aligner run corpus/ -o out/ --no-anchors --length-weight 0.1
      aligner run archive/ -o out/ --max-candidates 8    # less pairing work per document

    Exit codes: 0 success; 1 data error, or no parallel pair found (the outputs are still
    written, with no translation units); 2 usage error.
    """
    options = RunOptions(src_lang=src_lang, tgt_lang=tgt_lang, model=model, use_mt=not no_mt,
                         translations=translations, doubtful_below=doubtful_below,
                         presplit=presplit, align=align_config(settings),
                         pair=pair_config(settings))

    def bar(items: Iterable[Any], desc: str, total: int) -> Iterable[Any]:
        return progress(items, desc, quiet, total=total)

    summary = run_job(inputs, out, options, jobs=jobs, dask_scheduler=dask_scheduler,
                      resume=resume, progress=bar)
    for skipped in summary.skipped:
        warn_skipped(skipped['path'], skipped['reason'])
    for message in summary.warnings:
        warn(message)
    if as_json:
        echo_json(summary.to_json())
    elif not quiet:
        click.echo(summary_table(summary), err=True)
    if summary.parallel_pairs == 0:
        raise UserError(f"no parallel document pairs among the {summary.documents} documents "
                        f"(need {src_lang} and {tgt_lang} translations of each other); "
                        f"the outputs in {out} hold no translation units, see "
                        f"{out / 'report.html'}", NO_PAIRS_EXIT)


def summary_table(summary: RunSummary) -> str:
    """The end-of-run table printed on stderr."""
    reused = f" (reused: {', '.join(summary.reused_stages)})" if summary.reused_stages else ""
    times = ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in summary.seconds.items())
    rows = [
        ("documents", f"{summary.documents} ({summary.skipped_files} files skipped)"),
        ("parallel pairs", f"{summary.parallel_pairs} ({LABEL_MEANINGS['parallel']})"),
        ("same-event pairs",
         f"{summary.same_event_pairs} ({LABEL_MEANINGS['same-event']})"),
        ("related pairs", f"{summary.related_pairs} ({LABEL_MEANINGS['related']})"),
        ("unpaired documents", summary.unpaired_documents),
        ("aligned pairs", f"{summary.aligned_pairs} ({summary.reused_pairs} reused)"),
        ("beads", f"{summary.beads} ({summary.doubtful_beads} doubtful)"),
        ("TMX units", f"{summary.tmx_units} in {Path(summary.out) / 'corpus.tmx'}"),
        ("MT", summary.mt.get("message", "")),
        ("executed", f"{summary.executor}, {summary.workers} worker(s){reused}"),
        ("time", times),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)
