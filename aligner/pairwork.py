"""One parallel pair's work: translate the source (when planned), align, score against the
MT, decide which beads are doubtful. A pure function of its task, so it runs in any process.
"""

from __future__ import annotations

from dataclasses import dataclass

from aligner.alignment import AlignConfig, align_documents
from aligner.mt.plan import MtPlan, source_translation
from aligner.outfolder import pair_files, pair_key
from aligner.records import DocPair, Document, PairResult
from aligner.report.similarity import similarity_grid
from aligner.score import DoubtfulRule, score_alignment


@dataclass(frozen=True)
class PairTask:
    """Everything one pair's work needs; picklable, so it runs in any process."""

    pair: DocPair
    src: Document
    tgt: Document
    mt: MtPlan
    translation: tuple[str, ...] | None
    doubtful: DoubtfulRule
    fingerprint: str
    align: AlignConfig
    grid_encoder: str  # the pairing's encoder: it embedded every body sentence already

    @property
    def key(self) -> str:
        return pair_key(self.pair)


def process_pair(task: PairTask) -> PairResult:
    """Translate (if planned), align and score one pair; a pure function of the task."""
    translation = source_translation(task.mt, task.translation, task.src.sentence_texts)
    alignment = align_documents(task.src, task.tgt, task.align, translation=translation)
    scored = None
    if translation is not None:
        mt_signature = {"model": task.mt.model_id or "none", "key": task.mt.cache_key}
        scored = score_alignment(alignment, translation, task.doubtful.threshold,
                                 mt_signature=mt_signature)
    bead_scores = scored.bead_scores if scored else None
    return PairResult(pair=task.pair, alignment=alignment,
                      doubtful=task.doubtful.decide(alignment, bead_scores),
                      bead_scores=bead_scores, doc_scores=scored.corpus if scored else (),
                      similarity=similarity_grid(alignment, task.grid_encoder),
                      files=pair_files(task.key), fingerprint=task.fingerprint,
                      score_signature=dict(scored.signature) if scored else {})
