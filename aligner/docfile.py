"""Documents files (``documents.jsonl``): one :class:`~aligner.records.Document` per line.

The one reader and writer of the file that ``aligner ingest -o`` and ``aligner run`` write
and ``aligner pair``, a re-run and the Python API's ``read_documents`` read. ``aligner
ingest`` adds each document's ingest signature to its line
(:func:`aligner.ingest.signature.ingest_signature`); ``aligner run`` writes plain records and
keeps the same method in ``signature.json``.

>>> from aligner.records import Document, Paragraph, Sentence
>>> doc = Document("d1", "d1.txt", "ru", "utf-8", (Paragraph("Да."),),
...                (Sentence("Да.", 0, 0, 3),), "Да.")
>>> read_documents_line(document_line(doc), "d1.jsonl") == doc
True
>>> is_documents_file("out/documents.jsonl"), is_documents_file("corpus/a.ru")
(True, False)
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from aligner.errors import InputError
from aligner.io import atomic_write, json_line, read_capped_lines
from aligner.records import Document

DOCUMENTS_SUFFIX = ".jsonl"
"""Inputs with this ending are documents files, read as they are (not ingested as text)."""
MAX_DOCUMENTS_BYTES = 2 * 2**30
"""A documents file of a whole archive: far more than one document, still read whole."""


def document_line(document: Document, signature: Mapping[str, str] | None = None) -> str:
    """The document's line of a documents file (``Document.to_json()``, keys sorted), with
    its ``signature`` when one is given."""
    record: dict[str, Any] = document.to_json()
    if signature is not None:
        record["signature"] = dict(signature)
    return json_line(record) + "\n"


def write_documents(path: str | os.PathLike[str], documents: Iterable[Document],
                    signature_of: Callable[[Document], Mapping[str, str]] | None = None) -> int:
    """Write a documents file atomically, a record per line; return the count.

    With ``signature_of``, each line carries that document's signature (how ``aligner
    ingest`` read it). Documents are written as they come, and an error raised while they
    are produced leaves no file behind.
    """
    count = 0
    with atomic_write(path) as handle:
        for document in documents:
            handle.write(document_line(document, signature_of(document) if signature_of
                                       else None))
            count += 1
    return count


def read_documents_file(path: str | os.PathLike[str]) -> list[Document]:
    """The documents of a documents file, in order, read with a size cap.

    :raises InputError: naming the file when it is over the cap or not such a file.
    """
    lines = read_capped_lines(path, "JSON Lines documents from `aligner ingest`",
                              MAX_DOCUMENTS_BYTES)
    return [read_documents_line(line, path) for _, line in lines if line.strip()]


def read_documents_line(line: str, path: str | os.PathLike[str]) -> Document:
    """One line of a documents file as a :class:`Document` (a ``signature`` is ignored)."""
    try:
        return Document.from_json(json.loads(line))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError,
            RecursionError) as error:
        raise InputError(f"{path}: not a JSON Lines file of documents from `aligner ingest` "
                         f"({error})") from None


def is_documents_file(path: str | os.PathLike[str]) -> bool:
    """Whether an input is a documents file (read as it is), not a text to ingest."""
    return Path(path).suffix == DOCUMENTS_SUFFIX
