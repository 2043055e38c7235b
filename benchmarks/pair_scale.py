"""Time, peak memory and recall of document pairing as the collection grows (target: the
non-embedding part grows no worse than N log N, candidates per document bounded).

Collections of N distinct documents per language are recombined from WMT22 segment pairs, each
sentence varied so that documents do not repeat each other and embedding grows with N (see
``pair_data.synthetic_collection``; a fifth of each side has no partner). Each size runs in a
fresh process with its own empty embedding cache: first the sentences are embedded
(``embed``), then ``pair_documents`` runs (``rest``: cache look-ups and pooling, neighbour
search, verification; any encoder time spent inside it is moved to ``embed``; ``search`` and
``verify`` are its stages). ``cand/doc`` is the mean and ``max cand`` the largest number of
candidates of one document (either side): at most ``PairConfig.max_candidates`` (16), however
many others find a document (a hub) near them. ``distinct`` is the share of sentences that
occur once in the collection. Peak memory is the child's peak resident set size
(``getrusage``) after each part. Ratios are against the
smallest size, measured in the same run, and taken on CPU seconds (``embed cpu``,
``rest cpu``: the child's own), which a shared machine disturbs far less than wall seconds.
Each size's row is printed as soon as it is measured.

With ``--cache DIR`` every size shares one lasting embedding cache instead of an empty one
of its own: the first documents of a larger collection are those of a smaller one, so a
16k run embeds a quarter of a 64k collection's sentences, and a rerun embeds nothing
(``new`` counts the sentences run through the encoder; ``embed`` then times only them and
the cache look-ups). ``--embed-only`` stops after embedding, to fill such a cache.

    python benchmarks/pair_scale.py --quick      # 250 and 1000 documents per language
    python benchmarks/pair_scale.py              # 1000 and 4000
    python benchmarks/pair_scale.py --sizes 1000 4000 16000 65536   # any sizes
    python benchmarks/pair_scale.py --search 1000 4000 16000 65536   # the search stage alone
    python benchmarks/pair_scale.py --search 16000 --real --cache C   # on real vectors
    python benchmarks/pair_scale.py --embed-only --cache C --sizes 16000 65536   # fill a cache
    python benchmarks/pair_scale.py --cache C --sizes 16000 65536   # then pair, embedding cached

``--search`` times the candidate search alone (one direction) on synthetic document vectors
(2048 dimensions, as pooled ones: topic clusters plus noise; each query a noisy copy of its
true partner), or with ``--real`` on the pooled vectors of the collection above: the exact
search against the inverted file (faiss) that replaces it above
``aligner.pair.search.EXACT_LIMIT`` documents, with the recall of the true partners at 1,
the share of the exact 8 nearest (pairing's relation neighbours) the index also returns,
the child's peak memory (vectors included) and growth of CPU seconds against N log N. The
exact search is skipped above ``--exact-max`` (it grows as N squared).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import benchmark_parser  # noqa: E402

EMBED_CHUNK = 4096  # sentences embedded per call before pairing
SEARCH_K = 8  # neighbours per document, as pairing asks (relation_neighbours)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(size: int, shared: Path, embed_only: bool = False) -> dict[str, float]:
    """Build one collection, embed it and (unless ``embed_only``) pair it; return the
    figures (run in a child process)."""
    from pair_data import distinct_share, synthetic_collection
    from pair_quality import precision_recall

    import aligner.pair.core as pairing
    from aligner.embed import get_encoder
    from aligner.pair import pair_documents

    collection = synthetic_collection(shared, size)
    candidates = _count_candidates(pairing)
    encoder = get_encoder()
    encode_seconds = [0.0]
    encode_batch = encoder._encode_batch

    def timed_encode(texts: list[str]):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return encode_batch(texts)
        finally:
            encode_seconds[0] += time.perf_counter() - started

    encoder._encode_batch = timed_encode  # type: ignore[method-assign]
    base_rss = peak_rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    texts = [text for doc in collection.documents for text in doc.sentence_texts]
    for start in range(0, len(texts), EMBED_CHUNK):  # in bounded memory, as a run embeds
        encoder.embed(texts[start:start + EMBED_CHUNK])
    embed_seconds = time.perf_counter() - started
    embed_cpu = time.process_time() - cpu_started
    embed_rss = peak_rss_mb()
    embedded = {"N": size, "sentences": len(texts), "new": encoder.encoded_count,
                "distinct": distinct_share(collection), "embed s": embed_seconds,
                "embed cpu": embed_cpu, "embed MiB": embed_rss - base_rss,
                "peak MiB": embed_rss}
    if embed_only:
        return embedded
    encode_before = encode_seconds[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    result = pair_documents(collection.documents)
    total = time.perf_counter() - started
    rest_cpu = time.process_time() - cpu_started
    late_encoding = encode_seconds[0] - encode_before
    found = {(pair.src_id, pair.tgt_id) for pair in result.parallel}
    precision, recall, _ = precision_recall(found, collection.gold)
    per_document = [count for side in candidates for count in side.values()]
    return {**embedded, "new": encoder.encoded_count,
            "embed s": embed_seconds + late_encoding, "rest s": total - late_encoding,
            "rest cpu": rest_cpu,
            "search s": result.timings["search"], "verify s": result.timings["verify"],
            "verified": result.candidates_verified,
            "cand/doc": len(per_document) and sum(per_document) / len(per_document),
            "max cand": max(per_document, default=0),
            "rest MiB": peak_rss_mb() - embed_rss,
            "peak MiB": peak_rss_mb(), "P": precision, "R": recall}


def _count_candidates(pairing) -> tuple[Counter[int], Counter[int]]:  # type: ignore[no-untyped-def]
    """Wrap the pairing's candidate search to count candidates per source and target document."""
    counts: tuple[Counter[int], Counter[int]] = (Counter(), Counter())
    search = pairing.find_candidates

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = search(*args, **kwargs)
        counts[0].update(candidate.src for candidate in found)
        counts[1].update(candidate.tgt for candidate in found)
        return found

    pairing.find_candidates = counted
    return counts


def synthetic_vectors(size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``size`` base vectors in topic clusters and, per base row, a noisy copy as its query."""
    rng = np.random.default_rng(seed)
    dim, topics = 2048, max(8, size // 64)
    centres = rng.standard_normal((topics, dim)).astype(np.float32)
    base = centres[rng.integers(0, topics, size)] + 0.9 * rng.standard_normal(
        (size, dim)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    queries = base + 0.04 * rng.standard_normal((size, dim)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    return queries, base


def collection_vectors(size: int, shared: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pooled vectors of the Russian and English documents of :func:`measure`'s
    collection, and for each Russian one the row of its English partner (-1 for none)."""
    from pair_data import synthetic_collection

    from aligner.embed import get_encoder
    from aligner.executors import no_progress
    from aligner.pair.core import embed_documents

    collection = synthetic_collection(shared, size)
    ru = [doc for doc in collection.documents if doc.lang == "ru"]
    en = [doc for doc in collection.documents if doc.lang == "en"]
    row_of = {doc.id: row for row, doc in enumerate(en)}
    partner = dict(collection.gold)
    truth = np.array([row_of.get(partner.get(doc.id, ""), -1) for doc in ru])
    encoder = get_encoder()
    return (embed_documents(encoder, ru, 256, no_progress),
            embed_documents(encoder, en, 256, no_progress), truth)


def measure_search(size: int, exact_max: int, shared: Path | None) -> dict[str, float]:
    """The search stage on ``size`` documents per side (run in a child process): synthetic
    vectors, or with ``shared`` the real pooled vectors of :func:`measure`'s collection
    (embedded first, or read from the cache)."""
    from aligner.pair.search import exact_neighbours, nearest_neighbours

    if shared is None:
        queries, base = synthetic_vectors(size, seed=size)
        truth = np.arange(size)
    else:
        queries, base, truth = collection_vectors(size, shared)
    started, cpu_started = time.perf_counter(), time.process_time()
    found = nearest_neighbours(queries, base, SEARCH_K, exact_limit=0)
    paired = truth >= 0
    row = {"N": size, "index s": time.perf_counter() - started,
           "index cpu": time.process_time() - cpu_started,
           "recall@1": float(np.mean(found.indices[paired, 0] == truth[paired]))}
    if size <= exact_max:
        started, cpu_started = time.perf_counter(), time.process_time()
        exact = exact_neighbours(queries, base, SEARCH_K)
        row["exact s"] = time.perf_counter() - started
        row["exact cpu"] = time.process_time() - cpu_started
        row["same top8"] = float(np.mean([len(set(a) & set(b)) / SEARCH_K for a, b in
                                          zip(found.indices.tolist(), exact.indices.tolist())]))
    return {**row, "peak MiB": peak_rss_mb()}


def print_search_table(rows: list[dict[str, float]]) -> None:
    """Seconds (wall and CPU) per size; growth on CPU seconds against the first size."""
    base = rows[0]
    print(f"{'N':>7} {'exact s':>8} {'exact cpu':>9} {'index s':>8} {'index cpu':>9} "
          f"{'peak MiB':>9} {'recall@1':>8} {'same top8':>9} {'index x':>8} {'NlogN x':>8} "
          f"{'exact x':>8}")
    for row in rows:
        exact = "exact cpu" in row
        print(f"{row['N']:>7} {row.get('exact s', math.nan):>8.1f} "
              f"{row.get('exact cpu', math.nan):>9.1f} {row['index s']:>8.1f} "
              f"{row['index cpu']:>9.1f} {row['peak MiB']:>9.0f} {row['recall@1']:>8.4f} "
              f"{row.get('same top8', math.nan):>9.4f} "
              f"{ratio(row['index cpu'], base['index cpu']):>8.1f} "
              f"{nlogn_growth(row, base):>8.1f} "
              f"{ratio(row['exact cpu'], base['exact cpu']) if exact else math.nan:>8.1f}")


def run_child(flags: list[str], cache: Path | None) -> dict[str, float]:
    """Measure in a fresh Python process (this script with ``flags``), with ``cache`` or an
    empty one; its figures."""
    with tempfile.TemporaryDirectory(prefix="pair-scale-") as empty:
        env = {**os.environ, "ALIGNER_CACHE_DIR": str(cache or empty)}
        completed = subprocess.run([sys.executable, __file__, *flags], env=env, check=True,
                                   capture_output=True, text=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


EMBED_COLUMNS = ("N", "sentences", "new", "distinct", "embed s", "embed cpu", "embed MiB",
                 "peak MiB", "embed x", "new x")
PAIR_COLUMNS = ("N", "sentences", "new", "distinct", "embed s", "rest s", "embed cpu",
                "rest cpu", "search s", "verify s", "cand/doc", "max cand", "peak MiB",
                "rest MiB", "P", "R", "embed x", "rest x", "NlogN x")


def nlogn_growth(row: dict[str, float], base: dict[str, float]) -> float:
    """How much N log N grows from ``base``'s N to ``row``'s."""
    return row["N"] * math.log(row["N"]) / (base["N"] * math.log(base["N"]))


def ratio(value: float, base: float) -> float:
    """``value / base``; NaN when the base is nothing (no sentence embedded: all cached)."""
    return value / base if base > 0 else math.nan


def format_row(row: dict[str, float], base: dict[str, float]) -> str:
    """One size's figures, and its growth against ``base`` (the first size) on CPU seconds."""
    growth = {"embed x": ratio(row["embed cpu"], base["embed cpu"]),
              "new x": ratio(row["new"], base["new"]), "NlogN x": nlogn_growth(row, base)}
    if "rest cpu" in row:
        growth["rest x"] = ratio(row["rest cpu"], base["rest cpu"])
    columns = PAIR_COLUMNS if "rest cpu" in row else EMBED_COLUMNS
    return " ".join(format(growth.get(name, row.get(name)), f">9{cell_format(name)}")
                    for name in columns)


def cell_format(column: str) -> str:
    """The format of a table column's figures (counts, shares, MiB, ratios, seconds)."""
    if column in ("N", "sentences", "new", "max cand"):
        return "d"
    if column in ("distinct", "P", "R"):
        return ".4f"
    if column.endswith("MiB"):
        return ".0f"
    return ".2f" if column.endswith(" x") or column == "cand/doc" else ".1f"


def growth_verdict(rows: list[dict[str, float]]) -> str:
    """Whether the part after embedding grew no worse than N log N (CPU seconds)."""
    base = rows[0]
    worst = max(row["rest cpu"] / base["rest cpu"] / nlogn_growth(row, base) for row in rows)
    return (f"rest grows no worse than N log N: {'yes' if worst <= 1.1 else 'NO'} "
            f"(worst ratio to N log N growth {worst:.2f}); sizes run: "
            + ", ".join(str(row["N"]) for row in rows))


def main() -> int:
    parser = benchmark_parser(__doc__)
    parser.add_argument("--quick", action="store_true", help="250 and 1000 documents per language")
    parser.add_argument("--large", action="store_true", help="add 16000 documents per language")
    parser.add_argument("--sizes", type=int, nargs="+", metavar="N",
                        help="documents per language to run (default 1000 4000)")
    parser.add_argument("--cache", type=Path, metavar="DIR",
                        help="one lasting embedding cache for every size (default: an empty "
                             "one per size), e.g. --cache /tmp/pair-scale-cache")
    parser.add_argument("--embed-only", action="store_true",
                        help="embed each collection and stop (fills --cache)")
    parser.add_argument("--search", type=int, nargs="+", metavar="N",
                        help="time the search stage alone on N synthetic documents per side")
    parser.add_argument("--real", action="store_true",
                        help="with --search: the real pooled vectors of the collection of "
                             "that size (embedded, or read from --cache), not synthetic ones")
    parser.add_argument("--exact-max", type=int, default=16384,
                        help="largest N for the exact search with --search (default 16384)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--search-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    shared = args.shared.resolve()
    cache = args.cache.resolve() if args.cache else None
    if args.child:
        print(json.dumps(measure(args.child, shared, args.embed_only)))
        return 0
    if args.search_child:
        print(json.dumps(measure_search(args.search_child, args.exact_max,
                                        shared if args.real else None)))
        return 0
    if args.search:
        rows = []
        for size in args.search:
            flags = ["--search-child", str(size), "--exact-max", str(args.exact_max),
                     "--shared", str(shared)] + (["--real"] if args.real else [])
            rows.append(run_child(flags, cache))
            print(f"N={size} done", file=sys.stderr, flush=True)
        print_search_table(rows)
        return 0
    sizes = args.sizes or ([250, 1000] if args.quick
                            else [1000, 4000] + ([16000] if args.large else []))
    print(" ".join(f"{name:>9}" for name in (EMBED_COLUMNS if args.embed_only
                                              else PAIR_COLUMNS)), flush=True)
    rows: list[dict[str, float]] = []
    for size in sizes:
        flags = ["--child", str(size), "--shared", str(shared)]
        rows.append(run_child(flags + (["--embed-only"] if args.embed_only else []), cache))
        print(format_row(rows[-1], rows[0]), flush=True)
    if not args.embed_only:
        print(growth_verdict(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
