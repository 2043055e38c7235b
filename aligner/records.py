"""Plain typed records passed between pipeline stages.

documents -> sentences -> document pairs -> beads -> scored beads (a pair's
:class:`PairResult`) -> TMX / report.
Every record is a frozen dataclass that validates itself and converts to and from plain JSON
(``to_json`` / ``from_json``), so stages can run in other processes or on a Dask cluster and
their outputs can be written as JSON Lines.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from aligner.paths import pair_file_stem

LANG_CODE = re.compile(r"^[a-z]{2,3}$")
"""A language code as options give it and records carry it: ISO 639-1 or 639-3, lower case."""


class PairLabel(StrEnum):
    """How a pair of documents relates; a ``str``, so it reads and writes as its value."""

    PARALLEL = "parallel"
    SAME_EVENT = "same-event"
    RELATED = "related"


PAIR_LABELS: tuple[PairLabel, ...] = tuple(PairLabel)
# What each pairing label means, in one line (the report and the summaries show it).
LABEL_MEANINGS: Mapping[PairLabel, str] = {
    PairLabel.PARALLEL: "a translation of the same text, one-to-one",
    PairLabel.SAME_EVENT: "independent reports of one event: same participants, date, facts; "
                          "not translations",
    PairLabel.RELATED: "the same topic, another event",
}


@dataclass(frozen=True)
class Paragraph:
    """One block of the page: article body, title, or chrome (``boilerplate``) with a reason."""

    text: str
    boilerplate: bool = False
    reason: str = ""
    is_title: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "boilerplate": self.boilerplate, "reason": self.reason,
                "is_title": self.is_title}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Paragraph:
        return cls(text=data["text"], boilerplate=bool(data.get("boilerplate", False)),
                   reason=data.get("reason", ""), is_title=bool(data.get("is_title", False)))


@dataclass(frozen=True)
class Sentence:
    """A body sentence; ``start``/``end`` are character offsets into ``Document.clean_text``."""

    text: str
    paragraph: int
    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"sentence offsets out of order: {self.start}..{self.end}")

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "paragraph": self.paragraph, "start": self.start,
                "end": self.end}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Sentence:
        return cls(text=data["text"], paragraph=int(data["paragraph"]),
                   start=int(data["start"]), end=int(data["end"]))


@dataclass(frozen=True)
class Document:
    """One ingested text: language, encoding, title, date, paragraphs and body sentences.

    ``clean_text`` is the body (non-boilerplate, non-title paragraphs) joined by blank lines;
    sentence offsets point into it. ``Sentence.paragraph`` indexes ``paragraphs``.
    """

    id: str
    path: str
    lang: str
    encoding: str
    paragraphs: tuple[Paragraph, ...]
    sentences: tuple[Sentence, ...]
    clean_text: str
    lang_confidence: float = 1.0
    title: str | None = None
    date: str | None = None
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("document id must not be empty")
        if not 0.0 <= self.lang_confidence <= 1.0:
            raise ValueError(f"{self.id}: language confidence {self.lang_confidence} not in [0, 1]")

    @property
    def sentence_texts(self) -> list[str]:
        return [sentence.text for sentence in self.sentences]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "path": self.path, "lang": self.lang,
            "lang_confidence": round(self.lang_confidence, 4), "encoding": self.encoding,
            "title": self.title, "date": self.date,
            "paragraphs": [p.to_json() for p in self.paragraphs],
            "sentences": [s.to_json() for s in self.sentences],
            "clean_text": self.clean_text, "warnings": list(self.warnings),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Document:
        return cls(
            id=data["id"], path=data.get("path", ""), lang=data["lang"],
            lang_confidence=float(data.get("lang_confidence", 1.0)),
            encoding=data.get("encoding", "utf-8"), title=data.get("title"),
            date=data.get("date"),
            paragraphs=tuple(Paragraph.from_json(p) for p in data.get("paragraphs", ())),
            sentences=tuple(Sentence.from_json(s) for s in data.get("sentences", ())),
            clean_text=data.get("clean_text", ""), warnings=tuple(data.get("warnings", ())),
        )


@dataclass(frozen=True)
class Bead:
    """An alignment unit: source and target sentence indices (either may be empty).

    ``confidence`` is calibrated in [0, 1]; ``scores`` holds each signal's raw score.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    confidence: float = 1.0
    scores: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.src and not self.tgt:
            raise ValueError("a bead needs at least one sentence on one side")
        for side in (self.src, self.tgt):
            if list(side) != sorted(set(side)) or any(i < 0 for i in side):
                raise ValueError(f"bead indices must be increasing and non-negative: {side}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"bead confidence {self.confidence} not in [0, 1]")

    @property
    def type(self) -> str:
        """Bead type such as ``"1-1"``, ``"2-1"``, ``"1-0"``."""
        return f"{len(self.src)}-{len(self.tgt)}"

    @property
    def is_null(self) -> bool:
        return not self.src or not self.tgt

    def gold_format(self) -> str:
        """The bead in vecalign's gold format, e.g. ``[3, 4]:[5]``."""
        return f"{list(self.src)}:{list(self.tgt)}"

    def to_json(self) -> dict[str, Any]:
        return {"src": list(self.src), "tgt": list(self.tgt), "type": self.type,
                "confidence": round(self.confidence, 6),
                "scores": {k: round(v, 6) for k, v in sorted(self.scores.items())}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Bead:
        return cls(src=tuple(data["src"]), tgt=tuple(data["tgt"]),
                   confidence=float(data.get("confidence", 1.0)),
                   scores=dict(data.get("scores", {})))


@dataclass(frozen=True)
class Alignment:
    """The beads of one document pair, with both sides' sentences and the run's signature."""

    src_id: str
    tgt_id: str
    src_lang: str
    tgt_lang: str
    src_sentences: tuple[str, ...]
    tgt_sentences: tuple[str, ...]
    beads: tuple[Bead, ...]
    signature: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        covered_src = [i for bead in self.beads for i in bead.src]
        covered_tgt = [i for bead in self.beads for i in bead.tgt]
        if covered_src != list(range(len(self.src_sentences))):
            raise ValueError(f"{self.src_id}: beads must cover every source sentence once, "
                             "in order")
        if covered_tgt != list(range(len(self.tgt_sentences))):
            raise ValueError(f"{self.tgt_id}: beads must cover every target sentence once, "
                             "in order")

    def bead_texts(self, bead: Bead) -> tuple[str, str]:
        """Source and target text of a bead (sentences joined by a space)."""
        return (" ".join(self.src_sentences[i] for i in bead.src),
                " ".join(self.tgt_sentences[i] for i in bead.tgt))

    def to_json(self) -> dict[str, Any]:
        return {"src_id": self.src_id, "tgt_id": self.tgt_id, "src_lang": self.src_lang,
                "tgt_lang": self.tgt_lang, "src_sentences": list(self.src_sentences),
                "tgt_sentences": list(self.tgt_sentences),
                "beads": [bead.to_json() for bead in self.beads],
                "signature": dict(self.signature)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Alignment:
        return cls(src_id=data["src_id"], tgt_id=data["tgt_id"], src_lang=data["src_lang"],
                   tgt_lang=data["tgt_lang"], src_sentences=tuple(data["src_sentences"]),
                   tgt_sentences=tuple(data["tgt_sentences"]),
                   beads=tuple(Bead.from_json(b) for b in data["beads"]),
                   signature=dict(data.get("signature", {})))


@dataclass(frozen=True)
class PairEvidence:
    """The evidence of one candidate document pair (see :mod:`aligner.pair.evidence`).

    Shares, agreements and probabilities lie in [0, 1]; the cosines ``embedding`` and
    ``margin`` are at least 0. An optional kind is ``None`` when it does not apply: an
    anchor kind (``numbers``, ``dates``, ``names``) that neither side has, ``participants``
    or ``event_date`` when a side has none, ``mt_chrf`` without MT, ``p_parallel`` and
    ``p_related`` before the decision. Written as ``name: value`` by name, absent kinds
    left out.
    """

    coverage_src: float
    coverage_tgt: float
    aligned: bool
    length: float
    embedding: float
    margin: float
    sentences_src: float
    sentences_tgt: float
    numbers: float | None = None
    dates: float | None = None
    names: float | None = None
    participants: float | None = None
    event_date: float | None = None
    mt_chrf: float | None = None
    p_parallel: float | None = None
    p_related: float | None = None

    def __post_init__(self) -> None:
        for name, value in self.items():
            ceiling = math.inf if name in ("embedding", "margin") else 1.0
            if not 0.0 <= value <= ceiling:
                raise ValueError(f"pair evidence {name}={value} not in [0, {ceiling}]")

    def items(self) -> Iterator[tuple[str, float]]:
        """The evidence present, as ``(name, value)`` sorted by name (``aligned`` as 0 or 1)."""
        for name in _EVIDENCE_NAMES:
            value = getattr(self, name)
            if value is not None:
                yield name, float(value)

    def to_json(self) -> dict[str, float]:
        return {name: round(value, 6) for name, value in self.items()}

    @classmethod
    def from_json(cls, data: Mapping[str, float]) -> PairEvidence:
        unknown = sorted(set(data) - set(_EVIDENCE_NAMES))
        if unknown:
            raise ValueError(f"unknown pair evidence {', '.join(unknown)}")
        values: dict[str, Any] = {name: float(value) for name, value in data.items()}
        if "aligned" in values:
            values["aligned"] = bool(values["aligned"])
        return cls(**values)


_EVIDENCE_NAMES: tuple[str, ...] = tuple(sorted(item.name for item in fields(PairEvidence)))


@dataclass(frozen=True)
class DocPair:
    """A pairing decision between a source and a target document, with its evidence.

    ``label``: ``parallel`` (a translation of the same text), ``same-event`` (independent
    reports of one event) or ``related`` (same topic, another event), given as a
    :class:`PairLabel` or its value; ``basis`` says in words which evidence decided it.
    """

    src_id: str
    tgt_id: str
    label: PairLabel
    confidence: float
    evidence: PairEvidence | None = None
    basis: str = ""

    def __post_init__(self) -> None:
        if self.label not in PAIR_LABELS:
            raise ValueError(f"pair label must be one of {', '.join(PAIR_LABELS)}, "
                             f"not {self.label!r}")
        object.__setattr__(self, "label", PairLabel(self.label))
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"pair confidence {self.confidence} not in [0, 1]")

    def evidence_text(self, number_format: str) -> str:
        """The evidence as ``name=value`` words, e.g. ``aligned=1.00 coverage_src=0.97``."""
        if self.evidence is None:
            return ""
        return " ".join(f"{name}={value:{number_format}}"
                        for name, value in self.evidence.items())

    def to_json(self) -> dict[str, Any]:
        return {"src_id": self.src_id, "tgt_id": self.tgt_id, "label": self.label.value,
                "confidence": round(self.confidence, 6), "basis": self.basis,
                "evidence": {} if self.evidence is None else self.evidence.to_json()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DocPair:
        evidence = data.get("evidence")
        return cls(src_id=data["src_id"], tgt_id=data["tgt_id"], label=data["label"],
                   confidence=float(data["confidence"]),
                   evidence=PairEvidence.from_json(evidence) if evidence else None,
                   basis=data.get("basis", ""))


@dataclass(frozen=True)
class BeadScore:
    """MT agreement of one bead: sentence chrF and BLEU of MT(source) against the target.

    ``doubtful`` is the decision of a threshold, kept apart from the scores.
    """

    chrf: float | None
    bleu: float | None
    mt: str | None = None
    doubtful: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"chrf": None if self.chrf is None else round(self.chrf, 4),
                "bleu": None if self.bleu is None else round(self.bleu, 4),
                "mt": self.mt, "doubtful": self.doubtful}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BeadScore:
        return cls(chrf=data.get("chrf"), bleu=data.get("bleu"), mt=data.get("mt"),
                   doubtful=bool(data.get("doubtful", False)))


@dataclass(frozen=True)
class CorpusScore:
    """One corpus-level sacrebleu figure, exactly as ``sacrebleu REF -i HYP -m ...`` reports it."""

    name: str
    score: float
    signature: str
    verbose: str = ""

    def formatted(self, width: int = 1) -> str:
        """The score with ``width`` decimals, as sacrebleu's ``--width`` prints it."""
        return f"{self.score:.{width}f}"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "score": self.score, "signature": self.signature,
                "verbose": self.verbose}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CorpusScore:
        return cls(name=data["name"], score=float(data["score"]), signature=data["signature"],
                   verbose=data.get("verbose", ""))


@dataclass(frozen=True)
class SimilarityGrid:
    """Sentence similarity of a pair pooled to a small grid, in whole percent (0-100).

    ``cells[r][c]`` is the highest similarity of a source sentence of row block ``r`` with a
    target sentence of column block ``c``; blocks split the sentences evenly.
    """

    cells: tuple[tuple[int, ...], ...]
    encoder: str

    def to_json(self) -> dict[str, Any]:
        return {"cells": [list(row) for row in self.cells], "encoder": self.encoder}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SimilarityGrid:
        return cls(cells=tuple(tuple(int(v) for v in row) for row in data["cells"]),
                   encoder=data["encoder"])


@dataclass(frozen=True)
class MtStatus:
    """Whether beads were scored against MT, with which model, and a one-line explanation.

    >>> MtStatus("off", message="MT scoring was switched off (--no-mt).").state
    'off'
    """

    state: str  # "scored", "skipped" (no usable model) or "off" (--no-mt)
    model: str | None = None
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "model": self.model, "message": self.message}


@dataclass(frozen=True)
class PairResult:
    """One parallel pair's work: its alignment, MT scores and doubtful beads, and its files.

    ``doubtful`` holds the one decision per bead (:class:`aligner.score.DoubtfulRule`);
    ``doc_scores`` the document's corpus BLEU, chrF and TER; ``files`` the pair's outputs,
    relative to the run folder; ``fingerprint`` the digest of everything the pair's outputs
    depend on. A pair a person reviewed (``aligner review``) has ``reviewed`` (per bead: did a
    person confirm or make it) and ``review_changes`` (edits by kind); beads the person
    changed have no score.
    """

    pair: DocPair
    alignment: Alignment
    doubtful: tuple[bool, ...]
    bead_scores: tuple[BeadScore | None, ...] | None = None
    doc_scores: tuple[CorpusScore, ...] = ()
    similarity: SimilarityGrid | None = None
    files: Mapping[str, str] = field(default_factory=dict)
    fingerprint: str = ""
    score_signature: Mapping[str, str] = field(default_factory=dict)
    reviewed: tuple[bool, ...] | None = None
    review_changes: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.doubtful) != len(self.alignment.beads):
            raise ValueError(f"{self.key}: {len(self.doubtful)} doubtful flags for "
                             f"{len(self.alignment.beads)} beads")
        for name, values in (("bead scores", self.bead_scores), ("review flags", self.reviewed)):
            if values is not None and len(values) != len(self.alignment.beads):
                raise ValueError(f"{self.key}: {len(values)} {name} for "
                                 f"{len(self.alignment.beads)} beads")

    @property
    def key(self) -> str:
        """The file stem of the pair's outputs (:func:`aligner.paths.pair_file_stem`)."""
        return pair_file_stem(self.pair.src_id, self.pair.tgt_id)

    def doc_score(self, name: str) -> CorpusScore | None:
        """The corpus score called ``name`` (``BLEU``, ``chrF``, ``TER``), if scored."""
        return next((score for score in self.doc_scores if score.name == name), None)
