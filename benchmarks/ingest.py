"""Ingestion throughput on a synthetic corpus built from the five seed texts, on one core.

The corpus (default 50 MB of text) is written to a temporary folder: copies of the seeds with
their body paragraphs shuffled and their numbers changed (a fixed seed), one in ten saved as
cp1251, one in ten as koi8-r (where it can be encoded) and one in ten as UTF-16. Rows:

* read + decode: file bytes to text (encoding detection included);
* baseline: nltk's Punkt with NLTK's pretrained parameters, no news rules, on the decoded
  texts (what a plain splitter costs);
* split_sentences: Punkt plus the news rules, per blank-line block;
* read_document: everything (decode, language, chrome, title, date, sentences).

MB are megabytes (10^6 bytes) of UTF-8 text. The process is pinned to one CPU; throughput is
computed from the CPU time of the process, best of ``--repeat`` runs (wall-clock figures are
printed too: on a shared machine they include time spent waiting for the core). Ratios are
against the baseline row.
Target: read_document >= 2 MB/s on one core.

    python benchmarks/ingest.py --quick
    python benchmarks/ingest.py                 # 50 MB
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB_PER_S = 2.0
_NUMBER = re.compile(r"\d+")
_KOI8_UNSAFE = str.maketrans({"«": '"', "»": '"', "–": "-", "©": "(c)", "’": "'", "\xa0": " "})


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a 5 MB corpus (a smoke run)")
    parser.add_argument("--size-mb", type=float, default=None,
                        help="corpus size in MB of text (default 50; 5 with --quick)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus",
                        help="the seed texts")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs per stage, the best counts (default 1; 3 with --quick)")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
    return parser.parse_args(argv)


def pin_to_one_core() -> str:
    """Run on a single CPU, as the target says; return which."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"cpu {cpu}"
    return "unpinned"


def variant(text: str, rng: random.Random) -> str:
    """The seed with its long paragraphs shuffled and its numbers changed."""
    lines = text.split("\n")
    long_rows = [i for i, line in enumerate(lines) if len(line) > 100]
    shuffled = [lines[i] for i in long_rows]
    rng.shuffle(shuffled)
    for index, line in zip(long_rows, shuffled):
        lines[index] = line
    return _NUMBER.sub(lambda m: str(rng.randrange(10 ** len(m.group())) or 1), "\n".join(lines))


def encode(text: str, number: int) -> bytes:
    """Mostly UTF-8; one file in ten cp1251, koi8-r or UTF-16 (with its BOM).

    The kind cycles every five files, so that every seed comes in every encoding.
    """
    kind = (number // 5) % 10
    if kind == 1:
        return text.encode("cp1251", errors="replace")
    if kind == 2:
        return text.translate(_KOI8_UNSAFE).encode("koi8-r", errors="replace")
    if kind == 3:
        return text.encode("utf-16")
    return text.encode("utf-8")


def build_corpus(seeds: Path, folder: Path, size_mb: float) -> tuple[list[Path], int]:
    """Write variants of the seeds until ``size_mb`` MB of UTF-8 text; return files, bytes."""
    texts = [path.read_text("utf-8") for path in sorted(seeds.glob("*.txt"))]
    rng = random.Random(20240425)  # fixed: the same corpus every run
    files: list[Path] = []
    total = 0
    while total < size_mb * 1e6:
        number = len(files)
        text = variant(texts[number % len(texts)], rng)
        path = folder / f"{number:06d}.txt"
        path.write_bytes(encode(text, number))
        files.append(path)
        total += len(text.encode("utf-8"))
    return files, total


def timed(label: str, work: Callable[[], Any], mb: float, docs: int,
          repeat: int) -> dict[str, Any]:
    """Run ``work`` ``repeat`` times; the best CPU and wall-clock times give the throughput.

    The best of several runs is the one least disturbed by other processes on the machine.
    """
    cpu, wall = float("inf"), float("inf")
    for _ in range(repeat):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        work()
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start_wall)
    return {"stage": label, "cpu_seconds": round(cpu, 3), "wall_seconds": round(wall, 3),
            "mb_per_s": round(mb / cpu, 3), "wall_mb_per_s": round(mb / wall, 3),
            "docs_per_s": round(docs / cpu, 1)}


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    from aligner.ingest import read_document
    from aligner.ingest.encoding import decode_bytes
    from aligner.segment import punkt_tokenizer, split_sentences

    size_mb = args.size_mb or (5.0 if args.quick else 50.0)
    with tempfile.TemporaryDirectory(prefix="aligner-ingest-bench-") as tmp:
        files, text_bytes = build_corpus(args.corpus, Path(tmp), size_mb)
        mb, docs = text_bytes / 1e6, len(files)
        texts = [decode_bytes(path.read_bytes(), str(path)).text for path in files]
        read_document(files[0])  # load models and caches outside the clock
        plain: dict[str, PunktSentenceTokenizer] = {}
        for lang in ("ru", "en"):
            params = PunktParameters()
            tuned = punkt_tokenizer(lang)._params
            params.abbrev_types = set(tuned.abbrev_types)
            params.ortho_context = tuned.ortho_context
            plain[lang] = PunktSentenceTokenizer(params)
        langs = ["en" if path.name.endswith(("2.txt", "7.txt")) else "ru" for path in files]
        repeat = args.repeat or (3 if args.quick else 1)
        rows = [
            timed("read + decode", lambda: [
                decode_bytes(path.read_bytes(), str(path)) for path in files], mb, docs, repeat),
            timed("baseline: nltk punkt, no rules", lambda: [
                list(plain[lang].span_tokenize(text)) for text, lang in zip(texts, langs)],
                mb, docs, repeat),
            timed("split_sentences", lambda: [
                split_sentences(text, lang) for text, lang in zip(texts, langs)],
                mb, docs, repeat),
            timed("read_document (all stages)", lambda: [read_document(p) for p in files],
                  mb, docs, repeat),
        ]
    baseline = rows[1]["mb_per_s"]
    for row in rows:
        row["vs_baseline"] = round(row["mb_per_s"] / baseline, 2)
    print(f"corpus: {docs} documents, {mb:.1f} MB of text; one core; best of {repeat}")
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'stage':32} {'cpu s':>7} {'MB/s':>7} {'docs/s':>8} {'vs baseline':>12} "
          f"{'wall s':>7} {'wall MB/s':>9}")
    for row in rows:
        print(f"{row['stage']:32} {row['cpu_seconds']:7.2f} {row['mb_per_s']:7.2f} "
              f"{row['docs_per_s']:8.1f} {row['vs_baseline']:11.2f}x "
              f"{row['wall_seconds']:7.2f} {row['wall_mb_per_s']:9.2f}")
    full = rows[-1]["mb_per_s"]
    verdict = "met" if full >= TARGET_MB_PER_S else "NOT met"
    print(f"target read_document >= {TARGET_MB_PER_S} MB/s: {verdict} ({full:.2f} MB/s)")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"pinned to {pin_to_one_core()}")
    rows = run(args)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
