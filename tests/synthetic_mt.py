"""Real Argos packages with random weights, for tests and benchmarks without a downloaded model.

Test support, not part of the library (benchmarks put ``tests/`` on their path to use it).

:func:`build_argos_package` trains a SentencePiece model on a few sentences, builds a
CTranslate2 Transformer with random weights through a ``ctranslate2.converters.Converter``,
writes ``metadata.json`` and zips the folder in the ``.argosmodel`` layout. The package
installs and runs exactly like a downloaded one; its output is gibberish by design.

``copy=True`` builds the same shapes with weights set by hand so that the model copies its
input: it translates a sentence into itself and stops at the end-of-sentence token appended
to the source, so it decodes as many tokens as the sentence has (plus the end token), as a
trained model decodes about as many as its translation has. A random model seldom emits
end-of-sentence and always decodes to the length limit. Dense layers cost the same whatever
their weights, so the copy model times decoding like a trained model of its shape would on
sentences whose translations are as long as they are.
"""

from __future__ import annotations

import functools
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LANGUAGE_NAMES = {"ru": "Russian", "en": "English", "de": "German", "fr": "French"}

SAMPLE_SENTENCES = (
    "Президент подписал закон о бюджете на следующий год.",
    "The president signed the budget law for next year.",
    "В Москве прошла встреча министров иностранных дел.",
    "Foreign ministers met in Moscow on Tuesday.",
    "Цены на нефть выросли после решения ОПЕК.",
    "Oil prices rose after the OPEC decision.",
    "Компания сообщила о росте прибыли в третьем квартале.",
    "The company reported higher profits in the third quarter.",
    "Погода в выходные будет тёплой и солнечной.",
    "The weather at the weekend will be warm and sunny.",
    "Учёные открыли новый вид глубоководных рыб.",
    "Scientists have discovered a new species of deep-sea fish.",
)


@dataclass(frozen=True)
class TransformerSize:
    """Dimensions of the random Transformer (the defaults make a model of a few hundred KB)."""

    d_model: int = 64
    ffn_dim: int = 128
    encoder_layers: int = 1
    decoder_layers: int = 1
    heads: int = 2
    vocab_size: int = 0  # 0: the SentencePiece vocabulary as it is; larger: padded with extras
    max_positions: int = 512


#: The Transformer-base shape of most Argos models (d=512, 6+6 layers, 8 heads, 32k vocabulary).
TRANSFORMER_BASE = TransformerSize(d_model=512, ffn_dim=2048, encoder_layers=6,
                                   decoder_layers=6, heads=8, vocab_size=32000)


def build_argos_package(out_dir: str | Path, src_lang: str = "ru", tgt_lang: str = "en",
                        size: TransformerSize = TransformerSize(),
                        sentences: Sequence[str] = SAMPLE_SENTENCES, spm_vocab_size: int = 80,
                        quantization: str | None = None, version: str = "1.0",
                        seed: int = 1234, copy: bool = False) -> Path:
    """Build ``translate-SRC_TGT-VERSION.argosmodel`` in ``out_dir`` and return its path.

    ``copy``: a model that copies its input (see the module docstring) instead of a random one.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    top = f"translate-{src_lang}_{tgt_lang}-{version.replace('.', '_')}"
    archive = out / f"{top}.argosmodel"
    with tempfile.TemporaryDirectory(prefix="argos-build-") as tmp:
        package_dir = Path(tmp) / top
        package_dir.mkdir()
        vocabulary = train_sentencepiece(sentences, package_dir / "sentencepiece.model",
                                         spm_vocab_size)
        vocabulary += [f"<extra{i}>" for i in range(max(0, size.vocab_size - len(vocabulary)))]
        converter = random_transformer_converter(vocabulary, size, seed, copy)
        converter.convert(str(package_dir / "model"), quantization=quantization)
        metadata = package_metadata(src_lang, tgt_lang, version)
        (package_dir / "metadata.json").write_text(json.dumps(metadata, indent=2), "utf-8")
        partial = Path(tmp) / archive.name  # an interrupted build leaves no archive behind
        _zip_folder(package_dir, partial)
        os.replace(partial, archive)
    return archive


def package_metadata(src_lang: str, tgt_lang: str, version: str) -> dict[str, Any]:
    """An Argos ``metadata.json``.

    >>> package_metadata("ru", "en", "1.0")["to_name"]
    'English'
    """
    return {"package_version": version, "argos_version": "1.9", "type": "translate",
            "from_code": src_lang, "from_name": LANGUAGE_NAMES.get(src_lang, src_lang),
            "to_code": tgt_lang, "to_name": LANGUAGE_NAMES.get(tgt_lang, tgt_lang),
            "links": []}


def train_sentencepiece(sentences: Sequence[str], path: Path, vocab_size: int) -> list[str]:
    """Train a SentencePiece model at ``path``; return its pieces (special ones first)."""
    import sentencepiece

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences), model_writer=model, vocab_size=vocab_size,
        hard_vocab_limit=False, character_coverage=1.0, model_type="unigram",
        minloglevel=2, num_threads=1)
    path.write_bytes(model.getvalue())
    processor = sentencepiece.SentencePieceProcessor(model_file=str(path))
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def _zip_folder(folder: Path, archive: Path) -> None:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(folder.rglob("*")):
            zipped.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")


def random_transformer_converter(vocabulary: list[str], size: TransformerSize, seed: int,
                                 copy: bool = False) -> Any:
    """A ``ctranslate2.converters.Converter`` whose "source model" is a seeded random Transformer
    (with ``copy``, one that copies its input).

    Call ``.convert(output_dir, quantization=...)`` on it like on any CTranslate2 converter.
    """
    converter_class = _copy_converter_class() if copy else _converter_class()
    return converter_class(vocabulary, size, seed)


@functools.cache
def _converter_class() -> type:
    # Defined on first use so that importing this module does not import CTranslate2.
    import numpy
    from ctranslate2.converters import Converter
    from ctranslate2.specs import TransformerSpec

    class RandomTransformerConverter(Converter):
        def __init__(self, vocabulary: list[str], size: TransformerSize, seed: int) -> None:
            self.vocabulary = vocabulary
            self.size = size
            self.rng = numpy.random.default_rng(seed)

        def _load(self) -> Any:
            size = self.size
            spec = TransformerSpec.from_config((size.encoder_layers, size.decoder_layers),
                                               size.heads)
            encoder, decoder = spec.encoder, spec.decoder
            encoder.embeddings[0].weight = self._matrix(len(self.vocabulary), size.d_model)
            decoder.embeddings.weight = self._matrix(len(self.vocabulary), size.d_model)
            for stack in (encoder, decoder):
                stack.position_encodings.encodings = _sinusoids(size.max_positions, size.d_model)
                self._norm(stack.layer_norm)
                for layer in stack.layer:
                    self._attention(layer.self_attention)
                    if hasattr(layer, "attention"):
                        self._attention(layer.attention)
                    self._linear(layer.ffn.linear_0, size.ffn_dim, size.d_model)
                    self._linear(layer.ffn.linear_1, size.d_model, size.ffn_dim)
                    self._norm(layer.ffn.layer_norm)
            self._linear(decoder.projection, len(self.vocabulary), size.d_model)
            spec.register_source_vocabulary(self.vocabulary)
            spec.register_target_vocabulary(self.vocabulary)
            return spec

        def _attention(self, attention: Any) -> None:
            d = self.size.d_model
            # Self-attention fuses query/key/value in one linear; encoder-decoder attention
            # has a query linear and a fused key/value linear; the last linear is the output.
            fused = [3 * d] if len(attention.linear) == 2 else [d, 2 * d]
            for linear, rows in zip(attention.linear, [*fused, d]):
                self._linear(linear, rows, d)
            self._norm(attention.layer_norm)

        def _linear(self, linear: Any, rows: int, cols: int) -> None:
            linear.weight = self._matrix(rows, cols)
            linear.bias = numpy.zeros(rows, dtype=numpy.float32)

        def _norm(self, norm: Any) -> None:
            norm.gamma = numpy.ones(self.size.d_model, dtype=numpy.float32)
            norm.beta = numpy.zeros(self.size.d_model, dtype=numpy.float32)

        def _matrix(self, rows: int, cols: int) -> Any:
            return (self.rng.standard_normal((rows, cols), dtype=numpy.float32)
                    / numpy.float32(cols ** 0.5))

    return RandomTransformerConverter


def _sinusoids(positions: int, dim: int) -> Any:
    import numpy

    position = numpy.arange(positions, dtype=numpy.float32)[:, None]
    rates = numpy.exp(-numpy.log(10000.0) * numpy.arange(0, dim, 2, dtype=numpy.float32) / dim)
    table = numpy.zeros((positions, dim), dtype=numpy.float32)
    table[:, 0::2] = numpy.sin(position * rates)
    table[:, 1::2] = numpy.cos(position * rates)
    return table


#: Logit margin (nats) of the copy model's attention peak and of its copied token.
COPY_MARGIN = 25.0


@functools.cache
def _copy_converter_class() -> type:
    """A converter of a Transformer that copies its source, end-of-sentence token included.

    Half of the model dimensions carry the token (random embeddings), the other half the
    position (sinusoids and their negatives). Both halves have zero mean and a fixed norm,
    so every LayerNorm scales them by the same constant. Every layer is near identity
    (weights 1e-3 of a random layer's) except the last decoder layer's encoder-decoder
    attention: its queries and keys are the sinusoids, so decoder step t attends to source
    position t, and its values bring the token half of that position into the decoder, where
    the output projection (the token embeddings) picks that token. The source gets an
    end-of-sentence token, which is copied last.
    """
    import numpy

    class CopyTransformerConverter(_converter_class()):  # type: ignore[misc]
        def _load(self) -> Any:
            spec = super()._load()
            d = self.size.d_model
            tokens = self._token_embeddings()
            spec.encoder.embeddings[0].weight = tokens
            spec.decoder.embeddings.weight = tokens * numpy.float32(1e-3)
            positions = numpy.zeros((self.size.max_positions, d), dtype=numpy.float32)
            waves = _sinusoids(self.size.max_positions, d // 4)
            positions[:, d // 2:] = numpy.concatenate([waves, -waves], axis=1)
            for stack in (spec.encoder, spec.decoder):
                stack.position_encodings.encodings = positions
                for layer in stack.layer:
                    linears = [layer.ffn.linear_0, layer.ffn.linear_1]
                    for attention in (layer.self_attention, getattr(layer, "attention", None)):
                        linears += attention.linear if attention is not None else []
                    for linear in linears:
                        linear.weight = linear.weight * numpy.float32(1e-3)
            self._copy_attention(spec.decoder.layer[-1].attention)
            # Logits: the token half against the embeddings. After the final LayerNorm the
            # copied token is sqrt(d) / (0.707 * 0.866) times its embedding (norm 0.5), so it
            # scores 2 * COPY_MARGIN and the others, at random, 1 / sqrt(d / 2) of that each.
            scale = 2 * COPY_MARGIN * 0.707 * 0.866 / (0.25 * d ** 0.5)
            spec.decoder.projection.weight = tokens * numpy.float32(scale)
            spec.config.add_source_eos = True
            return spec

        def _token_embeddings(self) -> Any:
            """Random token halves with zero mean and norm 0.5: as large as the position half
            once CTranslate2 scales embeddings by sqrt(d)."""
            d = self.size.d_model
            tokens = numpy.zeros((len(self.vocabulary), d), dtype=numpy.float32)
            random = self.rng.standard_normal((len(self.vocabulary), d // 2))
            random -= random.mean(axis=1, keepdims=True)
            tokens[:, :d // 2] = 0.5 * random / numpy.linalg.norm(random, axis=1, keepdims=True)
            return tokens

        def _copy_attention(self, attention: Any) -> None:
            d, heads = self.size.d_model, self.size.heads
            head_dim, pairs = d // heads, d // 8  # (sin, cos) pairs of the position half
            stride = max(1, pairs // (head_dim // 2))
            query = numpy.zeros((d, d), dtype=numpy.float32)
            for head in range(heads):
                # each head sees every stride-th frequency: sharp and unambiguous
                chosen = list(range(head % stride, pairs, stride))[:head_dim // 2]
                for slot, pair in enumerate(chosen):
                    for offset in (0, 1):
                        query[head * head_dim + 2 * slot + offset, d // 2 + 2 * pair + offset] = 1
            margin = min(_attention_margin(d // 4, stride, start, self.size.max_positions)
                         for start in range(stride))
            # LayerNorm scales the decoder by 1 / 0.5 and the encoder by 1 / 0.707; the scores
            # are divided by sqrt(head_dim)
            gain = (COPY_MARGIN * head_dim ** 0.5 * 0.5 * 0.707 / margin) ** 0.5
            attention.linear[0].weight = query * numpy.float32(gain)
            attention.linear[1].weight = numpy.concatenate([query * numpy.float32(gain),
                                                            numpy.eye(d, dtype=numpy.float32)])
            output = numpy.zeros((d, d), dtype=numpy.float32)
            output[:d // 2, :d // 2] = numpy.eye(d // 2, dtype=numpy.float32)
            attention.linear[2].weight = output

    return CopyTransformerConverter


def _attention_margin(dim: int, stride: int, start: int, positions: int) -> float:
    """How much higher a head's position score is at its own position than at any other:
    sum of cos(distance x rate) over the head's frequencies (every ``stride``-th of a
    ``dim``-wide sinusoid table, from ``start``)."""
    import numpy

    rates = numpy.exp(-numpy.log(10000.0) * numpy.arange(0, dim, 2) / dim)[start::stride]
    distances = numpy.arange(1, positions)
    scores = numpy.cos(numpy.outer(distances, rates)).sum(axis=1)
    return float(len(rates) - scores.max())
