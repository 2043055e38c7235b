"""Time and peak memory of document pairing as the collection grows (target: the non-embedding
part grows no worse than N log N).

Collections of N documents per language are recombined from WMT22 segment pairs (see
``pair_data.py``; a fifth of each side has no partner). Each size runs in a fresh process
with its own empty embedding cache: first the sentences are embedded (``embed``), then
``pair_documents`` runs (``rest``: cache look-ups, pooling, neighbour search, verification;
any encoder time spent inside it is moved to ``embed``). Peak memory is the process's peak
resident set size after each part. Ratios are against the smallest size, measured in the
same run.

    python benchmarks/pair_scale.py --quick      # 250 and 1000 documents per language
    python benchmarks/pair_scale.py              # 1000 and 4000
    python benchmarks/pair_scale.py --large      # 1000, 4000 and 16000
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(size: int, shared: Path) -> dict[str, float]:
    """Build one collection, embed it, pair it; return the figures (run in a child process)."""
    from pair_data import synthetic_collection
    from pair_quality import precision_recall

    from aligner.embed import get_encoder
    from aligner.pair import pair_documents

    collection = synthetic_collection(shared, size)
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
    started = time.perf_counter()
    encoder.embed([text for doc in collection.documents for text in doc.sentence_texts])
    embed_seconds = time.perf_counter() - started
    embed_rss = peak_rss_mb()
    encode_before = encode_seconds[0]
    started = time.perf_counter()
    result = pair_documents(collection.documents)
    total = time.perf_counter() - started
    late_encoding = encode_seconds[0] - encode_before
    found = {(pair.src_id, pair.tgt_id) for pair in result.parallel}
    precision, recall, _ = precision_recall(found, collection.gold)
    return {"N": size, "embed s": embed_seconds + late_encoding, "rest s": total - late_encoding,
            "search s": result.timings["search"], "verified": result.candidates_verified,
            "embed MiB": embed_rss - base_rss, "rest MiB": peak_rss_mb() - embed_rss,
            "peak MiB": peak_rss_mb(), "P": precision, "R": recall}


def run_child(size: int, shared: Path) -> dict[str, float]:
    """Measure one size in a fresh Python process with an empty cache."""
    with tempfile.TemporaryDirectory(prefix="pair-scale-") as cache:
        env = {**os.environ, "ALIGNER_CACHE_DIR": cache}
        completed = subprocess.run(
            [sys.executable, __file__, "--child", str(size), "--shared", str(shared)],
            env=env, check=True, capture_output=True, text=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def print_table(rows: list[dict[str, float]]) -> None:
    """Figures per size, then growth ratios against the first size."""
    base = rows[0]
    header = ("N", "embed s", "rest s", "search s", "verified", "embed MiB", "rest MiB",
              "peak MiB", "P", "R", "rest x", "N x", "NlogN x")
    print("  ".join(f"{name:>9}" for name in header))
    for row in rows:
        growth = row["N"] / base["N"]
        nlogn = growth * math.log(row["N"]) / math.log(base["N"])
        cells = [f"{row['N']:>9d}", *(f"{row[key]:>9.1f}" for key in header[1:4]),
                 f"{row['verified']:>9d}",
                 *(f"{row[key]:>9.0f}" for key in ("embed MiB", "rest MiB", "peak MiB")),
                 f"{row['P']:>9.4f}", f"{row['R']:>9.4f}",
                 f"{row['rest s'] / base['rest s']:>9.2f}", f"{growth:>9.2f}", f"{nlogn:>9.2f}"]
        print("  ".join(cells))
    worst = max(row["rest s"] / base["rest s"]
                / (row["N"] / base["N"] * math.log(row["N"]) / math.log(base["N"]))
                for row in rows)
    print(f"rest grows no worse than N log N: {'yes' if worst <= 1.1 else 'NO'} "
          f"(worst ratio to N log N growth {worst:.2f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"),
                        help="the shared data folder (default: ../shared)")
    parser.add_argument("--quick", action="store_true", help="250 and 1000 documents per language")
    parser.add_argument("--large", action="store_true", help="add 16000 documents per language")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.shared)))
        return 0
    sizes = [250, 1000] if args.quick else [1000, 4000] + ([16000] if args.large else [])
    rows = []
    for size in sizes:
        rows.append(run_child(size, args.shared.resolve()))
        print(f"N={size} done", file=sys.stderr)
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
