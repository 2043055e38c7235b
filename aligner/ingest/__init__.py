"""Ingestion: files, or their bytes, -> :class:`~aligner.records.Document` (encoding,
language, chrome, title, date, sentences).

Modules: :mod:`~aligner.ingest.encoding` (bytes to text), :mod:`~aligner.ingest.html` (page
text blocks), :mod:`~aligner.ingest.langid` (language), :mod:`~aligner.ingest.chrome`
(boilerplate with reasons, title), :mod:`~aligner.ingest.meta` (dates),
:mod:`~aligner.ingest.document` (assembly, folders, documents files),
:mod:`~aligner.ingest.signature` (how a document was ingested); sentences come from
:mod:`aligner.segment`.

>>> doc = document_from_text("n1", "", "Погода\\nСейчас\\n-11\\n\\n"
...     "Президент принял министра обороны Китая\\n\\n"
...     "Касым-Жомарт Токаев принял министра обороны Китая в Астане. "
...     "Стороны обсудили военное сотрудничество.\\n\\n© 2024 Новости")
>>> doc.lang, doc.title
('ru', 'Президент принял министра обороны Китая')
>>> [p.reason for p in doc.paragraphs]
['navigation', 'widget', 'numeric', 'title', '', 'footer']
>>> doc.sentence_texts  # doctest: +NORMALIZE_WHITESPACE
['Касым-Жомарт Токаев принял министра обороны Китая в Астане.',
 'Стороны обсудили военное сотрудничество.']
"""

from aligner.ingest.document import (IngestResult, document_from_bytes, document_from_lines,
                                     document_from_text, document_language, ingest_paths, iter_documents,
                                     read_document, read_documents, splitter_name)
from aligner.ingest.signature import ingest_method, ingest_signature

__all__ = ["IngestResult", "document_from_bytes", "document_from_lines", "document_from_text",
           "document_language",           "ingest_method", "ingest_paths", "ingest_signature", "iter_documents",
           "read_document", "read_documents", "splitter_name"]
