"""MT throughput: batched CTranslate2 (aligner.mt) against argostranslate's own translate().

A Transformer-base-sized Argos package (d=512, 6+6 layers, 8 heads, 32k vocabulary, int8,
SentencePiece of 8k pieces trained on the data) is built in a temporary folder, installed into
a private argostranslate package folder, and run on Russian sentences of
``shared/data/wmt22-ruen`` (the first 256 distinct ones by default):

* baseline: argostranslate's ``translate()`` one sentence per call, on the same model, the
  same device, beam size and thread count, on an evenly spaced sample of the sentences;
* ours: :class:`aligner.mt.ArgosTranslator` on the whole list, batched, cache off, with
  the baseline's beam size (the like-for-like figure) and with our default, greedy search;
* cache: the same sentences cold (load, translate and store) and warm (a new translator).

The model (``--model``): ``copy`` (default) has weights set so that it translates a sentence
into itself and stops at end-of-sentence, so each sentence decodes as many tokens as it has,
as a trained model decodes about as many as its translation has (tests/synthetic_mt.py);
``random`` has random weights, which seldom emit end-of-sentence: every sentence decodes to
``--max-length`` (32), whatever its length, the figures of earlier closing notes. Dense
layers cost the same whatever their weights. The table states the source and decoded tokens
per sentence of each side, and the time inside CTranslate2's ``translate_batch`` against
the rest (tokenisation, detokenisation, Python), from a wrapper around each side's
CTranslate2 translator. Ratios are of CPU seconds (one thread: immune to other work on a
shared machine), per sentence and per decoded token; the baseline and ours run in turns
(``--rounds``), medians quoted; like for like means the same beam and the same outputs,
which the table counts.

The baseline stays offline: argostranslate's sentence splitter (MiniSBD, which downloads a
model on first use) is replaced by one that returns the input as one sentence, which is what
one-sentence-per-call input needs anyway (so the baseline is, if anything, faster than a real
argostranslate). Everything else in argostranslate's path (its paragraph cache,
tokenisation, ``translate_batch`` settings, detokenisation) is unchanged; ``max_decoding_length``
is set on both sides (CTranslate2's default, 256, for the copy model).

Targets: batched beam 4 >= 5x argostranslate beam 4; warm re-run >= 50x faster than cold.

    python benchmarks/mt_throughput.py --quick
    python benchmarks/mt_throughput.py                      # CPU, 1 and 2 threads
    python benchmarks/mt_throughput.py --device cuda        # GPU when present, else CPU
    python benchmarks/mt_throughput.py --sweep              # where beam-4 time goes
    python benchmarks/mt_throughput.py --settings           # backend settings, own processes
    python benchmarks/mt_throughput.py --settings mkl isa-avx512    # some of them
    python benchmarks/mt_throughput.py --model-dir /tmp/mt --decode batched   # build once
    perf record -o batched.data python benchmarks/mt_throughput.py --model-dir /tmp/mt \
        --decode batched                                    # where the time goes inside

``--sweep`` calls CTranslate2's ``translate_batch`` directly on the same model and sentences
(one thread, beam ``--beam-size``): one sentence per call against batches of 8 to 256
sentences and batches by tokens, then one option changed at a time against aligner's (scores
off, unknown-word replacement off, compute types, greedy); it prints the CPU seconds per
sentence and per decoded token of each: CPU time, so that the table holds on a shared machine.

``--settings`` compares CTranslate2's backend choices (its environment variables: Intel MKL
forced on this AMD CPU, packed or not, int16; the ISA of its own kernels; oneDNN without
VNNI), compute types and exact decoding options (``SETTINGS``). CTranslate2 reads its
environment once, when it loads, so each setting is aligner's translator in a process of its
own started with that environment, and the baseline is argostranslate in another, started
with this environment less every backend variable (``BACKEND_VARIABLES``): as a user runs it.
The processes measure in turns, one thread, CPU time; the table counts each setting's outputs
equal to argostranslate's (its sample) and to aligner's default settings (every sentence).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# the Argos package builder is test support (tests/synthetic_mt.py)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

BATCHED_TARGET = 5.0
CACHE_TARGET = 50.0
#: decoded tokens per sentence of the random model, which decodes to the limit
RANDOM_MAX_LENGTH = 32
#: CTranslate2's own default, which argostranslate leaves as it is
COPY_MAX_LENGTH = 256


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    from common import benchmark_parser

    parser = benchmark_parser(__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer sentences (a smoke run)")
    parser.add_argument("--model", choices=("copy", "random"), default="copy",
                        help="copy: decodes each sentence's own length (default); random: "
                             "decodes --max-length tokens per sentence")
    parser.add_argument("--device", choices=("cpu", "cuda", "auto"), default="cpu",
                        help="cuda/auto use the GPU when CTranslate2 sees one")
    parser.add_argument("--threads", default="1,2", help="CPU thread counts to compare")
    parser.add_argument("--sentences", type=int, default=None,
                        help="sentences for batched runs (default 256; 64 quick; 2016 on GPU)")
    parser.add_argument("--baseline-sentences", type=int, default=None,
                        help="sentences for the one-by-one baseline, evenly spaced among the "
                             "batched ones (default 48; 16 quick)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="baseline and ours measured in turns this many times (default 3; "
                             "1 quick)")
    parser.add_argument("--beam-size", type=int, default=4,
                        help="beam of the baseline and the like-for-like run (argostranslate: 4)")
    parser.add_argument("--max-length", type=int, default=None,
                        help="max decoded tokens per sentence, both sides (default: 32 random, "
                             "256 copy)")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="our max batch size (default: aligner's, 32 on CPU, 1024 on GPU)")
    parser.add_argument("--compute-type", default="auto", help="CTranslate2 compute type (ours)")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
    parser.add_argument("--sweep", action="store_true",
                        help="time batch sizes and decoding options one at a time (CPU seconds)")
    parser.add_argument("--decode", choices=("one", "batched"), default=None,
                        help="only decode (one thread, --beam-size): one sentence per call or "
                             "aligner's batches; to run under a profiler such as perf")
    parser.add_argument("--settings", nargs="*", metavar="NAME", default=None,
                        help="CTranslate2 backend settings and decoding options, each in a "
                             "process of its own, against argostranslate in a process with the "
                             "default environment (beam --beam-size, 1 thread); names from "
                             "SETTINGS, all when none is given")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", type=Path, default=None,
                        help="keep the built package in DIR/MODEL and reuse it on later runs "
                             "(default: built anew in a temporary folder)")
    args = parser.parse_args(argv)
    if args.max_length is None:
        args.max_length = RANDOM_MAX_LENGTH if args.model == "random" else COPY_MAX_LENGTH
    return args


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


def build_model(folder: Path, training: list[str], copy: bool) -> Any:
    """Build the package in ``folder`` (unless it is there already) and install it."""
    from aligner.mt import install_model
    from synthetic_mt import TRANSFORMER_BASE, build_argos_package  # noqa: E402

    started = time.perf_counter()
    archive = folder / "translate-ru_en-1_0.argosmodel"
    if not archive.exists():
        archive = build_argos_package(folder, size=TRANSFORMER_BASE, sentences=training,
                                      spm_vocab_size=8000, quantization="int8", copy=copy)
    model = install_model(archive)
    print(f"installed {model.id} ({'copy' if copy else 'random'} model): "
          f"{model.size_bytes / 2**20:.0f} MB, int8, in {time.perf_counter() - started:.1f}s",
          file=sys.stderr)
    return model


class OneSentence:
    """Sentence splitter for the baseline: each call's input is already one sentence."""

    def split_sentences(self, text: str) -> list[str]:
        return [text]


class Recorder:
    """A CTranslate2 translator that sets ``max_decoding_length`` when the caller does not
    (argostranslate does not) and records the seconds inside ``translate_batch`` (by
    ``clock``) and the source and decoded tokens of each sentence."""

    def __init__(self, engine: Any, max_length: int, clock: Callable[[], float],
                 changed: dict[str, Any] | None = None) -> None:
        self.engine, self.max_length, self.clock = engine, max_length, clock
        self.changed = changed or {}  # decoding options set over the caller's (--settings)
        self.reset()

    def reset(self) -> None:
        self.seconds, self.source, self.decoded = 0.0, [], []

    def translate_batch(self, tokens: list[list[str]], *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("max_decoding_length", self.max_length)
        kwargs.update(self.changed)
        started = self.clock()
        results = self.engine.translate_batch(tokens, *args, **kwargs)
        self.seconds += self.clock() - started
        self.source += [len(sentence) for sentence in tokens]
        self.decoded += [len(result.hypotheses[0]) for result in results]
        return results


class Side:
    """One way of translating a list of sentences, timed over rounds by its recorder's clock."""

    def __init__(self, name: str, translate: Callable[[list[str]], list[str]],
                 recorder: Recorder, sentences: list[str]) -> None:
        self.name, self.translate, self.recorder = name, translate, recorder
        self.sentences = sentences
        self.clock = "CPU" if recorder.clock is time.process_time else "wall"
        self.totals: list[float] = []
        self.inside: list[float] = []
        self.outputs: list[str] = []
        self.source: list[int] = []  # tokens of each sentence, source and decoded
        self.decoded: list[int] = []

    def measure(self) -> None:
        self.recorder.reset()
        started = self.recorder.clock()
        self.outputs = self.translate(self.sentences)
        self.totals.append(self.recorder.clock() - started)
        self.inside.append(self.recorder.seconds)
        self.source, self.decoded = self.recorder.source, self.recorder.decoded

    def row(self, device: str, threads: int,
            baseline: dict[str, Any] | None = None) -> dict[str, Any]:
        seconds = statistics.median(self.totals)
        inside = statistics.median(self.inside)
        count, decoded = len(self.sentences), sum(self.decoded)
        per_sentence, per_token = seconds / count, seconds / decoded
        return {"run": self.name, "device": device, "threads": threads, "sentences": count,
                "source_tokens": round(sum(self.source) / count, 1),
                "decoded_tokens": round(decoded / count, 1),
                "max_decoded": max(self.decoded), "seconds": round(seconds, 3),
                "clock": self.clock,
                "in_ctranslate2": round(inside / seconds, 3),
                "ms_per_sentence": round(1000 * per_sentence, 2),
                "ms_per_token": round(1000 * per_token, 3),
                "ratio": None if baseline is None
                else round(baseline["ms_per_sentence"] / (1000 * per_sentence), 2),
                "token_ratio": None if baseline is None
                else round(baseline["ms_per_token"] / (1000 * per_token), 2)}


def argos_side(device: str, threads: int, args: argparse.Namespace,
               sentences: list[str]) -> Side:
    """argostranslate's translate() for ru->en, one sentence per call, offline."""
    from argostranslate import settings
    from argostranslate import translate as argos

    settings.device, settings.intra_threads, settings.inter_threads = device, threads, 1
    settings.beam_size = args.beam_size
    translation = argos.get_translation_from_codes("ru", "en")
    package_translation = translation.underlying
    package_translation.sentencizer = OneSentence()
    package_translation.translator = None  # rebuilt by argostranslate from the settings above
    translation.translate("Проверка.")  # loads the model through argostranslate's own code
    recorder = Recorder(package_translation.translator, args.max_length, clock(device, threads))
    package_translation.translator = recorder
    return Side(f"argostranslate translate(), one by one, beam {args.beam_size}",
                lambda texts: [translation.translate(text) for text in texts], recorder,
                sentences)


def aligner_side(model: Any, device: str, threads: int, beam: int, batch_size: int,
                 args: argparse.Namespace, sentences: list[str],
                 changed: dict[str, Any] | None = None) -> Side:
    """aligner.mt's ArgosTranslator, batched, cache off, loaded and warmed up; ``changed``
    decoding options are set over aligner's."""
    from aligner.mt import ArgosTranslator, DecodingOptions

    options = DecodingOptions(beam_size=beam, max_decoding_length=args.max_length)
    ours = ArgosTranslator(model, device=device, threads=threads, options=options,
                           max_batch_size=batch_size, compute_type=args.compute_type,
                           use_cache=False)
    # Untimed: load the model and let a full batch size the GPU's buffers, as the
    # baseline's first call did for its batches of one.
    ours.translate(sentences[:batch_size])
    recorder = Recorder(ours._engine, args.max_length, clock(device, threads), changed)
    ours._engine = recorder  # the benchmark watches the translator's CTranslate2 calls
    label = "same beam" if beam == args.beam_size else "aligner default"
    return Side(f"aligner.mt batched ({batch_size}), beam {beam} ({label})", ours.translate,
                recorder, sentences)


def clock(device: str, threads: int) -> Callable[[], float]:
    """CPU time on one CPU thread (it holds on a shared machine), wall time otherwise."""
    return time.process_time if device == "cpu" and threads == 1 else time.perf_counter


def evenly_spaced(items: list[str], count: int) -> list[str]:
    """``count`` items spread over ``items`` (the baseline's sample of the batched sentences).

    >>> evenly_spaced(list("abcdefgh"), 3)
    ['a', 'c', 'f']
    """
    count = min(count, len(items))
    return [items[i * len(items) // count] for i in range(count)]


def measure_device(model: Any, device: str, threads: int, sentences: list[str],
                   baseline_sentences: list[str], args: argparse.Namespace,
                   batch_size: int) -> tuple[list[dict[str, Any]], list[tuple[str, float]]]:
    """Baseline and batched rows for one device and thread count, and the ratios to check."""
    from aligner.mt import DecodingOptions

    baseline = argos_side(device, threads, args, baseline_sentences)
    beams = dict.fromkeys((args.beam_size, DecodingOptions.beam_size))
    ours = [aligner_side(model, device, threads, beam, batch_size, args, sentences)
            for beam in beams]
    for _ in range(args.rounds):
        for side in (baseline, *ours):
            side.measure()
    base_row = baseline.row(device, threads)
    rows, ratios = [base_row], []
    for beam, side in zip(beams, ours):
        rows.append(side.row(device, threads, base_row))
        check = (f"batched beam {beam} >= {BATCHED_TARGET:g}x argostranslate beam "
                 f"{args.beam_size} ({device}, {threads} threads)")
        ratios.append((check, rows[-1]["ratio"]))
        if beam == args.beam_size:
            translated = dict(zip(side.sentences, side.outputs))
            same = sum(translated[text] == out
                       for text, out in zip(baseline.sentences, baseline.outputs))
            print(f"  {device}/{threads} threads: {same}/{len(baseline.sentences)} baseline "
                  "outputs identical to ours", file=sys.stderr)
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
    cold = cache_row(f"cold cache (load, translate, store), beam {options.beam_size}", device,
                     threads, len(sentences), cold_seconds)
    warm_row = cache_row(f"warm cache (re-run, new translator), beam {options.beam_size}",
                         device, threads, len(sentences), warm_seconds, cold["sent_per_s"])
    return [cold, warm_row], warm_row["ratio"]


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def cache_row(run: str, device: str, threads: int, count: int, seconds: float,
              baseline: float | None = None) -> dict[str, Any]:
    rate = count / seconds
    return {"run": run, "device": device, "threads": threads, "sentences": count,
            "seconds": round(seconds, 3), "sent_per_s": round(rate, 2),
            "ratio": None if baseline is None else round(rate / baseline, 2)}


SWEEP_BATCHES = (("batches of 8", {"max_batch_size": 8}),
                 ("batches of 16", {"max_batch_size": 16}),
                 ("batches of 32 (aligner's options)", {}),
                 ("batches of 64", {"max_batch_size": 64}),
                 ("batches of 128", {"max_batch_size": 128}),
                 ("batches of 256", {"max_batch_size": 256}),
                 ("batch_type=tokens, 1024", {"max_batch_size": 1024, "batch_type": "tokens"}),
                 ("batch_type=tokens, 4096", {"max_batch_size": 4096, "batch_type": "tokens"}))
SWEEP_OPTIONS = (("return_scores=False", "auto", {"return_scores": False}),
                 ("replace_unknowns=False", "auto", {"replace_unknowns": False}),
                 ("compute_type=int8_float32", "int8_float32", {}),
                 ("compute_type=float32", "float32", {}),
                 ("beam_size=1 (greedy)", "auto", {"beam_size": 1}),
                 ("beam_size=1, batches of 128 (as many hypotheses per step as beam 4 in 32s)",
                  "auto", {"beam_size": 1, "max_batch_size": 128}))


class Decoding:
    """CTranslate2's ``translate_batch`` on the sentences, one thread, aligner's settings at
    ``--beam-size`` (each call may change some)."""

    def __init__(self, model: Any, sentences: list[str], args: argparse.Namespace) -> None:
        from aligner.mt import ArgosTranslator, DecodingOptions

        options = DecodingOptions(beam_size=args.beam_size, max_decoding_length=args.max_length)
        ours = ArgosTranslator(model, device="cpu", threads=1, options=options, use_cache=False)
        self.model = model
        self.tokens = ours._load_codec().encode(sentences)
        self.single = evenly_spaced(self.tokens, args.baseline_sentences or 48)
        self.settings = {"max_batch_size": args.batch_size or 32, "beam_size": args.beam_size,
                         "max_decoding_length": options.max_decoding_length,
                         "length_penalty": options.length_penalty, "replace_unknowns": True}

    def cpu_ms(self, one_by_one: bool = False, compute_type: str = "auto",
               **changed: Any) -> tuple[float, float, float]:
        """CPU ms per sentence and per decoded token, and decoded tokens per sentence, of the
        whole list (or of one sentence per call, on the baseline's sample)."""
        import ctranslate2

        engine = ctranslate2.Translator(str(self.model.model_dir), device="cpu",
                                        inter_threads=1, intra_threads=1,
                                        compute_type=compute_type)
        settings = {**self.settings, **changed}
        engine.translate_batch(self.tokens[:8], **settings)  # warm
        batches = [[sentence] for sentence in self.single] if one_by_one else [self.tokens]
        sentences = sum(len(batch) for batch in batches)
        started, decoded = time.process_time(), 0
        for batch in batches:
            results = engine.translate_batch(batch, **settings)
            decoded += sum(len(result.hypotheses[0]) for result in results)
        seconds = time.process_time() - started
        return 1000 * seconds / sentences, 1000 * seconds / decoded, decoded / sentences


def sweep(decoding: Decoding, args: argparse.Namespace) -> None:
    """CPU time of ``translate_batch`` by batch size and with one option changed at a time,
    against one sentence per call."""
    one = decoding.cpu_ms(one_by_one=True)
    rows = [(f"one sentence per call ({len(decoding.single)} sentences)", *one)]
    rows += [(name, *decoding.cpu_ms(**changed)) for name, changed in SWEEP_BATCHES]
    rows += [(name, *decoding.cpu_ms(compute_type=compute_type, **changed))
             for name, compute_type, changed in SWEEP_OPTIONS]
    tokens = decoding.tokens
    source = sum(len(sentence) for sentence in tokens) / len(tokens)
    print(f"\n{args.model} model, {len(tokens)} sentences of {source:.1f} source tokens, "
          f"beam {args.beam_size}, max length {args.max_length}, 1 thread, CTranslate2 "
          "translate_batch, CPU time\n")
    print("| run | decoded tokens/sentence | CPU ms/sentence | CPU ms/token "
          "| one by one / this (sentence) | (token) |")
    print("|---|---|---|---|---|---|")
    for name, per_sentence, per_token, decoded in rows:
        print(f"| {name} | {decoded:.1f} | {per_sentence:.1f} | {per_token:.2f} | "
              f"{one[0] / per_sentence:.2f} | {one[1] / per_token:.2f} |")


def decode_only(decoding: Decoding, how: str) -> None:
    """Decode only (for a profiler): one sentence per call, or aligner's batches."""
    per_sentence, per_token, decoded = decoding.cpu_ms(one_by_one=how == "one")
    print(f"{how}: {per_sentence:.1f} CPU ms/sentence, {per_token:.2f} CPU ms/token, "
          f"{decoded:.1f} decoded tokens/sentence")


#: --settings: name -> (process environment, compute type, decoding options changed, max
#: batch size or None for aligner's). CTranslate2 reads its environment when it loads
#: (https://opennmt.net/CTranslate2/environment_variables.html), so each runs in a process of
#: its own; on an AMD CPU it uses oneDNN, not MKL, unless CT2_USE_MKL=1.
SETTINGS: dict[str, tuple[dict[str, str], str, dict[str, Any], int | None]] = {
    "aligner": ({}, "auto", {}, None),
    "mkl": ({"CT2_USE_MKL": "1"}, "auto", {}, None),
    "mkl-unpacked": ({"CT2_USE_MKL": "1", "CT2_PACKED_GEMM": "0"}, "auto", {}, None),
    "mkl-int16": ({"CT2_USE_MKL": "1"}, "int16", {}, None),
    "isa-avx512": ({"CT2_FORCE_CPU_ISA": "AVX512"}, "auto", {}, None),
    "onednn-no-vnni": ({"ONEDNN_MAX_CPU_ISA": "AVX512_CORE"}, "auto", {}, None),
    "int8": ({}, "int8", {}, None),
    "float32": ({}, "float32", {}, None),
    "no-scores": ({}, "auto", {"return_scores": False}, None),
    "tokens-1024": ({}, "auto", {"batch_type": "tokens"}, 1024),
    "batch-16": ({}, "auto", {}, 16),
    "batch-64": ({}, "auto", {}, 64),
    "malloc-heap": ({"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=33554432:"
                                       "glibc.malloc.trim_threshold=268435456"},
                    "auto", {}, None),
}
#: variables of the backends, left out of the baseline's environment (as a user runs it)
BACKEND_VARIABLES = ("CT2_", "ONEDNN_", "DNNL_", "MKL_", "GLIBC_TUNABLES")


def default_environment() -> dict[str, str]:
    """This process's environment without any backend variable."""
    return {name: value for name, value in os.environ.items()
            if not name.startswith(BACKEND_VARIABLES)}


class Worker(Side):
    """A side in a process of its own (``--worker``), started with ``environment``."""

    def __init__(self, name: str, config: dict[str, Any], environment: dict[str, str]) -> None:
        self.name, self.sentences, self.clock = name, config["sentences"], "CPU"
        self.totals, self.inside, self.outputs = [], [], []
        self.source, self.decoded = [], []
        self.process = subprocess.Popen([sys.executable, __file__, "--worker"], env=environment,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, encoding="utf-8")
        self._send(config)

    def _send(self, message: Any) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"{self.name}: the worker process ended ({self.process.wait()})")
        return json.loads(line)

    def measure(self) -> None:
        reply = self._send("measure")
        self.totals.append(reply["seconds"])
        self.inside.append(reply["inside"])
        self.outputs, self.source, self.decoded = (reply["outputs"], reply["source"],
                                                   reply["decoded"])

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait()


def serve() -> int:
    """--worker: build the side the first line asks for, then measure it once per line."""
    reply = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything the libraries print goes to stderr, not into the replies
    config = json.loads(sys.stdin.readline())
    args = argparse.Namespace(**config["args"])
    if config["role"] == "argostranslate":
        side = argos_side("cpu", 1, args, config["sentences"])
    else:
        from aligner.mt import find_model

        side = aligner_side(find_model("ru", "en"), "cpu", 1, args.beam_size,
                            config["batch_size"], args, config["sentences"], config["changed"])
    print(json.dumps("ready"), file=reply, flush=True)
    for _ in sys.stdin:
        side.measure()
        print(json.dumps({"seconds": side.totals[-1], "inside": side.inside[-1],
                          "outputs": side.outputs, "source": side.source,
                          "decoded": side.decoded}), file=reply, flush=True)
    return 0


def measure_settings(sentences: list[str], baseline_sentences: list[str],
                     args: argparse.Namespace, batch_size: int) -> list[dict[str, Any]]:
    """Each setting of ``args.settings`` in its own process against argostranslate in one with
    the default environment, in turns; one thread, CPU time."""
    names = args.settings or list(SETTINGS)
    unknown = [name for name in names if name not in SETTINGS]
    if unknown:
        raise SystemExit(f"unknown settings {unknown}; known: {', '.join(SETTINGS)}")
    shared = {"args": {"beam_size": args.beam_size, "max_length": args.max_length}}
    baseline = Worker(f"argostranslate translate(), one by one, beam {args.beam_size}",
                      {**shared, "role": "argostranslate", "sentences": baseline_sentences},
                      default_environment())
    workers = []
    for name in names:
        environment, compute_type, changed, size = SETTINGS[name]
        config = {"role": "aligner", "sentences": sentences, "changed": changed,
                  "batch_size": size or batch_size,
                  "args": {**shared["args"], "compute_type": compute_type}}
        workers.append(Worker(name, config, {**default_environment(), **environment}))
    for _ in range(args.rounds):
        for side in (baseline, *workers):
            side.measure()
    base_row = baseline.row("cpu", 1)
    rows = [{**base_row, "environment": "(default)", "compute_type": "auto", "changed": {}}]
    reference = next((w for w in workers if w.name == "aligner"), None)
    for side in (baseline, *workers):
        side.close()
    for name, side in zip(names, workers):
        environment, compute_type, changed, size = SETTINGS[name]
        translated = dict(zip(side.sentences, side.outputs))
        same = sum(translated[text] == out
                   for text, out in zip(baseline.sentences, baseline.outputs))
        row = side.row("cpu", 1, base_row)
        rows.append({**row, "environment": " ".join(f"{k}={v}" for k, v in environment.items())
                     or "(default)", "compute_type": compute_type,
                     "changed": {**changed, **({"max_batch_size": size} if size else {})},
                     "same_as_baseline": f"{same}/{len(baseline.sentences)}",
                     "same_as_aligner": None if reference is None else
                     f"{sum(a == b for a, b in zip(side.outputs, reference.outputs))}"
                     f"/{len(side.outputs)}"})
    return rows


def print_settings_table(rows: list[dict[str, Any]]) -> None:
    print("| setting | environment | compute type | options changed | decoded tokens "
          "| CPU ms/sentence | CPU ms/token | vs argostranslate (sentence) | (token) "
          "| same as argostranslate | same as aligner's |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for item in rows:
        ratios = ("", "") if item["ratio"] is None else (f"{item['ratio']:.2f}x",
                                                         f"{item['token_ratio']:.2f}x")
        changed = ", ".join(f"{k}={v}" for k, v in item["changed"].items()) or "-"
        print(f"| {item['run']} | {item['environment']} | {item['compute_type']} | {changed} | "
              f"{item['decoded_tokens']:.1f} | {item['ms_per_sentence']:.1f} | "
              f"{item['ms_per_token']:.2f} | {ratios[0]} | {ratios[1]} | "
              f"{item.get('same_as_baseline', '')} | {item.get('same_as_aligner') or ''} |")


def print_table(rows: list[dict[str, Any]]) -> None:
    print("| run | threads | sentences | source tokens | decoded tokens (max) | seconds "
          "| in CTranslate2 | ms/sentence | ms/token | ratio (sentence) | (token) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for item in rows:
        ratios = ("", "") if item["ratio"] is None else (f"{item['ratio']:.2f}x",
                                                         f"{item['token_ratio']:.2f}x")
        print(f"| {item['run']} | {item['threads']} | {item['sentences']} | "
              f"{item['source_tokens']:.1f} | {item['decoded_tokens']:.1f} "
              f"({item['max_decoded']}) | {item['seconds']:.2f} {item['clock']} | "
              f"{100 * item['in_ctranslate2']:.1f}% | {item['ms_per_sentence']:.1f} | "
              f"{item['ms_per_token']:.2f} | {ratios[0]} | {ratios[1]} |")


def print_cache_table(rows: list[dict[str, Any]]) -> None:
    print("| run | device | threads | sentences | seconds | sent/s | ratio |")
    print("|---|---|---|---|---|---|---|")
    for item in rows:
        ratio = "" if item["ratio"] is None else f"{item['ratio']:.1f}x"
        print(f"| {item['run']} | {item['device']} | {item['threads']} | {item['sentences']} | "
              f"{item['seconds']:.2f} | {item['sent_per_s']:.1f} | {ratio} |")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return serve()
    work = Path(tempfile.mkdtemp(prefix="mt-bench-"))
    try:
        return run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> int:
    """Build the model in ``work``, measure, print the table; 0 when every target is met."""
    isolate_argos(work)
    from aligner.mt.translator import DEFAULT_BATCH_SIZE, resolve_device

    device, reason = resolve_device(args.device)
    if reason:
        print(f"note: {reason}", file=sys.stderr)
    russian, training = read_sentences(args.shared)
    gpu = device == "cuda"
    count = args.sentences or (64 if args.quick else len(russian) if gpu else 256)
    args.rounds = args.rounds or (1 if args.quick else 3)
    batch_size = args.batch_size or DEFAULT_BATCH_SIZE[device]
    sentences = russian[:count]
    baseline_sentences = evenly_spaced(sentences, args.baseline_sentences or
                                       (16 if args.quick else 48))
    model = build_model(args.model_dir / args.model if args.model_dir else work / "build",
                        training, copy=args.model == "copy")
    if args.settings is not None:
        rows = measure_settings(sentences, baseline_sentences, args, batch_size)
        print(f"\n{args.model} model: Transformer-base int8, {len(sentences)} sentences, beam "
              f"{args.beam_size}, 1 thread, CPU time, median of {args.rounds} rounds taken in "
              "turns, each row a process of its own\n")
        print_settings_table(rows)
        if args.json:
            args.json.write_text(json.dumps(rows, indent=2), "utf-8")
        return 0
    if args.sweep or args.decode:
        decoding = Decoding(model, sentences, args)
        if args.sweep:
            sweep(decoding, args)
        else:
            decode_only(decoding, args.decode)
        return 0
    thread_counts = [int(t) for t in args.threads.split(",")] if not gpu else [1]
    rows, checks = [], []
    for threads in thread_counts:
        found, ratios = measure_device(model, device, threads, sentences, baseline_sentences,
                                       args, batch_size)
        rows += found
        checks += [(name, ratio >= BATCHED_TARGET, ratio) for name, ratio in ratios]
    cache_rows, ratio = measure_cache(model, device, thread_counts[-1], sentences, args,
                                      batch_size)
    checks.append((f"warm cache >= {CACHE_TARGET:g}x cold", ratio >= CACHE_TARGET, ratio))
    print(f"\n{args.model} model: Transformer-base int8, compute type {args.compute_type}, "
          f"device {device}, max decoding length {args.max_length}; CPU time on 1 CPU "
          f"thread, wall time otherwise; median of {args.rounds} rounds taken in turns\n")
    print_table(rows)
    print()
    print_cache_table(cache_rows)
    print()
    for name, passed, value in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {name}: {value:.2f}x")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows + cache_rows, "checks": checks},
                                        indent=2), "utf-8")
    return 0 if all(passed for _, passed, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
