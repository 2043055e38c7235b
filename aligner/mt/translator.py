"""Batched machine translation with an Argos package's CTranslate2 and SentencePiece models.

Our sentences are already split, so argostranslate's own pipeline (sentence splitting with
stanza or MiniSBD, which download models, then one small batch per paragraph) is bypassed:
the package's models are run directly, in large batches, and nothing touches the network.
Translations go through a :class:`~aligner.mt.cache.TranslationCache`, so a re-run or a
resumed run translates nothing twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from aligner.errors import ConfigurationError, InputError, ModelError
from aligner.io import read_capped_lines
from aligner.mt.cache import TranslationCache, unique
from aligner.mt.packages import ModelInfo, find_model
from aligner.signature import make_signature
from aligner.threads import thread_count

DEVICES = ("cpu", "cuda", "auto")
#: Sentences sent to CTranslate2 per call (it sorts them by length and cuts batches); the
#: cache is written after each such chunk, so an interrupted run loses at most one chunk.
CHUNK_SIZE = 4096
#: Sentences per CTranslate2 batch: a GPU needs large batches to be busy (see docs/GPU.md),
#: a CPU gains little beyond a few dozen.
DEFAULT_BATCH_SIZE = {"cpu": 32, "cuda": 1024}


class Translator(Protocol):
    """Anything that machine-translates already-split sentences, one output per input
    (:class:`ArgosTranslator` is the one aligner ships)."""

    #: model id, version, file fingerprint and decoding options: equal keys, equal output
    cache_key: str

    @property
    def model_id(self) -> str: ...

    def translate(self, sentences: Sequence[str]) -> list[str]: ...

    def signature(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class DecodingOptions:
    """Search settings that change the output (and so are part of the cache key).

    Greedy search is the default: MT here feeds alignment signals and chrF scores, where beam
    search changes little, and on a CPU greedy batches run about 2.8x faster than beam 4
    (argostranslate's default; pass ``beam_size=4`` for its outputs; figures of
    ``benchmarks/mt_throughput.py``). ``length_penalty`` is argostranslate's value.
    """

    beam_size: int = 1
    max_decoding_length: int = 256
    length_penalty: float = 0.2

    def __post_init__(self) -> None:
        if self.beam_size < 1:
            raise ConfigurationError(f"beam size must be at least 1, not {self.beam_size}")
        if self.max_decoding_length < 1:
            raise ConfigurationError("max decoding length must be at least 1, "
                                     f"not {self.max_decoding_length}")

    def key(self) -> str:
        """Stable text form for cache keys.

        >>> DecodingOptions().key()
        'beam=1|maxlen=256|lp=0.2'
        """
        return (f"beam={self.beam_size}|maxlen={self.max_decoding_length}"
                f"|lp={self.length_penalty:g}")


@dataclass
class TranslationStats:
    """What the last :meth:`ArgosTranslator.translate` call did: how many texts came from the
    model."""

    requested: int = 0
    distinct: int = 0
    from_cache: int = 0
    translated: int = 0


class _Codec(Protocol):
    def encode(self, texts: Sequence[str]) -> list[list[str]]: ...

    def decode(self, pieces: Sequence[Sequence[str]]) -> list[str]: ...


class SentencePieceCodec:
    """The package's SentencePiece model: text to pieces and back."""

    def __init__(self, path: Path) -> None:
        import sentencepiece  # heavy backends load on first use (see aligner.mt)

        self._processor = sentencepiece.SentencePieceProcessor(model_file=str(path))

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        return self._processor.encode(list(texts), out_type=str)

    def decode(self, pieces: Sequence[Sequence[str]]) -> list[str]:
        return [self._processor.decode_pieces(list(tokens)) for tokens in pieces]


class BpeCodec:
    """Older Argos packages ship Moses tokenisation plus BPE (argostranslate's own tokenizer)."""

    def __init__(self, path: Path, src_lang: str, tgt_lang: str) -> None:
        from argostranslate.tokenizer import BPETokenizer

        self._tokenizer = BPETokenizer(path, src_lang, tgt_lang)

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        return [self._tokenizer.encode(text) for text in texts]

    def decode(self, pieces: Sequence[Sequence[str]]) -> list[str]:
        return [self._tokenizer.decode(list(tokens)) for tokens in pieces]


class ArgosTranslator:
    """Translate already-split sentences with one installed Argos package, cached on disk.

    The CTranslate2 model loads on the first sentence that is not in the cache, so a fully
    cached run never loads it.
    """

    def __init__(self, model: ModelInfo, device: str = "cpu", threads: int | None = None,
                 options: DecodingOptions | None = None, max_batch_size: int | None = None,
                 compute_type: str = "auto", cache: TranslationCache | None = None,
                 use_cache: bool = True) -> None:
        if device not in DEVICES:
            raise ConfigurationError(f"device must be one of {', '.join(DEVICES)}, not {device!r}")
        if threads is not None and threads < 1:
            raise ConfigurationError(f"threads must be at least 1, not {threads}")
        if max_batch_size is not None and max_batch_size < 1:
            raise ConfigurationError(f"max batch size must be at least 1, not {max_batch_size}")
        self.model = model
        self.requested_device = device
        self.device, self.fallback_reason = resolve_device(device)
        self.threads = threads
        self.options = options or DecodingOptions()
        self._batch_size_given = max_batch_size
        self.max_batch_size = max_batch_size or DEFAULT_BATCH_SIZE[self.device]
        self.compute_type = compute_type
        self.cache = (cache or TranslationCache()) if use_cache else None
        self.stats = TranslationStats()
        self._engine: Any = None
        self._codec: _Codec | None = None
        self.cache_key = f"{model.id}@{model.version}#{_fingerprint(model)}|{self.options.key()}"

    @property
    def model_id(self) -> str:
        return self.model.id

    @property
    def loaded(self) -> bool:
        """Whether the CTranslate2 model has been loaded (it is not while the cache suffices)."""
        return self._engine is not None

    def translate(self, sentences: Iterable[str],
                  on_progress: Callable[[int], None] | None = None) -> list[str]:
        """One translation per sentence, in order; blank sentences translate to ``""``.

        ``on_progress`` is called with the number of sentences translated after each chunk.
        """
        texts = [sentence.strip() for sentence in sentences]
        distinct = unique([text for text in texts if text])
        done = self.cache.get(self.cache_key, distinct) if self.cache else {}
        missing = [text for text in distinct if text not in done]
        self.stats = TranslationStats(requested=len(texts), distinct=len(distinct),
                                      from_cache=len(done), translated=len(missing))
        for start in range(0, len(missing), CHUNK_SIZE):
            chunk = missing[start:start + CHUNK_SIZE]
            fresh = dict(zip(chunk, self._translate_uncached(chunk)))
            if self.cache is not None:
                self.cache.put(self.cache_key, fresh)
            done.update(fresh)
            if on_progress is not None:
                on_progress(len(chunk))
        return [done[text] if text else "" for text in texts]

    def __getstate__(self) -> dict[str, Any]:
        # Loaded models stay in their process; a copy (e.g. sent to a worker) loads its own.
        return {**self.__dict__, "_engine": None, "_codec": None}

    def signature(self) -> dict[str, str]:
        """Options and versions behind these translations (model, device, decoding settings)."""
        return make_signature("translate", {"model": self.model.id,
                                            "model_version": self.model.version,
                                            "device": self.device,
                                            "device_requested": self.requested_device,
                                            "compute_type": self.compute_type,
                                            **asdict(self.options)})

    def _translate_uncached(self, texts: Sequence[str]) -> list[str]:
        codec = self._load_codec()
        tokens = codec.encode(texts)
        prefix = self.model.target_prefix
        results = self._run(tokens, [[prefix]] * len(tokens) if prefix else None)
        hypotheses = [result.hypotheses[0] for result in results]
        if prefix:
            hypotheses = [h[1:] if h[:1] == [prefix] else h for h in hypotheses]
        # One line out per line in, whatever the detokeniser makes of odd pieces.
        return [" ".join(text.split()) for text in codec.decode(hypotheses)]

    def _run(self, tokens: list[list[str]], target_prefix: list[list[str]] | None) -> list[Any]:
        kwargs = {"target_prefix": target_prefix, "max_batch_size": self.max_batch_size,
                  "beam_size": self.options.beam_size,
                  "max_decoding_length": self.options.max_decoding_length,
                  "length_penalty": self.options.length_penalty, "replace_unknowns": True}
        engine = self._load_engine()
        try:
            return engine.translate_batch(tokens, **kwargs)
        except RuntimeError as error:
            if self.device != "cuda":
                raise ModelError(f"{self.model.path}: translation failed: {error}") from None
            self._fall_back_to_cpu(error)
            return self._load_engine().translate_batch(tokens, **kwargs)

    def _load_codec(self) -> _Codec:
        if self._codec is None:
            path = self.model.tokenizer_path
            try:
                if self.model.tokenizer == "bpe.model":
                    self._codec = BpeCodec(path, self.model.src_lang, self.model.tgt_lang)
                else:
                    self._codec = SentencePieceCodec(path)
            except (OSError, RuntimeError) as error:
                raise ModelError(f"{path}: cannot load the tokenizer ({error}); "
                                 "reinstall the package") from None
        return self._codec

    def _load_engine(self) -> Any:
        if self._engine is None:
            import ctranslate2  # heavy backends load on first use (see aligner.mt)

            try:
                self._engine = ctranslate2.Translator(
                    str(self.model.model_dir), device=self.device, inter_threads=1,
                    intra_threads=self.threads or thread_count(), compute_type=self.compute_type)
            except (RuntimeError, ValueError, OSError) as error:
                if self.device != "cuda":
                    raise ModelError(f"{self.model.model_dir}: cannot load the CTranslate2 "
                                     f"model ({error}); reinstall the package") from None
                self._fall_back_to_cpu(error)
                return self._load_engine()
        return self._engine

    def _fall_back_to_cpu(self, error: Exception) -> None:
        self.fallback_reason = f"CUDA failed ({str(error).splitlines()[0]}); translating on CPU"
        self.device, self._engine = "cpu", None
        self.max_batch_size = self._batch_size_given or DEFAULT_BATCH_SIZE["cpu"]


def load_translator(src_lang: str, tgt_lang: str, model_id: str | None = None,
                    device: str = "cpu", threads: int | None = None,
                    beam_size: int = DecodingOptions.beam_size,
                    max_decoding_length: int = DecodingOptions.max_decoding_length,
                    max_batch_size: int | None = None, use_cache: bool = True) -> ArgosTranslator:
    """An :class:`ArgosTranslator` of the installed package for ``src_lang`` -> ``tgt_lang``.

    ``max_batch_size`` defaults to :data:`DEFAULT_BATCH_SIZE` for the device in use.

    Raises :class:`ModelError` (with the install command) when no such package is installed.
    """
    model = find_model(src_lang, tgt_lang, model_id)
    options = DecodingOptions(beam_size=beam_size, max_decoding_length=max_decoding_length)
    return ArgosTranslator(model, device=device, threads=threads, options=options,
                           max_batch_size=max_batch_size, use_cache=use_cache)


def read_lines(path: str | os.PathLike[str]) -> list[str]:
    """The lines of a UTF-8 text file, without line ends; a final newline adds no empty line."""
    return [line for _, line in read_capped_lines(path, "one sentence per line")]


def read_translation_file(path: str | os.PathLike[str], expected_lines: int) -> list[str]:
    """Precomputed MT, one translation per source sentence; a line-count mismatch is an error."""
    lines = read_lines(path)
    if len(lines) != expected_lines:
        raise InputError(f"{path}: {len(lines)} lines, but {expected_lines} source sentences "
                         "need one translation each; translate the same sentences, one per line")
    return lines


def resolve_device(device: str) -> tuple[str, str | None]:
    """The device to use and, when ``cuda`` was asked for but cannot be had, why not.

    The reason is also kept in :attr:`ArgosTranslator.fallback_reason`; the CLI prints it.

    >>> resolve_device("cpu")
    ('cpu', None)
    """
    if device == "cpu":
        return "cpu", None
    import ctranslate2

    try:
        gpus = ctranslate2.get_cuda_device_count()
    except RuntimeError:
        gpus = 0
    if gpus > 0:
        return "cuda", None
    if device == "cuda":
        return "cpu", "CUDA requested but CTranslate2 sees no GPU; translating on CPU"
    return "cpu", None


def _fingerprint(model: ModelInfo) -> str:
    """Size and mtime of the model and tokenizer files: a reinstalled package gets a new key."""
    parts = []
    for path in (model.model_dir / "model.bin", model.tokenizer_path):
        try:
            stat = path.stat()
        except OSError:
            raise ModelError(f"{path}: missing from the installed package {model.id}; "
                             "reinstall it") from None
        parts.append(f"{stat.st_size:x}.{stat.st_mtime_ns:x}")
    return "-".join(parts)
