"""The main job: a folder of documents to per-pair alignments, TMX files and a report.

Stages are functions over plain records (:mod:`aligner.records`):

1. ingest the inputs (:mod:`aligner.ingest`) -> ``documents.jsonl``;
2. pair the documents (:mod:`aligner.pair`) -> ``pairs.tsv`` (candidates verified on the
   executor);
3. per parallel pair, independently (in this process, local processes or on a Dask cluster,
   see :mod:`aligner.executors`), :mod:`aligner.pairwork`: machine-translate the source (as
   :mod:`aligner.mt.plan` planned), align, score against the MT ->
   ``alignments/<src>__<tgt>.jsonl`` and ``tmx/<src>__<tgt>.tmx``;
4. gather (:mod:`aligner.gather`), a person's reviews applied (:mod:`aligner.review.store`):
   ``corpus.tmx`` (every pair, deduplicated), ``report.json``, ``report.html`` and
   ``signature.json``.

Every file is written atomically. A run remembers, in ``.aligner-run.json``, the fingerprint
of its inputs and options at each stage, and each per-pair file carries the fingerprint of
its own inputs and the state the digest of each pair's TMX (see :mod:`aligner.outfolder`),
so a re-run (or ``--resume`` after an
interruption) redoes only what changed; the embedding and MT caches make the rest cheap.
Outputs do not depend on how the work was executed: in-process, ``--jobs N`` and Dask runs
write the same bytes (TMX creation dates aside).
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from aligner import __version__
from aligner.alignment import AlignConfig, confidence_model, usable_signals
from aligner.docfile import read_documents_file, write_documents
from aligner.errors import ConfigurationError, InputError
from aligner.executors import (
    Executor,
    MapTasks,
    ProgressFactory,
    make_executor,
    map_in_order,
    no_progress,
)
from aligner.gather import gather_stage
from aligner.ingest import ingest_method, ingest_paths
from aligner.ingest.document import folder_rules
from aligner.mt import Translator
from aligner.mt.plan import MtPlan, plan_mt, precomputed_status, read_translations
from aligner.outfolder import (
    RunState,
    check_output_outside_inputs,
    file_digest,
    fingerprint,
    input_fingerprint,
    load_result,
    output_lock,
    prepare_output,
    remove_stale_pair_files,
    save_result,
)
from aligner.pair import (
    PairConfig,
    pair_documents,
    signature_path,
    verification_config,
    write_pairs_tsv,
)
from aligner.pairwork import PairTask, process_pair
from aligner.records import DocPair, Document, MtStatus, PairLabel, PairResult
from aligner.report import RunFigures
from aligner.review.store import apply_reviews
from aligner.score import DOUBTFUL_BELOW, DoubtfulRule
from aligner.signature import make_signature

__all__ = ["RunOptions", "RunSummary", "make_tasks", "run_pipeline", "run_signature"]


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
        DoubtfulRule(confidence_below=self.doubtful_below)  # raises for one outside [0, 1]
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


@dataclass
class RunSummary:
    """What a run did, for the summary table (``--json`` prints :meth:`to_json`)."""

    out: str
    executor: str
    workers: int
    documents: int = 0
    skipped_files: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)  # path and reason of each
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
                 options: RunOptions, map_tasks: MapTasks | None, progress: ProgressFactory,
                 ) -> tuple[list[Document], list[tuple[str, str]], bool]:
    """Documents of the inputs (reused from ``documents.jsonl`` when the inputs are unchanged).

    Returns the documents (sorted by id), the skipped files with reasons, and whether the
    earlier result was reused. With ``map_tasks`` the files are read as tasks.
    """
    stamp = fingerprint("ingest", __version__, options.presplit, folder_rules(),
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
    result = ingest_paths([str(path) for path in inputs], presplit=options.presplit,
                          progress=lambda files: progress(files, "reading documents",
                                                          len(files)),
                          map_tasks=map_tasks)
    documents = sorted(result.documents, key=lambda doc: doc.id)
    skipped = list(result.skipped)
    write_documents(documents_path, documents)
    state.save_stage("ingest", {"fingerprint": stamp, "skipped": [list(s) for s in skipped],
                                "documents_sha256": file_digest(documents_path)})
    return documents, skipped, False


# ---------------------------------------------------------------- stage 2: pairing

def pairing_stage(documents: Sequence[Document], options: RunOptions, state: RunState,
                  out: Path, translator: Translator | None,
                  translations: Mapping[str, Sequence[str]],
                  progress: ProgressFactory, map_tasks: MapTasks | None
                  ) -> tuple[list[DocPair], list[str], list[str], bool]:
    """Pairs (sorted), unpaired ids and pairing's warnings; reused when documents and options
    are unchanged. Candidates are verified through ``map_tasks`` when it is given."""
    # options.to_json() holds the pairing options (options.pair.options()) as its "pair" entry
    stamp = fingerprint("pair", state.stage("ingest"), options.to_json(),
                        translator.cache_key if translator else None, translations, __version__)
    previous = state.stage("pair")
    if (previous and previous.get("fingerprint") == stamp
            and previous.get("pairs_sha256") == _pairs_digest(out)):
        try:
            pairs = [DocPair.from_json(item) for item in previous["pairs"]]
            return pairs, list(previous["unpaired"]), list(previous["warnings"]), True
        except (KeyError, TypeError, ValueError):
            pass  # a damaged record is simply redone below
    result = pair_documents(documents, options.src_lang, options.tgt_lang, options.pair,
                            translator=translator, translations=translations or None,
                            progress=progress, map_tasks=map_tasks)
    pairs = sorted(result.pairs, key=lambda p: (p.label is not PairLabel.PARALLEL, p.src_id,
                                               p.tgt_id))
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
               plan: MtPlan, translations: Mapping[str, tuple[str, ...]],
               signature: Mapping[str, str]) -> list[PairTask]:
    """One task per parallel pair, with the fingerprint of everything its outputs depend on
    (the run's ``signature``, which holds the alignment options and the doubtful threshold:
    it goes into the pair's TMX header)."""
    by_id = {document.id: document for document in documents}
    doubtful = DoubtfulRule(confidence_below=options.doubtful_below)
    tasks = []
    for pair in pairs:
        if pair.label is not PairLabel.PARALLEL:
            continue
        src, tgt = by_id[pair.src_id], by_id[pair.tgt_id]
        translation = translations.get(pair.src_id)
        stamp = fingerprint("pair-work", __version__, src.to_json(), tgt.to_json(),
                            pair.to_json(), asdict(plan), translation, dict(signature))
        tasks.append(PairTask(pair, src, tgt, plan, translation, doubtful, stamp,
                              options.align, options.pair.encoder))
    return tasks


# ---------------------------------------------------------------- the run's signature

def run_signature(options: RunOptions, mt: MtStatus, mt_signature: Mapping[str, str],
                  languages: Iterable[str]) -> dict[str, str]:
    """The run's signature: versions, options, how documents of each of the ``languages``
    were ingested (sentence splitter, chrome method), alignment and pairing settings (as they
    ran), models."""
    settings: dict[str, object] = {f"run.{key}": value
                                   for key, value in options.own_options().items()}
    settings.update({f"ingest.{key}.{lang}": value for lang in sorted(set(languages))
                     for key, value in ingest_method(lang, options.presplit).items()})
    settings.update({f"align.{key}": value for key, value in options.align.to_json().items()})
    settings["align.confidence"] = confidence_model()
    settings.update({f"pair.{key}": value for key, value in options.pair.options().items()})
    settings["mt.state"] = mt.state
    settings["mt.model"] = mt.model or "none"
    settings.update({f"mt.{key}": value for key, value in mt_signature.items()
                     if key not in ("stage", "aligner")})
    return make_signature("run", settings)


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
    plan, mt_status, translator = plan_mt(options.src_lang, options.tgt_lang,
                                          model=options.model, use_mt=options.use_mt,
                                          translations=options.translations)
    usable_signals(options.align, translated=plan.kind != "none",
                   how="install a model (aligner models install) or give --translations DIR")
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
                state: RunState, plan: MtPlan, mt_status: MtStatus, translator: Translator | None,
                executor: Executor, wrap: ProgressFactory, summary: RunSummary) -> RunSummary:
    clock = functools.partial(_timed, summary.seconds)
    # One worker gains nothing from shipping files or documents to another process.
    map_tasks = functools.partial(map_in_order, executor) if executor.workers > 1 else None
    with clock("ingest"):
        documents, skipped, reused = ingest_stage(inputs, out, state, options, map_tasks, wrap)
    _note(summary, "ingest", reused)
    translations = read_translations(options.translations, options.src_lang,
                                     options.tgt_lang, documents)
    with clock("pair"):
        pairs, unpaired, summary.warnings, reused = pairing_stage(
            documents, options, state, out, translator, translations, wrap, map_tasks)
    _note(summary, "pair", reused)
    mt_signature = dict(translator.signature()) if translator is not None else {}
    signature = run_signature(options, mt_status, mt_signature,
                              (document.lang for document in documents))
    tasks = make_tasks(pairs, documents, options, plan, translations, signature)
    mt_status = precomputed_status(mt_status, [task.translation for task in tasks])
    summary.mt = mt_status.to_json()
    with clock("align"):
        results = run_pair_tasks(tasks, out, state, executor, signature, wrap, summary)
    with clock("gather"):
        keys = {task.key for task in tasks}
        remove_stale_pair_files(out, keys)
        state.keep_pair_tmx(keys)
        results, notes = apply_reviews(out, results)
        run = RunFigures(documents, skipped, pairs, unpaired, results, mt_status, signature,
                         [*summary.warnings, *notes])
        summary.tmx_units, report = gather_stage(out, run, state, options.src_lang)
    summary.warnings = list(report["warnings"])
    _summarise(summary, report)
    return summary


def run_pair_tasks(tasks: Sequence[PairTask], out: Path, state: RunState, executor: Executor,
                   signature: Mapping[str, str], wrap: ProgressFactory,
                   summary: RunSummary) -> list[PairResult]:
    """Reuse finished pairs, run the others on ``executor``; results in task order."""
    results: dict[int, PairResult] = {}
    todo: list[tuple[int, PairTask]] = []
    for index, task in enumerate(tasks):
        earlier = load_result(out, task.key, task.fingerprint, state.pair_tmx(task.key))
        if earlier is not None:
            results[index] = earlier
        else:
            todo.append((index, task))
    summary.reused_pairs = len(results)
    done = executor.run(process_pair, [task for _, task in todo])
    for position, result in wrap(done, "aligning pairs", len(todo)):
        results[todo[position][0]] = save_result(out, result, signature, state)
    return [results[index] for index in range(len(tasks))]


def _note(summary: RunSummary, stage: str, reused: bool) -> None:
    if reused:
        summary.reused_stages.append(stage)


def _summarise(summary: RunSummary, report: Mapping[str, Any]) -> None:
    figures = report["summary"]
    summary.documents = figures["documents"]
    summary.skipped_files = figures["skipped_files"]
    summary.skipped = list(report["skipped"])
    summary.parallel_pairs = figures["pairs_by_label"].get(PairLabel.PARALLEL, 0)
    summary.same_event_pairs = figures["pairs_by_label"].get(PairLabel.SAME_EVENT, 0)
    summary.related_pairs = figures["pairs_by_label"].get(PairLabel.RELATED, 0)
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

