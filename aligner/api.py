"""The Python API: the functions behind the ``aligner`` commands, records in and out.

``from aligner import align, pair_documents, read_documents, run`` gives them (they load on
first use, so ``import aligner`` stays cheap). Settings are the library's frozen records
(:class:`~aligner.alignment.AlignConfig`, :class:`~aligner.pair.PairConfig`,
:class:`~aligner.pipeline.RunOptions`), given whole or as keyword overrides of their fields;
results are the records of :mod:`aligner.records` and the stages' result records. Errors are
:class:`~aligner.errors.AlignerError` subclasses: :class:`~aligner.errors.InputError` for a
bad file, :class:`~aligner.errors.ConfigurationError` for a bad option.

>>> from aligner import align
>>> alignment = align(["Кот спит.", "Собака лает."], ["The cat sleeps.", "The dog barks."])
>>> [bead.gold_format() for bead in alignment.beads]
['[0]:[0]', '[1]:[1]']
>>> all(0.0 <= bead.confidence <= 1.0 for bead in alignment.beads)
True
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, TypeVar

from aligner.alignment import AlignConfig, align_documents
from aligner.errors import ConfigurationError
from aligner.executors import Executor, ProgressFactory
from aligner.io import text_lines
from aligner.ingest import (
    document_from_lines,
    document_from_text,
    document_language,
    read_document,
    read_documents,
    splitter_name,
)
from aligner.mt import Translator, read_translation_file
from aligner.pair import PairConfig, PairingResult
from aligner.pair import pair_documents as pair_with_config
from aligner.pipeline import RunOptions, RunSummary, run_pipeline
from aligner.records import Alignment, Document, Paragraph, Sentence

PathLike = str | os.PathLike[str]
Side = Sequence[str | Sentence] | str | os.PathLike[str] | Document
"""One side of :func:`align`: sentences, a text, a file (a ``Path``) or a Document."""
Lines = Sequence[str] | str | os.PathLike[str]
"""``translation`` of :func:`align`: lines (a list), a text of lines or a file (a ``Path``)."""
Settings = TypeVar("Settings", AlignConfig, PairConfig, RunOptions)

__all__ = ["align", "pair_documents", "read_documents", "run"]


def align(src: Side, tgt: Side, src_lang: str | None = "ru", tgt_lang: str | None = "en", *,
          translation: Lines | None = None, presplit: bool = False,
          config: AlignConfig | None = None, **overrides: Any) -> Alignment:
    """Align two sides sentence by sentence into beads, each with a calibrated confidence.

    One rule for every argument that holds text: a list is taken as given, a ``str`` is
    text (never a file name), a ``Path`` (any ``os.PathLike``) is a file, read as ``aligner
    align`` reads it. A ``str`` of one line that names an existing file is refused with a
    :class:`~aligner.errors.ConfigurationError` (pass ``Path(name)``), so a file name is
    never aligned as if it were a sentence.

    Each side is a list of sentences (strings or :class:`~aligner.records.Sentence`), aligned
    as given; a ``str``, a text read as ``aligner align`` reads a file (chrome removed,
    sentences split by language; ``presplit=True``: one sentence per line); a ``Path``, the
    file itself; or an ingested :class:`~aligner.records.Document` (its paragraphs are hard
    boundaries).

    :param src_lang: language of the source (ISO 639-1); None identifies it; a Document
        keeps its own.
    :param translation: machine translation of the source sentences into the target
        language, one per sentence: a list of lines, a ``str`` of lines (as a file of lines
        reads: a final line end adds no line) or a ``Path`` to a file of lines; its line
        count must equal the source's sentence count (an :class:`~aligner.errors.InputError`
        otherwise).
    :param config: alignment settings; ``overrides`` replace some of its fields
        (``max_bead=4``, ``weights={"length": 0.1}``, ``signals=("embedding", "length")``).
    :returns: an :class:`~aligner.records.Alignment`: the sentences of both sides and the
        beads, whose signature also names how a text or file side was split.

    >>> alignment = align(["Да.", "Нет, спасибо."], ["Yes.", "No.", "Thank you."])
    >>> [(bead.type, alignment.bead_texts(bead)) for bead in alignment.beads]
    [('1-1', ('Да.', 'Yes.')), ('1-2', ('Нет, спасибо.', 'No. Thank you.'))]
    >>> align(["Да."], ["Yes."], max_bead=1)
    Traceback (most recent call last):
    ...
    aligner.errors.ConfigurationError: max_bead must be at least 2, not 1
    """
    settings = configure(config or AlignConfig(), overrides)
    src_doc, src_split = _side(src, "src", src_lang, presplit)
    tgt_doc, tgt_split = _side(tgt, "tgt", tgt_lang, presplit)
    lines = _translation_lines(translation, len(src_doc.sentences))
    alignment = align_documents(src_doc, tgt_doc, settings, lines)
    splitters = {f"{name}_splitter": splitter_name(doc.lang, split)
                 for name, doc, split in (("src", src_doc, src_split), ("tgt", tgt_doc, tgt_split))
                 if split is not None}
    return replace(alignment, signature=dict(sorted({**alignment.signature,
                                                      **splitters}.items())))


def pair_documents(documents: Iterable[Document], src_lang: str = "ru", tgt_lang: str = "en",
                   config: PairConfig | None = None, translator: Translator | None = None, *,
                   translations: Mapping[str, Sequence[str]] | None = None,
                   progress: ProgressFactory | None = None, **overrides: Any) -> PairingResult:
    """Find the parallel (one-to-one), same-event and related pairs among ``documents``.

    :param documents: Document records, e.g. :func:`read_documents`'s result.
    :param config: pairing settings; ``overrides`` replace some of its fields
        (``neighbours=8``, ``parallel_threshold=0.6``).
    :param translator: optional MT of source sentences (``aligner.mt.load_translator``).
    :param translations: optional ready MT, source document id -> one line per sentence.
    :returns: a :class:`~aligner.pair.PairingResult`: ``pairs`` (DocPair records with label,
        confidence and evidence), ``unpaired`` ids, ``set_aside`` documents with the reason,
        ``warnings`` and the ``signature``.

    >>> from aligner.ingest import document_from_lines
    >>> documents = [
    ...     document_from_lines("a.ru", "", ["Президент встретился с министром обороны.",
    ...                                      "Стороны обсудили сотрудничество."], "ru"),
    ...     document_from_lines("a.en", "", ["The president met the defence minister.",
    ...                                      "The sides discussed cooperation."], "en")]
    >>> result = pair_documents(documents, "ru", "en")
    >>> [(pair.src_id, pair.tgt_id, str(pair.label)) for pair in result.pairs]
    [('a.ru', 'a.en', 'parallel')]
    """
    return pair_with_config(documents, src_lang, tgt_lang,
                            configure(config or PairConfig(), overrides), translator,
                            translations=translations, progress=progress)


def run(inputs: PathLike | Sequence[PathLike], out: PathLike,
        options: RunOptions | None = None, *, jobs: int = 1, dask_scheduler: str | None = None,
        resume: bool = False, progress: ProgressFactory | None = None,
        executor: Executor | None = None, **overrides: Any) -> RunSummary:
    """The main job, as ``aligner run`` does it: ingest, pair, align, score and export the
    ``inputs`` (files and folders) into the folder ``out``; returns what was done.

    :param options: what decides the outputs; ``overrides`` replace some of its fields
        (``src_lang="de"``, ``use_mt=False``, ``presplit=True``, ``align=AlignConfig(...)``).
    :param jobs: local processes for the per-pair work (1: in this process).
    :param dask_scheduler: address of a Dask scheduler that does the per-pair work instead.
    :param resume: continue an earlier run in ``out`` (same options).
    :param progress: optional wrapper ``(items, description, total) -> items`` for progress bars.
    :returns: a :class:`~aligner.pipeline.RunSummary` (counts, MT status, warnings, timings);
        the outputs are in ``out`` (README: What `aligner run` writes).

    >>> import pathlib, tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> inputs, out = pathlib.Path(folder.name, "in"), pathlib.Path(folder.name, "out")
    >>> inputs.mkdir()
    >>> _ = (inputs / "a.ru").write_text("Президент встретился с министром обороны.\\n"
    ...                                  "Стороны обсудили сотрудничество.\\n", encoding="utf-8")
    >>> _ = (inputs / "a.en").write_text("The president met the defence minister.\\n"
    ...                                  "The sides discussed cooperation.\\n", encoding="utf-8")
    >>> summary = run(inputs, out, presplit=True, use_mt=False)
    >>> summary.documents, summary.parallel_pairs, summary.beads, summary.tmx_units
    (2, 1, 2, 2)
    >>> sorted(path.name for path in out.iterdir() if not path.name.startswith("."))
    ... # doctest: +NORMALIZE_WHITESPACE
    ['alignments', 'corpus.tmx', 'documents.jsonl', 'pairs.signature.json', 'pairs.tsv',
     'report.html', 'report.json', 'signature.json', 'tmx']
    >>> folder.cleanup()
    """
    paths = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
    return run_pipeline(paths, out, configure(options or RunOptions(), overrides), jobs=jobs,
                        dask_scheduler=dask_scheduler, resume=resume, progress=progress,
                        executor=executor)


def configure(settings: Settings, overrides: Mapping[str, Any]) -> Settings:
    """``settings`` with some fields replaced; an unknown field is a ConfigurationError.

    >>> configure(AlignConfig(), {"max_bead": 4}).max_bead
    4
    >>> configure(AlignConfig(), {"max_beads": 4})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    aligner.errors.ConfigurationError: unknown AlignConfig option 'max_beads'; choose from: ...
    """
    known = [field.name for field in fields(settings)]
    for name in overrides:
        if name not in known:
            raise ConfigurationError(f"unknown {type(settings).__name__} option {name!r}; "
                                     f"choose from: {', '.join(known)}")
    return replace(settings, **overrides) if overrides else settings


def _side(side: Side, name: str, lang: str | None,
          presplit: bool) -> tuple[Document, bool | None]:
    """The side as a Document, and whether it was split one sentence per line (None: it came
    as a Document, split by whoever made it)."""
    if isinstance(side, Document):
        return side, None
    if isinstance(side, os.PathLike):
        return _read_file(side, lang, presplit), presplit
    if isinstance(side, str):
        _refuse_file_name(side, name)
        if presplit:
            return document_from_lines(name, "", text_lines(side), lang), True
        return document_from_text(name, "", side, lang), False
    return _sentences_document(name, [getattr(item, "text", item) for item in side], lang), True


def _translation_lines(translation: Lines | None, sentences: int) -> list[str] | None:
    """``translation`` as its lines (see :func:`align`'s rule for lists, texts and files)."""
    if translation is None:
        return None
    if isinstance(translation, os.PathLike):
        return read_translation_file(translation, sentences)
    if isinstance(translation, str):
        _refuse_file_name(translation, "translation")
        return text_lines(translation)
    for number, line in enumerate(translation, 1):
        if not isinstance(line, str):
            raise ConfigurationError(f"translation line {number}: {line!r} is not a string; "
                                     "give one string per source sentence")
    return list(translation)


def _refuse_file_name(text: str, name: str) -> None:
    """Refuse a one-line ``str`` that names an existing file: a ``str`` is text, and aligning
    a file's name instead of its contents would be a silent mistake."""
    if "\n" not in text and os.path.isfile(text):
        raise ConfigurationError(f"{name} {text!r}: a str is read as text, but this one names "
                                 f"a file; pass pathlib.Path({text!r}) to read the file")


def _read_file(path: os.PathLike[str], lang: str | None, presplit: bool) -> Document:
    """A file as ``aligner align`` reads it; an empty one-sentence-per-line file in a named
    language is an empty side (every sentence of the other side becomes a null bead)."""
    file = Path(path)
    if presplit and lang is not None and file.is_file() and file.stat().st_size == 0:
        return document_from_lines(file.stem, os.fspath(path), [], lang)
    return read_document(path, lang, presplit=presplit)


def _sentences_document(doc_id: str, sentences: Sequence[str], lang: str | None) -> Document:
    """Sentences exactly as given, in one paragraph (no boundary inside the side); the
    language identified when not given."""
    for number, sentence in enumerate(sentences, 1):
        if not isinstance(sentence, str) or not sentence.strip():
            raise ConfigurationError(f"{doc_id} sentence {number}: {sentence!r} is not a "
                                     "sentence; give non-empty strings")
    spans, start = [], 0
    for text in sentences:
        spans.append(Sentence(text, 0, start, start + len(text)))
        start += len(text) + 1
    clean_text = " ".join(sentences)
    lang, confidence = document_language(lang, clean_text)
    return Document(doc_id, "", lang, "utf-8", (Paragraph(clean_text),) if sentences else (),
                    tuple(spans), clean_text, lang_confidence=confidence)
