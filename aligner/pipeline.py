"""The main job: a folder of documents to per-pair alignments, TMX files and a report.

Stages are functions over plain records (:mod:`aligner.records`):

1. ingest the inputs -> ``documents.jsonl``;
2. pair the documents -> ``pairs.tsv`` (candidates verified on the executor);
3. per parallel pair, independently (in this process, local processes or on a Dask cluster,
   see :mod:`aligner.executors`): machine-translate the source (when a model or precomputed MT
   is at hand), align, score against the MT -> ``alignments/<src>__<tgt>.jsonl`` and
   ``tmx/<src>__<tgt>.tmx``;
4. gather: ``corpus.tmx`` (every pair, deduplicated), ``report.json``, ``report.html`` and
   ``signature.json``.

Every file is written atomically. A run remembers, in ``.aligner-run.json``, the fingerprint
of its inputs and options at each stage, and each per-pair file carries the fingerprint of
its own inputs (see :mod:`aligner.outfolder`), so a re-run (or ``--resume`` after an
interruption) redoes only what changed; the embedding and MT caches make the rest cheap.
Outputs do not depend on how the work was executed: in-process, ``--jobs N`` and Dask runs
write the same bytes (TMX creation dates aside).
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
from tmx.parse import MAX_SEGMENT_BYTES
from tmx.writer import TOO_LONG

from aligner import __version__
from aligner.align import AlignConfig
from aligner.errors import ConfigurationError, InputError, ModelError
from aligner.executors import (Executor, ProgressFactory, make_executor, map_in_order,
                               no_progress)
from aligner.io import read_jsonl, write_json
from aligner.outfolder import (PairOutcome, RunState, check_output_outside_inputs, file_digest,
                               fingerprint, input_fingerprint, load_outcome,
                               outcome_from_records, output_lock, pair_files, pair_key,
                               prepare_output, remove_stale_pair_files, save_outcome,
                               write_pair_tmx)
from aligner.pair import PairConfig, signature_path, verification_config
from aligner.records import Alignment, Bead, BeadScore, DocPair, Document
from aligner.report import MtStatus, PairFigures, RunFigures, SimilarityGrid, write_report
from aligner.signature import make_signature

# Beads whose alignment confidence falls below this are doubtful when no MT score decides.
DOUBTFUL_BELOW = 0.5
SIMILARITY_GRID = 24
INGEST_BATCH = 32  # files per ingestion task: enough to outweigh the cost of a task

@dataclass(frozen=True)
class RunOptions:
    """The options that decide a run's outputs (how it is executed does not).

    ``translations`` is a folder of precomputed MT: ``<source document id>.<tgt_lang>``, one
    line per body sentence of that document. ``presplit``: input files hold one sentence
    per line. ``align`` and ``pair`` are the settings of alignment and pairing, built once
    (by the CLI) and used by every stage and every signature; pairing verifies candidates
    with ``align``'s signals and weights unless ``pair.align`` says otherwise.

    >>> RunOptions(use_mt=False, model="ru-en")
    Traceback (most recent call last):
    ...
    aligner.errors.ConfigurationError: --model and --no-mt exclude each other; drop one
    """

    src_lang: str = "ru"
    tgt_lang: str = "en"
    model: str | None = None
    use_mt: bool = True
    translations: str | None = None
    doubtful_below: float = DOUBTFUL_BELOW
    presplit: bool = False
    align: AlignConfig = field(default_factory=AlignConfig)
    pair: PairConfig = field(default_factory=PairConfig)

    def __post_init__(self) -> None:
        if self.src_lang == self.tgt_lang:
            raise ConfigurationError(f"--src-lang and --tgt-lang are both {self.src_lang!r}; "
                                     "a run needs two languages")
        if not self.use_mt and self.model:
            raise ConfigurationError("--model and --no-mt exclude each other; drop one")
        if self.translations and (self.model or not self.use_mt):
            raise ConfigurationError("--translations gives the MT itself; it excludes "
                                     "--model and --no-mt")
        if not 0.0 <= self.doubtful_below <= 1.0:
            raise ConfigurationError(f"the doubtful threshold must lie in [0, 1], "
                                     f"not {self.doubtful_below}")
        if self.pair.align is None:  # pairing verifies with the run's signals and weights
            object.__setattr__(self, "pair",
                               replace(self.pair, align=verification_config(self.align)))

    def own_options(self) -> dict[str, Any]:
        """The run's own options (the alignment and pairing settings aside)."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in ("align", "pair")}

    def to_json(self) -> dict[str, Any]:
        """The run's own options, then ``align`` and ``pair`` as their flat signature options."""
        return dict(self.own_options(), align=self.align.to_json(), pair=self.pair.options())


@dataclass(frozen=True)
class MtPlan:
    """How a worker gets MT for a pair: a model (by id), precomputed lines, or none."""

    kind: str  # "model", "precomputed" or "none"
    src_lang: str = ""
    tgt_lang: str = ""
    model_id: str | None = None
    cache_key: str = ""


@dataclass(frozen=True)
class PairTask:
    """Everything one pair's work needs; picklable, so it runs in any process."""

    pair: DocPair
    src: Document
    tgt: Document
    mt: MtPlan
    translation: tuple[str, ...] | None
    doubtful_below: float
    fingerprint: str
    align: AlignConfig
    grid_encoder: str  # the pairing's encoder: it embedded every body sentence already

    @property
    def key(self) -> str:
        return pair_key(self.pair)


@dataclass
class RunSummary:
    """What a run did, for the summary table (``--json`` prints :meth:`to_json`)."""

    out: str
    executor: str
    workers: int
    documents: int = 0
    skipped_files: int = 0
    parallel_pairs: int = 0
    same_event_pairs: int = 0
    related_pairs: int = 0
    unpaired_documents: int = 0
    aligned_pairs: int = 0
    reused_pairs: int = 0
    beads: int = 0
    doubtful_beads: int = 0
    tmx_units: int = 0
    mt: dict[str, Any] = field(default_factory=dict)
    reused_stages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- stage 1: ingestion

def ingest_stage(inputs: Sequence[str | os.PathLike[str]], out: Path, state: RunState,
                 options: RunOptions, executor: Executor, progress: ProgressFactory,
                 ) -> tuple[list[Document], list[tuple[str, str]], bool]:
    """Documents of the inputs (reused from ``documents.jsonl`` when the inputs are unchanged).

    Returns the documents (sorted by id), the skipped files with reasons, and whether the
    earlier result was reused. With several workers each file is read as a task.
    """
    from aligner.ingest import read_documents_file, write_documents

    stamp = fingerprint("ingest", __version__, options.presplit,
                        input_fingerprint(inputs))
    previous = state.stage("ingest")
    documents_path = out / "documents.jsonl"
    if (previous and previous.get("fingerprint") == stamp
            and previous.get("documents_sha256") == file_digest(documents_path)):
        try:
            documents = read_documents_file(documents_path)
            return documents, [(path, reason) for path, reason in previous["skipped"]], True
        except (OSError, InputError):
            pass  # a damaged documents.jsonl is simply rebuilt below
    if executor.workers > 1:
        documents, skipped = ingest_as_tasks(inputs, options.presplit, executor, progress)
    else:
        from aligner.ingest import ingest_paths

        result = ingest_paths([str(path) for path in inputs], presplit=options.presplit,
                              progress=lambda files: progress(files, "reading documents",
                                                              len(files)))
        documents, skipped = result.documents, result.skipped
    documents = sorted(documents, key=lambda doc: doc.id)
    skipped = sorted((str(path), reason) for path, reason in skipped)
    write_documents(documents_path, documents)
    state.save_stage("ingest", {"fingerprint": stamp, "skipped": [list(s) for s in skipped],
                                "documents_sha256": file_digest(documents_path)})
    return documents, skipped, False


def read_documents(job: tuple[tuple[tuple[str, bytes], ...], bool]
                   ) -> list[Document | InputError]:
    """Task: ingest a batch of files sent as ``(path, bytes)``; a file that cannot be read
    comes back as its error. Workers need no access to the inputs: the bytes travel."""
    from aligner.ingest import ingest_paths

    files, presplit = job
    results: list[Document | InputError] = []
    with tempfile.TemporaryDirectory(prefix="aligner-ingest-") as tmp:
        for number, (path, data) in enumerate(files):
            # Same name (stem: the id; suffix: HTML or text) in a folder of its own.
            copy = Path(tmp) / str(number) / Path(path).name
            copy.parent.mkdir()
            copy.write_bytes(data)
            try:
                results.append(replace(ingest_paths([copy], presplit=presplit).documents[0],
                                       path=path))
            except InputError as error:
                results.append(InputError(str(error).replace(str(copy), path)))
    return results


def ingest_as_tasks(inputs: Sequence[str | os.PathLike[str]], presplit: bool,
                    executor: Executor, progress: ProgressFactory
                    ) -> tuple[list[Document], list[tuple[str, str]]]:
    """Read the input files in batches, as tasks; the same documents and ids as ``ingest_paths``.

    Ids are given here, in file order, as ingestion gives them (stems, made unique).
    """
    from aligner.ingest.document import input_files, unique_id, no_documents_error
    from aligner.ingest.encoding import check_size

    # The folder walk and id rule of ingestion itself, so both paths give the same documents.
    skipped: list[tuple[str, str]] = []
    files = list(input_files(inputs, lambda path, reason: skipped.append((path, reason))))
    results: dict[int, Document | InputError] = {}
    sendable = []
    for index, (path, _) in enumerate(files):
        try:
            check_size(path.stat().st_size, str(path))  # never load a huge file to send it
            sendable.append(index)
        except (InputError, OSError) as error:
            results[index] = error if isinstance(error, InputError) else \
                InputError(f"{path}: {error.strerror or error}")
    batches = [sendable[start:start + INGEST_BATCH]
               for start in range(0, len(sendable), INGEST_BATCH)]
    jobs = ((tuple((str(files[i][0]), files[i][0].read_bytes()) for i in batch), presplit)
            for batch in batches)  # read lazily, as tasks are submitted
    for number, batch_results in progress(executor.run(read_documents, jobs),
                                          "reading documents", len(batches)):
        results.update(zip(batches[number], batch_results))
    documents, taken = [], set()
    for index, (path, named) in enumerate(files):
        result = results[index]
        if isinstance(result, InputError):
            if named:
                raise result
            prefix = f"{path}: "
            message = str(result)
            skipped.append((str(path), message[len(prefix):] if message.startswith(prefix)
                            else message))
            continue
        documents.append(replace(result, id=unique_id(result.id, taken)))
    if not documents:
        raise no_documents_error(inputs, skipped)
    return documents, skipped


# ---------------------------------------------------------------- MT plan

def plan_mt(options: RunOptions) -> tuple[MtPlan, MtStatus, Any]:
    """Decide how pairs get MT: the plan for workers, the report's status, a translator.

    No model installed (and none named): MT is skipped with a one-line explanation. A named
    model that is missing, or an installed package that is broken, is an error.
    """
    if not options.use_mt:
        return (MtPlan("none"), MtStatus("off", None, "MT scoring was switched off (--no-mt)."),
                None)
    if options.translations:
        return (MtPlan("precomputed", options.src_lang, options.tgt_lang, "precomputed"),
                MtStatus("scored", "precomputed",
                         f"Beads scored against precomputed MT from {options.translations}."),
                None)
    from aligner.mt import find_model

    try:
        find_model(options.src_lang, options.tgt_lang, options.model)
    except ModelError as error:
        if options.model:
            raise
        return (MtPlan("none"),
                MtStatus("skipped", None, f"MT scoring skipped: {error} (--no-mt silences this)"),
                None)
    from aligner.mt import load_translator

    translator = load_translator(options.src_lang, options.tgt_lang, model_id=options.model)
    plan = MtPlan("model", options.src_lang, options.tgt_lang, translator.model_id,
                  translator.cache_key)
    _TRANSLATORS[plan] = translator  # in-process tasks share the one this process loads
    return plan, MtStatus("scored", translator.model_id,
                          f"Beads scored against MT by {translator.model_id}."), translator


_TRANSLATORS: dict[MtPlan, Any] = {}


def cached_translator(plan: MtPlan) -> Any:
    """The translator of ``plan``, loaded once per process (the model loads on first use).

    The plan's cache key holds the model's version and file fingerprint, so a worker whose
    installed model differs from the one the run was planned with refuses to translate.
    """
    if plan in _TRANSLATORS:
        return _TRANSLATORS[plan]
    from aligner.mt import load_translator

    translator = load_translator(plan.src_lang, plan.tgt_lang, model_id=plan.model_id)
    if translator.cache_key != plan.cache_key:
        raise ModelError(f"model {plan.model_id} on this worker ({translator.cache_key}) is not "
                         f"the one the run was planned with ({plan.cache_key}); install the "
                         "same package everywhere")
    _TRANSLATORS[plan] = translator
    return translator


def read_translations(options: RunOptions, documents: Sequence[Document]
                      ) -> dict[str, tuple[str, ...]]:
    """Precomputed MT of the source-language documents that have a file, checked line by line.

    A source document without a file simply has no MT (its pair is aligned, not scored).
    """
    if not options.translations:
        return {}
    from aligner.mt import read_translation_file

    folder = Path(options.translations)
    if not folder.is_dir():
        raise InputError(f"{folder}: --translations must be a folder holding "
                         f"<document id>.{options.tgt_lang} files")
    found = {}
    for document in documents:
        path = folder / f"{document.id}.{options.tgt_lang}"
        if document.lang == options.src_lang and path.is_file():
            found[document.id] = tuple(read_translation_file(path, len(document.sentences)))
    return found


def precomputed_status(status: MtStatus, tasks: Sequence[PairTask]) -> MtStatus:
    """The MT status of a run on precomputed MT, saying how many pairs had none."""
    missing = sum(task.translation is None for task in tasks)
    if status.model != "precomputed" or not missing:
        return status
    return replace(status, message=f"{status.message} {missing} of {len(tasks)} pairs had no "
                                   "MT file for their source document and were not scored.")


# ---------------------------------------------------------------- stage 2: pairing

def pairing_stage(documents: Sequence[Document], options: RunOptions, state: RunState,
                  out: Path, translator: Any, translations: Mapping[str, Sequence[str]],
                  progress: ProgressFactory, executor: Executor
                  ) -> tuple[list[DocPair], list[str], list[str], bool]:
    """Pairs (sorted), unpaired ids and pairing's warnings; reused when documents and options
    are unchanged. Candidates are verified on ``executor`` when it has several workers."""
    from aligner.pair import pair_documents, write_pairs_tsv

    config = options.pair
    # options.to_json() holds the pairing options (config.options()) as its "pair" entry
    stamp = fingerprint("pair", state.stage("ingest"), options.to_json(),
                        getattr(translator, "cache_key", None), translations, __version__)
    previous = state.stage("pair")
    if (previous and previous.get("fingerprint") == stamp
            and previous.get("pairs_sha256") == _pairs_digest(out)):
        try:
            pairs = [DocPair.from_json(item) for item in previous["pairs"]]
            return pairs, list(previous["unpaired"]), list(previous["warnings"]), True
        except (KeyError, TypeError, ValueError):
            pass  # a damaged record is simply redone below
    # One worker gains nothing from shipping the candidates' documents to another process.
    map_tasks = functools.partial(map_in_order, executor) if executor.workers > 1 else None
    result = pair_documents(documents, options.src_lang, options.tgt_lang, config,
                            translator=translator, translations=translations or None,
                            progress=progress, map_tasks=map_tasks)
    pairs = sorted(result.pairs, key=lambda p: (p.label != "parallel", p.src_id, p.tgt_id))
    unpaired = sorted(result.unpaired)
    write_pairs_tsv(out / "pairs.tsv", pairs, unpaired, result.signature)
    state.save_stage("pair", {"fingerprint": stamp, "pairs": [p.to_json() for p in pairs],
                              "unpaired": unpaired, "warnings": list(result.warnings),
                              "pairs_sha256": _pairs_digest(out)})
    return pairs, unpaired, list(result.warnings), False


def _pairs_digest(out: Path) -> list[str | None]:
    """The digests of ``pairs.tsv`` and its signature sidecar, as the pairing stage wrote them."""
    tsv = out / "pairs.tsv"
    return [file_digest(tsv), file_digest(signature_path(tsv))]


# ---------------------------------------------------------------- stage 3: per-pair work

def make_tasks(pairs: Sequence[DocPair], documents: Sequence[Document], options: RunOptions,
               plan: MtPlan, translations: Mapping[str, Sequence[str]],
               signature: Mapping[str, str]) -> list[PairTask]:
    """One task per parallel pair, with the fingerprint of everything its outputs depend on
    (the run's ``signature``, which holds the alignment options and the doubtful threshold:
    it goes into the pair's TMX header)."""
    by_id = {document.id: document for document in documents}
    tasks = []
    for pair in pairs:
        if pair.label != "parallel":
            continue
        src, tgt = by_id[pair.src_id], by_id[pair.tgt_id]
        translation = translations.get(pair.src_id)
        translation = tuple(translation) if translation is not None else None
        stamp = fingerprint("pair-work", __version__, src.to_json(), tgt.to_json(),
                            pair.to_json(), asdict(plan), translation, dict(signature))
        tasks.append(PairTask(pair, src, tgt, plan, translation, options.doubtful_below,
                              stamp, options.align, options.pair.encoder))
    return tasks


def process_pair(task: PairTask) -> PairOutcome:
    """Translate (if planned), align and score one pair; a pure function of the task."""
    from aligner.align import align_documents

    translation = _translation_for(task)
    alignment = align_documents(task.src, task.tgt, task.align, translation=translation)
    bead_scores, doc_scores, score_signature = _score(alignment, translation, task.mt)
    doubtful = tuple(_is_doubtful(bead, score, task.doubtful_below)
                     for bead, score in zip(alignment.beads,
                                            bead_scores or [None] * len(alignment.beads)))
    figures = PairFigures(pair=task.pair, alignment=alignment, doubtful=doubtful,
                          bead_scores=bead_scores, doc_scores=doc_scores,
                          similarity=similarity_grid(alignment, task.grid_encoder),
                          files=pair_files(task.key))
    return PairOutcome(figures, task.fingerprint, score_signature)


def _translation_for(task: PairTask) -> list[str] | None:
    if task.translation is not None:
        return list(task.translation)
    if task.mt.kind == "model":
        return cached_translator(task.mt).translate(task.src.sentence_texts)
    return None


def _score(alignment: Alignment, translation: Sequence[str] | None, plan: MtPlan
           ) -> tuple[tuple[BeadScore, ...] | None, dict[str, dict[str, Any]], dict[str, str]]:
    """Bead scores, document scores ``{metric: {score, signature}}`` and the score signature
    from the scoring stage (nothing when there is no MT)."""
    if translation is None:
        return None, {}, {}
    from aligner.score import score_alignment

    mt_signature = {"model": plan.model_id or "none", "key": plan.cache_key}
    scored = score_alignment(alignment, translation, mt_signature=mt_signature)
    doc_scores = {corpus.name: {"score": corpus.score, "signature": corpus.signature}
                  for corpus in scored.corpus}
    return scored.bead_scores, doc_scores, dict(scored.signature)


def _is_doubtful(bead: Bead, score: BeadScore | None, threshold: float) -> bool:
    """The MT threshold decides when the bead was scored; else its alignment confidence."""
    if score is not None and (score.chrf is not None or score.doubtful):
        return score.doubtful
    return bead.confidence < threshold


def similarity_grid(alignment: Alignment, encoder_name: str,
                    size: int = SIMILARITY_GRID) -> SimilarityGrid | None:
    """Sentence similarity of a pair pooled into at most ``size`` x ``size`` cells.

    Embeddings come from the encoder's disk cache (pairing embedded the same sentences).
    """
    if not alignment.src_sentences or not alignment.tgt_sentences:
        return None
    from aligner.embed import get_encoder

    encoder = get_encoder(encoder_name)
    cells = pooled_similarity(encoder.embed(alignment.src_sentences),
                              encoder.embed(alignment.tgt_sentences), size)
    return SimilarityGrid(cells, encoder.name)


def pooled_similarity(src: np.ndarray, tgt: np.ndarray, size: int
                      ) -> tuple[tuple[int, ...], ...]:
    """Cosine similarity of unit rows, max-pooled over even blocks, in whole percent.

    Rows are processed a block at a time, so long documents never need the whole matrix.

    >>> src = np.array([[1, 0], [0, 1], [0, 1]], dtype=np.float32)
    >>> tgt = np.array([[1, 0], [0.6, 0.8]], dtype=np.float32)
    >>> pooled_similarity(src, tgt, 2)  # rows 0-1 pooled, row 2 alone
    ((100, 80), (0, 80))
    """
    row_blocks = np.array_split(np.arange(len(src)), min(size, len(src)))
    col_starts = [block[0] for block in np.array_split(np.arange(len(tgt)), min(size, len(tgt)))]
    rows = []
    for block in row_blocks:
        pooled = np.maximum.reduceat((src[block] @ tgt.T).max(axis=0), col_starts)
        rows.append(tuple(int(round(float(v) * 100)) for v in np.clip(pooled, 0.0, 1.0)))
    return tuple(rows)


# ---------------------------------------------------------------- stage 4: gather

def run_signature(options: RunOptions, mt: MtStatus, mt_signature: Mapping[str, str],
                  languages: Iterable[str]) -> dict[str, str]:
    """The run's signature: versions, options, how documents of each of the ``languages``
    were ingested (sentence splitter, chrome method), alignment and pairing settings (as they
    ran), models."""
    from aligner.ingest import ingest_method

    settings: dict[str, object] = {f"run.{key}": value
                                   for key, value in options.own_options().items()}
    settings.update({f"ingest.{key}.{lang}": value for lang in sorted(set(languages))
                     for key, value in ingest_method(lang, options.presplit).items()})
    settings.update({f"align.{key}": value for key, value in options.align.to_json().items()})
    settings.update({f"pair.{key}": value for key, value in options.pair.options().items()})
    settings["mt.state"] = mt.state
    settings["mt.model"] = mt.model or "none"
    settings.update({f"mt.{key}": value for key, value in mt_signature.items()
                     if key not in ("stage", "aligner")})
    return make_signature("run", settings)


def write_signature(out: Path, signature: Mapping[str, str]) -> None:
    write_json(out / "signature.json", dict(signature))


# ---------------------------------------------------------------- the whole run

def run_pipeline(inputs: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str],
                 options: RunOptions | None = None, *, jobs: int = 1,
                 dask_scheduler: str | None = None, resume: bool = False,
                 progress: ProgressFactory | None = None,
                 executor: Executor | None = None) -> RunSummary:
    """Run every stage over ``inputs`` into the folder ``out``; return what was done.

    :param jobs: local processes for the per-pair work (1: in this process).
    :param dask_scheduler: address of a Dask scheduler that runs the per-pair work instead.
    :param resume: continue an earlier run in ``out`` (it must exist, with the same options).
    """
    options = options or RunOptions()
    wrap = progress or no_progress
    out_dir = Path(out)
    check_output_outside_inputs(out_dir, inputs)
    # Model and cluster are checked before OUT is touched: a mistake there leaves no folder.
    plan, mt_status, translator = plan_mt(options)
    own_executor = executor is None
    executor = executor or make_executor(jobs, dask_scheduler)
    summary = RunSummary(out=str(out_dir), executor=executor.name, workers=executor.workers,
                         mt=mt_status.to_json())
    try:
        with output_lock(out_dir):
            state = prepare_output(out_dir, options.to_json(), resume)
            return _run_stages(inputs, out_dir, options, state, plan, mt_status, translator,
                               executor, wrap, summary)
    finally:
        if own_executor:
            executor.close()


def _run_stages(inputs: Sequence[str | os.PathLike[str]], out: Path, options: RunOptions,
                state: RunState, plan: MtPlan, mt_status: MtStatus, translator: Any,
                executor: Executor, wrap: ProgressFactory, summary: RunSummary) -> RunSummary:
    clock = functools.partial(_timed, summary.seconds)
    with clock("ingest"):
        documents, skipped, reused = ingest_stage(inputs, out, state, options, executor, wrap)
    _note(summary, "ingest", reused)
    translations = read_translations(options, documents)
    with clock("pair"):
        pairs, unpaired, summary.warnings, reused = pairing_stage(
            documents, options, state, out, translator, translations, wrap, executor)
    _note(summary, "pair", reused)
    mt_signature = dict(translator.signature()) if translator is not None else {}
    signature = run_signature(options, mt_status, mt_signature,
                              (document.lang for document in documents))
    tasks = make_tasks(pairs, documents, options, plan, translations, signature)
    mt_status = precomputed_status(mt_status, tasks)
    summary.mt = mt_status.to_json()
    with clock("align"):
        outcomes = run_pair_tasks(tasks, out, executor, signature, wrap, summary)
    with clock("gather"):
        remove_stale_pair_files(out, {task.key for task in tasks})
        run = RunFigures(documents, skipped, pairs, unpaired, [], mt_status, signature,
                         summary.warnings)
        summary.tmx_units, report = gather_stage(out, run, outcomes, options.src_lang)
    summary.warnings = list(report["warnings"])
    _summarise(summary, report)
    return summary


def gather_stage(out: Path, run: RunFigures, outcomes: Sequence[PairOutcome],
                 source_lang: str) -> tuple[int, dict[str, Any]]:
    """Stage 4: reviews applied (``OUT/reviewed/``, see :mod:`aligner.review.store`), then
    ``corpus.tmx``, the report and ``signature.json``; returns the TMX units and the report.

    A reviewed pair's own TMX is rewritten from its review too, so every TMX file agrees.
    """
    from aligner.review.store import apply_reviews

    outcomes, notes = apply_reviews(out, outcomes)
    for outcome in outcomes:
        if outcome.figures.reviewed is not None:
            write_pair_tmx(out, outcome.figures, run.signature)
    warnings = [*run.warnings, *notes]
    units = write_corpus_tmx(out, outcomes, run.signature, source_lang, warnings)
    report = write_report(out, replace(run, outcomes=[outcome.figures for outcome in outcomes],
                                       warnings=warnings))
    write_signature(out, run.signature)
    return units, report


def regather(out: Path) -> dict[str, Any]:
    """Stage 4 again from what a finished run left in ``out`` (after a person's review):
    nothing is aligned or scored, the per-pair alignment files are read back."""
    from aligner.ingest import read_documents_file

    state = RunState(out)
    state.load()
    ingest, pairing = state.stage("ingest"), state.stage("pair")
    if ingest is None or pairing is None or not (out / "report.json").is_file():
        raise InputError(f"{out}: no finished aligner run here (run aligner run first)")
    source_lang = str(state.data["options"]["src_lang"])
    with open(out / "report.json", encoding="utf-8") as handle:
        mt_status = MtStatus(**json.load(handle)["mt"])
    with open(out / "signature.json", encoding="utf-8") as handle:
        signature = json.load(handle)
    pairs = [DocPair.from_json(item) for item in pairing["pairs"]]
    outcomes = [outcome_from_records(list(read_jsonl(out / pair_files(pair_key(pair))
                                                     ["alignment"])))
                for pair in pairs if pair.label == "parallel"]
    documents = read_documents_file(out / "documents.jsonl")
    run = RunFigures(documents, [(path, reason) for path, reason in ingest["skipped"]], pairs,
                     list(pairing["unpaired"]), [], mt_status, signature,
                     list(pairing["warnings"]))
    return gather_stage(out, run, outcomes, source_lang)[1]


def run_pair_tasks(tasks: Sequence[PairTask], out: Path, executor: Executor,
                   signature: Mapping[str, str], wrap: ProgressFactory,
                   summary: RunSummary) -> list[PairOutcome]:
    """Reuse finished pairs, run the others on ``executor``; outcomes in task order."""
    outcomes: dict[int, PairOutcome] = {}
    todo: list[tuple[int, PairTask]] = []
    for index, task in enumerate(tasks):
        earlier = load_outcome(out, task.key, task.fingerprint)
        if earlier is not None:
            outcomes[index] = earlier
        else:
            todo.append((index, task))
    summary.reused_pairs = len(outcomes)
    results = executor.run(process_pair, [task for _, task in todo])
    for position, outcome in wrap(results, "aligning pairs", len(todo)):
        outcomes[todo[position][0]] = save_outcome(out, outcome, signature)
    return [outcomes[index] for index in range(len(tasks))]


def write_corpus_tmx(out: Path, outcomes: Sequence[PairOutcome], signature: Mapping[str, str],
                     source_lang: str, warnings: list[str]) -> int:
    """``corpus.tmx``: every pair's units, duplicate pairs written once; returns the units.

    With no pair at all the file is still written, valid and empty, so the folder stays
    consistent. Units too long for any TMX reader are left out and named in ``warnings``.
    """
    from aligner.export import write_alignment_tmx

    alignments = [outcome.figures.alignment for outcome in outcomes]
    scores = [outcome.figures.bead_scores for outcome in outcomes]
    reviewed = [outcome.figures.reviewed for outcome in outcomes]
    stats = write_alignment_tmx(out / "corpus.tmx", alignments, scores=scores,
                                signature=signature, src_lang=source_lang, reviewed=reviewed)
    too_long = stats.left_out.counts[TOO_LONG]
    if too_long:
        warnings.append(f"{too_long} units left out of the TMX files: a segment "
                        f"over the {MAX_SEGMENT_BYTES / 1e6:g} MB that TMX readers accept "
                        f"({', '.join(stats.left_out.names[TOO_LONG][:5])})")
    return stats.written


def _note(summary: RunSummary, stage: str, reused: bool) -> None:
    if reused:
        summary.reused_stages.append(stage)


def _summarise(summary: RunSummary, report: Mapping[str, Any]) -> None:
    figures = report["summary"]
    summary.documents = figures["documents"]
    summary.skipped_files = figures["skipped_files"]
    summary.parallel_pairs = figures["pairs_by_label"].get("parallel", 0)
    summary.same_event_pairs = figures["pairs_by_label"].get("same-event", 0)
    summary.related_pairs = figures["pairs_by_label"].get("related", 0)
    summary.unpaired_documents = figures["unpaired_documents"]
    summary.aligned_pairs = figures["aligned_pairs"]
    summary.beads = figures["beads"]
    summary.doubtful_beads = figures["doubtful_beads"]


@contextmanager
def _timed(seconds: dict[str, float], stage: str) -> Iterator[None]:
    """Wall time of a stage into ``seconds`` (informative only, never written to outputs)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[stage] = round(time.perf_counter() - started, 3)


__all__ = ["DOUBTFUL_BELOW", "MtPlan", "PairOutcome", "PairTask", "RunOptions", "RunSummary",
           "make_tasks", "process_pair", "regather", "run_pipeline"]
