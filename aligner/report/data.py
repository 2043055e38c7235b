"""The figures of a run as one JSON-ready dict: what ``report.json`` holds and the page shows.

:func:`build_report` gathers numbers the stages produced (documents, pairing decisions, beads,
bead and document MT scores) into summaries, tables and histograms. It aggregates and counts;
it never scores: every score comes from the stage that made it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aligner.records import LABEL_MEANINGS, PAIR_LABELS, DocPair, Document, MtStatus, PairResult

REPORT_VERSION = 2  # 2: pairing labels parallel, same-event, related, with their basis
# Bead-by-bead views of very large runs would make a page no browser opens; the per-pair
# table still lists every pair and the full beads stay in alignments/*.jsonl.
MAX_DETAILED_PAIRS = 50
HISTOGRAM_BINS = 10


@dataclass(frozen=True)
class RunFigures:
    """The inputs of a report: the records every stage of one run produced."""

    documents: Sequence[Document]
    skipped: Sequence[tuple[str, str]]
    pairs: Sequence[DocPair]
    unpaired: Sequence[str]
    outcomes: Sequence[PairResult]
    mt: MtStatus
    signature: Mapping[str, str]
    warnings: Sequence[str] = ()


def histogram(values: Sequence[float], low: float, high: float,
              bins: int = HISTOGRAM_BINS) -> dict[str, Any]:
    """Counts of ``values`` in ``bins`` equal bins over ``[low, high]`` (top edge included).

    >>> histogram([0.0, 0.25, 1.0, 1.0], 0.0, 1.0, bins=2)
    {'edges': [0.0, 0.5, 1.0], 'counts': [2, 2]}
    """
    width = (high - low) / bins
    counts = [0] * bins
    for value in values:
        index = min(int((value - low) / width), bins - 1)
        counts[max(index, 0)] += 1
    edges = [round(low + i * width, 6) for i in range(bins + 1)]
    return {"edges": edges, "counts": counts}


def build_report(run: RunFigures) -> dict[str, Any]:
    """The report's figures as a JSON-ready dict (``report.json``; the page renders it)."""
    outcomes = sorted(run.outcomes, key=lambda o: o.key)
    beads = [bead for outcome in outcomes for bead in outcome.alignment.beads]
    scored = [score for outcome in outcomes for score in (outcome.bead_scores or ())
              if score is not None]
    return {
        "report_version": REPORT_VERSION,
        "signature": dict(sorted(run.signature.items())),
        "mt": run.mt.to_json(),
        "warnings": list(run.warnings),
        "summary": _summary(run, outcomes),
        "documents": [_document_row(doc) for doc in sorted(run.documents, key=lambda d: d.id)],
        "skipped": [{"path": path, "reason": reason} for path, reason in run.skipped],
        "pairing": {"labels": {label.value: LABEL_MEANINGS[label] for label in PAIR_LABELS},
                    "pairs": [pair.to_json() for pair in
                              sorted(run.pairs, key=lambda p: (p.src_id, p.tgt_id))],
                    "unpaired": sorted(run.unpaired)},
        "pairs": [_pair_row(outcome) for outcome in outcomes],
        "histograms": {
            "bead_confidence": histogram([bead.confidence for bead in beads], 0.0, 1.0),
            "bead_chrf": histogram([s.chrf for s in scored if s.chrf is not None], 0.0, 100.0),
        },
        "details": [_pair_detail(outcome) for outcome in detailed_pairs(outcomes)],
        "details_omitted": max(0, len(outcomes) - MAX_DETAILED_PAIRS),
    }


def detailed_pairs(outcomes: Sequence[PairResult],
                   limit: int = MAX_DETAILED_PAIRS) -> list[PairResult]:
    """The pairs shown bead by bead: all of them, or the ``limit`` most in need of a look
    (most doubtful beads, then lowest mean confidence), in key order."""
    if len(outcomes) <= limit:
        return list(outcomes)

    def need(outcome: PairResult) -> tuple[int, float, str]:
        beads = outcome.alignment.beads
        mean = sum(bead.confidence for bead in beads) / len(beads) if beads else 1.0
        return (-sum(outcome.doubtful), mean, outcome.key)

    return sorted(sorted(outcomes, key=need)[:limit], key=lambda outcome: outcome.key)


def _summary(run: RunFigures, outcomes: Sequence[PairResult]) -> dict[str, Any]:
    bead_types: Counter[str] = Counter()
    changes: Counter[str] = Counter()
    doubtful = omitted_src = omitted_tgt = 0
    for outcome in outcomes:
        changes.update(outcome.review_changes)
        for bead, is_doubtful in zip(outcome.alignment.beads, outcome.doubtful):
            bead_types[bead.type] += 1
            doubtful += is_doubtful
            omitted_src += len(bead.src) if not bead.tgt else 0
            omitted_tgt += len(bead.tgt) if not bead.src else 0
    return {
        "documents": len(run.documents),
        "documents_by_language": dict(sorted(Counter(d.lang for d in run.documents).items())),
        "sentences": sum(len(d.sentences) for d in run.documents),
        "skipped_files": len(run.skipped),
        "pairs_by_label": dict(sorted(Counter(p.label.value for p in run.pairs).items())),
        "aligned_pairs": len(outcomes),
        "unpaired_documents": len(run.unpaired),
        "beads": sum(bead_types.values()),
        "bead_types": dict(sorted(bead_types.items(), key=lambda kv: (-kv[1], kv[0]))),
        "doubtful_beads": doubtful,
        "omitted_source_sentences": omitted_src,
        "omitted_target_sentences": omitted_tgt,
        "reviewed_pairs": sum(outcome.reviewed is not None for outcome in outcomes),
        "reviewed_beads": sum(sum(outcome.reviewed or ()) for outcome in outcomes),
        "review_changes": dict(sorted(changes.items())),
    }


def _document_row(doc: Document) -> dict[str, Any]:
    return {"id": doc.id, "path": doc.path, "lang": doc.lang,
            "lang_confidence": round(doc.lang_confidence, 4), "encoding": doc.encoding,
            "title": doc.title, "date": doc.date, "sentences": len(doc.sentences),
            "paragraphs": len(doc.paragraphs),
            "boilerplate_paragraphs": sum(p.boilerplate for p in doc.paragraphs),
            "warnings": list(doc.warnings)}


def _pair_row(outcome: PairResult) -> dict[str, Any]:
    beads = outcome.alignment.beads
    confidences = [bead.confidence for bead in beads]
    return {
        "key": outcome.key, "src_id": outcome.pair.src_id, "tgt_id": outcome.pair.tgt_id,
        "label": outcome.pair.label.value, "pair_confidence": round(outcome.pair.confidence, 6),
        "src_sentences": len(outcome.alignment.src_sentences),
        "tgt_sentences": len(outcome.alignment.tgt_sentences),
        "beads": len(beads),
        "bead_types": dict(sorted(Counter(bead.type for bead in beads).items())),
        "mean_confidence": round(sum(confidences) / len(confidences), 6) if beads else None,
        "doubtful_beads": sum(outcome.doubtful),
        "null_beads": sum(bead.is_null for bead in beads),
        "reviewed_beads": sum(outcome.reviewed) if outcome.reviewed is not None else None,
        "review_changes": dict(sorted(outcome.review_changes.items())),
        "mt": {score.name: {"score": score.score, "signature": score.signature}
               for score in sorted(outcome.doc_scores, key=lambda score: score.name)},
        "files": dict(sorted(outcome.files.items())),
    }


def _pair_detail(outcome: PairResult) -> dict[str, Any]:
    alignment = outcome.alignment
    beads = []
    src_seen = tgt_seen = 0
    for index, bead in enumerate(alignment.beads):
        src_text, tgt_text = alignment.bead_texts(bead)
        score = outcome.bead_scores[index] if outcome.bead_scores is not None else None
        beads.append({
            "src": list(bead.src), "tgt": list(bead.tgt), "type": bead.type,
            "confidence": round(bead.confidence, 4), "doubtful": outcome.doubtful[index],
            "src_position": src_seen, "tgt_position": tgt_seen,
            "src_text": src_text, "tgt_text": tgt_text,
            "chrf": None if score is None or score.chrf is None else round(score.chrf, 2),
            "bleu": None if score is None or score.bleu is None else round(score.bleu, 2),
            "mt": None if score is None else score.mt,
        })
        src_seen += len(bead.src)
        tgt_seen += len(bead.tgt)
    return {"key": outcome.key, "src_id": alignment.src_id, "tgt_id": alignment.tgt_id,
            "src_lang": alignment.src_lang, "tgt_lang": alignment.tgt_lang,
            "src_sentences": len(alignment.src_sentences),
            "tgt_sentences": len(alignment.tgt_sentences),
            "similarity": outcome.similarity.to_json() if outcome.similarity else None,
            "beads": beads}
