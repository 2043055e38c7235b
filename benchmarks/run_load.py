"""A cold ``aligner run`` on an idle machine and beside CPU-bound jobs (target: at most 1.5x).

Users run aligner on shared servers. A BLAS that starts a thread per core spins while its
threads wait for each other, and beside other jobs a run took 8-12 times as long; with one
thread per process (the default) it should take about what its share of the cores allows:
beside two CPU-bound processes on two cores, a single-threaded run gets two thirds of a core,
1.5x.

The collection is ``run_scale.py``'s (synthetic pairs recombined from WMT22 ru-en segments,
one sentence per line). Each run is ``aligner run --presplit --no-mt --threads T`` in a new
process, with a new cache holding no embedding (cold: every sentence is embedded; the model
copies made once are shared, see ``run_scale.new_cache``) and a new output folder.
Idle and loaded runs alternate; for the loaded ones this script starts ``--load`` busy-loop
processes (at the run's own priority, each in a session of its own like the run) and stops
them when the run ends. The machine may be shared with other work in both phases, so the
table also says what the run can expect from its share of the cores: while it runs, the
kernel's count of runnable tasks is sampled (``procs_running`` in /proc/stat, the sampler
itself left out), and a one-thread process among R runnable tasks on C cores gets
min(1, C/R) of a core. ``fair`` is the slowdown those shares predict (idle share over loaded
share); a run that is not hurt by contention beyond its share has ``slowdown`` near ``fair``
and ``cpu x`` (CPU seconds loaded over idle) near 1.

    python benchmarks/run_load.py --quick            # 60 pairs, 2 rounds
    python benchmarks/run_load.py --threads 1 2      # compare the default with two threads
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
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


@dataclass
class Timing:
    """One run: wall and CPU seconds, and the mean number of runnable tasks meanwhile."""

    wall: float
    cpu: float
    runnable: float

    def share(self) -> float:
        """The part of a core a one-thread process gets among ``runnable`` tasks."""
        return min(1.0, (os.cpu_count() or 1) / max(self.runnable, 1.0))


class RunnableSampler:
    """Samples the kernel's count of runnable tasks (less this sampler) every ``interval``."""

    def __init__(self, interval: float = 0.1) -> None:
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(interval,), daemon=True)
        self._thread.start()

    def _sample(self, interval: float) -> None:
        while not self._stop.is_set():
            with open("/proc/stat", encoding="ascii") as stat:
                running = next(int(line.split()[1]) for line in stat
                               if line.startswith("procs_running"))
            self.samples.append(running - 1)
            self._stop.wait(interval)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return statistics.mean(self.samples) if self.samples else 1.0


def timed_run(docs: Path, threads: int, work: Path, label: str) -> Timing:
    """One cold ``aligner run`` (new cache, new output folder): wall and CPU seconds."""
    from run_scale import new_cache

    out = Path(tempfile.mkdtemp(dir=work))
    cache = new_cache(Path(tempfile.mkdtemp(dir=work)) / "cache", work)
    command = [sys.executable, "-m", "aligner", "run", str(docs), "-o", str(out / "out"),
               "--presplit", "--no-mt", "--quiet", "--threads", str(threads)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    sampler = RunnableSampler()
    started = time.perf_counter()
    completed = subprocess.run(command, env={**os.environ, "ALIGNER_CACHE_DIR": str(cache)},
                               capture_output=True, text=True, start_new_session=True)
    seconds = time.perf_counter() - started
    runnable = sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({completed.returncode}):\n"
                         f"{completed.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"  threads {threads}, {label}: {seconds:.1f} s wall, {cpu:.1f} s CPU, "
          f"{runnable:.1f} runnable", file=sys.stderr, flush=True)
    return Timing(seconds, cpu, runnable)


def main() -> int:
    from run_scale import build_collection, segment_pool

    from common import benchmark_parser

    parser = benchmark_parser(__doc__)
    parser.add_argument("--pairs", type=int, default=150, help="document pairs (default 150)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="idle/loaded run pairs per thread count (default 3)")
    parser.add_argument("--load", type=int, default=2,
                        help="CPU-bound background processes (default 2)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1],
                        help="--threads values to compare (default: 1, the default)")
    parser.add_argument("--quick", action="store_true", help="60 pairs, 2 rounds")
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
    print(f"{'threads':>7} {'idle s':>7} {'loaded s':>8} {'slowdown':>8} {'fair':>6} "
          f"{'idle cpu':>8} {'load cpu':>8} {'cpu x':>6} {'runnable idle/loaded':>20} "
          f"{'slowdown per round':>20}")
    for threads, idle, loaded in rows:
        ratios = [b.wall / a.wall for a, b in zip(idle, loaded)]
        fair = [a.share() / b.share() for a, b in zip(idle, loaded)]
        cpu = [b.cpu / a.cpu for a, b in zip(idle, loaded)]
        runnable = (f"{statistics.median(t.runnable for t in idle):.1f}/"
                    f"{statistics.median(t.runnable for t in loaded):.1f}")
        print(f"{threads:>7} {statistics.median(t.wall for t in idle):>7.1f} "
              f"{statistics.median(t.wall for t in loaded):>8.1f} "
              f"{statistics.median(ratios):>7.2f}x {statistics.median(fair):>5.2f}x "
              f"{statistics.median(t.cpu for t in idle):>8.1f} "
              f"{statistics.median(t.cpu for t in loaded):>8.1f} "
              f"{statistics.median(cpu):>5.2f}x {runnable:>20} "
              f"{' '.join(f'{r:.2f}' for r in ratios):>20}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
