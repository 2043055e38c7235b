"""The last stage of a run: ``corpus.tmx``, the report and ``signature.json`` from the
records of the stages before; again after a person's review
(:func:`aligner.review.store.regather`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from tmx.parse import MAX_SEGMENT_BYTES
from tmx.writer import TOO_LONG

from aligner.export import write_alignment_tmx
from aligner.io import write_json
from aligner.outfolder import RunState, write_pair_tmx
from aligner.records import PairResult
from aligner.report import RunFigures, write_report


def gather_stage(out: Path, run: RunFigures, state: RunState,
                 source_lang: str) -> tuple[int, dict[str, Any]]:
    """``corpus.tmx``, the report and ``signature.json`` from the pairs of ``run`` (with
    their reviews applied, see :func:`aligner.review.store.apply_reviews`); returns the TMX
    units and the report.

    A pair's own TMX is rewritten when it is reviewed, and when it was written from a review
    that no longer applies (moved away, deleted, made for another alignment): every TMX file
    agrees with the reviews present. The run ``state`` is saved once, here.
    """
    for result in run.outcomes:
        if result.reviewed is not None or state.pair_tmx_reviewed(result.key):
            write_pair_tmx(out, result, run.signature, state)
    state.save()
    warnings = list(run.warnings)
    units = write_corpus_tmx(out, run.outcomes, run.signature, source_lang, warnings)
    report = write_report(out, replace(run, warnings=warnings))
    write_json(out / "signature.json", dict(run.signature))
    return units, report


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
