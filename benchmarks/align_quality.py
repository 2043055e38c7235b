"""Alignment quality and speed on textberg-dev (de-fr) and the four WMT22 ru-en variants.

Prints strict/lax P/R/F1 and sentences per second for this aligner without MT, with the given
MT files, and Gale-Church (``nltk.translate.gale_church``) as a baseline measured in the same
run; then the ratio of one ``align`` call (cold cache) to embedding every sentence once, and
search-only time and peak memory on synthetic documents of 1k, 4k and 16k sentences.

    python benchmarks/align_quality.py            # everything (slow on a busy machine)
    python benchmarks/align_quality.py --quick    # 40 documents per WMT variant, 1k/4k search
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aligner.align import AlignConfig, align_sentences
from aligner.embed import Usem3Encoder
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


def run_system(docs: list[Doc], system: str, config: AlignConfig) -> tuple[AlignmentScore, float]:
    tests = []
    start = time.perf_counter()
    for doc in docs:
        if system == "gale-church":
            tests.append(gale_church(doc))
            continue
        cfg = AlignConfig(**{**config.to_json(), "src_lang": doc.langs[0],
                             "tgt_lang": doc.langs[1]})
        beads = align_sentences(doc.src, doc.tgt, cfg,
                                translation=doc.mt if system == "aligner+mt" else None)
        tests.append([(b.src, b.tgt) for b in beads])
    elapsed = time.perf_counter() - start
    return score_alignments([d.gold for d in docs], tests), elapsed


def quality_table(sets: dict[str, list[Doc]], config: AlignConfig) -> None:
    print(f"{'data':22}{'system':13}{'P strict':>9}{'R strict':>9}{'F1 strict':>10}"
          f"{'F1 lax':>8}{'sent/s':>9}{'F1/GC':>7}")
    for name, docs in sets.items():
        sentences = sum(len(d.src) + len(d.tgt) for d in docs)
        baseline = None
        for system in ("gale-church", "aligner", "aligner+mt"):
            if system == "aligner+mt" and not all(d.mt for d in docs):
                print(f"{name:22}{system:13}{'(no MT files)':>30}")
                continue
            score, elapsed = run_system(docs, system, config)
            baseline = baseline or score.strict.f1
            print(f"{name:22}{system:13}{score.strict.precision:9.4f}{score.strict.recall:9.4f}"
                  f"{score.strict.f1:10.4f}{score.lax.f1:8.4f}{sentences / elapsed:9.0f}"
                  f"{score.strict.f1 / baseline:7.3f}", flush=True)


def speed_table(docs: list[Doc], config: AlignConfig) -> None:
    """One align call per document with an empty cache, against embedding each sentence once."""
    from aligner.embed import get_encoder

    print("\nalign call (cold cache) vs embedding every sentence once (floor), "
          f"{sum(len(d.src) + len(d.tgt) for d in docs)} sentences, no MT")
    encoder = Usem3Encoder(use_cache=False)
    encoder.embed(["warm up"])
    get_encoder().embed(["warm up"])  # both models loaded before any clock starts
    start = time.perf_counter()
    for doc in docs:
        encoder.embed(doc.src + doc.tgt)
    floor = time.perf_counter() - start
    print(f"{'variant':44}{'seconds':>9}{'ratio':>8}{'F1 strict':>10}")
    print(f"{'embed once (floor)':44}{floor:9.1f}{1.0:8.2f}")
    variants = (("default: exact spans <= 2, refine <= 4", {}),
                ("exact spans <= 2, no refinement", {"refine_span": 0}),
                ("summed spans, refine <= 4", {"exact_span": 1}),
                ("summed spans only", {"exact_span": 1, "refine_span": 0}))
    for label, change in variants:
        with tempfile.TemporaryDirectory() as cache:
            os.environ["ALIGNER_CACHE_DIR"] = cache
            cfg = AlignConfig(**{**config.to_json(), **change})
            score, elapsed = run_system(docs, "aligner", cfg)
            print(f"{label:44}{elapsed:9.1f}{elapsed / floor:8.2f}{score.strict.f1:10.4f}",
                  flush=True)


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
    from aligner.align.core import confidence

    totals, right, null_right, nulls = [], [], 0, 0
    for name in ("textberg-dev", "wmt-seg_perturbed", "wmt-split_perturbed"):
        for doc in sets[name]:
            for translation in (None, doc.mt):
                cfg = AlignConfig(**{**config.to_json(), "src_lang": doc.langs[0],
                                     "tgt_lang": doc.langs[1]})
                units = 1.0 + (translation is not None) * config.mt_weight / config.embedding_weight
                gold = set(doc.gold)
                for bead in align_sentences(doc.src, doc.tgt, cfg, translation=translation):
                    hit = (bead.src, bead.tgt) in gold
                    if bead.is_null:
                        nulls, null_right = nulls + 1, null_right + hit
                        continue
                    totals.append(bead.scores["total"] / (units * config.embedding_weight)
                                  + config.bead_cost)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--quick", action="store_true",
                        help="40 documents per WMT variant; search sizes 1k and 4k only")
    parser.add_argument("--skip-speed", action="store_true", help="Quality table only.")
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
    if not args.skip_speed:
        speed_table(sets["wmt-split_perturbed"][:10 if args.quick else 40], config)
        search_table(iter((1000, 4000) if args.quick else (1000, 4000, 16000)))


if __name__ == "__main__":
    main()
