"""A cold ``aligner run`` on an idle machine and beside CPU-bound jobs (target: at most 1.5x).

Users run aligner on shared servers. A BLAS that starts a thread per core spins while its
threads wait for each other, and beside other jobs a run took 8-12 times as long; with one
thread per process (the default) it should take about what its share of the cores allows:
beside two CPU-bound processes on two cores, a single-threaded run gets two thirds of a core,
1.5x.

The collection is ``run_scale.py``'s (synthetic pairs recombined from WMT22 ru-en segments,
one sentence per line). Each run is ``aligner run --presplit --no-mt --threads T`` in a new
process, with a new empty cache (cold: every sentence is embedded) and a new output folder.
Idle and loaded runs alternate; for the loaded ones this script starts ``--load`` busy-loop
processes (at the run's own priority, each in a session of its own like the run) and stops
them when the run ends. The machine may be
shared with other work in both phases: read the ratios, measured in one go.

    python benchmarks/run_load.py --quick            # 60 pairs, 2 rounds
    python benchmarks/run_load.py --threads 1 2      # compare the default with two threads
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

BUSY_LOOP = "while True: pass"


def start_load(count: int) -> list[subprocess.Popen[bytes]]:
    """``count`` CPU-bound processes, running until :func:`stop_load`.

    Each starts a session of its own, as another user's job would: with the kernel's
    autogroup scheduling, processes of one session share one slice of the machine.
    """
    return [subprocess.Popen([sys.executable, "-c", BUSY_LOOP], start_new_session=True)
            for _ in range(count)]


def stop_load(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait()


def timed_run(docs: Path, threads: int, work: Path, label: str) -> float:
    """Seconds of one cold ``aligner run`` (new cache, new output folder)."""
    out, cache = Path(tempfile.mkdtemp(dir=work)), Path(tempfile.mkdtemp(dir=work))
    command = [sys.executable, "-m", "aligner", "run", str(docs), "-o", str(out / "out"),
               "--presplit", "--no-mt", "--quiet", "--threads", str(threads)]
    started = time.perf_counter()
    completed = subprocess.run(command, env={**os.environ, "ALIGNER_CACHE_DIR": str(cache)},
                               capture_output=True, text=True, start_new_session=True)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({completed.returncode}):\n"
                         f"{completed.stderr}")
    print(f"  threads {threads}, {label}: {seconds:.1f} s", file=sys.stderr, flush=True)
    return seconds


def main() -> int:
    from run_scale import build_collection, segment_pool

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=150, help="document pairs (default 150)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="idle/loaded run pairs per thread count (default 3)")
    parser.add_argument("--load", type=int, default=2,
                        help="CPU-bound background processes (default 2)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1],
                        help="--threads values to compare (default: 1, the default)")
    parser.add_argument("--quick", action="store_true", help="60 pairs, 2 rounds")
    parser.add_argument("--shared", type=Path, default=Path("../shared"),
                        help="the shared data folder (default ../shared)")
    args = parser.parse_args()
    pairs, rounds = (60, 2) if args.quick else (args.pairs, args.rounds)
    rows = []
    with tempfile.TemporaryDirectory(prefix="aligner-run-load-") as tmp:
        work = Path(tmp)
        build_collection(segment_pool(args.shared), pairs, work / "collection")
        docs = work / "collection" / "docs"
        timed_run(docs, args.threads[0], work, "warm-up")
        for threads in args.threads:
            idle, loaded = [], []
            for _ in range(rounds):
                idle.append(timed_run(docs, threads, work, "idle"))
                background = start_load(args.load)
                try:
                    loaded.append(timed_run(docs, threads, work, f"{args.load} busy processes"))
                finally:
                    stop_load(background)
            rows.append((threads, idle, loaded))
    print(f"{pairs} pairs ({2 * pairs} documents), cold runs, {os.cpu_count()} cores, "
          f"load: {args.load} busy processes")
    print(f"{'threads':>7} {'idle s':>8} {'loaded s':>9} {'slowdown':>9} {'per round':>24}")
    for threads, idle, loaded in rows:
        ratios = [b / a for a, b in zip(idle, loaded)]
        print(f"{threads:>7} {statistics.median(idle):>8.1f} {statistics.median(loaded):>9.1f} "
              f"{statistics.median(ratios):>8.2f}x {' '.join(f'{r:.2f}' for r in ratios):>24}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
