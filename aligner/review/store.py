"""Reviewed alignments on disk: ``OUT/reviewed/<src>__<tgt>.jsonl``, beside the machine's.

A reviewed file has the form of ``alignments/<key>.jsonl`` (a header, then a line per bead)
plus, per bead, its ``review`` status, and in the header the count of each kind of edit and
the fingerprint of the machine alignment it was made from. The machine's file is never
written: a review applies to a run only while that fingerprint still matches, so a pair
realigned on new inputs is not silently given an old review. A run applies the reviews
(:func:`apply_reviews`) before it gathers; the review app gathers again when it saves
(:func:`regather`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from aligner.beadfile import alignment_from_lines, alignment_lines, alignment_records
from aligner.docfile import read_documents_file
from aligner.errors import InputError
from aligner.gather import gather_stage
from aligner.io import write_jsonl
from aligner.outfolder import REVIEWED_DIR, RunState
from aligner.records import BeadScore, DocPair, MtStatus, PairResult
from aligner.report import RunFigures
from aligner.review.model import MACHINE, PairReview

REVIEW_FORMAT = 1


def review_path(out: Path, key: str) -> Path:
    """Where the review of pair ``key`` of the run in ``out`` lives."""
    return out / REVIEWED_DIR / f"{key}.jsonl"


def review_records(review: PairReview, header: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The lines of a reviewed file: ``header`` (plus the edit counts), then the beads."""
    extras = [{"review": status, "doubtful": doubtful,
               "mt_score": score.to_json() if score is not None else None}
              for status, doubtful, score in zip(review.status, review.doubtful, review.mt)]
    full_header = {**header, "review_format": REVIEW_FORMAT, "changes": dict(review.changes)}
    return alignment_lines(review.alignment, full_header, extras)


def review_from_records(key: str, records: Sequence[Mapping[str, Any]]) -> PairReview:
    """The review that :func:`review_records` wrote (``ValueError``/``KeyError`` if broken)."""
    alignment = alignment_from_lines(records)
    header, beads = records[0], records[1:]
    if header.get("review_format") != REVIEW_FORMAT:
        raise ValueError(f"review format {header.get('review_format')!r}, "
                         f"expected {REVIEW_FORMAT}")
    return PairReview(
        key, alignment, tuple(bead.get("review", MACHINE) for bead in beads),
        tuple(BeadScore.from_json(bead["mt_score"]) if bead.get("mt_score") else None
              for bead in beads),
        tuple(bool(bead.get("doubtful", False)) for bead in beads),
        {str(kind): int(count) for kind, count in header.get("changes", {}).items()})


def write_review(path: Path, review: PairReview, header: Mapping[str, Any]) -> None:
    """Write a review atomically (its folder is made when missing); an :class:`InputError`
    names a folder or file the file system refuses."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"{path.parent}: cannot create the folder "
                         f"({error.strerror or error})") from None
    write_jsonl(path, review_records(review, header))


def read_review(path: Path, key: str) -> tuple[PairReview, dict[str, Any]]:
    """A review and its header; an :class:`InputError` names a broken file."""
    try:
        records = [record for _, record in alignment_records(path)]
        return review_from_records(key, records), dict(records[0])
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        raise InputError(f"{path}: not a reviewed alignment ({error}); move it away to "
                         "review the pair again") from None


def reviewed_result(result: PairResult, review: PairReview) -> PairResult:
    """A pair's result with the reviewed alignment in place of the machine's."""
    scores = tuple(review.mt) if result.bead_scores is not None else None
    return replace(result, alignment=review.alignment, doubtful=review.doubtful,
                   bead_scores=scores,
                   reviewed=tuple(status != MACHINE for status in review.status),
                   review_changes=dict(review.changes))


def apply_reviews(out: Path, results: Sequence[PairResult]
                  ) -> tuple[list[PairResult], list[str]]:
    """Each result with its review from ``OUT/reviewed/`` when one was made from exactly
    this machine alignment; warnings name the reviews that were not applied, and why."""
    applied, warnings = [], []
    for result in results:
        path = review_path(out, result.key)
        if not path.is_file():
            applied.append(result)
            continue
        try:
            review, header = read_review(path, result.key)
        except InputError as error:
            warnings.append(f"{error}; not applied")
            applied.append(result)
            continue
        if header.get("machine_fingerprint") != result.fingerprint:
            warnings.append(f"{path}: made for an earlier alignment of this pair (its inputs "
                            "or options changed); not applied, review the pair again")
            applied.append(result)
            continue
        applied.append(reviewed_result(result, review))
    return applied, warnings


def regather(out: Path, results: Sequence[PairResult]) -> dict[str, Any]:
    """The last stage of the run in ``out`` again, after a person's review, with the
    machine's ``results`` of its parallel pairs (in the run's order, as
    :func:`aligner.outfolder.run_results` reads them): nothing is aligned or scored."""
    state = RunState(out)
    state.load()
    ingest, pairing = state.stage("ingest"), state.stage("pair")
    unfinished = InputError(f"{out}: no finished aligner run here (run aligner run first)")
    if ingest is None or pairing is None:
        raise unfinished
    try:
        with open(out / "report.json", encoding="utf-8") as handle:
            mt_status = MtStatus(**json.load(handle)["mt"])
        with open(out / "signature.json", encoding="utf-8") as handle:
            signature = json.load(handle)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise unfinished from error
    documents = read_documents_file(out / "documents.jsonl")
    reviewed, notes = apply_reviews(out, results)
    run = RunFigures(documents, [(path, reason) for path, reason in ingest["skipped"]],
                     [DocPair.from_json(item) for item in pairing["pairs"]],
                     list(pairing["unpaired"]), reviewed, mt_status, signature,
                     [*pairing["warnings"], *notes])
    return gather_stage(out, run, state, str(state.data["options"]["src_lang"]))[1]
