"""The last stage of a run: reviews applied, then ``corpus.tmx``, the report and
``signature.json``; again after a person's review (:func:`regather`), from the run's files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from tmx.parse import MAX_SEGMENT_BYTES
from tmx.writer import TOO_LONG

from aligner.errors import InputError
from aligner.export import write_alignment_tmx
from aligner.io import read_jsonl, write_json
from aligner.outfolder import RunState, write_pair_tmx
from aligner.records import DocPair, Document, MtStatus, PairResult
from aligner.report import RunFigures, write_report
from aligner.review.store import apply_reviews


def gather_stage(out: Path, run: RunFigures, state: RunState,
                 source_lang: str) -> tuple[int, dict[str, Any]]:
    """Reviews applied (``OUT/reviewed/``, see :mod:`aligner.review.store`) to the pairs of
    ``run``, then ``corpus.tmx``, the report and ``signature.json``; returns the TMX units
    and the report.

    A reviewed pair's own TMX is rewritten from its review too, so every TMX file agrees.
    """
    results, notes = apply_reviews(out, run.outcomes)
    for result in results:
        if result.reviewed is not None:
            write_pair_tmx(out, result, run.signature, state)
    state.save()
    warnings = [*run.warnings, *notes]
    units = write_corpus_tmx(out, results, run.signature, source_lang, warnings)
    report = write_report(out, replace(run, outcomes=results, warnings=warnings))
    write_json(out / "signature.json", dict(run.signature))
    return units, report


def regather(out: Path, results: Sequence[PairResult]) -> dict[str, Any]:
    """The last stage again over what a finished run left in ``out`` (after a person's
    review), with the machine's ``results`` of its parallel pairs (in the run's order, as
    :func:`aligner.outfolder.run_results` reads them): nothing is aligned or scored."""
    state = RunState(out)
    state.load()
    ingest, pairing = state.stage("ingest"), state.stage("pair")
    if ingest is None or pairing is None or not (out / "report.json").is_file():
        raise InputError(f"{out}: no finished aligner run here (run aligner run first)")
    with open(out / "report.json", encoding="utf-8") as handle:
        mt_status = MtStatus(**json.load(handle)["mt"])
    with open(out / "signature.json", encoding="utf-8") as handle:
        signature = json.load(handle)
    documents = [Document.from_json(record) for record in read_jsonl(out / "documents.jsonl")]
    run = RunFigures(documents, [(path, reason) for path, reason in ingest["skipped"]],
                     [DocPair.from_json(item) for item in pairing["pairs"]],
                     list(pairing["unpaired"]), results, mt_status, signature,
                     list(pairing["warnings"]))
    return gather_stage(out, run, state, str(state.data["options"]["src_lang"]))[1]


def write_corpus_tmx(out: Path, results: Sequence[PairResult], signature: Mapping[str, str],
                     source_lang: str, warnings: list[str]) -> int:
    """``corpus.tmx``: every pair's units, duplicate pairs written once; returns the units.

    With no pair at all the file is still written, valid and empty, so the folder stays
    consistent. Units too long for any TMX reader are left out and named in ``warnings``.
    """
    stats = write_alignment_tmx(out / "corpus.tmx", [result.alignment for result in results],
                                scores=[result.bead_scores for result in results],
                                signature=signature, src_lang=source_lang,
                                reviewed=[result.reviewed for result in results])
    too_long = stats.left_out.counts[TOO_LONG]
    if too_long:
        warnings.append(f"{too_long} units left out of the TMX files: a segment "
                        f"over the {MAX_SEGMENT_BYTES / 1e6:g} MB that TMX readers accept "
                        f"({', '.join(stats.left_out.names[TOO_LONG][:5])})")
    return stats.written
