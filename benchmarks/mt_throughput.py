"""MT throughput: batched CTranslate2 (aligner.mt) against argostranslate's own translate().

A Transformer-base-sized Argos package (random weights, d=512, 6+6 layers, 8 heads, 32k
vocabulary, int8) is built in a temporary folder, installed into a private argostranslate
package folder, and run on Russian sentences of ``shared/data/wmt22-ruen``:

* baseline: argostranslate's ``translate()`` one sentence per call, on the same model, the
  same device, beam size and thread count;
* ours: :class:`aligner.mt.ArgosTranslator` on the whole list, batched, cache off, with
  the baseline's beam size (the like-for-like figure) and with our default, greedy search;
* cache: the same sentences cold (load, translate and store) and warm (a new translator).

The baseline stays offline: argostranslate's sentence splitter (MiniSBD, which downloads a
model on first use) is replaced by one that returns the input as one sentence, which is what
one-sentence-per-call input needs anyway. Random weights seldom emit end-of-sentence, so both
sides decode exactly up to ``--max-length`` tokens: ours through its option, argostranslate
through a wrapper that adds ``max_decoding_length`` to its ``translate_batch`` calls
(it sets none, so CTranslate2's 256 would apply). Everything else in argostranslate's path
(its paragraph cache, tokenisation, ``translate_batch`` settings, detokenisation) is unchanged.

Targets: batched >= 5x argostranslate; warm re-run >= 50x faster than cold. On a CPU, beam 4
is compute-bound, so batching alone gains ~2-3x at the same beam size (see the closing notes).

    python benchmarks/mt_throughput.py --quick
    python benchmarks/mt_throughput.py                      # CPU, 1 and 2 threads
    python benchmarks/mt_throughput.py --device cuda        # GPU when present, else CPU
    python benchmarks/mt_throughput.py --sweep              # where beam-4 time goes (options)

``--sweep`` calls CTranslate2's ``translate_batch`` directly on the same model and sentences
(one thread, beam ``--beam-size``) with one option changed at a time (scores off, unknown-word
replacement off, batch sizes, batching by tokens, compute types, greedy), and one sentence per
call, and prints the CPU seconds of each against the options aligner uses: CPU time, so that
the table holds on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# the random-weight Argos package builder is test support (tests/synthetic_mt.py)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

BATCHED_TARGET = 5.0
CACHE_TARGET = 50.0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    from common import benchmark_parser

    parser = benchmark_parser(__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer sentences (a smoke run)")
    parser.add_argument("--device", choices=("cpu", "cuda", "auto"), default="cpu",
                        help="cuda/auto use the GPU when CTranslate2 sees one")
    parser.add_argument("--threads", default="1,2", help="CPU thread counts to compare")
    parser.add_argument("--sentences", type=int, default=None,
                        help="sentences for batched runs (default 256; 64 quick; 2016 on GPU)")
    parser.add_argument("--baseline-sentences", type=int, default=None,
                        help="sentences for the one-by-one baseline (default 48; 16 quick)")
    parser.add_argument("--beam-size", type=int, default=4,
                        help="beam of the baseline and the like-for-like run (argostranslate: 4)")
    parser.add_argument("--max-length", type=int, default=32, help="decoded tokens per sentence")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="our max batch size (default: aligner's, 32 on CPU, 1024 on GPU)")
    parser.add_argument("--compute-type", default="auto", help="CTranslate2 compute type (ours)")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
    parser.add_argument("--sweep", action="store_true",
                        help="time CTranslate2 decoding options one at a time (CPU seconds)")
    return parser.parse_args(argv)


def isolate_argos(work: Path) -> None:
    """Private argostranslate and aligner folders; must run before argostranslate is imported."""
    for name, sub in (("ARGOS_PACKAGES_DIR", "argos/packages"), ("XDG_DATA_HOME", "xdg/data"),
                      ("XDG_CONFIG_HOME", "xdg/config"), ("XDG_CACHE_HOME", "xdg/cache"),
                      ("ALIGNER_CACHE_DIR", "aligner-cache")):
        os.environ[name] = str(work / sub)
    if "argostranslate.settings" in sys.modules:
        raise SystemExit("argostranslate was imported before its folders were set")


def read_sentences(shared: Path) -> tuple[list[str], list[str]]:
    """Distinct Russian sentences, and Russian+English lines to train SentencePiece on."""
    folder = shared / "data" / "wmt22-ruen" / "seg"
    if not folder.is_dir():
        raise SystemExit(f"{folder}: not found; pass --shared PATH to the shared data folder")
    ru, en = [], []
    for path in sorted(folder.glob("doc*.ru")):
        ru += path.read_text(encoding="utf-8").split("\n")
        en += path.with_suffix(".en").read_text(encoding="utf-8").split("\n")
    russian = list(dict.fromkeys(line.strip() for line in ru if line.strip()))
    return russian, russian + [line for line in en if line.strip()]


def build_model(work: Path, training: list[str]) -> Any:
    from aligner.mt import install_model
    from synthetic_mt import TRANSFORMER_BASE, build_argos_package  # noqa: E402

    started = time.perf_counter()
    archive = build_argos_package(work / "build", size=TRANSFORMER_BASE, sentences=training,
                                  spm_vocab_size=8000, quantization="int8")
    model = install_model(archive)
    print(f"built and installed {model.id}: {model.size_bytes / 2**20:.0f} MB, int8, "
          f"in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return model


class OneSentence:
    """Sentence splitter for the baseline: each call's input is already one sentence."""

    def split_sentences(self, text: str) -> list[str]:
        return [text]


class CappedLength:
    """argostranslate's CTranslate2 translator, with ``max_decoding_length`` set like ours."""

    def __init__(self, engine: Any, max_length: int) -> None:
        self.engine, self.max_length = engine, max_length

    def translate_batch(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("max_decoding_length", self.max_length)
        return self.engine.translate_batch(*args, **kwargs)


def argos_baseline(device: str, threads: int, beam_size: int,
                   max_length: int) -> Callable[[list[str]], list[str]]:
    """argostranslate's translate() for ru->en, offline, on the given device and threads."""
    from argostranslate import settings
    from argostranslate import translate as argos

    settings.device, settings.intra_threads, settings.inter_threads = device, threads, 1
    settings.beam_size = beam_size
    translation = argos.get_translation_from_codes("ru", "en")
    package_translation = translation.underlying
    package_translation.sentencizer = OneSentence()
    package_translation.translator = None  # rebuilt by argostranslate from the settings above
    translation.translate("Проверка.")  # loads the model through argostranslate's own code
    package_translation.translator = CappedLength(package_translation.translator, max_length)
    return lambda sentences: [translation.translate(sentence) for sentence in sentences]


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def row(run: str, device: str, threads: int | str, count: int, seconds: float,
        baseline: float | None = None) -> dict[str, Any]:
    rate = count / seconds
    return {"run": run, "device": device, "threads": threads, "sentences": count,
            "seconds": round(seconds, 3), "sent_per_s": round(rate, 2),
            "ratio": None if baseline is None else round(rate / baseline, 2)}


def measure_device(model: Any, device: str, threads: int, sentences: list[str],
                   baseline_sentences: list[str], args: argparse.Namespace,
                   batch_size: int) -> tuple[list[dict[str, Any]], list[tuple[str, float]]]:
    """Baseline and batched rows for one device and thread count, and the ratios to check."""
    from aligner.mt import ArgosTranslator, DecodingOptions

    baseline = argos_baseline(device, threads, args.beam_size, args.max_length)
    base_seconds, base_out = timed(lambda: baseline(baseline_sentences))
    base_row = row(f"argostranslate translate(), one by one, beam {args.beam_size}", device,
                   threads, len(baseline_sentences), base_seconds)
    rows, ratios = [base_row], []
    for beam in dict.fromkeys((args.beam_size, DecodingOptions.beam_size)):
        options = DecodingOptions(beam_size=beam, max_decoding_length=args.max_length)
        ours = ArgosTranslator(model, device=device, threads=threads, options=options,
                               max_batch_size=batch_size, compute_type=args.compute_type,
                               use_cache=False)
        # Untimed: load the model and let a full batch size the GPU's buffers, as the
        # baseline's first call did for its batches of one.
        ours.translate(sentences[:batch_size])
        seconds, out = timed(lambda: ours.translate(sentences))
        label = "same beam" if beam == args.beam_size else "aligner default"
        rows.append(row(f"aligner.mt batched ({batch_size}), beam {beam} ({label})", device,
                        threads, len(sentences), seconds, base_row["sent_per_s"]))
        ratios.append((f"batched beam {beam} ({label}) >= {BATCHED_TARGET:g}x argostranslate "
                       f"beam {args.beam_size} ({device}, {threads} threads)", rows[-1]["ratio"]))
        if beam == args.beam_size:
            same = sum(a == b for a, b in zip(base_out, out))
            print(f"  {device}/{threads} threads: {same}/{len(base_out)} baseline outputs "
                  "identical to ours", file=sys.stderr)
    return rows, ratios


def measure_cache(model: Any, device: str, threads: int, sentences: list[str],
                  args: argparse.Namespace, batch_size: int) -> tuple[list[dict[str, Any]], float]:
    """Cold run (model load, translate, store) against a warm re-run with a new translator."""
    from aligner.mt import ArgosTranslator, DecodingOptions, TranslationCache

    options = DecodingOptions(max_decoding_length=args.max_length)
    cache = TranslationCache(Path(os.environ["ALIGNER_CACHE_DIR"]) / "bench.sqlite")

    def fresh() -> ArgosTranslator:
        return ArgosTranslator(model, device=device, threads=threads, options=options,
                               max_batch_size=batch_size, compute_type=args.compute_type,
                               cache=cache)

    cold_seconds, cold_out = timed(lambda: fresh().translate(sentences))
    warm = fresh()
    warm_seconds, warm_out = timed(lambda: warm.translate(sentences))
    if warm_out != cold_out or warm.stats.translated or warm.loaded:
        raise SystemExit("warm run did model work or returned other translations")
    cold = row(f"cold cache (load, translate, store), beam {options.beam_size}", device,
               threads, len(sentences), cold_seconds)
    warm_row = row(f"warm cache (re-run, new translator), beam {options.beam_size}", device,
                   threads, len(sentences), warm_seconds, cold["sent_per_s"])
    return [cold, warm_row], warm_row["ratio"]


SWEEP = (("aligner's options", "auto", {}),
         ("return_scores=False", "auto", {"return_scores": False}),
         ("replace_unknowns=False", "auto", {"replace_unknowns": False}),
         ("max_batch_size=16", "auto", {"max_batch_size": 16}),
         ("max_batch_size=64", "auto", {"max_batch_size": 64}),
         ("batch_type=tokens, 1024", "auto", {"max_batch_size": 1024, "batch_type": "tokens"}),
         ("compute_type=int8_float32", "int8_float32", {}),
         ("beam_size=1 (greedy)", "auto", {"beam_size": 1}))


def sweep(model: Any, sentences: list[str], args: argparse.Namespace) -> None:
    """CPU seconds of ``translate_batch`` with one option changed at a time, and one by one."""
    import ctranslate2

    from aligner.mt import ArgosTranslator, DecodingOptions

    options = DecodingOptions(beam_size=args.beam_size, max_decoding_length=args.max_length)
    ours = ArgosTranslator(model, device="cpu", threads=1, options=options, use_cache=False)
    tokens = ours._load_codec().encode(sentences)
    settings = {"max_batch_size": args.batch_size or 32, "beam_size": options.beam_size,
                "max_decoding_length": options.max_decoding_length,
                "length_penalty": options.length_penalty, "replace_unknowns": True}

    def cpu_seconds(compute_type: str, batches: list[list[list[str]]], **changed: Any) -> float:
        engine = ctranslate2.Translator(str(model.model_dir), device="cpu", inter_threads=1,
                                        intra_threads=1, compute_type=compute_type)
        engine.translate_batch(tokens[:8], **{**settings, **changed})  # warm
        started = time.process_time()
        for batch in batches:
            engine.translate_batch(batch, **{**settings, **changed})
        return time.process_time() - started

    rows = [(name, cpu_seconds(compute_type, [tokens], **changed))
            for name, compute_type, changed in SWEEP]
    single = tokens[:args.baseline_sentences or 48]
    per_call = cpu_seconds("auto", [[one] for one in single]) * len(tokens) / len(single)
    rows.append((f"one sentence per call ({len(single)}, scaled to {len(tokens)})", per_call))
    print(f"\n{len(tokens)} sentences, {args.max_length} tokens each, beam {args.beam_size}, "
          "1 thread, CTranslate2 translate_batch\n")
    print("| options | CPU s | vs aligner's | one by one / this |")
    print("|---|---|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / rows[0][1]:.2f} | {per_call / seconds:.2f} |")


def print_table(rows: list[dict[str, Any]]) -> None:
    print("| run | device | threads | sentences | seconds | sent/s | ratio |")
    print("|---|---|---|---|---|---|---|")
    for item in rows:
        ratio = "" if item["ratio"] is None else f"{item['ratio']:.1f}x"
        print(f"| {item['run']} | {item['device']} | {item['threads']} | {item['sentences']} | "
              f"{item['seconds']:.2f} | {item['sent_per_s']:.1f} | {ratio} |")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="mt-bench-"))
    try:
        return run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> int:
    """Build the model in ``work``, measure, print the table; 0 when every target is met."""
    isolate_argos(work)
    from aligner.mt.translator import resolve_device

    device, reason = resolve_device(args.device)
    if reason:
        print(f"note: {reason}", file=sys.stderr)
    russian, training = read_sentences(args.shared)
    gpu = device == "cuda"
    count = args.sentences or (64 if args.quick else len(russian) if gpu else 256)
    base_count = args.baseline_sentences or (16 if args.quick else 48)
    from aligner.mt.translator import DEFAULT_BATCH_SIZE

    batch_size = args.batch_size or DEFAULT_BATCH_SIZE[device]
    sentences, baseline_sentences = russian[:count], russian[:base_count]
    model = build_model(work, training)
    if args.sweep:
        sweep(model, sentences, args)
        return 0
    thread_counts = [int(t) for t in args.threads.split(",")] if not gpu else [1]
    rows, checks = [], []
    for threads in thread_counts:
        found, ratios = measure_device(model, device, threads, sentences, baseline_sentences,
                                       args, batch_size)
        rows += found
        checks += [(name, ratio >= BATCHED_TARGET, ratio) for name, ratio in ratios]
    found, ratio = measure_cache(model, device, thread_counts[-1], sentences, args, batch_size)
    rows += found
    checks.append((f"warm cache >= {CACHE_TARGET:g}x cold", ratio >= CACHE_TARGET, ratio))
    print(f"\n{args.max_length} tokens per sentence, Transformer-base int8 (random weights), "
          f"compute type {args.compute_type}\n")
    print_table(rows)
    print()
    for name, passed, value in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {name}: {value:.1f}x")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "checks": checks}, indent=2), "utf-8")
    return 0 if all(passed for _, passed, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
