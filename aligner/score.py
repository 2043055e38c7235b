"""Score aligned beads and documents against machine translation, with sacrebleu.

Scores and decisions are kept apart: sacrebleu measures each bead (sentence chrF and BLEU
with effective order) and each document (corpus BLEU, chrF and TER, with their signatures);
a :class:`Threshold` then marks scored beads as doubtful, and a :class:`DoubtfulRule` every
bead of a run (by its MT score when it has one, else by its alignment confidence). The scores
stay in the output, so a new threshold can be applied with :func:`apply_threshold` without
translating or scoring again.

>>> from aligner.records import Alignment, Bead
>>> alignment = Alignment("d1.ru", "d1.en", "ru", "en", ("Кот спит.", "Лишнее."),
...                       ("The cat sleeps.",), (Bead((0,), (0,)), Bead((1,), ())))
>>> scored = score_alignment(alignment, ["The cat is sleeping.", "Extra."], threshold=50)
>>> [(s.chrf is not None, s.doubtful) for s in scored.bead_scores]
[(True, False), (False, False)]
>>> scored.corpus[0].name, scored.threshold.value
('BLEU', 50.0)
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from aligner.errors import ConfigurationError, InputError
from aligner.records import Alignment, Bead, BeadScore, CorpusScore
from aligner.signature import make_signature

#: Beads whose sentence chrF falls below this are doubtful. Good MT of a true translation
#: usually scores 40-70 chrF; a misaligned pair scores 10-25.
DEFAULT_THRESHOLD = 30.0
THRESHOLD_METRICS = ("chrf", "bleu")
#: Beads without an MT score are doubtful when their alignment confidence is below this.
DOUBTFUL_BELOW = 0.5


@dataclass(frozen=True)
class Threshold:
    """The decision: a scored bead is doubtful when its ``metric`` is below ``value``.

    >>> Threshold(30.0).is_doubtful(BeadScore(chrf=12.5, bleu=3.0))
    True
    >>> Threshold(30.0).is_doubtful(BeadScore(chrf=None, bleu=None))  # null beads: no score
    False
    """

    value: float = DEFAULT_THRESHOLD
    metric: str = "chrf"

    def __post_init__(self) -> None:
        if self.metric not in THRESHOLD_METRICS:
            raise ConfigurationError(f"threshold metric must be one of "
                                     f"{', '.join(THRESHOLD_METRICS)}, not {self.metric!r}")
        if not 0.0 <= self.value <= 100.0:
            raise ConfigurationError(f"threshold {self.value} is outside 0..100 (sacrebleu scale)")

    def is_doubtful(self, score: BeadScore) -> bool:
        value = getattr(score, self.metric)
        return value is not None and value < self.value

    def to_json(self) -> dict[str, Any]:
        return {"metric": self.metric, "value": self.value}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Threshold:
        return cls(value=float(data["value"]), metric=data.get("metric", "chrf"))


@dataclass(frozen=True)
class DoubtfulRule:
    """The decision that marks a bead doubtful: its MT score, judged by ``threshold``, when the
    bead was scored; otherwise its alignment confidence below ``confidence_below``.

    >>> rule = DoubtfulRule(confidence_below=0.5)
    >>> rule.is_doubtful(Bead((0,), (0,), 0.9), BeadScore(chrf=12.5, bleu=3.0))  # MT decides
    True
    >>> rule.is_doubtful(Bead((0,), (), 0.3), BeadScore(chrf=None, bleu=None))  # null bead
    True
    >>> rule.is_doubtful(Bead((0,), (0,), 0.7), None)  # no MT: the confidence decides
    False
    """

    threshold: Threshold = field(default_factory=Threshold)
    confidence_below: float = DOUBTFUL_BELOW

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence_below <= 1.0:
            raise ConfigurationError(f"the doubtful threshold must lie in [0, 1], "
                                     f"not {self.confidence_below}")

    def is_doubtful(self, bead: Bead, score: BeadScore | None) -> bool:
        if score is not None and getattr(score, self.threshold.metric) is not None:
            return self.threshold.is_doubtful(score)
        return bead.confidence < self.confidence_below

    def decide(self, alignment: Alignment, scores: Sequence[BeadScore | None] | None
               ) -> tuple[bool, ...]:
        """One decision per bead of ``alignment`` (``scores``: one per bead, or None)."""
        return tuple(self.is_doubtful(bead, score) for bead, score in
                     zip(alignment.beads, scores or [None] * len(alignment.beads)))


@dataclass(frozen=True)
class ScoredAlignment:
    """An alignment with one :class:`BeadScore` per bead and the document's corpus scores."""

    alignment: Alignment
    bead_scores: tuple[BeadScore, ...]
    corpus: tuple[CorpusScore, ...]
    threshold: Threshold
    signature: Mapping[str, str]

    def __post_init__(self) -> None:
        if len(self.bead_scores) != len(self.alignment.beads):
            raise ValueError(f"{self.alignment.src_id}: {len(self.bead_scores)} bead scores for "
                             f"{len(self.alignment.beads)} beads")

    @property
    def doubtful_count(self) -> int:
        return sum(score.doubtful for score in self.bead_scores)

    def summary(self) -> dict[str, Any]:
        """Counts and corpus scores of this document, for ``--json`` and reports."""
        return {"src_id": self.alignment.src_id, "tgt_id": self.alignment.tgt_id,
                "beads": len(self.bead_scores),
                "scored": sum(score.chrf is not None for score in self.bead_scores),
                "doubtful": self.doubtful_count,
                **{corpus.name: round(corpus.score, 4) for corpus in self.corpus}}

    def to_json(self) -> dict[str, Any]:
        return {"alignment": self.alignment.to_json(),
                "bead_scores": [score.to_json() for score in self.bead_scores],
                "corpus": [corpus.to_json() for corpus in self.corpus],
                "threshold": self.threshold.to_json(), "summary": self.summary(),
                "signature": dict(self.signature)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ScoredAlignment:
        return cls(alignment=Alignment.from_json(data["alignment"]),
                   bead_scores=tuple(BeadScore.from_json(s) for s in data["bead_scores"]),
                   corpus=tuple(CorpusScore.from_json(c) for c in data["corpus"]),
                   threshold=Threshold.from_json(data["threshold"]),
                   signature=dict(data.get("signature", {})))


class BeadScorer:
    """Sentence-level chrF and BLEU (effective order) of one MT hypothesis against one reference."""

    def __init__(self) -> None:
        from sacrebleu.metrics import BLEU, CHRF

        self._chrf = CHRF()
        self._bleu = BLEU(effective_order=True)

    def score(self, hypothesis: str, reference: str) -> tuple[float, float]:
        """``(chrf, bleu)`` on sacrebleu's 0..100 scale."""
        return (self._chrf.sentence_score(hypothesis, [reference]).score,
                self._bleu.sentence_score(hypothesis, [reference]).score)

    def signatures(self) -> dict[str, str]:
        return {"bead_chrf": str(self._chrf.get_signature()),
                "bead_bleu": str(self._bleu.get_signature())}


def corpus_scores(hypotheses: Sequence[str], references: Sequence[str]) -> tuple[CorpusScore, ...]:
    """Corpus BLEU, chrF and TER with sacrebleu's default settings (those of its CLI)."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    results = []
    for metric in (BLEU(), CHRF(), TER()):
        score = metric.corpus_score(list(hypotheses), [list(references)])
        signature = metric.get_signature().format()
        # Score.format(is_json=True) is what the CLI prints; its verbose part is reused here.
        shown = json.loads(score.format(signature=signature, is_json=True))
        results.append(CorpusScore(name=score.name, score=score.score, signature=signature,
                                   verbose=shown.get("verbose_score", "")))
    return tuple(results)


def score_alignment(alignment: Alignment, translations: Sequence[str],
                    threshold: float | Threshold = DEFAULT_THRESHOLD,
                    mt_signature: Mapping[str, str] | None = None) -> ScoredAlignment:
    """Score every bead and the whole document against MT of the source sentences.

    ``translations`` holds one MT output per source sentence; a bead's hypothesis is the MT
    of its source sentences joined by spaces, its reference the target side. Null beads
    (``1-0``, ``0-1``) keep their MT but get no score. ``mt_signature`` (the translator's
    signature, or ``{"file": path}``) is recorded under ``mt:`` keys.
    """
    if len(translations) != len(alignment.src_sentences):
        raise InputError(f"{alignment.src_id}: {len(translations)} translations for "
                         f"{len(alignment.src_sentences)} source sentences; give one per sentence")
    decision = threshold if isinstance(threshold, Threshold) else Threshold(float(threshold))
    scorer = BeadScorer()
    bead_scores, hypotheses, references = [], [], []
    for bead in alignment.beads:
        mt = " ".join(translations[i] for i in bead.src) if bead.src else None
        if bead.is_null:
            bead_scores.append(BeadScore(chrf=None, bleu=None, mt=mt))
            continue
        reference = alignment.bead_texts(bead)[1]
        chrf, bleu = scorer.score(mt or "", reference)
        hypotheses.append(mt or "")
        references.append(reference)
        score = BeadScore(chrf=chrf, bleu=bleu, mt=mt)
        bead_scores.append(replace(score, doubtful=decision.is_doubtful(score)))
    corpus = corpus_scores(hypotheses, references) if hypotheses else ()
    options: dict[str, object] = {"threshold": decision.value,
                                  "threshold_metric": decision.metric, **scorer.signatures()}
    options.update({f"corpus_{c.name}": c.signature for c in corpus})
    options.update({f"mt:{key}": value for key, value in (mt_signature or {}).items()})
    return ScoredAlignment(alignment=alignment, bead_scores=tuple(bead_scores), corpus=corpus,
                           threshold=decision, signature=make_signature("score", options))


def score_alignments(alignments: Sequence[Alignment], translations: Sequence[str],
                     threshold: float | Threshold = DEFAULT_THRESHOLD,
                     mt_signature: Mapping[str, str] | None = None) -> list[ScoredAlignment]:
    """Score several alignments against one MT file: one line per source sentence of every
    alignment, in order (what ``aligner translate`` gives for their source sentences).

    >>> from aligner.records import Alignment, Bead
    >>> one = Alignment("a", "b", "ru", "en", ("Да.",), ("Yes.",), (Bead((0,), (0,)),))
    >>> [scored.alignment.src_id for scored in score_alignments([one, one], ["Yes.", "Yes."])]
    ['a', 'a']
    """
    expected = sum(len(alignment.src_sentences) for alignment in alignments)
    if len(translations) != expected:
        raise InputError(f"{len(translations)} translations for {expected} source sentences "
                         "of the alignments; give one per sentence")
    scored, start = [], 0
    for alignment in alignments:
        end = start + len(alignment.src_sentences)
        scored.append(score_alignment(alignment, translations[start:end], threshold,
                                      mt_signature))
        start = end
    return scored


def language_pair(alignments: Sequence[Alignment]) -> tuple[str, str]:
    """The one (source, target) language pair of ``alignments``; an error when they mix pairs.

    >>> from aligner.records import Alignment, Bead
    >>> language_pair([Alignment("a", "b", "ru", "en", ("Да.",), ("Yes.",), (Bead((0,), (0,)),))])
    ('ru', 'en')
    """
    pairs = {(alignment.src_lang, alignment.tgt_lang) for alignment in alignments}
    if len(pairs) != 1:
        raise InputError(f"alignments mix language pairs {sorted(pairs)}; score one pair per file")
    return pairs.pop()


def apply_threshold(scored: ScoredAlignment, threshold: float | Threshold) -> ScoredAlignment:
    """The same scores, decided again with another threshold (no MT, no sacrebleu)."""
    decision = threshold if isinstance(threshold, Threshold) else Threshold(float(threshold))
    decided = tuple(replace(score, doubtful=decision.is_doubtful(score))
                    for score in scored.bead_scores)
    signature = {**scored.signature, "threshold": f"{decision.value}",
                 "threshold_metric": decision.metric}
    return replace(scored, bead_scores=decided, threshold=decision, signature=signature)
